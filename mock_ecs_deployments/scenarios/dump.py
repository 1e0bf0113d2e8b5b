"""State out: every service and deployment the backends hold, written down as a scenario that
loads back into the same answers, then and as time moves on.

Each deployment is taken as a :class:`~..engine.seeding.snapshot.DeploymentSnapshot` (what
``restore_deployment`` puts back), which :func:`.entries.deployment_entry` writes without the
keys whose value the loader would take anyway, with absolute ISO 8601 times. ``record``
(:mod:`.record`) takes its snapshots from AWS's answers and writes them through the same
mapping, so both write one format. PyYAML is imported only when a YAML file is written.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..engine.deployments import daemon_lifecycle, lifecycle, strategies
from ..engine.deployments.configuration import Hook
from ..engine.model import arns
from ..engine.model.clock import from_ms, now_ms, to_ms
from ..engine.model.daemon_records import DaemonTaskDefinition
from ..engine.model.records import Service, ServiceDeployment, Task
from ..engine.seeding import daemon_restoring
from ..engine.seeding.snapshot import DeploymentSnapshot, HookDetailFields
from ..engine.state.backend import ServiceDeploymentBackend
from ..engine.state.registry import service_deployment_backends
from .entries import ServiceEntry, deployment_entries, iso_time

#: The file suffixes a scenario is written for, and the format each means.
FORMATS = {".yaml": "YAML", ".yml": "YAML", ".json": "JSON"}
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
    places: list[tuple[str, str, list[ServiceEntry]]] = []
    # What each account and region was told of its tasks and alarms (a dump of every service).
    signals: list[tuple[str, str, dict[str, list[dict[str, object]]]]] = []
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
            told = _signals(backend) if services is None else {}
        if entries:
            places.append((account_id, region, entries))
        if told:
            signals.append((account_id, region, told))
    wanted.check()
    data: dict[str, Any]
    where = {(account_id, region) for account_id, region, _ in [*places, *signals]}
    if len(where) <= 1:
        data = {"services": places[0][2] if places else []}
        if where:
            account_id, region = next(iter(where))
            data = {"account_id": account_id, "region": region, **data}
        for _, _, told in signals:
            data.update(told)
    else:
        data = {
            "services": [
                {"account_id": account_id, "region": region, **entry}
                for account_id, region, entries in places
                for entry in entries
            ]
        }
        for account_id, region, told in signals:
            for key, items in told.items():
                data.setdefault(key, []).extend(
                    {**item, "account_id": account_id, "region": region} for item in items
                )
    return data


def _signals(backend: ServiceDeploymentBackend) -> dict[str, list[dict[str, object]]]:
    """What ``backend`` was told of failing tasks, tasks that cannot be placed and alarms,
    as a scenario document's keys (only those with items)."""
    told: dict[str, list[dict[str, object]]] = {}
    for key, failure in backend.failing.items():
        item: dict[str, object] = {"task_definition": key}
        if failure.unplaceable is not None:
            if failure.unplaceable:
                item["reason"] = failure.unplaceable
            told.setdefault("fail_placement", []).append(item)
            continue
        if failure.exit_code != 1:
            item["exit_code"] = failure.exit_code
        if failure.reason is not None:
            item["reason"] = failure.reason
        if failure.cannot_start is not None:
            item["cannot_start"] = failure.cannot_start
        told.setdefault("fail_tasks", []).append(item)
    for name, (state, _) in backend.alarms.items():
        told.setdefault("alarms", []).append({"name": name, "state": state})
    for provider in backend.capacity_providers.values():
        told.setdefault("capacity_providers", []).append(
            {"name": provider.name, "cluster": provider.cluster, "instances": provider.instances}
        )
    for family in backend.daemon_task_definitions.values():
        for definition in family:
            told.setdefault("daemon_task_definitions", []).append(
                daemon_task_definition_entry(definition)
            )
    now = now_ms()
    for daemon in backend.daemon_order:
        if backend.daemons.get((daemon.cluster, daemon.name)) is daemon:
            if daemon.ongoing is not None:
                daemon_lifecycle.advance(daemon.ongoing, now)
            told.setdefault("daemons", []).append(dated(daemon_restoring.daemon_entry(daemon)))
    return told


