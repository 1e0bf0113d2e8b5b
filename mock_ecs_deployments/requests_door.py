"""The front door for callers that use the ``requests`` library (a SigV4-signed ``requests.post``
to ``https://ecs.<region>.amazonaws.com/``), through the ``responses`` library.

While the mock is active and moto's ``mock_aws`` is not, a request to an ECS endpoint is answered
by the same code as a botocore client's (:func:`doors.before_send`), so the status, headers and
body on the wire are the same. Every other request passes through to whatever sent it before the
mock started (the network, moto, or the test's own ``responses`` mock). Under ``mock_aws``, this
door declines ECS requests too: moto's own ``responses`` registration serves them through moto's
ECS dispatch, which knows our operations.

:func:`start` and :func:`stop` are called with the outermost activation of the mock.
"""

from __future__ import annotations

import re
import sys
import threading
from typing import Any

import requests.adapters
import responses
from botocore.compat import HTTPHeaders

from . import doors
from .exceptions import UnknownOperationException
from .responses import Reply, error_reply

#: What an ECS endpoint looks like, in every partition, FIPS included.
ECS_ENDPOINT = re.compile(
    r"^https?://ecs(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?(?::\d+)?(?:/|$)",
    re.IGNORECASE,
)
_EVERYTHING_ELSE = re.compile(".*")


class _EcsEndpointResponse(responses.CallbackResponse):
    """Matches any method to an ECS endpoint while our mock, not moto's, answers ECS."""

    def matches(self, request: Any) -> tuple[bool, str]:
        if not doors.state.active or _moto_is_active():
            return False, "mock_ecs_deployments is not answering ECS requests"
        if not ECS_ENDPOINT.match(str(request.url)):
            return False, "not an ECS endpoint"
        return True, ""


def _moto_is_active() -> bool:
    core = sys.modules.get("moto.core.models")
    return core is not None and bool(core.botocore_stubber.enabled)


def _answer(request: Any) -> Reply:
    """The wire reply botocore's door gives the same request."""
    response = doors.before_send(request)
    if response is None:  # no ECS X-Amz-Target: AWS's JSON services name no operation then
        return error_reply(
            UnknownOperationException(
                "The request has no X-Amz-Target header naming an ECS operation, e.g."
                " AmazonEC2ContainerServiceV20141113.ListServiceDeployments."
            )
        )
    headers = response.headers
    plain = dict(headers.items()) if isinstance(headers, HTTPHeaders) else dict(headers)
    return response.status_code, plain, response.content.decode("utf-8")


class _Door:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.send: Any = None  # ours, while installed
        self.saved: Any = None  # what ours replaced


_door = _Door()


def _set_send(send: Any) -> None:
    # What responses.RequestsMock.start() patches, done here so that stop() can tell whether
    # another patch was put on top in the meantime.
    setattr(requests.adapters.HTTPAdapter, "send", send)  # noqa: B010 - mypy: method-assign


def start() -> None:
    """Intercept ``requests`` calls to ECS endpoints (idempotent).

    Requests that are not for ECS, or that arrive while moto's mock is active, are sent on
    with whatever ``requests`` sent them with before this call.
    """
    with _door.lock:
        if _door.send is not None:
            return
        # Passing requests on to what is installed now (not to requests' own send) keeps a
        # moto or responses mock started earlier in the chain.
        saved: Any = requests.adapters.HTTPAdapter.send
        mock = responses.RequestsMock(assert_all_requests_are_fired=False, real_adapter_send=saved)
        mock.add_passthru(_EVERYTHING_ELSE)
        mock.add(_EcsEndpointResponse(method="POST", url=ECS_ENDPOINT, callback=_answer))
        _door.send, _door.saved = mock.unbound_on_send(), saved
        _set_send(_door.send)


def stop() -> None:
    """Stop intercepting (idempotent); ``requests`` is put back as :func:`start` found it.

    Mocks are meant to stop in the reverse order of their starts. When another patch of
    ``requests`` (moto's ``mock_aws``) started after this door is still in place, it is left
    alone: when it is stopped it puts back this door's sender, which by then passes every
    request on, since it answers ECS only while the mock is active.
    """
    with _door.lock:
        if _door.send is not None and requests.adapters.HTTPAdapter.send is _door.send:
            _set_send(_door.saved)
        _door.send = _door.saved = None


__all__ = ["ECS_ENDPOINT", "start", "stop"]
