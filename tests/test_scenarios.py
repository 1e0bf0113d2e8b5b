"""Scenario files and mappings: what loads, where it lands, what a list call then shows, the
errors a test author gets, all-or-nothing loading, and the three shipped scenarios."""

from __future__ import annotations

import copy
import functools
import inspect
import json
import textwrap
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from freezegun import freeze_time

import mock_ecs_deployments
from mock_ecs_deployments import (
    ServiceDeploymentBackend,
    ServiceDeploymentsMock,
    mock_service_deployments,
    service_deployment_backends,
)
from mock_ecs_deployments.engine.model.service_model import deployment_statuses
from mock_ecs_deployments.engine.seeding.snapshot import SNAPSHOT_FIELDS
from mock_ecs_deployments.scenarios import schema
from mock_ecs_deployments.scenarios.loader import (
    MAX_REPEAT,
    ScenarioError,
    build_scenario,
    load_scenario,
)

from .clients import new_client

UTC = timezone.utc
ACCOUNT = "123456789012"
OTHER_ACCOUNT = "111122223333"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "scenarios"
BREAKER_REASON = "ECS deployment circuit breaker: tasks failed to start."
ISSUE_EXAMPLE = """
    account_id: "123456789012"      # optional: MOTO_ACCOUNT_ID, else 123456789012
    region: us-east-1               # optional: us-east-1
    services:
      - cluster: prod               # optional: default
        service: web
        deployment_controller: ECS  # optional
        desired_count: 3            # optional
        deployments:                # oldest first
          - status: SUCCESSFUL
            created_at: "2025-01-10T09:00:00Z"
            task_definition: web:41
          - status: ROLLBACK_SUCCESSFUL
            created_at: "2025-01-11T09:00:00Z"
            status_reason: "ECS deployment circuit breaker: tasks failed to start."
"""


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _listed(service: str = "web", cluster: str = "prod", region: str = "us-east-1") -> list[Any]:
    """Every deployment of the service through ListServiceDeployments, page by page."""
    client, items, token = new_client(region=region), [], None
    while True:
        extra: dict[str, str] = {"nextToken": token} if token else {}
        page = client.list_service_deployments(cluster=cluster, service=service, **extra)
        items.extend(page["serviceDeployments"])
        token = page.get("nextToken")
        if not token:
            return items


