"""The public surface: every name the package exports, and every public callable of its
modules, says what a caller may rely on."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

import mock_ecs_deployments

# Methods whose meaning is the language's or a base class's, documented there.
_INHERITED_MEANING = frozenset(
    {"__init__", "__enter__", "__exit__", "__call__", "__getattr__", "__dir__", "__missing__"}
)


def _modules() -> Iterator[Any]:
    yield mock_ecs_deployments
    for info in pkgutil.walk_packages(mock_ecs_deployments.__path__, "mock_ecs_deployments."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            yield importlib.import_module(info.name)


def _public_callables() -> Iterator[tuple[str, Any]]:
    for module in _modules():
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(value):
                yield f"{module.__name__}.{name}", value
                for member, attribute in vars(value).items():
                    if member.startswith("_") or member in _INHERITED_MEANING:
                        continue
                    function = attribute.fget if isinstance(attribute, property) else attribute
                    function = getattr(function, "__func__", function)
                    if inspect.isfunction(function):
                        yield f"{module.__name__}.{name}.{member}", function
            elif inspect.isfunction(value):
                yield f"{module.__name__}.{name}", value


def test_every_public_callable_has_a_docstring() -> None:
    missing = [name for name, value in _public_callables() if not inspect.getdoc(value)]
    assert missing == []


def test_every_exported_name_resolves_and_is_documented() -> None:
    for name in mock_ecs_deployments.__all__:
        value = getattr(mock_ecs_deployments, name)
        if name != "__version__" and not isinstance(value, dict):
            assert inspect.getdoc(value), name
    assert {"Plan", "Call", "SeedingError", "active_mock"} <= set(mock_ecs_deployments.__all__)
    assert sorted(dir(mock_ecs_deployments)) == sorted(set(dir(mock_ecs_deployments)))


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        mock_ecs_deployments.no_such_name  # noqa: B018
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("no AttributeError")
