"""The one form of an interception of another library (or of a switch an activation step
sets): a :class:`Patch`, an activation step with its own ``install`` and ``uninstall`` that
keeps what it replaced, and nothing else does; an :class:`ImportPatch` for a module that need
not be loaded yet.

Every step of :mod:`mock_ecs_deployments.patches.activation` is one of these.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from types import ModuleType

from . import on_import

Undo = Callable[[], None]
_ABSENT = object()


class Patch:
    """One interception, applied as an activation step (see
    :mod:`mock_ecs_deployments.patches.activation`).

    :meth:`install` runs ``apply(patch)``, which makes the changes through :meth:`replace`
    (an attribute of a class or module, whose original the patch keeps) and :meth:`on_undo`
    (any other change, with how to undo it). :meth:`uninstall` undoes them in reverse, every one
    even when one fails. Both are idempotent and guarded by the patch's lock, and an apply that
    fails half-way leaves what it did to :meth:`uninstall`.

    :param name: the step's name.
    :param apply: makes the changes, recording how to undo each on the patch it is given.
    """

    def __init__(self, name: str, apply: Callable[[Patch], None] | None = None) -> None:
        self.name = name
        self.lock = threading.RLock()
        self._apply = apply
        self._undo: list[Undo] = []

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}{' in place' if self.in_place else ''}>"

    @property
    def in_place(self) -> bool:
        """Whether anything of the patch is in place (for the check that nothing leaks)."""
        return bool(self._undo)

    def install(self) -> None:
        """Apply the patch, unless it is in place already."""
        with self.lock:
            if self._apply is not None and not self._undo:
                self._apply(self)

    def uninstall(self) -> None:
        """Undo every change, the last first; the first failure is raised after all ran."""
        with self.lock:
            failure: BaseException | None = None
            while self._undo:
                try:
                    self._undo.pop()()
                except BaseException as error:
                    failure = failure or error
            if failure is not None:
                raise failure

    def replace(
        self, target: object, attribute: str, value: object, *, keep_later: bool = False
    ) -> None:
        """Set ``target.attribute`` to ``value``, keeping what ``target`` itself held there
        (a class's own method, not one it inherits) to put back at :meth:`uninstall`; an
        attribute ``target`` did not have is deleted then.

        :param keep_later: at uninstall, leave the attribute alone when something else has
            replaced ``value`` since (that patch puts ``value`` back when it goes; ``value``
            must then do no harm once the mock is stopped).
        """
        original = vars(target).get(attribute, _ABSENT)
        setattr(target, attribute, value)
        self.on_undo(functools.partial(_put_back, target, attribute, value, original, keep_later))

    def on_undo(self, undo: Undo) -> None:
        """Run ``undo`` at :meth:`uninstall` (after the undos recorded later)."""
        with self.lock:
            self._undo.append(undo)


def _put_back(
    target: object, attribute: str, value: object, original: object, keep_later: bool
) -> None:
    if keep_later and vars(target).get(attribute, _ABSENT) is not value:
        return
    if original is not _ABSENT:
        setattr(target, attribute, original)
    elif attribute in vars(target):
        delattr(target, attribute)


class ImportPatch(Patch):
    """A patch of a module that need not be loaded: applied to it as soon as it is (at once
    when it is loaded already, else right after its first import, by
    :mod:`mock_ecs_deployments.on_import`), once, and never after :meth:`uninstall`, even when
    the import races the stop.

    :param name: the step's name.
    :param modules: the module to patch, or several, of which the first loaded is patched.
    :param apply: makes the changes to the loaded module.
    """

    def __init__(
        self,
        name: str,
        modules: str | tuple[str, ...],
        apply: Callable[[Patch, ModuleType], None],
    ) -> None:
        super().__init__(name)
        self.modules = (modules,) if isinstance(modules, str) else modules
        self._apply_to = apply
        self._waiting = False  # between install() and uninstall()

        def hook(module: ModuleType) -> None:
            self.apply_to(module)

        hook.__qualname__ = f"the {name} step"  # what a warning of a failed patch names
        self._hook = hook

    @property
    def in_place(self) -> bool:
        """Whether the patch waits for an import or has changed anything."""
        return self._waiting or bool(self._undo)

    def install(self) -> None:
        """Apply the patch to its module now if it is loaded, else when it is."""
        with self.lock:
            self._waiting = True
        for module in self.modules:
            on_import.when_imported(module, self._hook)

    def apply_to(self, module: ModuleType) -> None:
        """Apply the patch to ``module`` (just loaded), unless it is applied already or no
        longer installed."""
        with self.lock:
            if self._waiting and not self._undo:
                self._apply_to(self, module)

    def uninstall(self) -> None:
        """Stop waiting for the import, and undo every change."""
        for module in self.modules:
            on_import.cancel(module, self._hook)
        with self.lock:
            self._waiting = False
            super().uninstall()


__all__ = ["ImportPatch", "Patch", "Undo"]
