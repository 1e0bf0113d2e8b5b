"""The scenario format, declared once: the JSON Schema (draft 2020-12) shipped beside this
module as ``scenario.schema.json``, which editors read to complete and check a scenario file,
and which the loader reads for the keys each mapping of a scenario may have, those it requires,
and which of them hold times, durations or further mappings.

``python -m mock_ecs_deployments.scenarios.schema`` prints the schema's path.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SCHEMA_FILE = "scenario.schema.json"
#: The kinds of value :attr:`Shape.kinds` names besides a nested shape.
TIME, DURATION = "time", "duration"
_REF_PREFIX = "#/$defs/"


def schema_path() -> Path:
    """The path of the scenario JSON Schema, for an editor's settings or a file's
    ``# yaml-language-server: $schema=<path>`` line."""
    return Path(__file__).with_name(SCHEMA_FILE)


@functools.cache
def scenario_schema() -> Mapping[str, object]:
    """The scenario JSON Schema, parsed (read once)."""
    data: object = json.loads(schema_path().read_text(encoding="utf-8"))
    return _object(data, SCHEMA_FILE)


@dataclass(frozen=True, slots=True)
class Shape:
    """What the schema says of one kind of mapping in a scenario (a ``$defs`` entry with
    ``properties``).

    :ivar name: its name under ``$defs`` (``document``, ``service``, ``deployment``, ``plan``
        ...).
    :ivar keys: the keys it may have, in the schema's order (the order errors list them in).
    :ivar required: the keys it must have.
    :ivar closed: whether a key outside :attr:`keys` is refused (``additionalProperties:
        false``).
    :ivar kinds: for a key whose value is read rather than passed on as it is: ``time``,
        ``duration``, or the name of the shape of the mapping (or of each mapping of the list)
        it holds.
    """

    name: str
    keys: tuple[str, ...]
    required: frozenset[str]
    closed: bool
    kinds: Mapping[str, str]


@functools.cache
def shape(name: str) -> Shape:
    """The shape the schema declares as ``$defs/<name>``.

    :raises KeyError: no such definition, or one without ``properties``.
    """
    definition = _definition(name)
    properties = _object(definition.get("properties"), f"{name}.properties")
    kinds = {}
    for key, value in properties.items():
        kind = _kind(_object(value, f"{name}.properties.{key}"))
        if kind is not None:
            kinds[key] = kind
    required = definition.get("required", [])
    return Shape(
        name=name,
        keys=tuple(properties),
        required=frozenset(str(key) for key in _list(required, f"{name}.required")),
        closed=definition.get("additionalProperties") is False,
        kinds=kinds,
    )


def pattern(name: str) -> re.Pattern[str]:
    """The ``pattern`` of ``$defs/<name>``, compiled."""
    value = _definition(name).get("pattern")
    if not isinstance(value, str):
        raise KeyError(f"$defs/{name} has no pattern")
    return re.compile(value)


def bound(name: str, key: str, which: str) -> int:
    """An integer bound (``minimum``, ``maximum``) of the property ``key`` of ``$defs/<name>``."""
    properties = _object(_definition(name).get("properties"), f"{name}.properties")
    value = _object(properties.get(key), f"{name}.properties.{key}").get(which)
    if isinstance(value, bool) or not isinstance(value, int):
        raise KeyError(f"$defs/{name}.{key} has no integer {which}")
    return value


def _definition(name: str) -> Mapping[str, object]:
    definitions = _object(scenario_schema().get("$defs"), "$defs")
    if name not in definitions:
        raise KeyError(f"the scenario schema defines no {name!r}")
    return _object(definitions[name], f"$defs/{name}")


def _kind(property_schema: Mapping[str, object]) -> str | None:
    """``time``, ``duration`` or the shape a property refers to (directly, through one branch
    of ``anyOf``, or through its ``items``); ``None`` for a value passed on as it is."""
    for reference in _references(property_schema):
        name = reference.removeprefix(_REF_PREFIX)
        if name in (TIME, DURATION):
            return name
        if "properties" in _definition(name):
            return name
    return None


def _references(node: Mapping[str, object]) -> list[str]:
    found = []
    reference = node.get("$ref")
    if isinstance(reference, str) and reference.startswith(_REF_PREFIX):
        found.append(reference)
    for branch in _list(node.get("anyOf", []), "anyOf"):
        if isinstance(branch, Mapping):
            found.extend(_references(branch))
    items = node.get("items")
    if isinstance(items, Mapping):
        found.extend(_references(items))
    return found


def _object(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise KeyError(f"the scenario schema's {where} is not an object")
    return value


def _list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise KeyError(f"the scenario schema's {where} is not a list")
    return value


if __name__ == "__main__":  # pragma: no cover - a one-line convenience for editors' settings
    print(schema_path())
