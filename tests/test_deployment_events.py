"""The deployments' EventBridge events: "ECS Deployment State Change" and "ECS Service Action",
made once each at their transitions' times; ``mock.events`` standalone, and beside moto the
default bus's rules deliver them to their targets whole."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from mock_ecs_deployments import ServiceDeploymentsMock, mock_service_deployments

from .clients import new_client

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
REGION = "us-east-1"
SERVICE_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/web"
CLUSTER_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod"
BREAKER = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
STATE_CHANGE = {"source": ["aws.ecs"], "detail-type": ["ECS Deployment State Change"]}


def _summary(events: list[dict[str, Any]]) -> list[tuple[str, str | None, str | None]]:
    return [
        (event["time"], event["detail"]["eventName"], event["detail"].get("reason"))
        for event in events
    ]


def _ecs_svc(arn: str) -> str:
    return f"ecs-svc/{arn.rsplit('/', 1)[1]}"


# -- standalone ------------------------------------------------------------------------------


def test_a_planned_deployment_makes_its_events_at_its_transitions_times(
    mock: ServiceDeploymentsMock, frozen: Any
) -> None:
    backend = mock.backend()
    backend.add_service("web", "prod", desired_count=2)
    first = backend.start_deployment("web", "prod", task_definition="web:1")
    deployment = backend.start_deployment(
        "web", "prod", task_definition="web:2", plan={"pending_for": 30, "in_progress_for": 600}
    )
    old, new = _ecs_svc(first.target_revision.arn), _ecs_svc(deployment.target_revision.arn)
    frozen.tick(10_000)  # long after: the events carry the transitions' own times

    events = mock.events
    assert _summary(events) == [
        (
            "2026-03-02T09:00:00Z",
            "SERVICE_DEPLOYMENT_IN_PROGRESS",
            f"ECS deployment {old} in progress.",
        ),
        (
            "2026-03-02T09:00:00Z",
            "SERVICE_DEPLOYMENT_COMPLETED",
            f"ECS deployment {old} completed.",
        ),
        ("2026-03-02T09:00:00Z", "SERVICE_STEADY_STATE", None),
        (
            "2026-03-02T09:00:30Z",
            "SERVICE_DEPLOYMENT_IN_PROGRESS",
            f"ECS deployment {new} in progress.",
        ),
        (
            "2026-03-02T09:10:30Z",
            "SERVICE_DEPLOYMENT_COMPLETED",
            f"ECS deployment {new} completed.",
        ),
        ("2026-03-02T09:10:30Z", "SERVICE_STEADY_STATE", None),
    ]
    completed = events[4]
    assert uuid.UUID(completed["id"]).version == 4
    assert {key: value for key, value in completed.items() if key != "id"} == {
        "version": "0",
        "detail-type": "ECS Deployment State Change",
        "source": "aws.ecs",
        "account": ACCOUNT,
        "time": "2026-03-02T09:10:30Z",
        "region": REGION,
        "resources": [SERVICE_ARN],
        "detail": {
            "eventType": "INFO",
            "eventName": "SERVICE_DEPLOYMENT_COMPLETED",
            "clusterArn": CLUSTER_ARN,
            "deploymentId": new,
            "updatedAt": "2026-03-02T09:10:30.000Z",
            "reason": f"ECS deployment {new} completed.",
        },
    }
    assert events[5]["detail-type"] == "ECS Service Action"
    assert events[5]["detail"] == {
        "eventType": "INFO",
        "eventName": "SERVICE_STEADY_STATE",
        "clusterArn": CLUSTER_ARN,
        "createdAt": "2026-03-02T09:10:30.000Z",
    }
    assert len({event["id"] for event in events}) == 6


def test_no_event_is_made_twice_however_often_it_is_read(
    mock: ServiceDeploymentsMock, frozen: Any
) -> None:
    backend = mock.backend()
    backend.add_service("web", "prod")
    backend.start_deployment("web", "prod", plan={"in_progress_for": 60})
    ecs = new_client()
    seen = []
    for _ in range(8):
        frozen.tick(20)
        ecs.list_service_deployments(cluster="prod", service="web")
        seen.append([event["id"] for event in mock.events])
    assert [len(ids) for ids in seen] == [1, 1, 3, 3, 3, 3, 3, 3]
    assert all(ids == seen[-1][: len(ids)] for ids in seen)
    assert mock.events == mock.events


def test_a_circuit_breaker_rollback_fails_then_rolls_back_then_completes(
    mock: ServiceDeploymentsMock, frozen: Any
) -> None:
    backend = mock.backend()
    backend.add_service("web", "prod", desired_count=4)
    first = backend.start_deployment("web", "prod", task_definition="web:1")
    first.configuration = dict(BREAKER)
    backend.services[("prod", "web")].deployment_configuration = dict(BREAKER)
    failing = backend.start_deployment(
        "web",
        "prod",
        task_definition="web:2",
        plan={"outcome": "ROLLBACK_SUCCESSFUL", "in_progress_for": 300, "rollback_for": 120},
    )
    old, new = _ecs_svc(first.target_revision.arn), _ecs_svc(failing.target_revision.arn)
    frozen.tick(1000)
    events = mock.events[3:]
    assert _summary(events) == [
        (
            "2026-03-02T09:00:00Z",
            "SERVICE_DEPLOYMENT_IN_PROGRESS",
            f"ECS deployment {new} in progress.",
        ),
        (
            "2026-03-02T09:05:00Z",
            "SERVICE_DEPLOYMENT_FAILED",
            "ECS deployment circuit breaker: tasks failed to start.",
        ),
        (
            "2026-03-02T09:05:00Z",
            "SERVICE_DEPLOYMENT_IN_PROGRESS",
            f"ECS deployment circuit breaker: rolling back to deploymentId {old}.",
        ),
        (
            "2026-03-02T09:07:00Z",
            "SERVICE_DEPLOYMENT_COMPLETED",
            f"ECS deployment {old} completed.",
        ),
        ("2026-03-02T09:07:00Z", "SERVICE_STEADY_STATE", None),
    ]
    failed = events[1]["detail"]
    assert (failed["eventType"], failed["deploymentId"]) == ("ERROR", new)
    assert [event["detail"].get("deploymentId") for event in events[2:4]] == [old, old]


def test_a_user_rollback_is_no_failure_and_a_stop_sends_nothing(
    mock: ServiceDeploymentsMock, frozen: Any
) -> None:
    backend = mock.backend()
    backend.add_service("web", "prod")
    first = backend.start_deployment("web", "prod", task_definition="web:1")
    rolled = backend.start_deployment(
        "web", "prod", task_definition="web:2", plan={"in_progress_for": 600, "rollback_for": 60}
    )
    old = _ecs_svc(first.target_revision.arn)
    ecs = new_client()
    frozen.tick(10)
    ecs.stop_service_deployment(serviceDeploymentArn=rolled.arn, stopType="ROLLBACK")
    frozen.tick(100)
    assert _summary(mock.events[4:]) == [
        (
            "2026-03-02T09:00:10Z",
            "SERVICE_DEPLOYMENT_IN_PROGRESS",
            f"ECS deployment {old} in progress.",
        ),
        (
            "2026-03-02T09:01:10Z",
            "SERVICE_DEPLOYMENT_COMPLETED",
            f"ECS deployment {old} completed.",
        ),
        ("2026-03-02T09:01:10Z", "SERVICE_STEADY_STATE", None),
    ]
    aborted = backend.start_deployment("web", "prod", plan={"in_progress_for": 600})
    frozen.tick(10)
    before = len(mock.events)
    ecs.stop_service_deployment(serviceDeploymentArn=aborted.arn, stopType="ABORT")
    frozen.tick(10)
    assert [event["detail"]["eventName"] for event in mock.events[before:]] == []


def test_a_rollback_asked_for_and_read_at_the_same_instant_still_starts_for_event_readers(
    mock: ServiceDeploymentsMock, frozen: Any
) -> None:
    """A rollback a user asked for starts once time has moved past the request. Events read
    at the request's instant (nothing due yet) must not lose that step: with no ECS read at
    all, the rollback's events come once the clock moves."""
    backend = mock.backend()
    backend.add_service("web", "prod")
    first = backend.start_deployment("web", "prod", task_definition="web:1")
    rolled = backend.start_deployment(
        "web", "prod", task_definition="web:2", plan={"in_progress_for": 600, "rollback_for": 60}
    )
    frozen.tick(10)
    backend.stop_service_deployment(rolled.arn, "ROLLBACK")
    old = _ecs_svc(first.target_revision.arn)
    # Read at the request's instant: the rollback's IN_PROGRESS, made with the request.
    before = len(mock.events)
    assert _summary(mock.events[before - 1 :]) == [
        (
            "2026-03-02T09:00:10Z",
            "SERVICE_DEPLOYMENT_IN_PROGRESS",
            f"ECS deployment {old} in progress.",
        ),
    ]
    assert rolled.status == "ROLLBACK_REQUESTED"
    frozen.tick(100)
    assert _summary(mock.events[before:]) == [
        (
            "2026-03-02T09:01:10Z",
            "SERVICE_DEPLOYMENT_COMPLETED",
            f"ECS deployment {old} completed.",
        ),
        ("2026-03-02T09:01:10Z", "SERVICE_STEADY_STATE", None),
    ]


