"""``ServiceDeploymentBackend``: the state of one account in one region, and the registry.

The backend knows nothing of HTTP: it filters, pages and changes state, raising the modeled
errors of :mod:`mock_ecs_deployments.exceptions`. One lock guards each backend, so every public
method is safe to call from many threads.
"""

from __future__ import annotations

import sys
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from moto.core.base_backend import AccountSpecificBackend, BackendDict, BaseBackend

from . import arns, pagination, seeding
from .clock import now_ms
from .exceptions import (
    ClusterNotFoundException,
    InvalidParameterException,
    ServiceNotFoundException,
)
from .models import (
    SEQUENCE_BITS,
    Service,
    ServiceDeployment,
    ServiceRevision,
    sort_key,
)
from .service_model import deployment_statuses

DEFAULT_ACCOUNT_ID = "123456789012"
MAX_RESULTS_DEFAULT = 20
MAX_RESULTS_LIMIT = 100
_LAST_SEQUENCE = (1 << SEQUENCE_BITS) - 1
# Only services with the ECS deployment controller have service deployments.
_CONTROLLERS_WITH_DEPLOYMENTS = frozenset({"ECS"})


class ServiceDeploymentBackend(BaseBackend):
    """Clusters, services, revisions and deployments of one account in one region."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.lock = threading.RLock()
        self.clusters: set[str] = set()
        self.services: dict[tuple[str, str], Service] = {}
        self._sequence = 0

    # -- seeding ---------------------------------------------------------------------------

    def add_service(
        self,
        service: str,
        cluster: str | None = None,
        *,
        desired_count: int = 1,
        deployment_controller: str = "ECS",
        launch_type: str | None = "FARGATE",
        platform_version: str | None = None,
        network_configuration: dict[str, Any] | None = None,
        load_balancers: list[dict[str, Any]] | None = None,
        service_registries: list[dict[str, Any]] | None = None,
    ) -> Service:
        """Register a new ACTIVE service (and its cluster, when new).

        :param service: the service name, or its ARN in this account and region.
        :param cluster: the cluster name or ARN (default: the one in a service ARN, else
            ``default``).
        :param desired_count: tasks the service wants (0 or more).
        :param deployment_controller: ``ECS`` (default), ``CODE_DEPLOY`` or ``EXTERNAL``; only
            ``ECS`` services have service deployments.
        :param launch_type: ``FARGATE`` (default), ``EC2``, ``EXTERNAL``, ``MANAGED_INSTANCES``.
        :raises ValueError: naming the field and the allowed values, or when the service
            exists already.
        """
        cluster_name, service_name = seeding.resolve_service_reference(
            service, cluster, self.region_name, self.account_id
        )
        controller = seeding.choice(
            "deployment_controller", deployment_controller, seeding.DEPLOYMENT_CONTROLLERS
        )
        if launch_type is not None:
            seeding.choice("launch_type", launch_type, seeding.LAUNCH_TYPES)
        record = Service(
            region=self.region_name,
            account_id=self.account_id,
            cluster=cluster_name,
            name=service_name,
            desired_count=seeding.count("desired_count", desired_count),
            deployment_controller=controller,
            launch_type=launch_type,
            platform_version=platform_version,
            network_configuration=network_configuration,
            load_balancers=seeding.as_list("load_balancers", load_balancers),
            service_registries=seeding.as_list("service_registries", service_registries),
        )
        with self.lock:
            existing = self.services.get((cluster_name, service_name))
            if existing is not None and existing.status == "ACTIVE":
                raise ValueError(
                    f"service: {service_name!r} already exists in cluster {cluster_name!r}"
                )
            self.clusters.add(cluster_name)
            self.services[(cluster_name, service_name)] = record
            return record

    def add_deployment(
        self,
        service: str,
        cluster: str | None = None,
        *,
        status: str = "SUCCESSFUL",
        created_at: datetime | None = None,
        started_at: datetime | None = None,
        finished_at: datetime | None = None,
        status_reason: str | None = None,
        task_definition: str | None = None,
    ) -> ServiceDeployment:
        """Record one service deployment exactly as given; other records are left alone.

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
        :returns: the stored record (``.arn``, ``.id``, ``.status``, ``.created_at`` ...).
        :raises ValueError: naming the field, the bad value and the allowed values.
        """
        checked_status = seeding.deployment_status(status)
        created_ms = seeding.timestamp_ms("created_at", created_at)
        started_ms = seeding.timestamp_ms("started_at", started_at)
        finished_ms = seeding.timestamp_ms("finished_at", finished_at)
        if status_reason is not None and not isinstance(status_reason, str):
            raise TypeError(f"status_reason: expected a string, got {status_reason!r}")
        if task_definition is not None and (
            not isinstance(task_definition, str) or not task_definition
        ):
            raise ValueError(
                f"task_definition: expected 'family:revision' or an ARN, got {task_definition!r}"
            )
        with self.lock:
            if created_ms is None:
                created_ms = now_ms()
            started_ms, finished_ms = seeding.deployment_times(
                checked_status, created_ms, started_ms, finished_ms
            )
            record = self._ensure_service(service, cluster)
            deployment = self._new_deployment(
                record,
                created_ms,
                checked_status,
                task_definition or f"{record.name}:{len(record.deployments) + 1}",
            )
            deployment.status_reason = status_reason
            deployment.started_ms = started_ms
            deployment.finished_ms = finished_ms
            if checked_status == "STOPPED":
                deployment.stopped_ms = finished_ms
            deployment.updated_ms = max(
                t for t in (created_ms, started_ms, finished_ms) if t is not None
            )
            return deployment

    def _ensure_service(self, service: str, cluster: str | None) -> Service:
        """The ACTIVE service named, adopted from moto or registered with defaults if new."""
        cluster_name, service_name = seeding.resolve_service_reference(
            service, cluster, self.region_name, self.account_id
        )
        record = self._current_service(cluster_name, service_name)
        if record is not None and record.status == "ACTIVE":
            return record
        return self.add_service(service_name, cluster_name)

    def _new_deployment(
        self, service: Service, created_ms: int, status: str, task_definition: str
    ) -> ServiceDeployment:
        """A deployment with a fresh target revision, placed in the service's order."""
        revision = ServiceRevision(
            service=service,
            id=self._unused_revision_id(service),
            task_definition=arns.task_definition_arn(
                self.region_name, self.account_id, task_definition
            ),
            created_ms=created_ms,
            launch_type=service.launch_type,
            platform_version=service.platform_version,
            network_configuration=service.network_configuration,
            load_balancers=service.load_balancers,
            service_registries=service.service_registries,
        )
        if service.launch_type == "FARGATE":
            revision.platform_version = service.platform_version or "LATEST"
            revision.platform_family = "Linux"
        self._sequence += 1
        deployment = ServiceDeployment(
            service=service,
            id=arns.new_deployment_id(),
            sequence=self._sequence,
            created_ms=created_ms,
            status=status,
            target_revision=revision,
        )
        index = bisect_left(service.keys, deployment.sort_key)
        if index:
            deployment.source_revisions = [service.deployments[index - 1].target_revision]
        service.revisions[revision.id] = revision
        service.insert(deployment)
        return deployment

    @staticmethod
    def _unused_revision_id(service: Service) -> int:
        while True:
            revision_id = arns.new_revision_id()
            if revision_id not in service.revisions:
                return revision_id

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
        record = self._current_service(cluster_name, service_name)
        if record is None or record.status != "ACTIVE":
            raise ServiceNotFoundException()
        return record

    def _current_service(self, cluster: str, service: str) -> Service | None:
        """Our record of a service, kept in step with moto's when moto has one."""
        record = self.services.get((cluster, service))
        moto_service = self._moto_service(cluster, service)
        if record is not None and moto_service is not None:
            if record.moto_service is None:
                record.moto_service = moto_service
            elif record.moto_service is not moto_service or moto_service.status != "ACTIVE":
                self.delete_service(record)  # moto deleted or replaced it
                record = None
        if record is None:
            record = self._service_from_moto(cluster, service)
        return record

    def delete_service(self, record: Service) -> None:
        """Delete a service: it becomes INACTIVE and its deployments and revisions go with it."""
        with self.lock:
            record.status = "INACTIVE"
            if self.services.get((record.cluster, record.name)) is record:
                del self.services[(record.cluster, record.name)]

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
        moto_backend = self._moto_ecs_backend()
        return moto_backend is not None and cluster in moto_backend.clusters

    def _moto_ecs_backend(self) -> Any:
        """moto's ECS backend for this account and region, if moto has one (never made here)."""
        models = sys.modules.get("moto.ecs.models")
        if models is None:
            return None
        regions = dict.get(models.ecs_backends, self.account_id)
        return None if regions is None else dict.get(regions, self.region_name)

    def _moto_service(self, cluster: str, service: str) -> Any:
        moto_backend = self._moto_ecs_backend()
        return None if moto_backend is None else moto_backend.services.get(f"{cluster}:{service}")

    def _service_from_moto(self, cluster: str, service: str) -> Service | None:
        """Adopt a service that moto's ECS knows, so that listing it works."""
        moto_service = self._moto_service(cluster, service)
        if moto_service is None or moto_service.status != "ACTIVE":
            return None
        controller = (moto_service.deployment_controller or {}).get("type", "ECS")
        record = self.add_service(
            service,
            cluster,
            desired_count=moto_service.desired_count,
            deployment_controller=controller,
            launch_type=moto_service.launch_type,
        )
        record.moto_service = moto_service
        return record

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
        costs O(log n + page size) when no status filter is given.
        """
        limit = MAX_RESULTS_DEFAULT if max_results is None else max_results
        if not 1 <= limit <= MAX_RESULTS_LIMIT:
            raise InvalidParameterException(
                f"maxResults must be between 1 and {MAX_RESULTS_LIMIT}; got {limit}."
            )
        wanted = frozenset(statuses or ())
        allowed = deployment_statuses()
        for status in statuses or ():
            if status not in allowed:
                raise InvalidParameterException(
                    f"Invalid status value: {status}. Valid values: {', '.join(allowed)}."
                )
        with self.lock:
            record = self.find_service(service, cluster)
            scope = "|".join(
                (
                    self.account_id,
                    self.region_name,
                    record.cluster,
                    record.name,
                    ",".join(sorted(wanted)),
                    str(created_after_ms),
                    str(created_before_ms),
                )
            )
            position = None if next_token is None else pagination.decode(next_token, scope)
            if record.deployment_controller not in _CONTROLLERS_WITH_DEPLOYMENTS:
                return [], None
            return self._page(
                record, wanted, created_after_ms, created_before_ms, limit, position, scope
            )

    @staticmethod
    def _page(
        record: Service,
        wanted: frozenset[str],
        after_ms: int | None,
        before_ms: int | None,
        limit: int,
        position: int | None,
        scope: str,
    ) -> tuple[list[ServiceDeployment], str | None]:
        keys, deployments = record.keys, record.deployments
        low = 0 if after_ms is None else bisect_left(keys, sort_key(after_ms, 0))
        high = (
            len(keys)
            if before_ms is None
            else bisect_right(keys, sort_key(before_ms, _LAST_SEQUENCE))
        )
        if position is not None:
            high = min(high, bisect_left(keys, position))
        if not wanted:
            start = max(low, high - limit)
            page = deployments[start:high][::-1] if start < high else []
            more = start > low
        else:
            page = []
            index = high - 1
            while index >= low and len(page) < limit:
                if deployments[index].status in wanted:
                    page.append(deployments[index])
                index -= 1
            # A token is only handed out when a further match exists: no empty last page.
            more = any(deployments[i].status in wanted for i in range(index, low - 1, -1))
        token = pagination.encode(page[-1].sort_key, scope) if page and more else None
        return page, token


class _RegionBackends(AccountSpecificBackend[ServiceDeploymentBackend]):
    """The backends of one account; any region name makes one, as botocore allows any."""

    def __getitem__(self, region_name: str) -> ServiceDeploymentBackend:
        backend = dict.get(self, region_name)
        if backend is None:
            with _registry_lock:
                backend = dict.get(self, region_name)
                if backend is None:
                    backend = ServiceDeploymentBackend(region_name, self.account_id)
                    dict.__setitem__(self, region_name, backend)
        return backend

    def __contains__(self, region: object) -> bool:
        return dict.__contains__(self, region)


class ServiceDeploymentBackendDict(BackendDict[ServiceDeploymentBackend]):
    """``service_deployment_backends[account_id][region]``, created lazily as in moto.

    Unlike moto's own, this registry is not entered in ``BackendDict._instances``: moto's
    ``mock_aws`` resets every registered ``BackendDict`` when it starts, and that would wipe
    what a test seeded before starting it. This package resets it itself.
    """

    def _create_account_specific_backend(self, account_id: str) -> None:
        if dict.__contains__(self, account_id):
            return
        with _registry_lock:
            if not dict.__contains__(self, account_id):
                dict.__setitem__(
                    self,
                    account_id,
                    _RegionBackends(
                        service_name=self.service_name,
                        account_id=account_id,
                        backend=self.backend,
                        use_boto3_regions=False,
                        additional_regions=None,
                    ),
                )

    def reset(self) -> None:  # type: ignore[override]
        """Drop every account's backends (moto's ``BackendDict.reset`` is a classmethod for
        moto's own registries; this one resets only this registry)."""
        with _registry_lock:
            self.clear()


_registry_lock = threading.RLock()
service_deployment_backends = ServiceDeploymentBackendDict(ServiceDeploymentBackend, "ecs")
