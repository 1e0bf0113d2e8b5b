"""``ServiceDeploymentBackend``: the state of one account in one region.

The backend knows nothing of HTTP: it filters, pages and changes state, raising the modeled
errors of :mod:`mock_ecs_deployments.engine.model.exceptions`. One lock guards each backend,
so every public method is safe to call from many threads. The records a method returns are
live: a caller that reads them as one view (the protocol layer encoding a page or a describe
answer) holds ``lock`` from the call to its last read, so no other thread's step lands in
between.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from ..deployments import lifecycle
from ..model import arns, pagination, validation
from ..model.clock import now_ms
from ..model.daemon_records import Daemon
from ..model.exceptions import (
    ClusterNotFoundException,
    InvalidParameterException,
    ServiceDeploymentNotFoundException,
    ServiceNotFoundException,
)
from ..model.pagination import describe_each, enum_parameter, status_filter
from ..model.records import (
    Service,
    ServiceDeployment,
    ServiceRevision,
    Task,
    TaskFailure,
)
from ..seeding.adding import SeedingMixin
from .daemons import DaemonsMixin

MAX_RESULTS_DEFAULT = 20
FoundT = TypeVar("FoundT")
#: A CloudWatch alarm's states.
ALARM_STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")
# Only services with the ECS deployment controller have service deployments.
_CONTROLLERS_WITH_DEPLOYMENTS = frozenset({"ECS"})


class ServicePeer(Protocol):
    """Another ECS holding services of the same accounts and regions beside the mock (moto's,
    through :mod:`mock_ecs_deployments.beside_moto`). The engine asks it only these questions."""

    def has_cluster(self, backend: ServiceDeploymentBackend, cluster: str) -> bool:
        """Whether the peer holds ``cluster`` in ``backend``'s account and region."""
        ...

    def follow(self, backend: ServiceDeploymentBackend, cluster: str, service: str) -> None:
        """Bring ``backend``'s record of the service in step with the peer's: adopt one only
        the peer holds, delete one the peer deleted or replaced. The caller holds the lock."""
        ...

    def container_images(
        self, backend: ServiceDeploymentBackend, task_definition_arn: str
    ) -> list[dict[str, str]] | None:
        """The containers (name and image) of a task definition the peer holds, else None."""
        ...

    def alarm_state(self, backend: ServiceDeploymentBackend, name: str) -> tuple[str, int] | None:
        """A CloudWatch alarm the peer's CloudWatch holds in ``backend``'s account and region:
        its state and when it last changed (epoch ms, on the mock's clock), else None."""
        ...