def test_a_first_deployment_that_cannot_roll_back_fails(
    mock: ServiceDeploymentsMock, frozen: Any
) -> None:
    backend = mock.backend()
    backend.add_service("web", "prod")
    failing = backend.start_deployment(
        "web", "prod", plan={"outcome": "ROLLBACK_SUCCESSFUL", "in_progress_for": 60}
    )
    frozen.tick(61)
    (*_, failed) = mock.events
    assert failed["detail"]["eventName"] == "SERVICE_DEPLOYMENT_FAILED"
    assert failed["detail"]["deploymentId"] == _ecs_svc(failing.target_revision.arn)
    assert failed["detail"]["reason"] == (
        "Service deployment could not roll back: there is no previous service revision."
    )


def test_a_recorded_history_makes_no_events_and_a_reset_forgets_them(
    mock: ServiceDeploymentsMock, frozen: Any
) -> None:
    backend = mock.backend()
    backend.add_deployment("web", "prod", status="SUCCESSFUL", created_at=T0 - timedelta(days=1))
    backend.add_deployment(
        "web", "prod", status="ROLLBACK_SUCCESSFUL", created_at=T0 - timedelta(hours=1)
    )
    assert mock.events == []
    backend.start_deployment("web", "prod")
    assert len(mock.events) == 3
    mock.reset()
    assert mock.events == []


