"""One exception class per AWS error code the mock answers with, each knowing its HTTP status.

These are the errors the *mock* returns on the wire; botocore turns them into ``ClientError``
(and ``client.exceptions.<Code>``) exactly as it does for AWS. Mistakes in a test author's own
seeding calls or scenario files are raised in the test instead, as Python exceptions:
:class:`~mock_ecs_deployments.engine.model.validation.SeedingError` (a ``ValueError``; its
:class:`~mock_ecs_deployments.engine.model.validation.SeedingTypeError` is a ``TypeError`` too)
and :class:`~mock_ecs_deployments.scenarios.errors.ScenarioError` (a ``ValueError``).
"""

from __future__ import annotations

from typing import Any


class ServiceDeploymentsError(Exception):
    """A modeled AWS error: ``code`` is the ``__type`` on the wire, ``status`` the HTTP status."""

    code: str = "ClientException"
    status: int = 400

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON error body: ``__type``, ``message`` and any extra members of the shape."""
        return {"__type": self.code, "message": self.message, **self.extra}


class ClientException(ServiceDeploymentsError):
    code = "ClientException"


class InvalidParameterException(ServiceDeploymentsError):
    code = "InvalidParameterException"


class ClusterNotFoundException(ServiceDeploymentsError):
    code = "ClusterNotFoundException"

    def __init__(self, message: str = "Cluster not found.") -> None:
        super().__init__(message)


class ServiceNotFoundException(ServiceDeploymentsError):
    code = "ServiceNotFoundException"

    def __init__(self, message: str = "Service not found.") -> None:
        super().__init__(message)


class DaemonNotFoundException(ServiceDeploymentsError):
    code = "DaemonNotFoundException"

    def __init__(self, message: str = "Daemon not found.") -> None:
        super().__init__(message)


class DaemonNotActiveException(ServiceDeploymentsError):
    code = "DaemonNotActiveException"


class ServiceDeploymentNotFoundException(ServiceDeploymentsError):
    code = "ServiceDeploymentNotFoundException"


class ConflictException(ServiceDeploymentsError):
    code = "ConflictException"


class AccessDeniedException(ServiceDeploymentsError):
    code = "AccessDeniedException"


class UnsupportedFeatureException(ServiceDeploymentsError):
    code = "UnsupportedFeatureException"


class UnknownOperationException(ServiceDeploymentsError):
    code = "UnknownOperationException"


class ServerException(ServiceDeploymentsError):
    code = "ServerException"
    status = 500


class InjectedError(ServiceDeploymentsError):
    """An error a test injected: any code, with the HTTP status it was given."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
