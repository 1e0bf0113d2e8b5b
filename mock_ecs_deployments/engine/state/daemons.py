"""``DaemonsMixin``: the managed daemons of one account in one region, their task definitions,
capacity providers and deployments, and the twelve operations that read and change them.

The listing, paging, describe-with-failures, plans and clock are the ones service deployments
use (``pagination.newest_first`` and ``in_order``, the backend's ``described``, ``next_plan``,
``lifecycle.run_steps``): only what differs between the kinds lives here.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ..deployments import daemon_lifecycle, lifecycle
from ..model import arns, pagination, validation
from ..model.clock import now_ms
from ..model.daemon_records import (
    CapacityProvider,
    Daemon,
    DaemonDeployment,
    DaemonRevision,
    DaemonTaskDefinition,
)
from ..model.exceptions import (
    ClientException,
    DaemonNotActiveException,
    DaemonNotFoundException,
    InvalidParameterException,
)
from ..model.images import image_digest
from ..model.pagination import enum_parameter, status_filter

#: ListDaemons' and ListDaemonTaskDefinitions' page size when none is asked for.
LIST_DEFAULT = 100
#: ListDaemonDeployments' page size when none is asked for.
DEPLOYMENTS_DEFAULT = 20
DRAIN_PERCENT_RANGE = (1.0, 100.0)
BAKE_MINUTES_RANGE = (0, 1440)
TAGS_LIMIT = 50
CLIENT_TOKEN_LIMIT = 36
NOT_ACTIVE_MESSAGE = "The daemon is being deleted: a daemon deployment deletion is ongoing."
FoundT = TypeVar("FoundT")
# A daemon's name and a daemon task definition's family: 1 to 255 letters, digits, - and _.
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


class DaemonsMixin:
    """The daemon half of :class:`~mock_ecs_deployments.ServiceDeploymentBackend`."""

    region_name: str
    account_id: str
    lock: threading.RLock
    clusters: set[str]
    planned: dict[tuple[str, ...], deque[lifecycle.Plan]]
    _sequence: int
    daemons: dict[tuple[str, str], Daemon]
    daemon_order: list[Daemon]
    replaced_daemons: dict[tuple[str, str], list[Daemon]]
    daemon_keys: list[int]
    daemon_tokens: dict[str, Daemon]
    daemon_task_definitions: dict[str, list[DaemonTaskDefinition]]
    capacity_providers: dict[str, CapacityProvider]

    if TYPE_CHECKING:  # provided by the backend

        def existing_cluster(self, cluster: str | None) -> str: ...

        def next_plan(self, key: tuple[str, ...]) -> lifecycle.Plan: ...

        def due(self, record: Any, at_ms: int) -> None: ...

        def catch_up(self, now: int) -> None: ...

        def described(
            self,
            name: str,
            references: Sequence[str],
            find: Callable[[str, int], FoundT | None],
        ) -> tuple[list[FoundT], list[str]]: ...

        def alarm_state(self, record: Any, name: str) -> tuple[str, int] | None: ...

        def watching_alarms(self, record: Any, watching: bool) -> None: ...

    def _init_daemons(self) -> None:
        self.daemons = {}
        self.daemon_order = []
        self.replaced_daemons = {}
        self.daemon_keys = []
        self.daemon_tokens = {}
        self.daemon_task_definitions = {}
        self.capacity_providers = {}

    # -- seeding ---------------------------------------------------------------------------

    def add_capacity_provider(
        self, name: str, cluster: str | None = None, *, instances: int = 1
    ) -> CapacityProvider:
        """Seed an ECS Managed Instances capacity provider with ``instances`` instances (and
        register its cluster, ``default`` when not given). A daemon deployment moves the
        instances of its capacity providers; one the mock was not told of has none.

        :raises SeedingError: a name that is not 1 to 255 letters, digits, hyphens and
            underscores, or ``instances`` that is not a whole number of 0 or more.
        """
        validation.name("name", name)
        cluster_name = validation.name("cluster", validation.cluster_name(cluster or "default"))
        validation.count("instances", instances)
        provider = CapacityProvider(
            self.region_name, self.account_id, name, cluster_name, instances
        )
        with self.lock:
            self.clusters.add(cluster_name)
            self.capacity_providers[provider.arn] = provider
        return provider

    # -- what a daemon asks its backend (DaemonWatcher) ----------------------------------------

    def instances(self, capacity_provider_arn: str) -> int:
        """Part of :class:`~..model.daemon_records.DaemonWatcher`."""
        provider = self.capacity_providers.get(capacity_provider_arn)
        return 0 if provider is None else provider.instances

    def drained(self, daemon: Daemon) -> None:
        """Part of :class:`~..model.daemon_records.DaemonWatcher`: its delete deployment
        ended, so the daemon is gone."""
        daemon.status = "DELETED"
        self.runs(daemon, None)

    # -- daemon task definitions -----------------------------------------------------------

    def register_daemon_task_definition(
        self, family: str, container_definitions: list[dict[str, Any]], **settings: Any
    ) -> DaemonTaskDefinition:
        """RegisterDaemonTaskDefinition: the family's next revision, ACTIVE."""
        if not _NAME.match(family):
            raise InvalidParameterException(
                "family must be 1 to 255 letters, digits, hyphens and underscores."
            )
        if not container_definitions:
            raise InvalidParameterException("containerDefinitions must not be empty.")
        for index, container in enumerate(container_definitions):
            if not isinstance(container.get("image"), str) or not container["image"]:
                raise InvalidParameterException(f"containerDefinitions[{index}].image is required.")
        _check_tags(settings.get("tags"))
        with self.lock:
            revisions = self.daemon_task_definitions.setdefault(family, [])
            definition = DaemonTaskDefinition(
                self.region_name,
                self.account_id,
                family,
                len(revisions) + 1,
                container_definitions,
                now_ms(),
                f"arn:{arns.partition_for(self.region_name)}:iam::{self.account_id}:root",
                **settings,
            )
            revisions.append(definition)
            return definition

    def find_daemon_task_definition(self, reference: str) -> DaemonTaskDefinition | None:
        """The daemon task definition ``reference`` names: ``family`` (its latest ACTIVE
        revision), ``family:revision`` or an ARN; ``None`` when there is none."""
        text = reference
        if reference.startswith("arn:"):
            parts = arns.own_parts(
                reference, "daemon-task-definition", self.region_name, self.account_id, 1
            )
            if parts is None:
                return None
            text = parts[0]
        family, colon, number = text.partition(":")
        revisions = self.daemon_task_definitions.get(family, [])
        if not colon:
            active = [item for item in revisions if self._td_status(item) == "ACTIVE"]
            return active[-1] if active else None
        if not (number.isascii() and number.isdigit()) or not 1 <= int(number) <= len(revisions):
            return None
        return revisions[int(number) - 1]

    def describe_daemon_task_definition(self, reference: str) -> DaemonTaskDefinition:
        """DescribeDaemonTaskDefinition.

        :raises ClientException: no such daemon task definition.
        """
        with self.lock:
            self._caught_up()
            definition = self.find_daemon_task_definition(reference)
            if definition is None:
                raise ClientException("Unable to describe daemon task definition.")
            self._td_status(definition)
            return definition

    def delete_daemon_task_definition(self, reference: str) -> DaemonTaskDefinition:
        """DeleteDaemonTaskDefinition: an ACTIVE revision becomes DELETE_IN_PROGRESS, then
        DELETED once no daemon uses it; daemons that run it keep running it.

        :raises ClientException: no such revision, or it is not ACTIVE.
        """
        with self.lock:
            self._caught_up()
            definition = self.find_daemon_task_definition(reference)
            if definition is None or ":" not in reference.rsplit("/", 1)[-1]:
                raise ClientException(
                    "The specified daemon task definition does not exist: name it by"
                    " family:revision or ARN."
                )
            if self._td_status(definition) != "ACTIVE":
                raise ClientException("The specified daemon task definition is not ACTIVE.")
            definition.status = "DELETE_IN_PROGRESS"
            definition.delete_requested_ms = now_ms()
            return definition

    @staticmethod
    def _td_status(definition: DaemonTaskDefinition) -> str:
        """Its status now: a deleted one no daemon uses is DELETED once time has moved on.
        A request caught up first (:meth:`_caught_up`), so that a drain that ended or a
        rollback that named this definition again is seen."""
        if definition.status == "DELETE_IN_PROGRESS":
            now = now_ms()
            if not definition.users and (definition.delete_requested_ms or now) < now:
                definition.status = "DELETED"
        return definition.status

    def _caught_up(self) -> None:
        """Apply every step due by now, once per request that reads task definitions'
        statuses, without walking the daemons (the caller holds the lock)."""
        self.catch_up(now_ms())

    def list_daemon_task_definitions(
        self,
        family_prefix: str | None = None,
        family: str | None = None,
        revision: str | None = None,
        status: str | None = None,
        sort: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[DaemonTaskDefinition], str | None]:
        """ListDaemonTaskDefinitions: by family, then revision (ASC by default)."""
        limit = pagination.check_limit(max_results, LIST_DEFAULT)
        for name, value, shape in (
            ("revision", revision, "DaemonTaskDefinitionRevisionFilter"),
            ("status", status, "DaemonTaskDefinitionStatusFilter"),
            ("sort", sort, "SortOrder"),
        ):
            if value is not None:
                enum_parameter(name, value, shape)
        if family is not None and family_prefix is not None:
            raise InvalidParameterException("family and familyPrefix cannot both be given.")
        wanted = status or "ACTIVE"
        with self.lock:
            self._caught_up()
            chosen: list[DaemonTaskDefinition] = []
            for name in sorted(self.daemon_task_definitions):
                if family is not None and name != family:
                    continue
                if family_prefix is not None and not name.startswith(family_prefix):
                    continue
                # Every revision's status is brought up to now, ALL's too: a summary shows
                # the status DescribeDaemonTaskDefinition would.
                revisions = [
                    item
                    for item in self.daemon_task_definitions[name]
                    if self._td_status(item) == wanted or wanted == "ALL"
                ]
                chosen.extend(revisions[-1:] if revision == "LAST_REGISTERED" else revisions)
            if sort == "DESC":
                chosen.reverse()
            scope = pagination.scope_of(
                self.account_id, self.region_name, family_prefix, family, revision, wanted, sort
            )
            return pagination.in_order(chosen, limit, next_token, scope)

    # -- daemons ---------------------------------------------------------------------------

    def find_daemon(self, daemon_arn: str, *, deleted: bool = False) -> Daemon:
        """The daemon ``daemon_arn`` names (a deleted one only when ``deleted``).

        :raises InvalidParameterException: not a daemon ARN.
        :raises DaemonNotFoundException: no such daemon here.
        """
        parsed = arns.parse_arn(daemon_arn)
        if parsed is None or parsed.kind != "daemon" or len(parsed.parts) != 2:
            raise InvalidParameterException(f"Invalid daemon ARN: {daemon_arn}")
        if (parsed.region, parsed.account_id) != (self.region_name, self.account_id):
            raise DaemonNotFoundException()
        record = self.daemons.get((parsed.parts[0], parsed.parts[1]))
        if record is None or (record.status == "DELETED" and not deleted):
            raise DaemonNotFoundException()
        self.refresh_daemon(record, now_ms())
        if record.status == "DELETED" and not deleted:
            raise DaemonNotFoundException()
        return record

    def create_daemon(
        self,
        name: str,
        task_definition: str,
        capacity_provider_arns: Sequence[str],
        cluster: str | None = None,
        client_token: str | None = None,
        **settings: Any,
    ) -> tuple[Daemon, DaemonDeployment]:
        """CreateDaemon: an ACTIVE daemon and its first deployment.

        :raises InvalidParameterException: a bad name, capacity provider, setting, or a name
            taken in the cluster.
        :raises ClusterNotFoundException: no such cluster.
        :raises ClientException: no such daemon task definition, or it is not ACTIVE.
        """
        if not _NAME.match(name):
            raise InvalidParameterException(
                "daemonName must be 1 to 255 letters, digits, hyphens and underscores."
            )
        if client_token is not None and not 0 < len(client_token) <= CLIENT_TOKEN_LIMIT:
            raise InvalidParameterException(
                f"clientToken must be 1 to {CLIENT_TOKEN_LIMIT} characters."
            )
        _check_tags(settings.get("tags"))
        with self.lock:
            self._caught_up()
            cluster_name = self.existing_cluster(cluster)
            token_key = f"{cluster_name}|{client_token}"
            if client_token is not None and token_key in self.daemon_tokens:
                again = self.daemon_tokens[token_key]
                first = again.deployments[0]
                if again.name == name and again.status != "DELETED":
                    return again, first
                raise InvalidParameterException(
                    "clientToken was already used for another CreateDaemon request."
                )
            held = self.daemons.get((cluster_name, name))
            if held is not None and held.status != "DELETED":
                raise InvalidParameterException(
                    f"Creation of daemon was not idempotent: a daemon named {name} already"
                    f" exists in cluster {cluster_name}."
                )
            self._sequence += 1
            now = now_ms()
            record = Daemon(
                self.region_name,
                self.account_id,
                cluster_name,
                name,
                self._sequence,
                now,
                "",
                (),
                watcher=self,
            )
            self._apply_settings(record, task_definition, capacity_provider_arns, settings)
            self.hold(record)
            if client_token is not None:
                self.daemon_tokens[token_key] = record
            return record, self._deploy(record, now)

    def update_daemon(
        self,
        daemon_arn: str,
        task_definition: str,
        capacity_provider_arns: Sequence[str],
        **settings: Any,
    ) -> tuple[Daemon, DaemonDeployment]:
        """UpdateDaemon: every setting replaced (left out: its default), and a deployment.

        :raises DaemonNotActiveException: the daemon is being deleted.
        """
        with self.lock:
            self._caught_up()
            record = self.find_daemon(daemon_arn)
            if record.status != "ACTIVE":
                raise DaemonNotActiveException(NOT_ACTIVE_MESSAGE)
            self._apply_settings(record, task_definition, capacity_provider_arns, settings)
            now = now_ms()
            record.updated_ms = now
            return record, self._deploy(record, now)

    def delete_daemon(self, daemon_arn: str) -> tuple[Daemon, DaemonDeployment]:
        """DeleteDaemon: DELETE_IN_PROGRESS, and a deployment that drains its tasks; when it
        ends the daemon is gone.

        :raises DaemonNotActiveException: it is being deleted already.
        """
        with self.lock:
            record = self.find_daemon(daemon_arn)
            if record.status != "ACTIVE":
                raise DaemonNotActiveException(NOT_ACTIVE_MESSAGE)
            now = now_ms()
            record.status = "DELETE_IN_PROGRESS"
            record.updated_ms = now
            deployment = self._deploy(record, now, target=False)
            return record, deployment

    def list_daemons(
        self,
        cluster: str | None = None,
        capacity_provider_arns: Sequence[str] | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[Daemon], str | None]:
        """ListDaemons: the daemons not yet gone, oldest first (the mock's order), of one
        cluster when one is given, on any of ``capacity_provider_arns`` when given.

        :raises InvalidParameterException: a capacity provider ARN that is not one, or a bad
            ``maxResults`` or ``nextToken``.
        :raises ClusterNotFoundException: no such cluster.
        """
        limit = pagination.check_limit(max_results, LIST_DEFAULT)
        _check_capacity_provider_arns(capacity_provider_arns or ())
        wanted = frozenset(capacity_provider_arns or ())
        with self.lock:
            cluster_name = None if cluster is None else self.existing_cluster(cluster)
            now = now_ms()

            def listed(record: Daemon) -> bool:
                if self.daemons.get((record.cluster, record.name)) is not record:
                    return False
                if cluster_name is not None and record.cluster != cluster_name:
                    return False
                if wanted and not wanted.intersection(record.capacity_provider_arns):
                    return False
                self.refresh_daemon(record, now)
                return record.status != "DELETED"

            scope = pagination.scope_of(
                self.account_id, self.region_name, cluster_name, ",".join(sorted(wanted))
            )
            return pagination.oldest_first(
                self.daemon_keys, self.daemon_order, listed, limit, next_token, scope
            )

    # -- daemon deployments and revisions --------------------------------------------------

    def list_daemon_deployments(
        self,
        daemon_arn: str,
        statuses: Sequence[str] | None = None,
        created_after_ms: int | None = None,
        created_before_ms: int | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[DaemonDeployment], str | None]:
        """ListDaemonDeployments: newest first, as ListServiceDeployments (a deleted daemon's
        too).

        :raises ClusterNotFoundException: the ARN's cluster does not exist here.
        :raises ClientException: no such daemon (the model declares no DaemonNotFoundException
            for this operation).
        """
        limit = pagination.check_limit(max_results, DEPLOYMENTS_DEFAULT)
        wanted = status_filter(statuses, "DaemonDeploymentStatus")
        with self.lock:
            try:
                record = self.find_daemon(daemon_arn, deleted=True)
            except DaemonNotFoundException:
                # The model declares no DaemonNotFoundException here: a daemon's own cluster
                # that does not exist is ClusterNotFoundException, any other ClientException.
                parsed = arns.parse_arn(daemon_arn)
                assert parsed is not None  # find_daemon refused a malformed one
                own = (parsed.region, parsed.account_id) == (self.region_name, self.account_id)
                if own:
                    self.existing_cluster(parsed.parts[0])
                raise ClientException(
                    f"The specified daemon does not exist: {daemon_arn}"
                ) from None
            owner = (self.account_id, self.region_name, "daemon", record.cluster, record.name)
            scope = pagination.deployments_scope(owner, wanted, created_after_ms, created_before_ms)
            window = (created_after_ms, created_before_ms)
            position = pagination.position_of(next_token, scope)
            return pagination.deployments_page(
                record.keys, record.deployments, wanted, window, limit, position, scope
            )

    def _daemon_child(self, arn: str, kind: str) -> tuple[list[Daemon], str] | None:
        """The daemons a deployment or revision ARN may belong to (the one that holds its
        name now first, then the earlier, deleted ones of the same name, newest first: their
        deployments and revisions keep their ARNs), and the child's id; ``None`` for an ARN of
        no such kind here."""
        parts = arns.own_parts(arn, kind, self.region_name, self.account_id, 3)
        if parts is None:
            return None
        cluster, name, child = parts
        current = self.daemons.get((cluster, name))
        if current is None:
            return None
        return [current, *reversed(self.replaced_daemons.get((cluster, name), []))], child

    def daemon_deployment(self, arn: str, now: int) -> DaemonDeployment | None:
        """The daemon deployment ``arn`` names, brought up to ``now``, else ``None``: what
        DescribeDaemonDeployments finds (through :meth:`described`)."""
        owners = self._daemon_child(arn, "daemon-deployment")
        for record in [] if owners is None else owners[0]:
            if owners is not None and owners[1] in record.by_id:
                self.refresh_daemon(record, now)
                return record.by_id[owners[1]]
        return None

    def daemon_revision(self, arn: str, now: int) -> DaemonRevision | None:
        """The daemon revision ``arn`` names, else ``None``: what DescribeDaemonRevisions
        finds (through :meth:`described`)."""
        owners = self._daemon_child(arn, "daemon-revision")
        for record in [] if owners is None else owners[0]:
            if owners is not None and owners[1] in record.revisions:
                return record.revisions[owners[1]]
        return None

    def hold(self, record: Daemon) -> None:
        """Keep ``record`` as the daemon of its name in its cluster; a deleted one it replaces
        is kept too, its deployments and revisions still described."""
        key = (record.cluster, record.name)
        before = self.daemons.get(key)
        if before is not None:
            self.replaced_daemons.setdefault(key, []).append(before)
        self.daemons[key] = record
        pagination.place(self.daemon_keys, self.daemon_order, record)

    # -- inside ----------------------------------------------------------------------------

    @staticmethod
    def refresh_daemon(record: Daemon, now: int) -> None:
        """Bring ``record``'s deployment under way, if any, up to ``now`` (as ``refresh`` does
        a service's)."""
        if record.ongoing is not None:
            daemon_lifecycle.advance(record.ongoing, now)

    def _apply_settings(
        self,
        record: Daemon,
        task_definition: str,
        capacity_provider_arns: Sequence[str],
        settings: dict[str, Any],
    ) -> None:
        """Put CreateDaemon's or UpdateDaemon's settings on ``record``, defaults for the rest."""
        definition = self.find_daemon_task_definition(task_definition)
        if definition is None:
            raise ClientException(
                f"The specified daemon task definition does not exist: {task_definition}"
            )
        if self._td_status(definition) != "ACTIVE":
            raise ClientException(
                f"The specified daemon task definition is being deleted: {definition.arn}"
            )
        if not capacity_provider_arns:
            raise InvalidParameterException("capacityProviderArns must not be empty.")
        _check_capacity_provider_arns(capacity_provider_arns)
        configuration = _deployment_configuration(settings.get("deployment_configuration"))
        propagate = settings.get("propagate_tags") or "NONE"
        enum_parameter("propagateTags", propagate, "DaemonPropagateTags")
        self.runs(record, definition.arn)
        record.capacity_provider_arns = tuple(dict.fromkeys(capacity_provider_arns))
        record.deployment_configuration = configuration
        record.propagate_tags = propagate
        record.enable_ecs_managed_tags = bool(settings.get("enable_ecs_managed_tags", False))
        record.enable_execute_command = bool(settings.get("enable_execute_command", False))
        critical = settings.get("critical")
        record.critical = True if critical is None else bool(critical)
        if "tags" in settings:
            record.tags = settings["tags"]

    def _deploy(self, record: Daemon, now: int, *, target: bool = True) -> DaemonDeployment:
        """Start a deployment of ``record``'s settings (``target=False``: one that drains):
        it supersedes one under way and starts from where that one left the instances."""
        previous = record.latest()
        if previous is not None and previous.status in daemon_lifecycle.ONGOING:
            daemon_lifecycle.advance(previous, now)
            daemon_lifecycle.supersede(previous, now)
        running = dict(previous.running) if previous is not None else {}
        held = {revision for revision, _ in running}
        sources = [] if previous is None else [r for r in previous.revisions if r.id in held]
        revision = None
        if target:
            definition = self.find_daemon_task_definition(record.task_definition_arn)
            assert definition is not None
            revision = DaemonRevision(
                record,
                arns.new_uuid(),
                definition.arn,
                now,
                [
                    {
                        "containerName": str(container.get("name") or definition.family),
                        "image": str(container["image"]),
                        "imageDigest": image_digest(str(container["image"])),
                    }
                    for container in definition.container_definitions
                ],
                record.propagate_tags,
                record.enable_ecs_managed_tags,
                record.enable_execute_command,
                record.critical,
            )
            record.revisions[revision.id] = revision
        providers = record.capacity_provider_arns
        where = dict.fromkeys([*providers, *(cp for _, cp in running)])
        self._sequence += 1
        deployment = DaemonDeployment(
            record,
            arns.new_deployment_id(),
            self._sequence,
            now,
            revision,
            sources,
            providers,
            record.deployment_configuration,
            instances={cp: self.instances(cp) for cp in where},
            running=running,
        )
        pagination.place(record.keys, record.deployments, deployment)
        record.by_id[deployment.id] = deployment
        record.ongoing = deployment
        daemon_lifecycle.begin(
            deployment, self.next_plan(("daemon", record.cluster, record.name)), now
        )
        daemon_lifecycle.advance(deployment, now)
        return deployment

    def runs(self, record: Daemon, task_definition_arn: str | None) -> None:
        """Part of :class:`~..model.daemon_records.DaemonWatcher`: ``record``'s settings now
        name ``task_definition_arn`` (``None``: it is gone and names none); the daemon task
        definitions it names are told who uses them."""
        before = self.find_daemon_task_definition(record.task_definition_arn)
        if before is not None:
            before.users.discard(record.arn)
        if task_definition_arn is None:
            return
        after = self.find_daemon_task_definition(task_definition_arn)
        if after is not None:
            after.users.add(record.arn)
        record.task_definition_arn = task_definition_arn


