"""The maps of the project stay true: CONTRIBUTING.md's package layout names every module and
subpackage the tree has and nothing it lacks, lists them in an order the imports follow, and
states the layers `.importlinter` enforces; no docstring, comment or page names a file,
directory or module the project lacks.

Everything is read from the tree when the tests run, so a module added, moved or removed
fails here until the map says so.
"""

from __future__ import annotations

import ast
import configparser
import io
import os
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mock_ecs_deployments"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
# Directories of the repository that are not the project's own files.
NOT_THE_PROJECTS = {".git", ".venv", "venv", "site", "build", "dist", "node_modules"}


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _layout_section() -> str:
    text = CONTRIBUTING.read_text(encoding="utf-8")
    return text.split("\n## Package layout\n", 1)[1].split("\n## ", 1)[0]


def _layout_entries() -> list[tuple[str, str, int]]:
    """``(path, description, line)`` of each entry of the layout block, in the block's order;
    a path is relative to the package (``engine/state/``, ``engine/state/backend.py``)."""
    section = _layout_section()
    block = re.search(r"```text\nmock_ecs_deployments/\n(.*?)```", section, re.DOTALL)
    assert block, "CONTRIBUTING.md's Package layout has no ```text block for mock_ecs_deployments/"
    entries = []
    parents: list[tuple[int, str]] = []  # (indent, directory) of the enclosing subpackages
    for number, line in enumerate(block[1].splitlines(), start=1):
        match = re.fullmatch(r"(?P<indent> +)(?P<name>[\w.]+/?)(?: {2,}(?P<what>\S.*))?", line)
        assert match, f"layout block, line {number}: not an entry ({line!r})"
        indent = len(match["indent"])
        while parents and parents[-1][0] >= indent:
            parents.pop()
        path = "".join(directory for _, directory in parents) + match["name"]
        entries.append((path, match["what"] or "", number))
        if match["name"].endswith("/"):
            parents.append((indent, match["name"]))
    return entries


def _tree() -> set[str]:
    """Every subpackage (``server/``), module and other file of the package, relative to it;
    a subpackage's ``__init__.py`` is the subpackage itself."""
    found = set()
    for path in PACKAGE.rglob("*"):
        relative = path.relative_to(PACKAGE).as_posix()
        if "__pycache__" in path.parts or path.suffix == ".pyc" or path.name.startswith("."):
            continue
        if path.is_dir():
            found.add(relative + "/")
        elif not (path.name == "__init__.py" and path.parent != PACKAGE):
            found.add(relative)
    return found


def test_layout_names_every_module_and_subpackage() -> None:
    named = {path for path, _, _ in _layout_entries()}
    missing = sorted(_tree() - named)
    assert not missing, f"CONTRIBUTING.md's Package layout does not name: {missing}"


def test_layout_names_only_what_exists() -> None:
    stale = [(path, line) for path, _, line in _layout_entries() if path not in _tree()]
    assert not stale, f"CONTRIBUTING.md's Package layout names what the tree lacks: {stale}"


def test_layout_says_what_each_entry_holds() -> None:
    entries = _layout_entries()
    assert len({path for path, _, _ in entries}) == len(entries), "an entry is named twice"
    bare = [path for path, what, _ in entries if not what]
    assert not bare, f"entries without a line on what they hold: {bare}"


def _module_of(path: str) -> str:
    """The dotted module of a layout path: ``engine/state/`` and ``engine/state/backend.py``."""
    dotted = path.removesuffix("/").removesuffix(".py").replace("/", ".")
    return "" if dotted == "__init__" else dotted


def _imported(path: Path) -> Iterator[tuple[str, int]]:
    """The package's modules a module imports, relative to the package (``engine.model.arns``),
    with the line; lazy imports and those for type checking included."""
    module = path.relative_to(PACKAGE).with_suffix("").parts
    package = module[:-1]  # what "." means, in a module and in a package's __init__ alike
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
            elif node.module and node.module.split(".")[0] == PACKAGE.name:
                base = ()
            else:
                continue
            origin = (*base, *(node.module.split(".") if node.module else []))
            if not node.level:
                origin = origin[1:]  # the package's own name
            for alias in node.names:
                as_module = PACKAGE.joinpath(*origin, alias.name)
                if as_module.with_suffix(".py").is_file() or as_module.is_dir():
                    yield ".".join((*origin, alias.name)), node.lineno
                else:
                    yield ".".join(origin), node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == PACKAGE.name:
                    yield ".".join(parts[1:]), node.lineno


def test_layout_lists_importers_before_what_they_import() -> None:
    order = {_module_of(path): index for index, (path, _, _) in enumerate(_layout_entries())}
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_of(path.relative_to(PACKAGE).as_posix())
        if module.endswith("__init__"):
            module = module.removesuffix(".__init__")
        if module not in order:
            continue  # the test above reports it
        for imported, line in _imported(path):
            if not imported or imported == module:
                continue  # the package itself, which every module's import loads first
            if imported in order and order[imported] < order[module]:
                upward.append(f"{_relative(path)}:{line} imports {imported}")
    assert not upward, (
        "CONTRIBUTING.md's Package layout lists these imports' targets before their importers; "
        f"list each module before what it imports: {sorted(set(upward))}"
    )


def _contracts() -> list[dict[str, str]]:
    parser = configparser.ConfigParser()
    parser.read(ROOT / ".importlinter", encoding="utf-8")
    return [dict(parser[s]) for s in parser.sections() if s.startswith("importlinter:contract:")]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.strip().splitlines() if line.strip()]


