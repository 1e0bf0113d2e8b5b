"""The front doors through which a call reaches :func:`responses.dispatch`.

* Standalone: a botocore ``before-send`` handler for ECS. It is added to botocore's built-in
  handlers on the first ``start()`` (never at import), so every session made while the mock is
  active carries it; :func:`patch_client` adds it to a client made earlier.
* Beside moto's ``mock_aws`` (and behind moto's server): botocore calls *every* ``before-send``
  handler, and moto's raises ``NotImplementedError`` for operations its ECS lacks even after
  ours answered. So while moto is active ours stays silent, and our operations are added as
  methods of moto's ECS response class, which is how moto finds an operation. They are removed
  again when the mock stops.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import threading
from collections.abc import Callable
from io import BytesIO
from typing import Any

import botocore.client
import botocore.handlers
from botocore import UNSIGNED
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from .backend import DEFAULT_ACCOUNT_ID
from .exceptions import UnknownOperationException
from .responses import HANDLERS, JSON_CONTENT_TYPE, Reply, dispatch, error_reply

_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."
_REGION_IN_HOST = re.compile(r"^https?://ecs(?:-fips)?\.([a-z0-9-]+)\.")
_REGION_IN_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/")
_ACCESS_KEY_IN_SCOPE = re.compile(r"Credential=([^/]+)/")
_REPLY_ATTRIBUTE = "_mock_ecs_deployments_reply"


class _State:
    """Whether the mock answers, guarded because tests may start mocks from threads."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.active = False
        self.installed = False
        self.saved_moto_methods: dict[str, Any] = {}
        self.saved_botocore: dict[str, Any] = {}


state = _State()


class _RawBody(BytesIO):
    """A response body botocore can both ``read()`` and ``stream()``."""

    def stream(self, **_: Any) -> Any:
        contents = self.read()
        while contents:
            yield contents
            contents = self.read()


def _moto_is_active() -> bool:
    """Whether moto's ``mock_aws`` is active (its botocore handler answers then)."""
    core = sys.modules.get("moto.core.models")
    return core is not None and bool(core.botocore_stubber.enabled)


def _addressed_to_a_server(url: str) -> bool:
    """Requests to a server this process runs (server mode) travel to it over HTTP."""
    server = sys.modules.get("mock_ecs_deployments.server")
    return server is not None and bool(server.is_served_url(url))


