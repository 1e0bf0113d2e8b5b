"""The server's control API (``/mock-ecs-deployments/``) over real HTTP, moto's reset reloading
the start scenarios, the Python client that ``serve_in_thread()`` yields, and the ``load``,
``advance`` and ``reset`` subcommands."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import types
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.moto_api._internal.models import MotoAPIBackend

from mock_ecs_deployments import (
    ScenarioError,
    mock_service_deployments,
    serve_in_thread,
    service_deployment_backends,
)
from mock_ecs_deployments.cli import main
from mock_ecs_deployments.engine.model import clock
from mock_ecs_deployments.protocol import faults
from mock_ecs_deployments.scenarios.loader import build_scenario
from mock_ecs_deployments.server import app as server_app
from mock_ecs_deployments.server import control as control_module
from mock_ecs_deployments.server.client import ControlRequestError, MockEndpoint
from mock_ecs_deployments.server.control import StartScenarioError

from .clients import endpoint_client

pytestmark = pytest.mark.allow_hosts(["127.0.0.1", "::1"])

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROOT = Path(__file__).resolve().parent.parent
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
DUMP_MODULE = "mock_ecs_deployments.scenarios.dump"

WEB_YAML = """\
services:
  - service: web
    cluster: prod
    deployments:
      - status: SUCCESSFUL
        created_at: -2h
      - status: IN_PROGRESS
        created_at: -10m
"""
API_DATA = {
    "region": REGION,
    "services": [{"service": "api", "cluster": "prod", "deployments": [{"status": "STOPPED"}]}],
}


@pytest.fixture
def endpoint() -> Iterator[MockEndpoint]:
    with serve_in_thread() as url:
        yield url


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def control(endpoint: str, method: str, route: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{endpoint}/mock-ecs-deployments/{route}", **kwargs)


def refused(response: requests.Response, status: int) -> dict[str, Any]:
    """The JSON body of an error answer, after checking its status and Content-Type."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert isinstance(body["message"], str) and body["message"]
    return body


def ecs(endpoint: str, region: str = REGION) -> Any:
    return endpoint_client(
        endpoint,
        region=region,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


def statuses(
    endpoint: str, service: str = "web", cluster: str = "prod", region: str = REGION
) -> list[str]:
    page = ecs(endpoint, region).list_service_deployments(cluster=cluster, service=service)
    return [item["status"] for item in page["serviceDeployments"]]


def error_code(endpoint: str, service: str, cluster: str = "prod") -> str:
    with pytest.raises(ClientError) as raised:
        ecs(endpoint).list_service_deployments(cluster=cluster, service=service)
    return str(raised.value.response["Error"]["Code"])


def clock_offset() -> timedelta:
    """How far the mock's clock is ahead of the real one (shared by the in-thread server)."""
    return clock.now() - datetime.now(timezone.utc)


# -- POST/GET scenario ------------------------------------------------------------------------


def test_a_yaml_scenario_loads_and_is_served(endpoint: str) -> None:
    response = control(endpoint, "POST", "scenario", data=WEB_YAML)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"services": 1, "deployments": 2}
    assert statuses(endpoint) == ["IN_PROGRESS", "SUCCESSFUL"]


@pytest.mark.parametrize(
    ("headers", "body", "parsed_as"),
    [
        ({"Content-Type": "application/json"}, "services: [", "JSON"),
        ({"Content-Type": "application/json; charset=utf-8"}, "services: [", "JSON"),
        ({"Content-Type": "text/plain"}, ' \n{"services": [', "JSON"),
        ({"Content-Type": "text/plain"}, "[1, ", "JSON"),
        ({"Content-Type": "application/yaml"}, "services: [", "YAML"),
        ({}, "services: [", "YAML"),
    ],
)
def test_a_body_is_json_by_content_type_or_leading_bracket_else_yaml(
    endpoint: str, headers: dict[str, str], body: str, parsed_as: str
) -> None:
    message = refused(control(endpoint, "POST", "scenario", data=body, headers=headers), 400)
    assert message["message"].startswith("<request body>: line ")
    assert f"invalid {parsed_as}:" in message["message"]


def test_a_json_scenario_loads(endpoint: str) -> None:
    response = control(endpoint, "POST", "scenario", json=API_DATA)
    assert response.json() == {"services": 1, "deployments": 1}
    assert statuses(endpoint, "api") == ["STOPPED"]


def test_an_invalid_scenario_is_a_400_with_the_loader_s_message_and_changes_nothing(
    endpoint: str,
) -> None:
    control(endpoint, "POST", "scenario", data=WEB_YAML).raise_for_status()
    bad = {
        "services": [
            {"service": "api", "cluster": "prod", "deployments": [{"status": "SUCCESSFUL"}]},
            {"service": "worker", "cluster": "prod", "deployments": [{"status": "DONE"}]},
        ]
    }
    with pytest.raises(ScenarioError) as in_process:
        build_scenario(bad)
    expected = f"<request body>: {in_process.value.field}: {in_process.value.problem}"
    assert refused(control(endpoint, "POST", "scenario", json=bad), 400) == {"message": expected}
    # The same scenario again: its service exists already.
    again = refused(control(endpoint, "POST", "scenario", data=WEB_YAML), 400)["message"]
    assert again.startswith("<request body>: services[0].service: 'web' already exists")
    assert error_code(endpoint, "api") == "ServiceNotFoundException"
    assert statuses(endpoint) == ["IN_PROGRESS", "SUCCESSFUL"]
    services = service_deployment_backends[ACCOUNT][REGION].services
    assert sorted(services) == [("prod", "web")]


def test_a_yaml_key_given_twice_is_refused_as_in_a_file(endpoint: str) -> None:
    body = "services:\n  - service: web\n    service: api\n"
    message = refused(control(endpoint, "POST", "scenario", data=body), 400)["message"]
    assert message == (
        "<request body>: line 3, column 5: invalid YAML: the key 'service' is given twice"
    )


