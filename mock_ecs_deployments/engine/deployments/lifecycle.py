"""How a service deployment moves through its statuses as (possibly frozen) time passes.

A deployment that follows a :class:`Plan` holds its next scheduled step; every read advances it
to ``clock.now()``, applying each step that is due at the time it was due, so the timestamps a
client reads are those of the transitions, not of the read. freezegun's ``tick()`` therefore
moves a deployment through PENDING, IN_PROGRESS and its outcome. A seeded deployment with an
explicit status and no plan never moves.

Transitions follow AWS's table (docs/behaviour.md, "Lifecycle"). Steps a user asks for (stop,
roll back) are *requested* first: the requested status is what a read at the same instant
sees, and the next step is applied as soon as time has moved on at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from ..events import service_events
from ..model import arns
from ..model.exceptions import ConflictException, InvalidParameterException
from ..model.records import ServiceDeployment, ServiceRevision, TaskFailure
from ..model.validation import SeedingError, SeedingTypeError, choice
from . import strategies, tasks
from .configuration import Hook

SUPERSEDED_REASON = "Service deployment stopped: superseded by a newer service deployment."
USER_ROLLBACK_REASON = "Service deployment rolled back by user."
CIRCUIT_BREAKER_REASON = "ECS deployment circuit breaker: tasks failed to start."
HOOK_TIMEOUT_REASON = "Service deployment rolled back: lifecycle hook {hook_id} timed out."
NO_SOURCE_REASON = "Service deployment could not roll back: there is no previous service revision."
ABORT_REASON = "Service deployment stopped by user."
PLANNED_STOP_REASON = "Service deployment stopped."
#: AWS's reason for a deployment a CloudWatch alarm failed (its events end "deployment failed:
#: alarm detected.").
ALARM_REASON = "Alarm detected."
BREAKER_THRESHOLD = (3, 200)
#: A failing task's life when SCALE_UP takes no time (ms), and the longest wait between two
#: attempts once the retries are throttled (ms).
FAILED_TASK_MS = 1_000
THROTTLED_TASK_MS = 15 * 60_000
#: How a task fails when the plan says the deployment fails.
PLANNED_FAILURE = TaskFailure(exit_code=1)
OUTCOMES = ("SUCCESSFUL", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED", "STOPPED")
ONGOING = frozenset(
    {"PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"}
)
INTERRUPTIBLE = frozenset({"PENDING", "IN_PROGRESS"})
ALREADY_STOPPING = frozenset({"STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"})


@dataclass(frozen=True, slots=True)
class Moment:
    """What a moving deployment showed from ``at_ms`` on: its status, lifecycle stage and
    target's (production, test) traffic weights (``None`` for a strategy that shifts none)."""

    at_ms: int
    status: str
    stage: str | None
    traffic: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class Plan:
    """How one deployment runs: its durations (ms) and how it ends."""

    outcome: str = "SUCCESSFUL"
    pending_ms: int = 0
    in_progress_ms: int = 0
    rollback_ms: int | None = None  # None: as long as in_progress_ms
    reason: str | None = None

    @property
    def rollback_duration_ms(self) -> int:
        """How long a rollback stays ROLLBACK_IN_PROGRESS (ms)."""
        return self.in_progress_ms if self.rollback_ms is None else self.rollback_ms


def _duration_ms(field: str, value: object) -> int:
    if isinstance(value, timedelta):
        ms = value // timedelta(milliseconds=1)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise SeedingError(
                field, f"expected a finite number of seconds, got {value!r}", value=value
            )
        ms = int(value * 1000)
    else:
        raise SeedingTypeError(
            field, f"expected a timedelta or a number of seconds, got {value!r}", value=value
        )
    if ms < 0:
        raise SeedingError(field, f"must not be negative, got {value!r}", value=value)
    return ms


