"""``import mock_ecs_deployments`` against ``import moto``, each in a fresh interpreter.

Run:  python benchmarks/bench_import.py [--quick] [--rounds N]

Each round starts one fresh Python process per side, alternating, and measures inside it the
time the import statement takes (``time.perf_counter`` around it) and, outside, the whole
process. Target: the import at most 1.1x moto's. ``--profile`` prints the modules that the
package's import adds to moto's, slowest first, from ``python -X importtime``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

MODULES = ("mock_ecs_deployments", "moto")
_TIMED = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    # The first (untimed) run of each side writes its byte code, as installing moto did for
    # moto: without it every run would compile the package's sources again.
    for name in ("PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE"):
        environment.pop(name, None)
    return environment


def _one(module: str) -> tuple[float, float]:
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-c", _TIMED.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
        env=_environment(),
    ).stdout
    return float(output), time.perf_counter() - started


def run(rounds: int) -> float:
    for module in MODULES:  # warm the file system cache and compile byte code once
        _one(module)
    imports: dict[str, list[float]] = {module: [] for module in MODULES}
    processes: dict[str, list[float]] = {module: [] for module in MODULES}
    for _ in range(rounds):
        for module in MODULES:
            import_time, process_time = _one(module)
            imports[module].append(import_time)
            processes[module].append(process_time)
    ours, theirs = (statistics.median(imports[module]) for module in MODULES)
    ratio = ours / theirs
    print(
        f"import mock_ecs_deployments vs import moto: {ours * 1e3:7.1f} ms vs"
        f" {theirs * 1e3:7.1f} ms  ratio {ratio:.3f}  (target <= 1.1)"
    )
    ours_process, moto_process = (statistics.median(processes[module]) for module in MODULES)
    print(
        f"  whole fresh process: {ours_process * 1e3:7.1f} ms vs {moto_process * 1e3:7.1f} ms"
        f"  ratio {ours_process / moto_process:.3f}"
    )
    return ratio


def _importtime(module: str) -> dict[str, tuple[int, int]]:
    """``{module: (self us, cumulative us)}`` from ``-X importtime``."""
    stderr = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
        env=_environment(),
    ).stderr
    times = {}
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            times[match[4]] = (int(match[1]), int(match[2]))
    return times


def profile(top: int = 25) -> None:
    ours, theirs = _importtime(MODULES[0]), _importtime(MODULES[1])
    added = {name: t for name, t in ours.items() if name not in theirs}
    total = sum(self_us for self_us, _ in added.values())
    print(f"\nmodules imported by mock_ecs_deployments and not by moto: {len(added)},")
    print(f"{total / 1e3:.1f} ms of their own import time; slowest (self / cumulative, ms):")
    for name, (self_us, cumulative_us) in sorted(added.items(), key=lambda item: -item[1][0])[:top]:
        print(f"  {self_us / 1e3:7.1f} {cumulative_us / 1e3:7.1f}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="5 rounds")
    parser.add_argument("--rounds", type=int, default=None, help="default 21 (quick: 5)")
    parser.add_argument("--profile", action="store_true", help="what the package adds to moto")
    args = parser.parse_args()
    run(args.rounds or (5 if args.quick else 21))
    if args.profile:
        profile()


if __name__ == "__main__":
    main()
