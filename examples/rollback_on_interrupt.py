"""A CI deploy step that rolls back the deployment it started when it is interrupted.

``deploy`` calls UpdateService, finds the service deployment that call started, and waits for
it. If the step is interrupted (Ctrl-C, or the CI runner cancelling the job: both arrive as
``KeyboardInterrupt``) while the deployment is still running, it calls
``stop_service_deployment(stopType="ROLLBACK")`` on that deployment and waits until the
rollback has finished, so the service is left on the revision it ran before. Only boto3's ECS
API is used, so the step runs unchanged against AWS or against the mock.

Run:  python examples/rollback_on_interrupt.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

COMPLETED = frozenset({"SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})


@dataclass(frozen=True)
class StepResult:
    """How the step ended."""

    deployment_arn: str
    status: str  # the deployment's completed status
    interrupted: bool
    reason: str | None = None  # the deployment's statusReason
    rolled_back_to: str | None = None  # the service revision the rollback went back to

    @property
    def exit_code(self) -> int:
        """What the CI step exits with: 0 deployed, 130 interrupted, 1 failed."""
        if self.interrupted:
            return 130
        return 0 if self.status == "SUCCESSFUL" else 1


def deploy(
    ecs: Any,
    cluster: str,
    service: str,
    task_definition: str,
    poll_seconds: float = 15.0,
    timeout_seconds: float = 1800.0,
    sleep: Callable[[float], None] = time.sleep,
) -> StepResult:
    """Deploy ``task_definition`` to the service and wait; on interrupt, roll back.

    :raises TimeoutError: the deployment (or its rollback) did not complete in time.
    """
    deadline = time.monotonic() + timeout_seconds
    updated = ecs.update_service(cluster=cluster, service=service, taskDefinition=task_definition)
    deployment_arn = ""
    try:
        deployment_arn = _started_deployment(
            ecs, cluster, service, updated["service"], deadline, poll_seconds, sleep
        )
        deployment = _wait(ecs, deployment_arn, deadline, poll_seconds, sleep)
        return _step_result(deployment, interrupted=False)
    except KeyboardInterrupt:
        if not deployment_arn:
            raise
        print(f"interrupted: rolling back {deployment_arn}")
        try:
            ecs.stop_service_deployment(serviceDeploymentArn=deployment_arn, stopType="ROLLBACK")
        except ClientError as error:
            # Completed already, or nothing to roll back to: report how it ended.
            if error.response["Error"]["Code"] != "ConflictException":
                raise
            print(f"nothing to roll back: {error.response['Error']['Message']}")
        deployment = _wait(ecs, deployment_arn, deadline, poll_seconds, sleep)
        return _step_result(deployment, interrupted=True)


def _started_deployment(
    ecs: Any,
    cluster: str,
    service: str,
    updated_service: dict[str, Any],
    deadline: float,
    poll_seconds: float,
    sleep: Callable[[float], None],
) -> str:
    """The deployment UpdateService started: its target revision id is the number in the
    service's primary deployment id ``ecs-svc/<n>``."""
    number = updated_service["deployments"][0]["id"].rpartition("/")[2]
    revision_suffix = f"/{int(number):019d}"
    while True:
        page = ecs.list_service_deployments(cluster=cluster, service=service, maxResults=5)
        for item in page["serviceDeployments"]:
            if item["targetServiceRevisionArn"].endswith(revision_suffix):
                return str(item["serviceDeploymentArn"])
        if time.monotonic() >= deadline:
            raise TimeoutError(f"no service deployment of revision {number} appeared")
        sleep(poll_seconds)


def _wait(
    ecs: Any,
    deployment_arn: str,
    deadline: float,
    poll_seconds: float,
    sleep: Callable[[float], None],
) -> dict[str, Any]:
    while True:
        response = ecs.describe_service_deployments(serviceDeploymentArns=[deployment_arn])
        deployment: dict[str, Any] = response["serviceDeployments"][0]
        if deployment["status"] in COMPLETED:
            return deployment
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"service deployment {deployment_arn} is still {deployment['status']}"
            )
        sleep(poll_seconds)


def _step_result(deployment: dict[str, Any], *, interrupted: bool) -> StepResult:
    return StepResult(
        deployment_arn=deployment["serviceDeploymentArn"],
        status=deployment["status"],
        interrupted=interrupted,
        reason=deployment.get("statusReason"),
        rolled_back_to=deployment.get("rollback", {}).get("serviceRevisionArn"),
    )


def main() -> StepResult:
    """In the mock: deploy web:2 over web:1 and press Ctrl-C while it runs."""
    import boto3

    from mock_ecs_deployments import mock_service_deployments

    with mock_service_deployments(with_moto=True) as mock:
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="prod")
        for tag in ("1.0", "1.1"):
            ecs.register_task_definition(
                family="web",
                containerDefinitions=[
                    {"name": "app", "image": f"public.ecr.aws/acme/web:{tag}", "memory": 256}
                ],
            )
        ecs.create_service(
            cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=2
        )
        mock.backend().plan_next_deployment(
            service="web", cluster="prod", in_progress_for=60, rollback_for=0.2
        )
        polls = 0

        def sleep_then_ctrl_c(seconds: float) -> None:
            nonlocal polls
            polls += 1
            time.sleep(seconds)
            if polls == 2:
                raise KeyboardInterrupt

        result = deploy(
            ecs,
            "prod",
            "web",
            "web:2",
            poll_seconds=0.05,
            timeout_seconds=10,
            sleep=sleep_then_ctrl_c,
        )
        (described,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    print(f"{result.status}: {result.reason}; the service runs {described['taskDefinition']}")
    return result


if __name__ == "__main__":
    raise SystemExit(main().exit_code)