def make_plan(
    outcome: str = "SUCCESSFUL",
    pending_for: timedelta | float = 0,
    in_progress_for: timedelta | float = 0,
    rollback_for: timedelta | float | None = None,
    reason: str | None = None,
) -> Plan:
    """A validated :class:`Plan`; durations are timedeltas or seconds.

    :raises SeedingError: naming the field (``outcome``, ``pending_for`` ...), the bad value
        and the allowed values.
    :raises SeedingTypeError: a duration or ``reason`` of the wrong type.
    """
    choice("outcome", outcome, OUTCOMES)
    if reason is not None and not isinstance(reason, str):
        raise SeedingTypeError("reason", f"expected a string, got {reason!r}", value=reason)
    return Plan(
        outcome=outcome,
        pending_ms=_duration_ms("pending_for", pending_for),
        in_progress_ms=_duration_ms("in_progress_for", in_progress_for),
        rollback_ms=None if rollback_for is None else _duration_ms("rollback_for", rollback_for),
        reason=reason,
    )


def as_plan(value: Plan | dict[str, Any] | None) -> Plan | None:
    """A plan from a :class:`Plan` or a mapping of :func:`make_plan`'s arguments; ``None``
    stays ``None``.

    :raises SeedingTypeError: ``value`` is not a plan or a mapping, or a field has the wrong
        type (located under ``plan``: ``plan.in_progress_for``).
    :raises SeedingError: an unknown field, or a bad value (``plan.outcome``).
    """
    if value is None or isinstance(value, Plan):
        return value
    if not isinstance(value, dict):
        raise SeedingTypeError(
            "plan", f"expected a mapping of plan fields, got {value!r}", value=value
        )
    allowed = ("outcome", "pending_for", "in_progress_for", "rollback_for", "reason")
    unknown = sorted(str(key) for key in set(value) - set(allowed))
    if unknown:
        raise SeedingError(
            "plan",
            f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}",
            value=unknown,
            allowed=allowed,
        )
    try:
        return make_plan(**value)
    except SeedingError as error:  # name the field as the caller wrote it
        raise error.within("plan") from None


# -- the state machine -----------------------------------------------------------------------


def begin(deployment: ServiceDeployment, plan: Plan, at_ms: int) -> None:
    """Start ``deployment`` (created at ``at_ms``) on ``plan``: PENDING until it is due."""
    deployment.plan = plan
    deployment.status = "PENDING"
    deployment.lifecycle_stage = "RECONCILE_SERVICE"
    deployment.updated_ms = at_ms
    _schedule(deployment, "start", at_ms + plan.pending_ms)
    note(deployment, at_ms)


def advance(deployment: ServiceDeployment, now_ms: int) -> None:
    """Apply every step of ``deployment`` that is due at ``now_ms``, each at its own time. A
    watched alarm that went to ALARM since it was last looked at fails the deployment at the
    time it did, if the deployment was still in progress then."""
    fired = _alarms_fired(deployment, now_ms)
    if fired:
        at_ms = fired[0][0]
        _steps_until(deployment, at_ms)
        if deployment.status == "IN_PROGRESS":
            _alarm_failure(deployment, at_ms, [name for _, name in fired])
            note(deployment, at_ms)
    _steps_until(deployment, now_ms)


class Scheduled(Protocol):
    """A deployment of either kind that follows a plan: its next step, when it is due, and
    whether it waits for time to move past that instant (a step a user's request started)."""

    next_step: str | None
    next_ms: int | None
    next_strict: bool


ScheduledT = TypeVar("ScheduledT", bound=Scheduled)


def run_steps(
    deployment: ScheduledT,
    now_ms: int,
    steps: Mapping[str, Callable[[ScheduledT, int], None]],
    after: Callable[[ScheduledT, int], None],
) -> None:
    """The clock of every deployment, service or daemon: apply each step of ``deployment`` due
    by ``now_ms`` (``steps`` by name), at the time it was due, then ``after`` it."""
    while deployment.next_ms is not None and (
        deployment.next_ms < now_ms or (deployment.next_ms == now_ms and not deployment.next_strict)
    ):
        step, at_ms = deployment.next_step or "", deployment.next_ms
        deployment.next_step, deployment.next_ms, deployment.next_strict = None, None, False
        steps[step](deployment, at_ms)
        after(deployment, at_ms)


def _steps_until(deployment: ServiceDeployment, now_ms: int) -> None:
    run_steps(deployment, now_ms, _STEPS, note)


# -- CloudWatch alarms -----------------------------------------------------------------------


AlarmSource = Callable[[str], "tuple[str, int] | None"]


