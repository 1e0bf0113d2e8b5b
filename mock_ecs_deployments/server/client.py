"""The endpoint of a running mock server, as a string with methods that drive its control API.

:class:`MockEndpoint` is what ``serve_in_thread()`` yields, and what the ``load``, ``advance``
and ``reset`` subcommands use. It talks HTTP only (``urllib.request``), so it works against a
server in another process or on another machine, and imports neither moto nor werkzeug.
"""

from __future__ import annotations

import functools
import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine.model.clock import iso_ms, to_ms

if TYPE_CHECKING:
    from ..protocol.faults import Call

CONTROL_PREFIX = "/mock-ecs-deployments/"
RESET_PATH = "/moto-api/reset"
DEFAULT_TIMEOUT = 60.0
# How much of an answer that is not the control API's JSON goes into an error message.
_QUOTED_ANSWER = 300


class ControlRequestError(Exception):
    """A control request that failed: the server answered with an error status, or could not
    be reached. The message is the server's (or why it could not be reached).

    :ivar method: the HTTP method, e.g. ``POST``.
    :ivar url: the URL requested.
    :ivar status: the HTTP status of the answer; ``None`` when there was no answer.
    :ivar message: the server's ``message``, or the reason there was no answer.
    :ivar code: the AWS error's code, for a route that answered one (``stop`` and
        ``continue``: ``ConflictException``, ...); else ``None``.
    """

    def __init__(
        self, method: str, url: str, status: int | None, message: str, code: str | None = None
    ) -> None:
        self.method = method
        self.url = url
        self.status = status
        self.message = message
        self.code = code
        answer = "no answer" if status is None else f"HTTP {status}"
        super().__init__(f"{method} {url}: {answer}: {message}")