def test_dump_answers_dump_scenario_of_every_service_as_json(
    endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[dict[str, Any]] = []

    def dump_scenario(**kwargs: Any) -> dict[str, Any]:
        asked.append(kwargs)
        created = datetime(2025, 3, 1, 12, 0, 0, 250_000, tzinfo=timezone.utc)
        return {"services": [{"service": "web", "deployments": [{"created_at": created}]}]}

    module = types.ModuleType(DUMP_MODULE)
    module.dump_scenario = dump_scenario  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, DUMP_MODULE, module)
    response = control(endpoint, "GET", "scenario")
    assert response.status_code == 200 and asked == [{"services": None}]
    assert response.json() == {
        "services": [
            {"service": "web", "deployments": [{"created_at": "2025-03-01T12:00:00.250Z"}]}
        ]
    }
    assert MockEndpoint(endpoint).dump_scenario() == response.json()


def test_a_dumped_scenario_loads_back_after_a_reset(endpoint: MockEndpoint) -> None:
    endpoint.load_scenario(WEB_YAML.encode())
    api = {"service": "api", "deployments": [{"status": "STOPPED"}]}
    endpoint.load_scenario({"region": "eu-west-1", "services": [api]})
    before = [statuses(endpoint), statuses(endpoint, "api", "default", "eu-west-1")]
    dumped = endpoint.dump_scenario()
    assert control(endpoint, "GET", "scenario").json() == dumped
    endpoint.reset()
    assert error_code(endpoint, "web") == "ClusterNotFoundException"
    assert endpoint.load_scenario(dumped) == {"services": 2, "deployments": 3}
    assert [statuses(endpoint), statuses(endpoint, "api", "default", "eu-west-1")] == before


# -- POST advance -----------------------------------------------------------------------------


def test_advance_moves_the_mock_s_clock_and_answers_the_new_time(endpoint: str) -> None:
    response = control(endpoint, "POST", "advance", json={"seconds": 3600})
    assert response.status_code == 200
    now = response.json()["now"]
    assert ISO_MS.match(now), now
    assert timedelta(seconds=3599) < clock_offset() < timedelta(seconds=3601)
    answered = datetime.fromisoformat(now.replace("Z", "+00:00"))
    assert abs(answered - clock.now()) < timedelta(seconds=1)
    fraction = control(endpoint, "POST", "advance", json={"seconds": 0.5}).json()["now"]
    assert timedelta(seconds=0.5) <= (
        datetime.fromisoformat(fraction.replace("Z", "+00:00")) - answered
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"seconds": -1}', "seconds"),
        ('{"seconds": NaN}', "seconds"),
        ('{"seconds": Infinity}', "seconds"),
        ('{"seconds": "60"}', "seconds"),
        ('{"seconds": true}', "seconds"),
        ('{"seconds": [1]}', "seconds"),
        ('{"seconds": 1e300}', "seconds"),
        ('{"seconds": null}', "seconds"),
        ("{}", "seconds"),
        ('{"seconds": 1, "minutes": 2}', "minutes"),
        ('{"second": 1}', "second"),
        ("[60]", None),
        ("60", None),
        ("", None),
        ('{"seconds": 1', None),
        (b'{"seconds": "\xff"}', None),
        ("[" * 100_000, None),
    ],
)
def test_advance_refuses_bad_input_and_leaves_the_clock(
    endpoint: str, body: str | bytes, field: str | None
) -> None:
    answer = refused(control(endpoint, "POST", "advance", data=body), 400)
    assert answer.get("field") == field
    assert abs(clock_offset()) < timedelta(seconds=1)


# -- POST plans -------------------------------------------------------------------------------


def test_a_plan_drives_the_next_deployment_the_server_makes(endpoint: MockEndpoint) -> None:
    client = ecs(endpoint)
    client.create_cluster(clusterName="prod")
    client.register_task_definition(
        family="web", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128}]
    )
    client.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1)
    assert statuses(endpoint) == ["SUCCESSFUL"]  # no plan: done at once
    fields = {
        "service": "web",
        "cluster": "prod",
        "outcome": "ROLLBACK_SUCCESSFUL",
        "pending_for": 10,
        "in_progress_for": 60,
        "reason": "tasks failed",
    }
    response = control(endpoint, "POST", "plans", json=fields)
    assert response.status_code == 200
    assert response.json() == {
        **fields,
        "pending_for": 10.0,
        "in_progress_for": 60.0,
        "rollback_for": None,
        "account_id": ACCOUNT,
        "region": REGION,
    }
    client.update_service(cluster="prod", service="web", forceNewDeployment=True)
    seen = [statuses(endpoint)[0]]
    for seconds in (10, 60, 60):  # rollback_for defaults to in_progress_for
        endpoint.advance(seconds)
        seen.append(statuses(endpoint)[0])
    assert seen == ["PENDING", "IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL"]
    page = client.list_service_deployments(cluster="prod", service="web")
    assert page["serviceDeployments"][0]["statusReason"] == "tasks failed"


