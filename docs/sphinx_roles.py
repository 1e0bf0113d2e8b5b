"""A griffe extension for the docs site: the Sphinx cross-reference roles of docstrings
(``:class:`~pkg.Name```, ``:meth:`Name.method```, ``:mod:`.sibling```) become mkdocs-autorefs
cross-references, so that a reference that leads nowhere fails ``mkdocs build --strict``.

Each role's target is resolved with griffe, once the whole package is loaded, to the full
dotted path of the object it names:

- ``.name`` and ``..name`` are relative as in Python's imports, to the package of the
  docstring's module (``.`` its own package, ``..`` the one above);
- any other name is looked up in the docstring's scope first (the object, its class with the
  inherited members, its module with the module's imports), then as an absolute path
  (``mock_ecs_deployments.server.client``), and last as the one object of the package whose
  path ends with it (``ServiceDeploymentsMock.calls``); a name that several objects' paths end
  with is ambiguous and counts as broken;
- an import is followed to what it imports: ``mock_ecs_deployments.Plan`` is
  ``mock_ecs_deployments.engine.deployments.lifecycle.Plan``.

A resolved target becomes ``[`text`][full.path]``, a link to the page that renders the object
(the API reference for the public names, the internals page for every module). Two kinds of
target are shown as code instead, because the site renders no page for them: a private object
(a part of its path starts with ``_``), and an object outside the loaded packages that exists
(a builtin, or a module or attribute that imports: ``datetime.datetime``). A target that
resolves to nothing is reported as a warning naming the file, the line and the role, and is
still written as a cross-reference, which autorefs reports too; a strict build fails on either.

The text shown is Sphinx's: the target as written, or its last part after ``~``; an explicit
title (``:func:`the title <target>```) is kept; ``!`` before the target shows it as code
without a link, as in Sphinx.
"""

from __future__ import annotations

import builtins
import importlib
import re
from collections.abc import Iterator
from typing import Any

import griffe

_ROLE = re.compile(
    r":(?:py:)?(?P<role>func|class|meth|attr|mod|exc|data|obj|const):"
    r"`(?:(?P<title>[^`<]*?)\s*<(?P<titled>[^`>]+)>|(?P<target>[^`]+))`"
)

_logger = griffe.get_logger("sphinx_roles")

_Found = griffe.Object | griffe.Alias


