"""Model objects as the JSON AWS puts on the wire: absent values are left out, never null,
and timestamps are epoch seconds with millisecond precision."""

from __future__ import annotations

import json
from typing import Any

from ..engine.deployments import lifecycle, strategies
from ..engine.deployments.configuration import DEFAULT_DEPLOYMENT_CONFIGURATION
from ..engine.model.images import derived_images
from ..engine.model.records import ServiceDeployment, ServiceRevision

# Cached briefs per backend; past this many the cache starts again, so paging through a
# history of a million deployments does not keep a million encoded briefs alive.
BRIEF_CACHE_LIMIT = 10_000
_encoder = json.JSONEncoder(separators=(",", ":"))


def seconds(ms: int) -> float:
    """Epoch milliseconds as the epoch seconds AWS's JSON timestamps carry."""
    return ms / 1000


def dumps(value: Any) -> str:
    """``value`` as compact JSON text, as AWS writes it."""
    return _encoder.encode(value)


def deployment_brief(deployment: ServiceDeployment) -> dict[str, Any]:
    """The ``ServiceDeploymentBrief`` shape."""
    service = deployment.service
    brief: dict[str, Any] = {
        "serviceDeploymentArn": deployment.arn,
        "serviceArn": service.arn,
        "clusterArn": service.cluster_arn,
        "createdAt": seconds(deployment.created_ms),
        "targetServiceRevisionArn": deployment.target_revision.arn,
        "status": deployment.status,
    }
    if deployment.started_ms is not None:
        brief["startedAt"] = seconds(deployment.started_ms)
    if deployment.finished_ms is not None:
        brief["finishedAt"] = seconds(deployment.finished_ms)
    if deployment.status_reason is not None:
        brief["statusReason"] = deployment.status_reason
    return brief


def deployment_brief_text(
    deployment: ServiceDeployment, cache: dict[ServiceDeployment, tuple[Any, str]]
) -> str:
    """The JSON text of :func:`deployment_brief`, from ``cache`` when nothing it shows changed.

    Of what a brief shows, only the status, its reason and the start and finish times ever
    change (ARNs and createdAt are fixed when a deployment is made), so an entry is used only
    while those four are what they were when it was encoded. A finished deployment's brief is
    encoded once; a running one's again after each step. The caller holds the backend's lock,
    which guards ``cache``.
    """
    shown = (
        deployment.status,
        deployment.status_reason,
        deployment.started_ms,
        deployment.finished_ms,
    )
    entry = cache.get(deployment)
    if entry is not None and entry[0] == shown:
        return entry[1]
    text = dumps(deployment_brief(deployment))
    if entry is None and len(cache) >= BRIEF_CACHE_LIMIT:
        cache.clear()
    cache[deployment] = (shown, text)
    return text


def _task_counts(deployment: ServiceDeployment) -> tuple[dict[str, int], dict[str, int]]:
    """(target, source) task counts as the status implies: the target is scaled up while the
    deployment runs and keeps the tasks once it succeeded; otherwise the source does."""
    desired = deployment.desired_count
    status = deployment.status
    if status == "SUCCESSFUL":
        return _counts(desired, desired, 0), _counts(0, 0, 0)
    if status == "IN_PROGRESS":
        return _counts(desired, 0, desired), _counts(desired, desired, 0)
    return _counts(0, 0, 0), _counts(desired, desired, 0)


def _counts(requested: int, running: int, pending: int) -> dict[str, int]:
    return {
        "requestedTaskCount": requested,
        "runningTaskCount": running,
        "pendingTaskCount": pending,
    }


def _circuit_breaker(deployment: ServiceDeployment) -> dict[str, Any]:
    threshold = lifecycle.breaker_threshold(deployment)
    if not lifecycle.circuit_breaker_enabled(deployment):
        status = "DISABLED"
    elif deployment.breaker_triggered:
        status = "TRIGGERED"
    elif deployment.status in ("PENDING", "IN_PROGRESS"):
        status = "MONITORING"
    else:
        status = "MONITORING_COMPLETE"
    failures = threshold if status == "TRIGGERED" else 0
    return {"status": status, "failureCount": failures, "threshold": threshold}


