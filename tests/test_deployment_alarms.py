"""CloudWatch alarms as the signal a rollout fails on: a deployment whose configuration
watches alarms (``deploymentConfiguration.alarms``) reads their states from moto's CloudWatch
(or, without moto, from ``backend.set_alarm_state``) while it runs and through its bake, and
fails when one goes to ALARM: it rolls back when the alarms' ``rollback`` says so, else it
stops where it is."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from mock_ecs_deployments import SeedingError, ServiceDeploymentsMock

from .clients import quiet_alarm

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
REGION = "us-east-1"
TD = f"arn:aws:ecs:{REGION}:123456789012:task-definition/web"
ALARM = "canary-5xx"
# A canary: 10 percent for 5 minutes after a 60 s SCALE_UP, then all, then 10 minutes' bake.
CANARY = {
    "strategy": "CANARY",
    "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 5},
    "bakeTimeInMinutes": 10,
}


def _watching(rollback: bool) -> dict[str, Any]:
    return {**CANARY, "alarms": {"alarmNames": [ALARM], "enable": True, "rollback": rollback}}


def _deployment(ecs: Any, arn: str) -> dict[str, Any]:
    (deployment,) = ecs.describe_service_deployments(serviceDeploymentArns=[arn])[
        "serviceDeployments"
    ]
    return dict(deployment)


class TestBesideMoto:
    pytestmark = pytest.mark.service_deployments(with_moto=True)

    @pytest.fixture
    def ecs(self, ecs: Any) -> Any:
        ecs.create_cluster(clusterName="prod")
        for image in ("nginx:1", "nginx:2"):
            ecs.register_task_definition(
                family="web",
                containerDefinitions=[{"name": "app", "image": image, "memory": 128}],
            )
        return ecs

    @pytest.fixture
    def cloudwatch(self, mock: ServiceDeploymentsMock) -> Any:
        return quiet_alarm(ALARM)

    def _deploy(self, mock: ServiceDeploymentsMock, ecs: Any, rollback: bool) -> str:
        ecs.create_service(
            cluster="prod",
            serviceName="web",
            taskDefinition="web:1",
            desiredCount=2,
            deploymentConfiguration=_watching(rollback),
        )
        mock.backend().plan_next_deployment("web", "prod", in_progress_for=60, rollback_for=120)
        ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
        briefs = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"]
        arn: str = briefs[0]["serviceDeploymentArn"]
        return arn

    def test_an_alarm_in_the_bake_rolls_the_canary_back_and_every_view_agrees(
        self, mock: ServiceDeploymentsMock, ecs: Any, cloudwatch: Any, frozen: Any
    ) -> None:
        arn = self._deploy(mock, ecs, rollback=True)
        frozen.tick(60 + 300 + 120)  # SCALE_UP, the canary's bake, two minutes of the bake
        deployment = _deployment(ecs, arn)
        assert (deployment["status"], deployment["lifecycleStage"]) == ("IN_PROGRESS", "BAKE_TIME")
        assert deployment["alarms"] == {
            "status": "MONITORING",
            "alarmNames": [ALARM],
            "triggeredAlarmNames": [],
        }
        cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="5xx")
        fired_at = T0 + timedelta(seconds=480)
        frozen.tick(1)

        deployment = _deployment(ecs, arn)
        assert (deployment["status"], deployment["statusReason"]) == (
            "ROLLBACK_IN_PROGRESS",
            "Alarm detected.",
        )
        assert deployment["alarms"] == {
            "status": "TRIGGERED",
            "alarmNames": [ALARM],
            "triggeredAlarmNames": [ALARM],
        }
        assert deployment["rollback"]["startedAt"] == fired_at
        assert deployment["deploymentCircuitBreaker"]["status"] == "DISABLED"
        brief = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"]
        assert [b["status"] for b in brief] == ["ROLLBACK_IN_PROGRESS", "SUCCESSFUL"]

        (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
        assert service["taskDefinition"] == f"{TD}:1"
        rollback, failed = service["deployments"]
        assert (rollback["taskDefinition"], rollback["status"]) == (f"{TD}:1", "PRIMARY")
        assert (failed["taskDefinition"], failed["rolloutState"]) == (f"{TD}:2", "FAILED")
        assert failed["rolloutStateReason"] == "Alarm detected."
        target = failed["id"].replace("ecs-svc", "deployment ecs-svc")
        assert [e["message"] for e in service["events"][:2]] == [
            f"(service web) rolling back to deployment {rollback['id']}.",
            f"(service web) ({target}) deployment failed: alarm detected.",
        ]
        assert service["events"][0]["createdAt"] == fired_at
        # The tasks: web:1's back, all running; web:2's gone.
        running = ecs.list_tasks(cluster="prod", serviceName="web")["taskArns"]
        described = ecs.describe_tasks(cluster="prod", tasks=running)["tasks"]
        assert sorted(t["taskDefinitionArn"] for t in described) == [f"{TD}:1"] * 2
        assert (service["runningCount"], service["pendingCount"]) == (2, 0)
        names = [e["detail"]["eventName"] for e in mock.events if "eventName" in e["detail"]]
        assert names[-2:] == ["SERVICE_DEPLOYMENT_FAILED", "SERVICE_DEPLOYMENT_IN_PROGRESS"]
        assert mock.events[-2]["time"] == fired_at.strftime("%Y-%m-%dT%H:%M:%SZ")

        frozen.tick(120)
        assert _deployment(ecs, arn)["status"] == "ROLLBACK_SUCCESSFUL"
        ecs.get_waiter("services_stable").wait(
            cluster="prod", services=["web"], WaiterConfig={"Delay": 1, "MaxAttempts": 1}
        )

    def test_with_rollback_off_an_alarm_stops_the_deployment_where_it_is(
        self, mock: ServiceDeploymentsMock, ecs: Any, cloudwatch: Any, frozen: Any
    ) -> None:
        arn = self._deploy(mock, ecs, rollback=False)
        frozen.tick(30)
        cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="5xx")
        frozen.tick(1)
        deployment = _deployment(ecs, arn)
        assert (deployment["status"], deployment["statusReason"]) == ("STOPPED", "Alarm detected.")
        assert deployment["finishedAt"] == T0 + timedelta(seconds=30)
        assert "rollback" not in deployment
        (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
        assert service["taskDefinition"] == f"{TD}:2"
        assert service["deployments"][0]["rolloutState"] == "FAILED"

    def test_an_alarm_already_firing_at_the_start_does_not_fail_it_until_it_fires_again(
        self, mock: ServiceDeploymentsMock, ecs: Any, cloudwatch: Any, frozen: Any
    ) -> None:
        cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="noisy")
        frozen.tick(1)
        arn = self._deploy(mock, ecs, rollback=True)
        frozen.tick(120)
        assert _deployment(ecs, arn)["status"] == "IN_PROGRESS"
        cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="OK", StateReason="quiet")
        frozen.tick(60)
        cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="5xx")
        frozen.tick(1)
        deployment = _deployment(ecs, arn)
        assert deployment["status"] == "ROLLBACK_IN_PROGRESS"
        assert deployment["rollback"]["startedAt"] == T0 + timedelta(seconds=181)

    def test_an_alarm_after_the_deployment_completed_changes_nothing(
        self, mock: ServiceDeploymentsMock, ecs: Any, cloudwatch: Any, frozen: Any
    ) -> None:
        arn = self._deploy(mock, ecs, rollback=True)
        frozen.tick(60 + 300 + 600)
        cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="late")
        frozen.tick(1)
        deployment = _deployment(ecs, arn)
        assert deployment["status"] == "SUCCESSFUL"
        assert deployment["alarms"]["status"] == "MONITORING_COMPLETE"
        assert deployment["alarms"]["triggeredAlarmNames"] == []


def test_without_moto_the_alarm_state_comes_from_the_backend(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    backend = mock.backend()
    backend.add_service("web", "prod", desired_count=2, deployment_configuration=_watching(False))
    backend.add_deployment("web", "prod", created_at=T0 - timedelta(hours=1))
    deployment = backend.start_deployment("web", "prod", plan={"in_progress_for": 60})
    frozen.tick(400)
    assert _deployment(ecs, deployment.arn)["status"] == "IN_PROGRESS"
    backend.set_alarm_state(ALARM, "ALARM")
    frozen.tick(5)
    described = _deployment(ecs, deployment.arn)
    assert (described["status"], described["finishedAt"]) == (
        "STOPPED",
        T0 + timedelta(seconds=400),
    )
    assert described["alarms"]["triggeredAlarmNames"] == [ALARM]


def test_set_alarm_state_names_a_bad_argument(mock: ServiceDeploymentsMock) -> None:
    with pytest.raises(SeedingError) as bad_state:
        mock.backend().set_alarm_state(ALARM, "FIRING")
    assert (bad_state.value.field, bad_state.value.allowed) == (
        "state",
        ("OK", "ALARM", "INSUFFICIENT_DATA"),
    )
    with pytest.raises(SeedingError) as bad_name:
        mock.backend().set_alarm_state("", "ALARM")
    assert bad_name.value.field == "name"
