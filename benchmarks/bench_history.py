"""A page at the start of a long history against one deep inside it, and a createdAt window
in its middle, for 10,000 and 1,000,000 deployments of one service.

Run:  python benchmarks/bench_history.py [--quick] [--histories N [N ...]] [--rounds N]
      [--calls N]

The measurement is bench_list.py's ``bench_history_depth`` (the first page, a page 90% deep
reached through a real nextToken, and a 1,000-second createdAt window in the middle, each
measured through a boto3 client), run here for each history length. Both sides of each ratio
are the mock, measured in the same rounds, interleaved call by call (A, B, B, A ...); each
side alone, then every round, is checked to make exactly one mock dispatch per call; the median
of the per-round ratios is reported, with their range. Target: at most 1.2x the first page at
every length, which is what a page costing O(log n + page size) gives. ``--quick`` uses 10,000
and 100,000 deployments.
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
    parser.add_argument("--rounds", type=int, default=None, help="default 20 (quick: 10)")
    parser.add_argument("--calls", type=int, default=None, help="default 40 (quick: 20)")
    args = parser.parse_args()
    histories = args.histories or ([10_000, 100_000] if args.quick else [10_000, 1_000_000])
    rounds = args.rounds or (10 if args.quick else 20)
    calls = args.calls or (20 if args.quick else 40)
    for history in histories:
        started = time.perf_counter()
        bench_history_depth(history, rounds, calls)
        gc.collect()
        print(f"  ({history:,} deployments: {time.perf_counter() - started:.0f} s with seeding)")


if __name__ == "__main__":
    main()
