"""The one source of time for the mock.

Every timestamp the mock stores or compares is read here, when a call happens, so that
freezegun (which replaces ``datetime.datetime``) controls what the mock sees. Nothing reads the
time at import or in a default argument.
"""

from __future__ import annotations

import datetime as _dt
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

UTC = _dt.timezone.utc


def now() -> _dt.datetime:
    """The current time as an aware UTC datetime."""
    return _dt.datetime.now(UTC)


def now_ms() -> int:
    """The current time as whole epoch milliseconds (what the mock stores)."""
    return to_ms(now())


def to_ms(value: _dt.datetime) -> int:
    """Epoch milliseconds of ``value``, truncated; a naive datetime is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_ms(ms: int) -> _dt.datetime:
    """An aware UTC datetime for epoch milliseconds."""
    return _EPOCH + _dt.timedelta(milliseconds=ms)


def wire_bound_ms(value: float, *, upper: bool) -> int:
    """Epoch milliseconds for a bound sent on the wire as epoch seconds (integer or fraction).

    A bound finer than a millisecond is rounded inwards (down for an upper bound, up for a lower
    one), so that an inclusive window never takes in a record it does not cover. The decimal
    text of the number is used, not its binary value, so ``1730376210.917`` is exactly 917 ms.
    """
    scaled = Decimal(repr(value)) * 1000
    return int(scaled.to_integral_value(ROUND_FLOOR if upper else ROUND_CEILING))


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=UTC)
