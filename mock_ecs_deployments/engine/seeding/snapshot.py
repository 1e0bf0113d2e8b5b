"""A deployment as it was, written down whole: what ``dump_scenario`` and ``record`` write and
``restore_deployment`` puts back. ``add_deployment`` takes the first few of its fields; the
others default to what those imply, so only a restored history needs them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypedDict

from ..deployments.lifecycle import Plan
from ..model.records import ServiceRevision


class _HookDetailIdentity(TypedDict):
    hook_id: str
    status: str


class HookDetailFields(_HookDetailIdentity, total=False):
    """One lifecycle hook a deployment has reached: its id, its
    ``DeploymentLifecycleHookStatus`` and, for one awaiting action, when it times out."""

    expires_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeploymentSnapshot:
    """One deployment of a service, as it was: the fields of
    :meth:`~mock_ecs_deployments.ServiceDeploymentBackend.add_deployment` (``service`` to
    ``deployment_configuration``), then those that put back what a dump or a recording wrote
    down (``id`` to ``production_traffic_weight``). Each field left unset defaults to what the
    others imply, as it does in ``add_deployment``.

    Nothing is checked when a snapshot is made:
    :meth:`~mock_ecs_deployments.ServiceDeploymentBackend.restore_deployment` checks every
    field, and a :class:`~mock_ecs_deployments.SeedingError` names the field as it is named
    here (which is also its key in a scenario file).

    :ivar service: the service name or ARN; the service and its cluster are registered when
        new.
    :ivar cluster: the cluster name or ARN (default: the one in a service ARN, else
        ``default``).
    :ivar status: a ``ServiceDeploymentStatus`` (default ``SUCCESSFUL``); unset with a plan.
    :ivar created_at: when it was created (default: now); naive datetimes are UTC.
    :ivar started_at: default ``created_at``; unset for PENDING.
    :ivar finished_at: default ``started_at`` for a completed status; unset otherwise.
    :ivar status_reason: the ``statusReason`` text, if any.
    :ivar task_definition: ``family:revision`` or an ARN for its target revision (default
        ``<service>:<n>`` for the service's n-th deployment).
    :ivar plan: a :class:`~mock_ecs_deployments.Plan`, or a mapping of
        ``plan_next_deployment``'s fields, that it follows from ``created_at``.
    :ivar source_revisions: revisions (or their ARNs or ids) of this service it replaces
        (default: the target revision of the deployment created before).
    :ivar container_images: ``[{"containerName", "image"}]`` of its target revision.
    :ivar deployment_configuration: its configuration (default: the service's).
    :ivar id: its id, the last part of its ARN (default: a fresh one).
    :ivar revision_id: its target revision's id (default: a fresh one).
    :ivar desired_count: the service's desired count when it was made (default: the
        service's).
    :ivar launch_type: its target revision's (default: the service's; a launch type or a
        capacity provider strategy given replaces both), as are ``capacity_provider_strategy``,
        ``platform_version``, ``network_configuration``, ``load_balancers`` and
        ``service_registries``.
    :ivar plan_status: with ``plan``: the status reached in it, entered at ``updated_at``
        (PENDING, IN_PROGRESS, STOP_REQUESTED, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS).
    :ivar never_started: it was stopped or rolled back before it started (no startedAt).
    :ivar updated_at: its ``updatedAt`` (default: the latest of its other times).
    :ivar lifecycle_stage: its ``lifecycleStage`` (default: from its status).
    :ivar lifecycle_hook_details: the hooks it reached, in order.
    :ivar rollback_started_at: when its rollback started (default ``started_at``).
    :ivar circuit_breaker_triggered: whether its circuit breaker fired (default: its reason is
        the circuit breaker's).
    :ivar triggered_alarm_names: the CloudWatch alarms whose firing failed it (default: none).
    :ivar production_traffic_weight: with ``plan_status`` IN_PROGRESS at the stage
        PRODUCTION_TRAFFIC_SHIFT of a LINEAR or CANARY deployment: the production traffic
        weight (percent) its target revision has reached (default: the stage's first).
    """

    service: str
    cluster: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    status_reason: str | None = None
    task_definition: str | None = None
    plan: Plan | dict[str, Any] | None = None
    source_revisions: Sequence[str | int | ServiceRevision] | None = None
    container_images: list[dict[str, str]] | None = None
    deployment_configuration: dict[str, Any] | None = None
    id: str | None = None
    revision_id: int | None = None
    desired_count: int | None = None
    launch_type: str | None = None
    capacity_provider_strategy: list[dict[str, Any]] | None = None
    platform_version: str | None = None
    network_configuration: dict[str, Any] | None = None
    load_balancers: list[dict[str, Any]] | None = None
    service_registries: list[dict[str, Any]] | None = None
    plan_status: str | None = None
    never_started: bool = False
    updated_at: datetime | None = None
    lifecycle_stage: str | None = None
    lifecycle_hook_details: list[HookDetailFields] | None = None
    rollback_started_at: datetime | None = None
    circuit_breaker_triggered: bool | None = None
    triggered_alarm_names: list[str] | None = None
    production_traffic_weight: float | None = None

    @classmethod
    def from_fields(cls, fields: Mapping[str, object]) -> DeploymentSnapshot:
        """A snapshot of fields read from an untyped source (a scenario file), as they are:
        :meth:`~mock_ecs_deployments.ServiceDeploymentBackend.restore_deployment` checks
        each.

        :raises TypeError: a key that is not a field.
        """
        return cls(**fields)  # type: ignore[arg-type]


#: Every field of a snapshot, in order.
SNAPSHOT_FIELDS = tuple(field.name for field in fields(DeploymentSnapshot))
#: The fields ``add_deployment`` takes too, in its order.
AUTHORED_FIELDS = SNAPSHOT_FIELDS[: SNAPSHOT_FIELDS.index("deployment_configuration") + 1]
#: The fields only a restored deployment gives (``restore_deployment``).
RESTORED_FIELDS = SNAPSHOT_FIELDS[len(AUTHORED_FIELDS) :]
