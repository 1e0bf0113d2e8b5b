"""``mock_service_deployments``: one object that is a decorator, a context manager and has
``start()``/``stop()``, like freezegun's ``freeze_time``.

Every mock object of the process shares one state
(:data:`~mock_ecs_deployments.engine.state.process.mock_state`), as every moto ``mock_aws``
shares moto's backends: what one mock seeds, plans, advances or injects, any other active
mock sees, and the outermost stop forgets it all.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Coroutine, Iterable
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, overload

from .beside_moto.presence import Stoppable, start_mock_aws
from .engine.deployments.lifecycle import make_plan
from .engine.events.deployment_events import Event
from .engine.model.records import Service
from .engine.state.backend import ServiceDeploymentBackend
from .engine.state.process import mock_state
from .engine.state.registry import DEFAULT_ACCOUNT_ID
from .patches.activation import activation
from .protocol import faults

if TYPE_CHECKING:
    from .scenarios.reading import ScenarioSource

T = TypeVar("T")
P = ParamSpec("P")
_Target = TypeVar("_Target", bound=Callable[..., object])


class ServiceDeploymentsMock:
    """The active mock of ECS service deployments (see :func:`mock_service_deployments`).

    Starting it routes boto3's ECS service-deployment calls to in-memory backends; stopping the
    outermost one puts everything back and forgets all state. Nesting is allowed.

    The state is the process's, shared by every mock object (as with moto's ``mock_aws``):
    :meth:`backend`, :meth:`plan_deployments`, :meth:`advance`, :meth:`inject_error`,
    :meth:`reset`, :attr:`calls` and :attr:`events` act on or read that one state, whichever
    mock object they are called on.
    """

    def __init__(
        self,
        *,
        with_moto: bool = False,
        region: str = "us-east-1",
        account_id: str | None = None,
        scenario: ScenarioSource | None = None,
    ) -> None:
        self.with_moto = with_moto
        self.region = region
        self.account_id = account_id
        self.scenario = scenario
        self._starts = 0
        self._started: list[list[Stoppable]] = []

    # -- activation ------------------------------------------------------------------------

    def start(self) -> ServiceDeploymentsMock:
        """Activate the mock (re-entrant). Returns the mock itself.

        All or nothing: if any part of starting fails (moto's mock, the scenario), what was
        started is stopped again and the error is raised.
        """
        with activation.lock:
            activation.enter()
            self._starts += 1
            # One entry per start, filled as its parts start, so stop() undoes exactly these.
            started: list[Stoppable] = []
            self._started.append(started)
            _active.append(self)
        try:
            if self.account_id is not None:
                from unittest.mock import patch  # only here: it costs asyncio's import

                account = patch.dict(os.environ, {"MOTO_ACCOUNT_ID": self.account_id})
                account.start()
                started.append(account)
            if self.with_moto:
                started.append(start_mock_aws())
            # scenario= loads when this mock starts, not again when it is re-entered (started
            # while already active), which would find its services there already.
            if self.scenario is not None and self._starts == 1:
                self.load_scenario(self.scenario)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Deactivate; the outermost stop resets all state. Every part is stopped even when
        one fails; the first failure is raised afterwards.

        :raises RuntimeError: if this mock was not started.
        """
        with activation.lock:
            if self._starts == 0:
                raise RuntimeError("stop() called before start() on this mock")
            self._starts -= 1
            started = self._started.pop()
            _active.reverse()  # remove this mock's innermost start
            _active.remove(self)
            _active.reverse()
        failure: BaseException | None = None
        while started:  # moto's mock first, then the account: reverse order of start
            try:
                started.pop().stop()
            except BaseException as error:
                failure = failure or error
        try:
            activation.exit()
        finally:
            if failure is not None:
                raise failure

    def __enter__(self) -> ServiceDeploymentsMock:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- state -----------------------------------------------------------------------------

    def backend(
        self, region: str | None = None, account_id: str | None = None
    ) -> ServiceDeploymentBackend:
        """The backend of one account and region, for seeding and inspection (the process's
        one, which every mock shares).

        :param region: default: the mock's region (``us-east-1`` unless given).
        :param account_id: default: the mock's account, else ``MOTO_ACCOUNT_ID``, else
            ``123456789012``.
        :raises RuntimeError: when this mock is not started (seeding it would be lost, or
            leak into the next mock).
        """
        self._require_started()
        account = account_id or self.account_id or os.environ.get("MOTO_ACCOUNT_ID")
        return mock_state.backends[account or DEFAULT_ACCOUNT_ID][region or self.region]

    def _require_started(self) -> None:
        """What a mock holds lives while it is active: set outside, it would leak into the
        next mock (the outermost stop forgets everything)."""
        if self._starts == 0:
            raise RuntimeError(
                "this mock is not started: seed it inside `with mock:` or after mock.start(),"
                " or in a test it decorates"
            )

    def reset(self) -> None:
        """Forget the process's state: every account's and region's backends, the default
        plan, the clock's offset, the events, injected errors and the call log (every mock
        shares them). The mock stays active."""
        mock_state.reset()

    def inject_error(
        self,
        operation: str,
        code: str,
        message: str | None = None,
        status: int | None = None,
        times: int | None = 1,
        account_id: str | None = None,
        region: str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``operation`` fail with ``code`` (see
        :func:`mock_ecs_deployments.protocol.faults.inject_error`; ``times=None`` means every
        call). The rule is the process's: it applies to calls answered while any mock is
        active, and goes with the state at the outermost stop or :meth:`reset`.

        :raises RuntimeError: when this mock is not started.
        """
        self._require_started()
        faults.inject_error(operation, code, message, status, times, account_id, region)

    def plan_deployments(
        self,
        outcome: str = "SUCCESSFUL",
        pending_for: timedelta | float = 0,
        in_progress_for: timedelta | float = 0,
        rollback_for: timedelta | float | None = None,
        reason: str | None = None,
    ) -> None:
        """Set the plan every deployment the mock makes follows when no plan is queued for
        its service (see ``ServiceDeploymentBackend.plan_next_deployment`` for the fields), in
        every account and region. The plan is the process's, whichever mock sets it; it is
        forgotten with the state at the outermost stop or :meth:`reset`.

        :raises RuntimeError: when this mock is not started.
        """
        self._require_started()
        mock_state.plan_deployments(
            make_plan(outcome, pending_for, in_progress_for, rollback_for, reason)
        )

    def load_scenario(self, source: ScenarioSource) -> list[Service]:
        """Load a scenario file or mapping, all or nothing (see
        :func:`mock_ecs_deployments.scenarios.loader.load_scenario`); where the scenario names no
        account or region, this mock's apply.

        :param source: the path of a YAML or JSON file, or the same data as a mapping or a list
            of mappings.
        :returns: the services created, in the order the scenario lists them.
        :raises ScenarioError: naming the file, the field, the bad value and what is allowed.
        """
        from .scenarios.loader import load_scenario

        return load_scenario(source, account_id=self.account_id, region=self.region)

    def dump_scenario(
        self, path: str | os.PathLike[str] | None = None, *, services: Iterable[str] | None = None
    ) -> dict[str, Any]:
        """Write the state of every account and region down as a scenario that
        :meth:`load_scenario` (after a :meth:`reset`, or in a fresh mock) turns back into the
        same answers, then and as time moves on (see
        :func:`mock_ecs_deployments.scenarios.dump.dump_scenario`).

        :param path: a ``.yaml``, ``.yml`` or ``.json`` file to write it to (default: none).
        :param services: only these services: names (in any cluster) or ``cluster/service``.
        :returns: the scenario data (a mapping; see ``dump_scenario`` for its form).
        :raises ValueError: another suffix (nothing is written), or a name in ``services``
            that matches no service.
        """
        from .scenarios import dump

        if path is not None:
            dump.scenario_format(path)  # refuse a bad suffix before anything is read
        data = dump.dump_scenario(services=services)
        if path is not None:
            dump.write_scenario(data, path)
        return data

    def advance(self, amount: float | timedelta) -> datetime:
        """Let time pass for the mock: its clock moves forward by ``amount`` (seconds, or a
        timedelta), and deployments move through their plans as if that time had passed. Works
        over freezegun's clock when time is frozen. The clock is the process's, shared by every
        mock (whichever one advances it); its offset is forgotten with the state at the
        outermost stop or :meth:`reset`. ``sleep=mock.advance`` drives a watcher with no real
        waiting.

        :returns: the mock's new current time.
        :raises ValueError: for a negative or non-finite amount.
        :raises RuntimeError: when this mock is not started.
        """
        self._require_started()
        return mock_state.advance(amount)

    def now(self) -> datetime:
        """The mock's current time (aware, UTC): the system's or freezegun's, plus every
        :meth:`advance`."""
        return mock_state.now()

    @property
    def calls(self) -> list[faults.Call]:
        """Each request answered while active, oldest first: operation, decoded params,
        account, region, HTTP status and error code. The log is the process's (every mock
        shares it), cleared with the state at the outermost stop or :meth:`reset`."""
        return faults.calls()

    @property
    def events(self) -> list[Event]:
        """The EventBridge events the deployments made while active ("ECS Deployment State
        Change" and "ECS Service Action", each a dict as AWS puts it on the bus), in the order
        of their transitions' times. Reading brings every planned deployment up to now first.
        The events are the process's, cleared with the state at the outermost stop or
        :meth:`reset`.

        :raises RuntimeError: when this mock is not started.
        """
        self._require_started()
        return mock_state.events_now()

    # -- decorating ------------------------------------------------------------------------

    def __call__(self, target: _Target) -> _Target:
        """Decorate a test function (sync or async) or a test class."""
        if inspect.isclass(target):
            return self._decorate_class(target)  # type: ignore[return-value]
        if inspect.iscoroutinefunction(target):
            return self._decorate_coroutine(target)  # type: ignore[return-value]
        if callable(target):
            return self._decorate_callable(target)  # type: ignore[return-value]
        raise TypeError(f"mock_service_deployments cannot decorate {target!r}")

    def _decorate_callable(self, func: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            with self:
                return func(*args, **kwargs)

        return wrapper

    def _decorate_coroutine(
        self, func: Callable[P, Coroutine[object, object, T]]
    ) -> Callable[P, Coroutine[object, object, T]]:
        # The mock stays active while the coroutine runs: start and stop happen inside it.
        @functools.wraps(func)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            with self:
                return await func(*args, **kwargs)

        return wrapper

    def _decorate_class(self, klass: type) -> type:
        import unittest

        if issubclass(klass, unittest.TestCase):
            # One activation per test, spanning setUp, the test and tearDown.
            original_setup = klass.setUp

            def setUp(test: unittest.TestCase) -> None:
                self.start()
                test.addCleanup(self.stop)
                original_setup(test)

            klass.setUp = setUp  # type: ignore[method-assign,assignment]
            return klass
        original_setup_method = getattr(klass, "setup_method", None)
        original_teardown_method = getattr(klass, "teardown_method", None)

        def setup_method(test: object, method: object = None) -> None:
            self.start()
            if original_setup_method is not None:
                try:
                    _call_xunit(original_setup_method, test, method)
                except BaseException:
                    self.stop()
                    raise

        def teardown_method(test: object, method: object = None) -> None:
            try:
                if original_teardown_method is not None:
                    _call_xunit(original_teardown_method, test, method)
            finally:
                self.stop()

        klass.setup_method = setup_method  # type: ignore[attr-defined]
        klass.teardown_method = teardown_method  # type: ignore[attr-defined]
        return klass


def _call_xunit(function: Callable[..., object], test: object, method: object) -> None:
    # pytest passes the test method to setup_method/teardown_method; both forms are allowed.
    if len(inspect.signature(function).parameters) >= 2:
        function(test, method)
    else:
        function(test)


#: Every start of a mock not yet stopped, innermost last (guarded by the activation's lock).
_active: list[ServiceDeploymentsMock] = []


def active_mock() -> ServiceDeploymentsMock:
    """The innermost active mock, wherever the code asking is (a helper, a fixture, a
    decorated test that has no handle on its mock).

    :raises RuntimeError: when no mock is active.
    """
    with activation.lock:
        if not _active:
            raise RuntimeError(
                "no mock_service_deployments is active: decorate the test with"
                " @mock_service_deployments, use it as a context manager, or call start()"
            )
        return _active[-1]


@overload
def mock_service_deployments(target: _Target) -> _Target: ...


@overload
def mock_service_deployments(
    target: None = None,
    *,
    with_moto: bool = False,
    region: str = "us-east-1",
    account_id: str | None = None,
    scenario: ScenarioSource | None = None,
) -> ServiceDeploymentsMock: ...


def mock_service_deployments(
    target: _Target | None = None,
    *,
    with_moto: bool = False,
    region: str = "us-east-1",
    account_id: str | None = None,
    scenario: ScenarioSource | None = None,
) -> _Target | ServiceDeploymentsMock:
    """Mock ECS service deployments: as ``@mock_service_deployments``, as
    ``@mock_service_deployments(...)``, as ``with mock_service_deployments() as mock:``, or
    through ``start()``/``stop()``.

    :param with_moto: also start moto's ``mock_aws`` (inside this mock), so the rest of ECS and
        every other service are mocked too and moto's clusters and services count.
    :param region: the default region of :meth:`ServiceDeploymentsMock.backend`.
    :param account_id: the account the mock answers as (sets ``MOTO_ACCOUNT_ID`` while active).
    :param scenario: a scenario file or mapping loaded each time the mock starts (see
        :meth:`ServiceDeploymentsMock.load_scenario`); a bad one fails the start. A relative
        path is relative to the file that calls this function (the test file), as with the
        pytest marker's ``scenario=``.
    """
    if isinstance(scenario, str | os.PathLike) and not os.path.isabs(scenario):
        # Relative to the file that asks, as the pytest marker's scenario= is relative to the
        # test file: a test finds its scenario wherever pytest was started from.
        caller = sys._getframe(1).f_code.co_filename
        scenario = os.path.join(os.path.dirname(os.path.abspath(caller)), scenario)
    mock = ServiceDeploymentsMock(
        with_moto=with_moto, region=region, account_id=account_id, scenario=scenario
    )
    if target is None:
        return mock
    return mock(target)
