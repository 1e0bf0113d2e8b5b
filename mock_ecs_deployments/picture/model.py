"""The picture: what the backends hold now, as the state page draws it.

One mapping, JSON-able: the mock's clock, and every ACTIVE service of every account and
region with its deployments, each with the stretches of time it spent in each status and
lifecycle stage, its target's traffic weights over time, the instants to mark, what
DescribeServiceDeployments answers for it, its EventBridge events and the calls that named
it; and every managed daemon not gone, with its deployments drawn the same way (what
DescribeDaemonDeployments answers for each). Each backend is read under its lock, its planned
deployments first brought up to now, so a service's (or daemon's) rows agree with each other
as a read at that instant would.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Sequence
from datetime import datetime
from typing import Any, TypedDict

from ..engine.deployments import daemon_lifecycle, lifecycle, strategies
from ..engine.events.deployment_events import (
    DAEMON_DEPLOYMENT_STATE_CHANGE,
    DEPLOYMENT_STATE_CHANGE,
    SERVICE_ACTION,
    Event,
)
from ..engine.events.service_events import deployment_id
from ..engine.model.clock import iso_ms, now_ms, to_ms
from ..engine.model.daemon_records import Daemon, DaemonDeployment
from ..engine.model.records import Service, ServiceDeployment
from ..engine.state.backend import ServiceDeploymentBackend
from ..engine.state.registry import service_deployment_backends
from ..protocol import daemon_shapes, faults, shapes

#: What the page says in place of tasks, which the mock does not keep.
TASKS_NOTE = (
    "The mock keeps no tasks: DescribeServices' counts move from the source revision to the"
    " target at the deployment's transitions."
)
#: The operations whose calls name a deployment by ARN, and the parameter that does.
_ARN_PARAMETERS = {
    "DescribeServiceDeployments": "serviceDeploymentArns",
    "StopServiceDeployment": "serviceDeploymentArn",
    "ContinueServiceDeployment": "serviceDeploymentArn",
    "DescribeDaemonDeployments": "daemonDeploymentArns",
}


class Segment(TypedDict):
    """A stretch of time a deployment spent in a status or a lifecycle stage."""

    kind: str  # "status" or "stage"
    name: str
    start_ms: int
    end_ms: int | None  # None: still going


class TrafficPoint(TypedDict):
    """The target revision's traffic weights (percent) from ``at_ms`` on."""

    at_ms: int
    production: float
    test: float


class Mark(TypedDict):
    """An instant the timeline marks."""

    kind: str  # "rollback", "stop", "finished" or "hook"
    at_ms: int
    label: str


def build_picture(
    backends: Iterable[ServiceDeploymentBackend] | None = None,
    *,
    events: Sequence[Event] | None = None,
    calls: Sequence[faults.Call] | None = None,
) -> dict[str, Any]:
    """The picture of ``backends`` (default: every account and region the mock holds).

    :param backends: the backends to draw.
    :param events: the EventBridge events to join to the deployments (default: the mock's).
    :param calls: the answered calls to join to the deployments (default: the mock's log).
    :returns: ``{"now", "now_ms", "services", "daemons", "tasks_note"}``; services (ACTIVE)
        and daemons (not gone) each in account, region, cluster and name order, each with its
        deployments oldest first.
    """
    if backends is None:
        with service_deployment_backends.lock:
            backends = [
                backend
                for _, regions in sorted(dict.items(service_deployment_backends))
                for _, backend in sorted(dict.items(regions))
            ]
    services: list[dict[str, Any]] = []
    daemons: list[dict[str, Any]] = []
    now = now_ms()  # one instant for every backend: the picture is of one moment
    for backend in backends:
        with backend.lock:
            records = [record for record in backend.services.values() if record.status == "ACTIVE"]
            for record in records:
                ServiceDeploymentBackend.refresh(record, now)
            services.extend(_service(record, now) for record in records)
            held = [record for record in backend.daemons.values() if record.status != "DELETED"]
            for daemon in held:
                backend.refresh_daemon(daemon, now)
            # (A delete deployment that ended meanwhile took its daemon away.)
            daemons.extend(_daemon(daemon) for daemon in held if daemon.status != "DELETED")
    # After the reads: an event is made when a read moves a deployment. Each is looked at
    # only by the deployments of its own service or daemon, each call by those of its account
    # and region.
    events_by_resource: dict[object, list[Event]] = defaultdict(list)
    for event in _events() if events is None else events:
        resources = event.get("resources") or [None]
        events_by_resource[resources[0]].append(event)
    calls_by_place: dict[tuple[str, str], list[faults.Call]] = defaultdict(list)
    for call in faults.calls() if calls is None else calls:
        calls_by_place[call.account_id, call.region].append(call)
    kinds = ((services, "ListServiceDeployments"), (daemons, "ListDaemonDeployments"))
    for owners, listing in kinds:
        owners.sort(key=lambda s: (s["account_id"], s["region"], s["cluster"], s["name"]))
        _join(owners, listing, events_by_resource, calls_by_place)
    return {
        "now": iso_ms(now),
        "now_ms": now,
        "services": services,
        "daemons": daemons,
        "tasks_note": TASKS_NOTE,
    }


