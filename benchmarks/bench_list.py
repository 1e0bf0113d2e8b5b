"""ListServiceDeployments: the mock against botocore's own floor, and deep pages against the first.

Run:  python benchmarks/bench_list.py [--rounds N] [--calls N] [--history N]

1. *Per call*: a 20-item ``list_service_deployments`` answered by the mock, against the floor:
   the same client call answered by a ``before-send`` handler that returns a prebuilt body of
   the same 20 items (request serialization, signing and response parsing are botocore's in
   both, so the difference is what the mock itself costs). Target: at most 1.10x the floor.
2. *History length*: a page deep inside a 100,000-deployment history (and a createdAt window in
   its middle) against the first page. Target: at most 1.2x the first page.

Both sides of each ratio are measured in the same run, interleaved round by round; the ratio of
the medians is reported.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from io import BytesIO
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders

from mock_ecs_deployments import mock_service_deployments

BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)


class _Body(BytesIO):
    def stream(self, **_: Any) -> Any:
        yield self.read()


def _per_call(call: Callable[[], Any], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - started) / calls


def _compare(
    a: Callable[[], Any], b: Callable[[], Any], rounds: int, calls: int
) -> tuple[float, float]:
    a(), b()  # warm caches on both sides
    times_a, times_b = [], []
    for _ in range(rounds):
        times_a.append(_per_call(a, calls))
        times_b.append(_per_call(b, calls))
    return statistics.median(times_a), statistics.median(times_b)


def bench_against_floor(rounds: int, calls: int) -> float:
    with mock_service_deployments() as mock:
        backend = mock.backend()
        for i in range(40):
            backend.add_deployment(
                service="web", cluster="prod", created_at=BASE + timedelta(hours=i)
            )
        mocked = boto3.client("ecs", region_name="us-east-1")
        request = {"cluster": "prod", "service": "web", "maxResults": 20}
        body_holder: dict[str, bytes] = {}

        def capture(http_response: Any, **_: Any) -> None:
            body_holder["body"] = http_response.content

        mocked.meta.events.register("after-call.ecs.ListServiceDeployments", capture)
        mocked.list_service_deployments(**request)
        mocked.meta.events.unregister("after-call.ecs.ListServiceDeployments", capture)
        prebuilt = body_holder["body"]
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "0" * 36}

        floor = boto3.client("ecs", region_name="us-east-1")

        # Registered first, so it answers before the mock's handler would.
        def answer(request: Any, **_: Any) -> AWSResponse:
            return AWSResponse(request.url, 200, HTTPHeaders.from_dict(headers), _Body(prebuilt))

        floor.meta.events.register("before-send.ecs", answer)
        assert (
            floor.list_service_deployments(**request)["serviceDeployments"]
            == (mocked.list_service_deployments(**request)["serviceDeployments"])
        )
        ours, theirs = _compare(
            lambda: mocked.list_service_deployments(**request),
            lambda: floor.list_service_deployments(**request),
            rounds,
            calls,
        )
    ratio = ours / theirs
    print(
        f"20-item page, mock vs botocore floor: {ours * 1e6:8.1f} us vs {theirs * 1e6:8.1f} us"
        f"  ratio {ratio:.3f}  (target <= 1.10)"
    )
    return ratio


def bench_history_depth(history: int, rounds: int, calls: int) -> tuple[float, float]:
    with mock_service_deployments() as mock:
        backend = mock.backend()
        for i in range(history):
            backend.add_deployment(service="web", created_at=BASE + timedelta(seconds=i))
        ecs = boto3.client("ecs", region_name="us-east-1")
        # A token deep in the history: 90% of the way down, found by paging with the API.
        token = None
        for _ in range(history * 9 // 10 // 100):
            token = backend.list_service_deployments("web", max_results=100, next_token=token)[1]
        middle = BASE + timedelta(seconds=history // 2)
        window = {
            "after": middle - timedelta(seconds=500),
            "before": middle + timedelta(seconds=500),
        }
        first, deep = _compare(
            lambda: ecs.list_service_deployments(service="web"),
            lambda: ecs.list_service_deployments(service="web", nextToken=token),
            rounds,
            calls,
        )
        _, windowed = _compare(
            lambda: ecs.list_service_deployments(service="web"),
            lambda: ecs.list_service_deployments(service="web", createdAt=window),
            rounds,
            calls,
        )
    deep_ratio, window_ratio = deep / first, windowed / first
    print(
        f"{history:,} deployments, first page: {first * 1e6:8.1f} us;"
        f" page 90% deep: {deep * 1e6:8.1f} us  ratio {deep_ratio:.3f};"
        f" mid createdAt window: {windowed * 1e6:8.1f} us  ratio {window_ratio:.3f}"
        "  (target <= 1.2)"
    )
    return deep_ratio, window_ratio


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--history", type=int, default=100_000)
    args = parser.parse_args()
    bench_against_floor(args.rounds, args.calls)
    bench_history_depth(args.history, args.rounds, args.calls)


if __name__ == "__main__":
    main()
