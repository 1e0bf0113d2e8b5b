"""What the package costs a process that has it installed, in paired runs of whole processes.

Run:  python benchmarks/bench_import.py [--quick] [--rounds N] [--profile]

1. *pytest*: ``pytest -q`` on a one-test project, with the package's pytest plugin loaded (as
   installing the package does for every project) against ``-p no:mock_ecs_deployments``.
   Target: at most 1.03x.
2. *import*: ``import mock_ecs_deployments`` and the first real use,
   ``from mock_ecs_deployments import mock_service_deployments``, against ``import boto3``.
   Target: at most boto3 + 40 ms.

Each round runs one fresh process per side, alternating, so both sides of a ratio share the
machine's state. Medians are reported. Before timing, an untimed run of each side checks that
it measures what it claims (the plugin loaded on one side and not on the other; the import
sides load the package and the baseline does not), and the benchmark stops if not.
``--profile`` prints what the first use imports beyond boto3, slowest first.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_PLUGIN = "mock_ecs_deployments"
_TIMED = "import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
IMPORTS = {
    "import boto3": "import boto3",
    "import mock_ecs_deployments": "import mock_ecs_deployments",
    "first use": "from mock_ecs_deployments import mock_service_deployments",
}
_HEAVY = ("moto", "werkzeug", "yaml", "rich", "requests", "responses", "aiobotocore")


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    # The first (untimed) run of each side writes its byte code, as installing did.
    for name in ("PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE", "PYTEST_ADDOPTS"):
        environment.pop(name, None)
    return environment


def _run(command: list[str], cwd: Path | None = None) -> tuple[str, float]:
    started = time.perf_counter()
    result = subprocess.run(
        command, capture_output=True, text=True, env=_environment(), cwd=cwd, check=False
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout, elapsed


def _one_test_project(root: Path) -> Path:
    (root / "test_one.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
    return root


_PYTEST_SIDES = {
    "with the plugin": [],
    "without (-p no:)": ["-p", f"no:{_PLUGIN}"],
}


def _pytest_command(extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]


def _check_pytest_sides(project: Path) -> None:
    """The plugin side loads the plugin module and nothing heavy; the baseline loads nothing
    of the package."""
    probe = project / "conftest.py"
    probe.write_text(
        "import sys\n"
        "def pytest_sessionfinish(session):\n"
        "    ours = sorted(m for m in sys.modules if m.startswith('mock_ecs_deployments'))\n"
        f"    heavy = [m for m in {_HEAVY!r} if m in sys.modules]\n"
        "    print(f'\\nPROBE ours={ours} heavy={heavy}')\n"
    )
    try:
        with_plugin, _ = _run(_pytest_command(_PYTEST_SIDES["with the plugin"]), project)
        without, _ = _run(_pytest_command(_PYTEST_SIDES["without (-p no:)"]), project)
    finally:
        probe.unlink()
    expected = "PROBE ours=['mock_ecs_deployments', 'mock_ecs_deployments.pytest_plugin'] heavy=[]"
    if expected not in with_plugin:
        raise SystemExit(f"the plugin side does not load just the plugin:\n{with_plugin}")
    if "PROBE ours=[] heavy=[]" not in without:
        raise SystemExit(f"the baseline side loads the package:\n{without}")


def bench_pytest(rounds: int) -> float:
    with tempfile.TemporaryDirectory() as directory:
        project = _one_test_project(Path(directory))
        _check_pytest_sides(project)
        times: dict[str, list[float]] = {side: [] for side in _PYTEST_SIDES}
        for _ in range(rounds):
            for side, extra in _PYTEST_SIDES.items():
                times[side].append(_run(_pytest_command(extra), project)[1])
    ours, baseline = (statistics.median(times[side]) for side in _PYTEST_SIDES)
    ratio = ours / baseline
    print(
        f"pytest -q, one test: {ours * 1e3:7.1f} ms with the plugin vs {baseline * 1e3:7.1f} ms"
        f" without  ratio {ratio:.3f}  (target <= 1.03)"
    )
    return ratio


def _check_import_sides() -> None:
    listing = "import sys; print(sorted(m for m in sys.modules if m.startswith('mock_ecs')))"
    for name, statement in IMPORTS.items():
        output, _ = _run([sys.executable, "-c", f"{statement}; {listing}"])
        loaded = output.strip() != "[]"
        if loaded != (name != "import boto3"):
            raise SystemExit(f"{name!r} side loads {output.strip()}: not what it claims")


def bench_import(rounds: int) -> dict[str, float]:
    _check_import_sides()
    for statement in IMPORTS.values():  # warm the file system cache and the byte code
        _run([sys.executable, "-c", _TIMED.format(statement=statement)])
    imports: dict[str, list[float]] = {name: [] for name in IMPORTS}
    processes: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(rounds):
        for name, statement in IMPORTS.items():
            output, elapsed = _run([sys.executable, "-c", _TIMED.format(statement=statement)])
            imports[name].append(float(output))
            processes[name].append(elapsed)
    medians = {name: statistics.median(values) for name, values in imports.items()}
    boto3 = medians["import boto3"]
    for name in IMPORTS:
        print(
            f"{name:<28} {medians[name] * 1e3:7.1f} ms  (whole process"
            f" {statistics.median(processes[name]) * 1e3:7.1f} ms)"
            + (
                ""
                if name == "import boto3"
                else f"  boto3 + {(medians[name] - boto3) * 1e3:.1f} ms"
            )
        )
    print("target: each at most boto3 + 40 ms")
    return medians


def _importtime(statement: str) -> dict[str, tuple[int, int]]:
    """``{module: (self us, cumulative us)}`` from ``-X importtime``."""
    stderr = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
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
    ours, theirs = _importtime(IMPORTS["first use"]), _importtime(IMPORTS["import boto3"])
    added = {name: t for name, t in ours.items() if name not in theirs}
    total = sum(self_us for self_us, _ in added.values())
    print(f"\nmodules the first use imports beyond boto3: {len(added)},")
    print(f"{total / 1e3:.1f} ms of their own import time; slowest (self / cumulative, ms):")
    for name, (self_us, cumulative_us) in sorted(added.items(), key=lambda item: -item[1][0])[:top]:
        print(f"  {self_us / 1e3:7.1f} {cumulative_us / 1e3:7.1f}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="7 rounds")
    parser.add_argument("--rounds", type=int, default=None, help="default 21 (quick: 7)")
    parser.add_argument("--profile", action="store_true", help="what the first use imports")
    args = parser.parse_args()
    rounds = args.rounds or (7 if args.quick else 21)
    bench_pytest(rounds)
    bench_import(rounds)
    if args.profile:
        profile()


if __name__ == "__main__":
    main()
