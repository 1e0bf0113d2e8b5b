"""Failing tasks as the signal a rollout fails on: ``backend.fail_tasks`` makes a revision's
tasks stop before they run, the circuit breaker counts them one by one, and at its threshold
the deployment rolls back, or stops where it is, as the service's settings say; without the
breaker the scheduler keeps trying, ever more slowly."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from mock_ecs_deployments import SeedingError, ServiceDeploymentsMock
from mock_ecs_deployments.engine.model.validation import SeedingTypeError

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web"
BREAKER = "ECS deployment circuit breaker: tasks failed to start."

pytestmark = pytest.mark.service_deployments(with_moto=True)


@pytest.fixture
def ecs(ecs: Any) -> Any:
    """Cluster prod and task definitions web:1 and web:2 made in moto."""
    ecs.create_cluster(clusterName="prod")
    for image in ("nginx:1", "nginx:2"):
        ecs.register_task_definition(
            family="web", containerDefinitions=[{"name": "app", "image": image, "memory": 128}]
        )
    return ecs


def _deploy_failing(
    mock: ServiceDeploymentsMock, ecs: Any, breaker: dict[str, bool] | None, desired: int = 4
) -> str:
    """web on web:1 (desired ``desired``), then web:2, whose tasks fail, over a 40 s SCALE_UP."""
    configuration = {} if breaker is None else {"deploymentCircuitBreaker": breaker}
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=desired,
        deploymentConfiguration=configuration,
    )
    backend = mock.backend()
    backend.fail_tasks("web:2", exit_code=137, reason="OutOfMemoryError: Container killed")
    backend.plan_next_deployment("web", "prod", in_progress_for=40, rollback_for=30)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    newest = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"][0]
    arn: str = newest["serviceDeploymentArn"]
    return arn


def _deployment(ecs: Any, arn: str) -> dict[str, Any]:
    (deployment,) = ecs.describe_service_deployments(serviceDeploymentArns=[arn])[
        "serviceDeployments"
    ]
    return dict(deployment)


def _failed_tasks(mock: ServiceDeploymentsMock) -> list[Any]:
    record = mock.backend().services[("prod", "web")]
    return [
        task
        for task in record.tasks or []
        if task.revision.task_definition == f"{TD}:2"
        and task.stop_code == "EssentialContainerExited"
    ]


def test_failed_tasks_trip_the_breaker_one_by_one_and_it_rolls_back(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    arn = _deploy_failing(mock, ecs, {"enable": True, "rollback": True})
    seen = []
    for _ in range(3):
        frozen.tick(10)  # a failed task every 40 s / 4 tasks
        deployment = _deployment(ecs, arn)
        (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
        failed_entry = next(d for d in service["deployments"] if d["taskDefinition"] == f"{TD}:2")
        seen.append(
            (
                deployment["status"],
                deployment["deploymentCircuitBreaker"]["failureCount"],
                deployment["deploymentCircuitBreaker"]["status"],
                failed_entry["failedTasks"],
            )
        )
    assert seen == [
        ("IN_PROGRESS", 1, "MONITORING", 1),
        ("IN_PROGRESS", 2, "MONITORING", 2),
        ("ROLLBACK_IN_PROGRESS", 3, "TRIGGERED", 3),
    ]
    deployment = _deployment(ecs, arn)
    assert deployment["statusReason"] == BREAKER
    assert deployment["rollback"]["startedAt"] == T0 + timedelta(seconds=30)
    failed = _failed_tasks(mock)
    assert [(t.stop_code, t.exit_code, t.stopped_reason) for t in failed] == [
        ("EssentialContainerExited", 137, "Essential container in task exited")
    ] * 3
    assert {t.container_reason for t in failed} == {"OutOfMemoryError: Container killed"}
    assert all(t.started_ms is None for t in failed)  # none of them ever ran

    frozen.tick(30)
    assert _deployment(ecs, arn)["status"] == "ROLLBACK_SUCCESSFUL"
    (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert (service["taskDefinition"], service["runningCount"]) == (f"{TD}:1", 4)


def test_with_rollback_off_the_breaker_stops_the_deployment_at_the_threshold(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    arn = _deploy_failing(mock, ecs, {"enable": True, "rollback": False})
    frozen.tick(29)
    assert _deployment(ecs, arn)["status"] == "IN_PROGRESS"
    frozen.tick(1)
    deployment = _deployment(ecs, arn)
    assert (deployment["status"], deployment["statusReason"]) == ("STOPPED", BREAKER)
    assert deployment["deploymentCircuitBreaker"] == {
        "status": "TRIGGERED",
        "failureCount": 3,
        "threshold": 3,
    }
    (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    primary = service["deployments"][0]
    assert (primary["taskDefinition"], primary["rolloutState"]) == (f"{TD}:2", "FAILED")
    # The old tasks go on running; the failing revision's tasks are all gone.
    assert (service["runningCount"], service["pendingCount"]) == (4, 0)
    assert service["events"][0]["message"].endswith("deployment failed: tasks failed to start.")


def test_without_the_breaker_the_scheduler_keeps_trying_ever_more_slowly(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    arn = _deploy_failing(mock, ecs, None)
    frozen.tick(30)
    deployment = _deployment(ecs, arn)
    assert deployment["status"] == "IN_PROGRESS"
    assert deployment["deploymentCircuitBreaker"]["status"] == "DISABLED"
    assert len(_failed_tasks(mock)) == 3
    frozen.tick(timedelta(days=1).total_seconds())
    assert _deployment(ecs, arn)["status"] == "IN_PROGRESS"
    record = mock.backend().services[("prod", "web")]
    (deployment_record,) = [d for d in record.deployments if d.arn == arn]
    # 10 s apart up to the threshold, then doubling to 15 minutes: about 100 in a day, not
    # the 8,640 a fixed interval would make.
    assert 90 < deployment_record.failure_count < 110
    assert len(_failed_tasks(mock)) == 100  # the newest 100 stopped tasks are kept


@pytest.mark.parametrize(("desired", "threshold"), [(1, 3), (6, 3), (7, 4), (10, 5)])
def test_the_threshold_is_half_the_desired_count_from_3(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any, desired: int, threshold: int
) -> None:
    arn = _deploy_failing(mock, ecs, {"enable": True, "rollback": False}, desired=desired)
    frozen.tick(3600)
    breaker = _deployment(ecs, arn)["deploymentCircuitBreaker"]
    assert (breaker["failureCount"], breaker["threshold"]) == (threshold, threshold)
    assert len(_failed_tasks(mock)) == threshold


def test_fail_tasks_names_a_bad_argument(mock: ServiceDeploymentsMock) -> None:
    backend = mock.backend()
    with pytest.raises(SeedingError) as bad_name:
        backend.fail_tasks("")
    assert bad_name.value.field == "task_definition"
    with pytest.raises(SeedingError) as bad_arn:
        backend.fail_tasks("arn:aws:ecs:us-east-1:123456789012:service/prod/web")
    assert bad_arn.value.field == "task_definition"
    with pytest.raises(SeedingTypeError) as bad_code:
        backend.fail_tasks("web:2", exit_code=True)
    assert bad_code.value.field == "exit_code"
    with pytest.raises(SeedingTypeError) as bad_reason:
        backend.fail_tasks("web:2", reason=3)  # type: ignore[arg-type]
    assert bad_reason.value.field == "reason"


def test_fail_tasks_of_a_family_fails_every_revision_of_it(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=1)
    backend = mock.backend()
    backend.fail_tasks(f"{TD}:2")  # an ARN names the one revision
    revision = backend.services[("prod", "web")].deployments[-1].target_revision
    assert backend.task_failure(revision) is None
    backend.fail_tasks("web")
    assert backend.task_failure(revision) is not None


@pytest.mark.parametrize(
    ("launch_type", "reason", "message"),
    [
        (
            "FARGATE",
            None,
            "(service web) was unable to place a task. Reason: Capacity is unavailable at this"
            " time. Please try again later or in a different availability zone.",
        ),
        (
            "EC2",
            "The closest matching container-instance has insufficient memory available",
            "(service web) was unable to place a task because no container instance met all of"
            " its requirements. Reason: The closest matching container-instance has"
            " insufficient memory available.",
        ),
    ],
)
def test_tasks_that_cannot_be_placed_write_aws_s_event_and_never_start(
    mock: ServiceDeploymentsMock,
    ecs: Any,
    frozen: Any,
    launch_type: str,
    reason: str | None,
    message: str,
) -> None:
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=2,
        launchType=launch_type,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    )
    backend = mock.backend()
    backend.fail_placement("web:2", reason=reason)
    backend.plan_next_deployment("web", "prod", in_progress_for=20)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    frozen.tick(10)
    (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert (service["events"][0]["message"], service["events"][0]["createdAt"]) == (
        message,
        T0 + timedelta(seconds=10),
    )
    frozen.tick(3600)
    arn = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"][0]
    deployment = _deployment(ecs, arn["serviceDeploymentArn"])
    # It keeps trying: the breaker counts no placement failure.
    assert deployment["status"] == "IN_PROGRESS"
    assert deployment["deploymentCircuitBreaker"]["failureCount"] == 0
    (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert [
        (d["taskDefinition"], d["runningCount"], d["pendingCount"]) for d in service["deployments"]
    ] == [
        (f"{TD}:2", 0, 0),
        (f"{TD}:1", 2, 0),
    ]
    unable = [e for e in service["events"] if e["message"] == message]
    # Every 10 s until three tries, then doubling: far fewer than one every 10 s for an hour.
    assert 8 <= len(unable) <= 12


def test_a_scenario_file_says_which_tasks_fail_and_a_dump_keeps_it(
    mock: ServiceDeploymentsMock, tmp_path: Any
) -> None:
    path = tmp_path / "failing.yaml"
    path.write_text(
        "services:\n"
        "  - service: web\n"
        "    cluster: prod\n"
        "fail_tasks:\n"
        "  - task_definition: web:2\n"
        "    exit_code: 137\n"
        "    reason: 'OutOfMemoryError: Container killed'\n"
        "fail_placement:\n"
        "  - task_definition: web:3\n"
        "alarms:\n"
        "  - name: canary-5xx\n"
        "    state: ALARM\n"
        "  - name: canary-5xx\n"
        "    state: OK\n"
        "    region: eu-west-1\n",
        encoding="utf-8",
    )
    mock.load_scenario(path)
    backend = mock.backend()
    assert backend.failing["web:2"].exit_code == 137
    assert backend.failing["web:3"].unplaceable == ""
    assert backend.alarms["canary-5xx"][0] == "ALARM"
    assert mock.backend(region="eu-west-1").alarms["canary-5xx"][0] == "OK"

    dumped = mock.dump_scenario()
    assert dumped["fail_tasks"] == [
        {
            "task_definition": "web:2",
            "exit_code": 137,
            "reason": "OutOfMemoryError: Container killed",
            "account_id": "123456789012",
            "region": "us-east-1",
        }
    ]
    assert dumped["fail_placement"] == [
        {"task_definition": "web:3", "account_id": "123456789012", "region": "us-east-1"}
    ]
    assert sorted((a["region"], a["state"]) for a in dumped["alarms"]) == [
        ("eu-west-1", "OK"),
        ("us-east-1", "ALARM"),
    ]
    mock.reset()
    mock.load_scenario(dumped)
    assert mock.backend().failing["web:2"].reason == "OutOfMemoryError: Container killed"
    assert mock.backend(region="eu-west-1").alarms["canary-5xx"][0] == "OK"


@pytest.mark.parametrize(
    ("entry", "field", "problem"),
    [
        ({"fail_tasks": [{"exit_code": 1}]}, "fail_tasks[0].task_definition", "required"),
        ({"fail_tasks": [{"task_definition": ""}]}, "fail_tasks[0].task_definition", "expected"),
        ({"alarms": [{"name": "a", "state": "FIRING"}]}, "alarms[0].state", "FIRING"),
        (
            {"fail_placement": [{"task_definition": "web", "ttl": 3}]},
            "fail_placement[0].ttl",
            "unknown key",
        ),
    ],
)
def test_a_bad_signal_in_a_scenario_names_its_field(
    mock: ServiceDeploymentsMock, entry: dict[str, Any], field: str, problem: str
) -> None:
    from mock_ecs_deployments import ScenarioError

    with pytest.raises(ScenarioError) as error:
        mock.load_scenario({"services": [{"service": "web"}], **entry})
    assert error.value.field == field
    assert problem in error.value.problem
    assert mock.backend().failing == {} and mock.backend().alarms == {}
    assert mock.backend().services == {}  # nothing of the scenario is loaded


def test_tasks_that_cannot_start_trip_the_breaker_with_aws_s_stop_code(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    pull = "CannotPullContainerError: pull image manifest has been retried 5 time(s): not found"
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=2,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    )
    backend = mock.backend()
    backend.fail_tasks("web:2", cannot_start=pull)
    backend.plan_next_deployment("web", "prod", in_progress_for=20)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    frozen.tick(30)  # one failure every 10 s: the third trips the breaker
    newest = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"][0]
    deployment = _deployment(ecs, newest["serviceDeploymentArn"])
    assert deployment["status"] == "ROLLBACK_IN_PROGRESS"
    assert deployment["deploymentCircuitBreaker"]["failureCount"] == 3
    stopped = ecs.list_tasks(cluster="prod", serviceName="web", desiredStatus="STOPPED")
    described = ecs.describe_tasks(cluster="prod", tasks=stopped["taskArns"])["tasks"]
    failed = [t for t in described if t["stopCode"] == "TaskFailedToStart"]
    assert [(t["stoppedReason"], t["taskDefinitionArn"]) for t in failed] == [(pull, f"{TD}:2")] * 3
    assert all("exitCode" not in t["containers"][0] for t in failed)
    assert {t["containers"][0]["reason"] for t in failed} == {pull}
    assert "startedAt" not in failed[0]
    assert mock.dump_scenario()["fail_tasks"] == [
        {"task_definition": "web:2", "cannot_start": pull}
    ]
