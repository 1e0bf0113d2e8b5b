"""The records of managed daemons: daemon task definitions, capacity providers, daemons, their
revisions and their deployments.

A daemon runs one task on every instance of its capacity providers, so its deployments count
instances, not tasks. Timestamps are whole epoch milliseconds, as in :mod:`.records`; ARNs are
built when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from . import arns
from .clock import from_ms
from .pagination import sort_key

#: A JSON object kept as it was given (a container definition, a volume, a tag).
JsonObject = dict[str, object]


class DaemonWatcher(Protocol):
    """Who brings a daemon up to time (its backend), told when one of its deployments has a
    step due, and asked how many instances a capacity provider has."""

    def due(self, record: Daemon, at_ms: int) -> None:
        """A deployment of ``record`` has a step due at ``at_ms``."""
        ...

    def instances(self, capacity_provider_arn: str) -> int:
        """How many instances the capacity provider has (0 for one the mock was not told of)."""
        ...

    def runs(self, record: Daemon, task_definition_arn: str | None) -> None:
        """``record``'s settings now name ``task_definition_arn`` (a rollback put it back)."""
        ...

    def alarm_state(self, record: Daemon, name: str) -> tuple[str, int] | None:
        """A CloudWatch alarm's state and when it changed (epoch ms), else None."""
        ...

    def watching_alarms(self, record: Daemon, watching: bool) -> None:
        """``record`` has (or no longer has) a deployment watching alarms."""
        ...

    def drained(self, record: Daemon) -> None:
        """The deployment DeleteDaemon started ended: ``record`` is gone."""
        ...


@dataclass(slots=True, eq=False)
class DaemonTaskDefinition:
    """One revision of a daemon task definition family."""

    region: str
    account_id: str
    family: str
    revision: int
    container_definitions: list[JsonObject]
    registered_ms: int
    registered_by: str
    task_role_arn: str | None = None
    execution_role_arn: str | None = None
    cpu: str | None = None
    memory: str | None = None
    volumes: list[JsonObject] | None = None
    tags: list[JsonObject] | None = None
    pid_mode: str | None = None
    ipc_mode: str | None = None
    status: str = "ACTIVE"
    delete_requested_ms: int | None = None
    # The daemons whose settings name it (by ARN): deleted, it is DELETED once none does.
    users: set[str] = field(default_factory=set)

    @property
    def arn(self) -> str:
        """``...:daemon-task-definition/<family>:<revision>``."""
        return arns.daemon_task_definition_arn(
            self.region, self.account_id, self.family, self.revision
        )


@dataclass(slots=True, eq=False)
class CapacityProvider:
    """A Managed Instances capacity provider as the mock was told of it: its instances."""

    region: str
    account_id: str
    name: str
    cluster: str
    instances: int = 1

    @property
    def arn(self) -> str:
        """``...:capacity-provider/<name>``."""
        return arns.capacity_provider_arn(self.region, self.account_id, self.name)


@dataclass(slots=True, eq=False)
class DaemonRevision:
    """What a daemon deployment deploys, snapshotted when it starts: immutable."""

    daemon: Daemon
    id: str
    task_definition_arn: str
    created_ms: int
    container_images: list[dict[str, str]]
    propagate_tags: str = "NONE"
    enable_ecs_managed_tags: bool = False
    enable_execute_command: bool = False
    critical: bool = True

    @property
    def arn(self) -> str:
        """``...:daemon-revision/<cluster>/<daemon>/<id>``."""
        return self.daemon.child_arn("daemon-revision", self.id)

    @property
    def created_at(self) -> datetime:
        """When the revision was made (UTC, millisecond precision)."""
        return from_ms(self.created_ms)


#: Instances of one revision on one capacity provider: ``(revision id, capacity provider ARN)``.
Placement = tuple[str, str]


