"""Follow moto's ECS ``create_service``, ``update_service`` and ``delete_service``, so that a
service made and changed through moto gets the deployment history a real account would have;
and show a tracked service in moto's answers (those three and ``describe_services``) as its
deployments say it is (:mod:`.moto_view`).

moto's response methods are wrapped (not its backend), because moto 5 parses but never
stores parts of the request that decide a deployment, such as ``deploymentConfiguration``:
the wrapper reads them from the request itself after moto has answered. Everything is put
back exactly as it was by :func:`uninstall`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..engine.deployments.configuration import deployment_configuration
from ..engine.model import arns
from ..engine.model.exceptions import InvalidParameterException
from ..engine.model.records import Service
from ..engine.state.backend import ServiceDeploymentBackend
from ..engine.state.registry import service_deployment_backends
from ..protocol.dispatch import error_reply
from . import view as moto_view

# UpdateService parameters whose change makes a new deployment (AWS's developer guide).
_DEPLOYING_PARAMETERS = {
    "taskDefinition": "task_definition",
    "networkConfiguration": "network_configuration",
    "platformVersion": "platform_version",
    "capacityProviderStrategy": "capacity_provider_strategy",
    "loadBalancers": "load_balancers",
    "serviceRegistries": "service_registries",
    "volumeConfigurations": None,  # not kept on the revision: any value given deploys
}
_saved: dict[str, Any] = {}


def install(responses: Any) -> None:
    """Wrap the service operations of moto's ECS response class (idempotent)."""
    for name, wrap in (
        ("create_service", lambda original: _wrap(original, _after_create)),
        ("update_service", lambda original: _wrap(original, _after_update)),
        ("delete_service", lambda original: _wrap(original, _after_delete)),
        ("describe_services", _shown_services),
    ):
        if name not in _saved:
            original = responses.__dict__[name]
            _saved[name] = original
            setattr(responses, name, wrap(original))


def uninstall(responses: Any) -> None:
    """Put the service operations of moto's ECS response class back as they were."""
    for name, original in _saved.items():
        setattr(responses, name, original)
    _saved.clear()


def _wrap(
    original: Callable[[Any], Any], follow: Callable[[Any, dict[str, Any], Any], Any]
) -> Callable[[Any], Any]:
    @functools.wraps(original)
    def wrapper(response: Any) -> Any:
        params = dict(getattr(response, "params", None) or {})
        if params.get("deploymentConfiguration") is not None:
            try:  # refused before moto changes anything, as AWS refuses the whole request
                deployment_configuration(
                    "deploymentConfiguration", params["deploymentConfiguration"]
                )
            except (TypeError, ValueError) as error:
                status, headers, body = error_reply(InvalidParameterException(str(error)))
                headers["status"] = str(status)
                return status, headers, body
        before = _moto_service(response, params)
        result = original(response)  # moto's own errors propagate unchanged
        return _answer(response, result, "service", [follow(response, params, before)])

    return wrapper


