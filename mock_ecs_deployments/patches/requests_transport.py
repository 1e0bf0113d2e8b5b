"""The door for callers that use the ``requests`` library (a SigV4-signed ``requests.post``
to ``https://ecs.<region>.amazonaws.com/``), through the ``responses`` library.

While the mock is active and moto's ``mock_aws`` is not, a request to an ECS endpoint is answered
by the same code as a botocore client's (:func:`.botocore_send.before_send`), so the status,
headers and body on the wire are the same. Every other request passes through to whatever sent it
before the mock started (the network, moto, or the test's own ``responses`` mock). Under
``mock_aws``, this door declines ECS requests too: moto's own ``responses`` registration serves
them through moto's ECS dispatch, which knows our operations.

Nothing is imported from ``requests`` or ``responses`` unless the test uses ``requests``: the
door opens when ``requests`` is loaded, now or later
(an :class:`~mock_ecs_deployments.patching.ImportPatch`).
"""

from __future__ import annotations

import re
import sys
from types import ModuleType
from typing import Any

from ..beside_moto.presence import moto_is_active
from ..engine.model.exceptions import UnknownOperationException
from ..patching import ImportPatch, Patch
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
    if not botocore_send.answering() or moto_is_active():
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


def _open(patch: Patch, module: ModuleType) -> None:
    """Intercept ``requests`` calls to ECS endpoints, once ``requests`` or ``responses`` is
    loaded (``module``); not while ``responses`` is still half-way through its own import
    (it imports ``requests``): the patch is applied when ``responses`` is loaded then.

    Requests that are not for ECS, or that arrive while moto's mock is active, are sent on
    with whatever ``requests`` sent them with before the patch was applied.
    """
    if module.__name__ == "requests":
        importing = sys.modules.get("responses")
        if importing is not None and getattr(importing.__spec__, "_initializing", False):
            return
    import requests.adapters
    import responses

    class EcsEndpointResponse(responses.CallbackResponse):
        def matches(self, request: Any) -> tuple[bool, str]:
            return _matches(request)

    # Passing requests on to what is installed now (not to requests' own send) keeps a moto
    # or responses mock started earlier in the chain.
    saved: Any = requests.adapters.HTTPAdapter.send
    mock = responses.RequestsMock(assert_all_requests_are_fired=False, real_adapter_send=saved)
    mock.add_passthru(_EVERYTHING_ELSE)
    mock.add(EcsEndpointResponse(method="POST", url=ECS_ENDPOINT, callback=_answer))
    # What responses.RequestsMock.start() patches, done here so that the uninstall can tell
    # whether another patch was put on top in the meantime: mocks are meant to stop in the
    # reverse order of their starts, and when another patch of ``requests`` (moto's
    # ``mock_aws``) started after this one is still in place, it is left alone; when it is
    # stopped it puts back this sender, which by then passes every request on, since it
    # answers ECS only while the mock is active.
    patch.replace(requests.adapters.HTTPAdapter, "send", mock.unbound_on_send(), keep_later=True)


#: The step: ``requests`` calls to ECS endpoints answered by the mock, once ``requests`` (or
#: ``responses``) is loaded.
REQUESTS = ImportPatch("requests", ("responses", "requests"), _open)

__all__ = ["ECS_ENDPOINT", "REQUESTS"]
