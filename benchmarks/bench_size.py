"""Cost that does not grow with the state: the same calls with 10 and with 10,000 of a thing.

Run:  python benchmarks/bench_size.py [--quick] [--rounds N] [--calls N] [--size N] [--profile]
      [--only services|history|spread|moving|tasks|daemons ...]

All under ``mock_service_deployments(with_moto=True)``, in six pairs of states, the small
side against the large one:

- services: 10 against 10,000 services seeded in the mock (one finished deployment each),
  each made in moto by the mock;
- history: one service with 10 against 10,000 finished deployments;
- spread: 10 services with one finished deployment each against 10 with 1,000 each;
- moving: 10 against 10,000 services each with a deployment under way (for days: no step of
  theirs comes due while the calls run);
- tasks: 10 against 10,000 services of two running tasks each (made before the calls);
- daemons: 10 against 10,000 managed daemons, each on a capacity provider of its own (four
  instances) with one or two deployments, a quarter of them with a deployment under way (for
  days: they wait in the backend's queue of due steps, and none comes due while the calls run).

Each state also holds the service the calls read, ``prod/web`` (three finished deployments),
and is measured with:

(a) a moto request of another service: ``sqs.list_queues`` (one queue);
(b) moto's ECS: ``ecs.list_clusters``;
(c) an idle ECS call of ours: ``list_service_deployments`` of ``web``, and
    ``describe_service_deployments`` of one ARN of ``web``;
(d) moto's ``describe_services`` of ``web``, with the mock's fields joined in; and
    ``list_tasks`` of ``web`` then ``describe_tasks`` of its task (answered by the mock).

The daemons pair also holds the daemon its calls read, ``prod/node`` (two finished
deployments), and is measured, instead, with:

(e) the daemon calls of ours, of ``node`` alone: ``list_daemon_deployments``,
    ``describe_daemon_deployments`` of one ARN, ``describe_daemon``,
    ``describe_daemon_revisions`` of one ARN, ``describe_daemon_task_definition`` of the
    one it runs (``agent:2``, which half the other daemons run too); and (d)'s
    ``describe_services`` of ``web``, so that the daemons are seen not to slow services (a
    request through moto first catches up every backend with a step due, daemons' included).

Reported: the ratio cost(large) / cost(small) per call; target at most 1.10 each (the run
exits non-zero when a median misses it).

How the two sizes meet the same load: both states of a pair are built in the same mocks, one
after the other under the same account, and each is brought fully in step with moto before
any timed call (the services seeded in the mock alone are made in moto by an untimed ECS
request, so that one-time materialization is outside the timed calls, and the benchmark
checks that nothing is left pending; the daemons' pair, that its moving daemons wait in the
backend's queue of due steps). Then the two take turns call by call (bench_list.py's
``compare``): before each call, outside its timing, the side's state is put in place, which
is the account's entry in the mock's registry and in moto's ECS backends (two dict entries).
So each call sees exactly one state in the process, and a walk over everything the process
holds would show in the ratio. Every side is checked on its own, then every round, against
the mock's dispatches (``mock.calls``): moto's requests (a, b, d) must make none, ours (c, e)
exactly one per call. ``--profile`` prints where the calls on the large states go (cProfile).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import pstats
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from bench_list import REGION, Ratio, Side, compare, fail, mocked_client

from mock_ecs_deployments import ServiceDeploymentsMock, mock_service_deployments
from mock_ecs_deployments.engine.deployments import tasks
from mock_ecs_deployments.engine.model.arns import DEFAULT_ACCOUNT_ID
from mock_ecs_deployments.engine.model.daemon_records import Daemon
from mock_ecs_deployments.engine.state.registry import service_deployment_backends

BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)
TARGET = 1.10
CLUSTER = "prod"
WEB_DEPLOYMENTS = 3  # of the service every call reads
#: The daemon task definition family every daemon runs (revision 1, then 2 once updated).
DAEMON_FAMILY = "agent"
#: How many instances each daemon's capacity provider has.
DAEMON_INSTANCES = 4
#: The states of the pair being measured (see State.put_in_place).
BUILT: list[State] = []


@dataclass(frozen=True)
class Shape:
    """What a state holds besides ``web``: ``services`` services of ``deployments`` each,
    finished, or (``moving``) each a deployment under way for days."""

    services: int
    deployments: int
    moving: bool = False
    #: Each service wants two tasks, made (running) before the calls.
    tasks: bool = False
    #: Managed daemons (besides ``node``): see :func:`seed_daemons`.
    daemons: int = 0

    def __str__(self) -> str:
        if self.daemons:
            return f"{self.daemons:,} daemons, {moving_daemons(self.daemons):,} moving"
        kind = " moving" if self.moving else " with 2 tasks each" if self.tasks else ""
        return f"{self.services:,} x {self.deployments:,}{kind}"


@dataclass(frozen=True)
class DaemonArns:
    """What the daemon calls name of ``node``: the daemon, its newest deployment, that
    deployment's target revision, and the daemon task definition it runs."""

    daemon: str
    deployment: str
    revision: str
    task_definition: str

    def lengths(self) -> tuple[int, ...]:
        return tuple(len(arn) for arn in vars(self).values())