def _join(
    owners: list[dict[str, Any]],
    listing: str,
    events: dict[object, list[Event]],
    calls: dict[tuple[str, str], list[faults.Call]],
) -> None:
    """Give each deployment of ``owners`` (services, or daemons) its events and calls: those of
    its owner's resource, and of its owner's account and region, that are its own. ``listing``
    is the operation that lists an owner's deployments."""
    for owner in owners:
        deployments = owner["deployments"]
        owner_events = events.get(owner["arn"], [])
        owner_calls = calls.get((owner["account_id"], owner["region"]), [])
        for index, deployment in enumerate(deployments):
            # Its events come before the next deployment's creation.
            end = deployments[index + 1]["created_ms"] if index + 1 < len(deployments) else None
            deployment["events"] = _events_of(deployment, owner_events, end)
            deployment["calls"] = _calls_of(deployment, owner, owner_calls, listing)
        for deployment in deployments:
            deployment.pop("_ids", None)


def _events() -> list[Event]:
    from ..engine.state.process import mock_state  # the state the mock holds now

    return mock_state.events.events()


def _service(service: Service, now: int) -> dict[str, Any]:
    return {
        "account_id": service.account_id,
        "region": service.region,
        "cluster": service.cluster,
        "name": service.name,
        "arn": service.arn,
        "status": service.status,
        "desired_count": service.desired_count,
        "task_definition": service.task_definition,
        "strategy": strategies.strategy_of(service.deployment_configuration),
        "deployments": [_deployment(deployment, now) for deployment in service.deployments],
    }


def _daemon(daemon: Daemon) -> dict[str, Any]:
    return {
        "account_id": daemon.account_id,
        "region": daemon.region,
        "cluster": daemon.cluster,
        "name": daemon.name,
        "arn": daemon.arn,
        "status": daemon.status,
        "task_definition": daemon.task_definition_arn,
        "capacity_providers": list(daemon.capacity_provider_arns),
        "deployments": [_daemon_deployment(deployment) for deployment in daemon.deployments],
    }


def _life(deployment: ServiceDeployment | DaemonDeployment) -> dict[str, Any]:
    """What a deployment of either kind is drawn from: its ARN, id, status and times."""
    return {
        "arn": deployment.arn,
        "id": deployment.id,
        "status": deployment.status,
        "status_reason": deployment.status_reason,
        "created_ms": deployment.created_ms,
        "started_ms": deployment.started_ms,
        "finished_ms": deployment.finished_ms,
        "stopped_ms": deployment.stopped_ms,
        "updated_ms": deployment.updated_ms,
    }


