"""Hypothesis strategies for histories that have lived: the services and deployments of
:func:`tests.strategies.histories`, seeded with more varied settings, then a run of steps
applied to them as a test would (time passing, stops, hook answers, new deployments, services
changed as moto's UpdateService changes them); and :func:`answers`, everything a client can
read of such a state, for comparing two states through a real client.

As in ``strategies.py``, everything is drawn as plain data first and applied afterwards, and
what a step acts on is picked by index from what exists when it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError
from freezegun.api import FrozenDateTimeFactory
from hypothesis import strategies as st

from mock_ecs_deployments import ServiceDeployment, ServiceDeploymentBackend
from mock_ecs_deployments.engine.model.exceptions import ServiceDeploymentsError
from mock_ecs_deployments.engine.model.validation import SeedingError

from . import strategies as s

# After every static deployment of a history (they are made around s.BASE).
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=s.UTC)
SUBNETS = {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "DISABLED"}}
# A Lambda hook (the mock lets it succeed at once), then a PAUSE hook that goes on by itself
# when it times out.
TWO_HOOKS = {
    "lifecycleHooks": [
        {
            "targetType": "AWS_LAMBDA",
            "hookTargetArn": "arn:aws:lambda:us-east-1:123456789012:function:check",
            "lifecycleStages": ["PRE_SCALE_UP"],
        },
        {
            "targetType": "PAUSE",
            "lifecycleStages": ["POST_SCALE_UP"],
            "timeoutConfiguration": {"timeoutInMinutes": 30, "action": "CONTINUE"},
        },
    ]
}
BREAKER_AND_ALARMS = {
    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
    "alarms": {"alarmNames": ["errors"], "enable": True, "rollback": True},
}
# Settings a service starts with: each makes its revisions show something else.
SERVICE_SETTINGS: tuple[dict[str, Any], ...] = (
    {},
    {"launch_type": "EC2"},
    {"capacity_provider_strategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]},
    {"platform_version": "1.4.0", "network_configuration": SUBNETS},
    {
        "load_balancers": [{"targetGroupArn": "arn:tg/1", "containerName": "app"}],
        "service_registries": [{"registryArn": "arn:registry/1"}],
        "task_definition": "app:3",
    },
    {"deployment_configuration": TWO_HOOKS},
    {"deployment_configuration": s.PAUSE_CONFIGURATION},
)
# Strategies whose walk outlasts a test run at each step (steps, canary and bake of tens of
# minutes), so a history caught mid-shift is dumped, loaded and moved on.
LINEAR_STEPS = {
    "strategy": "LINEAR",
    "linearConfiguration": {"stepPercent": 25.0, "stepBakeTimeInMinutes": 30},
    "bakeTimeInMinutes": 45,
}
CANARY_PAUSED = {
    "strategy": "CANARY",
    "canaryConfiguration": {"canaryPercent": 12.5, "canaryBakeTimeInMinutes": 20},
    "lifecycleHooks": [
        {
            "targetType": "PAUSE",
            "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"],
            "timeoutConfiguration": {"timeoutInMinutes": 40, "action": "CONTINUE"},
        }
    ],
}
CONFIGURATIONS = (*s.CONFIGURATIONS, TWO_HOOKS, BREAKER_AND_ALARMS, LINEAR_STEPS, CANARY_PAUSED)
# What moto's UpdateService may change on a service (see engine/deployments/service_update.py),
# applied to the record as it does.
CHANGES: tuple[dict[str, Any], ...] = (
    {"desired_count": 9},
    {"deployment_configuration": BREAKER_AND_ALARMS},
    {"deployment_configuration": s.PAUSE_CONFIGURATION},
    {"launch_type": "EC2", "capacity_provider_strategy": None},
    {"launch_type": None, "capacity_provider_strategy": [{"capacityProvider": "FARGATE"}]},
    {"platform_version": "1.3.0"},
    {"network_configuration": {"awsvpcConfiguration": {"subnets": ["subnet-2"]}}},
    {"load_balancers": [], "service_registries": []},
    {"task_definition": "app:9"},
)
# A revision made while a service had no platform version or network configuration cannot say
# so once the service has one (docs/recording.md): such changes are left out.
_UNSAYABLE_FROM_NONE = ("platform_version", "network_configuration")
PLANS = st.fixed_dictionaries(
    {
        "outcome": st.sampled_from(("SUCCESSFUL", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED")),
        "pending_for": st.sampled_from((0, 60)),
        "in_progress_for": st.sampled_from((0, 600, 3600)),
    },
    optional={"rollback_for": st.sampled_from((0, 120)), "reason": st.just("planned")},
)
TICKS = (1, 30, 61, 600, 1800, 3600, 5400)


@dataclass(frozen=True)
class Step:
    """One thing done to a seeded history: ``tick`` (time passes), ``stop``, ``continue``,
    ``start`` (a deployment made as UpdateService makes one) or ``change`` (a service
    changed)."""

    kind: str
    pick: int = 0
    choice: str = ""
    seconds: int = 0
    plan: dict[str, Any] | None = None


@dataclass(frozen=True)
class Lived:
    history: s.History
    # Each cycled through: service k has SERVICE_SETTINGS[settings[k % len] % ...], deployment
    # k CONFIGURATIONS[configurations[k % len] % ...], and named images if images[k % len].
    settings: tuple[int, ...]
    configurations: tuple[int, ...]
    images: tuple[bool, ...]
    steps: tuple[Step, ...]


_PICKS = st.integers(0, 1 << 16)
_TICK = st.builds(Step, kind=st.just("tick"), seconds=st.sampled_from(TICKS))
_START = st.builds(Step, kind=st.just("start"), pick=_PICKS, plan=st.none() | PLANS)
_CONTINUE = st.builds(
    Step, kind=st.just("continue"), pick=_PICKS, choice=st.sampled_from(("CONTINUE", "ROLLBACK"))
)
_STOP = st.builds(
    Step, kind=st.just("stop"), pick=_PICKS, choice=st.sampled_from(("ROLLBACK", "ABORT"))
)
_CHANGE = st.builds(
    Step, kind=st.just("change"), pick=_PICKS, choice=st.sampled_from(range(len(CHANGES))).map(str)
)
# Weighted towards what makes deployments move: time, new deployments, hook answers.
STEPS = st.one_of(_TICK, _TICK, _TICK, _START, _START, _CONTINUE, _CONTINUE, _STOP, _STOP, _CHANGE)


def lived_histories(*, max_deployments: int = 10, max_steps: int = 12) -> st.SearchStrategy[Lived]:
    """Histories with plans (some of them mid-way), hooks, rollbacks and stops."""
    # Settings, configurations and images are picked by index, cycling through short lists:
    # that shrinks faster than a list as long as the history.
    indexes = st.lists(st.integers(0, 1 << 8), min_size=1, max_size=4).map(tuple)
    return st.builds(
        Lived,
        history=s.histories(max_deployments=max_deployments, span_ms=5_000),
        settings=indexes,
        configurations=indexes,
        images=st.lists(st.booleans(), min_size=1, max_size=4).map(tuple),
        steps=st.lists(STEPS, max_size=max_steps).map(tuple),
    )


def seed(backend: ServiceDeploymentBackend, lived: Lived) -> None:
    """Seed the history with its services' settings, then make its deployments."""
    history = lived.history
    for number, spec in enumerate(history.services):
        setting = _cycled(lived.settings, number) % len(SERVICE_SETTINGS)
        backend.add_service(
            spec.name,
            spec.cluster,
            deployment_controller=spec.controller,
            desired_count=spec.desired_count,
            **SERVICE_SETTINGS[setting],
        )
    for index, item in enumerate(history.deployments):
        service = history.services[item.service]
        if service.controller != "ECS":
            continue
        configuration = _cycled(lived.configurations, index) % len(CONFIGURATIONS)
        arguments: dict[str, Any] = {"deployment_configuration": CONFIGURATIONS[configuration]}
        if _cycled(lived.images, index):
            arguments["container_images"] = [{"containerName": "app", "image": f"app:v{index}"}]
        if item.plan is not None:
            arguments["plan"] = item.plan
        else:
            arguments.update(
                status=item.status,
                created_at=s.BASE + timedelta(milliseconds=item.created_offset_ms),
                status_reason=item.reason,
            )
        backend.add_deployment(service.name, service.cluster, **arguments)


