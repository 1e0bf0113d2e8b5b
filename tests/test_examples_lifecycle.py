"""The two lifecycle examples, run unchanged against the mock through every outcome, with moto
creating and updating the service and freezegun's clock moved by the examples' own sleeps."""

from __future__ import annotations

import runpy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from mock_ecs_deployments import ServiceDeploymentsMock

ROOT = Path(__file__).resolve().parent.parent
WATCHER = runpy.run_path(str(ROOT / "examples" / "deploy_watcher.py"))
STEP = runpy.run_path(str(ROOT / "examples" / "rollback_on_interrupt.py"))

UTC = timezone.utc
REGION = "us-east-1"
PREFIX = f"arn:aws:ecs:{REGION}:123456789012"
T0 = datetime(2025, 10, 6, 14, 0, tzinfo=UTC)
CIRCUIT_BREAKER_REASON = "ECS deployment circuit breaker: tasks failed to start."
USER_ROLLBACK_REASON = "Service deployment rolled back by user."
SUPERSEDED_REASON = "Service deployment stopped: superseded by a newer service deployment."


def _task_definition(revision: int) -> str:
    return f"{PREFIX}:task-definition/web:{revision}"


@dataclass
class World:
    """A frozen clock, the mock beside moto, a client, and service web on web:1."""

    frozen: Any
    mock: ServiceDeploymentsMock
    ecs: Any
    first_revision: str
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.frozen.tick(seconds)

    def plan(self, **plan: Any) -> None:
        self.mock.backend().plan_next_deployment(service="web", cluster="prod", **plan)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def calls(self, operation: str) -> list[Any]:
        return [call for call in self.mock.calls if call.operation == operation]


# The examples deploy through moto's UpdateService: the shared mock is beside moto's mock_aws.
pytestmark = pytest.mark.service_deployments(with_moto=True)


@pytest.fixture
def world(frozen: Any, mock: ServiceDeploymentsMock, ecs: Any) -> World:
    ecs.create_cluster(clusterName="prod")
    for version in (1, 2, 3):
        ecs.register_task_definition(
            family="web",
            containerDefinitions=[
                {"name": "app", "image": f"public.ecr.aws/acme/web:{version}", "memory": 256}
            ],
        )
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=2,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    )
    (first,) = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"]
    return World(frozen, mock, ecs, first["targetServiceRevisionArn"])


def _watch(world: World, timeout_seconds: float = 600, service: str = "web") -> Any:
    wait: Callable[..., Any] = WATCHER["wait_for_newest_deployment"]
    return wait(world.ecs, "prod", service, 15, timeout_seconds, sleep=world.sleep)


def _update(world: World, revision: int, **extra: Any) -> str:
    world.ecs.update_service(
        cluster="prod", service="web", taskDefinition=f"web:{revision}", **extra
    )
    newest = world.ecs.list_service_deployments(cluster="prod", service="web", maxResults=1)
    return str(newest["serviceDeployments"][0]["serviceDeploymentArn"])


# -- deploy_watcher.py ---------------------------------------------------------------------------


def test_watcher_reports_success(world: World) -> None:
    world.plan(pending_for=30, in_progress_for=90)
    arn = _update(world, 2)
    result = _watch(world)
    assert result == WATCHER["DeploymentResult"](
        deployment_arn=arn,
        status="SUCCESSFUL",
        reason=None,
        target_task_definition=_task_definition(2),
        rolled_back_to=None,
        rolled_back_to_task_definition=None,
        polls=9,
    )
    assert (result.succeeded, result.rolled_back) == (True, False)
    assert world.sleeps == [15] * 8
    assert world.now() == T0 + timedelta(seconds=120)
    assert result.summary() == f"deployment {arn.rsplit('/', 1)[1]} of web:2: SUCCESSFUL"


