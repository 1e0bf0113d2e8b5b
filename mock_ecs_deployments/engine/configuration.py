"""``deploymentConfiguration``: checking what a service is given, and the lifecycle hooks it
holds (their stages, targets and timeouts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .service_model import ecs_model, enum_values
from .validation import as_mapping, choice

PAUSE_FORBIDDEN_STAGES = frozenset({"TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"})
PAUSE_TIMEOUT_MINUTES = (1, 20160)
PAUSE_DEFAULT_TIMEOUT_MINUTES = 1440


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

    def detail(self) -> dict[str, Any]:
        out: dict[str, Any] = {"hookId": self.id, "targetType": self.target_type}
        if self.target_arn:
            out["targetArn"] = self.target_arn
        if self.status is not None:
            out["status"] = self.status
        if self.expires_ms is not None:
            out["expiresAt"] = self.expires_ms / 1000
        if self.target_type == "PAUSE":
            out["timeoutAction"] = self.timeout_action
        return out


def hooks_from_configuration(configuration: dict[str, Any], field: str) -> list[Hook]:
    """The hooks a deployment meets, in stage order, from ``lifecycleHooks``.

    :raises ValueError: naming the field for a stage, target type, timeout or action AWS
        does not accept.
    """
    stages = enum_values("DeploymentLifecycleHookStage")
    types = enum_values("DeploymentLifecycleHookTargetType")
    actions = enum_values("DeploymentLifecycleHookAction")
    hooks: list[Hook] = []
    for index, spec in enumerate(configuration.get("lifecycleHooks") or []):
        where = f"{field}.lifecycleHooks[{index}]"
        if not isinstance(spec, dict):
            raise TypeError(f"{where}: expected a mapping, got {spec!r}")
        target_type = choice(f"{where}.targetType", spec.get("targetType", "AWS_LAMBDA"), types)
        timeout = spec.get("timeoutConfiguration") or {}
        minutes = timeout.get("timeoutInMinutes", PAUSE_DEFAULT_TIMEOUT_MINUTES)
        low, high = PAUSE_TIMEOUT_MINUTES
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
            raise ValueError(
                f"{where}.timeoutConfiguration.timeoutInMinutes: {minutes!r} is not allowed;"
                f" allowed: {low} to {high}"
            )
        action_field = f"{where}.timeoutConfiguration.action"
        action = choice(action_field, timeout.get("action", "ROLLBACK"), actions)
        for stage in spec.get("lifecycleStages") or []:
            allowed = stages
            if target_type == "PAUSE":  # AWS refuses to pause while traffic shifts
                allowed = tuple(s for s in stages if s not in PAUSE_FORBIDDEN_STAGES)
            choice(f"{where}.lifecycleStages", stage, allowed)
            hooks.append(
                Hook(stage, target_type, spec.get("hookTargetArn"), minutes * 60_000, action)
            )
    hooks.sort(key=lambda hook: stages.index(hook.stage))
    return hooks


def lifecycle_stage_for(hook_stage: str) -> str:
    """The ``lifecycleStage`` shown while paused at a hook stage (the hook stage itself, or
    the latest lifecycle stage before it where the two enums differ)."""
    stages = enum_values("ServiceDeploymentLifecycleStage")
    if hook_stage in stages:
        return hook_stage
    shown = "SCALE_UP"
    for stage in enum_values("DeploymentLifecycleHookStage"):
        if stage == hook_stage:
            break
        if stage in stages:
            shown = stage
    return shown


def deployment_configuration(field: str, value: Any) -> dict[str, Any]:
    """A copy of an AWS ``deploymentConfiguration`` mapping, checked against the model."""
    configuration = as_mapping(field, value) or {}
    shape: Any = ecs_model().shape_for("DeploymentConfiguration")
    members = tuple(shape.members)
    unknown = sorted(set(configuration) - set(members))
    if unknown:
        raise ValueError(
            f"{field}: unknown key(s) {', '.join(unknown)}; allowed keys: {', '.join(members)}"
        )
    breaker = configuration.get("deploymentCircuitBreaker")
    if breaker is not None and not (
        isinstance(breaker, dict)
        and all(isinstance(breaker.get(key), bool) for key in ("enable", "rollback"))
    ):
        raise ValueError(
            f"{field}.deploymentCircuitBreaker: expected {{'enable': bool, 'rollback':"
            f" bool}}, got {breaker!r}"
        )
    if "strategy" in configuration:
        choice(f"{field}.strategy", configuration["strategy"], enum_values("DeploymentStrategy"))
    hooks_from_configuration(configuration, field)
    return configuration
