"""The state a restored deployment is put back in: where it is in its plan, the hooks it has
reached, its rollback and the times the status alone does not give. A
:class:`~.snapshot.DeploymentSnapshot` written by ``dump_scenario`` or ``record`` names all of
them, so that loading it gives the same answers, then and as time moves on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..deployments import lifecycle, strategies
from ..deployments.configuration import Hook, hooks_from_configuration
from ..events import service_events
from ..model import validation
from ..model.records import Service, ServiceDeployment
from ..model.service_model import enum_values
from ..model.validation import SeedingError
from .recorded import implied_by_status
from .snapshot import DeploymentSnapshot

#: Where a deployment that follows a plan may be in it (``plan_status``).
PLAN_STATUSES = (
    "PENDING",
    "IN_PROGRESS",
    "STOP_REQUESTED",
    "ROLLBACK_REQUESTED",
    "ROLLBACK_IN_PROGRESS",
)
HOOK_DETAIL_KEYS = ("hook_id", "status", "expires_at")


@dataclass(frozen=True, slots=True)
class HookDetail:
    """One lifecycle hook a deployment has reached, as ``lifecycleHookDetails`` shows it."""

    hook_id: str
    status: str
    expires_ms: int | None


@dataclass(frozen=True, slots=True)
class RecordedState:
    """What ``add_deployment`` is told of a deployment beyond its status and times, checked;
    ``None`` (or empty) where it is left to what the status implies."""

    plan_status: str | None = None
    never_started: bool = False
    updated_ms: int | None = None
    lifecycle_stage: str | None = None
    hook_details: tuple[HookDetail, ...] = ()
    rollback_started_ms: int | None = None
    circuit_breaker_triggered: bool | None = None
    production_weight: float | None = None
    triggered_alarms: tuple[str, ...] = ()


def checked_state(plan: lifecycle.Plan | None, snapshot: DeploymentSnapshot) -> RecordedState:
    """The state a snapshot's restored fields describe, checked on their own (what depends on
    the service is checked by :func:`check_for_service`).

    :raises SeedingError: naming the field; with a plan, ``status`` and ``finished_at`` (and
        ``started_at`` unless ``plan_status`` says it started) must be left unset.
    """
    plan_status, never_started = snapshot.plan_status, snapshot.never_started
    status, started_at = snapshot.status, snapshot.started_at
    lifecycle_stage = snapshot.lifecycle_stage
    production_traffic_weight = snapshot.production_traffic_weight
    if plan_status is not None:
        if plan is None:
            raise SeedingError("plan_status", "only with a plan", value=plan_status)
        validation.choice("plan_status", plan_status, PLAN_STATUSES)
    started_in_plan = plan_status not in (None, "PENDING")
    if plan is not None:
        for field, value in (
            ("status", status),
            ("started_at", None if started_in_plan else started_at),
            ("finished_at", snapshot.finished_at),
        ):
            if value is not None:
                raise SeedingError(field, "leave it unset when a plan is given", value=value)
    validation.flag("never_started", never_started)
    # The status it is added in (a bad one is refused by add_deployment, after this).
    current = str(plan_status or "PENDING") if plan is not None else str(status or "SUCCESSFUL")
    if never_started and started_at is not None:
        raise SeedingError("started_at", "leave it unset with never_started", value=started_at)
    if never_started and current == "IN_PROGRESS":
        raise SeedingError("never_started", "an IN_PROGRESS deployment has started", value=True)
    rollback_started_ms = validation.timestamp_ms(
        "rollback_started_at", snapshot.rollback_started_at
    )
    if rollback_started_ms is not None and not current.startswith("ROLLBACK_"):
        raise SeedingError(
            "rollback_started_at",
            f"only for a deployment that rolls back; this one is {current}",
            value=snapshot.rollback_started_at,
        )
    circuit_breaker_triggered = snapshot.circuit_breaker_triggered
    if circuit_breaker_triggered is not None:
        validation.flag("circuit_breaker_triggered", circuit_breaker_triggered)
    triggered_alarms = []
    for index, name in enumerate(snapshot.triggered_alarm_names or ()):
        if not isinstance(name, str) or not name:
            raise SeedingError(
                f"triggered_alarm_names[{index}]", f"expected an alarm name, got {name!r}"
            )
        triggered_alarms.append(name)
    if production_traffic_weight is not None:
        if current != "IN_PROGRESS" or lifecycle_stage != "PRODUCTION_TRAFFIC_SHIFT":
            raise SeedingError(
                "production_traffic_weight",
                "only with plan_status IN_PROGRESS and lifecycle_stage PRODUCTION_TRAFFIC_SHIFT",
                value=production_traffic_weight,
            )
        weight = production_traffic_weight
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 100:
            raise SeedingError(
                "production_traffic_weight",
                f"{weight!r} is not allowed; allowed: a percent above 0, up to 100",
                value=weight,
            )
    return RecordedState(
        plan_status,
        never_started,
        validation.timestamp_ms("updated_at", snapshot.updated_at),
        None
        if lifecycle_stage is None
        else validation.choice(
            "lifecycle_stage", lifecycle_stage, enum_values("ServiceDeploymentLifecycleStage")
        ),
        _hook_details(snapshot.lifecycle_hook_details, current, plan is not None),
        rollback_started_ms,
        circuit_breaker_triggered,
        None if production_traffic_weight is None else float(production_traffic_weight),
        tuple(triggered_alarms),
    )


def _hook_details(value: object, status: str, planned: bool) -> tuple[HookDetail, ...]:
    field = "lifecycle_hook_details"
    items = validation.as_list(field, value)
    details = []
    for index, item in enumerate(items):
        where = f"{field}[{index}]"
        validation.known_keys(where, item, HOOK_DETAIL_KEYS)
        hook_id = item.get("hook_id")
        if not isinstance(hook_id, str) or not hook_id:
            raise SeedingError(
                f"{where}.hook_id", f"expected a hook id, got {hook_id!r}", value=hook_id
            )
        hook_status = validation.choice(
            f"{where}.status", item.get("status"), enum_values("DeploymentLifecycleHookStatus")
        )
        expires_ms = validation.timestamp_ms(f"{where}.expires_at", item.get("expires_at"))
        if hook_status == "AWAITING_ACTION":
            if not planned:  # waiting ends by an answer or a timeout: both are plan steps
                raise SeedingError(
                    f"{where}.status",
                    "only a deployment that follows a plan awaits action at a hook; give plan"
                    " and plan_status",
                    value=hook_status,
                )
            # Only the deployment's current hook waits: the one reached last, while it runs.
            if index != len(items) - 1 or status != "IN_PROGRESS":
                raise SeedingError(
                    f"{where}.status",
                    "only the last hook reached by an IN_PROGRESS deployment awaits action",
                    value=hook_status,
                )
            if expires_ms is None:
                raise SeedingError(f"{where}.expires_at", "required for a hook awaiting action")
        details.append(HookDetail(hook_id, hook_status, expires_ms))
    return tuple(details)


def check_for_service(
    record: Service,
    state: RecordedState,
    configuration: dict[str, object],
    created_ms: int,
    deployment_id: str | None,
    revision_id: int | None,
) -> None:
    """Check what depends on the service and the deployment's configuration, before anything
    is added: ids not taken, hooks the configuration has, a circuit breaker that is enabled,
    times not before ``created_at``.

    :raises SeedingError: naming the field.
    """
    if deployment_id is not None and deployment_id in record.by_id:
        raise SeedingError(
            "id",
            f"{deployment_id!r} is a deployment of {record.name!r} already",
            value=deployment_id,
        )
    check_new_revision_id(record, revision_id)
    for field, value in (
        ("updated_at", state.updated_ms),
        ("rollback_started_at", state.rollback_started_ms),
    ):
        if value is not None and value < created_ms:
            raise SeedingError(field, "earlier than created_at")
    hooks = hooks_from_configuration(configuration, "deployment_configuration")
    if len(state.hook_details) > len(hooks):
        raise SeedingError(
            "lifecycle_hook_details",
            f"{len(state.hook_details)} hooks reached, but the deployment's configuration has"
            f" {len(hooks)}",
        )
    for index, (hook, detail) in enumerate(zip(hooks, state.hook_details, strict=False)):
        if detail.status == "AWAITING_ACTION" and hook.target_type != "PAUSE":
            raise SeedingError(
                f"lifecycle_hook_details[{index}].status",
                f"only a PAUSE hook awaits action; this one is {hook.target_type}",
                value=detail.status,
            )
    if state.production_weight is not None:
        steps = strategies.production_steps(strategies.strategy_of(configuration), configuration)
        weights = [weight for weight, _ in steps]
        if strategies.strategy_of(configuration) not in ("LINEAR", "CANARY") or (
            state.production_weight not in weights
        ):
            raise SeedingError(
                "production_traffic_weight",
                f"{state.production_weight!r} is not a weight the deployment's"
                f" {strategies.strategy_of(configuration)} strategy gives; allowed:"
                f" {', '.join(f'{w:g}' for w in weights)}",
                value=state.production_weight,
                allowed=tuple(f"{w:g}" for w in weights),
            )
    waiting = any(detail.status == "AWAITING_ACTION" for detail in state.hook_details)
    if state.plan_status == "IN_PROGRESS" and not waiting:
        # It walks on from its stage: the hooks of that stage and the ones before are behind it.
        stage = state.lifecycle_stage or "SCALE_UP"
        walk = strategies.walk(configuration, 0)
        index = _segment_of(walk, stage, state.production_weight)
        passed = {segment.hook_stage for segment in walk[: index + 1]}
        expected = sum(1 for hook in hooks if hook.stage in passed)
        if len(state.hook_details) != expected:
            raise SeedingError(
                "lifecycle_hook_details",
                f"{len(state.hook_details)} hooks reached; an IN_PROGRESS deployment at"
                f" {stage} that awaits no hook has reached the {expected} of the stages up to"
                " it",
            )
    breaker = configuration.get("deploymentCircuitBreaker")
    if state.circuit_breaker_triggered and not (
        isinstance(breaker, Mapping) and breaker.get("enable")
    ):
        raise SeedingError(
            "circuit_breaker_triggered",
            "the deployment's configuration does not enable the circuit breaker",
            value=True,
        )


def check_new_revision_id(record: Service, revision_id: int | None) -> None:
    """A revision id asked for must be new to the service.

    :raises SeedingError: ``revision_id`` names a revision the service has already.
    """
    if revision_id is not None and revision_id in record.revisions:
        raise SeedingError(
            "revision_id",
            f"{revision_id!r} is a revision of {record.name!r} already",
            value=revision_id,
        )


def static_times(
    status: str,
    created_ms: int,
    started_ms: int | None,
    finished_ms: int | None,
    never_started: bool,
) -> tuple[int | None, int | None]:
    """``(started_ms, finished_ms)`` of a deployment that follows no plan (see
    :func:`~mock_ecs_deployments.engine.model.validation.deployment_times`); one that never
    started has no start time."""
    if not never_started:
        return validation.deployment_times(status, created_ms, started_ms, finished_ms)
    _, finished_ms = validation.deployment_times(status, created_ms, None, finished_ms)
    return None, finished_ms


def apply_state(deployment: ServiceDeployment, state: RecordedState) -> None:
    """Put what ``state`` gives on a deployment whose status and times are set."""
    if state.updated_ms is not None:
        deployment.updated_ms = state.updated_ms
    if state.lifecycle_stage is not None:
        deployment.lifecycle_stage = state.lifecycle_stage
    for hook, detail in zip(deployment.hooks or (), state.hook_details, strict=False):
        hook.id, hook.status, hook.expires_ms = detail.hook_id, detail.status, detail.expires_ms
    if deployment.status.startswith("ROLLBACK_"):
        implied = implied_by_status(
            deployment.status,
            deployment.created_ms,
            deployment.started_ms,
            deployment.finished_ms,
            deployment.status_reason,
            deployment.configuration,
        )
        deployment.rollback_started_ms = (
            implied.rollback_started_ms
            if state.rollback_started_ms is None
            else state.rollback_started_ms
        )
    if state.circuit_breaker_triggered is not None:
        deployment.breaker_triggered = state.circuit_breaker_triggered
    deployment.triggered_alarms = list(state.triggered_alarms)


def _place_in_walk(
    deployment: ServiceDeployment,
    plan: lifecycle.Plan,
    awaiting: Hook | None,
    production_weight: float | None,
) -> strategies.Segment:
    """Put an IN_PROGRESS deployment in the segment of its walk it was in: the one of the hook
    it waits at, else the first of its stage (with ``production_weight``, if given; SCALE_UP
    when the stage is not of the walk), and show that segment's traffic."""
    walk = strategies.walk(
        deployment.configuration, plan.in_progress_ms, holding=bool(deployment.source_revisions)
    )
    if awaiting is not None:
        index = next(i for i, segment in enumerate(walk) if segment.hook_stage == awaiting.stage)
    else:
        index = _segment_of(walk, deployment.lifecycle_stage, production_weight)
    deployment.walk, deployment.segment = walk, index
    deployment.traffic = (walk[index].production, walk[index].test)
    return walk[index]


