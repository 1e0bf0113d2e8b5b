"""Our operations beside moto against moto's own ECS operations, per call.

Run:  python benchmarks/bench_moto.py [--quick] [--rounds N] [--calls N]

Both sides run under moto's ``mock_aws`` with this mock active, through the same boto3 client,
so each request takes the same path through botocore and moto's dispatch; what differs is the
operation behind it.

1. ``list_service_deployments`` returning a 20-item page against moto's ``list_services``
   returning 20 services. Target: at most 1.0x moto.
2. ``describe_service_deployments`` with 20 ARNs against moto's ``describe_services`` with
   10 services (its limit). Target: at most 1.0x moto.
3. For scale, moto's ``list_services`` and the 20-item ``list_service_deployments`` each
   against botocore's floor: the same client call answered, with no moto and no mock in the
   way, by a ``before-send`` handler returning the mock's own 20-item answer prebuilt. The
   floor is what botocore alone spends serializing, signing and parsing that page; no mock
   can answer below it.

Each pair is measured in the same run, interleaved round by round (bench_list.py's
``_compare``); the ratio of the medians is reported.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
from bench_list import _Body, _compare
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from moto import mock_aws
from moto.core.models import botocore_stubber

from mock_ecs_deployments import mock_service_deployments
from mock_ecs_deployments.patches import botocore_send as doors

BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)
SERVICES = 20


def _setup(ecs: Any, mock: Any) -> list[str]:
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


def run(rounds: int, calls: int) -> tuple[float, float]:
    with mock_aws(), mock_service_deployments() as mock:
        ecs = boto3.client("ecs", region_name="us-east-1")
        arns = _setup(ecs, mock)
        services = [f"svc-{index:02d}" for index in range(10)]

        def ours_list() -> Any:
            return ecs.list_service_deployments(cluster="prod", service="web", maxResults=20)

        def moto_list() -> Any:
            return ecs.list_services(cluster="prod")

        def ours_describe() -> Any:
            return ecs.describe_service_deployments(serviceDeploymentArns=arns)

        def moto_describe() -> Any:
            return ecs.describe_services(cluster="prod", services=services)

        assert len(ours_list()["serviceDeployments"]) == 20
        assert len(moto_list()["serviceArns"]) == SERVICES
        assert len(ours_describe()["serviceDeployments"]) == 20
        assert len(moto_describe()["services"]) == 10

        ours, theirs = _compare(ours_list, moto_list, rounds, calls)
        list_ratio = ours / theirs
        print(
            f"under mock_aws, 20-item list_service_deployments vs moto list_services (20):"
            f" {ours * 1e6:8.1f} us vs {theirs * 1e6:8.1f} us  ratio {list_ratio:.3f}"
            "  (target <= 1.0)"
        )
        ours, theirs = _compare(ours_describe, moto_describe, rounds, calls)
        describe_ratio = ours / theirs
        print(
            f"under mock_aws, describe_service_deployments (20 ARNs) vs moto describe_services"
            f" (10): {ours * 1e6:8.1f} us vs {theirs * 1e6:8.1f} us  ratio {describe_ratio:.3f}"
            "  (target <= 1.0)"
        )
        floor = _floor_client(ecs)

        def floor_list() -> Any:
            return floor.list_service_deployments(cluster="prod", service="web", maxResults=20)

        ours, theirs = _compare(floor_list, moto_list, rounds, calls)
        print(
            f"  botocore's floor for the 20-item page (prebuilt, no moto) vs moto list_services:"
            f" {ours * 1e6:8.1f} us vs {theirs * 1e6:8.1f} us  ratio {ours / theirs:.3f}"
        )
        ours, theirs = _compare(ours_list, floor_list, rounds, calls)
        print(
            f"  under mock_aws, 20-item list_service_deployments vs that floor:"
            f" {ours * 1e6:8.1f} us vs {theirs * 1e6:8.1f} us  ratio {ours / theirs:.3f}"
        )
    return list_ratio, describe_ratio


def _floor_client(ecs: Any) -> Any:
    """A client whose 20-item page is answered, before moto or the mock could, with the body
    the mock answers ``ecs`` with."""
    captured: dict[str, bytes] = {}

    def capture(http_response: Any, **_: Any) -> None:
        captured["body"] = http_response.content

    ecs.meta.events.register("after-call.ecs.ListServiceDeployments", capture)
    ecs.list_service_deployments(cluster="prod", service="web", maxResults=20)
    ecs.meta.events.unregister("after-call.ecs.ListServiceDeployments", capture)
    headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "0" * 36}

    def answer(request: Any, **_: Any) -> AWSResponse:
        body = _Body(captured["body"])
        return AWSResponse(request.url, 200, HTTPHeaders.from_dict(headers), body)

    floor = boto3.client("ecs", region_name="us-east-1")
    # botocore calls every before-send handler and keeps the first answer: moto's handler and
    # the mock's would still do their work after this one answered, so they are taken off.
    floor.meta.events.unregister("before-send", botocore_stubber)
    floor.meta.events.unregister("before-send.ecs", doors.before_send)
    floor.meta.events.register_first("before-send.ecs", answer)
    return floor


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds and calls")
    parser.add_argument("--rounds", type=int, default=None, help="default 15 (quick: 5)")
    parser.add_argument("--calls", type=int, default=None, help="default 200 (quick: 50)")
    args = parser.parse_args()
    rounds = args.rounds or (5 if args.quick else 15)
    calls = args.calls or (50 if args.quick else 200)
    run(rounds, calls)


if __name__ == "__main__":
    main()
