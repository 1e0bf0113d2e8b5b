"""Eight threads share three services: 5,000 mixed seeds, lists, describes and stops.

Nothing may raise, no deployment may be lost or listed twice, and every page — and every run of
pages that follows a token while others keep adding — must be newest first without repeats.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from mock_ecs_deployments import ServiceDeploymentBackend, mock_service_deployments
from mock_ecs_deployments.engine.service_model import deployment_statuses

from .shapes import check_output

THREADS = 8
OPERATIONS = 5_000
UTC = timezone.utc
BASE = datetime(2025, 2, 1, tzinfo=UTC)
SERVICES = (("prod", "web"), ("prod", "api"), ("staging", "web"))
PREFIX = "arn:aws:ecs:us-east-1:123456789012"
STATUSES = deployment_statuses()
# After a successful StopServiceDeployment a deployment is on its way out, or already out.
STOPPING_OR_STOPPED = frozenset(
    {
        "STOP_REQUESTED",
        "STOPPED",
        "ROLLBACK_REQUESTED",
        "ROLLBACK_IN_PROGRESS",
        "ROLLBACK_SUCCESSFUL",
        "ROLLBACK_FAILED",
    }
)


@dataclass
class Worker:
    """One thread's client, random source, and what it did."""

    number: int
    client: Any
    backend: ServiceDeploymentBackend
    shared: list[str]
    rng: random.Random = field(init=False)
    seeded: list[tuple[str, str]] = field(default_factory=list)  # (service ARN, ARN)
    stopped: list[str] = field(default_factory=list)
    pages: int = 0
    errors: list[BaseException] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.number)

    def run(self, count: int, start: threading.Barrier) -> None:
        start.wait()
        try:
            for _ in range(count):
                kind = self.rng.choices(("seed", "list", "describe", "stop"), (4, 3, 2, 1))[0]
                getattr(self, kind)()
        except BaseException as error:  # reported by the test, with its traceback
            self.errors.append(error)

    def seed(self) -> None:
        cluster, service = self.rng.choice(SERVICES)
        deployment = self.backend.add_deployment(
            service,
            cluster,
            status=self.rng.choice(STATUSES),
            created_at=BASE + timedelta(milliseconds=self.rng.randrange(5_000)),
        )
        self.seeded.append((deployment.service_arn, deployment.arn))
        self.shared.append(deployment.arn)  # list.append is atomic: other threads describe it

    def list(self) -> None:
        cluster, service = self.rng.choice(SERVICES)
        request: dict[str, Any] = {"cluster": cluster, "service": service}
        if self.rng.random() < 0.3:
            request["status"] = self.rng.sample(STATUSES, 3)
        seen: set[str] = set()
        previous_created: datetime | None = None
        for _ in range(self.rng.randint(1, 3)):  # follow the token while others add
            request["maxResults"] = self.rng.choice((1, 7, 20, 100))
            answer = self.client.list_service_deployments(**request)
            check_output("ListServiceDeployments", answer)
            self.pages += 1
            items = answer["serviceDeployments"]
            arns = [item["serviceDeploymentArn"] for item in items]
            assert len(arns) == len(set(arns)), "a page repeated a deployment"
            assert not seen & set(arns), "a later page repeated a deployment"
            seen.update(arns)
            created = [item["createdAt"] for item in items]
            if previous_created is not None:
                created.insert(0, previous_created)
            assert created == sorted(created, reverse=True), "not newest first"
            for item in items:
                if "status" in request:
                    assert item["status"] in request["status"]
                assert item["serviceArn"] == f"{PREFIX}:service/{cluster}/{service}"
            previous_created = created[-1] if created else previous_created
            token = answer.get("nextToken")
            assert items or token is None, "an empty page carried a nextToken"
            if token is None:
                break
            request["nextToken"] = token

    def describe(self) -> None:
        known = list(self.shared)
        if not known:
            return
        arns = self.rng.sample(known, min(len(known), self.rng.randint(1, 20)))
        answer = self.client.describe_service_deployments(serviceDeploymentArns=arns)
        check_output("DescribeServiceDeployments", answer)
        assert answer["failures"] == []
        assert [d["serviceDeploymentArn"] for d in answer["serviceDeployments"]] == arns

    def stop(self) -> None:
        known = list(self.shared)
        if not known:
            return
        arn = self.rng.choice(known)
        try:
            self.client.stop_service_deployment(
                serviceDeploymentArn=arn, stopType=self.rng.choice(("ROLLBACK", "ABORT"))
            )
        except ClientError as error:
            # Completed, or a first deployment with nothing to roll back to.
            assert error.response["Error"]["Code"] == "ConflictException", error.response
            return
        self.stopped.append(arn)


def _all_listed(client: Any, cluster: str, service: str) -> list[str]:
    arns: list[str] = []
    request: dict[str, Any] = {"cluster": cluster, "service": service, "maxResults": 100}
    while True:
        answer = client.list_service_deployments(**request)
        arns.extend(item["serviceDeploymentArn"] for item in answer["serviceDeployments"])
        if "nextToken" not in answer:
            return arns
        request["nextToken"] = answer["nextToken"]


def test_eight_threads_share_services_without_losing_or_repeating_anything() -> None:
    with mock_service_deployments() as mock:
        backend = mock.backend()
        shared: list[str] = []
        initial: list[tuple[str, str]] = []
        for index in range(60):
            cluster, service = SERVICES[index % len(SERVICES)]
            deployment = backend.add_deployment(
                service,
                cluster,
                status=STATUSES[index % len(STATUSES)],
                created_at=BASE + timedelta(milliseconds=83 * index),
            )
            initial.append((deployment.service_arn, deployment.arn))
            shared.append(deployment.arn)
        config = Config(retries={"total_max_attempts": 1})
        workers = [
            Worker(n, boto3.client("ecs", region_name="us-east-1", config=config), backend, shared)
            for n in range(THREADS)
        ]
        start = threading.Barrier(THREADS)
        threads = [
            threading.Thread(target=w.run, args=(OPERATIONS // THREADS, start)) for w in workers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
        errors = [error for worker in workers for error in worker.errors]
        if errors:
            raise errors[0]

        client = workers[0].client
        made = initial + [item for worker in workers for item in worker.seeded]
        for cluster, service in SERVICES:
            service_arn = f"{PREFIX}:service/{cluster}/{service}"
            listed = _all_listed(client, cluster, service)
            repeated = [arn for arn, count in Counter(listed).items() if count > 1]
            assert repeated == [], "listed twice"
            assert sorted(listed) == sorted(arn for owner, arn in made if owner == service_arn)
        stopped = sorted({arn for worker in workers for arn in worker.stopped})
        for start_index in range(0, len(stopped), 20):
            answer = client.describe_service_deployments(
                serviceDeploymentArns=stopped[start_index : start_index + 20]
            )
            for deployment in answer["serviceDeployments"]:
                assert deployment["status"] in STOPPING_OR_STOPPED, deployment

    seeds = sum(len(worker.seeded) for worker in workers)
    assert len(made) == len(initial) + seeds and len(set(arn for _, arn in made)) == len(made)
    # Every kind of operation really ran, and ran concurrently with the others.
    assert seeds > 1000 and stopped and sum(worker.pages for worker in workers) > 1000
