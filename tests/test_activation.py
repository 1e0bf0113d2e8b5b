"""Starting and stopping are all or nothing; seeding and process-wide settings need a started
mock; a patch that waits for its module's import never breaks the import and never lands after
the stop; ``active_mock``; pre-mock clients keep their own credentials whatever threads do."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
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
from mock_ecs_deployments.beside_moto import dispatch as moto_dispatch
from mock_ecs_deployments.engine.state.process import mock_state
from mock_ecs_deployments.patches import activation as activation_module
from mock_ecs_deployments.patches import botocore_send
from mock_ecs_deployments.patches.activation import STEPS, Step, activation
from mock_ecs_deployments.patching import Patch

REAL_KEY, REAL_SECRET = "AKIAREALLOOKINGKEY01", "real/looking/secret"
STEP_NAMES = [step.name for step in STEPS]


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
    from moto.core.responses import BaseResponse
    from moto.ecs.responses import EC2ContainerServiceResponse
    from moto.moto_api._internal.models import MotoAPIBackend

    from mock_ecs_deployments.engine.model import randomness

    return {
        "environ": dict(os.environ),
        "handlers": list(botocore.handlers.BUILTIN_HANDLERS),
        "send": Endpoint.__dict__["_send"],
        "sign": RequestSigner.__dict__["sign"],
        "moto": {
            name: EC2ContainerServiceResponse.__dict__.get(name)
            for name in (
                "list_service_deployments",
                "create_service",
                "update_service",
                "delete_service",
                "describe_services",
                "ecs_backend",
            )
        },
        "stubber": BotocoreStubber.__dict__["__call__"],
        "call_action": BaseResponse.__dict__["call_action"],
        "moto reset": MotoAPIBackend.__dict__["reset"],
        "requests": requests.adapters.HTTPAdapter.send,
        "pending": on_import.pending(),
        "depth": activation.depth,
        "active": (botocore_send.answering(), service_deployment_backends.active),
        "peer": service_deployment_backends.peer,
        "random": randomness.random_source(),
        "deliverer": mock_state.events.deliverer,
        "steps in place": [step.name for step in STEPS if step.in_place],
        "state": mock_state.leftovers(),
    }


class Boom(Exception):
    pass


@dataclass
class Failing:
    """A step that fails: its install (before or after doing its work), or once its
    uninstall (after undoing its work)."""

    step: Step
    install_fails: bool = False
    after_install: bool = False
    uninstall_fails: bool = False

    @property
    def name(self) -> str:
        return self.step.name

    @property
    def in_place(self) -> bool:
        return self.step.in_place

    def install(self) -> None:
        if self.install_fails:
            if self.after_install:
                self.step.install()
            raise Boom(self.name)
        self.step.install()

    def uninstall(self) -> None:
        self.step.uninstall()
        if self.uninstall_fails:
            self.uninstall_fails = False
            raise Boom(self.name)


def _failing(step_name: str, after_install: bool) -> list[Step]:
    """STEPS, with ``step_name`` failing (before or after doing its work)."""
    return [
        Failing(step, install_fails=True, after_install=after_install)
        if step.name == step_name
        else step
        for step in STEPS
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
    steps = [
        Failing(step, uninstall_fails=True) if step.name == step_name else step for step in STEPS
    ]
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

    def logged(name: str) -> Patch:
        def apply(patch: Patch) -> None:
            log.append(f"+{name}")
            patch.on_undo(lambda: log.append(f"-{name}"))

        return Patch(name, apply)

    steps = [logged(name) for name in ("a", "b", "c")]
    own = activation_module.Activation(steps)
    own.enter()
    own.enter()  # nested: applied once
    own.exit()
    assert log == ["+a", "+b", "+c"]
    own.exit()
    assert log == ["+a", "+b", "+c", "-c", "-b", "-a"]
    with pytest.raises(RuntimeError, match="not active"):
        own.exit()


# -- seeding and process-wide settings need a started mock ---------------------------------------


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


@pytest.mark.parametrize(
    "call",
    [
        lambda mock: mock.inject_error("ListServiceDeployments", "ThrottlingException"),
        lambda mock: mock.plan_deployments(outcome="STOPPED"),
        lambda mock: mock.advance(60),
    ],
    ids=["inject_error", "plan_deployments", "advance"],
)
def test_process_wide_settings_need_a_started_mock(call: Any) -> None:
    mock = mock_service_deployments()
    with pytest.raises(RuntimeError, match="this mock is not started"):
        call(mock)
    with mock:
        call(mock)


# -- patches that wait for their module's import ---------------------------------------------------


def test_a_failing_patch_warns_and_the_import_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "freshly_imported_module.py").write_text("VALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    applied: list[str] = []

    def broken(module: Any) -> None:
        raise AttributeError("no such attribute")

    def working(module: Any) -> None:
        applied.append(module.__name__)

    on_import.when_imported("freshly_imported_module", broken)
    on_import.when_imported("freshly_imported_module", working)
    try:
        with pytest.warns(RuntimeWarning, match="could not patch freshly_imported_module"):
            import freshly_imported_module  # type: ignore[import-not-found]
        assert freshly_imported_module.VALUE == 42
        assert applied == ["freshly_imported_module"]  # the other patch still ran
    finally:
        sys.modules.pop("freshly_imported_module", None)
    assert on_import.pending() == {}


def test_a_patch_whose_module_loads_after_the_stop_does_not_land() -> None:
    import moto.ecs.responses

    responses = moto.ecs.responses.EC2ContainerServiceResponse
    assert not hasattr(responses, "list_service_deployments")
    with mock_service_deployments():
        pass
    # The hook was popped by an import racing the stop: the late call must do nothing.
    for step in (moto_dispatch.OPERATIONS, moto_dispatch.SERVICES, moto_dispatch.SEEDED):
        step.apply_to(moto.ecs.responses)
        assert not step.in_place
    assert not hasattr(responses, "list_service_deployments")


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
    assert not moto_dispatch.OPERATIONS.in_place
