"""Pages and their ``nextToken`` values, for every List and Describe operation of both kinds.

Tokens are opaque, filter-bound and position-based.

A token names the position of the last item a page returned (its packed ``(createdAt,
sequence)`` sort key), not an offset, so records created between two pages neither repeat nor
push older ones out. It carries a keyed digest of the request's scope and filters: a token
presented with other filters, for another service, or altered in any way does not decode.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from .exceptions import InvalidParameterException
from .service_model import enum_values

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
        " with the same parameters and filters."
    )


# -- pages: one implementation for every list the mock answers -------------------------------

# The sequence number fills the low bits of the sort key; 2**40 records per backend is far
# beyond what a test makes.
SEQUENCE_BITS = 40
_LAST_SEQUENCE = (1 << SEQUENCE_BITS) - 1


def sort_key(created_ms: int, sequence: int) -> int:
    """The packed key that orders records by createdAt, then by when they were made."""
    return (created_ms << SEQUENCE_BITS) | sequence


class Keyed(Protocol):
    """A record listed newest first: it has a packed ``(createdAt, sequence)`` sort key."""

    @property
    def sort_key(self) -> int:
        """The packed ``(createdAt, sequence)`` key (:func:`sort_key`)."""
        ...


KeyedT = TypeVar("KeyedT", bound=Keyed)
ItemT = TypeVar("ItemT")
FoundT = TypeVar("FoundT")


def place(keys: list[int], items: list[KeyedT], item: KeyedT) -> None:
    """Put ``item`` in ``items`` in sort-key order, keeping ``keys`` beside it (appending is
    the common, O(1) case)."""
    key = item.sort_key
    if not keys or key > keys[-1]:
        keys.append(key)
        items.append(item)
    else:
        index = bisect_left(keys, key)
        keys.insert(index, key)
        items.insert(index, item)


def check_limit(max_results: int | None, default: int, limit: int = 100) -> int:
    """``max_results`` (``default`` when absent) if it is 1..``limit``, else AWS's
    InvalidParameterException."""
    value = default if max_results is None else max_results
    if not 1 <= value <= limit:
        raise InvalidParameterException(f"maxResults must be between 1 and {limit}; got {value}.")
    return value


def scope_of(*parts: object) -> str:
    """The scope a token is bound to: the request's owner and every filter it gave."""
    return "|".join(str(part) for part in parts)


def newest_first(
    keys: Sequence[int],
    items: Sequence[KeyedT],
    matches: Callable[[KeyedT], bool] | None,
    after_ms: int | None,
    before_ms: int | None,
    limit: int,
    position: int | None,
    scope: str,
) -> tuple[list[KeyedT], str | None]:
    """One page of ``items`` (ordered by their sort ``keys``, oldest first) newest first, and
    the token for the next: those created within the inclusive ``[after_ms, before_ms]``
    window that ``matches`` accepts (all, when it is ``None``), strictly before ``position``
    (a decoded token) when given. Without ``matches`` a page costs O(log n + page size). A
    token is handed out only when a further match exists."""
    low = 0 if after_ms is None else bisect_left(keys, sort_key(after_ms, 0))
    high = (
        len(keys) if before_ms is None else bisect_right(keys, sort_key(before_ms, _LAST_SEQUENCE))
    )
    if position is not None:
        high = min(high, bisect_left(keys, position))
    if matches is None:
        start = max(low, high - limit)
        page = list(items[start:high][::-1]) if start < high else []
        more = start > low
    else:
        page = []
        index = high - 1
        while index >= low and len(page) < limit:
            if matches(items[index]):
                page.append(items[index])
            index -= 1
        more = any(matches(items[i]) for i in range(index, low - 1, -1))
    token = encode(page[-1].sort_key, scope) if page and more else None
    return page, token


class Deployment(Keyed, Protocol):
    """A deployment of either kind, as a List operation filters it: by its status."""

    @property
    def status(self) -> str:
        """Its status."""
        ...


DeploymentT = TypeVar("DeploymentT", bound=Deployment)


