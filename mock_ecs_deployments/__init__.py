"""Mock Amazon ECS service deployments (ListServiceDeployments and family) for boto3 tests."""

from .backend import ServiceDeploymentBackend, service_deployment_backends
from .doors import patch_client
from .mock import ServiceDeploymentsMock, mock_service_deployments
from .models import Service, ServiceDeployment, ServiceRevision
from .scenarios import ScenarioError, load_scenario
from .server import serve_in_thread

__version__ = "0.1.0"

__all__ = [
    "ScenarioError",
    "Service",
    "ServiceDeployment",
    "ServiceDeploymentBackend",
    "ServiceDeploymentsMock",
    "ServiceRevision",
    "__version__",
    "load_scenario",
    "mock_service_deployments",
    "patch_client",
    "serve_in_thread",
    "service_deployment_backends",
]
