"""StopServiceDeployment in every status, ContinueServiceDeployment in every hook state, and
PAUSE lifecycle hooks, through real boto3 clients under freezegun."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from mock_ecs_deployments import (
    ServiceDeploymentBackend,
    ServiceDeploymentsMock,
)

UTC = timezone.utc
REGION = "us-east-1"
PREFIX = f"arn:aws:ecs:{REGION}:123456789012"
T0 = datetime(2025, 8, 4, 15, 30, tzinfo=UTC)
USER_ROLLBACK_REASON = "Service deployment rolled back by user."
ABORT_REASON = "Service deployment stopped by user."
HOOK_ID = re.compile(r"^ecs-pause-[A-Za-z0-9_-]{43}$")
UNKNOWN_ARN = f"{PREFIX}:service-deployment/prod/web/AAAAAAAAAAAAAAAAAAAAA"
COMPLETED = ["SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"]
ALREADY_STOPPING = ["STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"]


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def _resource_ids(excinfo: pytest.ExceptionInfo[ClientError]) -> Any:
    """The ``resourceIds`` member botocore parses out of a ConflictException."""
    response: dict[str, Any] = dict(excinfo.value.response)
    return response["resourceIds"]


def _describe(ecs: Any, arn: str) -> dict[str, Any]:
    response = ecs.describe_service_deployments(serviceDeploymentArns=[arn])
    assert response["failures"] == []
    (deployment,) = response["serviceDeployments"]
    result: dict[str, Any] = deployment
    return result


def _status(ecs: Any, arn: str) -> str:
    return str(_describe(ecs, arn)["status"])


def _first(backend: ServiceDeploymentBackend, **service: Any) -> Any:
    """The service and a completed first deployment: the source of the next one."""
    backend.add_service(service="web", cluster="prod", **service)
    return backend.add_deployment(service="web", cluster="prod", created_at=T0 - timedelta(hours=1))


def _planned(backend: ServiceDeploymentBackend, **plan: Any) -> Any:
    return backend.start_deployment(service="web", cluster="prod", plan=plan)


def _stop(ecs: Any, arn: str, stop_type: str | None = None) -> dict[str, Any]:
    kwargs = {"serviceDeploymentArn": arn}
    if stop_type is not None:
        kwargs["stopType"] = stop_type
    response = ecs.stop_service_deployment(**kwargs)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


# -- StopServiceDeployment: ROLLBACK -----------------------------------------------------------


@pytest.mark.parametrize("stop_type", ["ROLLBACK", None])
def test_rollback_of_an_in_progress_deployment(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any, stop_type: str | None
) -> None:
    first = _first(backend)
    deployment = _planned(backend, in_progress_for=300, rollback_for=40)
    frozen.tick(20)
    assert _stop(ecs, deployment.arn, stop_type) == {"serviceDeploymentArn": deployment.arn}
    rollback = {
        "reason": USER_ROLLBACK_REASON,
        "startedAt": _at(20),
        "serviceRevisionArn": first.target_revision_arn,
    }
    requested = _describe(ecs, deployment.arn)
    assert requested["status"] == "ROLLBACK_REQUESTED"
    assert requested["statusReason"] == USER_ROLLBACK_REASON
    assert requested["updatedAt"] == _at(20)
    assert requested["rollback"] == rollback
    assert "finishedAt" not in requested
    frozen.tick(0.001)
    rolling_back = _describe(ecs, deployment.arn)
    assert rolling_back["status"] == "ROLLBACK_IN_PROGRESS"
    assert rolling_back["rollback"] == rollback
    assert rolling_back["updatedAt"] == _at(20)
    frozen.tick(39.998)
    assert _status(ecs, deployment.arn) == "ROLLBACK_IN_PROGRESS"
    frozen.tick(0.001)
    done = _describe(ecs, deployment.arn)
    assert {
        key: done.get(key) for key in ("status", "statusReason", "finishedAt", "updatedAt")
    } == {
        "status": "ROLLBACK_SUCCESSFUL",
        "statusReason": USER_ROLLBACK_REASON,
        "finishedAt": _at(60),
        "updatedAt": _at(60),
    }
    assert done["startedAt"] == T0
    assert done["rollback"] == rollback
    assert "stoppedAt" not in done
    # The breaker did not fire: a user asked for this rollback.
    assert done["deploymentCircuitBreaker"]["status"] == "DISABLED"
    # Nothing else happens later.
    frozen.tick(3600)
    assert _describe(ecs, deployment.arn) == done


def test_rollback_of_a_pending_deployment(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    first = _first(backend)
    deployment = _planned(backend, pending_for=60, in_progress_for=60, rollback_for=10)
    frozen.tick(5)
    _stop(ecs, deployment.arn, "ROLLBACK")
    requested = _describe(ecs, deployment.arn)
    assert requested["status"] == "ROLLBACK_REQUESTED"
    assert "startedAt" not in requested
    frozen.tick(1)
    assert _status(ecs, deployment.arn) == "ROLLBACK_IN_PROGRESS"
    frozen.tick(100)  # past the time it would have started: it never does
    done = _describe(ecs, deployment.arn)
    assert (done["status"], done["finishedAt"]) == ("ROLLBACK_SUCCESSFUL", _at(15))
    assert done["rollback"] == {
        "reason": USER_ROLLBACK_REASON,
        "startedAt": _at(5),
        "serviceRevisionArn": first.target_revision_arn,
    }


def test_rollback_of_a_seeded_in_progress_deployment(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    first = _first(backend)
    seeded = backend.add_deployment(service="web", cluster="prod", status="IN_PROGRESS")
    _stop(ecs, seeded.arn)
    assert _status(ecs, seeded.arn) == "ROLLBACK_REQUESTED"
    frozen.tick(1)
    done = _describe(ecs, seeded.arn)
    assert done["status"] == "ROLLBACK_SUCCESSFUL"
    assert done["rollback"]["serviceRevisionArn"] == first.target_revision_arn


def test_after_a_rollback_the_next_deployment_starts_from_the_restored_revision(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    first = _first(backend)
    deployment = _planned(backend, in_progress_for=60)
    _stop(ecs, deployment.arn)
    frozen.tick(120)
    assert _status(ecs, deployment.arn) == "ROLLBACK_SUCCESSFUL"
    following = backend.start_deployment(service="web", cluster="prod")
    assert [s["arn"] for s in _describe(ecs, following.arn)["sourceServiceRevisions"]] == [
        first.target_revision_arn
    ]


@pytest.mark.parametrize("seeded", [False, True])
def test_rollback_of_a_first_deployment_is_a_conflict(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any, seeded: bool
) -> None:
    if seeded:
        deployment = backend.add_deployment(service="web", cluster="prod", status="IN_PROGRESS")
    else:
        deployment = _planned(backend, in_progress_for=60)
    before = _describe(ecs, deployment.arn)
    with pytest.raises(ClientError) as excinfo:
        ecs.stop_service_deployment(serviceDeploymentArn=deployment.arn, stopType="ROLLBACK")
    code, message, status = _error(excinfo)
    assert (code, status) == ("ConflictException", 400)
    assert deployment.arn in message
    assert _resource_ids(excinfo) == [deployment.arn]
    assert _describe(ecs, deployment.arn) == before
    frozen.tick(60)
    # The refused stop changed nothing: a plan runs on, a seeded status stays.
    assert _status(ecs, deployment.arn) == ("IN_PROGRESS" if seeded else "SUCCESSFUL")


# -- StopServiceDeployment: ABORT ---------------------------------------------------------------


@pytest.mark.parametrize(("pending_for", "started"), [(0, True), (60, False)])
def test_abort(
    backend: ServiceDeploymentBackend,
    ecs: Any,
    frozen: Any,
    pending_for: int,
    started: bool,
) -> None:
    _first(backend)
    deployment = _planned(backend, pending_for=pending_for, in_progress_for=300)
    frozen.tick(30)
    assert _status(ecs, deployment.arn) == ("IN_PROGRESS" if started else "PENDING")
    _stop(ecs, deployment.arn, "ABORT")
    requested = _describe(ecs, deployment.arn)
    assert (requested["status"], requested["statusReason"], requested["updatedAt"]) == (
        "STOP_REQUESTED",
        ABORT_REASON,
        _at(30),
    )
    assert "finishedAt" not in requested
    frozen.tick(0.001)
    stopped = _describe(ecs, deployment.arn)
    assert {
        key: stopped.get(key) for key in ("status", "statusReason", "finishedAt", "stoppedAt")
    } == {
        "status": "STOPPED",
        "statusReason": ABORT_REASON,
        "finishedAt": _at(30),
        "stoppedAt": _at(30),
    }
    assert ("startedAt" in stopped) is started
    assert "rollback" not in stopped


def test_abort_of_a_first_deployment(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    deployment = _planned(backend, in_progress_for=60)
    _stop(ecs, deployment.arn, "ABORT")
    frozen.tick(1)
    assert _status(ecs, deployment.arn) == "STOPPED"


# -- StopServiceDeployment: statuses where nothing changes, or nothing may -----------------------


@pytest.mark.parametrize("stop_type", ["ROLLBACK", "ABORT"])
@pytest.mark.parametrize("status", ALREADY_STOPPING)
def test_stopping_an_already_stopping_seeded_deployment_changes_nothing(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any, status: str, stop_type: str
) -> None:
    _first(backend)
    seeded = backend.add_deployment(service="web", cluster="prod", status=status)
    before = _describe(ecs, seeded.arn)
    assert _stop(ecs, seeded.arn, stop_type) == {"serviceDeploymentArn": seeded.arn}
    assert _describe(ecs, seeded.arn) == before
    frozen.tick(60)
    assert _describe(ecs, seeded.arn) == before


@pytest.mark.parametrize("stop_type", ["ROLLBACK", "ABORT"])
@pytest.mark.parametrize(
    ("first_stop", "expected"),
    [
        ("ABORT", "STOP_REQUESTED"),
        ("ROLLBACK", "ROLLBACK_REQUESTED"),
        ("ROLLBACK", "ROLLBACK_IN_PROGRESS"),
    ],
)
def test_stopping_a_deployment_that_is_stopping_changes_nothing(
    backend: ServiceDeploymentBackend,
    ecs: Any,
    frozen: Any,
    first_stop: str,
    expected: str,
    stop_type: str,
) -> None:
    first = _first(backend)
    deployment = _planned(backend, in_progress_for=300, rollback_for=30)
    _stop(ecs, deployment.arn, first_stop)
    if expected == "ROLLBACK_IN_PROGRESS":
        frozen.tick(10)
    before = _describe(ecs, deployment.arn)
    assert before["status"] == expected
    _stop(ecs, deployment.arn, stop_type)
    assert _describe(ecs, deployment.arn) == before
    frozen.tick(60)
    final = _describe(ecs, deployment.arn)
    if first_stop == "ABORT":
        assert (final["status"], final["stoppedAt"]) == ("STOPPED", T0)
    else:
        assert (final["status"], final["finishedAt"]) == ("ROLLBACK_SUCCESSFUL", _at(30))
        assert final["rollback"]["serviceRevisionArn"] == first.target_revision_arn


@pytest.mark.parametrize("stop_type", ["ROLLBACK", "ABORT"])
@pytest.mark.parametrize("status", COMPLETED)
def test_stopping_a_completed_seeded_deployment_is_a_conflict(
    backend: ServiceDeploymentBackend, ecs: Any, status: str, stop_type: str
) -> None:
    _first(backend)
    seeded = backend.add_deployment(service="web", cluster="prod", status=status)
    before = _describe(ecs, seeded.arn)
    with pytest.raises(ClientError) as excinfo:
        ecs.stop_service_deployment(serviceDeploymentArn=seeded.arn, stopType=stop_type)
    assert _error(excinfo) == (
        "ConflictException",
        f"The service deployment {seeded.arn} is {status} and cannot be stopped.",
        400,
    )
    assert _resource_ids(excinfo) == [seeded.arn]
    assert isinstance(excinfo.value, ecs.exceptions.ConflictException)
    assert _describe(ecs, seeded.arn) == before


@pytest.mark.parametrize("outcome", COMPLETED)
def test_stopping_a_deployment_that_completed_over_time_is_a_conflict(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any, outcome: str
) -> None:
    _first(backend)
    deployment = _planned(backend, outcome=outcome, in_progress_for=10, rollback_for=10)
    frozen.tick(25)  # completed, though nothing has read it since
    with pytest.raises(ClientError) as excinfo:
        ecs.stop_service_deployment(serviceDeploymentArn=deployment.arn)
    assert _error(excinfo)[0] == "ConflictException"
    assert _resource_ids(excinfo) == [deployment.arn]
    assert _status(ecs, deployment.arn) == outcome


@pytest.mark.parametrize(
    "arn",
    [
        UNKNOWN_ARN,
        f"{PREFIX}:service-deployment/prod/nowhere/AAAAAAAAAAAAAAAAAAAAA",
        "arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/AAAAAAAAAAAAAAAAAAAAA",
        "garbage",
    ],
)
def test_stopping_an_unknown_deployment(
    backend: ServiceDeploymentBackend, ecs: Any, arn: str
) -> None:
    _first(backend)
    with pytest.raises(ClientError) as excinfo:
        ecs.stop_service_deployment(serviceDeploymentArn=arn)
    assert _error(excinfo) == (
        "ServiceDeploymentNotFoundException",
        f"Service deployment not found: {arn}",
        400,
    )


def test_stopping_a_deployment_of_another_region(mock: ServiceDeploymentsMock, ecs: Any) -> None:
    elsewhere = mock.backend(region="eu-west-1").add_deployment(
        service="web", cluster="prod", status="IN_PROGRESS"
    )
    with pytest.raises(ClientError) as excinfo:
        ecs.stop_service_deployment(serviceDeploymentArn=elsewhere.arn)
    assert _error(excinfo)[0] == "ServiceDeploymentNotFoundException"


def test_bad_stop_type(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    _first(backend)
    deployment = _planned(backend, in_progress_for=60)
    before = _describe(ecs, deployment.arn)
    with pytest.raises(ClientError) as excinfo:
        ecs.stop_service_deployment(serviceDeploymentArn=deployment.arn, stopType="PAUSE")
    assert _error(excinfo) == (
        "InvalidParameterException",
        "Invalid stopType value: PAUSE. Valid values: ABORT, ROLLBACK.",
        400,
    )
    assert _describe(ecs, deployment.arn) == before


# -- PAUSE hooks and ContinueServiceDeployment ---------------------------------------------------


def _pause(*stages: str, minutes: int | None = None, action: str | None = None) -> dict[str, Any]:
    hook: dict[str, Any] = {"targetType": "PAUSE", "lifecycleStages": list(stages)}
    timeout: dict[str, Any] = {}
    if minutes is not None:
        timeout["timeoutInMinutes"] = minutes
    if action is not None:
        timeout["action"] = action
    if timeout:
        hook["timeoutConfiguration"] = timeout
    return hook


def _paused_service(backend: ServiceDeploymentBackend, *hooks: dict[str, Any]) -> Any:
    return _first(backend, deployment_configuration={"lifecycleHooks": list(hooks)})


def _hooks(ecs: Any, arn: str) -> list[dict[str, Any]]:
    details: list[dict[str, Any]] = _describe(ecs, arn).get("lifecycleHookDetails", [])
    return details


def _continue(ecs: Any, arn: str, hook_id: str, action: str | None = None) -> None:
    kwargs = {"serviceDeploymentArn": arn, "hookId": hook_id}
    if action is not None:
        kwargs["action"] = action
    response = ecs.continue_service_deployment(**kwargs)
    assert response["serviceDeploymentArn"] == arn
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_a_pause_hook_holds_the_deployment(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    _paused_service(backend, _pause("POST_SCALE_UP", minutes=30, action="ROLLBACK"))
    deployment = _planned(backend, pending_for=10, in_progress_for=20)
    assert "lifecycleHookDetails" not in _describe(ecs, deployment.arn)  # not reached yet
    frozen.tick(10)
    scaling = _describe(ecs, deployment.arn)  # the hook comes after SCALE_UP's 20 s
    assert (scaling["status"], scaling["lifecycleStage"]) == ("IN_PROGRESS", "SCALE_UP")
    assert "lifecycleHookDetails" not in scaling
    frozen.tick(20)
    waiting = _describe(ecs, deployment.arn)
    assert (waiting["status"], waiting["lifecycleStage"], waiting["updatedAt"]) == (
        "IN_PROGRESS",
        "POST_SCALE_UP",
        _at(30),
    )
    (hook,) = waiting["lifecycleHookDetails"]
    assert HOOK_ID.match(hook["hookId"]), hook["hookId"]
    assert hook == {
        "hookId": hook["hookId"],
        "targetType": "PAUSE",
        "status": "AWAITING_ACTION",
        "expiresAt": _at(30 + 30 * 60),
        "timeoutAction": "ROLLBACK",
    }
    frozen.tick(29 * 60)  # still waiting at the hook
    assert _describe(ecs, deployment.arn) == waiting


@pytest.mark.parametrize("action", ["CONTINUE", None])
def test_continue_moves_the_deployment_on(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any, action: str | None
) -> None:
    _paused_service(backend, _pause("PRE_SCALE_UP", minutes=30))
    deployment = _planned(backend, in_progress_for=20)
    (hook,) = _hooks(ecs, deployment.arn)
    frozen.tick(100)
    _continue(ecs, deployment.arn, hook["hookId"], action)
    continued = _describe(ecs, deployment.arn)
    assert (continued["status"], continued["updatedAt"]) == ("IN_PROGRESS", _at(100))
    assert continued["lifecycleStage"] == "SCALE_UP"
    assert continued["lifecycleHookDetails"] == [{**hook, "status": "SUCCEEDED"}]
    frozen.tick(19.999)  # SCALE_UP lasts in_progress_for from the answer on
    assert _status(ecs, deployment.arn) == "IN_PROGRESS"
    frozen.tick(0.001)
    done = _describe(ecs, deployment.arn)
    assert (done["status"], done["startedAt"], done["finishedAt"]) == ("SUCCESSFUL", T0, _at(120))
    assert done["lifecycleHookDetails"] == [{**hook, "status": "SUCCEEDED"}]


def test_continue_with_rollback_rolls_back(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    first = _paused_service(backend, _pause("PRE_SCALE_UP"))
    deployment = _planned(backend, in_progress_for=20, rollback_for=5)
    (hook,) = _hooks(ecs, deployment.arn)
    assert _describe(ecs, deployment.arn)["lifecycleStage"] == "PRE_SCALE_UP"
    frozen.tick(60)
    _continue(ecs, deployment.arn, hook["hookId"], "ROLLBACK")
    requested = _describe(ecs, deployment.arn)
    assert requested["status"] == "ROLLBACK_REQUESTED"
    assert requested["lifecycleHookDetails"] == [{**hook, "status": "FAILED"}]
    assert requested["rollback"] == {
        "reason": USER_ROLLBACK_REASON,
        "startedAt": _at(60),
        "serviceRevisionArn": first.target_revision_arn,
    }
    frozen.tick(0.001)
    assert _status(ecs, deployment.arn) == "ROLLBACK_IN_PROGRESS"
    frozen.tick(5)
    done = _describe(ecs, deployment.arn)
    assert (done["status"], done["finishedAt"]) == ("ROLLBACK_SUCCESSFUL", _at(65))


def test_an_unanswered_hook_times_out_and_rolls_back_by_default(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    first = _paused_service(backend, _pause("POST_SCALE_UP"))  # default: 1440 min, ROLLBACK
    deployment = _planned(backend, pending_for=5, in_progress_for=20, rollback_for=30)
    frozen.tick(25)  # PENDING 5 s, SCALE_UP 20 s, then the hook
    (hook,) = _hooks(ecs, deployment.arn)
    assert hook["expiresAt"] == _at(25 + 86_400)
    assert hook["timeoutAction"] == "ROLLBACK"
    frozen.tick(86_399.999)
    assert _hooks(ecs, deployment.arn)[0]["status"] == "AWAITING_ACTION"
    frozen.tick(0.001)
    timed_out = _describe(ecs, deployment.arn)
    assert timed_out["status"] == "ROLLBACK_IN_PROGRESS"
    assert timed_out["lifecycleHookDetails"] == [{**hook, "status": "TIMED_OUT"}]
    reason = f"Service deployment rolled back: lifecycle hook {hook['hookId']} timed out."
    assert timed_out["statusReason"] == reason
    assert timed_out["rollback"] == {
        "reason": reason,
        "startedAt": _at(25 + 86_400),
        "serviceRevisionArn": first.target_revision_arn,
    }
    frozen.tick(30)
    done = _describe(ecs, deployment.arn)
    assert (done["status"], done["finishedAt"]) == ("ROLLBACK_SUCCESSFUL", _at(55 + 86_400))


def test_a_hook_that_times_out_with_continue_continues(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    _paused_service(backend, _pause("PRE_SCALE_UP", minutes=1, action="CONTINUE"))
    deployment = _planned(backend, in_progress_for=20)
    (hook,) = _hooks(ecs, deployment.arn)
    assert (hook["expiresAt"], hook["timeoutAction"]) == (_at(60), "CONTINUE")
    frozen.tick(60)
    after = _describe(ecs, deployment.arn)
    assert (after["status"], after["lifecycleStage"]) == ("IN_PROGRESS", "SCALE_UP")
    assert after["lifecycleHookDetails"] == [{**hook, "status": "TIMED_OUT"}]
    frozen.tick(20)
    done = _describe(ecs, deployment.arn)
    assert (done["status"], done["finishedAt"]) == ("SUCCESSFUL", _at(80))
    assert "rollback" not in done


def test_two_hooks_are_met_in_stage_order(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    # Listed out of order, and in two hooks: the deployment meets them in stage order.
    _paused_service(
        backend,
        _pause("POST_PRODUCTION_TRAFFIC_SHIFT", minutes=10),
        _pause("PRE_SCALE_UP", minutes=5),
    )
    deployment = _planned(backend, in_progress_for=30)
    waiting = _describe(ecs, deployment.arn)
    assert waiting["lifecycleStage"] == "PRE_SCALE_UP"
    (early,) = waiting["lifecycleHookDetails"]
    assert early["expiresAt"] == _at(300)
    frozen.tick(60)
    _continue(ecs, deployment.arn, early["hookId"])
    assert _describe(ecs, deployment.arn)["lifecycleStage"] == "SCALE_UP"
    frozen.tick(30)  # SCALE_UP's in_progress_for, then the later hook
    second = _describe(ecs, deployment.arn)
    assert (second["status"], second["lifecycleStage"]) == (
        "IN_PROGRESS",
        "POST_PRODUCTION_TRAFFIC_SHIFT",
    )
    done_early, late = second["lifecycleHookDetails"]
    assert done_early == {**early, "status": "SUCCEEDED"}
    assert HOOK_ID.match(late["hookId"])
    assert late["hookId"] != early["hookId"]
    assert (late["status"], late["expiresAt"]) == ("AWAITING_ACTION", _at(90 + 600))
    # Answering the first hook again is refused: it is no longer awaiting action.
    with pytest.raises(ClientError) as excinfo:
        ecs.continue_service_deployment(serviceDeploymentArn=deployment.arn, hookId=early["hookId"])
    assert _error(excinfo)[0] == "InvalidParameterException"
    frozen.tick(100)
    _continue(ecs, deployment.arn, late["hookId"])  # nothing of the walk takes time after it
    done = _describe(ecs, deployment.arn)
    assert (done["status"], done["finishedAt"]) == ("SUCCESSFUL", _at(190))
    assert [h["status"] for h in done["lifecycleHookDetails"]] == ["SUCCEEDED", "SUCCEEDED"]


def test_one_hook_at_two_stages_pauses_twice(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    _paused_service(backend, _pause("POST_SCALE_UP", "PRE_SCALE_UP", minutes=5))
    deployment = _planned(backend)
    stages = []
    for _ in range(2):
        described = _describe(ecs, deployment.arn)
        stages.append(described["lifecycleStage"])
        _continue(ecs, deployment.arn, described["lifecycleHookDetails"][-1]["hookId"])
    assert stages == ["PRE_SCALE_UP", "POST_SCALE_UP"]
    assert _status(ecs, deployment.arn) == "SUCCESSFUL"


def test_a_lambda_hook_does_not_pause(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    target = "arn:aws:lambda:us-east-1:123456789012:function:check"
    _paused_service(
        backend,
        {"targetType": "AWS_LAMBDA", "hookTargetArn": target, "lifecycleStages": ["POST_SCALE_UP"]},
    )
    deployment = _planned(backend, in_progress_for=10)
    assert _hooks(ecs, deployment.arn) == []  # met when SCALE_UP's 10 s are over
    frozen.tick(10)
    (hook,) = _hooks(ecs, deployment.arn)
    assert (hook["targetType"], hook["targetArn"], hook["status"]) == (
        "AWS_LAMBDA",
        target,
        "SUCCEEDED",
    )
    assert _status(ecs, deployment.arn) == "SUCCESSFUL"


def test_stop_while_paused_at_a_hook(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    first = _paused_service(backend, _pause("POST_SCALE_UP"))
    deployment = _planned(backend, in_progress_for=10)
    _stop(ecs, deployment.arn)
    frozen.tick(20)
    done = _describe(ecs, deployment.arn)
    assert done["status"] == "ROLLBACK_SUCCESSFUL"
    assert done["rollback"]["serviceRevisionArn"] == first.target_revision_arn


@pytest.mark.parametrize("ended_by", ["stop ROLLBACK", "stop ABORT", "superseded"])
def test_no_hook_awaits_action_once_the_deployment_left_in_progress(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any, ended_by: str
) -> None:
    # ContinueServiceDeployment needs an IN_PROGRESS deployment: a hook still shown as
    # AWAITING_ACTION on a deployment that stopped or rolled back would invite an action that
    # can only be refused. The hook fails with the deployment instead.
    _paused_service(backend, _pause("PRE_SCALE_UP"))
    deployment = _planned(backend, in_progress_for=10)
    (hook,) = _hooks(ecs, deployment.arn)
    assert hook["status"] == "AWAITING_ACTION"
    if ended_by == "superseded":
        backend.start_deployment(service="web", cluster="prod", plan={"in_progress_for": 600})
    else:
        _stop(ecs, deployment.arn, ended_by.split()[1])
    frozen.tick(20)
    done = _describe(ecs, deployment.arn)
    assert done["status"] == ("ROLLBACK_SUCCESSFUL" if ended_by == "stop ROLLBACK" else "STOPPED")
    assert [h["hookId"] for h in done["lifecycleHookDetails"]] == [hook["hookId"]]
    assert done["lifecycleHookDetails"] == [{**hook, "status": "FAILED"}]


# -- ContinueServiceDeployment errors -----------------------------------------------------------


def test_continue_with_an_unknown_hook(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    _paused_service(backend, _pause("POST_SCALE_UP"))
    deployment = _planned(backend)
    before = _describe(ecs, deployment.arn)
    unknown = "ecs-pause-" + "A" * 43
    with pytest.raises(ClientError) as excinfo:
        ecs.continue_service_deployment(serviceDeploymentArn=deployment.arn, hookId=unknown)
    assert _error(excinfo) == (
        "InvalidParameterException",
        f"The hook {unknown} does not exist for service deployment {deployment.arn}.",
        400,
    )
    assert _describe(ecs, deployment.arn) == before


def test_continue_a_deployment_without_hooks(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    _first(backend)
    deployment = _planned(backend, in_progress_for=60)
    with pytest.raises(ClientError) as excinfo:
        ecs.continue_service_deployment(
            serviceDeploymentArn=deployment.arn, hookId="ecs-pause-" + "b" * 43
        )
    assert _error(excinfo)[0] == "InvalidParameterException"


@pytest.mark.parametrize("state", ["SUCCEEDED", "FAILED", "TIMED_OUT"])
def test_continue_a_hook_that_is_not_awaiting_action(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any, state: str
) -> None:
    _paused_service(backend, _pause("PRE_SCALE_UP", minutes=1, action="CONTINUE"))
    deployment = _planned(backend, in_progress_for=600)
    (hook,) = _hooks(ecs, deployment.arn)
    if state == "SUCCEEDED":
        _continue(ecs, deployment.arn, hook["hookId"])
    elif state == "FAILED":
        _continue(ecs, deployment.arn, hook["hookId"], "ROLLBACK")
    else:
        frozen.tick(60)
    assert _hooks(ecs, deployment.arn)[0]["status"] == state
    before = _describe(ecs, deployment.arn)
    for action in ("CONTINUE", "ROLLBACK"):
        with pytest.raises(ClientError) as excinfo:
            ecs.continue_service_deployment(
                serviceDeploymentArn=deployment.arn, hookId=hook["hookId"], action=action
            )
        code, message, status = _error(excinfo)
        assert (code, status) == ("InvalidParameterException", 400)
        assert message.startswith(f"The hook {hook['hookId']} is not awaiting action")
    assert _describe(ecs, deployment.arn) == before


def test_continue_a_completed_deployment(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    _paused_service(backend, _pause("POST_SCALE_UP"))
    deployment = _planned(backend)
    (hook,) = _hooks(ecs, deployment.arn)
    _continue(ecs, deployment.arn, hook["hookId"])
    assert _status(ecs, deployment.arn) == "SUCCESSFUL"
    with pytest.raises(ClientError) as excinfo:
        ecs.continue_service_deployment(serviceDeploymentArn=deployment.arn, hookId=hook["hookId"])
    assert _error(excinfo) == (
        "InvalidParameterException",
        f"The hook {hook['hookId']} is not awaiting action (hook status SUCCEEDED, service"
        " deployment status SUCCESSFUL).",
        400,
    )


def test_continue_while_a_user_rollback_is_requested(
    backend: ServiceDeploymentBackend, ecs: Any
) -> None:
    _paused_service(backend, _pause("POST_SCALE_UP"))
    deployment = _planned(backend)
    (hook,) = _hooks(ecs, deployment.arn)
    _stop(ecs, deployment.arn)
    with pytest.raises(ClientError) as excinfo:
        ecs.continue_service_deployment(serviceDeploymentArn=deployment.arn, hookId=hook["hookId"])
    assert _error(excinfo)[0] == "InvalidParameterException"
    assert _status(ecs, deployment.arn) == "ROLLBACK_REQUESTED"


@pytest.mark.parametrize("arn", [UNKNOWN_ARN, "garbage"])
def test_continue_an_unknown_deployment(
    backend: ServiceDeploymentBackend, ecs: Any, arn: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId="ecs-pause-" + "c" * 43)
    assert _error(excinfo) == (
        "ServiceDeploymentNotFoundException",
        f"Service deployment not found: {arn}",
        400,
    )


def test_continue_with_a_bad_action(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    _paused_service(backend, _pause("POST_SCALE_UP"))
    deployment = _planned(backend)
    (hook,) = _hooks(ecs, deployment.arn)
    with pytest.raises(ClientError) as excinfo:
        ecs.continue_service_deployment(
            serviceDeploymentArn=deployment.arn, hookId=hook["hookId"], action="SKIP"
        )
    assert _error(excinfo) == (
        "InvalidParameterException",
        "Invalid action value: SKIP. Valid values: ROLLBACK, CONTINUE.",
        400,
    )
    assert _hooks(ecs, deployment.arn)[0]["status"] == "AWAITING_ACTION"


# -- where PAUSE is not allowed -----------------------------------------------------------------

ALLOWED_PAUSE_STAGES = (
    "RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP, POST_TEST_TRAFFIC_SHIFT,"
    " PRE_PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT"
)


@pytest.mark.parametrize("stage", ["TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"])
def test_seeding_a_pause_during_traffic_shift_is_refused(
    backend: ServiceDeploymentBackend, stage: str
) -> None:
    configuration = {"lifecycleHooks": [_pause("POST_SCALE_UP"), _pause(stage)]}
    expected = (
        f"deployment_configuration.lifecycleHooks[1].lifecycleStages: '{stage}' is not allowed;"
        f" allowed values: {ALLOWED_PAUSE_STAGES}"
    )
    with pytest.raises(ValueError) as excinfo:
        backend.add_service(service="web", deployment_configuration=configuration)
    assert str(excinfo.value) == expected
    with pytest.raises(ValueError) as excinfo:
        backend.add_deployment(service="web", deployment_configuration=configuration)
    assert str(excinfo.value) == expected


@pytest.mark.parametrize(
    ("timeout", "message"),
    [
        (
            {"timeoutInMinutes": 0},
            "timeoutConfiguration.timeoutInMinutes: 0 is not allowed; allowed: 1 to 20160",
        ),
        (
            {"timeoutInMinutes": 20161},
            "timeoutConfiguration.timeoutInMinutes: 20161 is not allowed; allowed: 1 to 20160",
        ),
        (
            {"action": "WAIT"},
            "timeoutConfiguration.action: 'WAIT' is not allowed; allowed values: ROLLBACK,"
            " CONTINUE",
        ),
    ],
)
def test_seeding_a_bad_pause_timeout_is_refused(
    backend: ServiceDeploymentBackend, timeout: dict[str, Any], message: str
) -> None:
    hook = {**_pause("POST_SCALE_UP"), "timeoutConfiguration": timeout}
    with pytest.raises(ValueError) as excinfo:
        backend.add_service(service="web", deployment_configuration={"lifecycleHooks": [hook]})
    assert str(excinfo.value) == f"deployment_configuration.lifecycleHooks[0].{message}"


@pytest.mark.parametrize("minutes", [1, 20160])
def test_pause_timeout_bounds_are_allowed(
    backend: ServiceDeploymentBackend, ecs: Any, minutes: int
) -> None:
    _paused_service(backend, _pause("POST_SCALE_UP", minutes=minutes))
    deployment = _planned(backend)
    assert _hooks(ecs, deployment.arn)[0]["expiresAt"] == _at(minutes * 60)


@pytest.mark.parametrize("stage", ["TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"])
@pytest.mark.service_deployments(with_moto=True)
def test_moto_create_service_refuses_a_pause_during_traffic_shift(ecs: Any, stage: str) -> None:
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 64}]
    )
    with pytest.raises(ClientError) as excinfo:
        ecs.create_service(
            cluster="prod",
            serviceName="web",
            taskDefinition="web",
            desiredCount=1,
            deploymentConfiguration={"lifecycleHooks": [_pause(stage)]},
        )
    code, message, status = _error(excinfo)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == (
        f"deploymentConfiguration.lifecycleHooks[0].lifecycleStages: '{stage}' is not"
        f" allowed; allowed values: {ALLOWED_PAUSE_STAGES}"
    )
    # Refused as a whole: moto made no service.
    described = ecs.describe_services(cluster="prod", services=["web"])
    assert described["services"] == []
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1)
    with pytest.raises(ClientError) as excinfo:
        ecs.update_service(
            cluster="prod",
            service="web",
            forceNewDeployment=True,
            deploymentConfiguration={"lifecycleHooks": [_pause(stage)]},
        )
    assert _error(excinfo)[0] == "InvalidParameterException"
    listed = ecs.list_service_deployments(cluster="prod", service="web")
    assert len(listed["serviceDeployments"]) == 1


def test_a_refused_rollback_of_a_first_deployment_leaves_it_as_it_was(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    """A seeded IN_PROGRESS first deployment follows no plan: a refused Stop leaves it so (no
    plan, not tracked as ongoing), and it dumps and behaves as the static deployment it is."""
    seeded = backend.add_deployment(service="web", cluster="prod", status="IN_PROGRESS")
    before = _describe(ecs, seeded.arn)
    with pytest.raises(ClientError) as excinfo:
        ecs.stop_service_deployment(serviceDeploymentArn=seeded.arn, stopType="ROLLBACK")
    assert _error(excinfo) == (
        "ConflictException",
        f"The service deployment {seeded.arn} is the service's first deployment: there is no"
        " previous service revision to roll back to.",
        400,
    )
    frozen.tick(3600)
    assert _describe(ecs, seeded.arn) == before
    assert seeded.plan is None
    assert seeded.id not in seeded.service.ongoing
