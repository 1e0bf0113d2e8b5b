"""Services seeded in the mock (Python, scenario files, the server's scenarios) exist for moto's
own ECS operations while moto is in play, made when moto next answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError
from moto import mock_aws

from mock_ecs_deployments import ServiceDeploymentsMock, mock_service_deployments, serve_in_thread
from mock_ecs_deployments.beside_moto import seeded as moto_seeded

from .clients import new_client

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
REGION = "us-east-1"
PREFIX = f"arn:aws:ecs:{REGION}:{ACCOUNT}"
SCENARIO = """
services:
  - cluster: prod
    service: web
    desired_count: 3
    deployments:
      - status: SUCCESSFUL
        created_at: "2026-03-01T09:00:00Z"
        task_definition: web:41
      - status: SUCCESSFUL
        created_at: "2026-03-02T08:00:00Z"
        task_definition: web:42
  - cluster: batch
    service: worker
    deployments:
      - status: SUCCESSFUL
        created_at: "2026-03-02T08:30:00Z"
        task_definition: worker:7
"""


@pytest.fixture
def seeded(frozen: Any) -> Iterator[ServiceDeploymentsMock]:
    """A mock whose services are seeded before moto's mock_aws starts."""
    with mock_service_deployments() as mock:
        mock.load_scenario(yaml.safe_load(SCENARIO))
        with mock_aws():
            yield mock