@dataclass(frozen=True)
class State:
    """A state set aside: the account's entry in the mock's registry and in moto's ECS, and
    the ARN of web's newest deployment in it."""

    shape: Shape
    ours: Any
    moto: Any
    web_arn: str
    #: The daemons pair's: what its calls name of ``node``.
    node: DaemonArns | None = None

    def put_in_place(self) -> None:
        from moto.ecs.models import ecs_backends

        dict.__setitem__(service_deployment_backends, DEFAULT_ACCOUNT_ID, self.ours)
        dict.__setitem__(ecs_backends, DEFAULT_ACCOUNT_ID, self.moto)
        # The registry's backends with moving services (or daemons' steps due), which a
        # request catches up: this state's only, so that the other state's cannot show in
        # this one's cost. A backend of this state tells the registry itself.
        for state in BUILT:
            for backend in dict.values(state.ours):
                if state is self:
                    backend.tell_registry()
                else:
                    service_deployment_backends.backend_moving(backend, False)

    @contextlib.contextmanager
    def in_place(self) -> Iterator[None]:
        self.put_in_place()
        yield


def moving_daemons(daemons: int) -> int:
    """How many of ``daemons`` seeded by :func:`seed_daemons` have a deployment under way."""
    return (daemons + 3) // 4


def seed_daemons(backend: Any, daemons: int) -> DaemonArns:
    """Seed ``daemons`` daemons in ``prod`` through the backend's methods, ``node`` in the
    middle of them (a search from either end of the daemons would pass half of them), each on
    a capacity provider of its own with ``DAEMON_INSTANCES`` instances: daemon ``i`` has one
    finished deployment (odd ``i``), or a second one, of ``agent:2``, finished (``i % 4 ==
    2``) or under way for ten days, its first batch's end 2.5 days away (``i % 4 == 0``);
    ``node`` has two finished deployments."""
    backend.add_daemon_task_definition(DAEMON_FAMILY, [{"name": "agent", "image": "agent:1"}])
    backend.add_daemon_task_definition(DAEMON_FAMILY, [{"name": "agent", "image": "agent:2"}])
    updated = f"{DAEMON_FAMILY}:2"

    def seed(name: str, updates: int, plan: dict[str, Any] | None = None) -> Daemon:
        provider = backend.add_capacity_provider(f"{name}-cp", CLUSTER, instances=DAEMON_INSTANCES)
        record: Daemon = backend.add_daemon(name, f"{DAEMON_FAMILY}:1", [provider.arn], CLUSTER)
        for _ in range(updates):
            if plan is not None:
                backend.plan_next_deployment(daemon=name, cluster=CLUSTER, **plan)
            backend.update_daemon(record.arn, updated, [provider.arn])
        return record

    node = None
    for index in range(daemons):
        if index == daemons // 2:
            node = seed("node", 1)
        name = f"dmn-{index:05d}"
        if index % 4 == 0:
            seed(name, 1, {"in_progress_for": 10 * 86_400})
        else:
            seed(name, 1 if index % 4 == 2 else 0)
    assert node is not None
    latest = node.deployments[-1]
    if latest.status != "SUCCESSFUL" or latest.target is None:
        fail(f"node's newest deployment is {latest.status}, not SUCCESSFUL")
    definition = backend.find_daemon_task_definition(updated)
    return DaemonArns(node.arn, latest.arn, latest.target.arn, definition.arn)


