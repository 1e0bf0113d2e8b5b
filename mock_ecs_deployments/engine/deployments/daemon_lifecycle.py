"""How a daemon deployment moves: instances from its source revisions to its target, batch by
batch, as (possibly frozen) time passes.

A daemon deployment follows a :class:`~.lifecycle.Plan` on the same clock as a service
deployment (:func:`.lifecycle.run_steps`): every read applies each step that is due at the time
it was due. PENDING lasts the plan's ``pending_for``; IN_PROGRESS moves the instances of each
capacity provider in batches of ``drainPercent`` of them (25% when not set), the batches
sharing ``in_progress_for`` equally; ``bakeTimeInMinutes`` follows, still IN_PROGRESS; then it
is SUCCESSFUL. A planned failure trips the circuit breaker when the batches are done:
STOP_REQUESTED, then ROLLBACK_IN_PROGRESS for the plan's ``rollback_for`` (or, for a first
deployment, which has nothing to go back to, ROLLBACK_FAILED at once), and the planned outcome.
A deployment onto no instances completes at once, whatever its plan; one that only drains
(DeleteDaemon's) follows its plan's times but never fails. Every status a deployment enters
makes its EventBridge event, at its own time.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ..events import deployment_events
from ..model.daemon_records import DaemonDeployment, Placement
from .lifecycle import (
    ALARM_REASON,
    Plan,
    newly_fired,
    run_steps,
    start_watching,
    threshold_of,
)

COMPLETED_REASON = "Deployment completed successfully."
SUPERSEDED_REASON = "Daemon deployment stopped: superseded by a newer daemon deployment."
CIRCUIT_BREAKER_REASON = "Daemon deployment circuit breaker: tasks failed to start."
PLANNED_STOP_REASON = "Daemon deployment stopped."
NO_SOURCE_REASON = "Daemon deployment could not roll back: there is no previous daemon revision."
#: AWS's default share of a capacity provider's instances drained at once (percent).
DEFAULT_DRAIN_PERCENT = 25.0
ONGOING = frozenset({"PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_IN_PROGRESS"})


def begin(deployment: DaemonDeployment, plan: Plan, at_ms: int) -> None:
    """Start ``deployment`` (made at ``at_ms``) on ``plan``: PENDING until it is due; onto no
    instances it passes through every status of a success at once."""
    deployment.plan = plan
    deployment.threshold = threshold_of(sum(deployment.instances.values()))
    _status(deployment, "PENDING", at_ms)
    if not any(deployment.instances.values()):
        _start(deployment, at_ms)
        return
    _schedule(deployment, "start", at_ms + plan.pending_ms)


def advance(deployment: DaemonDeployment, now_ms: int) -> None:
    """Apply every step of ``deployment`` due by ``now_ms``, each at its own time. A watched
    alarm that went to ALARM since it was last looked at stops it at the time it did, if it
    was still IN_PROGRESS then (batches or bake), and it rolls back."""
    fired = _alarms_fired(deployment, now_ms)
    if fired:
        at_ms = fired[0][0]
        run_steps(deployment, at_ms, _STEPS, _after_step)
        if deployment.status == "IN_PROGRESS":
            _alarm_failure(deployment, at_ms, [name for _, name in fired])
    run_steps(deployment, now_ms, _STEPS, _after_step)


def _look_at_alarms(deployment: DaemonDeployment, at_ms: int) -> None:
    """An IN_PROGRESS deployment with a target watches the alarms its configuration names
    (see :func:`.lifecycle.start_watching`)."""
    daemon = deployment.daemon
    watcher = daemon.watcher
    if (
        watcher is not None
        and deployment.target is not None
        and start_watching(deployment, lambda name: watcher.alarm_state(daemon, name), at_ms)
    ):
        watcher.watching_alarms(daemon, True)


def _alarms_fired(deployment: DaemonDeployment, now_ms: int) -> list[tuple[int, str]]:
    daemon = deployment.daemon
    watcher = daemon.watcher
    if watcher is None or deployment.status != "IN_PROGRESS":
        return []
    return newly_fired(deployment, lambda name: watcher.alarm_state(daemon, name), now_ms)


def _alarm_failure(deployment: DaemonDeployment, at_ms: int, names: list[str]) -> None:
    """Watched alarms fired: the deployment stops moving forward (its unfinished batch called
    off) and rolls back, as the circuit breaker's failure does."""
    deployment.triggered_alarms = names
    _cancel_batch(deployment)
    deployment.next_step, deployment.next_ms, deployment.next_strict = None, None, False
    _stop_to_roll_back(deployment, at_ms, ALARM_REASON)


