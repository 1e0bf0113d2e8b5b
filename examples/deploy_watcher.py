"""Wait for a service's newest ECS deployment to finish, and report how it ended.

``wait_for_newest_deployment`` uses only boto3's ECS API (ListServiceDeployments,
DescribeServiceDeployments, DescribeServiceRevisions), so it runs unchanged against AWS or
against the mock. ``main()`` shows it inside the mock: moto creates and updates a service whose
new task definition trips the circuit breaker, and the watcher reports the rollback.

Run:  python examples/deploy_watcher.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

COMPLETED = frozenset({"SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})


@dataclass(frozen=True)
class DeploymentResult:
    """How a deployment ended."""

    deployment_arn: str
    status: str  # one of COMPLETED
    reason: str | None  # the deployment's statusReason
    target_task_definition: str  # what the deployment set out to deploy
    rolled_back_to: str | None  # the service revision a rollback went back to
    rolled_back_to_task_definition: str | None
    polls: int  # how many times the deployment was described

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCESSFUL"

    @property
    def rolled_back(self) -> bool:
        return self.status == "ROLLBACK_SUCCESSFUL"

    def summary(self) -> str:
        deployment_id = self.deployment_arn.rsplit("/", 1)[-1]
        text = f"deployment {deployment_id} of {_family_revision(self.target_task_definition)}:"
        text += f" {self.status}"
        if self.reason:
            text += f" ({self.reason})"
        if self.rolled_back_to_task_definition:
            back = _family_revision(self.rolled_back_to_task_definition)
            text += f"; rolled back to {back}"
        return text


def newest_deployment_arn(ecs: Any, cluster: str, service: str) -> str | None:
    """The ARN of the service's newest deployment, if it has any."""
    page = ecs.list_service_deployments(cluster=cluster, service=service, maxResults=1)
    items = page["serviceDeployments"]
    return str(items[0]["serviceDeploymentArn"]) if items else None


def describe_deployment(ecs: Any, deployment_arn: str) -> dict[str, Any]:
    """One deployment, as DescribeServiceDeployments returns it.

    :raises LookupError: the deployment is gone (its service was deleted).
    """
    response = ecs.describe_service_deployments(serviceDeploymentArns=[deployment_arn])
    if not response["serviceDeployments"]:
        raise LookupError(f"service deployment {deployment_arn} not found: {response['failures']}")
    deployment: dict[str, Any] = response["serviceDeployments"][0]
    return deployment


def wait_for_deployment(
    ecs: Any,
    deployment_arn: str,
    poll_seconds: float = 15.0,
    timeout_seconds: float = 1800.0,
    sleep: Callable[[float], None] = time.sleep,
) -> DeploymentResult:
    """Describe ``deployment_arn`` every ``poll_seconds`` until it completes.

    :raises TimeoutError: it has not completed after ``timeout_seconds``.
    """
    deadline = time.monotonic() + timeout_seconds
    polls = 0
    while True:
        deployment = describe_deployment(ecs, deployment_arn)
        polls += 1
        if deployment["status"] in COMPLETED:
            return _result(ecs, deployment, polls)
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"service deployment {deployment_arn} is still {deployment['status']}"
                f" after {timeout_seconds:g} seconds"
            )
        sleep(poll_seconds)


def wait_for_newest_deployment(
    ecs: Any,
    cluster: str,
    service: str,
    poll_seconds: float = 15.0,
    timeout_seconds: float = 1800.0,
    sleep: Callable[[float], None] = time.sleep,
) -> DeploymentResult:
    """Find the service's newest deployment and wait until it completes.

    A service that has no deployment yet is listed again every ``poll_seconds``.

    :raises TimeoutError: no deployment appeared, or it did not complete, within
        ``timeout_seconds``.
    """
    deadline = time.monotonic() + timeout_seconds
    while True:
        deployment_arn = newest_deployment_arn(ecs, cluster, service)
        if deployment_arn is not None:
            remaining = max(deadline - time.monotonic(), 0.0)
            return wait_for_deployment(ecs, deployment_arn, poll_seconds, remaining, sleep)
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"service {service} in cluster {cluster} has no deployment after"
                f" {timeout_seconds:g} seconds"
            )
        sleep(poll_seconds)


def _result(ecs: Any, deployment: dict[str, Any], polls: int) -> DeploymentResult:
    target = deployment["targetServiceRevision"]["arn"]
    rolled_back_to = deployment.get("rollback", {}).get("serviceRevisionArn")
    wanted = [target] if rolled_back_to is None else [target, rolled_back_to]
    revisions = ecs.describe_service_revisions(serviceRevisionArns=wanted)["serviceRevisions"]
    task_definitions = {r["serviceRevisionArn"]: r["taskDefinition"] for r in revisions}
    return DeploymentResult(
        deployment_arn=deployment["serviceDeploymentArn"],
        status=deployment["status"],
        reason=deployment.get("statusReason"),
        target_task_definition=task_definitions[target],
        rolled_back_to=rolled_back_to,
        rolled_back_to_task_definition=task_definitions.get(rolled_back_to or ""),
        polls=polls,
    )


def _family_revision(task_definition_arn: str) -> str:
    return task_definition_arn.rsplit("/", 1)[-1]


def main() -> DeploymentResult:
    """Deploy web:2 over web:1 in the mock; its circuit breaker trips and ECS rolls back."""
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
            cluster="prod",
            serviceName="web",
            taskDefinition="web:1",
            desiredCount=2,
            deploymentConfiguration={
                "deploymentCircuitBreaker": {"enable": True, "rollback": True}
            },
        )
        # How the next deployment of web goes (in AWS, the tasks decide this).
        mock.backend().plan_next_deployment(
            service="web",
            cluster="prod",
            outcome="ROLLBACK_SUCCESSFUL",
            pending_for=0.1,
            in_progress_for=0.2,
            rollback_for=0.2,
        )
        ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
        result = wait_for_newest_deployment(
            ecs, "prod", "web", poll_seconds=0.05, timeout_seconds=10
        )
    print(result.summary())
    return result


if __name__ == "__main__":
    main()
