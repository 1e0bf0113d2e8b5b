"""ListServiceDeployments: the mock against botocore's own floor, and deep pages against the first.

Run:  python benchmarks/bench_list.py [--quick] [--rounds N] [--calls N] [--history N]

1. *Per call*: a 20-item ``list_service_deployments`` answered by the mock, against the floor:
   the same client call answered by a ``before-send`` handler that returns a prebuilt body,
   byte for byte the mock's answer (request serialization, signing and response parsing are
   botocore's in both, so the difference is what the mock itself costs). Target: at most 1.10x
   the floor.
2. *History length*: a page deep inside a 100,000-deployment history (and a createdAt window in
   its middle) against the first page. Target: at most 1.2x the first page.

How the floor is kept clean: botocore copies its built-in handlers into a session when the
session is made, so the floor client comes from a session made before the mock started, and
carries no handler of the mock (nor of moto); the floor's batches run with botocore's classes
as they are when no mock is active (the mock's class-level request-signing guard is lifted for
them). The mock's dispatches (``mock.calls``) are counted for each side alone, then for every
round: the floor must make none and the mock exactly one per call, or the benchmark stops with
an error. A ratio below 1.0 against
the floor can only be a benchmark bug, and is reported as one.

Both sides of each ratio are measured in the same rounds, interleaved call by call (A, B,
B, A ...), with the garbage collector off as in ``timeit``; the median of the per-round ratios
is reported, with their range.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from io import BytesIO
from typing import Any

import boto3
import botocore.handlers
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders

from mock_ecs_deployments import ServiceDeploymentsMock, mock_service_deployments
from mock_ecs_deployments.patches import botocore_send

BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)
REGION = "us-east-1"
# Both clients of a ratio sign with the same explicit credentials.
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
HEADERS = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "0" * 36}
PAGE_REQUEST = {"cluster": "prod", "service": "web", "maxResults": 20}


def fail(message: str) -> None:
    """Stop the benchmark: its figures would not mean what they say."""
    print(f"BENCHMARK ERROR: {message}", file=sys.stderr)
    sys.exit(1)


class _Body(BytesIO):
    """A prebuilt response body botocore can both ``read()`` and ``stream()``."""

    def stream(self, **_: Any) -> Any:
        yield self.read()


def _module_of(handler: Any) -> str:
    return str(getattr(handler, "__module__", None) or type(handler).__module__ or "")


def clean_session() -> boto3.session.Session:
    """A session that carries no handler of this mock or of moto.

    botocore copies its built-in handlers into a session when the session is made, and a client
    copies its session's: a session made while neither is installed stays clean for good.
    """
    foreign = [
        handler
        for _, handler, *_ in botocore.handlers.BUILTIN_HANDLERS
        if _module_of(handler).startswith(("mock_ecs_deployments", "moto"))
    ]
    if foreign:
        fail(f"a clean session must be made before any mock is installed; found {foreign!r}")
    return boto3.session.Session()


def floor_client(session: boto3.session.Session, body: bytes, operation: str) -> Any:
    """An ECS client of ``session`` whose ``operation`` requests are answered with ``body``
    by its first ``before-send`` handler."""
    client = session.client("ecs", region_name=REGION, **CREDENTIALS)

    def answer(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, HTTPHeaders.from_dict(HEADERS), _Body(body))

    client.meta.events.register_first(f"before-send.ecs.{operation}", answer)
    return client


def mocked_client() -> Any:
    """An ECS client made while the mock is active (so it carries the mock's handler)."""
    return boto3.session.Session().client("ecs", region_name=REGION, **CREDENTIALS)


def raw_answer(client: Any, call: Callable[[], Any]) -> bytes:
    """The body of the HTTP response ``client`` received for ``call()``."""
    captured: dict[str, bytes] = {}

    def capture(http_response: Any, **_: Any) -> None:
        captured["body"] = http_response.content

    client.meta.events.register("after-call.ecs", capture)
    try:
        call()
    finally:
        client.meta.events.unregister("after-call.ecs", capture)
    return captured["body"]


@contextlib.contextmanager
def no_mock_patches() -> Iterator[None]:
    """botocore's classes as they are when no mock is active, while a floor batch runs: the
    mock's signing guard (on every client, not only its own) is the mock's cost, not the
    floor's."""
    botocore_send.GUARD.uninstall()
    try:
        yield
    finally:
        botocore_send.GUARD.install()


class Clock:
    """Seconds spent inside what it times (outermost calls only)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.depth = 0
        self._started = 0.0

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.start()
            try:
                return function(*args, **kwargs)
            finally:
                self.stop()

        return timed

    def start(self, **_: Any) -> None:
        self.depth += 1
        if self.depth == 1:
            self._started = time.perf_counter()

    def stop(self, **_: Any) -> None:
        self.depth -= 1
        if self.depth == 0:
            self.seconds += time.perf_counter() - self._started


@contextlib.contextmanager
def timing(owner: Any, name: str, clock: Clock) -> Iterator[None]:
    """Time ``owner.name`` (looked up at each call: a module's function or a class's method)
    with ``clock`` while the block runs."""
    original = owner.__dict__[name]
    setattr(owner, name, clock.wrap(original))
    try:
        yield
    finally:
        setattr(owner, name, original)


def timed_loop(call: Callable[[], Any], calls: int) -> float:
    """Seconds per call of ``calls`` calls, with the garbage collector off (as in ``timeit``:
    a collection would be charged to whichever call happened to allocate)."""
    gc.disable()
    try:
        started = time.perf_counter()
        for _ in range(calls):
            call()
        return (time.perf_counter() - started) / calls
    finally:
        gc.enable()


@dataclass(frozen=True)
class Side:
    """One side of a ratio: the call, the mock's dispatches each call must make (0 for a
    baseline that must not touch the mock), and what its batches run inside."""

    call: Callable[[], Any]
    dispatches: int
    context: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext


@dataclass(frozen=True)
class Ratio:
    """Median seconds per call of each side, and the median and range of their per-round
    ratios."""

    a: float
    b: float
    median: float
    low: float
    high: float

    def __str__(self) -> str:
        return (
            f"{self.a * 1e6:8.1f} us vs {self.b * 1e6:8.1f} us  ratio {self.median:.3f}"
            f" (rounds {self.low:.3f}..{self.high:.3f})"
        )


def dispatch_count(mock: ServiceDeploymentsMock) -> Callable[[], int]:
    """How many requests the mock has answered so far (its call log has one entry each)."""
    return lambda: len(mock.calls)


def _check_dispatches(made: int, expected: int, name: str, baseline: bool) -> None:
    if made != expected:
        fail(
            f"{name}: made {made} mock dispatches, expected {expected}"
            + (" (the baseline reached the mock)" if baseline and made > expected else "")
        )


def _alone(side: Side, calls: int, dispatches: Callable[[], int], name: str) -> None:
    """``calls`` calls of one side, untimed, checking its own dispatches."""
    before = dispatches()
    with side.context():
        for _ in range(calls):
            side.call()
    _check_dispatches(
        dispatches() - before, side.dispatches * calls, name, baseline=not side.dispatches
    )


def _round(a: Side, b: Side, calls: int) -> tuple[float, float]:
    """Seconds per call of each side over ``calls`` pairs of calls, A and B taking turns
    call by call (and turns at going first), so both meet the same load on the machine."""
    spent = {id(a): 0.0, id(b): 0.0}
    gc.disable()
    try:
        for index in range(calls):
            for side in (a, b) if index % 2 == 0 else (b, a):
                with side.context():
                    started = time.perf_counter()
                    side.call()
                    spent[id(side)] += time.perf_counter() - started
    finally:
        gc.enable()
    return spent[id(a)] / calls, spent[id(b)] / calls


def compare(
    a: Side,
    b: Side,
    rounds: int,
    calls: int,
    dispatches: ServiceDeploymentsMock | Callable[[], int],
) -> Ratio:
    """``a`` against ``b``: ``rounds`` rounds of ``calls`` calls of each, interleaved call by
    call. Each side's dispatches are checked on their own first, then every round's.

    :param dispatches: the active mock, or what counts the mock's dispatches (another
        process's, for a server).
    """
    if isinstance(dispatches, ServiceDeploymentsMock):
        dispatches = dispatch_count(dispatches)
    _alone(a, 3, dispatches, "A alone")
    _alone(b, 3, dispatches, "B alone")
    gc.collect()
    times_a: list[float] = []
    times_b: list[float] = []
    for index in range(rounds):
        before = dispatches()
        time_a, time_b = _round(a, b, calls)
        _check_dispatches(
            dispatches() - before,
            (a.dispatches + b.dispatches) * calls,
            f"round {index + 1}",
            baseline=not b.dispatches,
        )
        times_a.append(time_a)
        times_b.append(time_b)
    ratios = [x / y for x, y in zip(times_a, times_b, strict=True)]
    return Ratio(
        statistics.median(times_a),
        statistics.median(times_b),
        statistics.median(ratios),
        min(ratios),
        max(ratios),
    )


def check_floor(ratio: Ratio, what: str) -> None:
    """A mock cannot answer below botocore's floor: a ratio under 1.0 is a benchmark bug."""
    if ratio.median < 1.0:
        fail(
            f"{what}: ratio {ratio.median:.3f} is below 1.0, so the floor does work the mock"
            " does not (a benchmark bug, not a fast mock)"
        )