def watched_alarms(deployment: ServiceDeployment) -> tuple[str, ...]:
    """The alarms ``deploymentConfiguration.alarms`` names, when it is enabled."""
    return alarm_names(deployment.configuration)


def alarm_names(configuration: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The alarms a deployment configuration's ``alarms`` names, when it is enabled (a
    service's or a daemon's: both write them so)."""
    alarms = (configuration or {}).get("alarms") or {}
    if not alarms.get("enable"):
        return ()
    return tuple(str(name) for name in alarms.get("alarmNames") or ())


def alarms_roll_back(deployment: ServiceDeployment) -> bool:
    """Whether a watched alarm's firing rolls the deployment back."""
    alarms = (deployment.configuration or {}).get("alarms") or {}
    return bool(alarms.get("enable")) and bool(alarms.get("rollback"))


def alarm_baseline(names: tuple[str, ...], source: AlarmSource) -> dict[str, str]:
    """What each alarm shows now: a deployment's baseline when it starts watching (one
    already in ALARM fails it only once it went to ALARM again)."""
    return {name: (found[0] if (found := source(name)) else "INSUFFICIENT_DATA") for name in names}


def alarms_fired(
    seen: dict[str, str], seen_ms: int, source: AlarmSource, now_ms: int
) -> list[tuple[int, str]]:
    """``(when, name)`` of each alarm of ``seen`` that went to ALARM since it was last looked
    at (at ``seen_ms``; when: the alarm's own change time, kept between that look and
    ``now_ms``), earliest first; ``seen`` is updated to what each shows now."""
    fired = []
    for name in seen:
        found = source(name)
        if found is None:
            continue
        state, changed_ms = found
        if state == "ALARM" and (seen[name] != "ALARM" or changed_ms > seen_ms):
            fired.append((min(max(changed_ms, seen_ms), now_ms), name))
        seen[name] = state
    return sorted(fired)


class Watching(Protocol):
    """A deployment of either kind that may watch CloudWatch alarms."""

    alarms_seen: dict[str, str] | None
    alarms_seen_ms: int

    @property
    def configuration(self) -> Mapping[str, Any] | None:
        """Its deployment configuration (``alarms`` in it)."""
        ...


def start_watching(deployment: Watching, source: AlarmSource, at_ms: int) -> bool:
    """``deployment`` starts watching the alarms its configuration names, if any (see
    :func:`alarm_baseline`); whether it does."""
    names = alarm_names(deployment.configuration)
    if not names:
        return False
    deployment.alarms_seen = alarm_baseline(names, source)
    deployment.alarms_seen_ms = at_ms
    return True


def newly_fired(deployment: Watching, source: AlarmSource, now_ms: int) -> list[tuple[int, str]]:
    """The watched alarms that fired since ``deployment`` last looked (see
    :func:`alarms_fired`); looked at now."""
    if deployment.alarms_seen is None:
        return []
    fired = alarms_fired(deployment.alarms_seen, deployment.alarms_seen_ms, source, now_ms)
    deployment.alarms_seen_ms = max(deployment.alarms_seen_ms, now_ms)
    return fired


def look_at_alarms(deployment: ServiceDeployment, at_ms: int) -> None:
    """The deployment starts watching its alarms (see :func:`start_watching`)."""
    service = deployment.service
    watcher = service.watcher
    if watcher is not None and start_watching(
        deployment, lambda name: watcher.alarm_state(service, name), at_ms
    ):
        watcher.watching_alarms(service, True)


def _alarms_fired(deployment: ServiceDeployment, now_ms: int) -> list[tuple[int, str]]:
    service = deployment.service
    watcher = service.watcher
    if watcher is None or deployment.status not in INTERRUPTIBLE:
        return []
    return newly_fired(deployment, lambda name: watcher.alarm_state(service, name), now_ms)


def _alarm_failure(deployment: ServiceDeployment, at_ms: int, names: list[str]) -> None:
    """Watched alarms fired: the deployment fails, and rolls back when the alarms' ``rollback``
    says so (else it stops where it is, as the circuit breaker without rollback does)."""
    deployment.triggered_alarms = names
    deployment.alarms_seen = None
    if alarms_roll_back(deployment) and deployment.source_revisions:
        begin_rollback(deployment, at_ms, ALARM_REASON)
    else:
        complete(deployment, "STOPPED", at_ms, ALARM_REASON)


