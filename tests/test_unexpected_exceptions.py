"""An exception that is not an AWS error reaches the caller unchanged in process (as with
moto alone), whether the mock raised it or a signal handler raised it inside the mock; over
HTTP the server answers it as a ServerException (500) that says it is a bug in the mock."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from mock_ecs_deployments import mock_service_deployments, serve_in_thread
from mock_ecs_deployments.protocol import dispatch

OPERATION = "ListServiceDeployments"


class Interrupted(Exception):
    """What the test's signal handler raises."""


@pytest.fixture
def raising_handler(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """ListServiceDeployments' handler raises KeyError; the list counts the calls."""
    calls: list[int] = []

    def handler(backend: Any, params: dict[str, Any]) -> str:
        calls.append(1)
        raise KeyError("a bug")

    monkeypatch.setitem(dispatch.HANDLERS, OPERATION, handler)
    yield calls


def test_a_bug_in_process_reaches_the_caller_unchanged_and_once(raising_handler: list[int]) -> None:
    with mock_service_deployments() as mock:
        mock.backend().add_service("web")
        ecs = boto3.client("ecs", region_name="us-east-1")
        with pytest.raises(KeyError, match="a bug"):
            ecs.list_service_deployments(service="web")
        assert raising_handler == [1], "not retried: botocore never saw an answer"
        (call,) = mock.calls
        assert (call.operation, call.status, call.error_code) == (OPERATION, 500, "ServerException")


def test_a_signal_handler_s_exception_inside_the_mock_reaches_the_caller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted("time is up")

    original = dispatch.HANDLERS[OPERATION]

    def handler(backend: Any, params: dict[str, Any]) -> str:
        signal.raise_signal(signal.SIGALRM)  # the handler runs here, inside the mock
        return original(backend, params)

    monkeypatch.setitem(dispatch.HANDLERS, OPERATION, handler)
    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        with mock_service_deployments() as mock:
            mock.backend().add_service("web")
            ecs = boto3.client("ecs", region_name="us-east-1")
            with pytest.raises(Interrupted, match="time is up"):
                ecs.list_service_deployments(service="web")
    finally:
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.allow_hosts(["127.0.0.1", "::1"])  # the server, on loopback only
def test_a_bug_over_http_is_a_server_exception_saying_so(raising_handler: list[int]) -> None:
    with serve_in_thread() as endpoint:
        ecs = boto3.client(
            "ecs",
            region_name="us-east-1",
            endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"total_max_attempts": 1}),
        )
        endpoint.load_scenario({"services": [{"service": "web"}]})
        with pytest.raises(ClientError) as raised:
            ecs.list_service_deployments(service="web")
    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert error["Error"]["Code"] == "ServerException"
    assert error["Error"]["Message"] == (
        "mock_ecs_deployments failed while answering ListServiceDeployments (a bug in the mock,"
        " not in your code): KeyError: 'a bug'"
    )
