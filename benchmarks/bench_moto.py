"""Our operations beside moto: against moto's own ECS operations, and against botocore's floor.

Run:  python benchmarks/bench_moto.py [--quick] [--rounds N] [--calls N]

All under ``mock_service_deployments(with_moto=True)`` (moto's ``mock_aws`` inside ours):

1. ``list_service_deployments`` returning a 20-item page against moto's ``list_services``
   returning 20 services, through the same client (the same path through botocore and moto's
   dispatch; what differs is the operation behind it). Target: at most 1.0x moto.
2. ``describe_service_deployments`` with 20 ARNs against moto's ``describe_services`` with
   10 services (its limit). Target: at most 1.0x moto.
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

Every side is checked on its own, then every round, against the mock's dispatches
(``mock.calls``): moto's own operations and the floor must make none, ours exactly one per
call, or the benchmark stops with an error. Both sides of a ratio are measured in the same
rounds, interleaved call by call (bench_list.py's ``compare``); the median of the per-round
ratios is reported, with their range.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from bench_list import (
    CREDENTIALS,
    REGION,
    Clock,
    Side,
    check_floor,
    clean_session,
    compare,
    fail,
    floor_client,
    no_mock_patches,
    raw_answer,
    timed_loop,
    timing,
)

from mock_ecs_deployments import ServiceDeploymentsMock, mock_service_deployments
from mock_ecs_deployments.patches import botocore_send

BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)
SERVICES = 20
PAGE_REQUEST = {"cluster": "prod", "service": "web", "maxResults": 20}


def _setup(ecs: Any, mock: ServiceDeploymentsMock) -> list[str]:
    """A cluster with 20 services made through moto, and 40 deployments of another service
    seeded in the mock; returns the ARNs of 20 of those deployments."""
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(
        family="app", containerDefinitions=[{"name": "app", "image": "nginx:1.27", "memory": 256}]
    )
    for index in range(SERVICES):
        ecs.create_service(
            cluster="prod", serviceName=f"svc-{index:02d}", taskDefinition="app", desiredCount=1
        )
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
        ratio = compare(Side(ours_describe, 1), Side(moto_describe, 0), rounds, calls, mock)
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


if __name__ == "__main__":
    main()
