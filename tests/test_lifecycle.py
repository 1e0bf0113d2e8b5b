"""The time-driven lifecycle: plans, outcomes, timestamps and supersession, walked with
freezegun through real boto3 clients."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from mock_ecs_deployments import (
    ServiceDeploymentBackend,
    ServiceDeploymentsMock,
    mock_service_deployments,
)

from .clients import new_client

UTC = timezone.utc
REGION = "us-east-1"
T0 = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
BREAKER_ON = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
CIRCUIT_BREAKER_REASON = "ECS deployment circuit breaker: tasks failed to start."
SUPERSEDED_REASON = "Service deployment stopped: superseded by a newer service deployment."
HOW = ["queued", "start_deployment(plan=)", "add_deployment(plan=)"]


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _describe(ecs: Any, arn: str) -> dict[str, Any]:
    response = ecs.describe_service_deployments(serviceDeploymentArns=[arn])
    assert response["failures"] == []
    (deployment,) = response["serviceDeployments"]
    result: dict[str, Any] = deployment
    return result


def _times(described: dict[str, Any]) -> dict[str, Any]:
    """Status, reason, stage and every timestamp of a described deployment."""
    keys = ["status", "statusReason", "lifecycleStage", "createdAt", "startedAt"]
    keys += ["finishedAt", "stoppedAt", "updatedAt"]
    return {key: described[key] for key in keys if key in described}


def _previous(backend: ServiceDeploymentBackend, service: str = "web") -> Any:
    """A completed first deployment, so that the next one has a source to roll back to."""
    backend.add_service(service=service, cluster="prod", deployment_configuration=BREAKER_ON)
    return backend.add_deployment(
        service=service, cluster="prod", created_at=T0 - timedelta(hours=1)
    )


def _deploy(backend: ServiceDeploymentBackend, how: str, **plan: Any) -> Any:
    """A deployment following ``plan``, made in one of the three ways a plan is given."""
    if how == "queued":
        backend.plan_next_deployment(service="web", cluster="prod", **plan)
        return backend.start_deployment(service="web", cluster="prod")
    if how == "start_deployment(plan=)":
        return backend.start_deployment(service="web", cluster="prod", plan=plan)
    return backend.add_deployment(service="web", cluster="prod", plan=plan)


# -- full walks through each outcome -------------------------------------------------------------


@pytest.mark.parametrize("how", HOW)
def test_walk_to_successful(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any, how: str
) -> None:
    _previous(backend)
    deployment = _deploy(backend, how, pending_for=30, in_progress_for=120)
    pending = {"status": "PENDING", "lifecycleStage": "RECONCILE_SERVICE", "createdAt": T0}
    assert _times(_describe(ecs, deployment.arn)) == {**pending, "updatedAt": T0}
    frozen.tick(29.999)
    assert _times(_describe(ecs, deployment.arn)) == {**pending, "updatedAt": T0}
    frozen.tick(0.001)
    in_progress = {
        "status": "IN_PROGRESS",
        "lifecycleStage": "SCALE_UP",
        "createdAt": T0,
        "startedAt": _at(30),
        "updatedAt": _at(30),
    }
    assert _times(_describe(ecs, deployment.arn)) == in_progress
    frozen.tick(119.999)
    assert _times(_describe(ecs, deployment.arn)) == in_progress
    frozen.tick(0.001)
    successful = {
        "status": "SUCCESSFUL",
        "lifecycleStage": "CLEAN_UP",
        "createdAt": T0,
        "startedAt": _at(30),
        "finishedAt": _at(150),
        "updatedAt": _at(150),
    }
    assert _times(_describe(ecs, deployment.arn)) == successful
    frozen.tick(3600)
    assert _times(_describe(ecs, deployment.arn)) == successful
    # The model object the seeding call returned reads the same.
    assert (deployment.status, deployment.started_at, deployment.finished_at) == (
        "SUCCESSFUL",
        _at(30),
        _at(150),
    )


@pytest.mark.parametrize("how", HOW)
def test_timestamps_are_transition_times_not_read_times(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any, how: str
) -> None:
    _previous(backend)
    deployment = _deploy(
        backend,
        how,
        outcome="ROLLBACK_SUCCESSFUL",
        pending_for=10,
        in_progress_for=20,
        rollback_for=30,
    )
    frozen.tick(86_400)  # nothing reads it until a day later
    described = _describe(ecs, deployment.arn)
    assert _times(described) == {
        "status": "ROLLBACK_SUCCESSFUL",
        "statusReason": CIRCUIT_BREAKER_REASON,
        "lifecycleStage": "CLEAN_UP",
        "createdAt": T0,
        "startedAt": _at(10),
        "finishedAt": _at(60),
        "updatedAt": _at(60),
    }
    assert described["rollback"]["startedAt"] == _at(30)


@pytest.mark.parametrize("how", HOW)
def test_walk_to_rollback_successful_after_a_circuit_breaker_trip(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any, how: str
) -> None:
    previous = _previous(backend)
    deployment = _deploy(
        backend,
        how,
        outcome="ROLLBACK_SUCCESSFUL",
        pending_for=10,
        in_progress_for=20,
        rollback_for=30,
    )
    frozen.tick(10)
    running = _describe(ecs, deployment.arn)
    assert running["status"] == "IN_PROGRESS"
    assert running["deploymentCircuitBreaker"]["status"] == "MONITORING"
    assert "rollback" not in running
    frozen.tick(20)
    rolling_back = _describe(ecs, deployment.arn)
    assert _times(rolling_back) == {
        "status": "ROLLBACK_IN_PROGRESS",
        "statusReason": CIRCUIT_BREAKER_REASON,
        "lifecycleStage": "SCALE_UP",
        "createdAt": T0,
        "startedAt": _at(10),
        "updatedAt": _at(30),
    }
    rollback = {
        "reason": CIRCUIT_BREAKER_REASON,
        "startedAt": _at(30),
        "serviceRevisionArn": previous.target_revision_arn,
    }
    assert rolling_back["rollback"] == rollback
    assert rolling_back["deploymentCircuitBreaker"] == {
        "status": "TRIGGERED",
        "failureCount": 3,
        "threshold": 3,
    }
    frozen.tick(29.999)
    assert _describe(ecs, deployment.arn)["status"] == "ROLLBACK_IN_PROGRESS"
    frozen.tick(0.001)
    done = _describe(ecs, deployment.arn)
    assert _times(done) == {
        "status": "ROLLBACK_SUCCESSFUL",
        "statusReason": CIRCUIT_BREAKER_REASON,
        "lifecycleStage": "CLEAN_UP",
        "createdAt": T0,
        "startedAt": _at(10),
        "finishedAt": _at(60),
        "updatedAt": _at(60),
    }
    assert done["rollback"] == rollback
    assert done["deploymentCircuitBreaker"]["status"] == "TRIGGERED"


def test_breaker_is_not_triggered_when_the_configuration_disables_it(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    backend.add_service(service="web", cluster="prod")  # no circuit breaker
    previous = backend.add_deployment(
        service="web", cluster="prod", created_at=T0 - timedelta(hours=1)
    )
    backend.plan_next_deployment(
        service="web", cluster="prod", outcome="ROLLBACK_SUCCESSFUL", in_progress_for=5
    )
    deployment = backend.start_deployment(service="web", cluster="prod")
    frozen.tick(5)
    rolling_back = _describe(ecs, deployment.arn)
    assert rolling_back["status"] == "ROLLBACK_IN_PROGRESS"
    assert rolling_back["deploymentCircuitBreaker"] == {
        "status": "DISABLED",
        "failureCount": 0,
        "threshold": 3,
    }
    assert rolling_back["rollback"]["serviceRevisionArn"] == previous.target_revision_arn
    frozen.tick(5)
    done = _describe(ecs, deployment.arn)
    assert done["status"] == "ROLLBACK_SUCCESSFUL"
    assert done["deploymentCircuitBreaker"]["status"] == "DISABLED"


def test_breaker_enabled_without_rollback_still_triggers(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    backend.add_service(
        service="web",
        cluster="prod",
        deployment_configuration={"deploymentCircuitBreaker": {"enable": True, "rollback": False}},
    )
    backend.add_deployment(service="web", cluster="prod", created_at=T0 - timedelta(hours=1))
    deployment = backend.start_deployment(
        service="web", cluster="prod", plan={"outcome": "ROLLBACK_FAILED", "in_progress_for": 1}
    )
    frozen.tick(3)
    assert _describe(ecs, deployment.arn)["deploymentCircuitBreaker"]["status"] == "TRIGGERED"


@pytest.mark.parametrize("how", HOW)
def test_rollback_lasts_as_long_as_in_progress_by_default(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any, how: str
) -> None:
    _previous(backend)
    deployment = _deploy(backend, how, outcome="ROLLBACK_SUCCESSFUL", in_progress_for=40)
    assert _describe(ecs, deployment.arn)["startedAt"] == T0  # no PENDING time
    frozen.tick(40)
    assert _describe(ecs, deployment.arn)["status"] == "ROLLBACK_IN_PROGRESS"
    frozen.tick(39.999)
    assert _describe(ecs, deployment.arn)["status"] == "ROLLBACK_IN_PROGRESS"
    frozen.tick(0.001)
    done = _describe(ecs, deployment.arn)
    assert (done["status"], done["finishedAt"]) == ("ROLLBACK_SUCCESSFUL", _at(80))


@pytest.mark.parametrize("how", HOW)
def test_walk_to_rollback_failed(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any, how: str
) -> None:
    previous = _previous(backend)
    deployment = _deploy(
        backend, how, outcome="ROLLBACK_FAILED", pending_for=5, in_progress_for=10, rollback_for=15
    )
    assert _describe(ecs, deployment.arn)["status"] == "PENDING"
    frozen.tick(5)
    assert _describe(ecs, deployment.arn)["status"] == "IN_PROGRESS"
    frozen.tick(10)
    rolling_back = _describe(ecs, deployment.arn)
    assert rolling_back["status"] == "ROLLBACK_IN_PROGRESS"
    assert rolling_back["rollback"] == {
        "reason": CIRCUIT_BREAKER_REASON,
        "startedAt": _at(15),
        "serviceRevisionArn": previous.target_revision_arn,
    }
    frozen.tick(15)
    failed = _describe(ecs, deployment.arn)
    assert _times(failed) == {
        "status": "ROLLBACK_FAILED",
        "statusReason": CIRCUIT_BREAKER_REASON,
        "lifecycleStage": "CLEAN_UP",
        "createdAt": T0,
        "startedAt": _at(5),
        "finishedAt": _at(30),
        "updatedAt": _at(30),
    }
    assert failed["deploymentCircuitBreaker"]["status"] == "TRIGGERED"


@pytest.mark.parametrize("how", HOW)
def test_walk_to_stopped(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any, how: str
) -> None:
    _previous(backend)
    deployment = _deploy(backend, how, outcome="STOPPED", pending_for=2, in_progress_for=8)
    frozen.tick(2)
    assert _describe(ecs, deployment.arn)["status"] == "IN_PROGRESS"
    frozen.tick(7.999)
    assert _describe(ecs, deployment.arn)["status"] == "IN_PROGRESS"
    frozen.tick(0.001)
    stopped = _describe(ecs, deployment.arn)
    assert _times(stopped) == {
        "status": "STOPPED",
        "statusReason": "Service deployment stopped.",
        "lifecycleStage": "CLEAN_UP",
        "createdAt": T0,
        "startedAt": _at(2),
        "finishedAt": _at(10),
        "stoppedAt": _at(10),
        "updatedAt": _at(10),
    }
    assert "rollback" not in stopped
    assert stopped["deploymentCircuitBreaker"]["status"] == "MONITORING_COMPLETE"


@pytest.mark.parametrize(
    ("outcome", "final"),
    [
        ("SUCCESSFUL", "SUCCESSFUL"),
        ("STOPPED", "STOPPED"),
        ("ROLLBACK_SUCCESSFUL", "ROLLBACK_SUCCESSFUL"),
        ("ROLLBACK_FAILED", "ROLLBACK_FAILED"),
    ],
)
def test_a_plan_reason_becomes_the_status_reason(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any, outcome: str, final: str
) -> None:
    _previous(backend)
    deployment = _deploy(
        backend, "queued", outcome=outcome, in_progress_for=1, reason="Alarm web-5xx fired."
    )
    frozen.tick(5)
    described = _describe(ecs, deployment.arn)
    assert (described["status"], described["statusReason"]) == (final, "Alarm web-5xx fired.")
    if final.startswith("ROLLBACK_"):
        assert described["rollback"]["reason"] == "Alarm web-5xx fired."


def test_zero_durations_reach_the_outcome_at_once(
    backend: ServiceDeploymentBackend, ecs: Any
) -> None:
    deployment = backend.start_deployment(service="web", cluster="prod")
    assert _times(_describe(ecs, deployment.arn)) == {
        "status": "SUCCESSFUL",
        "lifecycleStage": "CLEAN_UP",
        "createdAt": T0,
        "startedAt": T0,
        "finishedAt": T0,
        "updatedAt": T0,
    }
    assert _describe(ecs, deployment.arn)["sourceServiceRevisions"] == []


def test_a_plan_with_an_instant_rollback_finishes_it_when_in_progress_ends(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    backend.add_service(
        service="web",
        cluster="prod",
        deployment_configuration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    )
    backend.add_deployment(service="web", cluster="prod", created_at=T0 - timedelta(hours=1))
    deployment = backend.start_deployment(
        service="web",
        cluster="prod",
        plan={"outcome": "ROLLBACK_SUCCESSFUL", "in_progress_for": 20, "rollback_for": 0},
    )
    frozen.tick(19.999)
    (described,) = ecs.describe_service_deployments(serviceDeploymentArns=[deployment.arn])[
        "serviceDeployments"
    ]
    assert described["status"] == "IN_PROGRESS"
    frozen.tick(0.001)
    (described,) = ecs.describe_service_deployments(serviceDeploymentArns=[deployment.arn])[
        "serviceDeployments"
    ]
    ended = T0 + timedelta(seconds=20)
    assert (described["status"], described["finishedAt"], described["rollback"]["startedAt"]) == (
        "ROLLBACK_SUCCESSFUL",
        ended,
        ended,
    )


def test_a_first_deployment_planned_to_roll_back_fails_its_rollback(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    deployment = backend.start_deployment(
        service="web", cluster="prod", plan={"outcome": "ROLLBACK_SUCCESSFUL", "in_progress_for": 5}
    )
    frozen.tick(5)
    described = _describe(ecs, deployment.arn)
    assert described["status"] == "ROLLBACK_FAILED"
    assert described["statusReason"] == (
        "Service deployment could not roll back: there is no previous service revision."
    )
    assert described["finishedAt"] == _at(5)
    assert "serviceRevisionArn" not in described["rollback"]


def test_durations_keep_milliseconds(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    deployment = backend.start_deployment(
        service="web",
        cluster="prod",
        plan={"pending_for": timedelta(milliseconds=250), "in_progress_for": 1.5},
    )
    frozen.tick(10)
    described = _describe(ecs, deployment.arn)
    assert described["startedAt"] == T0 + timedelta(milliseconds=250)
    assert described["finishedAt"] == T0 + timedelta(milliseconds=1750)


def test_a_seeded_plan_runs_from_its_creation_time(
    backend: ServiceDeploymentBackend, ecs: Any
) -> None:
    deployment = backend.add_deployment(
        service="web",
        cluster="prod",
        created_at=T0 - timedelta(hours=1),
        plan={"pending_for": 60, "in_progress_for": 1800},
    )
    assert _times(_describe(ecs, deployment.arn)) == {
        "status": "SUCCESSFUL",
        "lifecycleStage": "CLEAN_UP",
        "createdAt": T0 - timedelta(hours=1),
        "startedAt": T0 - timedelta(minutes=59),
        "finishedAt": T0 - timedelta(minutes=29),
        "updatedAt": T0 - timedelta(minutes=29),
    }
    running = backend.add_deployment(
        service="api",
        cluster="prod",
        created_at=T0 - timedelta(minutes=10),
        plan={"in_progress_for": 1800},
    )
    assert _describe(ecs, running.arn)["status"] == "IN_PROGRESS"


# -- plans: queued, per service, before the service exists, per mock ------------------------------


def test_plans_queue_first_in_first_out(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    _previous(backend)
    backend.plan_next_deployment(service="web", cluster="prod", in_progress_for=10)
    backend.plan_next_deployment(
        service="web", cluster="prod", outcome="STOPPED", in_progress_for=5
    )
    backend.plan_next_deployment(
        service="web", cluster="prod", outcome="ROLLBACK_FAILED", in_progress_for=1, rollback_for=2
    )
    first = backend.start_deployment(service="web", cluster="prod")
    assert _describe(ecs, first.arn)["status"] == "IN_PROGRESS"
    frozen.tick(10)
    assert _describe(ecs, first.arn)["status"] == "SUCCESSFUL"
    second = backend.start_deployment(service="web", cluster="prod")
    frozen.tick(5)
    assert (_describe(ecs, second.arn)["status"], _describe(ecs, second.arn)["finishedAt"]) == (
        "STOPPED",
        _at(15),
    )
    third = backend.start_deployment(service="web", cluster="prod")
    frozen.tick(1)
    assert _describe(ecs, third.arn)["status"] == "ROLLBACK_IN_PROGRESS"
    frozen.tick(2)
    assert _describe(ecs, third.arn)["status"] == "ROLLBACK_FAILED"
    # The queue is empty: the next one has zero durations and succeeds at once.
    fourth = backend.start_deployment(service="web", cluster="prod")
    assert _times(_describe(ecs, fourth.arn))["finishedAt"] == _at(18)


def test_a_plan_is_for_its_service_only(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    backend.plan_next_deployment(service="api", cluster="prod", in_progress_for=60)
    web = backend.start_deployment(service="web", cluster="prod")
    other_cluster = backend.start_deployment(service="api", cluster="staging")
    api = backend.start_deployment(service="api", cluster="prod")
    assert _describe(ecs, web.arn)["status"] == "SUCCESSFUL"
    assert _describe(ecs, other_cluster.arn)["status"] == "SUCCESSFUL"
    assert _describe(ecs, api.arn)["status"] == "IN_PROGRESS"


def test_a_plan_set_before_the_service_exists(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    backend.plan_next_deployment(
        service="brand-new", cluster="fresh", outcome="STOPPED", pending_for=3, in_progress_for=4
    )
    with pytest.raises(ClientError) as excinfo:
        ecs.list_service_deployments(cluster="fresh", service="brand-new")
    assert excinfo.value.response["Error"]["Code"] == "ClusterNotFoundException"
    deployment = backend.start_deployment(service="brand-new", cluster="fresh")
    assert _describe(ecs, deployment.arn)["status"] == "PENDING"
    frozen.tick(7)
    assert _times(_describe(ecs, deployment.arn))["stoppedAt"] == _at(7)


def test_a_plan_by_service_arn(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    arn = "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
    backend.plan_next_deployment(service=arn, in_progress_for=60)
    deployment = backend.start_deployment(service="web", cluster="prod")
    assert _describe(ecs, deployment.arn)["status"] == "IN_PROGRESS"


def test_seeded_deployments_do_not_take_queued_plans(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    backend.plan_next_deployment(service="web", cluster="prod", outcome="STOPPED")
    seeded = backend.add_deployment(service="web", cluster="prod")
    assert _describe(ecs, seeded.arn)["status"] == "SUCCESSFUL"
    made = backend.start_deployment(service="web", cluster="prod")
    assert _describe(ecs, made.arn)["status"] == "STOPPED"


def test_the_mock_wide_plan_applies_when_none_is_queued(
    mock: ServiceDeploymentsMock, backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    mock.plan_deployments(pending_for=1, in_progress_for=60)
    backend.plan_next_deployment(service="web", cluster="prod", outcome="STOPPED")
    queued = backend.start_deployment(service="web", cluster="prod")
    assert _describe(ecs, queued.arn)["status"] == "STOPPED"
    by_default = backend.start_deployment(service="web", cluster="prod")
    api = backend.start_deployment(service="api", cluster="prod")
    assert _describe(ecs, by_default.arn)["status"] == "PENDING"
    frozen.tick(1)
    assert _describe(ecs, api.arn)["status"] == "IN_PROGRESS"
    frozen.tick(60)
    assert _times(_describe(ecs, api.arn))["finishedAt"] == _at(61)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (
            {"outcome": "DONE"},
            ValueError,
            "outcome: 'DONE' is not allowed; allowed values: SUCCESSFUL, ROLLBACK_SUCCESSFUL,"
            " ROLLBACK_FAILED, STOPPED",
        ),
        ({"pending_for": -1}, ValueError, "pending_for: must not be negative, got -1"),
        (
            {"in_progress_for": "1m"},
            TypeError,
            "in_progress_for: expected a timedelta or a number of seconds, got '1m'",
        ),
    ],
)
def test_a_bad_plan_is_refused_at_the_call(
    backend: ServiceDeploymentBackend,
    arguments: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error) as excinfo:
        backend.plan_next_deployment(service="web", cluster="prod", **arguments)
    assert str(excinfo.value) == message
    with pytest.raises(error) as excinfo:  # a plan mapping's fields are named inside it
        backend.add_deployment(service="web", cluster="prod", plan=arguments)
    assert str(excinfo.value) == f"plan.{message}"


def test_a_plan_excludes_explicit_status_and_times(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(ValueError) as excinfo:
        backend.add_deployment(service="web", status="IN_PROGRESS", plan={"in_progress_for": 1})
    assert str(excinfo.value) == "status: leave it unset when a plan is given"
    with pytest.raises(ValueError) as excinfo:
        backend.add_deployment(service="web", plan={"in_progress": 1})
    assert str(excinfo.value).startswith("plan: unknown field(s) in_progress; allowed: outcome,")


# -- supersession --------------------------------------------------------------------------------


def test_a_new_deployment_supersedes_one_in_progress(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    _previous(backend)
    older = backend.start_deployment(service="web", cluster="prod", plan={"in_progress_for": 100})
    frozen.tick(10)
    newer = backend.start_deployment(service="web", cluster="prod", plan={"in_progress_for": 100})
    assert _times(_describe(ecs, older.arn)) == {
        "status": "STOPPED",
        "statusReason": SUPERSEDED_REASON,
        "lifecycleStage": "CLEAN_UP",
        "createdAt": T0,
        "startedAt": T0,
        "finishedAt": _at(10),
        "stoppedAt": _at(10),
        "updatedAt": _at(10),
    }
    assert _describe(ecs, newer.arn)["status"] == "IN_PROGRESS"
    frozen.tick(100)
    # The stopped one stays stopped; the newer one completes on its own plan.
    assert _describe(ecs, older.arn)["status"] == "STOPPED"
    assert _times(_describe(ecs, newer.arn))["finishedAt"] == _at(110)


def test_a_new_deployment_supersedes_one_pending(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    older = backend.start_deployment(service="web", cluster="prod", plan={"pending_for": 50})
    frozen.tick(5)
    backend.start_deployment(service="web", cluster="prod")
    assert _times(_describe(ecs, older.arn)) == {
        "status": "STOPPED",
        "statusReason": SUPERSEDED_REASON,
        "lifecycleStage": "CLEAN_UP",
        "createdAt": T0,
        "finishedAt": _at(5),
        "stoppedAt": _at(5),
        "updatedAt": _at(5),
    }
    frozen.tick(100)
    assert _describe(ecs, older.arn)["status"] == "STOPPED"


def test_a_deployment_that_finished_before_the_next_one_is_not_superseded(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    older = backend.start_deployment(service="web", cluster="prod", plan={"in_progress_for": 10})
    frozen.tick(30)  # nobody read it: it finished at T0+10 all the same
    backend.start_deployment(service="web", cluster="prod")
    assert _times(_describe(ecs, older.arn)) == {
        "status": "SUCCESSFUL",
        "lifecycleStage": "CLEAN_UP",
        "createdAt": T0,
        "startedAt": T0,
        "finishedAt": _at(10),
        "updatedAt": _at(10),
    }


def test_a_rollback_under_way_finishes_on_its_own(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    _previous(backend)
    older = backend.start_deployment(
        service="web",
        cluster="prod",
        plan={"outcome": "ROLLBACK_SUCCESSFUL", "in_progress_for": 10, "rollback_for": 60},
    )
    frozen.tick(20)
    assert _describe(ecs, older.arn)["status"] == "ROLLBACK_IN_PROGRESS"
    newer = backend.start_deployment(service="web", cluster="prod", plan={"in_progress_for": 5})
    assert _describe(ecs, older.arn)["status"] == "ROLLBACK_IN_PROGRESS"
    assert _describe(ecs, newer.arn)["status"] == "IN_PROGRESS"
    frozen.tick(50)
    done = _describe(ecs, older.arn)
    assert _times(done) == {
        "status": "ROLLBACK_SUCCESSFUL",
        "statusReason": CIRCUIT_BREAKER_REASON,
        "lifecycleStage": "CLEAN_UP",
        "createdAt": T0,
        "startedAt": T0,
        "finishedAt": _at(70),
        "updatedAt": _at(70),
    }
    assert _describe(ecs, newer.arn)["status"] == "SUCCESSFUL"


def test_a_rollback_finishing_after_a_newer_deployment_leaves_the_newer_revision_current(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    _previous(backend)
    older = backend.start_deployment(
        service="web",
        cluster="prod",
        plan={"outcome": "ROLLBACK_SUCCESSFUL", "in_progress_for": 10, "rollback_for": 60},
    )
    frozen.tick(20)
    newer = backend.start_deployment(service="web", cluster="prod")
    assert _describe(ecs, newer.arn)["status"] == "SUCCESSFUL"
    frozen.tick(60)
    assert _describe(ecs, older.arn)["status"] == "ROLLBACK_SUCCESSFUL"
    # The service runs what the newer deployment deployed: the next one starts from there.
    following = backend.start_deployment(service="web", cluster="prod")
    assert [s["arn"] for s in _describe(ecs, following.arn)["sourceServiceRevisions"]] == [
        newer.target_revision_arn
    ]


def test_seeding_a_deployment_supersedes_nothing(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    running = backend.start_deployment(service="web", cluster="prod", plan={"in_progress_for": 30})
    frozen.tick(10)
    backend.add_deployment(service="web", cluster="prod")
    assert _describe(ecs, running.arn)["status"] == "IN_PROGRESS"
    frozen.tick(20)
    assert _describe(ecs, running.arn)["status"] == "SUCCESSFUL"


# -- seeded deployments that do not follow a plan ------------------------------------------------


@pytest.mark.parametrize(
    "status",
    ["PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"],
)
def test_a_seeded_status_without_a_plan_never_moves(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any, status: str
) -> None:
    backend.add_deployment(service="web", cluster="prod", created_at=T0 - timedelta(days=2))
    seeded = backend.add_deployment(
        service="web", cluster="prod", status=status, created_at=T0 - timedelta(days=1)
    )
    before = _describe(ecs, seeded.arn)
    assert before["status"] == status
    frozen.tick(30 * 86_400)
    assert _describe(ecs, seeded.arn) == before
    listed = ecs.list_service_deployments(cluster="prod", service="web", status=[status])
    assert [d["serviceDeploymentArn"] for d in listed["serviceDeployments"]] == [seeded.arn]


# -- list's status filter sees the current status ------------------------------------------------


def test_list_status_filter_sees_the_advanced_status(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    deployment = backend.start_deployment(
        service="web", cluster="prod", plan={"pending_for": 10, "in_progress_for": 50}
    )

    def listed(*statuses: str) -> list[str]:
        page = ecs.list_service_deployments(cluster="prod", service="web", status=list(statuses))
        return [item["serviceDeploymentArn"] for item in page["serviceDeployments"]]

    assert listed("PENDING") == [deployment.arn]
    assert listed("IN_PROGRESS", "SUCCESSFUL") == []
    frozen.tick(10)
    assert listed("PENDING") == []
    assert listed("IN_PROGRESS") == [deployment.arn]
    frozen.tick(50)
    assert listed("IN_PROGRESS") == []
    assert listed("SUCCESSFUL") == [deployment.arn]
    item = ecs.list_service_deployments(cluster="prod", service="web", status=["SUCCESSFUL"])[
        "serviceDeployments"
    ][0]
    assert (item["startedAt"], item["finishedAt"]) == (_at(10), _at(60))


# -- without freezegun, the real clock moves deployments ----------------------------------------


def test_the_real_clock_moves_a_deployment() -> None:
    with mock_service_deployments() as mock:
        ecs = new_client()
        deployment = mock.backend().start_deployment(
            service="web", cluster="prod", plan={"in_progress_for": 1}
        )
        assert _describe(ecs, deployment.arn)["status"] == "IN_PROGRESS"
        time.sleep(1.2)
        described = _describe(ecs, deployment.arn)
        assert described["status"] == "SUCCESSFUL"
        assert described["finishedAt"] - described["startedAt"] == timedelta(seconds=1)
