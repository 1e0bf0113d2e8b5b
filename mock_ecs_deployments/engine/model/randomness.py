"""The random source of every id and event id the mock makes.

The engine's own source serves by default. While a mock is active, the bridge to moto names a
source of its own (moto's seedable one, once moto is loaded), so that seeding moto's random
makes the mock's ids repeatable too; nothing here knows which.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

# botocore imports random for its retries, so this costs nothing extra.
_own = random.Random()
_lock = threading.Lock()
_provider: Callable[[], random.Random | None] | None = None


def random_source() -> random.Random:
    """The source to draw from now: the provider's, when one is set and has one, else the
    engine's own."""
    provider = _provider
    chosen = None if provider is None else provider()
    return _own if chosen is None else chosen


def draw_from(provider: Callable[[], random.Random | None] | None) -> None:
    """Draw from ``provider``'s source from now on (``None``: the engine's own again)."""
    global _provider
    with _lock:
        _provider = provider


__all__ = ["draw_from", "random_source"]
