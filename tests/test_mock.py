"""Every way to use ``mock_service_deployments``: decorator, context manager, start/stop,
nesting, credentials, accounts and regions, clients made earlier, and the frozen clock."""

from __future__ import annotations

import asyncio
import inspect
import io
import json
import os
import subprocess
import sys
import textwrap
import unittest
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError
from freezegun import freeze_time

from mock_ecs_deployments import (
    ServiceDeploymentsMock,
    mock_service_deployments,
    patch_client,
    service_deployment_backends,
)

UTC = timezone.utc
ACCOUNT = "123456789012"
REGION = "us-east-1"
REAL_LOOKING_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQEXAMPLE",
}
_CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
)


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def _listed_arns(client: Any, service: str = "web", cluster: str = "prod") -> list[str]:
    page = client.list_service_deployments(cluster=cluster, service=service)
    return [item["serviceDeploymentArn"] for item in page["serviceDeployments"]]


def _text(header: str | bytes | None) -> str | None:
    return header.decode("utf-8") if isinstance(header, bytes) else header


def _ecs(region: str = REGION) -> Any:
    """A client as a user makes one, from boto3's default session: the one the mock's start
    replaces (the other modules make theirs with tests.clients.new_client)."""
    return boto3.client("ecs", region_name=region)


def _use_real_looking_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in REAL_LOOKING_CREDENTIALS.items():
        monkeypatch.setenv(name, value)


