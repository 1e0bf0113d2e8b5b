"""State out: every service and deployment the backends hold, written down as a scenario that
loads back into the same answers, then and as time moves on.

A scenario entry is built in full first (every key, times as epoch milliseconds), then the
keys whose value is what the loader would take anyway are dropped (:func:`without_defaults`),
and the times are written as absolute ISO 8601 text. ``record`` (:mod:`.record`) builds its
entries from AWS's answers and goes through the same two steps, so both write one format.
PyYAML is imported only when a YAML file is written.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..engine.deployments import lifecycle, strategies
from ..engine.model import arns
from ..engine.model.clock import from_ms, now_ms
from ..engine.model.records import Service, ServiceDeployment, ServiceRevision
from ..engine.seeding.recorded import REVISION_SETTINGS
from ..engine.state.backend import ServiceDeploymentBackend
from ..engine.state.registry import service_deployment_backends

#: The file suffixes a scenario is written for, and the format each means.
FORMATS = {".yaml": "YAML", ".yml": "YAML", ".json": "JSON"}
# Keys of a deployment entry that hold times, written as ISO 8601 text.
_TIME_KEYS = ("created_at", "started_at", "finished_at", "updated_at", "rollback_started_at")
_ROLLING_BACK = ("ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")


def dump_scenario(*, services: Iterable[str] | str | None = None) -> dict[str, Any]:
    """The state of every account and region in ``service_deployment_backends`` as scenario
    data (see the scenario files page) that ``load_scenario`` turns back into the same
    answers. Deployments that follow a plan are first brought up to now, as a read would.

    :param services: only these services: names (in any cluster) or ``cluster/service``.
    :returns: a mapping: ``account_id``, ``region`` and ``services`` when every service is in
        one account and region (``{"services": []}`` when there are none); else ``services``
        alone, each naming its own ``account_id`` and ``region``. Times are absolute ISO 8601
        text, to the millisecond.
    :raises ValueError: a name in ``services`` that matches no service.
    """
    wanted = _Selection(services)
    places = []
    with service_deployment_backends.lock:
        backends = [
            (account_id, region, backend)
            for account_id, regions in sorted(dict.items(service_deployment_backends))
            for region, backend in sorted(dict.items(regions))
        ]
    for account_id, region, backend in backends:
        with backend.lock:
            now = now_ms()
            # Copied under the lock: the caller may change what it gets, and the records'
            # own lists and mappings must not change with it.
            entries = copy.deepcopy(
                [
                    service_entry(record, now)
                    for record in list(backend.services.values())
                    if record.status == "ACTIVE" and wanted.takes(record)
                ]
            )
        if entries:
            places.append((account_id, region, entries))
    wanted.check()
    if len(places) == 1:
        account_id, region, entries = places[0]
        return {"account_id": account_id, "region": region, "services": entries}
    return {
        "services": [
            {"account_id": account_id, "region": region, **entry}
            for account_id, region, entries in places
            for entry in entries
        ]
    }


def service_entry(service: Service, now: int) -> dict[str, Any]:
    """One service as a scenario's service entry, its deployments brought up to ``now``. It
    shares the records' own lists and mappings: copy it before handing it out."""
    ServiceDeploymentBackend.refresh(service, now)
    entry: dict[str, Any] = {"cluster": service.cluster, "service": service.name}
    if service.deployment_controller != "ECS":
        entry["deployment_controller"] = service.deployment_controller
    if service.desired_count != 1:
        entry["desired_count"] = service.desired_count
    if service.capacity_provider_strategy:
        # add_service takes one of the two; the strategy is what a revision shows.
        entry["capacity_provider_strategy"] = service.capacity_provider_strategy
    elif service.launch_type not in (None, "FARGATE"):
        entry["launch_type"] = service.launch_type
    for key in ("platform_version", "network_configuration", "task_definition"):
        if getattr(service, key) is not None:
            entry[key] = getattr(service, key)
    for key in ("load_balancers", "service_registries", "deployment_configuration"):
        if getattr(service, key):
            entry[key] = getattr(service, key)
    places = {d.target_revision.id: index for index, d in enumerate(service.deployments)}
    entry["deployments"] = [
        deployment_entry(deployment, index, places)
        for index, deployment in enumerate(service.deployments)
    ]
    return written(without_defaults(entry))


