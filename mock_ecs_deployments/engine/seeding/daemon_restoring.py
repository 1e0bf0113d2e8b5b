"""A daemon written down whole, and put back: what ``dump_scenario`` writes of a daemon (its
settings, revisions and every deployment, a moving one with its plan and next step) and what
loading it restores, so that the answers are the same then and as time moves on.

Both directions live here, side by side, so that a field written is a field read. Times are
datetimes in the entries (the scenario loader reads ISO 8601 text into them) and epoch ms in
the records.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..deployments import daemon_lifecycle, lifecycle
from ..model import validation
from ..model.clock import from_ms
from ..model.daemon_records import Daemon, DaemonDeployment, DaemonRevision, Placement
from ..model.pagination import place
from ..model.validation import SeedingError

#: The keys of a daemon entry beyond :meth:`SeedingMixin.add_daemon`'s: a dump's.
RESTORED_KEYS = (
    "status",
    "created_at",
    "updated_at",
    "propagate_tags",
    "enable_ecs_managed_tags",
    "enable_execute_command",
    "critical",
    "revisions",
    "deployments",
)
_STEPS = ("start", "batch_end", "finish", "rollback_start", "rollback_finish")
_DAEMON_STATUSES = ("ACTIVE", "DELETE_IN_PROGRESS", "DELETED")


def _time(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


def _placements(counts: dict[Placement, int]) -> list[dict[str, object]]:
    return [
        {"revision": revision, "capacity_provider": cp, "count": count}
        for (revision, cp), count in counts.items()
    ]


def daemon_entry(daemon: Daemon) -> dict[str, object]:
    """``daemon`` as a scenario's ``daemons`` item, which ``add_daemon`` puts back."""
    return {
        "daemon": daemon.name,
        "cluster": daemon.cluster,
        "task_definition": daemon.task_definition_arn,
        "capacity_providers": list(daemon.capacity_provider_arns),
        "deployment_configuration": dict(daemon.deployment_configuration),
        "status": daemon.status,
        "created_at": from_ms(daemon.created_ms),
        "updated_at": _time(daemon.updated_ms),
        "propagate_tags": daemon.propagate_tags,
        "enable_ecs_managed_tags": daemon.enable_ecs_managed_tags,
        "enable_execute_command": daemon.enable_execute_command,
        "critical": daemon.critical,
        "revisions": [_revision_entry(revision) for revision in daemon.revisions.values()],
        "deployments": [_deployment_entry(deployment) for deployment in daemon.deployments],
    }


def _revision_entry(revision: DaemonRevision) -> dict[str, object]:
    return {
        "id": revision.id,
        "task_definition": revision.task_definition_arn,
        "created_at": from_ms(revision.created_ms),
        "container_images": [dict(image) for image in revision.container_images],
        "propagate_tags": revision.propagate_tags,
        "enable_ecs_managed_tags": revision.enable_ecs_managed_tags,
        "enable_execute_command": revision.enable_execute_command,
        "critical": revision.critical,
    }


def _deployment_entry(deployment: DaemonDeployment) -> dict[str, object]:
    plan: lifecycle.Plan | None = deployment.plan
    return {
        "id": deployment.id,
        "created_at": from_ms(deployment.created_ms),
        "status": deployment.status,
        "status_reason": deployment.status_reason,
        "target": None if deployment.target is None else deployment.target.id,
        "sources": [source.id for source in deployment.sources],
        "capacity_providers": list(deployment.capacity_providers),
        "deployment_configuration": dict(deployment.configuration),
        "instances": dict(deployment.instances),
        "running": _placements(deployment.running),
        "draining": _placements(deployment.draining),
        "batches": deployment.batches,
        "batch": deployment.batch,
        "started_at": _time(deployment.started_ms),
        "stopped_at": _time(deployment.stopped_ms),
        "finished_at": _time(deployment.finished_ms),
        "updated_at": _time(deployment.updated_ms),
        "failure_count": deployment.failure_count,
        "threshold": deployment.threshold,
        "breaker_triggered": deployment.breaker_triggered,
        "rollback_started_at": _time(deployment.rollback_started_ms),
        "rollback_reason": deployment.rollback_reason,
        "rollback_target": (
            None if deployment.rollback_target is None else deployment.rollback_target.id
        ),
        "outcome_reason": deployment.outcome_reason,
        "triggered_alarms": list(deployment.triggered_alarms),
        "alarms_seen": None if deployment.alarms_seen is None else dict(deployment.alarms_seen),
        "alarms_seen_at": None
        if deployment.alarms_seen is None
        else from_ms(deployment.alarms_seen_ms),
        "plan": None
        if plan is None
        else {
            "outcome": plan.outcome,
            "pending_for": plan.pending_ms / 1000,
            "in_progress_for": plan.in_progress_ms / 1000,
            "rollback_for": None if plan.rollback_ms is None else plan.rollback_ms / 1000,
            "reason": plan.reason,
        },
        "next_step": deployment.next_step,
        "next_at": _time(deployment.next_ms),
        "next_strict": deployment.next_strict,
        "history": [{"at": from_ms(at), "status": status} for at, status in deployment.history],
    }


