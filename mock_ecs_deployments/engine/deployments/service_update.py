"""When CreateService and UpdateService start a deployment, and what they change on a service.

AWS's rule (the ECS developer guide, "Updating an Amazon ECS service"): CreateService deploys
the service's first revision. UpdateService deploys with ``forceNewDeployment``, or when it
changes the task definition, the network configuration, the platform version, the capacity
provider strategy, the load balancers, the service registries or the volume configurations;
any other update (the desired count, the deployment configuration) changes the service without
a deployment, and the next deployment carries it. Only services whose deployment controller is
ECS have service deployments.

Whoever receives the request (the bridge to moto) translates it into a :class:`ServiceUpdate`
in the engine's terms, with the task definition already resolved to its full ARN, and asks
:func:`update_service` or :func:`create_service`; it then makes the deployment when told to.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.exceptions import InvalidParameterException
from ..model.records import JsonObject, Service
from .configuration import deployment_configuration


@dataclass(frozen=True, slots=True)
class ServiceUpdate:
    """What a CreateService or UpdateService request asks of a service; ``None`` for each
    parameter it leaves out."""

    #: The full ARN of the task definition (``family`` and ``family:revision`` resolved).
    task_definition: str | None = None
    desired_count: int | None = None
    launch_type: str | None = None
    capacity_provider_strategy: list[JsonObject] | None = None
    platform_version: str | None = None
    network_configuration: JsonObject | None = None
    load_balancers: list[JsonObject] | None = None
    service_registries: list[JsonObject] | None = None
    #: Not kept on a revision: any value given deploys.
    volume_configurations: list[JsonObject] | None = None
    #: As the request gave it; checked by :func:`check` before anything changes.
    deployment_configuration: JsonObject | None = None
    force_new_deployment: bool = False


def check(update: ServiceUpdate) -> None:
    """Refuse a request AWS refuses as a whole, before anything changes.

    :raises InvalidParameterException: the deployment configuration is malformed or out of
        range, naming the member at fault.
    """
    if update.deployment_configuration is None:
        return
    try:
        deployment_configuration("deploymentConfiguration", update.deployment_configuration)
    except (TypeError, ValueError) as error:
        raise InvalidParameterException(str(error)) from None


def deploys(service: Service, update: ServiceUpdate) -> bool:
    """Whether ``update``, as an UpdateService of ``service`` as it is now, starts a
    deployment (see the module's docstring)."""
    if service.deployment_controller != "ECS":
        return False
    if update.force_new_deployment or update.volume_configurations is not None:
        return True
    changes: tuple[tuple[object, object], ...] = (
        (update.task_definition, service.task_definition),
        (update.network_configuration, service.network_configuration),
        (update.platform_version, service.platform_version),
        (update.capacity_provider_strategy, service.capacity_provider_strategy),
        (update.load_balancers, service.load_balancers),
        (update.service_registries, service.service_registries),
    )
    return any(new is not None and new != old for new, old in changes)


def apply(service: Service, update: ServiceUpdate) -> None:
    """Copy onto ``service`` what ``update`` says about it. A capacity provider strategy
    replaces the launch type; a deployment configuration is a new, checked mapping (earlier
    deployments keep the one they were made with)."""
    if update.desired_count is not None:
        service.desired_count = update.desired_count
    if update.task_definition:
        service.task_definition = update.task_definition
    if update.network_configuration is not None:
        service.network_configuration = update.network_configuration
    if update.platform_version is not None:
        service.platform_version = update.platform_version
    if update.capacity_provider_strategy is not None:
        service.capacity_provider_strategy = update.capacity_provider_strategy
    if update.load_balancers is not None:
        service.load_balancers = update.load_balancers
    if update.service_registries is not None:
        service.service_registries = update.service_registries
    if update.capacity_provider_strategy:
        service.launch_type = None
    elif update.launch_type:
        service.launch_type = update.launch_type
    if update.deployment_configuration is not None:
        service.deployment_configuration = deployment_configuration(
            "deploymentConfiguration", update.deployment_configuration
        )


def update_service(service: Service, update: ServiceUpdate) -> bool:
    """UpdateService: apply ``update`` to ``service``; whether a deployment starts."""
    deploying = deploys(service, update)
    apply(service, update)
    return deploying


def create_service(service: Service, update: ServiceUpdate) -> bool:
    """CreateService: apply ``update`` to the new ``service``; whether a deployment starts
    (always, unless its deployment controller is not ECS)."""
    apply(service, update)
    return service.deployment_controller == "ECS"


__all__ = ["ServiceUpdate", "apply", "check", "create_service", "deploys", "update_service"]
