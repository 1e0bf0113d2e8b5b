"""``mock-ecs-deployments record``: a history read from an ECS endpoint (here a server of ours,
never AWS) and written as a scenario loads into the same answers; its paging, batches,
retries, and its one-line errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from mock_ecs_deployments import mock_service_deployments, serve_in_thread
from mock_ecs_deployments.cli import main
from mock_ecs_deployments.mock import ServiceDeploymentsMock

from .clients import client
from .schema_checks import assert_valid_scenario
from .strategies import PAUSE_CONFIGURATION
from .strategies_state import FULL_PROBE, TWO_HOOKS, Probe, answers

BREAKER = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
SUBNETS = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}
PROBE = Probe(sizes=(1, 3, 100), statuses=(("SUCCESSFUL", "IN_PROGRESS"),), windows=((0, 2),))


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake keys, and no configuration files of the machine's."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))


@pytest.fixture
def served(credentials: None) -> Iterator[tuple[ServiceDeploymentsMock, str]]:
    with mock_service_deployments() as mock, serve_in_thread() as endpoint:
        yield mock, str(endpoint)


def _record(
    endpoint: str, output: Path, *services: str, cluster: str = "prod", **options: str
) -> int:
    arguments = [
        "record",
        "--cluster",
        cluster,
        "--region",
        "us-east-1",
        "--endpoint-url",
        endpoint,
    ]
    for service in services:
        arguments += ["--service", service]
    for name, value in options.items():
        arguments += [f"--{name.replace('_', '-')}", value]
    return main([*arguments, "-o", str(output)])


def _seed_history(mock: ServiceDeploymentsMock) -> None:
    """Two services whose deployments show most of what a describe can: statuses, a circuit
    breaker that fired, a rollback under way, a hook awaiting action, a superseded deployment,
    named images, settings changed between revisions."""
    backend = mock.backend()
    now = mock.now()
    backend.add_service("web", "prod", desired_count=4, deployment_configuration=BREAKER)
    backend.add_deployment(
        "web", "prod", created_at=now - timedelta(days=3), task_definition="web:1"
    )
    backend.add_deployment(
        "web",
        "prod",
        status="ROLLBACK_SUCCESSFUL",
        created_at=now - timedelta(days=2),
        finished_at=now - timedelta(days=2) + timedelta(minutes=9, milliseconds=250),
        status_reason="ECS deployment circuit breaker: tasks failed to start.",
        container_images=[{"containerName": "web", "image": "example/web:2"}],
    )
    web = backend.services[("prod", "web")]
    web.desired_count = 6  # as moto's UpdateService changes it
    web.network_configuration = SUBNETS
    backend.add_deployment("web", "prod", created_at=now - timedelta(days=1), status="STOPPED")
    backend.add_deployment(
        "web",
        "prod",
        created_at=now - timedelta(minutes=20),
        plan={"in_progress_for": 600},  # SCALE_UP ended 10 minutes ago: at the hook since
        deployment_configuration=PAUSE_CONFIGURATION,
    )
    backend.add_service("api", "prod", launch_type="EC2", deployment_configuration=TWO_HOOKS)
    backend.add_deployment("api", "prod", created_at=now - timedelta(hours=5), status="SUCCESSFUL")
    rolling_back = backend.add_deployment(
        "api",
        "prod",
        created_at=now - timedelta(hours=1),
        plan={"in_progress_for": 7200, "rollback_for": 7200},
    )
    backend.stop_service_deployment(rolling_back.arn, "ROLLBACK")
    mock.advance(1)  # the rollback asked for is under way once the clock has moved
    backend.add_deployment("api", "prod", created_at=now - timedelta(minutes=1), status="PENDING")


def test_a_recorded_history_loads_into_the_same_answers(
    served: tuple[ServiceDeploymentsMock, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mock, endpoint = served
    _seed_history(mock)
    services = [("prod", "api"), ("prod", "web")]
    ecs = client()
    before = [answers(ecs, services, FULL_PROBE), answers(ecs, services, PROBE)]
    output = tmp_path / "incident.yaml"
    assert _record(endpoint, output, "web", "api") == 0
    assert capsys.readouterr().out == f"recorded 7 deployments of 2 services to {output}\n"
    written = yaml.safe_load(output.read_text(encoding="utf-8"))
    assert_valid_scenario(written)
    assert "account_id" not in written and "region" not in written  # loads where a test is
    awaiting = written["services"][0]["deployments"][-1]
    assert awaiting["plan_status"] == "IN_PROGRESS"
    assert awaiting["lifecycle_hook_details"][0]["status"] == "AWAITING_ACTION"

    mock.reset()
    mock.load_scenario(output)
    assert [answers(ecs, services, FULL_PROBE), answers(ecs, services, PROBE)] == before


def test_record_writes_json_for_json(
    served: tuple[ServiceDeploymentsMock, str], tmp_path: Path
) -> None:
    mock, endpoint = served
    _seed_history(mock)
    output = tmp_path / "incident.json"
    assert _record(endpoint, output, "web") == 0
    data = json.loads(output.read_text(encoding="utf-8"))
    assert_valid_scenario(data)
    created = [deployment["created_at"] for deployment in data["services"][0]["deployments"]]
    assert all(datetime.fromisoformat(c.replace("Z", "+00:00")).tzinfo for c in created)


def test_record_pages_describes_in_batches_and_keeps_to_since(
    served: tuple[ServiceDeploymentsMock, str], tmp_path: Path
) -> None:
    mock, endpoint = served
    backend = mock.backend()
    now = mock.now()
    for day in (45, 40):  # older than --since 30d: left out
        backend.add_deployment("web", "prod", created_at=now - timedelta(days=day))
    recent = [
        backend.add_deployment("web", "prod", created_at=now - timedelta(hours=index))
        for index in range(130, 0, -1)
    ]
    output = tmp_path / "web.yml"
    assert _record(endpoint, output, "web") == 0
    written = yaml.safe_load(output.read_text(encoding="utf-8"))
    assert [entry["id"] for entry in written["services"][0]["deployments"]] == [
        d.id for d in recent
    ]
    calls = [call for call in mock.calls if call.status == 200]
    lists = [call.params for call in calls if call.operation == "ListServiceDeployments"]
    assert [len(lists), {params["maxResults"] for params in lists}] == [2, {100}]
    assert all("after" in params["createdAt"] for params in lists)
    for operation, key in (
        ("DescribeServiceDeployments", "serviceDeploymentArns"),
        ("DescribeServiceRevisions", "serviceRevisionArns"),
    ):
        sizes = [len(call.params[key]) for call in calls if call.operation == operation]
        assert sizes == [20] * 6 + ([10] if key == "serviceDeploymentArns" else [11]), operation
    # The oldest recorded deployment replaced a revision older than --since: not named.
    assert "source_revisions" not in written["services"][0]["deployments"][0]


def test_throttled_calls_are_retried(
    served: tuple[ServiceDeploymentsMock, str], tmp_path: Path
) -> None:
    mock, endpoint = served
    mock.backend().add_deployment("web", "prod")
    mock.inject_error("ListServiceDeployments", "ThrottlingException", times=2)
    assert _record(endpoint, tmp_path / "web.yaml", "web") == 0
    lists = [call.status for call in mock.calls if call.operation == "ListServiceDeployments"]
    assert lists == [400, 400, 200]


def test_a_progress_bar_on_a_terminal(
    served: tuple[ServiceDeploymentsMock, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock, endpoint = served
    mock.backend().add_deployment("web", "prod")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert _record(endpoint, tmp_path / "web.yaml", "web") == 0
    assert (tmp_path / "web.yaml").exists()


# -- errors: one line on stderr, exit 1, nothing written --------------------------------------


def _refused(capsys: pytest.CaptureFixture[str], output: Path, status: int) -> str:
    assert status == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith(
        "mock-ecs-deployments record: "
    )
    assert not output.exists()
    return captured.err.removeprefix("mock-ecs-deployments record: ").rstrip("\n")


@pytest.mark.parametrize(
    ("code", "status", "shown"),
    [
        ("AccessDeniedException", None, "access denied (AccessDeniedException): "),
        ("ExpiredTokenException", 400, "access denied (ExpiredTokenException): "),
        ("UnrecognizedClientException", 400, "access denied (UnrecognizedClientException): "),
    ],
)
def test_access_errors(
    served: tuple[ServiceDeploymentsMock, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    code: str,
    status: int | None,
    shown: str,
) -> None:
    mock, endpoint = served
    mock.backend().add_deployment("web", "prod")
    mock.inject_error("ListServiceDeployments", code, "no, you may not", status=status)
    output = tmp_path / "web.yaml"
    message = _refused(capsys, output, _record(endpoint, output, "web"))
    assert message == f"{shown}no, you may not"


def test_a_cluster_or_service_not_found(
    served: tuple[ServiceDeploymentsMock, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mock, endpoint = served
    mock.backend().add_deployment("web", "prod")
    output = tmp_path / "web.yaml"
    message = _refused(capsys, output, _record(endpoint, output, "web", cluster="nope"))
    assert message == "cluster 'nope' not found in us-east-1"
    message = _refused(capsys, output, _record(endpoint, output, "web", "nope"))
    assert message == "service 'nope' not found in cluster 'prod' (us-east-1)"


def test_no_credentials(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    output = tmp_path / "web.yaml"
    # No request is sent: without credentials botocore stops before signing.
    message = _refused(capsys, output, _record("http://127.0.0.1:9", output, "web"))
    assert message.startswith("no AWS credentials: ")
    status = main(
        [
            "record",
            "--cluster",
            "prod",
            "--service",
            "web",
            "--profile",
            "nobody",
            "-o",
            str(output),
        ]
    )
    assert _refused(capsys, output, status) == "the profile 'nobody' is not configured"


@pytest.mark.parametrize(
    ("options", "output_name", "shown"),
    [
        ({}, "web.txt", "{output}: the suffix '.txt' is not allowed; allowed: .yaml, .yml, .json"),
        (
            {"since": "a week"},
            "web.yaml",
            "--since: 'a week' is not a duration such as 12h, 7d, 1d12h",
        ),
    ],
)
def test_bad_options(
    credentials: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    options: dict[str, str],
    output_name: str,
    shown: str,
) -> None:
    output = tmp_path / output_name
    message = _refused(capsys, output, _record("http://127.0.0.1:9", output, "web", **options))
    assert message == shown.format(output=output)


def test_record_needs_a_cluster_a_service_and_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["record", "--service", "web", "-o", "x.yaml"])
    assert exited.value.code == 2
    assert "--cluster" in capsys.readouterr().err
