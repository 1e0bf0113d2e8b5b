"""examples/alarm_rollback_step.py: the deploy step ships a new image to a CANARY service that
watches an alarm in moto's CloudWatch, and reports what ECS did with it: kept it, rolled it back
because the alarm fired during the bake, or stopped it; the step's own sleep moves freezegun's
clock and fires the alarm."""

from __future__ import annotations

import runpy
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from mock_ecs_deployments import ServiceDeploymentsMock

from .clients import quiet_alarm

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "alarm_rollback_step.py"
STEP = runpy.run_path(str(EXAMPLE))

REGION = "us-east-1"
TD = f"arn:aws:ecs:{REGION}:123456789012:task-definition/web"
T0 = datetime(2025, 10, 6, 14, 0, tzinfo=timezone.utc)
ALARM = "web-5xx"
ALARM_REASON = "Alarm detected."
NEW_IMAGE = "public.ecr.aws/acme/web:1.1"
# SCALE_UP lasts 60 s (the plan), the canary's bake 5 minutes, the final bake 10 minutes.
SCALE_UP = 60
CANARY = {
    "strategy": "CANARY",
    "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 5},
    "bakeTimeInMinutes": 10,
}
ROLLBACK_SECONDS = 120

# The step deploys through moto's UpdateService and the alarm is moto's CloudWatch's.
pytestmark = pytest.mark.service_deployments(with_moto=True)


@dataclass
class World:
    """A frozen clock, the mock beside moto, service web on web:1, and the alarm, OK."""

    frozen: Any
    mock: ServiceDeploymentsMock
    ecs: Any
    cloudwatch: Any
    sleeps: list[float] = field(default_factory=list)
    # After how many seconds of the step's sleeping the alarm goes to ALARM (None: never).
    alarm_after: float | None = None

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.frozen.tick(seconds)
        if self.alarm_after is not None and sum(self.sleeps) == self.alarm_after:
            self.cloudwatch.set_alarm_state(
                AlarmName=ALARM, StateValue="ALARM", StateReason="5xx spike"
            )

    def deploy(self) -> Any:
        deploy: Callable[..., Any] = STEP["deploy"]
        return deploy(self.ecs, "prod", "web", NEW_IMAGE, poll_seconds=30, sleep=self.sleep)

    def service(self) -> dict[str, Any]:
        (service,) = self.ecs.describe_services(cluster="prod", services=["web"])["services"]
        return dict(service)

    def history(self) -> list[dict[str, Any]]:
        page = self.ecs.list_service_deployments(cluster="prod", service="web")
        return list(page["serviceDeployments"])


def _world(frozen: Any, mock: ServiceDeploymentsMock, ecs: Any, rollback: bool) -> World:
    cloudwatch = quiet_alarm(ALARM, threshold=5.0, region=REGION)
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(
        family="web",
        containerDefinitions=[
            {"name": "app", "image": "public.ecr.aws/acme/web:1.0", "memory": 256},
            {"name": "sidecar", "image": "public.ecr.aws/acme/proxy:3", "memory": 64},
        ],
    )
    alarms = {"alarmNames": [ALARM], "enable": True, "rollback": rollback}
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=2,
        deploymentConfiguration={**CANARY, "alarms": alarms},
    )
    mock.backend().plan_next_deployment(
        "web", "prod", in_progress_for=SCALE_UP, rollback_for=ROLLBACK_SECONDS
    )
    return World(frozen, mock, ecs, cloudwatch)


@pytest.fixture
def world(frozen: Any, mock: ServiceDeploymentsMock, ecs: Any) -> World:
    return _world(frozen, mock, ecs, rollback=True)


def test_an_alarm_in_the_bake_is_reported_as_a_rollback_with_its_name(world: World) -> None:
    world.alarm_after = 480  # the canary's bake is over at 360 s: in BAKE_TIME
    (first,) = world.history()

    result = world.deploy()

    (own, _) = world.history()
    assert result == STEP["DeployResult"](
        task_definition=f"{TD}:2",
        deployment_arn=own["serviceDeploymentArn"],
        status="ROLLBACK_SUCCESSFUL",
        reason=ALARM_REASON,
        triggered_alarms=(ALARM,),
        rolled_back_to=first["targetServiceRevisionArn"],
        polls=21,
    )
    assert (result.succeeded, result.rolled_back) == (False, True)
    assert result.summary() == (
        f"web:2: ROLLBACK_SUCCESSFUL ({ALARM_REASON}); alarms in ALARM: {ALARM}"
    )
    # It polled through the rollback's two minutes: the first poll that saw it done is at 600 s.
    assert world.sleeps == [30] * 20
    assert datetime.now(timezone.utc) == T0 + timedelta(seconds=600)

    service = world.service()
    assert service["taskDefinition"] == f"{TD}:1"
    (primary,) = service["deployments"]
    assert (primary["taskDefinition"], primary["rolloutState"]) == (f"{TD}:1", "COMPLETED")
    assert service["runningCount"] == 2
    (described,) = world.ecs.describe_service_deployments(
        serviceDeploymentArns=[result.deployment_arn]
    )["serviceDeployments"]
    assert described["alarms"]["status"] == "TRIGGERED"
    assert described["rollback"]["startedAt"] == T0 + timedelta(seconds=480)


