"""moto's ECS as the engine's peer: the clusters, services and task definitions it holds.

The engine asks its peer three questions
(:class:`~mock_ecs_deployments.engine.state.backend.ServicePeer`): whether a cluster exists,
what became of a service (adopted when only moto holds it, deleted when moto deleted or
replaced it), and which containers a task definition has. This is that peer while moto is in
play; with moto's ECS not loaded, or moto not active, it holds nothing.

The protocols here name what the bridge reads and writes of moto's objects (its ECS backend,
services, tasks, task definitions and response class; its CloudWatch alarms), so that every
use of them is checked against one description; moto itself is never imported for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Protocol, cast

from ..engine.model import clock
from ..engine.model.clock import to_ms
from ..engine.model.records import JsonObject, Service
from ..engine.state.backend import ServiceDeploymentBackend
from .presence import moto_cloudwatch_backend, moto_ecs_backend


class MotoService(Protocol):
    """moto's ``Service`` (``moto.ecs.models``), as far as the bridge uses it."""

    name: str
    cluster_name: str
    status: str
    desired_count: int
    task_definition: str | None
    launch_type: str | None
    capacity_provider_strategy: list[JsonObject] | None
    deployment_controller: dict[str, str] | None
    #: The primary deployment first: ``{"id": "ecs-svc/<n>", ...}``.
    deployments: list[dict[str, object]]


class MotoTaskDefinition(Protocol):
    """moto's ``TaskDefinition``, as far as the bridge reads it."""

    arn: str
    container_definitions: list[dict[str, object]]


class MotoTask(Protocol):
    """moto's ``Task`` (``moto.ecs.models``), as far as the bridge reads it."""

    task_arn: str
    desired_status: str
    started_by: str
    task_definition_arn: str
    launch_type: str
    container_instance_arn: str | None


class MotoTaskSizes(Protocol):
    """moto's ``TaskDefinition``: the task-level cpu and memory it was registered with."""

    cpu: str | None
    memory: str | None


class MotoTaskBackend(Protocol):
    """moto's ECS backend as the task operations read it: tasks by cluster name, then ARN."""

    clusters: Mapping[str, object]
    tasks: dict[str, dict[str, MotoTask]]

    def describe_task_definition(self, task_definition_str: str) -> MotoTaskSizes:
        """The task definition an ARN names.

        :raises Exception: moto's own error, for one it does not hold.
        """
        ...


class MotoAlarm(Protocol):
    """moto's CloudWatch ``Alarm`` (``moto.cloudwatch.models``), as far as the bridge reads it."""

    state_value: str
    #: When its state last changed (naive UTC, moto's ``utcnow()``).
    state_updated_timestamp: datetime


class MotoEcsBackend(Protocol):
    """moto's ``EC2ContainerServiceBackend`` of one account and region, as far as the bridge
    uses it: services are keyed ``"<cluster>:<service>"``, task definitions by family, then by
    revision number."""

    services: dict[str, MotoService]
    clusters: Mapping[str, object]
    task_definitions: dict[str, dict[int, object]]

    def describe_task_definition(self, task_definition_str: str) -> MotoTaskDefinition:
        """The task definition ``family``, ``family:revision`` or an ARN names.

        :raises Exception: moto's own error, for one it does not hold.
        """
        ...

    def create_cluster(self, cluster_name: str) -> object:
        """Make a cluster."""
        ...

    def create_service(
        self,
        cluster_str: str,
        service_name: str,
        desired_count: int,
        task_definition_str: str | None = None,
        load_balancers: list[JsonObject] | None = None,
        deployment_controller: dict[str, str] | None = None,
        launch_type: str | None = None,
        service_registries: list[JsonObject] | None = None,
        platform_version: str | None = None,
        network_configuration: JsonObject | None = None,
    ) -> MotoService:
        """Make a service (moto's own checks apply)."""
        ...


class MotoActionResult(Protocol):
    """moto's ``ActionResult``: what an operation of its response class returns, for moto to
    serialize (``result`` is the output, such as ``{"services": [...], "failures": [...]}``)."""

    result: object

    def __init__(self, result: object) -> None: ...


