"""The bridge's activation steps, in the order the outermost start applies them.

Each is an install/uninstall pair (see :mod:`mock_ecs_deployments.patches.activation`); each
uninstall is safe to call on what was never installed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..engine.model import randomness
from ..engine.state.registry import service_deployment_backends
from . import dispatch, events, presence
from .peer import MotoPeer

Step = tuple[str, Callable[[], None], Callable[[], None]]


def _draw_from_moto() -> None:
    randomness.draw_from(presence.moto_random)


def _draw_from_own() -> None:
    randomness.draw_from(None)


def _follow_moto() -> None:
    service_deployment_backends.use_peer(MotoPeer())


def _follow_none() -> None:
    service_deployment_backends.use_peer(None)


#: moto's seedable random source for the mock's ids; moto's ECS as the backends' peer; our
#: operations in moto's ECS dispatch and moto's service operations followed; the deployments'
#: events on moto's default bus.
STEPS: Sequence[Step] = (
    ("moto-random", _draw_from_moto, _draw_from_own),
    ("moto-peer", _follow_moto, _follow_none),
    ("moto", dispatch.install, dispatch.uninstall),
    ("eventbridge", events.install, events.uninstall),
)

__all__ = ["STEPS", "Step"]
