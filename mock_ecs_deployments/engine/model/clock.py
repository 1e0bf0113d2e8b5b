"""The one source of time for the mock.

Every timestamp the mock stores or compares is read here, when a call happens, so that
freezegun (which replaces ``datetime.datetime``) controls what the mock sees. On top of that
time the mock keeps an offset of its own (:data:`offset`), moved forward by ``mock.advance()``
and forgotten with the rest of the mock's state. Nothing reads the time at import
or in a default argument.
"""

from __future__ import annotations

import datetime as _dt
import math
import threading
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

UTC = _dt.timezone.utc


class Offset:
    """How far the mock's clock is ahead of the system's (or freezegun's): moved forward by
    :meth:`advance`, dropped by :meth:`reset`. The process has one, :data:`offset`, which the
    mock's state (:class:`~mock_ecs_deployments.engine.state.process.MockState`) holds and
    resets with the rest."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.delta = _dt.timedelta(0)

    def advance(self, amount: float | _dt.timedelta) -> _dt.datetime:
        """Move the clock forward by ``amount`` (seconds, or a timedelta); returns the new
        :func:`now`.

        :raises ValueError: for a negative or non-finite amount.
        :raises TypeError: for anything but a number or a timedelta.
        """
        delta = _seconds(amount)
        with self.lock:
            try:
                moved = self.delta + delta
                _dt.datetime.now(UTC) + moved  # a clock past the year 9999 could not be read
            except OverflowError:
                raise ValueError(
                    f"advance: {amount!r} would move the clock past the year 9999"
                ) from None
            self.delta = moved
        return now()

    def reset(self) -> None:
        """Forget what :meth:`advance` added."""
        with self.lock:
            self.delta = _dt.timedelta(0)

    def leftovers(self) -> list[str]:
        """``["clock offset"]`` while the clock is ahead, else nothing."""
        return ["clock offset"] if self.delta else []


def _seconds(amount: float | _dt.timedelta) -> _dt.timedelta:
    if isinstance(amount, _dt.timedelta):
        delta = amount
    elif isinstance(amount, int | float) and not isinstance(amount, bool):
        if not math.isfinite(amount):
            raise ValueError(f"advance: expected a finite number of seconds, got {amount!r}")
        try:
            delta = _dt.timedelta(seconds=amount)
        except OverflowError:
            raise ValueError(f"advance: {amount!r} seconds is past any date") from None
    else:
        raise TypeError(f"advance: expected seconds (int or float) or a timedelta, got {amount!r}")
    if delta < _dt.timedelta(0):
        raise ValueError(f"advance: time only moves forward; got {amount!r}")
    return delta


#: The process's offset (every mock shares one clock, as they share one state).
offset = Offset()


def now() -> _dt.datetime:
    """The mock's current time as an aware UTC datetime: the system's (or freezegun's, when
    frozen) plus what :meth:`Offset.advance` added."""
    return _dt.datetime.now(UTC) + offset.delta


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


def iso_ms(ms: int) -> str:
    """Epoch milliseconds as ISO 8601 text in UTC with milliseconds:
    ``2025-03-01T12:00:00.000Z``."""
    moment = from_ms(ms)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


def wire_bound_ms(value: float, *, upper: bool) -> int:
    """Epoch milliseconds for a bound sent on the wire as epoch seconds (integer or fraction).

    A bound finer than a millisecond is rounded inwards (down for an upper bound, up for a lower
    one), so that an inclusive window never takes in a record it does not cover. The decimal
    text of the number is used, not its binary value, so ``1730376210.917`` is exactly 917 ms.
    """
    scaled = Decimal(repr(value)) * 1000
    return int(scaled.to_integral_value(ROUND_FLOOR if upper else ROUND_CEILING))


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=UTC)
