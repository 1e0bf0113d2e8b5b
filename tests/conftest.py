"""Shared test setup: every ECS response any test receives is checked against the model;
botocore's models parsed once per process; the server-style modules allowed loopback, the long
ones run first; hypothesis's profiles; pytest's own timing kept out of freezegun's reach; and
the fixtures most tests start from (``frozen``, ``mock``, ``backend``, ``ecs``)."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import botocore.handlers
import botocore.loaders
import botocore.session
import freezegun
import pytest
from hypothesis import settings

from mock_ecs_deployments.engine.model.service_model import OPERATIONS

from .shapes import check_output


def _check_response(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
    if model.name in OPERATIONS and http_response.status_code == 200:
        check_output(model.name, parsed)


# Registered for the whole session, before any client is made: every client built by any test
# (boto3.client, sessions, the fixtures) validates what it parses for our operations.
botocore.handlers.BUILTIN_HANDLERS.append(("after-call.ecs", _check_response))


# Every botocore session a test makes (boto3.client's default session included, which each
# start of the mock makes anew) would parse botocore's JSON models again: tens of milliseconds a
# client, for hundreds of clients. One loader per search path, shared by every session of the
# process, parses each model once; what a session does with the models (its handlers, its
# credentials) stays its own. boto3 adds its data directory to a session's loader whenever it
# makes a Session: on the shared loader, it is kept once.
@functools.cache
def _shared_loader(search_path_string: str | None) -> Any:
    return botocore.loaders.create_loader(search_path_string)


def _loader(search_path_string: str | None = None) -> Any:
    loader = _shared_loader(search_path_string)
    loader.search_paths[:] = dict.fromkeys(loader.search_paths)
    return loader


botocore.session.create_loader = _loader  # type: ignore[attr-defined]

# Tests never reach AWS: no profile, region or credentials from the machine leak in.
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
    os.environ.pop(_name, None)
# A client made with no credentials anywhere would otherwise ask the EC2 instance metadata
# service for some, over the network (169.254.169.254).
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

# pyproject's addopts disable sockets for every test (pytest-socket). The modules below run
# moto's server (or a client of it) on this machine: they may connect to loopback, nowhere else.
LOOPBACK_MODULES = frozenset(
    {
        "test_server",
        "test_aws_cli",
        "test_aws_cli_services",
        "test_moto_seeded",
        "test_requests_door",
        "test_aiobotocore",
        "test_xdist",
        "test_control_api",
        "test_record",
        "test_record_daemons",
        "test_daemons_aws_cli",
        "test_state_page_browser",
    }
)
LOOPBACK_HOSTS = ["127.0.0.1", "::1"]


def _module_name(item: pytest.Item) -> str:
    module = getattr(item, "module", None)
    return "" if module is None else module.__name__.rpartition(".")[2]


def _reaches_loopback(item: pytest.Item) -> bool:
    if _module_name(item) in LOOPBACK_MODULES:
        return True
    # A README block (run by tests/test_docs.py) that starts the server talks to it the same way.
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(isinstance(value, str) and "serve_in_thread(" in value for value in params.values())


# Modules each of whose tests takes seconds (processes of their own, thousands of calls). They
# run first: under -n the workers then share out the many short tests and end together, instead
# of one worker waiting on a long test that happened to be collected last.
LONG_MODULES = (
    "test_xdist",
    "test_concurrency",
    "test_aws_cli_services",
    "test_aws_cli",
    "test_daemons_aws_cli",
    "test_ecs_deploy_tool",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _reaches_loopback(item):
            item.add_marker(pytest.mark.allow_hosts(LOOPBACK_HOSTS))
    items.sort(key=lambda item: _module_name(item) not in LONG_MODULES)  # stable: order kept


# Hypothesis's profiles. "ci" draws the same examples on every run (derandomize: whether a
# test fails, or a mutant is killed, does not depend on the draw), never fails a slow example on
# time and prints the blob that reproduces a failure; "dev" is hypothesis's default. Both are
# built on hypothesis's "default" profile, not on whichever is loaded: recent hypothesis loads a
# "ci" of its own when it sees CI, which "dev" must not inherit. How many examples a test tries
# is set by the test (a few in the default run, thousands in the slow one) whatever the
# profile. CI sets CI; HYPOTHESIS_PROFILE names a profile to load instead. Loaded when pytest
# reads this file, before any test module builds its settings, which inherit from the profile.
settings.register_profile(
    "ci", settings.get_profile("default"), derandomize=True, deadline=None, print_blob=True
)
settings.register_profile("dev", settings.get_profile("default"))
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


def pytest_configure(config: pytest.Config) -> None:
    # pytest times each phase with _pytest.timing's time() and perf_counter(); freezegun replaced
    # them too, so that a test whose fixture freezes time reported a setup of about 1.7e9
    # seconds under --durations (and a teardown of minus that). Ignored by freezegun, that one
    # module keeps the real clock. A wider entry ("_pytest", "pluggy") would not do: for
    # time.time(), time.monotonic() and the like, freezegun looks five frames up the stack for
    # an ignored module, and a test body has pytest's and pluggy's frames right above it, so it
    # would read the real time while frozen.
    freezegun.configure(extend_ignore_list=["_pytest.timing"])


#: Where ``frozen`` stops the clock in a module that names no ``T0`` of its own.
T0 = datetime(2025, 1, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def frozen(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Time frozen at the test module's ``T0`` (conftest's where the module names none); move it
    with ``frozen.tick(seconds)``."""
    with freezegun.freeze_time(getattr(request.module, "T0", T0)) as frozen_time:
        yield frozen_time


@pytest.fixture
def mock(frozen: Any, service_deployments: Any) -> Any:
    """The active mock, under frozen time: the plugin's ``service_deployments``, so standalone,
    or beside moto's ``mock_aws`` where the test or its module is marked
    ``pytest.mark.service_deployments(with_moto=True)`` (the marker's other options apply too).
    Stopped, and its state forgotten, after the test."""
    return service_deployments


@pytest.fixture
def backend(mock: Any) -> Any:
    """The active mock's backend in its default account and region."""
    return mock.backend()


@pytest.fixture
def ecs(mock: Any, ecs_client: Any) -> Any:
    """A boto3 ECS client in the mock's region, made while ``mock`` is active: the plugin's
    ``ecs_client``."""
    return ecs_client


@pytest.fixture(autouse=True)
def _nothing_leaks() -> Iterator[None]:
    """After every test: no mock left active, no activation step's patch left in place, and
    nothing left in the process's state."""
    import botocore.handlers

    from mock_ecs_deployments import on_import, service_deployment_backends
    from mock_ecs_deployments.engine.state.process import mock_state
    from mock_ecs_deployments.patches import botocore_send
    from mock_ecs_deployments.patches.activation import STEPS, activation

    yield
    assert activation.depth == 0, "a mock was left started"
    left = [step.name for step in STEPS if step.in_place]
    assert left == [], f"activation steps left in place: {left}"
    assert on_import.pending() == {}, "patches left waiting for an import"
    assert not any(
        entry[1] is botocore_send.before_send for entry in botocore.handlers.BUILTIN_HANDLERS
    ), "handler left in botocore's built-in handlers"
    assert len(service_deployment_backends) == 0, "backends survived the outermost stop"
    assert mock_state.leftovers() == [], "state survived the outermost stop"
