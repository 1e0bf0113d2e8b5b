"""The records a backend holds: services, service revisions and service deployments.

Timestamps are whole epoch milliseconds (``*_ms``), the precision AWS returns, so what a client
reads back is exactly what filters compare. ARNs are built from the owning service when asked
for rather than stored, which keeps a stored deployment small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from . import arns
from .clock import from_ms
from .pagination import place, sort_key

#: A JSON object kept as it was given (a network configuration, a load balancer, a capacity
#: provider strategy item): the engine echoes it and compares it, never reads inside it.
JsonObject = dict[str, object]

COMPLETED_STATUSES = frozenset({"SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})


class ServiceWatcher(Protocol):
    """Who keeps the sets of services that need work (their backend), told when a service
    starts or stops having deployments that move with time, and when another ECS holding the
    service (a peer, such as moto beside the mock) must be brought in step with it."""

    def moving(self, service: Service, moving: bool) -> None:
        """``service`` now has (``True``) or no longer has ongoing planned deployments."""
        ...

    def out_of_step(self, service: Service) -> None:
        """The peer's record of ``service`` must be made or updated."""
        ...

    def due(self, service: Service, at_ms: int) -> None:
        """A deployment of ``service`` has a step due at ``at_ms``."""
        ...

    def task_failure(self, revision: ServiceRevision) -> TaskFailure | None:
        """How the tasks of ``revision`` fail, when a test said they do."""
        ...

    def alarm_state(self, service: Service, name: str) -> tuple[str, int] | None:
        """A CloudWatch alarm's state and when it last changed (epoch ms), or ``None`` for an
        alarm nobody made."""
        ...

    def watching_alarms(self, service: Service, watching: bool) -> None:
        """``service`` now has (``True``) or no longer has a deployment watching alarms."""
        ...

    def task_made(self, service: Service, task_id: str) -> None:
        """``service`` has a task ``task_id`` (for finding it by its id alone)."""
        ...


@dataclass(frozen=True, slots=True)
class TaskFailure:
    """A test's word that the tasks of a task definition fail: each stops with its essential
    container exited, ``exit_code`` and the container's ``reason``; or that they fail to start
    (``cannot_start``); or (``unplaceable``) that
    none can be placed, for that reason, and none starts."""

    exit_code: int = 1
    reason: str | None = None
    unplaceable: str | None = None
    #: Set: the tasks fail to start (TaskFailedToStart) for this reason, such as an image
    #: that cannot be pulled; no container runs, so none has an exit code.
    cannot_start: str | None = None