# -- back in -----------------------------------------------------------------------------------


def _ms(field: str, value: object, *, required: bool = False) -> int | None:
    if value is None and required:
        raise SeedingError(field, "required, but missing")
    return validation.timestamp_ms(field, value)


def _text(field: str, value: object) -> str | None:
    return validation.optional_text(field, value)


def _flag(field: str, value: object, default: bool) -> bool:
    return default if value is None else validation.flag(field, value)


def _counts(field: str, value: object, revisions: set[str]) -> dict[Placement, int]:
    counts: dict[Placement, int] = {}
    for index, item in enumerate(validation.as_list(field, value or [])):
        where = f"{field}[{index}]"
        revision, cp = item.get("revision"), item.get("capacity_provider")
        if not isinstance(revision, str) or (revision and revision not in revisions):
            raise SeedingError(
                f"{where}.revision",
                f"expected the id of one of the daemon's revisions, got {revision!r}",
                value=revision,
                allowed=sorted(revisions),
            )
        if not isinstance(cp, str) or not cp:
            raise SeedingError(f"{where}.capacity_provider", f"expected an ARN, got {cp!r}")
        counts[(revision, cp)] = validation.count(f"{where}.count", item.get("count"))
    return counts


def _alarms_seen(field: str, value: object) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise SeedingError(field, f"expected a mapping of alarm names to states, got {value!r}")
    return {
        str(name): validation.choice(f"{field}.{name}", state, ("OK", "ALARM", "INSUFFICIENT_DATA"))
        for name, state in value.items()
    }


def restore_revisions(record: Daemon, items: object) -> None:
    """Put back the daemon's revisions (``revisions`` entries)."""
    for index, item in enumerate(validation.as_list("revisions", items or [])):
        where = f"revisions[{index}]"
        identifier = validation.optional_text(f"{where}.id", item.get("id"), empty=False)
        task_definition = validation.optional_text(
            f"{where}.task_definition", item.get("task_definition"), empty=False
        )
        if identifier is None or task_definition is None:
            raise SeedingError(where, "a revision needs an id and a task_definition", value=item)
        images = validation.container_images(
            f"{where}.container_images", item.get("container_images") or []
        )
        record.revisions[identifier] = DaemonRevision(
            record,
            identifier,
            task_definition,
            _ms(f"{where}.created_at", item.get("created_at"), required=True) or 0,
            images or [],
            _text(f"{where}.propagate_tags", item.get("propagate_tags")) or "NONE",
            _flag(f"{where}.enable_ecs_managed_tags", item.get("enable_ecs_managed_tags"), False),
            _flag(f"{where}.enable_execute_command", item.get("enable_execute_command"), False),
            _flag(f"{where}.critical", item.get("critical"), True),
        )


