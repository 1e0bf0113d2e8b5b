"""Scenario data checked against the shipped scenario JSON Schema with the ``jsonschema``
library (a validator independent of the loader, which reads the same schema)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

from jsonschema import Draft202012Validator

from mock_ecs_deployments.scenarios.schema import scenario_schema


@functools.cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(scenario_schema())


def schema_errors(data: object) -> list[str]:
    """What the schema refuses in ``data`` (empty when it is valid), each as
    ``path: message``."""
    return [
        f"{error.json_path}: {error.message}"
        for error in sorted(validator().iter_errors(data), key=lambda e: e.json_path)
    ]


def assert_valid_scenario(data: Mapping[str, object] | Sequence[object]) -> None:
    """Fail with every error when ``data`` is not a scenario the schema allows."""
    errors = schema_errors(data)
    assert not errors, "\n".join(errors)