def test_a_scenario_s_deployment_in_progress_makes_its_event_once(
    mock: ServiceDeploymentsMock, frozen: Any
) -> None:
    (web, *_) = mock.load_scenario("examples/scenarios/mid_deploy.yaml")
    ongoing = web.deployments[-1]
    assert ongoing.status == "IN_PROGRESS"
    revision_id = ongoing.target_revision.id
    assert [(e["detail"]["eventName"], e["detail"]["deploymentId"]) for e in mock.events] == [
        ("SERVICE_DEPLOYMENT_IN_PROGRESS", f"ecs-svc/{revision_id:019d}")
    ]


def test_events_are_read_only_from_a_started_mock() -> None:
    mock = mock_service_deployments()
    with pytest.raises(RuntimeError, match="this mock is not started"):
        mock.events  # noqa: B018
    with mock:
        assert mock.events == []


# -- beside moto (each test marks its mock so) ---------------------------------------------------


@pytest.fixture
def ecs(ecs: Any) -> Any:
    """The shared client, with cluster prod and task definitions web:1 (nginx:1) and web:2
    (nginx:2) made in moto."""
    ecs.create_cluster(clusterName="prod")
    for image in ("nginx:1", "nginx:2"):
        ecs.register_task_definition(
            family="web", containerDefinitions=[{"name": "app", "image": image, "memory": 128}]
        )
    return ecs


def _queue(name: str, pattern: dict[str, Any], region: str = REGION, **target: Any) -> Any:
    """A queue fed by a rule on the default bus; returns a function receiving its bodies."""
    sqs = new_client("sqs", region)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = new_client("events", region)
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": arn, **target}])

    def received() -> list[Any]:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return [json.loads(message["Body"]) for message in messages]

    return received


@pytest.mark.service_deployments(with_moto=True)
def test_a_rule_s_queue_receives_in_progress_then_completed_with_the_primary_s_id(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    received = _queue("deploys", STATE_CHANGE)
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=2)
    assert [body["detail"]["eventName"] for body in received()] == [
        "SERVICE_DEPLOYMENT_IN_PROGRESS",
        "SERVICE_DEPLOYMENT_COMPLETED",
    ]
    mock.backend().plan_next_deployment("web", "prod", in_progress_for=600)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    primary = ecs.describe_services(cluster="prod", services=["web"])["services"][0]
    primary_id = primary["deployments"][0]["id"]

    (started,) = received()
    frozen.tick(599)
    assert received() == []
    frozen.tick(2)  # no ECS call in between: the queue's reader catches the deployment up
    (completed,) = received()
    assert [started["detail"]["eventName"], completed["detail"]["eventName"]] == [
        "SERVICE_DEPLOYMENT_IN_PROGRESS",
        "SERVICE_DEPLOYMENT_COMPLETED",
    ]
    assert started["detail"]["deploymentId"] == completed["detail"]["deploymentId"] == primary_id
    assert primary_id == _ecs_svc(
        ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"][0][
            "targetServiceRevisionArn"
        ]
    )
    # the whole event, account included, with its time as AWS writes it
    assert sorted(completed) == [
        "account",
        "detail",
        "detail-type",
        "id",
        "region",
        "resources",
        "source",
        "time",
        "version",
    ]
    assert (completed["account"], completed["region"], completed["resources"]) == (
        ACCOUNT,
        REGION,
        [SERVICE_ARN],
    )
    assert completed["time"] == "2026-03-02T09:10:00Z"
    assert completed == mock.events[-2]
    for _ in range(5):
        ecs.describe_services(cluster="prod", services=["web"])
        ecs.list_service_deployments(cluster="prod", service="web")
    assert received() == []


