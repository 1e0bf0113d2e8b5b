"""The facts a test author's mistake carries as attributes: ``SeedingError.field``,
``.problem``, ``.value`` and ``.allowed``, and ``ScenarioError.source``, ``.field`` and
``.problem``, each located by structure rather than read back from a message."""

from __future__ import annotations

import inspect
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from mock_ecs_deployments import (
    ScenarioError,
    SeedingError,
    SeedingTypeError,
    ServiceDeploymentBackend,
    ServiceDeploymentsMock,
    mock_service_deployments,
)
from mock_ecs_deployments.engine.model.service_model import deployment_statuses, enum_values

UTC = timezone.utc
BASE = datetime(2025, 5, 6, 7, 8, 9, tzinfo=UTC)
OUTCOMES = ("SUCCESSFUL", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED", "STOPPED")
PAUSE_HOOK = {"targetType": "PAUSE", "lifecycleStages": ["PRE_SCALE_UP"]}


def _message_is_built_from(error: SeedingError) -> None:
    assert str(error) == f"{error.field}: {error.problem}"
    assert not error.problem.startswith(f"{error.field}:"), "the location is not in the problem"


# -- SeedingError from the seeding API ---------------------------------------------------------


def test_an_unknown_status_names_the_field_the_value_and_the_allowed_values(
    backend: ServiceDeploymentBackend,
) -> None:
    with pytest.raises(SeedingError) as excinfo:
        backend.add_deployment(service="web", status="DONE")
    error = excinfo.value
    assert (error.field, error.value) == ("status", "DONE")
    assert error.allowed == tuple(deployment_statuses())
    assert error.problem == f"'DONE' is not allowed; allowed values: {', '.join(error.allowed)}"
    _message_is_built_from(error)
    assert isinstance(error, ValueError)
    assert not isinstance(error, TypeError), "a bad value is not a wrong type"


@pytest.mark.parametrize(
    ("hooks", "field"),
    [
        (
            [{"targetType": "EMAIL", "lifecycleStages": ["PRE_SCALE_UP"]}],
            "deployment_configuration.lifecycleHooks[0].targetType",
        ),
        (
            [PAUSE_HOOK, {"targetType": "EMAIL", "lifecycleStages": ["PRE_SCALE_UP"]}],
            "deployment_configuration.lifecycleHooks[1].targetType",
        ),
    ],
)
def test_a_bad_hook_target_type_deep_in_the_configuration_is_located(
    backend: ServiceDeploymentBackend, hooks: list[dict[str, Any]], field: str
) -> None:
    with pytest.raises(SeedingError) as excinfo:
        backend.add_service(service="web", deployment_configuration={"lifecycleHooks": hooks})
    error = excinfo.value
    assert (error.field, error.value) == (field, "EMAIL")
    assert error.allowed == tuple(enum_values("DeploymentLifecycleHookTargetType"))
    assert "PAUSE" in error.allowed
    _message_is_built_from(error)


def test_a_hook_timeout_out_of_range_names_the_nested_field(
    backend: ServiceDeploymentBackend,
) -> None:
    hook = {**PAUSE_HOOK, "timeoutConfiguration": {"timeoutInMinutes": 0}}
    with pytest.raises(SeedingError) as excinfo:
        backend.add_deployment(service="web", deployment_configuration={"lifecycleHooks": [hook]})
    error = excinfo.value
    assert error.field == (
        "deployment_configuration.lifecycleHooks[0].timeoutConfiguration.timeoutInMinutes"
    )
    assert (error.value, error.allowed) == (0, ())
    assert error.problem == "0 is not allowed; allowed: 1 to 20160"


@pytest.mark.parametrize(
    ("hook", "field"),
    [
        ({**PAUSE_HOOK, "timeoutConfiguration": 5}, "lifecycleHooks[0].timeoutConfiguration"),
        ({**PAUSE_HOOK, "lifecycleStages": "PRE_SCALE_UP"}, "lifecycleHooks[0].lifecycleStages"),
    ],
)
def test_a_hook_part_of_the_wrong_type_is_a_seeding_type_error(
    backend: ServiceDeploymentBackend, hook: dict[str, Any], field: str
) -> None:
    with pytest.raises(SeedingError) as excinfo:
        backend.add_service(service="web", deployment_configuration={"lifecycleHooks": [hook]})
    assert isinstance(excinfo.value, TypeError)
    assert excinfo.value.field == f"deployment_configuration.{field}"


def test_an_unknown_configuration_key_lists_the_model_s_keys(
    backend: ServiceDeploymentBackend,
) -> None:
    with pytest.raises(SeedingError) as excinfo:
        backend.add_service(service="web", deployment_configuration={"maximumPercent": 200, "x": 1})
    error = excinfo.value
    assert (error.field, error.value) == ("deployment_configuration", ["x"])
    assert "maximumPercent" in error.allowed
    assert "lifecycleHooks" in error.allowed


def test_a_bad_plan_field_is_named_as_the_caller_wrote_it(
    mock: ServiceDeploymentsMock, backend: ServiceDeploymentBackend
) -> None:
    with pytest.raises(SeedingError) as queued:
        backend.plan_next_deployment(service="web", outcome="DONE")
    with pytest.raises(SeedingError) as mapped:
        backend.add_deployment(service="web", plan={"outcome": "DONE"})
    with pytest.raises(SeedingError) as started:
        backend.start_deployment(service="web", plan={"outcome": "DONE"})
    with pytest.raises(SeedingError) as default:
        mock.plan_deployments(outcome="DONE")
    assert [error.field for error in (queued.value, default.value)] == ["outcome", "outcome"]
    assert [error.field for error in (mapped.value, started.value)] == [
        "plan.outcome",
        "plan.outcome",
    ]
    for excinfo in (queued, mapped, started, default):
        error = excinfo.value
        assert (error.value, error.allowed) == ("DONE", OUTCOMES)
        assert error.problem == queued.value.problem
        _message_is_built_from(error)


@pytest.mark.parametrize(
    ("plan", "field", "wrong_type"),
    [
        ({"in_progress_for": "1m"}, "plan.in_progress_for", True),
        ({"pending_for": -1}, "plan.pending_for", False),
        ({"rollback_for": float("inf")}, "plan.rollback_for", False),
        ({"reason": 42}, "plan.reason", True),
        ({"outcome": "SUCCESSFUL", "wait_for": 1}, "plan", False),
        ("SUCCESSFUL", "plan", True),
    ],
)
def test_a_plan_mapping_s_mistakes_keep_their_class_under_plan(
    backend: ServiceDeploymentBackend, plan: Any, field: str, wrong_type: bool
) -> None:
    with pytest.raises(SeedingError) as excinfo:
        backend.add_deployment(service="web", plan=plan)
    assert excinfo.value.field == field
    assert isinstance(excinfo.value, TypeError) is wrong_type
    _message_is_built_from(excinfo.value)


@pytest.mark.parametrize(
    ("arguments", "field", "value"),
    [
        ({"created_at": "2025-01-01T00:00:00Z"}, "created_at", "2025-01-01T00:00:00Z"),
        ({"status_reason": 42}, "status_reason", 42),
        ({"service": 42}, "service", 42),
        ({"cluster": ["prod"]}, "cluster", ["prod"]),
        ({"container_images": "nginx"}, "container_images", "nginx"),
    ],
)
def test_a_wrong_type_is_both_a_seeding_error_and_a_type_error(
    backend: ServiceDeploymentBackend, arguments: dict[str, Any], field: str, value: Any
) -> None:
    with pytest.raises(TypeError) as excinfo:
        backend.add_deployment(**{"service": "web", **arguments})
    error = excinfo.value
    assert isinstance(error, SeedingError)
    assert isinstance(error, ValueError)
    assert (error.field, error.value) == (field, value)
    _message_is_built_from(error)


def test_a_bad_list_item_is_named_by_its_index(backend: ServiceDeploymentBackend) -> None:
    images = [{"containerName": "app", "image": "nginx"}, {"containerName": "sidecar"}]
    with pytest.raises(SeedingError) as excinfo:
        backend.add_deployment(service="web", container_images=images)
    assert excinfo.value.field == "container_images[1]"
    assert excinfo.value.value == {"containerName": "sidecar"}
    assert not isinstance(excinfo.value, TypeError)


def test_a_mistake_between_fields_has_no_single_value(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(SeedingError) as excinfo:
        backend.add_deployment(
            service="web", created_at=BASE, finished_at=BASE - timedelta(seconds=1)
        )
    error = excinfo.value
    assert (error.field, error.problem) == ("finished_at", "earlier than created_at")
    assert (error.value, error.allowed) == (None, ())


def test_a_cluster_that_differs_from_the_service_arn_names_the_arn(
    backend: ServiceDeploymentBackend,
) -> None:
    service_arn = "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
    with pytest.raises(SeedingError) as excinfo:
        backend.add_deployment(service=service_arn, cluster="other")
    assert (excinfo.value.field, excinfo.value.value) == ("cluster", "other")
    assert excinfo.value.problem.endswith(f"in the service ARN {service_arn!r}")


def test_start_deployment_checks_its_task_definition(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(SeedingError) as excinfo:
        backend.start_deployment(service="web", task_definition=42)  # type: ignore[arg-type]
    assert (excinfo.value.field, excinfo.value.value) == ("task_definition", 42)


# -- SeedingError.within ------------------------------------------------------------------------


def test_within_locates_the_error_under_a_parent_and_keeps_its_facts() -> None:
    error = SeedingError("outcome", "'DONE' is not allowed", value="DONE", allowed=("A", "B"))
    located = error.within("plan")
    assert type(located) is SeedingError
    assert (located.field, located.problem) == ("plan.outcome", error.problem)
    assert (located.value, located.allowed) == ("DONE", ("A", "B"))
    assert str(located) == "plan.outcome: 'DONE' is not allowed"
    assert error.field == "outcome", "the original is left as it was"
    assert SeedingError("[2].image", "missing").within("container_images").field == (
        "container_images[2].image"
    )


def test_within_keeps_the_type_error_class(backend: ServiceDeploymentBackend) -> None:
    with pytest.raises(SeedingError) as excinfo:
        backend.add_deployment(service="web", created_at="today")  # type: ignore[arg-type]
    located = excinfo.value.within("services[0].deployments[3]")
    assert type(located) is type(excinfo.value)
    assert isinstance(located, TypeError)
    assert located.field == "services[0].deployments[3].created_at"


# -- ScenarioError --------------------------------------------------------------------------------


def _write(directory: Path, text: str) -> Path:
    path = directory / "scenario.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_bad_status_in_a_file_s_second_deployment(
    mock: ServiceDeploymentsMock, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        """
        services:
          - service: web
            deployments:
              - {status: SUCCESSFUL}
              - {status: DONE}
        """,
    )
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario(path)
    error = excinfo.value
    allowed = ", ".join(deployment_statuses())
    assert (error.source, error.field) == (str(path), "services[0].deployments[1].status")
    assert error.problem == f"'DONE' is not allowed; allowed values: {allowed}"
    assert (error.line, error.column, error.copy) == (None, None, None)
    assert str(error) == (
        f"{path}: services[0].deployments[1].status: 'DONE' is not allowed; allowed values:"
        f" {allowed}"
    )
    cause = error.__cause__
    assert isinstance(cause, SeedingError)
    assert (cause.field, cause.value) == ("status", "DONE")
    assert not mock.backend().services, "nothing of a bad scenario is loaded"


@pytest.mark.parametrize(
    ("service", "field"),
    [
        (
            {
                "service": "web",
                "deployment_configuration": {
                    "lifecycleHooks": [PAUSE_HOOK, {"targetType": "EMAIL"}]
                },
            },
            "services[0].deployment_configuration.lifecycleHooks[1].targetType",
        ),
        (
            {"service": "web", "deployments": [{}, {"plan": {"reason": 42}}]},
            "services[0].deployments[1].plan.reason",
        ),
        (
            {"service": "web", "deployments": [{"container_images": [{"image": "nginx"}]}]},
            "services[0].deployments[0].container_images[0]",
        ),
    ],
)
def test_a_scenario_locates_a_nested_seeding_field(
    mock: ServiceDeploymentsMock, service: dict[str, Any], field: str
) -> None:
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario({"services": [service]})
    error = excinfo.value
    cause = error.__cause__
    assert isinstance(cause, SeedingError)
    assert error.field == field
    assert error.problem == cause.problem
    assert str(error) == f"<mapping>: {field}: {cause.problem}"


def test_a_repeated_entry_s_copy_is_an_attribute(mock: ServiceDeploymentsMock) -> None:
    entry = {"repeat": 4, "every": "1h", "created_at": "-1d", "plan": {"outcome": "DONE"}}
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario({"services": [{"service": "web", "deployments": [{}, entry]}]})
    error = excinfo.value
    assert error.field == "services[0].deployments[1].plan.outcome"
    assert error.copy == (1, 4)
    assert error.problem.startswith("'DONE' is not allowed")
    assert str(error).endswith(f"{error.problem} (copy 1 of 4)")


def test_a_plain_error_message_is_never_read_for_a_location(
    mock: ServiceDeploymentsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a SeedingError's ``field`` locates a mistake: a message that merely looks like
    ``field: problem`` stays whole, at the entry."""
    original = ServiceDeploymentBackend.add_deployment

    def add_deployment(self: ServiceDeploymentBackend, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("status: looks like a field, but is not located by one")

    add_deployment.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    monkeypatch.setattr(ServiceDeploymentBackend, "add_deployment", add_deployment)
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario(
            {"services": [{"service": "web", "deployments": [{"status": "PENDING"}]}]}
        )
    error = excinfo.value
    assert error.field == "services[0].deployments[0]"
    assert error.problem == "status: looks like a field, but is not located by one"


def test_a_seeding_error_is_located_by_its_field_whatever_its_problem_says(
    mock: ServiceDeploymentsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = ServiceDeploymentBackend.add_service

    def add_service(self: ServiceDeploymentBackend, *args: Any, **kwargs: Any) -> Any:
        raise SeedingError("load_balancers[1].targetGroupArn", "status: not: a location")

    add_service.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    monkeypatch.setattr(ServiceDeploymentBackend, "add_service", add_service)
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario({"services": [{"service": "web"}]})
    error = excinfo.value
    assert error.field == "services[0].load_balancers[1].targetGroupArn"
    assert error.problem == "status: not: a location"


def test_a_syntax_error_carries_its_line_and_column(
    mock: ServiceDeploymentsMock, tmp_path: Path
) -> None:
    path = _write(tmp_path, "services:\n  - service: web\n    service: api\n")
    with pytest.raises(ScenarioError) as excinfo:
        mock.load_scenario(path)
    error = excinfo.value
    assert (error.source, error.field, error.line, error.column) == (str(path), "", 3, 5)
    assert error.problem == "invalid YAML: the key 'service' is given twice"
    assert str(error) == f"{path}: line 3, column 5: {error.problem}"


def test_a_source_of_the_wrong_type_is_a_seeding_type_error(mock: ServiceDeploymentsMock) -> None:
    with pytest.raises(SeedingError) as excinfo:
        mock.load_scenario(42)  # type: ignore[arg-type]
    assert isinstance(excinfo.value, TypeError)
    assert (excinfo.value.field, excinfo.value.value) == ("source", 42)


def test_a_relative_time_in_python_seeding_says_where_it_belongs() -> None:
    with mock_service_deployments() as mock, pytest.raises(SeedingTypeError) as caught:
        mock.backend().add_deployment(service="web", created_at="-1d")
    assert caught.value.field == "created_at"
    assert caught.value.value == "-1d"
    assert "relative times such as '-2h' and 'now' belong to scenario files" in str(caught.value)


def test_start_deployment_refuses_a_revision_id_the_service_has_and_changes_nothing(
    backend: ServiceDeploymentBackend,
) -> None:
    first = backend.start_deployment("web", "prod", revision_id=7)
    ongoing = backend.start_deployment("web", "prod", revision_id=8, plan={"in_progress_for": 60})
    with pytest.raises(SeedingError) as raised:
        backend.start_deployment("web", "prod", revision_id=7)
    assert (raised.value.field, raised.value.value) == ("revision_id", 7)
    assert str(raised.value) == "revision_id: 7 is a revision of 'web' already"
    service = backend.services[("prod", "web")]
    assert [d.arn for d in service.deployments] == [first.arn, ongoing.arn]
    assert service.revisions[7] is first.target_revision
    assert ongoing.status == "IN_PROGRESS"  # not superseded by the refused one