def test_watcher_reports_a_circuit_breaker_rollback(world: World) -> None:
    world.plan(outcome="ROLLBACK_SUCCESSFUL", in_progress_for=60, rollback_for=30)
    arn = _update(world, 2)
    result = _watch(world)
    assert result == WATCHER["DeploymentResult"](
        deployment_arn=arn,
        status="ROLLBACK_SUCCESSFUL",
        reason=CIRCUIT_BREAKER_REASON,
        target_task_definition=_task_definition(2),
        rolled_back_to=world.first_revision,
        rolled_back_to_task_definition=_task_definition(1),
        polls=7,
    )
    assert (result.succeeded, result.rolled_back) == (False, True)
    assert result.summary() == (
        f"deployment {arn.rsplit('/', 1)[1]} of web:2: ROLLBACK_SUCCESSFUL"
        f" ({CIRCUIT_BREAKER_REASON}); rolled back to web:1"
    )
    (service,) = world.ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert service["taskDefinition"] == _task_definition(1)


def test_watcher_reports_a_failed_rollback(world: World) -> None:
    world.plan(outcome="ROLLBACK_FAILED", in_progress_for=20, rollback_for=20)
    _update(world, 2)
    result = _watch(world)
    assert (result.status, result.reason, result.polls) == (
        "ROLLBACK_FAILED",
        CIRCUIT_BREAKER_REASON,
        4,
    )
    assert result.rolled_back_to == world.first_revision
    assert (result.succeeded, result.rolled_back) == (False, False)


def test_watcher_reports_a_planned_stop(world: World) -> None:
    world.plan(outcome="STOPPED", in_progress_for=50)
    _update(world, 2)
    result = _watch(world)
    assert (result.status, result.reason, result.polls) == (
        "STOPPED",
        "Service deployment stopped.",
        5,
    )
    assert result.rolled_back_to is None


def test_watcher_reports_a_deployment_superseded_by_another_update(world: World) -> None:
    world.plan(in_progress_for=300)
    watched = _update(world, 2)

    def sleep_and_redeploy(seconds: float) -> None:
        world.sleep(seconds)
        if len(world.sleeps) == 2:
            world.ecs.update_service(cluster="prod", service="web", taskDefinition="web:3")

    wait: Callable[..., Any] = WATCHER["wait_for_newest_deployment"]
    result = wait(world.ecs, "prod", "web", 15, 600, sleep=sleep_and_redeploy)
    assert (result.deployment_arn, result.status, result.reason) == (
        watched,
        "STOPPED",
        SUPERSEDED_REASON,
    )
    assert result.target_task_definition == _task_definition(2)
    assert result.polls == 3


def test_watcher_reports_a_rollback_after_a_pause_hook_timed_out(world: World) -> None:
    hook = {
        "targetType": "PAUSE",
        "lifecycleStages": ["POST_SCALE_UP"],
        "timeoutConfiguration": {"timeoutInMinutes": 2},
    }
    arn = _update(world, 2, deploymentConfiguration={"lifecycleHooks": [hook]})
    result = _watch(world)
    (described,) = world.ecs.describe_service_deployments(serviceDeploymentArns=[arn])[
        "serviceDeployments"
    ]
    hook_id = described["lifecycleHookDetails"][0]["hookId"]
    assert (result.status, result.rolled_back_to_task_definition, result.polls) == (
        "ROLLBACK_SUCCESSFUL",
        _task_definition(1),
        9,
    )
    assert result.reason == f"Service deployment rolled back: lifecycle hook {hook_id} timed out."
    assert described["finishedAt"] == T0 + timedelta(minutes=2)


def test_watcher_returns_at_once_for_a_completed_deployment(world: World) -> None:
    arn = _update(world, 2)
    result = _watch(world)
    assert (result.deployment_arn, result.status, result.polls) == (arn, "SUCCESSFUL", 1)
    assert world.sleeps == []


def test_watcher_times_out(world: World) -> None:
    world.plan(in_progress_for=3600)
    arn = _update(world, 2)
    with pytest.raises(TimeoutError) as excinfo:
        _watch(world, timeout_seconds=300)
    assert str(excinfo.value) == (
        f"service deployment {arn} is still IN_PROGRESS after 300 seconds"
    )
    assert world.sleeps == [15] * 20