def deployment_entry(
    deployment: ServiceDeployment, index: int, places: dict[int, int]
) -> dict[str, Any]:
    """One deployment as a full deployment entry (every key; times in epoch milliseconds).

    :param index: its place in its service's order.
    :param places: each revision id of the service, by the place of the deployment it is the
        target of.
    :raises ValueError: a source revision made by a deployment created after this one, which
        a scenario cannot name (only possible when seeding created deployments out of order).
    """
    service, revision = deployment.service, deployment.target_revision
    entry: dict[str, Any] = {"id": deployment.id}
    if deployment.plan is None or deployment.next_ms is None:
        # A plan with no step to come never moves again (a stop refused after the plan was
        # set): the deployment stays as it is, as a recorded one does.
        entry["status"] = deployment.status
    else:
        entry["plan"] = _plan(deployment)
        entry["plan_status"] = deployment.status
    entry["created_at"] = deployment.created_ms
    if deployment.started_ms is not None:
        entry["started_at"] = deployment.started_ms
    elif deployment.status != "PENDING":
        entry["never_started"] = True
    if deployment.finished_ms is not None:
        entry["finished_at"] = deployment.finished_ms
    if deployment.status_reason is not None:
        entry["status_reason"] = deployment.status_reason
    prefix = arns.task_definition_arn(service.region, service.account_id, "")
    entry["task_definition"] = revision.task_definition.removeprefix(prefix)
    entry["revision_id"] = revision.id
    if revision.container_images is not None:
        entry["container_images"] = revision.container_images
    for source in deployment.source_revisions:
        if places.get(source.id, -1) >= index:
            raise ValueError(
                f"{deployment.arn}: its source revision {source.arn} was made by a deployment"
                " created after it, which a scenario cannot name"
            )
    entry["source_revisions"] = [source.id for source in deployment.source_revisions]
    entry["desired_count"] = deployment.desired_count
    entry["deployment_configuration"] = deployment.configuration or {}
    entry.update(_revision_settings(revision))
    entry["updated_at"] = deployment.updated_ms
    entry["lifecycle_stage"] = deployment.lifecycle_stage
    entry["lifecycle_hook_details"] = [
        {"hook_id": hook.id, "status": hook.status}
        | ({} if hook.expires_ms is None else {"expires_at": hook.expires_ms})
        for hook in deployment.hooks or ()
        if hook.status is not None
    ]
    if deployment.rollback_started_ms is not None:
        entry["rollback_started_at"] = deployment.rollback_started_ms
    entry["circuit_breaker_triggered"] = deployment.breaker_triggered
    if (
        "plan" in entry
        and deployment.status == "IN_PROGRESS"
        and deployment.lifecycle_stage == "PRODUCTION_TRAFFIC_SHIFT"
        and strategies.strategy_of(deployment.configuration) in ("LINEAR", "CANARY")
    ):
        entry["production_traffic_weight"] = deployment.traffic[0]
    return entry


def _plan(deployment: ServiceDeployment) -> dict[str, Any]:
    plan: lifecycle.Plan = deployment.plan
    # Once a rollback is under way, how it ends is the deployment's, not the plan's outcome.
    outcome = plan.outcome
    if deployment.status in _ROLLING_BACK:
        outcome = deployment.rollback_outcome or "ROLLBACK_SUCCESSFUL"
    written_plan: dict[str, Any] = {
        "outcome": outcome,
        "pending_for": plan.pending_ms,
        "in_progress_for": plan.in_progress_ms,
    }
    if plan.rollback_ms is not None:
        written_plan["rollback_for"] = plan.rollback_ms
    if plan.reason is not None:
        written_plan["reason"] = plan.reason
    return written_plan


def _revision_settings(revision: ServiceRevision) -> dict[str, Any]:
    settings = {key: getattr(revision, key) for key in REVISION_SETTINGS}
    settings["capacity_provider_strategy"] = settings["capacity_provider_strategy"] or []
    return settings


def without_defaults(service: dict[str, Any]) -> dict[str, Any]:
    """``service`` (a service entry with full deployment entries) without the deployment keys
    whose value is the one the loader takes when the key is absent."""
    previous: int | None = None
    for entry in service["deployments"]:
        status = entry.get("plan_status") or entry.get("status") or "PENDING"
        if entry.get("plan_status") == "PENDING":
            del entry["plan_status"]
        if entry.get("source_revisions") == ([] if previous is None else [previous]):
            del entry["source_revisions"]
        previous = entry["revision_id"]
        breaker = (entry.get("deployment_configuration") or {}).get("deploymentCircuitBreaker")
        implied_trigger = (
            status.startswith("ROLLBACK_")
            and entry.get("status_reason") == lifecycle.CIRCUIT_BREAKER_REASON
            and bool((breaker or {}).get("enable"))
        )
        start = entry.get("started_at", entry["created_at"])
        implied = {
            "desired_count": service.get("desired_count", 1),
            "deployment_configuration": service.get("deployment_configuration", {}),
            "updated_at": max(entry.get(key, 0) for key in _TIME_KEYS[:3]),
            "lifecycle_stage": _implied_stage(status),
            "lifecycle_hook_details": [],
            "rollback_started_at": start if status.startswith("ROLLBACK_") else None,
            "circuit_breaker_triggered": implied_trigger,
            "never_started": False,
        }
        for key, value in implied.items():
            if key in entry and entry[key] == value:
                del entry[key]
        _drop_implied_settings(entry, service)
    return service


def _implied_stage(status: str) -> str:
    if status == "PENDING":
        return "RECONCILE_SERVICE"
    return "CLEAN_UP" if status in lifecycle.OUTCOMES else "SCALE_UP"


