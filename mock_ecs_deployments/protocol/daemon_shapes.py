"""Daemon records as the JSON AWS writes them: ``DaemonTaskDefinition``, ``DaemonDetail``,
``DaemonDeployment``, ``DaemonRevision`` and their summaries (absent values left out, times in
epoch seconds, as :mod:`.shapes` writes a service's)."""

from __future__ import annotations

from typing import Any

from ..engine.deployments import daemon_lifecycle
from ..engine.model.daemon_records import (
    Daemon,
    DaemonDeployment,
    DaemonRevision,
    DaemonTaskDefinition,
)
from .shapes import BriefCache, cached_text, seconds

Json = dict[str, Any]
#: While a deployment moves forward, its circuit breaker and alarms are watched (MONITORING);
#: once it stopped (to roll back, or for good) their monitoring is complete.
_MOVING_FORWARD = frozenset({"PENDING", "IN_PROGRESS"})


def _present(**members: Any) -> Json:
    return {name: value for name, value in members.items() if value is not None}


def _time(ms: int | None) -> float | None:
    return None if ms is None else seconds(ms)


def task_definition(definition: DaemonTaskDefinition) -> Json:
    """``DaemonTaskDefinition``."""
    return _present(
        daemonTaskDefinitionArn=definition.arn,
        family=definition.family,
        revision=definition.revision,
        taskRoleArn=definition.task_role_arn,
        executionRoleArn=definition.execution_role_arn,
        containerDefinitions=definition.container_definitions,
        volumes=definition.volumes,
        cpu=definition.cpu,
        memory=definition.memory,
        status=definition.status,
        registeredAt=seconds(definition.registered_ms),
        deleteRequestedAt=_time(definition.delete_requested_ms),
        registeredBy=definition.registered_by,
        pidMode=definition.pid_mode,
        ipcMode=definition.ipc_mode,
    )


def task_definition_summary(definition: DaemonTaskDefinition) -> Json:
    """``DaemonTaskDefinitionSummary``."""
    return _present(
        arn=definition.arn,
        registeredAt=seconds(definition.registered_ms),
        registeredBy=definition.registered_by,
        deleteRequestedAt=_time(definition.delete_requested_ms),
        status=definition.status,
    )


def _visible_status(daemon: Daemon) -> str:
    # A gone daemon is only ever shown by the answer of the DeleteDaemon that removed it.
    return "DELETE_IN_PROGRESS" if daemon.status == "DELETED" else daemon.status


def daemon_change(daemon: Daemon, deployment: DaemonDeployment, *, updated: bool) -> Json:
    """What CreateDaemon (``updated=False``), UpdateDaemon and DeleteDaemon answer."""
    return _present(
        daemonArn=daemon.arn,
        status=_visible_status(daemon),
        createdAt=seconds(daemon.created_ms),
        updatedAt=_time(daemon.updated_ms) if updated else None,
        deploymentArn=deployment.arn,
    )


def daemon_summary(daemon: Daemon) -> Json:
    """``DaemonSummary``."""
    return _present(
        daemonArn=daemon.arn,
        status=_visible_status(daemon),
        createdAt=seconds(daemon.created_ms),
        updatedAt=_time(daemon.updated_ms),
    )


def daemon_detail(daemon: Daemon) -> Json:
    """``DaemonDetail``: its revisions that run (or are being deployed, or were deployed last)
    now, with counts."""
    latest = daemon.latest()
    revisions: list[Json] = []
    if latest is not None:
        for revision in latest.revisions:
            # The capacity providers the daemon deploys to, and any other the revision still
            # runs on: one the daemon moved off has no instance "without" it once drained.
            counts = [
                (cp, ran, count)
                for cp, count in latest.instances.items()
                for ran in [latest.running.get((revision.id, cp), 0)]
                if ran or cp in latest.capacity_providers
            ]
            # The target is current while it is deployed and once it succeeded, even on no
            # instance (a capacity provider without any): a reader of currentRevisions[0]
            # (as the Terraform provider reads it) finds what the daemon runs.
            current_target = revision is latest.target and (
                latest.status in daemon_lifecycle.ONGOING or latest.status == "SUCCESSFUL"
            )
            if not any(ran for _, ran, _ in counts) and not current_target:
                continue
            revisions.append(
                {
                    "arn": revision.arn,
                    "capacityProviders": [
                        {"arn": cp, "runningCount": ran, "withoutDaemonCount": count - ran}
                        for cp, ran, count in counts
                    ],
                    "totalRunningCount": sum(ran for _, ran, _ in counts),
                    "totalWithoutDaemonCount": sum(count - ran for _, ran, count in counts),
                }
            )
    return _present(
        daemonArn=daemon.arn,
        clusterArn=daemon.cluster_arn,
        status=_visible_status(daemon),
        currentRevisions=revisions,
        deploymentArn=None if latest is None else latest.arn,
        createdAt=seconds(daemon.created_ms),
        updatedAt=_time(daemon.updated_ms),
    )


