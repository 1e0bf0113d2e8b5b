"""Seeding cost per deployment at 1,000,000 against 10,000, and memory per stored deployment.

Run:  python benchmarks/bench_seeding.py [--via api|scenario] [--quick] [--large N]
      [--small N] [--rounds N] [--small-runs N] [--memory-count N] [--profile]

``--via api`` (the default) seeds through the Python API, ``backend.add_deployment`` (one
service, one deployment a second); ``--via scenario`` loads the same history from a YAML
scenario file (``mock_ecs_deployments.scenarios.loader.load_scenario``, ``repeat``/``every``
entries of at most 100,000 deployments each).

1. *Per-record cost*: seeding ``--large`` deployments (default 1,000,000) against seeding
   ``--small`` (default 10,000), per record, each into a fresh mock. Both sides are measured in
   the same rounds, interleaved (``--rounds`` rounds: small then large, then large then small
   ...); a round's small side is the median of ``--small-runs`` runs made together. The median
   of the per-round ratios is reported, with their range. Target: at most 1.2x (linear). The
   time spent in Python's cyclic garbage collector (``gc.callbacks``) is reported apart, with
   the ratio of what is left. No client is involved (so no baseline could reach the mock): both
   sides are the same seeding code, at two sizes.
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
import statistics
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


def _small_side(seed: Seeder, small: int, runs: int) -> tuple[float, float, int]:
    """The median (by time) of ``runs`` small seeding runs."""
    return sorted(timed(seed, small) for _ in range(runs))[runs // 2]


def per_record(seed: Seeder, large: int, small: int, rounds: int, small_runs: int) -> float:
    timed(seed, small)  # warm caches and imports
    measured: list[tuple[tuple[float, float, int], tuple[float, float, int]]] = []
    for index in range(rounds):
        if index % 2:
            large_side = timed(seed, large)
            small_side = _small_side(seed, small, small_runs)
        else:
            small_side = _small_side(seed, small, small_runs)
            large_side = timed(seed, large)
        measured.append((large_side, small_side))
    ratios = sorted(big[0] / little[0] for big, little in measured)
    outside = sorted((big[0] - big[1]) / (little[0] - little[1]) for big, little in measured)
    ratio = statistics.median(ratios)
    large_time = statistics.median(big[0] for big, _ in measured)
    small_time = statistics.median(little[0] for _, little in measured)
    print(
        f"per record: {large:,} deployments {large_time * 1e6:6.1f} us vs {small:,}"
        f" {small_time * 1e6:6.1f} us  ratio {ratio:.3f} (rounds {ratios[0]:.3f}..{ratios[-1]:.3f})"
        "  (target <= 1.2)"
    )
    large_gc = statistics.median(big[1] for big, _ in measured)
    small_gc = statistics.median(little[1] for _, little in measured)
    full = [big[2] for big, _ in measured], [little[2] for _, little in measured]
    print(
        f"  in the garbage collector: {large_gc * 1e6:6.1f} us per record"
        f" (full collections {full[0]}) vs {small_gc * 1e6:6.1f} us ({full[1]});"
        f" outside it, ratio {statistics.median(outside):.3f}"
        f" (rounds {outside[0]:.3f}..{outside[-1]:.3f})"
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
    parser.add_argument("--rounds", type=int, default=3, help="large/small pairs (default 3)")
    parser.add_argument(
        "--small-runs", type=int, default=3, help="small runs per round (default 3)"
    )
    parser.add_argument(
        "--memory-count", type=int, default=None, help="default 200,000 (scenario: 100,000)"
    )
    parser.add_argument("--profile", action="store_true", help="what a deployment is made of")
    args = parser.parse_args()
    large = args.large or (100_000 if args.quick else 1_000_000)
    small = args.small or (2_000 if args.quick else 10_000)
    # A scenario loads twice as slowly under tracemalloc: half the count keeps the run short.
    memory_count = args.memory_count or (20_000 if args.quick else 200_000)
    if args.via == "scenario" and not args.memory_count:
        memory_count //= 2

    if args.via == "api":
        print("through the Python API (backend.add_deployment)")
        per_record(seed_api, large, small, args.rounds, args.small_runs)
        memory(seed_api, memory_count, breakdown=args.profile)
        return
    if _scenario_loader() is None:
        print("mock_ecs_deployments.scenarios is not there yet: measure --via api")
        sys.exit(2)
    with tempfile.TemporaryDirectory() as directory:
        files = {n: _scenario_file(n, Path(directory)) for n in {large, small, memory_count}}
        seed = scenario_seeder(files)
        print(f"through a YAML scenario file ({SCENARIO_CHUNK:,} deployments per repeat entry)")
        per_record(seed, large, small, args.rounds, args.small_runs)
        memory(seed, memory_count, breakdown=args.profile)


if __name__ == "__main__":
    main()
