"""examples/rollback_notifier.py: a notifier fed by an EventBridge rule's queue reports a
circuit-breaker rollback, end to end under moto's ``mock_aws``."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from freezegun import freeze_time
from moto import mock_aws

from mock_ecs_deployments import mock_service_deployments

from .clients import new_client

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "rollback_notifier.py"
NOTIFIER = runpy.run_path(str(EXAMPLE))
REGION = "us-east-1"
T0 = datetime(2025, 10, 6, 14, 0, tzinfo=timezone.utc)


def _service(ecs: Any) -> None:
    ecs.create_cluster(clusterName="prod")
    for image in ("nginx:1", "nginx:2"):
        ecs.register_task_definition(
            family="web", containerDefinitions=[{"name": "app", "image": image, "memory": 128}]
        )
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=2,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    )


def test_the_notifier_reports_the_rollback_of_the_failed_deployment_under_mock_aws() -> None:
    with freeze_time(T0) as frozen, mock_aws(), mock_service_deployments() as mock:
        ecs, sqs = new_client(), new_client("sqs")
        url = NOTIFIER["subscribe"](sqs, new_client("events"), "failures")
        _service(ecs)
        mock.backend().plan_next_deployment(
            "web", "prod", outcome="ROLLBACK_SUCCESSFUL", in_progress_for=300, rollback_for=60
        )
        ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
        failing = ecs.describe_services(cluster="prod", services=["web"])["services"][0][
            "deployments"
        ][0]["id"]
        assert NOTIFIER["drain"](sqs, ecs, url) == []
        frozen.tick(299)
        assert NOTIFIER["drain"](sqs, ecs, url) == []
        frozen.tick(2)
        assert NOTIFIER["drain"](sqs, ecs, url) == [
            f"web: deployment {failing} failed at 2025-10-06T14:05:00Z (ECS deployment circuit"
            " breaker: tasks failed to start.); rolled back to web:1, ROLLBACK_IN_PROGRESS"
        ]
        frozen.tick(120)
        assert NOTIFIER["drain"](sqs, ecs, url) == []  # one failure, reported once
        assert [
            d["status"]
            for d in ecs.list_service_deployments(cluster="prod", service="web")[
                "serviceDeployments"
            ]
        ] == ["ROLLBACK_SUCCESSFUL", "SUCCESSFUL"]


def test_the_notifier_ignores_other_events_and_names_a_deployment_no_longer_listed() -> None:
    with mock_aws(), mock_service_deployments():
        ecs = new_client()
        _service(ecs)
        arn = f"arn:aws:ecs:{REGION}:123456789012:service/prod/web"
        event = {
            "resources": [arn],
            "time": "2025-10-06T14:05:00Z",
            "detail": {
                "eventName": "SERVICE_DEPLOYMENT_FAILED",
                "clusterArn": f"arn:aws:ecs:{REGION}:123456789012:cluster/prod",
                "deploymentId": "ecs-svc/0000000000000000001",
                "reason": "ECS deployment circuit breaker: tasks failed to start.",
            },
        }
        assert NOTIFIER["handle"](ecs, {**event, "detail": {"eventName": "X"}}) is None
        assert NOTIFIER["handle"](ecs, json.loads(json.dumps(event))) == (
            "web: deployment ecs-svc/0000000000000000001 failed and is no longer listed"
        )


def test_the_example_runs_as_a_script() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, check=True, timeout=120
    )
    (line,) = done.stdout.splitlines()
    assert line.startswith("web: deployment ecs-svc/")
    assert line.endswith(
        "(ECS deployment circuit breaker: tasks failed to start.); rolled back to web:1,"
        " ROLLBACK_SUCCESSFUL"
    )
