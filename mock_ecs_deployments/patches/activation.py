"""The one activation shared by every mock object: how many are started, and the steps the
outermost start applies and the outermost stop undoes.

Each step is an install/uninstall pair. Starting applies them in order; if one fails, the ones
already applied are undone in reverse and the original error is raised, so a failed start
leaves nothing behind. Stopping undoes every step in reverse even when one of them fails, then
raises the first failure.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence

from ..beside_moto import steps as moto_steps
from ..engine.model import clock
from ..engine.state.registry import service_deployment_backends
from ..protocol import faults
from . import aiobotocore_reader, botocore_send, environment, requests_transport

Step = moto_steps.Step

#: The steps, in the order the outermost start applies them.
STEPS: Sequence[Step] = (
    ("environment", environment.install, environment.uninstall),
    *moto_steps.STEPS,
    ("requests", requests_transport.install, requests_transport.uninstall),
    ("aiobotocore", aiobotocore_reader.install, aiobotocore_reader.uninstall),
    ("botocore", botocore_send.install, botocore_send.uninstall),
)


class Activation:
    """Process-wide: nesting depth and the steps applied by the outermost start."""

    def __init__(self, steps: Sequence[Step] = STEPS) -> None:
        self.lock = threading.RLock()
        self.depth = 0
        self.steps = steps
        self._applied: list[Step] = []

    def enter(self) -> None:
        """One more start; the outermost applies every step (all or nothing)."""
        with self.lock:
            if self.depth == 0:
                self._apply()
                with service_deployment_backends.lock:
                    service_deployment_backends.active = True
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
                    with service_deployment_backends.lock:
                        service_deployment_backends.active = False
                        reset_state()

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
                step[1]()
            except BaseException:
                # The original error is the one to report; the undo's own failure is not.
                with contextlib.suppress(BaseException):
                    self._undo()
                raise

    def _undo(self) -> None:
        failure: BaseException | None = None
        while self._applied:
            _, _, uninstall = self._applied.pop()
            try:
                uninstall()
            except BaseException as error:  # undo the rest all the same
                failure = failure or error
        if failure is not None:
            raise failure


def reset_state() -> None:
    """Forget all backends (every account and region), injected errors, the call log and the
    mock's own clock offset."""
    service_deployment_backends.reset()
    faults.reset()
    clock.reset()


activation = Activation()

__all__ = ["STEPS", "Activation", "activation", "reset_state"]