def _header(request: AWSPreparedRequest, name: str) -> str:
    value = request.headers.get(name, "")
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def before_send(request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
    """Answer ECS requests while the mock is active and moto's own mock is not."""
    if not state.active or _moto_is_active() or _addressed_to_a_server(request.url):
        return None
    target = _header(request, "X-Amz-Target")
    if not target.startswith(_TARGET_PREFIX):
        return None
    # The handler may be registered on a client twice (built-in and patch_client): answer
    # each request once, so that an operation that changes state does not run twice.
    reply: Reply | None = getattr(request, _REPLY_ATTRIBUTE, None)
    if reply is None:
        operation = target[len(_TARGET_PREFIX) :]
        if operation in HANDLERS:
            reply = dispatch(operation, _body(request), *_account_and_region(request))
        else:
            reply = error_reply(
                UnknownOperationException(
                    f"mock_ecs_deployments serves {', '.join(HANDLERS)}; {operation} needs"
                    " moto: use mock_service_deployments(with_moto=True) or moto's mock_aws."
                )
            )
        setattr(request, _REPLY_ATTRIBUTE, reply)
    status, headers, body = reply
    return AWSResponse(
        request.url, status, HTTPHeaders.from_dict(headers), _RawBody(body.encode("utf-8"))
    )


def _body(request: AWSPreparedRequest) -> bytes | str | None:
    body = request.body
    if body is None or isinstance(body, bytes | str):
        return body
    if isinstance(body, bytearray):
        return bytes(body)
    return body.read()  # a file-like body, which botocore may send for large payloads


def _account_and_region(request: AWSPreparedRequest) -> tuple[str, str]:
    authorization = _header(request, "Authorization")
    match = _REGION_IN_HOST.match(request.url) or _REGION_IN_SCOPE.search(authorization)
    region = match.group(1) if match else "us-east-1"
    return account_for(_ACCESS_KEY_IN_SCOPE.search(authorization)), region


def account_for(access_key: re.Match[str] | None) -> str:
    """``MOTO_ACCOUNT_ID``, else the account moto maps the access key to, else the default."""
    account = os.environ.get("MOTO_ACCOUNT_ID")
    if account:
        return account
    # Access keys that map to other accounts only exist once moto's IAM or STS made them, so
    # moto's IAM module is consulted only when it is already loaded.
    iam = sys.modules.get("moto.iam.models")
    if access_key is not None and iam is not None:
        return str(iam.get_account_id_from(access_key.group(1)))
    return DEFAULT_ACCOUNT_ID


def _choose_signer(**_: Any) -> Any:
    """Lets a patched client without credentials send unsigned requests to the mock."""
    return UNSIGNED if state.active and not _moto_is_active() else None


def guard() -> None:
    """Catch ECS requests of clients that lack our handler (made from a session that existed
    before the first start): they are answered here instead of reaching the network, and
    signed with the mock's fake credentials whatever credentials their session had cached."""
    endpoint_class, signer_class = _botocore_classes()
    with state.lock:
        if state.saved_botocore:
            return
        send, sign = endpoint_class.__dict__["_send"], signer_class.__dict__["sign"]
        state.saved_botocore = {"_send": send, "sign": sign}

        @functools.wraps(send)
        def guarded_send(endpoint: Any, request: AWSPreparedRequest) -> Any:
            answer = before_send(request)
            return send(endpoint, request) if answer is None else answer

        @functools.wraps(sign)
        def fake_signed(signer: Any, *args: Any, **kwargs: Any) -> Any:
            if (
                not state.active
                or signer._service_id.hyphenize() != "ecs"
                or _moto_made(signer._credentials)
            ):
                return sign(signer, *args, **kwargs)
            real, signer._credentials = signer._credentials, _fake_credentials()
            try:
                return sign(signer, *args, **kwargs)
            finally:
                signer._credentials = real

        endpoint_class._send = guarded_send
        signer_class.sign = fake_signed


def unguard() -> None:
    """Put botocore's ``Endpoint._send`` and ``RequestSigner.sign`` back."""
    endpoint_class, signer_class = _botocore_classes()
    with state.lock:
        if state.saved_botocore:
            endpoint_class._send = state.saved_botocore["_send"]
            signer_class.sign = state.saved_botocore["sign"]
            state.saved_botocore = {}


def _moto_made(credentials: Any) -> bool:
    """Whether ``credentials`` are an access key moto's IAM or STS made for another account:
    moto tells accounts apart by the key, so such a signature is kept."""
    iam = sys.modules.get("moto.iam.models")
    if credentials is None or iam is None:
        return False
    return str(iam.get_account_id_from(credentials.access_key)) != DEFAULT_ACCOUNT_ID


def _botocore_classes() -> tuple[Any, Any]:
    from botocore.endpoint import Endpoint
    from botocore.signers import RequestSigner

    return Endpoint, RequestSigner


def _fake_credentials() -> Credentials:
    from .mock import FAKE_CREDENTIALS

    return Credentials(
        FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"], FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
    )


def install() -> None:
    """Add the handler to botocore's built-in handlers, once (idempotent)."""
    with state.lock:
        if not state.installed:
            botocore.handlers.BUILTIN_HANDLERS.append(("before-send.ecs", before_send))
            state.installed = True


def patch_client(client: botocore.client.BaseClient) -> None:
    """Make a client built before the mock started answer from it while it is active.

    Safe to call more than once and on clients that are already mocked. A client built with no
    credentials at all sends its requests unsigned while the mock answers them.

    :param client: a botocore or boto3 ECS client.
    :raises TypeError: if ``client`` is not a botocore client.
    """
    if not isinstance(client, botocore.client.BaseClient):
        raise TypeError(f"patch_client expects a boto3/botocore client, got {client!r}")
    events = client.meta.events
    handler: Any = before_send  # botocore's stubs type handlers as returning None
    events.register("before-send.ecs", handler, unique_id="mock_ecs_deployments.send")
    signer: Any = getattr(client, "_request_signer", None)
    if signer is not None and signer._credentials is None:
        events.register(
            "choose-signer.ecs", _choose_signer, unique_id="mock_ecs_deployments.signer"
        )


def _moto_method(operation: str) -> Callable[[Any], tuple[int, dict[str, str], str]]:
    def method(response: Any) -> tuple[int, dict[str, str], str]:
        status, headers, body = dispatch(
            operation, response.body, response.current_account, response.region
        )
        # moto takes the status of a (status, headers, body) answer from its headers.
        headers["status"] = str(status)
        return status, headers, body

    method.__name__ = _snake(operation)
    return method


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def add_to_moto() -> None:
    """Teach moto's ECS dispatch our operations (remembering anything they replace)."""
    from moto.ecs.responses import EC2ContainerServiceResponse

    from . import moto_bridge

    with state.lock:
        moto_bridge.install()
        for operation in HANDLERS:
            name = _snake(operation)
            if name not in state.saved_moto_methods:
                state.saved_moto_methods[name] = EC2ContainerServiceResponse.__dict__.get(name)
                setattr(EC2ContainerServiceResponse, name, _moto_method(operation))


def remove_from_moto() -> None:
    """Put moto's ECS response class back exactly as it was."""
    from moto.ecs.responses import EC2ContainerServiceResponse

    from . import moto_bridge

    with state.lock:
        moto_bridge.uninstall()
        for name, original in state.saved_moto_methods.items():
            if original is None:
                delattr(EC2ContainerServiceResponse, name)
            else:
                setattr(EC2ContainerServiceResponse, name, original)
        state.saved_moto_methods.clear()


__all__ = ["JSON_CONTENT_TYPE", "add_to_moto", "before_send", "install", "patch_client"]