def _cycled(values: tuple[Any, ...], index: int) -> Any:
    return values[index % len(values)]


def live(backend: ServiceDeploymentBackend, lived: Lived, frozen: FrozenDateTimeFactory) -> None:
    """Apply the steps; a step the mock refuses (a stop of a finished deployment, say) is a
    step a test may take, and changes nothing."""
    for step in lived.steps:
        if step.kind == "tick":
            frozen.tick(step.seconds)
            continue
        services = sorted(
            backend.services.values(), key=lambda record: (record.cluster, record.name)
        )
        deployments = [d for record in services for d in record.deployments]
        try:
            if step.kind == "stop" and deployments:
                chosen = deployments[step.pick % len(deployments)]
                backend.stop_service_deployment(chosen.arn, step.choice)
            elif step.kind == "continue":
                _continue(backend, deployments, step)
            elif step.kind == "start":
                service = services[step.pick % len(services)]
                backend.start_deployment(service.name, service.cluster, plan=step.plan)
            elif step.kind == "change":
                service = services[step.pick % len(services)]
                for key, value in CHANGES[int(step.choice)].items():
                    if key in _UNSAYABLE_FROM_NONE and getattr(service, key) is None:
                        continue
                    setattr(service, key, value)
        except (ServiceDeploymentsError, SeedingError):
            pass