def check_daemons(backend: Any, shape: Shape) -> None:
    """The daemons of ``shape`` are all there, and its moving ones wait in the backend's
    queue of due steps (which a request through moto catches up)."""
    if len(backend.daemons) != shape.daemons + 1:
        fail(f"{len(backend.daemons)} daemons seeded for {shape}, not {shape.daemons + 1}")
    moving = sum(record.ongoing is not None for record in backend.daemons.values())
    if moving != moving_daemons(shape.daemons):
        fail(f"{moving} daemons of {shape} move, not {moving_daemons(shape.daemons)}")
    # At least one entry each (its first batch's end, days away).
    queued = backend._daemon_steps_due
    if queued < moving:
        fail(f"the backend's queue of due steps holds {queued} daemons' steps, not {moving}")


def build(mock: ServiceDeploymentsMock, shape: Shape, ecs: Any) -> State:
    """Seed ``shape`` (and ``web``) under the account, bring moto in step, set it aside."""
    from moto.ecs.models import ecs_backends

    dict.pop(service_deployment_backends, DEFAULT_ACCOUNT_ID, None)
    dict.pop(ecs_backends, DEFAULT_ACCOUNT_ID, None)
    backend = mock.backend(region=REGION)
    started = time.perf_counter()
    web = [
        backend.add_deployment("web", CLUSTER, created_at=BASE + timedelta(minutes=index))
        for index in range(WEB_DEPLOYMENTS)
    ]
    for service in range(shape.services):
        if shape.tasks:
            backend.add_service(f"svc-{service:05d}", CLUSTER, desired_count=2)
        for index in range(shape.deployments):
            if shape.moving:  # made now, its SCALE_UP lasting ten days
                backend.add_deployment(
                    f"svc-{service:05d}", CLUSTER, plan={"in_progress_for": 10 * 86_400}
                )
            else:
                backend.add_deployment(
                    f"svc-{service:05d}", CLUSTER, created_at=BASE + timedelta(seconds=index)
                )
    if shape.moving and len(backend.moving_services) != shape.services:
        fail(f"{len(backend.moving_services)} services of {shape} move, not {shape.services}")
    if shape.tasks:
        made_tasks = sum(
            len(tasks.tasks_of(record))
            for (_, name), record in backend.services.items()
            if name.startswith("svc-")
        )
        if made_tasks != 2 * shape.services:
            fail(f"{made_tasks} tasks made for {shape}, not {2 * shape.services}")
    node = seed_daemons(backend, shape.daemons) if shape.daemons else None
    if node is not None:
        check_daemons(backend, shape)
    seeded = time.perf_counter()
    ecs.list_clusters()  # the one-time materialization in moto, outside the timed calls
    materialized = time.perf_counter()
    if backend.peer_pending:
        fail(f"{len(backend.peer_pending)} services of {shape} are still to be made in moto")
    made = ecs_backends[DEFAULT_ACCOUNT_ID][REGION].services
    if len(made) != shape.services + 1:
        fail(f"moto holds {len(made)} services for {shape}, not {shape.services + 1}")
    print(
        f"  built {shape}: seeded in {seeded - started:.1f} s, made in moto in"
        f" {materialized - seeded:.1f} s"
    )
    state = State(
        shape,
        dict.__getitem__(service_deployment_backends, DEFAULT_ACCOUNT_ID),
        dict.__getitem__(ecs_backends, DEFAULT_ACCOUNT_ID),
        web[-1].arn,
        node,
    )
    BUILT.append(state)
    return state