def test_a_daemon_plan_and_a_capacity_provider_drive_a_daemon_deployment(
    endpoint: MockEndpoint,
) -> None:
    provider = endpoint.add_capacity_provider("managed", "prod", instances=2)
    assert provider == {
        "name": "managed",
        "cluster": "prod",
        "instances": 2,
        "account_id": ACCOUNT,
        "region": REGION,
    }
    plan = endpoint.plan_next_deployment(
        daemon="agent", cluster="prod", in_progress_for=20, outcome="ROLLBACK_FAILED"
    )
    assert (plan["daemon"], plan["cluster"], plan["outcome"]) == (
        "agent",
        "prod",
        "ROLLBACK_FAILED",
    )
    assert "service" not in plan
    client = ecs(endpoint)
    definition = client.register_daemon_task_definition(
        family="agent", containerDefinitions=[{"name": "agent", "image": "agent:1"}]
    )["daemonTaskDefinitionArn"]
    created = client.create_daemon(
        daemonName="agent",
        clusterArn="prod",
        daemonTaskDefinitionArn=definition,
        capacityProviderArns=[f"arn:aws:ecs:{REGION}:{ACCOUNT}:capacity-provider/managed"],
    )
    seen = []
    for seconds in (0, 10, 11):
        endpoint.advance(seconds)
        deployment = client.describe_daemon_deployments(
            daemonDeploymentArns=[created["deploymentArn"]]
        )["daemonDeployments"][0]
        target = deployment["targetDaemonRevision"]
        seen.append((deployment["status"], target["totalRunningInstanceCount"]))
    # One instance per batch (25% of 2, rounded up), 10 s each; then the breaker trips, and a
    # first deployment has nothing to roll back to.
    assert seen == [("IN_PROGRESS", 0), ("IN_PROGRESS", 1), ("ROLLBACK_FAILED", 2)]
    assert deployment["circuitBreaker"] == {
        "failureCount": 3,
        "status": "TRIGGERED",
        "threshold": 3,
    }


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"service": "web", "daemon": "agent"}, "service", "service: required (or daemon"),
        ({"cluster": "prod"}, "service", "service: required (or daemon"),
        ({"daemon": "arn:aws:ecs:us-east-1:123456789012:service/prod/web"}, "daemon", "daemon: "),
    ],
)
def test_a_daemon_plan_names_one_of_service_or_daemon(
    endpoint: str, fields: dict[str, Any], field: str, message: str
) -> None:
    answer = refused(control(endpoint, "POST", "plans", json=fields), 400)
    assert answer["field"] == field
    assert answer["message"].startswith(message)
    assert all(not backend.planned for backend in service_deployment_backends[ACCOUNT].values())


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"name": "a b"}, "name"), ({"name": "m", "instances": -1}, "instances"), ({}, "name")],
)
def test_a_bad_capacity_provider_is_a_400_naming_the_field(
    endpoint: str, fields: dict[str, Any], field: str
) -> None:
    answer = refused(control(endpoint, "POST", "capacity-providers", json=fields), 400)
    assert answer["field"] == field
    assert answer["message"].startswith(f"{field}: ")


def test_a_plan_for_another_account_and_region_and_an_arn(endpoint: str) -> None:
    arn = "arn:aws:ecs:eu-west-1:111122223333:service/prod/web"
    fields = {"service": arn, "account_id": "111122223333", "region": "eu-west-1"}
    answer = control(endpoint, "POST", "plans", json={**fields, "rollback_for": 5}).json()
    assert (answer["service"], answer["cluster"], answer["region"]) == ("web", "prod", "eu-west-1")
    assert (answer["outcome"], answer["rollback_for"]) == ("SUCCESSFUL", 5.0)
    planned = service_deployment_backends["111122223333"]["eu-west-1"].planned
    assert [plan.rollback_ms for plan in planned[("prod", "web")]] == [5000]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"service": "web", "outcome": "FINE"}, "outcome"),
        ({"service": "web", "outcome": 1}, "outcome"),
        ({"service": "web", "pending_for": "5m"}, "pending_for"),
        ({"service": "web", "in_progress_for": -1}, "in_progress_for"),
        ({"service": "web", "rollback_for": True}, "rollback_for"),
        ({"service": "web", "reason": 7}, "reason"),
        ({"service": 5}, "service"),
        ({"service": "web", "cluster": ["prod"]}, "cluster"),
        ({"service": "arn:aws:ecs:eu-west-1:111122223333:service/prod/web"}, "service"),
        ({"cluster": "prod"}, "service"),
        ({"service": "web", "account_id": "abc"}, "account_id"),
        ({"service": "web", "region": ""}, "region"),
        ({"service": "web", "outcomes": "STOPPED"}, "outcomes"),
    ],
)
def test_a_bad_plan_is_a_400_naming_the_field_and_queues_nothing(
    endpoint: str, fields: dict[str, Any], field: str
) -> None:
    answer = refused(control(endpoint, "POST", "plans", json=fields), 400)
    assert answer["field"] == field
    assert answer["message"].startswith(f"{field}: ")
    assert all(not backend.planned for backend in service_deployment_backends[ACCOUNT].values())


# -- POST errors ------------------------------------------------------------------------------


def test_an_injected_error_fails_the_next_calls_then_stops(endpoint: str) -> None:
    control(endpoint, "POST", "scenario", data=WEB_YAML).raise_for_status()
    fields = {"operation": "ListServiceDeployments", "code": "ThrottlingException"}
    response = control(endpoint, "POST", "errors", json=fields)
    assert response.status_code == 200
    assert response.json() == {
        **fields,
        "message": None,
        "status": 400,
        "times": 1,  # by default, the next call only
        "account_id": None,
        "region": None,
    }
    assert error_code(endpoint, "web") == "ThrottlingException"
    assert statuses(endpoint) == ["IN_PROGRESS", "SUCCESSFUL"]
    control(endpoint, "POST", "errors", json={**fields, "times": 2}).raise_for_status()
    assert [error_code(endpoint, "web"), error_code(endpoint, "web")] == ["ThrottlingException"] * 2
    assert statuses(endpoint) == ["IN_PROGRESS", "SUCCESSFUL"]


def test_an_injected_error_with_its_own_status_every_time_in_one_region(endpoint: str) -> None:
    control(endpoint, "POST", "scenario", data=WEB_YAML).raise_for_status()
    fields = {
        "operation": "ListServiceDeployments",
        "code": "TeapotException",
        "message": "short and stout",
        "status": 418,
        "times": None,
        "region": REGION,
    }
    assert control(endpoint, "POST", "errors", json=fields).json()["status"] == 418
    for _ in range(3):
        with pytest.raises(ClientError) as raised:
            ecs(endpoint).list_service_deployments(cluster="prod", service="web")
        error = raised.value.response
        assert error["Error"] == {"Code": "TeapotException", "Message": "short and stout"}
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 418


