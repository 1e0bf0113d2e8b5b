"""The real AWS CLI against server mode through a planned rollout: ``describe-services`` shows
the service deployments as PRIMARY and ACTIVE entries, ``aws ecs wait services-stable`` waits
through the rollout and returns once the server's clock has moved past it; a canary service
updated by the CLI shifts its traffic as the server's clock moves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.loaders import Loader

from mock_ecs_deployments import serve_in_thread
from mock_ecs_deployments.server.client import MockEndpoint

from .clients import new_client

# Only loopback: a door that failed to answer must not reach AWS.
pytestmark = pytest.mark.allow_hosts(["127.0.0.1", "::1"])

REGION = "us-east-1"
PREFIX = f"arn:aws:ecs:{REGION}:123456789012"
ROLLOUT = 600
# AWS CLI v1 exits with 255 when a waiter gives up (as for a service error).
WAITER_EXIT_STATUS = 255
AWS = Path(sys.executable).with_name("aws")


def bounded_waiters(
    data_path: Path, delay: int, max_attempts: int, waiter: str = "ServicesStable"
) -> None:
    """Write botocore's ECS waiters with ``waiter`` polling ``max_attempts`` times,
    ``delay`` seconds apart, where ``AWS_DATA_PATH`` finds them before botocore's own.

    ``aws ecs wait`` has no option for the waiter's delay or attempts (AWS_MAX_ATTEMPTS is the
    retry count of each request, not the waiter's), but it loads the waiter model through
    botocore's data path like any other model file.
    """
    loader = Loader()
    version = loader.determine_latest_version("ecs", "service-2")
    model: dict[str, Any] = loader.load_service_model("ecs", "waiters-2", version)
    model["waiters"][waiter].update(delay=delay, maxAttempts=max_attempts)
    target = data_path / "ecs" / version / "waiters-2.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(model))


class Cli:
    """Runs ``aws ecs ...`` against one endpoint with fake credentials and no local config."""

    def __init__(self, endpoint: MockEndpoint, home: Path) -> None:
        self.endpoint = endpoint
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update(
            HOME=str(home),
            AWS_ACCESS_KEY_ID="test",
            AWS_SECRET_ACCESS_KEY="test",
            AWS_CONFIG_FILE=str(home / "no-config"),
            AWS_SHARED_CREDENTIALS_FILE=str(home / "no-credentials"),
            AWS_EC2_METADATA_DISABLED="true",
        )

    def run(self, *arguments: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        command = [str(AWS), "ecs", *arguments, "--endpoint-url", self.endpoint]
        command += ["--region", REGION, "--output", "json"]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env={**self.env, **(env or {})},
            timeout=60,
            check=False,
        )
        return done.returncode, done.stdout, done.stderr

    def json(self, *arguments: str) -> Any:
        status, out, err = self.run(*arguments)
        assert status == 0, err
        return json.loads(out)

    def create_web(self, **options: Any) -> None:
        """Cluster ``prod``, task definitions ``web:1`` (nginx 1.26) and ``web:2`` (nginx
        1.27), and service ``web`` running ``web:1``, made with CreateService's ``options``.
        Made by boto3 in this process, against the same endpoint: what the CLI does with them
        is what these tests look at, and each run of the CLI costs about a second."""
        ecs = new_client(
            region=REGION,
            endpoint_url=self.endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        ecs.create_cluster(clusterName="prod")
        for image in ("nginx:1.26", "nginx:1.27"):
            ecs.register_task_definition(
                family="web", containerDefinitions=[{"name": "app", "image": image, "memory": 128}]
            )
        ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", **options)

    def service(self) -> dict[str, Any]:
        answer = self.json("describe-services", "--cluster", "prod", "--services", "web")
        (service,) = answer["services"]
        return dict(service)


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    # The test extra installs awscli: without it these tests must fail, not pass unrun.
    assert AWS.exists(), f"no AWS CLI at {AWS}: install the test extra"
    with serve_in_thread() as endpoint:
        yield Cli(endpoint, tmp_path)


def test_wait_services_stable_waits_through_a_planned_rollout(cli: Cli, tmp_path: Path) -> None:
    cli.create_web(desiredCount=2)
    plan = cli.endpoint.plan_next_deployment("web", "prod", in_progress_for=ROLLOUT)
    assert plan["in_progress_for"] == ROLLOUT
    cli.json(
        "update-service", "--cluster", "prod", "--service", "web", "--task-definition", "web:2"
    )

    rolling = cli.service()
    assert [(d["status"], d["rolloutState"]) for d in rolling["deployments"]] == [
        ("PRIMARY", "IN_PROGRESS"),
        ("ACTIVE", "COMPLETED"),
    ]
    primary, active = rolling["deployments"]
    assert primary["taskDefinition"] == f"{PREFIX}:task-definition/web:2"
    assert active["taskDefinition"] == f"{PREFIX}:task-definition/web:1"
    assert rolling["taskDefinition"] == f"{PREFIX}:task-definition/web:2"

    # Two polls one second apart, both during the rollout: the waiter gives up.
    wait = ["wait", "services-stable", "--cluster", "prod", "--services", "web"]
    two_polls, one_poll = tmp_path / "two-polls", tmp_path / "one-poll"
    bounded_waiters(two_polls, delay=1, max_attempts=2)
    bounded_waiters(one_poll, delay=1, max_attempts=1)
    status, out, err = cli.run(*wait, env={"AWS_DATA_PATH": str(two_polls)})
    assert (status, out) == (WAITER_EXIT_STATUS, ""), err
    assert "Waiter ServicesStable failed: Max attempts exceeded" in err

    cli.endpoint.advance(ROLLOUT + 1)
    # Stable at the first poll after the rollout (the CLI's own waiter would poll again 15 s
    # later, which would hide a rollout that ends a little late).
    status, out, err = cli.run(*wait, env={"AWS_DATA_PATH": str(one_poll)})
    assert (status, out) == (0, ""), err

    stable = cli.service()
    (deployment,) = stable["deployments"]
    assert (deployment["status"], deployment["rolloutState"]) == ("PRIMARY", "COMPLETED")
    assert deployment["id"] == primary["id"]
    assert deployment["taskDefinition"] == f"{PREFIX}:task-definition/web:2"
    assert (stable["runningCount"], stable["pendingCount"]) == (2, 0)
    assert stable["events"][0]["message"] == "(service web) has reached a steady state."

    listed = cli.json("list-service-deployments", "--cluster", "prod", "--service", "web")
    items = listed["serviceDeployments"]
    assert [item["status"] for item in items] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert items[0]["createdAt"] > items[1]["createdAt"]  # newest first
    assert deployment["id"] == "ecs-svc/" + items[0]["targetServiceRevisionArn"].rsplit("/", 1)[1]
    assert active["id"] == "ecs-svc/" + items[1]["targetServiceRevisionArn"].rsplit("/", 1)[1]


def test_a_canary_rollout_shifts_traffic_as_the_cli_reads_it(cli: Cli) -> None:
    configuration = {
        "strategy": "CANARY",
        "canaryConfiguration": {"canaryPercent": 20.0, "canaryBakeTimeInMinutes": 5},
        "bakeTimeInMinutes": 2,
    }
    cli.create_web(deploymentConfiguration=configuration)
    cli.endpoint.plan_next_deployment("web", "prod", in_progress_for=60)
    cli.json(
        "update-service", "--cluster", "prod", "--service", "web", "--task-definition", "web:2"
    )
    listed = cli.json("list-service-deployments", "--cluster", "prod", "--service", "web")
    arn = listed["serviceDeployments"][0]["serviceDeploymentArn"]

    def sample() -> tuple[str, str, float, float, float, float]:
        answer = cli.json("describe-service-deployments", "--service-deployment-arns", arn)
        (deployment,) = answer["serviceDeployments"]
        target = deployment["targetServiceRevision"]
        (source,) = deployment["sourceServiceRevisions"]
        return (
            deployment["status"],
            deployment["lifecycleStage"],
            target["requestedProductionTrafficWeight"],
            target["requestedTestTrafficWeight"],
            source["requestedProductionTrafficWeight"],
            source["requestedTestTrafficWeight"],
        )

    # The CLI's calls take real seconds too: each sample sits well inside its stage.
    moments = [sample()]
    for seconds in (61, 300, 120):  # past SCALE_UP, past the canary's bake, past BAKE_TIME
        cli.endpoint.advance(seconds)
        moments.append(sample())
    assert moments == [
        ("IN_PROGRESS", "SCALE_UP", 0.0, 0.0, 100.0, 100.0),
        ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 20.0, 100.0, 80.0, 0.0),
        ("IN_PROGRESS", "BAKE_TIME", 100.0, 100.0, 0.0, 0.0),
        ("SUCCESSFUL", "CLEAN_UP", 100.0, 100.0, 0.0, 0.0),
    ]
    (service,) = cli.service()["deployments"]
    assert service["rolloutState"] == "COMPLETED"
