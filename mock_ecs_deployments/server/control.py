"""The control API of server mode: JSON routes under ``/mock-ecs-deployments/`` that set up a
test case over HTTP, for test suites in languages that cannot reach the mock's Python API.

:class:`ControlApi` is WSGI middleware around the server's application (moto's, behind
:class:`~.guard.EcsRequestGuard`); every route acts on the server's mock. Whatever happens
inside a route, the answer is JSON (``{"message": ...}`` for an error), never an HTML page.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from ..engine.model import arns, validation
from ..engine.model.exceptions import ServiceDeploymentsError
from ..engine.model.validation import SeedingError
from ..engine.state.backend import ServiceDeploymentBackend
from ..mock import ServiceDeploymentsMock
from ..protocol import faults
from ..scenarios.errors import ScenarioError
from ..scenarios.reading import MAPPING_SOURCE, ScenarioSource
from .client import format_time

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

PREFIX = "/mock-ecs-deployments/"
#: Where the state page is served (its files under it).
UI_PATH = PREFIX + "ui/"
RESET_PATH = "/moto-api/reset"
#: The largest control request body the server reads (a dumped history of some 100,000
#: deployments fits).
MAX_CONTROL_BODY_BYTES = 64 * 1024 * 1024
#: The name a scenario sent in a request body is reported by.
REQUEST_BODY_SOURCE = "<request body>"
_CHUNK = 64 * 1024
_JSON_HEADERS = {"Content-Type": "application/json"}
_PLAN_FIELDS = ("outcome", "pending_for", "in_progress_for", "rollback_for", "reason")
_ERROR_FIELDS = ("operation", "code", "message", "status", "times", "account_id", "region")


class StartScenarioError(Exception):
    """A scenario a server was started with (``scenarios=``, ``serve --scenario``) could not be
    loaded: when the server started, or again after ``POST /moto-api/reset``. ``__cause__`` is
    the loader's error.

    :ivar source: the scenario as given (a path, or ``<mapping>`` for data).
    :ivar error: the loader's error (a :class:`~..scenarios.errors.ScenarioError`, an
        ``OSError`` for a file that cannot be read, ...).
    """

    def __init__(self, source: ScenarioSource, error: Exception) -> None:
        self.source = os.fspath(source) if isinstance(source, str | os.PathLike) else MAPPING_SOURCE
        self.error = error
        # A ScenarioError and a file's OSError name their file already.
        names_itself = isinstance(error, ScenarioError) or (
            isinstance(error, OSError) and error.filename is not None
        )
        super().__init__(str(error) if names_itself else f"{self.source}: {error}")


class _Refused(Exception):
    """A control request answered with an error status and ``{"message": ...}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers or {}
        self.code = code