class MotoEcsResponse(Protocol):
    """moto's ``EC2ContainerServiceResponse`` while it answers one request."""

    current_account: str
    region: str
    #: The request's parameters, as sent.
    params: Mapping[str, object]

    @property
    def ecs_backend(self) -> MotoEcsBackend:
        """moto's ECS backend of the request's account and region."""
        ...

    def serialized(self, action_result: MotoActionResult) -> tuple[int, dict[str, str], str]:
        """moto's answer for ``action_result``: ``(status, headers, body)``."""
        ...


def moto_service(record: Service) -> MotoService | None:
    """moto's record of a service the mock tracks, if it has one."""
    return cast("MotoService | None", record.peer_record)


class MotoPeer:
    """The answers of moto's ECS backend of the same account and region."""

    @staticmethod
    def _backend(backend: ServiceDeploymentBackend) -> MotoEcsBackend | None:
        moto_backend: MotoEcsBackend | None = moto_ecs_backend(
            backend.account_id, backend.region_name
        )
        return moto_backend

    def has_cluster(self, backend: ServiceDeploymentBackend, cluster: str) -> bool:
        """Whether moto holds ``cluster``."""
        moto_backend = self._backend(backend)
        return moto_backend is not None and cluster in moto_backend.clusters

    def follow(self, backend: ServiceDeploymentBackend, cluster: str, service: str) -> None:
        """Adopt the service when only moto holds it; delete ours when moto deleted or
        replaced it (its history goes with it)."""
        moto_backend = self._backend(backend)
        if moto_backend is None:
            return
        theirs = moto_backend.services.get(f"{cluster}:{service}")
        record = backend.services.get((cluster, service))
        if record is not None and theirs is not None:
            if record.peer_record is None:
                record.peer_record = theirs
                backend.in_step(record)
            elif record.peer_record is not theirs or theirs.status != "ACTIVE":
                backend.delete_service(record)
                record = None
        if record is None and theirs is not None and theirs.status == "ACTIVE":
            controller = (theirs.deployment_controller or {}).get("type", "ECS")
            record = backend.add_service(
                service,
                cluster,
                desired_count=theirs.desired_count,
                deployment_controller=controller,
                launch_type=theirs.launch_type,
            )
            record.peer_record = theirs
            backend.in_step(record)

    def container_images(
        self, backend: ServiceDeploymentBackend, task_definition_arn: str
    ) -> list[dict[str, str]] | None:
        """The named containers with an image of a task definition moto holds."""
        moto_backend = self._backend(backend)
        if moto_backend is None:
            return None
        try:
            task_definition = moto_backend.describe_task_definition(task_definition_arn)
        except Exception:  # moto raises its own errors for unknown task definitions
            return None
        return [
            {"containerName": str(c["name"]), "image": str(c["image"])}
            for c in task_definition.container_definitions
            if c.get("name") and c.get("image")
        ]

    def alarm_state(self, backend: ServiceDeploymentBackend, name: str) -> tuple[str, int] | None:
        """A CloudWatch alarm of moto's: its state and when it last changed, on the mock's
        clock (moto stamps it with the system's or freezegun's time; the mock's own advance
        is added)."""
        cloudwatch = moto_cloudwatch_backend(backend.account_id, backend.region_name)
        if cloudwatch is None:
            return None
        alarms: Mapping[str, MotoAlarm] = cloudwatch.alarms
        alarm = alarms.get(name)
        if alarm is None:
            return None
        ahead_ms = clock.offset.delta // timedelta(milliseconds=1)
        return str(alarm.state_value), to_ms(alarm.state_updated_timestamp) + ahead_ms


__all__ = [
    "MotoActionResult",
    "MotoAlarm",
    "MotoEcsBackend",
    "MotoEcsResponse",
    "MotoPeer",
    "MotoService",
    "MotoTask",
    "MotoTaskBackend",
    "MotoTaskDefinition",
    "MotoTaskSizes",
    "moto_service",
]
