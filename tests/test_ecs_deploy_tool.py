"""fabfuel's ecs-deploy (the ``ecs`` command, a click app), the real tool, against the mock: in
process beside moto, and as a subprocess against server mode.

``ecs deploy`` registers a task definition, calls UpdateService, then polls on the real clock:
DescribeServices (a PRIMARY with rolloutState FAILED fails it; events saying "unable" after
the PRIMARY's createdAt fail it too) until one deployment is left and ListTasks and
DescribeTasks show ``desiredCount`` RUNNING tasks of the service's task definition. Its
``--rollback`` deploys the previous task definition when the wait raised its
``TaskPlacementError`` (a timeout or an "unable" event); a FAILED rollout raises its
``EcsDeploymentError`` instead, which ``--rollback`` does not catch. So time is never frozen
here: the rollouts are planned to last a few real seconds, and the tool sleeps through them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from ecs_deploy.cli import ecs as ecs_command

from mock_ecs_deployments import ServiceDeploymentsMock, serve_in_thread

from .clients import endpoint_client

REGION = "us-east-1"
ACCOUNT = "123456789012"
TD = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/web"
#: How long each planned rollout lasts, in real seconds: the tool must poll through it.
ROLLOUT_SECONDS = 2
BREAKER = "ECS deployment circuit breaker: tasks failed to start."
SCHEDULER_STOP = "ServiceSchedulerInitiated"
ROLLED_BACK = "Deployment failed, but service has been rolled back to previous task definition"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
}

# CreateService, UpdateService, DescribeServices, ListTasks and DescribeTasks are moto's.
pytestmark = pytest.mark.service_deployments(with_moto=True)


def run_tool(*arguments: str) -> tuple[Result, float]:
    """``ecs ARGUMENTS`` in this process (the mock answers its clients), and how long it took
    on the real clock."""
    started = time.monotonic()
    result = CliRunner().invoke(ecs_command, list(arguments), env=FAKE_CREDENTIALS)
    return result, time.monotonic() - started


def polls(output: str) -> int:
    """How many times the tool read the service while it waited: one dot per poll, on the
    line after its title (the last wait's, when it waited twice)."""
    waits = re.findall(r"^(?:Deploying|Scaling)[^\n]*\n(\.*)", output, flags=re.MULTILINE)
    assert waits, output
    return len(waits[-1])


def create_web(ecs: Any, *, images: Sequence[str], breaker: dict[str, bool] | None = None) -> None:
    """Cluster prod; task definitions web:1, web:2... (container ``app``, one per image); and
    service web on the last of them, desiredCount 2 (its first deployment done at once)."""
    ecs.create_cluster(clusterName="prod")
    for image in images:
        ecs.register_task_definition(
            family="web", containerDefinitions=[{"name": "app", "image": image, "memory": 128}]
        )
    configuration = {} if breaker is None else {"deploymentCircuitBreaker": breaker}
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition=f"web:{len(images)}",
        desiredCount=2,
        deploymentConfiguration=configuration,
    )


def service_of(ecs: Any) -> dict[str, Any]:
    return dict(ecs.describe_services(cluster="prod", services=["web"])["services"][0])


def history(ecs: Any) -> list[str]:
    """The service's deployments' statuses, newest first."""
    page = ecs.list_service_deployments(cluster="prod", service="web")
    return [item["status"] for item in page["serviceDeployments"]]


def tasks_of(ecs: Any, desired_status: str = "RUNNING") -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster="prod", serviceName="web", desiredStatus=desired_status)
    if not arns["taskArns"]:
        return []
    return list(ecs.describe_tasks(cluster="prod", tasks=arns["taskArns"])["tasks"])


def running(ecs: Any) -> list[tuple[str, str]]:
    """(task definition revision, lastStatus) of each task ListTasks says should run."""
    return sorted(
        (task["taskDefinitionArn"].removeprefix(f"{TD}:"), task["lastStatus"])
        for task in tasks_of(ecs)
    )


def td_status(ecs: Any, revision: int) -> str:
    return str(
        ecs.describe_task_definition(taskDefinition=f"web:{revision}")["taskDefinition"]["status"]
    )


@pytest.fixture
def ecs(service_deployments: ServiceDeploymentsMock, ecs_client: Any) -> Any:
    """A boto3 ECS client beside moto, on the real clock (the tool sleeps on it)."""
    return ecs_client


