"""moto's door: our operations served by moto's own ECS dispatch.

Under moto's ``mock_aws`` and behind moto's server, moto answers every ECS request, and it
finds an operation as a method of its ECS response class, by name. While the mock is active
our operations are methods of that class, and moto's CreateService, UpdateService and
DeleteService are followed (:mod:`.moto_services`). Nothing of moto is imported for this: the
class is patched when ``moto.ecs.responses`` is loaded, now or later (:mod:`.on_import`).

In process, a boto3 call under ``mock_aws`` need not go through moto's dispatch at all: our
``before-send`` handler runs before moto's (botocore calls handlers of the more specific event,
``before-send.ecs``, first) and answers our operations, and moto's handler is made to leave a
request answered already alone. That saves moto's URL matching and request parsing on every
call. Server mode and ``requests`` callers still come through moto's dispatch and the class.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

from .. import on_import
from ..protocol.dispatch import HANDLERS, REPLY_ATTRIBUTE, dispatch
from . import presence
from . import seeded as moto_seeded
from . import services as moto_services

_MODULE = "moto.ecs.responses"
_STUBBER_MODULE = "moto.core.botocore_stubber"


class _State:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        # Between install() and uninstall(): a patch whose module is imported after the mock
        # stopped (its hook already popped) must not land.
        self.installed = False
        self.patched: Any = None  # moto's response class, while patched
        self.saved_methods: dict[str, Any] = {}
        self.stubber: Any = None  # moto's BotocoreStubber class, while patched
        self.stubber_call: Any = None  # its own __call__


_state = _State()


def _moto_method(operation: str) -> Callable[[Any], tuple[int, dict[str, str], str]]:
    def method(response: Any) -> tuple[int, dict[str, str], str]:
        status, headers, body = dispatch(
            operation, response.body, response.current_account, response.region
        )
        # moto takes the status of a (status, headers, body) answer from its headers, and
        # sets a request id under its own spelling of the header: one header, as AWS sends.
        headers["status"] = str(status)
        headers["x-amzn-requestid"] = headers.pop("x-amzn-RequestId")
        return status, headers, body

    method.__name__ = snake_case(operation)
    return method


def snake_case(operation: str) -> str:
    """moto's method name for an operation: ``ListServiceDeployments`` ->
    ``list_service_deployments``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def _patch(module: ModuleType) -> None:
    responses = module.EC2ContainerServiceResponse
    with _state.lock:
        if not _state.installed or _state.patched is not None:
            return
        moto_services.install(responses)
        moto_seeded.install(responses)
        for operation in HANDLERS:
            name = snake_case(operation)
            _state.saved_methods[name] = responses.__dict__.get(name)
            setattr(responses, name, _moto_method(operation))
        _state.patched = responses


def _step_aside(module: ModuleType) -> None:
    """Make moto's botocore handler pass on requests our handler answered."""
    stubber = module.BotocoreStubber
    with _state.lock:
        if not _state.installed or _state.stubber is not None:
            return
        original = stubber.__dict__["__call__"]

        def __call__(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
            if getattr(request, REPLY_ATTRIBUTE, None) is not None:
                return None
            return original(self, event_name, request, **kwargs)

        stubber.__call__ = __call__
        _state.stubber, _state.stubber_call = stubber, original
        presence.step_aside(True)


def install() -> None:
    """Teach moto's ECS dispatch our operations, as soon as moto's ECS is loaded, and let
    our handler answer them in place of moto's, as soon as moto's core is loaded."""
    with _state.lock:
        _state.installed = True
    on_import.when_imported(_MODULE, _patch)
    on_import.when_imported(_STUBBER_MODULE, _step_aside)


def uninstall() -> None:
    """Put moto's ECS response class back exactly as it was (or withdraw the pending patch)."""
    on_import.cancel(_MODULE, _patch)
    on_import.cancel(_STUBBER_MODULE, _step_aside)
    with _state.lock:
        _state.installed = False
        if _state.stubber is not None:
            presence.step_aside(False)
            _state.stubber.__call__ = _state.stubber_call
            _state.stubber = _state.stubber_call = None
        responses, _state.patched = _state.patched, None
        if responses is None:
            return
        try:
            moto_seeded.uninstall(responses)
            moto_services.uninstall(responses)
        finally:
            for name, original in _state.saved_methods.items():
                if original is None:
                    delattr(responses, name)
                else:
                    setattr(responses, name, original)
            _state.saved_methods.clear()


__all__ = ["install", "snake_case", "uninstall"]
