"""Server mode: moto's own HTTP server, with this package's operations added to its ECS dispatch.

``mock-ecs-deployments serve`` (and :func:`serve_in_thread` for tests) runs moto's WSGI
application on werkzeug, as ``moto_server`` does, so every service moto mocks is served on the
same endpoint and ``aws ecs create-cluster`` and ``aws ecs list-service-deployments`` share one
account. Four things are added around moto, none of them by editing moto:

* our mock is active while the server runs, so our operations are methods of moto's ECS
  response class and seeded state is kept until the server stops;
* moto's reset API (``POST /moto-api/reset``) resets our state as well as moto's, then loads
  the servers' start scenarios again (an activation step of the bridge to moto,
  :data:`~mock_ecs_deployments.beside_moto.steps.RESET`, which does so while a server runs);
* :class:`~.guard.EcsRequestGuard` answers malformed ECS requests with AWS's JSON errors
  where moto's server would answer with an HTML 500 page, a 404 or an S3 document;
* :class:`~.control.ControlApi` serves the control API under ``/mock-ecs-deployments/``.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import socket
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING
from unittest.mock import patch
from urllib.parse import urlsplit

from ..beside_moto import presence as moto_state
from ..engine.model.arns import DEFAULT_ACCOUNT_ID
from ..engine.model.records import Service
from ..mock import ServiceDeploymentsMock, mock_service_deployments
from ..scenarios.reading import ScenarioSource
from .client import MockEndpoint
from .control import UI_PATH, ControlApi, StartScenarioError
from .guard import MAX_BODY_BYTES, EcsRequestGuard

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

_LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
_ALL_INTERFACES = frozenset({"0.0.0.0", "::", ""})


# -- the server ----------------------------------------------------------------------------------


class MockServer:
    """moto's server with our operations, on a background thread: ``start()``, ``stop()``.

    :param host: the address to bind (default loopback only).
    :param port: the port; 0 picks a free one (see :attr:`endpoint_url` after ``start()``).
    :param account_id: answer every request as this account (sets ``MOTO_ACCOUNT_ID``).
    :param quiet: leave out werkzeug's line per request.
    :param scenarios: scenario files (or data) to load when the server starts, in order, and
        again after each ``POST /moto-api/reset``; a relative path is taken from the current
        directory when the server is made.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        account_id: str | None = None,
        quiet: bool = True,
        scenarios: Sequence[ScenarioSource] = (),
    ) -> None:
        self.host = host
        self.port = port
        self.quiet = quiet
        self.mock: ServiceDeploymentsMock = mock_service_deployments(account_id=account_id)
        #: The start scenarios, paths made absolute (a reset may come after a chdir).
        self.scenarios: tuple[ScenarioSource, ...] = tuple(
            os.path.abspath(source) if isinstance(source, str | os.PathLike) else source
            for source in scenarios
        )
        #: The services the start scenarios made when they were last loaded.
        self.loaded: list[Service] = []
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint_url(self) -> str:
        """``http://host:port`` of the running server (loopback when bound to all interfaces)."""
        if self._server is None:
            raise RuntimeError("the server is not running; call start() first")
        host = self.host
        if host in _ALL_INTERFACES:
            host = "::1" if ":" in host else "127.0.0.1"
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    def start(self) -> MockServer:
        """Activate the mock, bind the port, load the start scenarios and serve in a daemon
        thread.

        :raises OSError: the port cannot be bound (the mock is stopped again).
        :raises StartScenarioError: a start scenario cannot be loaded (the port is closed and
            the mock stopped again).
        """
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        class RequestHandler(MotoRequestHandler):
            quiet = self.quiet

            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                if not self.quiet:  # tests and benchmarks need no line per request
                    super().log_request(code, size)

        self.mock.start()
        try:
            app = ControlApi(
                EcsRequestGuard(DomainDispatcherApplication(create_backend_app)), self.mock
            )
            # Bound here, not by werkzeug, which answers a busy port with sys.exit(1).
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            with socket.create_server((self.host, self.port), family=family) as listening:
                self._server = make_server(
                    self.host,
                    self.port,
                    app,
                    threaded=True,
                    request_handler=RequestHandler,
                    fd=listening.fileno(),
                )
            self.port = int(self._server.server_address[1])  # the one picked for port 0
            # After binding: a start that fails at the port leaves no scenario behind in an
            # enclosing mock's state.
            self.load_start_scenarios()
        except BaseException:
            if self._server is not None:
                self._server.server_close()
                self._server = None
            self.mock.stop()
            raise
        self._thread = threading.Thread(
            # A short poll interval makes stop() quick (moto's server polls every 0.5 s).
            target=functools.partial(self._server.serve_forever, poll_interval=0.05),
            name=f"mock-ecs-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        moto_state.add_server(self)
        return self

    def load_start_scenarios(self) -> list[Service]:
        """Load the start scenarios (``scenarios=``) through the server's mock, in order.

        :returns: the services they made, in the order the scenarios list them.
        :raises StartScenarioError: naming the scenario that failed and why (the ones before it
            stay loaded; each one is loaded all or nothing).
        """
        loaded: list[Service] = []
        for source in self.scenarios:
            try:
                loaded.extend(self.mock.load_scenario(source))
            except Exception as error:
                raise StartScenarioError(source, error) from error
        self.loaded = loaded
        return loaded

    def stop(self) -> None:
        """Stop serving, close the port and stop the mock (whose outermost stop puts moto's
        reset back and forgets all state)."""
        if self._server is None:
            return
        moto_state.remove_server(self)
        try:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join()
        finally:
            self._server = None
            self._thread = None
            try:
                moto_state.forget_moto_state()
            finally:
                self.mock.stop()

    def serves(self, url: str) -> bool:
        """Whether ``url`` is addressed to this running server.

        :param url: a request URL, e.g. ``http://127.0.0.1:5000/``.
        """
        parts = urlsplit(url)
        if self._server is None or parts.port != self.port:
            return False
        host = (parts.hostname or "").lower()
        if self.host in _ALL_INTERFACES or self.host in _LOOPBACK_NAMES:
            return host == self.host or host in _LOOPBACK_NAMES
        return host == self.host.lower()


def live_servers() -> list[MockServer]:
    """The servers this process runs now."""
    return [server for server in moto_state.running_servers() if isinstance(server, MockServer)]


@contextmanager
def serve_in_thread(
    port: int = 0, host: str = "127.0.0.1", *, scenarios: Sequence[ScenarioSource] = ()
) -> Iterator[MockEndpoint]:
    """Serve moto and this mock over HTTP on a background thread; yields the endpoint URL, a
    :class:`~.client.MockEndpoint`: a ``str`` with methods that drive the server's control API
    (``load_scenario``, ``advance``, ``inject_error``, ``calls``, ``reset`` ...).

    State is shared with the test's process: seed it with ``service_deployment_backends`` or
    an active mock's ``backend()``. Everything is stopped and forgotten on exit.

    :param port: the port to bind; 0 (default) picks a free one.
    :param host: the address to bind (default ``127.0.0.1``, loopback only).
    :param scenarios: scenario files (or data) loaded when the server starts and again after
        each ``POST /moto-api/reset``.
    :raises StartScenarioError: a start scenario cannot be loaded.
    """
    server = MockServer(host, port, scenarios=scenarios).start()
    try:
        yield MockEndpoint(server.endpoint_url)
    finally:
        server.stop()


# -- the ``serve`` subcommand ------------------------------------------------------------------


def configure(parser: argparse.ArgumentParser, command: str) -> None:
    """Add the ``serve`` options to ``parser``.

    :param parser: the subcommand's parser.
    :param command: the subcommand's name (``serve``).
    """
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=5000, help="port to bind; 0 picks a free one (default: 5000)"
    )
    parser.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="FILE",
        help="seed deployments from a scenario file (repeatable)",
    )
    parser.add_argument(
        "--account-id", help="answer every request as this AWS account (sets MOTO_ACCOUNT_ID)"
    )