def test_deploy_waits_through_the_rollout_then_the_new_tasks_run(
    service_deployments: ServiceDeploymentsMock, ecs: Any
) -> None:
    create_web(ecs, images=["nginx:1"])
    replaced = tasks_of(ecs)
    assert len(replaced) == 2
    service_deployments.backend().plan_next_deployment(
        "web", "prod", in_progress_for=ROLLOUT_SECONDS
    )

    result, elapsed = run_tool(
        "deploy", "prod", "web", "--image", "app", "nginx:2", "--timeout", "60",
        "--sleep-time", "1",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert 'Changed image of container "app" to: "nginx:2" (was: "nginx:1")' in result.output
    assert "Successfully changed task definition to: web:2" in result.output
    assert "Deployment successful" in result.output
    assert "Successfully deregistered revision: 1" in result.output
    # It had to wait: the rollout lasted ROLLOUT_SECONDS of real time, polled once a second.
    assert elapsed >= ROLLOUT_SECONDS
    assert polls(result.output) >= ROLLOUT_SECONDS + 1, result.output
    service = service_of(ecs)
    assert service["taskDefinition"] == f"{TD}:2"
    assert [(d["status"], d["rolloutState"]) for d in service["deployments"]] == [
        ("PRIMARY", "COMPLETED")
    ]
    assert history(ecs) == ["SUCCESSFUL", "SUCCESSFUL"]
    assert running(ecs) == [("2", "RUNNING"), ("2", "RUNNING")]
    stopped = {task["taskArn"]: task for task in tasks_of(ecs, "STOPPED")}
    assert sorted(stopped) == sorted(task["taskArn"] for task in replaced)
    assert {
        (task["taskDefinitionArn"], task["lastStatus"], task["stopCode"])
        for task in stopped.values()
    } == {(f"{TD}:1", "STOPPED", SCHEDULER_STOP)}
    assert (td_status(ecs, 1), td_status(ecs, 2)) == ("INACTIVE", "ACTIVE")


def test_scale_changes_the_count_without_a_deployment(
    service_deployments: ServiceDeploymentsMock, ecs: Any
) -> None:
    create_web(ecs, images=["nginx:1", "nginx:2"])
    before = history(ecs)

    result, _ = run_tool("scale", "prod", "web", "3", "--timeout", "30")

    assert result.exit_code == 0, result.output
    assert "Successfully changed desired count to: 3" in result.output
    assert "Scaling successful" in result.output
    assert history(ecs) == before == ["SUCCESSFUL"]
    service = service_of(ecs)
    assert (service["desiredCount"], service["runningCount"]) == (3, 3)
    assert service["taskDefinition"] == f"{TD}:2"
    assert running(ecs) == [("2", "RUNNING")] * 3


def test_a_tripped_circuit_breaker_fails_the_deploy_and_rollback_does_not_catch_it(
    service_deployments: ServiceDeploymentsMock, ecs: Any
) -> None:
    create_web(ecs, images=["nginx:1", "nginx:2"], breaker={"enable": True, "rollback": False})
    service_deployments.backend().fail_tasks("web:3", exit_code=1, reason="crashed")

    result, _ = run_tool(
        "deploy", "prod", "web", "--image", "app", "nginx:3", "--rollback", "--timeout", "60",
    )  # fmt: skip

    assert result.exit_code == 1, result.output
    assert f"Deployment Failed! {BREAKER}" in result.output
    # ecs-deploy raises EcsDeploymentError for a FAILED rollout; its --rollback only catches
    # TaskPlacementError (a timeout, an "unable" event): no rollback, web:2 still registered.
    assert ROLLED_BACK not in result.output
    assert "Rolling back" not in result.output
    assert "Deregister task definition" not in result.output
    service = service_of(ecs)
    assert service["taskDefinition"] == f"{TD}:3"
    assert [(d["status"], d["rolloutState"], d["failedTasks"]) for d in service["deployments"]] == [
        ("PRIMARY", "FAILED", 3),
        ("ACTIVE", "COMPLETED", 0),
    ]
    assert history(ecs) == ["STOPPED", "SUCCESSFUL"]
    # What ran before goes on running; the failed tasks stopped with their container's code.
    assert running(ecs) == [("2", "RUNNING"), ("2", "RUNNING")]
    codes = [t["stopCode"] for t in tasks_of(ecs, "STOPPED") if t["taskDefinitionArn"] == f"{TD}:3"]
    assert codes.count("EssentialContainerExited") == 3  # the breaker's threshold
    assert (td_status(ecs, 2), td_status(ecs, 3)) == ("ACTIVE", "ACTIVE")


def test_a_timed_out_deploy_is_rolled_back_by_the_tool(
    service_deployments: ServiceDeploymentsMock, ecs: Any
) -> None:
    # No circuit breaker: the failing tasks are retried for ever, and the tool times out.
    create_web(ecs, images=["nginx:1", "nginx:2"])
    service_deployments.backend().fail_tasks("web:3", exit_code=1, reason="crashed")

    result, elapsed = run_tool(
        "deploy", "prod", "web", "--image", "app", "nginx:3", "--rollback", "--timeout", "3",
    )  # fmt: skip

    assert result.exit_code == 1, result.output
    assert elapsed >= 3
    assert "Deployment failed due to timeout." in result.output
    assert "Rolling back to task definition: web:2" in result.output
    assert "Rollback successful" in result.output
    assert f"{ROLLED_BACK}: web:2" in result.output
    assert "Successfully deregistered revision: 3" in result.output
    service = service_of(ecs)
    assert service["taskDefinition"] == f"{TD}:2"
    assert [(d["status"], d["rolloutState"]) for d in service["deployments"]] == [
        ("PRIMARY", "COMPLETED")
    ]
    assert history(ecs)[0] == "SUCCESSFUL"  # the tool's deploy of web:2
    assert running(ecs) == [("2", "RUNNING"), ("2", "RUNNING")]
    assert (td_status(ecs, 2), td_status(ecs, 3)) == ("ACTIVE", "INACTIVE")


def test_tasks_that_cannot_be_placed_fail_the_deploy_on_the_unable_event(
    service_deployments: ServiceDeploymentsMock, ecs: Any
) -> None:
    # The tool reads AWS's "was unable to place a task" event and rolls back by itself.
    create_web(ecs, images=["nginx:1", "nginx:2"])
    service_deployments.backend().fail_placement("web:3")

    result, _ = run_tool(
        "deploy", "prod", "web", "--image", "app", "nginx:3", "--rollback", "--timeout", "30",
    )  # fmt: skip

    assert result.exit_code == 1, result.output
    unable = (  # the service runs on EC2 (moto's default launch type)
        "(service web) was unable to place a task because no container instance met all of its"
        " requirements. Reason: No Container Instances were found in your cluster."
    )
    assert f"ERROR: {unable}" in result.output
    assert "Rolling back to task definition: web:2" in result.output
    assert f"{ROLLED_BACK}: web:2" in result.output
    assert service_of(ecs)["taskDefinition"] == f"{TD}:2"
    assert running(ecs) == [("2", "RUNNING"), ("2", "RUNNING")]


def test_a_circuit_breaker_rollback_is_reported_as_a_successful_deploy(
    service_deployments: ServiceDeploymentsMock, ecs: Any
) -> None:
    create_web(ecs, images=["nginx:1", "nginx:2"], breaker={"enable": True, "rollback": True})
    backend = service_deployments.backend()
    backend.fail_tasks("web:3", exit_code=1, reason="crashed")
    # A task fails every in_progress_for / desiredCount: 2 s apart, so the tool's polls (1 s
    # apart) see the PRIMARY with 1, then 2 failed tasks before the breaker trips at 3.
    backend.plan_next_deployment("web", "prod", in_progress_for=4, rollback_for=1)

    result, _ = run_tool(
        "deploy", "prod", "web", "--image", "app", "nginx:3", "--rollback", "--timeout", "60",
    )  # fmt: skip

    # The tool logs the PRIMARY's failedTasks while it grows, then takes the rollback for the
    # PRIMARY: one deployment of the service's task definition (web:2 again) with its tasks
    # running, so "successful".
    assert result.exit_code == 0, result.output
    assert re.findall(r"(\d+) tasks failed to start", result.output) == ["1", "2"], result.output
    assert "Deployment Failed!" not in result.output
    assert "Deployment successful" in result.output
    # ... and deregisters the task definition it started from, which the service runs again.
    assert "Successfully deregistered revision: 2" in result.output
    service = service_of(ecs)
    assert service["taskDefinition"] == f"{TD}:2"
    assert history(ecs)[0] == "ROLLBACK_SUCCESSFUL"
    assert running(ecs) == [("2", "RUNNING"), ("2", "RUNNING")]
    assert (td_status(ecs, 2), td_status(ecs, 3)) == ("INACTIVE", "ACTIVE")


# -- server mode: the tool as its own process -------------------------------------------------


@pytest.fixture
def server() -> Iterator[Any]:
    with serve_in_thread() as endpoint:
        yield endpoint


@pytest.mark.allow_hosts(["127.0.0.1", "::1"])
def test_deploy_against_the_server_from_its_own_process(server: Any, tmp_path: Path) -> None:
    ecs = endpoint_client(server)
    create_web(ecs, images=["nginx:1"])
    server.plan_next_deployment("web", "prod", in_progress_for=ROLLOUT_SECONDS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        FAKE_CREDENTIALS,
        HOME=str(tmp_path),
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ENDPOINT_URL_ECS=str(server),
        AWS_ENDPOINT_URL=str(server),  # nothing else the tool might call reaches AWS
    )
    command = [sys.executable, "-m", "ecs_deploy.cli", "deploy", "prod", "web"]
    command += ["--image", "app", "nginx:2", "--timeout", "60", "--sleep-time", "1"]

    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Deployment successful" in done.stdout
    assert polls(done.stdout) >= ROLLOUT_SECONDS + 1, done.stdout
    service = service_of(ecs)
    assert service["taskDefinition"] == f"{TD}:2"
    assert history(ecs) == ["SUCCESSFUL", "SUCCESSFUL"]
    assert running(ecs) == [("2", "RUNNING"), ("2", "RUNNING")]
    assert td_status(ecs, 1) == "INACTIVE"
