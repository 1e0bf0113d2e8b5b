"""The fields of a service the mock owns in DescribeServices (and in the answers of
CreateService, UpdateService and DeleteService), as the JSON AWS writes; and the parameters of
CreateService and UpdateService it reads.

What a tracked service shows (``deployments[]``, the counts, the task definition,
``deploymentConfiguration``, ``currentServiceDeployment``, ``currentServiceRevisions`` and
``events``) is built here, once, from the engine's view of the service at one instant
(:func:`~mock_ecs_deployments.engine.deployments.service_view.service_view`), whichever ECS
answers the request; the bridge to moto joins it into moto's answer.
"""

from __future__ import annotations

from typing import TypedDict

from ..engine.deployments.service_view import DeploymentEntry, service_view
from ..engine.model.clock import now_ms
from ..engine.model.records import JsonObject, Service
from ..engine.state.backend import ServiceDeploymentBackend
from .shapes import (
    DeploymentConfigurationShape,
    RevisionSettingsShape,
    deployment_configuration,
    revision_settings,
    seconds,
)


class ServiceRequest(TypedDict, total=False):
    """The parameters of CreateService and UpdateService the mock reads, as sent."""

    cluster: str
    service: str
    serviceName: str
    desiredCount: int
    taskDefinition: str
    launchType: str
    platformVersion: str
    networkConfiguration: JsonObject
    capacityProviderStrategy: list[JsonObject]
    loadBalancers: list[JsonObject]
    serviceRegistries: list[JsonObject]
    volumeConfigurations: list[JsonObject]
    deploymentConfiguration: JsonObject
    forceNewDeployment: bool


class _DeploymentRequired(TypedDict):
    id: str
    status: str
    taskDefinition: str
    desiredCount: int
    pendingCount: int
    runningCount: int
    failedTasks: int
    createdAt: float
    updatedAt: float
    rolloutState: str
    rolloutStateReason: str


class DeploymentShape(_DeploymentRequired, RevisionSettingsShape):
    """``Deployment``: one entry of DescribeServices' ``deployments[]``."""


class ServiceCurrentRevisionSummaryShape(TypedDict):
    """``ServiceCurrentRevisionSummary``: a revision serving now, with its task counts."""

    arn: str
    requestedTaskCount: int
    runningTaskCount: int
    pendingTaskCount: int


class ServiceEventShape(TypedDict):
    """``ServiceEvent``: one entry of a service's ``events``."""

    id: str
    createdAt: float
    message: str


class _ServiceFieldsRequired(TypedDict):
    desiredCount: int


class ServiceFields(_ServiceFieldsRequired, total=False):
    """The members of a ``Service`` the mock owns for a service it tracks."""

    taskDefinition: str
    runningCount: int
    pendingCount: int
    deploymentConfiguration: DeploymentConfigurationShape
    deployments: list[DeploymentShape]
    currentServiceDeployment: str
    currentServiceRevisions: list[ServiceCurrentRevisionSummaryShape]
    events: list[ServiceEventShape]


def service_fields(backend: ServiceDeploymentBackend, record: Service) -> ServiceFields:
    """The fields of ``record`` now, as wire JSON. The caller holds ``backend.lock``.

    A service whose deployment controller is not ECS has no deployments: it shows its desired
    count and task definition only.
    """
    out: ServiceFields = {"desiredCount": record.desired_count}
    if record.task_definition:
        out["taskDefinition"] = record.task_definition
    if record.deployment_controller != "ECS":
        return out
    backend.refresh(record, now_ms())
    view = service_view(record)
    if view.task_definition:
        out["taskDefinition"] = view.task_definition
    out["runningCount"] = view.running_count
    out["pendingCount"] = view.pending_count
    out["deploymentConfiguration"] = deployment_configuration(record.deployment_configuration)
    out["deployments"] = [_deployment(entry, record) for entry in view.deployments]
    if view.current_service_deployment is not None:
        out["currentServiceDeployment"] = view.current_service_deployment
    out["currentServiceRevisions"] = [
        {
            "arn": entry.revision.arn,
            "requestedTaskCount": entry.desired_count,
            "runningTaskCount": entry.running_count,
            "pendingTaskCount": entry.pending_count,
        }
        for entry in view.serving
    ]
    out["events"] = [
        {"id": event.id, "createdAt": seconds(event.created_ms), "message": event.message}
        for event in view.events
    ]
    return out


def _deployment(entry: DeploymentEntry, record: Service) -> DeploymentShape:
    """One ``Deployment`` of DescribeServices' ``deployments[]``: a revision's entry shows the
    service's network configuration when the revision has none of its own."""
    revision = entry.revision
    network = revision.network_configuration or record.network_configuration or None
    return {
        "id": entry.id,
        "status": entry.status,
        "taskDefinition": revision.task_definition,
        "desiredCount": entry.desired_count,
        "pendingCount": entry.pending_count,
        "runningCount": entry.running_count,
        "failedTasks": entry.failed_tasks,
        "createdAt": seconds(entry.created_ms),
        "updatedAt": seconds(entry.updated_ms),
        "rolloutState": entry.rollout_state,
        "rolloutStateReason": entry.rollout_state_reason,
        **revision_settings(revision, network),
    }


__all__ = [
    "DeploymentShape",
    "ServiceCurrentRevisionSummaryShape",
    "ServiceEventShape",
    "ServiceFields",
    "ServiceRequest",
    "service_fields",
]
