"""The EventBridge events deployments of services and daemons produce, as AWS sends them.

AWS sends an "ECS Deployment State Change" event when a deployment starts (or a rollback
starts), completes or fails, and an "ECS Service Action" event when the service reaches a
steady state; a daemon's deployment sends an "ECS Daemon Deployment State Change" event at
each of its transitions. The mock makes each one once, at its transition's own time (the lifecycle
applies a step at the time it was due, even when a read notices it later), in the order the
transitions happened. Every event is kept in the process's :data:`log` (the mock's ``events``),
which the mock's state holds and resets with the rest; while moto is in play a deliverer (set
by the bridge to moto's activation step) also puts each event on the account's default bus.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Callable, Iterator
from typing import Any

from ..model.arns import new_uuid
from ..model.clock import from_ms, iso_ms
from ..model.daemon_records import DaemonDeployment
from ..model.records import Service

DEPLOYMENT_STATE_CHANGE = "ECS Deployment State Change"
SERVICE_ACTION = "ECS Service Action"
DAEMON_DEPLOYMENT_STATE_CHANGE = "ECS Daemon Deployment State Change"
IN_PROGRESS = "SERVICE_DEPLOYMENT_IN_PROGRESS"
COMPLETED = "SERVICE_DEPLOYMENT_COMPLETED"
FAILED = "SERVICE_DEPLOYMENT_FAILED"
STEADY_STATE = "SERVICE_STEADY_STATE"

Event = dict[str, Any]
Deliverer = Callable[[Event, int], None]


class _Quiet(threading.local):
    """Per thread: whether this thread's deployments make no events (off by default)."""

    on = False


class EventLog:
    """The events made since the last reset, and whom each new one is also given to."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._entries: list[tuple[int, Event]] = []  # (transition time in ms, event), as made
        #: Whether events are kept: only while a mock is active (set by the mock's state), so
        #: that a deployment moving outside any mock (in the backends a scenario is checked
        #: in by ``validate``, or a backend kept past the stop) leaves nothing for the next.
        self.accepting = False
        #: Given each new event too (with its transition's time in epoch ms), or nobody. Set
        #: by an activation step, not state: a reset keeps it.
        self.deliverer: Deliverer | None = None
        # Per thread: whether this thread builds state that is not the mock's (a scenario
        # checked in throwaway backends before it is loaded), whose events are not made.
        self._quiet = _Quiet()

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """While the block runs, this thread's deployments make no events (they move in
        backends that are thrown away: the scenario's real load makes them)."""
        before = self._quiet.on
        self._quiet.on = True
        try:
            yield
        finally:
            self._quiet.on = before

    def record(self, at_ms: int, event: Event) -> None:
        """Keep ``event`` (made at ``at_ms``) and hand a copy to the deliverer, while events
        are accepted."""
        if self._quiet.on:
            return
        with self.lock:
            if not self.accepting:
                return
            self._entries.append((at_ms, event))
        deliverer = self.deliverer
        if deliverer is not None:
            deliverer(copy.deepcopy(event), at_ms)

    def events(self) -> list[Event]:
        """Every event made since the last reset, in the order of their transitions' times (of
        one instant, in the order made), as copies."""
        with self.lock:
            ordered = sorted(self._entries, key=lambda entry: entry[0])
        return [copy.deepcopy(event) for _, event in ordered]

    def deliver_with(self, deliverer: Deliverer | None) -> None:
        """Give each new event also to ``deliverer`` (``None``: to nobody)."""
        self.deliverer = deliverer

    def reset(self) -> None:
        """Forget every event (the deliverer stays)."""
        with self.lock:
            self._entries.clear()

    def leftovers(self) -> list[str]:
        """``["events"]`` while any event is kept, else nothing."""
        return ["events"] if self._entries else []


#: The process's event log, held by the mock's state.
log = EventLog()


def deployment_state_change(
    service: Service, at_ms: int, name: str, deployment_id: str, reason: str
) -> None:
    """An "ECS Deployment State Change" event of ``service`` at ``at_ms``."""
    detail = {
        "eventType": "ERROR" if name == FAILED else "INFO",
        "eventName": name,
        "clusterArn": service.cluster_arn,
        "deploymentId": deployment_id,
        "updatedAt": _iso(at_ms, milliseconds=True),
        "reason": reason,
    }
    _emit(service.account_id, service.region, service.arn, at_ms, DEPLOYMENT_STATE_CHANGE, detail)


def steady_state(service: Service, at_ms: int) -> None:
    """The "ECS Service Action" event of ``service`` reaching a steady state at ``at_ms``."""
    detail = {
        "eventType": "INFO",
        "eventName": STEADY_STATE,
        "clusterArn": service.cluster_arn,
        "createdAt": _iso(at_ms, milliseconds=True),
    }
    _emit(service.account_id, service.region, service.arn, at_ms, SERVICE_ACTION, detail)


def daemon_deployment_state_change(deployment: DaemonDeployment, at_ms: int) -> None:
    """A "ECS Daemon Deployment State Change" event of ``deployment`` entering its status at
    ``at_ms``: ``DAEMON_DEPLOYMENT_<status>``, ERROR for ROLLBACK_FAILED, else INFO."""
    daemon = deployment.daemon
    detail = {
        "eventType": "ERROR" if deployment.status == "ROLLBACK_FAILED" else "INFO",
        "eventName": f"DAEMON_DEPLOYMENT_{deployment.status}",
        "clusterArn": daemon.cluster_arn,
        "daemonArn": daemon.arn,
        "daemonDeploymentArn": deployment.arn,
        "updatedAt": _iso(at_ms, milliseconds=True),
    }
    if deployment.target is not None:
        detail["targetDaemonRevisionArn"] = deployment.target.arn
    _emit(
        daemon.account_id, daemon.region, daemon.arn, at_ms, DAEMON_DEPLOYMENT_STATE_CHANGE, detail
    )


def _emit(
    account_id: str,
    region: str,
    resource: str,
    at_ms: int,
    detail_type: str,
    detail: dict[str, str],
) -> None:
    event: Event = {
        "version": "0",
        "id": new_uuid(),
        "detail-type": detail_type,
        "source": "aws.ecs",
        "account": account_id,
        "time": _iso(at_ms, milliseconds=False),
        "region": region,
        "resources": [resource],
        "detail": detail,
    }
    log.record(at_ms, event)


def _iso(ms: int, *, milliseconds: bool) -> str:
    """``2026-03-02T09:05:00Z`` (the envelope's ``time``), or with milliseconds
    (``2026-03-02T09:05:00.250Z``, the detail's timestamps)."""
    if milliseconds:
        return iso_ms(ms)
    return f"{from_ms(ms):%Y-%m-%dT%H:%M:%S}Z"
