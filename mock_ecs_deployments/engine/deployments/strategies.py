"""Deployment strategies: the stages a deployment walks while IN_PROGRESS, how long each
lasts, and the traffic its target revision is given along the way.

Every strategy walks the same stages, in the model's order: RECONCILE_SERVICE, PRE_SCALE_UP,
SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT,
POST_PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME, and CLEAN_UP once the deployment completes. SCALE_UP
lasts the plan's ``in_progress_for``. For ROLLING every other stage takes no time (a hook
there still holds it) and no traffic weights are shown. BLUE_GREEN, LINEAR and CANARY shift
test traffic to the target at TEST_TRAFFIC_SHIFT and production traffic inside
PRODUCTION_TRAFFIC_SHIFT (all at once; in equal steps, each held ``stepBakeTimeInMinutes``
but the last; or ``canaryPercent`` held ``canaryBakeTimeInMinutes``, then the rest), then
hold both revisions ``bakeTimeInMinutes`` in BAKE_TIME.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..model.records import ServiceDeployment
from ..model.service_model import ecs_model
from ..model.validation import SeedingError, SeedingTypeError, as_mapping, known_keys

SHIFTING = frozenset({"BLUE_GREEN", "LINEAR", "CANARY"})
MINUTES = (0, 1440)
STEP_PERCENT = (3.0, 100.0)
CANARY_PERCENT = (0.1, 100.0)
#: AWS's defaults for what a linearConfiguration or canaryConfiguration leaves out.
DEFAULT_STEP_PERCENT = 10.0
DEFAULT_STEP_BAKE_MINUTES = 6
DEFAULT_CANARY_PERCENT = 5.0
DEFAULT_CANARY_BAKE_MINUTES = 10
FULL = 100.0
#: The settings each strategy alone takes: (strategy, key, the model's shape of it).
_SETTINGS = (
    ("LINEAR", "linearConfiguration", "LinearConfiguration"),
    ("CANARY", "canaryConfiguration", "CanaryConfiguration"),
)


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of a deployment's walk: the stage shown, the hooks met on entering it
    (``hook_stage``; ``None`` for a later step of the same stage) and the target's traffic
    weights while it lasts (percent)."""

    stage: str
    hook_stage: str | None
    duration_ms: int
    production: float
    test: float


def strategy_of(configuration: Mapping[str, object] | None) -> str:
    """The strategy a deploymentConfiguration names (ROLLING when it names none)."""
    return str((configuration or {}).get("strategy") or "ROLLING")


def shifts_traffic(configuration: Mapping[str, object] | None) -> bool:
    """Whether deployments with this configuration shift traffic (and show weights)."""
    return strategy_of(configuration) in SHIFTING


def target_traffic(deployment: ServiceDeployment) -> tuple[float, float] | None:
    """The (production, test) traffic weights of a deployment's target revision now, or
    ``None`` for a strategy that shifts none: its segment's while IN_PROGRESS, all once
    SUCCESSFUL, none before it started or once it stopped or rolled back (the traffic is the
    source's again)."""
    if not shifts_traffic(deployment.configuration):
        return None
    if deployment.status == "SUCCESSFUL":
        return FULL, FULL
    if deployment.status == "IN_PROGRESS":
        return deployment.traffic
    return 0.0, 0.0


def rest(traffic: tuple[float, float]) -> tuple[float, float]:
    """What the other revision is given beside ``traffic``."""
    production, test = traffic
    return round(FULL - production, 1), round(FULL - test, 1)


def walk(
    configuration: dict[str, Any] | None, scale_up_ms: int, *, holding: bool = True
) -> tuple[Segment, ...]:
    """The segments a deployment walks from entering IN_PROGRESS to completing.

    :param holding: whether the traffic shift's steps and the bake time are held; a first
        deployment (no source revision) has no traffic to shift from, and holds nothing.
    """
    strategy = strategy_of(configuration)
    settings = configuration or {}
    shifting = strategy in SHIFTING
    tested = FULL if shifting else 0.0
    segments = [
        Segment("RECONCILE_SERVICE", "RECONCILE_SERVICE", 0, 0.0, 0.0),
        Segment("PRE_SCALE_UP", "PRE_SCALE_UP", 0, 0.0, 0.0),
        Segment("SCALE_UP", None, scale_up_ms, 0.0, 0.0),
        Segment("POST_SCALE_UP", "POST_SCALE_UP", 0, 0.0, 0.0),
        Segment("TEST_TRAFFIC_SHIFT", "TEST_TRAFFIC_SHIFT", 0, 0.0, tested),
        Segment("POST_TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT", 0, 0.0, tested),
        # The hook stage between the two traffic shifts has no lifecycle stage of its own.
        Segment("POST_TEST_TRAFFIC_SHIFT", "PRE_PRODUCTION_TRAFFIC_SHIFT", 0, 0.0, tested),
    ]
    hook_stage: str | None = "PRODUCTION_TRAFFIC_SHIFT"
    for weight, hold_ms in production_steps(strategy, settings):
        hold_ms = hold_ms if holding else 0
        segments.append(Segment("PRODUCTION_TRAFFIC_SHIFT", hook_stage, hold_ms, weight, tested))
        hook_stage = None
    after = FULL if shifting else 0.0
    segments.append(
        Segment("POST_PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", 0, after, tested)
    )
    if shifting:
        bake_ms = int(settings.get("bakeTimeInMinutes") or 0) * 60_000 if holding else 0
        segments.append(Segment("BAKE_TIME", None, bake_ms, FULL, FULL))
    return tuple(segments)


