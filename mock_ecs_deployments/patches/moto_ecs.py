"""moto's door: our operations served by moto's own ECS dispatch.

Under moto's ``mock_aws`` and behind moto's server, moto answers every ECS request, and it
finds an operation as a method of its ECS response class, by name. While the mock is active
our operations are methods of that class, and moto's CreateService, UpdateService and
DeleteService are followed (:mod:`.moto_services`). Nothing of moto is imported for this: the
class is patched when ``moto.ecs.responses`` is loaded, now or later (:mod:`.on_import`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

from ..protocol.dispatch import HANDLERS, dispatch
from . import moto_services, on_import

_MODULE = "moto.ecs.responses"


class _State:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.patched: Any = None  # moto's response class, while patched
        self.saved_methods: dict[str, Any] = {}


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
        if _state.patched is not None:
            return
        moto_services.install(responses)
        for operation in HANDLERS:
            name = snake_case(operation)
            _state.saved_methods[name] = responses.__dict__.get(name)
            setattr(responses, name, _moto_method(operation))
        _state.patched = responses


def install() -> None:
    """Teach moto's ECS dispatch our operations, as soon as moto's ECS is loaded."""
    on_import.when_imported(_MODULE, _patch)


def uninstall() -> None:
    """Put moto's ECS response class back exactly as it was (or withdraw the pending patch)."""
    on_import.cancel(_MODULE, _patch)
    with _state.lock:
        responses, _state.patched = _state.patched, None
        if responses is None:
            return
        try:
            moto_services.uninstall(responses)
        finally:
            for name, original in _state.saved_methods.items():
                if original is None:
                    delattr(responses, name)
                else:
                    setattr(responses, name, original)
            _state.saved_methods.clear()


__all__ = ["install", "snake_case", "uninstall"]
