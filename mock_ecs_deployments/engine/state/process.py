"""What the process holds: the mock's state, one object reset as a unit.

:class:`MockState` (its one instance is :data:`mock_state`) holds everything a test can seed,
move or read: the backends of every account and region with the default plan
(:data:`~.registry.service_deployment_backends`), the clock's offset, the deployments'
EventBridge events, and the parts the layers above keep in it (the protocol layer's injected
errors and call log). Every mock of the process shares it, nested or not, as every ``mock_aws``
shares moto's backends. Its :meth:`MockState.reset` is the one reset: the outermost stop,
``mock.reset()`` and a server's ``POST /moto-api/reset`` all call it. Whoever must see the state
before the outermost stop forgets it (the pytest plugin's ``--mock-ecs-report``) registers a
callable in :attr:`MockState.before_forgetting`.

Each part is made by the module that works on it (the clock and the events sit below this
module and cannot reach it; the protocol layer sits above and is not known here), so each is
handed to the state, which holds and resets them all; nothing else resets them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, TypeVar

from ..events import deployment_events
from ..events.deployment_events import Event, EventLog
from ..model import clock
from ..model.clock import Offset
from .registry import ServiceDeploymentBackendDict, service_deployment_backends

if TYPE_CHECKING:
    from ..deployments.lifecycle import Plan


class Part(Protocol):
    """A part of the state: it can be emptied, and tell what it still holds."""

    def reset(self) -> None:
        """Forget everything held."""
        ...

    def leftovers(self) -> list[str]:
        """The names of what is still held (empty when nothing is)."""
        ...


PartT = TypeVar("PartT", bound=Part)


class MockState:
    """Everything the mock holds for the process, shared by every mock object.

    :param backends: the registry of backends, with the default plan.
    :param offset: the clock's offset.
    :param events: the deployments' EventBridge events.
    """

    def __init__(
        self, backends: ServiceDeploymentBackendDict, offset: Offset, events: EventLog
    ) -> None:
        self.lock = threading.RLock()
        #: ``service_deployment_backends`` itself.
        self.backends = backends
        self.clock = offset
        self.events = events
        #: Called, in order and with no arguments, at the outermost stop just before the state
        #: is forgotten: the mock's doors are closed by then (no request reaches the backends)
        #: but the backends, the events and the call log are as the last request left them,
        #: and a mock still counts as active. Not called by :meth:`reset` alone (``mock.reset()``
        #: or a server's reset), which forgets the state while a mock stays active. A callback
        #: that raises stops neither the others nor the reset; the first failure is raised
        #: after the reset. Append to register, remove to unregister; it is not state, so a
        #: reset keeps it.
        self.before_forgetting: list[Callable[[], None]] = []
        self._held: list[Part] = []

    def hold(self, part: PartT) -> PartT:
        """Hold ``part`` (kept by a layer above the engine) and reset it with the rest;
        returns it."""
        with self.lock:
            if not any(held is part for held in self._held):
                self._held.append(part)
        return part

    @property
    def parts(self) -> list[Part]:
        """Every part, the engine's first: the backends, the clock, the events, then those
        held for the layers above, in the order they came."""
        with self.lock:
            return [self.backends, self.clock, self.events, *self._held]

    # -- what a mock object does to the state ------------------------------------------------

    @property
    def active(self) -> bool:
        """Whether a mock is active (backends are made only then)."""
        return self.backends.active

    def activate(self) -> None:
        """A mock is active from now on: backends may be made (the outermost start)."""
        with self.backends.lock:
            self.backends.active = True
            self.events.accepting = True

    def deactivate(self) -> None:
        """No mock is active any more: nothing is made, and everything is forgotten (the
        outermost stop). Each of :attr:`before_forgetting` is called first; the reset happens
        even when one fails, and the first failure (of a callback or of the reset) is raised
        afterwards."""

        def forget() -> None:
            with self.backends.lock:
                self.backends.active = False
                self.events.accepting = False
                self.reset()

        _call_each([*self.before_forgetting, forget])

    @property
    def default_plan(self) -> Plan | None:
        """The plan every deployment the mock makes follows when none is queued for its
        service (``None``: the engine's own default)."""
        return self.backends.default_plan

    def plan_deployments(self, plan: Plan | None) -> None:
        """Make ``plan`` the default plan (``None``: back to the engine's own)."""
        with self.backends.lock:
            self.backends.default_plan = plan

    def advance(self, amount: float | timedelta) -> datetime:
        """Move the mock's clock forward (see :meth:`~..model.clock.Offset.advance`)."""
        return self.clock.advance(amount)

    def now(self) -> datetime:
        """The mock's current time (aware, UTC)."""
        return clock.now()

    def events_now(self) -> list[Event]:
        """The events made so far, every planned deployment brought up to now first."""
        self.backends.catch_up()
        return self.events.events()

    # -- as a unit ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything, in every part: backends (every account and region), the default
        plan, the clock's offset, the events, injected errors and the call log. Every part is
        reset even when one fails; the first failure is raised afterwards."""
        _call_each([part.reset for part in self.parts])

    def leftovers(self) -> list[str]:
        """The names of what the state still holds (empty right after :meth:`reset`)."""
        return [name for part in self.parts for name in part.leftovers()]


def _call_each(functions: list[Callable[[], None]]) -> None:
    """Call every one of ``functions`` in order, even after one fails; then raise the first
    failure, if any."""
    failure: BaseException | None = None
    for function in functions:
        try:
            function()
        except BaseException as error:
            failure = failure or error
    if failure is not None:
        raise failure


#: The process's state.
mock_state = MockState(service_deployment_backends, clock.offset, deployment_events.log)


__all__ = ["MockState", "Part", "mock_state"]
