"""moto's door: our operations served by moto's own ECS dispatch.

Under moto's ``mock_aws`` and behind moto's server, moto answers every ECS request, and it
finds an operation as a method of its ECS response class, by name. While the mock is active
our operations are methods of that class (:data:`OPERATIONS`), moto's CreateService,
UpdateService, DeleteService and DescribeServices are followed (:data:`SERVICES`, with
:mod:`.services`), ListTasks, DescribeTasks and StopTask answer the tasks of the services
the mock tracks beside moto's own (:data:`TASKS`, with :mod:`.tasks`), and services seeded in
the mock alone are made in moto's backend when moto answers (:data:`SEEDED`, with
:mod:`.seeded`). Each is an activation step of its own. Nothing of moto is imported for this:
the class is patched when ``moto.ecs.responses`` is loaded, now or later
(:mod:`mock_ecs_deployments.on_import`).

In process, a boto3 call under ``mock_aws`` need not go through moto's dispatch at all: our
``before-send`` handler runs before moto's (botocore calls handlers of the more specific event,
``before-send.ecs``, first) and answers our operations, and moto's handler is made to leave a
request answered already alone (:data:`STEP_ASIDE`). That saves moto's URL matching and
request parsing on every call. Server mode and ``requests`` callers still come through moto's
dispatch and the class.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from types import ModuleType
from typing import Protocol

from ..patching import ImportPatch, Patch
from ..protocol.dispatch import HANDLERS, REPLY_ATTRIBUTE, Reply, dispatch
from . import presence
from . import seeded as moto_seeded
from . import services as moto_services
from . import tasks as moto_tasks
from .view import for_moto

_MODULE = "moto.ecs.responses"
_STUBBER_MODULE = "moto.core.botocore_stubber"


class _MotoResponse(Protocol):
    """What our operations read of moto's ECS response object (one per request)."""

    body: bytes | str | None
    current_account: str
    region: str


def _moto_method(operation: str) -> Callable[[_MotoResponse], Reply]:
    def method(response: _MotoResponse) -> Reply:
        return for_moto(
            dispatch(operation, response.body, response.current_account, response.region)
        )

    method.__name__ = snake_case(operation)
    return method


def snake_case(operation: str) -> str:
    """moto's method name for an operation: ``ListServiceDeployments`` ->
    ``list_service_deployments``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def _add_operations(patch: Patch, module: ModuleType) -> None:
    responses = module.EC2ContainerServiceResponse
    for operation in HANDLERS:
        patch.replace(responses, snake_case(operation), _moto_method(operation))


def _follow_services(patch: Patch, module: ModuleType) -> None:
    moto_services.install(patch, module.EC2ContainerServiceResponse)


def _answer_tasks(patch: Patch, module: ModuleType) -> None:
    moto_tasks.install(patch, module.EC2ContainerServiceResponse)


def _make_seeded(patch: Patch, module: ModuleType) -> None:
    moto_seeded.install(patch, module.EC2ContainerServiceResponse)


def _step_aside(patch: Patch, module: ModuleType) -> None:
    """Make moto's botocore handler pass on requests our handler answered."""
    stubber = module.BotocoreStubber
    original: Callable[..., object] = stubber.__dict__["__call__"]

    def __call__(self: object, event_name: str, request: object, **kwargs: object) -> object:
        if getattr(request, REPLY_ATTRIBUTE, None) is not None:
            return None
        return original(self, event_name, request, **kwargs)

    patch.replace(stubber, "__call__", __call__)
    presence.step_aside(True)
    patch.on_undo(functools.partial(presence.step_aside, False))


#: moto follows the service operations of its ECS response class (:mod:`.services`).
SERVICES = ImportPatch("moto-services", _MODULE, _follow_services)
#: The tasks of the services the mock tracks in moto's task operations (:mod:`.tasks`).
TASKS = ImportPatch("moto-tasks", _MODULE, _answer_tasks)
#: moto makes the services seeded in the mock alone (:mod:`.seeded`).
SEEDED = ImportPatch("moto-seeded", _MODULE, _make_seeded)
#: Our operations are methods of moto's ECS response class.
OPERATIONS = ImportPatch("moto-operations", _MODULE, _add_operations)
#: moto's botocore handler leaves the requests our handler answered alone.
STEP_ASIDE = ImportPatch("moto-steps-aside", _STUBBER_MODULE, _step_aside)

__all__ = ["OPERATIONS", "SEEDED", "SERVICES", "STEP_ASIDE", "TASKS", "snake_case"]
