"""moto's ECS as the engine's peer: the clusters, services and task definitions it holds.

The engine asks its peer three questions
(:class:`~mock_ecs_deployments.engine.state.backend.ServicePeer`): whether a cluster exists,
what became of a service (adopted when only moto holds it, deleted when moto deleted or
replaced it), and which containers a task definition has. This is that peer while moto is in
play; with moto's ECS not loaded, or moto not active, it holds nothing.
"""

from __future__ import annotations

from typing import Any

from ..engine.state.backend import ServiceDeploymentBackend
from .presence import moto_ecs_backend


class MotoPeer:
    """The answers of moto's ECS backend of the same account and region."""

    @staticmethod
    def _backend(backend: ServiceDeploymentBackend) -> Any:
        return moto_ecs_backend(backend.account_id, backend.region_name)

    def has_cluster(self, backend: ServiceDeploymentBackend, cluster: str) -> bool:
        """Whether moto holds ``cluster``."""
        moto_backend = self._backend(backend)
        return moto_backend is not None and cluster in moto_backend.clusters

    def follow(self, backend: ServiceDeploymentBackend, cluster: str, service: str) -> None:
        """Adopt the service when only moto holds it; delete ours when moto deleted or
        replaced it (its history goes with it)."""
        moto_backend = self._backend(backend)
        if moto_backend is None:
            return
        moto_service = moto_backend.services.get(f"{cluster}:{service}")
        record = backend.services.get((cluster, service))
        if record is not None and moto_service is not None:
            if record.peer_record is None:
                record.peer_record = moto_service
                backend.in_step(record)
            elif record.peer_record is not moto_service or moto_service.status != "ACTIVE":
                backend.delete_service(record)
                record = None
        if record is None and moto_service is not None and moto_service.status == "ACTIVE":
            controller = (moto_service.deployment_controller or {}).get("type", "ECS")
            record = backend.add_service(
                service,
                cluster,
                desired_count=moto_service.desired_count,
                deployment_controller=controller,
                launch_type=moto_service.launch_type,
            )
            record.peer_record = moto_service
            backend.in_step(record)

    def container_images(
        self, backend: ServiceDeploymentBackend, task_definition_arn: str
    ) -> list[dict[str, str]] | None:
        """The named containers with an image of a task definition moto holds."""
        moto_backend = self._backend(backend)
        if moto_backend is None:
            return None
        try:
            task_definition = moto_backend.describe_task_definition(task_definition_arn)
        except Exception:  # moto raises its own errors for unknown task definitions
            return None
        return [
            {"containerName": c["name"], "image": c["image"]}
            for c in task_definition.container_definitions
            if c.get("name") and c.get("image")
        ]


__all__ = ["MotoPeer"]
