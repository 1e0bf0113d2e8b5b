"""moto's ECS services shown as the mock's service deployments say they are.

moto's answers for a service (DescribeServices, and CreateService, UpdateService and
DeleteService) are built from the attributes of its ``Service`` object by moto's serializer.
For a service the mock tracks, the fields the mock owns come from the mock's view at this
instant, as the JSON AWS writes
(:func:`~mock_ecs_deployments.protocol.service_fields.service_fields`); moto serializes the
rest, from a copy of its object without those fields (:func:`without_fields`), and the two are
joined in the answer's JSON (:func:`joined`). moto's own object is never changed for an
answer, and each service's fields are made under the backend's lock from one view. An answer
of the mock's own that moto's dispatch sends on is given moto's headers (:func:`for_moto`).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence

from ..engine.state.registry import service_deployment_backends
from ..protocol.service_fields import ServiceFields, service_fields
from ..protocol.shapes import dumps
from .peer import MotoEcsResponse, MotoService

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
#: moto's answer: ``(status, headers, body)``.
Answer = tuple[int, dict[str, str], str]


def for_moto(answer: Answer) -> Answer:
    """One of the mock's answers as moto's dispatch takes it: moto reads the status of a
    ``(status, headers, body)`` answer from its headers, and sets a request id under its own
    spelling of the header unless one is there (our id moves to that spelling: one header, as
    AWS sends)."""
    status, headers, body = answer
    headers["status"] = str(status)
    request_id = headers.pop("x-amzn-RequestId", None)
    if request_id is not None:
        headers["x-amzn-requestid"] = request_id
    return status, headers, body


def shown(response: MotoEcsResponse, moto_service: MotoService | None) -> ServiceFields | None:
    """The fields the mock shows for ``moto_service`` when it tracks it (an ACTIVE service it
    holds as moto's current one), else ``None`` (moto's answer stands as it is)."""
    if moto_service is None or moto_service.status != "ACTIVE":
        return None
    backend = service_deployment_backends[response.current_account][response.region]
    with backend.lock:
        record = backend.current_service(moto_service.cluster_name, moto_service.name)
        if record is None or record.peer_record is not moto_service:
            return None
        return service_fields(backend, record)


def without_fields(moto_service: MotoService, shown_fields: ServiceFields) -> MotoService:
    """A copy of ``moto_service`` that moto serializes without the fields the mock shows."""
    out = copy.copy(moto_service)
    for key in shown_fields:
        attribute = _OWNED_ATTRIBUTES.get(key)
        if attribute is not None:
            setattr(out, attribute, None)  # moto's serializer leaves a None member out
    return out


def joined(answer: Answer, key: str, shown_fields: Sequence[ServiceFields | None]) -> Answer:
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


__all__ = ["Answer", "for_moto", "joined", "shown", "without_fields"]