def _drop_implied_settings(entry: dict[str, Any], service: dict[str, Any]) -> None:
    """Drop the revision settings that are the service's; a launch type and a strategy go
    together (giving one replaces both), and an unset setting cannot be given."""
    strategy = service.get("capacity_provider_strategy") or []
    launch = service.get("launch_type", None if strategy else "FARGATE")
    if (entry.get("launch_type"), entry.get("capacity_provider_strategy") or []) == (
        launch,
        strategy,
    ):
        entry.pop("launch_type", None)
        entry.pop("capacity_provider_strategy", None)
    else:
        launch = entry.get("launch_type")
        if entry.get("launch_type") is None:
            entry.pop("launch_type", None)
        elif not entry.get("capacity_provider_strategy"):
            entry.pop("capacity_provider_strategy", None)
    platform = service.get("platform_version") or ("LATEST" if launch == "FARGATE" else None)
    implied = {
        "platform_version": platform,
        "network_configuration": service.get("network_configuration"),
        "load_balancers": service.get("load_balancers", []),
        "service_registries": service.get("service_registries", []),
    }
    for key, value in implied.items():
        if key in entry and (entry[key] == value or entry[key] is None):
            del entry[key]


def written(service: dict[str, Any]) -> dict[str, Any]:
    """``service`` with its deployments' times as ISO 8601 text and plan durations as
    duration text, as a scenario file writes them."""
    for entry in service["deployments"]:
        for key in _TIME_KEYS:
            if entry.get(key) is not None:
                entry[key] = iso_time(entry[key])
        for detail in entry.get("lifecycle_hook_details", ()):
            if detail.get("expires_at") is not None:
                detail["expires_at"] = iso_time(detail["expires_at"])
        plan = entry.get("plan")
        for key in ("pending_for", "in_progress_for", "rollback_for"):
            if plan is not None and key in plan:
                plan[key] = duration_text(plan[key])
    return service


def iso_time(ms: int) -> str:
    """Epoch milliseconds as ISO 8601 UTC text: ``2025-01-10T09:00:00Z``, with the
    milliseconds when there are some (``2025-01-10T09:00:00.250Z``)."""
    moment = from_ms(ms)
    return moment.isoformat(timespec="milliseconds" if ms % 1000 else "seconds").replace(
        "+00:00", "Z"
    )


def duration_text(ms: int) -> str | float:
    """A duration as a scenario writes it: ``1h30m``, ``45s``; a number of seconds when it
    has milliseconds."""
    if ms % 1000:
        return ms / 1000
    seconds = ms // 1000
    parts = [
        (seconds // 86_400, "d"),
        (seconds // 3600 % 24, "h"),
        (seconds // 60 % 60, "m"),
        (seconds % 60, "s"),
    ]
    return "".join(f"{value}{unit}" for value, unit in parts if value) or "0s"


class _Selection:
    """The services ``dump_scenario(services=...)`` keeps, and which names matched none."""

    def __init__(self, services: Iterable[str] | str | None) -> None:
        self.names = (
            None
            if services is None
            else [services]
            if isinstance(services, str)
            else list(services)
        )
        self.matched: set[str] = set()

    def takes(self, service: Service) -> bool:
        if self.names is None:
            return True
        taken = False
        for name in self.names:
            if name in (service.name, f"{service.cluster}/{service.name}"):
                self.matched.add(name)
                taken = True
        return taken

    def check(self) -> None:
        unmatched = [name for name in self.names or () if name not in self.matched]
        if unmatched:
            raise ValueError(
                f"services: {unmatched[0]!r} matches no service; give a service name or"
                " 'cluster/service'"
            )


def scenario_format(path: str | os.PathLike[str]) -> str:
    """``YAML`` or ``JSON``, as the file's suffix says.

    :raises ValueError: for any other suffix, naming the allowed ones.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"{os.fspath(path)}: the suffix {suffix or '(none)'!r} is not allowed; allowed:"
            f" {', '.join(FORMATS)}"
        )
    return FORMATS[suffix]


def write_scenario(data: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Write scenario data to ``path``: YAML for ``.yaml``/``.yml``, JSON for ``.json``.

    :raises ValueError: for any other suffix (nothing is written).
    :raises OSError: if the file cannot be written.
    """
    if scenario_format(path) == "JSON":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate in a reason: JSON's escapes carry it
            text = json.dumps(data, indent=2) + "\n"
    else:
        text = _yaml_text(data)
    Path(path).write_text(text, encoding="utf-8")


# Line breaks other than "\n" that YAML folds when they appear literally in a plain or
# single-quoted scalar: a string holding one is written double-quoted, where they are escaped.
_FOLDED_BREAKS = frozenset("\x85\u2028\u2029")


def _yaml_text(data: dict[str, Any]) -> str:
    """``data`` as YAML text that loads back into equal data (strings included)."""
    import yaml  # here, not at import: only writing a YAML file needs it

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = '"' if _FOLDED_BREAKS.intersection(value) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    dumped: str = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
    return dumped
