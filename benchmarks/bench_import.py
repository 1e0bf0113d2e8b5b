"""What the package costs a process that has it installed, in paired runs of whole processes.

Run:  python benchmarks/bench_import.py [--quick] [--rounds N] [--profile]

1. *pytest*: ``pytest -q`` on a one-test project, with the package's pytest plugin loaded (as
   installing the package does for every project) against ``-p no:mock_ecs_deployments``, the
   package installed from a wheel in a throwaway virtualenv, as users install it (``--editable``
   also times this environment's editable install, whose import finder costs extra).
   Target: at most 1.03x.
2. *import*: ``import mock_ecs_deployments`` and the first real use,
   ``from mock_ecs_deployments import mock_service_deployments``, against ``import boto3``.
   Target: at most boto3 + 40 ms.

Each round runs one fresh process per side, alternating (and reversing the order every other
round, since the second of two runs may find the file system cache warmer), so both sides of a
ratio share the machine's state. Medians are reported. Before timing, an untimed run of each
side checks that it measures what it claims (the plugin loaded on one side and not on the
other; the import sides load the package and the baseline does not), and the benchmark stops
if not.
``--profile`` prints what the first use imports beyond boto3, slowest first.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

_PLUGIN = "mock_ecs_deployments"
_ROOT = str(Path(__file__).resolve().parent.parent)
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


def _pytest_command(extra: list[str], python: str = sys.executable) -> list[str]:
    return [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]


@contextlib.contextmanager
def _installed_from_a_wheel() -> Iterator[str]:
    """The Python of a throwaway virtualenv where the package is installed from a wheel, as a
    user installs it; its dependencies come from this environment (a ``.pth`` line). An
    editable install (``pip install -e``) puts an import finder of setuptools' in front of the
    package, which costs every process that imports it tens of milliseconds: that is the
    development setup's cost, not the package's."""
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(root), _ROOT],
            check=True,
            capture_output=True,
        )
        (wheel,) = root.glob("*.whl")
        subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
        python = str(root / "venv" / "bin" / "python")
        site = subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        ours = sysconfig.get_paths()["purelib"]
        (Path(site) / "dependencies.pth").write_text(ours + "\n")
        subprocess.run(
            [python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
            check=True,
            capture_output=True,
        )
        where = subprocess.run(
            [python, "-c", "import mock_ecs_deployments as m; print(m.__file__)"],
            check=True,
            capture_output=True,
            text=True,
            cwd=root,  # not the repository, whose package would shadow the installed one
        ).stdout.strip()
        if not where.startswith(site):
            raise SystemExit(f"the throwaway environment imports the package from {where}")
        yield python


def _check_pytest_sides(project: Path, python: str) -> None:
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
        with_plugin, _ = _run(_pytest_command(_PYTEST_SIDES["with the plugin"], python), project)
        without, _ = _run(_pytest_command(_PYTEST_SIDES["without (-p no:)"], python), project)
    finally:
        probe.unlink()
    expected = "PROBE ours=['mock_ecs_deployments', 'mock_ecs_deployments.pytest_plugin'] heavy=[]"
    if expected not in with_plugin:
        raise SystemExit(f"the plugin side does not load just the plugin:\n{with_plugin}")
    if "PROBE ours=[] heavy=[]" not in without:
        raise SystemExit(f"the baseline side loads the package:\n{without}")


def bench_pytest(rounds: int, python: str, installed: str) -> float:
    with tempfile.TemporaryDirectory() as directory:
        project = _one_test_project(Path(directory))
        _check_pytest_sides(project, python)
        times: dict[str, list[float]] = {side: [] for side in _PYTEST_SIDES}
        sides = list(_PYTEST_SIDES.items())
        for round_number in range(rounds):
            # A, B then B, A: whichever runs second may find the file system cache warmer.
            for side, extra in sides if round_number % 2 == 0 else sides[::-1]:
                times[side].append(_run(_pytest_command(extra, python), project)[1])
    ours, baseline = (statistics.median(times[side]) for side in _PYTEST_SIDES)
    ratio = ours / baseline
    print(
        f"pytest -q, one test, {installed}: {ours * 1e3:7.1f} ms with the plugin vs"
        f" {baseline * 1e3:7.1f} ms without  ratio {ratio:.3f}  (target <= 1.03)"
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
    names = list(IMPORTS)
    for round_number in range(rounds):
        for name in names if round_number % 2 == 0 else names[::-1]:
            statement = IMPORTS[name]
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
    parser.add_argument(
        "--editable",
        action="store_true",
        help="also time pytest with the package as this environment installs it (pip -e)",
    )
    args = parser.parse_args()
    rounds = args.rounds or (7 if args.quick else 21)
    with _installed_from_a_wheel() as python:
        bench_pytest(rounds, python, "installed from a wheel")
    if args.editable:
        bench_pytest(rounds, sys.executable, "this environment's install")
    bench_import(rounds)
    if args.profile:
        profile()


if __name__ == "__main__":
    main()
