"""The process's one state object: what every mock shares, and one reset for all of it (the
outermost stop, ``mock.reset()`` and a server's ``POST /moto-api/reset``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from mock_ecs_deployments import mock_service_deployments, service_deployment_backends
from mock_ecs_deployments.engine.deployments.lifecycle import make_plan
from mock_ecs_deployments.engine.model import clock
from mock_ecs_deployments.engine.state.process import mock_state
from mock_ecs_deployments.protocol import faults
from mock_ecs_deployments.server.app import serve_in_thread

from .clients import new_client

REGION = "us-east-1"
EVERYTHING = ["backends", "default plan", "clock offset", "events", "injected errors", "calls"]
NO_RETRIES = Config(retries={"total_max_attempts": 1})
LOOPBACK = pytest.mark.allow_hosts(["127.0.0.1", "::1"])


def _fill(endpoint_url: str | None = None) -> None:
    """Put something in every part of the state, through the mock's own doors."""
    backend = service_deployment_backends["123456789012"][REGION]
    backend.add_service("web", "prod")
    backend.start_deployment("web", "prod", task_definition="web:1")  # an event
    mock_state.plan_deployments(make_plan("SUCCESSFUL", 0, 60, None, None))
    faults.inject_error("ListServiceDeployments", "ThrottlingException", times=None)
    ecs = new_client(endpoint_url=endpoint_url, config=NO_RETRIES)
    with pytest.raises(ClientError):
        ecs.list_service_deployments(cluster="prod", service="web")  # a call
    mock_state.advance(60)


def _assert_empty() -> None:
    """Every part, one by one, and the state as a whole."""
    assert len(service_deployment_backends) == 0
    assert mock_state.default_plan is None
    assert mock_state.clock.delta == timedelta(0)
    assert abs(clock.now() - mock_state.now()) < timedelta(seconds=1)
    assert faults.calls() == []
    assert faults.take_injected_error("ListServiceDeployments", "123456789012", REGION) is None
    assert mock_state.events.events() == []
    assert mock_state.leftovers() == []


def test_the_state_object_holds_the_public_registry() -> None:
    assert mock_state.backends is service_deployment_backends
    assert mock_state.clock is clock.offset


def test_every_mock_acts_on_the_one_state() -> None:
    with mock_service_deployments() as outer, mock_service_deployments() as inner:
        outer.plan_deployments(in_progress_for=60)
        inner.advance(30)
        inner.inject_error("ListServiceDeployments", "ThrottlingException")
        assert mock_state.default_plan is not None
        assert mock_state.clock.delta == timedelta(seconds=30)
        assert abs(outer.now() - inner.now()) < timedelta(seconds=1)
        assert mock_state.leftovers() == ["default plan", "clock offset", "injected errors"]
        inner.reset()  # forgets what the other mock set too
        assert mock_state.leftovers() == []
        assert outer.backend() is inner.backend()


def test_the_outermost_stop_empties_the_state_as_a_whole() -> None:
    with mock_service_deployments():
        _fill()
        with mock_service_deployments():
            pass  # an inner stop keeps everything
        assert sorted(mock_state.leftovers()) == sorted(EVERYTHING)
    _assert_empty()
    assert not mock_state.active


def test_mock_reset_empties_the_state_and_the_mock_stays_active() -> None:
    with mock_service_deployments() as mock:
        _fill()
        assert sorted(mock_state.leftovers()) == sorted(EVERYTHING)
        mock.reset()
        _assert_empty()
        assert mock_state.active
        assert mock.backend().services == {}


def test_a_part_that_fails_to_reset_does_not_stop_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Broken(Exception):
        pass

    def broken() -> None:
        raise Broken

    with mock_service_deployments() as mock:
        _fill()
        monkeypatch.setattr(mock_state.clock, "reset", broken)
        with pytest.raises(Broken):
            mock.reset()
        assert mock_state.leftovers() == ["clock offset"]
        monkeypatch.undo()
        mock.reset()
    _assert_empty()


@pytest.fixture
def endpoint() -> Iterator[str]:
    with serve_in_thread() as url:
        yield url


@LOOPBACK
def test_moto_api_reset_on_a_server_empties_the_state_as_a_whole(endpoint: str) -> None:
    ecs = new_client(endpoint_url=endpoint, config=NO_RETRIES)
    ecs.create_cluster(clusterName="prod")
    _fill(endpoint)
    assert sorted(mock_state.leftovers()) == sorted(EVERYTHING)
    reset = requests.post(endpoint + "/moto-api/reset")
    assert reset.status_code == 200
    _assert_empty()
    assert mock_state.active  # the server's mock is still started
    assert ecs.list_clusters()["clusterArns"] == []  # and moto's state went too


def test_moto_api_reset_without_a_server_leaves_the_state_alone() -> None:
    from moto.moto_api._internal.models import moto_api_backend

    with mock_service_deployments(with_moto=True) as mock:
        mock.backend().add_deployment(service="web")
        moto_api_backend.reset()
        assert "backends" in mock_state.leftovers()


def test_a_deployment_moving_outside_any_mock_leaves_no_event_for_the_next() -> None:
    from mock_ecs_deployments.scenarios.loader import build_scenario

    root = Path(__file__).resolve().parent.parent
    # What `validate` does: the scenario is built in backends of its own, outside any mock.
    build_scenario(root / "examples" / "scenarios" / "mid_deploy.yaml")
    assert mock_state.leftovers() == []
    with mock_service_deployments() as mock:
        assert mock.events == []
