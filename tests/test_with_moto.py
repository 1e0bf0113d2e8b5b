"""The mock beside moto's ``mock_aws``: either one outermost, or started through
``with_moto=True``; moto's clusters and services count, neither mock wipes the other, keys
moto made answer as their account (with the mock alone too), and moto's request recorder sees
our operations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.ecs.responses import EC2ContainerServiceResponse

from mock_ecs_deployments import (
    ServiceDeploymentsMock,
    mock_service_deployments,
    service_deployment_backends,
)

UTC = timezone.utc
ACCOUNT = "123456789012"
REGION = "us-east-1"
BASE = datetime(2025, 4, 1, 8, 0, tzinfo=UTC)


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def _ecs() -> Any:
    """A client as a user makes one, from boto3's default session, under whichever
    arrangement of the two mocks the test started."""
    return boto3.client("ecs", region_name=REGION)


def _create_cluster_and_service(client: Any, cluster: str = "prod", service: str = "web") -> Any:
    """A cluster and a service made through moto; returns moto's CreateService answer."""
    client.create_cluster(clusterName=cluster)
    client.register_task_definition(
        family=service,
        containerDefinitions=[{"name": service, "image": "nginx:1.27", "memory": 256}],
    )
    return client.create_service(
        cluster=cluster, serviceName=service, taskDefinition=service, desiredCount=2
    )["service"]


def _seed(mock: ServiceDeploymentsMock, count: int = 3) -> list[Any]:
    backend = mock.backend()
    return [
        backend.add_deployment(
            service="web", cluster="prod", created_at=BASE + timedelta(minutes=i)
        )
        for i in range(count)
    ]


def _listed_arns(client: Any, **kwargs: Any) -> list[str]:
    page = client.list_service_deployments(**({"cluster": "prod", "service": "web"} | kwargs))
    return [item["serviceDeploymentArn"] for item in page["serviceDeployments"]]


def _seeded_window() -> dict[str, datetime]:
    """The createdAt window of what ``_seed`` makes: it leaves out any deployment that moto's
    CreateService itself may record (created now, long after ``BASE``)."""
    return {"after": BASE, "before": BASE + timedelta(hours=1)}


@contextmanager
def _moto_outermost() -> Iterator[ServiceDeploymentsMock]:
    with mock_aws(), mock_service_deployments() as mock:
        yield mock


@contextmanager
def _ours_outermost() -> Iterator[ServiceDeploymentsMock]:
    with mock_service_deployments() as mock, mock_aws():
        yield mock


@contextmanager
def _with_moto_argument() -> Iterator[ServiceDeploymentsMock]:
    with mock_service_deployments(with_moto=True) as mock:
        yield mock


ARRANGEMENTS: dict[str, Any] = {
    "moto outermost": _moto_outermost,
    "ours outermost": _ours_outermost,
    "with_moto=True": _with_moto_argument,
}


@pytest.fixture(params=list(ARRANGEMENTS))
def both(request: pytest.FixtureRequest) -> Iterator[ServiceDeploymentsMock]:
    arrangement: AbstractContextManager[ServiceDeploymentsMock] = ARRANGEMENTS[request.param]()
    with arrangement as mock:
        yield mock


def test_moto_service_lists_seeded_deployments(both: ServiceDeploymentsMock) -> None:
    client = _ecs()
    created = _create_cluster_and_service(client)
    seeded = _seed(both)
    expected = [d.arn for d in reversed(seeded)]
    page = client.list_service_deployments(
        cluster="prod", service="web", createdAt=_seeded_window()
    )
    items = page["serviceDeployments"]
    assert [item["serviceDeploymentArn"] for item in items] == expected
    assert "nextToken" not in page
    # Unfiltered, the seeded ones are the oldest: newest first, they come last.
    everything = _listed_arns(client)
    assert everything[-len(expected) :] == expected
    # The same service and cluster as moto's.
    assert {item["serviceArn"] for item in items} == {created["serviceArn"]}
    assert {item["clusterArn"] for item in items} == {created["clusterArn"]}
    assert created["serviceArn"] == f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/web"
    # moto still answers its own operations on the same client.
    assert client.list_clusters()["clusterArns"] == [created["clusterArn"]]


