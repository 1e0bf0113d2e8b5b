"""moto's ECS services shown as the mock's service deployments say they are.

moto's answers for a service (DescribeServices, and CreateService, UpdateService and
DeleteService) are built from the attributes of its ``Service`` object by moto's serializer.
For a service the mock tracks, the fields the mock owns (``deployments[]``, the counts, the
task definition, ``deploymentConfiguration``, ``currentServiceDeployment``,
``currentServiceRevisions`` and ``events``) come from the mock's view at this instant, as the
JSON AWS writes (:func:`fields`); moto serializes the rest, from a copy of its object without
those fields (:func:`without_fields`), and the two are joined in the answer's JSON
(:func:`joined`). moto's own object is never changed for an answer, and each service's fields
are made under the backend's lock from one view.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any

from ..engine.deployments.service_view import DeploymentEntry, service_view
from ..engine.model.clock import now_ms
from ..engine.model.records import Service
from ..engine.state.backend import ServiceDeploymentBackend
from ..engine.state.registry import service_deployment_backends
from ..protocol.shapes import dumps, seconds

# The wire fields the mock owns, and moto's Service attributes behind them.
_OWNED_ATTRIBUTES = {
    "taskDefinition": "task_definition",
    "desiredCount": "desired_count",
    "runningCount": "running_count",
    "pendingCount": "pending_count",
    "deployments": "deployments",
    "deploymentConfiguration": "deployment_configuration",
    "events": "events",
}


def shown(response: Any, moto_service: Any) -> dict[str, Any] | None:
    """The fields the mock shows for ``moto_service`` when it tracks it (an ACTIVE service it
    holds as moto's current one), else ``None`` (moto's answer stands as it is)."""
    if moto_service is None or getattr(moto_service, "status", None) != "ACTIVE":
        return None
    backend = service_deployment_backends[response.current_account][response.region]
    with backend.lock:
        record = backend.current_service(moto_service.cluster_name, moto_service.name)
        if record is None or record.peer_record is not moto_service:
            return None
        return fields(backend, record)


def fields(backend: ServiceDeploymentBackend, record: Service) -> dict[str, Any]:
    """The fields of ``record`` now, as wire JSON. The caller holds ``backend.lock``."""
    out: dict[str, Any] = {"desiredCount": record.desired_count}
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
    out["deploymentConfiguration"] = view.deployment_configuration
    out["deployments"] = [_deployment(entry, record) for entry in view.deployments]
    if view.current_service_deployment is not None:
        out["currentServiceDeployment"] = view.current_service_deployment
    out["currentServiceRevisions"] = view.current_service_revisions()
    out["events"] = [
        {"id": event.id, "createdAt": seconds(event.created_ms), "message": event.message}
        for event in view.events
    ]
    return out


def without_fields(moto_service: Any, shown_fields: dict[str, Any]) -> Any:
    """A copy of ``moto_service`` that moto serializes without the fields the mock shows."""
    out = copy.copy(moto_service)
    for key in shown_fields:
        attribute = _OWNED_ATTRIBUTES.get(key)
        if attribute is not None:
            setattr(out, attribute, None)  # moto's serializer leaves a None member out
    return out


def joined(
    answer: tuple[int, dict[str, Any], str], key: str, shown_fields: Sequence[dict[str, Any] | None]
) -> tuple[int, dict[str, Any], str]:
    """moto's serialized ``answer`` with each service under ``key`` (a list, or one service)
    given the mock's fields, in order (``None``: that service as moto wrote it)."""
    status, headers, body = answer
    if not any(shown_fields):
        return answer
    data = json.loads(body)
    services = data.get(key)
    if isinstance(services, dict):
        services = [services]
    if not isinstance(services, list) or len(services) != len(shown_fields):
        raise RuntimeError(
            f"moto's answer does not hold the {len(shown_fields)} {key} it was given"
        )
    for service, extra in zip(services, shown_fields, strict=True):
        if extra:
            service.update(extra)
    return status, headers, dumps(data)


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
        "createdAt": seconds(entry.created_ms),
        "updatedAt": seconds(entry.updated_ms),
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
