"""The bridge's activation steps, in the order the outermost start applies them.

Each is a :class:`~mock_ecs_deployments.patching.Patch` (see
:mod:`mock_ecs_deployments.patches.activation`): its own install and uninstall, each safe to
call on what was never installed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from types import ModuleType

from ..engine.model import randomness
from ..engine.state.process import mock_state
from ..patching import ImportPatch, Patch
from . import dispatch, events, presence, requirements
from .peer import MotoPeer


def _draw_from_moto(patch: Patch) -> None:
    randomness.draw_from(presence.moto_random)
    patch.on_undo(functools.partial(randomness.draw_from, None))


def _follow_moto(patch: Patch) -> None:
    mock_state.backends.use_peer(MotoPeer())
    patch.on_undo(functools.partial(mock_state.backends.use_peer, None))


def _reset_with_moto(patch: Patch, module: ModuleType) -> None:
    """moto's reset API (``POST /moto-api/reset``, which calls ``MotoAPIBackend.reset``)
    resets the mock's state too while a server of ours runs, then loads the servers' start
    scenarios again. Without a server, moto's reset is left as it was."""
    api = module.MotoAPIBackend
    original: Callable[[object], None] = api.__dict__["reset"]

    @functools.wraps(original)
    def reset(backend: object) -> None:
        original(backend)
        servers = presence.running_servers()
        if servers:
            mock_state.reset()
            _load_start_scenarios(servers)

    patch.replace(api, "reset", reset)


def _load_start_scenarios(servers: Sequence[presence.Server]) -> None:
    """Load every server's start scenarios, in the order the servers started (the state is
    the process's: a reset returns it to what they started with); the first failure is
    raised after all were tried."""
    failure: Exception | None = None
    for server in servers:
        try:
            server.load_start_scenarios()
        except Exception as error:
            failure = failure or error
    if failure is not None:
        raise failure


def _check_loaded(patch: Patch) -> None:
    requirements.check_loaded()


def _check_moto_version(patch: Patch, module: ModuleType) -> None:
    requirements.check_moto_version()


def _check_moto_requirements(patch: Patch, module: ModuleType) -> None:
    requirements.check_loaded()


#: botocore, and moto when it is loaded already, are versions the mock supports.
VERSIONS = Patch("versions", _check_loaded)
#: moto, when it is loaded after the start (``with_moto=True``, a ``mock_aws`` started
#: inside), is a version the mock supports.
MOTO_VERSION = ImportPatch("moto-version", "moto", _check_moto_version)
#: moto's ECS, when it is loaded after the start, has what the mock uses (checked before any
#: other step patches it).
MOTO_REQUIREMENTS = ImportPatch("moto-requirements", "moto.ecs.responses", _check_moto_requirements)
#: moto's seedable random source for the mock's ids (so ``/moto-api/seed`` makes them
#: repeatable too).
RANDOM = Patch("moto-random", _draw_from_moto)
#: moto's ECS as the backends' peer.
PEER = Patch("moto-peer", _follow_moto)
#: A server's ``POST /moto-api/reset`` resets the mock's state too.
RESET = ImportPatch("moto-reset", "moto.moto_api._internal.models", _reset_with_moto)

#: Every step of the bridge: the versions checked; moto's random source and its ECS as the
#: peer; moto's ECS response class following its service operations, answering the tracked
#: services' tasks, making seeded services
#: and serving our operations; moto's botocore handler stepping aside; moto's reset API
#: resetting ours; the deployments' events on moto's default bus, caught up before moto
#: answers.
STEPS: Sequence[Patch] = (
    VERSIONS,
    MOTO_VERSION,
    MOTO_REQUIREMENTS,
    RANDOM,
    PEER,
    dispatch.SERVICES,
    dispatch.TASKS,
    dispatch.SEEDED,
    dispatch.OPERATIONS,
    dispatch.STEP_ASIDE,
    RESET,
    events.DELIVERY,
    events.CATCH_UP,
)

__all__ = ["MOTO_REQUIREMENTS", "MOTO_VERSION", "PEER", "RANDOM", "RESET", "STEPS", "VERSIONS"]