@pytest.mark.parametrize(
    "fields",
    [
        {"operation": "ListServices", "code": "ThrottlingException"},
        {"operation": "ListServiceDeployment", "code": "ThrottlingException"},
        {"operation": "ListServiceDeployments", "code": "TeapotException"},
        {"operation": "ListServiceDeployments", "code": ""},
        {"operation": "ListServiceDeployments", "code": 400},
        {"operation": "ListServiceDeployments", "code": "TeapotException", "status": 200},
        {"operation": "ListServiceDeployments", "code": "TeapotException", "status": "418"},
        {"operation": "ListServiceDeployments", "code": "ThrottlingException", "times": 0},
        {"operation": "ListServiceDeployments", "code": "ThrottlingException", "times": 1.5},
        {"operation": "ListServiceDeployments", "code": "ThrottlingException", "message": 5},
        {"operation": "ListServiceDeployments", "code": "ThrottlingException", "region": ""},
        {"operation": "ListServiceDeployments", "code": "ThrottlingException", "account_id": "1"},
        {"operation": "ListServiceDeployments", "code": "ThrottlingException", "count": 1},
        {"operation": "ListServiceDeployments"},
        {"code": "ThrottlingException"},
    ],
)
def test_a_bad_injected_error_is_a_400_and_injects_nothing(
    endpoint: str, fields: dict[str, Any]
) -> None:
    refused(control(endpoint, "POST", "errors", json=fields), 400)
    control(endpoint, "POST", "scenario", data=WEB_YAML).raise_for_status()
    assert statuses(endpoint) == ["IN_PROGRESS", "SUCCESSFUL"]  # no error was injected


# -- GET/DELETE calls -------------------------------------------------------------------------


def test_calls_lists_the_log_and_delete_empties_only_the_log(endpoint: str) -> None:
    control(endpoint, "POST", "scenario", data=WEB_YAML).raise_for_status()
    statuses(endpoint)
    assert error_code(endpoint, "nope") == "ServiceNotFoundException"
    listed = control(endpoint, "GET", "calls").json()
    assert listed == {
        "calls": [
            {
                "operation": "ListServiceDeployments",
                "params": {"cluster": "prod", "service": "web"},
                "account_id": ACCOUNT,
                "region": REGION,
                "status": 200,
                "error_code": None,
                "hint": None,
            },
            {
                "operation": "ListServiceDeployments",
                "params": {"cluster": "prod", "service": "nope"},
                "account_id": ACCOUNT,
                "region": REGION,
                "status": 400,
                "error_code": "ServiceNotFoundException",
                "hint": None,
            },
        ]
    }
    injected = {"operation": "DescribeServiceDeployments", "code": "ThrottlingException"}
    control(endpoint, "POST", "errors", json=injected).raise_for_status()
    cleared = control(endpoint, "DELETE", "calls")
    assert cleared.status_code == 200 and cleared.json() == {"cleared": 2}
    assert control(endpoint, "GET", "calls").json() == {"calls": []}
    # Only the log: the state and the injected error are still there.
    assert statuses(endpoint) == ["IN_PROGRESS", "SUCCESSFUL"]
    with pytest.raises(ClientError, match="ThrottlingException"):
        ecs(endpoint).describe_service_deployments(serviceDeploymentArns=["arn:x"])


# -- routing and the errors of the layer ------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/mock-ecs-deployments",
        "/mock-ecs-deployments/",
        "/mock-ecs-deployments/nope",
        "/mock-ecs-deployments/calls/",
        "/mock-ecs-deployments/calls/1",
        "/mock-ecs-deployments/Calls",
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unknown_control_path_is_a_json_404(endpoint: str, path: str, method: str) -> None:
    message = refused(requests.request(method, endpoint + path, data="{}"), 404)["message"]
    assert f"No control route at {path};" in message
    assert "POST /mock-ecs-deployments/advance" in message


@pytest.mark.parametrize(
    ("method", "route", "allow"),
    [
        ("PUT", "calls", "GET, DELETE"),
        ("POST", "calls", "GET, DELETE"),
        ("GET", "advance", "POST"),
        ("DELETE", "scenario", "GET, POST"),
        ("PATCH", "plans", "POST"),
        ("GET", "errors", "POST"),
        ("HEAD", "errors", "POST"),
    ],
)
def test_a_method_the_route_does_not_take_is_a_json_405_with_allow(
    endpoint: str, method: str, route: str, allow: str
) -> None:
    response = control(endpoint, method, route)
    assert response.status_code == 405
    assert response.headers["Allow"] == allow
    assert response.headers["Content-Type"] == "application/json"
    if method != "HEAD":
        assert refused(response, 405)["message"].endswith(f"takes {allow}, not {method}.")


