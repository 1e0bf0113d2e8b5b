"""Scenario files: deployment histories written once and loaded in one line.

The keys each mapping of a scenario may have, those it requires, and which of them hold times,
durations or further mappings are read from the scenario JSON Schema (:mod:`.schema`); the
seeding methods a service or deployment entry is passed to check the values. Loading is all or
nothing: a scenario is built in throwaway backends first, and only applied to the real ones
once it built cleanly.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from ..engine.model import clock
from ..engine.model.daemon_records import Daemon
from ..engine.model.records import Service
from ..engine.model.validation import SeedingError
from ..engine.seeding.snapshot import AUTHORED_FIELDS, DeploymentSnapshot
from ..engine.state.backend import ServiceDeploymentBackend
from ..engine.state.process import mock_state
from ..engine.state.registry import DEFAULT_ACCOUNT_ID, service_deployment_backends
from . import schema
from .errors import ScenarioError
from .reading import ScenarioSource, read

DEFAULT_REGION = "us-east-1"
DEPLOYMENTS_KEY = "deployments"
#: A service entry's keys that put back what its deployments cannot make again (a dump's).
TASK_KEYS = ("tasks", "tasks_started", "events")
# The scenario's own shorthand for many deployments; not fields of a deployment.
REPEAT_KEYS = ("repeat", "every")
MAX_REPEAT = schema.bound("deployment", "repeat", "maximum")
TIME_FORMS = (
    "an ISO 8601 time ('2025-01-10T09:00:00Z'), a relative time ('-2h', '-1h30m', '+30s') or 'now'"
)
DURATION_FORMS = "a duration ('30s', '5m', '2h', '1d', '1h30m') or a number of seconds"

_UNITS = r"(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?"
_RELATIVE = re.compile(rf"^(?P<sign>[+-]){_UNITS}$")
_DURATION = re.compile(rf"^{_UNITS}$")
_AUTHORED = frozenset(AUTHORED_FIELDS)
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class _DeploymentEntry:
    path: str
    arguments: dict[str, object]
    copy: tuple[int, int] | None = None  # (k, n) for copy k of a repeated entry's n


@dataclass(frozen=True, slots=True)
class _ServiceEntry:
    path: str
    account_id: str
    region: str
    arguments: dict[str, object]
    deployments: list[_DeploymentEntry]
    #: ``restore_tasks``' arguments, when the entry has any of :data:`TASK_KEYS`.
    tasks: dict[str, object] | None = None


@dataclass(frozen=True, slots=True)
class _SignalEntry:
    """A document's word about its account and region that is not a service: failing tasks,
    tasks that cannot be placed, an alarm's state, a capacity provider, a daemon task
    definition, a daemon (``method``: the backend's seeding method)."""

    path: str
    account_id: str
    region: str
    method: str
    arguments: dict[str, object]


#: A document's keys of signals: the backend method each item is given to, and the schema's
#: name for the shape of an item.
SIGNAL_KEYS = {
    "fail_tasks": ("fail_tasks", "failTasks"),
    "fail_placement": ("fail_placement", "failPlacement"),
    "alarms": ("set_alarm_state", "alarmState"),
    "capacity_providers": ("add_capacity_provider", "capacityProvider"),
    "daemon_task_definitions": ("add_daemon_task_definition", "daemonTaskDefinition"),
    "daemons": ("add_daemon", "daemon"),
}


@dataclass(frozen=True)
class Scenario:
    """A scenario built in throwaway backends and not loaded (what ``validate`` and ``show``
    use): ``services`` (and ``daemons``) are the throwaway records, in the order the scenario
    lists them."""

    source: str
    services: tuple[Service, ...]
    _entries: tuple[_ServiceEntry, ...] = field(repr=False)
    _signals: tuple[_SignalEntry, ...] = field(default=(), repr=False)
    #: The throwaway daemons, in the order the scenario lists them.
    daemons: tuple[Daemon, ...] = ()


def load_scenario(
    source: ScenarioSource, *, account_id: str | None = None, region: str | None = None
) -> list[Service]:
    """Load a scenario into ``service_deployment_backends``, all or nothing.

    :param source: the path of a YAML or JSON file (``.json`` is read as JSON, any other name
        as YAML), or the same data as a mapping or a list of mappings.
    :param account_id: the account where the scenario names none (default: ``MOTO_ACCOUNT_ID``,
        else ``123456789012``).
    :param region: the region where the scenario names none (default ``us-east-1``).
    :returns: the services created, in the order the scenario lists them.
    :raises ScenarioError: naming the file, the field, the bad value and what is allowed;
        nothing of the scenario is loaded then.
    :raises OSError: if the file cannot be read.
    """
    return _apply(build_scenario(source, account_id=account_id, region=region))


def build_scenario(
    source: ScenarioSource, *, account_id: str | None = None, region: str | None = None
) -> Scenario:
    """Read and check a scenario by building it in throwaway backends, leaving the real ones
    alone (the parameters are :func:`load_scenario`'s)."""
    name, data = read(source)
    account_id = account_id or os.environ.get("MOTO_ACCOUNT_ID")
    reader = _Reader(name, clock.now())
    entries = tuple(reader.entries(data, account_id, region))
    signals = tuple(reader.signals(data, account_id, region))
    throwaway: dict[tuple[str, str], ServiceDeploymentBackend] = {}

    def backend(account: str, region: str) -> ServiceDeploymentBackend:
        return throwaway.setdefault((account, region), ServiceDeploymentBackend(region, account))

    with mock_state.events.quiet():  # the load makes the events, in the real backends
        services = tuple(_build(name, entries, backend, [], signals))
        daemons = tuple(daemon for built in throwaway.values() for daemon in built.daemon_order)
        return Scenario(name, services, entries, signals, daemons)


def parse_duration(text: str) -> timedelta | None:
    """A duration written as scenarios write them (``30s``, ``5m``, ``2h``, ``1d``,
    ``1h30m``); ``None`` for anything else."""
    seconds = _seconds(_DURATION.match(text.strip()))
    return None if seconds is None else timedelta(seconds=seconds)


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _seconds(match: re.Match[str] | None) -> int | None:
    """The seconds that ``d``, ``h``, ``m`` and ``s`` add up to; ``None`` if none is given."""
    parts = [None] * 4 if match is None else [match[unit] for unit in "dhms"]
    if all(part is None for part in parts):
        return None
    days, hours, minutes, seconds = (int(part or 0) for part in parts)
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


@dataclass(frozen=True, slots=True)
class _Reader:
    """Turns a scenario's data into entries: ``source`` names it in errors, and relative
    times count from ``reference``."""

    source: str
    reference: datetime

    def error(self, path: str, problem: str) -> ScenarioError:
        return ScenarioError(self.source, path, problem)

    def entries(
        self, data: object, account: str | None, region: str | None
    ) -> Iterator[_ServiceEntry]:
        if not isinstance(data, Mapping | list | tuple):
            got = "an empty file" if data is None else repr(data)
            raise self.error("", f"expected a mapping or a list of mappings, got {got}")
        documents = [("", data)] if isinstance(data, Mapping) else list(enumerate(data))
        shape_kinds = schema.shape("service").kinds
        for number, document in documents:
            prefix = number if isinstance(number, str) else f"[{number}]"
            checked = self.keys(prefix, document, schema.shape("document"))
            own_account = self.named(_join(prefix, "account_id"), checked.get("account_id"))
            own_region = self.named(_join(prefix, "region"), checked.get("region"))
            services_path = _join(prefix, "services")
            for index, service in enumerate(self.items(services_path, checked["services"])):
                path = f"{services_path}[{index}]"
                entry = self.keys(path, service, schema.shape("service"))
                arguments = self.arguments(
                    path, entry, schema.shape("service"), (DEPLOYMENTS_KEY, *TASK_KEYS)
                )
                tasks = {
                    key: self.convert(_join(path, key), entry[key], shape_kinds.get(key))
                    for key in TASK_KEYS
                    if key in entry
                }
                # A service entry may name its own account and region (a dump of several
                # does): it loads there, and add_service checks it is that backend's.
                for key in ("account_id", "region"):
                    if key in arguments:
                        arguments[key] = self.named(_join(path, key), arguments[key])
                yield _ServiceEntry(
                    path,
                    _text(arguments.get("account_id"))
                    or own_account
                    or account
                    or DEFAULT_ACCOUNT_ID,
                    _text(arguments.get("region")) or own_region or region or DEFAULT_REGION,
                    arguments,
                    self.deployments(_join(path, DEPLOYMENTS_KEY), entry.get(DEPLOYMENTS_KEY)),
                    tasks or None,
                )

    def signals(
        self, data: object, account: str | None, region: str | None
    ) -> Iterator[_SignalEntry]:
        """The documents' signal items (:data:`SIGNAL_KEYS`), each where its document loads
        unless it names its own account and region (already checked by :meth:`entries`)."""
        documents: list[tuple[str | int, object]] = (
            [("", data)] if isinstance(data, Mapping) else list(enumerate(_sequence(data)))
        )
        for number, document in documents:
            if not isinstance(document, Mapping):
                continue
            prefix = number if isinstance(number, str) else f"[{number}]"
            own_account = _text(document.get("account_id"))
            own_region = _text(document.get("region"))
            if isinstance(document.get("account_id"), int):
                own_account = str(document["account_id"])
            for key, (method, shape_name) in SIGNAL_KEYS.items():
                items_path = _join(prefix, key)
                shape = schema.shape(shape_name)
                for index, item in enumerate(self.items(items_path, document.get(key))):
                    path = f"{items_path}[{index}]"
                    arguments = self.arguments(path, self.keys(path, item, shape), shape, ())
                    item_account = arguments.pop("account_id", None)
                    item_region = arguments.pop("region", None)
                    yield _SignalEntry(
                        path,
                        self.named(_join(path, "account_id"), item_account)
                        or own_account
                        or account
                        or DEFAULT_ACCOUNT_ID,
                        self.named(_join(path, "region"), item_region)
                        or own_region
                        or region
                        or DEFAULT_REGION,
                        method,
                        arguments,
                    )

    def deployments(self, path: str, items: object) -> list[_DeploymentEntry]:
        deployments: list[_DeploymentEntry] = []
        for index, item in enumerate(self.items(path, items)):
            entry = self.keys(f"{path}[{index}]", item, schema.shape("deployment"))
            deployments.extend(self.expand(f"{path}[{index}]", entry))
        return deployments

    def keys(self, path: str, entry: object, shape: schema.Shape) -> Mapping[object, object]:
        """``entry`` if it is a mapping with only the keys ``shape`` allows, and those it
        requires."""
        if not isinstance(entry, Mapping):
            raise self.error(path, f"expected a mapping of {', '.join(shape.keys)}; got {entry!r}")
        for key in entry:
            if key not in shape.keys:
                raise self.error(
                    _join(path, key), f"unknown key; allowed keys: {', '.join(shape.keys)}"
                )
        missing = sorted(shape.required - set(entry))
        if missing:
            raise self.error(_join(path, missing[0]), "required, but missing")
        return entry

    def items(self, path: str, value: object) -> list[object]:
        if value is not None and not isinstance(value, list | tuple):
            raise self.error(path, f"expected a list of mappings, got {value!r}")
        return list(value or ())

    def named(self, path: str, value: object) -> str | None:
        """A scenario's own ``account_id`` or ``region``, if it names one."""
        if path.endswith("account_id"):
            # YAML reads an unquoted account id as a number; twelve digits are still one.
            value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
            pattern, allowed = schema.pattern("accountId"), "12 digits"
        else:
            pattern, allowed = schema.pattern("region"), "a region name such as 'eu-west-1'"
        if value is None or (
            isinstance(value, str) and value.isascii() and pattern.fullmatch(value)
        ):
            return value
        raise self.error(path, f"{value!r} is not allowed; allowed: {allowed}")

    def arguments(
        self,
        path: str,
        entry: Mapping[object, object],
        shape: schema.Shape,
        skip: Sequence[str],
    ) -> dict[str, object]:
        """The entry's keys (but ``skip``) and their values, read as ``shape`` says."""
        return {
            str(key): self.convert(_join(path, key), value, shape.kinds.get(str(key)))
            for key, value in entry.items()
            if key not in skip
        }

    def convert(self, path: str, value: object, kind: str | None) -> object:
        """``value`` read as the schema says: a time made a datetime, a duration a timedelta,
        a mapping of a nested shape read key by key; mappings become dicts and tuples lists,
        as the seeding methods expect."""
        if kind == schema.TIME:
            return self.moment(path, value)
        if kind == schema.DURATION:
            return self.duration(path, value)
        if kind is not None and isinstance(value, Mapping):
            kinds = schema.shape(kind).kinds
            return {
                key: self.convert(_join(path, key), item, kinds.get(str(key)))
                for key, item in value.items()
            }
        if isinstance(value, Mapping):
            return {key: self.convert(_join(path, key), item, None) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.convert(f"{path}[{i}]", item, kind) for i, item in enumerate(value)]
        return value

    def moment(self, path: str, value: object) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value if value is None or value.tzinfo else value.replace(tzinfo=clock.UTC)
        if isinstance(value, date):
            return datetime.combine(value, time(), clock.UTC)
        text = value.strip() if isinstance(value, str) else ""
        relative = _RELATIVE.match(text)
        seconds = _seconds(relative)
        try:
            if text == "now":
                return self.reference
            if relative is not None and seconds is not None:
                return self.reference + timedelta(seconds=int(relative["sign"] + "1") * seconds)
            # fromisoformat reads a trailing "Z" only from Python 3.11 on.
            moment = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)
        except (ValueError, OverflowError):
            raise self.error(path, f"{value!r} is not a time; allowed: {TIME_FORMS}") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=clock.UTC)

    def duration(self, path: str, value: object) -> timedelta | None:
        if value is None or isinstance(value, timedelta):
            duration = value
        else:
            seconds: float | None = (
                _seconds(_DURATION.match(value)) if isinstance(value, str) else None
            )
            if isinstance(value, int | float) and not isinstance(value, bool):
                seconds = value
            try:
                duration = timedelta(seconds=seconds)  # type: ignore[arg-type]
            except (TypeError, ValueError, OverflowError):  # not a duration, NaN, too long
                raise self.error(
                    path, f"{value!r} is not a duration; allowed: {DURATION_FORMS}"
                ) from None
        if duration is not None and duration < timedelta(0):
            raise self.error(path, f"{value!r} is negative; allowed: {DURATION_FORMS}")
        return duration

    def expand(self, path: str, entry: Mapping[object, object]) -> list[_DeploymentEntry]:
        """One entry, or its ``repeat`` copies, each ``every`` later than the one before."""
        arguments = self.arguments(path, entry, schema.shape("deployment"), REPEAT_KEYS)
        repeat = entry.get("repeat", 1)
        if isinstance(repeat, bool) or not isinstance(repeat, int) or not 0 < repeat <= MAX_REPEAT:
            raise self.error(
                _join(path, "repeat"), f"{repeat!r} is not allowed; allowed: 1 to {MAX_REPEAT}"
            )
        every = self.duration(_join(path, "every"), entry.get("every"))
        if every is None and repeat == 1:
            return [_DeploymentEntry(path, arguments)]
        if "repeat" not in entry:
            raise self.error(_join(path, "every"), "only allowed with repeat")
        if not every:
            got = "required with repeat" if every is None else f"{entry['every']!r} is not allowed"
            raise self.error(_join(path, "every"), f"{got}; allowed: a duration above 0")
        if arguments.get("created_at") is None:
            # Without a first created_at every copy would be made "now": every would mean nothing.
            raise self.error(_join(path, "created_at"), "required with repeat and every")
        times = {
            key for key, kind in schema.shape("deployment").kinds.items() if kind == schema.TIME
        }
        return [
            _DeploymentEntry(
                path,
                {
                    key: value + every * index
                    if key in times and isinstance(value, datetime)
                    else value
                    for key, value in arguments.items()
                },
                (index + 1, repeat),
            )
            for index in range(repeat)
        ]