def _alarms(deployment: ServiceDeployment) -> dict[str, Any]:
    alarms = (deployment.configuration or {}).get("alarms") or {}
    if not alarms.get("enable"):
        return {"status": "DISABLED"}
    ongoing = deployment.status in ("PENDING", "IN_PROGRESS")
    return {
        "status": "MONITORING" if ongoing else "MONITORING_COMPLETE",
        "alarmNames": list(alarms.get("alarmNames") or []),
        "triggeredAlarmNames": [],
    }


def service_deployment(deployment: ServiceDeployment) -> dict[str, Any]:
    """The ``ServiceDeployment`` shape of DescribeServiceDeployments."""
    out = deployment_brief(deployment)
    del out["targetServiceRevisionArn"]
    target_counts, source_counts = _task_counts(deployment)
    traffic = strategies.target_traffic(deployment)
    target_weights: dict[str, float] = {}
    source_weights: dict[str, float] = {}
    if traffic is not None:
        target_weights = strategies.weights(traffic)
        source_weights = strategies.weights(strategies.rest(traffic))
    out["targetServiceRevision"] = {
        "arn": deployment.target_revision.arn,
        **target_counts,
        **target_weights,
    }
    out["sourceServiceRevisions"] = [
        {"arn": revision.arn, **source_counts, **source_weights}
        for revision in deployment.source_revisions
    ]
    for key, value in (
        ("stoppedAt", deployment.stopped_ms),
        ("updatedAt", deployment.updated_ms),
    ):
        if value is not None:
            out[key] = seconds(value)
    if deployment.lifecycle_stage is not None:
        out["lifecycleStage"] = deployment.lifecycle_stage
    reached = [hook.detail() for hook in deployment.hooks or () if hook.status is not None]
    if reached:
        out["lifecycleHookDetails"] = reached
    out["deploymentConfiguration"] = {
        **DEFAULT_DEPLOYMENT_CONFIGURATION,
        **(deployment.configuration or {}),
    }
    if deployment.rollback_started_ms is not None:
        rollback: dict[str, Any] = {"startedAt": seconds(deployment.rollback_started_ms)}
        if deployment.status_reason is not None:
            rollback["reason"] = deployment.status_reason
        if deployment.rollback_revision is not None:
            rollback["serviceRevisionArn"] = deployment.rollback_revision.arn
        out["rollback"] = rollback
    out["deploymentCircuitBreaker"] = _circuit_breaker(deployment)
    out["alarms"] = _alarms(deployment)
    return out


def service_revision(revision: ServiceRevision) -> dict[str, Any]:
    """The ``ServiceRevision`` shape of DescribeServiceRevisions."""
    service = revision.service
    out: dict[str, Any] = {
        "serviceRevisionArn": revision.arn,
        "serviceArn": service.arn,
        "clusterArn": service.cluster_arn,
        "taskDefinition": revision.task_definition,
    }
    if revision.capacity_provider_strategy:
        out["capacityProviderStrategy"] = revision.capacity_provider_strategy
    elif revision.launch_type is not None:
        out["launchType"] = revision.launch_type
    if revision.platform_version is not None:
        out["platformVersion"] = revision.platform_version
    if revision.platform_family is not None:
        out["platformFamily"] = revision.platform_family
    out["loadBalancers"] = revision.load_balancers
    out["serviceRegistries"] = revision.service_registries
    if revision.network_configuration is not None:
        out["networkConfiguration"] = revision.network_configuration
    out["containerImages"] = revision.container_images or derived_images(revision)
    out["guardDutyEnabled"] = False
    out["serviceConnectConfiguration"] = {"enabled": False}
    out["createdAt"] = seconds(revision.created_ms)
    return out