def test_watcher_times_out_when_no_deployment_appears(world: World) -> None:
    world.ecs.create_service(
        cluster="prod",
        serviceName="blue-green",
        taskDefinition="web:1",
        desiredCount=1,
        deploymentController={"type": "CODE_DEPLOY"},
    )
    with pytest.raises(TimeoutError) as excinfo:
        _watch(world, timeout_seconds=60, service="blue-green")
    assert str(excinfo.value) == (
        "service blue-green in cluster prod has no deployment after 60 seconds"
    )
    assert world.sleeps == [15] * 4


def test_watcher_main_runs_in_the_mock(capsys: pytest.CaptureFixture[str]) -> None:
    result = WATCHER["main"]()
    assert (result.status, result.reason) == ("ROLLBACK_SUCCESSFUL", CIRCUIT_BREAKER_REASON)
    assert result.target_task_definition == _task_definition(2)
    assert result.rolled_back_to_task_definition == _task_definition(1)
    out = capsys.readouterr().out
    assert out.endswith(f": ROLLBACK_SUCCESSFUL ({CIRCUIT_BREAKER_REASON}); rolled back to web:1\n")


# -- rollback_on_interrupt.py --------------------------------------------------------------------


def _interrupting_sleep(world: World, on_call: int) -> Callable[[float], None]:
    """Sleeps (moving the frozen clock), and is interrupted once, on its ``on_call``-th call."""

    def sleep(seconds: float) -> None:
        world.sleep(seconds)
        if len(world.sleeps) == on_call:
            raise KeyboardInterrupt

    return sleep


def _deploy(
    world: World, sleep: Callable[[float], None] | None = None, task_definition: str = "web:2"
) -> Any:
    deploy: Callable[..., Any] = STEP["deploy"]
    return deploy(world.ecs, "prod", "web", task_definition, 15, 600, sleep=sleep or world.sleep)


def _describe(world: World, arn: str) -> dict[str, Any]:
    (described,) = world.ecs.describe_service_deployments(serviceDeploymentArns=[arn])[
        "serviceDeployments"
    ]
    result: dict[str, Any] = described
    return result


def _moto_task_definition(world: World) -> str:
    (service,) = world.ecs.describe_services(cluster="prod", services=["web"])["services"]
    return str(service["taskDefinition"])


def test_step_without_interrupt_deploys(world: World) -> None:
    world.plan(in_progress_for=45)
    result = _deploy(world)
    newest = world.ecs.list_service_deployments(cluster="prod", service="web")[
        "serviceDeployments"
    ][0]
    assert result == STEP["StepResult"](
        deployment_arn=newest["serviceDeploymentArn"], status="SUCCESSFUL", interrupted=False
    )
    assert result.exit_code == 0
    assert world.calls("StopServiceDeployment") == []
    assert world.sleeps == [15] * 3