def note(deployment: ServiceDeployment, at_ms: int) -> None:
    """Add to the deployment's history what it shows from ``at_ms`` on, if that changed."""
    shown = (deployment.status, deployment.lifecycle_stage, strategies.target_traffic(deployment))
    history: list[Moment] | None = deployment.history
    if history is None:
        deployment.history = [Moment(at_ms, *shown)]
    elif (history[-1].status, history[-1].stage, history[-1].traffic) != shown:
        history.append(Moment(at_ms, *shown))


def _schedule(
    deployment: ServiceDeployment, step: str, at_ms: int, *, strict: bool = False
) -> None:
    deployment.next_step, deployment.next_ms, deployment.next_strict = step, at_ms, strict
    deployment.service.due(at_ms)


def _start(deployment: ServiceDeployment, at_ms: int) -> None:
    # The tasks as they were before it started (made now if never made), for its steps to
    # start and stop, each with its event.
    tasks.tasks_of(deployment.service)
    deployment.status = "IN_PROGRESS"
    deployment.started_ms = at_ms
    deployment.updated_ms = at_ms
    look_at_alarms(deployment, at_ms)
    assert deployment.plan is not None
    deployment.walk = strategies.walk(
        deployment.configuration,
        deployment.plan.in_progress_ms,
        holding=bool(deployment.source_revisions),
    )
    deployment.segment = 0
    service_events.started(deployment, at_ms)
    _enter(deployment, at_ms)


def _enter(deployment: ServiceDeployment, at_ms: int) -> None:
    """Enter the walk's current segment: show its stage and traffic."""
    segment: strategies.Segment = deployment.walk[deployment.segment]
    traffic = (segment.production, segment.test)
    if (deployment.lifecycle_stage, deployment.traffic) != (segment.stage, traffic):
        deployment.lifecycle_stage, deployment.traffic = segment.stage, traffic
        deployment.updated_ms = at_ms
    _next_hook_or_run(deployment, at_ms)


def _next_hook_or_run(deployment: ServiceDeployment, at_ms: int) -> None:
    """Pause at the current segment's next hook not yet reached, or run the segment."""
    segment: strategies.Segment = deployment.walk[deployment.segment]
    for hook in deployment.hooks or ():
        if hook.status is not None or hook.stage != segment.hook_stage:
            continue
        hook.id = arns.new_hook_id()
        deployment.updated_ms = at_ms
        if hook.target_type != "PAUSE":  # the mock has no Lambda to call: the hook succeeds
            hook.status = "SUCCEEDED"
            continue
        hook.status = "AWAITING_ACTION"
        hook.expires_ms = at_ms + hook.timeout_ms
        _schedule(deployment, "hook_timeout", hook.expires_ms)
        return
    if segment.stage == "SCALE_UP":
        _scale_up(deployment, at_ms)
    else:
        _schedule(deployment, "segment_end", at_ms + segment.duration_ms)


# -- scaling up, task by task ----------------------------------------------------------------


def _planned_failure(deployment: ServiceDeployment) -> bool:
    plan = deployment.plan
    return plan is not None and plan.outcome.startswith("ROLLBACK_")


def _task_failure(deployment: ServiceDeployment) -> TaskFailure | None:
    """How the target's tasks fail: as the plan says, or as a test said of its revision."""
    if _planned_failure(deployment):
        return PLANNED_FAILURE
    return deployment.service.task_failure(deployment.target_revision)


def _scale_up(deployment: ServiceDeployment, at_ms: int) -> None:
    """SCALE_UP runs: the target's tasks start PENDING (none when the desired count is 0, when
    the stage just takes its time)."""
    deployment.scale_from_ms = at_ms
    wanted = deployment.desired_count
    if wanted <= 0:
        segment: strategies.Segment = deployment.walk[deployment.segment]
        _schedule(deployment, "segment_end", at_ms + segment.duration_ms)
        return
    service, target = deployment.service, deployment.target_revision
    failure = _task_failure(deployment)
    placeable = failure is None or failure.unplaceable is None
    if service.latest() is deployment and placeable:  # only the newest one moves the tasks
        tasks.launch(service, target, wanted - len(tasks.live(service, target)), at_ms)
    _schedule(deployment, "scale_step", _next_scale_ms(deployment, at_ms, failure))


