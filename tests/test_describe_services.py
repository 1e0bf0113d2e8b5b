"""DescribeServices, the waiters and the service deployments tell one story: moto's answers
for a service the mock tracks follow its deployments at the clock's time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import WaiterError

from mock_ecs_deployments import ServiceDeploymentsMock

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
REGION = "us-east-1"
TD = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/web"
BREAKER = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
STEADY = "(service web) has reached a steady state."
ONCE = {"Delay": 1, "MaxAttempts": 1}


# DescribeServices and the waiters are moto's: every mock here is beside moto's mock_aws.
pytestmark = pytest.mark.service_deployments(with_moto=True)


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


def _create(ecs: Any, **kwargs: Any) -> dict[str, Any]:
    return dict(
        ecs.create_service(
            cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=2, **kwargs
        )["service"]
    )


def _service(ecs: Any) -> dict[str, Any]:
    return dict(ecs.describe_services(cluster="prod", services=["web"])["services"][0])


def _history(ecs: Any) -> list[dict[str, Any]]:
    return list(ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"])


def _number(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


def _rows(service: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (d["status"], d["taskDefinition"].rsplit("/", 1)[1], d["rolloutState"], d["runningCount"])
        for d in service["deployments"]
    ]


def _stable(ecs: Any) -> bool:
    try:
        ecs.get_waiter("services_stable").wait(cluster="prod", services=["web"], WaiterConfig=ONCE)
    except WaiterError:
        return False
    return True


def _task_ids(mock: ServiceDeploymentsMock, task_definition: str) -> list[str]:
    """The ids of the tasks of ``web`` of a task definition (``web:2``), oldest first."""
    record = mock.backend().services[("prod", "web")]
    return [
        task.id
        for task in record.tasks or []
        if task.revision.task_definition == f"{TD}:{task_definition.split(':')[1]}"
    ]


def test_a_planned_rollout_is_two_deployments_until_it_completes(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    created = _create(ecs)
    assert _rows(created) == [("PRIMARY", "web:1", "COMPLETED", 2)]
    assert _stable(ecs)
    old = _task_ids(mock, "web:1")
    mock.backend().plan_next_deployment("web", "prod", in_progress_for=600)
    frozen.tick(60)

    updated = ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")["service"]

    assert updated["taskDefinition"] == f"{TD}:2"
    assert _rows(updated) == [
        ("PRIMARY", "web:2", "IN_PROGRESS", 0),
        ("ACTIVE", "web:1", "COMPLETED", 2),
    ]
    service = _service(ecs)
    primary, active = service["deployments"]
    assert primary["createdAt"] == T0 + timedelta(seconds=60)
    assert active["createdAt"] == T0
    # SCALE_UP started both new tasks: PENDING until each runs in turn.
    assert (primary["desiredCount"], primary["pendingCount"]) == (2, 2)
    assert primary["rolloutStateReason"] == f"ECS deployment {primary['id']} in progress."
    assert (service["runningCount"], service["pendingCount"]) == (2, 2)
    newest, first = _history(ecs)
    assert service["currentServiceDeployment"] == newest["serviceDeploymentArn"]
    assert primary["id"] == f"ecs-svc/{_number(newest['targetServiceRevisionArn'])}"
    assert active["id"] == f"ecs-svc/{_number(first['targetServiceRevisionArn'])}"
    assert [
        (r["arn"], r["requestedTaskCount"], r["runningTaskCount"], r["pendingTaskCount"])
        for r in service["currentServiceRevisions"]
    ] == [
        (newest["targetServiceRevisionArn"], 2, 0, 2),
        (first["targetServiceRevisionArn"], 2, 2, 0),
    ]
    new = _task_ids(mock, "web:2")
    assert len(new) == 2
    assert service["events"][0]["message"] == (
        f"(service web) has started 2 tasks: (task {new[0]}) (task {new[1]})."
    )
    assert not _stable(ecs)

    # Half-way through SCALE_UP one new task runs and (ROLLING) one old one stopped.
    frozen.tick(300)
    service = _service(ecs)
    assert [(d["runningCount"], d["pendingCount"]) for d in service["deployments"]] == [
        (1, 1),
        (1, 0),
    ]
    assert (service["runningCount"], service["pendingCount"]) == (2, 1)
    assert service["events"][0]["message"] == (
        f"(service web) has stopped 1 running tasks: (task {old[1]})."
    )
    assert service["events"][0]["createdAt"] == T0 + timedelta(seconds=360)

    frozen.tick(299)
    assert not _stable(ecs)
    frozen.tick(1)

    assert _stable(ecs)
    service = _service(ecs)
    assert _rows(service) == [("PRIMARY", "web:2", "COMPLETED", 2)]
    (primary,) = service["deployments"]
    assert primary["rolloutStateReason"] == f"ECS deployment {primary['id']} completed."
    assert primary["updatedAt"] == T0 + timedelta(seconds=660)
    assert (service["runningCount"], service["pendingCount"]) == (2, 0)
    at_660 = T0 + timedelta(seconds=660)
    assert [(e["message"], e["createdAt"]) for e in service["events"][:3]] == [
        (STEADY, at_660),
        (
            f"(service web) ({primary['id'].replace('ecs-svc', 'deployment ecs-svc')}) deployment"
            " completed.",
            at_660,
        ),
        (f"(service web) has stopped 1 running tasks: (task {old[0]}).", at_660),
    ]
    assert [e["message"] for e in service["events"][5:]] == [
        STEADY,
        f"(service web) (deployment {active['id']}) deployment completed.",
        f"(service web) has started 2 tasks: (task {old[0]}) (task {old[1]}).",
    ]
    assert len({e["id"] for e in service["events"]}) == 8
    assert [d["status"] for d in _history(ecs)] == ["SUCCESSFUL", "SUCCESSFUL"]


def test_a_waiter_polling_through_the_rollout_succeeds_when_it_completes(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _create(ecs)
    mock.backend().plan_next_deployment("web", "prod", in_progress_for=600)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    monkeypatch.setattr("botocore.waiter.time.sleep", mock.advance)
    ecs.get_waiter("services_stable").wait(
        cluster="prod", services=["web"], WaiterConfig={"Delay": 15, "MaxAttempts": 60}
    )

    assert mock.now() == T0 + timedelta(seconds=600)  # the first poll after the rollout
    assert _rows(_service(ecs)) == [("PRIMARY", "web:2", "COMPLETED", 2)]


def test_the_first_deployment_runs_no_task_until_it_completes(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    mock.backend().plan_next_deployment("web", "prod", pending_for=30, in_progress_for=90)
    created = _create(ecs)
    assert _rows(created) == [("PRIMARY", "web:1", "IN_PROGRESS", 0)]
    assert created["deployments"][0]["pendingCount"] == 0  # PENDING: nothing placed yet
    assert created["events"] == []
    frozen.tick(31)
    service = _service(ecs)
    assert (service["runningCount"], service["pendingCount"]) == (0, 2)
    assert not _stable(ecs)
    frozen.tick(90)
    assert _stable(ecs)


def test_a_circuit_breaker_rollback_shows_the_failed_deployment_beside_its_rollback(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    _create(ecs, deploymentConfiguration=BREAKER)
    mock.backend().plan_next_deployment(
        "web", "prod", outcome="ROLLBACK_SUCCESSFUL", in_progress_for=300, rollback_for=120
    )
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    newest, first = _history(ecs)
    target, source = (f"ecs-svc/{_number(d['targetServiceRevisionArn'])}" for d in (newest, first))
    frozen.tick(301)

    service = _service(ecs)
    assert service["taskDefinition"] == f"{TD}:1"
    assert _rows(service) == [
        ("PRIMARY", "web:1", "IN_PROGRESS", 2),
        ("ACTIVE", "web:2", "FAILED", 0),
    ]
    rollback, failed = service["deployments"]
    assert rollback["id"] == source
    assert rollback["createdAt"] == T0 + timedelta(seconds=300)
    assert rollback["rolloutStateReason"] == (
        f"ECS deployment circuit breaker: rolling back to deploymentId {source}."
    )
    assert failed["id"] == target
    assert failed["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert failed["failedTasks"] == 3
    assert [r["arn"] for r in service["currentServiceRevisions"]] == [
        first["targetServiceRevisionArn"]
    ]
    assert [e["message"] for e in service["events"][:2]] == [
        f"(service web) rolling back to deployment {source}.",
        f"(service web) (deployment {target}) deployment failed: tasks failed to start.",
    ]
    assert service["events"][0]["createdAt"] == T0 + timedelta(seconds=300)
    assert not _stable(ecs)

    frozen.tick(120)
    service = _service(ecs)
    assert _rows(service) == [("PRIMARY", "web:1", "COMPLETED", 2)]
    assert service["deployments"][0]["id"] == source
    assert [e["message"] for e in service["events"][:2]] == [
        STEADY,
        f"(service web) (deployment {source}) deployment completed.",
    ]
    assert _stable(ecs)
    assert [d["status"] for d in _history(ecs)] == ["ROLLBACK_SUCCESSFUL", "SUCCESSFUL"]
    assert service["currentServiceDeployment"] == newest["serviceDeploymentArn"]


@pytest.mark.parametrize("outcome", ["ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"])
def test_a_circuit_breaker_without_rollback_stops_the_deployment_where_it_failed(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any, outcome: str
) -> None:
    _create(
        ecs,
        deploymentConfiguration={
            **BREAKER,
            "deploymentCircuitBreaker": {"enable": True, "rollback": False},
        },
    )
    mock.backend().plan_next_deployment("web", "prod", outcome=outcome, in_progress_for=300)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    newest, first = _history(ecs)
    target, source = (f"ecs-svc/{_number(d['targetServiceRevisionArn'])}" for d in (newest, first))
    frozen.tick(300)

    brief = _history(ecs)[0]
    breaker = "ECS deployment circuit breaker: tasks failed to start."
    assert (brief["status"], brief["statusReason"]) == ("STOPPED", breaker)
    (deployment,) = ecs.describe_service_deployments(
        serviceDeploymentArns=[brief["serviceDeploymentArn"]]
    )["serviceDeployments"]
    assert deployment["deploymentCircuitBreaker"] == {
        "status": "TRIGGERED",
        "failureCount": 3,
        "threshold": 3,
    }
    assert deployment["stoppedAt"] == deployment["finishedAt"] == T0 + timedelta(seconds=300)
    assert "rollback" not in deployment

    service = _service(ecs)
    # The service stays on the revision that failed; what ran before goes on running.
    assert service["taskDefinition"] == f"{TD}:2"
    assert _rows(service) == [
        ("PRIMARY", "web:2", "FAILED", 0),
        ("ACTIVE", "web:1", "COMPLETED", 2),
    ]
    failed, active = service["deployments"]
    assert (failed["id"], active["id"]) == (target, source)
    assert failed["rolloutStateReason"] == breaker
    assert failed["failedTasks"] == 3
    assert service["events"][0]["message"] == (
        f"(service web) (deployment {target}) deployment failed: tasks failed to start."
    )
    assert service["events"][0]["createdAt"] == T0 + timedelta(seconds=300)
    assert not _stable(ecs)
    assert [e["detail"]["eventName"] for e in mock.events][-1] == "SERVICE_DEPLOYMENT_FAILED"
    assert mock.events[-1]["detail"]["deploymentId"] == target


def test_a_user_rollback_goes_back_to_the_source_revision(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    _create(ecs)
    mock.backend().plan_next_deployment("web", "prod", in_progress_for=600, rollback_for=60)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    frozen.tick(10)
    newest = _history(ecs)[0]

    ecs.stop_service_deployment(serviceDeploymentArn=newest["serviceDeploymentArn"])

    service = _service(ecs)
    assert _rows(service) == [
        ("PRIMARY", "web:1", "IN_PROGRESS", 2),
        ("ACTIVE", "web:2", "FAILED", 0),
    ]
    assert service["deployments"][1]["rolloutStateReason"] == (
        "Service deployment rolled back by user."
    )
    assert service["deployments"][1]["failedTasks"] == 0
    back = service["deployments"][0]["id"]
    assert service["deployments"][0]["rolloutStateReason"] == f"ECS deployment {back} in progress."
    frozen.tick(61)
    assert _rows(_service(ecs)) == [("PRIMARY", "web:1", "COMPLETED", 2)]
    assert _stable(ecs)


def test_an_aborted_deployment_leaves_the_old_revision_running_and_never_stable(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    _create(ecs)
    mock.backend().plan_next_deployment("web", "prod", in_progress_for=600)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    newest = _history(ecs)[0]
    ecs.stop_service_deployment(
        serviceDeploymentArn=newest["serviceDeploymentArn"], stopType="ABORT"
    )
    frozen.tick(1)
    service = _service(ecs)
    assert _rows(service) == [
        ("PRIMARY", "web:2", "FAILED", 0),
        ("ACTIVE", "web:1", "COMPLETED", 2),
    ]
    assert service["deployments"][0]["rolloutStateReason"] == "Service deployment stopped by user."
    assert service["events"][0]["message"].endswith(
        "deployment stopped: service deployment stopped by user."
    )
    assert not _stable(ecs)


def test_a_first_deployment_that_cannot_roll_back_fails_with_no_task(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    mock.backend().plan_next_deployment("web", "prod", outcome="ROLLBACK_SUCCESSFUL")
    service = _create(ecs, deploymentConfiguration=BREAKER)
    assert _rows(service) == [("PRIMARY", "web:1", "FAILED", 0)]
    assert service["runningCount"] == 0
    assert service["currentServiceRevisions"] == []
    assert not _stable(ecs)


def test_a_desired_count_change_moves_the_primary_without_a_deployment(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    _create(ecs)
    updated = ecs.update_service(cluster="prod", service="web", desiredCount=3)["service"]
    assert [(d["desiredCount"], d["runningCount"]) for d in updated["deployments"]] == [(3, 3)]
    assert updated["runningCount"] == 3
    assert len(_history(ecs)) == 1
    assert _stable(ecs)


def test_the_deployment_configuration_is_what_the_request_set_over_aws_defaults(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    _create(ecs, deploymentConfiguration={**BREAKER, "maximumPercent": 150})
    assert _service(ecs)["deploymentConfiguration"] == {
        "maximumPercent": 150,
        "minimumHealthyPercent": 100,
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        "strategy": "ROLLING",
    }


def test_a_deleted_service_satisfies_services_inactive(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    _create(ecs)
    ecs.update_service(cluster="prod", service="web", desiredCount=0)
    deleted = ecs.delete_service(cluster="prod", service="web")["service"]
    assert deleted["status"] == "INACTIVE"
    assert deleted["taskDefinition"] == f"{TD}:1"
    assert "currentServiceDeployment" in deleted  # as it was when it was deleted
    ecs.get_waiter("services_inactive").wait(cluster="prod", services=["web"], WaiterConfig=ONCE)
    assert "currentServiceDeployment" not in _service(ecs)


def test_the_event_log_keeps_the_newest_hundred(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    _create(ecs)
    for _ in range(60):
        frozen.tick(1)
        ecs.update_service(cluster="prod", service="web", forceNewDeployment=True)
    events = _service(ecs)["events"]
    assert len(events) == 100
    assert events[0]["message"] == STEADY
    assert events[0]["createdAt"] == T0 + timedelta(seconds=60)
    # Five events a deployment (2 tasks started, 2 stopped in turn, completed, steady): the
    # newest 100 are those of the last 20.
    assert events[-1]["createdAt"] == T0 + timedelta(seconds=41)
    assert events[-1]["message"].startswith("(service web) has started 2 tasks: (task ")
    times = [e["createdAt"] for e in events]
    assert times == sorted(times, reverse=True)


def test_services_the_mock_does_not_deploy_keep_moto_s_answer(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    ecs.create_service(
        cluster="prod",
        serviceName="legacy",
        taskDefinition="web:1",
        desiredCount=1,
        deploymentController={"type": "CODE_DEPLOY"},
    )
    (service,) = ecs.describe_services(cluster="prod", services=["legacy"])["services"]
    assert service["deployments"] == []
    assert "currentServiceDeployment" not in service
    assert service["taskDefinition"] == f"{TD}:1"


def test_one_answer_holds_moto_s_fields_and_the_mock_s_in_the_order_asked(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    _create(ecs, tags=[{"key": "team", "value": "web"}])
    ecs.create_service(
        cluster="prod",
        serviceName="legacy",
        taskDefinition="web:1",
        desiredCount=1,
        deploymentController={"type": "CODE_DEPLOY"},
    )
    answer = ecs.describe_services(
        cluster="prod", services=["legacy", "ghost", "web"], include=["TAGS"]
    )
    legacy, web = answer["services"]
    assert [legacy["serviceName"], web["serviceName"]] == ["legacy", "web"]
    assert [(f["arn"].rsplit("/", 1)[1], f["reason"]) for f in answer["failures"]] == [
        ("ghost", "MISSING")
    ]
    # moto's own fields, as moto serialized them
    assert web["serviceArn"] == f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/web"
    assert web["clusterArn"] == f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod"
    assert (web["status"], web["schedulingStrategy"], web["launchType"]) == (
        "ACTIVE",
        "REPLICA",
        "EC2",
    )
    assert web["deploymentController"] == {"type": "ECS"}
    assert web["tags"] == [{"key": "team", "value": "web"}]
    # the mock's fields beside them, and legacy's as moto wrote them
    assert (web["desiredCount"], web["runningCount"], web["pendingCount"]) == (2, 2, 0)
    assert _rows(web) == [("PRIMARY", "web:1", "COMPLETED", 2)]
    assert web["deployments"][0]["createdAt"] == T0
    # Its first tasks started, its first deployment completed, steady: all at creation.
    assert [event["createdAt"] for event in web["events"]] == [T0, T0, T0]
    assert web["events"][-1]["message"].startswith("(service web) has started 2 tasks: ")
    assert web["currentServiceDeployment"] == _history(ecs)[0]["serviceDeploymentArn"]
    assert legacy["deployments"] == [] and "currentServiceRevisions" not in legacy
    assert legacy["taskDefinition"] == f"{TD}:1"
    untagged = ecs.describe_services(cluster="prod", services=["web"])["services"][0]
    assert "tags" not in untagged
    assert {key: value for key, value in untagged.items()} == {
        key: value for key, value in web.items() if key != "tags"
    }


@pytest.mark.parametrize(("enable", "shown"), [(True, ("TRIGGERED", 3)), (False, ("DISABLED", 0))])
def test_a_recorded_stop_by_the_circuit_breaker_shows_it_fired_only_when_it_was_on(
    mock: ServiceDeploymentsMock, ecs: Any, enable: bool, shown: tuple[str, int]
) -> None:
    backend = mock.backend()
    configuration = {"deploymentCircuitBreaker": {"enable": enable, "rollback": False}}
    backend.add_deployment("web", "prod", created_at=T0 - timedelta(hours=2))
    stopped = backend.add_deployment(
        "web",
        "prod",
        status="STOPPED",
        created_at=T0 - timedelta(hours=1),
        status_reason="ECS deployment circuit breaker: tasks failed to start.",
        deployment_configuration=configuration,
    )
    (deployment,) = ecs.describe_service_deployments(serviceDeploymentArns=[stopped.arn])[
        "serviceDeployments"
    ]
    breaker = deployment["deploymentCircuitBreaker"]
    assert (breaker["status"], breaker["failureCount"]) == shown
