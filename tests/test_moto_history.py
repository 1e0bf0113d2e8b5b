"""Deployments that follow moto's CreateService, UpdateService and DeleteService."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.ecs.responses import EC2ContainerServiceResponse

from mock_ecs_deployments import (
    ServiceDeploymentBackend,
    ServiceDeploymentsMock,
    mock_service_deployments,
)

from .clients import new_client

UTC = timezone.utc
ACCOUNT = "123456789012"
REGION = "us-east-1"
PREFIX = f"arn:aws:ecs:{REGION}:{ACCOUNT}"
T0 = datetime(2025, 9, 15, 6, 0, tzinfo=UTC)
SUPERSEDED_REASON = "Service deployment stopped: superseded by a newer service deployment."
MOTO_OPERATIONS = ("create_service", "update_service", "delete_service")
TARGET_GROUP = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/web/0123456789abcdef"
REGISTRY = f"arn:aws:servicediscovery:{REGION}:{ACCOUNT}:service/srv-0123456789abcdef"


def _digest(image: str) -> str:
    return "sha256:" + hashlib.sha256(image.encode("utf-8")).hexdigest()


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


# The history follows moto's operations: the shared mock is beside moto's mock_aws here.
pytestmark = pytest.mark.service_deployments(with_moto=True)


@pytest.fixture
def ecs(ecs: Any) -> Any:
    """The shared client, with cluster prod and task definitions web:1 to web:3 (an app and an
    envoy container each) made in moto."""
    ecs.create_cluster(clusterName="prod")
    for version in (1, 2, 3):
        ecs.register_task_definition(
            family="web",
            containerDefinitions=[
                {"name": "app", "image": f"public.ecr.aws/acme/web:{version}.0", "memory": 256},
                {"name": "envoy", "image": "public.ecr.aws/appmesh/envoy:v1.29", "memory": 128},
            ],
        )
    return ecs


@pytest.fixture
def network(mock: ServiceDeploymentsMock) -> dict[str, Any]:
    """Two awsvpc network configurations over subnets and a security group moto knows."""
    ec2 = new_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24")["Subnet"]["SubnetId"]
        for n in (1, 2)
    ]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    return {
        name: {
            "awsvpcConfiguration": {
                "subnets": [subnet],
                "securityGroups": [group],
                "assignPublicIp": "DISABLED",
            }
        }
        for name, subnet in zip(("first", "second"), subnets, strict=True)
    }


def _task_definition(revision: int) -> str:
    return f"{PREFIX}:task-definition/web:{revision}"


def _images(revision: int) -> list[dict[str, str]]:
    app = f"public.ecr.aws/acme/web:{revision}.0"
    envoy = "public.ecr.aws/appmesh/envoy:v1.29"
    return [
        {"containerName": "app", "image": app, "imageDigest": _digest(app)},
        {"containerName": "envoy", "image": envoy, "imageDigest": _digest(envoy)},
    ]


def _listed(ecs: Any, service: str = "web") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ecs.list_service_deployments(cluster="prod", service=service)[
        "serviceDeployments"
    ]
    return items


def _describe(ecs: Any, *arns: str) -> list[dict[str, Any]]:
    response = ecs.describe_service_deployments(serviceDeploymentArns=list(arns))
    assert response["failures"] == []
    found: list[dict[str, Any]] = response["serviceDeployments"]
    return found


def _revision(ecs: Any, arn: str) -> dict[str, Any]:
    response = ecs.describe_service_revisions(serviceRevisionArns=[arn])
    assert response["failures"] == []
    (revision,) = response["serviceRevisions"]
    result: dict[str, Any] = {
        key: value for key, value in revision.items() if key != "ResponseMetadata"
    }
    return result


def _newest(ecs: Any) -> dict[str, Any]:
    (newest,) = _describe(ecs, _listed(ecs)[0]["serviceDeploymentArn"])
    return newest


def _moto_deployment_id(ecs: Any, service: str = "web") -> str:
    (described,) = ecs.describe_services(cluster="prod", services=[service])["services"]
    identifier: str = described["deployments"][0]["id"]
    return identifier


def _revision_id_of(moto_id: str) -> str:
    prefix, _, digits = moto_id.partition("/")
    assert prefix == "ecs-svc" and digits.isdigit(), moto_id
    return f"{int(digits):019d}"


def _assert_revision_matches_moto(ecs: Any) -> None:
    newest = _listed(ecs)[0]["targetServiceRevisionArn"]
    assert newest == (
        f"{PREFIX}:service-revision/prod/web/{_revision_id_of(_moto_deployment_id(ecs))}"
    )


def _create(ecs: Any, **extra: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {"cluster": "prod", "serviceName": "web"}
    arguments |= {"taskDefinition": "web:1", "desiredCount": 2}
    service: dict[str, Any] = ecs.create_service(**(arguments | extra))["service"]
    return service


# -- CreateService ------------------------------------------------------------------------------


def test_create_service_records_the_first_deployment_and_revision(
    ecs: Any, network: dict[str, Any]
) -> None:
    load_balancers = [{"targetGroupArn": TARGET_GROUP, "containerName": "app", "containerPort": 80}]
    registries = [{"registryArn": REGISTRY, "containerName": "app", "containerPort": 80}]
    created = _create(
        ecs,
        launchType="FARGATE",
        platformVersion="1.4.0",
        desiredCount=3,
        networkConfiguration=network["first"],
        loadBalancers=load_balancers,
        serviceRegistries=registries,
    )
    (item,) = _listed(ecs)
    assert item["serviceArn"] == created["serviceArn"] == f"{PREFIX}:service/prod/web"
    assert item["clusterArn"] == created["clusterArn"]
    assert (item["status"], item["createdAt"], item["startedAt"], item["finishedAt"]) == (
        "SUCCESSFUL",
        T0,
        T0,
        T0,
    )
    (deployment,) = _describe(ecs, item["serviceDeploymentArn"])
    assert deployment["sourceServiceRevisions"] == []
    assert deployment["targetServiceRevision"] == {
        "arn": item["targetServiceRevisionArn"],
        "requestedTaskCount": 3,
        "runningTaskCount": 3,
        "pendingTaskCount": 0,
    }
    assert deployment["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
        "strategy": "ROLLING",
    }
    revision_id = _revision_id_of(created["deployments"][0]["id"])
    assert item["targetServiceRevisionArn"] == f"{PREFIX}:service-revision/prod/web/{revision_id}"
    assert _revision(ecs, item["targetServiceRevisionArn"]) == {
        "serviceRevisionArn": item["targetServiceRevisionArn"],
        "serviceArn": created["serviceArn"],
        "clusterArn": created["clusterArn"],
        "taskDefinition": _task_definition(1),
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "loadBalancers": load_balancers,
        "serviceRegistries": registries,
        "networkConfiguration": network["first"],
        "containerImages": _images(1),
        "guardDutyEnabled": False,
        "serviceConnectConfiguration": {"enabled": False},
        "createdAt": T0,
    }


def test_create_service_with_a_capacity_provider_strategy(ecs: Any) -> None:
    strategy = [
        {"capacityProvider": "FARGATE_SPOT", "weight": 4, "base": 0},
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
    ]
    _create(ecs, capacityProviderStrategy=strategy)
    revision = _revision(ecs, _listed(ecs)[0]["targetServiceRevisionArn"])
    assert revision["capacityProviderStrategy"] == strategy
    assert "launchType" not in revision


def test_create_service_with_ec2_launch_type(ecs: Any) -> None:
    _create(ecs, launchType="EC2")
    revision = _revision(ecs, _listed(ecs)[0]["targetServiceRevisionArn"])
    assert revision["launchType"] == "EC2"
    for key in ("capacityProviderStrategy", "platformVersion", "platformFamily"):
        assert key not in revision


def test_create_service_keeps_the_deployment_configuration_of_the_request(
    ecs: Any, frozen: Any
) -> None:
    configuration = {
        "maximumPercent": 150,
        "minimumHealthyPercent": 50,
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        "alarms": {"alarmNames": ["web-5xx"], "enable": True, "rollback": False},
    }
    _create(ecs, desiredCount=12, deploymentConfiguration=configuration)
    deployment = _newest(ecs)
    assert deployment["deploymentConfiguration"] == {**configuration, "strategy": "ROLLING"}
    assert deployment["deploymentCircuitBreaker"] == {
        "status": "MONITORING_COMPLETE",
        "failureCount": 0,
        "threshold": 6,
    }
    assert deployment["alarms"] == {
        "status": "MONITORING_COMPLETE",
        "alarmNames": ["web-5xx"],
        "triggeredAlarmNames": [],
    }


def test_create_service_with_a_pause_hook_waits_at_it(ecs: Any, frozen: Any) -> None:
    hook = {
        "targetType": "PAUSE",
        "lifecycleStages": ["POST_SCALE_UP"],
        "timeoutConfiguration": {"timeoutInMinutes": 45, "action": "CONTINUE"},
    }
    _create(ecs, deploymentConfiguration={"lifecycleHooks": [hook]})
    waiting = _newest(ecs)
    assert waiting["deploymentConfiguration"]["lifecycleHooks"] == [hook]
    assert (waiting["status"], waiting["lifecycleStage"]) == ("IN_PROGRESS", "POST_SCALE_UP")
    (detail,) = waiting["lifecycleHookDetails"]
    assert (detail["status"], detail["expiresAt"], detail["timeoutAction"]) == (
        "AWAITING_ACTION",
        T0 + timedelta(minutes=45),
        "CONTINUE",
    )
    frozen.tick(60)
    ecs.continue_service_deployment(
        serviceDeploymentArn=waiting["serviceDeploymentArn"], hookId=detail["hookId"]
    )
    done = _newest(ecs)
    assert (done["status"], done["finishedAt"]) == ("SUCCESSFUL", T0 + timedelta(seconds=60))


def test_a_plan_queued_before_create_service_is_followed(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    backend.plan_next_deployment(
        service="web", cluster="prod", outcome="STOPPED", pending_for=5, in_progress_for=10
    )
    _create(ecs)
    assert _listed(ecs)[0]["status"] == "PENDING"
    frozen.tick(5)
    assert _listed(ecs)[0]["status"] == "IN_PROGRESS"
    frozen.tick(10)
    item = _listed(ecs)[0]
    assert (item["status"], item["finishedAt"]) == ("STOPPED", T0 + timedelta(seconds=15))


@pytest.mark.parametrize("controller", ["CODE_DEPLOY", "EXTERNAL"])
def test_code_deploy_and_external_services_get_no_deployments(ecs: Any, controller: str) -> None:
    _create(ecs, deploymentController={"type": controller})
    assert _listed(ecs) == []
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    ecs.update_service(cluster="prod", service="web", forceNewDeployment=True)
    assert _listed(ecs) == []


# -- UpdateService -------------------------------------------------------------------------------


def _deploying_changes(network: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "taskDefinition": {"taskDefinition": "web:2"},
        "taskDefinition ARN": {"taskDefinition": _task_definition(2)},
        "networkConfiguration": {"networkConfiguration": network["second"]},
        "platformVersion": {"platformVersion": "1.3.0"},
        "capacityProviderStrategy": {
            "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
        },
        "loadBalancers": {
            "loadBalancers": [
                {"targetGroupArn": TARGET_GROUP, "containerName": "app", "containerPort": 8080}
            ]
        },
        "serviceRegistries": {"serviceRegistries": [{"registryArn": REGISTRY}]},
        "forceNewDeployment": {"forceNewDeployment": True},
        "desiredCount with a new taskDefinition": {"desiredCount": 5, "taskDefinition": "web:3"},
    }


CHANGES = [
    "taskDefinition",
    "taskDefinition ARN",
    "networkConfiguration",
    "platformVersion",
    "capacityProviderStrategy",
    "loadBalancers",
    "serviceRegistries",
    "forceNewDeployment",
    "desiredCount with a new taskDefinition",
]


@pytest.mark.parametrize("change", CHANGES)
def test_each_deploying_change_makes_one_new_deployment(
    ecs: Any, frozen: Any, network: dict[str, Any], change: str
) -> None:
    _create(
        ecs, launchType="FARGATE", platformVersion="1.4.0", networkConfiguration=network["first"]
    )
    (first,) = _listed(ecs)
    frozen.tick(60)
    arguments = _deploying_changes(network)[change]
    updated = ecs.update_service(cluster="prod", service="web", **arguments)["service"]
    second, again = _listed(ecs)
    assert again == first
    assert (second["status"], second["createdAt"], second["finishedAt"]) == (
        "SUCCESSFUL",
        T0 + timedelta(seconds=60),
        T0 + timedelta(seconds=60),
    )
    (described,) = _describe(ecs, second["serviceDeploymentArn"])
    assert [s["arn"] for s in described["sourceServiceRevisions"]] == [
        first["targetServiceRevisionArn"]
    ]
    assert second["targetServiceRevisionArn"] != first["targetServiceRevisionArn"]
    # The revision id is the number of moto's deployment id, in the answer and afterwards.
    assert second["targetServiceRevisionArn"].endswith(
        "/" + _revision_id_of(updated["deployments"][0]["id"])
    )
    _assert_revision_matches_moto(ecs)
    # The new revision is the old one with exactly the change applied.
    old = _revision(ecs, first["targetServiceRevisionArn"])
    new = _revision(ecs, second["targetServiceRevisionArn"])
    changed, removed = _revision_changes(network)[change]
    expected = {key: value for key, value in old.items() if key not in removed}
    expected |= changed
    expected |= {
        "serviceRevisionArn": second["targetServiceRevisionArn"],
        "createdAt": T0 + timedelta(seconds=60),
    }
    assert new == expected
    if change.startswith("desiredCount"):
        assert described["targetServiceRevision"]["requestedTaskCount"] == 5


def _revision_changes(network: dict[str, Any]) -> dict[str, tuple[dict[str, Any], set[str]]]:
    """What each change sets on the new revision, and what it removes."""
    new_task_definition = {"taskDefinition": _task_definition(2), "containerImages": _images(2)}
    return {
        "taskDefinition": (new_task_definition, set()),
        "taskDefinition ARN": (new_task_definition, set()),
        "networkConfiguration": ({"networkConfiguration": network["second"]}, set()),
        "platformVersion": ({"platformVersion": "1.3.0"}, set()),
        "capacityProviderStrategy": (
            {"capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]},
            {"launchType", "platformFamily"},
        ),
        "loadBalancers": (
            {
                "loadBalancers": [
                    {"targetGroupArn": TARGET_GROUP, "containerName": "app", "containerPort": 8080}
                ]
            },
            set(),
        ),
        "serviceRegistries": ({"serviceRegistries": [{"registryArn": REGISTRY}]}, set()),
        "forceNewDeployment": ({}, set()),
        "desiredCount with a new taskDefinition": (
            {"taskDefinition": _task_definition(3), "containerImages": _images(3)},
            set(),
        ),
    }


def test_a_desired_count_only_update_makes_no_deployment(ecs: Any, frozen: Any) -> None:
    _create(ecs)
    before = _listed(ecs)
    moto_id = _moto_deployment_id(ecs)
    frozen.tick(60)
    ecs.update_service(cluster="prod", service="web", desiredCount=7)
    assert _listed(ecs) == before
    assert _moto_deployment_id(ecs) == moto_id
    _assert_revision_matches_moto(ecs)
    # The next deployment deploys the new count.
    ecs.update_service(cluster="prod", service="web", forceNewDeployment=True)
    assert _newest(ecs)["targetServiceRevision"]["requestedTaskCount"] == 7


@pytest.mark.parametrize(
    "arguments",
    [{"taskDefinition": "web:1"}, {"platformVersion": "1.4.0"}, {"desiredCount": 2}],
)
def test_an_update_that_changes_nothing_makes_no_deployment(
    ecs: Any, arguments: dict[str, Any]
) -> None:
    _create(ecs, launchType="FARGATE", platformVersion="1.4.0")
    before = _listed(ecs)
    ecs.update_service(cluster="prod", service="web", **arguments)
    assert _listed(ecs) == before
    _assert_revision_matches_moto(ecs)


def test_update_service_supersedes_a_deployment_in_progress(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    _create(ecs)
    backend.plan_next_deployment(service="web", cluster="prod", in_progress_for=600)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    running = _listed(ecs)[0]
    assert running["status"] == "IN_PROGRESS"
    frozen.tick(30)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:3")
    newest, stopped, first = _listed(ecs)
    assert stopped["serviceDeploymentArn"] == running["serviceDeploymentArn"]
    assert (stopped["status"], stopped["statusReason"], stopped["finishedAt"]) == (
        "STOPPED",
        SUPERSEDED_REASON,
        T0 + timedelta(seconds=30),
    )
    assert (newest["status"], first["status"]) == ("SUCCESSFUL", "SUCCESSFUL")
    assert _revision(ecs, newest["targetServiceRevisionArn"])["taskDefinition"] == (
        _task_definition(3)
    )
    _assert_revision_matches_moto(ecs)


def test_a_history_of_a_service_updated_several_times(ecs: Any, frozen: Any) -> None:
    breaker = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
    _create(ecs)
    moto_ids = [_moto_deployment_id(ecs)]
    steps: list[dict[str, Any]] = [
        {"taskDefinition": "web:2"},
        {"desiredCount": 4},
        {"forceNewDeployment": True},
        {"taskDefinition": "web:3", "deploymentConfiguration": breaker},
        {"desiredCount": 1},
        {"taskDefinition": "web:1"},
    ]
    for arguments in steps:
        frozen.tick(60)
        ecs.update_service(cluster="prod", service="web", **arguments)
        _assert_revision_matches_moto(ecs)
        moto_ids.append(_moto_deployment_id(ecs))
    listed = _listed(ecs)
    minutes = [6, 4, 3, 1, 0]
    assert [item["createdAt"] for item in listed] == [T0 + timedelta(minutes=m) for m in minutes]
    assert {item["status"] for item in listed} == {"SUCCESSFUL"}
    described = _describe(ecs, *[item["serviceDeploymentArn"] for item in listed])
    revisions = [d["targetServiceRevision"]["arn"] for d in described]
    # Each deployment starts from the one before it; the first from nothing.
    assert [[s["arn"] for s in d["sourceServiceRevisions"]] for d in described] == [
        [revisions[1]],
        [revisions[2]],
        [revisions[3]],
        [revisions[4]],
        [],
    ]
    assert len(set(revisions)) == 5
    assert [_revision(ecs, arn)["taskDefinition"] for arn in revisions] == [
        _task_definition(n) for n in (1, 3, 2, 2, 1)
    ]
    assert [_revision(ecs, arn)["containerImages"] for arn in revisions] == [
        _images(n) for n in (1, 3, 2, 2, 1)
    ]
    assert [d["targetServiceRevision"]["requestedTaskCount"] for d in described] == [
        1,
        4,
        4,
        2,
        2,
    ]
    assert [d["deploymentConfiguration"]["deploymentCircuitBreaker"] for d in described] == [
        breaker["deploymentCircuitBreaker"]
    ] * 2 + [{"enable": False, "rollback": False}] * 3
    # Revision ids are moto's deployment ids, one per deploying step; count-only steps kept it.
    deploying_ids = [moto_ids[i] for i in (6, 4, 3, 1, 0)]
    assert [arn.rsplit("/", 1)[1] for arn in revisions] == [
        _revision_id_of(moto_id) for moto_id in deploying_ids
    ]
    assert moto_ids[2] == moto_ids[1] and moto_ids[5] == moto_ids[4]


def test_a_deployment_configuration_only_update_deploys_nothing_but_sticks(
    ecs: Any, frozen: Any
) -> None:
    _create(ecs)
    before = _listed(ecs)
    moto_id = _moto_deployment_id(ecs)
    ecs.update_service(
        cluster="prod", service="web", deploymentConfiguration={"maximumPercent": 150}
    )
    assert _listed(ecs) == before
    assert _moto_deployment_id(ecs) == moto_id
    ecs.update_service(cluster="prod", service="web", forceNewDeployment=True)
    assert _newest(ecs)["deploymentConfiguration"]["maximumPercent"] == 150
    # The first deployment keeps the configuration it was made with.
    (first,) = _describe(ecs, before[0]["serviceDeploymentArn"])
    assert first["deploymentConfiguration"]["maximumPercent"] == 200


@pytest.mark.parametrize("arrangement", ["moto outermost", "ours outermost", "with_moto=True"])
def test_history_follows_moto_in_every_arrangement_region_and_by_arn(arrangement: str) -> None:
    if arrangement == "moto outermost":
        mocks: list[Any] = [mock_aws(), mock_service_deployments()]
    elif arrangement == "ours outermost":
        mocks = [mock_service_deployments(), mock_aws()]
    else:
        mocks = [mock_service_deployments(with_moto=True)]
    for started in mocks:
        started.start()
    try:
        ecs = new_client(region="eu-west-1")
        cluster_arn = ecs.create_cluster(clusterName="prod")["cluster"]["clusterArn"]
        ecs.register_task_definition(
            family="web", containerDefinitions=[{"name": "app", "image": "nginx:1", "memory": 64}]
        )
        service_arn = ecs.create_service(
            cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=1
        )["service"]["serviceArn"]
        ecs.update_service(cluster=cluster_arn, service=service_arn, forceNewDeployment=True)
        listed = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"]
        assert len(listed) == 2
        assert {item["serviceArn"] for item in listed} == {service_arn}
        moto_id = ecs.describe_services(cluster="prod", services=["web"])["services"][0][
            "deployments"
        ][0]["id"]
        assert listed[0]["targetServiceRevisionArn"].endswith("/" + _revision_id_of(moto_id))
        # Another region has no such cluster.
        with pytest.raises(ClientError) as excinfo:
            new_client().list_service_deployments(cluster="prod", service="web")
        assert _error(excinfo)[0] == "ClusterNotFoundException"
    finally:
        for started in reversed(mocks):
            started.stop()


# -- DeleteService -------------------------------------------------------------------------------


def test_delete_service_deletes_the_history_and_recreation_starts_fresh(
    ecs: Any, frozen: Any
) -> None:
    _create(ecs)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    old = _listed(ecs)
    assert len(old) == 2
    ecs.delete_service(cluster="prod", service="web", force=True)
    with pytest.raises(ClientError) as excinfo:
        ecs.list_service_deployments(cluster="prod", service="web")
    assert _error(excinfo) == ("ServiceNotFoundException", "Service not found.", 400)
    arns = [item["serviceDeploymentArn"] for item in old]
    response = ecs.describe_service_deployments(serviceDeploymentArns=arns)
    assert response["serviceDeployments"] == []
    assert response["failures"] == [{"arn": arn, "reason": "MISSING"} for arn in arns]
    revisions = [item["targetServiceRevisionArn"] for item in old]
    response = ecs.describe_service_revisions(serviceRevisionArns=revisions)
    assert response["serviceRevisions"] == []
    assert response["failures"] == [{"arn": arn, "reason": "MISSING"} for arn in revisions]
    with pytest.raises(ClientError) as excinfo:
        ecs.stop_service_deployment(serviceDeploymentArn=arns[0])
    assert _error(excinfo)[0] == "ServiceDeploymentNotFoundException"
    frozen.tick(60)
    _create(ecs, taskDefinition="web:3")
    (fresh,) = _listed(ecs)
    assert fresh["serviceDeploymentArn"] not in arns
    assert fresh["createdAt"] == T0 + timedelta(seconds=60)
    (described,) = _describe(ecs, fresh["serviceDeploymentArn"])
    assert described["sourceServiceRevisions"] == []
    assert _revision(ecs, fresh["targetServiceRevisionArn"])["taskDefinition"] == (
        _task_definition(3)
    )
    _assert_revision_matches_moto(ecs)


# -- a rollback puts the old task definition back on moto's service -----------------------------


def test_stop_with_rollback_restores_the_source_task_definition_on_moto(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    _create(ecs)
    backend.plan_next_deployment(service="web", cluster="prod", in_progress_for=300)
    ecs.update_service(cluster="prod", service="web", taskDefinition=_task_definition(2))
    running, first = _listed(ecs)
    assert running["status"] == "IN_PROGRESS"
    (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert service["taskDefinition"] == _task_definition(2)
    frozen.tick(10)
    ecs.stop_service_deployment(serviceDeploymentArn=running["serviceDeploymentArn"])
    (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert service["taskDefinition"] == _task_definition(1)
    frozen.tick(300)
    (done,) = _describe(ecs, running["serviceDeploymentArn"])
    assert (done["status"], done["rollback"]["serviceRevisionArn"]) == (
        "ROLLBACK_SUCCESSFUL",
        first["targetServiceRevisionArn"],
    )
    assert _revision(ecs, first["targetServiceRevisionArn"])["taskDefinition"] == (
        _task_definition(1)
    )
    # A rollback reuses the source revision: no new deployment, no new revision.
    assert len(_listed(ecs)) == 2


def _rolled_back(backend: ServiceDeploymentBackend, ecs: Any, frozen: Any) -> list[dict[str, Any]]:
    """web:1 deployed, web:2 rolled back by a Stop: the two list items, newest first."""
    _create(ecs)
    backend.plan_next_deployment(service="web", cluster="prod", in_progress_for=60)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    running = _listed(ecs)[0]
    ecs.stop_service_deployment(serviceDeploymentArn=running["serviceDeploymentArn"])
    frozen.tick(120)
    listed = _listed(ecs)
    assert [item["status"] for item in listed] == ["ROLLBACK_SUCCESSFUL", "SUCCESSFUL"]
    return listed


def test_after_a_rollback_a_forced_deployment_deploys_the_restored_task_definition(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    first = _rolled_back(backend, ecs, frozen)[1]
    ecs.update_service(cluster="prod", service="web", forceNewDeployment=True)
    listed = _listed(ecs)
    assert len(listed) == 3
    (third,) = _describe(ecs, listed[0]["serviceDeploymentArn"])
    assert [s["arn"] for s in third["sourceServiceRevisions"]] == [
        first["targetServiceRevisionArn"]
    ]
    revision = _revision(ecs, third["targetServiceRevision"]["arn"])
    assert revision["taskDefinition"] == _task_definition(1)
    assert revision["containerImages"] == _images(1)
    _assert_revision_matches_moto(ecs)


def test_after_a_rollback_deploying_the_rolled_back_task_definition_again_deploys(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    rolled_back, first = _rolled_back(backend, ecs, frozen)
    # The service runs web:1 again, so asking for web:2 is a change: a third deployment.
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    listed = _listed(ecs)
    assert [item["serviceDeploymentArn"] for item in listed[1:]] == [
        rolled_back["serviceDeploymentArn"],
        first["serviceDeploymentArn"],
    ]
    (third,) = _describe(ecs, listed[0]["serviceDeploymentArn"])
    assert [s["arn"] for s in third["sourceServiceRevisions"]] == [
        first["targetServiceRevisionArn"]
    ]
    assert _revision(ecs, third["targetServiceRevision"]["arn"])["taskDefinition"] == (
        _task_definition(2)
    )
    _assert_revision_matches_moto(ecs)


# -- moto's classes are put back exactly ---------------------------------------------------------


def _moto_methods() -> dict[str, Any]:
    return {name: EC2ContainerServiceResponse.__dict__[name] for name in MOTO_OPERATIONS}


def test_motos_classes_are_restored_exactly_when_the_mock_stops() -> None:
    original = _moto_methods()
    with mock_service_deployments(with_moto=True):
        wrapped = _moto_methods()
        assert all(wrapped[name] is not original[name] for name in MOTO_OPERATIONS)
        with mock_service_deployments():  # nested: the inner stop keeps them wrapped
            pass
        assert _moto_methods() == wrapped
    restored = _moto_methods()
    assert all(restored[name] is original[name] for name in MOTO_OPERATIONS)
    # moto alone again: its own CreateService works and nothing of ours answers.
    with mock_aws():
        client = new_client()
        client.create_cluster(clusterName="prod")
        client.register_task_definition(
            family="web", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 64}]
        )
        client.create_service(
            cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1
        )
        with pytest.raises(NotImplementedError):
            client.list_service_deployments(cluster="prod", service="web")
    assert _moto_methods() == original


def test_motos_classes_are_restored_when_moto_was_outermost() -> None:
    original = _moto_methods()
    with mock_aws():
        with mock_service_deployments():
            assert all(_moto_methods()[n] is not original[n] for n in MOTO_OPERATIONS)
        assert all(_moto_methods()[n] is original[n] for n in MOTO_OPERATIONS)
