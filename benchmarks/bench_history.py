"""A page at the start of a long history against one deep inside it, and a createdAt window
in its middle, for 10,000 and 1,000,000 deployments of one service.

Run:  python benchmarks/bench_history.py [--quick] [--histories N [N ...]] [--rounds N]
      [--calls N]

The measurement is bench_list.py's ``bench_history_depth`` (the first page, a page 90% deep
reached through a real nextToken, and a 1,000-second createdAt window in the middle, each
measured through a boto3 client, interleaved round by round; ratios of medians), run here for
each history length. Target: at most 1.2x the first page at every length, which is what a page
costing O(log n + page size) gives. ``--quick`` uses 10,000 and 100,000 deployments.
"""

from __future__ import annotations

import argparse
import gc
import time

from bench_list import bench_history_depth


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="10,000 and 100,000 deployments")
    parser.add_argument("--histories", type=int, nargs="+", default=None)
    parser.add_argument("--rounds", type=int, default=None, help="default 15 (quick: 7)")
    parser.add_argument("--calls", type=int, default=None, help="default 200 (quick: 100)")
    args = parser.parse_args()
    histories = args.histories or ([10_000, 100_000] if args.quick else [10_000, 1_000_000])
    rounds = args.rounds or (7 if args.quick else 15)
    calls = args.calls or (100 if args.quick else 200)
    for history in histories:
        started = time.perf_counter()
        bench_history_depth(history, rounds, calls)
        gc.collect()
        print(f"  ({history:,} deployments: {time.perf_counter() - started:.0f} s with seeding)")


if __name__ == "__main__":
    main()