def _daemon_deployment(deployment: DaemonDeployment) -> dict[str, Any]:
    target = deployment.target  # (none for the deployment DeleteDaemon started)
    return {
        **_life(deployment),
        "target_revision_arn": None if target is None else target.arn,
        "target_task_definition": None if target is None else target.task_definition_arn,
        "source_revision_arns": [revision.arn for revision in deployment.sources],
        "segments": daemon_segments(deployment),
        "marks": daemon_marks(deployment),
        "describe": _with_iso_times(daemon_shapes.deployment(deployment)),
    }


def _deployment(deployment: ServiceDeployment, now: int) -> dict[str, Any]:
    interruptible = deployment.status in lifecycle.INTERRUPTIBLE
    ids = {deployment_id(deployment.target_revision)}
    if deployment.rollback_revision is not None:
        ids.add(deployment_id(deployment.rollback_revision))
    return {
        **_life(deployment),
        "strategy": strategies.strategy_of(deployment.configuration),
        "lifecycle_stage": deployment.lifecycle_stage,
        "target_revision_arn": deployment.target_revision.arn,
        "target_task_definition": deployment.target_revision.task_definition,
        "source_revision_arns": [revision.arn for revision in deployment.source_revisions],
        "segments": segments(deployment),
        "traffic": traffic(deployment),
        "marks": marks(deployment),
        "hooks_awaiting": [
            {"hook_id": hook.id, "stage": hook.stage}
            for hook in deployment.hooks or ()
            if hook.status == "AWAITING_ACTION"
        ],
        "can_stop": interruptible,
        "can_roll_back": interruptible and bool(deployment.source_revisions),
        "describe": _with_iso_times(shapes.service_deployment(deployment)),
        "_ids": ids,
    }


def _history(deployment: ServiceDeployment) -> list[lifecycle.Moment]:
    """The moments the deployment's record holds (none for one that never moved)."""
    return list(deployment.history or ())


def segments(deployment: ServiceDeployment) -> list[Segment]:
    """The stretches of time ``deployment`` spent in each status (all of its life) and, where
    its history knows them, in each lifecycle stage while IN_PROGRESS."""
    history = _history(deployment)
    known_from = history[0].at_ms if history else None
    return _stretches(
        _status_from_times(deployment, until=known_from),
        [(moment.at_ms, moment.status, moment.stage) for moment in history],
        drawn=lifecycle.ONGOING,
        ongoing=bool(history) and not deployment.completed,
        finished=deployment.finished_ms,
    )


def daemon_segments(deployment: DaemonDeployment) -> list[Segment]:
    """The stretches of time a daemon deployment spent in each status its history holds, the
    one it ended in too (it lasts no time)."""
    return _stretches(
        [],
        [(at_ms, status, None) for at_ms, status in deployment.history],
        drawn=None,
        ongoing=deployment.status in daemon_lifecycle.ONGOING,
        finished=deployment.finished_ms,
    )


def _stretches(
    out: list[Segment],
    moments: Sequence[tuple[int, str, str | None]],
    *,
    drawn: Container[str] | None,
    ongoing: bool,
    finished: int | None,
) -> list[Segment]:
    """``out`` with the stretches ``moments`` (at ms, status, lifecycle stage) give added: one
    per moment whose status is ``drawn`` (every one for None), and the stages walked while
    IN_PROGRESS, each to the next moment. The last stays open while the deployment is
    ``ongoing``; otherwise every open stretch ends when it ``finished``."""
    for index, (at_ms, status, stage) in enumerate(moments):
        end = moments[index + 1][0] if index + 1 < len(moments) else None
        if drawn is None or status in drawn:
            _extend(out, "status", status, at_ms, end)
        if status == "IN_PROGRESS" and stage is not None:
            _extend(out, "stage", stage, at_ms, end)
    if ongoing or finished is None:
        return out
    for segment in out:
        if segment["end_ms"] is None:
            segment["end_ms"] = finished
    return out


