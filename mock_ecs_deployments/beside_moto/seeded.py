"""Services the mock holds and moto does not, made in moto's ECS backend when moto answers.

A service seeded through Python (``add_service``, ``add_deployment`` for a new service), a
scenario file or the server's ``--scenario`` exists first in the mock alone. While moto is in
play, moto's ECS response class reaches its backend through its ``ecs_backend`` property for
every operation; that property is wrapped so that, before moto's backend answers, each ACTIVE
service of that account and region the mock tracks without a moto record is made there: its
cluster if missing, the task definitions of its revisions if missing (each with its own
family and revision number, one container per image of the revision), and the service with
its desired count, launch type, platform version, network configuration, load balancers,
service registries and deployment controller. moto's record is then the service's
(``record.peer_record``), so moto's ListClusters, ListServices, DescribeServices and
DescribeTaskDefinition agree with the history, and moto's UpdateService deploys it as one of
its own. A service deleted through moto is gone from the mock too, so it is not made again.
"""

from __future__ import annotations

from collections.abc import Callable

from ..engine.model.images import derived_images
from ..engine.model.records import Service, ServiceRevision
from ..engine.state.registry import service_deployment_backends
from ..patching import Patch
from .peer import MotoEcsBackend, MotoEcsResponse, MotoService, moto_service

# Memory (MiB) of each container the mock defines for a task definition it registers.
CONTAINER_MEMORY = 512
_PROPERTY = "ecs_backend"


def install(patch: Patch, responses: type) -> None:
    """Wrap the ``ecs_backend`` property of moto's ECS response class; ``patch`` keeps the
    original and puts it back when it is undone."""
    original: property = responses.__dict__[_PROPERTY]
    backend_of = original.fget
    if backend_of is None:
        raise TypeError(f"moto's {_PROPERTY} is a property without a getter")

    def ecs_backend(self: MotoEcsResponse) -> MotoEcsBackend:
        moto_backend: MotoEcsBackend = backend_of(self)
        materialize(self.current_account, self.region, moto_backend)
        return moto_backend

    patch.replace(responses, _PROPERTY, property(ecs_backend, doc=original.__doc__))


def materialize(account_id: str, region: str, moto_backend: MotoEcsBackend) -> None:
    """Make in ``moto_backend`` every ACTIVE service of the mock's backend of ``account_id``
    and ``region`` that moto has no record of (nothing is made here when there is none)."""
    regions = dict.get(service_deployment_backends, account_id)
    backend = None if regions is None else dict.get(regions, region)
    if backend is None or not backend.peer_pending:
        return
    with backend.lock:
        for record in backend.take_out_of_step():
            if record.status != "ACTIVE":
                continue
            theirs = moto_service(record)
            if theirs is None:
                record.peer_record = _made(moto_backend, record)
            elif record.task_definition:  # a rollback put the source's back
                theirs.task_definition = record.task_definition


def _made(moto_backend: MotoEcsBackend, record: Service) -> MotoService:
    """moto's service for ``record``: the ACTIVE one moto has of that name, else a new one."""
    existing = moto_backend.services.get(f"{record.cluster}:{record.name}")
    if existing is not None and existing.status == "ACTIVE":
        return existing
    if record.cluster not in moto_backend.clusters:
        moto_backend.create_cluster(record.cluster)
    for revision in sorted(record.revisions.values(), key=lambda r: r.created_ms):
        _register(moto_backend, revision)
    current = record.current_revision
    task_definition = record.task_definition or (current.task_definition if current else None)
    if task_definition is not None and not _registered(moto_backend, task_definition):
        task_definition = None  # named by the seeding alone, with no revision: nothing to show
    service = moto_backend.create_service(
        cluster_str=record.cluster,
        service_name=record.name,
        desired_count=record.desired_count,
        task_definition_str=task_definition,
        load_balancers=list(record.load_balancers),
        deployment_controller={"type": record.deployment_controller},
        launch_type=record.launch_type if record.launch_type in ("EC2", "FARGATE") else None,
        service_registries=list(record.service_registries),
        platform_version=record.platform_version,
        network_configuration=record.network_configuration,
    )
    if record.capacity_provider_strategy:
        service.launch_type = None
        service.capacity_provider_strategy = record.capacity_provider_strategy
    return service


def _family_and_number(task_definition: str) -> tuple[str, str]:
    family, _, number = task_definition.rsplit("/", 1)[-1].partition(":")
    return family, number


def _registered(moto_backend: MotoEcsBackend, task_definition: str) -> bool:
    family, number = _family_and_number(task_definition)
    return number.isdigit() and int(number) in moto_backend.task_definitions.get(family, {})


def _register(moto_backend: MotoEcsBackend, revision: ServiceRevision) -> None:
    """Register the revision's task definition in moto when moto has none of its number."""
    family, number = _family_and_number(revision.task_definition)
    if not number.isdigit() or _registered(moto_backend, revision.task_definition):
        return
    from moto.ecs import models

    # moto's own class, as its register makes (its type hints call it abstract).
    definition: Callable[..., object] = models.TaskDefinition

    images = revision.container_images or derived_images(revision)
    containers = [
        {"name": image["containerName"], "image": image["image"], "memory": CONTAINER_MEMORY}
        for image in images
    ]
    service = revision.service
    moto_backend.task_definitions.setdefault(family, {})[int(number)] = definition(
        family,
        int(number),
        containers,
        service.account_id,
        service.region,
        requires_compatibilities=[revision.launch_type] if revision.launch_type else None,
    )


__all__ = ["CONTAINER_MEMORY", "install", "materialize"]