def test_a_body_over_the_limit_is_a_json_413(
    endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(control_module, "MAX_CONTROL_BODY_BYTES", 1000)
    big = json.dumps({"seconds": 1, "padding": "x" * 5000})
    assert (
        "larger than 1000 bytes"
        in refused(control(endpoint, "POST", "advance", data=big), 413)["message"]
    )
    assert control(endpoint, "POST", "advance", json={"seconds": 0}).status_code == 200


def test_an_unexpected_exception_is_a_json_500_naming_a_bug(
    endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> list[faults.Call]:
        raise RuntimeError("the log is gone")

    monkeypatch.setattr(faults, "calls", broken)
    message = refused(control(endpoint, "GET", "calls"), 500)["message"]
    assert message == "bug in mock_ecs_deployments: RuntimeError: the log is gone"
    # The server keeps serving.
    assert control(endpoint, "POST", "advance", json={"seconds": 0}).status_code == 200


# -- moto's reset reloads the start scenarios -------------------------------------------------


def test_moto_reset_empties_everything_then_reloads_the_start_scenarios(tmp_path: Path) -> None:
    start = tmp_path / "web.yaml"
    start.write_text(WEB_YAML)
    with serve_in_thread(scenarios=[start, API_DATA]) as endpoint:
        assert statuses(endpoint) == ["IN_PROGRESS", "SUCCESSFUL"]
        extra = {"services": [{"service": "extra", "cluster": "prod", "deployments": [{}]}]}
        endpoint.load_scenario(extra)
        endpoint.inject_error("DescribeServiceRevisions", "ThrottlingException", times=None)
        endpoint.plan_next_deployment("web", "prod", outcome="STOPPED")
        endpoint.advance(7200)
        statuses(endpoint, "extra")
        response = requests.post(endpoint + "/moto-api/reset")
        assert response.status_code == 200 and response.json() == {"status": "ok"}
        assert endpoint.calls() == []
        assert abs(clock_offset()) < timedelta(seconds=1)
        assert error_code(endpoint, "extra") == "ServiceNotFoundException"
        backend = service_deployment_backends[ACCOUNT][REGION]
        assert sorted(backend.services) == [("prod", "api"), ("prod", "web")]
        assert not backend.planned
        # Relative times are taken from the clock at the reset, which is the real one again.
        created = [
            deployment.created_at for deployment in backend.services[("prod", "web")].deployments
        ]
        assert abs(created[0] - (datetime.now(timezone.utc) - timedelta(hours=2))) < timedelta(
            minutes=1
        )
        assert statuses(endpoint, "api") == ["STOPPED"]
        revision = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-revision/prod/web/1"
        revisions = ecs(endpoint).describe_service_revisions(serviceRevisionArns=[revision])
        assert "failures" in revisions  # the injected error is gone


def test_a_relative_start_scenario_path_is_taken_from_where_the_server_was_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "web.yaml").write_text(WEB_YAML)
    monkeypatch.chdir(tmp_path)
    with serve_in_thread(scenarios=["web.yaml"]) as endpoint:
        monkeypatch.chdir(ROOT)
        endpoint.reset()
        assert statuses(endpoint) == ["IN_PROGRESS", "SUCCESSFUL"]


def test_a_start_scenario_that_no_longer_loads_makes_the_reset_a_json_500(
    tmp_path: Path,
) -> None:
    start = tmp_path / "web.yaml"
    start.write_text(WEB_YAML)
    with serve_in_thread(scenarios=[start]) as endpoint:
        endpoint.load_scenario(API_DATA)
        start.write_text(WEB_YAML.replace("IN_PROGRESS", "HALFWAY"))
        message = refused(requests.post(endpoint + "/moto-api/reset"), 500)["message"]
        assert message.startswith(
            "The state was reset, but a start scenario could not be loaded:"
            f" {start}: services[0].deployments[1].status: 'HALFWAY' is not allowed"
        )
        assert error_code(endpoint, "api") == "ClusterNotFoundException"  # it was reset
        start.write_text(WEB_YAML)
        endpoint.reset()
        assert statuses(endpoint) == ["IN_PROGRESS", "SUCCESSFUL"]


def test_a_bad_start_scenario_fails_the_start_and_leaves_nothing_running(tmp_path: Path) -> None:
    original_reset = MotoAPIBackend.__dict__["reset"]
    bad = {"services": [{"service": 5}]}
    with pytest.raises(StartScenarioError) as raised, serve_in_thread(scenarios=[API_DATA, bad]):
        pytest.fail("the server started")
    assert isinstance(raised.value.error, ScenarioError)
    assert (raised.value.source, raised.value.__cause__) == ("<mapping>", raised.value.error)
    missing = tmp_path / "missing.yaml"
    with (
        pytest.raises(StartScenarioError, match=re.escape(str(missing))),
        serve_in_thread(scenarios=[missing]),
    ):
        pytest.fail("the server started")
    assert server_app.live_servers() == []
    assert MotoAPIBackend.__dict__["reset"] is original_reset
    assert len(service_deployment_backends) == 0


# -- the Python client that serve_in_thread() yields ------------------------------------------


def test_serve_in_thread_yields_the_endpoint_as_a_str(endpoint: MockEndpoint) -> None:
    assert isinstance(endpoint, str) and isinstance(endpoint, MockEndpoint)
    assert type(endpoint.endpoint) is str and endpoint == endpoint.endpoint
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", endpoint)
    assert f"{endpoint}/x" == endpoint.endpoint + "/x"
    assert repr(endpoint) == f"MockEndpoint({endpoint.endpoint!r})"
    assert {endpoint: 1}[endpoint.endpoint] == 1


def test_the_client_methods_drive_the_server(endpoint: MockEndpoint, tmp_path: Path) -> None:
    yaml_file, json_file = tmp_path / "web.yaml", tmp_path / "api.json"
    yaml_file.write_text(WEB_YAML)
    json_file.write_text(json.dumps(API_DATA))
    assert endpoint.load_scenario(yaml_file) == {"services": 1, "deployments": 2}
    assert endpoint.load_scenario(str(json_file)) == {"services": 1, "deployments": 1}
    worker = {"services": [{"service": "worker", "cluster": "prod", "deployments": [{}, {}]}]}
    assert endpoint.load_scenario([worker]) == {"services": 1, "deployments": 2}
    assert endpoint.load_scenario(b"services: [{service: cron}]") == {
        "services": 1,
        "deployments": 0,
    }
    # The control API answers the time in milliseconds, as the wire format does.
    unrounded = clock.now()
    before = unrounded.replace(microsecond=unrounded.microsecond // 1000 * 1000)
    now = endpoint.advance(timedelta(minutes=5))
    assert now.tzinfo is not None and timedelta(minutes=5) <= now - before < timedelta(minutes=6)
    plan = endpoint.plan_next_deployment("web", "prod", in_progress_for=timedelta(seconds=90))
    assert (plan["outcome"], plan["in_progress_for"], plan["pending_for"]) == ("SUCCESSFUL", 90, 0)
    injected = endpoint.inject_error("ListServiceDeployments", "ThrottlingException", times=None)
    assert (injected["status"], injected["times"]) == (400, None)
    assert error_code(endpoint, "web") == "ThrottlingException"
    with mock_service_deployments() as mock:
        assert endpoint.calls() == mock.calls and len(mock.calls) == 1
    assert endpoint.clear_calls() == 1 and endpoint.calls() == []
    endpoint.reset()
    assert error_code(endpoint, "web") == "ClusterNotFoundException"


def test_the_client_raises_the_server_s_message(endpoint: MockEndpoint, tmp_path: Path) -> None:
    with pytest.raises(ControlRequestError) as raised:
        endpoint.plan_next_deployment("web", outcome="FINE")
    error = raised.value
    assert (error.status, error.method) == (400, "POST")
    assert error.url == f"{endpoint}/mock-ecs-deployments/plans"
    assert error.message.startswith("outcome: 'FINE' is not allowed")
    assert str(error) == f"POST {error.url}: HTTP 400: {error.message}"
    with pytest.raises(ControlRequestError, match="seconds: expected a finite number"):
        endpoint.advance(-1)
    with pytest.raises(FileNotFoundError):
        endpoint.load_scenario(tmp_path / "missing.yaml")


def test_the_client_says_when_there_is_no_server(closed_port: int) -> None:
    gone = MockEndpoint(f"http://127.0.0.1:{closed_port}", timeout=5)
    with pytest.raises(ControlRequestError) as raised:
        gone.reset()
    assert raised.value.status is None
    assert raised.value.message.startswith("cannot reach the server:")


# -- the load, advance and reset subcommands --------------------------------------------------


def test_the_commands_in_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    start, extra = tmp_path / "web.yaml", tmp_path / "api.json"
    start.write_text(WEB_YAML)
    extra.write_text(json.dumps(API_DATA))
    with serve_in_thread(scenarios=[start]) as endpoint:
        url = ["--endpoint-url", endpoint]
        assert main(["load", str(extra), *url]) == 0
        assert capsys.readouterr().out == f"loaded {extra}: 1 service, 1 deployment\n"
        assert statuses(endpoint, "api") == ["STOPPED"]
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"services: [{service: x}]")))
        assert main(["load", "-", *url]) == 0
        assert capsys.readouterr().out == "loaded -: 1 service, 0 deployments\n"
        assert main(["advance", "90", *url]) == 0
        printed = capsys.readouterr().out.strip()
        assert ISO_MS.match(printed), printed
        assert timedelta(seconds=89) < clock_offset() < timedelta(seconds=91)
        assert main(["reset", *url]) == 0
        assert capsys.readouterr().out == ""
        assert error_code(endpoint, "api") == "ServiceNotFoundException"
        assert statuses(endpoint) == ["IN_PROGRESS", "SUCCESSFUL"]  # the start scenario again
        assert abs(clock_offset()) < timedelta(seconds=1)
        # AWS_ENDPOINT_URL is the default endpoint, as for the AWS CLI.
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        assert main(["advance", "0"]) == 0
        capsys.readouterr()


