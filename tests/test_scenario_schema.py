"""The scenario JSON Schema and the loader agree, both ways: every key the schema allows at
each level of a scenario loads (in files built from the schema's own examples), every key it
does not allow is refused by the loader with a ``ScenarioError`` naming it, and so is every
value outside one of its enums. The schema also agrees with the seeding API it describes
(``add_service``, ``DeploymentSnapshot``, plans, hooks, botocore's model), is a valid draft
2020-12 schema that ships with the package, and accepts the shipped example scenarios."""

from __future__ import annotations

import copy
import inspect
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from mock_ecs_deployments import ScenarioError, ServiceDeploymentBackend
from mock_ecs_deployments.engine.deployments.lifecycle import OUTCOMES, make_plan
from mock_ecs_deployments.engine.model.service_model import (
    deployment_statuses,
    ecs_model,
    enum_values,
)
from mock_ecs_deployments.engine.model.validation import DEPLOYMENT_CONTROLLERS, LAUNCH_TYPES
from mock_ecs_deployments.engine.seeding.restoring import HOOK_DETAIL_KEYS, PLAN_STATUSES
from mock_ecs_deployments.engine.seeding.snapshot import AUTHORED_FIELDS, SNAPSHOT_FIELDS
from mock_ecs_deployments.scenarios import schema
from mock_ecs_deployments.scenarios.loader import MAX_REPEAT, build_scenario
from mock_ecs_deployments.scenarios.schema import scenario_schema, schema_path

