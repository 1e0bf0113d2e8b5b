"""``service_deployment_backends[account_id][region]``: every backend, made on first use.

It is read like moto's ``BackendDict`` (the same two-level lookup, backends made lazily) but is
a plain mapping of its own, for two reasons: moto's class brings all of moto's core with it
(half a second of imports for tests that never use moto), and moto's ``mock_aws`` resets every
``BackendDict`` it knows when it starts, which would wipe what a test seeded before starting
it. The registry is part of the process's state
(:class:`~mock_ecs_deployments.engine.state.process.MockState`), which resets it with the rest.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ..model.arns import DEFAULT_ACCOUNT_ID
from ..model.clock import now_ms
from .backend import ServiceDeploymentBackend, ServicePeer

if TYPE_CHECKING:
    from ..deployments.lifecycle import Plan

__all__ = ["DEFAULT_ACCOUNT_ID", "ServiceDeploymentBackendDict", "service_deployment_backends"]


class RegionBackends(dict[str, ServiceDeploymentBackend]):
    """The backends of one account; any region name makes one, as botocore allows any."""

    def __init__(self, registry: ServiceDeploymentBackendDict, account_id: str) -> None:
        super().__init__()
        self.registry = registry
        self.account_id = account_id

    def __missing__(self, region_name: str) -> ServiceDeploymentBackend:
        with self.registry.lock:
            self.registry.check_active()
            backend = self.get(region_name)
            if backend is None:
                backend = ServiceDeploymentBackend(
                    region_name,
                    self.account_id,
                    default_plan=self.registry.get_default_plan,
                    peer=self.registry.get_peer,
                    moving=self.registry.backend_moving,
                )
                self[region_name] = backend
            return backend


class ServiceDeploymentBackendDict(dict[str, RegionBackends]):
    """``service_deployment_backends[account_id][region]``: accounts and regions are made on
    first use. :meth:`reset` forgets them all, with the mock-wide default plan."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.RLock()
        #: The plan deployments the mock makes follow when none is queued for their service.
        self.default_plan: Plan | None = None
        #: Whether a mock is active (set by the activation): backends are made only then, so
        #: that nothing seeded outside a mock leaks into the next one.
        self.active = False
        #: The ECS beside the mock whose services the backends follow (moto's, set by the
        #: bridge's activation step), or none.
        self.peer: ServicePeer | None = None
        # The backends with services whose deployments still move (see catch_up).
        self._moving: dict[int, ServiceDeploymentBackend] = {}

    def check_active(self) -> None:
        """Refuse to make a backend while no mock is active.

        :raises RuntimeError: saying to start a mock first.
        """
        if not self.active:
            raise RuntimeError(
                "no mock_service_deployments is active: start one first (decorator, `with`, or"
                " start()), then seed through mock.backend() or service_deployment_backends"
            )

    def __missing__(self, account_id: str) -> RegionBackends:
        with self.lock:
            self.check_active()
            regions = self.get(account_id)
            if regions is None:
                regions = RegionBackends(self, account_id)
                self[account_id] = regions
            return regions

    def get_default_plan(self) -> Plan | None:
        """The mock-wide default plan (read by each backend when it makes a deployment)."""
        return self.default_plan

    def get_peer(self) -> ServicePeer | None:
        """The ECS beside the mock that the backends follow, if any."""
        return self.peer

    def use_peer(self, peer: ServicePeer | None) -> None:
        """Follow ``peer`` from now on (``None``: no peer)."""
        with self.lock:
            self.peer = peer

    def backend_moving(self, backend: ServiceDeploymentBackend, moving: bool) -> None:
        """``backend`` now has (or no longer has) services whose deployments move."""
        with self.lock:
            if moving:
                self._moving[id(backend)] = backend
            else:
                self._moving.pop(id(backend), None)

    def catch_up(self) -> None:
        """Bring every deployment that follows a plan, in every backend, up to now: the
        transitions already due happen (at their own times), and so do their events, for a
        reader who asks nothing of ECS (a queue an EventBridge rule feeds, ``mock.events``).
        Only the services whose deployments still move are visited."""
        now = now_ms()
        with self.lock:
            backends = list(self._moving.values())
        for backend in backends:
            backend.catch_up(now)

    def reset(self) -> None:
        """Drop every account's backends and the default plan."""
        with self.lock:
            self.clear()
            self._moving.clear()
            self.default_plan = None

    def leftovers(self) -> list[str]:
        """What the registry still holds, by name: ``backends``, ``default plan``."""
        with self.lock:
            held = {"backends": len(self) > 0, "default plan": self.default_plan is not None}
        return [name for name, present in held.items() if present]


#: The process's registry, held by the mock's state (``mock_state.backends``).
service_deployment_backends = ServiceDeploymentBackendDict()
