"""Follow moto's ECS ``create_service``, ``update_service`` and ``delete_service``, so that a
service made and changed through moto gets the deployment history a real account would have;
and show a tracked service in moto's answers (those three and ``describe_services``) as its
deployments say it is (:mod:`.view`).

moto's response methods are wrapped (not its backend), because moto 5 parses but never
stores parts of the request that decide a deployment, such as ``deploymentConfiguration``:
the wrapper reads them from the request itself after moto has answered. Whether a request
deploys, and what it changes on the service, is the engine's rule
(:mod:`~mock_ecs_deployments.engine.deployments.service_update`): this module only translates
moto's request into it. Everything is put back exactly as it was when the
step's patch is undone (:data:`~mock_ecs_deployments.beside_moto.dispatch.SERVICES`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import cast

from ..engine.deployments import service_update, tasks
from ..engine.deployments.service_update import ServiceUpdate
from ..engine.model import arns
from ..engine.model.clock import now_ms
from ..engine.model.exceptions import InvalidParameterException
from ..engine.model.records import Service
from ..engine.state.backend import ServiceDeploymentBackend
from ..engine.state.registry import service_deployment_backends
from ..patching import Patch
from ..protocol.dispatch import error_reply
from ..protocol.service_fields import ServiceFields, ServiceRequest, service_fields
from . import view as moto_view
from .peer import MotoActionResult, MotoEcsResponse, MotoService

#: A method of moto's response class: an ``ActionResult``, or an answer of its own.
Operation = Callable[[MotoEcsResponse], "MotoActionResult | moto_view.Answer"]
#: What follows one of moto's operations: the request, moto's service before it, and the
#: mock's fields of the service to show in the answer (``None``: moto's answer as it is).
Follower = Callable[[MotoEcsResponse, ServiceRequest, "MotoService | None"], "ServiceFields | None"]


def install(patch: Patch, responses: type) -> None:
    """Wrap the service operations of moto's ECS response class; ``patch`` keeps the
    originals and puts them back when it is undone."""
    wrappers: tuple[tuple[str, Callable[[Operation], Operation]], ...] = (
        ("create_service", lambda original: _wrap(original, _after_create)),
        ("update_service", lambda original: _wrap(original, _after_update)),
        ("delete_service", lambda original: _wrap(original, _after_delete)),
        ("describe_services", _shown_services),
    )
    for name, wrap in wrappers:
        original: Operation = responses.__dict__[name]
        patch.replace(responses, name, wrap(original))


def _wrap(original: Operation, follow: Follower) -> Operation:
    @functools.wraps(original)
    def wrapper(response: MotoEcsResponse) -> MotoActionResult | moto_view.Answer:
        params = cast(ServiceRequest, dict(response.params))
        try:  # refused before moto changes anything, as AWS refuses the whole request
            service_update.check(
                ServiceUpdate(deployment_configuration=params.get("deploymentConfiguration"))
            )
        except InvalidParameterException as error:
            return moto_view.for_moto(error_reply(error))
        before = _moto_service(response, params)
        result = original(response)  # moto's own errors propagate unchanged
        return _answer(response, result, "service", [follow(response, params, before)])

    return wrapper


def _shown_services(original: Operation) -> Operation:
    @functools.wraps(original)
    def wrapper(response: MotoEcsResponse) -> MotoActionResult | moto_view.Answer:
        result = original(response)
        payload = None if isinstance(result, tuple) else result.result
        if not isinstance(payload, dict) or not payload.get("services"):
            return result
        services: list[MotoService] = payload["services"]
        shown = [moto_view.shown(response, service) for service in services]
        return _answer(response, result, "services", shown)

    return wrapper


def _answer(
    response: MotoEcsResponse,
    result: MotoActionResult | moto_view.Answer,
    key: str,
    shown: list[ServiceFields | None],
) -> MotoActionResult | moto_view.Answer:
    """moto's answer ``result`` (an ``ActionResult``) with the service or services under
    ``key`` showing the mock's fields ``shown`` (one per service; ``None`` for moto's own):
    moto serializes what it owns, and the mock's fields join it in the JSON."""
    if isinstance(result, tuple) or not any(shown):
        return result
    payload = result.result
    if not isinstance(payload, dict) or key not in payload:
        return result
    value: MotoService | list[MotoService] = payload[key]
    hidden: MotoService | list[MotoService]
    if isinstance(value, list):
        hidden = [
            service if extra is None else moto_view.without_fields(service, extra)
            for service, extra in zip(value, shown, strict=True)
        ]
    else:
        extra = shown[0]
        hidden = value if extra is None else moto_view.without_fields(value, extra)
    answer = response.serialized(type(result)({**payload, key: hidden}))
    return moto_view.joined(answer, key, shown)


def _backend(response: MotoEcsResponse) -> ServiceDeploymentBackend:
    return service_deployment_backends[response.current_account][response.region]