def _extend(out: list[Segment], kind: str, name: str, start: int, end: int | None) -> None:
    """Add a stretch, or lengthen the last one of its kind when it has the same name."""
    last = next((segment for segment in reversed(out) if segment["kind"] == kind), None)
    if last is not None and last["name"] == name and last["end_ms"] == start:
        last["end_ms"] = end
        return
    out.append({"kind": kind, "name": name, "start_ms": start, "end_ms": end})


def _status_from_times(deployment: ServiceDeployment, *, until: int | None) -> list[Segment]:
    """The status stretches its timestamps give (a deployment seeded with a status, or
    restored), up to ``until`` where its history takes over."""
    out: list[Segment] = []
    created, started = deployment.created_ms, deployment.started_ms
    rollback = deployment.rollback_started_ms
    finished = deployment.finished_ms

    def add(name: str, start: int, end: int | None) -> None:
        if until is not None:
            if start >= until:
                return
            end = until if end is None else min(end, until)
        out.append({"kind": "status", "name": name, "start_ms": start, "end_ms": end})

    ongoing_end = None if deployment.status in lifecycle.ONGOING else finished
    add("PENDING", created, started if started is not None else ongoing_end)
    if started is not None:
        add("IN_PROGRESS", started, rollback if rollback is not None else ongoing_end)
    if rollback is not None:  # (a first deployment's, with nothing to go back to, lasts no time)
        add("ROLLBACK_IN_PROGRESS", rollback, ongoing_end)
    return out


def traffic(deployment: ServiceDeployment) -> list[TrafficPoint]:
    """The target's traffic weights over time (empty for a strategy that shifts none)."""
    if not strategies.shifts_traffic(deployment.configuration):
        return []
    points: list[TrafficPoint] = []
    for moment in _history(deployment):
        if moment.traffic is None:
            continue
        production, test = moment.traffic
        if points and (points[-1]["production"], points[-1]["test"]) == (production, test):
            continue
        points.append({"at_ms": moment.at_ms, "production": production, "test": test})
    if not points:  # never moved: what it shows now, over its whole life
        now_traffic = strategies.target_traffic(deployment)
        if now_traffic is not None:
            start = deployment.started_ms or deployment.created_ms
            points.append({"at_ms": start, "production": now_traffic[0], "test": now_traffic[1]})
    return points


def marks(deployment: ServiceDeployment) -> list[Mark]:
    """The instants worth marking: a rollback's start, a stop, the end, hooks reached."""
    hooks: list[Mark] = [
        {
            "kind": "hook",
            "at_ms": hook.expires_ms,
            "label": f"hook {hook.id} at {hook.stage} times out",
        }
        for hook in deployment.hooks or ()
        if hook.status == "AWAITING_ACTION" and hook.expires_ms is not None
    ]
    return _marks(
        deployment,
        reason=deployment.status_reason,
        asked=[m.at_ms for m in _history(deployment) if m.status == "STOP_REQUESTED"],
        more=hooks,
    )


def daemon_marks(deployment: DaemonDeployment) -> list[Mark]:
    """The instants worth marking: a rollback's start, the end (a stop nobody can ask for: a
    daemon deployment stops when it is superseded, or as planned)."""
    return _marks(deployment, reason=deployment.rollback_reason, asked=[], more=[])


def _marks(
    deployment: ServiceDeployment | DaemonDeployment,
    *,
    reason: str | None,
    asked: list[int],
    more: list[Mark],
) -> list[Mark]:
    """A rollback's start (for ``reason``), the stops ``asked`` for, the end, and ``more``, in
    time order."""
    out: list[Mark] = []
    if deployment.rollback_started_ms is not None:
        out.append(
            {
                "kind": "rollback",
                "at_ms": deployment.rollback_started_ms,
                "label": f"rollback started: {reason or ''}".rstrip(": "),
            }
        )
    # A rollback asked for is marked where it began (above), a stop where it was asked.
    out.extend({"kind": "stop", "at_ms": at_ms, "label": "STOP_REQUESTED"} for at_ms in asked)
    if deployment.finished_ms is not None:
        # A stop nobody asked for (superseded, or planned) is marked where it happened.
        kind = "stop" if deployment.status == "STOPPED" and not asked else "finished"
        out.append({"kind": kind, "at_ms": deployment.finished_ms, "label": deployment.status})
    return sorted([*out, *more], key=lambda mark: mark["at_ms"])