class SphinxRoles(griffe.Extension):
    """Rewrites the roles of every docstring of a package once the package is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        paths = [obj.path for obj in _objects(pkg)]
        for obj in _objects(pkg):
            docstring = obj.docstring
            if docstring is not None and ":`" in docstring.value:
                docstring.value = _ROLE.sub(
                    lambda match, owner=obj: _rewrite(match, owner, paths),  # type: ignore[misc]
                    docstring.value,
                )


def _objects(obj: griffe.Object) -> Iterator[griffe.Object]:
    """``obj`` and every object defined in it (not its imports: their docstrings are the
    imported objects')."""
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _objects(member)  # type: ignore[arg-type]


def _rewrite(match: re.Match[str], owner: griffe.Object, paths: list[str]) -> str:
    written = match["titled"] or match["target"]
    no_link = written.startswith("!")
    short = written.lstrip("!").startswith("~")
    written = written.lstrip("!~")
    if match["title"]:
        text = match["title"]
    elif short:
        text = written.rpartition(".")[2]
    else:
        text = written.lstrip(".")
    if no_link:
        return f"`{text}`"

    resolved = _resolve(written, owner)
    if resolved is None and not written.startswith("."):
        ending = [path for path in paths if path.endswith("." + written)]
        resolved = ending[0] if len(ending) == 1 else None
    if resolved is None:
        if _exists_outside(written, match["role"], owner):
            return f"`{text}`"
        return _broken(match, owner, _absolute(written, owner), text)
    if not _is_loaded(resolved, owner):
        if _exists_outside(resolved, match["role"], owner):
            return f"`{text}`"
        return _broken(match, owner, resolved, text)
    if any(part.startswith("_") for part in resolved.split(".")):
        return f"`{text}`"  # exists, and the site deliberately renders no private object
    return f"[`{text}`][{resolved}]"


def _broken(match: re.Match[str], owner: griffe.Object, target: str, text: str) -> str:
    docstring = owner.docstring
    line = (docstring.lineno if docstring is not None else None) or owner.lineno or 0
    line += match.string.count("\n", 0, match.start())
    _logger.warning(
        "%s:%d: %s in the docstring of %s names nothing that exists",
        owner.relative_filepath,
        line,
        match[0],
        owner.path,
    )
    return f"[`{text}`][{target}]"


def _relative_base(written: str, owner: griffe.Object) -> griffe.Object | None:
    """The package a relative target starts from, as for ``from .x import y`` in the module of
    the docstring."""
    module = owner.module
    base: griffe.Object | None = module if module.is_package else module.parent
    for _ in range(len(written) - len(written.lstrip(".")) - 1):
        base = base.parent if base is not None else None
    return base


def _absolute(written: str, owner: griffe.Object) -> str:
    """``written`` as an absolute path, for a reference that is broken."""
    if not written.startswith("."):
        return written
    base = _relative_base(written, owner)
    rest = written.lstrip(".")
    return f"{base.path}.{rest}" if base is not None else rest


def _resolve(written: str, owner: griffe.Object) -> str | None:
    """The full path of what ``written`` names from ``owner``'s docstring: an object of a loaded
    package, or the path of an import that leads out of them; None when it names nothing."""
    if written.startswith("."):
        base = _relative_base(written, owner)
        return _walk(base, written.lstrip(".").split(".")) if base is not None else None
    first, *rest = written.split(".")
    scope: griffe.Object | None = owner
    while scope is not None:
        member = _member(scope, first)
        found = _walk(member, rest) if member is not None else None
        if found is None and scope.name == first and not scope.is_module:
            found = _walk(scope, rest)  # a class or function named in its own docstring
        if found is not None:
            return found
        scope = scope.parent
    collection = owner.modules_collection
    if first in collection.members:
        return _walk(collection.members[first], rest)
    return None


def _member(obj: _Found, name: str) -> _Found | None:
    try:
        members = obj.all_members if obj.is_class else obj.members
        return members.get(name)
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _walk(obj: _Found, parts: list[str]) -> str | None:
    """The path of what ``parts`` name below ``obj``, following imports; None when a part names
    nothing."""
    for index, part in enumerate(parts):
        target = _final(obj)
        if isinstance(target, str):  # an import griffe cannot follow: another package's object
            return ".".join([target, *parts[index:]])
        member = _member(target, part)
        if member is None:
            return None
        obj = member
    target = _final(obj)
    return target if isinstance(target, str) else target.path


def _final(obj: _Found) -> griffe.Object | str:
    """What ``obj`` is once its imports are followed, or where it imports from when griffe
    cannot follow."""
    if not isinstance(obj, griffe.Alias):
        return obj
    try:
        return obj.final_target
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return obj.target_path


def _is_loaded(path: str, owner: griffe.Object) -> bool:
    """Whether ``path`` is in a package griffe loaded (then it exists only if griffe found it)."""
    return path.split(".", 1)[0] in owner.modules_collection.members


def _exists_outside(path: str, role: str, owner: griffe.Object) -> bool:
    """Whether ``path`` names something outside the loaded packages: a builtin, a module (for
    ``:mod:``, or a dotted path), or an attribute of a module."""
    if not path or path.startswith(".") or _is_loaded(path, owner):
        return False
    parts = path.split(".")
    if len(parts) == 1:
        if hasattr(builtins, path):
            return True
        if role != "mod":
            return False  # an unqualified name is the docstring's own, not a module's
    for cut in range(len(parts), 0, -1):
        try:
            value: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        except Exception:  # a module that fails to import is no target
            return False
        for attribute in parts[cut:]:
            if not hasattr(value, attribute):
                return False
            value = getattr(value, attribute)
        return True
    return False
