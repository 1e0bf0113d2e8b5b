"""A task of a service the mock tracks as the JSON AWS writes: the ``Task`` shape of
DescribeTasks and StopTask, with its containers, placement and times.

The bridge to moto answers those operations (:mod:`mock_ecs_deployments.beside_moto.tasks`)
and passes in what only moto knows (the task definition's cpu and memory); every other field
comes from the engine's record of the task, at the instant it was brought to.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import TypedDict

from ..engine.model.images import derived_images, image_digest
from ..engine.model.records import ServiceRevision, Task
from .shapes import seconds

#: The platform version a Fargate task shows when its service asks for LATEST.
LATEST_PLATFORM_VERSION = "1.4.0"
_FARGATE_PROVIDERS = frozenset({"FARGATE", "FARGATE_SPOT"})


class ContainerShape(TypedDict, total=False):
    """``Container`` of a task."""

    containerArn: str
    taskArn: str
    name: str
    image: str
    imageDigest: str
    lastStatus: str
    exitCode: int
    reason: str
    networkInterfaces: list[object]
    healthStatus: str


class TaskShape(TypedDict, total=False):
    """``Task`` of DescribeTasks and StopTask (absent values left out)."""

    taskArn: str
    clusterArn: str
    taskDefinitionArn: str
    lastStatus: str
    desiredStatus: str
    startedBy: str
    group: str
    launchType: str
    capacityProviderName: str
    platformVersion: str
    platformFamily: str
    availabilityZone: str
    cpu: str
    memory: str
    createdAt: float
    pullStartedAt: float
    pullStoppedAt: float
    connectivity: str
    connectivityAt: float
    startedAt: float
    stoppingAt: float
    stoppedAt: float
    executionStoppedAt: float
    stopCode: str
    stoppedReason: str
    version: int
    containers: list[ContainerShape]
    overrides: dict[str, list[object]]
    attachments: list[object]
    tags: list[object]
    healthStatus: str
    enableExecuteCommand: bool


def placement(revision: ServiceRevision) -> tuple[str | None, str | None]:
    """``(launchType, capacityProviderName)`` of a revision's tasks: with a capacity provider
    strategy, its first provider (Fargate's run on FARGATE, the others on EC2)."""
    strategy = revision.capacity_provider_strategy
    if strategy:
        provider = str(strategy[0].get("capacityProvider") or "")
        return ("FARGATE" if provider in _FARGATE_PROVIDERS else "EC2"), provider or None
    return revision.launch_type, None


def _container_arn(task: Task, name: str) -> str:
    # Derived from the task and the name, never drawn: a task described twice is the same.
    digest = hashlib.blake2b(f"{task.arn}#{name}".encode(), digest_size=16).digest()
    identifier = uuid.UUID(bytes=digest, version=4)
    return f"{task.arn.replace(':task/', ':container/', 1)}/{identifier}"


def _containers(task: Task) -> list[ContainerShape]:
    images = task.revision.container_images or derived_images(task.revision)
    exit_code = task.exit_code
    if exit_code is None and task.stopped_ms is not None and task.started_ms is not None:
        exit_code = 0  # a task stopped by its scheduler or its user: stopped cleanly
    containers: list[ContainerShape] = []
    for image in images:
        name = image["containerName"]
        container: ContainerShape = {
            "containerArn": _container_arn(task, name),
            "taskArn": task.arn,
            "name": name,
            "image": image["image"],
            "imageDigest": image.get("imageDigest") or image_digest(image["image"]),
            "lastStatus": task.last_status,
            "networkInterfaces": [],
            "healthStatus": "UNKNOWN",
        }
        if exit_code is not None:
            container["exitCode"] = exit_code
        if task.container_reason is not None:
            container["reason"] = task.container_reason
        containers.append(container)
    return containers


def _placed(shape: TaskShape, revision: ServiceRevision) -> None:
    launch_type, provider = placement(revision)
    if launch_type is not None:
        shape["launchType"] = launch_type
    if provider is not None:
        shape["capacityProviderName"] = provider
    if launch_type == "FARGATE":
        version = revision.platform_version
        shape["platformVersion"] = (
            version if version and version != "LATEST" else LATEST_PLATFORM_VERSION
        )
        shape["platformFamily"] = revision.platform_family or "Linux"


def _timed(shape: TaskShape, task: Task) -> None:
    if task.started_ms is not None:
        shape["connectivity"] = "CONNECTED"
        shape["connectivityAt"] = seconds(task.created_ms)
        shape["pullStartedAt"] = seconds(task.created_ms)
        shape["pullStoppedAt"] = seconds(task.started_ms)
        shape["startedAt"] = seconds(task.started_ms)
    if task.stopped_ms is not None:
        stopped = seconds(task.stopped_ms)
        shape["stoppingAt"] = shape["stoppedAt"] = shape["executionStoppedAt"] = stopped
    if task.stop_code is not None:
        shape["stopCode"] = task.stop_code
    if task.stopped_reason is not None:
        shape["stoppedReason"] = task.stopped_reason


def task_shape(task: Task, *, cpu: str | None = None, memory: str | None = None) -> TaskShape:
    """``task`` as AWS's ``Task`` shape, with the task-level ``cpu`` and ``memory`` of its task
    definition when they are known (left out otherwise). A stopped task's stopping, stopped
    and execution-stopped times are the same (the mock's tasks stop at once)."""
    service, revision = task.service, task.revision
    shape: TaskShape = {
        "taskArn": task.arn,
        "clusterArn": service.cluster_arn,
        "taskDefinitionArn": revision.task_definition,
        "lastStatus": task.last_status,
        "desiredStatus": task.desired_status,
        "startedBy": task.started_by,
        "group": f"service:{service.name}",
        "availabilityZone": f"{service.region}a",
        "createdAt": seconds(task.created_ms),
        "version": task.version,
        "containers": _containers(task),
        "overrides": {"containerOverrides": [], "inferenceAcceleratorOverrides": []},
        "attachments": [],
        "tags": [],
        "healthStatus": "UNKNOWN",
        "enableExecuteCommand": False,
    }
    _placed(shape, revision)
    if cpu is not None:
        shape["cpu"] = str(cpu)
    if memory is not None:
        shape["memory"] = str(memory)
    _timed(shape, task)
    return shape


__all__ = ["LATEST_PLATFORM_VERSION", "ContainerShape", "TaskShape", "placement", "task_shape"]
