"""Run a patch when a module is imported, without importing it first.

The mock patches moto, ``requests`` and aiobotocore only where a test uses them. A patch
registered with :func:`when_imported` is applied at once when its module is loaded already,
else right after the module is first imported (by a finder at the front of ``sys.meta_path``
that wraps the module's loader). :func:`cancel` withdraws a registration that has not run.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

Patch = Callable[[ModuleType], None]


class _Finder(importlib.abc.MetaPathFinder):
    """Finds nothing itself: for a module with pending patches it asks the other finders and
    wraps the loader they return."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        with _lock:
            if fullname not in _pending:
                return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _PatchingLoader(spec.loader)
                return spec
        return None


class _PatchingLoader(importlib.abc.Loader):
    """Delegates to the real loader, then applies the module's pending patches."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        module: ModuleType | None = self._loader.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        with _lock:
            patches = _pending.pop(module.__name__, [])
            _uninstall_finder_if_idle()
        for patch in patches:
            _apply(patch, module)

    def __getattr__(self, name: str) -> Any:  # resource readers and the like
        return getattr(self._loader, name)


_lock = threading.RLock()
_pending: dict[str, list[Patch]] = {}
_finder = _Finder()


def _uninstall_finder_if_idle() -> None:
    if not _pending and _finder in sys.meta_path:
        sys.meta_path.remove(_finder)


def when_imported(module_name: str, patch: Patch) -> None:
    """Apply ``patch(module)`` now if ``module_name`` is loaded, else right after its import.

    :param module_name: the dotted name of the module.
    :param patch: called once with the module object.
    """
    module = sys.modules.get(module_name)
    if module is None:
        with _lock:
            module = sys.modules.get(module_name)
            if module is None:
                _pending.setdefault(module_name, []).append(patch)
                if _finder not in sys.meta_path:
                    sys.meta_path.insert(0, _finder)
                return
    _apply(patch, module)


class Refusal(Exception):
    """Raised by a patch when the module must not be used with the mock at all (a version
    the mock does not support): unlike any other failure of a patch, it fails the import (or
    the :func:`when_imported` call, for a module loaded already)."""


def _apply(patch: Patch, module: ModuleType) -> None:
    """Run one patch; a failure is a warning, never a failure of the import that ran it (the
    module works, only this mock's patch of it is missing), except a :class:`Refusal`."""
    try:
        patch(module)
    except Refusal:
        raise
    except Exception as error:
        warnings.warn(
            f"mock_ecs_deployments could not patch {module.__name__} ({patch.__qualname__}):"
            f" {type(error).__name__}: {error}",
            RuntimeWarning,
            stacklevel=2,
        )


def cancel(module_name: str, patch: Patch) -> None:
    """Withdraw a patch registered with :func:`when_imported` that has not run yet."""
    with _lock:
        patches = _pending.get(module_name, [])
        if patch in patches:
            patches.remove(patch)
        if not patches:
            _pending.pop(module_name, None)
        _uninstall_finder_if_idle()


def pending() -> dict[str, int]:
    """How many patches wait for each module (for tests)."""
    with _lock:
        return {name: len(patches) for name, patches in _pending.items()}