def seed_page(mock: ServiceDeploymentsMock) -> None:
    """40 deployments of prod/web, so a 20-item page has a next one."""
    backend = mock.backend()
    for i in range(40):
        backend.add_deployment(service="web", cluster="prod", created_at=BASE + timedelta(hours=i))


def bench_against_floor(rounds: int, calls: int) -> Ratio:
    session = clean_session()  # before the mock starts
    with mock_service_deployments() as mock:
        seed_page(mock)
        mocked = mocked_client()

        def ours() -> Any:
            return mocked.list_service_deployments(**PAGE_REQUEST)

        prebuilt = raw_answer(mocked, ours)
        floor = floor_client(session, prebuilt, "ListServiceDeployments")

        def theirs() -> Any:
            return floor.list_service_deployments(**PAGE_REQUEST)

        if raw_answer(floor, theirs) != raw_answer(mocked, ours):
            fail("the floor's body is not the mock's")
        ratio = compare(Side(ours, 1), Side(theirs, 0, no_mock_patches), rounds, calls, mock)
        print(f"20-item page, mock vs botocore floor: {ratio}  (target <= 1.10)")
        check_floor(ratio, "20-item page against the floor")
        breakdown(mocked, ours, theirs, rounds * calls // 2, mock)
    return ratio


def breakdown(
    mocked: Any,
    ours: Callable[[], Any],
    theirs: Callable[[], Any],
    calls: int,
    mock: ServiceDeploymentsMock,
) -> None:
    """Where the mock's time over the floor goes: its ``before-send`` handler (and the
    dispatch inside it), and request signing (which the mock guards on every client)."""
    from botocore.signers import RequestSigner

    handler, dispatched, signing, floor_signing = Clock(), Clock(), Clock(), Clock()
    # Handlers of one event node run first, middle, last: the mock's handler is a middle one.
    events = mocked.meta.events
    events.register_first("before-send.ecs", handler.start)
    events.register_last("before-send.ecs", handler.stop)
    total = floor = 0.0
    blocks = 10  # the two sides take turns block by block, so both meet the same load
    each = max(1, calls // blocks)
    calls = each * blocks
    before = len(mock.calls)
    try:
        for _ in range(blocks):
            with (
                timing(botocore_send, "dispatch", dispatched),
                timing(RequestSigner, "sign", signing),
            ):
                total += timed_loop(ours, each) / blocks
            # The guard is lifted first: it replaces RequestSigner.sign, timed after it.
            with no_mock_patches(), timing(RequestSigner, "sign", floor_signing):
                floor += timed_loop(theirs, each) / blocks
    finally:
        events.unregister("before-send.ecs", handler.start)
        events.unregister("before-send.ecs", handler.stop)
    if len(mock.calls) - before != calls:
        fail("the timed calls did not each make one mock dispatch (and the floor's none)")
    per = 1e6 / calls
    print(
        f"  where the time goes ({calls} calls of each): mock {total * 1e6:7.1f} us,"
        f" floor {floor * 1e6:7.1f} us, difference {(total - floor) * 1e6:6.1f} us"
    )
    print(
        f"    the mock's before-send handler      {handler.seconds * per:6.1f} us, of which"
        f" protocol.dispatch {dispatched.seconds * per:6.1f} us"
    )
    print(
        f"    request signing, mock vs floor      {signing.seconds * per:6.1f} us vs"
        f" {floor_signing.seconds * per:6.1f} us (the mock's signing guard)"
    )


def bench_history_depth(history: int, rounds: int, calls: int) -> tuple[Ratio, Ratio]:
    """A page 90% deep and a createdAt window in the middle of ``history`` deployments, each
    against the first page. Both sides are the mock (one dispatch per call each)."""
    with mock_service_deployments() as mock:
        backend = mock.backend()
        for i in range(history):
            backend.add_deployment(service="web", created_at=BASE + timedelta(seconds=i))
        ecs = mocked_client()
        # A token deep in the history: 90% of the way down, found by paging with the API.
        token = None
        for _ in range(history * 9 // 10 // 100):
            token = backend.list_service_deployments("web", max_results=100, next_token=token)[1]
        middle = BASE + timedelta(seconds=history // 2)
        window = {
            "after": middle - timedelta(seconds=500),
            "before": middle + timedelta(seconds=500),
        }
        first = Side(lambda: ecs.list_service_deployments(service="web"), 1)
        deep = compare(
            Side(lambda: ecs.list_service_deployments(service="web", nextToken=token), 1),
            first,
            rounds,
            calls,
            mock,
        )
        windowed = compare(
            Side(lambda: ecs.list_service_deployments(service="web", createdAt=window), 1),
            first,
            rounds,
            calls,
            mock,
        )
    print(
        f"{history:,} deployments, page 90% deep vs first page: {deep}  (target <= 1.2)\n"
        f"{history:,} deployments, mid createdAt window vs first page: {windowed}"
        "  (target <= 1.2)"
    )
    return deep, windowed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds, 20,000 deployments")
    parser.add_argument("--rounds", type=int, default=None, help="default 20 (quick: 8)")
    parser.add_argument("--calls", type=int, default=None, help="default 40 (quick: 20)")
    parser.add_argument("--history", type=int, default=None, help="default 100,000")
    args = parser.parse_args()
    rounds = args.rounds or (8 if args.quick else 20)
    calls = args.calls or (20 if args.quick else 40)
    bench_against_floor(rounds, calls)
    bench_history_depth(args.history or (20_000 if args.quick else 100_000), rounds, calls)


if __name__ == "__main__":
    main()
