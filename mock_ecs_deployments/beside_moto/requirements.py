"""What the mock relies on in moto and botocore, checked before it is relied on.

An older moto or botocore than the package declares does not fail loudly by itself: moto
before 5.1.17 builds its ECS answers differently, and the mock's view of a service would
silently be left out of them; before 5.2.0 it drops an event's time on its way through an
input transformer, and before 5.2.5 its server lacks what server mode builds on; botocore
before 1.43.10 has no ContinueServiceDeployment nor the lifecycle hooks' shapes. So each
attribute the mock uses is named here, the oldest versions are declared, and the mock refuses
to start (or to follow moto, once moto is loaded) with :class:`UnsupportedVersionError`,
which names the installed and the required versions.

Nothing here imports moto: its version and modules are checked at start when they are loaded
already (:func:`check_loaded`, the bridge's ``versions`` step), else when moto, then moto's
ECS, is loaded (the ``moto-version`` and ``moto-requirements`` steps). The error fails the
start, or the import of moto that would have been used.
"""

from __future__ import annotations

import dis
import importlib.metadata
import re
import sys
import threading
from dataclasses import dataclass
from types import FunctionType, ModuleType

from ..on_import import Refusal

#: The oldest releases the package supports (setup.cfg declares the same).
MINIMUM_VERSIONS = {"moto": "5.2.5", "botocore": "1.43.10"}


@dataclass(frozen=True)
class Requirement:
    """One attribute of a third party's module that the mock uses."""

    distribution: str
    module: str
    path: str
    why: str

    def present(self, module: ModuleType) -> bool:
        """Whether ``module`` has the attribute (each dotted step of ``path``). The last step
        may be an instance attribute of a class: found when an ``__init__`` of the class or
        of a base sets it, so that no instance of moto's is made to look."""
        target: object = module
        *steps, last = self.path.split(".")
        for name in steps:
            if name not in _names(target):
                return False
            target = _names(target)[name]
        return last in _names(target) or (isinstance(target, type) and last in _set_in_init(target))


def _names(target: object) -> dict[str, object]:
    """The names ``target`` holds itself or inherits, without calling descriptors (a
    property is found as the property, not run)."""
    if isinstance(target, type):
        merged: dict[str, object] = {}
        for klass in reversed(target.__mro__):
            merged.update(vars(klass))
        return merged
    return dict(vars(target)) if hasattr(target, "__dict__") else {}


def _set_in_init(klass: type) -> set[str]:
    """The attributes the ``__init__`` of ``klass`` and of its bases assign (read from their
    bytecode: moto sets most of what the bridge reads on ``self`` there)."""
    assigned: set[str] = set()
    for base in klass.__mro__:
        init = vars(base).get("__init__")
        if isinstance(init, FunctionType):  # not object's (a C slot), nor none at all
            assigned.update(
                str(op.argval)
                for op in dis.get_instructions(init.__code__)
                if op.opname == "STORE_ATTR"
            )
    return assigned


MOTO = "moto"
BOTOCORE = "botocore"

