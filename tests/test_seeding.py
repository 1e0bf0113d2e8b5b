"""The Python seeding API: ``mock.backend()``, ``add_service`` and ``add_deployment``; what the
returned records say, what a list call shows of them, and the errors a test author gets."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.moto_api._internal import mock_random

from mock_ecs_deployments import (
    ServiceDeploymentBackend,
    ServiceDeploymentsMock,
    mock_service_deployments,
    service_deployment_backends,
)
from mock_ecs_deployments.engine.model.service_model import deployment_statuses

from .clients import new_client

UTC = timezone.utc
ACCOUNT = "123456789012"
REGION = "us-east-1"
BASE = datetime(2025, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
DEPLOYMENT_ARN = re.compile(
    r"^arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/(?P<id>[A-Za-z0-9_-]{21})$"
)
REVISION_ARN = re.compile(
    r"^arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/(?P<id>[0-9]{19})$"
)
COMPLETED = ("SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED")
STARTED_ONGOING = ("IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")


def _only_item(client: Any, service: str = "web", cluster: str = "prod") -> dict[str, Any]:
    items = client.list_service_deployments(cluster=cluster, service=service)
    assert len(items["serviceDeployments"]) == 1, items["serviceDeployments"]
    item: dict[str, Any] = items["serviceDeployments"][0]
    return item


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


# -- the registry --------------------------------------------------------------------------------


def test_backend_is_the_registry_entry(mock: ServiceDeploymentsMock) -> None:
    backend = mock.backend(region="eu-west-1", account_id="111122223333")
    assert backend is service_deployment_backends["111122223333"]["eu-west-1"]
    assert backend is mock.backend(region="eu-west-1", account_id="111122223333")
    assert backend.region_name == "eu-west-1"
    assert backend.account_id == "111122223333"
    assert mock.backend() is service_deployment_backends[ACCOUNT][REGION]


# -- what a record says, and what the list call says of it ---------------------------------------


def test_record_matches_what_list_returns(backend: ServiceDeploymentBackend) -> None:
    deployment = backend.add_deployment(
        service="web", cluster="prod", status="SUCCESSFUL", created_at=BASE
    )
    arn_match = DEPLOYMENT_ARN.match(deployment.arn)
    assert arn_match is not None, deployment.arn
    assert arn_match["id"] == deployment.id
    assert re.fullmatch(r"[A-Za-z0-9_-]{21}", deployment.id)
    revision_match = REVISION_ARN.match(deployment.target_revision_arn)
    assert revision_match is not None, deployment.target_revision_arn
    assert int(revision_match["id"]) < 2**63
    assert deployment.status == "SUCCESSFUL"
    assert deployment.created_at == BASE

    item = _only_item(new_client())
    assert item == {
        "serviceDeploymentArn": deployment.arn,
        "serviceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/web",
        "clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod",
        "createdAt": BASE,
        "startedAt": BASE,
        "finishedAt": BASE,
        "targetServiceRevisionArn": deployment.target_revision_arn,
        "status": "SUCCESSFUL",
    }


def test_every_deployment_gets_its_own_id_and_revision(backend: ServiceDeploymentBackend) -> None:
    deployments = [
        backend.add_deployment(service="web", cluster="prod", created_at=BASE + timedelta(i))
        for i in range(5)
    ]
    assert len({d.id for d in deployments}) == 5
    assert len({d.target_revision_arn for d in deployments}) == 5
    items = new_client().list_service_deployments(cluster="prod", service="web")[
        "serviceDeployments"
    ]
    assert [(i["serviceDeploymentArn"], i["targetServiceRevisionArn"]) for i in items] == [
        (d.arn, d.target_revision_arn) for d in reversed(deployments)
    ]


def test_defaults(backend: ServiceDeploymentBackend) -> None:
    before = datetime.now(UTC) - timedelta(milliseconds=1)
    deployment = backend.add_deployment(service="web")
    after = datetime.now(UTC)
    assert deployment.status == "SUCCESSFUL"
    assert deployment.arn.startswith(
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-deployment/default/web/"
    )
    assert before <= deployment.created_at <= after
    assert deployment.created_at.microsecond % 1000 == 0
    item = _only_item(new_client(), cluster="default")
    assert item["createdAt"] == deployment.created_at
    assert item["status"] == "SUCCESSFUL"


def test_status_reason_is_listed(backend: ServiceDeploymentBackend) -> None:
    backend.add_deployment(
        service="web",
        cluster="prod",
        status="ROLLBACK_SUCCESSFUL",
        status_reason="Service deployment rolled back by user.",
    )
    assert _only_item(new_client())["statusReason"] == "Service deployment rolled back by user."


def test_task_definition_names_the_target_revision(backend: ServiceDeploymentBackend) -> None:
    deployment = backend.add_deployment(service="web", cluster="prod", task_definition="web:7")
    assert deployment.target_revision.task_definition == (
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/web:7"
    )


def test_service_by_arn(backend: ServiceDeploymentBackend) -> None:
    service_arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/web"
    deployment = backend.add_deployment(service=service_arn)
    assert DEPLOYMENT_ARN.match(deployment.arn)
    assert _only_item(new_client())["serviceDeploymentArn"] == deployment.arn


def test_add_service_then_deployment(backend: ServiceDeploymentBackend) -> None:
    service = backend.add_service(service="web", cluster="prod", desired_count=3)
    assert service.arn == f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/web"
    assert service.cluster_arn == f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod"
    assert (
        new_client().list_service_deployments(cluster="prod", service="web")["serviceDeployments"]
        == []
    )
    deployment = backend.add_deployment(service="web", cluster="prod")
    assert deployment.service_arn == service.arn
    assert _only_item(new_client())["serviceDeploymentArn"] == deployment.arn


# -- timestamps follow from the status -----------------------------------------------------------


@pytest.mark.parametrize("status", COMPLETED)
def test_completed_status_has_started_and_finished(
    backend: ServiceDeploymentBackend, status: str
) -> None:
    deployment = backend.add_deployment(
        service="web", cluster="prod", status=status, created_at=BASE
    )
    assert (deployment.started_at, deployment.finished_at) == (BASE, BASE)
    item = _only_item(new_client())
    assert (item["status"], item["createdAt"], item["startedAt"], item["finishedAt"]) == (
        status,
        BASE,
        BASE,
        BASE,
    )


@pytest.mark.parametrize("status", STARTED_ONGOING)
def test_started_ongoing_status_has_started_only(
    backend: ServiceDeploymentBackend, status: str
) -> None:
    deployment = backend.add_deployment(
        service="web", cluster="prod", status=status, created_at=BASE
    )
    assert deployment.started_at == BASE
    assert deployment.finished_at is None
    item = _only_item(new_client())
    assert item["status"] == status
    assert item["startedAt"] == BASE
    assert "finishedAt" not in item


def test_pending_has_neither(backend: ServiceDeploymentBackend) -> None:
    deployment = backend.add_deployment(
        service="web", cluster="prod", status="PENDING", created_at=BASE
    )
    assert (deployment.started_at, deployment.finished_at) == (None, None)
    item = _only_item(new_client())
    assert item["status"] == "PENDING"
    assert item["createdAt"] == BASE
    assert "startedAt" not in item
    assert "finishedAt" not in item


def test_explicit_times_are_kept(backend: ServiceDeploymentBackend) -> None:
    started = BASE + timedelta(seconds=30, microseconds=456789)
    finished = BASE + timedelta(minutes=7, microseconds=1500)
    deployment = backend.add_deployment(
        service="web",
        cluster="prod",
        status="ROLLBACK_FAILED",
        created_at=BASE,
        started_at=started,
        finished_at=finished,
    )
    # Stored to the millisecond, truncated.
    started_ms = BASE + timedelta(seconds=30, microseconds=456000)
    finished_ms = BASE + timedelta(minutes=7, microseconds=1000)
    assert (deployment.started_at, deployment.finished_at) == (started_ms, finished_ms)
    item = _only_item(new_client())
    assert (item["createdAt"], item["startedAt"], item["finishedAt"]) == (
        BASE,
        started_ms,
        finished_ms,
    )


def test_in_progress_with_explicit_start(backend: ServiceDeploymentBackend) -> None:
    started = BASE + timedelta(minutes=2)
    backend.add_deployment(
        service="web", cluster="prod", status="IN_PROGRESS", created_at=BASE, started_at=started
    )
    item = _only_item(new_client())
    assert (item["createdAt"], item["startedAt"]) == (BASE, started)
    assert "finishedAt" not in item


def test_naive_datetimes_are_utc(backend: ServiceDeploymentBackend) -> None:
    naive = datetime(2025, 1, 2, 3, 4, 5, 678901)
    deployment = backend.add_deployment(
        service="web",
        cluster="prod",
        created_at=naive,
        finished_at=naive + timedelta(hours=1),
    )
    as_utc = datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert deployment.created_at == as_utc
    assert deployment.created_at.utcoffset() == timedelta(0)
    item = _only_item(new_client())
    assert item["createdAt"] == as_utc
    assert item["finishedAt"] == as_utc + timedelta(hours=1)


def test_aware_datetimes_in_other_zones_are_converted(backend: ServiceDeploymentBackend) -> None:
    plus_two = timezone(timedelta(hours=2))
    deployment = backend.add_deployment(
        service="web", cluster="prod", created_at=datetime(2025, 6, 1, 12, 0, tzinfo=plus_two)
    )
    assert deployment.created_at == datetime(2025, 6, 1, 10, 0, tzinfo=UTC)
    assert _only_item(new_client())["createdAt"] == datetime(2025, 6, 1, 10, 0, tzinfo=UTC)


# -- partitions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "partition"),
    [("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"), ("eu-west-3", "aws")],
)
def test_partition_follows_the_region(
    mock: ServiceDeploymentsMock, region: str, partition: str
) -> None:
    deployment = mock.backend(region=region).add_deployment(service="web", cluster="prod")
    prefix = f"arn:{partition}:ecs:{region}:{ACCOUNT}"
    assert re.fullmatch(
        re.escape(f"{prefix}:service-deployment/prod/web/") + r"[A-Za-z0-9_-]{21}",
        deployment.arn,
    )
    assert re.fullmatch(
        re.escape(f"{prefix}:service-revision/prod/web/") + r"[0-9]{19}",
        deployment.target_revision_arn,
    )
    item = _only_item(new_client(region=region))
    assert item["serviceDeploymentArn"] == deployment.arn
    assert item["serviceArn"] == f"{prefix}:service/prod/web"
    assert item["clusterArn"] == f"{prefix}:cluster/prod"
    assert item["targetServiceRevisionArn"] == deployment.target_revision_arn


def test_service_arn_in_another_partition_is_accepted(mock: ServiceDeploymentsMock) -> None:
    backend = mock.backend(region="cn-northwest-1")
    deployment = backend.add_deployment(
        service=f"arn:aws-cn:ecs:cn-northwest-1:{ACCOUNT}:service/prod/web"
    )
    assert deployment.arn.startswith(
        f"arn:aws-cn:ecs:cn-northwest-1:{ACCOUNT}:service-deployment/prod/web/"
    )


# -- mistakes in what the test author wrote ------------------------------------------------------


def test_unknown_status_names_the_field_and_the_allowed_values(
    backend: ServiceDeploymentBackend,
) -> None:
    with pytest.raises(ValueError) as excinfo:
        backend.add_deployment(service="web", cluster="prod", status="DONE")
    message = str(excinfo.value)
    assert "status" in message
    assert "'DONE'" in message
    for allowed in deployment_statuses():
        assert allowed in message
    assert "ROLLBACK_IN_PROGRESS" in message  # the model's enum, read from botocore


def test_status_is_case_sensitive(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(ValueError, match=r"status: 'successful' is not allowed"):
        backend.add_deployment(service="web", status="successful")


def test_a_rejected_deployment_leaves_no_trace(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(ValueError):
        backend.add_deployment(service="web", cluster="prod", status="DONE")
    with pytest.raises(ValueError):
        backend.add_deployment(
            service="web", cluster="prod", created_at=BASE, finished_at=BASE - timedelta(1)
        )
    with pytest.raises(ClientError) as excinfo:
        new_client().list_service_deployments(cluster="prod", service="web")
    assert _error(excinfo) == ("ClusterNotFoundException", "Cluster not found.", 400)


def test_finished_before_created(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(ValueError, match=r"finished_at: earlier than created_at"):
        backend.add_deployment(
            service="web",
            cluster="prod",
            created_at=BASE,
            finished_at=BASE - timedelta(milliseconds=1),
        )


def test_started_before_created(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(ValueError, match=r"started_at: earlier than created_at"):
        backend.add_deployment(
            service="web",
            cluster="prod",
            status="IN_PROGRESS",
            created_at=BASE,
            started_at=BASE - timedelta(seconds=1),
        )


def test_finished_before_started(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(ValueError, match=r"finished_at: earlier than started_at"):
        backend.add_deployment(
            service="web",
            cluster="prod",
            created_at=BASE,
            started_at=BASE + timedelta(minutes=5),
            finished_at=BASE + timedelta(minutes=1),
        )


def test_started_at_on_pending(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(ValueError) as excinfo:
        backend.add_deployment(
            service="web", cluster="prod", status="PENDING", created_at=BASE, started_at=BASE
        )
    assert str(excinfo.value).startswith("started_at:")
    assert "PENDING" in str(excinfo.value)


def test_finished_at_on_pending(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(ValueError) as excinfo:
        backend.add_deployment(
            service="web", cluster="prod", status="PENDING", created_at=BASE, finished_at=BASE
        )
    assert str(excinfo.value).startswith("finished_at:")
    assert "PENDING" in str(excinfo.value)


def test_finished_at_on_in_progress(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(ValueError) as excinfo:
        backend.add_deployment(
            service="web",
            cluster="prod",
            status="IN_PROGRESS",
            created_at=BASE,
            finished_at=BASE + timedelta(minutes=1),
        )
    assert str(excinfo.value).startswith("finished_at:")
    assert "IN_PROGRESS" in str(excinfo.value)


@pytest.mark.parametrize("field", ["created_at", "started_at", "finished_at"])
def test_timestamp_that_is_not_a_datetime(backend: ServiceDeploymentBackend, field: str) -> None:
    with pytest.raises(TypeError) as excinfo:
        backend.add_deployment(service="web", cluster="prod", **{field: "2025-01-01T00:00:00Z"})
    assert str(excinfo.value).startswith(f"{field}:")
    assert "datetime" in str(excinfo.value)
    assert "2025-01-01T00:00:00Z" in str(excinfo.value)


def test_status_reason_that_is_not_a_string(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(TypeError, match=r"^status_reason:"):
        backend.add_deployment(service="web", status_reason=42)  # type: ignore[arg-type]


def test_service_arn_from_another_region(backend: ServiceDeploymentBackend) -> None:
    other = f"arn:aws:ecs:eu-west-1:{ACCOUNT}:service/prod/web"
    with pytest.raises(ValueError) as excinfo:
        backend.add_deployment(service=other)
    message = str(excinfo.value)
    assert message.startswith("service:")
    assert other in message
    assert "eu-west-1" in message
    assert REGION in message
    with pytest.raises(ValueError, match=r"^service:"):
        backend.add_service(service=other)


def test_service_arn_from_another_account(backend: ServiceDeploymentBackend) -> None:
    other = f"arn:aws:ecs:{REGION}:210987654321:service/prod/web"
    with pytest.raises(ValueError) as excinfo:
        backend.add_deployment(service=other)
    assert str(excinfo.value).startswith("service:")
    assert "210987654321" in str(excinfo.value)


def test_cluster_that_differs_from_the_service_arn(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(ValueError, match=r"^cluster:.*'other'.*'prod'"):
        backend.add_deployment(
            service=f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/web", cluster="other"
        )


def test_add_service_of_an_existing_service(backend: ServiceDeploymentBackend) -> None:
    backend.add_service(service="web", cluster="prod")
    with pytest.raises(ValueError) as excinfo:
        backend.add_service(service="web", cluster="prod")
    message = str(excinfo.value)
    assert message.startswith("service:")
    assert "'web'" in message
    assert "'prod'" in message
    assert "already exists" in message


def test_add_service_after_add_deployment_registered_it(
    backend: ServiceDeploymentBackend,
) -> None:
    backend.add_deployment(service="web", cluster="prod")
    with pytest.raises(ValueError, match="already exists"):
        backend.add_service(service="web", cluster="prod")


def test_bad_deployment_controller(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(ValueError) as excinfo:
        backend.add_service(service="web", deployment_controller="BLUE_GREEN")
    message = str(excinfo.value)
    assert message.startswith("deployment_controller:")
    assert "'BLUE_GREEN'" in message
    assert "ECS, CODE_DEPLOY, EXTERNAL" in message


def test_bad_launch_type(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(ValueError) as excinfo:
        backend.add_service(service="web", launch_type="LAMBDA")
    message = str(excinfo.value)
    assert message.startswith("launch_type:")
    assert "'LAMBDA'" in message
    assert "FARGATE, EC2, EXTERNAL, MANAGED_INSTANCES" in message


@pytest.mark.parametrize("desired_count", [-1, 1.5, True])
def test_bad_desired_count(backend: ServiceDeploymentBackend, desired_count: Any) -> None:
    with pytest.raises(ValueError, match=r"^desired_count:"):
        backend.add_service(service="web", desired_count=desired_count)


@pytest.mark.parametrize(
    ("field", "value"),
    [("service", "web/api"), ("service", ""), ("cluster", "prod cluster"), ("cluster", "x" * 256)],
)
def test_bad_names(backend: ServiceDeploymentBackend, field: str, value: str) -> None:
    arguments = {"service": "web", "cluster": "prod", field: value}
    with pytest.raises(ValueError, match=rf"^{field}:"):
        backend.add_deployment(**arguments)


def test_rejected_add_service_registers_nothing(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(ValueError):
        backend.add_service(service="web", cluster="prod", deployment_controller="NOPE")
    with pytest.raises(ClientError) as excinfo:
        new_client().list_service_deployments(cluster="prod", service="web")
    assert _error(excinfo) == ("ClusterNotFoundException", "Cluster not found.", 400)


# -- repeatable ids ------------------------------------------------------------------------------


def _seed_twice() -> list[tuple[str, str]]:
    with mock_service_deployments() as mock:
        backend = mock.backend()
        return [
            (d.arn, d.target_revision_arn)
            for d in (
                backend.add_deployment(service="web", cluster="prod", created_at=BASE),
                backend.add_deployment(service="api", cluster="prod", created_at=BASE),
            )
        ]


def test_seeding_moto_random_makes_ids_repeatable() -> None:
    mock_random.seed(20250506)
    first = _seed_twice()
    mock_random.seed(20250506)
    second = _seed_twice()
    mock_random.seed(7)
    third = _seed_twice()
    assert first == second
    assert first != third
    assert len({arn for arn, _ in first}) == 2


# -- deployment controllers without service deployments ------------------------------------------


@pytest.mark.parametrize("controller", ["CODE_DEPLOY", "EXTERNAL"])
def test_services_of_other_controllers_list_empty(
    backend: ServiceDeploymentBackend, controller: str
) -> None:
    service = backend.add_service(
        service="blue-green", cluster="prod", deployment_controller=controller
    )
    assert service.deployment_controller == controller
    page = new_client().list_service_deployments(cluster="prod", service="blue-green")
    assert page["serviceDeployments"] == []
    assert "nextToken" not in page


def test_ecs_controller_is_the_default(backend: ServiceDeploymentBackend) -> None:
    assert backend.add_service(service="web", cluster="prod").deployment_controller == "ECS"


@pytest.mark.parametrize("controller", ["CODE_DEPLOY", "EXTERNAL"])
def test_deployments_cannot_be_seeded_for_other_controllers(controller: str) -> None:
    with mock_service_deployments() as mock:
        backend = mock.backend()
        backend.add_service(service="bg", deployment_controller=controller)
        with pytest.raises(ValueError, match=f"uses the {controller} deployment controller"):
            backend.add_deployment(service="bg")
        with pytest.raises(ValueError, match="only services with the ECS controller"):
            backend.start_deployment(service="bg")
        assert backend.services[("default", "bg")].deployments == []
