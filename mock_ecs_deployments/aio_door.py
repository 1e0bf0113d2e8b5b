"""aiobotocore support: async ECS clients get the same answers as boto3's inside the mock.

aiobotocore calls botocore's ``before-send`` handlers, sync ones included (it awaits a result
only when it is awaitable), so our handler, and moto's under ``mock_aws``, answer its requests
as they answer botocore's. What fails is the next step: aiobotocore reads the answer with
``await http_response.content``, and a botocore ``AWSResponse`` has plain bytes there
(``TypeError: object bytes can't be used in 'await' expression``). While the mock is active,
this module wraps aiobotocore's ``convert_to_response_dict`` so that such an answer is first
turned into aiobotocore's own ``AioAWSResponse``. Real responses are ``AioAWSResponse`` already
and are passed on untouched.

Nothing is imported from aiobotocore unless aiobotocore is in use: the wrapper is installed on
:func:`start` when aiobotocore is imported already, else when the first aiobotocore ECS client
class is made while the mock is active (a built-in ``creating-client-class`` handler).
"""

from __future__ import annotations

import importlib
import sys
import threading
from typing import Any

import botocore.handlers
from botocore.awsrequest import AWSResponse

_AIO_ENDPOINT = "aiobotocore.endpoint"


class _AsyncBody:
    """The raw body aiobotocore reads with ``await raw.read()``."""

    def __init__(self, content: bytes) -> None:
        self._content = content

    async def read(self, *_: Any) -> bytes:
        content, self._content = self._content, b""
        return content


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = False
        self.handler_installed = False
        self.original: Any = None


_state = _State()


def _wrap_converter() -> None:
    """Install the wrapper around aiobotocore's converter (once; lock held by the caller)."""
    if _state.original is not None:
        return
    from aiobotocore.awsrequest import AioAWSResponse  # type: ignore[import-untyped]

    endpoint: Any = sys.modules[_AIO_ENDPOINT]
    original = endpoint.convert_to_response_dict

    async def convert_to_response_dict(http_response: Any, operation_model: Any) -> Any:
        # Only a before-send handler (ours, or moto's) can produce a botocore AWSResponse here.
        if isinstance(http_response, AWSResponse) and not isinstance(http_response, AioAWSResponse):
            http_response = AioAWSResponse(
                http_response.url,
                http_response.status_code,
                http_response.headers,
                _AsyncBody(http_response.content),
            )
        return await original(http_response, operation_model)

    _state.original = original
    endpoint.convert_to_response_dict = convert_to_response_dict


def _on_client_class(base_classes: list[type], **_: Any) -> None:
    """``creating-client-class.ecs``: the first aiobotocore ECS client while active."""
    if not _state.active:
        return
    if any(klass.__module__.startswith("aiobotocore.") for klass in base_classes):
        importlib.import_module(_AIO_ENDPOINT)
        with _state.lock:
            if _state.active:
                _wrap_converter()


def start() -> None:
    """Let aiobotocore clients read the answers of the mock (idempotent)."""
    with _state.lock:
        _state.active = True
        if not _state.handler_installed:
            botocore.handlers.BUILTIN_HANDLERS.append(
                ("creating-client-class.ecs", _on_client_class)
            )
            _state.handler_installed = True
        if _AIO_ENDPOINT in sys.modules:
            _wrap_converter()


def stop() -> None:
    """Put aiobotocore's converter back (idempotent). The built-in handler stays, silent."""
    with _state.lock:
        _state.active = False
        if _state.original is not None:
            endpoint: Any = sys.modules[_AIO_ENDPOINT]
            endpoint.convert_to_response_dict = _state.original
            _state.original = None


__all__ = ["start", "stop"]