class MockEndpoint(str):
    """The endpoint URL of a mock server (``http://127.0.0.1:5000``), usable wherever the URL
    string is (``endpoint_url=``, ``f"{endpoint}/..."``), with one method per route of the
    server's control API. Each method makes the HTTP request and raises
    :class:`ControlRequestError` with the server's message when it is refused.

    ``MockEndpoint(url, timeout=...)`` makes one for a server started elsewhere: a trailing
    ``/`` of the URL is dropped, and ``timeout`` is the seconds to wait for each answer.
    """

    timeout: float

    def __new__(cls, endpoint: str, timeout: float = DEFAULT_TIMEOUT) -> MockEndpoint:
        url = super().__new__(cls, str(endpoint).rstrip("/"))
        url.timeout = timeout
        return url

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.endpoint!r})"

    @property
    def endpoint(self) -> str:
        """The URL as a plain ``str``."""
        return str.__str__(self)

    # -- the control API ---------------------------------------------------------------------

    def load_scenario(
        self,
        source: str | os.PathLike[str] | Mapping[str, Any] | Sequence[Mapping[str, Any]] | bytes,
    ) -> dict[str, int]:
        """Load a scenario into the server, all or nothing.

        :param source: the path of a YAML or JSON file (``.json`` is sent as JSON), the
            scenario's data as a mapping or a list of mappings, or a document's bytes.
        :returns: ``{"services": n, "deployments": m}``, what was loaded.
        :raises ControlRequestError: for an invalid scenario, with the loader's message
            (nothing of it is loaded then).
        :raises OSError: if the file cannot be read.
        """
        if isinstance(source, bytes):
            body, content_type = source, "application/octet-stream"
        elif isinstance(source, str | os.PathLike):
            path = Path(source)
            body = path.read_bytes()
            json_file = path.suffix.lower() == ".json"
            content_type = "application/json" if json_file else "application/yaml"
        else:
            body, content_type = json.dumps(source).encode("utf-8"), "application/json"
        answer: dict[str, int] = self._request("POST", "scenario", body, content_type)
        return answer

    def dump_scenario(self) -> dict[str, Any]:
        """The server's current state as a scenario (what :meth:`load_scenario` takes)."""
        answer: dict[str, Any] = self._request("GET", "scenario")
        return answer

    def advance(self, seconds: float | timedelta) -> datetime:
        """Move the server's clock forward, as ``mock.advance()`` does in process.

        :param seconds: how far (seconds, or a timedelta); 0 only reads the clock.
        :returns: the server's new current time (aware, UTC).
        :raises ControlRequestError: for a negative or non-finite amount.
        """
        amount = seconds.total_seconds() if isinstance(seconds, timedelta) else seconds
        answer = self._request("POST", "advance", _json({"seconds": amount}))
        return datetime.fromisoformat(str(answer["now"]).replace("Z", "+00:00"))

    def plan_next_deployment(
        self,
        service: str | None = None,
        cluster: str | None = None,
        *,
        daemon: str | None = None,
        outcome: str | None = None,
        pending_for: float | timedelta | None = None,
        in_progress_for: float | timedelta | None = None,
        rollback_for: float | timedelta | None = None,
        reason: str | None = None,
        account_id: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any]:
        """Queue how the next deployment the server makes for a service runs (see
        ``ServiceDeploymentBackend.plan_next_deployment``), or, given ``daemon`` instead of
        ``service``, for a daemon; a field left out takes
        the server's default.

        :returns: the plan as the server queued it (durations in seconds).
        :raises ControlRequestError: naming the bad field.
        """
        fields = {
            "service": service,
            "daemon": daemon,
            "cluster": cluster,
            "outcome": outcome,
            "pending_for": _seconds(pending_for),
            "in_progress_for": _seconds(in_progress_for),
            "rollback_for": _seconds(rollback_for),
            "reason": reason,
            "account_id": account_id,
            "region": region,
        }
        given = {name: value for name, value in fields.items() if value is not None}
        answer: dict[str, Any] = self._request("POST", "plans", _json(given))
        return answer

    def inject_error(
        self,
        operation: str,
        code: str,
        message: str | None = None,
        status: int | None = None,
        times: int | None = 1,
        account_id: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any]:
        """Make the server's next ``times`` calls of ``operation`` fail with ``code``
        (``times=None``: every call), as ``mock.inject_error()`` does in process.

        :returns: the injected error's fields, with its HTTP status.
        :raises ControlRequestError: for an unknown operation or code, or a bad field.
        """
        fields: dict[str, Any] = {"operation": operation, "code": code, "times": times}
        optional = {
            "message": message,
            "status": status,
            "account_id": account_id,
            "region": region,
        }
        fields.update({name: value for name, value in optional.items() if value is not None})
        answer: dict[str, Any] = self._request("POST", "errors", _json(fields))
        return answer

    def fail_tasks(
        self,
        task_definition: str,
        *,
        exit_code: int | None = None,
        reason: str | None = None,
        cannot_start: str | None = None,
        account_id: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any]:
        """Make the tasks of a task definition fail on the server, as
        ``ServiceDeploymentBackend.fail_tasks`` does in process.

        :raises ControlRequestError: naming the bad field.
        """
        return self._signal(
            "fail-tasks",
            task_definition=task_definition,
            exit_code=exit_code,
            reason=reason,
            cannot_start=cannot_start,
            account_id=account_id,
            region=region,
        )

    def fail_placement(
        self,
        task_definition: str,
        *,
        reason: str | None = None,
        account_id: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any]:
        """Make the tasks of a task definition impossible to place on the server, as
        ``ServiceDeploymentBackend.fail_placement`` does in process.

        :raises ControlRequestError: naming the bad field.
        """
        return self._signal(
            "fail-placement",
            task_definition=task_definition,
            reason=reason,
            account_id=account_id,
            region=region,
        )

    def set_alarm_state(
        self, name: str, state: str, *, account_id: str | None = None, region: str | None = None
    ) -> dict[str, Any]:
        """Set a CloudWatch alarm's state as the server's mock sees it, as
        ``ServiceDeploymentBackend.set_alarm_state`` does in process (beside moto, moto's
        CloudWatch on the server works too).

        :raises ControlRequestError: naming the bad field.
        """
        return self._signal("alarms", name=name, state=state, account_id=account_id, region=region)

    def add_capacity_provider(
        self,
        name: str,
        cluster: str | None = None,
        *,
        instances: int | None = None,
        account_id: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any]:
        """Seed a capacity provider with instances on the server, as
        ``ServiceDeploymentBackend.add_capacity_provider`` does in process.

        :raises ControlRequestError: naming the bad field.
        """
        return self._signal(
            "capacity-providers",
            name=name,
            cluster=cluster,
            instances=instances,
            account_id=account_id,
            region=region,
        )

    def _signal(self, route: str, **fields: Any) -> dict[str, Any]:
        given = {name: value for name, value in fields.items() if value is not None}
        answer: dict[str, Any] = self._request("POST", route, _json(given))
        return answer

    def calls(self) -> list[Call]:
        """The server's call log, oldest first, as ``mock.calls`` lists it in process."""
        from ..protocol.faults import Call

        answer = self._request("GET", "calls")
        return [Call(**call) for call in answer["calls"]]

    def clear_calls(self) -> int:
        """Empty the server's call log (state and injected errors stay); returns how many
        calls it held."""
        return int(self._request("DELETE", "calls")["cleared"])

    def picture(self) -> dict[str, Any]:
        """What the server's state page draws: every service and deployment, with their
        timelines, events and calls (``GET picture``; see :mod:`~..picture.model`)."""
        answer: dict[str, Any] = self._request("GET", "picture")
        return answer

    def stop_deployment(self, deployment_arn: str, stop_type: str | None = None) -> None:
        """Roll back (``stop_type`` ``ROLLBACK``, the default) or abort (``ABORT``) a service
        deployment, as StopServiceDeployment does, without an ECS request.

        :raises ControlRequestError: with the AWS error's status and message (e.g. a 400
            ConflictException for a deployment that completed).
        """
        fields = {"deployment_arn": deployment_arn, "stop_type": stop_type}
        self._request("POST", "stop", _json({k: v for k, v in fields.items() if v is not None}))

    def continue_deployment(
        self, deployment_arn: str, hook_id: str, action: str | None = None
    ) -> None:
        """Answer the PAUSE hook ``hook_id`` a service deployment waits at with ``CONTINUE``
        (the default) or ``ROLLBACK``, as ContinueServiceDeployment does.

        :raises ControlRequestError: with the AWS error's status and message.
        """
        fields = {"deployment_arn": deployment_arn, "hook_id": hook_id, "action": action}
        self._request("POST", "continue", _json({k: v for k, v in fields.items() if v is not None}))

    def reset(self) -> None:
        """Forget the server's state (moto's and the mock's) and load its start scenarios
        again (``POST /moto-api/reset``)."""
        self._request("POST", RESET_PATH)

    # -- HTTP --------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        route: str,
        body: bytes | None = None,
        content_type: str = "application/json",
    ) -> Any:
        """The JSON answer to one request (``route`` is under the control prefix unless it
        starts with ``/``)."""
        url = self.endpoint + (route if route.startswith("/") else CONTROL_PREFIX + route)
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with _opener().open(request, timeout=self.timeout) as response:
                status, text = int(response.status), bytes(response.read())
        except urllib.error.HTTPError as refused:
            with refused:
                body = refused.read()
            message, code = _message(body, refused.reason), _code(body)
            raise ControlRequestError(method, url, refused.code, message, code) from None
        except (OSError, ValueError) as error:  # no answer: refused connection, bad URL ...
            reason = getattr(error, "reason", None) or error
            raise ControlRequestError(
                method, url, None, f"cannot reach the server: {reason}"
            ) from None
        try:
            return json.loads(text.decode("utf-8")) if text.strip() else {}
        except (ValueError, UnicodeDecodeError):
            message = f"the answer is not the control API's JSON: {_message(text, '')}"
            raise ControlRequestError(method, url, status, message) from None


