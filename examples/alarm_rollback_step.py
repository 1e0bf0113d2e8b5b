"""A deploy step that ships a new image and reports whether ECS kept it or rolled it back.

``deploy`` is the deploy step of a pipeline: it registers a new revision of the service's task
definition with the new image, points the service at it (UpdateService), finds the service
deployment that call started, and describes it every ``poll_seconds`` until it completes. The
``DeployResult`` it returns says whether the new revision went out or ECS rolled it back (or
stopped it), and why: the deployment's ``statusReason`` ("Alarm detected.", the circuit
breaker's text) and the CloudWatch alarms that fired (``alarms.triggeredAlarmNames``). Only
boto3's ECS API is used, so the step runs unchanged against AWS.

``main()`` runs it inside the mock, beside moto: a CANARY service watching an alarm in moto's
CloudWatch, and a sleep that moves the mock's clock and sets the alarm to ALARM during the
bake, as a spike of 5xx answers would.

Run:  python examples/alarm_rollback_step.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

COMPLETED = frozenset({"SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})
# What RegisterTaskDefinition takes back from DescribeTaskDefinition's answer; the rest
# (ARN, revision, status, registeredAt...) is ECS's own.
REGISTERED_FIELDS = (
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "placementConstraints",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
    "inferenceAccelerators",
    "ephemeralStorage",
    "runtimePlatform",
)


@dataclass(frozen=True)
class DeployResult:
    """How the step's deployment ended."""

    task_definition: str  # the revision the step registered and deployed
    deployment_arn: str
    status: str  # one of COMPLETED
    reason: str | None  # the deployment's statusReason
    triggered_alarms: tuple[str, ...]  # the CloudWatch alarms that failed it
    rolled_back_to: str | None  # the service revision a rollback went back to
    polls: int  # how many times the deployment was described

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCESSFUL"

    @property
    def rolled_back(self) -> bool:
        return self.status in ("ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED")

    def summary(self) -> str:
        """``web:2: ROLLBACK_SUCCESSFUL (Alarm detected.); alarms in ALARM: web-5xx``."""
        text = f"{self.task_definition.rsplit('/', 1)[-1]}: {self.status}"
        if self.reason:
            text += f" ({self.reason})"
        if self.triggered_alarms:
            text += f"; alarms in ALARM: {', '.join(self.triggered_alarms)}"
        return text


def deploy(
    ecs: Any,
    cluster: str,
    service: str,
    image: str,
    *,
    container: str | None = None,
    poll_seconds: float = 15.0,
    timeout_seconds: float = 3600.0,
    sleep: Callable[[float], Any] = time.sleep,
) -> DeployResult:
    """Deploy ``image`` to the service's ``container`` (default: its first container) and wait
    until the deployment completes.

    :raises TimeoutError: not completed after sleeping ``timeout_seconds`` in all.
    :raises ValueError: the task definition has no container named ``container``.
    """
    task_definition = register_with_image(ecs, cluster, service, image, container)
    updated = ecs.update_service(cluster=cluster, service=service, taskDefinition=task_definition)
    deployment_arn = started_deployment(ecs, cluster, service, updated["service"])
    waited, polls = 0.0, 0
    while True:
        (deployment,) = ecs.describe_service_deployments(serviceDeploymentArns=[deployment_arn])[
            "serviceDeployments"
        ]
        polls += 1
        if deployment["status"] in COMPLETED:
            return _result(task_definition, deployment, polls)
        if waited >= timeout_seconds:
            raise TimeoutError(
                f"service deployment {deployment_arn} is still {deployment['status']}"
                f" after {timeout_seconds:g} seconds"
            )
        sleep(poll_seconds)
        waited += poll_seconds


