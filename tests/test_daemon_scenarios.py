"""Managed daemons in scenario files: authored (capacity providers, daemon task definitions,
daemons with a plan), checked by ``validate`` and drawn by ``show``, and written by
``dump_scenario`` so that loading the dump gives the same answers, then and as time moves on."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from mock_ecs_deployments import ScenarioError
from mock_ecs_deployments.scenarios.commands import show, validate

from .schema_checks import assert_valid_scenario

ACCOUNT, REGION = "123456789012", "us-east-1"
CP = f"arn:aws:ecs:{REGION}:{ACCOUNT}:capacity-provider/managed"
AUTHORED: dict[str, Any] = {
    "services": [],
    "capacity_providers": [{"name": "managed", "cluster": "prod", "instances": 4}],
    "daemon_task_definitions": [
        {"family": "log-agent", "images": [{"name": "agent", "image": "fluent-bit:3"}]},
        {"family": "log-agent", "images": [{"name": "agent", "image": "fluent-bit:4"}]},
    ],
    "daemons": [
        {
            "daemon": "log-agent",
            "cluster": "prod",
            "task_definition": "log-agent:1",
            "capacity_providers": ["managed"],
            "deployment_configuration": {"drainPercent": 50.0},
            "plan": {"in_progress_for": "2m"},
        }
    ],
}
DAEMON = f"arn:aws:ecs:{REGION}:{ACCOUNT}:daemon/prod/log-agent"


def _answers(ecs: Any) -> Any:
    """Everything a client reads of the daemon: its pages, deployments, revisions, itself."""
    listed = ecs.list_daemon_deployments(daemonArn=DAEMON)["daemonDeployments"]
    described = ecs.describe_daemon_deployments(
        daemonDeploymentArns=[item["daemonDeploymentArn"] for item in listed]
    )["daemonDeployments"]
    revisions = {
        detail["arn"]
        for deployment in described
        for detail in [deployment.get("targetDaemonRevision"), *deployment["sourceDaemonRevisions"]]
        if detail
    }
    return (
        listed,
        described,
        ecs.describe_daemon_revisions(daemonRevisionArns=sorted(revisions))["daemonRevisions"],
        ecs.describe_daemon(daemonArn=DAEMON)["daemon"],
        ecs.list_daemon_task_definitions(status="ALL")["daemonTaskDefinitions"],
    )


def test_an_authored_daemon_loads_and_its_first_deployment_follows_its_plan(
    mock: Any, ecs: Any, frozen: Any
) -> None:
    assert_valid_scenario(AUTHORED)
    mock.load_scenario(AUTHORED)
    (deployment,) = ecs.list_daemon_deployments(daemonArn=DAEMON)["daemonDeployments"]
    assert deployment["status"] == "IN_PROGRESS"
    counts = []
    for _ in range(2):  # two batches of 2 (50% of 4), a minute each
        frozen.tick(60)
        detail = ecs.describe_daemon_deployments(
            daemonDeploymentArns=[deployment["daemonDeploymentArn"]]
        )["daemonDeployments"][0]
        counts.append(
            (detail["status"], detail["targetDaemonRevision"]["totalRunningInstanceCount"])
        )
    assert counts == [("IN_PROGRESS", 2), ("SUCCESSFUL", 4)]
    described = ecs.describe_daemon_task_definition(daemonTaskDefinition="log-agent")
    assert described["daemonTaskDefinition"]["revision"] == 2


def test_validate_and_show_count_and_draw_daemons(tmp_path: Path) -> None:
    path = tmp_path / "daemons.yaml"
    import yaml

    path.write_text(yaml.safe_dump(AUTHORED), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert validate([str(path)], out=out, err=err) == 0
    assert out.getvalue() == (
        f"OK {path}: 0 services and 1 daemon, 1 deployment ({ACCOUNT} {REGION})\n"
    )
    out = io.StringIO()
    assert show([str(path)], out=out, err=err) == 0
    lines = out.getvalue().splitlines()
    assert (
        lines[0] == f"daemon log-agent in cluster prod, account {ACCOUNT}, {REGION}: 1 deployment"
    )
    assert lines[2].split()[2:4] == ["IN_PROGRESS", "0s"]


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (
            lambda data: data["daemons"][0].update(task_definition="log-agent:9"),
            "daemons[0].task_definition",
            "no daemon task definition 'log-agent:9' is registered here",
        ),
        (
            lambda data: data["capacity_providers"][0].update(instances=-1),
            "capacity_providers[0].instances",
            "expected a whole number of 0 or more, got -1",
        ),
        (
            lambda data: data["daemons"][0].update(deployment_configuration={"drainPercent": 0.5}),
            "daemons[0].deployment_configuration",
            "deploymentConfiguration.drainPercent must be between 1.0 and 100.0; got 0.5.",
        ),
        (
            lambda data: data["daemon_task_definitions"][1].update(images=[{"name": "agent"}]),
            "daemon_task_definitions[1].images[0]",
            "expected {'name': str, 'image': str}, got {'name': 'agent'}",
        ),
        (
            lambda data: data["daemons"][0].update(capacity_providers=[]),
            "daemons[0].capacity_providers",
            "expected a non-empty list of strings, got []",
        ),
    ],
)
def test_a_bad_daemon_entry_is_refused_naming_its_field(
    mock: Any, change: Any, field: str, problem: str
) -> None:
    import copy

    data = copy.deepcopy(AUTHORED)
    change(data)
    with pytest.raises(ScenarioError) as refused:
        mock.load_scenario(data)
    assert (refused.value.field, refused.value.problem) == (field, problem)
    assert not mock.backend().daemons  # all or nothing


def _lived(mock: Any, ecs: Any, frozen: Any) -> None:
    """A daemon with a success, a rollback caught mid-way, a deleted task definition."""
    mock.load_scenario(AUTHORED)
    frozen.tick(130)
    mock.backend().plan_next_deployment(
        daemon=DAEMON, outcome="ROLLBACK_SUCCESSFUL", in_progress_for=40, rollback_for=30
    )
    ecs.update_daemon(
        daemonArn=DAEMON,
        daemonTaskDefinitionArn="log-agent:2",
        capacityProviderArns=[CP],
        deploymentConfiguration={"drainPercent": 25.0, "bakeTimeInMinutes": 1},
    )
    ecs.delete_daemon_task_definition(daemonTaskDefinition="log-agent:2")
    frozen.tick(45)  # past the breaker: rolling back


@pytest.mark.parametrize("form", ["mapping", ".yaml", ".json"])
def test_a_dump_loads_back_into_the_same_answers_then_and_later(
    mock: Any, ecs: Any, frozen: Any, tmp_path: Path, form: str
) -> None:
    _lived(mock, ecs, frozen)
    path = None if form == "mapping" else tmp_path / f"state{form}"
    dumped = mock.dump_scenario(path)
    assert_valid_scenario(dumped)
    before = _answers(ecs)
    assert before[0][0]["status"] == "ROLLBACK_IN_PROGRESS"
    frozen.tick(30)
    later = _answers(ecs)
    assert later[0][0]["status"] == "ROLLBACK_SUCCESSFUL"
    frozen.tick(-30)
    mock.reset()
    mock.load_scenario(dumped if path is None else path)
    assert _answers(ecs) == before
    frozen.tick(30)
    assert _answers(ecs) == later
    names = [event["detail"]["eventName"] for event in mock.events]
    assert names == ["DAEMON_DEPLOYMENT_ROLLBACK_SUCCESSFUL"]


def test_a_deleted_daemon_stays_gone_after_a_round_trip(mock: Any, ecs: Any, frozen: Any) -> None:
    mock.load_scenario(AUTHORED)
    frozen.tick(130)
    deleted = ecs.delete_daemon(daemonArn=DAEMON)["deploymentArn"]
    frozen.tick(130)
    dumped = mock.dump_scenario()
    mock.reset()
    mock.load_scenario(dumped)
    with pytest.raises(ecs.exceptions.DaemonNotFoundException):
        ecs.describe_daemon(daemonArn=DAEMON)
    assert ecs.list_daemons()["daemonSummariesList"] == []
    detail = ecs.describe_daemon_deployments(daemonDeploymentArns=[deleted])["daemonDeployments"]
    assert [item["status"] for item in detail] == ["SUCCESSFUL"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda daemon: daemon["deployments"][0].update(id="not an id"),
            "daemons[0].deployments[0].id",
        ),
        (
            lambda daemon: daemon["deployments"][0].update(target="nope"),
            "daemons[0].deployments[0].target",
        ),
        (lambda daemon: daemon.update(status="GONE"), "daemons[0].status"),
        (lambda daemon: daemon.update(plan={"outcome": "SUCCESSFUL"}), "daemons[0].plan"),
    ],
)
def test_a_bad_dumped_daemon_is_refused_naming_its_field(
    mock: Any, ecs: Any, frozen: Any, change: Any, field: str
) -> None:
    _lived(mock, ecs, frozen)
    dumped = mock.dump_scenario()
    change(dumped["daemons"][0])
    mock.reset()
    with pytest.raises(ScenarioError) as refused:
        mock.load_scenario(dumped)
    assert refused.value.field == field
