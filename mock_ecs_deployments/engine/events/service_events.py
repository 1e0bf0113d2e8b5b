"""What a service's deployments tell as they move: the ``events`` DescribeServices shows.

Each transition that AWS reports in a service's event log adds its messages here, at the
transition's own time (the lifecycle applies a step at the time it was due, even when a read
notices it later), so the log reads as AWS's would. AWS keeps a service's newest 100 events;
so does the mock.
"""

from __future__ import annotations

import uuid
from bisect import insort
from dataclasses import dataclass, field

from ..model.arns import format_revision_id
from ..model.randomness import random_source
from ..model.records import Service, ServiceDeployment, ServiceRevision
from . import deployment_events

#: How many events DescribeServices shows of a service (its newest).
EVENTS_KEPT = 100

STEADY_STATE = "(service {service}) has reached a steady state."
COMPLETED = "(service {service}) (deployment {deployment}) deployment completed."
FAILED = "(service {service}) (deployment {deployment}) deployment failed: {why}"
ROLLING_BACK = "(service {service}) rolling back to deployment {deployment}."
STOPPED = "(service {service}) (deployment {deployment}) deployment stopped: {why}"
TASKS_STARTED = "(service {service}) has started {count} tasks: {tasks}."
UNABLE_TO_PLACE = "(service {service}) was unable to place a task{why}"
TASKS_STOPPED = "(service {service}) has stopped {count} running tasks: {tasks}."
# A deployment's rolloutStateReason in DescribeServices, and the reason of its EventBridge
# events.
IN_PROGRESS_REASON = "ECS deployment {deployment} in progress."
COMPLETED_REASON = "ECS deployment {deployment} completed."
FAILED_REASON = "ECS deployment {deployment} failed."
BREAKER_ROLLBACK_REASON = (
    "ECS deployment circuit breaker: rolling back to deploymentId {deployment}."
)


@dataclass(slots=True, order=True)
class ServiceEvent:
    """One entry of a service's event log (ordered by time, then by when it was made)."""

    created_ms: int
    sequence: int
    message: str = field(compare=False)
    # Made when the event is first shown: seeding a long history makes no ids nobody reads.
    shown_id: str = field(default="", compare=False)

    @property
    def id(self) -> str:
        """The event's id (a UUID, the same at every read)."""
        if not self.shown_id:
            self.shown_id = str(uuid.UUID(int=random_source().getrandbits(128), version=4))
        return self.shown_id


def deployment_id(revision: ServiceRevision) -> str:
    """The ``ecs-svc/<n>`` id DescribeServices gives the deployment of ``revision``: ``<n>``
    is the last part of the revision's ARN, the link tools follow between the two APIs."""
    return f"ecs-svc/{format_revision_id(revision.id)}"


def add(service: Service, at_ms: int, template: str, **facts: str) -> None:
    """Add one event, ``template`` filled in with the service's name and ``facts``."""
    service.event_sequence += 1
    event = ServiceEvent(
        at_ms, service.event_sequence, template.format(service=service.name, **facts)
    )
    insort(service.events, event)
    if len(service.events) > EVENTS_KEPT:
        del service.events[0]


def tasks_started(service: Service, at_ms: int, task_ids: list[str]) -> None:
    """The service started the tasks ``task_ids`` at ``at_ms``."""
    named = " ".join(f"(task {task_id})" for task_id in task_ids)
    add(service, at_ms, TASKS_STARTED, count=str(len(task_ids)), tasks=named)


def tasks_stopped(service: Service, at_ms: int, task_ids: list[str]) -> None:
    """The service stopped the running tasks ``task_ids`` at ``at_ms``."""
    named = " ".join(f"(task {task_id})" for task_id in task_ids)
    add(service, at_ms, TASKS_STOPPED, count=str(len(task_ids)), tasks=named)


def unable_to_place(
    service: Service, at_ms: int, revision: ServiceRevision, reason: str | None
) -> None:
    """The service could not place a task of ``revision`` at ``at_ms``, for ``reason`` (by
    default AWS's for the revision's launch type)."""
    if revision.launch_type in ("EC2", "EXTERNAL"):
        lead = " because no container instance met all of its requirements."
        reason = reason or "No Container Instances were found in your cluster."
    else:
        lead = "."
        reason = reason or (
            "Capacity is unavailable at this time. Please try again later or in a different"
            " availability zone."
        )
    ending = "" if reason.endswith(".") else "."
    add(service, at_ms, UNABLE_TO_PLACE, why=f"{lead} Reason: {reason}{ending}")