def register_with_image(
    ecs: Any, cluster: str, service: str, image: str, container: str | None = None
) -> str:
    """Register a revision of the service's task definition with ``image`` in ``container``;
    returns its ARN."""
    (described,) = ecs.describe_services(cluster=cluster, services=[service])["services"]
    current = ecs.describe_task_definition(taskDefinition=described["taskDefinition"])[
        "taskDefinition"
    ]
    definition = {key: current[key] for key in REGISTERED_FIELDS if key in current}
    containers = [dict(c) for c in definition["containerDefinitions"]]
    name = container or containers[0]["name"]
    wanted = [c for c in containers if c["name"] == name]
    if not wanted:
        raise ValueError(f"{current['taskDefinitionArn']} has no container named {name!r}")
    wanted[0]["image"] = image
    definition["containerDefinitions"] = containers
    registered = ecs.register_task_definition(**definition)["taskDefinition"]
    return str(registered["taskDefinitionArn"])


def started_deployment(ecs: Any, cluster: str, service: str, updated: dict[str, Any]) -> str:
    """The service deployment UpdateService started: its target revision's id is the number
    of the service's PRIMARY deployment id ``ecs-svc/<n>``."""
    number = updated["deployments"][0]["id"].rpartition("/")[2]
    suffix = f"/{int(number):019d}"
    page = ecs.list_service_deployments(cluster=cluster, service=service, maxResults=5)
    for item in page["serviceDeployments"]:
        if item["targetServiceRevisionArn"].endswith(suffix):
            return str(item["serviceDeploymentArn"])
    raise LookupError(f"no service deployment of {service}'s revision {number}")


def _result(task_definition: str, deployment: dict[str, Any], polls: int) -> DeployResult:
    alarms = deployment.get("alarms") or {}
    return DeployResult(
        task_definition=task_definition,
        deployment_arn=deployment["serviceDeploymentArn"],
        status=deployment["status"],
        reason=deployment.get("statusReason"),
        triggered_alarms=tuple(alarms.get("triggeredAlarmNames") or ()),
        rolled_back_to=(deployment.get("rollback") or {}).get("serviceRevisionArn"),
        polls=polls,
    )


def main() -> DeployResult:
    """A canary of web's new image in the mock; its 5xx alarm fires during the bake."""
    import boto3

    from mock_ecs_deployments import mock_service_deployments

    with mock_service_deployments(with_moto=True) as mock:
        ecs = boto3.client("ecs", region_name="us-east-1")
        cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
        cloudwatch.put_metric_alarm(
            AlarmName="web-5xx",
            MetricName="HTTPCode_Target_5XX_Count",
            Namespace="AWS/ApplicationELB",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=5.0,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
        )
        cloudwatch.set_alarm_state(AlarmName="web-5xx", StateValue="OK", StateReason="quiet")
        ecs.create_cluster(clusterName="prod")
        ecs.register_task_definition(
            family="web",
            containerDefinitions=[
                {"name": "app", "image": "public.ecr.aws/acme/web:1.0", "memory": 256}
            ],
        )
        ecs.create_service(
            cluster="prod",
            serviceName="web",
            taskDefinition="web:1",
            desiredCount=2,
            deploymentConfiguration={
                "strategy": "CANARY",
                "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 5},
                "bakeTimeInMinutes": 10,
                "alarms": {"alarmNames": ["web-5xx"], "enable": True, "rollback": True},
            },
        )
        # How long SCALE_UP lasts (in AWS, the tasks decide this).
        mock.backend().plan_next_deployment("web", "prod", in_progress_for=60)
        slept = 0.0

        def sleep(seconds: float) -> None:
            # The mock's clock moves instead; eight minutes in (the canary's 5-minute bake is
            # over, all traffic is on the new tasks) the 5xx alarm fires.
            nonlocal slept
            slept += seconds
            mock.advance(seconds)
            if slept == 480:
                cloudwatch.set_alarm_state(
                    AlarmName="web-5xx", StateValue="ALARM", StateReason="5xx spike"
                )

        result = deploy(ecs, "prod", "web", "public.ecr.aws/acme/web:1.1", sleep=sleep)
        (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    print(result.summary())
    print(f"running: {service['taskDefinition']}")
    return result


if __name__ == "__main__":
    main()
