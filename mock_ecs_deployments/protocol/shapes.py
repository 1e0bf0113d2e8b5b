"""Model objects as the JSON AWS puts on the wire: absent values are left out, never null,
and timestamps are epoch seconds with millisecond precision.

Each answer is typed by a ``TypedDict`` named after the shape of botocore's ECS model it
writes (``ServiceDeploymentShape`` for ``ServiceDeployment``); the members the mock never
writes are left out of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TypedDict, cast

from ..engine.deployments import lifecycle, strategies, tasks
from ..engine.deployments.configuration import DEFAULT_DEPLOYMENT_CONFIGURATION, Hook
from ..engine.model.images import derived_images
from ..engine.model.records import JsonObject, ServiceDeployment, ServiceRevision

# Cached briefs per backend; past this many the cache starts again, so paging through a
# history of a million deployments does not keep a million encoded briefs alive.
BRIEF_CACHE_LIMIT = 10_000
_encoder = json.JSONEncoder(separators=(",", ":"))


class DeploymentCircuitBreakerShape(TypedDict):
    """``DeploymentCircuitBreaker`` of a deployment configuration."""

    enable: bool
    rollback: bool


class DeploymentAlarmsShape(TypedDict, total=False):
    """``DeploymentAlarms`` of a deployment configuration."""

    alarmNames: list[str]
    rollback: bool
    enable: bool


class LinearConfigurationShape(TypedDict, total=False):
    """``LinearConfiguration`` of a LINEAR deployment configuration."""

    stepPercent: float
    stepBakeTimeInMinutes: int


class CanaryConfigurationShape(TypedDict, total=False):
    """``CanaryConfiguration`` of a CANARY deployment configuration."""

    canaryPercent: float
    canaryBakeTimeInMinutes: int


class DeploymentConfigurationShape(TypedDict, total=False):
    """``DeploymentConfiguration``: what a request set, over AWS's defaults."""

    deploymentCircuitBreaker: DeploymentCircuitBreakerShape
    maximumPercent: int
    minimumHealthyPercent: int
    alarms: DeploymentAlarmsShape
    strategy: str
    bakeTimeInMinutes: int
    lifecycleHooks: list[JsonObject]
    linearConfiguration: LinearConfigurationShape
    canaryConfiguration: CanaryConfigurationShape


class _DeploymentFactsRequired(TypedDict):
    serviceDeploymentArn: str
    serviceArn: str
    clusterArn: str
    createdAt: float
    status: str


class _DeploymentFacts(_DeploymentFactsRequired, total=False):
    """What ``ServiceDeploymentBrief`` and ``ServiceDeployment`` both show."""

    startedAt: float
    finishedAt: float
    statusReason: str


class ServiceDeploymentBriefShape(_DeploymentFacts):
    """``ServiceDeploymentBrief`` of ListServiceDeployments."""

    targetServiceRevisionArn: str


class _RevisionSummaryRequired(TypedDict):
    arn: str
    requestedTaskCount: int
    runningTaskCount: int
    pendingTaskCount: int


class ServiceRevisionSummaryShape(_RevisionSummaryRequired, total=False):
    """``ServiceRevisionSummary``: a revision of a deployment, with its tasks and traffic."""

    requestedProductionTrafficWeight: float
    requestedTestTrafficWeight: float


class LifecycleHookDetailShape(TypedDict, total=False):
    """``DeploymentLifecycleHookDetail``: a hook a deployment reached."""

    hookId: str
    targetType: str
    targetArn: str
    status: str
    expiresAt: float
    timeoutAction: str


class RollbackShape(TypedDict, total=False):
    """``Rollback`` of a deployment that began rolling back."""

    reason: str
    startedAt: float
    serviceRevisionArn: str


class ServiceDeploymentCircuitBreakerShape(TypedDict):
    """``ServiceDeploymentCircuitBreaker``: the breaker's state in a deployment."""

    status: str
    failureCount: int
    threshold: int


class ServiceDeploymentAlarmsShape(TypedDict, total=False):
    """``ServiceDeploymentAlarms``: the alarms' state in a deployment."""

    status: str
    alarmNames: list[str]
    triggeredAlarmNames: list[str]