def test_moto_service_by_arn(both: ServiceDeploymentsMock) -> None:
    client = _ecs()
    created = _create_cluster_and_service(client)
    seeded = _seed(both, count=2)
    page = client.list_service_deployments(
        service=created["serviceArn"], createdAt=_seeded_window()
    )
    assert [item["serviceDeploymentArn"] for item in page["serviceDeployments"]] == [
        seeded[1].arn,
        seeded[0].arn,
    ]


def test_moto_service_without_seeded_deployments_is_found(both: ServiceDeploymentsMock) -> None:
    client = _ecs()
    _create_cluster_and_service(client)
    # Found (no error): the service is moto's, and its creation is its one deployment.
    created = client.describe_services(cluster="prod", services=["web"])["services"][0]
    page = client.list_service_deployments(cluster="prod", service="web")
    assert "nextToken" not in page
    assert [(d["status"], d["serviceArn"]) for d in page["serviceDeployments"]] == [
        ("SUCCESSFUL", created["serviceArn"])
    ]


def test_moto_cluster_with_unknown_service(both: ServiceDeploymentsMock) -> None:
    client = _ecs()
    client.create_cluster(clusterName="prod")
    with pytest.raises(ClientError) as excinfo:
        client.list_service_deployments(cluster="prod", service="web")
    assert _error(excinfo) == ("ServiceNotFoundException", "Service not found.", 400)


def test_unknown_cluster_beside_moto(both: ServiceDeploymentsMock) -> None:
    client = _ecs()
    with pytest.raises(ClientError) as excinfo:
        client.list_service_deployments(cluster="nowhere", service="web")
    assert _error(excinfo) == ("ClusterNotFoundException", "Cluster not found.", 400)


def test_invalid_parameter_beside_moto(both: ServiceDeploymentsMock) -> None:
    client = _ecs()
    _create_cluster_and_service(client)
    with pytest.raises(ClientError) as excinfo:
        client.list_service_deployments(cluster="prod", service="web", maxResults=101)
    code, message, status = _error(excinfo)
    assert (code, status) == ("InvalidParameterException", 400)
    assert "101" in message


def test_service_deleted_through_moto_after_seeding_is_not_found(
    both: ServiceDeploymentsMock,
) -> None:
    client = _ecs()
    _create_cluster_and_service(client)
    seeded = _seed(both, count=2)
    assert _listed_arns(client, createdAt=_seeded_window()) == [seeded[1].arn, seeded[0].arn]
    client.delete_service(cluster="prod", service="web", force=True)
    with pytest.raises(ClientError) as excinfo:
        client.list_service_deployments(cluster="prod", service="web")
    assert _error(excinfo) == ("ServiceNotFoundException", "Service not found.", 400)


def test_service_deleted_through_moto_before_any_listing_is_not_found(
    both: ServiceDeploymentsMock,
) -> None:
    client = _ecs()
    _create_cluster_and_service(client)
    client.delete_service(cluster="prod", service="web", force=True)
    with pytest.raises(ClientError) as excinfo:
        client.list_service_deployments(cluster="prod", service="web")
    assert _error(excinfo) == ("ServiceNotFoundException", "Service not found.", 400)


def test_service_seeded_only_in_the_mock_is_listed_beside_moto(
    both: ServiceDeploymentsMock,
) -> None:
    seeded = _seed(both, count=2)
    assert _listed_arns(_ecs()) == [seeded[1].arn, seeded[0].arn]


def test_moto_started_and_stopped_inside_ours_keeps_seeded_data() -> None:
    with mock_service_deployments() as mock:
        seeded = _seed(mock)
        expected = [d.arn for d in reversed(seeded)]
        with mock_aws():
            # moto resets its own registries when it starts; ours is not one of them.
            assert _listed_arns(_ecs()) == expected
            assert len(service_deployment_backends) == 1
        assert _listed_arns(_ecs()) == expected
        with mock_aws():
            more = mock.backend().add_deployment(
                service="web", cluster="prod", created_at=BASE + timedelta(hours=1)
            )
        assert _listed_arns(_ecs()) == [more.arn, *expected]
    assert len(service_deployment_backends) == 0