def daemon_task_definition_entry(definition: DaemonTaskDefinition) -> dict[str, object]:
    """A daemon task definition revision as a scenario's ``daemon_task_definitions`` item."""
    entry: dict[str, object] = {
        "family": definition.family,
        "revision": definition.revision,
        "container_definitions": copy.deepcopy(definition.container_definitions),
        "status": definition.status,
        "registered_at": iso_time(definition.registered_ms),
    }
    for key, value in (
        ("cpu", definition.cpu),
        ("memory", definition.memory),
        ("delete_requested_at", _iso_or_none(definition.delete_requested_ms)),
    ):
        if value is not None:
            entry[key] = value
    return entry


def _iso_or_none(ms: int | None) -> str | None:
    return None if ms is None else iso_time(ms)


def dated(value: object) -> Any:
    """``value`` with every datetime written as ISO 8601 text, as a scenario file holds it;
    ``None`` members of mappings left out."""
    if isinstance(value, datetime):
        return iso_time(to_ms(value))
    if isinstance(value, Mapping):
        return {key: dated(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [dated(item) for item in value]
    return value


def service_entry(service: Service, now: int) -> ServiceEntry:
    """One service as a scenario's service entry, its deployments brought up to ``now``. It
    shares the records' own lists and mappings: copy it before handing it out.

    :raises ValueError: a deployment whose source revision was made by a deployment created
        after it, which a scenario cannot name (only seeding out of order does that).
    """
    ServiceDeploymentBackend.refresh(service, now)
    entry: ServiceEntry = {"cluster": service.cluster, "service": service.name}
    if service.deployment_controller != "ECS":
        entry["deployment_controller"] = service.deployment_controller
    if service.desired_count != 1:
        entry["desired_count"] = service.desired_count
    if service.capacity_provider_strategy:
        # add_service takes one of the two; the strategy is what a revision shows.
        entry["capacity_provider_strategy"] = service.capacity_provider_strategy
    elif service.launch_type not in (None, "FARGATE"):
        entry["launch_type"] = service.launch_type
    if service.platform_version is not None:
        entry["platform_version"] = service.platform_version
    if service.network_configuration is not None:
        entry["network_configuration"] = service.network_configuration
    if service.task_definition is not None:
        entry["task_definition"] = service.task_definition
    if service.load_balancers:
        entry["load_balancers"] = service.load_balancers
    if service.service_registries:
        entry["service_registries"] = service.service_registries
    if service.deployment_configuration:
        entry["deployment_configuration"] = service.deployment_configuration
    places = {d.target_revision.id: index for index, d in enumerate(service.deployments)}
    snapshots = [
        snapshot_of(deployment, index, places)
        for index, deployment in enumerate(service.deployments)
    ]
    entry["deployments"] = deployment_entries(entry, snapshots)
    if service.tasks is not None:
        # Its tasks and the event log they wrote, which its deployments alone cannot make
        # again (a service whose tasks were never made has none to write).
        entry["tasks_started"] = service.tasks_made
        entry["tasks"] = [_task_entry(task) for task in service.tasks]
        entry["events"] = [
            {"created_at": iso_time(event.created_ms), "message": event.message}
            for event in service.events
        ]
    return entry


def _task_entry(task: Task) -> dict[str, object]:
    """One task as ``restore_tasks`` takes it back, without the keys it leaves unset."""
    entry: dict[str, object] = {
        "id": task.id,
        "revision_id": task.revision.id,
        "created_at": iso_time(task.created_ms),
    }
    if task.started_ms is not None:
        entry["started_at"] = iso_time(task.started_ms)
    if task.stopped_ms is not None:
        entry["stopped_at"] = iso_time(task.stopped_ms)
    for key, value in (
        ("stop_code", task.stop_code),
        ("stopped_reason", task.stopped_reason),
        ("exit_code", task.exit_code),
        ("container_reason", task.container_reason),
    ):
        if value is not None:
            entry[key] = value
    if task.version != 1:
        entry["version"] = task.version
    return entry


def snapshot_of(
    deployment: ServiceDeployment, index: int, places: dict[int, int]
) -> DeploymentSnapshot:
    """One deployment as a snapshot that ``restore_deployment`` turns back into it, every
    field given (source revisions as revision ids, its own task definitions by
    ``family:revision``).

    :param index: its place in its service's order.
    :param places: each revision id of the service, by the place of the deployment it is the
        target of.
    :raises ValueError: a source revision made by a deployment created after this one, which
        a scenario cannot name (only possible when seeding created deployments out of order).
    """
    service, revision = deployment.service, deployment.target_revision
    for source in deployment.source_revisions:
        if places.get(source.id, -1) >= index:
            raise ValueError(
                f"{deployment.arn}: its source revision {source.arn} was made by a deployment"
                " created after it, which a scenario cannot name"
            )
    # A plan with no step to come never moves again (a stop refused after the plan was set):
    # the deployment stays as it is, as a recorded one does.
    planned = deployment.plan is not None and deployment.next_ms is not None
    prefix = arns.task_definition_arn(service.region, service.account_id, "")
    strategy = strategies.strategy_of(deployment.configuration)
    shifting = (
        planned
        and deployment.status == "IN_PROGRESS"
        and deployment.lifecycle_stage == "PRODUCTION_TRAFFIC_SHIFT"
        and strategy in ("LINEAR", "CANARY")
    )
    return DeploymentSnapshot(
        service=service.name,
        cluster=service.cluster,
        status=None if planned else deployment.status,
        created_at=from_ms(deployment.created_ms),
        started_at=_moment(deployment.started_ms),
        finished_at=_moment(deployment.finished_ms),
        status_reason=deployment.status_reason,
        task_definition=revision.task_definition.removeprefix(prefix),
        plan=_plan(deployment) if planned else None,
        source_revisions=[source.id for source in deployment.source_revisions],
        container_images=revision.container_images,
        deployment_configuration=deployment.configuration or {},
        id=deployment.id,
        revision_id=revision.id,
        desired_count=deployment.desired_count,
        launch_type=revision.launch_type,
        capacity_provider_strategy=revision.capacity_provider_strategy,
        platform_version=revision.platform_version,
        network_configuration=revision.network_configuration,
        load_balancers=revision.load_balancers,
        service_registries=revision.service_registries,
        plan_status=deployment.status if planned else None,
        never_started=deployment.started_ms is None and deployment.status != "PENDING",
        updated_at=_moment(deployment.updated_ms),
        lifecycle_stage=deployment.lifecycle_stage,
        lifecycle_hook_details=[
            _hook_detail(hook) for hook in deployment.hooks or () if hook.status
        ],
        rollback_started_at=_moment(deployment.rollback_started_ms),
        circuit_breaker_triggered=deployment.breaker_triggered,
        triggered_alarm_names=list(deployment.triggered_alarms) or None,
        production_traffic_weight=deployment.traffic[0] if shifting else None,
    )


def _plan(deployment: ServiceDeployment) -> lifecycle.Plan:
    plan = deployment.plan
    if not isinstance(plan, lifecycle.Plan):
        raise TypeError(f"{deployment.arn}: its plan is {plan!r}, not a Plan")
    if deployment.status in _ROLLING_BACK:
        # Once a rollback is under way, how it ends is the deployment's, not the plan's.
        return replace(plan, outcome=deployment.rollback_outcome or "ROLLBACK_SUCCESSFUL")
    return plan


def _hook_detail(hook: Hook) -> HookDetailFields:
    detail: HookDetailFields = {"hook_id": hook.id, "status": hook.status or ""}
    if hook.expires_ms is not None:
        detail["expires_at"] = from_ms(hook.expires_ms)
    return detail


def _moment(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


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


def write_scenario(data: Mapping[str, object], path: str | os.PathLike[str]) -> None:
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


def _yaml_text(data: Mapping[str, object]) -> str:
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