def _continue(
    backend: ServiceDeploymentBackend, deployments: list[ServiceDeployment], step: Step
) -> None:
    if deployments:
        # Bring them up to now, as a client's read would, to see which hooks wait.
        for start in range(0, len(deployments), 20):
            backend.describe_service_deployments([d.arn for d in deployments[start : start + 20]])
    waiting = [
        (deployment, hook.id)
        for deployment in deployments
        for hook in deployment.hooks or ()
        if hook.status is not None
    ]
    if waiting:
        deployment, hook_id = waiting[step.pick % len(waiting)]
        backend.continue_service_deployment(deployment.arn, hook_id, step.choice)


# -- what a client sees ----------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """The requests that read a state: page sizes (cycled), status filters, and createdAt
    windows whose bounds are picked among the listed createdAt values (``None``: no bound)."""

    sizes: tuple[int, ...]
    statuses: tuple[tuple[str, ...], ...]
    windows: tuple[tuple[int | None, int | None], ...]


PROBES = st.builds(
    Probe,
    sizes=st.lists(st.integers(1, 4) | st.just(100), min_size=1, max_size=3).map(tuple),
    statuses=st.lists(
        st.lists(st.sampled_from(s.STATUSES), min_size=1, max_size=3, unique=True).map(tuple),
        max_size=2,
    ).map(tuple),
    windows=st.lists(st.tuples(st.none() | _PICKS, st.none() | _PICKS), max_size=2).map(tuple),
)
FULL_PROBE = Probe(sizes=(100,), statuses=(), windows=())


def answers(client: Any, services: list[tuple[str, str]], probe: Probe) -> list[Any]:
    """Every answer ``client`` gives about ``services`` (``(cluster, name)``): each page of
    ListServiceDeployments for each filter, DescribeServiceDeployments of every deployment and
    DescribeServiceRevisions of every revision they name. Request ids are left out, and a
    ``nextToken`` is kept as whether there is one (it encodes the order in which the backend
    made its records, which a loaded scenario renumbers; following it is compared)."""
    seen: list[Any] = []
    for cluster, name in [*services, ("prod", "no-such-service")]:
        listed = _pages(client, cluster, name, {}, probe.sizes)
        seen.append(listed)
        items = [
            item
            for page in listed
            if "serviceDeployments" in page
            for item in page["serviceDeployments"]
        ]
        created = sorted({item["createdAt"] for item in items})
        requests: list[dict[str, Any]] = [{"status": list(statuses)} for statuses in probe.statuses]
        for after, before in probe.windows if created else ():
            window = {}
            if after is not None:
                window["after"] = created[after % len(created)]
            if before is not None:
                window["before"] = created[before % len(created)]
            requests.append({"createdAt": window} if window else {})
        seen.extend(_pages(client, cluster, name, request, probe.sizes) for request in requests)
        arns = [item["serviceDeploymentArn"] for item in items]
        described = _batches(client.describe_service_deployments, "serviceDeploymentArns", arns)
        seen.append(described)
        revisions = {item["targetServiceRevisionArn"]: None for item in items}
        for answer in described:
            for deployment in answer["serviceDeployments"]:
                revisions.update(
                    dict.fromkeys(r["arn"] for r in deployment["sourceServiceRevisions"])
                )
        seen.append(
            _batches(client.describe_service_revisions, "serviceRevisionArns", list(revisions))
        )
    return seen


def _pages(
    client: Any, cluster: str, service: str, request: dict[str, Any], sizes: tuple[int, ...]
) -> list[Any]:
    pages: list[Any] = []
    token = None
    while True:
        try:
            answer = client.list_service_deployments(
                cluster=cluster,
                service=service,
                maxResults=sizes[len(pages) % len(sizes)],
                **request,
                **({"nextToken": token} if token else {}),
            )
        except ClientError as error:
            pages.append({"error": error.response["Error"]})
            return pages
        answer.pop("ResponseMetadata")
        token = answer.pop("nextToken", None)
        pages.append({**answer, "more": token is not None})
        if token is None:
            return pages


def _batches(method: Any, key: str, arns: list[str]) -> list[Any]:
    """The answers for ``arns`` 20 at a time (the operations' limit), and one for an ARN that
    names nothing."""
    out = []
    for start in range(0, len(arns), 20):
        answer = method(**{key: arns[start : start + 20]})
        answer.pop("ResponseMetadata")
        out.append(answer)
    missing = "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/nothing"
    if key == "serviceRevisionArns":
        missing = "arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/1"
    answer = method(**{key: [missing]})
    answer.pop("ResponseMetadata")
    out.append(answer)
    return out