def _error_code(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as excinfo:
        call()
    return str(excinfo.value.response["Error"]["Code"])


def _one_service(deployments: list[dict[str, Any]], **service: Any) -> dict[str, Any]:
    return {
        "services": [{"cluster": "prod", "service": "web", **service, "deployments": deployments}]
    }


# -- what loads, and what a list call shows ------------------------------------------------------


def test_the_issue_example_loads_and_lists(mock: ServiceDeploymentsMock, tmp_path: Path) -> None:
    path = _write(tmp_path, "rollback.yaml", ISSUE_EXAMPLE)
    services = mock.load_scenario(path)
    assert [(s.cluster, s.name, s.desired_count, s.deployment_controller) for s in services] == [
        ("prod", "web", 3, "ECS")
    ]
    items = _listed()
    assert [item["status"] for item in items] == ["ROLLBACK_SUCCESSFUL", "SUCCESSFUL"]
    newest, oldest = items
    assert newest["createdAt"] == datetime(2025, 1, 11, 9, 0, tzinfo=UTC)
    assert newest["statusReason"] == BREAKER_REASON
    # Without started_at and finished_at, a completed deployment took no time.
    assert newest["startedAt"] == newest["finishedAt"] == newest["createdAt"]
    assert oldest["createdAt"] == datetime(2025, 1, 10, 9, 0, tzinfo=UTC)
    assert "statusReason" not in oldest
    assert oldest["serviceArn"] == f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/prod/web"
    assert [item["serviceDeploymentArn"] for item in items] == [
        deployment.arn for deployment in reversed(services[0].deployments)
    ]
    revisions = new_client().describe_service_revisions(
        serviceRevisionArns=[oldest["targetServiceRevisionArn"]]
    )["serviceRevisions"]
    assert revisions[0]["taskDefinition"] == (
        f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:41"
    )


def test_json_file_loads_like_yaml(mock: ServiceDeploymentsMock, tmp_path: Path) -> None:
    data = _one_service(
        [
            {"status": "SUCCESSFUL", "created_at": "2025-01-10T09:00:00Z"},
            {"status": "IN_PROGRESS", "created_at": "2025-01-11T09:00:00Z"},
        ]
    )
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    mock.load_scenario(str(path))
    items = _listed()
    assert [item["status"] for item in items] == ["IN_PROGRESS", "SUCCESSFUL"]
    assert "finishedAt" not in items[0]


def test_a_mapping_loads_without_a_file(mock: ServiceDeploymentsMock) -> None:
    services = mock.load_scenario(_one_service([{"status": "STOPPED"}, {"status": "PENDING"}]))
    assert [item["status"] for item in _listed()] == ["PENDING", "STOPPED"]
    assert len(services) == 1


def test_a_list_of_mappings_loads_several_accounts_and_regions(
    mock: ServiceDeploymentsMock,
) -> None:
    mock.load_scenario(
        [
            {"services": [{"cluster": "prod", "service": "web", "deployments": [{}]}]},
            {
                "account_id": OTHER_ACCOUNT,
                "region": "eu-west-1",
                "services": [{"cluster": "prod", "service": "web", "deployments": [{}, {}]}],
            },
        ]
    )
    assert len(_listed()) == 1
    assert mock.backend(region="eu-west-1", account_id=OTHER_ACCOUNT).services[("prod", "web")]
    assert len(mock.backend(region="eu-west-1", account_id=OTHER_ACCOUNT).services) == 1
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MOTO_ACCOUNT_ID", OTHER_ACCOUNT)
        items = _listed(region="eu-west-1")
    assert len(items) == 2
    assert items[0]["serviceArn"] == f"arn:aws:ecs:eu-west-1:{OTHER_ACCOUNT}:service/prod/web"
    assert _error_code(lambda: _listed(region="eu-west-1")) == "ClusterNotFoundException"


def test_deployments_without_created_at_keep_the_file_order(mock: ServiceDeploymentsMock) -> None:
    with freeze_time(T0):
        mock.load_scenario(
            _one_service(
                [
                    {"task_definition": "web:1", "status": "STOPPED"},
                    {"task_definition": "web:2", "status": "SUCCESSFUL"},
                    {"task_definition": "web:3", "status": "IN_PROGRESS"},
                ]
            )
        )
        items = _listed()
    assert [item["status"] for item in items] == ["IN_PROGRESS", "SUCCESSFUL", "STOPPED"]
    assert {item["createdAt"] for item in items} == {T0}


def test_the_package_exports_load_scenario() -> None:
    assert mock_ecs_deployments.load_scenario is load_scenario
    assert "load_scenario" in mock_ecs_deployments.__all__
    assert issubclass(ScenarioError, ValueError)


# -- accounts and regions ------------------------------------------------------------------------


def test_module_level_defaults_are_moto_account_id_and_us_east_1(
    mock: ServiceDeploymentsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    (first,) = load_scenario(_one_service([{}]))
    assert (first.account_id, first.region) == (ACCOUNT, "us-east-1")
    monkeypatch.setenv("MOTO_ACCOUNT_ID", OTHER_ACCOUNT)
    (second,) = load_scenario(_one_service([{}], service="api"))
    assert (second.account_id, second.region) == (OTHER_ACCOUNT, "us-east-1")
    assert service_deployment_backends[OTHER_ACCOUNT]["us-east-1"].services[("prod", "api")]


def test_keyword_defaults_apply_where_the_scenario_names_none(
    mock: ServiceDeploymentsMock,
) -> None:
    named = {"account_id": ACCOUNT, "region": "ap-southeast-2", **_one_service([{}], service="a")}
    services = load_scenario(
        [_one_service([{}], service="b"), named], account_id=OTHER_ACCOUNT, region="eu-west-1"
    )
    assert [(s.name, s.account_id, s.region) for s in services] == [
        ("b", OTHER_ACCOUNT, "eu-west-1"),
        ("a", ACCOUNT, "ap-southeast-2"),
    ]


def test_the_mock_s_account_and_region_apply_where_the_scenario_names_none() -> None:
    with mock_service_deployments(region="eu-west-1", account_id=OTHER_ACCOUNT) as mock:
        unnamed, named = mock.load_scenario(
            [_one_service([{}]), {"region": "us-west-2", **_one_service([{}], service="api")}]
        )
        assert (unnamed.account_id, unnamed.region) == (OTHER_ACCOUNT, "eu-west-1")
        assert (named.account_id, named.region) == (OTHER_ACCOUNT, "us-west-2")
        assert len(_listed(region="eu-west-1")) == 1
        assert len(_listed(service="api", region="us-west-2")) == 1


def test_an_unquoted_twelve_digit_account_id_is_an_account(
    mock: ServiceDeploymentsMock, tmp_path: Path
) -> None:
    path = _write(tmp_path, "s.yaml", "account_id: 111122223333\nservices: [{service: web}]\n")
    assert mock.load_scenario(path)[0].account_id == OTHER_ACCOUNT


# -- times and durations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("-2h", T0 - timedelta(hours=2)),
        ("-90m", T0 - timedelta(minutes=90)),
        ("-3d", T0 - timedelta(days=3)),
        ("+30s", T0 + timedelta(seconds=30)),
        ("-1h30m", T0 - timedelta(hours=1, minutes=30)),
        ("-1d2h3m4s", T0 - timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("now", T0),
        ("2025-01-10T09:00:00Z", datetime(2025, 1, 10, 9, tzinfo=UTC)),
        ("2025-01-10T10:00:00+01:00", datetime(2025, 1, 10, 9, tzinfo=UTC)),
        ("2025-01-10T09:00:00.123Z", datetime(2025, 1, 10, 9, 0, 0, 123000, tzinfo=UTC)),
        ("2025-01-10 09:00:00", datetime(2025, 1, 10, 9, tzinfo=UTC)),  # naive means UTC
        ("2025-01-10", datetime(2025, 1, 10, tzinfo=UTC)),
    ],
)
def test_time_forms(mock: ServiceDeploymentsMock, written: str, expected: datetime) -> None:
    with freeze_time(T0):
        mock.load_scenario(_one_service([{"created_at": written, "status": "PENDING"}]))
        (item,) = _listed()
    assert item["createdAt"] == expected


def test_yaml_timestamps_and_dates(mock: ServiceDeploymentsMock, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "times.yaml",
        """
        services:
          - {cluster: prod, service: web, deployments: [
              {created_at: 2025-01-10, task_definition: web:1},
              {created_at: 2025-01-10 09:00:00, task_definition: web:2},
              {created_at: 2025-01-10T11:00:00+01:00, finished_at: 2025-01-10T10:30:00Z}]}
        """,
    )
    mock.load_scenario(path)
    items = _listed()
    assert [item["createdAt"] for item in items] == [
        datetime(2025, 1, 10, 10, tzinfo=UTC),
        datetime(2025, 1, 10, 9, tzinfo=UTC),
        datetime(2025, 1, 10, tzinfo=UTC),
    ]
    assert items[0]["finishedAt"] == datetime(2025, 1, 10, 10, 30, tzinfo=UTC)


def test_relative_times_count_from_one_moment_per_load(mock: ServiceDeploymentsMock) -> None:
    # The clock moves a second on every read; every relative time still means the same now.
    with freeze_time(T0, auto_tick_seconds=1):
        mock.load_scenario(
            _one_service([{"created_at": "-1h", "status": "PENDING"} for _ in range(3)])
        )
        items = _listed()
    assert len({item["createdAt"] for item in items}) == 1


def test_relative_scenario_times_are_the_exact_instant(
    mock: ServiceDeploymentsMock, frozen: Any
) -> None:
    frozen.tick(0.123)  # a reference with milliseconds, which rounding would lose
    now = T0 + timedelta(seconds=0.123)
    (service,) = mock.load_scenario(
        {
            "services": [
                {
                    "service": "web",
                    "deployments": [
                        {"created_at": "-1h30m", "status": "SUCCESSFUL"},
                        {"created_at": "+45s", "status": "PENDING"},
                        {"created_at": "now", "status": "SUCCESSFUL"},
                    ],
                }
            ]
        }
    )
    created = sorted(d.created_at for d in service.deployments)
    assert created == [now - timedelta(hours=1, minutes=30), now, now + timedelta(seconds=45)]


def test_durations_drive_a_plan(mock: ServiceDeploymentsMock, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "plan.yaml",
        """
        services:
          - cluster: prod
            service: web
            deployments:
              - created_at: now
                plan: {outcome: SUCCESSFUL, pending_for: 5m, in_progress_for: 3600}
        """,
    )
    with freeze_time(T0) as frozen:
        mock.load_scenario(path)
        (item,) = _listed()
        assert item["status"] == "PENDING"
        assert "startedAt" not in item
        frozen.tick(timedelta(minutes=5, seconds=1))
        (item,) = _listed()
        assert (item["status"], item["startedAt"]) == ("IN_PROGRESS", T0 + timedelta(minutes=5))
        frozen.tick(timedelta(hours=1))
        (item,) = _listed()
    assert item["status"] == "SUCCESSFUL"
    assert item["finishedAt"] == T0 + timedelta(hours=1, minutes=5)


def test_durations_accept_combined_units_and_timedeltas(mock: ServiceDeploymentsMock) -> None:
    plans = [
        {"outcome": "SUCCESSFUL", "pending_for": "1h30m", "in_progress_for": "1d"},
        {"outcome": "SUCCESSFUL", "pending_for": timedelta(minutes=90), "in_progress_for": 86400},
    ]
    with freeze_time(T0) as frozen:
        mock.load_scenario(_one_service([{"created_at": "now", "plan": plan} for plan in plans]))
        frozen.tick(timedelta(hours=1, minutes=30, seconds=1))
        items = _listed()
    assert [(item["status"], item["startedAt"]) for item in items] == [
        ("IN_PROGRESS", T0 + timedelta(minutes=90))
    ] * 2


# -- the repeat shorthand ------------------------------------------------------------------------


def test_repeat_makes_copies_every_interval(mock: ServiceDeploymentsMock) -> None:
    entry = {
        "repeat": 5,
        "every": "1h",
        "status": "SUCCESSFUL",
        "created_at": "2025-01-01T00:00:00Z",
        "started_at": "2025-01-01T00:01:00Z",
        "finished_at": "2025-01-01T00:05:00Z",
    }
    (service,) = mock.load_scenario(_one_service([entry, {"status": "IN_PROGRESS"}]))
    assert len(service.deployments) == 6
    items = _listed()[1:]  # after the newest, IN_PROGRESS one created now
    start = datetime(2025, 1, 1, tzinfo=UTC)
    assert [item["createdAt"] for item in items] == [
        start + timedelta(hours=hour) for hour in (4, 3, 2, 1, 0)
    ]
    for item in items:
        assert item["startedAt"] - item["createdAt"] == timedelta(minutes=1)
        assert item["finishedAt"] - item["createdAt"] == timedelta(minutes=5)
    arns = [item["targetServiceRevisionArn"] for item in items]
    revisions = new_client().describe_service_revisions(serviceRevisionArns=arns)[
        "serviceRevisions"
    ]
    assert [r["taskDefinition"].rsplit("/", 1)[1] for r in revisions] == [
        "web:5",
        "web:4",
        "web:3",
        "web:2",
        "web:1",
    ]


@pytest.mark.parametrize(
    ("entry", "path", "detail"),
    [
        ({"repeat": 0}, "repeat", "0 is not allowed; allowed: 1 to 100000"),
        ({"repeat": "3"}, "repeat", "'3' is not allowed; allowed: 1 to 100000"),
        ({"repeat": True}, "repeat", "True is not allowed; allowed: 1 to 100000"),
        ({"repeat": 100001}, "repeat", "100001 is not allowed; allowed: 1 to 100000"),
        (
            {"repeat": 3, "created_at": "-1d"},
            "every",
            "required with repeat; allowed: a duration above 0",
        ),
        (
            {"repeat": 3, "every": "0s", "created_at": "-1d"},
            "every",
            "'0s' is not allowed; allowed: a duration above 0",
        ),
        ({"repeat": 3, "every": -60, "created_at": "-1d"}, "every", "-60 is negative"),
        ({"every": "1h", "created_at": "-1d"}, "every", "only allowed with repeat"),
        ({"repeat": 3, "every": "1h"}, "created_at", "required with repeat and every"),
        ({"repeat": 3, "every": "soon", "created_at": "-1d"}, "every", "'soon' is not a duration"),
    ],
)
def test_repeat_mistakes(
    mock: ServiceDeploymentsMock, entry: dict[str, Any], path: str, detail: str
) -> None:
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario(_one_service([{}, entry]))
    assert excinfo.value.field == f"services[0].deployments[1].{path}"
    assert detail in excinfo.value.problem


def _repeated(times: int) -> dict[str, Any]:
    return {
        "services": [
            {
                "service": "web",
                "deployments": [
                    {"created_at": "2025-01-01T00:00:00Z", "repeat": times, "every": "1m"}
                ],
            }
        ]
    }


def test_a_repeat_of_exactly_the_maximum_is_accepted_and_one_more_refused() -> None:
    scenario = build_scenario(_repeated(MAX_REPEAT))
    assert sum(len(entry.deployments) for entry in scenario.services) == MAX_REPEAT
    with pytest.raises(ScenarioError, match=f"1 to {MAX_REPEAT:,}|1 to {MAX_REPEAT}"):
        build_scenario(_repeated(MAX_REPEAT + 1))


def test_an_error_in_a_repeated_entry_names_the_copy(mock: ServiceDeploymentsMock) -> None:
    entry = {"repeat": 3, "every": "1h", "created_at": "-1d", "status": "DONE"}
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario(_one_service([entry]))
    assert str(excinfo.value) == (
        "<mapping>: services[0].deployments[0].status: 'DONE' is not allowed; allowed values:"
        f" {', '.join(deployment_statuses())} (copy 1 of 3)"
    )
    assert excinfo.value.field == "services[0].deployments[0].status"
    assert excinfo.value.copy == (1, 3)
    assert not excinfo.value.problem.endswith("(copy 1 of 3)")


# -- mistakes in a scenario ----------------------------------------------------------------------


def _service_keys() -> list[str]:
    names = list(inspect.signature(ServiceDeploymentBackend.add_service).parameters)[1:]
    restored = list(inspect.signature(ServiceDeploymentBackend.restore_tasks).parameters)[3:]
    return [*names, "deployments", *restored]


def _deployment_keys() -> list[str]:
    # A deployment entry takes the fields of a DeploymentSnapshot (those of add_deployment,
    # then those only a restored deployment gives), not the parameters of add_deployment.
    names = [name for name in SNAPSHOT_FIELDS if name not in ("service", "cluster")]
    return [*names, "repeat", "every"]


@pytest.mark.parametrize(
    ("data", "path", "detail"),
    [
        (
            _one_service([{}, {}, {"status": "DONE"}]),
            "services[0].deployments[2].status",
            f"'DONE' is not allowed; allowed values: {', '.join(deployment_statuses())}",
        ),
        (
            _one_service([{"created_at": "yesterday"}]),
            "services[0].deployments[0].created_at",
            "'yesterday' is not a time; allowed: an ISO 8601 time ('2025-01-10T09:00:00Z'), a"
            " relative time ('-2h', '-1h30m', '+30s') or 'now'",
        ),
        (
            _one_service([{"created_at": "-2x"}]),
            "services[0].deployments[0].created_at",
            "'-2x' is not a time; allowed:",
        ),
        (
            _one_service([{"created_at": 1736499600}]),
            "services[0].deployments[0].created_at",
            "1736499600 is not a time; allowed:",
        ),
        (
            _one_service([{"created_at": "-1h", "finished_at": "-2h"}]),
            "services[0].deployments[0].finished_at",
            "earlier than created_at",
        ),
        (
            _one_service([{"status": "PENDING", "started_at": "-1h"}]),
            "services[0].deployments[0].started_at",
            "a PENDING deployment has not started; leave it unset",
        ),
        (
            _one_service([{"plan": {"outcome": "DONE"}}]),
            "services[0].deployments[0].plan.outcome",
            "'DONE' is not allowed; allowed values: SUCCESSFUL, ROLLBACK_SUCCESSFUL,",
        ),
        (
            _one_service([{"plan": {"pending_for": "5 minutes"}}]),
            "services[0].deployments[0].plan.pending_for",
            "'5 minutes' is not a duration; allowed: a duration ('30s', '5m', '2h', '1d',"
            " '1h30m') or a number of seconds",
        ),
        (
            _one_service([{"plan": {"pending_for": -5}}]),
            "services[0].deployments[0].plan.pending_for",
            "-5 is negative; allowed: a duration",
        ),
        (
            _one_service([{"plan": {"pending_for": float("nan")}}]),
            "services[0].deployments[0].plan.pending_for",
            "nan is not a duration",
        ),
        (
            _one_service([], deployment_controller="JENKINS"),
            "services[0].deployment_controller",
            "'JENKINS' is not allowed; allowed values: ECS, CODE_DEPLOY, EXTERNAL",
        ),
        (
            _one_service([], desired_count=-1),
            "services[0].desired_count",
            "expected a whole number of 0 or more, got -1",
        ),
        (
            _one_service([], load_balancers="alb"),  # a TypeError in add_service
            "services[0].load_balancers",
            "expected a list of mappings, got 'alb'",
        ),
        (
            {"services": [{"service": "web"}, {"cluster": "default", "service": "web"}]},
            "services[1].service",
            "'web' already exists in cluster 'default'",
        ),
        ({"services": [{"cluster": "prod"}]}, "services[0].service", "required, but missing"),
        ({"region": "us-east-1"}, "services", "required, but missing"),
        ({"services": "web"}, "services", "expected a list of mappings, got 'web'"),
        ({"services": ["web"]}, "services[0]", "expected a mapping of service, cluster,"),
        (
            _one_service("web:1"),  # type: ignore[arg-type]
            "services[0].deployments",
            "expected a list of mappings, got 'web:1'",
        ),
        (
            _one_service(["SUCCESSFUL"]),  # type: ignore[list-item]
            "services[0].deployments[0]",
            "expected a mapping of status,",
        ),
        (
            {"account_id": "1234", "services": []},
            "account_id",
            "'1234' is not allowed; allowed: 12 digits",
        ),
        (
            {"region": "us-east1", "services": []},
            "region",
            "'us-east1' is not allowed; allowed: a region name such as 'eu-west-1'",
        ),
        (
            [{"services": []}, _one_service([{"status": "DONE"}])],
            "[1].services[0].deployments[0].status",
            "'DONE' is not allowed",
        ),
        (
            {"services": [], "sevrices": []},
            "sevrices",
            "unknown key; allowed keys: account_id, region, services",
        ),
    ],
)
def test_mistakes_name_the_field_the_value_and_what_is_allowed(
    mock: ServiceDeploymentsMock, data: Any, path: str, detail: str
) -> None:
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario(data)
    error = excinfo.value
    assert (error.source, error.field) == ("<mapping>", path)
    assert error.problem.startswith(detail), error.problem
    assert str(error) == f"<mapping>: {path}: {error.problem}"
    assert not mock.backend().services, "nothing of a bad scenario is loaded"


def test_unknown_keys_list_the_seeding_parameters(mock: ServiceDeploymentsMock) -> None:
    with pytest.raises(ScenarioError) as service_error:
        mock.load_scenario({"services": [{"service": "web", "desired_cont": 3}]})
    assert service_error.value.field == "services[0].desired_cont"
    assert service_error.value.problem == f"unknown key; allowed keys: {', '.join(_service_keys())}"
    with pytest.raises(ScenarioError) as deployment_error:
        mock.load_scenario(_one_service([{"stauts": "SUCCESSFUL"}]))
    assert deployment_error.value.field == "services[0].deployments[0].stauts"
    assert deployment_error.value.problem == (
        f"unknown key; allowed keys: {', '.join(_deployment_keys())}"
    )
    for key in ("desired_count", "deployment_controller", "launch_type", "deployments"):
        assert key in _service_keys()
    for key in ("status", "created_at", "finished_at", "status_reason", "task_definition"):
        assert key in _deployment_keys()


def _with_extra_parameter(
    monkeypatch: pytest.MonkeyPatch, method_name: str, extra: str, seen: list[Any]
) -> None:
    """Give a seeding method one more keyword parameter, as another engineer might."""
    original = getattr(ServiceDeploymentBackend, method_name)
    signature = inspect.signature(original)

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.pop(extra, None))
        return original(self, *args, **kwargs)

    parameter = inspect.Parameter(extra, inspect.Parameter.KEYWORD_ONLY, default=None)
    method.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), parameter]
    )
    monkeypatch.setattr(ServiceDeploymentBackend, method_name, method)


