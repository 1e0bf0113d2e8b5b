"""Deployments as a test author records them: the source revisions named, the settings of
their target revisions, the fields a status implies for a deployment that follows no plan, and
the checks on the service they belong to."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

from ..deployments import lifecycle
from ..deployments.configuration import hooks_from_configuration
from ..events import service_events
from ..model import arns, validation
from ..model.records import COMPLETED_STATUSES, Service, ServiceDeployment, ServiceRevision
from ..model.validation import SeedingError, SeedingTypeError

#: The revision settings a deployment may give for its target revision (default: the service's).
REVISION_SETTINGS = (
    "launch_type",
    "capacity_provider_strategy",
    "platform_version",
    "network_configuration",
    "load_balancers",
    "service_registries",
)


class RevisionSettings(TypedDict, total=False):
    """The settings a deployment gives its target revision, checked; a setting left out is
    the service's."""

    launch_type: str
    capacity_provider_strategy: list[dict[str, object]] | None
    platform_version: str
    network_configuration: dict[str, object] | None
    load_balancers: list[dict[str, object]]
    service_registries: list[dict[str, object]]


@dataclass(frozen=True, slots=True)
class Implied:
    """What a deployment's status, times and reason imply for the fields a restored one may
    give: what the loader takes for a field left out, and what a dump leaves out."""

    updated_ms: int
    lifecycle_stage: str
    rollback_started_ms: int | None
    circuit_breaker_triggered: bool


def implied_by_status(
    status: str,
    created_ms: int,
    started_ms: int | None,
    finished_ms: int | None,
    reason: str | None,
    configuration: Mapping[str, object] | None,
) -> Implied:
    """The fields ``status`` implies: ``updatedAt`` is the latest of the times, the stage is
    RECONCILE_SERVICE while PENDING, CLEAN_UP once completed, else SCALE_UP; a ROLLBACK_ status
    started its rollback when the deployment started (when it was created, if it never
    started), and (a ROLLBACK_ status or STOPPED) its circuit breaker fired when its reason
    is the breaker's and ``configuration`` enables the breaker."""
    rolls_back = status.startswith("ROLLBACK_")
    breaker = (configuration or {}).get("deploymentCircuitBreaker")
    return Implied(
        updated_ms=max(t for t in (created_ms, started_ms, finished_ms) if t is not None),
        lifecycle_stage="RECONCILE_SERVICE"
        if status == "PENDING"
        else "CLEAN_UP"
        if status in COMPLETED_STATUSES
        else "SCALE_UP",
        rollback_started_ms=(created_ms if started_ms is None else started_ms)
        if rolls_back
        else None,
        circuit_breaker_triggered=(rolls_back or status == "STOPPED")
        and reason == lifecycle.CIRCUIT_BREAKER_REASON
        and isinstance(breaker, Mapping)
        and bool(breaker.get("enable")),
    )


def source_revisions(
    record: Service, given: Sequence[str | int | ServiceRevision] | None
) -> list[ServiceRevision] | None:
    """The revisions ``given`` names (revision objects, ARNs or revision ids) as revisions of
    ``record``; ``None`` when none are given.

    :raises SeedingError: naming the first that is not a revision of that service.
    """
    if given is None:
        return None
    by_arn = {revision.arn: revision for revision in record.revisions.values()}
    sources = []
    for index, item in enumerate(given):
        if isinstance(item, ServiceRevision):
            revision: ServiceRevision | None = item
        elif isinstance(item, int) and not isinstance(item, bool):
            revision = record.revisions.get(item)
        else:
            revision = by_arn.get(str(item))
        if revision is None or revision.service is not record:
            raise SeedingError(
                f"source_revisions[{index}]",
                f"{item!r} is not a revision of service {record.name!r} in cluster"
                f" {record.cluster!r}",
                value=item,
            )
        sources.append(revision)
    return sources


def record_static(
    deployment: ServiceDeployment,
    status: str,
    reason: str | None,
    started_ms: int | None,
    finished_ms: int | None,
    rollback_started_ms: int | None = None,
) -> None:
    """Fill in a seeded deployment that does not follow a plan, as its status implies (a
    rollback started at ``rollback_started_ms`` when given)."""
    deployment.status = status
    deployment.status_reason = reason
    deployment.started_ms = started_ms
    deployment.finished_ms = finished_ms
    if status == "STOPPED":
        deployment.stopped_ms = finished_ms
    implied = implied_by_status(
        status, deployment.created_ms, started_ms, finished_ms, reason, deployment.configuration
    )
    deployment.updated_ms = implied.updated_ms
    deployment.lifecycle_stage = implied.lifecycle_stage
    deployment.breaker_triggered = implied.circuit_breaker_triggered
    if status.startswith("ROLLBACK_"):
        if rollback_started_ms is None:
            rollback_started_ms = implied.rollback_started_ms
        deployment.rollback_started_ms = rollback_started_ms
        sources = deployment.source_revisions
        deployment.rollback_revision = sources[0] if sources else None
        # The events its rollback's start wrote (one rolled back while PENDING wrote them too).
        if rollback_started_ms is not None:
            service_events.rolling_back(deployment, rollback_started_ms, announce=False)
    if finished_ms is not None:
        service_events.completed(deployment, status, finished_ms, announce=False)
    service = deployment.service
    if service.latest() is deployment:
        if status == "SUCCESSFUL":
            service.current_revision = deployment.target_revision
        elif status == "ROLLBACK_SUCCESSFUL" and deployment.rollback_revision is not None:
            service.current_revision = deployment.rollback_revision


