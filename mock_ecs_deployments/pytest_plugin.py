"""pytest plugin (entry point ``pytest11``): the ``service_deployments`` and ``ecs_client``
fixtures, the ``service_deployments`` marker, and ``--mock-ecs-report=DIR`` (ini
``mock_ecs_report``), which leaves the mock's state of each failed test in ``DIR``.

Nothing heavy is imported when pytest loads the plugin; boto3 and the mock load with the first
test that asks for a fixture. Without ``--mock-ecs-report`` the report's part registers
nothing; with it, it waits for the mock's state module to be imported (by a test, or already)
before it registers its one callback there.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Generator, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .engine.state.process import MockState
    from .mock import ServiceDeploymentsMock

_MARKER_OPTIONS = ("region", "account_id", "with_moto", "scenario")
#: The module that holds the mock's state, watched (not imported) by the report.
_STATE_MODULE = "mock_ecs_deployments.engine.state.process"
#: The name of the report's plugin object, registered only when the option is given.
REPORT_PLUGIN = "mock_ecs_deployments.report"
#: The heading of the failure report's section that names the files.
REPORT_SECTION = "mock-ecs-deployments state"
#: The longest file name (without its suffix) a node id becomes; longer ones are cut, and
#: end in a hash of the whole node id.
_MAX_STEM = 150
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._[]-")


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--mock-ecs-report=DIR`` and the ini setting ``mock_ecs_report``."""
    help_text = (
        "for each failed test that used mock_ecs_deployments, write the mock's state to DIR"
        " as <test id>.yaml (a scenario file) and <test id>.html (a picture of it)"
    )
    parser.getgroup("mock-ecs-deployments").addoption(
        "--mock-ecs-report", metavar="DIR", default=None, help=help_text
    )
    parser.addini(
        "mock_ecs_report",
        help_text.replace("DIR", "this directory (relative to the ini file)"),
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``service_deployments`` marker, and the report's plugin object when
    ``--mock-ecs-report`` (or the ini setting) names a directory."""
    config.addinivalue_line(
        "markers",
        "service_deployments(region='us-east-1', account_id=None, with_moto=False): options"
        " for the service_deployments and ecs_client fixtures of mock_ecs_deployments; also"
        " scenario='path' (relative to the test file) to load a scenario file",
    )
    directory = report_directory(config)
    if directory is not None:
        # Absolute from here on, also for pytest-xdist's workers, which get the options as the
        # controller holds them once it is configured.
        config.option.mock_ecs_report = str(directory)
        report = FailureReport(directory)
        config.pluginmanager.register(report, REPORT_PLUGIN)
        report.watch()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Withdraw the report's callback, so that a run inside this process (pytester) leaves
    nothing in the mock's state behind."""
    report = config.pluginmanager.get_plugin(REPORT_PLUGIN)
    if isinstance(report, FailureReport):
        report.unwatch()
        config.pluginmanager.unregister(report, REPORT_PLUGIN)


def report_directory(config: pytest.Config) -> Path | None:
    """Where failed tests' states go: ``--mock-ecs-report`` (relative to where pytest was
    started), else the ini setting ``mock_ecs_report`` (relative to the ini file), else
    nowhere (``None``; an empty value also means nowhere)."""
    option = config.getoption("mock_ecs_report", default=None)
    if option is not None:
        return Path(config.invocation_params.dir, option).resolve() if option else None
    setting = str(config.getini("mock_ecs_report") or "").strip()
    if not setting:
        return None
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    return Path(base, setting).resolve()


def report_file_stem(nodeid: str) -> str:
    """The file name (without suffix) a test's node id becomes: each character outside
    ``[A-Za-z0-9._[]-]`` replaced with ``_`` (``tests/test_cli.py::test_show[eu-west-1/prod]``
    becomes ``tests_test_cli.py__test_show[eu-west-1_prod]``). A short hash of the node id
    follows (after ``-``) when another character than ``/`` or ``:`` was replaced, so that
    ids such as ``t[a b]`` and ``t[a_b]`` keep files of their own, and when the name is cut to
    its longest (150 characters)."""
    stem = "".join(char if char in _SAFE else "_" for char in nodeid)
    lossy = any(char not in _SAFE and char not in "/:" for char in nodeid)
    if not lossy and len(stem) <= _MAX_STEM:
        return stem
    import hashlib

    digest = hashlib.sha256(nodeid.encode("utf-8")).hexdigest()[:10]
    return f"{stem[: _MAX_STEM - len(digest) - 1]}-{digest}"


class Capture:
    """The mock's state as one test left it: the scenario data
    (:func:`~.scenarios.dump.dump_scenario`) and the picture
    (:func:`~.picture.model.build_picture`), or the error that kept them from being taken.

    :param scenario: the scenario data, or ``None`` after an error.
    :param picture: the picture, or ``None`` after an error.
    :param when: when it was taken, in words (for the report).
    :param error: what went wrong, or ``None``.
    """

    __slots__ = ("error", "picture", "scenario", "when")

    def __init__(
        self,
        scenario: dict[str, Any] | None,
        picture: dict[str, Any] | None,
        when: str,
        error: str | None = None,
    ) -> None:
        self.scenario = scenario
        self.picture = picture
        self.when = when
        self.error = error

    @classmethod
    def take(cls, when: str) -> Capture:
        """Take the state now (a mock is active, or its outermost stop is about to forget it).
        Never raises: an error is kept, for the report to tell."""
        try:
            from .picture.model import build_picture
            from .scenarios.dump import dump_scenario

            return cls(dump_scenario(), build_picture(), when)
        except Exception as error:
            return cls(None, None, when, f"{type(error).__name__}: {error}")


class FailureReport:
    """``--mock-ecs-report``: for each failed test (in setup or call) that used the mock,
    ``DIR/<test id>.yaml`` and ``DIR/<test id>.html``, named in the test's failure report.

    The state is taken at the outermost stop of each test's mock (a callback in
    :attr:`~.engine.state.process.MockState.before_forgetting`; the last one of the test is
    kept), and again when the failure is reported if a mock is still active then (the
    ``service_deployments`` fixture's), which is fresher. Files are written for failed tests
    only. Each pytest-xdist worker writes the files of the tests it runs.

    :param directory: where the files go (made when the first is written).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        #: The state the current test left at its mock's last outermost stop, if any.
        self.capture: Capture | None = None
        self._state: MockState | None = None

    # -- the callback ------------------------------------------------------------------------

    def watch(self) -> None:
        """Register the callback in the mock's state, now if its module is loaded, else when
        it is first imported (so a run whose tests never use the mock imports nothing)."""
        from . import on_import

        on_import.when_imported(_STATE_MODULE, self._register)

    def unwatch(self) -> None:
        """Withdraw the callback (or the wait for the module)."""
        from . import on_import

        on_import.cancel(_STATE_MODULE, self._register)
        state, self._state = self._state, None
        if state is not None and self._at_stop in state.before_forgetting:
            state.before_forgetting.remove(self._at_stop)

    def _register(self, module: ModuleType) -> None:
        state: MockState = module.mock_state
        state.before_forgetting.append(self._at_stop)
        self._state = state

    def _at_stop(self) -> None:
        self.capture = Capture.take("when the test's mock stopped")

    # -- the hooks ---------------------------------------------------------------------------

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, Any, None]:
        """Each test starts with no state taken, and keeps none after it."""
        self.capture = None
        try:
            yield
        finally:
            self.capture = None

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item) -> Generator[None, Any, None]:
        """A failed setup or call that used the mock: the files, and a section naming them."""
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        if report.when in ("setup", "call") and report.failed:
            self._write(report)

    def _write(self, report: pytest.TestReport) -> None:
        state = sys.modules.get(_STATE_MODULE)
        if state is not None and state.mock_state.active:
            self.capture = Capture.take("at the failure, its mock still active")
        capture = self.capture
        if capture is None:
            return  # the test never used the mock
        if capture.scenario is None or capture.picture is None:
            lines = [f"could not take the mock's state {capture.when}: {capture.error}"]
        else:
            stem = report_file_stem(report.nodeid)
            yaml_path = self.directory / f"{stem}.yaml"
            html_path = self.directory / f"{stem}.html"
            try:
                from .picture.page import render_page
                from .scenarios.dump import write_scenario

                self.directory.mkdir(parents=True, exist_ok=True)
                write_scenario(capture.scenario, yaml_path)
                page = render_page(capture.picture, title=report.nodeid)
                html_path.write_text(page, encoding="utf-8")
            except Exception as error:
                lines = [f"could not write the mock's state: {type(error).__name__}: {error}"]
            else:
                lines = [
                    f"the mock's state {capture.when} (its clock: {capture.picture['now']}):",
                    f"  scenario: {yaml_path}",
                    f"  picture:  {html_path}",
                ]
        report.sections.append((REPORT_SECTION, "\n".join(lines)))


def _marker_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("service_deployments")
    if marker is None:
        return {}
    if marker.args:
        raise TypeError("@pytest.mark.service_deployments takes keyword arguments only")
    unknown = set(marker.kwargs) - set(_MARKER_OPTIONS)
    if unknown:
        raise TypeError(
            f"@pytest.mark.service_deployments: unknown option(s) {', '.join(sorted(unknown))};"
            f" allowed: {', '.join(_MARKER_OPTIONS)}"
        )
    options = dict(marker.kwargs)
    # scenario="path": relative to the test file, so a test finds its scenario wherever pytest
    # was started from. A mapping is passed on as it is.
    scenario = options.get("scenario")
    if isinstance(scenario, str | os.PathLike):
        options["scenario"] = request.path.parent / scenario
    return options


@pytest.fixture
def service_deployments(request: pytest.FixtureRequest) -> Iterator[ServiceDeploymentsMock]:
    """The active mock for the test; stopped (and its state forgotten) afterwards."""
    from .mock import mock_service_deployments

    mock = mock_service_deployments(**_marker_options(request))
    mock.start()
    try:
        yield mock
    finally:
        mock.stop()


@pytest.fixture
def ecs_client(service_deployments: ServiceDeploymentsMock) -> Any:
    """A boto3 ECS client in the mock's region, made while the mock is active (in a session
    of its own, so it picks up the mock's fake credentials)."""
    import boto3
    import botocore.session

    session = botocore.session.Session()
    # Parsing botocore's JSON service models is most of what making a client costs; a loader
    # shared by every test's session parses them once per run.
    session.register_component("data_loader", _shared_loader())
    return boto3.session.Session(botocore_session=session).client(
        "ecs", region_name=service_deployments.region
    )


@functools.cache
def _shared_loader() -> Any:
    from botocore.loaders import create_loader

    return create_loader()
