"""Our operations beside moto: against moto's own ECS operations, and against botocore's floor.

Run:  python benchmarks/bench_moto.py [--quick] [--rounds N] [--calls N]

All under ``mock_service_deployments(with_moto=True)`` (moto's ``mock_aws`` inside ours):

1. ``list_service_deployments`` returning a 20-item page against moto's ``list_services``
   returning 20 services, through the same client (the same path through botocore and moto's
   dispatch; what differs is the operation behind it). Target: at most 1.0x moto.
2. ``describe_service_deployments`` with 20 ARNs against moto's ``describe_services`` with
   10 services (its limit). Target: at most 1.0x moto. The services were made through moto,
   so the mock tracks them and would lay its view over moto's answer: moto's own
   ``describe_services`` is put back while the baseline's batches run, and the comparison
   checks that the mock's view was never made (``moto_view.shown`` never called).
3. The 20-item page under moto against the standalone floor of bench_list.py: a client with no
   handler of moto or of the mock (its session is made before either is loaded or started)
   whose first ``before-send`` handler returns the mock's answer, byte for byte. The floor is
   what botocore alone spends serializing, signing and parsing that page. Target: at most 1.4x.
   For reference, that floor against moto's ``list_services``: what botocore alone spends on
   our page, against what moto's whole path spends on its smaller answer (60 timestamps to
   parse in ours, 20 strings in moto's).
4. Where the time of one 20-item call under moto goes: botocore and our ``before-send`` door
   (everything outside moto's handler and our dispatch), moto's handler (which leaves a request
   our door answered alone), and our dispatch.
5. moto's ``describe_services`` of 10 services the mock tracks (made through moto, each then
   redeployed twice), answered with our view laid over moto's (``beside_moto/view.py``),
   against the same calls under moto's ``mock_aws`` alone, with no mock of ours installed.
   Target: at most 1.2x moto alone; the run exits non-zero over it. moto alone is not a
   floor: under ours moto serializes only the fields the mock does not own (the mock writes
   its own with ``json``, and moto's serializer is slow on the deployment entries it then no
   longer writes), so ours may come below 1.0 while answering more. Both mocks are
   process-wide and forget their state when stopped, so the two sides take turns block by
   block, each block making its services afresh; every block checks that moto's answer
   carries our view in every service under ours (``moto_view.shown`` once per service, no
   dispatch of ours), and under moto alone neither our view nor our wrapper on
   moto's response class. Then where one call of each side goes.

Every side of 1 to 4 is checked on its own, then every round, against the mock's dispatches
(``mock.calls``): moto's own operations and the floor must make none, ours exactly one per
call, or the benchmark stops with an error. Both sides of a ratio are measured in the same
rounds, interleaved call by call (bench_list.py's ``compare``); the median of the per-round
ratios is reported, with their range.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from bench_list import (
    CREDENTIALS,
    REGION,
    Clock,
    Ratio,
    Side,
    check_floor,
    clean_session,
    compare,
    fail,
    floor_client,
    mocked_client,
    no_mock_patches,
    raw_answer,
    timed_loop,
    timing,
)

from mock_ecs_deployments import ServiceDeploymentsMock, mock_service_deployments
from mock_ecs_deployments.beside_moto import view as moto_view
from mock_ecs_deployments.patches import botocore_send

BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)
SERVICES = 20
DESCRIBED = [f"svc-{index:02d}" for index in range(10)]  # DescribeServices' limit
FORCED = 2  # forced redeployments of each described service: a history and events to show
PAGE_REQUEST = {"cluster": "prod", "service": "web", "maxResults": 20}


def _moto_services(ecs: Any, count: int, forced: int = 0) -> None:
    """A cluster with ``count`` services made through moto, each then redeployed ``forced``
    times (``update_service`` with ``forceNewDeployment``)."""
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(
        family="app", containerDefinitions=[{"name": "app", "image": "nginx:1.27", "memory": 256}]
    )
    for index in range(count):
        ecs.create_service(
            cluster="prod", serviceName=f"svc-{index:02d}", taskDefinition="app", desiredCount=1
        )
        for _ in range(forced):
            ecs.update_service(cluster="prod", service=f"svc-{index:02d}", forceNewDeployment=True)


def _setup(ecs: Any, mock: ServiceDeploymentsMock) -> list[str]:
    """A cluster with 20 services in moto: 19 made through moto, and one with 40 deployments
    seeded in the mock (which the mock makes in moto too); returns the ARNs of 20 of those
    deployments."""
    _moto_services(ecs, SERVICES - 1)
    backend = mock.backend()
    seeded = [
        backend.add_deployment(service="web", cluster="prod", created_at=BASE + timedelta(hours=i))
        for i in range(40)
    ]
    return [deployment.arn for deployment in seeded[-20:]]


def run(rounds: int, calls: int) -> None:
    import boto3

    session = clean_session()  # before moto is loaded or any mock started
    with mock_service_deployments(with_moto=True) as mock:
        ecs = boto3.session.Session().client("ecs", region_name=REGION, **CREDENTIALS)
        arns = _setup(ecs, mock)
        services = [f"svc-{index:02d}" for index in range(10)]

        def ours_list() -> Any:
            return ecs.list_service_deployments(**PAGE_REQUEST)

        def moto_list() -> Any:
            return ecs.list_services(cluster="prod")

        def ours_describe() -> Any:
            return ecs.describe_service_deployments(serviceDeploymentArns=arns)

        def moto_describe() -> Any:
            return ecs.describe_services(cluster="prod", services=services)

        if not (
            len(ours_list()["serviceDeployments"]) == 20
            and len(moto_list()["serviceArns"]) == SERVICES
            and len(ours_describe()["serviceDeployments"]) == 20
            and len(moto_describe()["services"]) == 10
        ):
            fail("the pages are not of the sizes compared")

        ratio = compare(Side(ours_list, 1), Side(moto_list, 0), rounds, calls, mock)
        print(
            "under mock_aws, 20-item list_service_deployments vs moto list_services (20):"
            f" {ratio}  (target <= 1.0)"
        )
        overlaid = _Counter()
        with timing(moto_view, "shown", overlaid):
            ratio = compare(
                Side(ours_describe, 1),
                Side(moto_describe, 0, moto_own_describe),
                rounds,
                calls,
                mock,
            )
        if overlaid.count:
            fail(f"the describe_services baseline made the mock's view {overlaid.count} times")
        print(
            "under mock_aws, describe_service_deployments (20 ARNs) vs moto describe_services"
            f" (10): {ratio}  (target <= 1.0)"
        )

        floor = floor_client(session, raw_answer(ecs, ours_list), "ListServiceDeployments")

        def floor_list() -> Any:
            return floor.list_service_deployments(**PAGE_REQUEST)

        if raw_answer(floor, floor_list) != raw_answer(ecs, ours_list):
            fail("the floor's body is not the mock's")
        ratio = compare(
            Side(ours_list, 1), Side(floor_list, 0, no_mock_patches), rounds, calls, mock
        )
        print(
            "under mock_aws, 20-item list_service_deployments vs the standalone botocore floor:"
            f" {ratio}  (target <= 1.4)"
        )
        check_floor(ratio, "20-item page under moto against the floor")
        ratio = compare(
            Side(floor_list, 0, no_mock_patches), Side(moto_list, 0), rounds, calls, mock
        )
        print(
            "  for reference, the floor of our 20-item page vs moto's list_services (20; a"
            f" smaller answer to parse): {ratio}"
        )
        breakdown(ours_list, floor_list, calls * rounds // 2, mock)


def breakdown(
    ours: Callable[[], Any], floor: Callable[[], Any], calls: int, mock: ServiceDeploymentsMock
) -> None:
    """Per call under moto: botocore, moto's dispatch, ours; and the floor for reference."""
    from moto.core.botocore_stubber import BotocoreStubber

    moto_clock, our_clock = Clock(), Clock()
    total = floor_time = 0.0
    blocks = 10  # the two sides take turns block by block, so both meet the same load
    each = max(1, calls // blocks)
    calls = each * blocks
    before = len(mock.calls)
    for _ in range(blocks):
        # moto's handler is looked up on its class at each call, and our door looks
        # ``dispatch`` up in its module at each call: both can be timed from outside.
        with (
            timing(BotocoreStubber, "__call__", moto_clock),
            timing(botocore_send, "dispatch", our_clock),
        ):
            total += timed_loop(ours, each) / blocks
        with no_mock_patches():
            floor_time += timed_loop(floor, each) / blocks
    if len(mock.calls) - before != calls:
        fail("the timed calls did not each make one mock dispatch (and the floor's none)")
    inside_moto = moto_clock.seconds / calls
    ours_time = our_clock.seconds / calls
    print(f"  where one 20-item call under moto goes ({calls} calls): {total * 1e6:7.1f} us")
    print(
        f"    botocore and our door             {(total - inside_moto - ours_time) * 1e6:7.1f} us"
        f"   (the floor, all botocore: {floor_time * 1e6:7.1f} us)"
    )
    print(f"    moto's handler (steps aside)      {inside_moto * 1e6:7.1f} us")
    print(f"    ours (protocol.dispatch)          {ours_time * 1e6:7.1f} us")


@contextlib.contextmanager
def moto_own_describe() -> Iterator[None]:
    """moto's own ``describe_services`` on its response class while a baseline batch runs
    (the mock's wrapper, which lays its view over moto's answer, is put back after)."""
    from moto.ecs.responses import EC2ContainerServiceResponse as responses

    patched = responses.__dict__["describe_services"]
    own = getattr(patched, "__wrapped__", None)
    if own is None or own.__module__ != "moto.ecs.responses":
        fail(f"the mock's wrapper is not on moto's describe_services: {patched!r}")
    responses.describe_services = own
    try:
        yield
    finally:
        responses.describe_services = patched


class _Counter(Clock):
    """A clock that also counts the calls it times."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def start(self, **_: Any) -> None:
        self.count += 1
        super().start()


def _described(ecs: Any, shown: _Counter) -> list[dict[str, Any]]:
    """One untimed ``describe_services`` of the 10 services, counting the overlay's calls."""
    with timing(moto_view, "shown", shown):
        services: list[dict[str, Any]] = ecs.describe_services(cluster="prod", services=DESCRIBED)[
            "services"
        ]
    if len(services) != len(DESCRIBED):
        fail(f"describe_services answered {len(services)} services, not {len(DESCRIBED)}")
    return services


def bench_describe_services(rounds: int, calls: int) -> Ratio:
    """moto's ``describe_services`` of 10 tracked services with our view laid over it, against
    moto's own with no mock of ours installed.

    Both mocks are process-wide and forget everything when stopped, so the sides take turns
    block by block (and turns at going first): each block starts its mocks, makes its client
    and its services through moto (the same calls on both sides), checks its answers, times
    ``calls`` calls and checks again.
    """
    import boto3
    import botocore.handlers
    from moto import mock_aws
    from moto.ecs.responses import EC2ContainerServiceResponse as responses

    own = responses.__dict__["describe_services"]
    if own.__module__ != "moto.ecs.responses" or hasattr(own, "__wrapped__"):
        fail(f"moto's describe_services is not moto's own function: {own!r}")
    shown = _Counter()

    def moto_alone(block: Callable[[Callable[[], Any]], float]) -> float:
        if botocore_send.answering() or any(
            entry[1] is botocore_send.before_send for entry in botocore.handlers.BUILTIN_HANDLERS
        ):
            fail("the baseline would run with the mock's handler installed")
        with mock_aws():
            ecs = boto3.session.Session().client("ecs", region_name=REGION, **CREDENTIALS)
            _moto_services(ecs, len(DESCRIBED), FORCED)

            def check() -> None:
                before = shown.count
                services = _described(ecs, shown)
                if responses.__dict__["describe_services"] is not own or shown.count != before:
                    fail("the baseline ran with our overlay installed on moto's response class")
                if any("currentServiceDeployment" in service for service in services):
                    fail("the baseline's answer carries the mock's view")

            check()
            spent = block(lambda: ecs.describe_services(cluster="prod", services=DESCRIBED))
            check()
        return spent

    def ours(block: Callable[[Callable[[], Any]], float]) -> float:
        with mock_service_deployments(with_moto=True) as mock:
            ecs = mocked_client()
            _moto_services(ecs, len(DESCRIBED), FORCED)
            tracked = mock.backend().services
            if len(tracked) != len(DESCRIBED) or any(
                len(record.deployments) != FORCED + 1 for record in tracked.values()
            ):
                fail("the services made through moto are not all tracked with their deployments")

            def check() -> None:
                before, dispatched = shown.count, len(mock.calls)
                services = _described(ecs, shown)
                patched = responses.__dict__["describe_services"]
                if getattr(patched, "__wrapped__", None) is not own:
                    fail("our overlay is not installed on moto's response class")
                if shown.count - before != len(DESCRIBED) or len(mock.calls) != dispatched:
                    fail("describe_services was not moto's, overlaid once per service")
                if not all(
                    "currentServiceDeployment" in service and service.get("events")
                    for service in services
                ):
                    fail("an answer under the mock lacks its view of a tracked service")

            check()
            spent = block(lambda: ecs.describe_services(cluster="prod", services=DESCRIBED))
            check()
        return spent

    def timed(call: Callable[[], Any]) -> float:
        return timed_loop(call, calls)

    times_ours: list[float] = []
    times_moto: list[float] = []
    ours(timed)  # warm-up: imports, moto's first backends
    moto_alone(timed)
    for index in range(rounds):
        if index % 2 == 0:
            times_moto.append(moto_alone(timed))
            times_ours.append(ours(timed))
        else:
            times_ours.append(ours(timed))
            times_moto.append(moto_alone(timed))
    ratios = [x / y for x, y in zip(times_ours, times_moto, strict=True)]
    ratio = Ratio(
        statistics.median(times_ours),
        statistics.median(times_moto),
        statistics.median(ratios),
        min(ratios),
        max(ratios),
    )
    print(
        f"describe_services of 10 tracked services (each {FORCED + 1} deployments), our view"
        f" over moto vs moto alone ({rounds} rounds of {calls} calls): {ratio}  (target <= 1.2)"
    )

    # Where the time goes, in blocks of their own (the clocks cost time too). The clocks go on
    # inside each block, once its mocks have patched what they patch.
    from botocore.parsers import ResponseParser
    from moto.core.serialize import ResponseSerializer

    parts = ("method", "overlay", "join", "serialize", "parse")
    clocks = {side: {part: Clock() for part in parts} for side in ("ours", "moto")}

    def clocked(side: str) -> Callable[[Callable[[], Any]], float]:
        def block(call: Callable[[], Any]) -> float:
            clock = clocks[side]
            with (
                timing(responses, "describe_services", clock["method"]),
                timing(moto_view, "shown", clock["overlay"]),
                timing(moto_view, "joined", clock["join"]),
                timing(ResponseSerializer, "serialize", clock["serialize"]),
                timing(ResponseParser, "parse", clock["parse"]),
            ):
                return timed_loop(call, calls)

        return block

    total = {"ours": 0.0, "moto": 0.0}
    blocks = max(2, rounds // 4)
    for _ in range(blocks):
        total["ours"] += ours(clocked("ours")) / blocks
        total["moto"] += moto_alone(clocked("moto")) / blocks
    per = 1e6 / (blocks * calls)
    us = {side: {part: clocks[side][part].seconds * per for part in parts} for side in clocks}
    # Under ours moto serializes inside the wrapped method; under moto alone, after it.
    us["moto"]["answer"] = us["moto"]["method"] + us["moto"]["serialize"]
    us["ours"]["answer"] = us["ours"]["method"]
    for side in us:
        us[side]["total"] = total[side] * 1e6
        us[side]["rest"] = us[side]["total"] - us[side]["answer"] - us[side]["parse"]
    rows = (
        ("the whole call", "total"),
        ("moto's describe_services and its serialized answer", "answer"),
        ("  of which our fields (moto_view.shown x10)", "overlay"),
        ("  of which moto serializing", "serialize"),
        ("  of which joining our fields to it", "join"),
        ("botocore parsing the answer", "parse"),
        ("the rest (botocore, moto's dispatch)", "rest"),
    )
    print(f"  where one call goes, ours vs moto alone ({blocks * calls} calls of each):")
    for label, part in rows:
        print(f"    {label:<52} {us['ours'][part]:8.1f} us vs {us['moto'][part]:8.1f} us")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds and calls")
    parser.add_argument("--rounds", type=int, default=None, help="default 20 (quick: 8)")
    parser.add_argument("--calls", type=int, default=None, help="default 40 (quick: 20)")
    args = parser.parse_args()
    rounds = args.rounds or (8 if args.quick else 20)
    calls = args.calls or (20 if args.quick else 40)
    run(rounds, calls)
    ratio = bench_describe_services(rounds, calls // 2)
    if ratio.median > 1.2:
        fail(f"describe_services under our mock: ratio {ratio.median:.3f} is over its 1.2 target")


if __name__ == "__main__":
    main()