class _ServiceDeploymentRequired(_DeploymentFacts):
    targetServiceRevision: ServiceRevisionSummaryShape
    sourceServiceRevisions: list[ServiceRevisionSummaryShape]
    deploymentConfiguration: DeploymentConfigurationShape
    deploymentCircuitBreaker: ServiceDeploymentCircuitBreakerShape
    alarms: ServiceDeploymentAlarmsShape


class ServiceDeploymentShape(_ServiceDeploymentRequired, total=False):
    """``ServiceDeployment`` of DescribeServiceDeployments."""

    stoppedAt: float
    updatedAt: float
    lifecycleStage: str
    lifecycleHookDetails: list[LifecycleHookDetailShape]
    rollback: RollbackShape


class RevisionSettingsShape(TypedDict, total=False):
    """What a ``ServiceRevision`` and a DescribeServices ``Deployment`` both show of the
    settings a revision runs with."""

    capacityProviderStrategy: list[JsonObject]
    launchType: str
    platformVersion: str
    platformFamily: str
    networkConfiguration: JsonObject


class ContainerImageShape(TypedDict, total=False):
    """``ContainerImage``: a container of a revision and its image."""

    containerName: str
    imageDigest: str
    image: str


class ServiceConnectShape(TypedDict):
    """``ServiceConnectConfiguration``, as far as the mock shows it (never enabled)."""

    enabled: bool


class _ServiceRevisionRequired(RevisionSettingsShape):
    serviceRevisionArn: str
    serviceArn: str
    clusterArn: str
    taskDefinition: str
    loadBalancers: list[JsonObject]
    serviceRegistries: list[JsonObject]
    containerImages: list[ContainerImageShape]
    guardDutyEnabled: bool
    serviceConnectConfiguration: ServiceConnectShape
    createdAt: float


class ServiceRevisionShape(_ServiceRevisionRequired, RevisionSettingsShape):
    """``ServiceRevision`` of DescribeServiceRevisions."""


def seconds(ms: int) -> float:
    """Epoch milliseconds as the epoch seconds AWS's JSON timestamps carry."""
    return ms / 1000


def failures(missing: list[str]) -> list[dict[str, str]]:
    """``Failures`` of a Describe operation: each ARN it found nothing for, MISSING."""
    return [{"arn": arn, "reason": "MISSING"} for arn in missing]


def dumps(value: object) -> str:
    """``value`` as compact JSON text, as AWS writes it."""
    return _encoder.encode(value)


def deployment_configuration(settings: Mapping[str, object] | None) -> DeploymentConfigurationShape:
    """``settings`` (a deploymentConfiguration the engine checked against the model when it
    was given) over AWS's defaults for what it leaves out."""
    return cast(
        DeploymentConfigurationShape, {**DEFAULT_DEPLOYMENT_CONFIGURATION, **(settings or {})}
    )


def _times(out: _DeploymentFacts, deployment: ServiceDeployment) -> None:
    """Add what a brief and a full deployment both show once it happened."""
    if deployment.started_ms is not None:
        out["startedAt"] = seconds(deployment.started_ms)
    if deployment.finished_ms is not None:
        out["finishedAt"] = seconds(deployment.finished_ms)
    if deployment.status_reason is not None:
        out["statusReason"] = deployment.status_reason


def deployment_brief(deployment: ServiceDeployment) -> ServiceDeploymentBriefShape:
    """The ``ServiceDeploymentBrief`` shape."""
    service = deployment.service
    brief: ServiceDeploymentBriefShape = {
        "serviceDeploymentArn": deployment.arn,
        "serviceArn": service.arn,
        "clusterArn": service.cluster_arn,
        "createdAt": seconds(deployment.created_ms),
        "targetServiceRevisionArn": deployment.target_revision.arn,
        "status": deployment.status,
    }
    _times(brief, deployment)
    return brief


#: What a cached answer item was encoded from, and its JSON text, by record (a service
#: deployment's brief, a daemon deployment's summary).
BriefCache = dict[object, tuple[tuple[object, ...], str]]