@dataclass(slots=True, eq=False)
class Service:
    """An ECS service as far as deployments are concerned."""

    region: str
    account_id: str
    cluster: str
    name: str
    desired_count: int = 1
    deployment_controller: str = "ECS"
    launch_type: str | None = "FARGATE"
    capacity_provider_strategy: list[JsonObject] | None = None
    platform_version: str | None = None
    network_configuration: JsonObject | None = None
    load_balancers: list[JsonObject] = field(default_factory=list)
    service_registries: list[JsonObject] = field(default_factory=list)
    deployment_configuration: dict[str, Any] = field(default_factory=dict)
    task_definition: str | None = None
    status: str = "ACTIVE"
    # The record another ECS beside the mock (a peer: moto) keeps of this service, opaque to
    # the engine: if the peer deletes or replaces it, this service and its history go too.
    peer_record: object = None
    # Told when the service starts or stops moving, or falls out of step with its peer.
    watcher: ServiceWatcher | None = field(default=None, repr=False)
    # Deployments ordered by ``(created_ms, sequence)``; ``keys`` holds the packed sort key of
    # each, so a createdAt window or a resume position is found by bisection.
    deployments: list[ServiceDeployment] = field(default_factory=list)
    keys: list[int] = field(default_factory=list)
    by_id: dict[str, ServiceDeployment] = field(default_factory=dict)
    revisions: dict[int, ServiceRevision] = field(default_factory=dict)
    # Deployments that follow a plan and have not completed: advanced on every read.
    ongoing: dict[str, ServiceDeployment] = field(default_factory=dict)
    # The revision the service runs now (what a new deployment's source is).
    current_revision: ServiceRevision | None = None
    # What DescribeServices shows in ``events`` (service_events.ServiceEvent, oldest first).
    events: list[Any] = field(default_factory=list)
    event_sequence: int = 0
    # Its tasks, oldest first (see deployments/tasks.py); None until something first needs
    # them, when they are made from what its deployments say runs.
    tasks: list[Task] | None = None
    tasks_made: int = 0

    @property
    def arn(self) -> str:
        """The ARN: ``arn:<partition>:ecs:<region>:<account>:service/<cluster>/<name>``."""
        return arns.service_arn(self.region, self.account_id, self.cluster, self.name)

    @property
    def cluster_arn(self) -> str:
        """The ARN of the service's cluster."""
        return arns.cluster_arn(self.region, self.account_id, self.cluster)

    def insert(self, deployment: ServiceDeployment) -> None:
        """Place ``deployment`` in createdAt order (appending is the common, O(1) case)."""
        place(self.keys, self.deployments, deployment)
        self.by_id[deployment.id] = deployment

    def follow(self, deployment: ServiceDeployment) -> None:
        """Advance ``deployment`` on every read from now on, until it completes."""
        first = not self.ongoing
        self.ongoing[deployment.id] = deployment
        if first and self.watcher is not None:
            self.watcher.moving(self, True)

    def unfollow(self, deployment: ServiceDeployment) -> None:
        """``deployment`` completed: it no longer moves."""
        stopped = self.ongoing.pop(deployment.id, None) is not None and not self.ongoing
        if stopped and self.watcher is not None:
            self.watcher.moving(self, False)

    def due(self, at_ms: int) -> None:
        """One of its deployments has a step due at ``at_ms``: tell the watcher, which brings
        the service up to time then (and not before) for a reader who asks nothing of it."""
        if self.watcher is not None:
            self.watcher.due(self, at_ms)

    def put_task_definition(self, task_definition: str | None) -> None:
        """What the service runs changed outside a request to its peer: tell the watcher."""
        self.task_definition = task_definition
        if self.watcher is not None:
            self.watcher.out_of_step(self)

    def latest(self) -> ServiceDeployment | None:
        """The deployment with the greatest ``(createdAt, sequence)``."""
        return self.deployments[-1] if self.deployments else None

    def next_task_id(self) -> str:
        """The id of the next task the service starts (told to the watcher)."""
        self.tasks_made += 1
        task_id = arns.task_id(self.arn, self.tasks_made)
        if self.watcher is not None:
            self.watcher.task_made(self, task_id)
        return task_id

    def task_failure(self, revision: ServiceRevision) -> TaskFailure | None:
        """How the tasks of ``revision`` fail (asked of the watcher), or ``None``."""
        return None if self.watcher is None else self.watcher.task_failure(revision)


@dataclass(slots=True, eq=False)
class ServiceRevision:
    """What a deployment deploys: a task definition and the settings it runs with."""

    service: Service
    id: int
    task_definition: str
    created_ms: int
    launch_type: str | None = "FARGATE"
    capacity_provider_strategy: list[JsonObject] | None = None
    platform_version: str | None = None
    platform_family: str | None = None
    network_configuration: JsonObject | None = None
    load_balancers: list[JsonObject] = field(default_factory=list)
    service_registries: list[JsonObject] = field(default_factory=list)
    # None: derived from the task definition when asked for (most revisions), which keeps a
    # stored revision small.
    container_images: list[dict[str, str]] | None = None

    @property
    def arn(self) -> str:
        """The revision's ARN, its id written as AWS writes it (19 digits)."""
        service = self.service
        return arns.service_revision_arn(
            service.region, service.account_id, service.cluster, service.name, self.id
        )

    @property
    def created_at(self) -> datetime:
        """When the revision was made (UTC, millisecond precision)."""
        return from_ms(self.created_ms)