def _shown_services(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    @functools.wraps(original)
    def wrapper(response: Any) -> Any:
        result = original(response)
        payload = getattr(result, "result", None)
        if not isinstance(payload, dict) or not payload.get("services"):
            return result
        shown = [moto_view.shown(response, service) for service in payload["services"]]
        return _answer(response, result, "services", shown)

    return wrapper


def _answer(response: Any, result: Any, key: str, shown: list[dict[str, Any] | None]) -> Any:
    """moto's answer ``result`` (an ``ActionResult``) with the service or services under
    ``key`` showing the mock's fields ``shown`` (one per service; ``None`` for moto's own):
    moto serializes what it owns, and the mock's fields join it in the JSON."""
    payload = getattr(result, "result", None)
    if not any(shown) or not isinstance(payload, dict) or key not in payload:
        return result
    value = payload[key]
    if isinstance(value, list):
        hidden: Any = [
            service if extra is None else moto_view.without_fields(service, extra)
            for service, extra in zip(value, shown, strict=True)
        ]
    else:
        hidden = moto_view.without_fields(value, shown[0] or {})
    answer = response.serialized(type(result)({**payload, key: hidden}))
    return moto_view.joined(answer, key, shown)


def _backend(response: Any) -> ServiceDeploymentBackend:
    return service_deployment_backends[response.current_account][response.region]


def _cluster_name(params: dict[str, Any]) -> str:
    cluster = str(params.get("cluster") or "default")
    return cluster.rsplit("/", 1)[-1] if cluster.startswith("arn:") else cluster


def _service_name(params: dict[str, Any]) -> str:
    return str(params.get("serviceName") or params.get("service") or "").rsplit("/", 1)[-1]


def _moto_service(response: Any, params: dict[str, Any]) -> Any:
    key = f"{_cluster_name(params)}:{_service_name(params)}"
    return response.ecs_backend.services.get(key)


def _task_definition_arn(response: Any, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(response.ecs_backend.describe_task_definition(value).arn)
    except Exception:  # moto's own error for a task definition it does not know
        return arns.task_definition_arn(response.region, response.current_account, value)


def _revision_id(moto_service: Any) -> int | None:
    """The number of moto's ``ecs-svc/<n>`` primary deployment id (the revision id)."""
    deployments = getattr(moto_service, "deployments", None) or []
    identifier = str(deployments[0].get("id", "")) if deployments else ""
    digits = identifier.rpartition("/")[2]
    return int(digits) if digits.isdigit() else None


def _after_create(response: Any, params: dict[str, Any], _: Any) -> dict[str, Any] | None:
    moto_service = _moto_service(response, params)
    if moto_service is None:
        return None
    backend = _backend(response)
    with backend.lock:
        cluster, name = _cluster_name(params), _service_name(params)
        record = backend.services.get((cluster, name))
        if record is not None and record.peer_record not in (None, moto_service):
            backend.delete_service(record)  # a service of the same name moto replaced
            record = None
        if record is None:
            record = backend.add_service(
                name,
                cluster,
                desired_count=int(moto_service.desired_count or 0),
                deployment_controller=(moto_service.deployment_controller or {}).get("type", "ECS"),
                launch_type=None
                if params.get("capacityProviderStrategy")
                else moto_service.launch_type,
                capacity_provider_strategy=params.get("capacityProviderStrategy"),
            )
        record.peer_record = moto_service
        backend.in_step(record)
        _apply(record, params, response)
        if record.deployment_controller == "ECS":
            backend.start_deployment(
                name,
                cluster,
                task_definition=record.task_definition,
                revision_id=_revision_id(moto_service),
            )
        return moto_view.fields(backend, record)


def _after_update(response: Any, params: dict[str, Any], before: Any) -> dict[str, Any] | None:
    moto_service = _moto_service(response, params)
    if moto_service is None:
        return None
    backend = _backend(response)
    with backend.lock:
        record = backend.current_service(_cluster_name(params), moto_service.name)
        if record is None:
            return None
        deploys = bool(params.get("forceNewDeployment")) or _changes(record, params, response)
        if params.get("desiredCount") is not None:
            record.desired_count = int(params["desiredCount"])
        _apply(record, params, response)
        if record.task_definition:  # moto keeps what the request said ("web:2"): AWS, an ARN
            moto_service.task_definition = record.task_definition
        if not deploys or record.deployment_controller != "ECS":
            return moto_view.fields(backend, record)
        if not params.get("forceNewDeployment") and moto_service.deployments:
            # moto mints a deployment id only on forceNewDeployment; AWS makes a new one for
            # every change that deploys, and DescribeServices would show it.
            from moto.moto_api._internal import mock_random

            moto_service.deployments[0]["id"] = f"ecs-svc/{mock_random.randint(0, 32**12)}"
        backend.start_deployment(
            record.name,
            record.cluster,
            task_definition=record.task_definition,
            revision_id=_revision_id(moto_service),
        )
        return moto_view.fields(backend, record)


def _after_delete(response: Any, params: dict[str, Any], before: Any) -> dict[str, Any] | None:
    moto_service = _moto_service(response, params) or before
    if moto_service is None or moto_service.status == "ACTIVE":
        return None
    backend = _backend(response)
    with backend.lock:
        record = backend.services.get((_cluster_name(params), moto_service.name))
        if record is None:
            return None
        # The answer shows the service as it was when it was deleted, with moto's status.
        shown = moto_view.fields(backend, record)
        backend.delete_service(record)
        return shown


def _changes(record: Service, params: dict[str, Any], response: Any) -> bool:
    for parameter, attribute in _DEPLOYING_PARAMETERS.items():
        if params.get(parameter) is None:
            continue
        if attribute is None:
            return True
        new = params[parameter]
        if parameter == "taskDefinition":
            new = _task_definition_arn(response, new)
        if new != getattr(record, attribute):
            return True
    return False


def _apply(record: Service, params: dict[str, Any], response: Any) -> None:
    """Copy what the request says about the service onto our record of it."""
    if params.get("taskDefinition"):
        record.task_definition = _task_definition_arn(response, params["taskDefinition"])
    for parameter, attribute in _DEPLOYING_PARAMETERS.items():
        if attribute is not None and parameter != "taskDefinition" and parameter in params:
            setattr(record, attribute, params[parameter])
    if params.get("capacityProviderStrategy"):
        record.launch_type = None
    elif params.get("launchType"):
        record.launch_type = params["launchType"]
    if params.get("deploymentConfiguration") is not None:
        # A new mapping, never a mutation: earlier deployments keep the one they were made with.
        record.deployment_configuration = deployment_configuration(
            "deploymentConfiguration", params["deploymentConfiguration"]
        )
