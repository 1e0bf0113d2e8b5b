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
when ``aiobotocore.endpoint`` is loaded, now or later
(an :class:`~mock_ecs_deployments.patching.ImportPatch`).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from botocore.awsrequest import AWSResponse

from ..patching import ImportPatch, Patch


class _AsyncBody:
    """The raw body aiobotocore reads with ``await raw.read()``."""

    def __init__(self, content: bytes) -> None:
        self._content = content

    async def read(self, *_: Any) -> bytes:
        content, self._content = self._content, b""
        return content


def _wrap_converter(patch: Patch, endpoint: ModuleType) -> None:
    """Wrap aiobotocore's converter (``endpoint`` is ``aiobotocore.endpoint``, just loaded)."""
    from aiobotocore.awsrequest import AioAWSResponse  # type: ignore[import-untyped]

    original = endpoint.convert_to_response_dict

    async def convert_to_response_dict(http_response: Any, operation_model: Any) -> Any:
        # Only a before-send handler (ours, or moto's) can produce a botocore AWSResponse.
        if isinstance(http_response, AWSResponse) and not isinstance(http_response, AioAWSResponse):
            http_response = AioAWSResponse(
                http_response.url,
                http_response.status_code,
                http_response.headers,
                _AsyncBody(http_response.content),
            )
        return await original(http_response, operation_model)

    patch.replace(endpoint, "convert_to_response_dict", convert_to_response_dict)


#: The step: aiobotocore clients read the mock's answers, once aiobotocore is loaded.
AIOBOTOCORE = ImportPatch("aiobotocore", "aiobotocore.endpoint", _wrap_converter)

__all__ = ["AIOBOTOCORE"]