def calls_of(ecs: Any, sqs: Any, web_arn: str) -> dict[str, tuple[Callable[[], Any], int]]:
    """Each call measured, with the mock dispatches it must make (``web_arn``: the ARN the
    state's describe_service_deployments names, the same length in every state)."""

    def describe_services() -> Any:
        answer = ecs.describe_services(cluster=CLUSTER, services=["web"])
        if "currentServiceDeployment" not in answer["services"][0]:
            fail("describe_services of web lacks the mock's fields")
        return answer

    def describe_tasks() -> Any:
        arns = ecs.list_tasks(cluster=CLUSTER, serviceName="web")["taskArns"]
        answer = ecs.describe_tasks(cluster=CLUSTER, tasks=arns)
        if len(answer["tasks"]) != 1 or answer["failures"]:
            fail(f"web's task not described: {answer['failures']}")
        return answer

    return {
        "(a) sqs list_queues": (sqs.list_queues, 0),
        "(b) moto ecs list_clusters": (ecs.list_clusters, 0),
        "(c) list_service_deployments of web": (
            lambda: ecs.list_service_deployments(cluster=CLUSTER, service="web"),
            1,
        ),
        "(c) describe_service_deployments, 1 ARN": (
            lambda: ecs.describe_service_deployments(serviceDeploymentArns=[web_arn]),
            1,
        ),
        "(d) moto describe_services of web": (describe_services, 0),
        "(d) list_tasks and describe_tasks of web": (describe_tasks, 0),
    }


def daemon_calls_of(
    ecs: Any, sqs: Any, web_arn: str, node: DaemonArns
) -> dict[str, tuple[Callable[[], Any], int]]:
    """The daemons pair's calls (e), each of ``node`` alone, with the mock dispatches each
    must make; and (d)'s ``describe_services`` of ``web``, as the other pairs time it."""

    def describe_deployments() -> Any:
        answer = ecs.describe_daemon_deployments(daemonDeploymentArns=[node.deployment])
        if len(answer["daemonDeployments"]) != 1 or answer["failures"]:
            fail(f"node's deployment not described: {answer['failures']}")
        return answer

    def describe_revisions() -> Any:
        answer = ecs.describe_daemon_revisions(daemonRevisionArns=[node.revision])
        if len(answer["daemonRevisions"]) != 1 or answer["failures"]:
            fail(f"node's revision not described: {answer['failures']}")
        return answer

    service = "(d) moto describe_services of web"
    return {
        "(e) list_daemon_deployments of node": (
            lambda: ecs.list_daemon_deployments(daemonArn=node.daemon),
            1,
        ),
        "(e) describe_daemon_deployments, 1 ARN": (describe_deployments, 1),
        "(e) describe_daemon of node": (lambda: ecs.describe_daemon(daemonArn=node.daemon), 1),
        "(e) describe_daemon_revisions, 1 ARN": (describe_revisions, 1),
        "(e) describe_daemon_task_definition": (
            lambda: ecs.describe_daemon_task_definition(daemonTaskDefinition=node.task_definition),
            1,
        ),
        service: calls_of(ecs, sqs, web_arn)[service],
    }


def measure(
    mock: ServiceDeploymentsMock,
    small: State,
    large: State,
    calls: Callable[[State], dict[str, tuple[Callable[[], Any], int]]],
    rounds: int,
    count: int,
) -> dict[str, Ratio]:
    """Each call on ``large`` against the same call on ``small``, interleaved call by call."""
    ratios: dict[str, Ratio] = {}
    large_calls, small_calls = calls(large), calls(small)
    for name, (call, dispatches) in large_calls.items():
        ratio = compare(
            Side(call, dispatches, large.in_place),
            Side(small_calls[name][0], dispatches, small.in_place),
            rounds,
            count,
            mock,
        )
        for state in (small, large):
            if state.ours[REGION].peer_pending:
                fail(f"{name} left services of {state.shape} to be made in moto")
        flag = "" if ratio.median <= TARGET else "  MISSED"
        print(f"  {name:<42} {ratio}  (target <= {TARGET:.2f}){flag}")
        ratios[name] = ratio
    return ratios


