"""The ECS service model that botocore ships: the source of truth for enums and shapes.

Loaded on first use, not at import, and read at run time so that a newer botocore brings new
enum values (statuses, stages, stop types) with it.
"""

from __future__ import annotations

from functools import cache

from botocore.loaders import create_loader
from botocore.model import OperationModel, ServiceModel, StringShape

#: The operations this package serves, in the order AWS documents them.
OPERATIONS = (
    "ListServiceDeployments",
    "DescribeServiceDeployments",
    "DescribeServiceRevisions",
    "StopServiceDeployment",
    "ContinueServiceDeployment",
    "RegisterDaemonTaskDefinition",
    "DescribeDaemonTaskDefinition",
    "ListDaemonTaskDefinitions",
    "DeleteDaemonTaskDefinition",
    "CreateDaemon",
    "UpdateDaemon",
    "DeleteDaemon",
    "DescribeDaemon",
    "ListDaemons",
    "ListDaemonDeployments",
    "DescribeDaemonDeployments",
    "DescribeDaemonRevisions",
)


@cache
def ecs_model() -> ServiceModel:
    """botocore's ECS service model (loaded once)."""
    loader = create_loader()
    return ServiceModel(loader.load_service_model("ecs", "service-2"), service_name="ecs")


def operation_model(operation: str) -> OperationModel:
    """botocore's model of one ECS operation (input, output and declared errors)."""
    return ecs_model().operation_model(operation)


@cache
def enum_values(shape_name: str) -> tuple[str, ...]:
    """The values of one of the model's string enums, e.g. ``ServiceDeploymentStatus``."""
    shape = ecs_model().shape_for(shape_name)
    if not isinstance(shape, StringShape) or not shape.enum:
        raise LookupError(f"{shape_name} is not an enum in botocore's ECS model")
    return tuple(shape.enum)


def deployment_statuses() -> tuple[str, ...]:
    """Every ``ServiceDeploymentStatus`` botocore's model knows, in the model's order."""
    return enum_values("ServiceDeploymentStatus")


@cache
def error_codes(operation: str) -> tuple[str, ...]:
    """The error shapes the model lists for ``operation``."""
    return tuple(shape.name for shape in operation_model(operation).error_shapes)
