"""pytest plugin (entry point ``pytest11``): the ``service_deployments`` and ``ecs_client``
fixtures and the ``service_deployments`` marker.

Nothing heavy is imported when pytest loads the plugin; boto3 and the mock load with the first
test that asks for a fixture.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .mock import ServiceDeploymentsMock

_MARKER_OPTIONS = ("region", "account_id", "with_moto", "scenario")


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``service_deployments`` marker."""
    config.addinivalue_line(
        "markers",
        "service_deployments(region='us-east-1', account_id=None, with_moto=False): options"
        " for the service_deployments and ecs_client fixtures of mock_ecs_deployments; also"
        " scenario='path' (relative to the test file) to load a scenario file",
    )


def _marker_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("service_deployments")
    if marker is None:
        return {}
    if marker.args:
        raise TypeError("@pytest.mark.service_deployments takes keyword arguments only")
    unknown = set(marker.kwargs) - set(_MARKER_OPTIONS)
    if unknown:
        raise TypeError(
            f"@pytest.mark.service_deployments: unknown option(s) {', '.join(sorted(unknown))};"
            f" allowed: {', '.join(_MARKER_OPTIONS)}"
        )
    options = dict(marker.kwargs)
    # scenario="path": relative to the test file, so a test finds its scenario wherever pytest
    # was started from. A mapping is passed on as it is.
    scenario = options.get("scenario")
    if isinstance(scenario, str | os.PathLike):
        options["scenario"] = request.path.parent / scenario
    return options


@pytest.fixture
def service_deployments(request: pytest.FixtureRequest) -> Iterator[ServiceDeploymentsMock]:
    """The active mock for the test; stopped (and its state forgotten) afterwards."""
    from .mock import mock_service_deployments

    mock = mock_service_deployments(**_marker_options(request))
    mock.start()
    try:
        yield mock
    finally:
        mock.stop()


@pytest.fixture
def ecs_client(service_deployments: ServiceDeploymentsMock) -> Any:
    """A boto3 ECS client in the mock's region, made while the mock is active (in a session
    of its own, so it picks up the mock's fake credentials)."""
    import boto3
    import botocore.session

    session = botocore.session.Session()
    # Parsing botocore's JSON service models is most of what making a client costs; a loader
    # shared by every test's session parses them once per run.
    session.register_component("data_loader", _shared_loader())
    return boto3.session.Session(botocore_session=session).client(
        "ecs", region_name=service_deployments.region
    )


@functools.cache
def _shared_loader() -> Any:
    from botocore.loaders import create_loader

    return create_loader()
