"""The engine's rule for when CreateService and UpdateService deploy, and what they change.

The rule is checked on the engine's records directly (every deploying parameter, changed and
unchanged), and through moto for what ``tests/test_moto_history.py`` does not send.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from mock_ecs_deployments.engine.deployments.service_update import (
    ServiceUpdate,
    check,
    create_service,
    deploys,
    update_service,
)
from mock_ecs_deployments.engine.model.exceptions import InvalidParameterException
from mock_ecs_deployments.engine.model.records import Service

T0 = datetime(2025, 9, 15, 6, 0, tzinfo=timezone.utc)
REGION = "us-east-1"
TASK_DEFINITION = f"arn:aws:ecs:{REGION}:123456789012:task-definition/web:1"
NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "DISABLED"}}
BALANCER = {"targetGroupArn": "arn:aws:elasticloadbalancing:tg/web", "containerPort": 80}
REGISTRY = {"registryArn": "arn:aws:servicediscovery:service/srv-1"}
STRATEGY = [{"capacityProvider": "FARGATE", "weight": 1}]
VOLUME = {"name": "data", "managedEBSVolume": {"roleArn": "arn:aws:iam::1:role/ebs"}}


def _service(**settings: Any) -> Service:
    """A service as it runs before the update: every deploying setting has a value."""
    values: dict[str, Any] = {
        "task_definition": TASK_DEFINITION,
        "network_configuration": NETWORK,
        "platform_version": "1.4.0",
        "capacity_provider_strategy": None,
        "load_balancers": [BALANCER],
        "service_registries": [REGISTRY],
    }
    return Service(REGION, "123456789012", "prod", "web", **(values | settings))


# Each deploying parameter: (the update that changes it, the update that gives it unchanged).
DEPLOYING: dict[str, tuple[ServiceUpdate, ServiceUpdate]] = {
    "task definition": (
        ServiceUpdate(task_definition=TASK_DEFINITION.replace(":1", ":2")),
        ServiceUpdate(task_definition=TASK_DEFINITION),
    ),
    "network configuration": (
        ServiceUpdate(network_configuration={"awsvpcConfiguration": {"subnets": ["subnet-2"]}}),
        ServiceUpdate(network_configuration=dict(NETWORK)),
    ),
    "platform version": (
        ServiceUpdate(platform_version="1.3.0"),
        ServiceUpdate(platform_version="1.4.0"),
    ),
    "capacity provider strategy": (
        ServiceUpdate(capacity_provider_strategy=STRATEGY),
        ServiceUpdate(),
    ),
    "load balancers": (ServiceUpdate(load_balancers=[]), ServiceUpdate(load_balancers=[BALANCER])),
    "service registries": (
        ServiceUpdate(service_registries=[]),
        ServiceUpdate(service_registries=[REGISTRY]),
    ),
}


@pytest.mark.parametrize("parameter", list(DEPLOYING))
def test_a_changed_deploying_parameter_deploys_and_an_unchanged_one_does_not(
    parameter: str,
) -> None:
    changed, unchanged = DEPLOYING[parameter]
    assert deploys(_service(), changed)
    assert not deploys(_service(), unchanged)


def test_what_deploys_is_applied_and_a_strategy_replaces_the_launch_type() -> None:
    service = _service(launch_type="FARGATE")
    update = ServiceUpdate(
        task_definition=TASK_DEFINITION.replace(":1", ":2"),
        capacity_provider_strategy=STRATEGY,
        platform_version="1.3.0",
        load_balancers=[],
        service_registries=[],
        network_configuration={"awsvpcConfiguration": {"subnets": ["subnet-2"]}},
    )
    assert update_service(service, update)
    assert (
        service.task_definition,
        service.capacity_provider_strategy,
        service.launch_type,
        service.platform_version,
        service.load_balancers,
        service.service_registries,
        service.network_configuration,
    ) == (
        update.task_definition,
        STRATEGY,
        None,
        "1.3.0",
        [],
        [],
        update.network_configuration,
    )
    # The next identical update changes nothing, so it deploys nothing.
    assert not update_service(service, update)


def test_a_desired_count_only_update_does_not_deploy_but_sticks() -> None:
    service = _service(desired_count=2)
    assert not update_service(service, ServiceUpdate(desired_count=7))
    assert service.desired_count == 7


def test_a_deployment_configuration_only_update_does_not_deploy_and_is_a_new_mapping() -> None:
    service = _service()
    before = service.deployment_configuration
    given: dict[str, object] = {"maximumPercent": 150}
    assert not update_service(service, ServiceUpdate(deployment_configuration=given))
    assert service.deployment_configuration == {"maximumPercent": 150}
    assert service.deployment_configuration is not given
    assert before == {}


def test_force_new_deployment_and_volume_configurations_always_deploy() -> None:
    assert deploys(_service(), ServiceUpdate(force_new_deployment=True))
    assert deploys(_service(), ServiceUpdate(volume_configurations=[VOLUME]))
    assert deploys(_service(), ServiceUpdate(volume_configurations=[]))


@pytest.mark.parametrize("controller", ["CODE_DEPLOY", "EXTERNAL"])
def test_a_service_without_the_ecs_controller_never_deploys(controller: str) -> None:
    service = _service(deployment_controller=controller)
    assert not update_service(service, ServiceUpdate(force_new_deployment=True))
    assert not create_service(service, ServiceUpdate())
    assert create_service(_service(), ServiceUpdate())


def test_a_launch_type_given_without_a_strategy_is_applied() -> None:
    service = _service(launch_type="FARGATE")
    create_service(service, ServiceUpdate(launch_type="EC2"))
    assert service.launch_type == "EC2"


def test_a_malformed_deployment_configuration_is_refused_naming_the_member() -> None:
    with pytest.raises(InvalidParameterException) as raised:
        check(ServiceUpdate(deployment_configuration={"strategy": "SIDEWAYS"}))
    assert "deploymentConfiguration.strategy" in str(raised.value)
    check(ServiceUpdate(deployment_configuration={"strategy": "CANARY"}))
    check(ServiceUpdate())


# -- through moto ------------------------------------------------------------------------------


@pytest.mark.service_deployments(with_moto=True)
def test_an_update_with_volume_configurations_through_moto_deploys(ecs: Any) -> None:
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128}]
    )
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1)
    ecs.update_service(
        cluster="prod",
        service="web",
        volumeConfigurations=[
            {
                "name": "data",
                "managedEBSVolume": {"roleArn": "arn:aws:iam::123456789012:role/ebs"},
            }
        ],
    )
    assert len(_listed(ecs)) == 2
    ecs.update_service(cluster="prod", service="web", desiredCount=3)
    assert len(_listed(ecs)) == 2


def _listed(ecs: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ecs.list_service_deployments(cluster="prod", service="web")[
        "serviceDeployments"
    ]
    return found
