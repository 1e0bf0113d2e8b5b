"""Injected errors and the call log: what a test makes fail, and what its code asked.

Both sit on the shared path of every call (:func:`.dispatch.dispatch`), so an injected error
travels the wire like AWS's own: botocore's retry modes, its parser and its exception classes
behave exactly as in production, and every attempt of a retried call is logged.

Both are kept in one part of the process's state
(:data:`~mock_ecs_deployments.engine.state.process.mock_state`), which every mock shares and
which forgets them with the rest at its reset.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field, replace
from typing import Any

from ..engine.model.exceptions import InjectedError, ServiceDeploymentsError
from ..engine.model.service_model import OPERATIONS, ecs_model, error_codes
from ..engine.state.process import mock_state

# AWS's errors common to every JSON service, with the HTTP status AWS answers them with.
COMMON_ERRORS: dict[str, int] = {
    "AccessDeniedException": 400,
    "ExpiredTokenException": 400,
    "IncompleteSignature": 400,
    "InternalFailure": 500,
    "InvalidClientTokenId": 403,
    "NotAuthorized": 400,
    "RequestExpired": 400,
    "RequestLimitExceeded": 400,
    "ServiceUnavailable": 503,
    "ThrottlingException": 400,
    "TooManyRequestsException": 429,
    "UnrecognizedClientException": 400,
    "ValidationException": 400,
}


def known_errors(operation: str) -> dict[str, int]:
    """The error codes ``operation`` can be made to fail with, and their HTTP statuses."""
    modeled = {code: 500 if code == "ServerException" else 400 for code in error_codes(operation)}
    return {**COMMON_ERRORS, **modeled}


@dataclass(slots=True)
class _Rule:
    operation: str
    code: str
    message: str
    status: int
    remaining: int | None  # None: every call
    account_id: str | None
    region: str | None

    def matches(self, operation: str, account_id: str, region: str) -> bool:
        return (
            self.operation == operation
            and (self.account_id is None or self.account_id == account_id)
            and (self.region is None or self.region == region)
        )


@dataclass(frozen=True, slots=True)
class Call:
    """One request the mock answered, as :attr:`ServiceDeploymentsMock.calls` lists it (each
    attempt of a retried call is its own).

    :ivar operation: the ECS operation, e.g. ``ListServiceDeployments``.
    :ivar params: the request's parameters as sent on the wire (decoded JSON).
    :ivar account_id: the account the request was answered as.
    :ivar region: the region of the endpoint it was sent to.
    :ivar status: the HTTP status of the answer.
    :ivar error_code: the modeled error's code for an error answer, else ``None``.
    :ivar hint: for a ClusterNotFoundException or ServiceNotFoundException whose service the
        mock holds in another account or region, where it is (the answer itself stays AWS's);
        else ``None``.
    """

    operation: str
    params: dict[str, Any]
    account_id: str
    region: str
    status: int
    error_code: str | None = None
    hint: str | None = None


@dataclass
class Faults:
    """The injected errors still to answer with, and the calls answered: a part of the
    process's state."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    rules: list[_Rule] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)

    def reset(self) -> None:
        """Forget every injected error and the call log."""
        with self.lock:
            self.rules.clear()
            self.calls.clear()

    def leftovers(self) -> list[str]:
        """What is still held, by name: ``injected errors``, ``calls``."""
        with self.lock:
            held = {"injected errors": bool(self.rules), "calls": bool(self.calls)}
        return [name for name, present in held.items() if present]


_faults = mock_state.hold(Faults())


def inject_error(
    operation: str,
    code: str,
    message: str | None = None,
    status: int | None = None,
    times: int | None = 1,
    account_id: str | None = None,
    region: str | None = None,
) -> None:
    """Make the next ``times`` calls of ``operation`` fail with ``code`` (``None``: all calls).
    The rule is kept in the process's state: it applies to calls answered by any mock, until
    it is used up or the state is reset.

    :param operation: an operation the mock serves, e.g. ``ListServiceDeployments``.
    :param code: one of the operation's modeled errors or AWS's common ones (their HTTP status
        is AWS's); another code needs an explicit ``status``.
    :param account_id: only calls in this account (default: any).
    :param region: only calls in this region (default: any).
    :raises ValueError: naming the field and the allowed values.
    """
    if not isinstance(code, str) or not code:
        raise ValueError(
            f"code: expected an AWS error code such as 'ThrottlingException', got {code!r}"
        )
    if message is not None and not isinstance(message, str):
        raise TypeError(f"message: expected a string, got {message!r}")
    if account_id is not None and not (
        isinstance(account_id, str)
        and len(account_id) == 12
        and account_id.isascii()
        and account_id.isdigit()
    ):
        raise ValueError(f"account_id: expected 12 digits, got {account_id!r}")
    if region is not None and not (isinstance(region, str) and region):
        raise ValueError(f"region: expected a region name such as 'us-east-1', got {region!r}")
    if operation not in OPERATIONS:
        raise ValueError(
            f"operation: {operation!r} is not served; allowed values: {', '.join(OPERATIONS)}"
        )
    ecs_model().operation_model(operation)  # fails loudly on a botocore without it
    allowed = known_errors(operation)
    if status is None:
        if code not in allowed:
            raise ValueError(
                f"code: {code!r} has no known HTTP status for {operation}; pass status= or use"
                f" one of: {', '.join(sorted(allowed))}"
            )
        status = allowed[code]
    if not isinstance(status, int) or not 400 <= status <= 599:
        raise ValueError(f"status: expected an HTTP error status 400..599, got {status!r}")
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise ValueError(f"times: expected a whole number of 1 or more, or None, got {times!r}")
    text = message if message is not None else f"Injected {code} for {operation}."
    with _faults.lock:
        _faults.rules.append(_Rule(operation, code, text, status, times, account_id, region))


def take_injected_error(
    operation: str, account_id: str, region: str
) -> ServiceDeploymentsError | None:
    """The injected error this call must answer with, if any (using up one of its times)."""
    if not _faults.rules:
        return None
    with _faults.lock:
        for rule in _faults.rules:
            if rule.matches(operation, account_id, region):
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        _faults.rules.remove(rule)
                return InjectedError(rule.code, rule.status, rule.message)
    return None


def record_call(call: Call) -> None:
    """Append one answered request to the call log."""
    with _faults.lock:
        _faults.calls.append(call)


def calls() -> list[Call]:
    """A copy of the call log, oldest first; each read gets its own copy of the params, so a
    test that changes one cannot change the log."""
    with _faults.lock:
        return [replace(call, params=copy.deepcopy(call.params)) for call in _faults.calls]


def clear_calls() -> int:
    """Empty the call log, leaving injected errors in place; returns how many calls it held."""
    with _faults.lock:
        cleared = len(_faults.calls)
        _faults.calls.clear()
        return cleared
