"""A service's tasks: what its deployments start and stop, task by task.

Counts are never kept apart from the tasks: DescribeServices' ``runningCount`` and
``pendingCount``, each ``deployments[]`` entry's counts, the service deployments' revision
counts and ListTasks all count the same :class:`~..model.records.Task` records, so they agree
at every instant.

A service's tasks are made the first time something needs them (a deployment starting, a
read of the counts), from what its deployments say runs then: a service seeded with a long
history costs nothing until it is looked at. From then on each lifecycle step starts and stops
them (:mod:`.lifecycle`):

- SCALE_UP starts the target revision's tasks PENDING, and each becomes RUNNING in turn, spread
  evenly over the stage; under ROLLING a task of the replaced revision stops as each one runs.
- A deployment that completes leaves the revision the service runs with the desired count of
  running tasks and stops every other task (:func:`settle`), as do a scaling without a
  deployment and a stopped or superseded deployment (back to the revision the service runs).
- A task of a revision whose tasks fail (``backend.fail_tasks``, asked through the service's
  watcher) stops before it runs, with its essential container's exit code: the circuit
  breaker counts it. A revision whose tasks cannot be placed (``backend.fail_placement``)
  starts none.

Every change is written in the service's event log as AWS writes it ("has started 2 tasks",
"has stopped 1 running tasks"). A task stops at once (its ``stoppingAt`` is its ``stoppedAt``).
A service keeps its newest :data:`STOPPED_KEPT` stopped tasks.
"""

from __future__ import annotations

from ..events import service_events
from ..model.records import Service, ServiceDeployment, ServiceRevision, Task, TaskFailure
from . import strategies

_BEFORE_SCALE_UP = frozenset({None, "RECONCILE_SERVICE", "PRE_SCALE_UP"})
#: How many stopped tasks a service keeps (its newest).
STOPPED_KEPT = 100
#: The stop code and reason of a task the service scheduler stopped (replaced or scaled in).
SCHEDULER_STOP = "ServiceSchedulerInitiated"
SCALING_REASON = "Scaling activity initiated by (deployment {deployment})"
#: The stop code and reason of a task whose essential container exited.
CONTAINER_EXITED = "EssentialContainerExited"
CONTAINER_EXITED_REASON = "Essential container in task exited"
#: The stop code of a task that failed to start (an image that cannot be pulled, a secret
#: that cannot be read); its reason is the error's.
FAILED_TO_START = "TaskFailedToStart"


def tasks_of(service: Service) -> list[Task]:
    """The service's tasks, oldest first, made now if nothing needed them before."""
    if service.tasks is None:
        service.tasks = []
        _make(service)
    return service.tasks


def live(service: Service, revision: ServiceRevision | None) -> list[Task]:
    """The tasks of ``revision`` that have not stopped, oldest first."""
    return [
        task for task in tasks_of(service) if task.revision is revision and task.stopped_ms is None
    ]


def counts(service: Service, revision: ServiceRevision) -> tuple[int, int]:
    """``(running, pending)`` tasks of ``revision`` now."""
    running = pending = 0
    for task in tasks_of(service):
        if task.revision is revision and task.stopped_ms is None:
            if task.started_ms is None:
                pending += 1
            else:
                running += 1
    return running, pending


def launch(
    service: Service, revision: ServiceRevision, count: int, at_ms: int, *, running: bool = False
) -> list[Task]:
    """Start ``count`` tasks of ``revision`` at ``at_ms`` (PENDING, or RUNNING at once)."""
    tasks = tasks_of(service)
    new = [
        Task(
            service, service.next_task_id(), revision, at_ms, started_ms=at_ms if running else None
        )
        for _ in range(max(count, 0))
    ]
    tasks.extend(new)
    if new:
        service_events.tasks_started(service, at_ms, [task.id for task in new])
    return new


def run(task: Task, at_ms: int) -> None:
    """A PENDING task reaches RUNNING at ``at_ms``."""
    if task.started_ms is None and task.stopped_ms is None:
        task.started_ms = at_ms
        task.version += 1


def stop(
    service: Service,
    chosen: list[Task],
    at_ms: int,
    code: str,
    reason: str,
    failure: TaskFailure | None = None,
) -> None:
    """Stop ``chosen`` at ``at_ms`` with ``code`` and ``reason`` (and, for a failed task, its
    container's exit code and reason); the running ones are named in the service's events."""
    stopped_running = []
    for task in chosen:
        if task.stopped_ms is not None:
            continue
        if task.started_ms is not None:
            stopped_running.append(task.id)
        task.stopped_ms = at_ms
        task.stop_code, task.stopped_reason = code, reason
        if failure is not None:
            task.exit_code, task.container_reason = failure.exit_code, failure.reason
        task.version += 1
    if stopped_running:
        service_events.tasks_stopped(service, at_ms, stopped_running)
    _forget_old(service)


