"""ListDaemonDeployments: the mock against botocore's own floor, and deep pages against the first.

Run:  python benchmarks/bench_daemons.py [--quick] [--rounds N] [--calls N] [--deployments N]
      [--history N]

1. *Per call*: a 20-item ``list_daemon_deployments`` page of a daemon with 200 deployments
   (``--deployments``) answered by the mock, against the floor: the same client call answered
   by a ``before-send`` handler that returns a prebuilt body, byte for byte the mock's answer
   (request serialization, signing and response parsing are botocore's in both, so the
   difference is what the mock itself costs). Target: at most 1.10x the floor.
2. *History length*: a page 90% deep inside a daemon with 20,000 deployments (``--history``)
   and a createdAt window in its middle, against the first page. Target: at most 1.2x the first
   page. Also shown, with no target: a status filter that only the newest deployment matches
   (a filtered page looks through the older deployments for a further match before it hands
   out a token).

How the floor is kept clean is bench_list.py's, whose helpers this uses: the floor client comes
from a session made before the mock started, so it carries no handler of the mock (nor of
moto), and the floor's batches run with botocore's classes as they are when no mock is active.
The mock's dispatches (``mock.calls``) are counted for each side alone, then for every round:
the floor must make none and the mock exactly one per call, or the benchmark stops with an
error. A ratio below 1.0 against the floor can only be a benchmark bug, and is reported as one.

Both sides of each ratio are measured in the same rounds, interleaved call by call (A, B, B,
A ...), with the garbage collector off as in ``timeit``; the median of the per-round ratios is
reported, with their range.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from bench_list import (
    Ratio,
    Side,
    breakdown,
    check_floor,
    clean_session,
    compare,
    fail,
    floor_client,
    mocked_client,
    no_mock_patches,
    raw_answer,
)

from mock_ecs_deployments import ServiceDeploymentsMock, mock_service_deployments

PAGE_SIZE = 20
TARGET = 1.10
DEPTH_TARGET = 1.2


def seed_daemon(mock: ServiceDeploymentsMock, deployments: int) -> str:
    """A daemon ``agent`` with ``deployments`` deployments (CreateDaemon's, then UpdateDaemon's),
    one a second apart, each done at once on its capacity provider of 4 instances but the
    newest, which is under way for an hour; returns the daemon's ARN."""
    backend = mock.backend()
    provider = backend.add_capacity_provider("managed", instances=4)
    definition = backend.register_daemon_task_definition("agent", [{"image": "nginx:1.27"}])
    daemon, _ = backend.create_daemon("agent", definition.arn, [provider.arn])
    for number in range(1, deployments):
        mock.advance(1)
        if number == deployments - 1:
            backend.plan_next_deployment(daemon="agent", in_progress_for=3600)
        backend.update_daemon(daemon.arn, definition.arn, [provider.arn])
    return daemon.arn


def bench_against_floor(deployments: int, rounds: int, calls: int) -> Ratio:
    session = clean_session()  # before the mock starts
    with mock_service_deployments() as mock:
        daemon_arn = seed_daemon(mock, deployments)
        request = {"daemonArn": daemon_arn, "maxResults": PAGE_SIZE}
        mocked = mocked_client()

        def ours() -> Any:
            return mocked.list_daemon_deployments(**request)

        page = ours()
        if len(page["daemonDeployments"]) != PAGE_SIZE or "nextToken" not in page:
            fail(f"the mock's page is not {PAGE_SIZE} items with a next page")
        prebuilt = raw_answer(mocked, ours)
        floor = floor_client(session, prebuilt, "ListDaemonDeployments")

        def theirs() -> Any:
            return floor.list_daemon_deployments(**request)

        if raw_answer(floor, theirs) != raw_answer(mocked, ours):
            fail("the floor's body is not the mock's")
        ratio = compare(Side(ours, 1), Side(theirs, 0, no_mock_patches), rounds, calls, mock)
        print(
            f"{PAGE_SIZE}-item page of {deployments} daemon deployments, mock vs botocore floor:"
            f" {ratio}  (target <= {TARGET:.2f})"
        )
        check_floor(ratio, f"{PAGE_SIZE}-item daemon page against the floor")
        breakdown(mocked, ours, theirs, rounds * calls // 2, mock)
    return ratio


def bench_history_depth(history: int, rounds: int, calls: int) -> tuple[Ratio, Ratio, Ratio]:
    """A page 90% deep, a createdAt window in the middle and a status filter only the newest
    matches, each in ``history`` deployments of one daemon against the first page. Both sides
    are the mock (one dispatch per call each)."""
    with mock_service_deployments() as mock:
        daemon_arn = seed_daemon(mock, history)
        backend = mock.backend()
        ecs = mocked_client()
        # A token deep in the history: 90% of the way down, found by paging with the API.
        token = None
        for _ in range(history * 9 // 10 // 100):
            token = backend.list_daemon_deployments(daemon_arn, max_results=100, next_token=token)[
                1
            ]
        if token is None:
            fail("no token 90% deep in the history")
        newest = ecs.list_daemon_deployments(daemonArn=daemon_arn, maxResults=1)
        middle = newest["daemonDeployments"][0]["createdAt"] - timedelta(seconds=history // 2)
        window = {
            "after": middle - timedelta(seconds=500),
            "before": middle + timedelta(seconds=500),
        }
        first = Side(lambda: ecs.list_daemon_deployments(daemonArn=daemon_arn), 1)
        deep = compare(
            Side(lambda: ecs.list_daemon_deployments(daemonArn=daemon_arn, nextToken=token), 1),
            first,
            rounds,
            calls,
            mock,
        )
        windowed = compare(
            Side(lambda: ecs.list_daemon_deployments(daemonArn=daemon_arn, createdAt=window), 1),
            first,
            rounds,
            calls,
            mock,
        )
        filtered = compare(
            Side(
                lambda: ecs.list_daemon_deployments(daemonArn=daemon_arn, status=["IN_PROGRESS"]),
                1,
            ),
            first,
            rounds,
            calls,
            mock,
        )
    print(
        f"{history:,} daemon deployments, page 90% deep vs first page: {deep}"
        f"  (target <= {DEPTH_TARGET})\n"
        f"{history:,} daemon deployments, mid createdAt window vs first page: {windowed}"
        f"  (target <= {DEPTH_TARGET})\n"
        f"{history:,} daemon deployments, status only the newest has vs first page: {filtered}"
        "  (no target: looks through the older ones)"
    )
    return deep, windowed, filtered


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds, 5,000 deployments")
    parser.add_argument("--rounds", type=int, default=None, help="default 20 (quick: 8)")
    parser.add_argument("--calls", type=int, default=None, help="default 40 (quick: 20)")
    parser.add_argument(
        "--deployments", type=int, default=200, help="the floor's daemon's (default 200)"
    )
    parser.add_argument("--history", type=int, default=None, help="default 20,000")
    args = parser.parse_args()
    if args.deployments <= PAGE_SIZE:
        parser.error(f"--deployments must be more than {PAGE_SIZE}: the page has a next one")
    rounds = args.rounds or (8 if args.quick else 20)
    calls = args.calls or (20 if args.quick else 40)
    bench_against_floor(args.deployments, rounds, calls)
    bench_history_depth(args.history or (5_000 if args.quick else 20_000), rounds, calls)


if __name__ == "__main__":
    main()