def _check_capacity_provider_arns(capacity_provider_arns: Sequence[str]) -> None:
    """Each of ``capacity_provider_arns`` is a capacity provider's ARN (known or not).

    :raises InvalidParameterException: naming the first one that is not.
    """
    for arn in capacity_provider_arns:
        parsed = arns.parse_arn(arn)
        if parsed is None or parsed.kind != "capacity-provider" or len(parsed.parts) != 1:
            raise InvalidParameterException(f"Invalid capacity provider ARN: {arn}")


def _check_tags(tags: object) -> None:
    if isinstance(tags, list) and len(tags) > TAGS_LIMIT:
        raise InvalidParameterException(f"tags must hold at most {TAGS_LIMIT} tags.")


def _deployment_configuration(value: object) -> dict[str, Any]:
    """A daemon's deploymentConfiguration, checked: drainPercent 1.0 to 100.0 (25.0 by
    default), bakeTimeInMinutes 0 to 1440 (0), alarms."""
    given: dict[str, Any] = dict(value) if isinstance(value, dict) else {}
    drain = given.get("drainPercent", daemon_lifecycle.DEFAULT_DRAIN_PERCENT)
    low, high = DRAIN_PERCENT_RANGE
    if isinstance(drain, bool) or not isinstance(drain, int | float) or not low <= drain <= high:
        raise InvalidParameterException(
            f"deploymentConfiguration.drainPercent must be between {low} and {high}; got {drain}."
        )
    bake = given.get("bakeTimeInMinutes", 0)
    least, most = BAKE_MINUTES_RANGE
    if isinstance(bake, bool) or not isinstance(bake, int) or not least <= bake <= most:
        raise InvalidParameterException(
            f"deploymentConfiguration.bakeTimeInMinutes must be between {least} and {most};"
            f" got {bake}."
        )
    configuration: dict[str, Any] = {"drainPercent": float(drain), "bakeTimeInMinutes": bake}
    alarms = given.get("alarms")
    if alarms is not None:
        if not isinstance(alarms, dict):
            raise InvalidParameterException("deploymentConfiguration.alarms must be an object.")
        configuration["alarms"] = {
            "alarmNames": list(alarms.get("alarmNames") or []),
            "enable": bool(alarms.get("enable", False)),
        }
    return configuration
