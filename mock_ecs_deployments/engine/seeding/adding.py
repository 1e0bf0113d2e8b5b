"""The seeding API of a backend: services, deployments the test author records, deployments
the mock itself makes (as CreateService and UpdateService would), and plans for those."""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..deployments import configuration as deployment_config
from ..deployments import lifecycle
from ..events.service_events import ServiceEvent
from ..model import arns, validation
from ..model.clock import now_ms
from ..model.daemon_records import Daemon, DaemonDeployment, DaemonTaskDefinition
from ..model.exceptions import ServiceDeploymentsError
from ..model.records import Service, ServiceDeployment, ServiceRevision, Task, TaskFailure
from ..model.validation import SeedingError, SeedingTypeError
from . import daemon_restoring, recorded, restoring
from .snapshot import DeploymentSnapshot


class SeedingMixin:
    """``add_service``, ``add_deployment``, ``restore_deployment``, ``start_deployment`` and
    ``plan_next_deployment`` of :class:`~mock_ecs_deployments.ServiceDeploymentBackend`."""

    region_name: str
    account_id: str
    lock: threading.RLock
    clusters: set[str]
    services: dict[tuple[str, str], Service]
    planned: dict[tuple[str, ...], deque[lifecycle.Plan]]
    failing: dict[str, TaskFailure]
    alarms: dict[str, tuple[str, int]]
    _sequence: int
    daemons: dict[tuple[str, str], Daemon]
    daemon_order: list[Daemon]
    daemon_keys: list[int]
    daemon_task_definitions: dict[str, list[DaemonTaskDefinition]]
    # Deployments restored inside :meth:`holding_time`, to bring up to now when it ends.
    _held: list[ServiceDeployment] | None

    if TYPE_CHECKING:  # provided by the backend

        def current_service(self, cluster: str, service: str) -> Service | None: ...

        def _peer_container_images(
            self, task_definition_arn: str
        ) -> list[dict[str, str]] | None: ...

        def _watch(self, record: Service) -> None: ...

        def _default_plan(self) -> lifecycle.Plan | None: ...

        def task_made(self, service: Service, task_id: str) -> None: ...

        def register_daemon_task_definition(
            self, family: str, container_definitions: list[dict[str, Any]], **settings: Any
        ) -> DaemonTaskDefinition: ...

        def find_daemon_task_definition(self, reference: str) -> DaemonTaskDefinition | None: ...

        def due(self, record: Any, at_ms: int) -> None: ...

        def instances(self, capacity_provider_arn: str) -> int: ...

        def drained(self, record: Daemon) -> None: ...

        def runs(self, record: Daemon, task_definition_arn: str | None) -> None: ...

        def hold(self, record: Daemon) -> None: ...

        def alarm_state(self, record: Any, name: str) -> tuple[str, int] | None: ...

        def watching_alarms(self, record: Any, watching: bool) -> None: ...

        def create_daemon(
            self,
            name: str,
            task_definition: str,
            capacity_provider_arns: Sequence[str],
            cluster: str | None = None,
            client_token: str | None = None,
            **settings: Any,
        ) -> tuple[Daemon, DaemonDeployment]: ...

    def add_service(
        self,
        service: str,
        cluster: str | None = None,
        *,
        desired_count: int = 1,
        deployment_controller: str = "ECS",
        launch_type: str | None = None,
        capacity_provider_strategy: list[dict[str, Any]] | None = None,
        platform_version: str | None = None,
        network_configuration: dict[str, Any] | None = None,
        load_balancers: list[dict[str, Any]] | None = None,
        service_registries: list[dict[str, Any]] | None = None,
        deployment_configuration: dict[str, Any] | None = None,
        task_definition: str | None = None,
        account_id: str | None = None,
        region: str | None = None,
    ) -> Service:
        """Register a new ACTIVE service (and its cluster, when new).

        :param service: the service name, or its ARN in this account and region.
        :param cluster: the cluster name or ARN (default: the one in a service ARN, else
            ``default``).
        :param desired_count: tasks the service wants (0 or more).
        :param deployment_controller: ``ECS`` (default), ``CODE_DEPLOY`` or ``EXTERNAL``; only
            ``ECS`` services have service deployments.
        :param launch_type: ``FARGATE``, ``EC2``, ``EXTERNAL`` or ``MANAGED_INSTANCES``
            (default ``FARGATE`` unless a capacity provider strategy is given; never both).
        :param capacity_provider_strategy: AWS's ``capacityProviderStrategy`` items.
        :param deployment_configuration: AWS's ``deploymentConfiguration`` (circuit breaker,
            alarms, strategy, bakeTimeInMinutes, lifecycleHooks ...), echoed by deployments.
        :param task_definition: the task definition the service runs (``family:revision``).
        :param account_id: this backend's account, or unset: where a scenario's service entry
            loads, when it is not where the rest of the scenario does.
        :param region: this backend's region, or unset (as ``account_id``).
        :raises SeedingError: naming the field, the bad value and the allowed values, or
            ``service`` when the service exists already (a ``SeedingTypeError`` for a value of
            the wrong type).
        """
        validation.this_place(account_id, region, self.account_id, self.region_name)
        cluster_name, service_name = validation.resolve_service_reference(
            service, cluster, self.region_name, self.account_id
        )
        controller = validation.choice(
            "deployment_controller", deployment_controller, validation.DEPLOYMENT_CONTROLLERS
        )
        if launch_type is not None and capacity_provider_strategy:
            raise SeedingError(
                "launch_type",
                "give a launch type or a capacity_provider_strategy, not both",
                value=launch_type,
            )
        if launch_type is None and not capacity_provider_strategy:
            launch_type = "FARGATE"
        if launch_type is not None:
            validation.choice("launch_type", launch_type, validation.LAUNCH_TYPES)
        record = Service(
            region=self.region_name,
            account_id=self.account_id,
            cluster=cluster_name,
            name=service_name,
            desired_count=validation.count("desired_count", desired_count),
            deployment_controller=controller,
            launch_type=launch_type,
            capacity_provider_strategy=validation.as_list(
                "capacity_provider_strategy", capacity_provider_strategy
            )
            or None,
            platform_version=platform_version,
            network_configuration=validation.as_mapping(
                "network_configuration", network_configuration
            ),
            load_balancers=validation.as_list("load_balancers", load_balancers),
            service_registries=validation.as_list("service_registries", service_registries),
            deployment_configuration=deployment_config.deployment_configuration(
                "deployment_configuration", deployment_configuration
            ),
            task_definition=validation.optional_task_definition(task_definition),
        )
        with self.lock:
            existing = self.services.get((cluster_name, service_name))
            if existing is not None and existing.status == "ACTIVE":
                raise SeedingError(
                    "service",
                    f"{service_name!r} already exists in cluster {cluster_name!r}",
                    value=service_name,
                )
            self.clusters.add(cluster_name)
            self.services[(cluster_name, service_name)] = record
            self._watch(record)
            return record

    def add_deployment(
        self,
        service: str,
        cluster: str | None = None,
        *,
        status: str | None = None,
        created_at: datetime | None = None,
        started_at: datetime | None = None,
        finished_at: datetime | None = None,
        status_reason: str | None = None,
        task_definition: str | None = None,
        plan: lifecycle.Plan | dict[str, Any] | None = None,
        source_revisions: Sequence[str | int | ServiceRevision] | None = None,
        container_images: list[dict[str, str]] | None = None,
        deployment_configuration: dict[str, Any] | None = None,
    ) -> ServiceDeployment:
        """Record one service deployment; other records are left alone.

        Without ``plan`` the deployment stays exactly as given. With ``plan`` it starts
        PENDING at ``created_at`` and follows the plan as time passes (``status``,
        ``started_at`` and ``finished_at`` must then be left unset). Its target revision has
        the service's settings (``add_service``); a deployment that differs in more than these
        fields, as a dumped or recorded one may, is put back by :meth:`restore_deployment`.

        :param service: the service name or ARN; the service and its cluster are registered
            when new.
        :param cluster: the cluster name or ARN (default: the one in a service ARN, else
            ``default``).
        :param status: one of the model's ``ServiceDeploymentStatus`` values (default
            ``SUCCESSFUL``).
        :param created_at: when it was created (default: now); naive datetimes are UTC.
        :param started_at: default ``created_at``; must be unset for PENDING.
        :param finished_at: default ``started_at`` for a completed status; unset otherwise.
        :param status_reason: the ``statusReason`` text, if any.
        :param task_definition: ``family:revision`` or an ARN for the new target revision
            (default ``<service>:<n>`` for the service's n-th deployment).
        :param plan: a :class:`~mock_ecs_deployments.Plan` or a mapping of
            ``plan_next_deployment``'s fields.
        :param source_revisions: revisions (or their ARNs or ids) of this service the
            deployment replaces; default: the target revision of the deployment created before.
        :param container_images: ``[{"containerName", "image"}]`` for the target revision
            (digests are filled in); default: from moto's task definition, else derived.
        :param deployment_configuration: this deployment's configuration (default: the
            service's).
        :returns: the stored record (``.arn``, ``.id``, ``.status``, ``.created_at`` ...).
        :raises SeedingError: naming the field, the bad value and the allowed values (a
            ``SeedingTypeError`` for a value of the wrong type); a plan's fields are named
            under ``plan`` (``plan.outcome``).
        """
        return self._put(
            DeploymentSnapshot(
                service=service,
                cluster=cluster,
                status=status,
                created_at=created_at,
                started_at=started_at,
                finished_at=finished_at,
                status_reason=status_reason,
                task_definition=task_definition,
                plan=plan,
                source_revisions=source_revisions,
                container_images=container_images,
                deployment_configuration=deployment_configuration,
            )
        )

    def restore_deployment(self, snapshot: DeploymentSnapshot) -> ServiceDeployment:
        """Put back one deployment as a snapshot describes it: what
        :func:`~mock_ecs_deployments.scenarios.dump.dump_scenario` and the ``record`` command
        wrote down, so that it answers as the one written down did, then and as time moves
        on. Other records are left alone.

        A snapshot with only the fields of :meth:`add_deployment` gives what
        ``add_deployment`` gives; each further field defaults to what the others imply. With
        ``plan`` and ``plan_status`` the deployment is part-way through its plan.

        :param snapshot: the deployment, its service and its cluster.
        :returns: the stored record.
        :raises SeedingError: naming the snapshot's field, the bad value and the allowed values
            (a ``SeedingTypeError`` for a value of the wrong type, or for a ``snapshot`` that
            is not a :class:`~mock_ecs_deployments.engine.seeding.snapshot.DeploymentSnapshot`).
        """
        if not isinstance(snapshot, DeploymentSnapshot):
            raise SeedingTypeError(
                "snapshot", f"expected a DeploymentSnapshot, got {snapshot!r}", value=snapshot
            )
        return self._put(snapshot)

    def start_deployment(
        self,
        service: str,
        cluster: str | None = None,
        *,
        task_definition: str | None = None,
        container_images: list[dict[str, str]] | None = None,
        plan: lifecycle.Plan | dict[str, Any] | None = None,
        revision_id: int | None = None,
    ) -> ServiceDeployment:
        """Make a deployment as CreateService or UpdateService would, now.

        Its source is the revision the service runs; a PENDING or IN_PROGRESS deployment of
        the service is superseded (STOPPED); it follows ``plan``, else the next plan queued
        by :meth:`plan_next_deployment`, else the mock's default plan, else zero durations
        ending SUCCESSFUL.

        :param task_definition: ``family:revision`` or an ARN for the new target revision
            (default: the service's, else the one it runs, else ``<service>:1``).
        :param container_images: as for :meth:`add_deployment`.
        :param plan: a :class:`~mock_ecs_deployments.Plan` or a mapping of
            :meth:`plan_next_deployment`'s fields.
        :param revision_id: the new revision's id (default: a fresh one); one the service has
            already is refused, and nothing changes.
        :raises SeedingError: naming the field, the bad value and the allowed values.
        """
        checked_plan = lifecycle.as_plan(plan)
        images = validation.container_images("container_images", container_images)
        task_definition = validation.optional_task_definition(task_definition)
        if revision_id is not None:
            validation.revision_id("revision_id", revision_id)
        with self.lock:
            now = now_ms()
            record = self._ensure_service(service, cluster)
            recorded.require_ecs_controller(record)
            restoring.check_new_revision_id(record, revision_id)
            for ongoing in list(record.ongoing.values()):
                lifecycle.advance(ongoing, now)
                lifecycle.supersede(ongoing, now)
            for deployment in reversed(record.deployments):  # seeded, static ones too
                if deployment.plan is None and deployment.status in lifecycle.INTERRUPTIBLE:
                    lifecycle.complete(deployment, "STOPPED", now, lifecycle.SUPERSEDED_REASON)
                if deployment.completed:
                    break
            checked_plan = checked_plan or self.next_plan((record.cluster, record.name))
            sources = [record.current_revision] if record.current_revision else []
            deployment = self._new_deployment(
                record,
                now,
                task_definition
                or record.task_definition
                or (record.current_revision.task_definition if record.current_revision else None)
                or f"{record.name}:1",
                images,
                None,
                sources,
                revision_id,
            )
            record.follow(deployment)
            lifecycle.begin(deployment, checked_plan, now)
            lifecycle.advance(deployment, now)
            return deployment

    def plan_next_deployment(
        self,
        service: str | None = None,
        cluster: str | None = None,
        *,
        daemon: str | None = None,
        outcome: str = "SUCCESSFUL",
        pending_for: timedelta | float = 0,
        in_progress_for: timedelta | float = 0,
        rollback_for: timedelta | float | None = None,
        reason: str | None = None,
    ) -> lifecycle.Plan:
        """Queue how the next deployment the mock makes for a service runs (first in, first
        out; the service need not exist yet), or, given ``daemon`` (a name or ARN) instead of
        ``service``, for a daemon: its batches share ``in_progress_for``.

        :param outcome: ``SUCCESSFUL``, ``ROLLBACK_SUCCESSFUL`` (a circuit-breaker rollback),
            ``ROLLBACK_FAILED`` or ``STOPPED``.
        :param pending_for: how long it stays PENDING (timedelta or seconds).
        :param in_progress_for: how long it stays IN_PROGRESS (after any PAUSE hooks).
        :param rollback_for: how long a rollback stays ROLLBACK_IN_PROGRESS (default:
            ``in_progress_for``).
        :param reason: the ``statusReason`` of the outcome (default: AWS's for it).
        :raises SeedingError: naming the field as passed here (``outcome``, ``pending_for``
            ...), the bad value and the allowed values; both or neither of ``service`` and
            ``daemon``.
        """
        new_plan = lifecycle.make_plan(outcome, pending_for, in_progress_for, rollback_for, reason)
        if (service is None) == (daemon is None):
            raise SeedingError("service", "give a service or a daemon (one of them)")
        kind, reference = ("daemon", daemon) if daemon is not None else ("service", service)
        assert reference is not None
        names = validation.resolve_service_reference(
            reference, cluster, self.region_name, self.account_id, kind=kind
        )
        key = ("daemon", *names) if kind == "daemon" else names
        with self.lock:
            self.planned.setdefault(key, deque()).append(new_plan)
        return new_plan

    def add_daemon_task_definition(
        self,
        family: str,
        images: Sequence[Mapping[str, str]] | None = None,
        *,
        cpu: str | None = None,
        memory: str | None = None,
        container_definitions: Sequence[Mapping[str, Any]] | None = None,
        revision: int | None = None,
        status: str | None = None,
        registered_at: datetime | None = None,
        delete_requested_at: datetime | None = None,
    ) -> DaemonTaskDefinition:
        """Register the next revision of a daemon task definition family, as
        RegisterDaemonTaskDefinition would: one container per item of ``images``
        (``{"name": ..., "image": ...}``), or ``container_definitions`` as the API takes them.
        A dump also gives the ``revision`` it expects, its ``status`` and times.

        :raises SeedingError: a family that is not 1 to 255 letters, digits, hyphens and
            underscores, an item of ``images`` without a ``name`` and ``image`` string, a
            ``revision`` that is not the family's next, a status that is not ACTIVE,
            DELETE_IN_PROGRESS or DELETED.
        """
        validation.name("family", family)
        checked_status = validation.choice(
            "status", status or "ACTIVE", ("ACTIVE", "DELETE_IN_PROGRESS", "DELETED")
        )
        registered_ms = validation.timestamp_ms("registered_at", registered_at)
        deleted_ms = validation.timestamp_ms("delete_requested_at", delete_requested_at)
        if (images is None) == (container_definitions is None):
            raise SeedingError("images", "give images or container_definitions (one of them)")
        containers: list[dict[str, Any]] = []
        for index, item in enumerate(
            validation.as_list("container_definitions", container_definitions or [])
        ):
            if not isinstance(item.get("image"), str) or not item["image"]:
                raise SeedingError(
                    f"container_definitions[{index}].image",
                    f"expected an image, got {item.get('image')!r}",
                )
            containers.append(dict(item))
        for index, item in enumerate(validation.as_list("images", images or [])):
            name, image = item.get("name"), item.get("image")
            if not isinstance(name, str) or not isinstance(image, str) or not name or not image:
                raise SeedingError(
                    f"images[{index}]",
                    f"expected {{'name': str, 'image': str}}, got {item!r}",
                    value=item,
                )
            containers.append({"name": name, "image": image})
        if not containers:
            raise SeedingError("images", "expected at least one container image", value=images)
        for field, value in (("cpu", cpu), ("memory", memory)):
            validation.optional_text(field, value, empty=False)
        with self.lock:
            expected = len(self.daemon_task_definitions.get(family, [])) + 1
            if revision is not None and revision != expected:
                raise SeedingError(
                    "revision",
                    f"family {family!r} registers revision {expected} next, not {revision!r}",
                    value=revision,
                )
            definition = self.register_daemon_task_definition(
                family, containers, cpu=cpu, memory=memory
            )
            definition.status = checked_status
            if registered_ms is not None:
                definition.registered_ms = registered_ms
            definition.delete_requested_ms = deleted_ms
            return definition

    def add_daemon(
        self,
        daemon: str,
        task_definition: str,
        capacity_providers: Sequence[str],
        cluster: str | None = None,
        *,
        deployment_configuration: Mapping[str, Any] | None = None,
        plan: lifecycle.Plan | Mapping[str, Any] | None = None,
        **restored: Any,
    ) -> Daemon:
        """A daemon as CreateDaemon would make it (its cluster registered when new), its first
        deployment following ``plan`` (default: the next planned for it, else the mock's); or,
        given a dump's further fields (its status, revisions and deployments: a scenario's
        ``daemons`` item as ``dump_scenario`` writes it), one put back as it was.

        :param task_definition: ``family``, ``family:revision`` or the ARN of a daemon task
            definition registered before.
        :param capacity_providers: names (of this account and region) or ARNs.

        :raises SeedingError: naming the field.
        """
        if not restored:
            return self._create_daemon(
                daemon, task_definition, capacity_providers, cluster, deployment_configuration, plan
            )
        validation.known_keys("daemon", restored, daemon_restoring.RESTORED_KEYS)
        if plan is not None:
            raise SeedingError("plan", "a restored daemon's deployments carry their own plans")
        settings = daemon_restoring.daemon_settings(restored)
        cluster_name, name = validation.resolve_service_reference(
            daemon, cluster, self.region_name, self.account_id, kind="daemon"
        )
        providers = validation.string_list("capacity_providers", capacity_providers)
        with self.lock:
            definition = self._registered(task_definition)
            held = self.daemons.get((cluster_name, name))
            if held is not None and held.status != "DELETED":
                raise SeedingError("daemon", f"daemon {name!r} is in {cluster_name!r} already")
            self._sequence += 1
            created_ms = settings.pop("created_ms")
            record = Daemon(
                self.region_name,
                self.account_id,
                cluster_name,
                name,
                self._sequence,
                now_ms() if created_ms is None else created_ms,
                definition.arn,
                tuple(providers),
                dict(deployment_configuration or {}),
                watcher=self,
                **settings,
            )
            daemon_restoring.restore_revisions(record, restored.get("revisions"))

            def next_sequence() -> int:
                self._sequence += 1
                return self._sequence

            daemon_restoring.restore_deployments(record, restored.get("deployments"), next_sequence)
            self.clusters.add(cluster_name)
            self.hold(record)
            if record.status != "DELETED":
                self.runs(record, definition.arn)
            return record

    def _registered(self, task_definition: object) -> DaemonTaskDefinition:
        """The daemon task definition a seeded daemon names.

        :raises SeedingError: none is registered by that reference.
        """
        found = (
            self.find_daemon_task_definition(task_definition)
            if isinstance(task_definition, str)
            else None
        )
        if found is None:
            raise SeedingError(
                "task_definition",
                f"no daemon task definition {task_definition!r} is registered here",
                value=task_definition,
            )
        return found

    def _create_daemon(
        self,
        daemon: str,
        task_definition: str,
        capacity_providers: Sequence[str],
        cluster: str | None,
        deployment_configuration: Mapping[str, Any] | None,
        plan: lifecycle.Plan | Mapping[str, Any] | None,
    ) -> Daemon:
        """Create a daemon as CreateDaemon would (its cluster registered when new), its first
        deployment following ``plan`` (default: the next planned for it, else the mock's).

        :param task_definition: ``family``, ``family:revision`` or the ARN of a daemon task
            definition registered before.
        :param capacity_providers: names (of this account and region) or ARNs.
        :raises SeedingError: naming the field: an unknown task definition, a bad name or
            capacity provider, a deployment configuration AWS would refuse.
        """
        checked_plan = lifecycle.as_plan(dict(plan) if isinstance(plan, Mapping) else plan)
        cluster_name, name = validation.resolve_service_reference(
            daemon, cluster, self.region_name, self.account_id, kind="daemon"
        )
        self._registered(task_definition)
        providers = [
            reference
            if reference.startswith("arn:")
            else arns.capacity_provider_arn(
                self.region_name, self.account_id, validation.name("capacity_providers", reference)
            )
            for reference in validation.string_list("capacity_providers", capacity_providers)
        ]
        with self.lock:
            self.clusters.add(cluster_name)
            queue = self.planned.setdefault(("daemon", cluster_name, name), deque())
            if checked_plan is not None:
                queue.appendleft(checked_plan)
            try:
                record, _ = self.create_daemon(
                    name,
                    task_definition,
                    providers,
                    cluster=cluster_name,
                    deployment_configuration=(
                        None if deployment_configuration is None else dict(deployment_configuration)
                    ),
                )
            except ServiceDeploymentsError as error:
                if checked_plan is not None:
                    queue.popleft()
                field = (
                    "deployment_configuration"
                    if "deploymentConfiguration" in error.message
                    else "capacity_providers"
                    if "capacity provider" in error.message
                    else "daemon"
                )
                raise SeedingError(field, error.message) from None
            return record

    def next_plan(self, key: tuple[str, ...]) -> lifecycle.Plan:
        """The plan of the next deployment of the service or daemon ``key`` names (``(cluster,
        service)``, or ``("daemon", cluster, daemon)``): the first queued for it, else the
        mock's plan for every deployment, else a success at once."""
        queue = self.planned.get(key)
        if queue:
            return queue.popleft()
        return self._default_plan() or lifecycle.Plan()

    def fail_tasks(
        self,
        task_definition: str,
        *,
        exit_code: int = 1,
        reason: str | None = None,
        cannot_start: str | None = None,
    ) -> TaskFailure:
        """Say that every task of a task definition fails: each stops before it runs, its
        essential container exited with ``exit_code`` (and the container's ``reason``), so a
        deployment to it trips the circuit breaker as on AWS (or, with the breaker off,
        keeps trying).

        :param task_definition: ``family:revision`` (one revision), ``family`` (every
            revision) or a task definition ARN.
        :param exit_code: the essential container's exit code.
        :param reason: the container's ``reason`` (DescribeTasks), such as ``"OutOfMemoryError:
            Container killed due to memory usage"``.
        :param cannot_start: instead, the tasks fail to start for this reason (stop code
            TaskFailedToStart, the reason as ``stoppedReason``, no exit code), such as
            ``"CannotPullContainerError: ... not found"``.
        :raises SeedingError: naming the field, the bad value and what is allowed.
        """
        key = validation.task_definition_key("task_definition", task_definition)
        failure = TaskFailure(
            exit_code=validation.integer("exit_code", exit_code),
            reason=validation.optional_text("reason", reason),
            cannot_start=validation.optional_text("cannot_start", cannot_start, empty=False),
        )
        with self.lock:
            self.failing[key] = failure
        return failure

    @contextlib.contextmanager
    def holding_time(self) -> Iterator[None]:
        """Deployments seeded inside the block do not move until it ends; then each is
        brought up to now, in the order seeded. A dump's tasks and events are put back
        (:meth:`restore_tasks`) before any deployment moves them."""
        with self.lock:
            outer = self._held is not None
            if not outer:
                self._held = []
            try:
                yield
            finally:
                if not outer:
                    held, self._held = self._held or [], None
                    now = now_ms()
                    for deployment in held:
                        lifecycle.advance(deployment, now)

    def restore_tasks(
        self,
        service: str,
        cluster: str | None = None,
        *,
        tasks: Sequence[Mapping[str, Any]] = (),
        tasks_started: int | None = None,
        events: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        """Put back a service's tasks and event log as a dump wrote them (after its
        deployments, whose revisions the tasks name).

        :param tasks: each ``{"id", "revision_id", "created_at", "started_at",
            "stopped_at", "stop_code", "stopped_reason", "exit_code", "container_reason",
            "version"}`` (``id``, ``revision_id`` and ``created_at`` required), oldest first.
        :param tasks_started: how many tasks the service ever started (the next task's id
            follows it); default: the number of ``tasks``.
        :param events: each ``{"created_at", "message"}``, oldest first: the service's event
            log, in place of the one its deployments wrote (``None``: theirs stays).
        :raises SeedingError: naming the field (``tasks[2].revision_id``), the bad value and
            what is allowed.
        """
        made = None if tasks_started is None else validation.count("tasks_started", tasks_started)
        with self.lock:
            record = self._ensure_service(service, cluster)
            restored = [
                _task_row(record, f"tasks[{index}]", row) for index, row in enumerate(tasks)
            ]
            log = None
            if events is not None:
                log = [_event_row(f"events[{index}]", row) for index, row in enumerate(events)]
            record.tasks = restored
            record.tasks_made = max(made or 0, len(restored))
            for task in restored:
                self.task_made(record, task.id)
            if log is not None:
                record.events = [
                    ServiceEvent(at_ms, number, message)
                    for number, (at_ms, message) in enumerate(log, start=1)
                ]
                record.events.sort()
                record.event_sequence = len(log)
            for deployment in record.ongoing.values():
                lifecycle.recount(deployment)

    def fail_placement(self, task_definition: str, *, reason: str | None = None) -> TaskFailure:
        """Say that no task of a task definition can be placed: a deployment to it starts
        none and writes AWS's "(service web) was unable to place a task ..." event at each
        try (what deploy tools such as ecs-deploy watch for); the circuit breaker counts no
        failure, and the deployment stays IN_PROGRESS, trying ever more slowly.

        :param task_definition: as for :meth:`fail_tasks`.
        :param reason: the event's ``Reason:`` (default: AWS's for the service's launch
            type: "No Container Instances were found in your cluster." on EC2, "Capacity is
            unavailable at this time. Please try again later or in a different availability
            zone." on Fargate).
        :raises SeedingError: naming the field, the bad value and what is allowed.
        """
        key = validation.task_definition_key("task_definition", task_definition)
        failure = TaskFailure(
            unplaceable=validation.optional_text("reason", reason, empty=False) or ""
        )
        with self.lock:
            self.failing[key] = failure
        return failure

    def task_failure(self, revision: ServiceRevision) -> TaskFailure | None:
        """How the tasks of ``revision`` fail (:meth:`fail_tasks`), or ``None``."""
        if not self.failing:
            return None
        family_revision = validation.task_definition_key(
            "task_definition", revision.task_definition
        )
        family = family_revision.rpartition(":")[0]
        return self.failing.get(family_revision) or self.failing.get(family)

    # -- helpers ---------------------------------------------------------------------------

    def _put(self, snapshot: DeploymentSnapshot) -> ServiceDeployment:
        """Check ``snapshot`` whole, then store the deployment it describes."""
        checked_plan = lifecycle.as_plan(snapshot.plan)
        state = restoring.checked_state(checked_plan, snapshot)
        checked_status = validation.deployment_status(snapshot.status or "SUCCESSFUL")
        created_ms = validation.timestamp_ms("created_at", snapshot.created_at)
        started_ms = validation.timestamp_ms("started_at", snapshot.started_at)
        finished_ms = validation.timestamp_ms("finished_at", snapshot.finished_at)
        status_reason = snapshot.status_reason
        if status_reason is not None and not isinstance(status_reason, str):
            raise SeedingTypeError(
                "status_reason", f"expected a string, got {status_reason!r}", value=status_reason
            )
        task_definition = validation.optional_task_definition(snapshot.task_definition)
        configuration = (
            None
            if snapshot.deployment_configuration is None
            else deployment_config.deployment_configuration(
                "deployment_configuration", snapshot.deployment_configuration
            )
        )
        images = validation.container_images("container_images", snapshot.container_images)
        deployment_id = None if snapshot.id is None else validation.identifier("id", snapshot.id)
        revision_id = (
            None
            if snapshot.revision_id is None
            else validation.revision_id("revision_id", snapshot.revision_id)
        )
        settings = recorded.checked_revision_settings(
            launch_type=snapshot.launch_type,
            capacity_provider_strategy=snapshot.capacity_provider_strategy,
            platform_version=snapshot.platform_version,
            network_configuration=snapshot.network_configuration,
            load_balancers=snapshot.load_balancers,
            service_registries=snapshot.service_registries,
        )
        desired_count = snapshot.desired_count
        if desired_count is not None:
            validation.count("desired_count", desired_count)
        with self.lock:
            now = now_ms()
            if created_ms is None:
                created_ms = now
            if checked_plan is None:
                started_ms, finished_ms = restoring.static_times(
                    checked_status, created_ms, started_ms, finished_ms, state.never_started
                )
            elif started_ms is not None and started_ms < created_ms:
                raise SeedingError("started_at", "earlier than created_at")
            record = self._ensure_service(snapshot.service, snapshot.cluster)
            recorded.require_ecs_controller(record)
            sources = recorded.source_revisions(record, snapshot.source_revisions)
            restoring.check_for_service(
                record,
                state,
                record.deployment_configuration if configuration is None else configuration,
                created_ms,
                deployment_id,
                revision_id,
            )
            deployment = self._new_deployment(
                record,
                created_ms,
                task_definition or f"{record.name}:{len(record.deployments) + 1}",
                images,
                configuration,
                sources,
                revision_id,
                deployment_id,
                settings,
            )
            if desired_count is not None:
                deployment.desired_count = desired_count
            if record.latest() is deployment:
                # A recorded deployment says what the service runs: its tasks are made anew
                # from it when next needed.
                record.tasks = None
            if checked_plan is not None:
                record.follow(deployment)
                restoring.place_in_plan(deployment, checked_plan, state, started_ms, status_reason)
                if self._held is not None:
                    self._held.append(deployment)
                else:
                    lifecycle.advance(deployment, now)
                return deployment
            deployment.triggered_alarms = list(state.triggered_alarms)
            recorded.record_static(
                deployment,
                checked_status,
                status_reason,
                started_ms,
                finished_ms,
                state.rollback_started_ms,
            )
            restoring.apply_state(deployment, state)
            return deployment

    def _ensure_service(self, service: str, cluster: str | None) -> Service:
        """The ACTIVE service named, adopted from the peer or registered with defaults if new."""
        cluster_name, service_name = validation.resolve_service_reference(
            service, cluster, self.region_name, self.account_id
        )
        record = self.current_service(cluster_name, service_name)
        if record is not None and record.status == "ACTIVE":
            return record
        return self.add_service(service_name, cluster_name)

    def _new_deployment(
        self,
        service: Service,
        created_ms: int,
        task_definition: str,
        images: list[dict[str, str]] | None,
        configuration: dict[str, object] | None,
        sources: list[ServiceRevision] | None,
        revision_id: int | None = None,
        deployment_id: str | None = None,
        settings: recorded.RevisionSettings | None = None,
    ) -> ServiceDeployment:
        """A deployment with a new target revision, placed in the service's order."""
        task_definition_arn = arns.task_definition_arn(
            self.region_name, self.account_id, task_definition
        )
        revision = recorded.new_revision(
            service,
            revision_id if revision_id is not None else recorded.unused_revision_id(service),
            task_definition_arn,
            created_ms,
            images or self._peer_container_images(task_definition_arn),
            settings,
        )
        self._sequence += 1
        return recorded.new_deployment(
            service, self._sequence, revision, configuration, sources, deployment_id
        )


_TASK_KEYS = (
    "id",
    "revision_id",
    "created_at",
    "started_at",
    "stopped_at",
    "stop_code",
    "stopped_reason",
    "exit_code",
    "container_reason",
    "version",
)


def _task_row(record: Service, field: str, row: object) -> Task:
    """One task of a dump, checked, for ``record``."""
    if not isinstance(row, Mapping):
        raise SeedingTypeError(field, f"expected a mapping, got {row!r}", value=row)
    validation.known_keys(field, row, _TASK_KEYS)
    for key in ("id", "revision_id", "created_at"):
        if row.get(key) is None:
            raise SeedingError(f"{field}.{key}", "required, but missing")
    task_id = row["id"]
    if not (
        isinstance(task_id, str)
        and len(task_id) == 32
        and all(c in "0123456789abcdef" for c in task_id)
    ):
        raise SeedingError(
            f"{field}.id",
            f"{task_id!r} is not allowed; allowed: 32 lower-case hexadecimal digits",
            value=task_id,
        )
    revision_id = validation.revision_id(f"{field}.revision_id", row["revision_id"])
    revision = record.revisions.get(revision_id)
    if revision is None:
        known = ", ".join(str(number) for number in record.revisions) or "none"
        raise SeedingError(
            f"{field}.revision_id",
            f"{revision_id} is not a revision of service {record.name}; allowed: {known}",
            value=revision_id,
        )
    created = validation.timestamp_ms(f"{field}.created_at", row["created_at"])
    assert created is not None
    started = validation.timestamp_ms(f"{field}.started_at", row.get("started_at"))
    stopped = validation.timestamp_ms(f"{field}.stopped_at", row.get("stopped_at"))
    for key, moment in (("started_at", started), ("stopped_at", stopped)):
        if moment is not None and moment < created:
            raise SeedingError(f"{field}.{key}", "earlier than created_at")
    texts = {
        key: validation.optional_text(f"{field}.{key}", row.get(key))
        for key in ("stop_code", "stopped_reason", "container_reason")
    }
    exit_code = row.get("exit_code")
    if exit_code is not None:
        exit_code = validation.integer(f"{field}.exit_code", exit_code)
    version = validation.count(f"{field}.version", row.get("version", 1))
    return Task(
        record,
        task_id,
        revision,
        created,
        started_ms=started,
        stopped_ms=stopped,
        stop_code=texts["stop_code"],
        stopped_reason=texts["stopped_reason"],
        exit_code=exit_code,
        container_reason=texts["container_reason"],
        version=max(version, 1),
    )


def _event_row(field: str, row: object) -> tuple[int, str]:
    """One event of a dump's service event log: ``(created ms, message)``."""
    if not isinstance(row, Mapping):
        raise SeedingTypeError(field, f"expected a mapping, got {row!r}", value=row)
    validation.known_keys(field, row, ("created_at", "message"))
    created = validation.timestamp_ms(f"{field}.created_at", row.get("created_at"))
    message = row.get("message")
    if created is None or not isinstance(message, str) or not message:
        raise SeedingError(field, "expected created_at and a message", value=row)
    return created, message
