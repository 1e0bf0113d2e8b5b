"""``mock-ecs-deployments record --daemon/--all-daemons``: managed daemons read from an ECS
endpoint (here a server of ours, never AWS) and written as a scenario load into the same
answers; their entries are a dump's but for how a deployment would have moved on; the reads
page, batch and keep to ``--since`` as a service's do, and fail in one line."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.stub import Stubber

from mock_ecs_deployments.cli import main
from mock_ecs_deployments.engine.model.daemon_records import Daemon, DaemonRevision
from mock_ecs_deployments.mock import ServiceDeploymentsMock
from mock_ecs_deployments.scenarios import record
from mock_ecs_deployments.server.client import MockEndpoint

from . import test_record
from .clients import endpoint_client
from .schema_checks import assert_valid_scenario

# test_record's fixtures (fake keys; a mock and its server) and its check of a refusal.
credentials = test_record.credentials
served = test_record.served
_refused = test_record._refused

PREFIX = "arn:aws:ecs:us-east-1:123456789012"
MANAGED, SPOT = f"{PREFIX}:capacity-provider/managed", f"{PREFIX}:capacity-provider/spot"
LOG_AGENT, TRACER, METRICS = (
    f"{PREFIX}:daemon/prod/{name}" for name in ("log-agent", "tracer", "metrics")
)
TASK_DEFINITIONS = {"log-agent": 3, "metrics": 2}
Lived = tuple[ServiceDeploymentsMock, str, Any]


def _record(endpoint: str, output: Path, *options: str, cluster: str = "prod") -> int:
    arguments = ["record", "--cluster", cluster, "--region", "us-east-1"]
    return main([*arguments, "--endpoint-url", endpoint, *options, "-o", str(output)])


@pytest.fixture
def lived(served: tuple[ServiceDeploymentsMock, str]) -> Iterator[Lived]:
    """Three daemons in ``prod`` whose deployments show what a describe can (yields the mock,
    its server's URL, an ECS client of the server):

    - log-agent: a success, a circuit-breaker rollback, one superseded mid-way, a move from
      one capacity provider to another, and one under way with instances draining;
    - tracer: moved off a capacity provider for good;
    - metrics: a first deployment whose rollback failed, a planned stop, a success, then
      deleted (gone, only its ARN finds its deployments); revision 1 of its task definition
      family is never deployed.

    Revision 1 of log-agent's family is deleted once nothing runs it.
    """
    mock, url = served
    endpoint = MockEndpoint(url)
    ecs = endpoint_client(url)
    endpoint.add_capacity_provider("managed", "prod", instances=4)
    endpoint.add_capacity_provider("spot", "prod", instances=2)
    for family, revisions in TASK_DEFINITIONS.items():
        for number in range(1, revisions + 1):
            ecs.register_daemon_task_definition(
                family=family,
                containerDefinitions=[{"name": family, "image": f"example/{family}:{number}"}],
                cpu="256",
            )

    def create(name: str, task_definition: str) -> None:
        ecs.create_daemon(
            daemonName=name,
            clusterArn="prod",
            daemonTaskDefinitionArn=task_definition,
            capacityProviderArns=[MANAGED],
        )

    def update(daemon: str, task_definition: str, *providers: str, drain: float = 25.0) -> None:
        ecs.update_daemon(
            daemonArn=daemon,
            daemonTaskDefinitionArn=task_definition,
            capacityProviderArns=list(providers),
            deploymentConfiguration={"drainPercent": drain, "bakeTimeInMinutes": 1},
        )

    endpoint.plan_next_deployment(daemon=LOG_AGENT, in_progress_for=60)
    create("log-agent", "log-agent:1")
    create("tracer", "log-agent:1")
    endpoint.plan_next_deployment(daemon=METRICS, outcome="ROLLBACK_FAILED", in_progress_for=30)
    create("metrics", "metrics:2")
    endpoint.advance(120)
    endpoint.plan_next_deployment(
        daemon=LOG_AGENT, outcome="ROLLBACK_SUCCESSFUL", in_progress_for=40, rollback_for=30
    )
    update(LOG_AGENT, "log-agent:2", MANAGED)
    update(TRACER, "log-agent:3", SPOT, drain=50.0)
    endpoint.plan_next_deployment(
        daemon=METRICS, outcome="STOPPED", in_progress_for=20, reason="stopped by the test"
    )
    update(METRICS, "metrics:2", MANAGED)
    endpoint.advance(100)
    endpoint.plan_next_deployment(daemon=LOG_AGENT, in_progress_for=600)
    update(LOG_AGENT, "log-agent:3", MANAGED)
    endpoint.plan_next_deployment(daemon=METRICS, in_progress_for=10)
    update(METRICS, "metrics:2", MANAGED, SPOT)
    endpoint.advance(200)  # log-agent's third deployment is at its second batch of four
    update(LOG_AGENT, "log-agent:3", SPOT, drain=50.0)  # supersedes it
    ecs.delete_daemon(daemonArn=METRICS)
    endpoint.advance(200)
    endpoint.plan_next_deployment(daemon=LOG_AGENT, in_progress_for=7200)
    update(LOG_AGENT, "log-agent:2", MANAGED, SPOT)
    ecs.delete_daemon_task_definition(daemonTaskDefinition="log-agent:1")
    endpoint.advance(10)  # a batch under way; log-agent:1 run by none, so DELETED
    mock.backend().add_deployment("web", "prod")
    yield mock, url, ecs


def _pages(call: Any, key: str, **params: Any) -> list[tuple[Any, bool]]:
    """Each page's items, and whether it hands out a token (a token names the record it
    stops at by its place in the mock's order, which a load numbers anew)."""
    pages = []
    token = None
    while True:
        page = call(**params, **({"nextToken": token} if token else {}))
        token = page.get("nextToken")
        pages.append((page[key], token is not None))
        if token is None:
            return pages


def _answers(ecs: Any) -> dict[str, Any]:
    """What a client reads of the daemons: its pages, deployments, revisions, itself, the
    daemons on each capacity provider, the daemon task definitions."""
    answers: dict[str, Any] = {
        "ListDaemons": _pages(ecs.list_daemons, "daemonSummariesList", maxResults=1),
        "task definitions": [
            ecs.describe_daemon_task_definition(daemonTaskDefinition=f"{family}:{number}")[
                "daemonTaskDefinition"
            ]
            for family, revisions in TASK_DEFINITIONS.items()
            for number in range(1, revisions + 1)
        ],
        "ListDaemonTaskDefinitions": ecs.list_daemon_task_definitions(status="ALL")[
            "daemonTaskDefinitions"
        ],
    }
    for provider in (MANAGED, SPOT):
        answers[provider] = ecs.list_daemons(clusterArn="prod", capacityProviderArns=[provider])[
            "daemonSummariesList"
        ]
    for daemon in (LOG_AGENT, TRACER, METRICS):
        pages = _pages(
            ecs.list_daemon_deployments, "daemonDeployments", daemonArn=daemon, maxResults=2
        )
        deployments = ecs.describe_daemon_deployments(
            daemonDeploymentArns=[item["daemonDeploymentArn"] for page, _ in pages for item in page]
        )["daemonDeployments"]
        revisions = {
            detail["arn"]
            for deployment in deployments
            for detail in [
                deployment.get("targetDaemonRevision"),
                *deployment["sourceDaemonRevisions"],
            ]
            if detail
        }
        try:
            described: Any = ecs.describe_daemon(daemonArn=daemon)["daemon"]
        except ecs.exceptions.DaemonNotFoundException:
            described = "DaemonNotFoundException"
        answers[daemon] = {
            "ListDaemonDeployments": pages,
            "SUCCESSFUL": ecs.list_daemon_deployments(daemonArn=daemon, status=["SUCCESSFUL"])[
                "daemonDeployments"
            ],
            "DescribeDaemonDeployments": deployments,
            "DescribeDaemonRevisions": ecs.describe_daemon_revisions(
                daemonRevisionArns=sorted(revisions)
            )["daemonRevisions"],
            "DescribeDaemon": described,
        }
    return answers


def test_recorded_daemons_load_into_the_same_answers(
    lived: Lived, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mock, endpoint, ecs = lived
    before = _answers(ecs)
    statuses = [d["status"] for d in before[LOG_AGENT]["DescribeDaemonDeployments"]]
    assert statuses == ["IN_PROGRESS", "SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "SUCCESSFUL"]
    statuses = [d["status"] for d in before[METRICS]["DescribeDaemonDeployments"]]
    assert statuses == ["SUCCESSFUL", "SUCCESSFUL", "STOPPED", "ROLLBACK_FAILED"]
    under_way = before[LOG_AGENT]["DescribeDaemonDeployments"][0]
    assert under_way["sourceDaemonRevisions"][0]["totalDrainingInstanceCount"] == 1
    assert [item["daemonArn"] for item in before[MANAGED]] == [LOG_AGENT]  # tracer moved off
    output = tmp_path / "daemons.yaml"
    # log-agent twice (by its name, and listed): recorded once; metrics is gone, so not listed.
    options = ("--all-daemons", "--daemon", "log-agent", "--daemon", METRICS, "--service", "web")
    assert _record(endpoint, output, *options) == 0
    assert capsys.readouterr().out == (
        f"recorded 1 deployment of 1 service and 11 deployments of 3 daemons to {output}\n"
    )
    written = yaml.safe_load(output.read_text(encoding="utf-8"))
    assert_valid_scenario(written)
    assert "account_id" not in written and "region" not in written  # loads where a test is
    assert [daemon["daemon"] for daemon in written["daemons"]] == ["log-agent", "tracer", "metrics"]

    mock.reset()
    mock.load_scenario(output)
    assert _answers(ecs) == before
    # A deployment under way was recorded as it stood: it does not move on.
    mock.advance(timedelta(hours=3))
    assert _answers(ecs)[LOG_AGENT]["DescribeDaemonDeployments"][0] == under_way


def _without_moves(entry: dict[str, Any]) -> dict[str, Any]:
    """A daemon entry without what the answers cannot tell of how its deployments would go
    on: their plans and next steps, batches, the reason of a rollback that never began (no
    revision to go back to), when one under way last moved, and tasks still starting (``''``
    placements)."""
    entry = copy.deepcopy(entry)
    entry["task_definition"] = entry["task_definition"].rsplit("/", 1)[-1]
    for deployment in entry["deployments"]:
        for key in ("plan", "next_step", "next_at", "batches", "batch"):
            deployment.pop(key, None)
        if "rollback_reason" not in deployment:  # a rollback that never began: not shown
            deployment.pop("outcome_reason", None)
        if deployment["status"] in ("PENDING", "IN_PROGRESS"):
            deployment.pop("updated_at")  # moved by each batch too
        for key in ("running", "draining"):
            deployment[key] = sorted(
                (p for p in deployment[key] if p["revision"]),
                key=lambda p: (p["revision"], p["capacity_provider"]),
            )
    return entry


def test_recorded_daemons_are_written_as_a_dump_writes_them(lived: Lived, tmp_path: Path) -> None:
    mock, endpoint, _ = lived
    output = tmp_path / "daemons.json"
    assert _record(endpoint, output, "--all-daemons", "--daemon", METRICS) == 0
    written = yaml.safe_load(output.read_text(encoding="utf-8"))
    dumped = mock.dump_scenario()
    for key in ("capacity_providers", "daemon_task_definitions"):
        assert written[key] == dumped[key], key
    assert [_without_moves(entry) for entry in written["daemons"]] == [
        _without_moves(entry) for entry in dumped["daemons"]
    ]


def test_record_daemons_pages_describes_in_batches_and_keeps_to_since(
    served: tuple[ServiceDeploymentsMock, str], tmp_path: Path
) -> None:
    mock, endpoint = served
    backend = mock.backend()
    backend.add_capacity_provider("managed", "prod", instances=2)
    backend.add_daemon_task_definition("agent", [{"name": "agent", "image": "example/agent:1"}])
    old = backend.add_daemon("old", "agent", ["managed"], "prod")
    agent = backend.add_daemon("agent", "agent", ["managed"], "prod")
    backend.update_daemon(agent.arn, "agent:1", [MANAGED])
    mock.advance(timedelta(days=40))  # the three deployments so far are older than --since
    recent = [backend.update_daemon(agent.arn, "agent:1", [MANAGED])[1] for _ in range(130)]
    output = tmp_path / "agent.yml"
    assert (
        _record(endpoint, output, "--daemon", "agent", "--daemon", old.arn, "--since", "30d") == 0
    )
    written = yaml.safe_load(output.read_text(encoding="utf-8"))
    entry, old_entry = written["daemons"]
    assert [deployment["id"] for deployment in entry["deployments"]] == [d.id for d in recent]
    # The source of the oldest recorded deployment was made before --since: still written, as
    # a daemon's revisions are written apart from its deployments.
    (source,) = entry["deployments"][0]["sources"]
    assert source in {revision["id"] for revision in entry["revisions"]}
    # A daemon with no deployment since: its current one, which DescribeDaemon answers from.
    assert [deployment["id"] for deployment in old_entry["deployments"]] == [old.deployments[-1].id]
    calls = [call for call in mock.calls if call.status == 200]
    lists = [call.params for call in calls if call.operation == "ListDaemonDeployments"]
    assert [len(lists), {params["maxResults"] for params in lists}] == [3, {100}]
    assert all("after" in params["createdAt"] for params in lists)
    for operation, key, last in (
        ("DescribeDaemonDeployments", "daemonDeploymentArns", 10),
        ("DescribeDaemonRevisions", "daemonRevisionArns", 11),
    ):
        sizes = [len(call.params[key]) for call in calls if call.operation == operation]
        assert sizes == [20] * 6 + [last, 1], operation
    assert [call.operation for call in calls].count("ListDaemons") == 1  # for the name
    mock.reset()
    mock.load_scenario(output)
    assert len(mock.backend().daemons[("prod", "agent")].deployments) == 130


def test_throttled_daemon_calls_are_retried(lived: Lived, tmp_path: Path) -> None:
    mock, endpoint, _ = lived
    mock.inject_error("DescribeDaemonDeployments", "ThrottlingException", times=2)
    assert _record(endpoint, tmp_path / "daemons.yaml", "--daemon", TRACER) == 0
    describes = [c.status for c in mock.calls if c.operation == "DescribeDaemonDeployments"]
    assert describes == [400, 400, 200]


# -- errors: one line on stderr, exit 1, nothing written --------------------------------------


@pytest.mark.parametrize(
    ("operation", "code", "status"),
    [
        ("ListDaemons", "AccessDeniedException", None),
        ("DescribeDaemon", "AccessDeniedException", None),
        ("ListDaemonDeployments", "AccessDeniedException", None),
        ("ListDaemonDeployments", "ExpiredTokenException", 400),
        ("ListDaemonDeployments", "UnrecognizedClientException", 400),
        ("DescribeDaemonDeployments", "AccessDeniedException", None),
        ("DescribeDaemonRevisions", "AccessDeniedException", None),
        ("DescribeDaemonTaskDefinition", "AccessDeniedException", None),
    ],
)
def test_access_errors(
    lived: Lived,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    operation: str,
    code: str,
    status: int | None,
) -> None:
    mock, endpoint, _ = lived
    mock.inject_error(operation, code, "no, you may not", status=status)
    output = tmp_path / "daemons.yaml"
    message = _refused(capsys, output, _record(endpoint, output, "--all-daemons"))
    assert message == f"access denied ({code}): no, you may not"


def test_a_daemon_or_cluster_not_found(
    lived: Lived, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, endpoint, _ = lived
    output = tmp_path / "daemons.yaml"
    unknown = f"{PREFIX}:daemon/prod/nope"
    message = _refused(capsys, output, _record(endpoint, output, "--daemon", unknown))
    assert message == f"daemon {unknown!r} not found in cluster 'prod' (us-east-1)"
    message = _refused(capsys, output, _record(endpoint, output, "--daemon", "nope"))
    assert message == "daemon 'nope' not found in cluster 'prod' (us-east-1)"
    # Gone, a daemon is no longer listed: only its ARN finds it.
    message = _refused(capsys, output, _record(endpoint, output, "--daemon", "metrics"))
    assert message == "daemon 'metrics' not found in cluster 'prod' (us-east-1)"
    status = _record(endpoint, output, "--all-daemons", cluster="nope")
    assert _refused(capsys, output, status) == "cluster 'nope' not found in us-east-1"


def test_nothing_to_record(
    credentials: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "nothing.yaml"
    message = _refused(capsys, output, _record("http://127.0.0.1:9", output))
    assert message == "nothing to record: give --service, --daemon or --all-daemons"


# -- daemon task definitions no revision names ------------------------------------------------


def _named_revision_2() -> Daemon:
    daemon = Daemon("us-east-1", "123456789012", "prod", "agent", 0, 0, "", ())
    definition = f"{PREFIX}:daemon-task-definition/agent:2"
    daemon.revisions["r"] = DaemonRevision(daemon, "r", definition, 0, [])
    return daemon


def _described(revision: int) -> dict[str, Any]:
    return {
        "daemonTaskDefinition": {
            "daemonTaskDefinitionArn": f"{PREFIX}:daemon-task-definition/agent:{revision}",
            "family": "agent",
            "revision": revision,
            "containerDefinitions": [{"name": "agent", "image": f"example/agent:{revision}"}],
            "status": "ACTIVE",
            "registeredAt": datetime(2025, 3, 1, revision, tzinfo=timezone.utc),
        }
    }


@pytest.mark.parametrize("first_described", [True, False])
def test_a_task_definition_revision_that_cannot_be_described(
    credentials: None, first_described: bool
) -> None:
    """A family's revisions load in order: one the daemon's revisions do not name is read too;
    if the endpoint cannot describe it any more, a DELETED copy of the next stands in; one
    they name must be described."""
    ecs = boto3.client("ecs", region_name="us-east-1")
    arn = f"{PREFIX}:daemon-task-definition/agent:"
    with Stubber(ecs) as stubber:
        if first_described:
            stubber.add_response(
                "describe_daemon_task_definition",
                _described(2),
                {"daemonTaskDefinition": f"{arn}2"},
            )
        stubber.add_client_error(
            "describe_daemon_task_definition",
            "ClientException",
            "Unable to describe daemon task definition.",
            expected_params={"daemonTaskDefinition": f"{arn}{1 if first_described else 2}"},
        )
        reader = record._Reader(ecs, "prod", datetime.now(timezone.utc), record._Quiet())
        if not first_described:
            with pytest.raises(record.RecordError, match="ClientException"):
                reader.task_definitions([_named_revision_2()])
            return
        one, two = reader.task_definitions([_named_revision_2()])
    assert (one.revision, one.status, one.container_definitions) == (
        1,
        "DELETED",
        two.container_definitions,
    )
    assert (two.revision, two.status) == (2, "ACTIVE")
