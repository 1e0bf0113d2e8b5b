"""The readers of a request's parameters: what botocore checks client-side, checked again
for other clients (the AWS CLI passes through botocore; a raw HTTP client or another SDK may
send anything), each failure AWS's InvalidParameterException."""

from __future__ import annotations

import math
from typing import Any

from ..engine.model.clock import wire_bound_ms
from ..engine.model.exceptions import InvalidParameterException


def string(params: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    """A string parameter, or None when absent; a required one must not be empty."""
    value = params.get(name)
    if value is None:
        if required:
            raise InvalidParameterException(f"{name} is required.")
        return None
    if not isinstance(value, str):
        raise InvalidParameterException(f"{name} must be a string.")
    if required and not value:
        raise InvalidParameterException(f"{name} must not be empty.")
    return value


def required_string(params: dict[str, Any], name: str) -> str:
    """A string parameter that must be given, not empty."""
    value = string(params, name, required=True)
    assert value is not None
    return value


def required_string_list(params: dict[str, Any], name: str) -> list[str]:
    """A list of strings that must be given."""
    value = string_list(params, name)
    if value is None:
        raise InvalidParameterException(f"{name} is required.")
    return value


def integer(params: dict[str, Any], name: str) -> int | None:
    """An integer parameter (not a boolean), or None when absent."""
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParameterException(f"{name} must be an integer.")
    return value


def string_list(params: dict[str, Any], name: str) -> list[str] | None:
    """A list of strings, or None when absent."""
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidParameterException(f"{name} must be a list of strings.")
    return value


def created_at(params: dict[str, Any]) -> tuple[int | None, int | None]:
    """The ``createdAt`` window as inclusive ``(after, before)`` bounds in epoch ms."""
    window = params.get("createdAt")
    if window is None:
        return None, None
    if not isinstance(window, dict):
        raise InvalidParameterException("createdAt must be an object with before and after.")
    bounds: list[int | None] = []
    for name, upper in (("after", False), ("before", True)):
        value = window.get(name)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (isinstance(value, float) and not math.isfinite(value))
        ):
            raise InvalidParameterException(f"createdAt.{name} must be a timestamp.")
        bounds.append(None if value is None else wire_bound_ms(value, upper=upper))
    return bounds[0], bounds[1]


def boolean(params: dict[str, Any], name: str) -> bool | None:
    """A boolean parameter, or None when absent."""
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise InvalidParameterException(f"{name} must be a boolean.")
    return value


def objects(params: dict[str, Any], name: str) -> list[dict[str, Any]] | None:
    """A list of JSON objects, or None when absent."""
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InvalidParameterException(f"{name} must be a list of objects.")
    return value


def mapping(params: dict[str, Any], name: str) -> dict[str, Any] | None:
    """A JSON object, or None when absent."""
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidParameterException(f"{name} must be an object.")
    return value


def deployment_filters(params: dict[str, Any]) -> dict[str, Any]:
    """What ListServiceDeployments and ListDaemonDeployments both take: ``status``,
    ``createdAt``, ``maxResults`` and ``nextToken``, as the backend's keyword arguments."""
    after_ms, before_ms = created_at(params)
    return {
        "statuses": string_list(params, "status"),
        "created_after_ms": after_ms,
        "created_before_ms": before_ms,
        "max_results": integer(params, "maxResults"),
        "next_token": string(params, "nextToken"),
    }