def _remove_every_credential_source(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No credentials anywhere, and no lookup that would leave the machine (IMDS)."""
    for name in (*_CREDENTIAL_VARIABLES, "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


# -- decorator ---------------------------------------------------------------------------------


def test_bare_decorator_on_sync_function() -> None:
    @mock_service_deployments
    def listing(cluster: str, *, service: str) -> tuple[str, list[str]]:
        backend = service_deployment_backends[ACCOUNT][REGION]
        deployment = backend.add_deployment(service=service, cluster=cluster)
        return deployment.arn, _listed_arns(_ecs(), service=service, cluster=cluster)

    assert listing.__name__ == "listing"  # the wrapper keeps the function's identity
    arn, listed = listing("prod", service="web")
    assert listed == [arn]
    assert arn.startswith(f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-deployment/prod/web/")
    assert len(service_deployment_backends) == 0  # stopped and reset on return


def test_decorator_stops_when_the_function_raises() -> None:
    @mock_service_deployments
    def failing() -> None:
        service_deployment_backends[ACCOUNT][REGION].add_deployment(service="web")
        raise LookupError("from the test body")

    with pytest.raises(LookupError, match="from the test body"):
        failing()
    assert len(service_deployment_backends) == 0
    # The fixture in conftest.py checks that the mock is no longer active.


def test_decorator_with_arguments() -> None:
    mock = mock_service_deployments(region="eu-west-1", account_id="111122223333")
    assert isinstance(mock, ServiceDeploymentsMock)

    @mock
    def listing() -> tuple[str, str, list[dict[str, Any]]]:
        backend = mock.backend()
        deployment = backend.add_deployment(service="web", cluster="prod")
        items = _ecs("eu-west-1").list_service_deployments(cluster="prod", service="web")
        return os.environ["MOTO_ACCOUNT_ID"], deployment.arn, items["serviceDeployments"]

    account, arn, items = listing()
    assert account == "111122223333"
    assert arn.startswith("arn:aws:ecs:eu-west-1:111122223333:service-deployment/prod/web/")
    assert [item["serviceDeploymentArn"] for item in items] == [arn]
    assert items[0]["serviceArn"] == "arn:aws:ecs:eu-west-1:111122223333:service/prod/web"
    assert items[0]["clusterArn"] == "arn:aws:ecs:eu-west-1:111122223333:cluster/prod"


def test_decorator_call_form_without_target_region() -> None:
    @mock_service_deployments(region="ap-southeast-2", account_id="444455556666")
    def seeded_arn() -> str:
        backend = service_deployment_backends["444455556666"]["ap-southeast-2"]
        deployment = backend.add_deployment(service="api")
        assert _listed_arns(_ecs("ap-southeast-2"), service="api", cluster="default") == [
            deployment.arn
        ]
        return deployment.arn

    assert seeded_arn().startswith(
        "arn:aws:ecs:ap-southeast-2:444455556666:service-deployment/default/api/"
    )


def test_decorator_on_async_function_is_active_while_the_body_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _use_real_looking_credentials(monkeypatch)
    seen: dict[str, Any] = {}

    @mock_service_deployments
    async def watch(service: str) -> str:
        backend = service_deployment_backends[ACCOUNT][REGION]
        deployment = backend.add_deployment(service=service, cluster="prod")
        await asyncio.sleep(0)
        seen["key while running"] = os.environ["AWS_ACCESS_KEY_ID"]
        seen["listed"] = _listed_arns(_ecs(), service=service)
        await asyncio.sleep(0)
        seen["listed again"] = _listed_arns(_ecs(), service=service)
        return deployment.arn

    assert inspect.iscoroutinefunction(watch)
    assert watch.__name__ == "watch"
    coroutine = watch("web")
    # Calling the function only makes the coroutine: nothing is active before it runs.
    assert os.environ["AWS_ACCESS_KEY_ID"] == REAL_LOOKING_CREDENTIALS["AWS_ACCESS_KEY_ID"]
    arn = asyncio.run(coroutine)
    assert seen == {"key while running": "FOOBARKEY", "listed": [arn], "listed again": [arn]}
    assert os.environ["AWS_ACCESS_KEY_ID"] == REAL_LOOKING_CREDENTIALS["AWS_ACCESS_KEY_ID"]
    assert len(service_deployment_backends) == 0


def test_decorator_with_arguments_on_async_function() -> None:
    @mock_service_deployments(region="eu-central-1", account_id="222233334444")
    async def listing() -> tuple[str, list[str]]:
        await asyncio.sleep(0)
        backend = service_deployment_backends["222233334444"]["eu-central-1"]
        deployment = backend.add_deployment(service="web", cluster="prod")
        await asyncio.sleep(0)
        return deployment.arn, _listed_arns(_ecs("eu-central-1"))

    arn, listed = asyncio.run(listing())
    assert listed == [arn]
    assert ":eu-central-1:222233334444:" in arn


@mock_service_deployments
class TestDecoratedClassWithoutSetup:
    """Each test of a decorated class gets its own activation and fresh state."""

    def test_seeds_and_lists(self) -> None:
        deployment = service_deployment_backends[ACCOUNT][REGION].add_deployment(
            service="web", cluster="class-without-setup"
        )
        assert _listed_arns(_ecs(), cluster="class-without-setup") == [deployment.arn]

    def test_state_of_the_previous_test_is_gone(self) -> None:
        assert len(service_deployment_backends) == 0
        with pytest.raises(ClientError) as excinfo:
            _listed_arns(_ecs(), cluster="class-without-setup")
        assert _error(excinfo) == ("ClusterNotFoundException", "Cluster not found.", 400)


@mock_service_deployments
class TestDecoratedClassWithSetupMethod:
    """Data seeded in ``setup_method`` is visible in the test and gone after it."""

    def setup_method(self, method: Callable[..., Any]) -> None:
        self.method_name = method.__name__
        backend = service_deployment_backends[ACCOUNT][REGION]
        self.deployment = backend.add_deployment(service="web", cluster="prod")

    def teardown_method(self, method: Callable[..., Any]) -> None:
        # Still active in teardown: the seeded data can be listed.
        assert _listed_arns(_ecs()) == [self.deployment.arn]

    def test_sees_what_setup_seeded(self) -> None:
        assert self.method_name == "test_sees_what_setup_seeded"
        assert _listed_arns(_ecs()) == [self.deployment.arn]

    def test_sees_only_its_own_setup(self) -> None:
        # One deployment: the previous test's setup did not leak into this one.
        assert _listed_arns(_ecs()) == [self.deployment.arn]


@mock_service_deployments(region="eu-west-1", account_id="111122223333")
class TestDecoratedClassWithArgumentsAndPlainSetup:
    def setup_method(self) -> None:
        backend = service_deployment_backends["111122223333"]["eu-west-1"]
        self.deployment = backend.add_deployment(service="web", cluster="prod")

    def test_region_and_account(self) -> None:
        assert os.environ["MOTO_ACCOUNT_ID"] == "111122223333"
        assert _listed_arns(_ecs("eu-west-1")) == [self.deployment.arn]
        assert self.deployment.arn.startswith(
            "arn:aws:ecs:eu-west-1:111122223333:service-deployment/prod/web/"
        )


def test_decorator_on_unittest_test_case() -> None:
    observed: list[tuple[str, list[str]]] = []

    @mock_service_deployments
    class Case(unittest.TestCase):
        def setUp(self) -> None:
            backend = service_deployment_backends[ACCOUNT][REGION]
            self.deployment = backend.add_deployment(service="web", cluster="prod")

        def test_lists_what_setup_seeded(self) -> None:
            listed = _listed_arns(_ecs())
            observed.append((self.id(), listed))
            self.assertEqual(listed, [self.deployment.arn])

        def test_setup_of_other_tests_did_not_leak(self) -> None:
            listed = _listed_arns(_ecs())
            observed.append((self.id(), listed))
            self.assertEqual(listed, [self.deployment.arn])

    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Case)
    stream = io.StringIO()
    result = unittest.TextTestRunner(stream=stream, verbosity=2).run(suite)
    assert result.testsRun == 2, stream.getvalue()
    assert result.wasSuccessful(), stream.getvalue()
    assert len(observed) == 2
    assert all(len(listed) == 1 for _, listed in observed)
    assert len(service_deployment_backends) == 0


def test_decorated_unittest_test_case_failure_is_reported() -> None:
    """A failing assertion inside a decorated TestCase is reported, and the mock still stops."""

    @mock_service_deployments
    class Case(unittest.TestCase):
        def setUp(self) -> None:
            service_deployment_backends[ACCOUNT][REGION].add_deployment(service="web")

        def test_wrong_expectation(self) -> None:
            self.assertEqual(_listed_arns(_ecs(), cluster="default"), [])

    stream = io.StringIO()
    result = unittest.TextTestRunner(stream=stream).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(Case)
    )
    assert (result.testsRun, len(result.failures), len(result.errors)) == (1, 1, 0)
    assert len(service_deployment_backends) == 0


# -- context manager and start/stop --------------------------------------------------------------


def test_context_manager() -> None:
    with mock_service_deployments() as mock:
        assert isinstance(mock, ServiceDeploymentsMock)
        deployment = mock.backend().add_deployment(service="web", cluster="prod")
        assert mock.backend() is service_deployment_backends[ACCOUNT][REGION]
        assert _listed_arns(_ecs()) == [deployment.arn]
    assert len(service_deployment_backends) == 0


def test_context_manager_stops_on_exception() -> None:
    with pytest.raises(KeyError), mock_service_deployments() as mock:
        mock.backend().add_deployment(service="web")
        raise KeyError("boom")
    assert len(service_deployment_backends) == 0


def test_start_and_stop() -> None:
    mock = mock_service_deployments()
    assert mock.start() is mock
    try:
        deployment = mock.backend().add_deployment(service="web", cluster="prod")
        assert _listed_arns(_ecs()) == [deployment.arn]
    finally:
        mock.stop()
    assert len(service_deployment_backends) == 0


def test_a_stopped_mock_can_start_again_with_fresh_state() -> None:
    mock = mock_service_deployments()
    with mock:
        mock.backend().add_deployment(service="web", cluster="prod")
    with mock:
        with pytest.raises(ClientError) as excinfo:
            _listed_arns(_ecs())
        assert _error(excinfo) == ("ClusterNotFoundException", "Cluster not found.", 400)
        second = mock.backend().add_deployment(service="web", cluster="prod")
        assert _listed_arns(_ecs()) == [second.arn]


def test_nesting_two_mocks_inner_stop_keeps_data() -> None:
    outer = mock_service_deployments()
    inner = mock_service_deployments()
    outer.start()
    try:
        first = outer.backend().add_deployment(
            service="web", cluster="prod", created_at=datetime(2025, 1, 1, tzinfo=UTC)
        )
        inner.start()
        second = inner.backend().add_deployment(
            service="web", cluster="prod", created_at=datetime(2025, 1, 2, tzinfo=UTC)
        )
        inner.stop()
        # Still active, nothing forgotten.
        assert _listed_arns(_ecs()) == [second.arn, first.arn]
        assert os.environ["AWS_ACCESS_KEY_ID"] == "FOOBARKEY"
    finally:
        outer.stop()
    assert len(service_deployment_backends) == 0
    assert dict(service_deployment_backends) == {}


def test_nesting_the_same_mock_is_reentrant() -> None:
    mock = mock_service_deployments()
    with mock:
        deployment = mock.backend().add_deployment(service="web", cluster="prod")
        with mock:
            assert _listed_arns(_ecs()) == [deployment.arn]
        assert _listed_arns(_ecs()) == [deployment.arn]
        assert len(service_deployment_backends) == 1
    assert len(service_deployment_backends) == 0


def test_nested_decorator_inside_context_manager() -> None:
    @mock_service_deployments
    def add_more() -> str:
        return (
            service_deployment_backends[ACCOUNT][REGION]
            .add_deployment(
                service="web", cluster="prod", created_at=datetime(2025, 2, 1, tzinfo=UTC)
            )
            .arn
        )

    with mock_service_deployments() as mock:
        first = mock.backend().add_deployment(
            service="web", cluster="prod", created_at=datetime(2025, 1, 1, tzinfo=UTC)
        )
        second_arn = add_more()
        assert _listed_arns(_ecs()) == [second_arn, first.arn]
    assert len(service_deployment_backends) == 0


def test_reset_forgets_everything_but_stays_active() -> None:
    with mock_service_deployments() as mock:
        mock.backend().add_deployment(service="web", cluster="prod")
        mock.backend(region="eu-west-1").add_deployment(service="web", cluster="prod")
        mock.reset()
        assert len(service_deployment_backends) == 0
        with pytest.raises(ClientError) as excinfo:
            _listed_arns(_ecs())
        assert _error(excinfo) == ("ClusterNotFoundException", "Cluster not found.", 400)
        again = mock.backend().add_deployment(service="web", cluster="prod")
        assert _listed_arns(_ecs()) == [again.arn]


def test_stop_before_start_raises() -> None:
    mock = mock_service_deployments()
    with pytest.raises(RuntimeError, match=r"stop\(\) called before start\(\)"):
        mock.stop()


def test_stop_more_often_than_started_raises() -> None:
    mock = mock_service_deployments()
    mock.start()
    mock.stop()
    with pytest.raises(RuntimeError, match=r"stop\(\) called before start\(\)"):
        mock.stop()


def test_stopping_an_unstarted_mock_leaves_the_active_one_alone() -> None:
    active = mock_service_deployments()
    never_started = mock_service_deployments()
    with active:
        deployment = active.backend().add_deployment(service="web", cluster="prod")
        with pytest.raises(RuntimeError):
            never_started.stop()
        assert _listed_arns(_ecs()) == [deployment.arn]


# -- credentials -------------------------------------------------------------------------------


def test_fake_credentials_while_active_and_originals_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _use_real_looking_credentials(monkeypatch)
    monkeypatch.setenv("AWS_SECURITY_TOKEN", "legacy-session-token")
    before = {name: os.environ.get(name) for name in _CREDENTIAL_VARIABLES}
    sent: list[dict[str, str | None]] = []

    def record_request(request: Any, **_: Any) -> None:
        sent.append(
            {
                "Authorization": _text(request.headers.get("Authorization")),
                "token": _text(request.headers.get("X-Amz-Security-Token")),
            }
        )

    with mock_service_deployments() as mock:
        assert os.environ["AWS_ACCESS_KEY_ID"] == "FOOBARKEY"
        assert os.environ["AWS_SECRET_ACCESS_KEY"] == "FOOBARSECRET"
        assert "AWS_SESSION_TOKEN" not in os.environ
        assert "AWS_SECURITY_TOKEN" not in os.environ
        deployment = mock.backend().add_deployment(service="web", cluster="prod")
        client = _ecs()
        client.meta.events.register("before-send.ecs", record_request)
        assert _listed_arns(client) == [deployment.arn]

    assert len(sent) == 1
    authorization = sent[0]["Authorization"]
    assert authorization is not None
    assert "Credential=FOOBARKEY/" in authorization
    assert "AKIAIOSFODNN7EXAMPLE" not in authorization
    assert sent[0]["token"] is None  # no session token sent with the fake key
    assert {name: os.environ.get(name) for name in _CREDENTIAL_VARIABLES} == before


def test_credentials_are_restored_when_they_were_unset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    _remove_every_credential_source(monkeypatch, tmp_path)
    with mock_service_deployments():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "FOOBARKEY"
    for name in _CREDENTIAL_VARIABLES:
        assert name not in os.environ, name


def test_default_boto3_session_made_earlier_is_not_used_and_comes_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _use_real_looking_credentials(monkeypatch)
    earlier = boto3.session.Session(region_name=REGION)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", earlier)
    authorizations: list[str | None] = []

    def record_request(request: Any, **_: Any) -> None:
        authorizations.append(_text(request.headers.get("Authorization")))

    with mock_service_deployments() as mock:
        deployment = mock.backend().add_deployment(service="web", cluster="prod")
        client = boto3.client("ecs", region_name=REGION)
        client.meta.events.register("before-send.ecs", record_request)
        assert _listed_arns(client) == [deployment.arn]
    assert len(authorizations) == 1
    assert "Credential=FOOBARKEY/" in str(authorizations[0])
    assert boto3.DEFAULT_SESSION is earlier


# -- clients made before start: patch_client -----------------------------------------------------


def test_patch_client_made_before_start_with_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    _use_real_looking_credentials(monkeypatch)
    client = boto3.session.Session().client("ecs", region_name=REGION)
    with mock_service_deployments() as mock:
        patch_client(client)
        deployment = mock.backend().add_deployment(service="web", cluster="prod")
        assert _listed_arns(client) == [deployment.arn]


def test_patch_client_of_boto3_session_without_credentials(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    _remove_every_credential_source(monkeypatch, tmp_path)
    client = boto3.session.Session().client("ecs", region_name=REGION)
    with mock_service_deployments() as mock:
        patch_client(client)
        deployment = mock.backend().add_deployment(service="web", cluster="prod")
        assert _listed_arns(client) == [deployment.arn]


def test_patch_client_of_botocore_session_without_credentials(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    _remove_every_credential_source(monkeypatch, tmp_path)
    client = botocore.session.get_session().create_client("ecs", region_name="eu-west-1")
    with mock_service_deployments() as mock:
        patch_client(client)
        deployment = mock.backend(region="eu-west-1").add_deployment(service="web")
        items = client.list_service_deployments(service="web")["serviceDeployments"]
        assert [item["serviceDeploymentArn"] for item in items] == [deployment.arn]
        with pytest.raises(ClientError) as excinfo:
            client.list_service_deployments(service="nope")
        assert _error(excinfo) == ("ServiceNotFoundException", "Service not found.", 400)


def test_patch_client_twice_answers_each_call_once() -> None:
    client = _ecs()
    with mock_service_deployments() as mock:
        patch_client(client)
        patch_client(client)
        deployment = mock.backend().add_deployment(service="web", cluster="prod")
        assert _listed_arns(client) == [deployment.arn]
        assert [call.operation for call in mock.calls] == ["ListServiceDeployments"]
        assert _listed_arns(client) == [deployment.arn]
        assert [call.operation for call in mock.calls] == ["ListServiceDeployments"] * 2


def test_patch_client_rejects_what_is_not_a_client() -> None:
    with pytest.raises(TypeError, match="patch_client expects a boto3/botocore client"):
        patch_client(boto3.session.Session())  # type: ignore[arg-type]


_FRESH_PROCESS_SCRIPT = """
import json, sys
import boto3, botocore.session
from mock_ecs_deployments import mock_service_deployments
from mock_ecs_deployments import patch_client

# All clients are made before the first start() in this process; two have no credentials.
from_boto3 = boto3.session.Session().client("ecs", region_name="us-east-1")
from_botocore = botocore.session.get_session().create_client("ecs", region_name="us-east-1")
with_keys = boto3.session.Session(
    aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
).client("ecs", region_name="us-east-1")
with mock_service_deployments() as mock:
    deployment = mock.backend().add_deployment(service="web", cluster="prod")
    listed = {}
    clients = (("boto3", from_boto3), ("botocore", from_botocore), ("with keys", with_keys))
    for name, client in clients:
        patch_client(client)
        patch_client(client)
        page = client.list_service_deployments(cluster="prod", service="web")
        listed[name] = [i["serviceDeploymentArn"] for i in page["serviceDeployments"]]
    answered = [call.operation for call in mock.calls]
    json.dump({"seeded": deployment.arn, "listed": listed, "answered": answered}, sys.stdout)
"""


def test_patch_client_in_a_fresh_process_without_credentials(tmp_path: Any) -> None:
    """In a fresh process the mock's handler is not yet among botocore's built-in handlers
    when the clients are made, so only ``patch_client`` can route them to the mock."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("AWS_") and name != "MOTO_ACCOUNT_ID"
    }
    environment.update(
        {
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
            "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_FRESH_PROCESS_SCRIPT)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    outcome = json.loads(completed.stdout)
    assert outcome["listed"] == {
        "boto3": [outcome["seeded"]],
        "botocore": [outcome["seeded"]],
        "with keys": [outcome["seeded"]],
    }
    # Each client was patched twice; each call was still answered once.
    assert outcome["answered"] == ["ListServiceDeployments"] * 3


# -- accounts and regions -----------------------------------------------------------------------


def test_account_from_moto_account_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "210987654321")
    with mock_service_deployments() as mock:
        backend = mock.backend()
        assert backend is service_deployment_backends["210987654321"][REGION]
        deployment = backend.add_deployment(service="web", cluster="prod")
        items = _ecs().list_service_deployments(cluster="prod", service="web")
        item = items["serviceDeployments"][0]
        assert item["serviceDeploymentArn"] == deployment.arn
        assert item["serviceArn"] == f"arn:aws:ecs:{REGION}:210987654321:service/prod/web"
        assert ACCOUNT not in service_deployment_backends


def test_default_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    with mock_service_deployments() as mock:
        deployment = mock.backend().add_deployment(service="web", cluster="prod")
        assert deployment.arn.startswith(f"arn:aws:ecs:{REGION}:{ACCOUNT}:")
        assert _listed_arns(_ecs()) == [deployment.arn]


def test_account_id_argument_sets_and_restores_moto_account_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "999999999999")
    with mock_service_deployments(account_id="111122223333") as mock:
        assert os.environ["MOTO_ACCOUNT_ID"] == "111122223333"
        backend = mock.backend()
        assert backend is service_deployment_backends["111122223333"][REGION]
        deployment = backend.add_deployment(service="web", cluster="prod")
        assert deployment.arn.startswith(f"arn:aws:ecs:{REGION}:111122223333:")
        assert _listed_arns(_ecs()) == [deployment.arn]
    assert os.environ["MOTO_ACCOUNT_ID"] == "999999999999"


