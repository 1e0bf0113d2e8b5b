"""A strategy's settings left out take AWS's defaults (a canary shifts 5 % first)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

UTC = timezone.utc
T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def _one(ecs: Any, arn: str) -> dict[str, Any]:
    return ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0]


def test_a_canary_defaults_to_five_percent(backend: Any, ecs: Any, frozen: Any) -> None:
    backend.add_service("web", "prod", deployment_configuration={"strategy": "CANARY"})
    backend.add_deployment(service="web", cluster="prod", created_at=T0 - timedelta(hours=1))
    deployment = backend.start_deployment("web", "prod", plan={"in_progress_for": 60})
    frozen.tick(61)
    described = _one(ecs, deployment.arn)
    assert described["lifecycleStage"] == "PRODUCTION_TRAFFIC_SHIFT"
    assert described["targetServiceRevision"]["requestedProductionTrafficWeight"] == 5.0
