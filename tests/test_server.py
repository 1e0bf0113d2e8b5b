"""Server mode: moto's server with our operations, its reset API, modeled errors for bad HTTP
input, and the ``serve`` subcommand as a real process stopped by SIGINT or SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.moto_api._internal.models import MotoAPIBackend

from mock_ecs_deployments import (
    mock_service_deployments,
    serve_in_thread,
    service_deployment_backends,
)
from mock_ecs_deployments.engine.model.service_model import OPERATIONS, ecs_model
from mock_ecs_deployments.server.app import MockServer
from mock_ecs_deployments.server.guard import MAX_BODY_BYTES

from .clients import new_client

# Only loopback: a door that failed to answer must not reach AWS.
pytestmark = pytest.mark.allow_hosts(["127.0.0.1", "::1"])

ACCOUNT = "123456789012"
REGION = "us-east-1"
TARGET = "AmazonEC2ContainerServiceV20141113."
JSON_TYPE = "application/x-amz-json-1.1"
BASE = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parent.parent


def call(
    endpoint: str,
    operation: str | None,
    body: bytes | str = b"{}",
    *,
    target: str | None = None,
    sign: bool = True,
    method: str = "POST",
    access_key: str = "AKIDEXAMPLE",
) -> requests.Response:
    """One raw HTTP request as an SDK sends it: JSON 1.1 headers, SigV4-signed for ECS."""
    headers = {"Content-Type": JSON_TYPE}
    if target is not None or operation is not None:
        headers["X-Amz-Target"] = target if target is not None else f"{TARGET}{operation}"
    request = AWSRequest(method=method, url=endpoint + "/", data=body, headers=headers)
    if sign:
        SigV4Auth(Credentials(access_key, "secret"), "ecs", REGION).add_auth(request)
    return requests.request(method, endpoint + "/", data=body, headers=dict(request.headers))


def error_of(response: requests.Response) -> tuple[int, str, str]:
    assert response.headers["Content-Type"] == JSON_TYPE, response.text[:200]
    body = response.json()
    return response.status_code, body["__type"], body["message"]


def seed(count: int = 3, service: str = "web", cluster: str = "prod") -> list[Any]:
    backend = service_deployment_backends[ACCOUNT][REGION]
    return [
        backend.add_deployment(
            service=service, cluster=cluster, created_at=BASE + timedelta(minutes=i)
        )
        for i in range(count)
    ]


def port_is_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def endpoint() -> Iterator[str]:
    with serve_in_thread() as url:
        yield url


# -- serving ----------------------------------------------------------------------------------


def test_serve_in_thread_binds_loopback_and_stops() -> None:
    with serve_in_thread() as url:
        host, port = url.removeprefix("http://").split(":")
        assert host == "127.0.0.1"
        assert int(port) > 0 and port_is_open(int(port))
        deployments = seed(2)
        response = call(url, "ListServiceDeployments", '{"cluster":"prod","service":"web"}')
        assert response.status_code == 200
        assert response.headers["Content-Type"] == JSON_TYPE
        arns = [item["serviceDeploymentArn"] for item in response.json()["serviceDeployments"]]
        assert arns == [deployments[1].arn, deployments[0].arn]
    assert not port_is_open(int(port))
    assert len(service_deployment_backends) == 0  # the outermost stop forgot everything


def test_state_seeded_by_an_enclosing_mock_is_served_and_kept() -> None:
    with mock_service_deployments() as mock:
        deployment = mock.backend().add_deployment(service="api")
        with serve_in_thread() as url:
            response = call(url, "ListServiceDeployments", '{"service":"api"}')
            assert response.json()["serviceDeployments"][0]["serviceDeploymentArn"] == (
                deployment.arn
            )
        # The server's stop is not the outermost one: the enclosing mock keeps its state.
        assert mock.backend().list_service_deployments("api")[0] == [deployment]


def test_moto_operations_share_the_endpoint_and_the_account(endpoint: str) -> None:
    created = call(endpoint, "CreateCluster", '{"clusterName":"shared"}')
    assert created.status_code == 200
    assert created.json()["cluster"]["clusterArn"] == (
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/shared"
    )
    # The cluster moto made is known to our operation: the service is missing, not the cluster.
    missing_service = call(endpoint, "ListServiceDeployments", '{"cluster":"shared","service":"x"}')
    assert error_of(missing_service) == (400, "ServiceNotFoundException", "Service not found.")
    missing_cluster = call(endpoint, "ListServiceDeployments", '{"cluster":"other","service":"x"}')
    assert error_of(missing_cluster) == (400, "ClusterNotFoundException", "Cluster not found.")


def test_every_served_operation_reaches_the_mock_over_http(endpoint: str) -> None:
    from mock_ecs_deployments.protocol.dispatch import HANDLERS

    served = [operation for operation in OPERATIONS if operation in HANDLERS]
    assert "ListServiceDeployments" in served
    with mock_service_deployments() as mock:
        for operation in served:
            mock.inject_error(operation, "AccessDeniedException", message=f"no {operation}")
            response = call(endpoint, operation, "{}")
            assert error_of(response) == (400, "AccessDeniedException", f"no {operation}")
        assert [c.operation for c in mock.calls] == served


def _listed_arns(endpoint: str, body: str) -> list[str]:
    response = call(endpoint, "ListServiceDeployments", body)
    assert response.status_code == 200, response.text
    return [item["serviceDeploymentArn"] for item in response.json()["serviceDeployments"]]


def test_raw_created_at_bounds_are_inclusive_to_the_millisecond_and_round_inwards(
    endpoint: str,
) -> None:
    """Hand-written JSON, as other SDKs send it: epoch seconds with fractions."""
    backend = service_deployment_backends[ACCOUNT][REGION]
    at = BASE + timedelta(milliseconds=1_250)  # stored as ...61.250 s
    deployment = backend.add_deployment(service="web", cluster="prod", created_at=at)
    seconds = at.timestamp()
    scope = '"cluster": "prod", "service": "web"'

    def window(after: str, before: str) -> str:
        return f'{{{scope}, "createdAt": {{"after": {after}, "before": {before}}}}}'

    exact = f"{seconds:.3f}"
    assert _listed_arns(endpoint, window(exact, exact)) == [deployment.arn]
    # A bound a fraction of a millisecond inside still includes it (rounded inwards) ...
    assert _listed_arns(endpoint, window(f"{seconds - 0.0004:.4f}", exact)) == [deployment.arn]
    assert _listed_arns(endpoint, window(exact, f"{seconds + 0.0004:.4f}")) == [deployment.arn]
    # ... and one a fraction past it excludes it.
    assert _listed_arns(endpoint, window(f"{seconds + 0.0004:.4f}", f"{seconds + 1:.3f}")) == []
    assert _listed_arns(endpoint, window(f"{seconds - 1:.3f}", f"{seconds - 0.0004:.4f}")) == []


@pytest.mark.parametrize("value", ["true", '"5"', "1.5"])
def test_raw_max_results_of_the_wrong_json_type_is_invalid(endpoint: str, value: str) -> None:
    seed(1)
    body = f'{{"cluster": "prod", "service": "web", "maxResults": {value}}}'
    status, code, message = error_of(call(endpoint, "ListServiceDeployments", body))
    assert (status, code) == (400, "InvalidParameterException")
    assert "maxResults" in message


def test_every_answer_carries_exactly_one_request_id(endpoint: str) -> None:
    """AWS sends one ``x-amzn-RequestId``; two would reach SDKs as ``"<id>, <id>"``."""
    deployment = seed(1)[0]
    answers = {
        "list": call(endpoint, "ListServiceDeployments", '{"cluster": "prod", "service": "web"}'),
        "describe": call(
            endpoint,
            "DescribeServiceDeployments",
            json.dumps({"serviceDeploymentArns": [deployment.arn]}),
        ),
        "error": call(endpoint, "ListServiceDeployments", '{"service": "nope"}'),
        "moto's own": call(endpoint, "ListClusters"),
    }
    for name, response in answers.items():
        ids = response.raw.headers.getlist("x-amzn-RequestId")
        assert len(ids) == 1 and "," not in ids[0], (name, ids)
    assert answers["error"].status_code == 400
    ecs = new_client(endpoint_url=endpoint)
    request_id = ecs.list_service_deployments(cluster="prod", service="web")["ResponseMetadata"][
        "RequestId"
    ]
    assert request_id and "," not in request_id


def test_in_process_boto3_client_talks_to_the_server_over_http(endpoint: str) -> None:
    """A client pointed at a server of this process is not answered in-process: moto's own
    operations, which only the server has, work through it."""
    ecs = new_client(endpoint_url=endpoint)
    ecs.create_cluster(clusterName="prod")
    deployment = seed(1)[0]
    items = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"]
    assert [item["serviceDeploymentArn"] for item in items] == [deployment.arn]


def test_two_servers_at_once_and_moto_put_back() -> None:
    original_reset = MotoAPIBackend.__dict__["reset"]
    original_method = EC2ContainerServiceResponse.__dict__.get("list_service_deployments")
    with serve_in_thread() as first:
        with serve_in_thread() as second:
            assert first != second
            seed(1)
            for url in (first, second):
                response = call(url, "ListServiceDeployments", '{"cluster":"prod","service":"web"}')
                assert len(response.json()["serviceDeployments"]) == 1
        assert MotoAPIBackend.__dict__["reset"] is not original_reset  # first still serving
        requests.post(first + "/moto-api/reset").raise_for_status()
        assert len(service_deployment_backends) == 0
    assert MotoAPIBackend.__dict__["reset"] is original_reset
    assert EC2ContainerServiceResponse.__dict__.get("list_service_deployments") is original_method


def test_port_in_use_raises_and_leaves_nothing_active() -> None:
    original_reset = MotoAPIBackend.__dict__["reset"]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = MockServer(port=taken.getsockname()[1])
        with pytest.raises(OSError):
            server.start()
    assert MotoAPIBackend.__dict__["reset"] is original_reset


# -- moto's reset API -------------------------------------------------------------------------


def test_moto_reset_api_resets_our_state_and_moto_s(endpoint: str) -> None:
    seed(2)
    assert call(endpoint, "CreateCluster", '{"clusterName":"prod"}').status_code == 200
    with mock_service_deployments() as mock:
        mock.inject_error("ListServiceDeployments", "ThrottlingException", times=None)
        reset = requests.post(endpoint + "/moto-api/reset")
        assert reset.status_code == 200 and reset.json() == {"status": "ok"}
        assert len(service_deployment_backends) == 0
        assert mock.calls == []
        # No injected error is left, and moto's cluster is gone as well as ours.
        response = call(endpoint, "ListServiceDeployments", '{"cluster":"prod","service":"web"}')
        assert error_of(response) == (400, "ClusterNotFoundException", "Cluster not found.")
        listed = call(endpoint, "ListClusters", "{}").json()
        assert listed["clusterArns"] == []


# -- bad HTTP input ---------------------------------------------------------------------------

LIST = "ListServiceDeployments"
BAD_REQUESTS: dict[str, tuple[dict[str, Any], str, str]] = {
    "malformed JSON": (
        {"operation": LIST, "body": b'{"service":'},
        "InvalidParameterException",
        "The request body is not valid JSON",
    ),
    "body not UTF-8": (
        {"operation": LIST, "body": b'{"service":"\xff"}'},
        "InvalidParameterException",
        "The request body is not valid JSON",
    ),
    "JSON nested too deeply": (
        {"operation": LIST, "body": b"[" * 100_000 + b"]" * 100_000},
        "InvalidParameterException",
        "The request body is not valid JSON: it is nested too deeply.",
    ),
    "body a JSON list": (
        {"operation": LIST, "body": b"[1, 2]"},
        "InvalidParameterException",
        "The request body must be a JSON object.",
    ),
    "body a JSON string": (
        {"operation": LIST, "body": b'"web"'},
        "InvalidParameterException",
        "The request body must be a JSON object.",
    ),
    "body of several megabytes": (
        {"operation": LIST, "body": b'{"service":"' + b"w" * (5 * 1024 * 1024) + b'"}'},
        "InvalidParameterException",
        f"The request body is larger than {MAX_BODY_BYTES} bytes",
    ),
    "no X-Amz-Target": (
        {"operation": None, "body": b'{"service":"web"}'},
        "UnknownOperationException",
        "The request has no X-Amz-Target header",
    ),
    "unknown operation": (
        {"operation": "ListEverything"},
        "UnknownOperationException",
        "Unknown ECS operation in X-Amz-Target: 'AmazonEC2ContainerServiceV20141113.ListEvery",
    ),
    "another service's target prefix": (
        {"operation": None, "target": "DynamoDB_20120810.ListServiceDeployments"},
        "UnknownOperationException",
        "Unknown ECS operation in X-Amz-Target: 'DynamoDB_20120810.ListServiceDeployments'",
    ),
    "GET instead of POST": (
        {"operation": LIST, "method": "GET", "body": b""},
        "UnknownOperationException",
        "ECS operations are called with POST /; this request was GET /.",
    ),
    "unsigned ECS request": (
        {"operation": LIST, "sign": False, "body": b'{"service":"web"}'},
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
    ),
    "malformed JSON for moto's CreateCluster": (
        {"operation": "CreateCluster", "body": b'{"clusterName":'},
        "InvalidParameterException",
        "The request body is not valid JSON",
    ),
    "a list for moto's CreateCluster": (
        {"operation": "CreateCluster", "body": b'["prod"]'},
        "InvalidParameterException",
        "The request body must be a JSON object.",
    ),
}


@pytest.mark.parametrize("case", list(BAD_REQUESTS))
def test_bad_input_gets_a_modeled_400_and_the_server_keeps_serving(
    endpoint: str, case: str
) -> None:
    request, code, message = BAD_REQUESTS[case]
    seed(1)
    response = call(endpoint, **request)
    status, error_code, error_message = error_of(response)
    assert (status, error_code) == (400, code)
    assert error_message.startswith(message)
    assert response.headers["x-amzn-ErrorType"] == code
    # Nothing was created by a rejected moto request (moto has the seeded service's cluster
    # alone), and the next good request is served.
    assert call(endpoint, "ListClusters", "{}").json()["clusterArns"] == [
        "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
    ]
    after = call(endpoint, LIST, '{"cluster":"prod","service":"web"}')
    assert after.status_code == 200 and len(after.json()["serviceDeployments"]) == 1


def test_operation_neither_moto_nor_we_serve_is_a_modeled_400(endpoint: str) -> None:
    moto_methods = {name.replace("_", "") for name in dir(EC2ContainerServiceResponse)}
    unserved = next(
        operation
        for operation in ecs_model().operation_names
        if operation.lower() not in moto_methods and operation not in OPERATIONS
    )
    status, code, message = error_of(call(endpoint, unserved, "{}"))
    assert (status, code) == (400, "UnknownOperationException")
    assert message == (
        f"The ECS operation {unserved} is served by neither moto nor mock_ecs_deployments."
    )
    assert call(endpoint, "ListClusters", "{}").status_code == 200


def test_requests_for_other_services_are_moto_s(endpoint: str) -> None:
    request = AWSRequest(
        method="POST",
        url=endpoint + "/",
        data="Action=GetCallerIdentity&Version=2011-06-15",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    SigV4Auth(Credentials("AKIDEXAMPLE", "secret"), "sts", REGION).add_auth(request)
    response = requests.post(endpoint + "/", data=request.body, headers=dict(request.headers))
    assert response.status_code == 200
    assert f"<Account>{ACCOUNT}</Account>" in response.text


# -- the ``serve`` subcommand, as a real process -----------------------------------------------


class ServeProcess:
    """``python -m mock_ecs_deployments serve ...``, read until its banner is printed."""

    def __init__(self, *arguments: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("MOTO_ACCOUNT_ID", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mock_ecs_deployments", "serve", "--port", "0", *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        self.lines: list[str] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("Reset:"):
                break
        else:
            raise AssertionError(f"no banner: {self.lines} {self.process.stderr.read()}")
        self.endpoint = self.line("mock-ecs-deployments: serving").rsplit(" ", 1)[1]

    def line(self, prefix: str) -> str:
        return next(line for line in self.lines if line.startswith(prefix))

    def stop(self, signum: int) -> tuple[int, str]:
        self.process.send_signal(signum)
        out, _ = self.process.communicate(timeout=15)
        return self.process.returncode, out

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def test_serve_command_sigterm_and_account_id() -> None:
    server = ServeProcess("--account-id", "111122223333")
    try:
        assert server.endpoint.startswith("http://127.0.0.1:")
        created = call(server.endpoint, "CreateCluster", '{"clusterName":"prod"}')
        assert created.json()["cluster"]["clusterArn"] == (
            f"arn:aws:ecs:{REGION}:111122223333:cluster/prod"
        )
        listed = call(server.endpoint, "ListServiceDeployments", '{"cluster":"prod","service":"w"}')
        assert error_of(listed) == (400, "ServiceNotFoundException", "Service not found.")
        assert error_of(call(server.endpoint, None, "{}"))[1] == "UnknownOperationException"
        status, out = server.stop(signal.SIGTERM)
    finally:
        server.kill()
    assert status == 0
    assert out.strip().endswith("mock-ecs-deployments: stopped")


def test_serve_command_with_a_scenario_and_its_printed_command(tmp_path: Path) -> None:
    scenario = tmp_path / "rollback.json"
    scenario.write_text(
        json.dumps(
            {
                "region": "eu-west-1",
                "services": [
                    {
                        "service": "checkout",
                        "cluster": "shop",
                        "deployments": [
                            {"status": "SUCCESSFUL", "created_at": "2025-01-10T09:00:00Z"},
                            {"status": "ROLLBACK_SUCCESSFUL", "created_at": "2025-01-11T09:00:00Z"},
                        ],
                    }
                ],
            }
        )
    )
    server = ServeProcess("--scenario", str(scenario))
    try:
        example = server.line("Try: ")
        assert (
            f"--cluster shop --service checkout --region eu-west-1 --endpoint-url {server.endpoint}"
            in example
        )
        # Run exactly the printed command (``aws`` being this environment's AWS CLI).
        words = example.removeprefix("Try: ").split()
        at = words.index("aws")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(dict(word.split("=", 1) for word in words[:at]))
        command = words[at + 1 :]
        printed = subprocess.run(
            [sys.executable, "-m", "awscli", *command, "--output", "json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert printed.returncode == 0, printed.stderr
        items = json.loads(printed.stdout)["serviceDeployments"]
        assert [item["status"] for item in items] == ["ROLLBACK_SUCCESSFUL", "SUCCESSFUL"]
        assert items[0]["serviceArn"] == f"arn:aws:ecs:eu-west-1:{ACCOUNT}:service/shop/checkout"
        status, _out = server.stop(signal.SIGINT)
    finally:
        server.kill()
    assert status == 0
    assert f"loaded scenario {scenario}" in "\n".join(server.lines)


def test_serve_command_exit_statuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mock_ecs_deployments.cli import main

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    missing = tmp_path / "missing.yaml"
    assert main(["serve", "--port", "0", "--scenario", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
    assert {sig: signal.getsignal(sig) for sig in handlers} == handlers


def test_serve_command_in_process_notes_the_scenario_account(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SIGINT stops ``run`` with status 0; a scenario in another account is pointed out."""
    from mock_ecs_deployments.cli import main
    from mock_ecs_deployments.server import app as server_module

    scenario = tmp_path / "other-account.json"
    scenario.write_text(
        json.dumps(
            {
                "account_id": "111122223333",
                "services": [{"service": "web", "deployments": [{"status": "SUCCESSFUL"}]}],
            }
        )
    )

    def interrupt_when_serving() -> None:
        # The handler is installed before the server starts: the signal cannot come too early.
        while not server_module.live_servers():
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGINT)

    interrupter = threading.Thread(target=interrupt_when_serving)
    interrupter.start()
    status = main(["serve", "--port", "0", "--scenario", str(scenario)])
    interrupter.join()
    out = capsys.readouterr().out
    assert status == 0
    assert "--cluster default --service web --region us-east-1" in out
    assert (
        "Note: the scenario's deployments are in account 111122223333; add --account-id"
        " 111122223333 to answer requests as that account." in out
    )
    assert out.rstrip().endswith("mock-ecs-deployments: stopped")


def test_the_next_server_starts_without_the_last_one_s_moto_state() -> None:
    with serve_in_thread() as first:
        new_client(endpoint_url=first).create_cluster(clusterName="prod")
    with serve_in_thread() as second:
        assert call(second, "ListClusters", "{}").json()["clusterArns"] == []


def test_moto_state_of_an_active_mock_aws_outlives_a_server() -> None:
    from moto import mock_aws

    with mock_aws():
        ecs = new_client()
        ecs.create_cluster(clusterName="kept")
        with serve_in_thread():
            pass
        assert ecs.list_clusters()["clusterArns"] == [
            f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/kept"
        ]