def deployment_brief_text(deployment: ServiceDeployment, cache: BriefCache) -> str:
    """The JSON text of :func:`deployment_brief` (see :func:`cached_text`).

    Of what a brief shows, only the status, its reason and the start and finish times ever
    change (ARNs and createdAt are fixed when a deployment is made).
    """
    shown = (
        deployment.status,
        deployment.status_reason,
        deployment.started_ms,
        deployment.finished_ms,
    )
    return cached_text(deployment, shown, lambda: deployment_brief(deployment), cache)


def cached_text(
    record: object, shown: tuple[object, ...], encode: Callable[[], object], cache: BriefCache
) -> str:
    """The JSON text of ``encode()``, from ``cache`` while what it shows that can change
    (``shown``) is what it was when it was encoded. A finished deployment's item is encoded
    once; a running one's again after each step. The caller holds the backend's lock, which
    guards ``cache``."""
    entry = cache.get(record)
    if entry is not None and entry[0] == shown:
        return entry[1]
    text = dumps(encode())
    if entry is None and len(cache) >= BRIEF_CACHE_LIMIT:
        cache.clear()
    cache[record] = (shown, text)
    return text


def page_text(name: str, items: list[str], token: str | None) -> str:
    """A List answer from its items' JSON text: ``{name: [...], "nextToken": ...}``, joined,
    not encoded again."""
    tail = "]}" if token is None else f'],"nextToken":{dumps(token)}}}'
    return f'{{"{name}":[' + ",".join(items) + tail


