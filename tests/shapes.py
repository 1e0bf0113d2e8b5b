"""Checks a parsed botocore response against the operation's output shape, enums included.

botocore's parser does not check enum values or unknown members; these checks make a mock that
drifts from the service model fail the test that exercised it.
"""

from __future__ import annotations

import datetime
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from mock_ecs_deployments.engine.model.service_model import operation_model

_RESPONSE_METADATA = "ResponseMetadata"


def check_output(operation: str, parsed: dict[str, Any]) -> None:
    """Raise ``AssertionError`` naming the path of anything the output shape does not allow."""
    shape = operation_model(operation).output_shape
    body = {key: value for key, value in parsed.items() if key != _RESPONSE_METADATA}
    _check(shape, body, operation)


def _check(shape: Shape, value: Any, path: str) -> None:
    assert value is not None, f"{path}: null value (absent members must be left out)"
    if isinstance(shape, StructureShape):
        assert isinstance(value, dict), f"{path}: expected a structure, got {value!r}"
        unknown = set(value) - set(shape.members)
        assert not unknown, f"{path}: members not in {shape.name}: {sorted(unknown)}"
        for name in shape.required_members:
            assert name in value, f"{path}: required member {name} missing"
        for name, member_value in value.items():
            _check(shape.members[name], member_value, f"{path}.{name}")
    elif isinstance(shape, ListShape):
        assert isinstance(value, list), f"{path}: expected a list, got {value!r}"
        for index, item in enumerate(value):
            _check(shape.member, item, f"{path}[{index}]")
    elif isinstance(shape, MapShape):
        assert isinstance(value, dict), f"{path}: expected a map, got {value!r}"
        for key, item in value.items():
            _check(shape.key, key, f"{path} key")
            _check(shape.value, item, f"{path}[{key!r}]")
    elif shape.type_name == "string":
        assert isinstance(value, str), f"{path}: expected a string, got {value!r}"
        if shape.enum:
            assert value in shape.enum, f"{path}: {value!r} is not one of {shape.enum}"
    elif shape.type_name == "timestamp":
        assert isinstance(value, datetime.datetime), f"{path}: expected a timestamp"
        assert value.microsecond % 1000 == 0, f"{path}: finer than milliseconds: {value}"
    elif shape.type_name in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), f"{path}: not an int"
    elif shape.type_name == "boolean":
        assert isinstance(value, bool), f"{path}: expected a boolean, got {value!r}"
    elif shape.type_name in ("double", "float"):
        assert isinstance(value, int | float), f"{path}: expected a number, got {value!r}"
