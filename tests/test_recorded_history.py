"""Deployments recorded with a status, or restored from a dump part-way, keep the times and
the outcome they were given."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

UTC = timezone.utc
T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def _one(ecs: Any, arn: str) -> dict[str, Any]:
    return ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0]


def test_a_recorded_deployment_was_updated_when_it_finished(backend: Any, ecs: Any) -> None:
    created = T0 - timedelta(minutes=10)
    deployment = backend.add_deployment(
        service="web",
        status="SUCCESSFUL",
        created_at=created,
        started_at=created + timedelta(minutes=1),
        finished_at=created + timedelta(minutes=5),
    )
    assert _one(ecs, deployment.arn)["updatedAt"] == created + timedelta(minutes=5)


def test_a_failing_rollback_dumped_mid_way_still_fails(mock: Any, ecs: Any, frozen: Any) -> None:
    backend = mock.backend()
    backend.add_service(
        "web",
        "prod",
        deployment_configuration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    )
    backend.add_deployment(service="web", cluster="prod", created_at=T0 - timedelta(hours=1))
    deployment = backend.start_deployment(
        "web",
        "prod",
        plan={"outcome": "ROLLBACK_FAILED", "in_progress_for": 60, "rollback_for": 60},
    )
    frozen.tick(90)
    assert _one(ecs, deployment.arn)["status"] == "ROLLBACK_IN_PROGRESS"
    dumped = mock.dump_scenario()
    mock.reset()
    mock.load_scenario(dumped)
    frozen.tick(60)
    assert _one(ecs, deployment.arn)["status"] == "ROLLBACK_FAILED"
