"""Eight threads share three services, 5,000 operations per test, through real boto3 clients.

The first test mixes seeds, lists, describes and stops; the hammer adds ContinueServiceDeployment,
deployments moving through their plans in real time, and mostly status-filtered pages. Nothing
may raise, no deployment may be lost or listed twice, every page — and every run of pages that
follows a token while others keep adding — must be newest first without repeats, and every item
must match the filters it was asked for and agree with itself.
"""

from __future__ import annotations

import random
import sys
import threading
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError

from mock_ecs_deployments import ServiceDeploymentBackend, mock_service_deployments
from mock_ecs_deployments.engine.model.service_model import deployment_statuses

from .clients import new_client
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
        if _stopped(self.client, self.rng, arn):
            self.stopped.append(arn)


def _stopped(client: Any, rng: random.Random, arn: str) -> bool:
    """Stop ``arn`` (ROLLBACK or ABORT at random); False when refused as a conflict."""
    try:
        client.stop_service_deployment(
            serviceDeploymentArn=arn, stopType=rng.choice(("ROLLBACK", "ABORT"))
        )
    except ClientError as error:
        # Completed, or a first deployment with nothing to roll back to.
        assert error.response["Error"]["Code"] == "ConflictException", error.response
        return False
    return True


def _run_all(runners: Sequence[Worker | Hammer]) -> None:
    """Run each runner's share of the operations in a thread of its own, started together;
    re-raise the first error any of them met."""
    start = threading.Barrier(len(runners))
    threads = [
        threading.Thread(target=runner.run, args=(OPERATIONS // THREADS, start))
        for runner in runners
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    errors = [error for runner in runners for error in runner.errors]
    if errors:
        raise errors[0]


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
        workers = [Worker(n, new_client(config=config), backend, shared) for n in range(THREADS)]
        _run_all(workers)

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


# -- the hammer: status-filtered pages, describes, stops, continues and seeds ----------------------
#
# Deployments here follow plans in real time, so statuses move while other threads read them:
# a page must be filtered, sliced and encoded from one view of the state, or an item that no
# longer matches its filters slips into it.

HOOKED = ("prod", "hooked")  # a PAUSE hook holds its deployments IN_PROGRESS until continued
HAMMERED = (HOOKED, ("prod", "web"), ("staging", "api"))
ONGOING = ("PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")
COMPLETED = frozenset({"SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"})
PAUSE_AFTER_SCALE_UP = {"targetType": "PAUSE", "lifecycleStages": ["POST_SCALE_UP"]}


def _service_arn(cluster: str, service: str) -> str:
    return f"{PREFIX}:service/{cluster}/{service}"


def _check_times(item: dict[str, Any]) -> None:
    """What an item says about its times agrees with its status (an item read half before and
    half after a step of its lifecycle would not)."""
    status = item["status"]
    assert ("finishedAt" in item) == (status in COMPLETED), item
    if status == "PENDING":
        assert "startedAt" not in item, item
    if status == "IN_PROGRESS":
        assert "startedAt" in item, item


@dataclass
class Hammer:
    """One thread of the hammer: its client, random source, and what it saw and did."""

    number: int
    client: Any
    backend: ServiceDeploymentBackend
    # Per service: every deployment made, and the static ones made in a completed status
    # (which never change), appended from all threads (list.append is atomic).
    made: dict[str, list[str]]
    completed: dict[str, list[tuple[str, str]]]
    # Deployments a page just showed PENDING or IN_PROGRESS: stops aim at them, so that a stop
    # often lands on an item of a page another thread is still answering.
    hot: deque[str]
    rng: random.Random = field(init=False)
    counts: Counter[str] = field(default_factory=Counter)
    stopped: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(1000 + self.number)

    def run(self, count: int, start: threading.Barrier) -> None:
        start.wait()
        try:
            for _ in range(count):
                kind = self.rng.choices(
                    ("seed", "list", "describe", "stop", "continue_"), (3, 5, 2, 2, 1)
                )[0]
                getattr(self, kind)()
                self.counts[kind] += 1
        except BaseException as error:  # reported by the test, with its traceback
            self.errors.append(error)

    def seed(self) -> None:
        cluster, service = self.rng.choice(HAMMERED)
        if self.rng.random() < 0.4:  # made now, moving through its plan in real time
            plan = {
                "pending_for": self.rng.choice((0, 0.002, 0.01)),
                "in_progress_for": self.rng.choice((0, 0.005, 0.02)),
                "outcome": self.rng.choice(("SUCCESSFUL", "ROLLBACK_SUCCESSFUL", "STOPPED")),
            }
            deployment = self.backend.start_deployment(service, cluster, plan=plan)
        else:  # recorded in the past, in any status
            status = self.rng.choice(STATUSES)
            deployment = self.backend.add_deployment(
                service,
                cluster,
                status=status,
                created_at=BASE + timedelta(milliseconds=self.rng.randrange(5_000)),
            )
            if status in COMPLETED:
                self.completed[deployment.service_arn].append((deployment.arn, status))
        self.made[deployment.service_arn].append(deployment.arn)

    def list(self) -> None:
        cluster, service = self.rng.choice(HAMMERED)
        service_arn = _service_arn(cluster, service)
        request: dict[str, Any] = {"cluster": cluster, "service": service}
        statuses: list[str] | None = None
        if self.rng.random() < 0.7:  # mostly the statuses that change under the reader
            pool = ONGOING if self.rng.random() < 0.7 else STATUSES
            statuses = self.rng.sample(pool, self.rng.randint(1, 3))
            request["status"] = statuses
        after = before = None
        if self.rng.random() < 0.2:
            # Whole seconds: botocore before 1.43.93 sends a bound's fraction as nothing.
            after = BASE + timedelta(seconds=self.rng.randrange(3))
            before = after + timedelta(seconds=self.rng.randrange(3))
            request["createdAt"] = {"after": after, "before": before}
        walk = self.rng.random() < 0.2  # to the last page
        # What must be on a walk: deployments that existed, and matched, before it began.
        expected = set(self.made[service_arn]) if statuses is None and after is None else set()
        if statuses is not None and after is None:
            expected = {arn for arn, s in self.completed[service_arn] if s in statuses}
        seen: set[str] = set()
        previous: datetime | None = None
        for _ in range(1_000 if walk else self.rng.randint(1, 3)):
            request["maxResults"] = self.rng.choice((5, 20, 100) if walk else (1, 5, 20, 100))
            answer = self.client.list_service_deployments(**request)
            self.counts["pages"] += 1
            items = answer["serviceDeployments"]
            arns = [item["serviceDeploymentArn"] for item in items]
            assert len(arns) == len(set(arns)), "a page repeated a deployment"
            assert not seen & set(arns), "a later page repeated a deployment"
            seen.update(arns)
            created = ([previous] if previous else []) + [item["createdAt"] for item in items]
            assert created == sorted(created, reverse=True), "not newest first"
            previous = created[-1] if created else previous
            for item in items:
                if statuses is not None:
                    assert item["status"] in statuses, (item, statuses)
                if after is not None and before is not None:
                    assert after <= item["createdAt"] <= before, (item, after, before)
                assert item["serviceArn"] == service_arn, item
                assert item["serviceDeploymentArn"].startswith(
                    f"{PREFIX}:service-deployment/{cluster}/{service}/"
                ), item
                _check_times(item)
                if item["status"] in ("PENDING", "IN_PROGRESS"):
                    self.hot.append(item["serviceDeploymentArn"])
            token = answer.get("nextToken")
            assert items or token is None, "an empty page carried a nextToken"
            if token is None:
                if walk:
                    assert expected <= seen, f"lost: {sorted(expected - seen)[:3]}"
                    self.counts["walks"] += 1
                return
            request["nextToken"] = token
        assert not walk, "a walk did not reach its last page"

    def _known(self) -> list[str]:
        return [arn for arns in list(self.made.values()) for arn in list(arns)]

    def describe(self) -> None:
        known = self._known()
        arns = self.rng.sample(known, min(len(known), self.rng.randint(1, 20)))
        answer = self.client.describe_service_deployments(serviceDeploymentArns=arns)
        assert answer["failures"] == []
        assert [d["serviceDeploymentArn"] for d in answer["serviceDeployments"]] == arns
        for deployment in answer["serviceDeployments"]:
            _check_times(deployment)
            assert ("stoppedAt" in deployment) == (deployment["status"] == "STOPPED"), deployment
            hooks = deployment.get("lifecycleHookDetails", [])
            if any(hook.get("status") == "AWAITING_ACTION" for hook in hooks):
                assert deployment["status"] == "IN_PROGRESS", deployment

    def stop(self) -> None:
        hot = list(self.hot)
        arn = self.rng.choice(hot if hot and self.rng.random() < 0.8 else self._known())
        if _stopped(self.client, self.rng, arn):
            self.stopped.append(arn)

    def continue_(self) -> None:
        hooked = self.made[_service_arn(*HOOKED)]
        arn = hooked[-self.rng.randint(1, min(3, len(hooked)))]  # the newest ones wait
        (deployment,) = self.client.describe_service_deployments(serviceDeploymentArns=[arn])[
            "serviceDeployments"
        ]
        waiting = [
            hook["hookId"]
            for hook in deployment.get("lifecycleHookDetails", [])
            if hook.get("status") == "AWAITING_ACTION"
        ]
        if not waiting:
            return
        try:
            self.client.continue_service_deployment(
                serviceDeploymentArn=arn,
                hookId=waiting[0],
                action=self.rng.choice(("CONTINUE", "CONTINUE", "ROLLBACK")),
            )
        except ClientError as error:
            # Stopped, superseded or rolled back meanwhile: the hook no longer waits.
            assert error.response["Error"]["Code"] == "InvalidParameterException", error.response
            return
        self.counts["continued"] += 1


def _hammer_setup(
    backend: ServiceDeploymentBackend,
) -> tuple[dict[str, list[str]], dict[str, list[tuple[str, str]]]]:
    """The hooked service, and 60 deployments over the three services: what was made, per
    service, and which of those were made in a completed status."""
    made: dict[str, list[str]] = {_service_arn(*key): [] for key in HAMMERED}
    completed: dict[str, list[tuple[str, str]]] = {arn: [] for arn in made}
    backend.add_service(
        HOOKED[1], HOOKED[0], deployment_configuration={"lifecycleHooks": [PAUSE_AFTER_SCALE_UP]}
    )
    for index in range(60):
        cluster, service = HAMMERED[index % len(HAMMERED)]
        status = STATUSES[index % len(STATUSES)]
        deployment = backend.add_deployment(
            service, cluster, status=status, created_at=BASE + timedelta(milliseconds=83 * index)
        )
        made[deployment.service_arn].append(deployment.arn)
        if status in COMPLETED:
            completed[deployment.service_arn].append((deployment.arn, status))
    return made, completed


def test_hammer_pages_match_their_filters_while_statuses_move() -> None:
    """5,000 operations on 8 threads; every page and describe answer is one consistent view."""
    switch_interval = sys.getswitchinterval()
    # Threads take turns far more often than the default 5 ms, so that a step of one thread
    # can land between any two bytecodes of another's read.
    sys.setswitchinterval(1e-5)
    try:
        with mock_service_deployments() as mock:
            backend = mock.backend()
            made, completed = _hammer_setup(backend)
            hot: deque[str] = deque(maxlen=50)
            config = Config(retries={"total_max_attempts": 1})
            hammers = [
                Hammer(
                    n,
                    new_client(config=config),
                    backend,
                    made,
                    completed,
                    hot,
                )
                for n in range(THREADS)
            ]
            _run_all(hammers)

            client = hammers[0].client
            for cluster, service in HAMMERED:
                listed = _all_listed(client, cluster, service)
                assert [arn for arn, n in Counter(listed).items() if n > 1] == [], "listed twice"
                assert sorted(listed) == sorted(made[_service_arn(cluster, service)])
            stopped = sorted({arn for hammer in hammers for arn in hammer.stopped})
            for index in range(0, len(stopped), 20):
                answer = client.describe_service_deployments(
                    serviceDeploymentArns=stopped[index : index + 20]
                )
                for deployment in answer["serviceDeployments"]:
                    assert deployment["status"] in STOPPING_OR_STOPPED, deployment
    finally:
        sys.setswitchinterval(switch_interval)

    counts = sum((hammer.counts for hammer in hammers), Counter[str]())
    assert sum(counts[kind] for kind in ("seed", "list", "describe", "stop", "continue_")) == (
        OPERATIONS // THREADS * THREADS
    )
    # Every kind of operation really ran, and ran concurrently with the others.
    assert counts["seed"] > 500 and counts["pages"] > 1500 and counts["walks"] > 50, counts
    assert stopped and counts["continued"] > 10, counts
