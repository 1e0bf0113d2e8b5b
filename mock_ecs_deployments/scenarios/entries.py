"""Scenario entries as ``dump_scenario`` and ``record`` write them, and the one mapping both go
through: a :class:`~..engine.seeding.snapshot.DeploymentSnapshot` becomes a deployment entry
that leaves out every key whose value is the one the loader would take anyway, with times as
absolute ISO 8601 text and plan durations as duration text.

The keys are those of the scenario JSON Schema (:mod:`.schema`); the types here are what a
writer puts in them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypedDict

from ..engine.deployments.lifecycle import Plan
from ..engine.model.clock import from_ms, to_ms
from ..engine.model.records import ServiceRevision
from ..engine.seeding.recorded import implied_by_status
from ..engine.seeding.snapshot import DeploymentSnapshot


class PlanEntry(TypedDict, total=False):
    """A deployment entry's ``plan``: durations as duration text (or seconds)."""

    outcome: str
    pending_for: str | float
    in_progress_for: str | float
    rollback_for: str | float
    reason: str


class HookDetailEntry(TypedDict, total=False):
    """One item of a deployment entry's ``lifecycle_hook_details``."""

    hook_id: str
    status: str
    expires_at: str


class DeploymentEntry(TypedDict, total=False):
    """A deployment entry as a writer writes it (keys in the order written)."""

    id: str
    status: str
    plan: PlanEntry
    plan_status: str
    created_at: str
    started_at: str
    never_started: bool
    finished_at: str
    status_reason: str
    task_definition: str
    revision_id: int
    container_images: list[dict[str, str]]
    source_revisions: list[int]
    desired_count: int
    deployment_configuration: dict[str, object]
    launch_type: str
    capacity_provider_strategy: list[dict[str, object]]
    platform_version: str
    network_configuration: dict[str, object]
    load_balancers: list[dict[str, object]]
    service_registries: list[dict[str, object]]
    updated_at: str
    lifecycle_stage: str
    lifecycle_hook_details: list[HookDetailEntry]
    rollback_started_at: str
    circuit_breaker_triggered: bool
    triggered_alarm_names: list[str]
    production_traffic_weight: float


class ServiceEntry(TypedDict, total=False):
    """A service entry as a writer writes it; ``account_id`` and ``region`` only in a dump of
    several accounts or regions."""

    account_id: str
    region: str
    cluster: str
    service: str
    deployment_controller: str
    desired_count: int
    capacity_provider_strategy: list[dict[str, object]]
    launch_type: str
    platform_version: str
    network_configuration: dict[str, object]
    task_definition: str
    load_balancers: list[dict[str, object]]
    service_registries: list[dict[str, object]]
    deployment_configuration: dict[str, object]
    deployments: list[DeploymentEntry]
    tasks_started: int
    tasks: list[dict[str, object]]
    events: list[dict[str, object]]


class ScenarioData(TypedDict, total=False):
    """A whole scenario as a writer writes it."""

    account_id: str
    region: str
    services: list[ServiceEntry]


def deployment_entries(
    service: ServiceEntry, snapshots: Sequence[DeploymentSnapshot]
) -> list[DeploymentEntry]:
    """The entries of a service's deployments, oldest first, each written by
    :func:`deployment_entry` (a deployment's sources default to the one's before it)."""
    entries = []
    previous: int | None = None
    for snapshot in snapshots:
        entries.append(deployment_entry(snapshot, service, previous))
        previous = snapshot.revision_id
    return entries


def deployment_entry(
    snapshot: DeploymentSnapshot, service: ServiceEntry, previous: int | None
) -> DeploymentEntry:
    """A deployment entry that loads back into ``snapshot``, without the keys whose value is
    the one the loader takes when the key is absent.

    :param snapshot: the deployment, every field given (its times to the millisecond; its
        source revisions as revision ids).
    :param service: the entry of its service, whose settings are the deployment's defaults.
    :param previous: the revision id of the deployment before it, its default source.
    """
    status = snapshot.plan_status or snapshot.status or "PENDING"
    created = _ms(snapshot.created_at)
    started, finished = _ms(snapshot.started_at), _ms(snapshot.finished_at)
    configuration = snapshot.deployment_configuration or {}
    entry: DeploymentEntry = {}
    if snapshot.id is not None:
        entry["id"] = snapshot.id
    if snapshot.plan is None:
        entry["status"] = status
    else:
        entry["plan"] = plan_entry(snapshot.plan)
        if status != "PENDING":
            entry["plan_status"] = status
    if created is None:
        raise ValueError("a snapshot to write down has its created_at")
    entry["created_at"] = iso_time(created)
    if started is not None:
        entry["started_at"] = iso_time(started)
    elif snapshot.never_started:
        entry["never_started"] = True
    if finished is not None:
        entry["finished_at"] = iso_time(finished)
    if snapshot.status_reason is not None:
        entry["status_reason"] = snapshot.status_reason
    if snapshot.task_definition is not None:
        entry["task_definition"] = snapshot.task_definition
    if snapshot.revision_id is not None:
        entry["revision_id"] = snapshot.revision_id
    if snapshot.container_images is not None:
        entry["container_images"] = snapshot.container_images
    sources = [_revision_id(source) for source in snapshot.source_revisions or ()]
    if sources != ([] if previous is None else [previous]):
        entry["source_revisions"] = sources
    if snapshot.desired_count is not None and snapshot.desired_count != service.get(
        "desired_count", 1
    ):
        entry["desired_count"] = snapshot.desired_count
    if configuration != service.get("deployment_configuration", {}):
        entry["deployment_configuration"] = configuration
    _revision_settings(entry, snapshot, service)
    implied = implied_by_status(
        status, created, started, finished, snapshot.status_reason, configuration
    )
    updated = _ms(snapshot.updated_at)
    if updated is not None and updated != implied.updated_ms:
        entry["updated_at"] = iso_time(updated)
    if snapshot.lifecycle_stage not in (None, implied.lifecycle_stage):
        entry["lifecycle_stage"] = snapshot.lifecycle_stage
    if snapshot.lifecycle_hook_details:
        entry["lifecycle_hook_details"] = [
            _hook_entry(detail["hook_id"], detail["status"], detail.get("expires_at"))
            for detail in snapshot.lifecycle_hook_details
        ]
    rollback_started = _ms(snapshot.rollback_started_at)
    if rollback_started not in (None, implied.rollback_started_ms):
        entry["rollback_started_at"] = iso_time(rollback_started)
    triggered = snapshot.circuit_breaker_triggered
    if triggered is not None and triggered != implied.circuit_breaker_triggered:
        entry["circuit_breaker_triggered"] = triggered
    if snapshot.triggered_alarm_names:
        entry["triggered_alarm_names"] = list(snapshot.triggered_alarm_names)
    if snapshot.production_traffic_weight is not None:
        entry["production_traffic_weight"] = snapshot.production_traffic_weight
    return entry