def deployments_scope(
    owner: Sequence[object], wanted: frozenset[str], after_ms: int | None, before_ms: int | None
) -> str:
    """The scope a ListServiceDeployments or ListDaemonDeployments token is bound to: the
    owner (account, region, kind, names) and the filters."""
    return scope_of(*owner, ",".join(sorted(wanted)), after_ms, before_ms)


def deployments_page(
    keys: Sequence[int],
    deployments: Sequence[DeploymentT],
    wanted: frozenset[str],
    window: tuple[int | None, int | None],
    limit: int,
    position: int | None,
    scope: str,
) -> tuple[list[DeploymentT], str | None]:
    """One page of deployments of either kind, newest first (:func:`newest_first`), of the
    ``wanted`` statuses (all when empty), created within ``window`` (after, before), from
    ``position`` (:func:`position_of` the request's token) on."""
    matches = (lambda deployment: deployment.status in wanted) if wanted else None
    return newest_first(keys, deployments, matches, *window, limit, position, scope)


def position_of(next_token: str | None, scope: str) -> int | None:
    """The position a request's ``nextToken`` names (``None`` without one), decoded once."""
    return None if next_token is None else decode(next_token, scope)


def oldest_first(
    keys: Sequence[int],
    items: Sequence[KeyedT],
    matches: Callable[[KeyedT], bool],
    limit: int,
    next_token: str | None,
    scope: str,
) -> tuple[list[KeyedT], str | None]:
    """One page of the ``items`` (ordered by their sort ``keys``) that ``matches`` accepts,
    oldest first, and the token for the next: ``matches`` is asked of the items from the
    token's position on, until the page is full and one more match shows a next page exists
    (so a page costs what it looks at, not the whole list)."""
    index = 0 if next_token is None else bisect_right(keys, decode(next_token, scope))
    page: list[KeyedT] = []
    while index < len(items):
        item = items[index]
        if matches(item):
            if len(page) == limit:
                return page, encode(page[-1].sort_key, scope)
            page.append(item)
        index += 1
    return page, None


def in_order(
    items: Sequence[ItemT], limit: int, next_token: str | None, scope: str
) -> tuple[list[ItemT], str | None]:
    """One page of ``items``, already filtered and in their answer's order, and the token for
    the next: a token names the position after the last item it returned."""
    start = 0 if next_token is None else decode(next_token, scope)
    page = list(items[start : start + limit])
    end = start + len(page)
    return page, (encode(end, scope) if end < len(items) else None)


# -- what every List and Describe operation checks -------------------------------------------

_ARNS_LIMIT = 20


def enum_parameter(name: str, value: str, shape: str) -> str:
    """``value`` if the model's enum ``shape`` has it, else AWS's InvalidParameterException."""
    allowed = enum_values(shape)
    if value not in allowed:
        raise InvalidParameterException(
            f"Invalid {name} value: {value}. Valid values: {', '.join(allowed)}."
        )
    return value


def status_filter(statuses: Sequence[str] | None, shape: str) -> frozenset[str]:
    """The statuses a list request asked for (empty: all), each checked against the model's
    enum ``shape`` in the order given, so that the first bad one is named."""
    for status in statuses or ():
        enum_parameter("status", status, shape)
    return frozenset(statuses or ())


def describe_each(
    name: str, references: Sequence[str], find: Callable[[str], FoundT | None]
) -> tuple[list[FoundT], list[str]]:
    """What each of ``references`` (1 to 20 of them; request order, each once) names, by
    ``find``, and the references it found nothing for: every Describe operation's answer."""
    if not 1 <= len(references) <= _ARNS_LIMIT:
        raise InvalidParameterException(
            f"{name} must contain between 1 and {_ARNS_LIMIT} ARNs; got {len(references)}."
        )
    found: list[FoundT] = []
    missing: list[str] = []
    for reference in dict.fromkeys(references):
        record = find(reference)
        if record is None:
            missing.append(reference)
        else:
            found.append(record)
    return found, missing