def supersede(deployment: DaemonDeployment, at_ms: int) -> None:
    """A newer deployment of the same daemon began at ``at_ms``: this one stops (STOPPED), and
    the instances of its unfinished batch stay on the revision they ran."""
    if deployment.status not in ONGOING:
        return
    _cancel_batch(deployment)
    deployment.next_step, deployment.next_ms, deployment.next_strict = None, None, False
    deployment.stopped_ms = at_ms
    _complete(deployment, "STOPPED", at_ms, SUPERSEDED_REASON)


# -- the steps -------------------------------------------------------------------------------


def _after_step(deployment: DaemonDeployment, at_ms: int) -> None:
    """Nothing more to do after a step: each status change made its own event."""


def _schedule(deployment: DaemonDeployment, step: str, at_ms: int, *, strict: bool = False) -> None:
    deployment.next_step, deployment.next_ms, deployment.next_strict = step, at_ms, strict
    watcher = deployment.daemon.watcher
    if watcher is not None:
        watcher.due(deployment.daemon, at_ms)


def _status(deployment: DaemonDeployment, status: str, at_ms: int) -> None:
    """Enter ``status`` at ``at_ms``: kept in its history, told by an EventBridge event."""
    deployment.status = status
    deployment.updated_ms = at_ms
    deployment.history.append((at_ms, status))
    deployment_events.daemon_deployment_state_change(deployment, at_ms)


def _start(deployment: DaemonDeployment, at_ms: int) -> None:
    deployment.started_ms = at_ms
    _status(deployment, "IN_PROGRESS", at_ms)
    _look_at_alarms(deployment, at_ms)
    sizes = batch_sizes(deployment)
    deployment.batches = max(
        (math.ceil(_to_change(deployment, cp) / size) for cp, size in sizes.items()), default=0
    )
    deployment.batch = 0
    if deployment.batches == 0:
        _done_moving(deployment, at_ms)
    else:
        _next_batch(deployment, at_ms)


def batch_sizes(deployment: DaemonDeployment) -> dict[str, int]:
    """How many instances of each capacity provider one batch moves: ``drainPercent`` of them,
    rounded up, at least one."""
    percent = float(deployment.configuration.get("drainPercent", DEFAULT_DRAIN_PERCENT))
    return {
        cp: max(1, math.ceil(count * percent / 100.0))
        for cp, count in deployment.instances.items()
        if count
    }


def _goal(deployment: DaemonDeployment, cp: str) -> str | None:
    """The revision id the instances of ``cp`` end on: the target's where it deploys to."""
    target = deployment.target
    return target.id if target is not None and cp in deployment.capacity_providers else None


def _to_change(deployment: DaemonDeployment, cp: str) -> int:
    """How many instances of ``cp`` do not yet run what they end on."""
    goal = _goal(deployment, cp)
    on_sources = sum(deployment.running.get((source.id, cp), 0) for source in deployment.sources)
    if goal is None:
        return on_sources
    return deployment.instances.get(cp, 0) - deployment.running.get((goal, cp), 0)


def _next_batch(deployment: DaemonDeployment, at_ms: int) -> None:
    """Begin the next batch: on each capacity provider, up to a batch of instances without a
    daemon task start the target's, and source tasks drain for the rest."""
    deployment.batch += 1
    for cp, size in batch_sizes(deployment).items():
        take = min(size, _to_change(deployment, cp))
        if _goal(deployment, cp) is not None:
            held = sum(count for (_, where), count in deployment.running.items() if where == cp)
            free = min(take, deployment.instances[cp] - held)
            _add(deployment.running, ("", cp), free)  # starting the target's task
            take -= free
        for source in deployment.sources:
            drained = min(take, deployment.running.get((source.id, cp), 0))
            _add(deployment.running, (source.id, cp), -drained)
            _add(deployment.draining, (source.id, cp), drained)
            take -= drained
    deployment.updated_ms = at_ms
    plan: Plan = deployment.plan
    assert deployment.started_ms is not None and deployment.batches
    end = deployment.started_ms + plan.in_progress_ms * deployment.batch // deployment.batches
    _schedule(deployment, "batch_end", end)


def _batch_end(deployment: DaemonDeployment, at_ms: int) -> None:
    """The batch's instances run the target (or, draining for good, nothing)."""
    for cp in deployment.instances:
        moved = deployment.running.pop(("", cp), 0) + sum(
            count for (_, where), count in deployment.draining.items() if where == cp
        )
        goal = _goal(deployment, cp)
        if goal is not None:
            _add(deployment.running, (goal, cp), moved)
    deployment.draining.clear()
    deployment.updated_ms = at_ms
    if deployment.batch < deployment.batches:
        _next_batch(deployment, at_ms)
    else:
        _done_moving(deployment, at_ms)


def _cancel_batch(deployment: DaemonDeployment) -> None:
    """An unfinished batch is called off: draining tasks run on, starting ones never ran."""
    for (revision, cp), count in deployment.draining.items():
        _add(deployment.running, (revision, cp), count)
    deployment.draining.clear()
    for cp in deployment.instances:
        deployment.running.pop(("", cp), None)


