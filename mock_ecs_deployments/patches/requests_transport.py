"""The door for callers that use the ``requests`` library (a SigV4-signed ``requests.post``
to ``https://ecs.<region>.amazonaws.com/``), through the ``responses`` library.

While the mock is active and moto's ``mock_aws`` is not, a request to an ECS endpoint is answered
by the same code as a botocore client's (:func:`.botocore_send.before_send`), so the status,
headers and body on the wire are the same. Every other request passes through to whatever sent it
before the mock started (the network, moto, or the test's own ``responses`` mock). Under
``mock_aws``, this door declines ECS requests too: moto's own ``responses`` registration serves
them through moto's ECS dispatch, which knows our operations.

Nothing is imported from ``requests`` or ``responses`` unless the test uses ``requests``: the
door opens when ``requests`` is loaded, now or later (:mod:`.on_import`).
"""

from __future__ import annotations

import re
import sys
import threading
from types import ModuleType
from typing import Any

from .. import on_import
from ..beside_moto.presence import moto_is_active
from ..engine.model.exceptions import UnknownOperationException
from ..protocol.dispatch import Reply, error_reply
from . import botocore_send

#: What an ECS endpoint looks like, in every partition, FIPS included.
ECS_ENDPOINT = re.compile(
    r"^https?://ecs(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?(?::\d+)?(?:/|$)",
    re.IGNORECASE,
)
_EVERYTHING_ELSE = re.compile(".*")


def _matches(request: Any) -> tuple[bool, str]:
    """Any method to an ECS endpoint, while our mock, not moto's, answers ECS."""
    if not botocore_send.state.active or moto_is_active():
        return False, "mock_ecs_deployments is not answering ECS requests"
    if not ECS_ENDPOINT.match(str(request.url)):
        return False, "not an ECS endpoint"
    return True, ""


def _answer(request: Any) -> Reply:
    """The wire reply botocore's door gives the same request."""
    response = botocore_send.before_send(request)
    if response is None:  # no ECS X-Amz-Target: AWS's JSON services name no operation then
        return error_reply(
            UnknownOperationException(
                "The request has no X-Amz-Target header naming an ECS operation, e.g."
                " AmazonEC2ContainerServiceV20141113.ListServiceDeployments."
            )
        )
    return response.status_code, dict(response.headers.items()), response.content.decode("utf-8")


class _Door:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.installed = False  # between install() and uninstall(): a late import must not open
        self.send: Any = None  # ours, while installed
        self.saved: Any = None  # what ours replaced


_door = _Door()


def _on_import(module: ModuleType) -> None:
    """``requests`` or ``responses`` was loaded: open the door unless ``responses`` is still
    half-way through its own import (it imports ``requests``); its own hook opens it then."""
    if module.__name__ == "requests":
        importing = sys.modules.get("responses")
        if importing is not None and getattr(importing.__spec__, "_initializing", False):
            return
    _open()


def _open() -> None:
    """Intercept ``requests`` calls to ECS endpoints (idempotent).

    Requests that are not for ECS, or that arrive while moto's mock is active, are sent on
    with whatever ``requests`` sent them with before this call.
    """
    import requests.adapters
    import responses

    class EcsEndpointResponse(responses.CallbackResponse):
        def matches(self, request: Any) -> tuple[bool, str]:
            return _matches(request)

    with _door.lock:
        if not _door.installed or _door.send is not None:
            return
        # Passing requests on to what is installed now (not to requests' own send) keeps a
        # moto or responses mock started earlier in the chain.
        saved: Any = requests.adapters.HTTPAdapter.send
        mock = responses.RequestsMock(assert_all_requests_are_fired=False, real_adapter_send=saved)
        mock.add_passthru(_EVERYTHING_ELSE)
        mock.add(EcsEndpointResponse(method="POST", url=ECS_ENDPOINT, callback=_answer))
        _door.send, _door.saved = mock.unbound_on_send(), saved
        # What responses.RequestsMock.start() patches, done here so that uninstall() can tell
        # whether another patch was put on top in the meantime.
        setattr(requests.adapters.HTTPAdapter, "send", _door.send)  # noqa: B010


def install() -> None:
    """Open the door as soon as ``requests`` is loaded."""
    with _door.lock:
        _door.installed = True
    on_import.when_imported("responses", _on_import)
    on_import.when_imported("requests", _on_import)


def uninstall() -> None:
    """Close the door (idempotent); ``requests`` is put back as :func:`install` found it.

    Mocks are meant to stop in the reverse order of their starts. When another patch of
    ``requests`` (moto's ``mock_aws``) started after this door is still in place, it is left
    alone: when it is stopped it puts back this door's sender, which by then passes every
    request on, since it answers ECS only while the mock is active.
    """
    on_import.cancel("requests", _on_import)
    on_import.cancel("responses", _on_import)
    with _door.lock:
        _door.installed = False
        if _door.send is None:
            return
        import requests.adapters

        if requests.adapters.HTTPAdapter.send is _door.send:
            setattr(requests.adapters.HTTPAdapter, "send", _door.saved)  # noqa: B010
        _door.send = _door.saved = None


__all__ = ["ECS_ENDPOINT", "install", "uninstall"]