def _sequence(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _build(
    name: str,
    entries: Sequence[_ServiceEntry],
    backend_for: Callable[[str, str], ServiceDeploymentBackend],
    created: list[tuple[ServiceDeploymentBackend, Service]],
    signals: Sequence[_SignalEntry] = (),
) -> list[Service]:
    """Make the entries' seeding calls, noting each service made in ``created``: a deployment
    entry with only ``add_deployment``'s fields goes to it, one that puts back more (as a dump
    or a recording writes) to ``restore_deployment``."""
    # What the scenario says goes wrong first: its deployments move on with it in place.
    for signal in signals:
        signalled = backend_for(signal.account_id, signal.region)
        _call(name, signal.path, None, getattr(signalled, signal.method), signal.arguments)
    services = []
    for entry in entries:
        backend = backend_for(entry.account_id, entry.region)
        service = _call(name, entry.path, None, backend.add_service, entry.arguments)
        created.append((backend, service))
        # A dump's tasks go back before any of its deployments moves on.
        with backend.holding_time() if entry.tasks is not None else nullcontext():
            for deployment in entry.deployments:
                arguments: dict[str, object] = {
                    "service": service.name,
                    "cluster": service.cluster,
                }
                arguments.update(deployment.arguments)
                seed: Callable[..., object] = backend.add_deployment
                if not _AUTHORED.issuperset(arguments):
                    seed = _restore(backend)
                _call(name, deployment.path, deployment.copy, seed, arguments)
            if entry.tasks is not None:
                arguments = {"service": service.name, "cluster": service.cluster, **entry.tasks}
                _call(name, entry.path, None, backend.restore_tasks, arguments)
        services.append(service)
    return services


def _restore(backend: ServiceDeploymentBackend) -> Callable[..., object]:
    """``restore_deployment`` of ``backend``, taking the snapshot's fields as keywords."""

    def restore(**fields: object) -> object:
        return backend.restore_deployment(DeploymentSnapshot.from_fields(fields))

    return restore


def _call(
    name: str,
    path: str,
    copy: tuple[int, int] | None,
    method: Callable[..., _T],
    arguments: Mapping[str, object],
) -> _T:
    """``method(**arguments)``, its errors raised again as :class:`ScenarioError` at ``path``."""
    try:
        return method(**arguments)
    except SeedingError as error:
        # The seeding methods name their own parameters, which are the entry's keys.
        field = error.within(path).field
        raise ScenarioError(name, field, error.problem, copy=copy) from error
    except Exception as error:
        problem = str(error)
        if not isinstance(error, ValueError | TypeError):
            problem = f"{type(error).__name__}: {problem}"  # say what was raised
        raise ScenarioError(name, path, problem, copy=copy) from error


def _apply(scenario: Scenario) -> list[Service]:
    """Load a built scenario into the real backends: every service of it, or none."""
    entries = scenario._entries
    keys = sorted(
        {(entry.account_id, entry.region) for entry in entries}
        | {(signal.account_id, signal.region) for signal in scenario._signals}
    )
    backends = {key: service_deployment_backends[key[0]][key[1]] for key in keys}
    created: list[tuple[ServiceDeploymentBackend, Service]] = []
    with ExitStack() as locks:
        # Holding every backend's lock keeps other threads from seeing half a scenario.
        for key in keys:
            locks.enter_context(backends[key].lock)
        for entry, built in zip(entries, scenario.services, strict=True):
            backend = backends[(entry.account_id, entry.region)]
            existing = backend.services.get((built.cluster, built.name))
            if existing is not None and existing.status == "ACTIVE":
                raise ScenarioError(
                    scenario.source,
                    _join(entry.path, "service"),
                    f"{built.name!r} already exists in cluster {built.cluster!r} of account"
                    f" {entry.account_id} in {entry.region}",
                )
        clusters = {key: set(backend.clusters) for key, backend in backends.items()}
        signalled = {key: (dict(b.failing), dict(b.alarms)) for key, b in backends.items()}
        try:
            return _build(
                scenario.source, entries, lambda *key: backends[key], created, scenario._signals
            )
        except BaseException:
            # It built cleanly in throwaway backends, so this is rare (moto's state differs,
            # say); whatever it is, what was added is taken back.
            for backend, service in reversed(created):
                backend.delete_service(service)
            for key, backend in backends.items():
                backend.clusters.intersection_update(clusters[key])
                backend.failing, backend.alarms = signalled[key]
            raise


__all__ = [
    "MAX_REPEAT",
    "Scenario",
    "ScenarioError",
    "ScenarioSource",
    "build_scenario",
    "load_scenario",
    "parse_duration",
]
