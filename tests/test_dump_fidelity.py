"""A dump loaded into a fresh mock beside moto answers as the state it was taken from: moto's
DescribeServices with the mock's fields (deployments, counts, events), the services' records,
DescribeServiceDeployments, and the EventBridge events made as time moves on; for a user
rollback dumped mid-way, a service that wants no tasks, and a circuit breaker that fired."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest
from freezegun import freeze_time

from mock_ecs_deployments import ServiceDeploymentsMock, mock_service_deployments

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REGION = "us-east-1"
CLUSTER = "prod"
BREAKER = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
LATER = 1800  # seconds after the dump: every deployment dumped mid-way has finished by then

# Builds a history in an active mock beside moto, through boto3 and the seeding API; returns the
# names of the services to compare.
Build = Callable[[ServiceDeploymentsMock, Any, Any], list[str]]


@dataclass
class Answers:
    """What a client and a test can read of the state at one moment."""

    services: list[dict[str, Any]]
    deployments: list[dict[str, Any]]
    records: list[dict[str, Any]]


@pytest.fixture
def clock() -> Iterator[Any]:
    """Time frozen at ``T0``; ``clock.tick(seconds)`` moves it."""
    with freeze_time(T0) as frozen:
        yield frozen


def _ecs() -> Any:
    return boto3.client("ecs", region_name=REGION)


def _without_ids(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events without their ``id``, a fresh random UUID in either state."""
    return [{key: value for key, value in event.items() if key != "id"} for event in events]


def _answers(mock: ServiceDeploymentsMock, names: list[str]) -> Answers:
    ecs = _ecs()
    described = ecs.describe_services(cluster=CLUSTER, services=names)
    assert described["failures"] == []
    services = described["services"]
    for service in services:
        service["events"] = _without_ids(service["events"])
    deployments = []
    for name in names:
        briefs = ecs.list_service_deployments(cluster=CLUSTER, service=name)["serviceDeployments"]
        arns = [brief["serviceDeploymentArn"] for brief in briefs]
        deployments += ecs.describe_service_deployments(serviceDeploymentArns=arns)[
            "serviceDeployments"
        ]
    backend = mock.backend()
    records = []
    for name in names:
        record = backend.services[(CLUSTER, name)]
        records.append(
            {
                "status": record.status,
                "desired_count": record.desired_count,
                "task_definition": record.task_definition,
                "launch_type": record.launch_type,
                "deployment_configuration": record.deployment_configuration,
                "current_revision": None
                if record.current_revision is None
                else record.current_revision.arn,
                "deployments": [(d.arn, d.status, d.desired_count) for d in record.deployments],
                "ongoing": sorted(record.ongoing),
            }
        )
    return Answers(services, deployments, records)


def _differences(then: object, now: object, path: str = "") -> list[str]:
    """Where ``now`` differs from ``then``, each as ``path: then != now`` (a readable failure,
    where pytest would truncate the diff of two large answers)."""
    if isinstance(then, dict) and isinstance(now, dict):
        return [
            difference
            for key in sorted({*then, *now}, key=str)
            for difference in _differences(
                then.get(key, "<absent>"), now.get(key, "<absent>"), f"{path}.{key}"
            )
        ]
    if isinstance(then, list | tuple) and isinstance(now, list | tuple):
        if len(then) != len(now):
            return [f"{path}: {len(then)} items != {len(now)} items: {then!r} != {now!r}"]
        return [
            difference
            for index, (old, new) in enumerate(zip(then, now, strict=True))
            for difference in _differences(old, new, f"{path}[{index}]")
        ]
    return [] if then == now else [f"{path}: {then!r} != {now!r}"]


def _same(then: Answers, now: Answers) -> None:
    assert _differences(asdict(then), asdict(now)) == []


def _round_trip(clock: Any, build: Build) -> None:
    """Build a history, dump it, read it then and ``LATER``; load the dump into a fresh mock
    at the dump's moment and read the same, then and ``LATER``."""
    with mock_service_deployments(with_moto=True) as mock:
        ecs = _ecs()
        names = build(mock, ecs, clock)
        dumped_at = mock.now()
        # As a file would carry it: plain JSON data.
        dumped = json.loads(json.dumps(mock.dump_scenario()))
        made = len(mock.events)
        then = _answers(mock, names)
        clock.tick(LATER)
        after = _answers(mock, names)
        events_after = _without_ids(mock.events[made:])

    clock.move_to(dumped_at)
    with mock_service_deployments(with_moto=True) as fresh:
        assert fresh.now() == dumped_at
        fresh.load_scenario(dumped)
        assert fresh.events == []  # what happened before the dump is not made again
        _same(then, _answers(fresh, names))
        clock.tick(LATER)
        _same(after, _answers(fresh, names))
        assert _differences(events_after, _without_ids(fresh.events)) == []


def _register(ecs: Any) -> None:
    ecs.create_cluster(clusterName=CLUSTER)
    for image in ("nginx:1", "nginx:2"):
        ecs.register_task_definition(
            family="web", containerDefinitions=[{"name": "app", "image": image, "memory": 128}]
        )


def _newest(ecs: Any, service: str) -> str:
    briefs = ecs.list_service_deployments(cluster=CLUSTER, service=service)["serviceDeployments"]
    arn: str = briefs[0]["serviceDeploymentArn"]
    return arn


def _status(ecs: Any, arn: str) -> str:
    (deployment,) = ecs.describe_service_deployments(serviceDeploymentArns=[arn])[
        "serviceDeployments"
    ]
    status: str = deployment["status"]
    return status


# -- a user rollback dumped mid-way ----------------------------------------------------------


