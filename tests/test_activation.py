"""Starting and stopping are all or nothing; seeding needs a started mock; ``active_mock``;
pre-mock clients keep their own credentials whatever threads do."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.handlers
import pytest
from botocore.config import Config

from mock_ecs_deployments import (
    active_mock,
    mock_service_deployments,
    on_import,
    service_deployment_backends,
)
from mock_ecs_deployments.beside_moto import dispatch as moto_ecs
from mock_ecs_deployments.patches import activation as activation_module
from mock_ecs_deployments.patches import botocore_send
from mock_ecs_deployments.patches.activation import STEPS, activation

REAL_KEY, REAL_SECRET = "AKIAREALLOOKINGKEY01", "real/looking/secret"
STEP_NAMES = [name for name, _, _ in STEPS]


@pytest.fixture
def real_looking_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", REAL_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", REAL_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")


def _fingerprint() -> dict[str, Any]:
    """Everything an activation may change."""
    import requests.adapters
    from botocore.endpoint import Endpoint
    from botocore.signers import RequestSigner
    from moto.core.botocore_stubber import BotocoreStubber
    from moto.ecs.responses import EC2ContainerServiceResponse

    return {
        "environ": dict(os.environ),
        "handlers": list(botocore.handlers.BUILTIN_HANDLERS),
        "send": Endpoint.__dict__["_send"],
        "sign": RequestSigner.__dict__["sign"],
        "moto": {
            name: EC2ContainerServiceResponse.__dict__.get(name)
            for name in ("list_service_deployments", "create_service", "update_service")
        },
        "stubber": BotocoreStubber.__dict__["__call__"],
        "requests": requests.adapters.HTTPAdapter.send,
        "pending": on_import.pending(),
        "depth": activation.depth,
        "active": (botocore_send.state.active, service_deployment_backends.active),
    }


class Boom(Exception):
    pass


def _failing(step_name: str, after_install: bool) -> list[tuple[str, Callable[[], None], Any]]:
    """STEPS, with ``step_name`` failing (before or after doing its work)."""

    def wrap(install: Callable[[], None]) -> Callable[[], None]:
        def failing_install() -> None:
            if after_install:
                install()
            raise Boom(step_name)

        return failing_install

    return [
        (name, wrap(install) if name == step_name else install, uninstall)
        for name, install, uninstall in STEPS
    ]


@pytest.mark.parametrize("after_install", [False, True], ids=["before-work", "after-work"])
@pytest.mark.parametrize("step_name", STEP_NAMES)
def test_a_failing_start_step_leaves_nothing_behind(
    step_name: str,
    after_install: bool,
    monkeypatch: pytest.MonkeyPatch,
    real_looking_credentials: None,
) -> None:
    before = _fingerprint()
    monkeypatch.setattr(activation, "steps", _failing(step_name, after_install))
    mock = mock_service_deployments()
    with pytest.raises(Boom, match=step_name):
        mock.start()
    assert _fingerprint() == before
    with pytest.raises(RuntimeError):
        mock.stop()  # nothing was started
    monkeypatch.setattr(activation, "steps", STEPS)
    # The next start saves the real key as the original, not a fake one.
    with mock_service_deployments():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "FOOBARKEY"
    assert _fingerprint() == before
    assert os.environ["AWS_ACCESS_KEY_ID"] == REAL_KEY


@pytest.mark.parametrize("step_name", STEP_NAMES)
def test_a_failing_stop_step_still_undoes_the_others_then_raises(
    step_name: str, monkeypatch: pytest.MonkeyPatch, real_looking_credentials: None
) -> None:
    before = _fingerprint()
    failures: list[str] = []

    def wrap(name: str, uninstall: Callable[[], None]) -> Callable[[], None]:
        def failing_uninstall() -> None:
            uninstall()
            if name == step_name and not failures:
                failures.append(name)
                raise Boom(name)

        return failing_uninstall

    steps = [(name, install, wrap(name, uninstall)) for name, install, uninstall in STEPS]
    monkeypatch.setattr(activation, "steps", steps)
    mock = mock_service_deployments().start()
    mock.backend().add_deployment(service="web")
    with pytest.raises(Boom, match=step_name):
        mock.stop()
    assert _fingerprint() == before
    assert len(service_deployment_backends) == 0


def test_a_failing_moto_start_stops_our_mock_too(
    monkeypatch: pytest.MonkeyPatch, real_looking_credentials: None
) -> None:
    import moto

    before = _fingerprint()

    def broken_mock_aws(*_: Any, **__: Any) -> Any:
        raise Boom("mock_aws")

    monkeypatch.setattr(moto, "mock_aws", broken_mock_aws)
    with pytest.raises(Boom):
        mock_service_deployments(with_moto=True, account_id="111122223333").start()
    assert _fingerprint() == before
    assert "MOTO_ACCOUNT_ID" not in os.environ


def test_activation_steps_are_applied_in_order_and_undone_in_reverse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log: list[str] = []
    steps = [
        (name, lambda n=name: log.append(f"+{n}"), lambda n=name: log.append(f"-{n}"))
        for name in ("a", "b", "c")
    ]
    own = activation_module.Activation(steps)
    own.enter()
    own.enter()  # nested: applied once
    own.exit()
    assert log == ["+a", "+b", "+c"]
    own.exit()
    assert log == ["+a", "+b", "+c", "-c", "-b", "-a"]
    with pytest.raises(RuntimeError, match="not active"):
        own.exit()


# -- seeding needs a started mock ---------------------------------------------------------------


def test_seeding_a_mock_that_is_not_started_raises() -> None:
    mock = mock_service_deployments()
    with pytest.raises(RuntimeError, match="this mock is not started"):
        mock.backend()
    with mock:
        mock.backend().add_deployment(service="web")
    with pytest.raises(RuntimeError, match="this mock is not started"):
        mock.backend()


def test_the_registry_makes_backends_only_while_a_mock_is_active() -> None:
    with pytest.raises(RuntimeError, match="start one first"):
        service_deployment_backends["123456789012"]["us-east-1"]
    assert len(service_deployment_backends) == 0
    with mock_service_deployments() as mock:
        backend = service_deployment_backends["123456789012"]["us-east-1"]
        assert backend is mock.backend()
    with pytest.raises(RuntimeError, match="start one first"):
        service_deployment_backends["123456789012"]["us-east-1"]


# -- active_mock ---------------------------------------------------------------------------------


def test_active_mock_is_the_innermost_started_one() -> None:
    with pytest.raises(RuntimeError, match="no mock_service_deployments is active"):
        active_mock()
    outer = mock_service_deployments(region="eu-west-1")
    inner = mock_service_deployments(region="ap-south-1")
    with outer:
        assert active_mock() is outer
        with inner:
            assert active_mock() is inner
            with outer:  # re-entered: innermost again
                assert active_mock() is outer
            assert active_mock() is inner
        assert active_mock() is outer
    with pytest.raises(RuntimeError):
        active_mock()


def test_a_decorated_test_reaches_its_mock_through_active_mock() -> None:
    @mock_service_deployments(region="eu-central-1")
    def decorated() -> str:
        mock = active_mock()
        mock.backend().add_deployment(service="web")
        ecs = boto3.client("ecs", region_name="eu-central-1")
        return str(ecs.list_service_deployments(service="web")["serviceDeployments"][0]["status"])

    assert decorated() == "SUCCESSFUL"


# -- pre-mock clients keep their own credentials -------------------------------------------------


@pytest.fixture
def pre_mock_client(real_looking_credentials: None) -> Iterator[Any]:
    session = boto3.session.Session()  # made before the mock: it lacks the mock's handler
    yield session.client(
        "ecs", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )


def test_threads_on_a_pre_mock_client_never_change_its_signer(pre_mock_client: Any) -> None:
    signer = pre_mock_client._request_signer
    seen: set[str] = set()
    stop = threading.Event()

    def watch() -> None:  # the shared signer must hold the client's own key throughout
        while not stop.is_set():
            seen.add(signer._credentials.access_key)

    def while_signing(**_: Any) -> None:  # and while a request is being signed
        seen.add(signer._credentials.access_key)

    pre_mock_client.meta.events.register("before-sign.ecs", while_signing)

    def hammer(errors: list[BaseException]) -> None:
        try:
            for _ in range(40):
                items = pre_mock_client.list_service_deployments(service="web")
                assert len(items["serviceDeployments"]) == 1
        except BaseException as error:
            errors.append(error)

    with mock_service_deployments() as mock:
        mock.backend().add_deployment(service="web")
        watcher = threading.Thread(target=watch)
        watcher.start()
        errors: list[BaseException] = []
        threads = [threading.Thread(target=hammer, args=(errors,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stop.set()
        watcher.join()
        assert errors == []
        assert len(mock.calls) == 8 * 40
    assert seen == {REAL_KEY}
    credentials = signer._credentials.get_frozen_credentials()
    assert (credentials.access_key, credentials.secret_key, credentials.token) == (
        REAL_KEY,
        REAL_SECRET,
        "real-token",
    )
    assert moto_ecs._state.patched is None