def test_the_new_revision_changes_only_the_first_container_s_image(world: World) -> None:
    world.deploy()
    registered = world.ecs.describe_task_definition(taskDefinition="web:2")["taskDefinition"]
    images = [(c["name"], c["image"]) for c in registered["containerDefinitions"]]
    assert images == [("app", NEW_IMAGE), ("sidecar", "public.ecr.aws/acme/proxy:3")]


def test_without_an_alarm_the_step_reports_success(world: World) -> None:
    result = world.deploy()

    assert (result.status, result.reason, result.triggered_alarms) == ("SUCCESSFUL", None, ())
    assert (result.succeeded, result.rolled_back, result.rolled_back_to) == (True, False, None)
    assert result.summary() == "web:2: SUCCESSFUL"
    # SCALE_UP, the canary's bake and the final bake: 960 s, seen at the poll on it.
    assert world.sleeps == [30] * 32
    (own, _) = world.history()
    assert own["status"] == "SUCCESSFUL"
    assert world.service()["taskDefinition"] == f"{TD}:2"


def test_an_alarm_that_fired_before_the_deployment_needs_to_fire_again(world: World) -> None:
    world.cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="noisy")
    world.frozen.tick(1)

    result = world.deploy()

    assert (result.status, result.triggered_alarms) == ("SUCCESSFUL", ())


def test_with_rollback_off_the_step_reports_the_deployment_stopped(
    frozen: Any, mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    world = _world(frozen, mock, ecs, rollback=False)
    world.alarm_after = 120  # during the canary's bake

    result = world.deploy()

    assert (result.status, result.reason, result.triggered_alarms) == (
        "STOPPED",
        ALARM_REASON,
        (ALARM,),
    )
    assert (result.succeeded, result.rolled_back, result.rolled_back_to) == (False, False, None)
    assert result.summary() == f"web:2: STOPPED ({ALARM_REASON}); alarms in ALARM: {ALARM}"
    assert world.sleeps == [30] * 4
    # Nothing rolled back: the service keeps the new task definition, its rollout FAILED.
    service = world.service()
    assert service["taskDefinition"] == f"{TD}:2"
    assert service["deployments"][0]["rolloutState"] == "FAILED"


def test_failing_tasks_are_reported_with_the_circuit_breaker_s_reason(
    frozen: Any, mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    world = _world(frozen, mock, ecs, rollback=True)
    world.ecs.update_service(
        cluster="prod",
        service="web",
        deploymentConfiguration={
            **CANARY,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        },
    )
    mock.backend().fail_tasks("web:2", exit_code=137, reason="OutOfMemoryError")

    result = world.deploy()

    assert (result.status, result.reason, result.triggered_alarms) == (
        "ROLLBACK_SUCCESSFUL",
        "ECS deployment circuit breaker: tasks failed to start.",
        (),
    )
    assert world.service()["taskDefinition"] == f"{TD}:1"


def test_an_unknown_container_is_refused_before_anything_is_registered(world: World) -> None:
    with pytest.raises(ValueError, match="has no container named 'api'"):
        STEP["deploy"](world.ecs, "prod", "web", NEW_IMAGE, container="api", sleep=world.sleep)
    families = world.ecs.list_task_definitions(familyPrefix="web")["taskDefinitionArns"]
    assert families == [f"{TD}:1"]


def test_the_step_times_out(world: World) -> None:
    with pytest.raises(TimeoutError, match="is still IN_PROGRESS after 300 seconds"):
        STEP["deploy"](world.ecs, "prod", "web", NEW_IMAGE, timeout_seconds=300, sleep=world.sleep)
    assert world.sleeps == [15] * 20


def test_the_example_runs_as_a_script() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"web:2: ROLLBACK_SUCCESSFUL ({ALARM_REASON}); alarms in ALARM: {ALARM}",
        f"running: {TD}:1",
    ]
