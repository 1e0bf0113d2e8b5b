"""Opaque, filter-bound, position-based ``nextToken`` values.

A token names the position of the last item a page returned (its packed ``(createdAt,
sequence)`` sort key), not an offset, so records created between two pages neither repeat nor
push older ones out. It carries a keyed digest of the request's scope and filters: a token
presented with other filters, for another service, or altered in any way does not decode.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from .exceptions import InvalidParameterException

_VERSION = b"\x01"
_POSITION_BYTES = 16
_DIGEST_BYTES = 12


def _digest(position: bytes, scope: str) -> bytes:
    # blake2b keys are at most 64 bytes: a scope of any length is folded into one first.
    key = hashlib.sha256(scope.encode("utf-8")).digest()
    return hashlib.blake2b(position, key=key, digest_size=_DIGEST_BYTES).digest()


def encode(position: int, scope: str) -> str:
    """A token that resumes strictly after ``position`` for requests of this ``scope``."""
    raw = position.to_bytes(_POSITION_BYTES, "big")
    body = _VERSION + raw + _digest(raw, scope)
    return base64.urlsafe_b64encode(body).decode("ascii").rstrip("=")


def decode(token: str, scope: str) -> int:
    """The position in ``token``; ``InvalidParameterException`` if it is not one of ours for
    this ``scope``."""
    expected_length = 1 + _POSITION_BYTES + _DIGEST_BYTES
    try:
        body = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        body = b""
    if len(body) == expected_length and body[:1] == _VERSION:
        raw, digest = body[1 : 1 + _POSITION_BYTES], body[1 + _POSITION_BYTES :]
        if digest == _digest(raw, scope):
            return int.from_bytes(raw, "big")
    raise InvalidParameterException(
        "The nextToken is not valid for this request: it was not returned by a previous call"
        " with the same service, cluster and filters."
    )