@functools.cache
def _opener() -> urllib.request.OpenerDirector:
    # No proxies: a mock server is reached directly, whatever HTTP_PROXY says.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _json(fields: Mapping[str, Any]) -> bytes:
    return json.dumps(fields).encode("utf-8")


def format_time(value: datetime) -> str:
    """``value`` as the control API writes a time: ISO 8601 in UTC with milliseconds,
    ``2025-03-01T12:00:00.000Z``."""
    return iso_ms(to_ms(value))


def _seconds(value: float | timedelta | None) -> float | None:
    return value.total_seconds() if isinstance(value, timedelta) else value


def _answer(body: bytes) -> object:
    try:
        return json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def _message(body: bytes, reason: object) -> str:
    """The control API's ``message``; else the start of whatever the server answered."""
    answer = _answer(body)
    if isinstance(answer, dict) and isinstance(answer.get("message"), str):
        return str(answer["message"])
    text = body.decode("utf-8", "replace").strip()
    return text[:_QUOTED_ANSWER] if text else str(reason)


def _code(body: bytes) -> str | None:
    """The AWS error code an error answer names, if any."""
    answer = _answer(body)
    code = answer.get("code") if isinstance(answer, dict) else None
    return code if isinstance(code, str) else None


__all__ = ["ControlRequestError", "MockEndpoint", "format_time"]
