"""aiobotocore clients inside the mock: the same answers as boto3's, errors as modeled
exceptions, retries, moto's ``mock_aws`` beside it, and aiobotocore put back afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import aiobotocore.endpoint  # type: ignore[import-untyped]
import pytest
from aiobotocore.session import get_session  # type: ignore[import-untyped]
from botocore.config import Config
from botocore.retries.standard import ExponentialBackoff
from moto import mock_aws

from mock_ecs_deployments import mock_service_deployments, serve_in_thread

from .clients import new_client

pytestmark = pytest.mark.allow_hosts(["127.0.0.1", "::1"])

REGION = "us-east-1"
BASE = datetime(2025, 6, 1, tzinfo=timezone.utc)


def run(body: Callable[[Any], Awaitable[Any]], **client_options: Any) -> Any:
    """Run ``body(client)`` with an aiobotocore ECS client made inside the event loop."""

    async def main() -> Any:
        options = {"region_name": REGION, **client_options}
        async with get_session().create_client("ecs", **options) as client:
            return await body(client)

    return asyncio.run(main())


def without_metadata(response: Any) -> dict[str, Any]:
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def test_async_client_gets_boto3_s_answers() -> None:
    with mock_service_deployments() as mock:
        for minutes, status in enumerate(["SUCCESSFUL", "ROLLBACK_FAILED", "IN_PROGRESS"]):
            mock.backend().add_deployment(
                service="web",
                cluster="prod",
                status=status,
                created_at=BASE + timedelta(minutes=minutes),
            )
        request: dict[str, Any] = {"cluster": "prod", "service": "web", "maxResults": 2}
        expected = new_client().list_service_deployments(**request)

        async def pages(client: Any) -> list[dict[str, Any]]:
            first = await client.list_service_deployments(**request)
            second = await client.list_service_deployments(**request, nextToken=first["nextToken"])
            return [first, second]

        first, second = run(pages)
    assert without_metadata(first) == without_metadata(expected)
    assert [item["status"] for item in first["serviceDeployments"]] == [
        "IN_PROGRESS",
        "ROLLBACK_FAILED",
    ]
    assert [item["status"] for item in second["serviceDeployments"]] == ["SUCCESSFUL"]
    assert first["serviceDeployments"][0]["createdAt"] == BASE + timedelta(minutes=2)
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_async_client_errors_are_modeled_exceptions() -> None:
    with mock_service_deployments() as mock:
        mock.backend().add_deployment(service="web", cluster="prod")

        async def missing(client: Any) -> Any:
            with pytest.raises(client.exceptions.ServiceNotFoundException) as raised:
                await client.list_service_deployments(cluster="prod", service="api")
            return raised.value.response

        error = run(missing)
    assert error["Error"] == {"Code": "ServiceNotFoundException", "Message": "Service not found."}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_async_client_retries_an_injected_server_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # botocore's backoff sleeps up to 2**attempt seconds; what is tested is that it retries.
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    with mock_service_deployments() as mock:
        deployment = mock.backend().add_deployment(service="web")
        mock.inject_error("ListServiceDeployments", "ServerException", times=2)

        async def listing(client: Any) -> Any:
            return await client.list_service_deployments(service="web")

        retry = Config(retries={"mode": "standard", "max_attempts": 3})
        page = run(listing, config=retry)
        statuses = [(call.status, call.error_code) for call in mock.calls]
    assert page["serviceDeployments"][0]["serviceDeploymentArn"] == deployment.arn
    assert page["ResponseMetadata"]["RetryAttempts"] == 2
    assert statuses == [(500, "ServerException"), (500, "ServerException"), (200, None)]


def test_async_client_under_mock_aws_reaches_moto_and_our_operations() -> None:
    with mock_aws(), mock_service_deployments() as mock:

        async def moto_then_ours(client: Any) -> Any:
            await client.create_cluster(clusterName="prod")
            deployment = mock.backend().add_deployment(service="web", cluster="prod")
            page = await client.list_service_deployments(cluster="prod", service="web")
            clusters = await client.list_clusters()
            return deployment, page, clusters

        deployment, page, clusters = run(moto_then_ours)
    assert [i["serviceDeploymentArn"] for i in page["serviceDeployments"]] == [deployment.arn]
    assert clusters["clusterArns"] == ["arn:aws:ecs:us-east-1:123456789012:cluster/prod"]


def test_async_client_against_server_mode() -> None:
    with serve_in_thread() as endpoint, mock_service_deployments() as mock:
        deployment = mock.backend().add_deployment(service="web", cluster="prod")

        async def over_http(client: Any) -> Any:
            await client.create_cluster(clusterName="other")  # only the server has moto
            return await client.list_service_deployments(cluster="prod", service="web")

        page = run(
            over_http,
            endpoint_url=endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
    assert [i["serviceDeploymentArn"] for i in page["serviceDeployments"]] == [deployment.arn]


def test_aiobotocore_is_put_back() -> None:
    original = aiobotocore.endpoint.convert_to_response_dict
    with mock_service_deployments():
        run(lambda client: asyncio.sleep(0))  # an aiobotocore client is made while active
        assert aiobotocore.endpoint.convert_to_response_dict is not original
    assert aiobotocore.endpoint.convert_to_response_dict is original