def test_step_interrupted_while_in_progress_rolls_back(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.plan(in_progress_for=300, rollback_for=40)
    result = _deploy(world, _interrupting_sleep(world, 3))
    (started, first) = world.ecs.list_service_deployments(cluster="prod", service="web")[
        "serviceDeployments"
    ]
    assert result == STEP["StepResult"](
        deployment_arn=started["serviceDeploymentArn"],
        status="ROLLBACK_SUCCESSFUL",
        interrupted=True,
        reason=USER_ROLLBACK_REASON,
        rolled_back_to=world.first_revision,
    )
    assert result.exit_code == 130
    (stop,) = world.calls("StopServiceDeployment")
    assert stop.params == {
        "serviceDeploymentArn": started["serviceDeploymentArn"],
        "stopType": "ROLLBACK",
    }
    assert (stop.status, stop.error_code) == (200, None)
    described = _describe(world, started["serviceDeploymentArn"])
    assert described["rollback"] == {
        "reason": USER_ROLLBACK_REASON,
        "startedAt": T0 + timedelta(seconds=45),
        "serviceRevisionArn": first["targetServiceRevisionArn"],
    }
    assert described["finishedAt"] == T0 + timedelta(seconds=85)
    assert world.now() == T0 + timedelta(seconds=90)
    assert _moto_task_definition(world) == _task_definition(1)
    assert capsys.readouterr().out == (
        f"interrupted: rolling back {started['serviceDeploymentArn']}\n"
    )


def test_step_interrupted_while_pending_rolls_back(world: World) -> None:
    world.plan(pending_for=120, in_progress_for=60, rollback_for=10)
    result = _deploy(world, _interrupting_sleep(world, 2))
    assert (result.status, result.interrupted, result.rolled_back_to) == (
        "ROLLBACK_SUCCESSFUL",
        True,
        world.first_revision,
    )
    described = _describe(world, result.deployment_arn)
    assert "startedAt" not in described
    assert described["finishedAt"] == T0 + timedelta(seconds=40)
    assert _moto_task_definition(world) == _task_definition(1)


def test_step_interrupted_after_the_deployment_finished_rolls_nothing_back(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.plan(in_progress_for=20)
    # Interrupted at T0+30; the deployment was done at T0+20.
    result = _deploy(world, _interrupting_sleep(world, 2), _task_definition(2))
    assert (result.status, result.interrupted, result.rolled_back_to) == (
        "SUCCESSFUL",
        True,
        None,
    )
    assert result.exit_code == 130
    (stop,) = world.calls("StopServiceDeployment")
    assert (stop.status, stop.error_code) == (400, "ConflictException")
    out = capsys.readouterr().out
    assert out.endswith(
        f"nothing to roll back: The service deployment {result.deployment_arn} is SUCCESSFUL"
        " and cannot be stopped.\n"
    )
    assert _moto_task_definition(world) == _task_definition(2)


def test_step_reports_a_failed_deployment(world: World) -> None:
    world.plan(outcome="ROLLBACK_FAILED", in_progress_for=10, rollback_for=10)
    result = _deploy(world)
    assert (result.status, result.interrupted, result.exit_code) == ("ROLLBACK_FAILED", False, 1)
    assert result.reason == CIRCUIT_BREAKER_REASON


def test_step_finds_its_own_deployment_among_newer_ones(world: World) -> None:
    world.plan(in_progress_for=60)
    # Someone else deploys web:3 right after the step's own UpdateService: the step still
    # follows the deployment of web:2 (which that superseded), not the newest one.
    original_update = world.ecs.update_service

    def update_then_another(**kwargs: Any) -> Any:
        answer = original_update(**kwargs)
        original_update(cluster="prod", service="web", taskDefinition="web:3")
        return answer

    world.ecs.update_service = update_then_another
    result = _deploy(world)
    newest, own, _ = world.ecs.list_service_deployments(cluster="prod", service="web")[
        "serviceDeployments"
    ]
    assert result.deployment_arn == own["serviceDeploymentArn"]
    assert (result.status, result.reason) == ("STOPPED", SUPERSEDED_REASON)
    revision = world.ecs.describe_service_revisions(
        serviceRevisionArns=[own["targetServiceRevisionArn"]]
    )["serviceRevisions"][0]
    assert revision["taskDefinition"] == _task_definition(2)
    assert newest["status"] == "SUCCESSFUL"
    assert world.sleeps == []


def test_step_main_runs_in_the_mock(capsys: pytest.CaptureFixture[str]) -> None:
    result = STEP["main"]()
    assert (result.status, result.interrupted, result.reason, result.exit_code) == (
        "ROLLBACK_SUCCESSFUL",
        True,
        USER_ROLLBACK_REASON,
        130,
    )
    out = capsys.readouterr().out
    assert out.endswith(
        f"ROLLBACK_SUCCESSFUL: {USER_ROLLBACK_REASON}; the service runs {_task_definition(1)}\n"
    )