def test_account_id_argument_removes_moto_account_id_it_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    with mock_service_deployments(account_id="111122223333"):
        assert os.environ["MOTO_ACCOUNT_ID"] == "111122223333"
    assert "MOTO_ACCOUNT_ID" not in os.environ


def test_accounts_are_isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_service_deployments() as mock:
        first = mock.backend(account_id="111111111111").add_deployment(
            service="web", cluster="prod"
        )
        second = mock.backend(account_id="222222222222").add_deployment(
            service="web", cluster="prod"
        )
        monkeypatch.setenv("MOTO_ACCOUNT_ID", "111111111111")
        assert _listed_arns(_ecs()) == [first.arn]
        monkeypatch.setenv("MOTO_ACCOUNT_ID", "222222222222")
        assert _listed_arns(_ecs()) == [second.arn]
        monkeypatch.setenv("MOTO_ACCOUNT_ID", "333333333333")
        with pytest.raises(ClientError) as excinfo:
            _listed_arns(_ecs())
        assert _error(excinfo) == ("ClusterNotFoundException", "Cluster not found.", 400)


def test_regions_are_isolated() -> None:
    with mock_service_deployments() as mock:
        in_ireland = mock.backend(region="eu-west-1").add_deployment(service="web", cluster="prod")
        assert _listed_arns(_ecs("eu-west-1")) == [in_ireland.arn]

        # No cluster of that name in us-east-1.
        with pytest.raises(ClientError) as excinfo:
            _listed_arns(_ecs("us-east-1"))
        assert _error(excinfo) == ("ClusterNotFoundException", "Cluster not found.", 400)

        # The cluster exists in us-east-1 too, but the service does not.
        mock.backend(region="us-east-1").add_service(service="api", cluster="prod")
        with pytest.raises(ClientError) as excinfo:
            _listed_arns(_ecs("us-east-1"))
        assert _error(excinfo) == ("ServiceNotFoundException", "Service not found.", 400)

        # The Irish service's ARN, asked of us-east-1.
        with pytest.raises(ClientError) as excinfo:
            _ecs("us-east-1").list_service_deployments(
                service=f"arn:aws:ecs:eu-west-1:{ACCOUNT}:service/prod/web"
            )
        assert _error(excinfo) == ("ServiceNotFoundException", "Service not found.", 400)


