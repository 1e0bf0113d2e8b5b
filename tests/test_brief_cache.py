"""The encoded briefs a list page is joined from: byte for byte a fresh encoding, redone as
soon as anything a brief shows changes, and bounded in number."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from mock_ecs_deployments import ServiceDeploymentBackend, mock_service_deployments
from mock_ecs_deployments.protocol import shapes
from mock_ecs_deployments.protocol.dispatch import dispatch

UTC = timezone.utc
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
REGION = "us-east-1"


def _list_body(**params: Any) -> str:
    status, _, body = dispatch("ListServiceDeployments", json.dumps(params), ACCOUNT, REGION)
    assert status == 200, body
    return body


def _fresh_body(backend: ServiceDeploymentBackend, **params: Any) -> str:
    """The page encoded from scratch, without the cache."""
    page, token = backend.list_service_deployments(**params)
    answer: dict[str, Any] = {"serviceDeployments": [shapes.deployment_brief(d) for d in page]}
    if token is not None:
        answer["nextToken"] = token
    return json.dumps(answer, separators=(",", ":"))


def test_a_page_is_byte_for_byte_a_fresh_encoding(backend: ServiceDeploymentBackend) -> None:
    for index, status in enumerate(("SUCCESSFUL", "IN_PROGRESS", "ROLLBACK_FAILED", "PENDING")):
        backend.add_deployment(
            service="web",
            status=status,
            status_reason='why: "quoted", non-ASCII é' if index % 2 else None,
            created_at=T0 - timedelta(hours=10 - index),
        )
    first = _list_body(service="web", maxResults=3)
    assert first == _fresh_body(backend, service="web", max_results=3)
    assert _list_body(service="web", maxResults=3) == first  # from the cache
    assert json.loads(first)["nextToken"]
    assert len(backend.wire_cache) == 3


def test_a_brief_is_encoded_again_after_each_step(
    backend: ServiceDeploymentBackend, frozen: Any
) -> None:
    backend.add_deployment(service="web", created_at=T0 - timedelta(hours=1))
    running = backend.add_deployment(service="web", plan={"pending_for": 10, "in_progress_for": 20})
    seen = []
    for _ in range(3):
        body = _list_body(service="web")
        assert body == _fresh_body(backend, service="web")
        seen.append(json.loads(body)["serviceDeployments"][0])
        frozen.tick(15)
    assert [(brief["status"], "startedAt" in brief, "finishedAt" in brief) for brief in seen] == [
        ("PENDING", False, False),
        ("IN_PROGRESS", True, False),
        ("SUCCESSFUL", True, True),
    ]
    assert seen[-1]["serviceDeploymentArn"] == running.arn


def test_a_stop_shows_at_once(backend: ServiceDeploymentBackend) -> None:
    backend.add_deployment(service="web", created_at=T0 - timedelta(hours=1))
    deployment = backend.add_deployment(service="web", status="IN_PROGRESS")
    assert json.loads(_list_body(service="web"))["serviceDeployments"][0]["status"] == "IN_PROGRESS"
    backend.stop_service_deployment(deployment.arn)
    body = _list_body(service="web")
    assert json.loads(body)["serviceDeployments"][0]["status"] == "ROLLBACK_REQUESTED"
    assert body == _fresh_body(backend, service="web")


def test_the_cache_is_bounded(
    backend: ServiceDeploymentBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shapes, "BRIEF_CACHE_LIMIT", 7)
    for index in range(30):
        backend.add_deployment(service="web", created_at=T0 - timedelta(minutes=index))
    token = None
    for _ in range(6):
        params: dict[str, Any] = {"service": "web", "maxResults": 5}
        if token is not None:
            params["nextToken"] = token
        token = json.loads(_list_body(**params)).get("nextToken")
        assert len(backend.wire_cache) <= 7
    assert token is None


def test_a_reset_drops_the_cache(frozen: Any) -> None:
    with mock_service_deployments() as mock:
        mock.backend().add_deployment(service="web")
        _list_body(service="web")
        assert mock.backend().wire_cache
        mock.reset()
        assert mock.backend().wire_cache == {}
