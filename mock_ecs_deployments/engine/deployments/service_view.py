"""A service as DescribeServices shows it, built from its service deployments at one instant.

The service-deployment API and DescribeServices tell one story: the newest service deployment
is the PRIMARY entry of ``deployments[]``; the revision it replaces is ACTIVE while the
replacement runs; a rollback is the PRIMARY entry of the revision it goes back to, with the
failed deployment ACTIVE beside it until the rollback ends. Each entry's id is ``ecs-svc/<n>``
with ``<n>`` the last part of its service revision's ARN. The caller holds the backend's lock
and has brought the service's deployments up to now, so the view is one consistent instant.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..events import service_events
from ..events.service_events import ServiceEvent, deployment_id
from ..model.records import Service, ServiceDeployment, ServiceRevision
from . import tasks
from .lifecycle import breaker_threshold

_ROLLING_BACK = frozenset({"ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"})
_UNDER_WAY = frozenset({"PENDING", "IN_PROGRESS"})


@dataclass(frozen=True, slots=True)
class DeploymentEntry:
    """One entry of DescribeServices' ``deployments[]``."""

    id: str
    status: str  # PRIMARY or ACTIVE
    revision: ServiceRevision
    desired_count: int
    pending_count: int
    running_count: int
    failed_tasks: int
    created_ms: int
    updated_ms: int
    rollout_state: str  # IN_PROGRESS, COMPLETED or FAILED
    rollout_state_reason: str


@dataclass(frozen=True, slots=True)
class ServiceView:
    """What DescribeServices shows of a service the mock tracks (its fields as JSON are
    :mod:`mock_ecs_deployments.protocol.service_fields`)."""

    deployments: tuple[DeploymentEntry, ...]
    current_service_deployment: str | None
    events: tuple[ServiceEvent, ...]  # newest first

    @property
    def task_definition(self) -> str | None:
        """The full ARN of the PRIMARY entry's task definition."""
        return self.deployments[0].revision.task_definition if self.deployments else None

    @property
    def running_count(self) -> int:
        """Tasks running, over every entry."""
        return sum(entry.running_count for entry in self.deployments)

    @property
    def pending_count(self) -> int:
        """Tasks pending, over every entry."""
        return sum(entry.pending_count for entry in self.deployments)

    @property
    def serving(self) -> tuple[DeploymentEntry, ...]:
        """The entries of the revisions serving now (``currentServiceRevisions``): every entry
        but a failed one."""
        return tuple(entry for entry in self.deployments if entry.rollout_state != "FAILED")


def service_view(service: Service) -> ServiceView:
    """The DescribeServices view of ``service`` now (see the module's docstring)."""
    newest = service.latest()
    events = tuple(reversed(service.events))
    if newest is None:
        return ServiceView((), None, events)
    entries = tuple(_counted(service, entry) for entry in _entries(newest, service.desired_count))
    return ServiceView(entries, newest.arn, events)


def _counted(service: Service, entry: DeploymentEntry) -> DeploymentEntry:
    """``entry`` with its revision's running and pending tasks as they are now."""
    running, pending = tasks.counts(service, entry.revision)
    return replace(entry, running_count=running, pending_count=pending)


def _entries(newest: ServiceDeployment, desired: int) -> tuple[DeploymentEntry, ...]:
    """The entries the newest deployment's status makes, their task counts left at 0 for
    :func:`_counted` to take from the tasks."""
    status = newest.status
    source = newest.source_revisions[0] if newest.source_revisions else None
    updated = newest.updated_ms or newest.created_ms
    target = newest.target_revision
    if status == "SUCCESSFUL":
        return (_entry("PRIMARY", target, newest.created_ms, updated, desired, done=True),)
    if status in _UNDER_WAY:
        primary = _entry("PRIMARY", target, newest.created_ms, updated, desired)
        primary = replace(primary, failed_tasks=newest.failure_count)
        return (primary, *_replaced(source, newest.created_ms, desired))
    failed = _failed(newest, "ACTIVE")
    rollback_ms = newest.rollback_started_ms
    if source is None or rollback_ms is None or newest.rollback_revision is None:
        # Stopped, or a first deployment that could not roll back: what ran before (if
        # anything) goes on running beside the deployment that did not finish.
        return (_failed(newest, "PRIMARY"), *_replaced(source, newest.created_ms, desired))
    back = newest.rollback_revision
    if status in _ROLLING_BACK:
        primary = _entry("PRIMARY", back, rollback_ms, updated, desired)
        if newest.breaker_triggered:
            reason = service_events.BREAKER_ROLLBACK_REASON.format(deployment=primary.id)
            primary = replace(primary, rollout_state_reason=reason)
        return (primary, failed)
    if status == "ROLLBACK_SUCCESSFUL":
        return (_entry("PRIMARY", back, rollback_ms, updated, desired, done=True),)
    # ROLLBACK_FAILED: neither revision reached a steady state.
    reason = newest.status_reason or "ECS deployment rollback failed."
    primary = DeploymentEntry(
        deployment_id(back),
        "PRIMARY",
        back,
        desired,
        0,
        0,
        0,
        rollback_ms,
        updated,
        "FAILED",
        reason,
    )
    return (primary, failed)


def _entry(
    status: str,
    revision: ServiceRevision,
    created_ms: int,
    updated_ms: int,
    desired: int,
    *,
    done: bool = False,
) -> DeploymentEntry:
    """A healthy entry: rollout COMPLETED when ``done``, else IN_PROGRESS (its task counts
    are the tasks', filled in by :func:`_counted`)."""
    identifier = deployment_id(revision)
    state, template = (
        ("COMPLETED", service_events.COMPLETED_REASON)
        if done
        else ("IN_PROGRESS", service_events.IN_PROGRESS_REASON)
    )
    return DeploymentEntry(
        identifier,
        status,
        revision,
        desired,
        0,
        0,
        0,
        created_ms,
        updated_ms,
        state,
        template.format(deployment=identifier),
    )


def _replaced(
    source: ServiceRevision | None, since_ms: int, desired: int
) -> tuple[DeploymentEntry, ...]:
    """The ACTIVE entry of the revision a newer deployment replaces, still running."""
    if source is None:
        return ()
    identifier = deployment_id(source)
    return (
        DeploymentEntry(
            identifier,
            "ACTIVE",
            source,
            desired,
            0,
            0,
            0,
            source.created_ms,
            since_ms,
            "COMPLETED",
            service_events.COMPLETED_REASON.format(deployment=identifier),
        ),
    )


def _failed(deployment: ServiceDeployment, status: str) -> DeploymentEntry:
    """The entry of a deployment that failed or was stopped: no tasks of its own left."""
    revision = deployment.target_revision
    failed_tasks = deployment.failure_count
    if deployment.breaker_triggered:  # a recorded one may never have counted its failures
        failed_tasks = max(failed_tasks, breaker_threshold(deployment))
    return DeploymentEntry(
        deployment_id(revision),
        status,
        revision,
        0,
        0,
        0,
        failed_tasks,
        deployment.created_ms,
        deployment.updated_ms or deployment.created_ms,
        "FAILED",
        deployment.status_reason
        or service_events.FAILED_REASON.format(deployment=deployment_id(revision)),
    )