def settle(service: Service, revision: ServiceRevision | None, at_ms: int) -> None:
    """Leave ``revision`` (``None``: no revision) with the service's desired count of
    RUNNING tasks, and stop every other task: what a deployment's end and a scaling do."""
    tasks = tasks_of(service)
    keep = [] if revision is None else live(service, revision)
    surplus = [
        task
        for task in tasks
        if task.stopped_ms is None and (revision is None or task.revision is not revision)
    ]
    desired = service.desired_count
    if len(keep) > desired:
        surplus.extend(keep[desired:])
        keep = keep[:desired]
    for task in keep:
        run(task, at_ms)
    by = service_events.deployment_id(revision) if revision is not None else _by(service)
    stop(service, surplus, at_ms, SCHEDULER_STOP, SCALING_REASON.format(deployment=by))
    if revision is not None and len(keep) < desired:
        launch(service, revision, desired - len(keep), at_ms, running=True)


def replace_one(deployment: ServiceDeployment, at_ms: int) -> None:
    """ROLLING: one task of the replaced revision stops as a target task runs."""
    source = deployment.source_revisions[0] if deployment.source_revisions else None
    if source is None:
        return
    old = live(deployment.service, source)
    if old:
        reason = SCALING_REASON.format(
            deployment=service_events.deployment_id(deployment.target_revision)
        )
        stop(deployment.service, old[-1:], at_ms, SCHEDULER_STOP, reason)


def fail_one(deployment: ServiceDeployment, at_ms: int, failure: TaskFailure) -> None:
    """A target task stops before it ran: its essential container exited, or (``cannot
    start``) it failed to start."""
    service = deployment.service
    pending = [
        task for task in live(service, deployment.target_revision) if task.started_ms is None
    ]
    chosen = pending[:1] or launch(service, deployment.target_revision, 1, at_ms)
    if failure.cannot_start is not None:
        stop(service, chosen, at_ms, FAILED_TO_START, failure.cannot_start)
        for task in chosen:
            task.container_reason = failure.cannot_start
    else:
        stop(service, chosen, at_ms, CONTAINER_EXITED, CONTAINER_EXITED_REASON, failure)
    deployment.failure_count += 1


def scale(service: Service, at_ms: int) -> None:
    """The desired count changed without a deployment: when no deployment is under way, the
    revision the service runs scales to it now (an ongoing deployment ends with it)."""
    newest = service.latest()
    if newest is None or service.ongoing or newest.status in ("PENDING", "IN_PROGRESS"):
        return
    settle(service, service.current_revision, at_ms)


def _by(service: Service) -> str:
    current = service.current_revision
    return service_events.deployment_id(current) if current is not None else "none"


def _make(service: Service) -> None:
    """The tasks the service's deployments say run now, made before any step moves them."""
    newest = service.latest()
    if newest is None:
        return
    desired = newest.desired_count if not newest.completed else service.desired_count
    status = newest.status
    source = newest.source_revisions[0] if newest.source_revisions else None
    target = newest.target_revision
    shown: list[tuple[ServiceRevision | None, int, bool]] = []  # (revision, count, running)
    if status == "SUCCESSFUL":
        shown.append((target, desired, True))
    elif status in ("ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL"):
        shown.append((newest.rollback_revision, desired, True))
    elif status == "IN_PROGRESS" and newest.lifecycle_stage in _BEFORE_SCALE_UP:
        shown.append((source, desired, True))
    elif status == "IN_PROGRESS" and newest.lifecycle_stage == "SCALE_UP":
        # Scaling up: the target's tasks started, those not yet running PENDING.
        up = min(newest.scaled, desired)
        shown += [(target, up, True), (target, desired - up, False)]
        replaced = up if not strategies.shifts_traffic(newest.configuration) else 0
        shown.append((source, desired - replaced, True))
    elif status == "IN_PROGRESS":  # scaled up: the replaced revision runs on only to shift
        shown.append((target, desired, True))
        if strategies.shifts_traffic(newest.configuration):
            shown.append((source, desired, True))
    elif status != "ROLLBACK_FAILED":  # pending, or stopped: what ran before goes on
        shown.append((source, desired, True))
    assert service.tasks is not None
    for revision, count, running in shown:
        if revision is None:
            continue
        since = revision.created_ms
        service.tasks.extend(
            Task(
                service,
                service.next_task_id(),
                revision,
                since,
                started_ms=since if running else None,
            )
            for _ in range(count)
        )


def _forget_old(service: Service) -> None:
    tasks = service.tasks or []
    stopped = sum(1 for task in tasks if task.stopped_ms is not None)
    if stopped <= STOPPED_KEPT:
        return
    extra = stopped - STOPPED_KEPT
    kept = []
    for task in tasks:
        if extra and task.stopped_ms is not None:
            extra -= 1
            continue
        kept.append(task)
    service.tasks = kept


__all__ = [
    "CONTAINER_EXITED",
    "CONTAINER_EXITED_REASON",
    "FAILED_TO_START",
    "SCALING_REASON",
    "SCHEDULER_STOP",
    "STOPPED_KEPT",
    "counts",
    "fail_one",
    "launch",
    "live",
    "replace_one",
    "run",
    "scale",
    "settle",
    "stop",
    "tasks_of",
]
