"""The one activation shared by every mock object: how many are started, and the steps the
outermost start applies and the outermost stop undoes.

Each step is a patch with its own install and uninstall (a
:class:`~mock_ecs_deployments.patching.Patch`), and it says whether anything of
it is in place, so a test can check that nothing leaks. Starting applies them in order; if one
fails, the ones already applied are undone in reverse and the original error is raised, so a
failed start leaves nothing behind. Stopping undoes every step in reverse even when one of them
fails, then resets the process's state (:data:`~..engine.state.process.mock_state`), then
raises the first failure.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from typing import Protocol

from ..beside_moto import steps as moto_steps
from ..engine.state.process import MockState, mock_state
from . import aiobotocore_reader, botocore_send, environment, requests_transport


class Step(Protocol):
    """One activation step."""

    @property
    def name(self) -> str:
        """The step's name (in errors and test ids)."""
        ...

    @property
    def in_place(self) -> bool:
        """Whether anything of the step is in place."""
        ...

    def install(self) -> None:
        """Do the step's work (idempotent)."""
        ...

    def uninstall(self) -> None:
        """Undo it (idempotent; safe on what was never installed)."""
        ...


#: The steps, in the order the outermost start applies them.
STEPS: Sequence[Step] = (
    environment.ENVIRONMENT,
    *moto_steps.STEPS,
    requests_transport.REQUESTS,
    aiobotocore_reader.AIOBOTOCORE,
    botocore_send.GUARD,
    botocore_send.BOTOCORE,
)


class Activation:
    """Process-wide: nesting depth and the steps applied by the outermost start.

    :param steps: the steps the outermost start applies, in order.
    :param state: the state the outermost start opens and the outermost stop resets.
    """

    def __init__(self, steps: Sequence[Step] = STEPS, state: MockState = mock_state) -> None:
        self.lock = threading.RLock()
        self.depth = 0
        self.steps = steps
        self.state = state
        self._applied: list[Step] = []

    def enter(self) -> None:
        """One more start; the outermost applies every step (all or nothing)."""
        with self.lock:
            if self.depth == 0:
                self._apply()
                self.state.activate()
            self.depth += 1

    def exit(self) -> None:
        """One stop; the outermost undoes every step and forgets all state."""
        with self.lock:
            if self.depth == 0:
                raise RuntimeError("the mock is not active")
            self.depth -= 1
            if self.depth == 0:
                try:
                    self._undo()  # the doors close first: no request meets a closed registry
                finally:
                    self.state.deactivate()

    @property
    def active(self) -> bool:
        """Whether any mock is started."""
        return self.depth > 0

    def _apply(self) -> None:
        for step in self.steps:
            # Recorded first: a step that fails half-way is undone too (uninstalls are safe
            # to call on what was never installed).
            self._applied.append(step)
            try:
                step.install()
            except BaseException:
                # The original error is the one to report; the undo's own failure is not.
                with contextlib.suppress(BaseException):
                    self._undo()
                raise

    def _undo(self) -> None:
        failure: BaseException | None = None
        while self._applied:
            step = self._applied.pop()
            try:
                step.uninstall()
            except BaseException as error:  # undo the rest all the same
                failure = failure or error
        if failure is not None:
            raise failure


activation = Activation()

__all__ = ["STEPS", "Activation", "Step", "activation"]
