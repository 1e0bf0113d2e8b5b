"""Deployments as a test author records them: the source revisions named, the settings of
their target revisions, the fields a status implies for a deployment that follows no plan, and
the checks on the service they belong to."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

from ..deployments import lifecycle
from ..deployments.configuration import hooks_from_configuration
from ..events import service_events
from ..model import arns, validation
from ..model.records import Service, ServiceDeployment, ServiceRevision
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
) -> None:
    """Fill in a seeded deployment that does not follow a plan, as its status implies."""
    deployment.status = status
    deployment.status_reason = reason
    deployment.started_ms = started_ms
    deployment.finished_ms = finished_ms
    if status == "STOPPED":
        deployment.stopped_ms = finished_ms
    deployment.updated_ms = max(
        t for t in (deployment.created_ms, started_ms, finished_ms) if t is not None
    )
    deployment.lifecycle_stage = (
        "RECONCILE_SERVICE"
        if status == "PENDING"
        else "CLEAN_UP"
        if deployment.completed
        else "SCALE_UP"
    )
    if status.startswith("ROLLBACK_"):
        deployment.rollback_started_ms = started_ms
        sources = deployment.source_revisions
        deployment.rollback_revision = sources[0] if sources else None
        deployment.breaker_triggered = (
            reason == lifecycle.CIRCUIT_BREAKER_REASON
            and lifecycle.circuit_breaker_enabled(deployment)
        )
    if deployment.rollback_started_ms is not None:
        service_events.rolling_back(deployment, deployment.rollback_started_ms, announce=False)
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


def checked_revision_settings(**given: Any) -> dict[str, Any]:
    """The revision settings a deployment gives (``None`` ones left out), checked as
    ``add_service`` checks them.

    :raises SeedingError: naming the field.
    """
    settings: dict[str, Any] = {}
    if given.get("launch_type") is not None:
        settings["launch_type"] = validation.choice(
            "launch_type", given["launch_type"], validation.LAUNCH_TYPES
        )
    if given.get("capacity_provider_strategy") is not None:
        strategy = given["capacity_provider_strategy"]
        settings["capacity_provider_strategy"] = (
            validation.as_list("capacity_provider_strategy", strategy) or None
        )
    if given.get("platform_version") is not None:
        if not isinstance(given["platform_version"], str):
            raise SeedingTypeError(
                "platform_version",
                f"expected a string, got {given['platform_version']!r}",
                value=given["platform_version"],
            )
        settings["platform_version"] = given["platform_version"]
    if given.get("network_configuration") is not None:
        settings["network_configuration"] = validation.as_mapping(
            "network_configuration", given["network_configuration"]
        )
    for field in ("load_balancers", "service_registries"):
        if given.get(field) is not None:
            settings[field] = validation.as_list(field, given[field])
    return settings


def new_revision(
    service: Service,
    revision_id: int,
    task_definition_arn: str,
    created_ms: int,
    images: list[dict[str, str]] | None,
    settings: dict[str, Any] | None = None,
) -> ServiceRevision:
    """A revision of ``service`` with the service's settings, but for those ``settings`` gives
    (when it gives a launch type or a capacity provider strategy, it gives both)."""
    values = {name: getattr(service, name) for name in REVISION_SETTINGS}
    settings = settings or {}
    if "launch_type" in settings or "capacity_provider_strategy" in settings:
        values["launch_type"] = values["capacity_provider_strategy"] = None
    values.update(settings)
    revision = ServiceRevision(
        service=service,
        id=revision_id,
        task_definition=task_definition_arn,
        created_ms=created_ms,
        container_images=images,
        **values,
    )
    if revision.launch_type == "FARGATE":
        revision.platform_version = revision.platform_version or "LATEST"
        revision.platform_family = "Linux"
    return revision


def new_deployment(
    service: Service,
    sequence: int,
    revision: ServiceRevision,
    configuration: dict[str, Any] | None,
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