@pytest.mark.parametrize(
    ("pending_for", "seconds_after_stop", "status"),
    [
        pytest.param(0, 0, "ROLLBACK_REQUESTED", id="requested"),
        pytest.param(0, 30, "ROLLBACK_IN_PROGRESS", id="in-progress"),
        pytest.param(0, 600, "ROLLBACK_SUCCESSFUL", id="finished"),
        pytest.param(600, 30, "ROLLBACK_IN_PROGRESS", id="in-progress-never-started"),
        pytest.param(600, 600, "ROLLBACK_SUCCESSFUL", id="finished-never-started"),
    ],
)
def test_a_user_rollback_dumped_mid_way_goes_on_the_same_after_loading(
    clock: Any, pending_for: int, seconds_after_stop: int, status: str
) -> None:
    def build(mock: ServiceDeploymentsMock, ecs: Any, clock: Any) -> list[str]:
        _register(ecs)
        ecs.create_service(
            cluster=CLUSTER, serviceName="web", taskDefinition="web:1", desiredCount=2
        )
        mock.backend().plan_next_deployment(
            "web", CLUSTER, pending_for=pending_for, in_progress_for=600, rollback_for=300
        )
        ecs.update_service(cluster=CLUSTER, service="web", taskDefinition="web:2")
        clock.tick(60)
        arn = _newest(ecs, "web")
        assert _status(ecs, arn) == ("PENDING" if pending_for else "IN_PROGRESS")
        ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK")
        clock.tick(seconds_after_stop)
        assert _status(ecs, arn) == status
        return ["web"]

    _round_trip(clock, build)


# -- a service with a desired count of 0 -----------------------------------------------------


def test_a_service_that_wants_no_tasks_keeps_its_desired_count_of_0(clock: Any) -> None:
    def build(mock: ServiceDeploymentsMock, ecs: Any, clock: Any) -> list[str]:
        _register(ecs)
        ecs.create_service(
            cluster=CLUSTER, serviceName="idle", taskDefinition="web:1", desiredCount=0
        )
        mock.backend().plan_next_deployment("idle", CLUSTER, in_progress_for=300)
        ecs.update_service(cluster=CLUSTER, service="idle", taskDefinition="web:2")
        clock.tick(60)
        (service,) = ecs.describe_services(cluster=CLUSTER, services=["idle"])["services"]
        assert service["desiredCount"] == 0
        assert [d["desiredCount"] for d in service["deployments"]] == [0, 0]
        return ["idle"]

    _round_trip(clock, build)


# -- a circuit breaker that fired ------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "status"), [(90, "ROLLBACK_IN_PROGRESS"), (600, "ROLLBACK_SUCCESSFUL")]
)
def test_a_triggered_circuit_breaker_stays_triggered_after_loading(
    clock: Any, seconds: int, status: str
) -> None:
    def build(mock: ServiceDeploymentsMock, ecs: Any, clock: Any) -> list[str]:
        _register(ecs)
        ecs.create_service(
            cluster=CLUSTER,
            serviceName="fragile",
            taskDefinition="web:1",
            desiredCount=4,
            deploymentConfiguration=BREAKER,
        )
        # A reason of the test's own: the breaker's having fired is not implied by the text.
        mock.backend().plan_next_deployment(
            "fragile",
            CLUSTER,
            outcome="ROLLBACK_SUCCESSFUL",
            in_progress_for=60,
            rollback_for=300,
            reason="Tasks kept crashing.",
        )
        ecs.update_service(cluster=CLUSTER, service="fragile", taskDefinition="web:2")
        # A second service, deployed while the first one's rollback runs, so that events are
        # made after the dump in either case.
        ecs.create_service(
            cluster=CLUSTER, serviceName="steady", taskDefinition="web:1", desiredCount=1
        )
        clock.tick(seconds)
        mock.backend().plan_next_deployment("steady", CLUSTER, in_progress_for=120)
        ecs.update_service(cluster=CLUSTER, service="steady", taskDefinition="web:2")
        arn = _newest(ecs, "fragile")
        (deployment,) = ecs.describe_service_deployments(serviceDeploymentArns=[arn])[
            "serviceDeployments"
        ]
        assert deployment["status"] == status
        assert deployment["deploymentCircuitBreaker"] == {
            "status": "TRIGGERED",
            "failureCount": 3,
            "threshold": 3,
        }
        return ["fragile", "steady"]

    _round_trip(clock, build)


# -- a deployment an alarm failed ------------------------------------------------------------


@pytest.mark.parametrize("rollback", [True, False], ids=["rolling-back", "stopped"])
def test_a_deployment_an_alarm_failed_loads_back_failed_by_the_same_alarm(
    clock: Any, rollback: bool
) -> None:
    def build(mock: ServiceDeploymentsMock, ecs: Any, clock: Any) -> list[str]:
        _register(ecs)
        alarms = {"alarmNames": ["canary-5xx"], "enable": True, "rollback": rollback}
        ecs.create_service(
            cluster=CLUSTER,
            serviceName="web",
            taskDefinition="web:1",
            desiredCount=2,
            deploymentConfiguration={"alarms": alarms},
        )
        mock.backend().plan_next_deployment("web", CLUSTER, in_progress_for=600, rollback_for=300)
        ecs.update_service(cluster=CLUSTER, service="web", taskDefinition="web:2")
        clock.tick(60)
        mock.backend().set_alarm_state("canary-5xx", "ALARM")
        clock.tick(30)
        (deployment,) = ecs.describe_service_deployments(
            serviceDeploymentArns=[_newest(ecs, "web")]
        )["serviceDeployments"]
        assert deployment["alarms"]["triggeredAlarmNames"] == ["canary-5xx"]
        assert deployment["status"] == ("ROLLBACK_IN_PROGRESS" if rollback else "STOPPED")
        return ["web"]

    _round_trip(clock, build)
