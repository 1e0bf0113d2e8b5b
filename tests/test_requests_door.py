"""Callers that use ``requests`` (a SigV4-signed POST to an ECS endpoint) get the wire response a
boto3 client gets: through our ``responses`` registration when the mock runs alone, through
moto's own when moto's ``mock_aws`` runs too. Every other request passes through."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
import requests.adapters
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto import mock_aws

from mock_ecs_deployments import mock_service_deployments
from mock_ecs_deployments.patches import requests_transport as requests_door

from .clients import new_client

# Only loopback: a door that failed to answer must not reach AWS.
pytestmark = pytest.mark.allow_hosts(["127.0.0.1", "::1"])

TARGET = "AmazonEC2ContainerServiceV20141113."
JSON_TYPE = "application/x-amz-json-1.1"
# A request no mock answers goes to this closed loopback port (and fails there) instead of
# looking up and reaching AWS: mocks intercept before requests' proxy handling.
NOWHERE = {"http": "http://127.0.0.1:9", "https": "http://127.0.0.1:9"}


def signed_post(
    operation: str | None, body: str, region: str = "us-east-1", method: str = "POST"
) -> requests.Response:
    """What a requests-based caller sends: JSON 1.1 headers, signed with botocore's SigV4Auth."""
    url = f"https://ecs.{region}.amazonaws.com/"
    headers = {"Content-Type": JSON_TYPE}
    if operation is not None:
        headers["X-Amz-Target"] = TARGET + operation
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    SigV4Auth(Credentials("FOOBARKEY", "FOOBARSECRET"), "ecs", region).add_auth(request)
    return requests.request(
        method, url, data=body, headers=dict(request.headers), timeout=5, proxies=NOWHERE
    )


class WireRecorder:
    """Keeps the raw HTTP answer a boto3 client parsed, for byte-for-byte comparison."""

    def __init__(self, client: Any) -> None:
        self.status = 0
        self.body = b""
        self.headers: dict[str, str] = {}
        client.meta.events.register("after-call.ecs", self._record)

    def _record(self, http_response: Any, **_: Any) -> None:
        self.status = http_response.status_code
        self.body = http_response.content
        self.headers = dict(http_response.headers)


def same_wire(response: requests.Response, recorder: WireRecorder) -> None:
    assert (response.status_code, response.content) == (recorder.status, recorder.body)
    assert response.headers["Content-Type"] == recorder.headers["Content-Type"] == JSON_TYPE
    assert response.headers.get("x-amzn-ErrorType") == recorder.headers.get("x-amzn-ErrorType")
    assert response.headers["x-amzn-RequestId"]


@pytest.fixture
def local_http() -> Iterator[str]:
    """A plain HTTP server on loopback (not AWS), to show such requests pass through."""

    class Hello(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"hello")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_alone_a_signed_post_gets_boto3_s_wire_response() -> None:
    with mock_service_deployments() as mock:
        mock.backend().add_deployment(service="web", cluster="prod", status="IN_PROGRESS")
        mock.backend().add_deployment(service="web", cluster="prod")
        ecs = new_client()
        recorder = WireRecorder(ecs)
        parsed = ecs.list_service_deployments(cluster="prod", service="web", maxResults=1)
        response = signed_post(
            "ListServiceDeployments", '{"cluster":"prod","service":"web","maxResults":1}'
        )
        same_wire(response, recorder)
        assert response.json()["nextToken"] == parsed["nextToken"]
        assert [c.operation for c in mock.calls] == ["ListServiceDeployments"] * 2


def test_alone_errors_and_regions_match_boto3() -> None:
    with mock_service_deployments() as mock:
        mock.backend(region="eu-west-1").add_deployment(service="web", cluster="prod")
        ecs = new_client(region="eu-west-1")
        recorder = WireRecorder(ecs)
        with pytest.raises(ecs.exceptions.ServiceNotFoundException):
            ecs.list_service_deployments(cluster="prod", service="api")
        response = signed_post(
            "ListServiceDeployments", '{"cluster":"prod","service":"api"}', "eu-west-1"
        )
        same_wire(response, recorder)
        assert response.json() == {
            "__type": "ServiceNotFoundException",
            "message": "Service not found.",
        }
        found = signed_post(
            "ListServiceDeployments", '{"cluster":"prod","service":"web"}', "eu-west-1"
        )
        assert found.status_code == 200 and len(found.json()["serviceDeployments"]) == 1


