"""A page filtered by status carries a nextToken while a match is left, down to the oldest
deployment of the history."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

UTC = timezone.utc
T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def test_a_status_filter_reaches_its_oldest_match(backend: Any, ecs: Any) -> None:
    for minute, status in enumerate(["STOPPED", "SUCCESSFUL", "STOPPED"]):
        backend.add_deployment(
            service="web", status=status, created_at=T0 - timedelta(hours=1, minutes=-minute)
        )
    first = ecs.list_service_deployments(service="web", status=["STOPPED"], maxResults=1)
    assert "nextToken" in first
    second = ecs.list_service_deployments(
        service="web", status=["STOPPED"], maxResults=1, nextToken=first["nextToken"]
    )
    (oldest,) = second["serviceDeployments"]
    assert (oldest["status"], oldest["createdAt"]) == ("STOPPED", T0 - timedelta(hours=1))
    assert "nextToken" not in second
