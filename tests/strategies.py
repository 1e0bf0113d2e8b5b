"""Hypothesis strategies shared by the fuzzing and property tests: random histories to seed,
and the odd values a client can put in a request.

A history is plain data (:class:`History`), drawn first and seeded afterwards, so hypothesis
can shrink it and print it when a test fails. Values that must name what a history made (an
ARN of a seeded deployment, a token a page returned) are drawn as *recipes* from fixed
strategies and resolved against what was seeded: building fresh strategies for every example
would cost more than the example itself.
"""

from __future__ import annotations

import base64
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from mock_ecs_deployments import ServiceDeployment, ServiceDeploymentBackend
from mock_ecs_deployments.engine.model.daemon_records import Daemon
from mock_ecs_deployments.engine.model.service_model import deployment_statuses, enum_values

UTC = timezone.utc
ACCOUNT = "123456789012"
OTHER_ACCOUNT = "111122223333"
REGION = "us-east-1"
BASE = datetime(2025, 1, 1, tzinfo=UTC)
CLUSTERS = ("prod", "staging")
SERVICES = ("web", "api", "worker")
DAEMONS = ("agent", "probe")
#: The seeded capacity providers: one with the drawn number of instances, one with none.
CAPACITY_PROVIDERS = ("managed", "empty")
#: The family of the seeded daemon task definitions.
DAEMON_FAMILY = "agent"
STATUSES = deployment_statuses()
PAUSE_CONFIGURATION = {
    "lifecycleHooks": [
        {
            "targetType": "PAUSE",
            "lifecycleStages": ["POST_SCALE_UP"],
            "timeoutConfiguration": {"timeoutInMinutes": 60, "action": "ROLLBACK"},
        }
    ]
}
CONFIGURATIONS: tuple[dict[str, Any] | None, ...] = (
    None,
    {"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    {"alarms": {"alarmNames": ["cpu-high"], "enable": True, "rollback": True}},
    {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5},
    PAUSE_CONFIGURATION,
)
# Durations of a planned deployment: done at once, or far longer than any test runs, so what
# a test reads does not depend on how fast it runs.
DURATIONS = (0, 3600)
PLAN_OUTCOMES = ("SUCCESSFUL", "ROLLBACK_SUCCESSFUL", "STOPPED")

# Strings that have broken parsers before: empty, blank, separators, characters that
# str.isdigit() accepts but int() does not, other scripts' digits, lone surrogates, control
# characters, ARN fragments.
ODD_STRINGS = (
    "",
    " ",
    "\x00",
    "\t\n",
    "/",
    "//",
    ":",
    "arn:",
    "arn:aws:ecs:::",
    "arn:aws:ecs:us-east-1:123456789012:",
    "\u00b2",
    "\u2460",
    "\u0661\u0662\u0663",
    "\u00bd",
    "\ud800",
    "\U0001f680",
    "%s%n",
    "null",
    "web\nprod",
    "WEB",
    "-1",
    "9" * 40,
)


@dataclass(frozen=True)
class ServiceSpec:
    cluster: str
    name: str
    controller: str = "ECS"
    desired_count: int = 1


@dataclass(frozen=True)
class DeploymentSpec:
    """One ``add_deployment`` call: a static record, or (``plan`` set) one that runs now."""

    service: int  # index into History.services
    status: str
    created_offset_ms: int
    reason: str | None = None
    plan: dict[str, Any] | None = None
    configuration: dict[str, Any] | None = None


@dataclass(frozen=True)
class History:
    services: tuple[ServiceSpec, ...]
    deployments: tuple[DeploymentSpec, ...]


@dataclass
class Seeded:
    """What seeding a history made, in the order it was made."""

    deployments: list[ServiceDeployment] = field(default_factory=list)

    @property
    def deployment_arns(self) -> list[str]:
        return [d.arn for d in self.deployments]

    @property
    def revision_arns(self) -> list[str]:
        return list(dict.fromkeys(d.target_revision_arn for d in self.deployments))

    @property
    def service_arns(self) -> list[str]:
        return list(dict.fromkeys(d.service_arn for d in self.deployments))

    @property
    def cluster_arns(self) -> list[str]:
        return list(dict.fromkeys(d.cluster_arn for d in self.deployments))

    # What seed_daemons made (nothing unless it was called): ARNs as seeded, for the recipes
    # of the requests to resolve against.
    daemon_cluster: str | None = None
    capacity_provider_arns: list[str] = field(default_factory=list)
    daemon_task_definition_arns: list[str] = field(default_factory=list)
    daemon_arns: list[str] = field(default_factory=list)
    daemon_deployment_arns: list[str] = field(default_factory=list)
    daemon_revision_arns: list[str] = field(default_factory=list)


def seed(backend: ServiceDeploymentBackend, history: History) -> Seeded:
    seeded = Seeded()
    for spec in history.services:
        backend.add_service(
            spec.name,
            spec.cluster,
            deployment_controller=spec.controller,
            desired_count=spec.desired_count,
        )
    for item in history.deployments:
        service = history.services[item.service]
        if service.controller != "ECS":
            continue  # CODE_DEPLOY and EXTERNAL services have no service deployments
        if item.plan is not None:
            deployment = backend.add_deployment(
                service.name,
                service.cluster,
                plan=item.plan,
                deployment_configuration=item.configuration,
            )
        else:
            deployment = backend.add_deployment(
                service.name,
                service.cluster,
                status=item.status,
                created_at=BASE + timedelta(milliseconds=item.created_offset_ms),
                status_reason=item.reason,
                deployment_configuration=item.configuration,
            )
        seeded.deployments.append(deployment)
    return seeded


def _tie_offsets(span_ms: int) -> tuple[int, ...]:
    return (0, 1, 999, 1000, span_ms // 2, span_ms)


def histories(
    *,
    max_deployments: int = 30,
    planned: bool = True,
    controllers: bool = True,
    span_ms: int = 10_000,
) -> st.SearchStrategy[History]:
    """Services and deployments of any status. createdAt values collide often (``span_ms`` is
    small) so that the order of ties is exercised too."""
    pairs = st.lists(
        st.tuples(st.sampled_from(CLUSTERS), st.sampled_from(SERVICES)),
        min_size=1,
        max_size=4,
        unique=True,
    )
    controller = st.sampled_from(("ECS", "ECS", "ECS", "CODE_DEPLOY", "EXTERNAL"))
    plans = st.fixed_dictionaries(
        {
            "outcome": st.sampled_from(PLAN_OUTCOMES),
            "pending_for": st.sampled_from(DURATIONS),
            "in_progress_for": st.sampled_from(DURATIONS),
        }
    )
    deployment = st.builds(
        DeploymentSpec,
        service=st.integers(0, 3),
        status=st.sampled_from(STATUSES),
        # A few fixed values make equal createdAt common, not a birthday coincidence.
        created_offset_ms=st.integers(0, span_ms) | st.sampled_from(_tie_offsets(span_ms)),
        reason=st.none() | st.sampled_from(ODD_STRINGS) | st.text(max_size=30),
        plan=(st.none() | st.none() | plans) if planned else st.none(),
        configuration=st.sampled_from(CONFIGURATIONS),
    )

    def build(drawn: tuple[list[tuple[str, str]], list[tuple[str, int]], list[Any]]) -> History:
        names, details, items = drawn
        services = tuple(
            ServiceSpec(cluster, name, kind if controllers else "ECS", count)
            for (cluster, name), (kind, count) in zip(names, details, strict=False)
        )
        return History(
            services,
            tuple(
                DeploymentSpec(
                    item.service % len(services),
                    item.status,
                    item.created_offset_ms,
                    item.reason,
                    item.plan,
                    item.configuration,
                )
                for item in items
            ),
        )

    return st.tuples(
        pairs,
        st.lists(st.tuples(controller, st.integers(0, 12)), min_size=4, max_size=4),
        st.lists(deployment, max_size=max_deployments),
    ).map(build)


# -- managed daemons -------------------------------------------------------------------------

DAEMON_PLAN_OUTCOMES = ("SUCCESSFUL", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED", "STOPPED")


@dataclass(frozen=True)
class DaemonSpec:
    """One daemon: ``CreateDaemon`` then one ``UpdateDaemon`` per further deployment, each
    ``(task definition revision index, plan)``; ``delete`` is the plan of a ``DeleteDaemon``
    after them, ``None`` for none."""

    name: str
    deployments: tuple[tuple[int, dict[str, Any]], ...]
    delete: dict[str, Any] | None = None


@dataclass(frozen=True)
class DaemonHistory:
    """What :func:`seed_daemons` makes in one cluster: the capacity providers (``managed``
    with ``instances`` instances, ``empty`` with none), ``revisions`` daemon task definitions
    of one family (the first deleted when ``retired``, after the daemons were made) and the
    daemons."""

    instances: int
    revisions: int
    retired: bool
    daemons: tuple[DaemonSpec, ...]


def seed_daemons(
    backend: ServiceDeploymentBackend, history: DaemonHistory, cluster: str, seeded: Seeded
) -> Seeded:
    """Seed ``history`` in ``cluster`` (one a seeded service is in, so that moto, when it is
    in play, holds it too) and note what was made in ``seeded``."""
    providers = [
        backend.add_capacity_provider(name, cluster, instances=count)
        for name, count in zip(CAPACITY_PROVIDERS, (history.instances, 0), strict=True)
    ]
    provider_arns = [provider.arn for provider in providers]
    definitions = [
        backend.register_daemon_task_definition(
            DAEMON_FAMILY, [{"name": DAEMON_FAMILY, "image": f"public.ecr.aws/agent:{number}"}]
        )
        for number in range(1, history.revisions + 1)
    ]
    daemons: list[Daemon] = []
    for spec in history.daemons:
        # The first daemon runs on the provider with instances, the next on both.
        on = provider_arns[: 1 + len(daemons) % 2]
        daemon = None
        for revision, plan in spec.deployments:
            backend.plan_next_deployment(daemon=spec.name, cluster=cluster, **plan)
            definition = definitions[revision % len(definitions)].arn
            if daemon is None:
                daemon, _ = backend.create_daemon(spec.name, definition, on, cluster=cluster)
            else:
                backend.update_daemon(daemon.arn, definition, on)
        if daemon is None:
            continue
        if spec.delete is not None:
            backend.plan_next_deployment(daemon=spec.name, cluster=cluster, **spec.delete)
            backend.delete_daemon(daemon.arn)
        daemons.append(daemon)
    if history.retired:
        backend.delete_daemon_task_definition(definitions[0].arn)
    seeded.daemon_cluster = cluster
    seeded.capacity_provider_arns = provider_arns
    seeded.daemon_task_definition_arns = [definition.arn for definition in definitions]
    seeded.daemon_arns = [daemon.arn for daemon in daemons]
    seeded.daemon_deployment_arns = [d.arn for daemon in daemons for d in daemon.deployments]
    seeded.daemon_revision_arns = [r.arn for daemon in daemons for r in daemon.revisions.values()]
    return seeded


def daemon_histories(*, max_deployments: int = 4) -> st.SearchStrategy[DaemonHistory]:
    """No daemon, or one or two, each with up to ``max_deployments`` deployments that end at
    once or run far longer than any test, and maybe deleted."""
    plans = st.fixed_dictionaries(
        {
            "outcome": st.sampled_from(DAEMON_PLAN_OUTCOMES),
            "pending_for": st.sampled_from(DURATIONS),
            "in_progress_for": st.sampled_from(DURATIONS),
        }
    )
    daemon = st.builds(
        DaemonSpec,
        name=st.just(""),  # named in order below
        deployments=st.lists(
            st.tuples(st.integers(0, 2), plans), min_size=1, max_size=max_deployments
        ).map(tuple),
        delete=st.none() | st.none() | plans,
    )
    return st.builds(
        lambda instances, revisions, retired, daemons: DaemonHistory(
            instances,
            revisions,
            retired,
            tuple(
                DaemonSpec(name, spec.deployments, spec.delete)
                for name, spec in zip(DAEMONS, daemons, strict=False)
            ),
        ),
        st.sampled_from((0, 1, 3, 4, 10)),
        st.integers(1, 3),
        st.booleans(),
        st.lists(daemon, max_size=len(DAEMONS)),
    )


# -- odd values ------------------------------------------------------------------------------

_ANY_CHARACTER = st.characters(codec=None, exclude_categories=())  # surrogates too


def odd_text(*, max_size: int = 40) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ODD_STRINGS),
        st.text(_ANY_CHARACTER, max_size=max_size),
        st.text(string.printable, max_size=max_size),
    )


def long_text() -> st.SearchStrategy[str]:
    """Long strings, made by repetition (drawing thousands of characters one by one would
    cost more than the request)."""
    return st.builds(
        lambda piece, times: piece * times,
        st.sampled_from(("x", "é", "\U0001f680", "arn:aws:ecs:", "/", "\x00", "ab1")),
        st.integers(100, 30_000),
    )


STRINGS = st.one_of(odd_text(), long_text())

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-foo", "gcp", "")
SERVICE_NAMESPACES = ("ecs", "ec2", "ECS", "lambda", "")
REGIONS = ("us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1", "US-EAST-1", "")
ACCOUNTS = (ACCOUNT, OTHER_ACCOUNT, "12345", "\u0661" * 12, "1234567890123", "")
KINDS = (
    "cluster",
    "service",
    "service-deployment",
    "service-revision",
    "task-definition",
    "Service-Deployment",
    "daemon",
    "daemon-deployment",
    "daemon-revision",
    "daemon-task-definition",
    "capacity-provider",
    "",
)
_PATH_PART = st.one_of(
    st.sampled_from((*CLUSTERS, *SERVICES, *DAEMONS, *CAPACITY_PROVIDERS)),
    st.from_regex(r"\A[0-9]{1,25}\Z"),
    st.from_regex(r"\A[A-Za-z0-9_-]{21}\Z"),
    odd_text(max_size=12),
)
BUILT_ARNS = st.builds(
    lambda partition, namespace, region, account, kind, parts: (
        f"arn:{partition}:{namespace}:{region}:{account}:{kind}/{'/'.join(parts)}"
    ),
    st.sampled_from(PARTITIONS),
    st.sampled_from(SERVICE_NAMESPACES),
    st.sampled_from(REGIONS),
    st.sampled_from(ACCOUNTS),
    st.sampled_from(KINDS),
    st.lists(_PATH_PART, max_size=4),
)


def tamperings(value: str) -> list[str]:
    """``value`` with one change: an ARN field swapped, a character altered, a part added or
    cut, the case or the separators changed."""
    fields = value.split(":")
    changed = []
    if len(fields) >= 6:
        for index, choices in (
            (1, PARTITIONS),
            (2, SERVICE_NAMESPACES),
            (3, REGIONS),
            (4, ACCOUNTS),
        ):
            changed.extend(":".join([*fields[:index], c, *fields[index + 1 :]]) for c in choices)
    changed += [
        value + "/extra",
        value + "/",
        value[:-1],
        value[: len(value) // 2],
        value.upper(),
        value.lower(),
        value.replace("/", "//", 1),
        " " + value,
        value + "\x00",
        value[:-1] + ("A" if value[-1:] != "A" else "B"),
        value + "=",
        value + "==",
        value[1:],
    ]
    return [item for item in changed if item != value] or ["x"]


# A recipe is ("text", value), ("real", index) or ("tampered", index, change).
Recipe = tuple[Any, ...]
INDEXES = st.integers(0, 1 << 16)
REFERENCE_RECIPES: st.SearchStrategy[Recipe] = st.one_of(
    st.tuples(st.just("real"), INDEXES),
    st.tuples(st.just("tampered"), INDEXES, INDEXES),
    st.tuples(st.just("text"), BUILT_ARNS),
    st.tuples(st.just("text"), STRINGS),
)


def resolve(recipe: Recipe, real: Sequence[str]) -> str:
    """The value a recipe stands for, given what was seeded (``real``)."""
    if recipe[0] == "text":
        return str(recipe[1])
    if not real:
        return "x"
    value = real[recipe[1] % len(real)]
    if recipe[0] == "real":
        return value
    changes = tamperings(value)
    return changes[recipe[2] % len(changes)]


RANDOM_TOKENS = st.one_of(
    st.binary(max_size=64).map(lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")),
    STRINGS,
)

INTEGERS = st.one_of(
    st.sampled_from((0, 1, 2, 20, 99, 100, 101, -1, 2**31, -(2**31), 2**63, 10**30)),
    st.integers(-1000, 1000),
    st.integers(),
)
"""Integers in and out of range (maxResults allows 1..100)."""

DATETIMES = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.datetimes(
        min_value=datetime(2024, 12, 31), max_value=datetime(2025, 1, 2), timezones=st.just(UTC)
    ),
)
"""Datetimes over the whole range botocore serializes, naive or UTC, with sub-second parts."""

STATUS_VALUES = st.one_of(
    st.sampled_from(STATUSES),
    st.sampled_from(STATUSES).map(str.lower),
    st.sampled_from((*enum_values("StopServiceDeploymentStopType"), "ACTIVE", "FAILED")),
    odd_text(max_size=20),
)
"""Modeled statuses, lower-cased ones, other enums' values, and any text."""

JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        odd_text(max_size=12),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(odd_text(max_size=8), inner),
    max_leaves=6,
)
"""Any JSON value, nested."""


def enum_texts(shape: str) -> st.SearchStrategy[str]:
    """The values of one of the model's enums (``DaemonPidMode``), in the other case, and any
    text."""
    values = enum_values(shape)
    return st.one_of(
        st.sampled_from(values),
        st.sampled_from(values).map(str.swapcase),
        odd_text(max_size=20),
    )
