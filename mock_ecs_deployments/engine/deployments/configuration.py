"""``deploymentConfiguration``: checking what a service is given, and the lifecycle hooks it
holds (their stages, targets and timeouts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..model.service_model import ecs_model, enum_values
from ..model.validation import SeedingError, SeedingTypeError, as_mapping, choice, known_keys
from . import strategies

PAUSE_FORBIDDEN_STAGES = frozenset({"TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"})
PAUSE_TIMEOUT_MINUTES = (1, 20160)
PAUSE_DEFAULT_TIMEOUT_MINUTES = 1440
#: AWS's defaults for the parts of a deploymentConfiguration a request leaves out.
DEFAULT_DEPLOYMENT_CONFIGURATION: Mapping[str, object] = {
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "strategy": "ROLLING",
}


@dataclass(slots=True)
class Hook:
    """One lifecycle hook at one stage of one deployment."""

    stage: str
    target_type: str
    target_arn: str | None
    timeout_ms: int
    timeout_action: str
    id: str = ""
    status: str | None = None  # None until the deployment reaches the stage
    expires_ms: int | None = None


def hooks_from_configuration(configuration: dict[str, Any], field: str) -> list[Hook]:
    """The hooks a deployment meets, in stage order, from ``lifecycleHooks``.

    :param configuration: a ``deploymentConfiguration`` mapping.
    :param field: where ``configuration`` is, for errors (``deployment_configuration``).
    :raises SeedingTypeError: ``lifecycleHooks`` or a hook's ``lifecycleStages`` that is not a
        list, a hook or its ``timeoutConfiguration`` that is not a mapping.
    :raises SeedingError: naming the field (``<field>.lifecycleHooks[0].targetType``) for a
        stage, target type, timeout or action AWS does not accept.
    """
    stages = enum_values("DeploymentLifecycleHookStage")
    types = enum_values("DeploymentLifecycleHookTargetType")
    actions = enum_values("DeploymentLifecycleHookAction")
    hooks: list[Hook] = []
    for index, spec in enumerate(_items(configuration, "lifecycleHooks", field)):
        where = f"{field}.lifecycleHooks[{index}]"
        if not isinstance(spec, dict):
            raise SeedingTypeError(where, f"expected a mapping, got {spec!r}", value=spec)
        target_type = choice(f"{where}.targetType", spec.get("targetType", "AWS_LAMBDA"), types)
        timeout_field = f"{where}.timeoutConfiguration"
        timeout = as_mapping(timeout_field, spec.get("timeoutConfiguration")) or {}
        minutes = timeout.get("timeoutInMinutes", PAUSE_DEFAULT_TIMEOUT_MINUTES)
        low, high = PAUSE_TIMEOUT_MINUTES
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
            raise SeedingError(
                f"{timeout_field}.timeoutInMinutes",
                f"{minutes!r} is not allowed; allowed: {low} to {high}",
                value=minutes,
            )
        action = choice(f"{timeout_field}.action", timeout.get("action", "ROLLBACK"), actions)
        for stage in _items(spec, "lifecycleStages", where):
            allowed = stages
            if target_type == "PAUSE":  # AWS refuses to pause while traffic shifts
                allowed = tuple(s for s in stages if s not in PAUSE_FORBIDDEN_STAGES)
            choice(f"{where}.lifecycleStages", stage, allowed)
            hooks.append(
                Hook(stage, target_type, spec.get("hookTargetArn"), minutes * 60_000, action)
            )
    hooks.sort(key=lambda hook: stages.index(hook.stage))
    return hooks


def _items(mapping: dict[str, Any], key: str, where: str) -> list[Any]:
    """The list under ``key`` (empty when absent); ``where`` locates ``mapping`` in errors."""
    value, field = mapping.get(key), f"{where}.{key}"
    if value is None:
        return []
    if not isinstance(value, list):
        raise SeedingTypeError(field, f"expected a list, got {value!r}", value=value)
    return value


def deployment_configuration(field: str, value: object) -> dict[str, Any]:
    """A copy of an AWS ``deploymentConfiguration`` mapping, checked against the model.

    :param field: where the mapping is, for errors (``deployment_configuration``).
    :param value: the mapping, or ``None`` for an empty one.
    :raises SeedingTypeError: ``value`` is not a mapping.
    :raises SeedingError: an unknown key (:attr:`~SeedingError.allowed` lists the model's), a
        malformed circuit breaker, an unknown strategy, strategy settings out of range or
        beside another strategy, or a lifecycle hook AWS refuses.
    """
    configuration = as_mapping(field, value) or {}
    shape: Any = ecs_model().shape_for("DeploymentConfiguration")
    known_keys(field, configuration, tuple(shape.members))
    breaker = configuration.get("deploymentCircuitBreaker")
    if breaker is not None and not (
        isinstance(breaker, dict)
        and all(isinstance(breaker.get(key), bool) for key in ("enable", "rollback"))
    ):
        raise SeedingError(
            f"{field}.deploymentCircuitBreaker",
            f"expected {{'enable': bool, 'rollback': bool}}, got {breaker!r}",
            value=breaker,
        )
    if "strategy" in configuration:
        choice(f"{field}.strategy", configuration["strategy"], enum_values("DeploymentStrategy"))
    strategies.check(field, configuration)
    hooks_from_configuration(configuration, field)
    return configuration