def test_alone_requests_the_mock_cannot_serve_are_modeled_errors() -> None:
    with mock_service_deployments():
        unserved = signed_post("CreateCluster", '{"clusterName":"prod"}')
        no_target = signed_post(None, "{}")
        get = signed_post(None, "", method="GET")
    assert (unserved.status_code, unserved.json()["__type"]) == (400, "UnknownOperationException")
    assert "CreateCluster needs moto" in unserved.json()["message"]
    for response in (no_target, get):
        assert (response.status_code, response.json()["__type"]) == (
            400,
            "UnknownOperationException",
        )
        assert response.json()["message"].startswith("The request has no X-Amz-Target header")


def test_other_requests_pass_through_while_active(local_http: str) -> None:
    with mock_service_deployments():
        assert requests.get(local_http, timeout=5).text == "hello"


@pytest.mark.parametrize("moto_outermost", [True, False], ids=["mock_aws-outer", "ours-outer"])
def test_under_mock_aws_moto_s_interception_reaches_our_operations(
    moto_outermost: bool, local_http: str
) -> None:
    ours = mock_service_deployments()
    moto = mock_aws()
    first, second = (moto, ours) if moto_outermost else (ours, moto)
    with first, second:
        ecs = new_client()
        ecs.create_cluster(clusterName="prod")
        deployment = ours.backend().add_deployment(service="web", cluster="prod")
        recorder = WireRecorder(ecs)
        ecs.list_service_deployments(cluster="prod", service="web")
        response = signed_post("ListServiceDeployments", '{"cluster":"prod","service":"web"}')
        same_wire(response, recorder)
        assert response.json()["serviceDeployments"][0]["serviceDeploymentArn"] == deployment.arn
        # moto's own operations answer requests callers too, and the rest passes through.
        created = signed_post("CreateCluster", '{"clusterName":"other"}')
        assert created.json()["cluster"]["clusterName"] == "other"
        assert requests.get(local_http, timeout=5).text == "hello"


def test_stop_puts_requests_back() -> None:
    before = requests.adapters.HTTPAdapter.send
    with mock_service_deployments():
        assert requests.adapters.HTTPAdapter.send is not before
        with mock_service_deployments():  # nested: one registration only
            pass
        assert requests.adapters.HTTPAdapter.send is not before
    assert requests.adapters.HTTPAdapter.send is before
    requests_door.REQUESTS.uninstall()  # idempotent
    assert requests.adapters.HTTPAdapter.send is before


def test_mocks_stopped_out_of_order_leave_requests_unmocked() -> None:
    original = requests.adapters.HTTPAdapter.send
    # moto started first and stopped first: requests is put back exactly.
    moto, ours = mock_aws(), mock_service_deployments()
    moto.start()
    ours.start()
    moto.stop()
    ours.stop()
    assert requests.adapters.HTTPAdapter.send is original
    # Ours started first and stopped first: moto puts back our sender, which answers nothing.
    ours, moto = mock_service_deployments(), mock_aws()
    ours.start()
    moto.start()
    ours.stop()
    moto.stop()
    try:
        with pytest.raises(requests.exceptions.ProxyError):
            signed_post("ListServiceDeployments", '{"service":"web"}')
    finally:
        requests.adapters.HTTPAdapter.send = original  # type: ignore[method-assign]


def test_ecs_endpoint_pattern() -> None:
    for url in (
        "https://ecs.us-east-1.amazonaws.com/",
        "https://ecs-fips.us-gov-west-1.amazonaws.com/",
        "https://ecs.cn-north-1.amazonaws.com.cn/",
        "http://ecs.eu-west-1.amazonaws.com:443/",
    ):
        assert requests_door.ECS_ENDPOINT.match(url), url
    for url in (
        "https://sts.us-east-1.amazonaws.com/",
        "https://ecs.us-east-1.amazonaws.com.example.org/",
        "http://127.0.0.1:5000/",
    ):
        assert not requests_door.ECS_ENDPOINT.match(url), url