def started(deployment: ServiceDeployment, at_ms: int) -> None:
    """A deployment went IN_PROGRESS at ``at_ms``: AWS writes no service event for it, and
    sends its SERVICE_DEPLOYMENT_IN_PROGRESS event."""
    if deployment.service.latest() is not deployment:
        return
    identifier = deployment_id(deployment.target_revision)
    deployment_events.deployment_state_change(
        deployment.service,
        at_ms,
        deployment_events.IN_PROGRESS,
        identifier,
        IN_PROGRESS_REASON.format(deployment=identifier),
    )


def completed(
    deployment: ServiceDeployment, status: str, at_ms: int, *, announce: bool = True
) -> None:
    """The events of a deployment that ended in ``status`` at ``at_ms``, when it is the
    service's newest (an older one's end changes nothing the service shows). ``announce``:
    also its EventBridge events (not for a history recorded as already past)."""
    service = deployment.service
    if service.latest() is not deployment:
        return
    revision = None
    if status == "SUCCESSFUL":
        revision = deployment.target_revision
    elif status == "ROLLBACK_SUCCESSFUL" and deployment.rollback_revision is not None:
        revision = deployment.rollback_revision
    if revision is not None:
        identifier = deployment_id(revision)
        add(service, at_ms, COMPLETED, deployment=identifier)
        add(service, at_ms, STEADY_STATE)
        if announce:
            deployment_events.deployment_state_change(
                service,
                at_ms,
                deployment_events.COMPLETED,
                identifier,
                COMPLETED_REASON.format(deployment=identifier),
            )
            deployment_events.steady_state(service, at_ms)
    elif status in ("ROLLBACK_FAILED", "STOPPED"):
        # A deployment the circuit breaker or an alarm stopped (their rollback off) failed, as
        # one whose rollback failed did.
        failed_here = (
            status == "ROLLBACK_FAILED"
            or deployment.breaker_triggered
            or bool(deployment.triggered_alarms)
        )
        template = FAILED if failed_here else STOPPED
        why = _sentence(deployment.status_reason or status)
        add(service, at_ms, template, deployment=deployment_id(deployment.target_revision), why=why)
        if announce and failed_here:
            # The rollback's own deployment failed (or, with nothing to go back to, the first).
            failed = deployment.rollback_revision or deployment.target_revision
            deployment_events.deployment_state_change(
                service,
                at_ms,
                deployment_events.FAILED,
                deployment_id(failed),
                deployment.status_reason or FAILED_REASON.format(deployment=deployment_id(failed)),
            )


def rolling_back(
    deployment: ServiceDeployment, at_ms: int, *, failed: bool = True, announce: bool = True
) -> None:
    """The events of a deployment whose rollback to its source revision began at ``at_ms``.
    ``failed``: the deployment failed on its own (else a user asked for the rollback), which
    AWS announces with SERVICE_DEPLOYMENT_FAILED before the rollback's IN_PROGRESS."""
    service, source = deployment.service, deployment.rollback_revision
    if service.latest() is not deployment or source is None:
        return
    why = _sentence(deployment.status_reason or "rolled back")
    target, back = deployment_id(deployment.target_revision), deployment_id(source)
    add(service, at_ms, FAILED, deployment=target, why=why)
    add(service, at_ms, ROLLING_BACK, deployment=back)
    if not announce:
        return
    if failed:
        deployment_events.deployment_state_change(
            service,
            at_ms,
            deployment_events.FAILED,
            target,
            deployment.status_reason or FAILED_REASON.format(deployment=target),
        )
    template = BREAKER_ROLLBACK_REASON if deployment.breaker_triggered else IN_PROGRESS_REASON
    deployment_events.deployment_state_change(
        service, at_ms, deployment_events.IN_PROGRESS, back, template.format(deployment=back)
    )


def _sentence(reason: str) -> str:
    """A reason as the tail of an event message: AWS's circuit-breaker reason loses its
    ``ECS deployment circuit breaker:`` prefix (``tasks failed to start.``)."""
    prefix = "ECS deployment circuit breaker: "
    reason = reason[len(prefix) :] if reason.startswith(prefix) else reason
    reason = reason[:1].lower() + reason[1:]
    return reason if reason.endswith(".") else reason + "."