def run(args: argparse.Namespace, command: str) -> int:
    """Serve until SIGINT or SIGTERM; returns 0 after a clean stop, 1 when the port cannot be
    bound, 2 when a scenario file cannot be loaded.

    :param args: the parsed options of :func:`configure`.
    :param command: the subcommand's name (``serve``).
    """
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    server = MockServer(
        args.host, args.port, account_id=args.account_id, quiet=False, scenarios=args.scenario
    )
    try:
        try:
            server.start()
        except StartScenarioError as error:
            print(f"{command}: {error}", file=sys.stderr)
            return 2
        except OSError as error:
            print(f"{command}: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
            return 1
        try:
            for path in args.scenario:
                print(f"mock-ecs-deployments: loaded scenario {path}", flush=True)
            _print_banner(server, args.account_id, server.loaded)
            # What moto's own server sets, for services that build URLs to themselves.
            moto_port = {} if "MOTO_PORT" in os.environ else {"MOTO_PORT": str(server.port)}
            with patch.dict(os.environ, moto_port):
                while not stop.wait(0.5):
                    pass
        finally:
            server.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("mock-ecs-deployments: stopped", flush=True)
    return 0


def _print_banner(server: MockServer, account_id: str | None, loaded: list[Service]) -> None:
    """The endpoint, and a command that lists the first scenario service with deployments."""
    url = server.endpoint_url
    answered_as = account_id or DEFAULT_ACCOUNT_ID
    example = next((service for service in loaded if service.deployments), None)
    account, region, cluster, name = (
        (answered_as, "us-east-1", "default", "web")
        if example is None
        else (example.account_id, example.region, example.cluster, example.name)
    )
    print(f"mock-ecs-deployments: serving ECS (and the rest of moto) at {url}", flush=True)
    print(f"See the state: {url}{UI_PATH}", flush=True)
    print(
        "Try: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws ecs list-service-deployments"
        f" --cluster {cluster} --service {name} --region {region} --endpoint-url {url}",
        flush=True,
    )
    if account != answered_as:
        print(
            f"Note: the scenario's deployments are in account {account}; add --account-id"
            f" {account} to answer requests as that account.",
            flush=True,
        )
    print(f"Reset: curl -X POST {url}/moto-api/reset    Stop: Ctrl-C", flush=True)


__all__ = [
    "MAX_BODY_BYTES",
    "EcsRequestGuard",
    "MockEndpoint",
    "MockServer",
    "StartScenarioError",
    "configure",
    "run",
    "serve_in_thread",
]
