"""Bad HTTP input to server mode: ECS requests moto's server would answer with an HTML 500
page, a 404 or an S3 document get AWS's JSON errors instead, and the server keeps serving.

:class:`EcsRequestGuard` is WSGI middleware around moto's application; moto itself is not
changed. Requests to other services pass through untouched.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from http import HTTPStatus
from io import BytesIO
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

from ..engine.model.exceptions import (
    InvalidParameterException,
    ServerException,
    ServiceDeploymentsError,
    UnknownOperationException,
)
from ..engine.model.service_model import ecs_model
from ..protocol.dispatch import HANDLERS, JSON_CONTENT_TYPE, Reply, bug_error, error_reply

TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."
#: The largest ECS request body the server reads (DECIDED: AWS publishes no limit for ECS; the
#: largest real request, a task definition, stays far below 1 MiB).
MAX_BODY_BYTES = 1024 * 1024
# Oversized bodies are read to the end (so the client sees the 400, not a reset connection),
# but never more than this.
_DRAIN_LIMIT = 64 * 1024 * 1024
_CHUNK = 64 * 1024
_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class _RejectedRequest(ServiceDeploymentsError):
    """An error of the HTTP layer that no ECS operation models (e.g. a missing signature)."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class EcsRequestGuard:
    """WSGI middleware around moto's application, for requests addressed to ECS.

    An ECS request is one whose SigV4 credential scope names the ``ecs`` service, or an unsigned
    one whose ``X-Amz-Target`` names an ECS operation. Every such request is checked before moto
    sees it: ``POST /``, an ``X-Amz-Target`` naming an operation of botocore's ECS model, a body
    of at most :data:`MAX_BODY_BYTES` that is a JSON object. A request that fails is answered
    with AWS's JSON error (``__type`` and ``message``, HTTP 400); moto's own failures on an ECS
    request become JSON errors too. Requests to other services pass through untouched.

    :param app: moto's WSGI application (``DomainDispatcherApplication``); its
        ``create_app`` is read here, so a moto without it fails the server's start (instead of
        every ECS request silently taking the dispatcher's slower way).
    """

    def __init__(self, app: DomainDispatcherApplication) -> None:
        self.app: WSGIApp = app
        create_app = app.create_app  # read now: a moto without it fails the start
        self._create_ecs_app: Callable[[], WSGIApp] = lambda: create_app("ecs")
        self._ecs_app: WSGIApp | None = None
        self._lock = threading.Lock()

    def _ecs(self) -> WSGIApp:
        """moto's ECS application, which moto's dispatcher would pick for an ECS-signed request.

        Calling it directly saves the dispatcher's per-request search (it lists moto's package
        directories under a global lock), a quarter of the time of a request.
        """
        if self._ecs_app is None:
            with self._lock:
                if self._ecs_app is None:
                    self._ecs_app = self._create_ecs_app()
        return self._ecs_app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request (WSGI).

        :param environ: the WSGI environment of the request.
        :param start_response: the WSGI ``start_response`` callable.
        """
        signed = _signed_service(environ)
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if signed != "ecs" and not (signed is None and target.startswith(TARGET_PREFIX)):
            return self.app(environ, start_response)
        try:
            # Read first, whatever the verdict: a client still sending its body could miss an
            # early answer when the server closes the connection.
            body = _read_body(environ)
            if signed is None:
                # moto's server would route an unsigned ECS request to S3; AWS refuses it.
                raise _RejectedRequest(
                    "MissingAuthenticationTokenException", 400, "Missing Authentication Token"
                )
            operation = _checked_operation(environ, target)
            _check_json(body)
        except ServiceDeploymentsError as rejected:
            return _send(start_response, error_reply(rejected))
        environ["wsgi.input"] = BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        # moto picks the protocol (JSON or XML) of its answer from the Content-Type.
        environ["CONTENT_TYPE"] = JSON_CONTENT_TYPE
        failure: ServiceDeploymentsError
        try:
            return self._ecs()(environ, start_response)
        except NotImplementedError:
            failure = UnknownOperationException(
                f"The ECS operation {operation} is served by neither moto nor mock_ecs_deployments."
            )
        except Exception as bug:  # moto's app propagates its exceptions (its debug mode)
            failure = (
                bug_error(operation, bug)
                if operation in HANDLERS
                else ServerException(
                    f"moto failed while answering {operation}: {type(bug).__name__}: {bug}"
                )
            )
        return _send(start_response, error_reply(failure))


def _signed_service(environ: dict[str, Any]) -> str | None:
    """The service of a SigV4 ``Authorization`` header's scope; ``None`` when unsigned."""
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    if not authorization:
        return None
    match = _SCOPE.search(authorization)
    return match.group(2).lower() if match else ""


def _checked_operation(environ: dict[str, Any], target: str) -> str:
    method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "") or "/"
    if method != "POST" or path != "/":
        raise UnknownOperationException(
            f"ECS operations are called with POST /; this request was {method} {path}."
        )
    if not target:
        raise UnknownOperationException(
            f"The request has no X-Amz-Target header; ECS names the operation there,"
            f" e.g. {TARGET_PREFIX}ListServiceDeployments."
        )
    operation = target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else ""
    if operation not in ecs_model().operation_names:
        raise UnknownOperationException(f"Unknown ECS operation in X-Amz-Target: {target!r}.")
    return operation


def _read_body(environ: dict[str, Any]) -> bytes:
    from werkzeug.wsgi import get_input_stream

    stream = get_input_stream(environ)
    body: bytes = stream.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        drained = len(body)
        while drained < _DRAIN_LIMIT and (chunk := stream.read(_CHUNK)):
            drained += len(chunk)
        raise InvalidParameterException(
            f"The request body is larger than {MAX_BODY_BYTES} bytes, the most this mock reads."
        )
    # An empty body is an empty request, as botocore sends it: ``{}``.
    return body or b"{}"


def _check_json(body: bytes) -> None:
    try:
        params = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidParameterException(f"The request body is not valid JSON: {error}") from None
    except RecursionError:  # thousands of nested brackets: Python's decoder gives up
        raise InvalidParameterException(
            "The request body is not valid JSON: it is nested too deeply."
        ) from None
    if not isinstance(params, dict):
        raise InvalidParameterException("The request body must be a JSON object.")


def _send(start_response: StartResponse, reply: Reply) -> list[bytes]:
    status, headers, text = reply
    body = text.encode("utf-8")
    headers = {**headers, "Content-Length": str(len(body))}
    start_response(f"{status} {HTTPStatus(status).phrase}", list(headers.items()))
    return [body]


__all__ = ["MAX_BODY_BYTES", "TARGET_PREFIX", "EcsRequestGuard"]
