"""The real AWS CLI (``python -m awscli``, the one this environment installs) against server mode:
what it prints is what boto3 gets in-process for the same data, errors come out as the CLI's
usual text and exit status, and moto's operations share the endpoint and the account."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from botocore import xform_name
from botocore.model import ListShape, Shape, StructureShape

from mock_ecs_deployments import mock_service_deployments, serve_in_thread
from mock_ecs_deployments.engine.model.service_model import OPERATIONS, operation_model

from .clients import new_client

# Only loopback: a door that failed to answer must not reach AWS.
pytestmark = pytest.mark.allow_hosts(["127.0.0.1", "::1"])

ACCOUNT = "123456789012"
REGION = "us-east-1"
BASE = datetime(2025, 5, 1, 6, 0, tzinfo=timezone.utc)
# AWS CLI v1 exits with 255 when the service answers with an error (v2 uses 254).
SERVICE_ERROR_EXIT_STATUS = 255


class Cli:
    """Runs ``aws ecs ...`` against one endpoint with fake credentials and no local config."""

    def __init__(self, endpoint: str, home: Path) -> None:
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

    def start(self, *arguments: str) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "awscli", "ecs", *arguments]
        command += ["--endpoint-url", self.endpoint, "--output", "json"]
        if "--region" not in arguments:
            command += ["--region", REGION]
        return subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env
        )

    def run_all(self, *commands: Sequence[str]) -> list[tuple[int, str, str]]:
        """Run the commands side by side (each CLI start costs about half a second)."""
        processes = [self.start(*command) for command in commands]
        results = []
        for process in processes:
            out, err = process.communicate(timeout=60)
            results.append((process.returncode, out, err))
        return results

    def json(self, *arguments: str) -> Any:
        [(status, out, err)] = self.run_all(arguments)
        assert status == 0, err
        return json.loads(out)


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    with serve_in_thread() as endpoint:
        yield Cli(endpoint, tmp_path)


def as_printed(parsed: Any) -> Any:
    """boto3's parsed answer as the CLI prints it: epoch seconds, no ResponseMetadata."""

    def convert(value: Any) -> Any:
        if isinstance(value, datetime):
            return round(value.timestamp(), 3)
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    return convert({k: v for k, v in parsed.items() if k != "ResponseMetadata"})


def seed_history(mock: Any) -> list[Any]:
    backend = mock.backend()
    statuses = ["SUCCESSFUL", "ROLLBACK_SUCCESSFUL", "SUCCESSFUL", "STOPPED", "IN_PROGRESS"]
    return [
        backend.add_deployment(
            service="web",
            cluster="prod",
            status=status,
            created_at=BASE + timedelta(hours=i, milliseconds=117 * i),
            status_reason="Service deployment rolled back by user."
            if "ROLLBACK" in status
            else None,
        )
        for i, status in enumerate(statuses)
    ] + [backend.add_deployment(service="web", cluster="prod", status="PENDING")]


def test_list_service_deployments_prints_what_boto3_gets(cli: Cli) -> None:
    with mock_service_deployments() as mock:
        seeded = seed_history(mock)
        ecs = new_client()  # answered in-process
        requests: dict[str, tuple[list[str], dict[str, Any]]] = {
            "everything": ([], {}),
            "statuses": (
                ["--status", "SUCCESSFUL", "ROLLBACK_SUCCESSFUL"],
                {"status": ["SUCCESSFUL", "ROLLBACK_SUCCESSFUL"]},
            ),
            "window": (
                [
                    "--created-at",
                    f"after={int((BASE + timedelta(hours=1)).timestamp())}"
                    f",before={int((BASE + timedelta(hours=3)).timestamp())}",
                ],
                {
                    "createdAt": {
                        "after": BASE + timedelta(hours=1),
                        "before": BASE + timedelta(hours=3),
                    }
                },
            ),
            "first page": (["--max-results", "4"], {"maxResults": 4}),
        }
        names = list(requests)
        results = cli.run_all(
            *(
                [
                    "list-service-deployments",
                    "--cluster",
                    "prod",
                    "--service",
                    "web",
                    *requests[n][0],
                ]
                for n in names
            )
        )
        printed = {}
        for name, (status, out, err) in zip(names, results, strict=True):
            assert status == 0, f"{name}: {err}"
            printed[name] = json.loads(out)
            expected = ecs.list_service_deployments(
                cluster="prod", service="web", **requests[name][1]
            )
            assert printed[name] == as_printed(expected), name

        everything = printed["everything"]["serviceDeployments"]
        assert [item["serviceDeploymentArn"] for item in everything] == [
            d.arn for d in reversed(seeded)
        ]
        assert "startedAt" not in everything[0]  # PENDING
        assert "finishedAt" not in everything[1]  # IN_PROGRESS
        assert everything[4]["statusReason"] == "Service deployment rolled back by user."
        assert len(printed["statuses"]["serviceDeployments"]) == 3
        # Deployment 1 (at after + 117 ms) is inside; deployment 3 (at before + 351 ms) is not.
        assert [i["serviceDeploymentArn"] for i in printed["window"]["serviceDeployments"]] == [
            seeded[2].arn,
            seeded[1].arn,
        ]
        # The token the CLI printed resumes in the CLI and in boto3 alike.
        token = printed["first page"]["nextToken"]
        rest = cli.json(
            "list-service-deployments",
            "--cluster",
            "prod",
            "--service",
            "web",
            "--max-results",
            "4",
            "--next-token",
            token,
        )
        assert rest == as_printed(
            ecs.list_service_deployments(
                cluster="prod", service="web", maxResults=4, nextToken=token
            )
        )
        assert [i["serviceDeploymentArn"] for i in rest["serviceDeployments"]] == [
            seeded[1].arn,
            seeded[0].arn,
        ]
        assert "nextToken" not in rest


