"""The README's code and the examples run, and say what they claim."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
# Blocks whose tests take fixtures run under pytest; the others run as plain scripts.
FIXTURE_BLOCKS = [block for block in BLOCKS if re.search(r"def test_\w+\(\w", block)]
SCRIPT_BLOCKS = [block for block in BLOCKS if block not in FIXTURE_BLOCKS]


def test_readme_has_code() -> None:
    assert len(SCRIPT_BLOCKS) >= 5
    assert FIXTURE_BLOCKS


@pytest.mark.parametrize("block", SCRIPT_BLOCKS, ids=lambda b: b.splitlines()[-1][:40])
def test_readme_script_block_runs(block: str) -> None:
    exec(compile(block, "README.md", "exec"), {"__name__": "readme"})


@pytest.mark.parametrize("block", FIXTURE_BLOCKS)
def test_readme_pytest_block_passes(block: str, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme=block)
    tests = len(re.findall(r"^def test_", block, flags=re.MULTILINE))
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=tests)


def test_readme_quickstart_commands() -> None:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", section, flags=re.DOTALL)
    assert len(commands) == 2
    assert commands[0].endswith("examples/quickstart.py")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci, ".ci/run must run the README's test command"


def test_quickstart_example(capsys: pytest.CaptureFixture[str]) -> None:
    listed = runpy.run_path(str(ROOT / "examples" / "quickstart.py"))["main"]()
    statuses = [item["status"] for item in listed]
    assert statuses == [
        "IN_PROGRESS",
        "STOPPED",
        "SUCCESSFUL",
        "ROLLBACK_SUCCESSFUL",
        "SUCCESSFUL",
        "SUCCESSFUL",
    ]
    out = capsys.readouterr().out
    assert "2025-03-08 09:00  IN_PROGRESS" in out
    assert "ECS deployment circuit breaker: tasks failed to start." in out
    assert out.rstrip().endswith("6 deployments of service web, newest first, read in pages of 4.")