def test_region_argument_is_the_default_region_of_backend() -> None:
    with mock_service_deployments(region="eu-north-1") as mock:
        assert mock.backend() is service_deployment_backends[ACCOUNT]["eu-north-1"]
        deployment = mock.backend().add_deployment(service="web", cluster="prod")
        assert _listed_arns(_ecs("eu-north-1")) == [deployment.arn]


# -- what the mock does not serve ----------------------------------------------------------------


def test_operation_the_mock_does_not_serve_names_with_moto() -> None:
    with mock_service_deployments():
        client = _ecs()
        with pytest.raises(ClientError) as excinfo:
            client.create_cluster(clusterName="prod")
        code, message, status = _error(excinfo)
        assert (code, status) == ("UnknownOperationException", 400)
        assert "CreateCluster" in message
        assert "with_moto=True" in message
        assert "ListServiceDeployments" in message


# -- time ----------------------------------------------------------------------------------------


def test_frozen_time_sets_created_at_truncated_to_milliseconds() -> None:
    with (
        freeze_time("2025-03-01T12:00:00.123456Z") as frozen,
        mock_service_deployments() as mock,
    ):
        first = mock.backend().add_deployment(service="web", cluster="prod")
        expected = datetime(2025, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)
        assert first.created_at == expected
        item = _ecs().list_service_deployments(cluster="prod", service="web")["serviceDeployments"][
            0
        ]
        assert item["serviceDeploymentArn"] == first.arn
        assert item["createdAt"] == expected
        assert item["startedAt"] == expected
        assert item["finishedAt"] == expected

        # The clock is read when the call happens, not once.
        frozen.move_to("2025-03-01T12:05:00.999999Z")
        second = mock.backend().add_deployment(service="web", cluster="prod")
        items = _ecs().list_service_deployments(cluster="prod", service="web")
        assert [i["createdAt"] for i in items["serviceDeployments"]] == [
            datetime(2025, 3, 1, 12, 5, 0, 999000, tzinfo=UTC),
            expected,
        ]
        assert items["serviceDeployments"][0]["serviceDeploymentArn"] == second.arn