def test_the_commands_fail_with_the_server_s_message(
    endpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], closed_port: int
) -> None:
    url = ["--endpoint-url", endpoint]
    bad = tmp_path / "bad.yaml"
    bad.write_text("services:\n  - service: web\n    deployments: [{status: DONE}]\n")
    assert main(["load", str(bad), *url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("load: <request body>: services[0].deployments[0].status: 'DONE'")
    assert f"(POST {endpoint}/mock-ecs-deployments/scenario)" in err
    assert main(["load", str(tmp_path / "missing.yaml"), *url]) == 2
    assert "load: cannot read" in capsys.readouterr().err
    assert main(["advance", "-5", *url]) == 1
    assert capsys.readouterr().err.startswith("advance: seconds: expected a finite number")
    assert main(["reset", "--endpoint-url", f"http://127.0.0.1:{closed_port}"]) == 1
    assert capsys.readouterr().err.startswith("reset: cannot reach the server:")
    with pytest.raises(SystemExit) as usage:
        main(["advance", "soon", *url])
    assert usage.value.code == 2


def test_without_an_endpoint_the_commands_are_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_ECS", raising=False)
    with pytest.raises(SystemExit) as usage:
        main(["reset"])
    assert usage.value.code == 2
    assert "--endpoint-url" in capsys.readouterr().err


def test_a_command_as_a_process_imports_neither_moto_nor_werkzeug(
    endpoint: str, tmp_path: Path
) -> None:
    scenario = tmp_path / "web.yaml"
    scenario.write_text(WEB_YAML)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mock_ecs_deployments", "load", str(scenario)],
        env={"PATH": "", "AWS_ENDPOINT_URL": endpoint, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"loaded {scenario}: 1 service, 2 deployments\n"
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    heavy = {"moto", "werkzeug", "flask", "yaml", "boto3"}
    assert "mock_ecs_deployments.server.client" in imported
    assert not {name for name in imported if name.split(".")[0] in heavy}
    assert statuses(endpoint) == ["IN_PROGRESS", "SUCCESSFUL"]


def test_serve_with_a_scenario_in_its_own_process_resets_to_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = tmp_path / "web.yaml"
    start.write_text(WEB_YAML)
    server = subprocess.Popen(
        [sys.executable, "-m", "mock_ecs_deployments", "serve", "--port=0", f"--scenario={start}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        cwd=ROOT,
    )
    try:
        assert server.stdout is not None
        banner = next((line for line in server.stdout if "serving ECS" in line), "")
        assert banner, "the server printed no banner"
        url = ["--endpoint-url", banner.split()[-1]]
        (tmp_path / "api.json").write_text(json.dumps(API_DATA))
        assert main(["load", str(tmp_path / "api.json"), *url]) == 0
        assert statuses(url[1], "api") == ["STOPPED"]
        assert main(["reset", *url]) == 0
        assert error_code(url[1], "api") == "ServiceNotFoundException"
        assert statuses(url[1]) == ["IN_PROGRESS", "SUCCESSFUL"]
        capsys.readouterr()
    finally:
        server.terminate()
        server.communicate(timeout=15)
    assert server.returncode == 0


def test_calls_over_http_carry_the_hint_for_a_service_held_elsewhere(endpoint: str) -> None:
    elsewhere = WEB_YAML.replace("services:", "region: eu-west-1\nservices:", 1)
    control(endpoint, "POST", "scenario", data=elsewhere).raise_for_status()
    assert error_code(endpoint, "web") == "ClusterNotFoundException"
    (call,) = control(endpoint, "GET", "calls").json()["calls"]
    assert call["hint"] == (
        f"service 'web' in cluster 'prod' exists in account {ACCOUNT}, region eu-west-1;"
        f" this request was answered as account {ACCOUNT}, region {REGION}"
    )


# -- the state page's routes: GET picture, POST stop, POST continue, the page ---------------------

HOOKED_YAML = """\
services:
  - service: web
    cluster: prod
    deployment_configuration:
      lifecycleHooks:
        - targetType: PAUSE
          lifecycleStages: [POST_SCALE_UP]
    deployments:
      - status: SUCCESSFUL
        created_at: -2h
      - plan: {in_progress_for: 0}
"""


def _arns(endpoint: str) -> list[str]:
    page = ecs(endpoint).list_service_deployments(cluster="prod", service="web")
    return [item["serviceDeploymentArn"] for item in page["serviceDeployments"]]


def _described(endpoint: str, arn: str) -> dict[str, Any]:
    answer = ecs(endpoint).describe_service_deployments(serviceDeploymentArns=[arn])
    (deployment,) = answer["serviceDeployments"]
    result: dict[str, Any] = deployment
    return result


def test_picture_answers_every_service_with_the_statuses_ecs_gives(endpoint: MockEndpoint) -> None:
    endpoint.load_scenario(WEB_YAML.encode())
    endpoint.load_scenario(API_DATA)
    picture = endpoint.picture()
    drawn = {
        service["name"]: [d["status"] for d in service["deployments"]]
        for service in picture["services"]
    }
    # The picture lists oldest first; ListServiceDeployments newest first.
    assert drawn == {
        "api": statuses(endpoint, "api")[::-1],
        "web": statuses(endpoint, "web")[::-1],
    }
    assert drawn["web"] == ["SUCCESSFUL", "IN_PROGRESS"]
    assert ISO_MS.match(picture["now"])
    web = next(s for s in picture["services"] if s["name"] == "web")
    assert [d["arn"] for d in web["deployments"]] == _arns(endpoint)[::-1]


@pytest.mark.parametrize(
    ("stop_type", "ends", "reason"),
    [
        (
            None,
            ("ROLLBACK_REQUESTED", "ROLLBACK_SUCCESSFUL"),
            "Service deployment rolled back by user.",
        ),
        ("ABORT", ("STOP_REQUESTED", "STOPPED"), "Service deployment stopped by user."),
    ],
)
def test_stop_rolls_back_or_aborts_as_stop_service_deployment_does(
    endpoint: MockEndpoint, stop_type: str | None, ends: tuple[str, str], reason: str
) -> None:
    endpoint.load_scenario(WEB_YAML.encode())
    newest = _arns(endpoint)[0]
    endpoint.stop_deployment(newest, stop_type)
    # The requested status at the stop's instant, then (a seeded deployment's plan takes no
    # time) its end as soon as the clock has moved.
    described = _described(endpoint, newest)
    assert (described["status"], described["statusReason"]) in {(end, reason) for end in ends}
    # Not an ECS request: the call log and any injected error are left alone.
    assert [call.operation for call in endpoint.calls()] == [
        "ListServiceDeployments",
        "DescribeServiceDeployments",
    ]


def test_stopping_a_completed_deployment_is_aws_s_conflict_with_its_status(
    endpoint: MockEndpoint,
) -> None:
    endpoint.load_scenario(WEB_YAML.encode())
    oldest = _arns(endpoint)[-1]
    body = refused(control(endpoint, "POST", "stop", json={"deployment_arn": oldest}), 400)
    with pytest.raises(ClientError) as raised:
        ecs(endpoint).stop_service_deployment(serviceDeploymentArn=oldest)
    assert body == {
        "message": raised.value.response["Error"]["Message"],
        "code": "ConflictException",
    }
    unknown = oldest[:-4] + "AAAA"
    body = refused(control(endpoint, "POST", "stop", json={"deployment_arn": unknown}), 400)
    assert body["code"] == "ServiceDeploymentNotFoundException"
    body = refused(
        control(endpoint, "POST", "stop", json={"deployment_arn": oldest, "stop_type": "PAUSE"}),
        400,
    )
    assert body["code"] == "InvalidParameterException"


@pytest.mark.parametrize(
    "body",
    [
        {"deployment_arn": "web"},
        {"deployment_arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/web"},
        {"deployment_arn": 7},
    ],
)
def test_stop_refuses_what_is_not_a_deployment_s_arn(
    endpoint: MockEndpoint, body: dict[str, Any]
) -> None:
    answer = refused(control(endpoint, "POST", "stop", json=body), 400)
    assert answer["field"] == "deployment_arn"
    assert answer["message"].startswith("deployment_arn: expected a service deployment's ARN")
    assert refused(control(endpoint, "POST", "stop", json={}), 400)["field"] == "deployment_arn"


def test_continue_answers_the_hook_a_deployment_waits_at(endpoint: MockEndpoint) -> None:
    endpoint.load_scenario(HOOKED_YAML.encode())
    newest = _arns(endpoint)[0]
    (hook,) = _described(endpoint, newest)["lifecycleHookDetails"]
    assert hook["status"] == "AWAITING_ACTION"
    (awaiting,) = [
        d for s in endpoint.picture()["services"] for d in s["deployments"] if d["arn"] == newest
    ]
    assert awaiting["hooks_awaiting"] == [{"hook_id": hook["hookId"], "stage": "POST_SCALE_UP"}]
    endpoint.continue_deployment(newest, hook["hookId"])
    (hook,) = _described(endpoint, newest)["lifecycleHookDetails"]
    assert hook["status"] == "SUCCEEDED"
    with pytest.raises(ControlRequestError) as raised:
        endpoint.continue_deployment(newest, hook["hookId"])
    assert (raised.value.status, raised.value.code) == (400, "InvalidParameterException")
    assert "is not awaiting action" in raised.value.message


def test_the_client_gives_the_aws_error_s_code_and_none_for_other_refusals(
    endpoint: MockEndpoint,
) -> None:
    endpoint.load_scenario(WEB_YAML.encode())
    with pytest.raises(ControlRequestError) as raised:
        endpoint.stop_deployment(_arns(endpoint)[-1])
    assert (raised.value.status, raised.value.code) == (400, "ConflictException")
    with pytest.raises(ControlRequestError) as raised:
        endpoint.stop_deployment("web")
    assert (raised.value.status, raised.value.code) == (400, None)


@pytest.mark.parametrize("path", ["ui/", "ui/page.html"])
def test_the_page_is_one_html_document_with_its_script_and_style_in_it(
    endpoint: MockEndpoint, path: str
) -> None:
    from mock_ecs_deployments.picture.page import asset

    response = control(endpoint, "GET", path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert asset("page.js") in response.text and asset("page.css") in response.text
    assert "http://" not in response.text and "https://" not in response.text


@pytest.mark.parametrize(
    ("name", "kind"), [("page.js", "text/javascript"), ("page.css", "text/css")]
)
def test_the_page_s_files_are_served_too(endpoint: MockEndpoint, name: str, kind: str) -> None:
    from mock_ecs_deployments.picture.page import asset

    response = control(endpoint, "GET", f"ui/{name}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f"{kind}; charset=utf-8"
    assert response.text == asset(name)
    head = control(endpoint, "HEAD", f"ui/{name}")
    assert (head.status_code, head.content) == (200, b"")


def test_no_other_file_nor_method_is_served_under_the_page(endpoint: MockEndpoint) -> None:
    assert refused(control(endpoint, "GET", "ui/secret.txt"), 404)["message"] == (
        "No file of the state page at /mock-ecs-deployments/ui/secret.txt."
    )
    for other in ("ui/page.js/", "ui/PAGE.JS", "ui/static/page.js", "ui/..%2fscenario"):
        assert refused(control(endpoint, "GET", other), 404)
    response = control(endpoint, "POST", "ui/")
    assert refused(response, 405)["message"] == "/mock-ecs-deployments/ui/ takes GET, not POST."
    assert response.headers["Allow"] == "GET"


def test_failing_tasks_and_alarms_are_said_through_the_control_api(
    endpoint: MockEndpoint,
) -> None:
    client = ecs(endpoint)
    client.create_cluster(clusterName="prod")
    for image in ("nginx:1", "nginx:2", "nginx:3"):
        client.register_task_definition(
            family="web", containerDefinitions=[{"name": "app", "image": image, "memory": 128}]
        )
    breaker = {"deploymentCircuitBreaker": {"enable": True, "rollback": False}}
    alarms = {"alarms": {"alarmNames": ["canary-5xx"], "enable": True, "rollback": False}}
    client.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=2,
        deploymentConfiguration={**breaker, **alarms},
    )
    assert endpoint.fail_tasks("web:2", exit_code=137) == {
        "task_definition": "web:2",
        "exit_code": 137,
        "account_id": ACCOUNT,
        "region": REGION,
    }
    client.update_service(cluster="prod", service="web", taskDefinition="web:2")
    endpoint.advance(3)  # three failed tasks, one a second: the breaker's threshold
    newest = client.list_service_deployments(cluster="prod", service="web")
    assert (newest["serviceDeployments"][0]["status"]) == "STOPPED"
    stopped = client.list_tasks(cluster="prod", serviceName="web", desiredStatus="STOPPED")
    described = client.describe_tasks(cluster="prod", tasks=stopped["taskArns"])["tasks"]
    exits = [
        t["containers"][0].get("exitCode")
        for t in described
        if t.get("stopCode") == "EssentialContainerExited"
    ]
    assert exits == [137, 137, 137]

    control(
        endpoint,
        "POST",
        "plans",
        json={"service": "web", "cluster": "prod", "in_progress_for": 60},
    )
    client.update_service(cluster="prod", service="web", taskDefinition="web:3")
    endpoint.advance(10)
    assert endpoint.set_alarm_state("canary-5xx", "ALARM")["state"] == "ALARM"
    endpoint.advance(1)
    (deployment,) = client.describe_service_deployments(
        serviceDeploymentArns=[
            client.list_service_deployments(cluster="prod", service="web")["serviceDeployments"][0][
                "serviceDeploymentArn"
            ]
        ]
    )["serviceDeployments"]
    assert (deployment["status"], deployment["statusReason"]) == ("STOPPED", "Alarm detected.")
    assert deployment["alarms"]["triggeredAlarmNames"] == ["canary-5xx"]

    with pytest.raises(ControlRequestError) as bad:
        endpoint.set_alarm_state("canary-5xx", "FIRING")
    assert (bad.value.status, "state" in str(bad.value)) == (400, True)
    response = control(endpoint, "POST", "fail-placement", json={"reason": "full"})
    assert response.status_code == 400
    assert "task_definition" in response.json()["message"]