class ControlApi:
    """WSGI middleware: the control routes under :data:`PREFIX`, and JSON errors from
    ``POST /moto-api/reset``; every other request goes to ``app`` untouched.

    Routes (JSON in and out; see the server-mode docs for bodies and answers):
    ``GET``/``POST scenario``, ``POST advance``, ``POST plans``, ``POST errors``,
    ``GET``/``DELETE calls``, ``GET picture``, ``POST stop``, ``POST continue``. An unknown
    path is 404, a method the path does not take 405 (with ``Allow``), a bad body or field
    400, a modeled AWS error its own status with its ``code``; an unexpected exception is a
    500 whose message says it is a bug in mock_ecs_deployments. The state page and its files
    are served under :data:`UI_PATH`.

    :param app: the application behind (moto's, behind the ECS guard).
    :param mock: the server's mock, which the routes act on.
    """

    def __init__(self, app: WSGIApplication, mock: ServiceDeploymentsMock) -> None:
        self.app = app
        self.mock = mock

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request (WSGI).

        :param environ: the WSGI environment of the request.
        :param start_response: the WSGI ``start_response`` callable.
        """
        path = str(environ.get("PATH_INFO", "")) or "/"
        if path == RESET_PATH:
            return self._reset(environ, start_response)
        if path.startswith(UI_PATH) or path == UI_PATH.rstrip("/"):
            try:
                return self._page(path, environ, start_response)
            except Exception as bug:
                return _send(start_response, 500, _bug_answer(bug), {})
        if not (path.startswith(PREFIX) or path == PREFIX.rstrip("/")):
            return self.app(environ, start_response)
        method = str(environ.get("REQUEST_METHOD", "")).upper()
        headers: dict[str, str] = {}
        try:
            # Read first, whatever the verdict: a client still sending its body could miss an
            # early answer when the server closes the connection.
            body = _read_body(environ)
            routes = _ROUTES.get(path[len(PREFIX) :]) if path.startswith(PREFIX) else None
            if routes is None:
                raise _Refused(404, f"No control route at {path}; the routes are: {_listing()}.")
            handler = routes.get(method)
            if handler is None:
                allowed = ", ".join(routes)
                raise _Refused(
                    405,
                    f"{path} takes {allowed}, not {method or 'no method'}.",
                    headers={"Allow": allowed},
                )
            status, answer = 200, handler(self, body, environ)
        except _Refused as refused:
            status, headers = refused.status, refused.headers
            answer = {"message": refused.message}
            if refused.field is not None:
                answer["field"] = refused.field
            if refused.code is not None:
                answer["code"] = refused.code
        except Exception as bug:  # an unexpected failure becomes an answer here and in _page
            status, answer = 500, _bug_answer(bug)
        return _send(start_response, status, answer, headers)

    # -- routes ------------------------------------------------------------------------------

    def _load_scenario(self, body: bytes, environ: WSGIEnvironment) -> dict[str, object]:
        """POST scenario: load a YAML or JSON scenario, all or nothing."""
        content_type = str(environ.get("CONTENT_TYPE", "")).partition(";")[0].strip().lower()
        leading = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        is_json = content_type == "application/json" or leading in (b"{", b"[")
        # Through a file, so the body is read exactly as a scenario file (YAML's line and
        # column in errors, a key given twice refused).
        with tempfile.TemporaryDirectory(prefix="mock-ecs-scenario-") as directory:
            path = os.path.join(directory, "scenario.json" if is_json else "scenario.yaml")
            with open(path, "wb") as file:
                file.write(body)
            try:
                services = self.mock.load_scenario(path)
            except ScenarioError as error:
                # Reported by what it was to the caller, not by the file it went through.
                refused = ScenarioError(
                    REQUEST_BODY_SOURCE,
                    error.field,
                    error.problem,
                    line=error.line,
                    column=error.column,
                    copy=error.copy,
                )
                raise _Refused(400, str(refused)) from None
        deployments = sum(len(service.deployments) for service in services)
        return {"services": len(services), "deployments": deployments}

    def _dump_scenario(self, body: bytes, environ: WSGIEnvironment) -> dict[str, object]:
        """GET scenario: the current state (every account and region) as a scenario."""
        from ..scenarios.dump import dump_scenario  # here: only this route needs it

        return dump_scenario(services=None)

    def _advance(self, body: bytes, environ: WSGIEnvironment) -> dict[str, object]:
        """POST advance: move the mock's clock forward."""
        seconds = _fields(body, required=("seconds",), optional=())["seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise _Refused(
                400, f"seconds: expected a number of seconds, got {seconds!r}", field="seconds"
            )
        if not math.isfinite(seconds) or seconds < 0:
            raise _Refused(
                400,
                f"seconds: expected a finite number of 0 or more, got {seconds!r}",
                field="seconds",
            )
        try:
            self.mock.now() + timedelta(seconds=seconds)
        except OverflowError:
            # Checked first: a clock moved past the year 9999 could not be read any more.
            raise _Refused(
                400, f"seconds: {seconds!r} moves the clock past the year 9999", field="seconds"
            ) from None
        return {"now": format_time(self.mock.advance(seconds))}

    def _plan_next_deployment(self, body: bytes, environ: WSGIEnvironment) -> dict[str, object]:
        """POST plans: queue how the next deployment of a service (``service``) or of a
        daemon (``daemon``) runs."""
        fields = _fields(
            body,
            required=(),
            optional=("service", "daemon", "cluster", *_PLAN_FIELDS, "account_id", "region"),
        )
        kind = "daemon" if fields.get("daemon") is not None else "service"
        if (fields.get("service") is None) == (fields.get("daemon") is None):
            raise _Refused(
                400, "service: required (or daemon instead), but not both", field="service"
            )
        backend = self.mock.backend(
            region=_region(fields.get("region")), account_id=_account_id(fields.get("account_id"))
        )
        arguments = {name: fields[name] for name in _PLAN_FIELDS if fields.get(name) is not None}
        try:
            plan = backend.plan_next_deployment(
                cluster=fields.get("cluster"), **{kind: fields[kind]}, **arguments
            )
            cluster, name = validation.resolve_service_reference(
                fields[kind],
                fields.get("cluster"),
                backend.region_name,
                backend.account_id,
                kind=kind,
            )
        except SeedingError as error:
            raise _Refused(400, str(error), field=error.field) from None
        return {
            kind: name,
            "cluster": cluster,
            "account_id": backend.account_id,
            "region": backend.region_name,
            "outcome": plan.outcome,
            "pending_for": plan.pending_ms / 1000,
            "in_progress_for": plan.in_progress_ms / 1000,
            "rollback_for": None if plan.rollback_ms is None else plan.rollback_ms / 1000,
            "reason": plan.reason,
        }

    def _inject_error(self, body: bytes, environ: WSGIEnvironment) -> dict[str, object]:
        """POST errors: make the next calls of an operation fail."""
        fields = _fields(body, required=("operation", "code"), optional=_ERROR_FIELDS[2:])
        fields.setdefault("times", 1)  # absent: once; null: every call
        try:
            self.mock.inject_error(**fields)
        except (ValueError, TypeError) as error:
            raise _Refused(400, str(error)) from None
        status = fields.get("status")
        if status is None:
            status = faults.known_errors(fields["operation"])[fields["code"]]
        return {name: fields.get(name) for name in _ERROR_FIELDS} | {"status": status}

    def _signal(self, method: str, fields: dict[str, Any]) -> dict[str, object]:
        """Give ``fields`` (but the place) to the backend's ``method`` in their account and
        region; the answer is what was given, with the place."""
        backend = self.mock.backend(
            region=_region(fields.pop("region", None)),
            account_id=_account_id(fields.pop("account_id", None)),
        )
        given = {name: value for name, value in fields.items() if value is not None}
        try:
            getattr(backend, method)(**given)
        except SeedingError as error:
            raise _Refused(400, str(error), field=error.field) from None
        return {**given, "account_id": backend.account_id, "region": backend.region_name}

    def _fail_tasks(self, body: bytes, environ: WSGIEnvironment) -> dict[str, object]:
        """POST fail-tasks: the tasks of a task definition fail (``fail_tasks``)."""
        fields = _fields(
            body,
            required=("task_definition",),
            optional=("exit_code", "reason", "cannot_start", "account_id", "region"),
        )
        return self._signal("fail_tasks", fields)

    def _fail_placement(self, body: bytes, environ: WSGIEnvironment) -> dict[str, object]:
        """POST fail-placement: no task of a task definition can be placed."""
        fields = _fields(
            body, required=("task_definition",), optional=("reason", "account_id", "region")
        )
        return self._signal("fail_placement", fields)

    def _capacity_provider(self, body: bytes, environ: WSGIEnvironment) -> dict[str, object]:
        """POST capacity-providers: a capacity provider and its instances, for daemons."""
        fields = _fields(
            body, required=("name",), optional=("cluster", "instances", "account_id", "region")
        )
        return self._signal("add_capacity_provider", fields)

    def _alarm_state(self, body: bytes, environ: WSGIEnvironment) -> dict[str, object]:
        """POST alarms: a CloudWatch alarm's state as the mock sees it."""
        fields = _fields(body, required=("name", "state"), optional=("account_id", "region"))
        return self._signal("set_alarm_state", fields)

    def _calls(self, body: bytes, environ: WSGIEnvironment) -> dict[str, object]:
        """GET calls: the call log, oldest first."""
        return {"calls": [dataclasses.asdict(call) for call in self.mock.calls]}

    def _clear_calls(self, body: bytes, environ: WSGIEnvironment) -> dict[str, object]:
        """DELETE calls: empty the call log (injected errors and state stay)."""
        return {"cleared": faults.clear_calls()}

    def _picture(self, body: bytes, environ: WSGIEnvironment) -> dict[str, object]:
        """GET picture: what the state page draws (see picture/model.py)."""
        from ..picture.model import build_picture  # here: only the page needs it

        return build_picture()

    def _stop(self, body: bytes, environ: WSGIEnvironment) -> dict[str, object]:
        """POST stop: roll back or abort a deployment, as StopServiceDeployment does."""
        fields = _fields(body, required=("deployment_arn",), optional=("stop_type",))
        backend, arn = self._deployment_backend(fields["deployment_arn"])
        with _as_refusal():
            backend.stop_service_deployment(arn, fields.get("stop_type"))
        return {"deployment_arn": arn}

    def _continue(self, body: bytes, environ: WSGIEnvironment) -> dict[str, object]:
        """POST continue: answer the PAUSE hook a deployment waits at, as
        ContinueServiceDeployment does."""
        fields = _fields(body, required=("deployment_arn", "hook_id"), optional=("action",))
        backend, arn = self._deployment_backend(fields["deployment_arn"])
        hook_id = fields["hook_id"]
        if not isinstance(hook_id, str):
            raise _Refused(400, f"hook_id: expected a hook id, got {hook_id!r}", field="hook_id")
        with _as_refusal():
            backend.continue_service_deployment(arn, hook_id, fields.get("action"))
        return {"deployment_arn": arn}

    def _deployment_backend(self, arn: object) -> tuple[ServiceDeploymentBackend, str]:
        """The backend of the account and region a service deployment's ARN names."""
        parsed = arns.parse_arn(arn) if isinstance(arn, str) else None
        if parsed is None or parsed.kind != "service-deployment":
            raise _Refused(
                400,
                f"deployment_arn: expected a service deployment's ARN, got {arn!r}",
                field="deployment_arn",
            )
        assert isinstance(arn, str)
        return self.mock.backend(region=parsed.region, account_id=parsed.account_id), arn

    # -- the state page ----------------------------------------------------------------------

    def _page(
        self, path: str, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        """GET the state page (``ui/``) or one of its files (``ui/page.js``, ...)."""
        from ..picture.page import ASSETS, asset, render_page

        method = str(environ.get("REQUEST_METHOD", "")).upper()
        name = path[len(UI_PATH) :] if path.startswith(UI_PATH) else ""
        if name not in ASSETS and name != "":
            return _send(
                start_response, 404, {"message": f"No file of the state page at {path}."}, {}
            )
        if method not in ("GET", "HEAD"):
            return _send(
                start_response,
                405,
                {"message": f"{path} takes GET, not {method}."},
                {"Allow": "GET"},
            )
        if name in ("", "page.html"):
            text, kind = render_page(None), ASSETS["page.html"]
        else:
            text, kind = asset(name), ASSETS[name]
        body = text.encode("utf-8")
        headers = {
            "Content-Type": f"{kind}; charset=utf-8",
            "Content-Length": str(len(body)),
            "Cache-Control": "no-store",
        }
        start_response("200 OK", list(headers.items()))
        return [] if method == "HEAD" else [body]

    # -- moto's reset ------------------------------------------------------------------------

    def _reset(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """moto's reset, which reloads the servers' start scenarios; a start scenario that no
        longer loads is a JSON 500 naming it (the reset itself has happened)."""
        try:
            return self.app(environ, start_response)
        except StartScenarioError as error:
            message = f"The state was reset, but a start scenario could not be loaded: {error}"
            return _send(start_response, 500, {"message": message}, {})


if TYPE_CHECKING:
    _Handler = Callable[[ControlApi, bytes, WSGIEnvironment], dict[str, object]]
#: path under PREFIX -> method -> handler
_ROUTES: dict[str, dict[str, _Handler]] = {
    "scenario": {"GET": ControlApi._dump_scenario, "POST": ControlApi._load_scenario},
    "advance": {"POST": ControlApi._advance},
    "plans": {"POST": ControlApi._plan_next_deployment},
    "errors": {"POST": ControlApi._inject_error},
    "fail-tasks": {"POST": ControlApi._fail_tasks},
    "fail-placement": {"POST": ControlApi._fail_placement},
    "alarms": {"POST": ControlApi._alarm_state},
    "capacity-providers": {"POST": ControlApi._capacity_provider},
    "calls": {"GET": ControlApi._calls, "DELETE": ControlApi._clear_calls},
    "picture": {"GET": ControlApi._picture},
    "stop": {"POST": ControlApi._stop},
    "continue": {"POST": ControlApi._continue},
}


@contextlib.contextmanager
def _as_refusal() -> Iterator[None]:
    """A modeled AWS error, answered with its HTTP status, code and message."""
    try:
        yield
    except ServiceDeploymentsError as error:
        raise _Refused(error.status, error.message, code=error.code) from None


def _bug_answer(bug: Exception) -> dict[str, object]:
    return {"message": f"bug in mock_ecs_deployments: {type(bug).__name__}: {bug}"}


def _listing() -> str:
    routes = [f"{' '.join(methods)} {PREFIX}{path}" for path, methods in _ROUTES.items()]
    return ", ".join([*routes, f"GET {UI_PATH} (the state page)"])


def _read_body(environ: WSGIEnvironment) -> bytes:
    from werkzeug.wsgi import get_input_stream

    stream = get_input_stream(environ)
    body: bytes = stream.read(MAX_CONTROL_BODY_BYTES + 1)
    if len(body) > MAX_CONTROL_BODY_BYTES:
        while stream.read(_CHUNK):  # to the end, so the client sees the answer
            pass
        raise _Refused(
            413, f"The request body is larger than {MAX_CONTROL_BODY_BYTES} bytes, the most read."
        )
    return body


def _fields(body: bytes, *, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, Any]:
    """The body's JSON object, every required field present and no unknown one."""
    try:
        value = json.loads(body.decode("utf-8")) if body.strip() else None
    except (ValueError, UnicodeDecodeError) as error:
        raise _Refused(400, f"The request body is not valid JSON: {error}") from None
    except RecursionError:
        raise _Refused(
            400, "The request body is not valid JSON: it is nested too deeply."
        ) from None
    allowed = (*required, *optional)
    if not isinstance(value, dict):
        raise _Refused(
            400,
            f"The request body must be a JSON object with the fields {', '.join(allowed)};"
            f" got {'nothing' if value is None else type(value).__name__}.",
        )
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise _Refused(
            400,
            f"{unknown[0]}: unknown field; allowed: {', '.join(allowed)}",
            field=unknown[0],
        )
    for name in required:
        if value.get(name) is None:
            raise _Refused(400, f"{name}: required", field=name)
    return value


def _account_id(value: object) -> str | None:
    if value is None or (
        isinstance(value, str) and len(value) == 12 and value.isascii() and value.isdigit()
    ):
        return value
    raise _Refused(400, f"account_id: expected 12 digits, got {value!r}", field="account_id")


def _region(value: object) -> str | None:
    if value is None or (isinstance(value, str) and value):
        return value
    raise _Refused(
        400, f"region: expected a region name such as 'us-east-1', got {value!r}", field="region"
    )


def _jsonable(value: object) -> object:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _send(
    start_response: StartResponse, status: int, answer: object, headers: dict[str, str]
) -> list[bytes]:
    body = json.dumps(answer, default=_jsonable).encode("utf-8")
    all_headers = {**_JSON_HEADERS, **headers, "Content-Length": str(len(body))}
    start_response(f"{status} {HTTPStatus(status).phrase}", list(all_headers.items()))
    return [body]


__all__ = [
    "MAX_CONTROL_BODY_BYTES",
    "PREFIX",
    "UI_PATH",
    "ControlApi",
    "StartScenarioError",
]