def require_ecs_controller(service: Service) -> None:
    """Refuse seeding deployments for a CODE_DEPLOY or EXTERNAL service, which have none.

    :raises SeedingError: naming the service and its controller.
    """
    if service.deployment_controller != "ECS":
        raise SeedingError(
            "service",
            f"{service.name!r} uses the {service.deployment_controller} deployment controller;"
            " only services with the ECS controller have service deployments",
            value=service.name,
        )


def unused_revision_id(service: Service) -> int:
    """A fresh revision id no revision of ``service`` has."""
    while True:
        revision_id = arns.new_revision_id()
        if revision_id not in service.revisions:
            return revision_id


def checked_revision_settings(
    *,
    launch_type: object = None,
    capacity_provider_strategy: object = None,
    platform_version: object = None,
    network_configuration: object = None,
    load_balancers: object = None,
    service_registries: object = None,
) -> RevisionSettings:
    """The revision settings a deployment gives (``None`` ones left out), checked as
    ``add_service`` checks them.

    :raises SeedingError: naming the field.
    """
    settings: RevisionSettings = {}
    if launch_type is not None:
        settings["launch_type"] = validation.choice(
            "launch_type", launch_type, validation.LAUNCH_TYPES
        )
    if capacity_provider_strategy is not None:
        settings["capacity_provider_strategy"] = (
            validation.as_list("capacity_provider_strategy", capacity_provider_strategy) or None
        )
    if platform_version is not None:
        if not isinstance(platform_version, str):
            raise SeedingTypeError(
                "platform_version",
                f"expected a string, got {platform_version!r}",
                value=platform_version,
            )
        settings["platform_version"] = platform_version
    if network_configuration is not None:
        settings["network_configuration"] = validation.as_mapping(
            "network_configuration", network_configuration
        )
    if load_balancers is not None:
        settings["load_balancers"] = validation.as_list("load_balancers", load_balancers)
    if service_registries is not None:
        settings["service_registries"] = validation.as_list(
            "service_registries", service_registries
        )
    return settings


def new_revision(
    service: Service,
    revision_id: int,
    task_definition_arn: str,
    created_ms: int,
    images: list[dict[str, str]] | None,
    settings: RevisionSettings | None = None,
) -> ServiceRevision:
    """A revision of ``service`` with the service's settings, but for those ``settings`` gives
    (when it gives a launch type or a capacity provider strategy, it gives both)."""
    settings = settings or {}
    placed = "launch_type" in settings or "capacity_provider_strategy" in settings
    revision = ServiceRevision(
        service=service,
        id=revision_id,
        task_definition=task_definition_arn,
        created_ms=created_ms,
        container_images=images,
        launch_type=settings.get("launch_type") if placed else service.launch_type,
        capacity_provider_strategy=settings.get("capacity_provider_strategy")
        if placed
        else service.capacity_provider_strategy,
        platform_version=settings.get("platform_version", service.platform_version),
        network_configuration=settings.get("network_configuration", service.network_configuration),
        load_balancers=settings.get("load_balancers", service.load_balancers),
        service_registries=settings.get("service_registries", service.service_registries),
    )
    if revision.launch_type == "FARGATE":
        revision.platform_version = revision.platform_version or "LATEST"
        revision.platform_family = "Linux"
    return revision


def new_deployment(
    service: Service,
    sequence: int,
    revision: ServiceRevision,
    configuration: dict[str, object] | None,
    sources: list[ServiceRevision] | None,
    deployment_id: str | None = None,
) -> ServiceDeployment:
    """A PENDING deployment of ``revision``, placed in the service's order; its sources
    default to the target revision of the deployment before it."""
    deployment = ServiceDeployment(
        service=service,
        id=deployment_id or arns.new_deployment_id(),
        sequence=sequence,
        created_ms=revision.created_ms,
        status="PENDING",
        target_revision=revision,
        configuration=service.deployment_configuration if configuration is None else configuration,
        desired_count=service.desired_count,
    )
    deployment.hooks = (
        hooks_from_configuration(deployment.configuration or {}, "deployment_configuration") or None
    )
    if sources is None:
        index = bisect_left(service.keys, deployment.sort_key)
        sources = [service.deployments[index - 1].target_revision] if index else []
    deployment.source_revisions = sources
    service.revisions[revision.id] = revision
    service.insert(deployment)
    return deployment
