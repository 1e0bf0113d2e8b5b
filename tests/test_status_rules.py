"""What a deployment's status implies in DescribeServiceDeployments: the circuit breaker's status
while it is PENDING, and the traffic weights of a finished BLUE_GREEN deployment."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from mock_ecs_deployments import ServiceDeploymentsMock

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REGION = "us-east-1"
BREAKER = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
BLUE_GREEN = {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5}


def _describe(ecs: Any, arn: str) -> dict[str, Any]:
    (deployment,) = ecs.describe_service_deployments(serviceDeploymentArns=[arn])[
        "serviceDeployments"
    ]
    assert isinstance(deployment, dict)
    return deployment


# -- the circuit breaker of a PENDING deployment ----------------------------------------------


def test_a_planned_pending_deployment_s_circuit_breaker_is_monitoring(
    mock: ServiceDeploymentsMock, frozen: Any, ecs: Any
) -> None:
    backend = mock.backend()
    backend.add_service("web", "prod", desired_count=10, deployment_configuration=BREAKER)
    backend.start_deployment("web", "prod", task_definition="web:1")
    pending = backend.start_deployment(
        "web", "prod", task_definition="web:2", plan={"pending_for": 60, "in_progress_for": 60}
    )
    frozen.tick(30)

    described = _describe(ecs, pending.arn)
    assert described["status"] == "PENDING"
    assert described["deploymentCircuitBreaker"] == {
        "status": "MONITORING",
        "failureCount": 0,
        "threshold": 5,  # half the desired count of 10
    }
    frozen.tick(60)  # IN_PROGRESS now: still watching
    assert _describe(ecs, pending.arn)["deploymentCircuitBreaker"]["status"] == "MONITORING"
    frozen.tick(60)  # SUCCESSFUL: done watching
    done = _describe(ecs, pending.arn)
    assert (done["status"], done["deploymentCircuitBreaker"]["status"]) == (
        "SUCCESSFUL",
        "MONITORING_COMPLETE",
    )


def test_a_recorded_pending_deployment_s_circuit_breaker_is_monitoring(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    backend = mock.backend()
    backend.add_service("web", "prod", deployment_configuration=BREAKER)
    pending = backend.add_deployment(
        "web", "prod", status="PENDING", created_at=T0 - timedelta(minutes=1)
    )
    described = _describe(ecs, pending.arn)
    assert described["status"] == "PENDING"
    assert "startedAt" not in described
    assert described["deploymentCircuitBreaker"] == {
        "status": "MONITORING",
        "failureCount": 0,
        "threshold": 3,
    }


def test_a_pending_deployment_without_the_breaker_shows_it_disabled(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    pending = mock.backend().add_deployment("web", "prod", status="PENDING")
    assert _describe(ecs, pending.arn)["deploymentCircuitBreaker"]["status"] == "DISABLED"


# -- the traffic weights of a finished BLUE_GREEN deployment ---------------------------------


def test_a_recorded_successful_blue_green_deployment_has_all_the_traffic(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    backend = mock.backend()
    backend.add_service("web", "prod", desired_count=2)
    blue = backend.add_deployment(
        "web",
        "prod",
        status="SUCCESSFUL",
        created_at=T0 - timedelta(days=1),
        deployment_configuration=BLUE_GREEN,
    )
    green = backend.add_deployment(
        "web",
        "prod",
        status="SUCCESSFUL",
        created_at=T0 - timedelta(hours=1),
        deployment_configuration=BLUE_GREEN,
    )

    first = _describe(ecs, blue.arn)
    assert first["deploymentConfiguration"]["strategy"] == "BLUE_GREEN"
    assert first["targetServiceRevision"]["requestedProductionTrafficWeight"] == 100.0
    assert first["targetServiceRevision"]["requestedTestTrafficWeight"] == 100.0
    assert first["sourceServiceRevisions"] == []

    second = _describe(ecs, green.arn)
    target = second["targetServiceRevision"]
    assert (target["requestedProductionTrafficWeight"], target["requestedTestTrafficWeight"]) == (
        100.0,
        100.0,
    )
    (source,) = second["sourceServiceRevisions"]
    assert source["arn"] == first["targetServiceRevision"]["arn"]
    assert (source["requestedProductionTrafficWeight"], source["requestedTestTrafficWeight"]) == (
        0.0,
        0.0,
    )


def test_a_recorded_successful_rolling_deployment_shows_no_weights(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    done = mock.backend().add_deployment("web", "prod", status="SUCCESSFUL")
    target = _describe(ecs, done.arn)["targetServiceRevision"]
    assert "requestedProductionTrafficWeight" not in target
    assert "requestedTestTrafficWeight" not in target