def _done_moving(deployment: DaemonDeployment, at_ms: int) -> None:
    plan: Plan = deployment.plan
    # A deployment that only drains (DeleteDaemon's) has nothing to roll back to and no task
    # to fail: it follows its plan's times, not a planned failure, and always ends the daemon.
    if (
        deployment.target is not None
        and any(deployment.instances.values())
        and plan.outcome != "SUCCESSFUL"
    ):
        _trip(deployment, at_ms)
        return
    bake_ms = int(deployment.configuration.get("bakeTimeInMinutes") or 0) * 60_000
    if bake_ms and deployment.target is not None and any(deployment.instances.values()):
        _schedule(deployment, "finish", at_ms + bake_ms)
    else:
        _finish(deployment, at_ms)


def _finish(deployment: DaemonDeployment, at_ms: int) -> None:
    _complete(deployment, "SUCCESSFUL", at_ms, COMPLETED_REASON)


def _trip(deployment: DaemonDeployment, at_ms: int) -> None:
    """The plan fails the deployment: the circuit breaker trips at its threshold, and it stops
    (STOPPED), or stops moving forward to roll back (STOP_REQUESTED)."""
    plan: Plan = deployment.plan
    deployment.failure_count = deployment.threshold
    deployment.breaker_triggered = True
    deployment.stopped_ms = at_ms
    deployment.alarms_seen = None
    if plan.outcome == "STOPPED":
        _complete(deployment, "STOPPED", at_ms, plan.reason or PLANNED_STOP_REASON)
        return
    _stop_to_roll_back(deployment, at_ms, plan.reason or CIRCUIT_BREAKER_REASON)


def _stop_to_roll_back(deployment: DaemonDeployment, at_ms: int, reason: str) -> None:
    """STOP_REQUESTED: stopped moving forward, and rolling back from the next instant on."""
    deployment.stopped_ms = at_ms
    deployment.alarms_seen = None
    deployment.outcome_reason = reason
    deployment.status_reason = reason
    _status(deployment, "STOP_REQUESTED", at_ms)
    _schedule(deployment, "rollback_start", at_ms, strict=True)


def _rollback_start(deployment: DaemonDeployment, at_ms: int) -> None:
    source = deployment.sources[0] if deployment.sources else None
    if source is None:
        _complete(deployment, "ROLLBACK_FAILED", at_ms, NO_SOURCE_REASON)
        return
    deployment.rollback_started_ms = at_ms
    deployment.rollback_reason = deployment.outcome_reason
    deployment.rollback_target = source
    # As a service's rollback puts its source's task definition back, the daemon's settings
    # name the revision it rolls back to again.
    watcher = deployment.daemon.watcher
    if watcher is not None:
        watcher.runs(deployment.daemon, source.task_definition_arn)
    _status(deployment, "ROLLBACK_IN_PROGRESS", at_ms)
    plan: Plan = deployment.plan
    _schedule(deployment, "rollback_finish", at_ms + plan.rollback_duration_ms)


def _rollback_finish(deployment: DaemonDeployment, at_ms: int) -> None:
    plan: Plan = deployment.plan
    source = deployment.rollback_target
    assert source is not None and deployment.target is not None
    # A planned ROLLBACK_FAILED fails the rollback; any other (an alarm's) succeeds.
    outcome = "ROLLBACK_FAILED" if plan.outcome == "ROLLBACK_FAILED" else "ROLLBACK_SUCCESSFUL"
    if outcome == "ROLLBACK_SUCCESSFUL":
        for cp in deployment.instances:
            back = deployment.running.pop((deployment.target.id, cp), 0)
            _add(deployment.running, (source.id, cp), back)
    _complete(deployment, outcome, at_ms, deployment.outcome_reason)


def _complete(deployment: DaemonDeployment, status: str, at_ms: int, reason: str | None) -> None:
    deployment.status_reason = reason
    deployment.finished_ms = at_ms
    deployment.alarms_seen = None
    _status(deployment, status, at_ms)
    daemon = deployment.daemon
    if daemon.ongoing is deployment:
        daemon.ongoing = None
    if deployment.target is None and status == "SUCCESSFUL" and daemon.watcher is not None:
        daemon.watcher.drained(daemon)


def _add(counts: dict[Placement, int], key: Placement, amount: int) -> None:
    value = counts.get(key, 0) + amount
    if value:
        counts[key] = value
    else:
        counts.pop(key, None)


_STEPS: dict[str, Callable[[DaemonDeployment, int], None]] = {
    "start": _start,
    "batch_end": _batch_end,
    "finish": _finish,
    "rollback_start": _rollback_start,
    "rollback_finish": _rollback_finish,
}
