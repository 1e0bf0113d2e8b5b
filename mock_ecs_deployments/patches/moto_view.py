"""moto's ECS services shown as the mock's service deployments say they are.

moto's answers for a service (DescribeServices, and CreateService, UpdateService and
DeleteService) are built from the attributes of its ``Service`` object. For a service the mock
tracks, the answer is given a copy of that object carrying the mock's view at this instant:
``deployments[]``, the counts, the task definition, ``deploymentConfiguration``,
``currentServiceDeployment``, ``currentServiceRevisions`` and ``events``. moto's own object is
never changed for an answer, and each copy is made under the backend's lock from one view.
"""

from __future__ import annotations

import copy
from typing import Any

from ..engine.backend import ServiceDeploymentBackend
from ..engine.clock import from_ms, now_ms
from ..engine.models import Service
from ..engine.registry import service_deployment_backends
from ..engine.service_view import DeploymentEntry, service_view


def shown(response: Any, moto_service: Any) -> Any:
    """What an answer shows for ``moto_service``: a copy with the mock's view when the mock
    tracks it (an ACTIVE service with the ECS deployment controller), else moto's own."""
    if moto_service is None or getattr(moto_service, "status", None) != "ACTIVE":
        return moto_service
    backend = service_deployment_backends[response.current_account][response.region]
    with backend.lock:
        record = backend._current_service(moto_service.cluster_name, moto_service.name)
        if record is None or record.moto_service is not moto_service:
            return moto_service
        return snapshot(backend, record, moto_service)


def snapshot(backend: ServiceDeploymentBackend, record: Service, moto_service: Any) -> Any:
    """A copy of ``moto_service`` showing ``record`` now. The caller holds ``backend.lock``."""
    out = copy.copy(moto_service)
    if record.task_definition:
        out.task_definition = record.task_definition
    out.desired_count = record.desired_count
    if record.deployment_controller != "ECS":
        return out
    backend.refresh(record, now_ms())
    view = service_view(record)
    out.deployments = [_deployment(entry, record) for entry in view.deployments]
    out.task_definition = view.task_definition or out.task_definition
    out.running_count = view.running_count
    out.pending_count = view.pending_count
    out.deployment_configuration = view.deployment_configuration
    out.current_service_deployment = view.current_service_deployment
    out.current_service_revisions = view.current_service_revisions()
    out.events = [
        {"id": event.id, "createdAt": from_ms(event.created_ms), "message": event.message}
        for event in view.events
    ]
    return out


def _deployment(entry: DeploymentEntry, record: Service) -> dict[str, Any]:
    """One ``Deployment`` of DescribeServices' ``deployments[]``."""
    revision = entry.revision
    out: dict[str, Any] = {
        "id": entry.id,
        "status": entry.status,
        "taskDefinition": revision.task_definition,
        "desiredCount": entry.desired_count,
        "pendingCount": entry.pending_count,
        "runningCount": entry.running_count,
        "failedTasks": entry.failed_tasks,
        "createdAt": from_ms(entry.created_ms),
        "updatedAt": from_ms(entry.updated_ms),
        "rolloutState": entry.rollout_state,
        "rolloutStateReason": entry.rollout_state_reason,
    }
    if revision.capacity_provider_strategy:
        out["capacityProviderStrategy"] = revision.capacity_provider_strategy
    elif revision.launch_type is not None:
        out["launchType"] = revision.launch_type
    if revision.platform_version is not None:
        out["platformVersion"] = revision.platform_version
    if revision.platform_family is not None:
        out["platformFamily"] = revision.platform_family
    network = revision.network_configuration or record.network_configuration
    if network:
        out["networkConfiguration"] = network
    return out