def restore_deployments(record: Daemon, items: object, next_sequence: Any) -> None:
    """Put back the daemon's deployments (``deployments`` entries), oldest first; a moving one
    moves on from where it was. ``next_sequence()`` numbers each."""
    revisions = set(record.revisions)

    def revision(field: str, value: object) -> DaemonRevision | None:
        if value is None:
            return None
        if not isinstance(value, str) or value not in record.revisions:
            raise SeedingError(
                field,
                f"expected the id of one of the daemon's revisions, got {value!r}",
                value=value,
                allowed=sorted(revisions),
            )
        return record.revisions[value]

    for index, item in enumerate(validation.as_list("deployments", items or [])):
        where = f"deployments[{index}]"
        identifier = validation.identifier(f"{where}.id", item.get("id"))
        status = validation.choice(
            f"{where}.status", item.get("status"), (*daemon_lifecycle.ONGOING, *_COMPLETED)
        )
        sources = [
            source
            for position, value in enumerate(item.get("sources") or [])
            if (source := revision(f"{where}.sources[{position}]", value)) is not None
        ]
        instances = item.get("instances") or {}
        if not isinstance(instances, Mapping) or not all(isinstance(cp, str) for cp in instances):
            raise SeedingError(
                f"{where}.instances", f"expected a mapping of ARNs to counts, got {instances!r}"
            )
        plan_value = item.get("plan")
        plan = lifecycle.as_plan(dict(plan_value) if isinstance(plan_value, Mapping) else None)
        if plan_value is not None and not isinstance(plan_value, Mapping):
            raise SeedingError(f"{where}.plan", f"expected a plan, got {plan_value!r}")
        next_step = item.get("next_step")
        if next_step is not None:
            validation.choice(f"{where}.next_step", next_step, _STEPS)
        deployment = DaemonDeployment(
            record,
            identifier,
            next_sequence(),
            _ms(f"{where}.created_at", item.get("created_at"), required=True) or 0,
            revision(f"{where}.target", item.get("target")),
            sources,
            tuple(
                validation.string_list(
                    f"{where}.capacity_providers", item.get("capacity_providers")
                )
            ),
            dict(item.get("deployment_configuration") or {}),
            status=status,
            status_reason=_text(f"{where}.status_reason", item.get("status_reason")),
            started_ms=_ms(f"{where}.started_at", item.get("started_at")),
            stopped_ms=_ms(f"{where}.stopped_at", item.get("stopped_at")),
            finished_ms=_ms(f"{where}.finished_at", item.get("finished_at")),
            updated_ms=_ms(f"{where}.updated_at", item.get("updated_at")),
            instances={
                cp: validation.count(f"{where}.instances.{cp}", count)
                for cp, count in instances.items()
            },
            running=_counts(f"{where}.running", item.get("running"), revisions),
            draining=_counts(f"{where}.draining", item.get("draining"), revisions),
            batches=validation.count(f"{where}.batches", item.get("batches") or 0),
            batch=validation.count(f"{where}.batch", item.get("batch") or 0),
            plan=plan,
            next_step=next_step,
            next_ms=_ms(f"{where}.next_at", item.get("next_at")),
            next_strict=_flag(f"{where}.next_strict", item.get("next_strict"), False),
            failure_count=validation.count(
                f"{where}.failure_count", item.get("failure_count") or 0
            ),
            threshold=validation.count(f"{where}.threshold", item.get("threshold") or 3),
            breaker_triggered=_flag(
                f"{where}.breaker_triggered", item.get("breaker_triggered"), False
            ),
            rollback_started_ms=_ms(
                f"{where}.rollback_started_at", item.get("rollback_started_at")
            ),
            rollback_reason=_text(f"{where}.rollback_reason", item.get("rollback_reason")),
            rollback_target=revision(f"{where}.rollback_target", item.get("rollback_target")),
            outcome_reason=_text(f"{where}.outcome_reason", item.get("outcome_reason")),
            triggered_alarms=[
                str(name) for name in item.get("triggered_alarms") or [] if isinstance(name, str)
            ],
            alarms_seen=_alarms_seen(f"{where}.alarms_seen", item.get("alarms_seen")),
            alarms_seen_ms=_ms(f"{where}.alarms_seen_at", item.get("alarms_seen_at")) or 0,
            history=[
                (
                    _ms(f"{where}.history[{n}].at", moment.get("at"), required=True) or 0,
                    validation.choice(
                        f"{where}.history[{n}].status",
                        moment.get("status"),
                        (*daemon_lifecycle.ONGOING, *_COMPLETED),
                    ),
                )
                for n, moment in enumerate(
                    validation.as_list(f"{where}.history", item.get("history") or [])
                )
            ],
        )
        if (next_step is None) != (deployment.next_ms is None):
            raise SeedingError(
                f"{where}.next_at", "next_step and next_at are given together, or neither"
            )
        if next_step is not None and (plan is None or status not in daemon_lifecycle.ONGOING):
            raise SeedingError(
                f"{where}.next_step",
                "only a deployment under way that follows a plan has a next step",
                value=next_step,
            )
        if identifier in record.by_id:
            raise SeedingError(f"{where}.id", f"{identifier!r} is given twice", value=identifier)
        place(record.keys, record.deployments, deployment)
        record.by_id[identifier] = deployment
    latest = record.latest()
    if latest is not None and latest.next_ms is not None:
        record.ongoing = latest
        if record.watcher is not None:
            record.watcher.due(record, latest.next_ms)
            if latest.alarms_seen is not None:
                record.watcher.watching_alarms(record, True)


_COMPLETED = ("SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED")


def daemon_settings(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The daemon-level restored fields, checked: status, times and flags."""
    return {
        "status": validation.choice("status", fields.get("status") or "ACTIVE", _DAEMON_STATUSES),
        "created_ms": _ms("created_at", fields.get("created_at")),
        "updated_ms": _ms("updated_at", fields.get("updated_at")),
        "propagate_tags": _text("propagate_tags", fields.get("propagate_tags")) or "NONE",
        "enable_ecs_managed_tags": _flag(
            "enable_ecs_managed_tags", fields.get("enable_ecs_managed_tags"), False
        ),
        "enable_execute_command": _flag(
            "enable_execute_command", fields.get("enable_execute_command"), False
        ),
        "critical": _flag("critical", fields.get("critical"), True),
    }