def production_steps(strategy: str, settings: dict[str, Any]) -> list[tuple[float, int]]:
    """Each production weight the target is given in PRODUCTION_TRAFFIC_SHIFT, with how long
    it is held (ms)."""
    if strategy == "LINEAR":
        linear = settings.get("linearConfiguration") or {}
        step = _tenths(linear.get("stepPercent", DEFAULT_STEP_PERCENT))
        hold_ms = int(linear.get("stepBakeTimeInMinutes", DEFAULT_STEP_BAKE_MINUTES)) * 60_000
        weights = [min(k * step, 1000) for k in range(1, math.ceil(1000 / step) + 1)]
        return [(w / 10, 0 if w == 1000 else hold_ms) for w in weights]
    if strategy == "CANARY":
        canary = settings.get("canaryConfiguration") or {}
        weight = _tenths(canary.get("canaryPercent", DEFAULT_CANARY_PERCENT))
        minutes = canary.get("canaryBakeTimeInMinutes", DEFAULT_CANARY_BAKE_MINUTES)
        hold_ms = int(minutes) * 60_000
        if weight == 1000:
            return [(FULL, hold_ms)]
        return [(weight / 10, hold_ms), (FULL, 0)]
    if strategy == "BLUE_GREEN":
        return [(FULL, 0)]
    return [(0.0, 0)]


def _tenths(percent: float) -> int:
    return round(float(percent) * 10)


def check(field: str, configuration: dict[str, Any]) -> None:
    """Refuse strategy settings AWS refuses: a percent or a number of minutes out of its
    range, or linear or canary settings beside another strategy.

    :raises SeedingTypeError: a setting of the wrong type (a mapping, a number).
    :raises SeedingError: naming the field (``<field>.linearConfiguration.stepPercent``), the
        value and the range.
    """
    strategy = strategy_of(configuration)
    _minutes(f"{field}.bakeTimeInMinutes", configuration.get("bakeTimeInMinutes"))
    for owner, key, shape_name in _SETTINGS:
        where = f"{field}.{key}"
        settings = as_mapping(where, configuration.get(key))
        if settings is None:
            continue
        if strategy != owner:
            raise SeedingError(
                where,
                f"only allowed with strategy {owner}; the strategy is {strategy}",
                value=settings,
            )
        shape: Any = ecs_model().shape_for(shape_name)
        known_keys(where, settings, tuple(shape.members))
    linear = configuration.get("linearConfiguration") or {}
    _percent(f"{field}.linearConfiguration.stepPercent", linear.get("stepPercent"), STEP_PERCENT)
    _minutes(
        f"{field}.linearConfiguration.stepBakeTimeInMinutes", linear.get("stepBakeTimeInMinutes")
    )
    canary = configuration.get("canaryConfiguration") or {}
    _percent(
        f"{field}.canaryConfiguration.canaryPercent", canary.get("canaryPercent"), CANARY_PERCENT
    )
    _minutes(
        f"{field}.canaryConfiguration.canaryBakeTimeInMinutes",
        canary.get("canaryBakeTimeInMinutes"),
    )


def _minutes(field: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise SeedingTypeError(field, f"expected whole minutes, got {value!r}", value=value)
    low, high = MINUTES
    if not low <= value <= high:
        raise SeedingError(
            field, f"{value!r} is not allowed; allowed: {low} to {high} minutes", value=value
        )


def _percent(field: str, value: object, bounds: tuple[float, float]) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SeedingTypeError(field, f"expected a percent, got {value!r}", value=value)
    low, high = bounds
    in_range = math.isfinite(value) and low <= value <= high
    if not in_range or abs(value * 10 - round(value * 10)) > 1e-9:
        raise SeedingError(
            field,
            f"{value!r} is not allowed; allowed: multiples of 0.1 from {low} to {high}",
            value=value,
        )