@dataclass(slots=True, eq=False)
class DaemonDeployment:
    """One daemon deployment (CreateDaemon, UpdateDaemon or DeleteDaemon started it)."""

    daemon: Daemon
    id: str
    sequence: int
    created_ms: int
    # None for the deployment DeleteDaemon starts: it only drains.
    target: DaemonRevision | None
    sources: list[DaemonRevision]
    capacity_providers: tuple[str, ...]
    configuration: dict[str, Any]
    status: str = "PENDING"
    status_reason: str | None = None
    started_ms: int | None = None
    stopped_ms: int | None = None
    finished_ms: int | None = None
    updated_ms: int | None = None
    # Instances per capacity provider when it was made, and where they run: how many run (and
    # drain) each revision on each capacity provider, moved batch by batch.
    instances: dict[str, int] = field(default_factory=dict)
    running: dict[Placement, int] = field(default_factory=dict)
    draining: dict[Placement, int] = field(default_factory=dict)
    batches: int = 0
    batch: int = 0
    # Following a plan (lifecycle.Plan) and the next scheduled step.
    plan: Any = None
    next_step: str | None = None
    next_ms: int | None = None
    next_strict: bool = False
    # The circuit breaker and the alarms; a rollback once it began.
    failure_count: int = 0
    threshold: int = 3
    breaker_triggered: bool = False
    triggered_alarms: list[str] = field(default_factory=list)
    # Watching CloudWatch alarms (deploymentConfiguration.alarms) while IN_PROGRESS: what each
    # alarm showed when last looked at, and when that was.
    alarms_seen: dict[str, str] | None = None
    alarms_seen_ms: int = 0
    rollback_started_ms: int | None = None
    rollback_reason: str | None = None
    rollback_target: DaemonRevision | None = None
    outcome_reason: str | None = None
    # (at ms, status) from its creation on, one per change.
    history: list[tuple[int, str]] = field(default_factory=list)

    @property
    def sort_key(self) -> int:
        """The packed ``(createdAt, sequence)`` key the daemon's order is kept by."""
        return sort_key(self.created_ms, self.sequence)

    @property
    def arn(self) -> str:
        """``...:daemon-deployment/<cluster>/<daemon>/<id>``."""
        return self.daemon.child_arn("daemon-deployment", self.id)

    @property
    def revisions(self) -> list[DaemonRevision]:
        """Its target (if any), then its sources."""
        return ([self.target] if self.target is not None else []) + self.sources


@dataclass(slots=True, eq=False)
class Daemon:
    """A managed daemon: the settings its next deployment deploys, and its deployments."""

    region: str
    account_id: str
    cluster: str
    name: str
    sequence: int
    created_ms: int
    task_definition_arn: str
    capacity_provider_arns: tuple[str, ...]
    deployment_configuration: dict[str, Any] = field(default_factory=dict)
    propagate_tags: str = "NONE"
    enable_ecs_managed_tags: bool = False
    enable_execute_command: bool = False
    critical: bool = True
    tags: list[JsonObject] | None = None
    # ACTIVE, DELETE_IN_PROGRESS; DELETED (the mock's own: gone from DescribeDaemon and
    # ListDaemons, its deployments and revisions still described).
    status: str = "ACTIVE"
    updated_ms: int | None = None
    watcher: DaemonWatcher | None = field(default=None, repr=False)
    deployments: list[DaemonDeployment] = field(default_factory=list)
    keys: list[int] = field(default_factory=list)
    by_id: dict[str, DaemonDeployment] = field(default_factory=dict)
    revisions: dict[str, DaemonRevision] = field(default_factory=dict)
    # The deployment that follows a plan and has not completed (at most one moves).
    ongoing: DaemonDeployment | None = None

    @property
    def arn(self) -> str:
        """``...:daemon/<cluster>/<name>``."""
        return arns.daemon_arn(self.region, self.account_id, self.cluster, self.name)

    def child_arn(self, kind: str, identifier: str) -> str:
        """The ARN of its ``daemon-deployment`` or ``daemon-revision`` ``identifier``."""
        return arns.daemon_child_arn(
            kind, self.region, self.account_id, self.cluster, self.name, identifier
        )

    @property
    def cluster_arn(self) -> str:
        """The ARN of the daemon's cluster."""
        return arns.cluster_arn(self.region, self.account_id, self.cluster)

    @property
    def sort_key(self) -> int:
        """The packed ``(createdAt, sequence)`` key ListDaemons orders by."""
        return sort_key(self.created_ms, self.sequence)

    def latest(self) -> DaemonDeployment | None:
        """Its newest deployment."""
        return self.deployments[-1] if self.deployments else None