def resume_scale_up(deployment: ServiceDeployment, from_ms: int) -> tuple[str, int]:
    """The next step (and when it is due) of a deployment restored in SCALE_UP, which it
    entered at ``from_ms``: its task steps are timed from then."""
    deployment.scale_from_ms = from_ms
    if deployment.desired_count <= 0:
        segment: strategies.Segment = deployment.walk[deployment.segment]
        return "segment_end", from_ms + segment.duration_ms
    return "scale_step", _next_scale_ms(deployment, from_ms, _task_failure(deployment))


def recount(deployment: ServiceDeployment) -> None:
    """A deployment restored part-way through SCALE_UP, after its service's tasks were put
    back: take from them how many target tasks run and how many failed, and time its next
    task step from them."""
    service, target = deployment.service, deployment.target_revision
    if deployment.next_step != "scale_step" or service.latest() is not deployment:
        return  # an older one's steps, which move no task, are played again from its start
    mine = [task for task in tasks.tasks_of(service) if task.revision is target]
    deployment.scaled = sum(1 for task in mine if task.last_status == "RUNNING")
    failed = [
        task.stopped_ms
        for task in mine
        if task.stop_code in (tasks.CONTAINER_EXITED, tasks.FAILED_TO_START)
    ]
    deployment.failure_count = len(failed)
    last = max((at for at in failed if at is not None), default=deployment.scale_from_ms)
    _schedule(deployment, "scale_step", _next_scale_ms(deployment, last, _task_failure(deployment)))


