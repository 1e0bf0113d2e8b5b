"""Deploy a new task definition and wait with botocore's ``services_stable`` waiter.

``deploy`` is the deploy step of a pipeline: UpdateService, then the waiter until the service is
stable (one deployment, all tasks running), then the service's deployment history. It uses only
boto3's ECS API, so it runs unchanged against AWS. ``main()`` runs it inside the mock, beside
moto, with a rollout planned to take ten minutes of the mock's clock.

The waiter polls once per ``wait()`` call (``MaxAttempts: 1`` never sleeps), and ``deploy``
sleeps between polls with the ``sleep`` it is given: ``time.sleep`` against AWS,
``mock.advance`` (or freezegun's ``tick``) against the mock, so nothing waits for real.

Run:  python examples/deploy_and_wait.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timezone
from typing import Any

from botocore.exceptions import WaiterError


def wait_until_stable(
    ecs: Any,
    cluster: str,
    service: str,
    *,
    delay: float = 15,
    max_attempts: int = 40,
    sleep: Callable[[float], Any] = time.sleep,
) -> int:
    """Poll the ``services_stable`` waiter every ``delay`` seconds; return how many polls it took.

    :raises WaiterError: still not stable after ``max_attempts`` polls, or the service is
        missing, draining or inactive.
    """
    waiter = ecs.get_waiter("services_stable")
    polls = 0
    while True:
        polls += 1
        try:
            # One poll: with MaxAttempts 1 the waiter never sleeps, it raises at once.
            waiter.wait(cluster=cluster, services=[service], WaiterConfig={"MaxAttempts": 1})
            return polls
        except WaiterError as error:
            not_yet = str(error.kwargs["reason"]).startswith("Max attempts exceeded")
            if not not_yet or polls >= max_attempts:
                raise
        sleep(delay)


def deploy(
    ecs: Any,
    cluster: str,
    service: str,
    task_definition: str,
    *,
    delay: float = 15,
    max_attempts: int = 40,
    sleep: Callable[[float], Any] = time.sleep,
) -> list[dict[str, Any]]:
    """Deploy ``task_definition`` to the service, wait until it is stable, print and return
    its deployment history (newest first)."""
    ecs.update_service(cluster=cluster, service=service, taskDefinition=task_definition)
    polls = wait_until_stable(
        ecs, cluster, service, delay=delay, max_attempts=max_attempts, sleep=sleep
    )
    print(f"service {service} is stable after {polls} polls")
    header = ("created (UTC)", "finished (UTC)", "status", "revision", "task definition")
    print("{:<19}  {:<19}  {:<20}  {:<19}  {}".format(*header))

    history = ecs.list_service_deployments(cluster=cluster, service=service)["serviceDeployments"]
    targets = [item["targetServiceRevisionArn"] for item in history]
    revisions = ecs.describe_service_revisions(serviceRevisionArns=targets)["serviceRevisions"]
    task_definitions = {r["serviceRevisionArn"]: r["taskDefinition"] for r in revisions}
    for item in history:
        target = item["targetServiceRevisionArn"]
        revision_id = target.rsplit("/", 1)[-1]
        deployed = task_definitions[target].rsplit("/", 1)[-1]
        print(
            f"{_utc(item, 'createdAt')}  {_utc(item, 'finishedAt')}"
            f"  {item['status']:<20}  {revision_id:<19}  {deployed}"
        )

    (described,) = ecs.describe_services(cluster=cluster, services=[service])["services"]
    print(f"running: {described['taskDefinition']}")
    return list(history)


def _utc(item: dict[str, Any], key: str) -> str:
    return f"{item[key].astimezone(timezone.utc):%Y-%m-%d %H:%M:%S}" if key in item else "-"


def main() -> list[dict[str, Any]]:
    """Deploy web:2 over web:1 in the mock; the rollout takes ten minutes of the mock's clock."""
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
        # How long the next deployment of web takes (in AWS, the tasks decide this).
        mock.backend().plan_next_deployment("web", "prod", in_progress_for=600)
        # The waiter's default, 40 polls 15 s apart, gives up after ten minutes: allow more.
        return deploy(ecs, "prod", "web", "web:2", max_attempts=60, sleep=mock.advance)


if __name__ == "__main__":
    main()
