"""Mock Amazon ECS service deployments (ListServiceDeployments and family) for boto3 tests.

Importing the package costs almost nothing: each public name loads its module on first use
(PEP 562), and nothing in botocore, moto or ``os.environ`` changes until a mock starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .beside_moto.requirements import UnsupportedVersionError
    from .engine.deployments.lifecycle import Plan
    from .engine.model.records import Service, ServiceDeployment, ServiceRevision
    from .engine.model.validation import SeedingError, SeedingTypeError
    from .engine.state.backend import ServiceDeploymentBackend
    from .engine.state.registry import service_deployment_backends
    from .mock import ServiceDeploymentsMock, active_mock, mock_service_deployments
    from .patches.botocore_send import patch_client
    from .protocol.faults import Call
    from .scenarios.errors import ScenarioError
    from .scenarios.loader import load_scenario
    from .server.app import serve_in_thread
    from .server.client import ControlRequestError, MockEndpoint

#: Where each public name lives.
_LOCATIONS = {
    "Call": ".protocol.faults",
    "ControlRequestError": ".server.client",
    "MockEndpoint": ".server.client",
    "Plan": ".engine.deployments.lifecycle",
    "ScenarioError": ".scenarios.errors",
    "SeedingError": ".engine.model.validation",
    "SeedingTypeError": ".engine.model.validation",
    "Service": ".engine.model.records",
    "ServiceDeployment": ".engine.model.records",
    "ServiceDeploymentBackend": ".engine.state.backend",
    "ServiceDeploymentsMock": ".mock",
    "ServiceRevision": ".engine.model.records",
    "UnsupportedVersionError": ".beside_moto.requirements",
    "active_mock": ".mock",
    "load_scenario": ".scenarios.loader",
    "mock_service_deployments": ".mock",
    "patch_client": ".patches.botocore_send",
    "serve_in_thread": ".server.app",
    "service_deployment_backends": ".engine.state.registry",
}

__all__ = [
    "Call",
    "ControlRequestError",
    "MockEndpoint",
    "Plan",
    "ScenarioError",
    "SeedingError",
    "SeedingTypeError",
    "Service",
    "ServiceDeployment",
    "ServiceDeploymentBackend",
    "ServiceDeploymentsMock",
    "ServiceRevision",
    "UnsupportedVersionError",
    "__version__",
    "active_mock",
    "load_scenario",
    "mock_service_deployments",
    "patch_client",
    "serve_in_thread",
    "service_deployment_backends",
]


def __getattr__(name: str) -> Any:
    location = _LOCATIONS.get(name)
    if location is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(location, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LOCATIONS})