def _next_scale_ms(deployment: ServiceDeployment, at_ms: int, failure: TaskFailure | None) -> int:
    """When the next target task runs (evenly over SCALE_UP) or, for a failing revision, the
    next one fails: a planned failure reaches the breaker's threshold as SCALE_UP ends; a
    signalled one fails a task every SCALE_UP / desired count (at least
    :data:`FAILED_TASK_MS`), the wait doubling once past the threshold, up to
    :data:`THROTTLED_TASK_MS`. ``failure``: how the target's tasks fail
    (:func:`_task_failure`, which the caller has asked once)."""
    segment: strategies.Segment = deployment.walk[deployment.segment]
    span, start = segment.duration_ms, deployment.scale_from_ms
    if _planned_failure(deployment):
        threshold = breaker_threshold(deployment)
        return start + span * min(deployment.failure_count + 1, threshold) // threshold
    if failure is not None:
        base = max(span // max(deployment.desired_count, 1), FAILED_TASK_MS)
        tries = deployment.failure_count
        if failure.unplaceable is not None:
            tries = deployment.placement_attempts
        beyond = max(tries - breaker_threshold(deployment), 0)
        return at_ms + min(base << min(beyond, 20), THROTTLED_TASK_MS)
    return start + span * (deployment.scaled + 1) // deployment.desired_count


def _scale_step(deployment: ServiceDeployment, at_ms: int) -> None:
    """One target task runs (ROLLING: one task it replaces stops), or one fails; the circuit
    breaker trips at its threshold, and SCALE_UP ends when every task runs."""
    service, target = deployment.service, deployment.target_revision
    # Only the service's newest deployment moves its tasks; an older one still ongoing (as
    # seeding may leave one) keeps its time.
    moving = service.latest() is deployment
    failure = _task_failure(deployment)
    if failure is not None and failure.unplaceable is not None:
        # No task can be placed: none starts, the breaker counts nothing, the scheduler tries
        # again (ever more slowly) and says so in the service's events.
        if moving:
            service_events.unable_to_place(service, at_ms, target, failure.unplaceable or None)
        deployment.placement_attempts += 1
        _schedule(deployment, "scale_step", _next_scale_ms(deployment, at_ms, failure))
        return
    if failure is not None:
        if moving:
            tasks.fail_one(deployment, at_ms, failure)
        else:
            deployment.failure_count += 1
        trips = _planned_failure(deployment) or circuit_breaker_enabled(deployment)
        if trips and deployment.failure_count >= breaker_threshold(deployment):
            _trip(deployment, at_ms)
            return
        if moving:
            tasks.launch(service, target, 1, at_ms)  # the scheduler tries again
        _schedule(deployment, "scale_step", _next_scale_ms(deployment, at_ms, failure))
        return
    if moving:
        pending = [task for task in tasks.live(service, target) if task.started_ms is None]
        if pending:
            tasks.run(pending[0], at_ms)
        else:
            tasks.launch(service, target, 1, at_ms, running=True)
        if not strategies.shifts_traffic(deployment.configuration):
            tasks.replace_one(deployment, at_ms)
    deployment.scaled += 1
    if deployment.scaled >= deployment.desired_count:
        _segment_end(deployment, at_ms)
    else:
        _schedule(deployment, "scale_step", _next_scale_ms(deployment, at_ms, failure))


def _trip(deployment: ServiceDeployment, at_ms: int) -> None:
    """The target's tasks failed: the circuit breaker (or the plan) fails the deployment. With
    the breaker's ``rollback`` it rolls back; with the breaker on and ``rollback`` off it stops
    (FAILED in DescribeServices) and the service stays as it is. A plan's ROLLBACK_ outcome
    on a service without the breaker rolls back as planned."""
    plan = deployment.plan
    assert plan is not None
    enabled = circuit_breaker_enabled(deployment)
    deployment.breaker_triggered = enabled
    reason = plan.reason or CIRCUIT_BREAKER_REASON
    final = plan.outcome if _planned_failure(deployment) else "ROLLBACK_SUCCESSFUL"
    if not enabled or circuit_breaker_rolls_back(deployment):
        begin_rollback(deployment, at_ms, reason, final=final)
    else:
        complete(deployment, "STOPPED", at_ms, reason)


def _segment_end(deployment: ServiceDeployment, at_ms: int) -> None:
    """Leave the current segment: the next segment, or the plan's outcome after the last. A
    planned failure of a service with no tasks to fail shows when SCALE_UP ends."""
    stage = deployment.walk[deployment.segment].stage
    if stage == "SCALE_UP" and _planned_failure(deployment):
        _trip(deployment, at_ms)
        return
    deployment.segment += 1
    if deployment.segment == len(deployment.walk):
        _finish(deployment, at_ms)
    else:
        _enter(deployment, at_ms)


def _awaiting_hook(deployment: ServiceDeployment) -> Hook | None:
    hooks: list[Hook] = deployment.hooks or []
    return next((hook for hook in hooks if hook.status == "AWAITING_ACTION"), None)


def _hook_timeout(deployment: ServiceDeployment, at_ms: int) -> None:
    hook = _awaiting_hook(deployment)
    assert hook is not None
    hook.status = "TIMED_OUT"
    deployment.updated_ms = at_ms
    if hook.timeout_action == "CONTINUE":
        _next_hook_or_run(deployment, at_ms)
    else:
        begin_rollback(deployment, at_ms, HOOK_TIMEOUT_REASON.format(hook_id=hook.id))


def _finish(deployment: ServiceDeployment, at_ms: int) -> None:
    plan = deployment.plan
    assert plan is not None
    if plan.outcome == "SUCCESSFUL":
        complete(deployment, "SUCCESSFUL", at_ms, plan.reason)
    elif plan.outcome == "STOPPED":
        complete(deployment, "STOPPED", at_ms, plan.reason or PLANNED_STOP_REASON)
    else:
        _trip(deployment, at_ms)


def begin_rollback(
    deployment: ServiceDeployment,
    at_ms: int,
    reason: str,
    *,
    final: str = "ROLLBACK_SUCCESSFUL",
    requested: bool = False,
) -> None:
    """Roll back to the source revision: ROLLBACK_REQUESTED (when a user asked) or straight
    to ROLLBACK_IN_PROGRESS, ending in ``final`` after the plan's rollback duration."""
    source = deployment.source_revisions[0] if deployment.source_revisions else None
    _fail_awaiting_hook(deployment)
    deployment.status_reason = reason
    deployment.updated_ms = at_ms
    deployment.rollback_started_ms = at_ms
    deployment.rollback_revision = source
    if source is None:  # a first deployment has nothing to go back to
        complete(deployment, "ROLLBACK_FAILED", at_ms, NO_SOURCE_REASON)
        return
    deployment.rollback_outcome = final
    _put_back(deployment, source)
    _leave_tasks(deployment, source, at_ms)
    service_events.rolling_back(deployment, at_ms, failed=not requested)
    if requested:
        deployment.status = "ROLLBACK_REQUESTED"
        _schedule(deployment, "rollback_start", at_ms, strict=True)
    else:
        _rollback_start(deployment, at_ms)


def _rollback_start(deployment: ServiceDeployment, at_ms: int) -> None:
    deployment.status = "ROLLBACK_IN_PROGRESS"
    deployment.updated_ms = at_ms
    duration = deployment.plan.rollback_duration_ms if deployment.plan else 0
    _schedule(deployment, "rollback_finish", at_ms + duration)


def _rollback_finish(deployment: ServiceDeployment, at_ms: int) -> None:
    complete(
        deployment,
        deployment.rollback_outcome or "ROLLBACK_SUCCESSFUL",
        at_ms,
        deployment.status_reason,
    )


def _stop_finish(deployment: ServiceDeployment, at_ms: int) -> None:
    complete(deployment, "STOPPED", at_ms, deployment.status_reason)


def complete(deployment: ServiceDeployment, status: str, at_ms: int, reason: str | None) -> None:
    """End ``deployment`` in a completed ``status`` at ``at_ms``."""
    _fail_awaiting_hook(deployment)
    deployment.status = status
    deployment.status_reason = reason
    deployment.finished_ms = at_ms
    deployment.updated_ms = at_ms
    if status == "STOPPED":
        deployment.stopped_ms = at_ms
    deployment.lifecycle_stage = "CLEAN_UP"
    deployment.next_step, deployment.next_ms, deployment.next_strict = None, None, False
    deployment.plan = None
    service = deployment.service
    # Only the newest deployment decides what the service runs: a rollback that finishes
    # after a newer deployment was made leaves the newer one's revision in place.
    if service.latest() is not deployment:
        pass
    elif status == "SUCCESSFUL":
        service.current_revision = deployment.target_revision
    elif status == "ROLLBACK_SUCCESSFUL" and deployment.rollback_revision is not None:
        service.current_revision = deployment.rollback_revision
    # (Tasks never made are made later from the final status.)
    _leave_tasks(deployment, _runs_after(deployment, status), at_ms)
    service_events.completed(deployment, status, at_ms)
    service.unfollow(deployment)


def _leave_tasks(deployment: ServiceDeployment, back: ServiceRevision | None, at_ms: int) -> None:
    """A deployment that stops or rolls back leaves the tasks to ``back`` at once: the
    target's stop and ``back`` runs the desired count (what DescribeServices and the task
    counts show from the request on)."""
    service = deployment.service
    if service.latest() is deployment and service.tasks is not None:
        tasks.settle(service, back, at_ms)


def _runs_after(deployment: ServiceDeployment, status: str) -> ServiceRevision | None:
    """The revision the service runs once ``deployment`` ended in ``status``."""
    if status == "SUCCESSFUL":
        return deployment.target_revision
    if status == "ROLLBACK_SUCCESSFUL":
        return deployment.rollback_revision
    if status == "ROLLBACK_FAILED":
        return None
    return deployment.service.current_revision


_STEPS = {
    "start": _start,
    "scale_step": _scale_step,
    "hook_timeout": _hook_timeout,
    "segment_end": _segment_end,
    "finish": _finish,
    "rollback_start": _rollback_start,
    "rollback_finish": _rollback_finish,
    "stop_finish": _stop_finish,
}


# -- what users ask for ----------------------------------------------------------------------


def supersede(deployment: ServiceDeployment, at_ms: int) -> None:
    """A newer deployment started: a PENDING or IN_PROGRESS one stops; a rollback under way
    finishes on its own."""
    if deployment.status in INTERRUPTIBLE:
        complete(deployment, "STOPPED", at_ms, SUPERSEDED_REASON)
        note(deployment, at_ms)


def stop(deployment: ServiceDeployment, stop_type: str, at_ms: int) -> None:
    """StopServiceDeployment: ROLLBACK or ABORT an ongoing deployment.

    :raises ConflictException: the deployment completed, or has nothing to roll back to.
    """
    if deployment.status in ALREADY_STOPPING:
        return
    if deployment.status not in INTERRUPTIBLE:
        raise ConflictException(
            f"The service deployment {deployment.arn} is {deployment.status} and cannot be"
            " stopped.",
            resourceIds=[deployment.arn],
        )
    if stop_type != "ABORT" and not deployment.source_revisions:
        # Refused before anything changes: the deployment goes on as it was.
        raise ConflictException(
            f"The service deployment {deployment.arn} is the service's first deployment: there"
            " is no previous service revision to roll back to.",
            resourceIds=[deployment.arn],
        )
    if deployment.plan is None:  # a seeded, static deployment starts following time now
        deployment.plan = Plan()
    deployment.service.follow(deployment)
    if stop_type == "ABORT":
        _fail_awaiting_hook(deployment)
        deployment.status = "STOP_REQUESTED"
        deployment.status_reason = ABORT_REASON
        deployment.updated_ms = at_ms
        _leave_tasks(deployment, deployment.service.current_revision, at_ms)
        _schedule(deployment, "stop_finish", at_ms, strict=True)
    else:
        begin_rollback(deployment, at_ms, USER_ROLLBACK_REASON, requested=True)
    note(deployment, at_ms)


def continue_hook(deployment: ServiceDeployment, hook_id: str, action: str, at_ms: int) -> None:
    """ContinueServiceDeployment: answer the PAUSE hook the deployment waits at.

    :raises InvalidParameterException: no such hook, or it is not awaiting action.
    """
    hook = next((h for h in deployment.hooks or () if h.id == hook_id), None)
    if hook is None:
        raise InvalidParameterException(
            f"The hook {hook_id} does not exist for service deployment {deployment.arn}."
        )
    if deployment.status != "IN_PROGRESS" or hook.status != "AWAITING_ACTION":
        raise InvalidParameterException(
            f"The hook {hook_id} is not awaiting action (hook status {hook.status}, service"
            f" deployment status {deployment.status})."
        )
    if action == "CONTINUE":
        hook.status = "SUCCEEDED"
        deployment.updated_ms = at_ms
        _next_hook_or_run(deployment, at_ms)
    elif not deployment.source_revisions:
        raise InvalidParameterException(
            f"The service deployment {deployment.arn} is the service's first deployment: there"
            " is no previous service revision to roll back to."
        )
    else:
        hook.status = "FAILED"
        begin_rollback(deployment, at_ms, USER_ROLLBACK_REASON, requested=True)
    note(deployment, at_ms)


def breaker_threshold(deployment: ServiceDeployment) -> int:
    """The circuit breaker's failure threshold: half the desired count, within 3 to 200."""
    return threshold_of(deployment.desired_count)


def threshold_of(count: int) -> int:
    """A circuit breaker's failure threshold for ``count`` tasks: half of them, within 3 to
    200."""
    low, high = BREAKER_THRESHOLD
    return min(max(math.ceil(0.5 * count), low), high)


def circuit_breaker_enabled(deployment: ServiceDeployment) -> bool:
    """Whether the deployment's configuration enables the deployment circuit breaker."""
    breaker = (deployment.configuration or {}).get("deploymentCircuitBreaker") or {}
    return bool(breaker.get("enable"))


def circuit_breaker_rolls_back(deployment: ServiceDeployment) -> bool:
    """Whether the deployment's circuit breaker is on and rolls back when it fires."""
    breaker = (deployment.configuration or {}).get("deploymentCircuitBreaker") or {}
    return bool(breaker.get("enable")) and bool(breaker.get("rollback"))


def _put_back(deployment: ServiceDeployment, source: ServiceRevision) -> None:
    """A rollback puts the source revision's task definition back on the service (and on its
    peer's record, through the service's watcher)."""
    deployment.service.put_task_definition(source.task_definition)


def _fail_awaiting_hook(deployment: ServiceDeployment) -> None:
    """A deployment that leaves IN_PROGRESS no longer waits at a hook: an action there could
    only be refused."""
    hook = _awaiting_hook(deployment)
    if hook is not None:
        hook.status = "FAILED"