def _cluster_name(params: ServiceRequest) -> str:
    cluster = str(params.get("cluster") or "default")
    return cluster.rsplit("/", 1)[-1] if cluster.startswith("arn:") else cluster


def _service_name(params: ServiceRequest) -> str:
    return str(params.get("serviceName") or params.get("service") or "").rsplit("/", 1)[-1]


def _moto_service(response: MotoEcsResponse, params: ServiceRequest) -> MotoService | None:
    key = f"{_cluster_name(params)}:{_service_name(params)}"
    return response.ecs_backend.services.get(key)


def _task_definition_arn(response: MotoEcsResponse, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(response.ecs_backend.describe_task_definition(value).arn)
    except Exception:  # moto's own error for a task definition it does not know
        return arns.task_definition_arn(response.region, response.current_account, value)


def _update(response: MotoEcsResponse, params: ServiceRequest, *, creating: bool) -> ServiceUpdate:
    """The request in the engine's terms (CreateService's desired count is moto's, already
    on the service)."""
    desired = params.get("desiredCount")
    return ServiceUpdate(
        task_definition=_task_definition_arn(response, params.get("taskDefinition")),
        desired_count=None if creating or desired is None else int(desired),
        launch_type=params.get("launchType") or None,
        capacity_provider_strategy=params.get("capacityProviderStrategy"),
        platform_version=params.get("platformVersion"),
        network_configuration=params.get("networkConfiguration"),
        load_balancers=params.get("loadBalancers"),
        service_registries=params.get("serviceRegistries"),
        volume_configurations=params.get("volumeConfigurations"),
        deployment_configuration=params.get("deploymentConfiguration"),
        force_new_deployment=bool(params.get("forceNewDeployment")),
    )


def _revision_id(moto_service: MotoService) -> int | None:
    """The number of moto's ``ecs-svc/<n>`` primary deployment id (the revision id)."""
    deployments = moto_service.deployments or []
    identifier = str(deployments[0].get("id", "")) if deployments else ""
    digits = identifier.rpartition("/")[2]
    return int(digits) if digits.isdigit() else None


def _after_create(
    response: MotoEcsResponse, params: ServiceRequest, _: MotoService | None
) -> ServiceFields | None:
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
            strategy = params.get("capacityProviderStrategy")
            record = backend.add_service(
                name,
                cluster,
                desired_count=int(moto_service.desired_count or 0),
                deployment_controller=(moto_service.deployment_controller or {}).get("type", "ECS"),
                launch_type=None if strategy else moto_service.launch_type,
                capacity_provider_strategy=strategy,
            )
        record.peer_record = moto_service
        backend.in_step(record)
        if service_update.create_service(record, _update(response, params, creating=True)):
            _deploy(backend, record, moto_service)
        return service_fields(backend, record)


def _deploy(backend: ServiceDeploymentBackend, record: Service, moto_service: MotoService) -> None:
    """Start the deployment moto's request made, with moto's ``ecs-svc/<n>`` as its revision."""
    backend.start_deployment(
        record.name,
        record.cluster,
        task_definition=record.task_definition,
        revision_id=_revision_id(moto_service),
    )


def _after_update(
    response: MotoEcsResponse, params: ServiceRequest, before: MotoService | None
) -> ServiceFields | None:
    moto_service = _moto_service(response, params)
    if moto_service is None:
        return None
    backend = _backend(response)
    with backend.lock:
        record = backend.current_service(_cluster_name(params), moto_service.name)
        if record is None:
            return None
        now = now_ms()
        backend.refresh(record, now)
        tasks.tasks_of(record)  # made now, if never before: from the count the update changes
        update = _update(response, params, creating=False)
        deploys = service_update.update_service(record, update)
        if record.task_definition:  # moto keeps what the request said ("web:2"): AWS, an ARN
            moto_service.task_definition = record.task_definition
        if not deploys:
            tasks.scale(record, now)  # a new desired count: the running revision follows it
            return service_fields(backend, record)
        if not update.force_new_deployment and moto_service.deployments:
            # moto mints a deployment id only on forceNewDeployment; AWS makes a new one for
            # every change that deploys, and DescribeServices would show it.
            from moto.moto_api._internal import mock_random

            moto_service.deployments[0]["id"] = f"ecs-svc/{mock_random.randint(0, 32**12)}"
        _deploy(backend, record, moto_service)
        return service_fields(backend, record)


def _after_delete(
    response: MotoEcsResponse, params: ServiceRequest, before: MotoService | None
) -> ServiceFields | None:
    moto_service = _moto_service(response, params) or before
    if moto_service is None or moto_service.status == "ACTIVE":
        return None
    backend = _backend(response)
    with backend.lock:
        record = backend.services.get((_cluster_name(params), moto_service.name))
        if record is None:
            return None
        # The answer shows the service as it was when it was deleted, with moto's status.
        shown = service_fields(backend, record)
        backend.delete_service(record)
        return shown


__all__ = ["install"]