#: Every attribute of moto the bridge uses, by the module that holds it.
REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(MOTO, "moto.core.models", "botocore_stubber.enabled", "whether mock_aws is on"),
    Requirement(MOTO, "moto.core.botocore_stubber", "BotocoreStubber.__call__", "step aside"),
    Requirement(MOTO, "moto.core.responses", "BaseResponse.call_action", "catch up first"),
    Requirement(MOTO, "moto.core.responses", "BaseResponse.serialized", "answers as moto's"),
    Requirement(MOTO, "moto.core.responses", "ActionResult", "ECS answers as results"),
    Requirement(MOTO, "moto.core.config", "mock_credentials", "fake credentials allowed"),
    Requirement(MOTO, "moto.ecs.models", "ecs_backends", "moto's ECS state"),
    Requirement(MOTO, "moto.ecs.models", "TaskDefinition", "seeded task definitions"),
    Requirement(
        MOTO, "moto.ecs.models", "EC2ContainerServiceBackend.create_service", "seeded services"
    ),
    Requirement(
        MOTO, "moto.ecs.models", "EC2ContainerServiceBackend.create_cluster", "seeded clusters"
    ),
    Requirement(
        MOTO,
        "moto.ecs.models",
        "EC2ContainerServiceBackend.describe_task_definition",
        "container images",
    ),
    Requirement(MOTO, "moto.ecs.models", "EC2ContainerServiceBackend.clusters", "clusters"),
    Requirement(MOTO, "moto.ecs.models", "EC2ContainerServiceBackend.tasks", "moto's tasks"),
    Requirement(MOTO, "moto.ecs.models", "Task.task_arn", "moto's tasks listed"),
    Requirement(MOTO, "moto.ecs.models", "Task.desired_status", "ListTasks' filters"),
    Requirement(MOTO, "moto.ecs.models", "Task.started_by", "ListTasks' filters"),
    Requirement(MOTO, "moto.ecs.models", "Task.task_definition_arn", "ListTasks' filters"),
    Requirement(MOTO, "moto.ecs.models", "Task.launch_type", "ListTasks' filters"),
    Requirement(MOTO, "moto.ecs.models", "Task.container_instance_arn", "ListTasks' filters"),
    Requirement(MOTO, "moto.ecs.models", "TaskDefinition.cpu", "a task's cpu"),
    Requirement(MOTO, "moto.ecs.models", "TaskDefinition.memory", "a task's memory"),
    Requirement(MOTO, "moto.ecs.responses", "ActionResult", "ECS answers as results"),
    Requirement(
        MOTO, "moto.ecs.responses", "EC2ContainerServiceResponse.ecs_backend", "seeded services"
    ),
    Requirement(MOTO, "moto.ecs.responses", "EC2ContainerServiceResponse.create_service", "follow"),
    Requirement(MOTO, "moto.ecs.responses", "EC2ContainerServiceResponse.update_service", "follow"),
    Requirement(MOTO, "moto.ecs.responses", "EC2ContainerServiceResponse.delete_service", "follow"),
    Requirement(
        MOTO, "moto.ecs.responses", "EC2ContainerServiceResponse.describe_services", "view"
    ),
    Requirement(MOTO, "moto.ecs.responses", "EC2ContainerServiceResponse.list_tasks", "tasks"),
    Requirement(MOTO, "moto.ecs.responses", "EC2ContainerServiceResponse.describe_tasks", "tasks"),
    Requirement(MOTO, "moto.ecs.responses", "EC2ContainerServiceResponse.stop_task", "tasks"),
    Requirement(MOTO, "moto.core.base_backend", "BackendDict.reset", "a server's last stop"),
    Requirement(MOTO, "moto.core.model_instances", "reset_model_data", "a server's last stop"),
    Requirement(MOTO, "moto.events.models", "events_backends", "EventBridge delivery"),
    # Like every module here, CloudWatch's is checked only once it is loaded (at a start, or
    # when moto's ECS loads): the check never imports it, and the bridge reads no alarm of a
    # CloudWatch not loaded.
    Requirement(MOTO, "moto.cloudwatch.models", "cloudwatch_backends", "deployment alarms"),
    Requirement(MOTO, "moto.cloudwatch.models", "CloudWatchBackend.alarms", "deployment alarms"),
    Requirement(MOTO, "moto.cloudwatch.models", "Alarm.state_value", "an alarm's state"),
    Requirement(MOTO, "moto.cloudwatch.models", "Alarm.state_updated_timestamp", "its change"),
    Requirement(MOTO, "moto.iam.models", "get_account_id_from", "accounts of access keys"),
    Requirement(MOTO, "moto.moto_api._internal", "mock_random", "seedable ids"),
    Requirement(MOTO, "moto.moto_api", "recorder._user_enabled", "the request recorder"),
)

_lock = threading.Lock()
_checked: set[str] = set()


