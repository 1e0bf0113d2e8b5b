"""aiobotocore support: async ECS clients get the same answers as boto3's inside the mock.

aiobotocore calls botocore's ``before-send`` handlers, sync ones included (it awaits a result
only when it is awaitable), so our handler, and moto's under ``mock_aws``, answer its requests
as they answer botocore's. What fails is the next step: aiobotocore reads the answer with
``await http_response.content``, and a botocore ``AWSResponse`` has plain bytes there
(``TypeError: object bytes can't be used in 'await' expression``). While the mock is active,
this module wraps aiobotocore's ``convert_to_response_dict`` so that such an answer is first
turned into aiobotocore's own ``AioAWSResponse``. Real responses are ``AioAWSResponse`` already
and are passed on untouched.

Nothing is imported from aiobotocore unless aiobotocore is in use: the wrapper is installed
when ``aiobotocore.endpoint`` is loaded, now or later (:mod:`.on_import`).
"""

from __future__ import annotations

import threading
from types import ModuleType
from typing import Any

from botocore.awsrequest import AWSResponse

from .. import on_import

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
        self.installed = False  # between install() and uninstall(): a late import must not wrap
        self.endpoint: Any = None  # aiobotocore.endpoint, while wrapped
        self.original: Any = None


_state = _State()


def _wrap_converter(endpoint: ModuleType) -> None:
    """Install the wrapper around aiobotocore's converter (idempotent)."""
    from aiobotocore.awsrequest import AioAWSResponse  # type: ignore[import-untyped]

    with _state.lock:
        if not _state.installed or _state.endpoint is not None:
            return
        original = endpoint.convert_to_response_dict

        async def convert_to_response_dict(http_response: Any, operation_model: Any) -> Any:
            # Only a before-send handler (ours, or moto's) can produce a botocore AWSResponse.
            if isinstance(http_response, AWSResponse) and not isinstance(
                http_response, AioAWSResponse
            ):
                http_response = AioAWSResponse(
                    http_response.url,
                    http_response.status_code,
                    http_response.headers,
                    _AsyncBody(http_response.content),
                )
            return await original(http_response, operation_model)

        _state.endpoint, _state.original = endpoint, original
        endpoint.convert_to_response_dict = convert_to_response_dict  # type: ignore[attr-defined]


def install() -> None:
    """Let aiobotocore clients read the answers of the mock, once aiobotocore is loaded."""
    with _state.lock:
        _state.installed = True
    on_import.when_imported(_AIO_ENDPOINT, _wrap_converter)


def uninstall() -> None:
    """Put aiobotocore's converter back (idempotent)."""
    on_import.cancel(_AIO_ENDPOINT, _wrap_converter)
    with _state.lock:
        _state.installed = False
        if _state.endpoint is not None:
            _state.endpoint.convert_to_response_dict = _state.original
            _state.endpoint = _state.original = None


__all__ = ["install", "uninstall"]
