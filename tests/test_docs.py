"""The README's and the docs' code runs and says what it claims; their links lead somewhere;
the examples run; the docstrings' cross-references link, and a broken one fails the site's build."""

from __future__ import annotations

import logging
import os
import re
import runpy
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import botocore.endpoint
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


@pytest.fixture
def no_retry_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore retries a throttled or failed call after a random back-off: a block that
    injects errors would sleep seconds for real. The retries still happen, without the wait."""
    monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=lambda seconds: None))


@pytest.mark.parametrize(("where", "block"), SCRIPT_BLOCKS, ids=[w for w, _ in SCRIPT_BLOCKS])
def test_script_block_runs(
    where: str, block: str, monkeypatch: pytest.MonkeyPatch, no_retry_waits: None
) -> None:
    monkeypatch.chdir(ROOT)  # blocks name files as seen from the repository's root
    exec(compile(block, where, "exec"), {"__name__": "docs_block"})


@pytest.mark.parametrize(("where", "block"), FIXTURE_BLOCKS, ids=[w for w, _ in FIXTURE_BLOCKS])
def test_pytest_block_passes(
    where: str, block: str, pytester: pytest.Pytester, no_retry_waits: None
) -> None:
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


# The docstrings' Sphinx roles become cross-references through docs/sphinx_roles.py (a griffe
# extension); the tests below run it on a throwaway package, loaded by griffe alone and built
# by mkdocs as the site is, so that the check that catches broken references is itself checked.
ROLES_EXTENSION = f"{ROOT / 'docs' / 'sphinx_roles.py'}:SphinxRoles"
THROWAWAY_PACKAGE = {
    "crossref_pkg/__init__.py": """
        \"\"\"A package whose docstrings name each other: :mod:`.inner.b`.\"\"\"

        from .inner.b import Thing

        __all__ = ["Thing"]
        """,
    "crossref_pkg/inner/__init__.py": "",
    "crossref_pkg/inner/a.py": """
        \"\"\"Relative :class:`~.b.Thing`; from the package above :mod:`..inner.b`; absolute
        :func:`crossref_pkg.inner.b.make`; through the package's import :class:`crossref_pkg.Thing`;
        a member of an import :meth:`Thing.run`; the one path that ends so :func:`make`;
        titled :func:`the maker <.b.make>`; unlinked :func:`!nowhere`; private :func:`.b._hidden`;
        outside the package :class:`datetime.datetime` and :exc:`ValueError`.\"\"\"

        from .b import Thing
        """,
    "crossref_pkg/inner/b.py": """
        \"\"\"Things.\"\"\"


        class Thing:
            \"\"\"A thing; :meth:`run` it, then :meth:`Thing.stop` it.\"\"\"

            def run(self) -> None:
                \"\"\"Run; see :meth:`stop`.\"\"\"

            def stop(self) -> None:
                \"\"\"Stop.\"\"\"


        class Other:
            \"\"\"Another thing that runs.\"\"\"

            def run(self) -> None:
                \"\"\"Run the other way.\"\"\"


        def make() -> Thing:
            \"\"\"A new :class:`Thing`.\"\"\"
            return Thing()


        def _hidden() -> None:
            \"\"\"Not rendered.\"\"\"
        """,
}
THROWAWAY_SITE = """
    site_name: crossrefs
    theme: mkdocs
    plugins:
      - mkdocstrings:
          handlers:
            python:
              paths: [.]
              options:
                extensions:
                  - {extension}
                docstring_style: sphinx
                show_submodules: true
                show_if_no_docstring: true
                filters: ["!^_"]
    """


def _throwaway_package(root: Path, broken: str = "") -> None:
    for name, text in THROWAWAY_PACKAGE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = textwrap.dedent(text).lstrip()
        if name.endswith("b.py") and broken:
            text = text.replace("Things.", f"Things, and {broken}.")
        path.write_text(text, encoding="utf-8")


def _load_with_roles(root: Path) -> object:
    import griffe

    return griffe.load(
        "crossref_pkg",
        search_paths=[str(root)],
        extensions=griffe.load_extensions(ROLES_EXTENSION),
        docstring_parser="sphinx",
    )


def test_roles_become_cross_references_to_full_paths(tmp_path: Path) -> None:
    _throwaway_package(tmp_path)
    package = _load_with_roles(tmp_path)
    a = package["inner.a"].docstring.value  # type: ignore[index]
    thing = "crossref_pkg.inner.b.Thing"
    assert a == (
        f"Relative [`Thing`][{thing}]; from the package above"
        " [`inner.b`][crossref_pkg.inner.b]; absolute\n"
        "[`crossref_pkg.inner.b.make`][crossref_pkg.inner.b.make];"
        f" through the package's import [`crossref_pkg.Thing`][{thing}];\n"
        f"a member of an import [`Thing.run`][{thing}.run];"
        " the one path that ends so [`make`][crossref_pkg.inner.b.make];\n"
        "titled [`the maker`][crossref_pkg.inner.b.make]; unlinked `nowhere`;"
        " private `b._hidden`;\n"
        "outside the package `datetime.datetime` and `ValueError`."
    )
    assert package["inner.b.Thing"].docstring.value == (  # type: ignore[index]
        f"A thing; [`run`][{thing}.run] it, then [`Thing.stop`][{thing}.stop] it."
    )
    assert package["inner.b.Thing.run"].docstring.value == (  # type: ignore[index]
        f"Run; see [`stop`][{thing}.stop]."
    )


@pytest.mark.parametrize(
    "broken",
    [
        ":func:`.nothing`",  # relative, to nothing
        ":meth:`Thing.walk`",  # a member the class lacks
        ":mod:`crossref_pkg.b`",  # a module that moved
        ":class:`datetime.Nothing`",  # outside, and not there either
        ":func:`nothing_here`",  # an unqualified name nothing has
        ":meth:`run`",  # not in b's own scope, and the ending of two paths (Thing's, Other's)
    ],
)
def test_a_broken_role_is_reported_where_it_is(
    broken: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _throwaway_package(tmp_path, broken)
    with caplog.at_level(logging.WARNING):
        _load_with_roles(tmp_path)
    messages = [record.getMessage() for record in caplog.records]
    where = f"inner/b.py:1: {broken} in the docstring of crossref_pkg.inner.b "
    assert any(where in message for message in messages), messages


def _build_site(root: Path) -> subprocess.CompletedProcess[str]:
    (root / "mkdocs.yml").write_text(
        textwrap.dedent(THROWAWAY_SITE).format(extension=ROLES_EXTENSION), encoding="utf-8"
    )
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text("# Reference\n\n::: crossref_pkg\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "site")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )


def test_the_site_links_references_and_fails_on_a_broken_one(tmp_path: Path) -> None:
    _throwaway_package(tmp_path / "good")
    built = _build_site(tmp_path / "good")
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "good" / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="#crossref_pkg.inner.b.Thing.stop"' in page
    assert 'href="#crossref_pkg.inner.b"' in page

    _throwaway_package(tmp_path / "broken", ":func:`..inner.missing`")
    built = _build_site(tmp_path / "broken")
    assert built.returncode != 0
    assert "crossref_pkg/inner/b.py:1: :func:`..inner.missing`" in built.stderr
    assert "crossref_pkg.inner.missing" in built.stderr  # autorefs' own warning


def test_internals_render_every_module() -> None:
    # docs/internals.md renders every module of the package, each by a directive of its own or
    # inside a package rendered with its submodules, so that every cross-reference to an
    # internal object has a target.
    page = (ROOT / "docs" / "internals.md").read_text(encoding="utf-8")
    directives = re.findall(r"^::: ([\w.]+)\n((?:    .*\n)*)", page, re.MULTILINE)
    whole = {name for name, options in directives if "show_submodules: true" in options}
    rendered = {name for name, _ in directives}
    package = ROOT / "mock_ecs_deployments"
    modules = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in package.rglob("*.py")
        if not path.name.startswith("_") and "__pycache__" not in path.parts
    ]
    missing = [
        module
        for module in sorted(modules)
        if module not in rendered
        and not any(module.startswith(f"{package_name}.") for package_name in whole)
    ]
    assert missing == [], f"docs/internals.md renders none of {missing}"