def _segment_of(
    walk: tuple[strategies.Segment, ...], stage: str | None, production_weight: float | None
) -> int:
    """The first segment of ``walk`` at ``stage`` (with ``production_weight``, if given), or
    SCALE_UP's when the walk has none."""
    for index, segment in enumerate(walk):
        if segment.stage == stage and production_weight in (None, segment.production):
            return index
    return next(index for index, segment in enumerate(walk) if segment.stage == "SCALE_UP")


# The step a deployment part-way through its plan takes next, by its status, and whether it
# waits for time to have moved past the step's moment (a step a user asked for waits): the
# names are those of lifecycle's steps.
_NEXT_STEPS = {
    "IN_PROGRESS": ("segment_end", False),
    "STOP_REQUESTED": ("stop_finish", True),
    "ROLLBACK_REQUESTED": ("rollback_start", True),
    "ROLLBACK_IN_PROGRESS": ("rollback_finish", False),
}


def place_in_plan(
    deployment: ServiceDeployment,
    plan: lifecycle.Plan,
    state: RecordedState,
    started_ms: int | None,
    status_reason: str | None,
) -> None:
    """Start ``deployment`` on ``plan``: PENDING from its creation, or (``plan_status``) in a
    later status, entered at ``updated_at``, its next step due as the plan says from then."""
    status = state.plan_status or "PENDING"
    lifecycle.begin(deployment, plan, deployment.created_ms)
    if status == "PENDING":
        apply_state(deployment, state)
        return
    deployment.status = status
    deployment.status_reason = status_reason
    if not state.never_started:
        deployment.started_ms = deployment.created_ms if started_ms is None else started_ms
    deployment.updated_ms = max(deployment.created_ms, deployment.started_ms or 0)
    deployment.lifecycle_stage = "SCALE_UP"
    if status.startswith("ROLLBACK_"):
        sources = deployment.source_revisions
        deployment.rollback_revision = sources[0] if sources else None
        # A rollback ends as the plan says when the plan says it fails, else it succeeds.
        deployment.rollback_outcome = (
            plan.outcome if plan.outcome == "ROLLBACK_FAILED" else "ROLLBACK_SUCCESSFUL"
        )
        deployment.breaker_triggered = (
            status_reason == lifecycle.CIRCUIT_BREAKER_REASON
            and lifecycle.circuit_breaker_enabled(deployment)
        )
    apply_state(deployment, state)
    if status.startswith("ROLLBACK_") and deployment.rollback_started_ms is not None:
        # The service's events its rollback's start wrote (its EventBridge events were made
        # then, before the state was written down).
        service_events.rolling_back(deployment, deployment.rollback_started_ms, announce=False)
    updated = deployment.updated_ms
    if status == "IN_PROGRESS":  # its alarms are watched again, from what they show now
        lifecycle.look_at_alarms(deployment, updated)
    step, strict = _NEXT_STEPS[status]
    due = updated
    awaiting = next((h for h in deployment.hooks or () if h.status == "AWAITING_ACTION"), None)
    if status == "IN_PROGRESS":
        segment = _place_in_walk(deployment, plan, awaiting, state.production_weight)
        due = updated + segment.duration_ms
        if segment.stage == "SCALE_UP":
            step, due = lifecycle.resume_scale_up(deployment, updated)
    if awaiting is not None:
        step, due = "hook_timeout", awaiting.expires_ms or updated
    elif status == "ROLLBACK_IN_PROGRESS":
        due = updated + plan.rollback_duration_ms
    deployment.next_step, deployment.next_ms, deployment.next_strict = step, due, strict
    deployment.service.due(due)
    # What it showed before it was written down is not known: its history starts here.
    deployment.history = None
    lifecycle.note(deployment, updated)
