"""The real AWS CLI (``aws``, the one this environment installs) through a managed daemon's life
against server mode: register its task definition, create it, ``aws ecs wait
daemon-deployment-successful`` through its first deployment, update it onto a deployment that
is planned to fail and roll back, read its deployments (listed and paged, described), describe
it, delete it, and see it gone.

The capacity provider and its instances are seeded, the daemon's deployments planned and the
clock moved through the server's control API, as a test of another process would.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from mock_ecs_deployments import serve_in_thread

from .test_aws_cli_services import AWS, bounded_waiters
from .test_aws_cli_services import Cli as ServicesCli

ACCOUNT = "123456789012"
REGION = "us-east-1"
PREFIX = f"arn:aws:ecs:{REGION}:{ACCOUNT}"
# AWS CLI v1 exits with 255 when the service answers with an error or a waiter gives up (v2
# uses 254 for the first).
ERROR_EXIT_STATUSES = (254, 255)
FIRST_ROLLOUT = 60  # seconds the first deployment moves its instances for
FAILING = 30  # seconds the failing deployment moves instances, and then rolls back


class Cli(ServicesCli):
    """The services' CLI runner, able to run several commands side by side."""

    def start(self, arguments: Sequence[str], env: dict[str, str]) -> subprocess.Popen[str]:
        command = [str(AWS), "ecs", *arguments, "--endpoint-url", self.endpoint]
        command += ["--region", REGION, "--output", "json"]
        return subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**self.env, **env},
        )

    def run_all(
        self, *commands: Sequence[str], env: dict[str, str] | None = None
    ) -> list[tuple[int, str, str]]:
        """Run the commands side by side (each start of the CLI costs about a second)."""
        processes = [self.start(command, env or {}) for command in commands]
        results = []
        for process in processes:
            out, err = process.communicate(timeout=60)
            results.append((process.returncode, out, err))
        return results

    def run(self, *arguments: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        [result] = self.run_all(arguments, env=env)
        return result


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    # The test extra installs awscli: without it these tests must fail, not pass unrun.
    assert AWS.exists(), f"no AWS CLI at {AWS}: install the test extra"
    with serve_in_thread() as endpoint:
        yield Cli(endpoint, tmp_path)


def parsed(result: tuple[int, str, str]) -> Any:
    status, out, err = result
    assert status == 0, err
    return json.loads(out)


def test_a_daemon_through_its_life(cli: Cli, tmp_path: Path) -> None:
    # A capacity provider of two instances, and how the deployments of CreateDaemon,
    # UpdateDaemon and DeleteDaemon run, in that order, through the control API.
    cli.endpoint.add_capacity_provider("managed", instances=2)
    provider = f"{PREFIX}:capacity-provider/managed"
    cli.endpoint.plan_next_deployment(daemon="agent", in_progress_for=FIRST_ROLLOUT)
    cli.endpoint.plan_next_deployment(
        daemon="agent", outcome="ROLLBACK_SUCCESSFUL", in_progress_for=FAILING, rollback_for=FAILING
    )
    cli.endpoint.plan_next_deployment(daemon="agent")  # drained at once

    registered = cli.run_all(
        *(
            [
                "register-daemon-task-definition",
                "--family",
                "agent",
                "--container-definitions",
                json.dumps([{"name": "agent", "image": image}]),
            ]
            for image in ("nginx:1.26", "nginx:1.27")
        )
    )
    first, second = sorted(parsed(result)["daemonTaskDefinitionArn"] for result in registered)
    assert (first, second) == (
        f"{PREFIX}:daemon-task-definition/agent:1",
        f"{PREFIX}:daemon-task-definition/agent:2",
    )

    created = cli.json(
        "create-daemon",
        "--daemon-name",
        "agent",
        "--daemon-task-definition-arn",
        first,
        "--capacity-provider-arns",
        provider,
    )
    daemon = created["daemonArn"]
    assert (daemon, created["status"]) == (f"{PREFIX}:daemon/default/agent", "ACTIVE")
    rollout = created["deploymentArn"]
    assert rollout.startswith(f"{PREFIX}:daemon-deployment/default/agent/")

    # While the instances move, one poll finds the deployment under way; once the clock
    # has moved past it, the CLI's own waiter returns at its first poll.
    wait = ["wait", "daemon-deployment-successful", "--daemon-deployment-arns"]
    one_poll = tmp_path / "one-poll"
    bounded_waiters(one_poll, delay=1, max_attempts=1, waiter="DaemonDeploymentSuccessful")
    status, out, err = cli.run(*wait, rollout, env={"AWS_DATA_PATH": str(one_poll)})
    assert (status in ERROR_EXIT_STATUSES, out) == (True, ""), err
    assert "Waiter DaemonDeploymentSuccessful failed: Max attempts exceeded" in err
    cli.endpoint.advance(FIRST_ROLLOUT + 1)
    status, out, err = cli.run(*wait, rollout)
    assert (status, out) == (0, ""), err

    updated = cli.json(
        "update-daemon",
        "--daemon-arn",
        daemon,
        "--daemon-task-definition-arn",
        second,
        "--capacity-provider-arns",
        provider,
    )
    assert (updated["daemonArn"], updated["status"]) == (daemon, "ACTIVE")
    failing = updated["deploymentArn"]
    assert failing != rollout

    # Past its batches, the circuit breaker has tripped and it rolls back to agent:1.
    cli.endpoint.advance(FAILING + 1)
    (rolling,) = cli.json("describe-daemon-deployments", "--daemon-deployment-arns", failing)[
        "daemonDeployments"
    ]
    assert rolling["status"] == "ROLLBACK_IN_PROGRESS"
    assert rolling["circuitBreaker"]["status"] == "TRIGGERED"
    (source,) = rolling["sourceDaemonRevisions"]
    assert rolling["rollback"]["rollbackTargetDaemonRevisionArn"] == source["arn"]

    cli.endpoint.advance(FAILING + 1)
    listed, first_page, described, shown, waited = cli.run_all(
        ["list-daemon-deployments", "--daemon-arn", daemon],
        ["list-daemon-deployments", "--daemon-arn", daemon, "--max-results", "1"],
        ["describe-daemon-deployments", "--daemon-deployment-arns", rollout, failing],
        ["describe-daemon", "--daemon-arn", daemon],
        [*wait, failing],
    )

    items = parsed(listed)["daemonDeployments"]
    assert [(item["daemonDeploymentArn"], item["status"]) for item in items] == [
        (failing, "ROLLBACK_SUCCESSFUL"),
        (rollout, "SUCCESSFUL"),
    ]
    assert items[0]["createdAt"] > items[1]["createdAt"]  # newest first
    assert {item["daemonArn"] for item in items} == {daemon}
    assert "nextToken" not in parsed(listed)

    page = parsed(first_page)
    assert [item["daemonDeploymentArn"] for item in page["daemonDeployments"]] == [failing]
    rest = cli.json(
        "list-daemon-deployments",
        "--daemon-arn",
        daemon,
        "--max-results",
        "1",
        "--next-token",
        page["nextToken"],
    )
    assert [item["daemonDeploymentArn"] for item in rest["daemonDeployments"]] == [rollout]
    assert "nextToken" not in rest

    full = {d["daemonDeploymentArn"]: d for d in parsed(described)["daemonDeployments"]}
    assert parsed(described)["failures"] == []
    assert [(arn, full[arn]["status"]) for arn in (rollout, failing)] == [
        (rollout, "SUCCESSFUL"),
        (failing, "ROLLBACK_SUCCESSFUL"),
    ]
    for item in items:  # the list's brief and the full deployment agree
        for key in ("status", "statusReason", "createdAt", "finishedAt"):
            assert full[item["daemonDeploymentArn"]].get(key) == item.get(key), key
    target = full[failing]["targetDaemonRevision"]
    assert target["totalRunningInstanceCount"] == 0
    (back_on,) = full[failing]["sourceDaemonRevisions"]
    assert back_on["totalRunningInstanceCount"] == 2
    assert back_on["arn"] == full[rollout]["targetDaemonRevision"]["arn"]

    detail = parsed(shown)["daemon"]
    assert (detail["daemonArn"], detail["status"]) == (daemon, "ACTIVE")
    assert detail["deploymentArn"] == failing
    assert [(r["arn"], r["totalRunningCount"]) for r in detail["currentRevisions"]] == [
        (back_on["arn"], 2)
    ]

    status, out, err = waited
    assert (status in ERROR_EXIT_STATUSES, out) == (True, ""), err
    assert "Waiter DaemonDeploymentSuccessful failed" in err
    assert "ROLLBACK_SUCCESSFUL" in err

    deleted = cli.json("delete-daemon", "--daemon-arn", daemon)
    assert (deleted["daemonArn"], deleted["status"]) == (daemon, "DELETE_IN_PROGRESS")
    assert deleted["deploymentArn"] not in (rollout, failing)
    status, out, err = cli.run("describe-daemon", "--daemon-arn", daemon)
    assert (status in ERROR_EXIT_STATUSES, out) == (True, ""), err
    assert err.strip() == (
        "An error occurred (DaemonNotFoundException) when calling the DescribeDaemon operation:"
        " Daemon not found."
    )