class ServiceDeploymentBackend(SeedingMixin, DaemonsMixin):
    """Clusters, services, revisions and deployments of one account in one region, and its
    managed daemons (:class:`~.daemons.DaemonsMixin`).

    Seeding methods (``add_service``, ``add_deployment``, ``start_deployment``,
    ``plan_next_deployment``) come from
    :class:`~mock_ecs_deployments.engine.seeding.adding.SeedingMixin`.
    """

    def __init__(
        self,
        region_name: str,
        account_id: str,
        default_plan: Callable[[], lifecycle.Plan | None] = lambda: None,
        peer: Callable[[], ServicePeer | None] = lambda: None,
        moving: Callable[[ServiceDeploymentBackend, bool], None] = lambda backend, moving: None,
    ) -> None:
        self.region_name = region_name
        self.account_id = account_id
        self._default_plan_source = default_plan
        self._peer = peer
        self._registry_moving = moving
        # The services with planned deployments still moving (advanced before a reader who
        # asks nothing of ECS looks), and those whose peer record must be made or updated:
        # kept where they change, so that no request walks every service.
        self.moving_services: dict[int, Service] = {}
        self.peer_pending: dict[int, Service] = {}
        # When each moving service next has a step due: (due ms, order made, service), a heap.
        # An entry may be stale (the service was brought up to time by a read since); it is
        # dropped when it comes due. Catching up pops only what is due.
        self._due: list[tuple[int, int, Service | Daemon]] = []
        self._due_order = itertools.count()
        # How many entries of ``_due`` are daemons' (the registry visits this backend while
        # any is).
        self._daemon_steps_due = 0
        self.lock = threading.RLock()
        self.clusters: set[str] = set()
        self.services: dict[tuple[str, str], Service] = {}
        self.planned: dict[tuple[str, ...], deque[lifecycle.Plan]] = {}
        # Task definitions whose tasks fail (``family:revision`` or ``family``).
        self.failing: dict[str, TaskFailure] = {}
        self._held: list[ServiceDeployment] | None = None
        # CloudWatch alarms a test set here (name: state, when it changed), and the services
        # with a deployment watching alarms (looked at whenever the backend catches up).
        self.alarms: dict[str, tuple[str, int]] = {}
        self.alarm_watching: dict[int, Service | Daemon] = {}
        # Which service made each task id (checked on use: a task may have been forgotten).
        self.task_owners: dict[str, Service] = {}
        self._sequence = 0
        # What the protocol layer caches of this backend's records (their encoded briefs, with
        # what each was encoded from), read and written under ``lock``; it goes when the
        # backend goes, at reset.
        self.wire_cache: dict[object, tuple[tuple[object, ...], str]] = {}
        self._init_daemons()

    def _default_plan(self) -> lifecycle.Plan | None:
        return self._default_plan_source()

    @staticmethod
    def refresh(service: Service, now: int) -> None:
        """Bring every deployment of ``service`` that follows a plan up to ``now``."""
        for deployment in list(service.ongoing.values()):
            lifecycle.advance(deployment, now)

    # -- lookups ---------------------------------------------------------------------------

    def find_service(self, service: str, cluster: str | None = None) -> Service:
        """The ACTIVE service named by ``service`` (name or ARN) and ``cluster`` (name or ARN).

        :raises ClusterNotFoundException: the cluster does not exist.
        :raises ServiceNotFoundException: the service does not exist in it, is INACTIVE, or
            the service ARN and ``cluster`` name different clusters.
        """
        cluster_name = self._requested_cluster(cluster)
        service_name = service
        if service.startswith("arn:"):
            parsed = arns.parse_arn(service)
            if parsed is None or parsed.kind != "service":
                raise InvalidParameterException(f"Invalid service ARN: {service}")
            if (parsed.region, parsed.account_id) != (self.region_name, self.account_id):
                raise ServiceNotFoundException()
            if len(parsed.parts) == 2:
                if cluster_name is not None and cluster_name != parsed.parts[0]:
                    raise ServiceNotFoundException()
                cluster_name = parsed.parts[0]
            service_name = parsed.parts[-1]
        cluster_name = cluster_name or "default"
        if not self._cluster_exists(cluster_name):
            raise ClusterNotFoundException()
        record = self.current_service(cluster_name, service_name)
        if record is None or record.status != "ACTIVE":
            raise ServiceNotFoundException()
        return record

    def current_service(self, cluster: str, service: str) -> Service | None:
        """Our record of a service, after the peer (moto, when it is beside the mock) has had
        its say: a service only it holds is adopted, one it deleted or replaced is gone."""
        peer = self._peer()
        if peer is not None:
            peer.follow(self, cluster, service)
        return self.services.get((cluster, service))

    def delete_service(self, record: Service) -> None:
        """Delete a service: it becomes INACTIVE and its deployments and revisions go with it."""
        with self.lock:
            record.status = "INACTIVE"
            if self.services.get((record.cluster, record.name)) is record:
                del self.services[(record.cluster, record.name)]

    def existing_cluster(self, cluster: str | None) -> str:
        """The name of the cluster ``cluster`` (a name or an ARN; ``default`` when ``None``)
        names, which this backend or its peer holds.

        :raises InvalidParameterException: an ARN that is not a cluster's.
        :raises ClusterNotFoundException: no such cluster here.
        """
        name = self._requested_cluster(cluster) or "default"
        if not self._cluster_exists(name):
            raise ClusterNotFoundException()
        return name

    def _requested_cluster(self, cluster: str | None) -> str | None:
        if cluster is None or not cluster.startswith("arn:"):
            return cluster
        parsed = arns.parse_arn(cluster)
        if parsed is None or parsed.kind != "cluster" or len(parsed.parts) != 1:
            raise InvalidParameterException(f"Invalid cluster ARN: {cluster}")
        if (parsed.region, parsed.account_id) != (self.region_name, self.account_id):
            raise ClusterNotFoundException()
        return parsed.parts[0]

    def _cluster_exists(self, cluster: str) -> bool:
        if cluster in self.clusters:
            return True
        peer = self._peer()
        return peer is not None and peer.has_cluster(self, cluster)

    # -- the sets of services that need work -----------------------------------------------

    def _watch(self, record: Service) -> None:
        """Keep ``record`` in this backend's sets from now on: it has no peer record yet."""
        record.watcher = self
        self.out_of_step(record)

    def moving(self, service: Service, moving: bool) -> None:
        """Part of :class:`~mock_ecs_deployments.engine.model.records.ServiceWatcher`."""
        with self.lock:
            if moving:
                self.moving_services[id(service)] = service
            else:
                self.moving_services.pop(id(service), None)
        self.tell_registry()

    def tell_registry(self) -> None:
        """Tell the registry whether anything of this backend moves with time."""
        with self.lock:
            self._registry_moving(self, bool(self.moving_services) or self._daemon_steps_due > 0)

    def out_of_step(self, service: Service) -> None:
        """Part of :class:`~mock_ecs_deployments.engine.model.records.ServiceWatcher`."""
        with self.lock:
            self.peer_pending[id(service)] = service

    def in_step(self, service: Service) -> None:
        """The peer's record of ``service`` is as the mock's: nothing to do for it."""
        with self.lock:
            self.peer_pending.pop(id(service), None)

    def take_out_of_step(self) -> list[Service]:
        """The services whose peer record must be made or updated, in the order they fell
        out of step; the set is emptied."""
        with self.lock:
            services = list(self.peer_pending.values())
            self.peer_pending.clear()
            return services

    def task_made(self, service: Service, task_id: str) -> None:
        """Part of :class:`~mock_ecs_deployments.engine.model.records.ServiceWatcher`."""
        self.task_owners[task_id] = service

    def find_task(self, reference: str, cluster: str) -> Task | None:
        """The task of a service of ``cluster`` this backend tracks that ``reference`` (a
        task ARN of this account and region, or a bare id) names, or ``None``: found by its
        id, without walking the services. The caller holds the lock."""
        task_id = reference
        if reference.startswith("arn:"):
            parts = arns.own_parts(reference, "task", self.region_name, self.account_id, 2)
            if parts is None or parts[0] != cluster:
                return None
            task_id = parts[1]
        service = self.task_owners.get(task_id)
        if service is None or service.cluster != cluster or service.tasks is None:
            return None
        if self.current_service(service.cluster, service.name) is not service:
            return None
        return next((task for task in service.tasks if task.id == task_id), None)

    def watching_alarms(self, record: Service | Daemon, watching: bool) -> None:
        """Part of :class:`~mock_ecs_deployments.engine.model.records.ServiceWatcher` (and of
        the daemons' watcher): ``record`` has (or no longer has) a deployment watching alarms,
        looked at whenever the backend catches up."""
        with self.lock:
            if watching:
                self.alarm_watching[id(record)] = record
            else:
                self.alarm_watching.pop(id(record), None)

    def alarm_state(self, record: Service | Daemon, name: str) -> tuple[str, int] | None:
        """Part of :class:`~mock_ecs_deployments.engine.model.records.ServiceWatcher`: the
        state :meth:`set_alarm_state` gave, else the peer's CloudWatch's."""
        own = self.alarms.get(name)
        if own is not None:
            return own
        peer = self._peer()
        return None if peer is None else peer.alarm_state(self, name)

    def set_alarm_state(self, name: str, state: str) -> None:
        """Set a CloudWatch alarm's state as the mock sees it, now (without moto, the only
        source of alarms; beside moto, it takes the place of moto's CloudWatch's for that
        name). A deployment watching the alarm (``deploymentConfiguration.alarms``) fails when
        it goes to ALARM.

        :raises SeedingError: ``name`` is not a non-empty string, or ``state`` is not OK,
            ALARM or INSUFFICIENT_DATA.
        """
        if not isinstance(name, str) or not 0 < len(name) <= 255:
            raise validation.SeedingError(
                "name", f"expected an alarm name of 1 to 255 characters, got {name!r}", value=name
            )
        validation.choice("state", state, ALARM_STATES)
        with self.lock:
            self.alarms[name] = (state, now_ms())

    def due(self, record: Service | Daemon, at_ms: int) -> None:
        """Part of :class:`~mock_ecs_deployments.engine.model.records.ServiceWatcher` (and of
        the daemons' watcher): a deployment of ``record`` has a step due at ``at_ms``."""
        with self.lock:
            heapq.heappush(self._due, (at_ms, next(self._due_order), record))
            if isinstance(record, Daemon):
                self._daemon_steps_due += 1
                self._registry_moving(self, True)

    def catch_up(self, now: int) -> None:
        """Bring every service and daemon of this backend with a step due by ``now``, or a
        deployment watching alarms, up to ``now``: the others are not visited, however many
        move."""
        with self.lock:
            due: dict[int, Service] = {}
            daemons: dict[int, Daemon] = {}
            for watching in self.alarm_watching.values():
                if isinstance(watching, Daemon):
                    daemons[id(watching)] = watching
                else:
                    due[id(watching)] = watching
            while self._due and self._due[0][0] <= now:
                _, _, record = heapq.heappop(self._due)
                if isinstance(record, Daemon):
                    self._daemon_steps_due -= 1
                    daemons[id(record)] = record
                else:
                    due[id(record)] = record
            for daemon in daemons.values():
                self.refresh_daemon(daemon, now)
                if daemon.ongoing is None or daemon.ongoing.alarms_seen is None:
                    self.alarm_watching.pop(id(daemon), None)
                step = None if daemon.ongoing is None else daemon.ongoing.next_ms
                if step is not None and step <= now:  # waits for time to move past ``now``
                    self.due(daemon, step)
            if daemons:
                self.tell_registry()
            for service in due.values():
                self.refresh(service, now)
                if id(service) in self.alarm_watching and not any(
                    deployment.alarms_seen is not None for deployment in service.ongoing.values()
                ):
                    del self.alarm_watching[id(service)]
                # A step due at ``now`` that waits for time to move past it is still due.
                for deployment in service.ongoing.values():
                    if deployment.next_ms is not None and deployment.next_ms <= now:
                        heapq.heappush(
                            self._due, (deployment.next_ms, next(self._due_order), service)
                        )

    # -- ListServiceDeployments ------------------------------------------------------------

    def list_service_deployments(
        self,
        service: str,
        cluster: str | None = None,
        statuses: Sequence[str] | None = None,
        created_after_ms: int | None = None,
        created_before_ms: int | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[ServiceDeployment], str | None]:
        """One page of a service's deployments, newest first, and the token for the next.

        Both createdAt bounds are inclusive; an empty or absent ``statuses`` means all. A page
        costs O(log n + page size) when no status filter is given (plus bringing the service's
        planned, unfinished deployments up to now). The records match the filters while
        ``lock`` is held: read them under it (see the module's docstring).
        """
        limit = pagination.check_limit(max_results, MAX_RESULTS_DEFAULT)
        wanted = status_filter(statuses, "ServiceDeploymentStatus")
        with self.lock:
            record = self.find_service(service, cluster)
            scope = pagination.deployments_scope(
                (self.account_id, self.region_name, record.cluster, record.name),
                wanted,
                created_after_ms,
                created_before_ms,
            )
            position = pagination.position_of(next_token, scope)
            if record.deployment_controller not in _CONTROLLERS_WITH_DEPLOYMENTS:
                return [], None
            self.refresh(record, now_ms())
            window = (created_after_ms, created_before_ms)
            return pagination.deployments_page(
                record.keys, record.deployments, wanted, window, limit, position, scope
            )

    # -- Describe, Stop, Continue --------------------------------------------------------

    def _owner(self, arn: str, kind: str) -> tuple[Service, str] | None:
        """The ACTIVE service a deployment or revision ARN of this backend names, and the
        ARN's last part; ``None`` for an ARN that is malformed, elsewhere, or unknown."""
        parts = arns.own_parts(arn, kind, self.region_name, self.account_id, 3)
        if parts is None:
            return None
        cluster, service, identifier = parts
        record = self.services.get((cluster, service))
        return None if record is None or record.status != "ACTIVE" else (record, identifier)

    def _deployment_by_arn(self, arn: str) -> ServiceDeployment | None:
        owner = self._owner(arn, "service-deployment")
        return None if owner is None else owner[0].by_id.get(owner[1])

    def _revision_by_arn(self, arn: str) -> ServiceRevision | None:
        owner = self._owner(arn, "service-revision")
        if owner is None or not (owner[1].isascii() and owner[1].isdigit()):
            return None
        return owner[0].revisions.get(int(owner[1]))

    def described(
        self, name: str, references: Sequence[str], find: Callable[[str, int], FoundT | None]
    ) -> tuple[list[FoundT], list[str]]:
        """What each of ``references`` names, by ``find(reference, now)``, and those it found
        nothing for, from one view: every Describe operation of both kinds (see
        :func:`~..model.pagination.describe_each`)."""
        with self.lock:
            now = now_ms()
            return describe_each(name, references, lambda reference: find(reference, now))

    def describe_service_deployments(
        self, deployment_arns: Sequence[str]
    ) -> tuple[list[ServiceDeployment], list[str]]:
        """The deployments named (request order, each once) and the ARNs not found."""
        return self.described("serviceDeploymentArns", deployment_arns, self._advanced)

    def describe_service_revisions(
        self, revision_arns: Sequence[str]
    ) -> tuple[list[ServiceRevision], list[str]]:
        """The revisions named (request order, each once) and the ARNs not found."""
        return self.described(
            "serviceRevisionArns", revision_arns, lambda arn, now: self._revision_by_arn(arn)
        )

    def _advanced(self, arn: str, now: int) -> ServiceDeployment | None:
        """The deployment ``arn`` names, brought up to ``now``, else ``None``."""
        deployment = self._deployment_by_arn(arn)
        if deployment is not None:
            lifecycle.advance(deployment, now)
        return deployment

    def _existing_deployment(self, arn: str) -> tuple[ServiceDeployment, int]:
        """The deployment ``arn`` names, brought up to now, and now."""
        now = now_ms()
        deployment = self._advanced(arn, now)
        if deployment is None:
            raise ServiceDeploymentNotFoundException(f"Service deployment not found: {arn}")
        return deployment, now

    def stop_service_deployment(self, arn: str, stop_type: str | None = None) -> ServiceDeployment:
        """StopServiceDeployment: ``ROLLBACK`` (default) or ``ABORT``."""
        checked = enum_parameter(
            "stopType", stop_type or "ROLLBACK", "StopServiceDeploymentStopType"
        )
        with self.lock:
            deployment, now = self._existing_deployment(arn)
            lifecycle.stop(deployment, checked, now)
            return deployment

    def continue_service_deployment(
        self, arn: str, hook_id: str, action: str | None = None
    ) -> ServiceDeployment:
        """ContinueServiceDeployment: answer a PAUSE hook with ``CONTINUE`` or ``ROLLBACK``."""
        checked = enum_parameter("action", action or "CONTINUE", "DeploymentLifecycleHookAction")
        with self.lock:
            deployment, now = self._existing_deployment(arn)
            lifecycle.continue_hook(deployment, hook_id, checked, now)
            return deployment

    # -- the peer --------------------------------------------------------------------------

    def _peer_container_images(self, task_definition_arn: str) -> list[dict[str, str]] | None:
        """The containers of a task definition the peer knows, with derived image digests."""
        peer = self._peer()
        images = None if peer is None else peer.container_images(self, task_definition_arn)
        return validation.container_images("containerDefinitions", images) or None
