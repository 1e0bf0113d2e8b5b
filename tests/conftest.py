"""Shared test setup: every ECS response any test receives is checked against the model."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import botocore.handlers
import pytest

from mock_ecs_deployments.engine.model.service_model import OPERATIONS

from .shapes import check_output


def _check_response(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
    if model.name in OPERATIONS and http_response.status_code == 200:
        check_output(model.name, parsed)


# Registered for the whole session, before any client is made: every client built by any test
# (boto3.client, sessions, the fixtures) validates what it parses for our operations.
botocore.handlers.BUILTIN_HANDLERS.append(("after-call.ecs", _check_response))

# Tests never reach AWS: no profile, region or credentials from the machine leak in.
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
    os.environ.pop(_name, None)
# A client made with no credentials anywhere would otherwise ask the EC2 instance metadata
# service for some, over the network (169.254.169.254).
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

# pyproject's addopts disable sockets for every test (pytest-socket). The modules below run
# moto's server (or a client of it) on this machine: they may connect to loopback, nowhere else.
LOOPBACK_MODULES = frozenset(
    {
        "test_server",
        "test_aws_cli",
        "test_aws_cli_services",
        "test_moto_seeded",
        "test_requests_door",
        "test_aiobotocore",
        "test_xdist",
        "test_control_api",
        "test_record",
    }
)
LOOPBACK_HOSTS = ["127.0.0.1", "::1"]


def _reaches_loopback(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    if module is not None and module.__name__.rpartition(".")[2] in LOOPBACK_MODULES:
        return True
    # A README block (run by tests/test_docs.py) that starts the server talks to it the same way.
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(isinstance(value, str) and "serve_in_thread(" in value for value in params.values())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _reaches_loopback(item):
            item.add_marker(pytest.mark.allow_hosts(LOOPBACK_HOSTS))


@pytest.fixture
def frozen(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Time frozen at the test module's ``T0`` (tick it with ``frozen.tick(seconds)``)."""
    from freezegun import freeze_time

    with freeze_time(request.module.T0) as frozen_time:
        yield frozen_time


@pytest.fixture
def mock(frozen: Any) -> Iterator[Any]:
    """An active mock under frozen time (modules may define their own)."""
    from mock_ecs_deployments import mock_service_deployments

    with mock_service_deployments() as active:
        yield active


@pytest.fixture
def backend(mock: Any) -> Any:
    """The active mock's backend in its default account and region."""
    return mock.backend()


@pytest.fixture
def ecs(mock: Any) -> Any:
    """A boto3 ECS client in us-east-1, made while the mock is active."""
    import boto3

    return boto3.client("ecs", region_name="us-east-1")


@pytest.fixture(autouse=True)
def _nothing_leaks() -> Iterator[None]:
    """After every test: no mock left active, no activation step's patch left in place, and
    nothing left in the process's state."""
    import botocore.handlers

    from mock_ecs_deployments import on_import, service_deployment_backends
    from mock_ecs_deployments.engine.state.process import mock_state
    from mock_ecs_deployments.patches import botocore_send
    from mock_ecs_deployments.patches.activation import STEPS, activation

    yield
    assert activation.depth == 0, "a mock was left started"
    left = [step.name for step in STEPS if step.in_place]
    assert left == [], f"activation steps left in place: {left}"
    assert on_import.pending() == {}, "patches left waiting for an import"
    assert not any(
        entry[1] is botocore_send.before_send for entry in botocore.handlers.BUILTIN_HANDLERS
    ), "handler left in botocore's built-in handlers"
    assert len(service_deployment_backends) == 0, "backends survived the outermost stop"
    assert mock_state.leftovers() == [], "state survived the outermost stop"