def test_a_parameter_added_to_the_seeding_api_is_a_scenario_key_once_the_schema_has_it(
    mock: ServiceDeploymentsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen_by_service: list[Any] = []
    seen_by_deployment: list[Any] = []
    _with_extra_parameter(monkeypatch, "add_service", "team", seen_by_service)
    _with_extra_parameter(monkeypatch, "add_deployment", "ticket", seen_by_deployment)
    data = _one_service([{"ticket": "OPS-1"}], team="payments")
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario(data)
    assert excinfo.value.field == "services[0].team"
    assert "team" not in excinfo.value.problem  # the schema's keys are listed, not the API's
    del data["services"][0]["team"]
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario(data)
    assert excinfo.value.field == "services[0].deployments[0].ticket"
    declared = copy.deepcopy(dict(schema.scenario_schema()))
    declared["$defs"]["service"]["properties"]["team"] = {"type": "string"}
    monkeypatch.setattr(schema, "scenario_schema", lambda: declared)
    schema.shape.cache_clear()
    try:
        mock.load_scenario(_one_service([{}], team="payments"))
    finally:
        schema.shape.cache_clear()
    # Built once in a throwaway backend, then once for real.
    assert seen_by_service == ["payments", "payments"]
    assert seen_by_deployment == [None, None]


def test_a_service_name_of_the_wrong_type_is_named(mock: ServiceDeploymentsMock) -> None:
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario({"services": [{"service": 42}]})
    assert excinfo.value.field == "services[0].service"
    assert excinfo.value.problem == "expected a name or an ARN, got 42"


def test_an_unexpected_exception_in_seeding_still_names_the_entry(
    mock: ServiceDeploymentsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    @functools.wraps(ServiceDeploymentBackend.add_service)  # keeps the keys a scenario may use
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(ServiceDeploymentBackend, "add_service", broken)
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario({"services": [{"service": "web"}]})
    assert excinfo.value.field == "services[0]"
    assert excinfo.value.problem == "RuntimeError: boom"
    assert isinstance(excinfo.value.__cause__, RuntimeError)


@pytest.mark.parametrize(
    ("name", "text", "position", "problem"),
    [
        ("bad.yaml", "services: [\n  {service: web\n", (3, 1), "invalid YAML: "),
        ("tabs.yaml", "services:\n\t- service: web\n", (2, 1), "invalid YAML: "),
        (
            "twice.yaml",
            "services:\n  - service: web\n    service: api\n",
            (3, 5),
            "invalid YAML: the key 'service' is given twice",
        ),
        ("bad.json", '{"services": [}', (1, 15), "invalid JSON: Expecting value"),
        ("empty.yaml", "", None, "expected a mapping or a list of mappings, got an empty file"),
        ("text.yaml", "hello\n", None, "expected a mapping or a list of mappings, got 'hello'"),
    ],
)
def test_file_mistakes_name_the_file_and_the_line(
    mock: ServiceDeploymentsMock,
    tmp_path: Path,
    name: str,
    text: str,
    position: tuple[int, int] | None,
    problem: str,
) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario(path)
    error = excinfo.value
    assert (error.source, error.field) == (str(path), "")
    assert (error.line, error.column) == (position or (None, None))
    assert error.problem.startswith(problem), error.problem
    where = "" if position is None else f"line {position[0]}, column {position[1]}: "
    assert str(error).startswith(f"{path}: {where}{problem}")


def test_yaml_anchors_and_merge_keys(mock: ServiceDeploymentsMock, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "anchors.yaml",
        """
        services:
          - cluster: prod
            service: web
            deployments:
              - &done {status: SUCCESSFUL, created_at: "2025-01-10T09:00:00Z"}
              - <<: *done
                created_at: "2025-01-11T09:00:00Z"
                status: STOPPED
        """,
    )
    mock.load_scenario(path)
    assert [(item["status"], item["createdAt"].day) for item in _listed()] == [
        ("STOPPED", 11),
        ("SUCCESSFUL", 10),
    ]


def test_a_field_error_in_a_file_names_the_file(
    mock: ServiceDeploymentsMock, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "scenarios/bad.yaml",
        """
        services:
          - service: web
            deployments:
              - {status: SUCCESSFUL}
              - {status: SUCCESSFUL}
              - {status: DONE}
        """,
    )
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario(path)
    assert str(excinfo.value) == (
        f"{path}: services[0].deployments[2].status: 'DONE' is not allowed; allowed values:"
        f" {', '.join(deployment_statuses())}"
    )


def test_non_utf8_and_missing_files(mock: ServiceDeploymentsMock, tmp_path: Path) -> None:
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"services: \xff\xfe\n")
    with pytest.raises(ScenarioError, match=r"binary\.yaml: not UTF-8 text \(byte 10\)"):
        mock.load_scenario(binary)
    with pytest.raises(FileNotFoundError, match=r"missing\.yaml"):
        mock.load_scenario(tmp_path / "missing.yaml")
    with pytest.raises(TypeError, match="source: expected a file path or a mapping, got 42"):
        mock.load_scenario(42)  # type: ignore[arg-type]


# -- all or nothing ------------------------------------------------------------------------------


def test_a_bad_entry_anywhere_loads_nothing_anywhere(mock: ServiceDeploymentsMock) -> None:
    data = [
        {"region": "us-east-1", "services": [{"cluster": "prod", "service": "web"}]},
        {"region": "eu-west-1", **_one_service([{}, {"status": "DONE"}], service="api")},
    ]
    with pytest.raises(ScenarioError, match=r"\[1\]\.services\[0\]\.deployments\[1\]\.status"):
        mock.load_scenario(data)
    assert _error_code(lambda: _listed()) == "ClusterNotFoundException"
    assert _error_code(lambda: _listed("api", region="eu-west-1")) == "ClusterNotFoundException"
    for region in ("us-east-1", "eu-west-1"):
        assert not mock.backend(region=region).services
        assert not mock.backend(region=region).clusters


def test_a_service_that_exists_already_loads_nothing(mock: ServiceDeploymentsMock) -> None:
    existing = mock.backend().add_deployment(service="web", cluster="prod")
    data = {
        "services": [
            {"cluster": "prod", "service": "api", "deployments": [{}]},
            {"cluster": "prod", "service": "web", "deployments": [{}]},
        ]
    }
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario(data)
    assert str(excinfo.value) == (
        "<mapping>: services[1].service: 'web' already exists in cluster 'prod' of account"
        f" {ACCOUNT} in us-east-1"
    )
    assert _error_code(lambda: _listed("api")) == "ServiceNotFoundException"
    assert [item["serviceDeploymentArn"] for item in _listed()] == [existing.arn]


def test_loading_the_same_scenario_twice_fails_the_second_time(
    mock: ServiceDeploymentsMock, tmp_path: Path
) -> None:
    path = _write(tmp_path, "s.yaml", ISSUE_EXAMPLE)
    mock.load_scenario(path)
    with pytest.raises(ScenarioError, match=r"services\[0\]\.service: 'web' already exists"):
        mock.load_scenario(path)
    assert len(_listed()) == 2


def test_a_failure_while_applying_takes_back_what_was_added(
    mock: ServiceDeploymentsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the real backends refuse what the throwaway ones took, nothing stays."""
    real = mock.backend()
    real.add_service(service="kept", cluster="other")
    original = ServiceDeploymentBackend.add_deployment

    def add_deployment(self: ServiceDeploymentBackend, *args: Any, **kwargs: Any) -> Any:
        if self is real and kwargs.get("service") == "api":
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    add_deployment.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    monkeypatch.setattr(ServiceDeploymentBackend, "add_deployment", add_deployment)
    data = {
        "services": [
            {"cluster": "prod", "service": "web", "deployments": [{}, {}]},
            {"cluster": "prod", "service": "api", "deployments": [{}]},
        ]
    }
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario(data)
    assert str(excinfo.value) == ("<mapping>: services[1].deployments[0]: RuntimeError: disk full")
    assert set(real.services) == {("other", "kept")}
    assert real.clusters == {"other"}
    assert _error_code(lambda: _listed()) == "ClusterNotFoundException"


def test_build_scenario_leaves_the_real_backends_alone(mock: ServiceDeploymentsMock) -> None:
    scenario = build_scenario(_one_service([{}, {}]))
    assert [len(service.deployments) for service in scenario.services] == [2]
    assert not mock.backend().services
    assert _error_code(lambda: _listed()) == "ClusterNotFoundException"


# -- mock_service_deployments(scenario=...) ------------------------------------------------------


def test_scenario_argument_loads_on_start(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.yaml", ISSUE_EXAMPLE)
    mock = mock_service_deployments(scenario=path)
    with mock:
        assert len(_listed()) == 2
        with mock:  # re-entered: not loaded a second time
            assert len(_listed()) == 2
        assert len(_listed()) == 2
    assert len(service_deployment_backends) == 0
    with mock:  # started again after the outermost stop: loaded afresh
        assert len(_listed()) == 2


def test_scenario_argument_with_region_and_account(tmp_path: Path) -> None:
    data = _one_service([{}])
    with mock_service_deployments(scenario=data, region="eu-west-1", account_id=OTHER_ACCOUNT):
        items = _listed(region="eu-west-1")
    assert items[0]["clusterArn"] == f"arn:aws:ecs:eu-west-1:{OTHER_ACCOUNT}:cluster/prod"


def test_scenario_argument_as_decorator(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.yaml", ISSUE_EXAMPLE)

    @mock_service_deployments(scenario=path)
    def listed_statuses() -> list[str]:
        return [item["status"] for item in _listed()]

    assert listed_statuses() == ["ROLLBACK_SUCCESSFUL", "SUCCESSFUL"]
    assert listed_statuses() == ["ROLLBACK_SUCCESSFUL", "SUCCESSFUL"]


def test_scenario_argument_beside_moto(tmp_path: Path) -> None:
    with mock_service_deployments(scenario=_one_service([{}, {}]), with_moto=True):
        client = new_client()
        assert len(_listed()) == 2
        # moto answers its own operations, and the scenario's service exists for it
        assert client.list_clusters()["clusterArns"] == [
            "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
        ]
        assert client.list_services(cluster="prod")["serviceArns"] == [
            "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
        ]


def test_a_bad_scenario_argument_fails_the_start_and_leaves_nothing_active() -> None:
    from mock_ecs_deployments.patches import botocore_send
    from mock_ecs_deployments.patches.activation import activation

    mock = mock_service_deployments(scenario=_one_service([{"status": "DONE"}]))
    with pytest.raises(ScenarioError, match="status: 'DONE' is not allowed"):
        mock.start()
    assert activation.depth == 0
    assert not botocore_send.answering()
    with pytest.raises(RuntimeError):
        mock.stop()


def test_a_bad_scenario_inside_an_active_mock_keeps_the_outer_one(tmp_path: Path) -> None:
    with mock_service_deployments() as outer:
        outer.backend().add_deployment(service="web", cluster="prod")
        with pytest.raises(ScenarioError):
            mock_service_deployments(scenario=_one_service([{"status": "DONE"}])).start()
        assert len(_listed()) == 1


# -- the pytest marker ---------------------------------------------------------------------------


def test_marker_scenario_is_relative_to_the_test_file(pytester: pytest.Pytester) -> None:
    # Naming no region, the scenario loads in the marker's.
    unnamed = ISSUE_EXAMPLE.replace("region: us-east-1", "")
    _write(pytester.path, "tests/scenarios/rollback.yaml", unnamed)
    _write(pytester.path, "tests/scenarios/named.yaml", ISSUE_EXAMPLE)
    _write(
        pytester.path,
        "tests/test_marker.py",
        """
        import pytest

        @pytest.mark.service_deployments(scenario="scenarios/rollback.yaml", region="eu-west-1")
        def test_loaded(ecs_client):
            items = ecs_client.list_service_deployments(cluster="prod", service="web")
            assert [i["status"] for i in items["serviceDeployments"]] == [
                "ROLLBACK_SUCCESSFUL", "SUCCESSFUL"
            ]

        @pytest.mark.service_deployments(scenario={"services": [{"service": "api"}]})
        def test_mapping(service_deployments):
            assert list(service_deployments.backend().services) == [("default", "api")]

        def test_without_scenario(service_deployments):
            assert not service_deployments.backend().services

        @pytest.mark.service_deployments(scenario="scenarios/named.yaml", region="eu-west-1")
        def test_the_scenario_s_own_region_wins(service_deployments):
            assert not service_deployments.backend().services
            assert list(service_deployments.backend(region="us-east-1").services) == [
                ("prod", "web")
            ]
        """,
    )
    # Started from the project root, not the test file's folder.
    pytester.runpytest("tests/test_marker.py").assert_outcomes(passed=4)


def test_marker_with_a_bad_scenario_errors_the_test(pytester: pytest.Pytester) -> None:
    _write(pytester.path, "bad.yaml", "services:\n  - service: web\n    desired_count: lots\n")
    _write(
        pytester.path,
        "test_bad.py",
        """
        import pytest

        @pytest.mark.service_deployments(scenario="bad.yaml")
        def test_never_runs(ecs_client):
            raise AssertionError("the fixture must fail first")
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*ScenarioError: *bad.yaml: services[[]0[]].desired_count: expected a whole number*"]
    )


# -- the shipped scenarios -----------------------------------------------------------------------


def test_example_rollback(mock: ServiceDeploymentsMock) -> None:
    mock.load_scenario(EXAMPLES / "rollback.yaml")
    items = _listed()
    assert [item["status"] for item in items] == [
        "ROLLBACK_SUCCESSFUL",
        "SUCCESSFUL",
        "SUCCESSFUL",
    ]
    latest = items[0]
    assert latest["statusReason"] == BREAKER_REASON
    assert (latest["createdAt"], latest["startedAt"], latest["finishedAt"]) == (
        datetime(2025, 1, 11, 9, 0, tzinfo=UTC),
        datetime(2025, 1, 11, 9, 0, 5, tzinfo=UTC),
        datetime(2025, 1, 11, 9, 14, 10, tzinfo=UTC),
    )
    arns = [item["targetServiceRevisionArn"] for item in items]
    revisions = new_client().describe_service_revisions(serviceRevisionArns=arns)[
        "serviceRevisions"
    ]
    assert [r["taskDefinition"].rsplit("/", 1)[1] for r in revisions] == [
        "web:43",
        "web:42",
        "web:41",
    ]
    (described,) = new_client().describe_service_deployments(
        serviceDeploymentArns=[latest["serviceDeploymentArn"]]
    )["serviceDeployments"]
    assert described["deploymentCircuitBreaker"]["status"] == "TRIGGERED"
    assert described["rollback"]["serviceRevisionArn"] == items[1]["targetServiceRevisionArn"]


def test_example_mid_deploy(mock: ServiceDeploymentsMock) -> None:
    with freeze_time(T0) as frozen:
        mock.load_scenario(EXAMPLES / "mid_deploy.yaml")
        web = _listed("web")
        assert [item["status"] for item in web] == ["IN_PROGRESS", "SUCCESSFUL"]
        assert web[0]["createdAt"] == T0 - timedelta(minutes=10)
        assert web[0]["startedAt"] == T0 - timedelta(minutes=9, seconds=30)
        assert "finishedAt" not in web[0]
        assert web[1]["finishedAt"] == T0 - timedelta(hours=23, minutes=55)
        assert [item["status"] for item in _listed("api")] == ["SUCCESSFUL"]
        worker = _listed("worker")
        assert [item["status"] for item in worker] == ["SUCCESSFUL", "STOPPED"]
        assert worker[1]["statusReason"] == (
            "Service deployment stopped: superseded by a newer service deployment."
        )
        frozen.tick(timedelta(minutes=21))
        finished = _listed("web")[0]
    assert finished["status"] == "SUCCESSFUL"
    assert finished["finishedAt"] == T0 + timedelta(minutes=20, seconds=30)


def test_example_multi_region(mock: ServiceDeploymentsMock) -> None:
    services = mock.load_scenario(EXAMPLES / "multi_region.yaml")
    assert [(s.region, len(s.deployments)) for s in services] == [
        ("us-east-1", 100),
        ("eu-west-1", 100),
    ]
    east = _listed(region="us-east-1")
    assert len(east) == 100
    assert {item["status"] for item in east} == {"SUCCESSFUL"}
    assert east[0]["createdAt"] == datetime(2025, 1, 25, 18, tzinfo=UTC)
    assert east[-1]["createdAt"] == datetime(2025, 1, 1, tzinfo=UTC)
    assert all(i["finishedAt"] - i["createdAt"] == timedelta(minutes=5) for i in east)
    west = _listed(region="eu-west-1")
    assert len(west) == 100
    assert [item["status"] for item in west[:2]] == ["ROLLBACK_SUCCESSFUL", "SUCCESSFUL"]
    assert west[0]["createdAt"] == datetime(2025, 1, 25, 21, tzinfo=UTC)
    assert west[1]["createdAt"] == datetime(2025, 1, 25, 15, tzinfo=UTC)
    assert west[-1]["createdAt"] == datetime(2025, 1, 1, 3, tzinfo=UTC)
    assert west[0]["clusterArn"] == f"arn:aws:ecs:eu-west-1:{ACCOUNT}:cluster/prod"


@pytest.mark.parametrize("name", ["rollback.yaml", "mid_deploy.yaml", "multi_region.yaml"])
def test_each_example_is_one_line_in_a_test(pytester: pytest.Pytester, name: str) -> None:
    _write(
        pytester.path,
        "test_example.py",
        f"""
        import pytest

        @pytest.mark.service_deployments(scenario={str(EXAMPLES / name)!r})
        def test_loaded(ecs_client):
            items = ecs_client.list_service_deployments(cluster="prod", service="web")
            assert items["serviceDeployments"]
        """,
    )
    pytester.runpytest().assert_outcomes(passed=1)