def test_moto_lists_and_describes_what_was_seeded_before_it_started(
    seeded: ServiceDeploymentsMock,
) -> None:
    ecs = new_client()
    assert sorted(ecs.list_clusters()["clusterArns"]) == [
        f"{PREFIX}:cluster/batch",
        f"{PREFIX}:cluster/prod",
    ]
    assert ecs.list_services(cluster="prod")["serviceArns"] == [f"{PREFIX}:service/prod/web"]
    assert ecs.list_services(cluster="batch")["serviceArns"] == [f"{PREFIX}:service/batch/worker"]
    (web,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert web["taskDefinition"] == f"{PREFIX}:task-definition/web:42"
    assert (web["desiredCount"], web["runningCount"], web["status"]) == (3, 3, "ACTIVE")
    assert web["launchType"] == "FARGATE"
    newest = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"][0]
    assert web["currentServiceDeployment"] == newest["serviceDeploymentArn"]
    assert (
        web["deployments"][0]["id"]
        == "ecs-svc/" + newest["targetServiceRevisionArn"].rsplit("/", 1)[1]
    )
    for number in (41, 42):
        definition = ecs.describe_task_definition(taskDefinition=f"web:{number}")["taskDefinition"]
        assert (definition["family"], definition["revision"]) == ("web", number)
        (container,) = definition["containerDefinitions"]
        assert container["image"] == f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:{number}"
        assert container["memory"] == moto_seeded.CONTAINER_MEMORY
    with pytest.raises(ClientError):
        ecs.describe_task_definition(taskDefinition="web:40")


def test_an_update_through_moto_deploys_a_seeded_service(
    seeded: ServiceDeploymentsMock, frozen: Any
) -> None:
    ecs = new_client()
    ecs.update_service(cluster="prod", service="web", forceNewDeployment=True)
    history = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"]
    assert [item["status"] for item in history] == ["SUCCESSFUL"] * 3
    assert history[0]["createdAt"] == T0
    ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "web", "image": "nginx:2", "memory": 128}]
    )
    seeded.backend().plan_next_deployment("web", "prod", in_progress_for=60)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:43")
    (web,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert [(d["status"], d["taskDefinition"].rsplit("/", 1)[1]) for d in web["deployments"]] == [
        ("PRIMARY", "web:43"),
        ("ACTIVE", "web:42"),
    ]


def test_a_service_deleted_through_moto_is_not_made_again(
    seeded: ServiceDeploymentsMock,
) -> None:
    ecs = new_client()
    ecs.delete_service(cluster="batch", service="worker", force=True)
    with pytest.raises(ClientError) as raised:
        ecs.list_service_deployments(cluster="batch", service="worker")
    assert raised.value.response["Error"]["Code"] == "ServiceNotFoundException"
    (worker,) = ecs.describe_services(cluster="batch", services=["worker"])["services"]
    assert worker["status"] != "ACTIVE"
    assert "currentServiceDeployment" not in worker


def test_seeding_while_moto_runs_and_other_accounts_and_regions(frozen: Any) -> None:
    with mock_service_deployments(with_moto=True) as mock:
        backend = mock.backend()
        backend.add_service(
            "api", "ops", desired_count=2, launch_type="EC2", deployment_controller="CODE_DEPLOY"
        )
        backend.add_deployment("cron", "ops", status="SUCCESSFUL", task_definition="cron:5")
        mock.backend(region="eu-west-1").add_service("eu", "ops")
        ecs = new_client()
        assert sorted(ecs.list_services(cluster="ops")["serviceArns"]) == [
            f"{PREFIX}:service/ops/api",
            f"{PREFIX}:service/ops/cron",
        ]
        api, cron = ecs.describe_services(cluster="ops", services=["api", "cron"])["services"]
        assert (api["desiredCount"], api["launchType"], api["deploymentController"]) == (
            2,
            "EC2",
            {"type": "CODE_DEPLOY"},
        )
        assert "taskDefinition" not in api
        assert cron["taskDefinition"] == f"{PREFIX}:task-definition/cron:5"
        assert new_client(region="eu-west-1").list_services(cluster="ops")["serviceArns"] == [
            f"arn:aws:ecs:eu-west-1:{ACCOUNT}:service/ops/eu"
        ]
        assert new_client(region="us-west-2").list_clusters()["clusterArns"] == []


def test_moto_own_task_definitions_and_services_are_kept(frozen: Any) -> None:
    with mock_service_deployments(with_moto=True) as mock:
        ecs = new_client()
        ecs.create_cluster(clusterName="prod")
        ecs.register_task_definition(
            family="web", containerDefinitions=[{"name": "mine", "image": "nginx:1", "memory": 64}]
        )
        mock.backend().add_deployment("web", "prod", status="SUCCESSFUL", task_definition="web:1")
        mock.backend().add_deployment("web", "prod", status="SUCCESSFUL", task_definition="web:2")
        (web,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
        assert web["taskDefinition"] == f"{PREFIX}:task-definition/web:2"
        first = ecs.describe_task_definition(taskDefinition="web:1")["taskDefinition"]
        assert first["containerDefinitions"][0]["name"] == "mine"
        registered = ecs.register_task_definition(
            family="web", containerDefinitions=[{"name": "next", "image": "nginx:3", "memory": 64}]
        )
        assert registered["taskDefinition"]["revision"] == 3


def test_the_server_s_scenarios_exist_for_moto() -> None:
    with serve_in_thread(scenarios=[yaml.safe_load(SCENARIO)]) as endpoint:
        ecs = new_client(
            region=REGION,
            endpoint_url=str(endpoint),
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        assert ecs.list_services(cluster="prod")["serviceArns"] == [f"{PREFIX}:service/prod/web"]
        (web,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
        assert web["taskDefinition"] == f"{PREFIX}:task-definition/web:42"
        assert web["deployments"][0]["rolloutState"] == "COMPLETED"
        assert (
            ecs.describe_task_definition(taskDefinition="worker:7")["taskDefinition"]["revision"]
            == 7
        )


def test_a_service_moto_made_before_the_mock_started_is_adopted_not_replaced() -> None:
    with mock_aws():
        ecs = new_client()
        ecs.create_cluster(clusterName="prod")
        ecs.register_task_definition(
            family="web", containerDefinitions=[{"name": "app", "image": "nginx:1", "memory": 64}]
        )
        ecs.create_service(
            cluster="prod",
            serviceName="web",
            taskDefinition="web:1",
            tags=[{"key": "team", "value": "web"}],
        )
        with mock_service_deployments() as mock:
            mock.backend().add_deployment(
                "web", "prod", status="SUCCESSFUL", task_definition="web:1"
            )
            (web,) = ecs.describe_services(cluster="prod", services=["web"], include=["TAGS"])[
                "services"
            ]
            assert web["tags"] == [{"key": "team", "value": "web"}]
            assert (
                web["currentServiceDeployment"]
                == mock.backend().services[("prod", "web")].deployments[-1].arn
            )