def deployment_summary(deployment: DaemonDeployment) -> Json:
    """``DaemonDeploymentSummary``: an item of ListDaemonDeployments."""
    return _present(
        daemonDeploymentArn=deployment.arn,
        daemonArn=deployment.daemon.arn,
        clusterArn=deployment.daemon.cluster_arn,
        status=deployment.status,
        statusReason=deployment.status_reason,
        targetDaemonRevisionArn=None if deployment.target is None else deployment.target.arn,
        createdAt=seconds(deployment.created_ms),
        startedAt=_time(deployment.started_ms),
        stoppedAt=_time(deployment.stopped_ms),
        finishedAt=_time(deployment.finished_ms),
    )


def deployment_summary_text(deployment: DaemonDeployment, cache: BriefCache) -> str:
    """The JSON text of :func:`deployment_summary`, cached while what can change of it (the
    status, its reason and the times) is as it was (see :func:`.shapes.cached_text`)."""
    shown = (
        deployment.status,
        deployment.status_reason,
        deployment.started_ms,
        deployment.stopped_ms,
        deployment.finished_ms,
    )
    return cached_text(deployment, shown, lambda: deployment_summary(deployment), cache)


def _revision_detail(deployment: DaemonDeployment, revision: DaemonRevision) -> Json:
    providers = []
    for cp, count in deployment.instances.items():
        running = deployment.running.get((revision.id, cp), 0)
        draining = deployment.draining.get((revision.id, cp), 0)
        providers.append(
            {
                "arn": cp,
                "runningInstanceCount": running,
                "withoutDaemonInstanceCount": count - running - draining,
                "drainingInstanceCount": draining,
            }
        )
    return {
        "arn": revision.arn,
        "capacityProviders": providers,
        "totalRunningInstanceCount": sum(p["runningInstanceCount"] for p in providers),
        "totalWithoutDaemonInstanceCount": sum(p["withoutDaemonInstanceCount"] for p in providers),
        "totalDrainingInstanceCount": sum(p["drainingInstanceCount"] for p in providers),
    }


def deployment(deployment: DaemonDeployment) -> Json:
    """``DaemonDeployment``: an item of DescribeDaemonDeployments."""
    configuration = deployment.configuration
    alarms = configuration.get("alarms") or {}
    watching = bool(alarms.get("enable")) and bool(alarms.get("alarmNames"))
    if deployment.triggered_alarms:
        alarm_status = "TRIGGERED"
    elif not watching:
        alarm_status = "DISABLED"
    elif deployment.status in _MOVING_FORWARD:
        alarm_status = "MONITORING"
    else:
        alarm_status = "MONITORING_COMPLETE"
    if deployment.breaker_triggered:
        breaker_status = "TRIGGERED"
    elif deployment.status in _MOVING_FORWARD:
        breaker_status = "MONITORING"
    else:
        breaker_status = "MONITORING_COMPLETE"
    rollback = None
    if deployment.rollback_started_ms is not None and deployment.rollback_target is not None:
        rollback = {
            "reason": deployment.rollback_reason,
            "startedAt": seconds(deployment.rollback_started_ms),
            "rollbackTargetDaemonRevisionArn": deployment.rollback_target.arn,
            "rollbackCapacityProviders": list(deployment.instances),
        }
    return _present(
        daemonDeploymentArn=deployment.arn,
        clusterArn=deployment.daemon.cluster_arn,
        status=deployment.status,
        statusReason=deployment.status_reason,
        targetDaemonRevision=(
            None if deployment.target is None else _revision_detail(deployment, deployment.target)
        ),
        sourceDaemonRevisions=[_revision_detail(deployment, r) for r in deployment.sources],
        circuitBreaker={
            "failureCount": deployment.failure_count,
            "status": breaker_status,
            "threshold": deployment.threshold,
        },
        alarms=_present(
            status=alarm_status,
            alarmNames=list(alarms.get("alarmNames") or []) or None,
            triggeredAlarmNames=list(deployment.triggered_alarms) or None,
        ),
        rollback=rollback,
        deploymentConfiguration=configuration,
        createdAt=seconds(deployment.created_ms),
        startedAt=_time(deployment.started_ms),
        stoppedAt=_time(deployment.stopped_ms),
        finishedAt=_time(deployment.finished_ms),
    )


def revision(revision: DaemonRevision) -> Json:
    """``DaemonRevision``: an item of DescribeDaemonRevisions."""
    daemon = revision.daemon
    return {
        "daemonRevisionArn": revision.arn,
        "clusterArn": daemon.cluster_arn,
        "daemonArn": daemon.arn,
        "daemonTaskDefinitionArn": revision.task_definition_arn,
        "createdAt": seconds(revision.created_ms),
        "containerImages": revision.container_images,
        "propagateTags": revision.propagate_tags,
        "enableECSManagedTags": revision.enable_ecs_managed_tags,
        "enableExecuteCommand": revision.enable_execute_command,
        "critical": revision.critical,
    }
