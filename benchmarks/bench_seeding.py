"""Seeding cost per deployment at 1,000,000 against 10,000, and memory per stored deployment.

Run:  python benchmarks/bench_seeding.py [--via api|scenario] [--quick] [--large N]
      [--small N] [--small-rounds N] [--memory-count N] [--profile]

``--via api`` (the default) seeds through the Python API, ``backend.add_deployment`` (one
service, one deployment a second); ``--via scenario`` loads the same history from a YAML
scenario file (``mock_ecs_deployments.scenarios.load_scenario``, ``repeat``/``every``
entries of at most 100,000 deployments each).

1. *Per-record cost*: seeding ``--large`` deployments (default 1,000,000) against seeding
   ``--small`` (default 10,000), per record. Small runs are made before and after the large one,
   interleaved (``--small-rounds`` of them, half on each side); the ratio is the large run's
   per-record time over the median small one's. Target: at most 1.2x (linear). The time
   spent in Python's cyclic garbage collector (``gc.callbacks``) is reported apart, with the
   ratio of what is left.
2. *Memory per stored deployment*: ``tracemalloc`` around seeding ``--memory-count``
   deployments (default 200,000, 100,000 through a scenario; the cost per deployment barely
   depends on the count): what stays allocated afterwards, and the peak while seeding,
   divided by the count. Target: at most 1 KiB. tracemalloc slows allocation several times
   over, so it is measured in its own run, never in a timed one.

``--profile`` adds a ``tracemalloc`` breakdown of what one stored deployment is made of.
``--quick``: 100,000 against 2,000, and memory over 20,000.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from mock_ecs_deployments import ServiceDeploymentsMock, mock_service_deployments

BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)
SCENARIO_CHUNK = 100_000  # the most deployments one repeat entry may make
Seeder = Callable[[ServiceDeploymentsMock, int], None]


def seed_api(mock: ServiceDeploymentsMock, count: int) -> None:
    add = mock.backend().add_deployment
    for index in range(count):
        add(service="web", cluster="prod", created_at=BASE + timedelta(seconds=index))


def _scenario_loader() -> Callable[..., Any] | None:
    try:
        from mock_ecs_deployments.scenarios.loader import load_scenario
    except ImportError:
        return None
    return load_scenario


def _scenario_file(count: int, directory: Path) -> Path:
    """A YAML scenario of ``count`` deployments of one service, one a second."""
    lines = ["services:", "- service: web", "  cluster: prod", "  deployments:"]
    for start in range(0, count, SCENARIO_CHUNK):
        first = (BASE + timedelta(seconds=start)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines += [
            f"  - created_at: '{first}'",
            f"    repeat: {min(SCENARIO_CHUNK, count - start)}",
            "    every: 1s",
        ]
    path = directory / f"history-{count}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def scenario_seeder(files: dict[int, Path]) -> Seeder:
    load = _scenario_loader()
    assert load is not None

    def seed(mock: ServiceDeploymentsMock, count: int) -> None:
        load(str(files[count]))

    return seed


def _stored(mock: ServiceDeploymentsMock) -> int:
    return len(mock.backend().services[("prod", "web")].deployments)


class _GarbageCollectorClock:
    """Time spent in Python's cyclic garbage collector, and its full collections, while
    registered in ``gc.callbacks``."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full_collections = 0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._started
        self.full_collections += info["generation"] == 2


def timed(seed: Seeder, count: int) -> tuple[float, float, int]:
    """Seconds per record of one seeding run into a fresh mock (its teardown not timed), the
    seconds per record of it spent in the garbage collector, and its full collections."""
    clock = _GarbageCollectorClock()
    with mock_service_deployments() as mock:
        gc.collect()
        gc.callbacks.append(clock)
        try:
            started = time.perf_counter()
            seed(mock, count)
            elapsed = time.perf_counter() - started
        finally:
            gc.callbacks.remove(clock)
        assert _stored(mock) == count
    gc.collect()
    return elapsed / count, clock.seconds / count, clock.full_collections