class UnsupportedVersionError(Refusal, RuntimeError):
    """moto or botocore is older than the mock supports (or lacks what it uses).

    :ivar distribution: ``"moto"`` or ``"botocore"``.
    :ivar installed: the installed version.
    :ivar required: the oldest supported version.
    :ivar missing: the attributes not found, as ``module:path``.
    """

    def __init__(
        self, distribution: str, installed: str, required: str, missing: list[str]
    ) -> None:
        self.distribution = distribution
        self.installed = installed
        self.required = required
        self.missing = missing
        lacking = f" (it lacks {', '.join(missing)})" if missing else ""
        super().__init__(
            f"mock_ecs_deployments needs {distribution}>={required}; {distribution} {installed}"
            f" is installed{lacking}. Upgrade it: pip install '{distribution}>={required}'"
        )


def installed_version(distribution: str) -> str:
    """The installed version of ``distribution`` (``"unknown"`` when it has no metadata)."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string: ``"5.1.17.dev3"`` -> ``(5, 1, 17)``."""
    numbers = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(int(part) for part in numbers[0].split(".")) if numbers else ()


def _too_old(distribution: str) -> UnsupportedVersionError | None:
    installed = installed_version(distribution)
    required = MINIMUM_VERSIONS[distribution]
    if installed != "unknown" and release(installed) < release(required):
        return UnsupportedVersionError(distribution, installed, required, [])
    return None


def check_moto_module(module: ModuleType) -> None:
    """Check what the mock uses of one loaded moto module, and moto's version.

    :raises UnsupportedVersionError: moto is older than supported or lacks an attribute.
    """
    name = module.__name__
    with _lock:
        if name in _checked:
            return
    error = _too_old(MOTO)
    missing = [
        f"{req.module}:{req.path}"
        for req in REQUIREMENTS
        if req.module == name and not req.present(module)
    ]
    if error is None and missing:
        error = UnsupportedVersionError(
            MOTO, installed_version(MOTO), MINIMUM_VERSIONS[MOTO], missing
        )
    if error is not None:
        raise error
    with _lock:
        _checked.add(name)


def check_botocore() -> None:
    """Check botocore's version and that its ECS model has the service-deployment API.

    :raises UnsupportedVersionError: botocore is older than supported.
    """
    with _lock:
        if BOTOCORE in _checked:
            return
    error = _too_old(BOTOCORE)
    if error is None:
        from ..engine.model.service_model import ecs_model

        model = ecs_model()
        missing = [
            f"botocore ECS model:{shape}"
            for shape in _BOTOCORE_SHAPES
            if shape not in model.shape_names
        ]
        if missing:
            error = UnsupportedVersionError(
                BOTOCORE, installed_version(BOTOCORE), MINIMUM_VERSIONS[BOTOCORE], missing
            )
    if error is not None:
        raise error
    with _lock:
        _checked.add(BOTOCORE)


# The shapes of botocore's ECS model the mock answers with or validates against.
_BOTOCORE_SHAPES = (
    "ServiceDeploymentStatus",
    "ListServiceDeploymentsRequest",
    "DescribeServiceDeploymentsRequest",
    "DescribeServiceRevisionsRequest",
    "StopServiceDeploymentRequest",
    "ContinueServiceDeploymentRequest",
    "DeploymentLifecycleHookStage",
    "LinearConfiguration",
    "CanaryConfiguration",
    "DeploymentLifecycleHookTargetType",
)


def check_moto_version() -> None:
    """Check moto's version (moto is loaded).

    :raises UnsupportedVersionError: moto is older than supported.
    """
    error = _too_old(MOTO)
    if error is not None:
        raise error


def check_loaded() -> None:
    """Check botocore, moto's version when moto is loaded, and every moto module the mock
    uses that is loaded already.

    :raises UnsupportedVersionError: naming the installed and the required versions.
    """
    check_botocore()
    if MOTO in sys.modules:
        check_moto_version()
    for module_name in sorted({req.module for req in REQUIREMENTS}):
        module = sys.modules.get(module_name)
        if module is not None:
            check_moto_module(module)


__all__ = [
    "MINIMUM_VERSIONS",
    "REQUIREMENTS",
    "Requirement",
    "UnsupportedVersionError",
    "check_botocore",
    "check_loaded",
    "check_moto_module",
    "check_moto_version",
    "installed_version",
    "release",
]
