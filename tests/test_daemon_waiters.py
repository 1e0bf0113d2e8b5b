"""botocore's five daemon waiters against the mock: each succeeds, fails at once, or gives up as
botocore's waiter definitions say. The waiters sleep on the mock's clock (``time.sleep`` in
``botocore.waiter`` is ``mock.advance``), so a poll lands at a known time of a planned
deployment and nothing waits for real."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import WaiterError

from mock_ecs_deployments import ServiceDeploymentBackend, ServiceDeploymentsMock

UTC = timezone.utc
ACCOUNT = "123456789012"
REGION = "us-east-1"
PREFIX = f"arn:aws:ecs:{REGION}:{ACCOUNT}"
T0 = datetime(2026, 4, 21, 6, 30, tzinfo=UTC)
UNKNOWN_DEPLOYMENT = f"{PREFIX}:daemon-deployment/default/agent/AAAAAAAAAAAAAAAAAAAAA"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def seen_last(error: WaiterError) -> dict[str, Any]:
    """The answer (or error) the waiter saw last."""
    return dict(error.last_response)


class Daemons:
    """A client, capacity provider ``mi`` with 4 instances, agent:1 and agent:2 registered, and
    the waiters' sleeps on the mock's clock."""

    def __init__(self, mock: ServiceDeploymentsMock, backend: ServiceDeploymentBackend, ecs: Any):
        self.mock, self.backend, self.ecs = mock, backend, ecs
        self.cp = backend.add_capacity_provider("mi", instances=4).arn
        self.td1, self.td2 = (
            ecs.register_daemon_task_definition(
                family="agent", containerDefinitions=[{"name": "agent", "image": f"nginx:{n}"}]
            )["daemonTaskDefinitionArn"]
            for n in (1, 2)
        )

    def create(self, **plan: Any) -> dict[str, Any]:
        if plan:
            self.backend.plan_next_deployment(daemon="agent", **plan)
        answer: dict[str, Any] = self.ecs.create_daemon(
            daemonName="agent", daemonTaskDefinitionArn=self.td1, capacityProviderArns=[self.cp]
        )
        return answer

    def update(self, daemon_arn: str, **plan: Any) -> str:
        if plan:
            self.backend.plan_next_deployment(daemon="agent", **plan)
        answer = self.ecs.update_daemon(
            daemonArn=daemon_arn, daemonTaskDefinitionArn=self.td2, capacityProviderArns=[self.cp]
        )
        return str(answer["deploymentArn"])

    def wait(self, name: str, delay: float, attempts: int, **params: Any) -> None:
        self.ecs.get_waiter(name).wait(
            WaiterConfig={"Delay": delay, "MaxAttempts": attempts}, **params
        )

    def fails(self, name: str, delay: float, attempts: int, **params: Any) -> WaiterError:
        with pytest.raises(WaiterError) as raised:
            self.wait(name, delay, attempts, **params)
        return raised.value

    def polls(self, operation: str) -> int:
        return sum(1 for call in self.mock.calls if call.operation == operation)


@pytest.fixture
def daemons(
    mock: ServiceDeploymentsMock,
    backend: ServiceDeploymentBackend,
    ecs: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Daemons:
    monkeypatch.setattr("botocore.waiter.time.sleep", mock.advance)
    return Daemons(mock, backend, ecs)


# -- daemon_active ---------------------------------------------------------------------------------


def test_daemon_active_succeeds_at_its_first_poll(daemons: Daemons) -> None:
    created = daemons.create(in_progress_for=600)  # ACTIVE while its first deployment runs
    daemons.wait("daemon_active", 15, 3, daemonArn=created["daemonArn"])
    assert daemons.polls("DescribeDaemon") == 1
    assert daemons.mock.now() == T0


def test_daemon_active_fails_once_the_daemon_is_being_deleted(daemons: Daemons) -> None:
    created = daemons.create()
    daemons.backend.plan_next_deployment(daemon="agent", in_progress_for=60)
    daemons.ecs.delete_daemon(daemonArn=created["daemonArn"])
    error = daemons.fails("daemon_active", 15, 5, daemonArn=created["daemonArn"])
    assert "terminal failure state" in str(error)
    assert 'matched expected path: "DELETE_IN_PROGRESS"' in str(error)
    assert seen_last(error)["daemon"]["status"] == "DELETE_IN_PROGRESS"
    assert daemons.polls("DescribeDaemon") == 1


def test_daemon_active_fails_at_once_for_a_daemon_that_is_gone(daemons: Daemons) -> None:
    created = daemons.create()
    daemons.ecs.delete_daemon(daemonArn=created["daemonArn"])  # drained at once (default plan)
    error = daemons.fails("daemon_active", 15, 5, daemonArn=created["daemonArn"])
    # No acceptor matches the error: botocore gives up at the first poll.
    assert "DaemonNotFoundException" in str(error)
    assert seen_last(error)["Error"]["Code"] == "DaemonNotFoundException"
    assert daemons.mock.now() == T0


# -- daemon_deployment_successful ------------------------------------------------------------------


def test_deployment_successful_polls_until_the_rollout_ends(daemons: Daemons) -> None:
    created = daemons.create(in_progress_for=100)
    daemons.wait(
        "daemon_deployment_successful", 30, 10, daemonDeploymentArns=[created["deploymentArn"]]
    )
    # Polls at 0, 30, 60 and 90 s see it IN_PROGRESS; the one at 120 s, SUCCESSFUL.
    assert daemons.polls("DescribeDaemonDeployments") == 5
    assert daemons.mock.now() == at(120)


def test_deployment_successful_gives_up_after_its_attempts(daemons: Daemons) -> None:
    created = daemons.create(in_progress_for=100)
    error = daemons.fails(
        "daemon_deployment_successful", 30, 3, daemonDeploymentArns=[created["deploymentArn"]]
    )
    assert "Max attempts exceeded" in str(error)
    (last,) = seen_last(error)["daemonDeployments"]
    assert last["status"] == "IN_PROGRESS"
    assert daemons.mock.now() == at(60)


@pytest.mark.parametrize("outcome", ["ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED", "STOPPED"])
def test_deployment_successful_fails_on_a_failed_outcome(daemons: Daemons, outcome: str) -> None:
    created = daemons.create()
    arn = daemons.update(created["daemonArn"], outcome=outcome, in_progress_for=40, rollback_for=20)
    error = daemons.fails("daemon_deployment_successful", 10, 20, daemonDeploymentArns=[arn])
    assert f'matched expected path: "{outcome}"' in str(error)
    (last,) = seen_last(error)["daemonDeployments"]
    assert last["status"] == outcome
    # Polled until the outcome, not past it: the rollback takes 20 s more.
    assert daemons.mock.now() == at(40 if outcome == "STOPPED" else 60)


def test_deployment_successful_fails_when_a_newer_update_supersedes_it(daemons: Daemons) -> None:
    created = daemons.create()
    first = daemons.update(created["daemonArn"], in_progress_for=40)
    daemons.mock.advance(10)
    daemons.update(created["daemonArn"])
    error = daemons.fails("daemon_deployment_successful", 10, 5, daemonDeploymentArns=[first])
    assert 'matched expected path: "STOPPED"' in str(error)


def test_deployment_successful_fails_on_a_missing_deployment(daemons: Daemons) -> None:
    created = daemons.create(in_progress_for=40)
    error = daemons.fails(
        "daemon_deployment_successful",
        10,
        5,
        daemonDeploymentArns=[created["deploymentArn"], UNKNOWN_DEPLOYMENT],
    )
    assert 'matched expected path: "MISSING"' in str(error)
    assert seen_last(error)["failures"] == [{"arn": UNKNOWN_DEPLOYMENT, "reason": "MISSING"}]
    assert daemons.mock.now() == T0
    # botocore's acceptors go in order: once every deployment found is SUCCESSFUL, the success
    # acceptor matches first, whatever is missing.
    daemons.mock.advance(40)
    daemons.wait(
        "daemon_deployment_successful",
        10,
        1,
        daemonDeploymentArns=[created["deploymentArn"], UNKNOWN_DEPLOYMENT],
    )


# -- daemon_deployment_stopped ---------------------------------------------------------------------


def test_deployment_stopped_polls_until_a_planned_stop(daemons: Daemons) -> None:
    created = daemons.create()
    arn = daemons.update(created["daemonArn"], outcome="STOPPED", in_progress_for=40)
    daemons.wait("daemon_deployment_stopped", 10, 10, daemonDeploymentArns=[arn])
    assert daemons.polls("DescribeDaemonDeployments") == 5
    assert daemons.mock.now() == at(40)


def test_deployment_stopped_succeeds_for_a_superseded_deployment(daemons: Daemons) -> None:
    created = daemons.create()
    first = daemons.update(created["daemonArn"], in_progress_for=40)
    second = daemons.update(created["daemonArn"], in_progress_for=40)
    daemons.wait("daemon_deployment_stopped", 10, 1, daemonDeploymentArns=[first])
    # Every deployment named must be STOPPED: the one under way is not.
    error = daemons.fails("daemon_deployment_stopped", 10, 2, daemonDeploymentArns=[first, second])
    assert "Max attempts exceeded" in str(error)


def test_deployment_stopped_never_succeeds_for_a_successful_one(daemons: Daemons) -> None:
    created = daemons.create(in_progress_for=20)
    # The definition has no failure acceptor for SUCCESSFUL: it polls on until its attempts end.
    error = daemons.fails(
        "daemon_deployment_stopped", 15, 4, daemonDeploymentArns=[created["deploymentArn"]]
    )
    assert "Max attempts exceeded" in str(error)
    assert seen_last(error)["daemonDeployments"][0]["status"] == "SUCCESSFUL"
    assert daemons.mock.now() == at(45)


def test_deployment_stopped_fails_on_a_missing_deployment(daemons: Daemons) -> None:
    error = daemons.fails(
        "daemon_deployment_stopped", 10, 5, daemonDeploymentArns=[UNKNOWN_DEPLOYMENT]
    )
    assert 'matched expected path: "MISSING"' in str(error)
    assert daemons.polls("DescribeDaemonDeployments") == 1


# -- daemon_task_definition_active, daemon_task_definition_deleted ---------------------------------


def test_task_definition_active_succeeds_for_an_active_revision(daemons: Daemons) -> None:
    daemons.wait("daemon_task_definition_active", 15, 2, daemonTaskDefinition="agent")
    daemons.wait("daemon_task_definition_active", 15, 2, daemonTaskDefinition=daemons.td1)
    assert daemons.polls("DescribeDaemonTaskDefinition") == 2


def test_task_definition_active_fails_for_a_deleted_revision(daemons: Daemons) -> None:
    daemons.ecs.delete_daemon_task_definition(daemonTaskDefinition=daemons.td1)
    error = daemons.fails("daemon_task_definition_active", 15, 5, daemonTaskDefinition=daemons.td1)
    assert 'matched expected path: "DELETE_IN_PROGRESS"' in str(error)
    daemons.mock.advance(1)
    error = daemons.fails("daemon_task_definition_active", 15, 5, daemonTaskDefinition=daemons.td1)
    assert 'matched expected path: "DELETED"' in str(error)


def test_task_definition_active_fails_at_once_for_an_unknown_one(daemons: Daemons) -> None:
    error = daemons.fails("daemon_task_definition_active", 15, 5, daemonTaskDefinition="ghost:1")
    assert seen_last(error)["Error"]["Code"] == "ClientException"
    assert daemons.mock.now() == T0


def test_task_definition_deleted_waits_for_the_last_daemon_using_it_to_go(
    daemons: Daemons,
) -> None:
    created = daemons.create()
    daemons.ecs.delete_daemon_task_definition(daemonTaskDefinition=daemons.td1)
    daemons.backend.plan_next_deployment(daemon="agent", in_progress_for=60)
    daemons.ecs.delete_daemon(daemonArn=created["daemonArn"])
    daemons.wait("daemon_task_definition_deleted", 15, 10, daemonTaskDefinition=daemons.td1)
    # DELETE_IN_PROGRESS while the daemon drains; DELETED at the poll at 60 s, when it is gone.
    assert daemons.polls("DescribeDaemonTaskDefinition") == 5
    assert daemons.mock.now() == at(60)


def test_task_definition_deleted_gives_up_while_a_daemon_uses_it(daemons: Daemons) -> None:
    daemons.create()
    daemons.ecs.delete_daemon_task_definition(daemonTaskDefinition=daemons.td1)
    error = daemons.fails("daemon_task_definition_deleted", 60, 3, daemonTaskDefinition=daemons.td1)
    assert "Max attempts exceeded" in str(error)
    assert seen_last(error)["daemonTaskDefinition"]["status"] == "DELETE_IN_PROGRESS"


def test_task_definition_deleted_fails_at_once_when_the_family_has_no_active_revision(
    daemons: Daemons,
) -> None:
    for arn in (daemons.td1, daemons.td2):
        daemons.ecs.delete_daemon_task_definition(daemonTaskDefinition=arn)
    # A family names its latest ACTIVE revision: there is none, and no acceptor takes the error.
    error = daemons.fails("daemon_task_definition_deleted", 15, 5, daemonTaskDefinition="agent")
    assert seen_last(error)["Error"]["Code"] == "ClientException"
    assert daemons.polls("DescribeDaemonTaskDefinition") == 1