from .schema_checks import assert_valid_scenario, schema_errors
from .strategies import PAUSE_CONFIGURATION

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "scenarios").glob("*.yaml"))
EARLIER = "2025-01-10T08:00:00Z"
LINEAR = {"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 25.0}}
# What a key needs beside it to load: the others it is only allowed with.
COMPANIONS: dict[str, dict[str, dict[str, Any]]] = {
    "deployment": {
        "started_at": {"created_at": EARLIER},
        "finished_at": {"created_at": EARLIER},
        "updated_at": {"created_at": EARLIER},
        "rollback_started_at": {"created_at": EARLIER, "status": "ROLLBACK_SUCCESSFUL"},
        "never_started": {"status": "STOPPED"},
        "plan_status": {"plan": {}},
        "production_traffic_weight": {
            "plan": {},
            "plan_status": "IN_PROGRESS",
            "lifecycle_stage": "PRODUCTION_TRAFFIC_SHIFT",
            "deployment_configuration": LINEAR,
        },
        "repeat": {"every": "6h", "created_at": EARLIER},
        "every": {"repeat": 2, "created_at": EARLIER},
    },
}
COMPANIONS["document"] = {
    # A daemon runs a daemon task definition the scenario registers.
    "daemons": {
        "daemon_task_definitions": [
            {"family": "log-agent", "images": [{"name": "a", "image": "b"}]}
        ]
    },
}
COMPANIONS["service"] = {
    # A task names a revision of one of the service's deployments.
    "tasks": {"deployments": [{"revision_id": 1485800978477494678, "created_at": EARLIER}]},
}
LEVELS = ("document", "service", "deployment", "plan", "lifecycleHookDetail")


# Scenarios are checked by loading them: every test here runs with the plugin's mock started.
pytestmark = pytest.mark.usefixtures("service_deployments")


def _definitions() -> Mapping[str, Any]:
    return scenario_schema()["$defs"]  # type: ignore[return-value]


def _properties(level: str) -> Mapping[str, Any]:
    return _definitions()[level]["properties"]  # type: ignore[no-any-return]


def _resolved(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """``node`` and the definitions it refers to (directly or through ``anyOf``)."""
    found = [node]
    if "$ref" in node:
        found += _resolved(_definitions()[node["$ref"].removeprefix("#/$defs/")])
    for branch in node.get("anyOf", ()):
        found += _resolved(branch)
    return found


def _example(level: str, key: str) -> Any:
    """The first example the schema gives for ``key`` at ``level`` (or its definition's)."""
    for node in _resolved(_properties(level)[key]):
        if node.get("examples"):
            return copy.deepcopy(node["examples"][0])
    raise AssertionError(f"the schema gives no example for {level}.{key}")


def _enum(level: str, key: str) -> tuple[str, ...] | None:
    for node in _resolved(_properties(level)[key]):
        if "enum" in node:
            return tuple(value for value in node["enum"] if value is not None)
    return None


def _scenario(level: str, entry: dict[str, Any]) -> tuple[Any, str]:
    """A scenario with ``entry`` at ``level``, and the path of that entry in it."""
    deployment_path = "services[0].deployments[0]"
    if level == "document":
        return entry, ""
    if level == "service":
        return {"services": [entry]}, "services[0]"
    if level == "deployment":
        return {"services": [{"service": "web", "deployments": [entry]}]}, deployment_path
    if level == "plan":
        deployment = {"plan": entry}
        return {"services": [{"service": "web", "deployments": [deployment]}]}, (
            f"{deployment_path}.plan"
        )
    deployment = {
        "deployment_configuration": PAUSE_CONFIGURATION,
        "lifecycle_hook_details": [entry],
    }
    return {"services": [{"service": "web", "deployments": [deployment]}]}, (
        f"{deployment_path}.lifecycle_hook_details[0]"
    )


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _minimal(level: str) -> dict[str, Any]:
    """An entry at ``level`` with only the keys it requires."""
    return {
        "document": {"services": []},
        "service": {"service": "web"},
        "deployment": {},
        "plan": {},
        "lifecycleHookDetail": {"hook_id": "ecs-pause-1", "status": "SUCCEEDED"},
    }[level]


def _allowed() -> Iterator[Any]:
    for level in LEVELS:
        for key in _properties(level):
            yield pytest.param(level, key, id=f"{level}.{key}")


def _api_names() -> set[str]:
    """The names the seeding API takes: keys a loader reading it rather than the schema
    would let through."""
    backend = ServiceDeploymentBackend
    methods = (backend.add_service, backend.add_deployment, backend.start_deployment)
    names = {name for method in methods for name in inspect.signature(method).parameters}
    return (names | set(SNAPSHOT_FIELDS) | set(inspect.signature(make_plan).parameters)) - {"self"}


def _refused() -> Iterator[Any]:
    """At each level: a made-up key, a key in the wrong case, and every key of the other
    levels and of the seeding API that the schema does not give this level."""
    candidates = {key for level in LEVELS for key in _properties(level)} | _api_names()
    for level in LEVELS:
        others = sorted(candidates - set(_properties(level)))
        for key in ["not_a_key", "Status", *others]:
            yield pytest.param(level, key, id=f"{level}.{key}")


# -- the schema and the loader, both ways --------------------------------------------------------


@pytest.mark.parametrize(("level", "key"), list(_allowed()))
def test_every_key_the_schema_allows_loads(level: str, key: str) -> None:
    entry = {**_minimal(level), **COMPANIONS.get(level, {}).get(key, {})}
    entry[key] = _example(level, key)
    data, _ = _scenario(level, entry)
    assert_valid_scenario(data)
    built = build_scenario(data)
    assert built.services or level == "document"


@pytest.mark.parametrize(("level", "key"), list(_refused()))
def test_every_key_the_schema_does_not_allow_is_refused_by_name(level: str, key: str) -> None:
    entry = {**_minimal(level), key: None}
    data, path = _scenario(level, entry)
    assert schema_errors(data), f"the schema takes {key!r} at {level}"
    with pytest.raises(ScenarioError) as refused:
        build_scenario(data)
    error = refused.value
    # Refused as a key it does not know (not for its value): named in the field's path, or in
    # the problem when the engine checks that mapping's keys (a plan's, a hook's).
    assert error.problem.startswith("unknown "), error
    assert error.field == _join(path, key) or (error.field == path and key in error.problem), error


@pytest.mark.parametrize("level", LEVELS)
def test_a_required_key_left_out_is_refused_by_both(level: str) -> None:
    required = _definitions()[level].get("required", [])
    for key in required:
        entry = {k: v for k, v in _minimal(level).items() if k != key}
        data, _ = _scenario(level, entry)
        assert schema_errors(data)
        with pytest.raises(ScenarioError, match=key):
            build_scenario(data)


def _enumerated() -> Iterator[Any]:
    for level in LEVELS:
        for key in _properties(level):
            if _enum(level, key) is not None:
                yield pytest.param(level, key, id=f"{level}.{key}")


@pytest.mark.parametrize(("level", "key"), list(_enumerated()))
def test_a_value_outside_an_enum_is_refused_naming_the_schema_s_values(
    level: str, key: str
) -> None:
    entry = {**_minimal(level), **COMPANIONS.get(level, {}).get(key, {}), key: "NOT_A_VALUE"}
    data, path = _scenario(level, entry)
    assert schema_errors(data)
    with pytest.raises(ScenarioError) as refused:
        build_scenario(data)
    allowed = ", ".join(_enum(level, key) or ())
    assert refused.value.field == _join(path, key)
    assert refused.value.problem == f"'NOT_A_VALUE' is not allowed; allowed values: {allowed}"


# -- the schema and the seeding API it describes -------------------------------------------------


def test_service_keys_are_add_service_s_parameters_and_deployments() -> None:
    parameters = list(inspect.signature(ServiceDeploymentBackend.add_service).parameters)[1:]
    restored = list(inspect.signature(ServiceDeploymentBackend.restore_tasks).parameters)[3:]
    assert list(_properties("service")) == [*parameters, "deployments", *restored]
    assert _definitions()["service"]["required"] == ["service"]


def test_deployment_keys_are_the_snapshot_s_fields_then_repeat_and_every() -> None:
    fields = [name for name in SNAPSHOT_FIELDS if name not in ("service", "cluster")]
    assert list(_properties("deployment")) == [*fields, "repeat", "every"]
    parameters = list(inspect.signature(ServiceDeploymentBackend.add_deployment).parameters)[1:]
    assert parameters == list(AUTHORED_FIELDS)


def test_plan_and_hook_keys_are_the_engine_s() -> None:
    assert list(_properties("plan")) == list(inspect.signature(make_plan).parameters)
    assert tuple(_properties("lifecycleHookDetail")) == HOOK_DETAIL_KEYS


@pytest.mark.parametrize(
    ("level", "key", "values"),
    [
        ("deployment", "status", deployment_statuses()),
        ("deployment", "plan_status", PLAN_STATUSES),
        ("deployment", "lifecycle_stage", enum_values("ServiceDeploymentLifecycleStage")),
        ("deployment", "launch_type", LAUNCH_TYPES),
        ("service", "launch_type", LAUNCH_TYPES),
        ("service", "deployment_controller", DEPLOYMENT_CONTROLLERS),
        ("plan", "outcome", OUTCOMES),
        ("lifecycleHookDetail", "status", enum_values("DeploymentLifecycleHookStatus")),
        ("deploymentConfiguration", "strategy", enum_values("DeploymentStrategy")),
    ],
)
def test_enums_are_the_engine_s(level: str, key: str, values: tuple[str, ...]) -> None:
    assert _enum(level, key) == tuple(values)


def test_deployment_configuration_keys_and_hook_enums_are_botocore_s() -> None:
    configuration = _properties("deploymentConfiguration")
    shape: Any = ecs_model().shape_for("DeploymentConfiguration")
    assert set(configuration) == set(shape.members)
    hook = configuration["lifecycleHooks"]["items"]["properties"]
    assert tuple(hook["targetType"]["enum"]) == enum_values("DeploymentLifecycleHookTargetType")
    stages = hook["lifecycleStages"]["items"]["enum"]
    assert tuple(stages) == enum_values("DeploymentLifecycleHookStage")
    action = hook["timeoutConfiguration"]["properties"]["action"]["enum"]
    assert tuple(action) == enum_values("DeploymentLifecycleHookAction")


def test_repeat_s_bounds_are_the_loader_s() -> None:
    repeat = _properties("deployment")["repeat"]
    assert (repeat["minimum"], repeat["maximum"]) == (1, MAX_REPEAT)


# -- the file itself -----------------------------------------------------------------------------


def test_the_schema_is_draft_2020_12_with_titles_and_descriptions() -> None:
    data = scenario_schema()
    Draft202012Validator.check_schema(data)
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for level in LEVELS:
        definition = _definitions()[level]
        assert definition["title"] and definition["description"], level
        assert definition["additionalProperties"] is False, level
        for key, node in definition["properties"].items():
            described = any("description" in found for found in _resolved(node))
            assert described, f"{level}.{key} has no description"


def test_the_schema_ships_with_the_package() -> None:
    path = schema_path()
    assert path.name == "scenario.schema.json" and path.is_file()
    assert path.parent == Path(schema.__file__).parent
    setup = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    assert "scenarios/scenario.schema.json" in setup
    printed = subprocess.run(
        [sys.executable, "-m", "mock_ecs_deployments.scenarios.schema"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert printed.stdout == f"{path}\n"


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_the_shipped_examples_are_valid(path: Path) -> None:
    assert_valid_scenario(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_a_file_may_name_its_schema_for_an_editor(tmp_path: Path) -> None:
    path = tmp_path / "rollback.yaml"
    path.write_text(
        f"# yaml-language-server: $schema={schema_path()}\n"
        "services:\n  - service: web\n    deployments: [{status: SUCCESSFUL}]\n",
        encoding="utf-8",
    )
    (service,) = build_scenario(path).services
    assert [deployment.status for deployment in service.deployments] == ["SUCCESSFUL"]
