"""CloudWatch alarms fail daemon deployments as they fail service deployments: a daemon
deployment whose ``deploymentConfiguration.alarms`` is enabled watches its alarms (moto's
CloudWatch beside moto, ``backend.set_alarm_state`` without) from IN_PROGRESS through its bake,
and an alarm going to ALARM stops it (STOP_REQUESTED, "Alarm detected.") and rolls it back; and
the events those deployments make reach moto's default bus, as the services' do."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from mock_ecs_deployments import ServiceDeploymentsMock

from .clients import new_client, quiet_alarm

T0 = datetime(2026, 4, 20, 9, 0, tzinfo=timezone.utc)
REGION, ACCOUNT = "us-east-1", "123456789012"
ALARM = "agent-errors"
WATCHING = {
    "drainPercent": 25.0,
    "bakeTimeInMinutes": 5,
    "alarms": {"alarmNames": [ALARM], "enable": True},
}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


class Daemon:
    """A daemon on 8 instances, its first revision in place, and an update under way that
    watches ``ALARM``: 4 batches of 2 over 40 s (from T0 + 60 s), then a 5-minute bake."""

    def __init__(self, mock: ServiceDeploymentsMock, ecs: Any, cluster: str = "default") -> None:
        self.mock, self.ecs = mock, ecs
        backend = mock.backend()
        self.cp = backend.add_capacity_provider("mi", cluster, instances=8).arn
        tds = [
            ecs.register_daemon_task_definition(
                family="agent", containerDefinitions=[{"name": "agent", "image": image}]
            )["daemonTaskDefinitionArn"]
            for image in ("agent:1", "agent:2")
        ]
        created = ecs.create_daemon(
            daemonName="agent",
            clusterArn=cluster,
            daemonTaskDefinitionArn=tds[0],
            capacityProviderArns=[self.cp],
        )
        self.arn = created["daemonArn"]
        self.source = self.target_of(created["deploymentArn"])
        mock.advance(60)
        backend.plan_next_deployment(daemon=self.arn, in_progress_for=40, rollback_for=20)
        self.deployment_arn = ecs.update_daemon(
            daemonArn=self.arn,
            daemonTaskDefinitionArn=tds[1],
            capacityProviderArns=[self.cp],
            deploymentConfiguration=WATCHING,
        )["deploymentArn"]

    def deployment(self) -> dict[str, Any]:
        (found,) = self.ecs.describe_daemon_deployments(daemonDeploymentArns=[self.deployment_arn])[
            "daemonDeployments"
        ]
        return dict(found)

    def target_of(self, arn: str) -> str:
        (found,) = self.ecs.describe_daemon_deployments(daemonDeploymentArns=[arn])[
            "daemonDeployments"
        ]
        return str(found["targetDaemonRevision"]["arn"])

    def running_on(self) -> list[tuple[str, int]]:
        daemon = self.ecs.describe_daemon(daemonArn=self.arn)["daemon"]
        return [(item["arn"], item["totalRunningCount"]) for item in daemon["currentRevisions"]]

    def events(self) -> list[tuple[str, str]]:
        return [
            (event["detail"]["eventName"], event["time"])
            for event in self.mock.events
            if event["detail"].get("daemonDeploymentArn") == self.deployment_arn
        ]


@pytest.fixture
def daemon(mock: ServiceDeploymentsMock, ecs: Any) -> Daemon:
    return Daemon(mock, ecs)


def test_an_alarm_mid_rollout_stops_it_at_its_time_and_rolls_it_back(
    mock: ServiceDeploymentsMock, daemon: Daemon
) -> None:
    backend = mock.backend()
    backend.set_alarm_state(ALARM, "OK")
    mock.advance(15)  # batch 2 of 4 under way: 2 on the target, 2 draining
    watching = daemon.deployment()
    assert watching["alarms"] == {"status": "MONITORING", "alarmNames": [ALARM]}
    backend.set_alarm_state(ALARM, "ALARM")  # at T0 + 75 s
    mock.advance(10)  # read later: the failure keeps the alarm's own time
    stopped = daemon.deployment()
    assert (stopped["status"], stopped["statusReason"], stopped["stoppedAt"]) == (
        "ROLLBACK_IN_PROGRESS",
        "Alarm detected.",
        at(75),
    )
    assert stopped["alarms"] == {
        "status": "TRIGGERED",
        "alarmNames": [ALARM],
        "triggeredAlarmNames": [ALARM],
    }
    assert stopped["rollback"]["startedAt"] == at(75)
    # The batch under way was called off: its draining tasks run on.
    target = stopped["targetDaemonRevision"]
    assert (target["totalRunningInstanceCount"], target["totalDrainingInstanceCount"]) == (2, 0)
    assert stopped["circuitBreaker"]["status"] == "MONITORING_COMPLETE"
    mock.advance(20)
    done = daemon.deployment()
    assert (done["status"], done["finishedAt"]) == ("ROLLBACK_SUCCESSFUL", at(95))
    assert daemon.running_on() == [(daemon.source, 8)]
    assert daemon.events() == [
        ("DAEMON_DEPLOYMENT_PENDING", "2026-04-20T09:01:00Z"),
        ("DAEMON_DEPLOYMENT_IN_PROGRESS", "2026-04-20T09:01:00Z"),
        ("DAEMON_DEPLOYMENT_STOP_REQUESTED", "2026-04-20T09:01:15Z"),
        ("DAEMON_DEPLOYMENT_ROLLBACK_IN_PROGRESS", "2026-04-20T09:01:15Z"),
        ("DAEMON_DEPLOYMENT_ROLLBACK_SUCCESSFUL", "2026-04-20T09:01:35Z"),
    ]


def test_an_alarm_during_the_bake_fails_it_too_and_one_after_does_nothing(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    backend = mock.backend()
    backend.set_alarm_state(ALARM, "OK")
    first = Daemon(mock, ecs)
    mock.advance(40 + 4 * 60)  # every instance moved, 4 of the 5 minutes of bake gone
    assert first.deployment()["status"] == "IN_PROGRESS"
    backend.set_alarm_state(ALARM, "ALARM")
    mock.advance(1)
    assert first.deployment()["status"] == "ROLLBACK_IN_PROGRESS"

    mock.advance(60)
    backend.set_alarm_state(ALARM, "OK")
    ecs.update_daemon(
        daemonArn=first.arn,
        daemonTaskDefinitionArn=ecs.describe_daemon_task_definition(daemonTaskDefinition="agent")[
            "daemonTaskDefinition"
        ]["daemonTaskDefinitionArn"],
        capacityProviderArns=[first.cp],
        deploymentConfiguration=WATCHING,
    )
    (latest,) = ecs.list_daemon_deployments(daemonArn=first.arn, maxResults=1)["daemonDeployments"]
    mock.advance(40 + 5 * 60 + 1)
    assert (
        first.ecs.describe_daemon_deployments(daemonDeploymentArns=[latest["daemonDeploymentArn"]])[
            "daemonDeployments"
        ][0]["status"]
        == "SUCCESSFUL"
    )
    backend.set_alarm_state(ALARM, "ALARM")  # after it ended: nothing to fail
    mock.advance(1)
    done = first.ecs.describe_daemon_deployments(
        daemonDeploymentArns=[latest["daemonDeploymentArn"]]
    )["daemonDeployments"][0]
    assert (done["status"], done["alarms"]["status"]) == ("SUCCESSFUL", "MONITORING_COMPLETE")


def test_an_alarm_already_firing_at_the_start_counts_only_once_it_fires_again(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    backend = mock.backend()
    backend.set_alarm_state(ALARM, "ALARM")
    daemon = Daemon(mock, ecs)
    mock.advance(20)
    assert daemon.deployment()["status"] == "IN_PROGRESS"
    backend.set_alarm_state(ALARM, "OK")
    mock.advance(5)
    backend.set_alarm_state(ALARM, "ALARM")  # at T0 + 85 s: this one counts
    mock.advance(5)
    stopped = daemon.deployment()
    assert (stopped["status"], stopped["stoppedAt"]) == ("ROLLBACK_IN_PROGRESS", at(85))


def test_the_failure_reaches_the_events_without_a_read_of_the_daemon(
    mock: ServiceDeploymentsMock, daemon: Daemon
) -> None:
    backend = mock.backend()
    backend.set_alarm_state(ALARM, "OK")
    mock.advance(40 + 60)  # a minute into the bake: no step due for four more
    # Caught up twice: the steps the first catch-up applied left their entries in the
    # backend's queue of due steps, which the second drops. Nothing is due until the bake ends.
    for _ in range(2):
        assert daemon.events()[-1][0] == "DAEMON_DEPLOYMENT_IN_PROGRESS"
    backend.set_alarm_state(ALARM, "ALARM")
    mock.advance(30)
    assert [name for name, _ in daemon.events()][-3:] == [
        "DAEMON_DEPLOYMENT_STOP_REQUESTED",
        "DAEMON_DEPLOYMENT_ROLLBACK_IN_PROGRESS",
        "DAEMON_DEPLOYMENT_ROLLBACK_SUCCESSFUL",
    ]


def test_a_dump_taken_while_watching_keeps_watching(
    mock: ServiceDeploymentsMock, daemon: Daemon
) -> None:
    backend = mock.backend()
    backend.set_alarm_state(ALARM, "OK")
    mock.advance(5)
    dumped = mock.dump_scenario()
    then = mock.now()
    mock.reset()  # the clock too: put it back where the dump was taken
    mock.advance((then - mock.now()).total_seconds())
    mock.load_scenario(dumped)
    backend = mock.backend()
    backend.set_alarm_state(ALARM, "ALARM")
    mock.advance(1)
    assert daemon.deployment()["status"] == "ROLLBACK_IN_PROGRESS"


@pytest.mark.service_deployments(with_moto=True)
def test_beside_moto_the_alarm_is_read_from_moto_s_cloudwatch(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    ecs.create_cluster(clusterName="prod")
    cloudwatch = quiet_alarm(ALARM)
    daemon = Daemon(mock, ecs, cluster="prod")
    mock.advance(15)
    assert daemon.deployment()["status"] == "IN_PROGRESS"
    cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="errors")
    stopped = daemon.deployment()
    assert (stopped["status"], stopped["alarms"]["triggeredAlarmNames"]) == (
        "STOP_REQUESTED",
        [ALARM],
    )
    mock.advance(1)
    assert daemon.deployment()["status"] == "ROLLBACK_IN_PROGRESS"


@pytest.mark.service_deployments(with_moto=True)
def test_a_rule_on_moto_s_default_bus_delivers_the_daemon_s_events_without_a_read(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    sqs = new_client("sqs", REGION)
    url = sqs.create_queue(QueueName="daemons")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = new_client("events", REGION)
    pattern = {"source": ["aws.ecs"], "detail-type": ["ECS Daemon Deployment State Change"]}
    events.put_rule(Name="daemons", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="daemons", Targets=[{"Id": "queue", "Arn": arn}])
    ecs.create_cluster(clusterName="prod")
    daemon = Daemon(mock, ecs, cluster="prod")
    mock.advance(40 + 5 * 60 + 1)  # batches and bake done; nobody reads the daemon
    bodies = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    update = [
        body for body in bodies if body["detail"]["daemonDeploymentArn"] == daemon.deployment_arn
    ]
    assert [(body["detail"]["eventName"], body["time"]) for body in update] == [
        ("DAEMON_DEPLOYMENT_PENDING", "2026-04-20T09:01:00Z"),
        ("DAEMON_DEPLOYMENT_IN_PROGRESS", "2026-04-20T09:01:00Z"),
        ("DAEMON_DEPLOYMENT_SUCCESSFUL", "2026-04-20T09:06:40Z"),
    ]
    assert update[-1]["resources"] == [daemon.arn]
    assert update[-1]["detail"]["targetDaemonRevisionArn"] == daemon.target_of(
        daemon.deployment_arn
    )
