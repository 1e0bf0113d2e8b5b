"""BLUE_GREEN, LINEAR and CANARY deployments: the stages they walk, their hooks and the traffic
weights their revisions carry as time passes, through real boto3 clients under freezegun."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from mock_ecs_deployments import (
    ScenarioError,
    SeedingError,
    ServiceDeploymentBackend,
    ServiceDeploymentsMock,
    mock_service_deployments,
)

from .clients import new_client

UTC = timezone.utc
REGION = "us-east-1"
T0 = datetime(2025, 10, 6, 9, 0, tzinfo=UTC)
WEIGHTS = ("requestedProductionTrafficWeight", "requestedTestTrafficWeight")


# Beside moto's mock_aws, for DescribeServices: the shared mock, and so backend and ecs.
pytestmark = pytest.mark.service_deployments(with_moto=True)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _describe(ecs: Any, arn: str) -> dict[str, Any]:
    (deployment,) = ecs.describe_service_deployments(serviceDeploymentArns=[arn])[
        "serviceDeployments"
    ]
    result: dict[str, Any] = deployment
    return result


def _weights(summary: dict[str, Any]) -> tuple[float, float]:
    return summary["requestedProductionTrafficWeight"], summary["requestedTestTrafficWeight"]


def _sample(ecs: Any, arn: str) -> tuple[str, str, tuple[float, float], tuple[float, float]]:
    """(status, stage, target weights, source weights) of a deployment now."""
    described = _describe(ecs, arn)
    (source,) = described["sourceServiceRevisions"]
    return (
        described["status"],
        described["lifecycleStage"],
        _weights(described["targetServiceRevision"]),
        _weights(source),
    )


def _deploying(
    backend: ServiceDeploymentBackend, configuration: dict[str, Any], **plan: Any
) -> Any:
    """A service with ``configuration`` and a completed first deployment; then a second one
    on ``plan``."""
    backend.add_service("web", "prod", desired_count=2, deployment_configuration=configuration)
    backend.add_deployment("web", "prod", created_at=T0 - timedelta(hours=1))
    return backend.start_deployment("web", "prod", plan=plan)


def _continue(ecs: Any, arn: str, action: str = "CONTINUE") -> None:
    hooks = _describe(ecs, arn)["lifecycleHookDetails"]
    (waiting,) = [hook for hook in hooks if hook["status"] == "AWAITING_ACTION"]
    ecs.continue_service_deployment(
        serviceDeploymentArn=arn, hookId=waiting["hookId"], action=action
    )


def _pause(*stages: str) -> dict[str, Any]:
    return {"targetType": "PAUSE", "lifecycleStages": list(stages)}


LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:check"
EVERY_HOOK = [
    _pause(
        "RECONCILE_SERVICE",
        "PRE_SCALE_UP",
        "POST_SCALE_UP",
        "POST_TEST_TRAFFIC_SHIFT",
        "PRE_PRODUCTION_TRAFFIC_SHIFT",
        "POST_PRODUCTION_TRAFFIC_SHIFT",
    ),
    {
        "targetType": "AWS_LAMBDA",
        "hookTargetArn": LAMBDA,
        "lifecycleStages": ["TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"],
    },
]


def _walk_with_hooks(ecs: Any, frozen: Any, arn: str, scale_up: float) -> list[Any]:
    """Answer every PAUSE hook as it comes (SCALE_UP's time passing after PRE_SCALE_UP) and
    sample the deployment at each."""
    samples = [_sample(ecs, arn)]
    for _ in range(6):
        _continue(ecs, arn)
        if samples[-1][1] == "PRE_SCALE_UP":
            samples.append(_sample(ecs, arn))
            frozen.tick(scale_up)
        samples.append(_sample(ecs, arn))
    return samples


@pytest.mark.parametrize(
    ("configuration", "shifted"),
    [
        ({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5}, (100.0, 100.0)),
        (
            {
                "strategy": "CANARY",
                "bakeTimeInMinutes": 5,
                "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 0},
            },
            (100.0, 100.0),
        ),
        (
            {
                "strategy": "LINEAR",
                "bakeTimeInMinutes": 5,
                "linearConfiguration": {"stepPercent": 50.0, "stepBakeTimeInMinutes": 0},
            },
            (100.0, 100.0),
        ),
    ],
    ids=["BLUE_GREEN", "CANARY", "LINEAR"],
)
def test_every_strategy_walks_every_stage_and_meets_every_hook(
    backend: ServiceDeploymentBackend,
    ecs: Any,
    frozen: Any,
    configuration: dict[str, Any],
    shifted: tuple[float, float],
) -> None:
    deployment = _deploying(
        backend, {**configuration, "lifecycleHooks": EVERY_HOOK}, in_progress_for=60
    )
    samples = _walk_with_hooks(ecs, frozen, deployment.arn, 60)
    none, tested = (0.0, 0.0), (0.0, 100.0)
    assert samples == [
        ("IN_PROGRESS", "RECONCILE_SERVICE", none, (100.0, 100.0)),
        ("IN_PROGRESS", "PRE_SCALE_UP", none, (100.0, 100.0)),
        ("IN_PROGRESS", "SCALE_UP", none, (100.0, 100.0)),
        ("IN_PROGRESS", "POST_SCALE_UP", none, (100.0, 100.0)),
        ("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", tested, (100.0, 0.0)),
        # PRE_PRODUCTION_TRAFFIC_SHIFT is a hook stage only: the stage shown is the one before.
        ("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", tested, (100.0, 0.0)),
        ("IN_PROGRESS", "POST_PRODUCTION_TRAFFIC_SHIFT", shifted, (0.0, 0.0)),
        ("IN_PROGRESS", "BAKE_TIME", (100.0, 100.0), (0.0, 0.0)),
    ]
    hooks = _describe(ecs, deployment.arn)["lifecycleHookDetails"]
    assert [(hook["targetType"], hook["status"]) for hook in hooks] == [
        ("PAUSE", "SUCCEEDED"),
        ("PAUSE", "SUCCEEDED"),
        ("PAUSE", "SUCCEEDED"),
        ("AWS_LAMBDA", "SUCCEEDED"),
        ("PAUSE", "SUCCEEDED"),
        ("PAUSE", "SUCCEEDED"),
        ("AWS_LAMBDA", "SUCCEEDED"),
        ("PAUSE", "SUCCEEDED"),
    ]
    frozen.tick(5 * 60 - 0.001)  # the bake time holds the source revision
    assert _sample(ecs, deployment.arn)[:2] == ("IN_PROGRESS", "BAKE_TIME")
    frozen.tick(0.001)
    done = _describe(ecs, deployment.arn)
    assert (done["status"], done["lifecycleStage"], done["finishedAt"]) == (
        "SUCCESSFUL",
        "CLEAN_UP",
        _at(60 + 300),
    )
    assert _weights(done["targetServiceRevision"]) == (100.0, 100.0)


def _timeline(ecs: Any, frozen: Any, arn: str, seconds: int, step: int) -> list[Any]:
    """Each distinct (stage, target production weight) seen sampling every ``step`` seconds
    for ``seconds``, with the time it was first seen."""
    seen: list[Any] = []
    for elapsed in range(0, seconds + 1, step):
        status, stage, target, _ = _sample(ecs, arn)
        if not seen or seen[-1][1:] != (status, stage, target[0]):
            seen.append((elapsed, status, stage, target[0]))
        frozen.tick(step)
    return seen


def test_a_canary_holds_its_percent_then_shifts_the_rest(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    configuration = {
        "strategy": "CANARY",
        "bakeTimeInMinutes": 10,
        "canaryConfiguration": {"canaryPercent": 12.5, "canaryBakeTimeInMinutes": 15},
    }
    deployment = _deploying(backend, configuration, in_progress_for=120)
    assert _timeline(ecs, frozen, deployment.arn, 3600, 30) == [
        (0, "IN_PROGRESS", "SCALE_UP", 0.0),
        (120, "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 12.5),
        (120 + 900, "IN_PROGRESS", "BAKE_TIME", 100.0),
        (120 + 900 + 600, "SUCCESSFUL", "CLEAN_UP", 100.0),
    ]


def test_a_canary_source_carries_the_rest_of_the_traffic(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    configuration = {"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 0.1}}
    deployment = _deploying(backend, configuration, in_progress_for=10)
    frozen.tick(10)
    assert _sample(ecs, deployment.arn) == (
        "IN_PROGRESS",
        "PRODUCTION_TRAFFIC_SHIFT",
        (0.1, 100.0),
        (99.9, 0.0),
    )
    frozen.tick(10 * 60 - 0.001)  # AWS's default canary bake: 10 minutes
    assert _sample(ecs, deployment.arn)[2] == (0.1, 100.0)
    frozen.tick(0.001)  # no bakeTimeInMinutes: no BAKE_TIME
    assert _sample(ecs, deployment.arn)[:3] == ("SUCCESSFUL", "CLEAN_UP", (100.0, 100.0))


def test_linear_steps_hold_each_step_but_the_last(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    configuration = {
        "strategy": "LINEAR",
        "linearConfiguration": {"stepPercent": 30.0, "stepBakeTimeInMinutes": 2},
        "bakeTimeInMinutes": 1,
    }
    deployment = _deploying(backend, configuration, in_progress_for=60)
    assert _timeline(ecs, frozen, deployment.arn, 1200, 30) == [
        (0, "IN_PROGRESS", "SCALE_UP", 0.0),
        (60, "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 30.0),
        (180, "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 60.0),
        (300, "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 90.0),
        (420, "IN_PROGRESS", "BAKE_TIME", 100.0),  # 100 is not held: straight on
        (480, "SUCCESSFUL", "CLEAN_UP", 100.0),
    ]


def test_linear_defaults_are_aws_ten_steps_of_six_minutes(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    deployment = _deploying(backend, {"strategy": "LINEAR"})
    seen = _timeline(ecs, frozen, deployment.arn, 3600, 60)
    assert [entry[3] for entry in seen] == [10.0 * n for n in range(1, 11)]
    assert [entry[0] for entry in seen] == [360 * n for n in range(10)]
    assert seen[-1][1:3] == ("SUCCESSFUL", "CLEAN_UP")
    assert {entry[2] for entry in seen[:-1]} == {"PRODUCTION_TRAFFIC_SHIFT"}


def test_blue_green_shifts_all_production_traffic_at_once(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    configuration = {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 3}
    deployment = _deploying(backend, configuration, in_progress_for=45)
    assert _timeline(ecs, frozen, deployment.arn, 600, 15) == [
        (0, "IN_PROGRESS", "SCALE_UP", 0.0),
        (45, "IN_PROGRESS", "BAKE_TIME", 100.0),
        (45 + 180, "SUCCESSFUL", "CLEAN_UP", 100.0),
    ]


def test_a_stage_change_is_an_update(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    configuration = {"strategy": "CANARY", "bakeTimeInMinutes": 2}
    deployment = _deploying(backend, configuration, in_progress_for=30)
    frozen.tick(30 + 600 + 5)
    assert _describe(ecs, deployment.arn)["updatedAt"] == _at(30 + 600)  # entered BAKE_TIME


def test_describe_services_serves_both_revisions_while_traffic_shifts(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    # DescribeServices' ServiceCurrentRevisionSummary has no weight fields in the model: the
    # weights are read from DescribeServiceDeployments.
    configuration = {"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 20.0}}
    deployment = _deploying(backend, configuration, in_progress_for=60)
    source = _describe(ecs, deployment.arn)["sourceServiceRevisions"][0]["arn"]
    frozen.tick(60)
    (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert [revision["arn"] for revision in service["currentServiceRevisions"]] == [
        deployment.target_revision_arn,
        source,
    ]
    assert [entry["status"] for entry in service["deployments"]] == ["PRIMARY", "ACTIVE"]
    frozen.tick(600)
    (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert [revision["arn"] for revision in service["currentServiceRevisions"]] == [
        deployment.target_revision_arn
    ]


def test_a_rolling_deployment_shows_no_weights(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    deployment = _deploying(backend, {}, in_progress_for=60)
    described = _describe(ecs, deployment.arn)
    for summary in (described["targetServiceRevision"], *described["sourceServiceRevisions"]):
        assert not set(WEIGHTS) & set(summary)


@pytest.mark.parametrize("when", [60, 60 + 300, 60 + 600 + 30], ids=["shifting", "canary", "bake"])
def test_a_rollback_sends_the_traffic_back_to_the_source(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any, when: int
) -> None:
    configuration = {"strategy": "CANARY", "bakeTimeInMinutes": 5}
    deployment = _deploying(backend, configuration, in_progress_for=60, rollback_for=20)
    frozen.tick(when)
    assert _sample(ecs, deployment.arn)[0] == "IN_PROGRESS"
    ecs.stop_service_deployment(serviceDeploymentArn=deployment.arn, stopType="ROLLBACK")
    frozen.tick(1)
    assert _sample(ecs, deployment.arn)[::2] == ("ROLLBACK_IN_PROGRESS", (0.0, 0.0))
    assert _sample(ecs, deployment.arn)[3] == (100.0, 100.0)
    (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    (serving,) = service["currentServiceRevisions"]
    assert serving["arn"] == _describe(ecs, deployment.arn)["sourceServiceRevisions"][0]["arn"]
    frozen.tick(20)
    assert _sample(ecs, deployment.arn)[::2] == ("ROLLBACK_SUCCESSFUL", (0.0, 0.0))


def test_a_planned_failure_shows_when_scale_up_ends(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    configuration = {
        "strategy": "BLUE_GREEN",
        "bakeTimeInMinutes": 30,
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
    }
    deployment = _deploying(
        backend, configuration, outcome="ROLLBACK_SUCCESSFUL", in_progress_for=90, rollback_for=30
    )
    frozen.tick(90)
    described = _describe(ecs, deployment.arn)
    assert (described["status"], described["rollback"]["startedAt"]) == (
        "ROLLBACK_IN_PROGRESS",
        _at(90),
    )
    assert _weights(described["targetServiceRevision"]) == (0.0, 0.0)
    frozen.tick(30)
    assert _describe(ecs, deployment.arn)["finishedAt"] == _at(120)


def test_a_pause_hook_at_a_shift_holds_the_traffic_where_it_is(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    configuration = {
        "strategy": "BLUE_GREEN",
        "lifecycleHooks": [_pause("POST_TEST_TRAFFIC_SHIFT")],
    }
    deployment = _deploying(backend, configuration, in_progress_for=30)
    frozen.tick(30)
    waiting = _sample(ecs, deployment.arn)
    assert waiting == ("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", (0.0, 100.0), (100.0, 0.0))
    frozen.tick(3600)
    assert _sample(ecs, deployment.arn) == waiting
    _continue(ecs, deployment.arn, "ROLLBACK")
    frozen.tick(1)
    assert _sample(ecs, deployment.arn)[::2] == ("ROLLBACK_IN_PROGRESS", (0.0, 0.0))
    frozen.tick(30)
    assert _sample(ecs, deployment.arn)[::2] == ("ROLLBACK_SUCCESSFUL", (0.0, 0.0))


# -- events ---------------------------------------------------------------------------------------


def test_a_blue_green_deployment_completes_after_its_bake_time_in_the_events(
    mock: ServiceDeploymentsMock, frozen: Any
) -> None:
    deployment = _deploying(
        mock.backend(), {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 4}, in_progress_for=60
    )
    frozen.tick(60 + 240)
    names = [
        (event["detail"]["eventName"], event["time"])
        for event in mock.events
        if event["detail-type"] == "ECS Deployment State Change"
        and event["detail"]["deploymentId"].endswith(str(deployment.target_revision.id))
    ]
    assert names == [
        ("SERVICE_DEPLOYMENT_IN_PROGRESS", "2025-10-06T09:00:00Z"),
        ("SERVICE_DEPLOYMENT_COMPLETED", "2025-10-06T09:05:00Z"),
    ]


# -- deployments made through moto ----------------------------------------------------------------


@pytest.fixture
def moto_ecs(frozen: Any) -> Iterator[tuple[ServiceDeploymentsMock, Any]]:
    """moto's mock_aws started first, then a mock; a client, with cluster prod and task
    definitions web:1 and web:2 made in moto."""
    with mock_aws(), mock_service_deployments() as active:
        client = new_client()
        client.create_cluster(clusterName="prod")
        for version in (1, 2):
            client.register_task_definition(
                family="web",
                containerDefinitions=[
                    {"name": "app", "image": f"example/web:{version}", "memory": 256}
                ],
            )
        yield active, client


def test_a_linear_deployment_made_through_moto_walks_its_steps(
    moto_ecs: tuple[ServiceDeploymentsMock, Any], frozen: Any
) -> None:
    mock, ecs = moto_ecs
    configuration = {
        "strategy": "LINEAR",
        "linearConfiguration": {"stepPercent": 25.0, "stepBakeTimeInMinutes": 1},
    }
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=2,
        deploymentConfiguration=configuration,
    )
    mock.backend().plan_next_deployment("web", "prod", in_progress_for=30)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert service["deploymentConfiguration"]["linearConfiguration"] == {
        "stepPercent": 25.0,
        "stepBakeTimeInMinutes": 1,
    }
    arn = service["currentServiceDeployment"]
    assert _timeline(ecs, frozen, arn, 600, 30) == [
        (0, "IN_PROGRESS", "SCALE_UP", 0.0),
        (30, "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 25.0),
        (90, "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 50.0),
        (150, "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 75.0),
        (210, "SUCCESSFUL", "CLEAN_UP", 100.0),
    ]
    (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert len(service["deployments"]) == 1  # what services_stable waits for


def _refused(ecs: Any, configuration: dict[str, Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as excinfo:
        ecs.create_service(
            cluster="prod",
            serviceName="web",
            taskDefinition="web:1",
            deploymentConfiguration=configuration,
        )
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


BAD_CONFIGURATIONS = [
    (
        {"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 2.9}},
        "linearConfiguration.stepPercent: 2.9 is not allowed; allowed: multiples of 0.1 from 3.0"
        " to 100.0",
    ),
    (
        {"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 10.05}},
        "linearConfiguration.stepPercent: 10.05 is not allowed; allowed: multiples of 0.1 from"
        " 3.0 to 100.0",
    ),
    (
        {"strategy": "LINEAR", "linearConfiguration": {"stepBakeTimeInMinutes": 1441}},
        "linearConfiguration.stepBakeTimeInMinutes: 1441 is not allowed; allowed: 0 to 1440"
        " minutes",
    ),
    (
        {"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 0.0}},
        "canaryConfiguration.canaryPercent: 0.0 is not allowed; allowed: multiples of 0.1 from"
        " 0.1 to 100.0",
    ),
    (
        {"strategy": "CANARY", "canaryConfiguration": {"canaryBakeTimeInMinutes": -1}},
        "canaryConfiguration.canaryBakeTimeInMinutes: -1 is not allowed; allowed: 0 to 1440"
        " minutes",
    ),
    (
        {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 1441},
        "bakeTimeInMinutes: 1441 is not allowed; allowed: 0 to 1440 minutes",
    ),
    (
        {"linearConfiguration": {"stepPercent": 10.0}},
        "linearConfiguration: only allowed with strategy LINEAR; the strategy is ROLLING",
    ),
    (
        {"strategy": "LINEAR", "canaryConfiguration": {"canaryPercent": 10.0}},
        "canaryConfiguration: only allowed with strategy CANARY; the strategy is LINEAR",
    ),
]


@pytest.mark.parametrize(("configuration", "message"), BAD_CONFIGURATIONS)
def test_moto_refuses_a_bad_strategy_configuration(
    moto_ecs: tuple[ServiceDeploymentsMock, Any], configuration: dict[str, Any], message: str
) -> None:
    mock, ecs = moto_ecs
    assert _refused(ecs, configuration) == (
        "InvalidParameterException",
        f"deploymentConfiguration.{message}",
        400,
    )
    assert ecs.list_services(cluster="prod")["serviceArns"] == []  # refused as a whole
    assert mock.backend().services == {}


@pytest.mark.parametrize(("configuration", "message"), BAD_CONFIGURATIONS)
def test_seeding_refuses_a_bad_strategy_configuration_naming_the_field(
    backend: ServiceDeploymentBackend, configuration: dict[str, Any], message: str
) -> None:
    with pytest.raises(SeedingError) as excinfo:
        backend.add_service("web", "prod", deployment_configuration=configuration)
    assert str(excinfo.value) == f"deployment_configuration.{message}"
    assert excinfo.value.field == f"deployment_configuration.{message.split(':')[0]}"


def test_a_scenario_with_a_bad_strategy_names_the_file_and_field(
    mock: ServiceDeploymentsMock, tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "services:\n"
        "  - service: web\n"
        "    cluster: prod\n"
        "    deployment_configuration:\n"
        "      strategy: CANARY\n"
        "      canaryConfiguration: {canaryPercent: 150}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario(path)
    assert str(path) in str(excinfo.value)
    assert (
        "services[0].deployment_configuration.canaryConfiguration.canaryPercent: 150 is not"
        " allowed; allowed: multiples of 0.1 from 0.1 to 100.0"
    ) in str(excinfo.value)


# -- scenarios and their dumps ------------------------------------------------------------------


def test_a_scenario_plan_walks_the_strategy(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any, tmp_path: Path
) -> None:
    path = tmp_path / "canary.yaml"
    path.write_text(
        "services:\n"
        "  - service: web\n"
        "    cluster: prod\n"
        "    deployment_configuration:\n"
        "      strategy: CANARY\n"
        "      canaryConfiguration: {canaryPercent: 5, canaryBakeTimeInMinutes: 2}\n"
        "    deployments:\n"
        "      - created_at: -1h\n"
        "      - plan: {in_progress_for: 1m}\n",
        encoding="utf-8",
    )
    mock.load_scenario(path)
    arn = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"][0][
        "serviceDeploymentArn"
    ]
    assert _timeline(ecs, frozen, arn, 300, 30) == [
        (0, "IN_PROGRESS", "SCALE_UP", 0.0),
        (60, "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 5.0),
        (180, "SUCCESSFUL", "CLEAN_UP", 100.0),
    ]


def test_a_dump_in_the_middle_of_a_linear_shift_loads_back_where_it_was(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any, tmp_path: Path
) -> None:
    configuration = {
        "strategy": "LINEAR",
        "linearConfiguration": {"stepPercent": 20.0, "stepBakeTimeInMinutes": 3},
    }
    deployment = _deploying(mock.backend(), configuration, in_progress_for=60)
    frozen.tick(60 + 3 * 60 + 30)  # in the second step, at 40
    before = _describe(ecs, deployment.arn)
    assert _weights(before["targetServiceRevision"]) == (40.0, 100.0)
    path = tmp_path / "dumped.yaml"
    mock.dump_scenario(path)
    assert "production_traffic_weight: 40.0" in path.read_text(encoding="utf-8")
    mock.reset()
    mock.load_scenario(path)
    assert _describe(ecs, deployment.arn) == before
    frozen.tick(150)  # the rest of the step
    assert _weights(_describe(ecs, deployment.arn)["targetServiceRevision"]) == (60.0, 100.0)
    assert _describe(ecs, deployment.arn)["updatedAt"] == _at(60 + 6 * 60)


def test_a_first_deployment_has_no_traffic_to_shift_and_holds_nothing(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    configuration = {
        "strategy": "LINEAR",
        "bakeTimeInMinutes": 30,
        "linearConfiguration": {"stepPercent": 10.0, "stepBakeTimeInMinutes": 60},
    }
    backend.add_service("web", "prod", deployment_configuration=configuration)
    first = backend.start_deployment("web", "prod", plan={"in_progress_for": 45})
    frozen.tick(45)
    described = _describe(ecs, first.arn)
    assert (described["status"], described["finishedAt"]) == ("SUCCESSFUL", _at(45))
    assert described["sourceServiceRevisions"] == []
    assert _weights(described["targetServiceRevision"]) == (100.0, 100.0)


def test_a_dump_while_waiting_at_a_hook_between_the_shifts_loads_back_where_it_was(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any, tmp_path: Path
) -> None:
    configuration = {
        "strategy": "CANARY",
        "canaryConfiguration": {"canaryPercent": 12.5, "canaryBakeTimeInMinutes": 20},
        "lifecycleHooks": [_pause("PRE_PRODUCTION_TRAFFIC_SHIFT")],
    }
    deployment = _deploying(mock.backend(), configuration, in_progress_for=60)
    frozen.tick(90)
    before = _describe(ecs, deployment.arn)
    assert _sample(ecs, deployment.arn) == (
        "IN_PROGRESS",
        "POST_TEST_TRAFFIC_SHIFT",
        (0.0, 100.0),
        (100.0, 0.0),
    )
    path = tmp_path / "dumped.yaml"
    mock.dump_scenario(path)
    mock.reset()
    mock.load_scenario(path)
    assert _describe(ecs, deployment.arn) == before
    _continue(ecs, deployment.arn)
    assert _sample(ecs, deployment.arn)[1:3] == ("PRODUCTION_TRAFFIC_SHIFT", (12.5, 100.0))
    frozen.tick(20 * 60)
    assert _sample(ecs, deployment.arn)[:3] == ("SUCCESSFUL", "CLEAN_UP", (100.0, 100.0))
