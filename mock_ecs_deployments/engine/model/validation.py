"""Validation of what a test author seeds through ``add_service``, ``add_deployment`` and scenarios.

Mistakes here are the test author's, not the code under test's, so they are raised at once as
:class:`SeedingError` (a ``ValueError``) or :class:`SeedingTypeError` (also a ``TypeError``),
naming the field, the bad value and what is allowed, instead of surfacing later as a puzzling
API answer.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from . import arns
from .clock import to_ms
from .images import image_digest
from .records import COMPLETED_STATUSES
from .service_model import deployment_statuses


class SeedingError(ValueError):
    """A mistake in what a test author seeded (a ``add_service``/``add_deployment`` argument,
    a plan, a scenario field), raised at once.

    The message is always ``"<field>: <problem>"``, built from the attributes (the
    constructor's arguments); read the attributes rather than the message.

    :ivar field: where the mistake is, as a path of names and indexes
        (``deployment_configuration.lifecycleHooks[0].targetType``).
    :ivar problem: what is wrong there, without the location.
    :ivar value: the value at fault, as given; ``None`` when no single value is at fault
        (``started_at`` earlier than ``created_at``), or when ``None`` itself was refused.
    :ivar allowed: the values the field takes, when it takes one of a fixed list (an enum,
        the keys of a mapping); empty otherwise.
    """

    def __init__(
        self, field: str, problem: str, *, value: object = None, allowed: Iterable[str] = ()
    ) -> None:
        self.field = field
        self.problem = problem
        self.value = value
        self.allowed = tuple(allowed)
        super().__init__(f"{field}: {problem}")

    def within(self, parent: str) -> SeedingError:
        """The same error, located under ``parent`` (``plan`` + ``outcome`` ->
        ``plan.outcome``; ``container_images`` + ``[0]`` -> ``container_images[0]``).

        The class, :attr:`problem`, :attr:`value` and :attr:`allowed` are kept.
        """
        field = f"{parent}{self.field}" if self.field.startswith("[") else f"{parent}.{self.field}"
        return type(self)(field, self.problem, value=self.value, allowed=self.allowed)


class SeedingTypeError(SeedingError, TypeError):
    """A :class:`SeedingError` for a value of the wrong type (also a ``TypeError``)."""


# Statuses in which a deployment has started (has ``startedAt``) but not finished.
_STARTED_ONGOING = frozenset(
    {"IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"}
)
DEPLOYMENT_CONTROLLERS = ("ECS", "CODE_DEPLOY", "EXTERNAL")
LAUNCH_TYPES = ("FARGATE", "EC2", "EXTERNAL", "MANAGED_INSTANCES")


def known_keys(field: str, mapping: Collection[object], allowed: Sequence[str]) -> None:
    """Refuse a mapping with keys outside ``allowed``.

    :raises SeedingError: naming the unknown keys, sorted, and the allowed ones.
    """
    unknown = sorted(str(key) for key in set(mapping) - set(allowed))
    if unknown:
        raise SeedingError(
            field,
            f"unknown key(s) {', '.join(unknown)}; allowed keys: {', '.join(allowed)}",
            value=unknown,
            allowed=tuple(allowed),
        )


def choice(field: str, value: object, allowed: Iterable[str]) -> str:
    """``value`` if it is one of ``allowed``.

    :raises SeedingError: listing the allowed values (in :attr:`SeedingError.allowed` too).
    """
    allowed = tuple(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise SeedingError(
            field,
            f"{value!r} is not allowed; allowed values: {', '.join(allowed)}",
            value=value,
            allowed=allowed,
        )
    return value


def name(field: str, value: object) -> str:
    """A cluster or service name: 1 to 255 letters, digits, hyphens and underscores.

    :raises SeedingError: for anything else.
    """
    if not isinstance(value, str) or not value:
        raise SeedingError(field, f"expected a non-empty name, got {value!r}", value=value)
    if len(value) > 255 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in value):
        raise SeedingError(
            field,
            f"{value!r} is not a valid name; allowed: 1 to 255 letters, digits, hyphens and"
            " underscores",
            value=value,
        )
    return value


def count(field: str, value: object) -> int:
    """``value`` if it is a whole number of 0 or more (not a bool).

    :raises SeedingError: for anything else.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SeedingError(
            field, f"expected a whole number of 0 or more, got {value!r}", value=value
        )
    return value


def identifier(field: str, value: object) -> str:
    """A deployment id as the last part of its ARN: 1 to 255 letters, digits, hyphens and
    underscores (AWS's are 21 of them).

    :raises SeedingError: for anything else (a ``SeedingTypeError`` for a non-string).
    """
    if not isinstance(value, str):
        raise SeedingTypeError(field, f"expected a string, got {value!r}", value=value)
    allowed = all(c.isascii() and (c.isalnum() or c in "-_") for c in value)
    if not 0 < len(value) <= 255 or not allowed:
        raise SeedingError(
            field,
            f"{value!r} is not allowed; allowed: 1 to 255 letters, digits, hyphens and underscores",
            value=value,
        )
    return value


REVISION_ID_LIMIT = 10**19  # a revision ARN writes its id in 19 digits


def revision_id(field: str, value: object) -> int:
    """A service revision id: a whole number that fits the 19 digits of a revision ARN.

    :raises SeedingError: for anything else.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < REVISION_ID_LIMIT:
        raise SeedingError(
            field,
            f"{value!r} is not allowed; allowed: a whole number from 0 to {REVISION_ID_LIMIT - 1}",
            value=value,
        )
    return value


def integer(field: str, value: object) -> int:
    """``value`` if it is a whole number (not a bool).

    :raises SeedingTypeError: for anything else.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise SeedingTypeError(field, f"expected an integer, got {value!r}", value=value)
    return value


def optional_text(field: str, value: object, *, empty: bool = True) -> str | None:
    """``value`` if it is a string (a non-empty one unless ``empty``), or ``None``.

    :raises SeedingTypeError: for anything else.
    """
    if value is None or (isinstance(value, str) and (empty or value)):
        return value
    wanted = "a string" if empty else "a non-empty string"
    raise SeedingTypeError(field, f"expected {wanted}, got {value!r}", value=value)


def flag(field: str, value: object) -> bool:
    """``value`` if it is ``True`` or ``False``.

    :raises SeedingTypeError: for anything else.
    """
    if not isinstance(value, bool):
        raise SeedingTypeError(field, f"expected true or false, got {value!r}", value=value)
    return value


def timestamp_ms(field: str, value: object) -> int | None:
    """Epoch milliseconds of a datetime (naive means UTC); ``None`` stays ``None``.

    :raises SeedingTypeError: for anything but a datetime or ``None``.
    """
    if value is None:
        return None
    if not isinstance(value, datetime):
        # Strings such as "-1d" or "now" are scenario-file syntax; say so rather than leave
        # the author wondering why a form the docs show is refused here.
        hint = (
            "; relative times such as '-2h' and 'now' belong to scenario files: in Python,"
            " pass a datetime (e.g. mock.now() - timedelta(hours=2))"
            if isinstance(value, str)
            else ""
        )
        raise SeedingTypeError(
            field,
            f"expected a datetime, got {type(value).__name__} {value!r}{hint}",
            value=value,
        )
    return to_ms(value)


def resolve_service_reference(
    service: str, cluster: str | None, region: str, account_id: str, *, kind: str = "service"
) -> tuple[str, str]:
    """``(cluster, service)`` names from a service name or ARN and an optional cluster (or,
    with ``kind="daemon"``, a daemon's, named by the field ``daemon``).

    :raises SeedingTypeError: ``service`` or ``cluster`` is not a string.
    :raises SeedingError: an ARN that is not an ECS service's in this account and region, a
        cluster that differs from the service ARN's, or a name that is not valid.
    """
    if not isinstance(service, str):
        raise SeedingTypeError(kind, f"expected a name or an ARN, got {service!r}", value=service)
    if cluster is not None and not isinstance(cluster, str):
        raise SeedingTypeError(
            "cluster", f"expected a name or an ARN, got {cluster!r}", value=cluster
        )
    if service.startswith("arn:"):
        service_arn = service
        parsed = arns.parse_arn(service_arn)
        if parsed is None or parsed.kind != kind:
            raise SeedingError(kind, f"{service_arn!r} is not an ECS {kind} ARN", value=service_arn)
        if (parsed.region, parsed.account_id) != (region, account_id):
            raise SeedingError(
                kind,
                f"{service_arn!r} belongs to account {parsed.account_id} in {parsed.region};"
                f" this backend is account {account_id} in {region}",
                value=service_arn,
            )
        if len(parsed.parts) == 2:
            arn_cluster, service = parsed.parts
            if cluster is not None and cluster_name(cluster) != arn_cluster:
                raise SeedingError(
                    "cluster",
                    f"{cluster!r} differs from the cluster {arn_cluster!r} in the"
                    f" {kind} ARN {service_arn!r}",
                    value=cluster,
                )
            cluster = arn_cluster
        else:
            service = parsed.parts[-1]
    return name("cluster", cluster_name(cluster or "default")), name(kind, service)


def this_place(
    account_id: object, region: object, backend_account_id: str, backend_region: str
) -> None:
    """Check that an ``account_id`` and ``region`` given to a backend's seeding method are the
    backend's own (``None``: not given).

    :raises SeedingError: naming ``account_id`` or ``region``.
    """
    for field, value, own in (
        ("account_id", account_id, backend_account_id),
        ("region", region, backend_region),
    ):
        if value is not None and value != own:
            raise SeedingError(
                field, f"{value!r} is not this backend's {field} ({own!r})", value=value
            )


def cluster_name(cluster: str) -> str:
    """A cluster name from a name or a cluster ARN.

    :raises SeedingError: an ARN that is not an ECS cluster's.
    """
    if cluster.startswith("arn:"):
        parsed = arns.parse_arn(cluster)
        if parsed is None or parsed.kind != "cluster" or len(parsed.parts) != 1:
            raise SeedingError("cluster", f"{cluster!r} is not an ECS cluster ARN", value=cluster)
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

    :raises SeedingError: naming ``started_at`` or ``finished_at`` when a time is given that
        the status cannot have, or the times are out of order.
    """
    if status == "PENDING":
        for field, value in (("started_at", started_ms), ("finished_at", finished_ms)):
            if value is not None:
                raise SeedingError(field, "a PENDING deployment has not started; leave it unset")
        return None, None
    if started_ms is None:
        started_ms = created_ms
    if started_ms < created_ms:
        raise SeedingError("started_at", "earlier than created_at")
    if status in _STARTED_ONGOING:
        if finished_ms is not None:
            raise SeedingError(
                "finished_at", f"a {status} deployment has not finished; leave it unset"
            )
        return started_ms, None
    if status not in COMPLETED_STATUSES:  # a status a newer botocore added: keep what is given
        return started_ms, finished_ms
    if finished_ms is None:
        finished_ms = started_ms
    if finished_ms < created_ms:
        raise SeedingError("finished_at", "earlier than created_at")
    if finished_ms < started_ms:
        raise SeedingError("finished_at", "earlier than started_at")
    return started_ms, finished_ms


def deployment_status(value: object) -> str:
    """``value`` if it is one of the model's ``ServiceDeploymentStatus`` values.

    :raises SeedingError: naming ``status`` and listing the allowed values.
    """
    return choice("status", value, deployment_statuses())


def string_list(field: str, value: object) -> list[str]:
    """``value`` if it is a non-empty list of non-empty strings.

    :raises SeedingError: for anything else, naming the first bad item by its index.
    """
    if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
        raise SeedingError(
            field, f"expected a non-empty list of strings, got {value!r}", value=value
        )
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise SeedingError(
                f"{field}[{index}]", f"expected a non-empty string, got {item!r}", value=item
            )
    return list(value)


def as_list(field: str, value: object) -> list[dict[str, Any]]:
    """A copy of a list of mappings; ``None`` is an empty list.

    :raises SeedingTypeError: for anything else.
    """
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise SeedingTypeError(field, f"expected a list of mappings, got {value!r}", value=value)
    return list(value)


def as_mapping(field: str, value: object) -> dict[str, Any] | None:
    """A shallow copy of a mapping; ``None`` stays ``None``.

    :raises SeedingTypeError: for anything else.
    """
    if value is None:
        return None
    if not isinstance(value, dict):
        raise SeedingTypeError(field, f"expected a mapping, got {value!r}", value=value)
    return dict(value)


def optional_task_definition(value: object) -> str | None:
    """A ``task_definition`` argument: a non-empty string (``family:revision`` or an ARN), or
    ``None``.

    :raises SeedingError: for anything else.
    """
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise SeedingError(
            "task_definition", f"expected 'family:revision' or an ARN, got {value!r}", value=value
        )
    return value


def task_definition_key(field: str, value: object) -> str:
    """``family:revision`` or ``family`` from a task definition reference (those, or an ARN).

    :raises SeedingError: not a non-empty string, or an ARN that names no task definition.
    """
    if not isinstance(value, str) or not value:
        raise SeedingError(
            field, f"expected 'family', 'family:revision' or an ARN, got {value!r}", value=value
        )
    if value.startswith("arn:"):
        _, marker, tail = value.partition(":task-definition/")
        if not marker or not tail:
            raise SeedingError(field, f"expected a task definition ARN, got {value!r}", value=value)
        return tail
    return value


def container_images(field: str, value: object) -> list[dict[str, str]] | None:
    """Container images for a revision, each with an ``imageDigest`` (derived when absent).

    :raises SeedingTypeError: ``value`` is not a list of mappings.
    :raises SeedingError: an item without a ``containerName`` or ``image`` string, named by its
        index (``container_images[1]``).
    """
    if value is None:
        return None
    images = []
    for index, item in enumerate(as_list(field, value)):
        name, image = item.get("containerName"), item.get("image")
        if not isinstance(name, str) or not isinstance(image, str) or not name or not image:
            raise SeedingError(
                f"{field}[{index}]",
                f"expected {{'containerName': str, 'image': str}}, got {item!r}",
                value=item,
            )
        digest = item.get("imageDigest") or image_digest(image)
        images.append({"containerName": name, "image": image, "imageDigest": str(digest)})
    return images