def plan_entry(plan: Plan | dict[str, Any]) -> PlanEntry:
    """A plan as a deployment entry writes it: durations as duration text."""
    if not isinstance(plan, Plan):
        raise TypeError(f"a snapshot to write down has a Plan, not {plan!r}")
    written: PlanEntry = {
        "outcome": plan.outcome,
        "pending_for": duration_text(plan.pending_ms),
        "in_progress_for": duration_text(plan.in_progress_ms),
    }
    if plan.rollback_ms is not None:
        written["rollback_for"] = duration_text(plan.rollback_ms)
    if plan.reason is not None:
        written["reason"] = plan.reason
    return written


def _revision_settings(
    entry: DeploymentEntry, snapshot: DeploymentSnapshot, service: ServiceEntry
) -> None:
    """Write the target revision's settings that are not the service's. A launch type and a
    strategy go together (giving one replaces both), and an unset setting cannot be given."""
    strategy = snapshot.capacity_provider_strategy or []
    service_strategy = service.get("capacity_provider_strategy") or []
    launch = service.get("launch_type", None if service_strategy else "FARGATE")
    if (snapshot.launch_type, strategy) != (launch, service_strategy):
        launch = snapshot.launch_type
        if launch is not None:
            entry["launch_type"] = launch
        if launch is None or strategy:
            entry["capacity_provider_strategy"] = strategy
    platform = service.get("platform_version") or ("LATEST" if launch == "FARGATE" else None)
    if snapshot.platform_version not in (None, platform):
        entry["platform_version"] = snapshot.platform_version
    network = snapshot.network_configuration
    if network is not None and network != service.get("network_configuration"):
        entry["network_configuration"] = network
    balancers, registries = snapshot.load_balancers, snapshot.service_registries
    if balancers is not None and balancers != service.get("load_balancers", []):
        entry["load_balancers"] = balancers
    if registries is not None and registries != service.get("service_registries", []):
        entry["service_registries"] = registries


def _hook_entry(hook_id: str, status: str, expires_at: datetime | None) -> HookDetailEntry:
    detail: HookDetailEntry = {"hook_id": hook_id, "status": status}
    if expires_at is not None:
        detail["expires_at"] = iso_time(to_ms(expires_at))
    return detail


def _ms(moment: datetime | None) -> int | None:
    return None if moment is None else to_ms(moment)


def _revision_id(source: str | int | ServiceRevision) -> int:
    if isinstance(source, ServiceRevision):
        return source.id
    if isinstance(source, int):
        return source
    return int(source.rsplit("/", 1)[-1])


def iso_time(ms: int) -> str:
    """Epoch milliseconds as ISO 8601 UTC text: ``2025-01-10T09:00:00Z``, with the
    milliseconds when there are some (``2025-01-10T09:00:00.250Z``)."""
    moment = from_ms(ms)
    return moment.isoformat(timespec="milliseconds" if ms % 1000 else "seconds").replace(
        "+00:00", "Z"
    )


def duration_text(ms: int) -> str | float:
    """A duration as a scenario writes it: ``1h30m``, ``45s``; a number of seconds when it
    has milliseconds."""
    if ms % 1000:
        return ms / 1000
    seconds = ms // 1000
    parts = [
        (seconds // 86_400, "d"),
        (seconds // 3600 % 24, "h"),
        (seconds // 60 % 60, "m"),
        (seconds % 60, "s"),
    ]
    return "".join(f"{value}{unit}" for value, unit in parts if value) or "0s"
