"""botocore's door: how a boto3 call reaches :func:`..protocol.dispatch.dispatch`.

* A ``before-send`` handler for ECS, in botocore's built-in handlers while the mock is active
  (the :data:`BOTOCORE` step), so every session made meanwhile carries it;
  :func:`patch_client` adds it to a client made earlier.
* A guard (the :data:`GUARD` step) on ``Endpoint._send`` and ``RequestSigner.sign`` for
  clients whose session existed before the mock started: their ECS requests are answered here
  instead of reaching the network, signed with fake credentials.
* Beside moto's ``mock_aws`` the handler stays silent: botocore calls *every* ``before-send``
  handler, and moto's raises ``NotImplementedError`` for operations its ECS lacks even after
  ours answered. moto's own dispatch serves our operations then
  (:mod:`mock_ecs_deployments.beside_moto.dispatch`).
"""

from __future__ import annotations

import copy
import functools
import os
import re
import threading
from io import BytesIO
from typing import Any

import botocore.client
import botocore.handlers
from botocore import UNSIGNED
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from ..beside_moto.presence import (
    account_of_access_key,
    holds_access_keys,
    is_served_url,
    moto_is_active,
    moto_records_requests,
    moto_steps_aside,
)
from ..engine.model.arns import DEFAULT_ACCOUNT_ID
from ..engine.model.exceptions import UnknownOperationException
from ..patching import Patch
from ..protocol.dispatch import HANDLERS, REPLY_ATTRIBUTE, Reply, dispatch, error_reply
from .environment import FAKE_CREDENTIALS

_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."
_REGION_IN_HOST = re.compile(r"^https?://ecs(?:-fips)?\.([a-z0-9-]+)\.")
_REGION_IN_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/")
_ACCESS_KEY_IN_SCOPE = re.compile(r"Credential=([^/]+)/")


# Set while the mock answers (between the botocore step's install and uninstall); an Event,
# because tests may start and stop mocks from threads.
_answering = threading.Event()


def answering() -> bool:
    """Whether the mock answers ECS requests now."""
    return _answering.is_set()


class _RawBody(BytesIO):
    """A response body botocore can both ``read()`` and ``stream()``."""

    def stream(self, **_: Any) -> Any:
        contents = self.read()
        while contents:
            yield contents
            contents = self.read()


def _header(request: AWSPreparedRequest, name: str) -> str:
    value = request.headers.get(name, "")
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def before_send(request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
    """Answer ECS requests while the mock is active.

    Under moto's ``mock_aws`` only our own operations are answered here, and only once moto's
    botocore handler steps aside for requests answered already
    (:func:`~mock_ecs_deployments.beside_moto.presence.moto_steps_aside`, set by
    :mod:`mock_ecs_deployments.beside_moto.dispatch`): botocore calls every ``before-send``
    handler, and moto's would otherwise run the operation a second time. While moto's
    request recorder is on, moto's
    dispatch answers them too, so that its recording holds every request. Everything else is
    moto's.
    """
    if not _answering.is_set():
        return None
    target = _header(request, "X-Amz-Target")  # first: most requests under moto are not ECS
    if not target.startswith(_TARGET_PREFIX) or is_served_url(request.url):
        return None
    # The handler may be registered on a client twice (built-in and patch_client): answer
    # each request once, so that an operation that changes state does not run twice.
    reply: Reply | None = getattr(request, REPLY_ATTRIBUTE, None)
    if reply is None:
        operation = target[len(_TARGET_PREFIX) :]
        if moto_is_active() and (
            operation not in HANDLERS or not moto_steps_aside() or moto_records_requests()
        ):
            return None
        if operation in HANDLERS:
            reply = dispatch(operation, _body(request), *_account_and_region(request))
        else:
            reply = error_reply(
                UnknownOperationException(
                    f"mock_ecs_deployments serves {', '.join(HANDLERS)}; {operation} needs"
                    " moto: use mock_service_deployments(with_moto=True) or moto's mock_aws."
                )
            )
        setattr(request, REPLY_ATTRIBUTE, reply)
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
    mapped = None if access_key is None else account_of_access_key(access_key.group(1))
    return mapped or DEFAULT_ACCOUNT_ID


def _choose_signer(**_: Any) -> Any:
    """Lets a patched client without credentials send unsigned requests to the mock."""
    return UNSIGNED if _answering.is_set() and not moto_is_active() else None


def _guard(patch: Patch) -> None:
    """Catch ECS requests of clients that lack our handler (made from a session that existed
    before the first start): they are answered here instead of reaching the network, and
    signed with the mock's fake credentials whatever credentials their session had cached."""
    endpoint_class, signer_class = _botocore_classes()
    send, sign = endpoint_class.__dict__["_send"], signer_class.__dict__["sign"]

    @functools.wraps(send)
    def guarded_send(endpoint: Any, request: AWSPreparedRequest) -> Any:
        answer = before_send(request)
        return send(endpoint, request) if answer is None else answer

    @functools.wraps(sign)
    def fake_signed(signer: Any, *args: Any, **kwargs: Any) -> Any:
        if (
            not _answering.is_set()
            or signer._service_id.hyphenize() != "ecs"
            or _moto_made(signer._credentials)
        ):
            return sign(signer, *args, **kwargs)
        # A copy holds the fake credentials: the client's own signer is shared by every
        # thread using the client and must keep its credentials throughout.
        fake = copy.copy(signer)
        fake._credentials = _fake_credentials()
        return sign(fake, *args, **kwargs)

    patch.replace(endpoint_class, "_send", guarded_send)
    patch.replace(signer_class, "sign", fake_signed)


def _moto_made(credentials: Any) -> bool:
    """Whether ``credentials`` are an access key moto's IAM or STS made for another account:
    moto tells accounts apart by the key, so such a signature is kept."""
    # Asked first: reading ``access_key`` may refresh a session's credentials over the network.
    if credentials is None or not holds_access_keys():
        return False
    return account_of_access_key(credentials.access_key) not in (None, DEFAULT_ACCOUNT_ID)


def _botocore_classes() -> tuple[Any, Any]:
    from botocore.endpoint import Endpoint
    from botocore.signers import RequestSigner

    return Endpoint, RequestSigner


def _fake_credentials() -> Credentials:
    return Credentials(
        FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"], FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
    )


_BUILTIN = ("before-send.ecs", before_send)


def _answer(patch: Patch) -> None:
    """Answer ECS requests: add the handler to botocore's built-in handlers (so sessions made
    from now on carry it). Sessions made while active keep the handler, which is silent once
    the patch is undone."""
    if _BUILTIN not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append(_BUILTIN)
        patch.on_undo(_remove_builtin)
    _answering.set()
    patch.on_undo(_answering.clear)


def _remove_builtin() -> None:
    while _BUILTIN in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.remove(_BUILTIN)


#: The step that guards clients made before the first start (see :func:`_guard`).
GUARD = Patch("botocore-guard", _guard)
#: The step that answers ECS requests through botocore's ``before-send`` event.
BOTOCORE = Patch("botocore", _answer)


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
    signer: Any = client._request_signer  # type: ignore[attr-defined]  # botocore's own
    if signer._credentials is None:
        events.register(
            "choose-signer.ecs", _choose_signer, unique_id="mock_ecs_deployments.signer"
        )


__all__ = ["BOTOCORE", "GUARD", "answering", "before_send", "patch_client"]
