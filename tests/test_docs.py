"""The README's and the docs' code runs and says what it claims; their links lead somewhere;
the examples run."""

from __future__ import annotations

import re
import runpy
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README_PATH = ROOT / "README.md"
README = README_PATH.read_text(encoding="utf-8")
PAGES = [README_PATH, *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_BYTES = 12 * 1024

# Every fence has a language; ```python blocks are run, the others are shown only.
FENCE = re.compile(r"^```(?P<language>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
SHOWN_LANGUAGES = {"sh", "text", "yaml", "json"}
# A test function that takes a fixture: such a block runs under pytest (pytester).
FIXTURE_TEST = re.compile(r"def test_\w+\(\w")
TEST_FUNCTION = re.compile(r"^\s*(?:async\s+)?def test_", re.MULTILINE)
# [text](target) and ![alt](target); a target may be followed by a "title".
LINK = re.compile(r"!?\[[^\]]*\]\((?P<target><[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _fences(path: Path) -> list[tuple[str, str, int]]:
    """``(language, body, line)`` of each fenced block of a page."""
    text = path.read_text(encoding="utf-8")
    return [
        (match["language"].strip(), match["body"], text.count("\n", 0, match.start()) + 1)
        for match in FENCE.finditer(text)
    ]


def _python_blocks() -> list[tuple[str, str]]:
    """``(where, block)`` of every ```python block of the README and the docs."""
    return [
        (f"{_relative(path)}:{line}", body)
        for path in PAGES
        for language, body, line in _fences(path)
        if language == "python"
    ]


BLOCKS = _python_blocks()
FIXTURE_BLOCKS = [(where, block) for where, block in BLOCKS if FIXTURE_TEST.search(block)]
SCRIPT_BLOCKS = [(where, block) for where, block in BLOCKS if not FIXTURE_TEST.search(block)]


def test_readme_and_docs_have_code() -> None:
    readme = [where for where, _ in BLOCKS if where.startswith("README.md:")]
    assert len(readme) >= 2
    assert any(where.startswith("README.md:") for where, _ in FIXTURE_BLOCKS)
    assert any(where.startswith("README.md:") for where, _ in SCRIPT_BLOCKS)
    assert len(SCRIPT_BLOCKS) >= 15
    assert len(FIXTURE_BLOCKS) >= 3


@pytest.mark.parametrize("path", PAGES, ids=_relative)
def test_every_fence_is_run_or_only_shown(path: Path) -> None:
    # A block in a language that looks like Python but is not "python" would escape the runs
    # below: it must be written runnable as ```python, or shown as ```text.
    languages = {language for language, _, _ in _fences(path)}
    assert languages <= {"python", *SHOWN_LANGUAGES}, f"{_relative(path)}: {languages}"


@pytest.mark.parametrize(("where", "block"), SCRIPT_BLOCKS, ids=[w for w, _ in SCRIPT_BLOCKS])
def test_script_block_runs(where: str, block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # blocks name files as seen from the repository's root
    exec(compile(block, where, "exec"), {"__name__": "docs_block"})


@pytest.mark.parametrize(("where", "block"), FIXTURE_BLOCKS, ids=[w for w, _ in FIXTURE_BLOCKS])
def test_pytest_block_passes(where: str, block: str, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_docs_block=block)
    tests = len(TEST_FUNCTION.findall(block))
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=tests)


def _slug(heading: str) -> str:
    """The anchor MkDocs (Python-Markdown's toc) gives a heading."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def _anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {_slug(match[1]) for match in re.finditer(r"^#{1,6}\s+(.*?)\s*#*$", text, re.M)}


def _relative_links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)  # code spans are not links
    targets = [match["target"].strip("<>") for match in LINK.finditer(text)]
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t, re.IGNORECASE)]


@pytest.mark.parametrize("path", PAGES, ids=_relative)
def test_relative_links_lead_to_files(path: Path) -> None:
    broken = []
    for target in _relative_links(path):
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            broken.append(f"{target}: no heading with that anchor")
    assert not broken, f"{_relative(path)}: {broken}"


def test_readme_is_short() -> None:
    size = len(README_PATH.read_bytes())
    assert size <= README_MAX_BYTES, f"README.md is {size} bytes; at most {README_MAX_BYTES}"


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