def _task_counts(
    deployment: ServiceDeployment,
) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(target, source) task counts (requested, running, pending). The service's newest
    deployment counts the tasks running now; an older one shows what its status implies (the
    target kept the tasks if it succeeded, else the source did)."""
    desired = deployment.desired_count
    status = deployment.status
    requested = (desired, 0) if status in ("SUCCESSFUL", "IN_PROGRESS") else (0, desired)
    if status == "IN_PROGRESS":
        requested = (desired, desired)
    service = deployment.service
    if service.latest() is deployment:
        target = tasks.counts(service, deployment.target_revision)
        source_revision = deployment.source_revisions[0] if deployment.source_revisions else None
        source = tasks.counts(service, source_revision) if source_revision else (0, 0)
        return (requested[0], *target), (requested[1], *source)
    if status == "SUCCESSFUL":
        return (desired, desired, 0), (0, 0, 0)
    return (0, 0, 0), (desired, desired, 0)


def _summary(
    revision: ServiceRevision,
    counts: tuple[int, int, int],
    traffic: tuple[float, float] | None,
) -> ServiceRevisionSummaryShape:
    requested, running, pending = counts
    summary: ServiceRevisionSummaryShape = {
        "arn": revision.arn,
        "requestedTaskCount": requested,
        "runningTaskCount": running,
        "pendingTaskCount": pending,
    }
    if traffic is not None:
        summary["requestedProductionTrafficWeight"] = traffic[0]
        summary["requestedTestTrafficWeight"] = traffic[1]
    return summary


def _circuit_breaker(deployment: ServiceDeployment) -> ServiceDeploymentCircuitBreakerShape:
    threshold = lifecycle.breaker_threshold(deployment)
    if not lifecycle.circuit_breaker_enabled(deployment):
        status = "DISABLED"
    elif deployment.breaker_triggered:
        status = "TRIGGERED"
    elif deployment.status in ("PENDING", "IN_PROGRESS"):
        status = "MONITORING"
    else:
        status = "MONITORING_COMPLETE"
    failures = deployment.failure_count if status != "DISABLED" else 0
    if status == "TRIGGERED":  # a recorded one may never have counted its failures
        failures = max(failures, threshold)
    return {"status": status, "failureCount": failures, "threshold": threshold}


def _alarms(
    deployment: ServiceDeployment, configuration: DeploymentConfigurationShape
) -> ServiceDeploymentAlarmsShape:
    alarms = configuration.get("alarms") or {}
    if not alarms.get("enable"):
        return {"status": "DISABLED"}
    ongoing = deployment.status in ("PENDING", "IN_PROGRESS")
    status = "MONITORING" if ongoing else "MONITORING_COMPLETE"
    return {
        "status": "TRIGGERED" if deployment.triggered_alarms else status,
        "alarmNames": list(alarms.get("alarmNames") or []),
        "triggeredAlarmNames": list(deployment.triggered_alarms),
    }


def _hook_detail(hook: Hook) -> LifecycleHookDetailShape:
    """A hook as AWS shows it in ``lifecycleHookDetails`` (only the fields it has reached)."""
    detail: LifecycleHookDetailShape = {"hookId": hook.id, "targetType": hook.target_type}
    if hook.target_arn:
        detail["targetArn"] = hook.target_arn
    if hook.status is not None:
        detail["status"] = hook.status
    if hook.expires_ms is not None:
        detail["expiresAt"] = seconds(hook.expires_ms)
    if hook.target_type == "PAUSE":
        detail["timeoutAction"] = hook.timeout_action
    return detail


def _rollback(deployment: ServiceDeployment, started_ms: int) -> RollbackShape:
    rollback: RollbackShape = {"startedAt": seconds(started_ms)}
    if deployment.status_reason is not None:
        rollback["reason"] = deployment.status_reason
    if deployment.rollback_revision is not None:
        rollback["serviceRevisionArn"] = deployment.rollback_revision.arn
    return rollback


def service_deployment(deployment: ServiceDeployment) -> ServiceDeploymentShape:
    """The ``ServiceDeployment`` shape of DescribeServiceDeployments."""
    target_counts, source_counts = _task_counts(deployment)
    traffic = strategies.target_traffic(deployment)
    rest = None if traffic is None else strategies.rest(traffic)
    configuration = deployment_configuration(deployment.configuration)
    service = deployment.service
    out: ServiceDeploymentShape = {
        "serviceDeploymentArn": deployment.arn,
        "serviceArn": service.arn,
        "clusterArn": service.cluster_arn,
        "createdAt": seconds(deployment.created_ms),
        "status": deployment.status,
        "targetServiceRevision": _summary(deployment.target_revision, target_counts, traffic),
        "sourceServiceRevisions": [
            _summary(revision, source_counts, rest) for revision in deployment.source_revisions
        ],
        "deploymentConfiguration": configuration,
        "deploymentCircuitBreaker": _circuit_breaker(deployment),
        "alarms": _alarms(deployment, configuration),
    }
    _times(out, deployment)
    if deployment.stopped_ms is not None:
        out["stoppedAt"] = seconds(deployment.stopped_ms)
    if deployment.updated_ms is not None:
        out["updatedAt"] = seconds(deployment.updated_ms)
    if deployment.lifecycle_stage is not None:
        out["lifecycleStage"] = deployment.lifecycle_stage
    reached = [_hook_detail(hook) for hook in deployment.hooks or () if hook.status is not None]
    if reached:
        out["lifecycleHookDetails"] = reached
    if deployment.rollback_started_ms is not None:
        out["rollback"] = _rollback(deployment, deployment.rollback_started_ms)
    return out


def revision_settings(
    revision: ServiceRevision, network: JsonObject | None
) -> RevisionSettingsShape:
    """The settings ``revision`` runs with, and ``network`` as its ``networkConfiguration``:
    a capacity provider strategy or else a launch type, the platform version and family."""
    settings: RevisionSettingsShape = {}
    if revision.capacity_provider_strategy:
        settings["capacityProviderStrategy"] = revision.capacity_provider_strategy
    elif revision.launch_type is not None:
        settings["launchType"] = revision.launch_type
    if revision.platform_version is not None:
        settings["platformVersion"] = revision.platform_version
    if revision.platform_family is not None:
        settings["platformFamily"] = revision.platform_family
    if network is not None:
        settings["networkConfiguration"] = network
    return settings


def service_revision(revision: ServiceRevision) -> ServiceRevisionShape:
    """The ``ServiceRevision`` shape of DescribeServiceRevisions."""
    service = revision.service
    images = revision.container_images or derived_images(revision)
    return {
        "serviceRevisionArn": revision.arn,
        "serviceArn": service.arn,
        "clusterArn": service.cluster_arn,
        "taskDefinition": revision.task_definition,
        **revision_settings(revision, revision.network_configuration),
        "loadBalancers": revision.load_balancers,
        "serviceRegistries": revision.service_registries,
        "containerImages": cast(list[ContainerImageShape], images),
        "guardDutyEnabled": False,
        "serviceConnectConfiguration": {"enabled": False},
        "createdAt": seconds(revision.created_ms),
    }
