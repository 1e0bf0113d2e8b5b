"""Seeding apart from restoring: ``add_deployment`` takes what a test author writes, and
``restore_deployment`` puts back a ``DeploymentSnapshot`` (what a dump or a recording wrote
down); a scenario entry goes to the one its keys belong to; the defaults a status implies come
from one function, on both sides of a dump."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from mock_ecs_deployments import (
    ScenarioError,
    SeedingError,
    SeedingTypeError,
    ServiceDeploymentBackend,
    ServiceDeploymentsMock,
    mock_service_deployments,
)
from mock_ecs_deployments.engine.deployments.lifecycle import CIRCUIT_BREAKER_REASON, Plan
from mock_ecs_deployments.engine.model.clock import to_ms
from mock_ecs_deployments.engine.model.randomness import random_source
from mock_ecs_deployments.engine.model.service_model import deployment_statuses
from mock_ecs_deployments.engine.seeding.recorded import implied_by_status
from mock_ecs_deployments.engine.seeding.snapshot import (
    AUTHORED_FIELDS,
    RESTORED_FIELDS,
    SNAPSHOT_FIELDS,
    DeploymentSnapshot,
)
from mock_ecs_deployments.scenarios.dump import snapshot_of

from .clients import client
from .strategies import PAUSE_CONFIGURATION
from .strategies_state import FULL_PROBE, answers

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
BREAKER = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}


def test_add_deployment_takes_only_what_a_test_author_writes() -> None:
    parameters = list(inspect.signature(ServiceDeploymentBackend.add_deployment).parameters)[1:]
    assert parameters == list(AUTHORED_FIELDS)
    assert len(parameters) <= 12
    assert SNAPSHOT_FIELDS == AUTHORED_FIELDS + RESTORED_FIELDS
    for field in ("id", "revision_id", "plan_status", "never_started", "updated_at"):
        assert field in RESTORED_FIELDS


def test_a_snapshot_of_add_deployment_s_fields_gives_what_add_deployment_gives(
    mock: ServiceDeploymentsMock,
) -> None:
    ecs = client()
    fields: dict[str, Any] = {
        "status": "ROLLBACK_SUCCESSFUL",
        "created_at": T0 - timedelta(hours=2),
        "finished_at": T0 - timedelta(hours=1),
        "status_reason": CIRCUIT_BREAKER_REASON,
        "task_definition": "web:7",
        "container_images": [{"containerName": "web", "image": "nginx:1.27"}],
        "deployment_configuration": BREAKER,
    }
    seen = []
    for seed in (
        lambda backend: backend.add_deployment("web", "prod", **fields),
        lambda backend: backend.restore_deployment(
            DeploymentSnapshot(service="web", cluster="prod", **fields)
        ),
    ):
        mock.reset()
        random_source().seed(7)
        backend = mock.backend()
        backend.add_deployment("web", "prod", created_at=T0 - timedelta(days=1))
        seed(backend)
        seen.append(answers(ecs, [("prod", "web")], FULL_PROBE))
    assert seen[0] == seen[1]


def test_a_dumped_deployment_s_snapshot_restores_into_the_same_snapshot(
    mock: ServiceDeploymentsMock,
) -> None:
    backend = mock.backend()
    backend.add_service("web", "prod", desired_count=4, deployment_configuration=BREAKER)
    backend.add_deployment("web", "prod", created_at=T0 - timedelta(days=1))
    backend.add_deployment(
        "web",
        "prod",
        created_at=T0 - timedelta(minutes=20),
        plan={"in_progress_for": 600},
        deployment_configuration={**BREAKER, **PAUSE_CONFIGURATION},
    )
    record = backend.services[("prod", "web")]
    before = [snapshot_of(d, index, {}) for index, d in enumerate(record.deployments)]
    assert before[1].plan_status == "IN_PROGRESS"
    assert before[1].lifecycle_hook_details
    assert before[1].lifecycle_hook_details[0]["status"] == "AWAITING_ACTION"
    mock.reset()
    backend = mock.backend()
    backend.add_service("web", "prod", desired_count=4, deployment_configuration=BREAKER)
    for snapshot in before:
        backend.restore_deployment(snapshot)
    record = backend.services[("prod", "web")]
    after = [snapshot_of(d, index, {}) for index, d in enumerate(record.deployments)]
    assert after == before


def test_restore_deployment_names_the_snapshot_s_fields(mock: ServiceDeploymentsMock) -> None:
    backend = mock.backend()
    with pytest.raises(SeedingError) as refused:
        backend.restore_deployment(DeploymentSnapshot(service="web", plan_status="IN_PROGRESS"))
    assert (refused.value.field, refused.value.problem) == ("plan_status", "only with a plan")
    with pytest.raises(SeedingTypeError) as wrong:
        backend.restore_deployment({"service": "web"})  # type: ignore[arg-type]
    assert wrong.value.field == "snapshot"
    assert backend.services == {}


def test_a_snapshot_is_frozen_and_checked_only_when_restored() -> None:
    snapshot = DeploymentSnapshot(service="web", status="DONE")
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.status = "SUCCESSFUL"  # type: ignore[misc]
    with mock_service_deployments() as mock, pytest.raises(SeedingError, match=r"^status: 'DONE'"):
        mock.backend().restore_deployment(snapshot)


@pytest.mark.parametrize("status", deployment_statuses())
@pytest.mark.parametrize("reason", [None, CIRCUIT_BREAKER_REASON])
def test_a_static_deployment_shows_what_its_status_implies(
    mock: ServiceDeploymentsMock, status: str, reason: str | None
) -> None:
    """What ``add_deployment`` fills in is what a dump leaves out: one function says both."""
    created = T0 - timedelta(hours=1)
    deployment = mock.backend().add_deployment(
        "web",
        "prod",
        status=status,
        created_at=created,
        status_reason=reason,
        deployment_configuration=BREAKER,
    )
    implied = implied_by_status(
        status,
        to_ms(created),
        deployment.started_ms,
        deployment.finished_ms,
        reason,
        BREAKER,
    )
    assert deployment.updated_ms == implied.updated_ms
    assert deployment.lifecycle_stage == implied.lifecycle_stage
    assert deployment.rollback_started_ms == implied.rollback_started_ms
    assert deployment.breaker_triggered == implied.circuit_breaker_triggered


def _calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which seeding method each deployment entry goes to, in order."""
    calls: list[str] = []
    for name in ("add_deployment", "restore_deployment"):
        original = getattr(ServiceDeploymentBackend, name)

        def method(*args: Any, _original: Any = original, _name: str = name, **kw: Any) -> Any:
            calls.append(_name)
            return _original(*args, **kw)

        monkeypatch.setattr(ServiceDeploymentBackend, name, method)
    return calls


