"""The mock's own clock: ``mock.advance()`` lets time pass for the mock alone, over the system
clock or freezegun's, and ``mock.now()`` reads it."""

from __future__ import annotations

import math
import runpy
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from mock_ecs_deployments import mock_service_deployments

from .clients import new_client

ROOT = Path(__file__).resolve().parent.parent
WATCHER = runpy.run_path(str(ROOT / "examples" / "deploy_watcher.py"))
T0 = datetime(2025, 7, 1, 12, 0, tzinfo=timezone.utc)


def _describe(ecs: Any, arn: str) -> dict[str, Any]:
    (deployment,) = ecs.describe_service_deployments(serviceDeploymentArns=[arn])[
        "serviceDeployments"
    ]
    result: dict[str, Any] = deployment
    return result


def test_advance_walks_a_planned_deployment_with_no_real_waiting() -> None:
    with mock_service_deployments() as mock:
        backend = mock.backend()
        backend.add_deployment(service="web", created_at=mock.now() - timedelta(hours=1))
        deployment = backend.start_deployment(
            service="web", plan={"pending_for": 30, "in_progress_for": 600}
        )
        ecs = new_client()
        assert _describe(ecs, deployment.arn)["status"] == "PENDING"
        mock.advance(30)
        assert _describe(ecs, deployment.arn)["status"] == "IN_PROGRESS"
        mock.advance(timedelta(minutes=10))
        described = _describe(ecs, deployment.arn)
        assert described["status"] == "SUCCESSFUL"
        # Transition times are the plan's, to the millisecond, whatever the wall clock did.
        assert described["startedAt"] - described["createdAt"] == timedelta(seconds=30)
        assert described["finishedAt"] - described["startedAt"] == timedelta(minutes=10)


def test_a_watcher_sleeping_through_mock_advance_sees_the_rollout_end() -> None:
    wait_for_deployment = WATCHER["wait_for_deployment"]
    with mock_service_deployments() as mock:
        backend = mock.backend()
        backend.add_deployment(service="web", created_at=mock.now() - timedelta(hours=1))
        deployment = backend.start_deployment(
            service="web", plan={"pending_for": 15, "in_progress_for": 300}
        )
        ecs = new_client()
        started = time.monotonic()
        result = wait_for_deployment(ecs, deployment.arn, poll_seconds=15, sleep=mock.advance)
        assert time.monotonic() - started < 5  # 315 s of deployment, no real waiting
        assert (result.status, result.polls) == ("SUCCESSFUL", 1 + 315 // 15)


def test_advance_adds_to_freezegun_s_clock() -> None:
    with freeze_time(T0) as frozen, mock_service_deployments() as mock:
        assert mock.now() == T0
        assert mock.advance(60) == T0 + timedelta(seconds=60)
        frozen.tick(30)
        assert mock.now() == T0 + timedelta(seconds=90)
        created = mock.backend().add_deployment(service="web", status="PENDING").created_at
        assert created == T0 + timedelta(seconds=90)


def test_the_offset_is_forgotten_when_the_outermost_mock_stops() -> None:
    with freeze_time(T0):
        with mock_service_deployments() as outer:
            with mock_service_deployments() as inner:
                inner.advance(3600)
            assert outer.now() == T0 + timedelta(hours=1)  # shared, kept while one is active
        with mock_service_deployments() as mock:
            assert mock.now() == T0


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        (-1, ValueError),
        (timedelta(seconds=-1), ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        (1e12, ValueError),  # past the year 9999
        (1e20, ValueError),  # past what a timedelta holds
        (timedelta(days=999_999_999), ValueError),
        ("5", TypeError),
        (True, TypeError),
        (None, TypeError),
    ],
    ids=repr,
)
def test_advance_refuses_what_is_not_a_forward_amount(amount: Any, error: type) -> None:
    with freeze_time(T0), mock_service_deployments() as mock:
        with pytest.raises(error, match="advance"):
            mock.advance(amount)
        assert mock.now() == T0


def test_advance_moves_deployments_that_moto_s_update_service_made() -> None:
    with mock_service_deployments(with_moto=True) as mock:
        ecs = new_client()
        ecs.create_cluster(clusterName="prod")
        for revision in (1, 2):
            ecs.register_task_definition(
                family="web",
                containerDefinitions=[{"name": "web", "image": f"web:{revision}", "memory": 64}],
            )
        ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1")
        mock.backend().plan_next_deployment("web", "prod", in_progress_for=600)
        ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
        statuses = [
            d["status"]
            for d in ecs.list_service_deployments(cluster="prod", service="web")[
                "serviceDeployments"
            ]
        ]
        assert statuses == ["IN_PROGRESS", "SUCCESSFUL"]
        mock.advance(600)
        statuses = [
            d["status"]
            for d in ecs.list_service_deployments(cluster="prod", service="web")[
                "serviceDeployments"
            ]
        ]
        assert statuses == ["SUCCESSFUL", "SUCCESSFUL"]