def profile(
    large: State,
    calls: Callable[[State], dict[str, tuple[Callable[[], Any], int]]],
    count: int,
    top: int = 12,
) -> None:
    """Where ``count`` calls of each kind go on the large state, by cumulative time."""
    large.put_in_place()
    for name, (call, _) in calls(large).items():
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(count):
            call()
        profiler.disable()
        print(f"  profile of {count} calls, {name}, on {large.shape}:")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def run(
    size: int, rounds: int, count: int, with_profile: bool, only: list[str] | None = None
) -> list[str]:
    """Every pair of states (or those whose titles start with one of ``only``); returns the
    calls that missed the target."""
    import boto3

    pairs = {
        f"services: 10 vs {size:,} seeded": (Shape(10, 1), Shape(size, 1)),
        f"history: one service with 10 vs {size:,} deployments": (Shape(1, 10), Shape(1, size)),
        f"spread: 10 services with 1 vs {size // 10:,} deployments": (
            Shape(10, 1),
            Shape(10, size // 10),
        ),
        f"moving: 10 vs {size:,} services with a deployment under way": (
            Shape(10, 1, moving=True),
            Shape(size, 1, moving=True),
        ),
        f"tasks: 10 vs {size:,} services with 2 running tasks each": (
            Shape(10, 1, tasks=True),
            Shape(size, 1, tasks=True),
        ),
        f"daemons: 10 vs {size:,} daemons, a quarter with a deployment under way": (
            Shape(0, 0, daemons=10),
            Shape(0, 0, daemons=size),
        ),
    }
    if only:
        pairs = {title: pair for title, pair in pairs.items() if title.startswith(tuple(only))}
        if not pairs:
            fail(f"--only {' '.join(only)}: no such pair")
    missed: list[str] = []
    with mock_service_deployments(with_moto=True) as mock:
        ecs = mocked_client()
        sqs = boto3.session.Session().client(
            "sqs", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="x"
        )
        sqs.create_queue(QueueName="jobs")
        for title, (small_shape, large_shape) in pairs.items():
            print(title)
            small = build(mock, small_shape, ecs)
            large = build(mock, large_shape, ecs)
            if len(small.web_arn) != len(large.web_arn):
                fail("web's ARNs differ in length between the states")
            if small.node is not None and (
                large.node is None or small.node.lengths() != large.node.lengths()
            ):
                fail("node's ARNs differ in length between the states")

            def calls(state: State) -> dict[str, tuple[Callable[[], Any], int]]:
                if state.node is not None:
                    return daemon_calls_of(ecs, sqs, state.web_arn, state.node)
                return calls_of(ecs, sqs, state.web_arn)

            gc.collect()
            for name, ratio in measure(mock, small, large, calls, rounds, count).items():
                if ratio.median > TARGET:
                    missed.append(f"{title}, {name}: {ratio.median:.3f}")
            if with_profile:
                profile(large, calls, count)
            BUILT.clear()
            del small, large
            gc.collect()
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds and calls")
    parser.add_argument("--rounds", type=int, default=None, help="default 20 (quick: 8)")
    parser.add_argument("--calls", type=int, default=None, help="default 40 (quick: 20)")
    parser.add_argument("--size", type=int, default=10_000, help="the large side (10,000)")
    parser.add_argument("--profile", action="store_true", help="cProfile the large states")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="PAIR",
        help="only these pairs: services, history, spread, moving, tasks, daemons",
    )
    args = parser.parse_args()
    rounds = args.rounds or (8 if args.quick else 20)
    count = args.calls or (20 if args.quick else 40)
    missed = run(args.size, rounds, count, args.profile, args.only)
    if missed:
        fail("over the 1.10 target: " + "; ".join(missed))


if __name__ == "__main__":
    main()
