"""Report circuit-breaker rollbacks from the ECS deployment events an EventBridge rule queues.

``subscribe`` makes what a team would make with infrastructure code: an SQS queue, and a rule
on the default event bus sending it every "ECS Deployment State Change" event that says
SERVICE_DEPLOYMENT_FAILED. ``handle`` is the notifier (a Lambda function's handler, a worker):
for each failure it finds the service deployment the event names (its ``deploymentId`` is
``ecs-svc/<n>``, with ``<n>`` the last part of the deployment's target service revision ARN),
describes it, and reports the rollback. ``drain`` feeds it the queue's messages. All of it is
boto3 against the real APIs, so it runs unchanged against AWS.

``main()`` runs it inside the mock, beside moto: service web on web:1 with the circuit breaker
on, a deployment of web:2 whose tasks fail to start after five minutes and roll back in one;
the mock's clock is moved on with ``mock.advance``, so nothing waits for real.

Run:  python examples/rollback_notifier.py
"""

from __future__ import annotations

import json
from typing import Any

FAILURES = {
    "source": ["aws.ecs"],
    "detail-type": ["ECS Deployment State Change"],
    "detail": {"eventName": ["SERVICE_DEPLOYMENT_FAILED"]},
}


def subscribe(sqs: Any, events: Any, name: str) -> str:
    """A queue named ``name`` fed by a rule of the same name with the deployment failures;
    returns the queue's URL."""
    url: str = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(Name=name, EventPattern=json.dumps(FAILURES))
    events.put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": arn}])
    return url


def handle(ecs: Any, event: dict[str, Any]) -> str | None:
    """The report for one EventBridge event, or ``None`` when it is not a failure."""
    detail = event.get("detail") or {}
    if detail.get("eventName") != "SERVICE_DEPLOYMENT_FAILED":
        return None
    service_arn = event["resources"][0]
    number = str(detail["deploymentId"]).rsplit("/", 1)[-1]
    history = ecs.list_service_deployments(
        cluster=detail["clusterArn"], service=service_arn, maxResults=100
    )["serviceDeployments"]
    failed = next(
        (d for d in history if d["targetServiceRevisionArn"].endswith(f"/{number}")), None
    )
    service = service_arn.rsplit("/", 1)[-1]
    if failed is None:
        return f"{service}: deployment {detail['deploymentId']} failed and is no longer listed"
    (deployment,) = ecs.describe_service_deployments(
        serviceDeploymentArns=[failed["serviceDeploymentArn"]]
    )["serviceDeployments"]
    rollback = deployment.get("rollback")
    if rollback is None:
        return f"{service}: deployment {detail['deploymentId']} failed: {detail['reason']}"
    (revision,) = ecs.describe_service_revisions(
        serviceRevisionArns=[rollback["serviceRevisionArn"]]
    )["serviceRevisions"]
    task_definition = revision["taskDefinition"].rsplit("/", 1)[-1]
    return (
        f"{service}: deployment {detail['deploymentId']} failed at {event['time']}"
        f" ({detail['reason']}); rolled back to {task_definition}, {deployment['status']}"
    )


def drain(sqs: Any, ecs: Any, url: str) -> list[str]:
    """Handle every message waiting in the queue (deleting each); returns the reports."""
    reports = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return reports
        for message in messages:
            report = handle(ecs, json.loads(message["Body"]))
            if report is not None:
                reports.append(report)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def main() -> list[str]:
    """A failing deployment of web:2 in the mock, rolled back by the circuit breaker."""
    import boto3

    from mock_ecs_deployments import mock_service_deployments

    with mock_service_deployments(with_moto=True) as mock:
        ecs = boto3.client("ecs", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = subscribe(sqs, boto3.client("events", region_name="us-east-1"), "deploy-failures")
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
        # In AWS the tasks decide this: web:2's fail to start five minutes in.
        mock.backend().plan_next_deployment(
            "web", "prod", outcome="ROLLBACK_SUCCESSFUL", in_progress_for=300, rollback_for=60
        )
        ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
        reports = drain(sqs, ecs, url)  # nothing has failed yet
        mock.advance(400)
        reports += drain(sqs, ecs, url)
        for report in reports:
            print(report)
        return reports


if __name__ == "__main__":
    main()
