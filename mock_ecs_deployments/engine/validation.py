"""Validation of what a test author seeds through ``add_service``, ``add_deployment`` and scenarios.

Mistakes here are the test author's, not the code under test's, so they are raised at once as
``ValueError`` or ``TypeError`` naming the field, the bad value and what is allowed, instead of
surfacing later as a puzzling API answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from . import arns
from .clock import to_ms
from .images import image_digest
from .models import COMPLETED_STATUSES
from .service_model import deployment_statuses


class SeedingError(ValueError):
    """A mistake in what a test author seeded (a ``add_service``/``add_deployment`` argument,
    a plan, a scenario field), raised at once.

    :ivar field: where the mistake is, as a path of names and indexes
        (``deployment_configuration.lifecycleHooks[0].targetType``).
    :ivar problem: what is wrong there, without the location.
    """

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")

    def within(self, parent: str) -> SeedingError:
        """The same error, located under ``parent`` (``plan`` + ``outcome`` ->
        ``plan.outcome``); the class is kept."""
        field = f"{parent}{self.field}" if self.field.startswith("[") else f"{parent}.{self.field}"
        return type(self)(field, self.problem)


class SeedingTypeError(SeedingError, TypeError):
    """A :class:`SeedingError` for a value of the wrong type (also a ``TypeError``)."""


# Statuses in which a deployment has started (has ``startedAt``) but not finished.
_STARTED_ONGOING = frozenset(
    {"IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"}
)
DEPLOYMENT_CONTROLLERS = ("ECS", "CODE_DEPLOY", "EXTERNAL")
LAUNCH_TYPES = ("FARGATE", "EC2", "EXTERNAL", "MANAGED_INSTANCES")


def choice(field: str, value: object, allowed: Iterable[str]) -> str:
    """``value`` if it is one of ``allowed``, else a ``ValueError`` that lists them."""
    allowed = tuple(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{field}: {value!r} is not allowed; allowed values: {', '.join(allowed)}")
    return value


def name(field: str, value: object) -> str:
    """A cluster or service name: 1 to 255 letters, digits, hyphens and underscores."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{field}: expected a non-empty name, got {value!r}")
    if len(value) > 255 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in value):
        raise ValueError(
            f"{field}: {value!r} is not a valid name; allowed: 1 to 255 letters, digits,"
            " hyphens and underscores"
        )
    return value


def count(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{field}: expected a whole number of 0 or more, got {value!r}")
    return value


def timestamp_ms(field: str, value: object) -> int | None:
    """Epoch milliseconds of a datetime (naive means UTC); ``None`` stays ``None``."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise TypeError(f"{field}: expected a datetime, got {type(value).__name__} {value!r}")
    return to_ms(value)


def resolve_service_reference(
    service: str, cluster: str | None, region: str, account_id: str
) -> tuple[str, str]:
    """``(cluster, service)`` names from a service name or ARN and an optional cluster."""
    if not isinstance(service, str):
        raise TypeError(f"service: expected a name or an ARN, got {service!r}")
    if cluster is not None and not isinstance(cluster, str):
        raise TypeError(f"cluster: expected a name or an ARN, got {cluster!r}")
    if service.startswith("arn:"):
        parsed = arns.parse_arn(service)
        if parsed is None or parsed.kind != "service":
            raise ValueError(f"service: {service!r} is not an ECS service ARN")
        if (parsed.region, parsed.account_id) != (region, account_id):
            raise ValueError(
                f"service: {service!r} belongs to account {parsed.account_id} in"
                f" {parsed.region}; this backend is account {account_id} in {region}"
            )
        if len(parsed.parts) == 2:
            arn_cluster, service = parsed.parts
            if cluster is not None and cluster_name(cluster) != arn_cluster:
                raise ValueError(
                    f"cluster: {cluster!r} differs from the cluster {arn_cluster!r} in the"
                    f" service ARN {service!r}"
                )
            cluster = arn_cluster
        else:
            service = parsed.parts[-1]
    return name("cluster", cluster_name(cluster or "default")), name("service", service)


def cluster_name(cluster: str) -> str:
    """A cluster name from a name or a cluster ARN."""
    if cluster.startswith("arn:"):
        parsed = arns.parse_arn(cluster)
        if parsed is None or parsed.kind != "cluster" or len(parsed.parts) != 1:
            raise ValueError(f"cluster: {cluster!r} is not an ECS cluster ARN")
        return parsed.parts[0]
    return cluster


def deployment_times(
    status: str,
    created_ms: int,
    started_ms: int | None,
    finished_ms: int | None,
) -> tuple[int | None, int | None]:
    """``(started_ms, finished_ms)`` consistent with ``status``, defaults filled in.

    PENDING has neither; a started, ongoing status has ``startedAt`` only; a completed status
    has both. A default is the creation time (a deployment seeded without times took none).
    """
    if status == "PENDING":
        for field, value in (("started_at", started_ms), ("finished_at", finished_ms)):
            if value is not None:
                raise ValueError(f"{field}: a PENDING deployment has not started; leave it unset")
        return None, None
    if started_ms is None:
        started_ms = created_ms
    if started_ms < created_ms:
        raise ValueError("started_at: earlier than created_at")
    if status in _STARTED_ONGOING:
        if finished_ms is not None:
            raise ValueError(f"finished_at: a {status} deployment has not finished; leave it unset")
        return started_ms, None
    if status not in COMPLETED_STATUSES:  # a status a newer botocore added: keep what is given
        return started_ms, finished_ms
    if finished_ms is None:
        finished_ms = started_ms
    if finished_ms < created_ms:
        raise ValueError("finished_at: earlier than created_at")
    if finished_ms < started_ms:
        raise ValueError("finished_at: earlier than started_at")
    return started_ms, finished_ms


def deployment_status(value: object) -> str:
    return choice("status", value, deployment_statuses())


def as_list(field: str, value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise TypeError(f"{field}: expected a list of mappings, got {value!r}")
    return list(value)


def as_mapping(field: str, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TypeError(f"{field}: expected a mapping, got {value!r}")
    return dict(value)


def optional_task_definition(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ValueError(f"task_definition: expected 'family:revision' or an ARN, got {value!r}")
    return value


def container_images(field: str, value: Any) -> list[dict[str, str]] | None:
    """Container images for a revision, each with an ``imageDigest`` (derived when absent)."""
    if value is None:
        return None
    images = []
    for index, item in enumerate(as_list(field, value)):
        name, image = item.get("containerName"), item.get("image")
        if not isinstance(name, str) or not isinstance(image, str) or not name or not image:
            raise ValueError(
                f"{field}[{index}]: expected {{'containerName': str, 'image': str}}, got {item!r}"
            )
        digest = item.get("imageDigest") or image_digest(image)
        images.append({"containerName": name, "image": image, "imageDigest": str(digest)})
    return images
