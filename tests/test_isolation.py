"""Isolation and safety: nothing survives the outermost stop, accounts and regions never see
each other, real-looking credentials are never what a request is signed with, and the test
suite itself cannot reach the network."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from io import BytesIO
from types import SimpleNamespace
from typing import Any

import boto3
import botocore.handlers
import botocore.session
import pytest
import pytest_socket
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws

from mock_ecs_deployments import active_mock, mock_service_deployments, service_deployment_backends
from mock_ecs_deployments.engine.state.process import mock_state

from . import conftest
from .strategies import PAUSE_CONFIGURATION

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "111122223333"
REGION = "us-east-1"
OTHER_REGION = "eu-west-1"
REAL_LOOKING = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQEXAMPLE",
    "AWS_SECURITY_TOKEN": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQEXAMPLE",
}
# Modules whose functions and classes the mock (or moto, which it may start) could patch.
WATCHED_MODULES = (
    "boto3",
    "boto3.session",
    "botocore.client",
    "botocore.endpoint",
    "botocore.handlers",
    "botocore.httpsession",
    "botocore.session",
    "requests.adapters",
    "requests.sessions",
    "aiobotocore.endpoint",
    "aiobotocore.client",
    "aiobotocore.session",
    "moto.core.models",
    "moto.ecs.models",
    "moto.ecs.responses",
    "moto.core.responses",
)


def _real_looking_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in REAL_LOOKING.items():
        monkeypatch.setenv(name, value)


# -- nothing survives the outermost stop -----------------------------------------------------


def _module_state(name: str) -> dict[str, object]:
    """Every function and class of a module, and the methods of the classes it defines, by
    identity (a patch that is left behind shows as a different object)."""
    try:
        module = importlib.import_module(name)
    except ImportError:
        return {}
    state: dict[str, object] = {}
    for attribute, value in vars(module).items():
        if callable(value):
            state[attribute] = value
        if isinstance(value, type) and value.__module__ == name:
            for member, inner in vars(value).items():
                # Methods and descriptors only: class-level data (moto's instance tracking,
                # say) changes as models are made, which is not a patch.
                if callable(inner) or hasattr(inner, "__get__"):
                    state[f"{attribute}.{member}"] = inner
    return state


def _snapshot() -> dict[str, Any]:
    from moto.core.models import botocore_stubber

    return {
        "environment": dict(os.environ),
        "modules": {name: _module_state(name) for name in WATCHED_MODULES},
        "botocore built-in handlers": list(botocore.handlers.BUILTIN_HANDLERS),
        "boto3 default session": boto3.DEFAULT_SESSION,
        "moto mock active": botocore_stubber.enabled,
    }


def _differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    found = []
    for key in ("environment", "botocore built-in handlers"):
        if before[key] != after[key]:
            found.append(key)
    for key in ("boto3 default session", "moto mock active"):
        if before[key] is not after[key]:
            found.append(key)
    for module, state in before["modules"].items():
        now = after["modules"][module]
        for name in sorted(set(state) | set(now)):
            if state.get(name, "<absent>") is not now.get(name, "<absent>"):
                found.append(f"{module}: {name}")
    return found


class _Body(BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.read()


def _fallback(request: Any, **_: Any) -> AWSResponse:
    """The last ``before-send`` handler of all (moto's is registered for every service, so
    this one is too): an empty page. botocore calls every ``before-send`` handler and keeps
    the first answer, so this one is used only when no door answered."""
    body = _Body(b'{"serviceDeployments":[]}')
    headers = HTTPHeaders.from_dict({"Content-Type": "application/x-amz-json-1.1"})
    return AWSResponse(request.url, 200, headers, body)


@contextmanager
def _mock_aws_outside() -> Iterator[Any]:
    with mock_aws(), mock_service_deployments() as mock:
        yield mock


@contextmanager
def _mock_aws_inside() -> Iterator[Any]:
    with mock_service_deployments() as mock, mock_aws():
        yield mock


@contextmanager
def _nested() -> Iterator[Any]:
    with mock_service_deployments() as outer:
        with mock_service_deployments(region=OTHER_REGION) as inner:
            inner.backend().add_deployment(service="inner")
        # The inner stop kept the state: only the outermost stop forgets.
        assert len(service_deployment_backends) == 1
        yield outer


@contextmanager
def _started_and_stopped() -> Iterator[Any]:
    mock = mock_service_deployments(account_id=OTHER_ACCOUNT)
    mock.start()
    try:
        yield mock
    finally:
        mock.stop()


FORMS: dict[str, Callable[[], AbstractContextManager[Any]]] = {
    "context manager": mock_service_deployments,
    "start and stop, another account": _started_and_stopped,
    "with_moto": lambda: mock_service_deployments(with_moto=True),
    "mock_aws outside": _mock_aws_outside,
    "mock_aws inside": _mock_aws_inside,
    "nested": _nested,
}


NO_RETRIES = Config(retries={"total_max_attempts": 1})


def _exercise(mock: Any) -> Any:
    """Use everything that leaves state behind: seeding, plans, every operation, injected
    errors and the call log. Returns the client it made."""
    backend = mock.backend()
    first = backend.add_deployment(service="web", cluster="prod", status="SUCCESSFUL")
    second = backend.add_deployment(service="web", cluster="prod", status="IN_PROGRESS")
    backend.plan_next_deployment("web", "prod", outcome="ROLLBACK_FAILED", in_progress_for=60)
    mock.plan_deployments(outcome="STOPPED", in_progress_for=60)
    mock.inject_error("ListServiceDeployments", "ThrottlingException", times=None)
    ecs = boto3.client("ecs", region_name=mock.region, config=NO_RETRIES)
    with pytest.raises(ClientError):
        ecs.list_service_deployments(cluster="prod", service="web")
    ecs.describe_service_deployments(serviceDeploymentArns=[first.arn])
    ecs.describe_service_revisions(serviceRevisionArns=[first.target_revision_arn])
    ecs.stop_service_deployment(serviceDeploymentArn=second.arn, stopType="ABORT")
    with pytest.raises(ClientError):
        ecs.continue_service_deployment(serviceDeploymentArn=second.arn, hookId="ecs-pause-x")
    assert [call.operation for call in mock.calls] == [
        "ListServiceDeployments",
        "DescribeServiceDeployments",
        "DescribeServiceRevisions",
        "StopServiceDeployment",
        "ContinueServiceDeployment",
    ]
    return ecs


def _check_forgotten() -> None:
    """What a mock started next finds: no backend, injected error, call or plan."""
    assert len(service_deployment_backends) == 0
    assert mock_state.default_plan is None
    with mock_service_deployments() as again:
        assert again.calls == []
        assert again.backend().services == {}
        client = boto3.client("ecs", region_name=REGION, config=NO_RETRIES)
        with pytest.raises(ClientError) as error:
            client.list_service_deployments(cluster="prod", service="web")
        assert error.value.response["Error"]["Code"] == "ClusterNotFoundException"
        # Neither the queued plan nor the default plan of the stopped mock applies.
        assert again.backend().start_deployment("web", "prod").status == "SUCCESSFUL"


@pytest.mark.parametrize("form", FORMS)
def test_nothing_survives_the_outermost_stop(form: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _real_looking_credentials(monkeypatch)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    with FORMS[form]():  # once, so that everything imported lazily is imported
        pass
    before = _snapshot()
    with FORMS[form]() as mock:
        during = _snapshot()
        ecs = _exercise(mock)
        ecs.meta.events.register_last("before-send", _fallback)
        with pytest.raises(ClientError) as error:  # the mock answers before the fallback
            ecs.list_service_deployments(cluster="prod", service="web")
        assert error.value.response["Error"]["Code"] == "ThrottlingException"
    assert _differences(before, during), "starting the mock changed nothing that is watched"

    assert _differences(before, _snapshot()) == []
    assert mock.calls == []
    # A client made while the mock was active is answered by neither the mock nor moto now.
    assert ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"] == []
    assert mock.calls == []
    _check_forgotten()


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_decorated_function_leaves_nothing_behind(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _real_looking_credentials(monkeypatch)
    with mock_service_deployments(with_moto=True):
        pass
    before = _snapshot()

    def body() -> dict[str, str | None]:
        _exercise(active_mock())  # the decorator's mock, which has no other handle here
        return {name: os.environ.get(name) for name in REAL_LOOKING}

    @mock_service_deployments(with_moto=True)
    def decorated() -> dict[str, str | None]:
        return body()

    @mock_service_deployments(with_moto=True)
    async def decorated_async() -> dict[str, str | None]:
        await asyncio.sleep(0)
        return body()

    seen = decorated() if kind == "sync" else asyncio.run(decorated_async())
    assert seen == {
        "AWS_ACCESS_KEY_ID": "FOOBARKEY",
        "AWS_SECRET_ACCESS_KEY": "FOOBARSECRET",
        "AWS_SESSION_TOKEN": None,
        "AWS_SECURITY_TOKEN": None,
    }
    assert _differences(before, _snapshot()) == []
    _check_forgotten()


# -- accounts and regions --------------------------------------------------------------------


def _code(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = error.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize("with_moto", [False, True], ids=["standalone", "beside moto"])
@pytest.mark.parametrize("elsewhere", ["other account", "other region"])
def test_every_operation_sees_only_its_own_account_and_region(
    with_moto: bool, elsewhere: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    account, region = (
        (OTHER_ACCOUNT, REGION)
        if elsewhere == "other account"
        else (
            ACCOUNT,
            OTHER_REGION,
        )
    )
    with mock_service_deployments(with_moto=with_moto) as mock:
        home = mock.backend(region=REGION, account_id=ACCOUNT)
        first = home.add_deployment(service="web", cluster="prod", status="SUCCESSFUL")
        running = home.add_deployment(service="web", cluster="prod", status="IN_PROGRESS")
        paused = home.add_deployment(
            service="web", cluster="prod", plan={}, deployment_configuration=PAUSE_CONFIGURATION
        )
        away = mock.backend(region=region, account_id=account)
        theirs = away.add_deployment(service="web", cluster="prod")
        ecs_home = boto3.client("ecs", region_name=REGION)
        hook_id = ecs_home.describe_service_deployments(serviceDeploymentArns=[paused.arn])[
            "serviceDeployments"
        ][0]["lifecycleHookDetails"][0]["hookId"]
        token = ecs_home.list_service_deployments(cluster="prod", service="web", maxResults=1)[
            "nextToken"
        ]

        monkeypatch.setenv("MOTO_ACCOUNT_ID", account)
        ecs = boto3.client("ecs", region_name=region)
        page = ecs.list_service_deployments(cluster="prod", service="web")
        assert [d["serviceDeploymentArn"] for d in page["serviceDeployments"]] == [theirs.arn]
        with pytest.raises(ClientError) as error:
            ecs.list_service_deployments(service=first.service_arn)
        assert _code(error) == ("ServiceNotFoundException", 400)
        with pytest.raises(ClientError) as error:
            ecs.list_service_deployments(service="web", cluster=first.cluster_arn)
        assert _code(error) == ("ClusterNotFoundException", 400)
        with pytest.raises(ClientError) as error:
            ecs.list_service_deployments(cluster="prod", service="web", nextToken=token)
        assert _code(error) == ("InvalidParameterException", 400)
        mine = [first.arn, running.arn, paused.arn]
        described = ecs.describe_service_deployments(serviceDeploymentArns=mine)
        assert described["serviceDeployments"] == []
        assert described["failures"] == [{"arn": arn, "reason": "MISSING"} for arn in mine]
        revisions = [first.target_revision_arn, running.target_revision_arn]
        described = ecs.describe_service_revisions(serviceRevisionArns=revisions)
        assert described["serviceRevisions"] == []
        assert described["failures"] == [{"arn": arn, "reason": "MISSING"} for arn in revisions]
        with pytest.raises(ClientError) as error:
            ecs.stop_service_deployment(serviceDeploymentArn=running.arn)
        assert _code(error) == ("ServiceDeploymentNotFoundException", 400)
        with pytest.raises(ClientError) as error:
            ecs.continue_service_deployment(serviceDeploymentArn=paused.arn, hookId=hook_id)
        assert _code(error) == ("ServiceDeploymentNotFoundException", 400)
        elsewhere_calls = [(c.account_id, c.region) for c in mock.calls[2:]]
        assert elsewhere_calls == [(account, region)] * 8

        # Nothing done from elsewhere touched the home account and region.
        monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
        after = ecs_home.describe_service_deployments(serviceDeploymentArns=mine)
        assert [d["status"] for d in after["serviceDeployments"]] == [
            "SUCCESSFUL",
            "IN_PROGRESS",
            "IN_PROGRESS",
        ]
        assert after["serviceDeployments"][2]["lifecycleHookDetails"][0]["status"] == (
            "AWAITING_ACTION"
        )
        page = ecs_home.list_service_deployments(cluster="prod", service="web")
        assert [d["serviceDeploymentArn"] for d in page["serviceDeployments"]] == mine[::-1]


def test_an_injected_error_for_one_account_and_region_stays_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    with mock_service_deployments() as mock:
        for account, region in (
            (ACCOUNT, REGION),
            (OTHER_ACCOUNT, REGION),
            (ACCOUNT, OTHER_REGION),
        ):
            mock.backend(region=region, account_id=account).add_deployment(service="web")
        mock.inject_error(
            "ListServiceDeployments",
            "AccessDeniedException",
            times=None,
            account_id=ACCOUNT,
            region=REGION,
        )
        with pytest.raises(ClientError) as error:
            boto3.client("ecs", region_name=REGION).list_service_deployments(service="web")
        assert _code(error) == ("AccessDeniedException", 400)
        assert boto3.client("ecs", region_name=OTHER_REGION).list_service_deployments(
            service="web"
        )["serviceDeployments"]
        monkeypatch.setenv("MOTO_ACCOUNT_ID", OTHER_ACCOUNT)
        assert boto3.client("ecs", region_name=REGION).list_service_deployments(service="web")[
            "serviceDeployments"
        ]


# -- credentials -----------------------------------------------------------------------------


class _Signatures:
    """Records how each ECS request was signed; registered first, so it sees every request
    after signing and before any door answers it."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None]] = []

    def __call__(self, request: Any, **_: Any) -> None:
        authorization = request.headers.get("Authorization", b"")
        token = request.headers.get("X-Amz-Security-Token")
        self.seen.append(
            (
                authorization.decode() if isinstance(authorization, bytes) else authorization,
                token.decode() if isinstance(token, bytes) else token,
            )
        )

    def attach(self, client: Any) -> Any:
        client.meta.events.register_first("before-send.ecs", self)
        return client