def test_errors_print_the_cli_message_and_exit_status(cli: Cli) -> None:
    with mock_service_deployments() as mock:
        mock.backend().add_deployment(service="web", cluster="prod")
        mock.backend(region="eu-west-1").add_deployment(service="web", cluster="prod")
        mock.inject_error(
            "ListServiceDeployments", "AccessDeniedException", "Not for you.", region="eu-west-1"
        )
        web = ["list-service-deployments", "--cluster", "prod", "--service", "web"]
        results = cli.run_all(
            [*web, "--region", "eu-west-1"],
            ["list-service-deployments", "--cluster", "prod", "--service", "api"],
            ["list-service-deployments", "--cluster", "nope", "--service", "web"],
            [*web, "--max-results", "500"],
            [*web, "--cluster", "arn:aws:ecs:us-east-1:123456789012:cluster/prod"],
        )
    expected = [
        "(AccessDeniedException) when calling the ListServiceDeployments operation: Not for you.",
        "(ServiceNotFoundException) when calling the ListServiceDeployments operation:"
        " Service not found.",
        "(ClusterNotFoundException) when calling the ListServiceDeployments operation:"
        " Cluster not found.",
        "(InvalidParameterException) when calling the ListServiceDeployments operation:"
        " maxResults must be between 1 and 100; got 500.",
    ]
    for (status, out, err), message in zip(results, expected, strict=False):
        assert (status, out, err.strip()) == (
            SERVICE_ERROR_EXIT_STATUS,
            "",
            f"An error occurred {message}",
        )
    # The last one, a cluster ARN, succeeded: the failures above are the requests' own.
    assert results[-1][0] == 0, results[-1][2]
    assert len(json.loads(results[-1][1])["serviceDeployments"]) == 1


def test_moto_and_the_mock_share_endpoint_and_account(cli: Cli) -> None:
    """``aws ecs create-cluster`` and ``create-service`` (moto) and
    ``list-service-deployments`` (the mock) see one account."""
    cluster = cli.json("create-cluster", "--cluster-name", "prod")["cluster"]
    assert cluster["clusterArn"] == f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod"
    [(status, _, err)] = cli.run_all(
        ["list-service-deployments", "--cluster", "prod", "--service", "web"]
    )
    assert (status, err.strip()) == (
        SERVICE_ERROR_EXIT_STATUS,
        "An error occurred (ServiceNotFoundException) when calling the ListServiceDeployments"
        " operation: Service not found.",
    )
    cli.json(
        "register-task-definition",
        "--family",
        "web",
        "--container-definitions",
        '[{"name": "web", "image": "nginx:1.27", "memory": 256}]',
    )
    service = cli.json(
        "create-service",
        "--cluster",
        "prod",
        "--service-name",
        "web",
        "--task-definition",
        "web",
        "--desired-count",
        "1",
    )["service"]
    assert service["serviceArn"] == f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/web"
    with mock_service_deployments() as mock:
        added = mock.backend().add_deployment(service="web", cluster="prod")
        listed = cli.json("list-service-deployments", "--cluster", "prod", "--service", "web")
        ecs = new_client()
        assert listed == as_printed(ecs.list_service_deployments(cluster="prod", service="web"))
    items = listed["serviceDeployments"]
    assert items[0]["serviceDeploymentArn"] == added.arn
    assert {item["serviceArn"] for item in items} == {service["serviceArn"]}


def minimal_input(shape: Shape) -> Any:
    """The smallest input the model allows: required members only, placeholder values."""
    if isinstance(shape, StructureShape):
        return {name: minimal_input(shape.members[name]) for name in shape.required_members}
    if isinstance(shape, ListShape):
        return [minimal_input(shape.member)]
    enum = getattr(shape, "enum", None)
    placeholders = {"string": enum[0] if enum else "x", "integer": 1, "boolean": False}
    return placeholders.get(shape.type_name, "x")


def input_shape(operation: str) -> Shape:
    shape = operation_model(operation).input_shape
    assert shape is not None
    return shape


def test_every_served_operation_is_reachable_from_the_cli(cli: Cli) -> None:
    from mock_ecs_deployments.protocol.dispatch import HANDLERS

    served = [operation for operation in OPERATIONS if operation in HANDLERS]
    with mock_service_deployments() as mock:
        for operation in served:
            mock.inject_error(operation, "AccessDeniedException", f"Reached {operation}.")
        results = cli.run_all(
            *(
                [
                    xform_name(operation, "-"),
                    "--cli-input-json",
                    json.dumps(minimal_input(input_shape(operation))),
                ]
                for operation in served
            )
        )
        assert sorted(call.operation for call in mock.calls) == sorted(served)
    for operation, (status, _, err) in zip(served, results, strict=True):
        assert (status, err.strip()) == (
            SERVICE_ERROR_EXIT_STATUS,
            f"An error occurred (AccessDeniedException) when calling the {operation} operation:"
            f" Reached {operation}.",
        )
