"""A bug in the mock, in server mode: the request that hit it is answered with AWS's
ServerException, HTTP 500, with a message saying the mock failed (not the caller's code), and
the server goes on serving."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from mock_ecs_deployments import ServiceDeploymentBackend, serve_in_thread
from mock_ecs_deployments.server.client import MockEndpoint

from .clients import endpoint_client

pytestmark = pytest.mark.allow_hosts(["127.0.0.1", "::1"])

REGION = "us-east-1"
SCENARIO = {
    "region": REGION,
    "services": [{"service": "web", "cluster": "prod", "deployments": [{"status": "SUCCESSFUL"}]}],
}


@pytest.fixture
def endpoint() -> Iterator[MockEndpoint]:
    with serve_in_thread() as url:
        url.load_scenario(SCENARIO)
        yield url


def _ecs(endpoint: str) -> Any:
    return endpoint_client(
        endpoint,
        region=REGION,
        # One attempt: a 500 is retried by default, which would hide what the server said.
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


def _broken(*args: object, **kwargs: object) -> Any:
    raise KeyError("a key the mock lost")


@pytest.mark.parametrize(
    ("operation", "method"),
    [
        ("ListServiceDeployments", "list_service_deployments"),
        ("DescribeServiceDeployments", "describe_service_deployments"),
    ],
)
def test_an_unexpected_exception_in_a_handler_is_a_server_exception_500(
    endpoint: MockEndpoint, monkeypatch: pytest.MonkeyPatch, operation: str, method: str
) -> None:
    ecs = _ecs(endpoint)
    (brief,) = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"]
    arn = brief["serviceDeploymentArn"]
    endpoint.clear_calls()

    def call() -> Any:
        if operation == "ListServiceDeployments":
            return ecs.list_service_deployments(cluster="prod", service="web")
        return ecs.describe_service_deployments(serviceDeploymentArns=[arn])

    monkeypatch.setattr(ServiceDeploymentBackend, method, _broken)
    with pytest.raises(ClientError) as raised:
        call()
    answer = raised.value.response
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert answer["ResponseMetadata"]["RetryAttempts"] == 0
    assert answer["Error"]["Code"] == "ServerException"
    assert isinstance(raised.value, ecs.exceptions.ServerException)
    assert answer["Error"]["Message"] == (
        f"mock_ecs_deployments failed while answering {operation} (a bug in the mock, not in"
        " your code): KeyError: 'a key the mock lost'"
    )
    (logged,) = endpoint.calls()
    assert (logged.operation, logged.status, logged.error_code) == (
        operation,
        500,
        "ServerException",
    )

    # Nothing is left broken: the next request, with the bug gone, is answered.
    monkeypatch.undo()
    assert call()["ResponseMetadata"]["HTTPStatusCode"] == 200
