"""examples/deploy_and_wait.py: botocore's services_stable waiter waits through a planned rollout
of a service moto created, and the history it prints afterwards is the mock's."""

from __future__ import annotations

import runpy
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import WaiterError

from mock_ecs_deployments import ServiceDeploymentsMock

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "deploy_and_wait.py"
STEP = runpy.run_path(str(EXAMPLE))

UTC = timezone.utc
REGION = "us-east-1"
PREFIX = f"arn:aws:ecs:{REGION}:123456789012"
T0 = datetime(2025, 10, 6, 14, 0, tzinfo=UTC)
ROLLOUT = 600


@dataclass
class World:
    """A frozen clock, the mock beside moto, and service web on web:1 with a planned rollout."""

    frozen: Any
    mock: ServiceDeploymentsMock
    ecs: Any
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.frozen.tick(seconds)

    def deploy(self, **options: Any) -> list[dict[str, Any]]:
        history: list[dict[str, Any]] = STEP["deploy"](
            self.ecs, "prod", "web", "web:2", sleep=self.sleep, **options
        )
        return history

    def service(self) -> dict[str, Any]:
        (service,) = self.ecs.describe_services(cluster="prod", services=["web"])["services"]
        return dict(service)


# The example deploys through moto's UpdateService: the shared mock is beside moto's mock_aws.
pytestmark = pytest.mark.service_deployments(with_moto=True)


@pytest.fixture
def world(frozen: Any, mock: ServiceDeploymentsMock, ecs: Any) -> World:
    ecs.create_cluster(clusterName="prod")
    for version in (1, 2):
        ecs.register_task_definition(
            family="web",
            containerDefinitions=[
                {"name": "app", "image": f"public.ecr.aws/acme/web:{version}", "memory": 256}
            ],
        )
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=2)
    mock.backend().plan_next_deployment("web", "prod", in_progress_for=ROLLOUT)
    return World(frozen, mock, ecs)


def _rows(out: str) -> list[list[str]]:
    """The history table's rows: created date and time, finished date and time, status,
    revision id, task definition."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("created (UTC)")) + 1
    return [line.split() for line in lines[start:] if not line.startswith("running:")]


def test_the_waiter_gives_up_when_polled_too_few_times_during_the_rollout(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(WaiterError, match="Max attempts exceeded") as raised:
        world.deploy(delay=15, max_attempts=3)
    assert world.sleeps == [15, 15]
    assert datetime.now(UTC) == T0 + timedelta(seconds=30)
    # What the last poll saw: web:2 rolling out beside web:1.
    (polled,) = raised.value.last_response["services"]
    assert [(d["status"], d["rolloutState"]) for d in polled["deployments"]] == [
        ("PRIMARY", "IN_PROGRESS"),
        ("ACTIVE", "COMPLETED"),
    ]
    assert polled["deployments"][0]["taskDefinition"] == f"{PREFIX}:task-definition/web:2"
    assert capsys.readouterr().out == ""  # no history printed for a deploy that did not finish


@pytest.mark.parametrize(
    ("delay", "polls"),
    [
        (15, 41),  # polls at 0, 15, ..., 585 see the rollout; the one at 600 does not
        (ROLLOUT, 2),  # the second poll lands on the rollout's end
        (ROLLOUT - 1, 3),  # the second lands a second early: a third poll is needed
    ],
)
def test_the_waiter_succeeds_at_its_first_poll_after_the_rollout(
    world: World, capsys: pytest.CaptureFixture[str], delay: float, polls: int
) -> None:
    world.deploy(delay=delay, max_attempts=60)
    assert world.sleeps == [delay] * (polls - 1)
    assert datetime.now(UTC) == T0 + timedelta(seconds=delay * (polls - 1))
    assert f"service web is stable after {polls} polls" in capsys.readouterr().out


def test_the_history_is_printed_newest_first_and_describe_services_agrees(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    history = world.deploy(delay=15, max_attempts=60)
    out = capsys.readouterr().out
    rows = _rows(out)
    revisions = [item["targetServiceRevisionArn"].rsplit("/", 1)[1] for item in history]
    assert rows == [
        ["2025-10-06", "14:00:00", "2025-10-06", "14:10:00", "SUCCESSFUL", revisions[0], "web:2"],
        ["2025-10-06", "14:00:00", "2025-10-06", "14:00:00", "SUCCESSFUL", revisions[1], "web:1"],
    ]
    assert [item["status"] for item in history] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert out.splitlines()[-1] == f"running: {PREFIX}:task-definition/web:2"

    service = world.service()
    (primary,) = service["deployments"]
    assert primary["status"] == "PRIMARY"
    assert primary["rolloutState"] == "COMPLETED"
    assert primary["id"] == f"ecs-svc/{revisions[0]}"
    assert primary["taskDefinition"] == service["taskDefinition"]
    assert service["taskDefinition"] == f"{PREFIX}:task-definition/web:2"
    assert (service["runningCount"], service["pendingCount"]) == (2, 0)
    assert service["events"][0]["message"] == "(service web) has reached a steady state."


def test_a_missing_service_fails_the_waiter_at_once(world: World) -> None:
    with pytest.raises(WaiterError, match="terminal failure state"):
        STEP["wait_until_stable"](world.ecs, "prod", "api", max_attempts=60, sleep=world.sleep)
    assert world.sleeps == []


def test_the_example_runs_as_a_script() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "service web is stable after 41 polls" in done.stdout
    rows = _rows(done.stdout)
    assert [(row[4], row[6]) for row in rows] == [("SUCCESSFUL", "web:2"), ("SUCCESSFUL", "web:1")]
    # web:2 finished ten minutes of the mock's clock after it was created.
    created = datetime.fromisoformat(f"{rows[0][0]}T{rows[0][1]}")
    finished = datetime.fromisoformat(f"{rows[0][2]}T{rows[0][3]}")
    assert finished - created == timedelta(seconds=ROLLOUT)
    assert done.stdout.splitlines()[-1] == f"running: {PREFIX}:task-definition/web:2"