def per_record(seed: Seeder, large: int, small: int, rounds: int) -> float:
    timed(seed, small)  # warm caches and imports
    small_runs = [timed(seed, small) for _ in range(rounds - rounds // 2)]
    large_time, large_gc, large_full = timed(seed, large)
    small_runs += [timed(seed, small) for _ in range(rounds // 2)]
    small_time, small_gc, small_full = sorted(small_runs)[len(small_runs) // 2]
    ratio = large_time / small_time
    print(
        f"per record: {large:,} deployments {large_time * 1e6:6.1f} us vs {small:,}"
        f" {small_time * 1e6:6.1f} us  ratio {ratio:.3f}  (target <= 1.2)"
    )
    outside = (large_time - large_gc) / (small_time - small_gc)
    print(
        f"  in the garbage collector: {large_gc * 1e6:6.1f} us per record"
        f" ({large_full} full collections) vs {small_gc * 1e6:6.1f} us ({small_full});"
        f" outside it, ratio {outside:.3f}"
    )
    return ratio


def memory(seed: Seeder, count: int, *, breakdown: bool) -> tuple[float, float]:
    """Bytes per deployment still allocated after seeding (the mock still active), and at the
    peak while seeding."""
    with mock_service_deployments() as mock:
        gc.collect()
        tracemalloc.start(3 if breakdown else 1)
        try:
            baseline = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            seed(mock, count)
            gc.collect()
            current, peak = tracemalloc.get_traced_memory()
            snapshot = tracemalloc.take_snapshot() if breakdown else None
        finally:
            tracemalloc.stop()
        assert _stored(mock) == count
    stored, peak_per = (current - baseline) / count, (peak - baseline) / count
    print(
        f"memory per stored deployment ({count:,}): {stored:6.0f} B stored,"
        f" {peak_per:6.0f} B at the peak  (target <= 1024 B)"
    )
    if snapshot is not None:
        print("  where the bytes of the stored deployments were allocated (per deployment):")
        for stat in snapshot.statistics("traceback")[:12]:
            frames = [f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in stat.traceback]
            print(f"  {stat.size / count:7.1f} B  {' <- '.join(frames)}")
    return stored, peak_per


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--via", choices=("api", "scenario"), default="api")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--large", type=int, default=None, help="default 1,000,000")
    parser.add_argument("--small", type=int, default=None, help="default 10,000")
    parser.add_argument("--small-rounds", type=int, default=None, help="default 6 (quick: 4)")
    parser.add_argument(
        "--memory-count", type=int, default=None, help="default 200,000 (scenario: 100,000)"
    )
    parser.add_argument("--profile", action="store_true", help="what a deployment is made of")
    args = parser.parse_args()
    large = args.large or (100_000 if args.quick else 1_000_000)
    small = args.small or (2_000 if args.quick else 10_000)
    rounds = args.small_rounds or (4 if args.quick else 6)
    # A scenario loads twice as slowly under tracemalloc: half the count keeps the run short.
    memory_count = args.memory_count or (20_000 if args.quick else 200_000)
    if args.via == "scenario" and not args.memory_count:
        memory_count //= 2

    if args.via == "api":
        print("through the Python API (backend.add_deployment)")
        per_record(seed_api, large, small, rounds)
        memory(seed_api, memory_count, breakdown=args.profile)
        return
    if _scenario_loader() is None:
        print("mock_ecs_deployments.scenarios is not there yet: measure --via api")
        sys.exit(2)
    with tempfile.TemporaryDirectory() as directory:
        files = {n: _scenario_file(n, Path(directory)) for n in {large, small, memory_count}}
        seed = scenario_seeder(files)
        print(f"through a YAML scenario file ({SCENARIO_CHUNK:,} deployments per repeat entry)")
        per_record(seed, large, small, rounds)
        memory(seed, memory_count, breakdown=args.profile)


if __name__ == "__main__":
    main()
