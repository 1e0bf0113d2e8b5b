"""The EventBridge events a service's deployments produce, as AWS sends them.

AWS sends an "ECS Deployment State Change" event when a deployment starts (or a rollback
starts), completes or fails, and an "ECS Service Action" event when the service reaches a
steady state. The mock makes each one once, at its transition's own time (the lifecycle
applies a step at the time it was due, even when a read notices it later), in the order the
transitions happened. Every event is kept in a process-wide log (the mock's ``events``), which
goes with the rest of the mock's state at reset; while moto is in play a deliverer (set by
``patches``) also puts each event on the account's default event bus.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from ..model.randomness import random_source
from ..model.records import Service

DEPLOYMENT_STATE_CHANGE = "ECS Deployment State Change"
SERVICE_ACTION = "ECS Service Action"
IN_PROGRESS = "SERVICE_DEPLOYMENT_IN_PROGRESS"
COMPLETED = "SERVICE_DEPLOYMENT_COMPLETED"
FAILED = "SERVICE_DEPLOYMENT_FAILED"
STEADY_STATE = "SERVICE_STEADY_STATE"

Event = dict[str, Any]
_lock = threading.Lock()
_log: list[tuple[int, Event]] = []  # (transition time in ms, event), as made
_deliverer: Callable[[Event, int], None] | None = None


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
    _emit(service, at_ms, DEPLOYMENT_STATE_CHANGE, detail)


def steady_state(service: Service, at_ms: int) -> None:
    """The "ECS Service Action" event of ``service`` reaching a steady state at ``at_ms``."""
    detail = {
        "eventType": "INFO",
        "eventName": STEADY_STATE,
        "clusterArn": service.cluster_arn,
        "createdAt": _iso(at_ms, milliseconds=True),
    }
    _emit(service, at_ms, SERVICE_ACTION, detail)


def events() -> list[Event]:
    """Every event made since the last reset, in the order of their transitions' times (of
    one instant, in the order made), as copies."""
    with _lock:
        ordered = sorted(_log, key=lambda entry: entry[0])
    return [copy.deepcopy(event) for _, event in ordered]


def clear() -> None:
    """Forget every event (at the mock's reset)."""
    with _lock:
        _log.clear()


def deliver_with(deliverer: Callable[[Event, int], None] | None) -> None:
    """Give each new event also to ``deliverer``, with its transition's time in epoch ms
    (``None``: to nobody)."""
    global _deliverer
    _deliverer = deliverer


def _emit(service: Service, at_ms: int, detail_type: str, detail: dict[str, Any]) -> None:
    event: Event = {
        "version": "0",
        "id": str(uuid.UUID(int=random_source().getrandbits(128), version=4)),
        "detail-type": detail_type,
        "source": "aws.ecs",
        "account": service.account_id,
        "time": _iso(at_ms, milliseconds=False),
        "region": service.region,
        "resources": [service.arn],
        "detail": detail,
    }
    with _lock:
        _log.append((at_ms, event))
    deliverer = _deliverer
    if deliverer is not None:
        deliverer(copy.deepcopy(event), at_ms)


def _iso(ms: int, *, milliseconds: bool) -> str:
    """``2026-03-02T09:05:00Z`` (the envelope's ``time``), or with milliseconds
    (``2026-03-02T09:05:00.250Z``, the detail's timestamps)."""
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    if milliseconds:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