def test_an_entry_goes_to_add_deployment_unless_it_restores_more(
    mock: ServiceDeploymentsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _calls(monkeypatch)
    entries = [
        {"status": "SUCCESSFUL", "created_at": "-1d", "task_definition": "web:1"},
        {"status": "STOPPED", "created_at": "-2h", "id": "kept-id", "never_started": True},
        {"plan": {"in_progress_for": "1h"}, "plan_status": "IN_PROGRESS", "created_at": "-1h"},
        {"created_at": "-1m", "container_images": [{"containerName": "a", "image": "b"}]},
    ]
    (service,) = mock.load_scenario({"services": [{"service": "web", "deployments": entries}]})
    kinds = ["add_deployment", "restore_deployment", "restore_deployment", "add_deployment"]
    assert calls == kinds * 2  # built in throwaway backends, then for real
    assert service.deployments[1].id == "kept-id"
    assert service.deployments[1].started_ms is None


def test_a_restored_entry_s_mistake_is_located_like_any_other(
    mock: ServiceDeploymentsMock,
) -> None:
    entry = {"id": "x", "plan": {"outcome": "DONE"}}
    with pytest.raises(ScenarioError) as refused:
        mock.load_scenario({"services": [{"service": "web", "deployments": [entry]}]})
    assert refused.value.field == "services[0].deployments[0].plan.outcome"
    assert isinstance(refused.value.__cause__, SeedingError)


def test_a_plan_given_as_a_plan_is_restored_as_it_is(mock: ServiceDeploymentsMock) -> None:
    plan = Plan(outcome="STOPPED", in_progress_ms=60_000)
    snapshot = DeploymentSnapshot(service="web", plan=plan, created_at=T0)
    deployment = mock.backend().restore_deployment(snapshot)
    assert deployment.plan == plan