CLIENT_FORMS: dict[str, Callable[[], Any]] = {
    "boto3.client": lambda: boto3.client("ecs", region_name=REGION),
    "boto3.Session().client": lambda: boto3.session.Session().client("ecs", region_name=REGION),
    "botocore session": lambda: botocore.session.get_session().create_client(
        "ecs", region_name=REGION
    ),
}
MOCK_FORMS: dict[str, Callable[[], AbstractContextManager[Any]]] = {
    "standalone": mock_service_deployments,
    "with_moto": lambda: mock_service_deployments(with_moto=True),
    "mock_aws outside": _mock_aws_outside,
}


@pytest.mark.parametrize("mock_form", MOCK_FORMS)
@pytest.mark.parametrize("client_form", CLIENT_FORMS)
def test_real_looking_credentials_never_sign_and_come_back_unchanged(
    mock_form: str, client_form: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _real_looking_credentials(monkeypatch)
    environment = dict(os.environ)
    signatures = _Signatures()
    with MOCK_FORMS[mock_form]() as mock:
        deployment = mock.backend().add_deployment(service="web", cluster="prod")
        ecs = signatures.attach(CLIENT_FORMS[client_form]())
        page = ecs.list_service_deployments(cluster="prod", service="web")
        assert [d["serviceDeploymentArn"] for d in page["serviceDeployments"]] == [deployment.arn]
        ecs.describe_service_deployments(serviceDeploymentArns=[deployment.arn])
        assert REAL_LOOKING["AWS_ACCESS_KEY_ID"] not in os.environ.values()
    assert len(signatures.seen) == 2
    for authorization, token in signatures.seen:
        assert "Credential=FOOBARKEY/" in authorization
        assert REAL_LOOKING["AWS_ACCESS_KEY_ID"] not in authorization
        assert token is None
    assert dict(os.environ) == environment


@pytest.fixture
def real_looking_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    _real_looking_credentials(monkeypatch)


def test_the_pytest_fixtures_never_sign_with_real_looking_credentials(
    real_looking_credentials: None, service_deployments: Any, ecs_client: Any
) -> None:
    signatures = _Signatures()
    signatures.attach(ecs_client)
    service_deployments.backend().add_deployment(service="web")
    assert ecs_client.list_service_deployments(service="web")["serviceDeployments"]
    assert [("Credential=FOOBARKEY/" in a, t) for a, t in signatures.seen] == [(True, None)]


_EARLIER_SESSION_SCRIPT = """
import json, socket

def blocked(*args, **kwargs):
    raise OSError("the network is blocked in this test")

socket.socket.connect = blocked
socket.getaddrinfo = blocked

import boto3

# The code under test made its session (and a client) at import time, before any mock.
session = boto3.session.Session(region_name="us-east-1")
session.client("ecs")

from mock_ecs_deployments import mock_service_deployments

seen = []
outcome = {}
with mock_service_deployments() as mock:
    deployment = mock.backend().add_deployment(service="web")
    ecs = session.client("ecs")  # made while the mock is active
    ecs.meta.events.register_first(
        "before-send.ecs",
        lambda request, **_: seen.append(str(request.headers.get("Authorization"))),
    )
    try:
        page = ecs.list_service_deployments(service="web")
        outcome["listed"] = [d["serviceDeploymentArn"] for d in page["serviceDeployments"]]
    except Exception as error:
        outcome["error"] = f"{type(error).__name__}: {error}"
    outcome["seeded"] = deployment.arn
outcome["signatures"] = seen
print(json.dumps(outcome))
"""


def test_a_client_made_while_active_from_a_session_made_earlier_is_answered_by_the_mock(
    tmp_path: Any,
) -> None:
    """A module-level ``boto3.Session`` made before the first mock ever started (so before
    the mock's handler joined botocore's built-in ones): a client made from it while the mock
    is active must be answered by the mock, not sent towards AWS signed with the real key."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("AWS_") and name != "MOTO_ACCOUNT_ID"
    }
    environment.update(REAL_LOOKING)
    environment.update(
        {
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_MAX_ATTEMPTS": "1",
        }
    )
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_EARLIER_SESSION_SCRIPT)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    outcome = json.loads(completed.stdout)
    assert outcome.get("error") is None, outcome["error"]
    assert outcome["listed"] == [outcome["seeded"]]
    assert all(REAL_LOOKING["AWS_ACCESS_KEY_ID"] not in s for s in outcome["signatures"])


# -- no network ------------------------------------------------------------------------------


def test_this_suite_cannot_open_network_sockets(request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--force-enable-socket"):
        pytest.skip("sockets were enabled on the command line")
    assert request.config.getoption("--disable-socket")
    with pytest.warns(UserWarning), pytest.raises(pytest_socket.SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.warns(UserWarning), pytest.raises(pytest_socket.SocketBlockedError):
        socket.getaddrinfo("ecs.us-east-1.amazonaws.com", 443)
    # asyncio's event loop wakes itself through a local socket pair: that stays allowed.
    asyncio.run(asyncio.sleep(0))


def test_only_the_server_style_tests_may_reach_loopback() -> None:
    def item(module: str, **params: Any) -> Any:
        node = SimpleNamespace(
            module=SimpleNamespace(__name__=module),
            callspec=SimpleNamespace(params=params),
            markers=[],
        )
        node.add_marker = node.markers.append
        return node

    items = {
        "server": item("tests.test_server"),
        "aws cli": item("tests.test_aws_cli"),
        "requests door": item("tests.test_requests_door"),
        "aiobotocore": item("tests.test_aiobotocore"),
        "xdist": item("tests.test_xdist"),
        "README server block": item("tests.test_docs", block="with serve_in_thread() as url:"),
        "README block": item("tests.test_docs", block="with mock_service_deployments():"),
        "isolation": item("tests.test_isolation"),
        "fuzz": item("tests.test_fuzz"),
    }
    conftest.pytest_collection_modifyitems(list(items.values()))
    marks = {name: [(m.name, m.args) for m in node.markers] for name, node in items.items()}
    loopback = [("allow_hosts", (["127.0.0.1", "::1"],))]
    assert marks == {
        "server": loopback,
        "aws cli": loopback,
        "requests door": loopback,
        "aiobotocore": loopback,
        "xdist": loopback,
        "README server block": loopback,
        "README block": [],
        "isolation": [],
        "fuzz": [],
    }