def test_moto_decorator_inside_ours_keeps_seeded_data() -> None:
    @mock_aws
    def list_under_moto() -> list[str]:
        return _listed_arns(_ecs())

    with mock_service_deployments() as mock:
        seeded = _seed(mock, count=1)
        assert list_under_moto() == [seeded[0].arn]
        assert _listed_arns(_ecs()) == [seeded[0].arn]


def test_response_class_is_restored_after_our_mock_stops() -> None:
    assert not hasattr(EC2ContainerServiceResponse, "list_service_deployments")
    with mock_aws():
        with mock_service_deployments():
            assert hasattr(EC2ContainerServiceResponse, "list_service_deployments")
        assert not hasattr(EC2ContainerServiceResponse, "list_service_deployments")
        # moto keeps working for its own operations after ours is gone.
        client = _ecs()
        client.create_cluster(clusterName="still-moto")
        assert client.list_clusters()["clusterArns"] == [
            f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/still-moto"
        ]
    with mock_service_deployments(with_moto=True):
        assert hasattr(EC2ContainerServiceResponse, "list_service_deployments")
    assert not hasattr(EC2ContainerServiceResponse, "list_service_deployments")


def test_our_operations_leave_moto_when_ours_stops_inside_moto() -> None:
    with mock_aws():
        client = _ecs()
        client.create_cluster(clusterName="prod")
        with mock_service_deployments() as mock:
            deployment = mock.backend().add_deployment(service="web", cluster="prod")
            assert _listed_arns(client) == [deployment.arn]
        # Back to moto alone, which does not implement the operation.
        with pytest.raises(NotImplementedError):
            client.list_service_deployments(cluster="prod", service="web")


def test_with_moto_stops_moto_too() -> None:
    with mock_service_deployments(with_moto=True):
        client = _ecs()
        client.create_cluster(clusterName="prod")
        assert len(client.list_clusters()["clusterArns"]) == 1
    # A new moto session starts empty: nothing of the previous one survived.
    with mock_aws():
        assert _ecs().list_clusters()["clusterArns"] == []


def test_moto_account_is_the_mock_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    with mock_service_deployments(with_moto=True) as mock:
        client = _ecs()
        created = _create_cluster_and_service(client)
        assert created["serviceArn"] == f"arn:aws:ecs:{REGION}:111122223333:service/prod/web"
        deployment = mock.backend().add_deployment(service="web", cluster="prod")
        page = client.list_service_deployments(cluster="prod", service="web")
        item = page["serviceDeployments"][0]
        assert item["serviceDeploymentArn"] == deployment.arn
        assert item["serviceArn"] == created["serviceArn"]


def test_regions_are_isolated_beside_moto() -> None:
    with mock_service_deployments(with_moto=True):
        _create_cluster_and_service(boto3.client("ecs", region_name="eu-west-1"))
        with pytest.raises(ClientError) as excinfo:
            _ecs().list_service_deployments(cluster="prod", service="web")
        assert _error(excinfo) == ("ClusterNotFoundException", "Cluster not found.", 400)


def test_service_recreated_through_moto_has_none_of_the_deleted_ones_deployments(
    both: ServiceDeploymentsMock,
) -> None:
    client = _ecs()
    _create_cluster_and_service(client)
    _seed(both, count=2)
    client.delete_service(cluster="prod", service="web", force=True)
    client.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1)
    # A deleted service's deployments are deleted with it; the new service starts afresh.
    assert _listed_arns(client, createdAt=_seeded_window()) == []


