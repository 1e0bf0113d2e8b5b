"""ListServiceDeployments through a real boto3 client: filters, order, limits and errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from mock_ecs_deployments import ServiceDeploymentBackend

UTC = timezone.utc
BASE = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
REGION = "us-east-1"


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def _seed_mixed(backend: ServiceDeploymentBackend) -> list[Any]:
    statuses = ["SUCCESSFUL", "ROLLBACK_SUCCESSFUL", "SUCCESSFUL", "STOPPED", "IN_PROGRESS"]
    return [
        backend.add_deployment(
            service="web", cluster="prod", status=status, created_at=BASE + timedelta(hours=i)
        )
        for i, status in enumerate(statuses)
    ]


def test_lists_newest_first_with_brief_fields(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    seeded = _seed_mixed(backend)
    items = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"]
    assert [item["serviceDeploymentArn"] for item in items] == [d.arn for d in reversed(seeded)]
    newest = items[0]
    assert newest["status"] == "IN_PROGRESS"
    assert newest["serviceArn"] == f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/web"
    assert newest["clusterArn"] == f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod"
    assert newest["createdAt"] == BASE + timedelta(hours=4)
    assert newest["startedAt"] == BASE + timedelta(hours=4)
    assert "finishedAt" not in newest  # still in progress: the key is absent, not null
    assert newest["targetServiceRevisionArn"] == seeded[-1].target_revision_arn
    assert set(items[-1]) == {
        "serviceDeploymentArn",
        "serviceArn",
        "clusterArn",
        "createdAt",
        "startedAt",
        "finishedAt",
        "targetServiceRevisionArn",
        "status",
    }


def test_service_and_cluster_by_arn(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    seeded = _seed_mixed(backend)
    service_arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/web"
    cluster_arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod"
    expected = [d.arn for d in reversed(seeded)]
    for kwargs in (
        {"service": service_arn},
        {"service": service_arn, "cluster": "prod"},
        {"service": "web", "cluster": cluster_arn},
        {"service": service_arn, "cluster": cluster_arn},
    ):
        items = ecs.list_service_deployments(**kwargs)["serviceDeployments"]
        assert [item["serviceDeploymentArn"] for item in items] == expected, kwargs


def test_cluster_defaults_to_default(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    deployment = backend.add_deployment(service="web")
    items = ecs.list_service_deployments(service="web")["serviceDeployments"]
    assert [item["serviceDeploymentArn"] for item in items] == [deployment.arn]
    assert items[0]["clusterArn"].endswith(":cluster/default")


def test_service_arn_and_cluster_disagree(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    _seed_mixed(backend)
    backend.add_deployment(service="web", cluster="other")
    with pytest.raises(ClientError) as excinfo:
        ecs.list_service_deployments(
            service=f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/web", cluster="other"
        )
    assert _error(excinfo) == ("ServiceNotFoundException", "Service not found.", 400)


def test_unknown_cluster_and_service(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    _seed_mixed(backend)
    with pytest.raises(ClientError) as excinfo:
        ecs.list_service_deployments(cluster="nope", service="web")
    assert _error(excinfo) == ("ClusterNotFoundException", "Cluster not found.", 400)
    with pytest.raises(ecs.exceptions.ServiceNotFoundException) as not_found:
        ecs.list_service_deployments(cluster="prod", service="nope")
    assert _error(not_found) == ("ServiceNotFoundException", "Service not found.", 400)


def test_service_arn_of_another_region_is_not_found(
    backend: ServiceDeploymentBackend, ecs: Any
) -> None:
    _seed_mixed(backend)
    with pytest.raises(ClientError) as excinfo:
        ecs.list_service_deployments(service=f"arn:aws:ecs:eu-west-1:{ACCOUNT}:service/prod/web")
    assert _error(excinfo)[0] == "ServiceNotFoundException"


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["SUCCESSFUL"], [2, 0]),
        (["SUCCESSFUL", "STOPPED"], [3, 2, 0]),
        (["ROLLBACK_SUCCESSFUL", "IN_PROGRESS"], [4, 1]),
        (["PENDING"], []),
        ([], [4, 3, 2, 1, 0]),
    ],
)
def test_status_filter(
    backend: ServiceDeploymentBackend, ecs: Any, statuses: list[str], expected: list[int]
) -> None:
    seeded = _seed_mixed(backend)
    items = ecs.list_service_deployments(cluster="prod", service="web", status=statuses)
    assert [i["serviceDeploymentArn"] for i in items["serviceDeployments"]] == [
        seeded[n].arn for n in expected
    ]


def test_unknown_status_is_rejected(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    _seed_mixed(backend)
    with pytest.raises(ClientError) as excinfo:
        ecs.list_service_deployments(cluster="prod", service="web", status=["DONE"])
    code, message, status = _error(excinfo)
    assert (code, status) == ("InvalidParameterException", 400)
    assert "DONE" in message
    assert "ROLLBACK_SUCCESSFUL" in message  # the allowed values are named


def test_created_at_window_is_inclusive(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    seeded = _seed_mixed(backend)

    def window(**bounds: datetime) -> list[str]:
        page = ecs.list_service_deployments(cluster="prod", service="web", createdAt=bounds)
        return [item["serviceDeploymentArn"] for item in page["serviceDeployments"]]

    hour = timedelta(hours=1)
    assert window(after=BASE + hour, before=BASE + 3 * hour) == [
        seeded[3].arn,
        seeded[2].arn,
        seeded[1].arn,
    ]
    assert window(after=BASE + 3 * hour) == [seeded[4].arn, seeded[3].arn]
    assert window(before=BASE) == [seeded[0].arn]
    assert window(after=BASE + 3 * hour, before=BASE + hour) == []  # after > before: empty


def test_window_with_status_filter(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    seeded = _seed_mixed(backend)
    page = ecs.list_service_deployments(
        cluster="prod",
        service="web",
        status=["SUCCESSFUL"],
        createdAt={"after": BASE + timedelta(minutes=1)},
    )
    assert [i["serviceDeploymentArn"] for i in page["serviceDeployments"]] == [seeded[2].arn]


def test_equal_created_at_newest_created_first(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    first = backend.add_deployment(service="web", created_at=BASE)
    second = backend.add_deployment(service="web", created_at=BASE)
    items = ecs.list_service_deployments(service="web")["serviceDeployments"]
    assert [i["serviceDeploymentArn"] for i in items] == [second.arn, first.arn]


def test_millisecond_timestamps_round_trip(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    created = datetime(2024, 10, 31, 12, 3, 30, 917654, tzinfo=UTC)
    deployment = backend.add_deployment(service="web", created_at=created)
    assert deployment.created_at == created.replace(microsecond=917000)
    item = ecs.list_service_deployments(service="web")["serviceDeployments"][0]
    assert item["createdAt"] == created.replace(microsecond=917000)


@pytest.mark.parametrize("max_results", [0, 101, -1])
def test_max_results_out_of_range(
    backend: ServiceDeploymentBackend, ecs: Any, max_results: int
) -> None:
    _seed_mixed(backend)
    with pytest.raises(ClientError) as excinfo:
        ecs.list_service_deployments(service="web", cluster="prod", maxResults=max_results)
    code, message, status = _error(excinfo)
    assert (code, status) == ("InvalidParameterException", 400)
    assert str(max_results) in message


def test_default_page_is_twenty(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    for i in range(25):
        backend.add_deployment(service="web", created_at=BASE + timedelta(minutes=i))
    page = ecs.list_service_deployments(service="web")
    assert len(page["serviceDeployments"]) == 20
    assert "nextToken" in page
    full = ecs.list_service_deployments(service="web", maxResults=100)
    assert len(full["serviceDeployments"]) == 25
    assert "nextToken" not in full


def test_service_with_no_deployments_lists_empty(
    backend: ServiceDeploymentBackend, ecs: Any
) -> None:
    backend.add_service(service="idle", cluster="prod")
    page = ecs.list_service_deployments(service="idle", cluster="prod")
    assert page["serviceDeployments"] == []
    assert "nextToken" not in page


def test_codedeploy_service_has_no_deployments(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    backend.add_service(service="blue-green", deployment_controller="CODE_DEPLOY")
    assert ecs.list_service_deployments(service="blue-green")["serviceDeployments"] == []