@dataclass(slots=True, eq=False)
class ServiceDeployment:
    """One service deployment. The public attributes are what a test may read back."""

    service: Service
    id: str
    sequence: int
    created_ms: int
    status: str
    target_revision: ServiceRevision
    source_revisions: list[ServiceRevision] = field(default_factory=list)
    status_reason: str | None = None
    started_ms: int | None = None
    finished_ms: int | None = None
    stopped_ms: int | None = None
    updated_ms: int | None = None
    # The service's deploymentConfiguration when the deployment was made (shared, never
    # mutated) and its desired count then.
    configuration: dict[str, Any] | None = None
    desired_count: int = 1
    lifecycle_stage: str | None = None
    hooks: list[Any] | None = None
    # While IN_PROGRESS on a plan: the segments it walks (strategies.Segment), the one it is
    # in, and the target revision's (production, test) traffic weights there.
    walk: tuple[Any, ...] = ()
    segment: int = 0
    traffic: tuple[float, float] = (0.0, 0.0)
    # Following a plan (see lifecycle.py): the plan and the next scheduled step.
    plan: Any = None
    next_step: str | None = None
    next_ms: int | None = None
    next_strict: bool = False
    # Set once a rollback began.
    rollback_started_ms: int | None = None
    rollback_revision: ServiceRevision | None = None
    rollback_outcome: str | None = None
    breaker_triggered: bool = False
    # Target tasks that stopped before they ran (what the circuit breaker counts), and how
    # many of its target tasks reached RUNNING while it scaled up.
    failure_count: int = 0
    scaled: int = 0
    # Tries to place a task that could not be placed (they count towards no threshold).
    placement_attempts: int = 0
    # Watching CloudWatch alarms (deploymentConfiguration.alarms): the names that fired, what
    # each alarm showed when last looked at, and when that was.
    triggered_alarms: list[str] = field(default_factory=list)
    alarms_seen: dict[str, str] | None = None
    alarms_seen_ms: int = 0
    # When SCALE_UP began to run (its task steps are timed from then).
    scale_from_ms: int = 0
    # Following a plan: what it showed from each moment on (lifecycle.Moment), oldest first,
    # from its creation (or, restored part-way, from its ``updated_at``); None for one that
    # never moved (seeded with a status).
    history: list[Any] | None = None

    @property
    def sort_key(self) -> int:
        """The packed ``(createdAt, sequence)`` key the service's order is kept by."""
        return sort_key(self.created_ms, self.sequence)

    @property
    def arn(self) -> str:
        """The deployment's ARN."""
        service = self.service
        return arns.service_deployment_arn(
            service.region, service.account_id, service.cluster, service.name, self.id
        )

    @property
    def service_arn(self) -> str:
        """The ARN of the deployment's service."""
        return self.service.arn

    @property
    def cluster_arn(self) -> str:
        """The ARN of the deployment's cluster."""
        return self.service.cluster_arn

    @property
    def target_revision_arn(self) -> str:
        """The ARN of the revision the deployment deploys."""
        return self.target_revision.arn

    @property
    def created_at(self) -> datetime:
        """When the deployment was created (UTC, millisecond precision)."""
        return from_ms(self.created_ms)

    @property
    def started_at(self) -> datetime | None:
        """When it started (UTC), or ``None`` if it never did (PENDING, or stopped before)."""
        return None if self.started_ms is None else from_ms(self.started_ms)

    @property
    def finished_at(self) -> datetime | None:
        """When it finished (UTC), or ``None`` until it completed."""
        return None if self.finished_ms is None else from_ms(self.finished_ms)

    @property
    def stopped_at(self) -> datetime | None:
        """When it was stopped (UTC), or ``None`` unless it is STOPPED."""
        return None if self.stopped_ms is None else from_ms(self.stopped_ms)

    @property
    def updated_at(self) -> datetime | None:
        """When its status or stage last changed (UTC)."""
        return None if self.updated_ms is None else from_ms(self.updated_ms)

    @property
    def completed(self) -> bool:
        """Whether its status is final (SUCCESSFUL, STOPPED or a finished rollback)."""
        return self.status in COMPLETED_STATUSES


@dataclass(slots=True, eq=False)
class Task:
    """One task of a service. Its times are epoch milliseconds; a task stops at once (its
    stopping and stopped times are the same)."""

    service: Service
    id: str
    revision: ServiceRevision
    created_ms: int
    started_ms: int | None = None
    stopped_ms: int | None = None
    stop_code: str | None = None
    stopped_reason: str | None = None
    exit_code: int | None = None
    container_reason: str | None = None
    #: Bumped on every change, as AWS's ``version``.
    version: int = 1

    @property
    def arn(self) -> str:
        """``...:task/<cluster>/<id>``."""
        service = self.service
        return arns.task_arn(service.region, service.account_id, service.cluster, self.id)

    @property
    def started_by(self) -> str:
        """``ecs-svc/<n>``: the id DescribeServices gives the deployment of its revision."""
        return f"ecs-svc/{arns.format_revision_id(self.revision.id)}"

    @property
    def last_status(self) -> str:
        """PENDING until it runs, RUNNING, then STOPPED."""
        if self.stopped_ms is not None:
            return "STOPPED"
        return "PENDING" if self.started_ms is None else "RUNNING"

    @property
    def desired_status(self) -> str:
        """RUNNING until it stops."""
        return "STOPPED" if self.stopped_ms is not None else "RUNNING"