def _events_of(deployment: dict[str, Any], events: list[Event], end: int | None) -> list[Event]:
    """The events of ``deployment`` among its service's: its state changes (by its revisions'
    ``ecs-svc`` ids) and the service's steady states, from its creation to ``end``; or among
    its daemon's: its state changes (by its ARN)."""
    ids: set[str] = deployment.get("_ids") or set()
    start = deployment["created_ms"]
    out = []
    for event in events:  # the service's or daemon's own (build_picture groups them)
        detail = event.get("detail") or {}
        if event.get("detail-type") == DAEMON_DEPLOYMENT_STATE_CHANGE:
            if detail.get("daemonDeploymentArn") == deployment["arn"]:
                out.append(event)
        elif event.get("detail-type") == DEPLOYMENT_STATE_CHANGE:
            if detail.get("deploymentId") in ids and _within(detail.get("updatedAt"), start, end):
                out.append(event)
        elif event.get("detail-type") == SERVICE_ACTION and _within(
            detail.get("createdAt"), start, end
        ):
            out.append(event)
    return out


def _within(iso: object, start: int, end: int | None) -> bool:
    if not isinstance(iso, str):
        return False
    # fromisoformat reads a trailing "Z" only from Python 3.11 on.
    at = to_ms(datetime.fromisoformat(iso.replace("Z", "+00:00")))
    return at >= start and (end is None or at < end)


def _calls_of(
    deployment: dict[str, Any], owner: dict[str, Any], calls: list[faults.Call], listing: str
) -> list[dict[str, Any]]:
    """The calls that named ``deployment``'s ARN, and those of ``listing`` (the operation that
    lists the deployments of a service, or of a daemon) that named its ``owner``."""
    arn = deployment["arn"]
    names_owner = _NAMES_OWNER[listing]
    out = []
    for call in calls:  # of the owner's account and region (build_picture groups them)
        parameter = _ARN_PARAMETERS.get(call.operation)
        named = call.params.get(parameter) if parameter is not None else None
        if (
            named == arn
            or (isinstance(named, list) and arn in named)
            or (call.operation == listing and names_owner(call.params, owner))
        ):
            out.append(dataclasses.asdict(call))
    return out


def _names_daemon(params: dict[str, Any], daemon: dict[str, Any]) -> bool:
    return bool(params.get("daemonArn") == daemon["arn"])


def _names_service(params: dict[str, Any], service: dict[str, Any]) -> bool:
    named = params.get("service")
    if named == service["arn"]:
        return True
    cluster = params.get("cluster") or "default"
    return named == service["name"] and cluster in (service["cluster"], _cluster_arn(service))


def _cluster_arn(service: dict[str, Any]) -> str:
    prefix = str(service["arn"]).split(":service/")[0]
    return f"{prefix}:cluster/{service['cluster']}"


#: Whether a listing call's parameters name the owner (a service, a daemon) of deployments.
_NAMES_OWNER: dict[str, Callable[[dict[str, Any], dict[str, Any]], bool]] = {
    "ListServiceDeployments": _names_service,
    "ListDaemonDeployments": _names_daemon,
}


def _with_iso_times(value: Any) -> Any:
    """The shape with its epoch-second times written as ISO 8601 text, as a reader wants."""
    if isinstance(value, dict):
        return {
            key: iso_ms(round(item * 1000))
            if key.endswith("At") and isinstance(item, int | float) and not isinstance(item, bool)
            else _with_iso_times(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_with_iso_times(item) for item in value]
    return value


__all__ = ["TASKS_NOTE", "Mark", "Segment", "TrafficPoint", "build_picture"]
