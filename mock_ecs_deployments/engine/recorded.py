"""Deployments as a test author records them: the source revisions named, the fields a status
implies for a deployment that follows no plan, and the checks on the service they belong to."""

from __future__ import annotations

from collections.abc import Sequence

from . import arns, lifecycle
from .models import Service, ServiceDeployment, ServiceRevision
from .validation import SeedingError


def source_revisions(
    record: Service, given: Sequence[str | ServiceRevision] | None
) -> list[ServiceRevision] | None:
    """The revisions ``given`` names (revision objects or ARNs) as revisions of ``record``;
    ``None`` when none are given.

    :raises SeedingError: naming the first that is not a revision of that service.
    """
    if given is None:
        return None
    by_arn = {revision.arn: revision for revision in record.revisions.values()}
    sources = []
    for index, item in enumerate(given):
        revision = item if isinstance(item, ServiceRevision) else by_arn.get(str(item))
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