def test_credentials_moto_made_for_another_account_keep_that_account() -> None:
    # moto tells accounts apart by access key: a key from an assumed role in another account
    # must reach moto and the mock as that account, not be replaced by the mock's fake key.
    with mock_aws(), mock_service_deployments():
        sts = boto3.client("sts", region_name="us-east-1")
        credentials = sts.assume_role(
            RoleArn="arn:aws:iam::111122223333:role/deployer", RoleSessionName="session"
        )["Credentials"]
        ecs = boto3.client(
            "ecs",
            region_name="us-east-1",
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        ecs.create_cluster(clusterName="prod")
        ecs.create_service(cluster="prod", serviceName="web", desiredCount=1)
        page = ecs.list_service_deployments(cluster="prod", service="web")
        assert page["serviceDeployments"][0]["serviceArn"] == (
            "arn:aws:ecs:us-east-1:111122223333:service/prod/web"
        )


def test_standalone_a_key_moto_made_for_another_account_answers_as_that_account() -> None:
    """moto's IAM holds a key of account 111122223333 (made through moto's backend, as a test
    that prepares moto's state does); our mock alone, with no mock_aws, answers as that
    account for requests signed with it."""
    from moto.iam.models import iam_backends

    iam = iam_backends["111122223333"]["global"]
    iam.create_user(region_name="us-east-1", user_name="deployer")
    key = iam.create_access_key("deployer")
    try:
        with mock_service_deployments() as mock:  # moto's mock_aws is not active here
            mock.backend(account_id="111122223333").add_deployment(service="web")
            mock.backend().add_deployment(service="web", status="STOPPED")
            ecs = boto3.client(
                "ecs",
                region_name="us-east-1",
                aws_access_key_id=key.access_key_id,
                aws_secret_access_key=key.secret_access_key,
            )
            items = ecs.list_service_deployments(service="web")["serviceDeployments"]
            assert [(item["status"], item["serviceArn"].split(":")[4]) for item in items] == [
                ("SUCCESSFUL", "111122223333")
            ]
            assert [call.account_id for call in mock.calls] == ["111122223333"]
    finally:
        iam.delete_access_key(key.access_key_id, "deployer")
        iam.delete_user("deployer")


def test_under_mock_aws_our_operations_skip_moto_s_dispatch_and_run_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Our handler answers our operations before moto's, and moto's leaves them alone: moto's
    request processing runs for moto's operations only, and a Stop is applied once."""
    from moto.core.botocore_stubber import BotocoreStubber

    processed: list[str] = []
    original = BotocoreStubber.process_request

    def counting(self: Any, request: Any) -> Any:
        processed.append(str(request.headers.get("X-Amz-Target", b""), "utf-8"))
        return original(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", counting)
    with mock_service_deployments(with_moto=True) as mock:
        client = _ecs()
        _create_cluster_and_service(client)
        (created,) = client.list_service_deployments(cluster="prod", service="web")[
            "serviceDeployments"
        ]
        running = mock.backend().start_deployment(
            service="web", cluster="prod", plan={"in_progress_for": 600}
        )
        stopped = client.stop_service_deployment(serviceDeploymentArn=running.arn)
        assert stopped["serviceDeploymentArn"] == running.arn
        assert running.status == "ROLLBACK_REQUESTED"
        assert [call.operation for call in mock.calls] == [
            "ListServiceDeployments",
            "StopServiceDeployment",
        ]
        assert created["status"] == "SUCCESSFUL"
    assert [target.rsplit(".", 1)[-1] for target in processed] == [
        "CreateCluster",
        "RegisterTaskDefinition",
        "CreateService",
    ]


def test_moto_s_recorder_sees_our_operations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.moto_api import recorder

    monkeypatch.setattr(recorder, "_location", str(tmp_path / "recording"))
    with mock_service_deployments(with_moto=True) as mock:
        recorder.reset_recording()
        recorder.start_recording()
        try:
            ecs = boto3.client("ecs", region_name="us-east-1")
            ecs.create_cluster(clusterName="prod")
            mock.backend().add_deployment(service="web", cluster="prod")
            listed = ecs.list_service_deployments(cluster="prod", service="web")
        finally:
            recorder.stop_recording()
        assert len(listed["serviceDeployments"]) == 1
        assert len(mock.calls) == 1  # answered once, by moto's dispatch
    targets = [
        json.loads(line)["headers"].get("X-Amz-Target", "").rsplit(".", 1)[-1]
        for line in recorder.download_recording().splitlines()
        if line.strip()
    ]
    assert targets == ["CreateCluster", "ListServiceDeployments"]
