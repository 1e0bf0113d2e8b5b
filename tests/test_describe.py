"""DescribeServiceDeployments and DescribeServiceRevisions through real boto3 clients."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from mock_ecs_deployments import ServiceDeploymentsMock

from .clients import new_client

UTC = timezone.utc
ACCOUNT = "123456789012"
REGION = "us-east-1"
T0 = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
PREFIX = f"arn:aws:ecs:{REGION}:{ACCOUNT}"
CLUSTER_ARN = f"{PREFIX}:cluster/prod"
SERVICE_ARN = f"{PREFIX}:service/prod/web"
BREAKER_ON = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
DEFAULT_CONFIGURATION = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
    "strategy": "ROLLING",
}
CIRCUIT_BREAKER_REASON = "ECS deployment circuit breaker: tasks failed to start."


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def _body(response: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def _digest(image: str) -> str:
    return "sha256:" + hashlib.sha256(image.encode("utf-8")).hexdigest()


def _describe(ecs: Any, *arns: str) -> dict[str, Any]:
    return _body(ecs.describe_service_deployments(serviceDeploymentArns=list(arns)))


def _one(ecs: Any, arn: str) -> dict[str, Any]:
    response = _describe(ecs, arn)
    assert response["failures"] == []
    assert len(response["serviceDeployments"]) == 1
    deployment: dict[str, Any] = response["serviceDeployments"][0]
    return deployment


def _revision(ecs: Any, arn: str) -> dict[str, Any]:
    response = _body(ecs.describe_service_revisions(serviceRevisionArns=[arn]))
    assert response["failures"] == []
    assert len(response["serviceRevisions"]) == 1
    revision: dict[str, Any] = response["serviceRevisions"][0]
    return revision


def _seed_many(mock: ServiceDeploymentsMock, count: int) -> list[Any]:
    backend = mock.backend()
    return [
        backend.add_deployment(
            service="web", cluster="prod", created_at=T0 - timedelta(hours=count - i)
        )
        for i in range(count)
    ]


# -- how many ARNs, and which ------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 19, 20])
def test_describe_deployments_accepts_1_to_20_arns_in_request_order(
    mock: ServiceDeploymentsMock, ecs: Any, count: int
) -> None:
    seeded = _seed_many(mock, 20)
    # Neither creation order nor reverse order: every other one, then the rest.
    wanted = [d.arn for d in seeded[::2] + seeded[1::2]][:count]
    response = _describe(ecs, *wanted)
    assert [d["serviceDeploymentArn"] for d in response["serviceDeployments"]] == wanted
    assert response["failures"] == []


@pytest.mark.parametrize("count", [0, 21])
def test_describe_deployments_rejects_0_or_21_arns(
    mock: ServiceDeploymentsMock, ecs: Any, count: int
) -> None:
    seeded = _seed_many(mock, 21)
    with pytest.raises(ClientError) as excinfo:
        ecs.describe_service_deployments(serviceDeploymentArns=[d.arn for d in seeded[:count]])
    assert _error(excinfo) == (
        "InvalidParameterException",
        f"serviceDeploymentArns must contain between 1 and 20 ARNs; got {count}.",
        400,
    )


@pytest.mark.parametrize("count", [0, 21])
def test_describe_revisions_rejects_0_or_21_arns(
    mock: ServiceDeploymentsMock, ecs: Any, count: int
) -> None:
    seeded = _seed_many(mock, 21)
    with pytest.raises(ClientError) as excinfo:
        ecs.describe_service_revisions(
            serviceRevisionArns=[d.target_revision_arn for d in seeded[:count]]
        )
    assert _error(excinfo) == (
        "InvalidParameterException",
        f"serviceRevisionArns must contain between 1 and 20 ARNs; got {count}.",
        400,
    )


def test_describe_revisions_accepts_20_arns_in_request_order(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    seeded = _seed_many(mock, 20)
    wanted = [d.target_revision_arn for d in reversed(seeded)]
    response = _body(ecs.describe_service_revisions(serviceRevisionArns=wanted))
    assert [r["serviceRevisionArn"] for r in response["serviceRevisions"]] == wanted
    assert response["failures"] == []


def _unknown_deployment_arns(known: Any) -> list[str]:
    deployment_id = known.id
    return [
        f"arn:aws:ecs:us-west-2:{ACCOUNT}:service-deployment/prod/web/{deployment_id}",
        f"arn:aws:ecs:{REGION}:111122223333:service-deployment/prod/web/{deployment_id}",
        f"arn:aws-cn:ecs:{REGION}:{ACCOUNT}:service-deployment/prod/web/{deployment_id}",
        f"{PREFIX}:service-deployment/prod/web/AAAAAAAAAAAAAAAAAAAAA",
        f"{PREFIX}:service-deployment/prod/api/{deployment_id}",
        f"{PREFIX}:service-deployment/staging/web/{deployment_id}",
        f"{PREFIX}:service-deployment/web/{deployment_id}",
        f"{PREFIX}:service/prod/web",
        known.target_revision_arn,
        "not-an-arn",
        "",
        "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/",
    ]


def test_unknown_and_malformed_deployment_arns_are_missing_failures(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    (known,) = _seed_many(mock, 1)
    unknown = _unknown_deployment_arns(known)
    response = _describe(ecs, unknown[0], known.arn, *unknown[1:])
    assert [d["serviceDeploymentArn"] for d in response["serviceDeployments"]] == [known.arn]
    assert response["failures"] == [{"arn": arn, "reason": "MISSING"} for arn in unknown]


def test_only_unknown_deployment_arns_give_an_empty_list_and_failures(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    response = _describe(ecs, f"{PREFIX}:service-deployment/prod/web/AAAAAAAAAAAAAAAAAAAAA")
    assert response == {
        "serviceDeployments": [],
        "failures": [
            {
                "arn": f"{PREFIX}:service-deployment/prod/web/AAAAAAAAAAAAAAAAAAAAA",
                "reason": "MISSING",
            }
        ],
    }


def test_a_deployment_of_another_region_is_missing_here_and_found_there(
    mock: ServiceDeploymentsMock,
) -> None:
    west = mock.backend(region="us-west-2").add_deployment(service="web", cluster="prod")
    east = new_client()
    assert _describe(east, west.arn) == {
        "serviceDeployments": [],
        "failures": [{"arn": west.arn, "reason": "MISSING"}],
    }
    there = _one(new_client(region="us-west-2"), west.arn)
    assert there["serviceDeploymentArn"] == west.arn
    assert west.arn.startswith(f"arn:aws:ecs:us-west-2:{ACCOUNT}:service-deployment/prod/web/")


def test_partition_follows_the_region(mock: ServiceDeploymentsMock) -> None:
    china = mock.backend(region="cn-north-1").add_deployment(service="web", cluster="prod")
    assert china.arn.startswith(f"arn:aws-cn:ecs:cn-north-1:{ACCOUNT}:service-deployment/")
    client = new_client(region="cn-north-1")
    found = _one(client, china.arn)
    assert found["serviceArn"] == f"arn:aws-cn:ecs:cn-north-1:{ACCOUNT}:service/prod/web"
    # The same path under the wrong partition is not this deployment.
    wrong = china.arn.replace("arn:aws-cn:", "arn:aws:", 1)
    assert _describe(client, wrong)["failures"] == [{"arn": wrong, "reason": "MISSING"}]


def test_failures_is_an_empty_list_when_everything_is_found(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    (known,) = _seed_many(mock, 1)
    response = _describe(ecs, known.arn)
    assert "failures" in response
    assert response["failures"] == []
    revisions = _body(
        ecs.describe_service_revisions(serviceRevisionArns=[known.target_revision_arn])
    )
    assert revisions["failures"] == []


def test_a_repeated_arn_is_answered_once(mock: ServiceDeploymentsMock, ecs: Any) -> None:
    first, second = _seed_many(mock, 2)
    missing = f"{PREFIX}:service-deployment/prod/web/AAAAAAAAAAAAAAAAAAAAA"
    response = _describe(ecs, second.arn, first.arn, missing, second.arn, missing, first.arn)
    assert [d["serviceDeploymentArn"] for d in response["serviceDeployments"]] == [
        second.arn,
        first.arn,
    ]
    assert response["failures"] == [{"arn": missing, "reason": "MISSING"}]
    revisions = _body(
        ecs.describe_service_revisions(
            serviceRevisionArns=[first.target_revision_arn] * 3 + [second.target_revision_arn]
        )
    )
    assert [r["serviceRevisionArn"] for r in revisions["serviceRevisions"]] == [
        first.target_revision_arn,
        second.target_revision_arn,
    ]


def test_unknown_and_malformed_revision_arns_are_missing_failures(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    (known,) = _seed_many(mock, 1)
    revision_id = known.target_revision_arn.rsplit("/", 1)[1]
    unknown = [
        f"arn:aws:ecs:eu-west-1:{ACCOUNT}:service-revision/prod/web/{revision_id}",
        f"arn:aws:ecs:{REGION}:210987654321:service-revision/prod/web/{revision_id}",
        f"arn:aws-us-gov:ecs:{REGION}:{ACCOUNT}:service-revision/prod/web/{revision_id}",
        f"{PREFIX}:service-revision/prod/web/0000000000000000001",
        f"{PREFIX}:service-revision/prod/web/not-digits",
        f"{PREFIX}:service-revision/prod/api/{revision_id}",
        known.arn,
        "garbage",
    ]
    response = _body(
        ecs.describe_service_revisions(
            serviceRevisionArns=[*unknown[:3], known.target_revision_arn, *unknown[3:]]
        )
    )
    assert [r["serviceRevisionArn"] for r in response["serviceRevisions"]] == [
        known.target_revision_arn
    ]
    assert response["failures"] == [{"arn": arn, "reason": "MISSING"} for arn in unknown]


# -- the ServiceDeployment shape ----------------------------------------------------------------


def test_first_deployment_carries_every_field(mock: ServiceDeploymentsMock, ecs: Any) -> None:
    mock.backend().add_service(service="web", cluster="prod", desired_count=2)
    deployment = mock.backend().add_deployment(service="web", cluster="prod")
    target = deployment.target_revision_arn
    assert target.startswith(f"{PREFIX}:service-revision/prod/web/")
    assert len(target.rsplit("/", 1)[1]) == 19
    assert _one(ecs, deployment.arn) == {
        "serviceDeploymentArn": deployment.arn,
        "serviceArn": SERVICE_ARN,
        "clusterArn": CLUSTER_ARN,
        "createdAt": T0,
        "startedAt": T0,
        "finishedAt": T0,
        "updatedAt": T0,
        "sourceServiceRevisions": [],
        "targetServiceRevision": {
            "arn": target,
            "requestedTaskCount": 2,
            "runningTaskCount": 2,
            "pendingTaskCount": 0,
        },
        "status": "SUCCESSFUL",
        "lifecycleStage": "CLEAN_UP",
        "deploymentConfiguration": DEFAULT_CONFIGURATION,
        "deploymentCircuitBreaker": {"status": "DISABLED", "failureCount": 0, "threshold": 3},
        "alarms": {"status": "DISABLED"},
    }


def test_second_deployment_has_the_first_target_as_its_source(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    backend = mock.backend()
    first = backend.add_deployment(
        service="web", cluster="prod", created_at=T0 - timedelta(hours=1)
    )
    second = backend.add_deployment(service="web", cluster="prod")
    described = _one(ecs, second.arn)
    assert [s["arn"] for s in described["sourceServiceRevisions"]] == [first.target_revision_arn]
    assert described["targetServiceRevision"]["arn"] == second.target_revision_arn
    assert described["targetServiceRevision"]["arn"] != first.target_revision_arn


def test_explicit_source_revisions_are_echoed(mock: ServiceDeploymentsMock, ecs: Any) -> None:
    backend = mock.backend()
    older = backend.add_deployment(
        service="web", cluster="prod", created_at=T0 - timedelta(hours=2)
    )
    backend.add_deployment(service="web", cluster="prod", created_at=T0 - timedelta(hours=1))
    third = backend.add_deployment(
        service="web", cluster="prod", source_revisions=[older.target_revision_arn]
    )
    assert [s["arn"] for s in _one(ecs, third.arn)["sourceServiceRevisions"]] == [
        older.target_revision_arn
    ]


def test_task_counts_follow_the_status(mock: ServiceDeploymentsMock, ecs: Any) -> None:
    backend = mock.backend()
    backend.add_service(service="web", cluster="prod", desired_count=4)
    backend.add_deployment(service="web", cluster="prod", created_at=T0 - timedelta(hours=1))
    running = backend.add_deployment(service="web", cluster="prod", status="IN_PROGRESS")
    described = _one(ecs, running.arn)
    assert described["targetServiceRevision"] == {
        "arn": running.target_revision_arn,
        "requestedTaskCount": 4,
        "runningTaskCount": 0,
        "pendingTaskCount": 4,
    }
    assert [
        {key: value for key, value in source.items() if key != "arn"}
        for source in described["sourceServiceRevisions"]
    ] == [{"requestedTaskCount": 4, "runningTaskCount": 4, "pendingTaskCount": 0}]


def test_deployment_configuration_is_echoed_over_the_defaults(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    configuration = {
        "maximumPercent": 150,
        "minimumHealthyPercent": 50,
        "deploymentCircuitBreaker": {"enable": True, "rollback": False},
        "alarms": {"alarmNames": ["web-5xx", "web-latency"], "enable": True, "rollback": True},
        "strategy": "BLUE_GREEN",
        "bakeTimeInMinutes": 15,
    }
    mock.backend().add_service(
        service="web", cluster="prod", deployment_configuration=configuration
    )
    deployment = mock.backend().add_deployment(service="web", cluster="prod")
    assert _one(ecs, deployment.arn)["deploymentConfiguration"] == configuration


def test_a_deployment_may_carry_its_own_configuration(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    backend = mock.backend()
    backend.add_service(service="web", cluster="prod", deployment_configuration=BREAKER_ON)
    own = backend.add_deployment(
        service="web", cluster="prod", deployment_configuration={"maximumPercent": 120}
    )
    assert _one(ecs, own.arn)["deploymentConfiguration"] == {
        **DEFAULT_CONFIGURATION,
        "maximumPercent": 120,
    }
    inherited = backend.add_deployment(service="web", cluster="prod")
    assert _one(ecs, inherited.arn)["deploymentConfiguration"] == {
        **DEFAULT_CONFIGURATION,
        **BREAKER_ON,
    }


@pytest.mark.parametrize(
    ("desired_count", "threshold"),
    [
        (0, 3),
        (1, 3),
        (5, 3),
        (6, 3),
        (7, 4),
        (8, 4),
        (100, 50),
        (399, 200),
        (400, 200),
        (1000, 200),
    ],
)
def test_circuit_breaker_threshold_is_half_the_desired_count_clamped(
    mock: ServiceDeploymentsMock, ecs: Any, desired_count: int, threshold: int
) -> None:
    mock.backend().add_service(
        service="web",
        cluster="prod",
        desired_count=desired_count,
        deployment_configuration=BREAKER_ON,
    )
    deployment = mock.backend().add_deployment(service="web", cluster="prod")
    assert _one(ecs, deployment.arn)["deploymentCircuitBreaker"] == {
        "status": "MONITORING_COMPLETE",
        "failureCount": 0,
        "threshold": threshold,
    }


def test_circuit_breaker_statuses(mock: ServiceDeploymentsMock, ecs: Any, frozen: Any) -> None:
    backend = mock.backend()
    backend.add_service(
        service="web", cluster="prod", desired_count=10, deployment_configuration=BREAKER_ON
    )
    backend.add_service(service="off", cluster="prod", desired_count=10)
    first = backend.add_deployment(
        service="web", cluster="prod", created_at=T0 - timedelta(hours=1)
    )
    disabled = backend.add_deployment(
        service="off",
        cluster="prod",
        plan={"outcome": "ROLLBACK_SUCCESSFUL", "in_progress_for": 60},
    )
    tripping = backend.add_deployment(
        service="web",
        cluster="prod",
        plan={"outcome": "ROLLBACK_SUCCESSFUL", "in_progress_for": 60},
    )
    assert _one(ecs, first.arn)["deploymentCircuitBreaker"]["status"] == "MONITORING_COMPLETE"
    assert _one(ecs, tripping.arn)["deploymentCircuitBreaker"] == {
        "status": "MONITORING",
        "failureCount": 0,
        "threshold": 5,
    }
    assert _one(ecs, disabled.arn)["deploymentCircuitBreaker"]["status"] == "DISABLED"
    frozen.tick(60)
    tripped = _one(ecs, tripping.arn)
    assert tripped["status"] == "ROLLBACK_IN_PROGRESS"
    assert tripped["deploymentCircuitBreaker"] == {
        "status": "TRIGGERED",
        "failureCount": 5,
        "threshold": 5,
    }
    assert _one(ecs, disabled.arn)["deploymentCircuitBreaker"]["status"] == "DISABLED"
    frozen.tick(60)
    assert _one(ecs, tripping.arn)["status"] == "ROLLBACK_SUCCESSFUL"
    assert _one(ecs, tripping.arn)["deploymentCircuitBreaker"]["status"] == "TRIGGERED"


def test_alarms_are_monitored_while_the_deployment_runs(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    alarms = {"alarmNames": ["web-5xx"], "enable": True, "rollback": True}
    mock.backend().add_service(
        service="web", cluster="prod", deployment_configuration={"alarms": alarms}
    )
    deployment = mock.backend().add_deployment(
        service="web", cluster="prod", plan={"in_progress_for": 30}
    )
    assert _one(ecs, deployment.arn)["alarms"] == {
        "status": "MONITORING",
        "alarmNames": ["web-5xx"],
        "triggeredAlarmNames": [],
    }
    frozen.tick(30)
    assert _one(ecs, deployment.arn)["alarms"] == {
        "status": "MONITORING_COMPLETE",
        "alarmNames": ["web-5xx"],
        "triggeredAlarmNames": [],
    }


def test_rollback_names_its_reason_time_and_revision(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    backend = mock.backend()
    backend.add_service(service="web", cluster="prod", deployment_configuration=BREAKER_ON)
    first = backend.add_deployment(
        service="web", cluster="prod", created_at=T0 - timedelta(hours=1)
    )
    second = backend.add_deployment(
        service="web",
        cluster="prod",
        plan={"outcome": "ROLLBACK_SUCCESSFUL", "in_progress_for": 20, "rollback_for": 10},
    )
    assert "rollback" not in _one(ecs, second.arn)
    frozen.tick(40)
    described = _one(ecs, second.arn)
    assert described["status"] == "ROLLBACK_SUCCESSFUL"
    assert described["statusReason"] == CIRCUIT_BREAKER_REASON
    assert described["rollback"] == {
        "reason": CIRCUIT_BREAKER_REASON,
        "startedAt": T0 + timedelta(seconds=20),
        "serviceRevisionArn": first.target_revision_arn,
    }
    assert described["finishedAt"] == T0 + timedelta(seconds=30)


def test_absent_values_are_left_out(mock: ServiceDeploymentsMock, ecs: Any) -> None:
    backend = mock.backend()
    pending = backend.add_deployment(service="web", cluster="prod", status="PENDING")
    described = _one(ecs, pending.arn)
    for key in ("startedAt", "finishedAt", "stoppedAt", "statusReason", "rollback"):
        assert key not in described
    assert described["status"] == "PENDING"
    assert described["lifecycleStage"] == "RECONCILE_SERVICE"


# -- describe and list agree ---------------------------------------------------------------------


def _brief_of(described: dict[str, Any]) -> dict[str, Any]:
    keys = ["serviceDeploymentArn", "serviceArn", "clusterArn", "createdAt", "startedAt"]
    keys += ["finishedAt", "status", "statusReason"]
    brief = {key: described[key] for key in keys if key in described}
    brief["targetServiceRevisionArn"] = described["targetServiceRevision"]["arn"]
    return brief


@pytest.mark.parametrize("first", ["list", "describe"])
def test_list_and_describe_agree_at_every_moment(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any, first: str
) -> None:
    backend = mock.backend()
    backend.add_service(service="web", cluster="prod", deployment_configuration=BREAKER_ON)
    backend.add_deployment(service="web", cluster="prod", created_at=T0 - timedelta(hours=1))
    deployment = backend.add_deployment(
        service="web",
        cluster="prod",
        plan={
            "outcome": "ROLLBACK_SUCCESSFUL",
            "pending_for": 10,
            "in_progress_for": 20,
            "rollback_for": 30,
        },
    )
    seen = []
    for step in (0, 5, 5, 10, 10, 15, 15, 100):
        frozen.tick(step)
        if first == "list":
            listed = ecs.list_service_deployments(cluster="prod", service="web")
            described = _one(ecs, deployment.arn)
        else:
            described = _one(ecs, deployment.arn)
            listed = ecs.list_service_deployments(cluster="prod", service="web")
        brief = listed["serviceDeployments"][0]
        assert brief == _brief_of(described)
        seen.append(brief["status"])
    assert seen == [
        "PENDING",
        "PENDING",
        "IN_PROGRESS",
        "IN_PROGRESS",
        "ROLLBACK_IN_PROGRESS",
        "ROLLBACK_IN_PROGRESS",
        "ROLLBACK_SUCCESSFUL",
        "ROLLBACK_SUCCESSFUL",
    ]


# -- the ServiceRevision shape ----------------------------------------------------------------


def test_revision_of_a_fargate_service_carries_every_field(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    network = {
        "awsvpcConfiguration": {
            "subnets": ["subnet-0a1b2c3d"],
            "securityGroups": ["sg-0a1b2c3d"],
            "assignPublicIp": "DISABLED",
        }
    }
    load_balancers = [
        {
            "targetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:"
            "targetgroup/web/0123456789abcdef",
            "containerName": "web",
            "containerPort": 8080,
        }
    ]
    registries = [{"registryArn": f"arn:aws:servicediscovery:{REGION}:{ACCOUNT}:service/srv-1"}]
    mock.backend().add_service(
        service="web",
        cluster="prod",
        launch_type="FARGATE",
        platform_version="1.4.0",
        network_configuration=network,
        load_balancers=load_balancers,
        service_registries=registries,
    )
    deployment = mock.backend().add_deployment(
        service="web", cluster="prod", task_definition="web:7", created_at=T0 - timedelta(minutes=3)
    )
    image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:7"
    assert _revision(ecs, deployment.target_revision_arn) == {
        "serviceRevisionArn": deployment.target_revision_arn,
        "serviceArn": SERVICE_ARN,
        "clusterArn": CLUSTER_ARN,
        "taskDefinition": f"{PREFIX}:task-definition/web:7",
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "loadBalancers": load_balancers,
        "serviceRegistries": registries,
        "networkConfiguration": network,
        "containerImages": [
            {"containerName": "web", "image": image, "imageDigest": _digest(image)}
        ],
        "guardDutyEnabled": False,
        "serviceConnectConfiguration": {"enabled": False},
        "createdAt": T0 - timedelta(minutes=3),
    }


def test_fargate_platform_version_defaults_to_latest(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    deployment = mock.backend().add_deployment(service="web", cluster="prod")
    revision = _revision(ecs, deployment.target_revision_arn)
    assert (revision["launchType"], revision["platformVersion"], revision["platformFamily"]) == (
        "FARGATE",
        "LATEST",
        "Linux",
    )
    assert "capacityProviderStrategy" not in revision


def test_ec2_revision_has_no_fargate_platform(mock: ServiceDeploymentsMock, ecs: Any) -> None:
    mock.backend().add_service(service="web", cluster="prod", launch_type="EC2")
    deployment = mock.backend().add_deployment(service="web", cluster="prod")
    revision = _revision(ecs, deployment.target_revision_arn)
    assert revision["launchType"] == "EC2"
    for key in ("platformVersion", "platformFamily", "capacityProviderStrategy"):
        assert key not in revision


def test_capacity_provider_strategy_replaces_the_launch_type(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    strategy = [
        {"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0},
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
    ]
    mock.backend().add_service(service="web", cluster="prod", capacity_provider_strategy=strategy)
    deployment = mock.backend().add_deployment(service="web", cluster="prod")
    revision = _revision(ecs, deployment.target_revision_arn)
    assert revision["capacityProviderStrategy"] == strategy
    assert "launchType" not in revision


def test_launch_type_and_strategy_together_are_refused(mock: ServiceDeploymentsMock) -> None:
    with pytest.raises(ValueError, match=r"^launch_type: give a launch type or a capacity"):
        mock.backend().add_service(
            service="web",
            cluster="prod",
            launch_type="EC2",
            capacity_provider_strategy=[{"capacityProvider": "FARGATE", "weight": 1}],
        )


def test_container_images_from_the_seed(mock: ServiceDeploymentsMock, ecs: Any) -> None:
    given_digest = "sha256:" + "ab" * 32
    deployment = mock.backend().add_deployment(
        service="web",
        cluster="prod",
        container_images=[
            {"containerName": "app", "image": "public.ecr.aws/nginx/nginx:1.27"},
            {"containerName": "sidecar", "image": "envoy:v1.30", "imageDigest": given_digest},
        ],
    )
    assert _revision(ecs, deployment.target_revision_arn)["containerImages"] == [
        {
            "containerName": "app",
            "image": "public.ecr.aws/nginx/nginx:1.27",
            "imageDigest": _digest("public.ecr.aws/nginx/nginx:1.27"),
        },
        {"containerName": "sidecar", "image": "envoy:v1.30", "imageDigest": given_digest},
    ]


def test_container_images_derived_from_the_task_definition(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    backend = mock.backend()
    one = backend.add_deployment(service="web", cluster="prod", task_definition="web:3")
    two = backend.add_deployment(service="web", cluster="prod", task_definition="web:3")
    image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:3"
    expected = [{"containerName": "web", "image": image, "imageDigest": _digest(image)}]
    assert _revision(ecs, one.target_revision_arn)["containerImages"] == expected
    # Stable: the same image gets the same digest in another revision.
    assert _revision(ecs, two.target_revision_arn)["containerImages"] == expected
    assert one.target_revision_arn != two.target_revision_arn


def test_default_task_definition_counts_the_services_deployments(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    backend = mock.backend()
    revisions = [
        backend.add_deployment(
            service="api", cluster="prod", created_at=T0 + timedelta(minutes=i)
        ).target_revision_arn
        for i in range(3)
    ]
    assert [_revision(ecs, arn)["taskDefinition"] for arn in revisions] == [
        f"{PREFIX}:task-definition/api:{n}" for n in (1, 2, 3)
    ]


@pytest.mark.service_deployments(with_moto=True)
def test_container_images_from_motos_task_definition(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    registered = ecs.register_task_definition(
        family="api",
        containerDefinitions=[
            {
                "name": "app",
                "image": "123.dkr.ecr.us-east-1.amazonaws.com/api:9",
                "memory": 256,
            },
            {"name": "log-router", "image": "amazon/aws-for-fluent-bit:2.32", "memory": 64},
        ],
    )["taskDefinition"]
    deployment = mock.backend().add_deployment(
        service="api", cluster="prod", task_definition="api:1"
    )
    revision = _revision(ecs, deployment.target_revision_arn)
    assert revision["taskDefinition"] == registered["taskDefinitionArn"]
    assert revision["containerImages"] == [
        {
            "containerName": "app",
            "image": "123.dkr.ecr.us-east-1.amazonaws.com/api:9",
            "imageDigest": _digest("123.dkr.ecr.us-east-1.amazonaws.com/api:9"),
        },
        {
            "containerName": "log-router",
            "image": "amazon/aws-for-fluent-bit:2.32",
            "imageDigest": _digest("amazon/aws-for-fluent-bit:2.32"),
        },
    ]
    # A task definition moto does not know falls back to a derived image.
    unknown = mock.backend().add_deployment(service="api", cluster="prod", task_definition="api:5")
    image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/api:5"
    assert _revision(ecs, unknown.target_revision_arn)["containerImages"] == [
        {"containerName": "api", "image": image, "imageDigest": _digest(image)}
    ]


def test_bad_container_images_are_refused_at_the_call(mock: ServiceDeploymentsMock) -> None:
    with pytest.raises(ValueError, match=r"^container_images\[1\]: expected"):
        mock.backend().add_deployment(
            service="web",
            cluster="prod",
            container_images=[{"containerName": "a", "image": "x:1"}, {"containerName": "b"}],
        )