def _layer_lines() -> list[str]:
    """The layers contracts of `.importlinter`, each container's as one line:
    ``container: top -> ... -> bottom``, with ``|`` between independent layers."""
    lines = []
    for contract in _contracts():
        if contract.get("type") != "layers":
            continue
        layers = _lines(contract["layers"])
        for container in _lines(contract.get("containers", "")) or ["mock_ecs_deployments"]:
            directory = ROOT.joinpath(*container.split("."))
            shown = []
            for layer in layers:
                names = [name.strip() for name in layer.split("|")]
                if layer.startswith("("):  # an optional layer: only where the module exists
                    names = [
                        name.strip("()")
                        for name in names
                        if (directory / f"{name.strip('()')}.py").is_file()
                        or (directory / name.strip("()")).is_dir()
                    ]
                if not contract.get("containers"):
                    names = [name.removeprefix("mock_ecs_deployments.") for name in names]
                if names:
                    shown.append(" | ".join(names))
            lines.append(f"{container}: {' -> '.join(shown)}")
    return lines


def test_layout_states_the_layers_importlinter_enforces() -> None:
    section = _layout_section()
    stated = set(re.findall(r"^mock_ecs_deployments[\w.]*: .*$", section, re.MULTILINE))
    declared = _layer_lines()
    assert declared, "no layers contract found in .importlinter"
    assert set(declared) == stated, (
        "CONTRIBUTING.md's layer lines differ from .importlinter's: "
        f"missing {sorted(set(declared) - stated)}, stale {sorted(stated - set(declared))}"
    )


def test_layout_names_every_contract() -> None:
    section = _layout_section()
    unnamed = [c["name"] for c in _contracts() if f'"{c["name"]}"' not in section]
    assert not unnamed, f"CONTRIBUTING.md's Package layout does not name the contracts {unnamed}"


# ---------------------------------------------------------------------------------------------
# Files, directories and modules named in docstrings, comments and pages.

# A path: directories and a file name with an extension (engine/state/backend.py); two or more
# directories ending with "/" (examples/scenarios/; one alone, such as "ecs-svc/", is too often
# part of an ARN or a URL); or a bare .py or .md file name.
_EXTENSIONS = r"(?:py|md|yaml|yml|json|toml|cfg|ini|txt|typed)"
PATH_REFERENCE = re.compile(
    r"(?<![\w./:<>$-])"
    rf"(?P<path>(?:[\w.-]+/)+[\w.-]*\w\.{_EXTENSIONS}|(?:[\w.-]+/){{2,}}|[\w-]+\.(?:py|md))"
    r"(?![\w/<>-])"
)
MODULE_REFERENCE = re.compile(r"(?<![\w.])mock_ecs_deployments(?:\.[A-Za-z_]\w*)+")
# Files of the reader's own project that the docs name as examples (a scenario a test loads, a
# file the record command writes); the project has none of them.
READERS_FILES = re.compile(r"(?:tests/)?scenarios/[\w-]+\.yaml")

PYTHON_SOURCES = sorted(
    path
    for directory in ("mock_ecs_deployments", "tests", "benchmarks", "examples")
    for path in (ROOT / directory).rglob("*.py")
    if "__pycache__" not in path.parts
)
PAGES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md", CONTRIBUTING]


def _project_files() -> list[Path]:
    """The project's own files and directories (no caches, environments or hidden ones)."""
    found = []
    for directory, subdirectories, files in os.walk(ROOT):
        subdirectories[:] = [
            name
            for name in subdirectories
            if name not in NOT_THE_PROJECTS
            and name != "__pycache__"
            and not name.startswith(".")
            and not name.endswith(".egg-info")
        ]
        found += [Path(directory, name) for name in (*subdirectories, *files)]
    return found


def _prose(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, text)`` of what a file says in words: a page whole; a Python file's comments
    and docstrings (every string that stands as a statement)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        yield 1, text
        return
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string
    for node in ast.walk(ast.parse(text)):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            yield node.lineno, node.value.value


def _path_exists(reference: str, source: Path, names: set[str]) -> bool:
    if "/" not in reference:
        return reference in names  # a bare file name: somewhere in the project
    bases = [ROOT, PACKAGE, *(p for p in source.parents if ROOT in (p, *p.parents))]
    return any((base / reference).exists() for base in bases)


def _griffe_package() -> object:
    import griffe

    return griffe.load(PACKAGE.name, search_paths=[str(ROOT)], resolve_aliases=False)


@pytest.fixture(scope="module")
def file_names() -> set[str]:
    return {path.name for path in _project_files()}


@pytest.fixture(scope="module")
def package_model() -> object:
    return _griffe_package()


def _module_exists(reference: str, package: object) -> bool:
    dotted = reference.split(".", 1)[1]
    try:
        package[dotted]  # type: ignore[index]
    except (KeyError, ValueError, AttributeError):
        return False
    except Exception:  # an import griffe cannot follow: it exists as an import
        return True
    return True


@pytest.mark.parametrize("path", PYTHON_SOURCES + PAGES, ids=_relative)
def test_named_files_and_modules_exist(
    path: Path, file_names: set[str], package_model: object
) -> None:
    missing = []
    for line, text in _prose(path):
        for match in PATH_REFERENCE.finditer(text):
            reference = match["path"]
            if READERS_FILES.fullmatch(reference) or _path_exists(reference, path, file_names):
                continue
            missing.append(
                f"{_relative(path)}:{line + text.count(chr(10), 0, match.start())}: {reference}"
            )
        for match in MODULE_REFERENCE.finditer(text):
            if not _module_exists(match[0], package_model):
                missing.append(
                    f"{_relative(path)}:{line + text.count(chr(10), 0, match.start())}: {match[0]}"
                )
    assert not missing, f"named, but the project has no such file or module: {missing}"