@pytest.mark.service_deployments(with_moto=True)
def test_a_circuit_breaker_rollback_reaches_a_rule_for_failures(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    failures = _queue(
        "failures",
        {**STATE_CHANGE, "detail": {"eventName": ["SERVICE_DEPLOYMENT_FAILED"]}},
    )
    everything = _queue("everything", {"source": ["aws.ecs"]})
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=2,
        deploymentConfiguration=BREAKER,
    )
    mock.backend().plan_next_deployment(
        "web", "prod", outcome="ROLLBACK_SUCCESSFUL", in_progress_for=300, rollback_for=60
    )
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    target = ecs.describe_services(cluster="prod", services=["web"])["services"][0]["deployments"][
        0
    ]["id"]
    frozen.tick(400)
    (failed,) = failures()
    assert failed["detail"]["eventType"] == "ERROR"
    assert failed["detail"]["deploymentId"] == target
    assert failed["time"] == "2026-03-02T09:05:00Z"
    assert [(body["detail-type"], body["detail"]["eventName"]) for body in everything()] == [
        ("ECS Deployment State Change", "SERVICE_DEPLOYMENT_IN_PROGRESS"),
        ("ECS Deployment State Change", "SERVICE_DEPLOYMENT_COMPLETED"),
        ("ECS Service Action", "SERVICE_STEADY_STATE"),
        ("ECS Deployment State Change", "SERVICE_DEPLOYMENT_IN_PROGRESS"),
        ("ECS Deployment State Change", "SERVICE_DEPLOYMENT_FAILED"),
        ("ECS Deployment State Change", "SERVICE_DEPLOYMENT_IN_PROGRESS"),
        ("ECS Deployment State Change", "SERVICE_DEPLOYMENT_COMPLETED"),
        ("ECS Service Action", "SERVICE_STEADY_STATE"),
    ]


@pytest.mark.service_deployments(with_moto=True)
def test_disabled_rules_other_regions_and_transformers_are_as_eventbridge_has_them(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    disabled = _queue("disabled", STATE_CHANGE)
    new_client("events").disable_rule(Name="disabled")
    elsewhere = _queue("elsewhere", STATE_CHANGE, region="eu-west-1")
    shaped = _queue(
        "shaped",
        STATE_CHANGE,
        InputTransformer={
            "InputPathsMap": {"id": "$.detail.deploymentId", "name": "$.detail.eventName"},
            "InputTemplate": '{"deployment": "<id>", "event": "<name>"}',
        },
    )
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1")
    assert disabled() == [] and elsewhere() == []
    bodies = shaped()
    assert [body["event"] for body in bodies] == [
        "SERVICE_DEPLOYMENT_IN_PROGRESS",
        "SERVICE_DEPLOYMENT_COMPLETED",
    ]
    assert re.fullmatch(r"ecs-svc/\d{19}", bodies[0]["deployment"])


@pytest.mark.service_deployments(with_moto=True)
def test_a_target_moto_cannot_reach_is_skipped_with_a_warning(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    received = _queue("deploys", STATE_CHANGE)
    new_client("events").put_targets(
        Rule="deploys",
        Targets=[
            {"Id": "fn", "Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:notify"},
        ],
    )
    with pytest.warns(UserWarning, match="to its target 'arn:aws:lambda:.*:function:notify'"):
        ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1")
    assert len(received()) == 2


@pytest.mark.service_deployments(with_moto=True)
def test_a_log_group_target_receives_the_whole_event(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    logs = new_client("logs")
    logs.create_log_group(logGroupName="/ecs/deployments")
    group = logs.describe_log_groups()["logGroups"][0]["arn"].removesuffix(":*")
    events = new_client("events")
    events.put_rule(Name="to-logs", EventPattern=json.dumps(STATE_CHANGE))
    events.put_targets(Rule="to-logs", Targets=[{"Id": "logs", "Arn": group}])
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1")
    written = logs.filter_log_events(logGroupName="/ecs/deployments")["events"]
    bodies = [json.loads(event["message"]) for event in written]
    assert [body["detail"]["eventName"] for body in bodies] == [
        "SERVICE_DEPLOYMENT_IN_PROGRESS",
        "SERVICE_DEPLOYMENT_COMPLETED",
    ]
    assert all(body["account"] == ACCOUNT for body in bodies)
