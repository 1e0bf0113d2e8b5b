"""ARN and id builders and parsers for clusters, services, deployments and revisions."""

from __future__ import annotations

import hashlib
import re
import string
import uuid
from dataclasses import dataclass

from .randomness import random_source

#: The account every request is answered as when nothing says otherwise (moto's default).
DEFAULT_ACCOUNT_ID = "123456789012"

_ID_ALPHABET = string.ascii_letters + string.digits + "_-"
_REVISION_ID_LIMIT = 2**63

_PARTITIONS = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-isof-", "aws-iso-f"),
)

_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):ecs:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):"
    r"(?P<kind>cluster|service|service-deployment|service-revision|task|daemon|daemon-deployment"
    r"|daemon-revision|daemon-task-definition|capacity-provider)/(?P<path>.+)$"
)


def partition_for(region: str) -> str:
    """The ARN partition of a region: ``aws``, ``aws-cn``, ``aws-us-gov`` and the ISO ones."""
    for prefix, partition in _PARTITIONS:
        if region.startswith(prefix):
            return partition
    return "aws"


def _prefix(region: str, account_id: str) -> str:
    return f"arn:{partition_for(region)}:ecs:{region}:{account_id}"


def cluster_arn(region: str, account_id: str, cluster: str) -> str:
    """``arn:<partition>:ecs:<region>:<account>:cluster/<cluster>``."""
    return f"{_prefix(region, account_id)}:cluster/{cluster}"


def service_arn(region: str, account_id: str, cluster: str, service: str) -> str:
    """The long ARN form AWS uses today: ``...:service/<cluster>/<service>``."""
    return f"{_prefix(region, account_id)}:service/{cluster}/{service}"


def service_deployment_arn(
    region: str, account_id: str, cluster: str, service: str, deployment_id: str
) -> str:
    """``...:service-deployment/<cluster>/<service>/<deployment id>``."""
    return f"{_prefix(region, account_id)}:service-deployment/{cluster}/{service}/{deployment_id}"


def service_revision_arn(
    region: str, account_id: str, cluster: str, service: str, revision_id: int
) -> str:
    """``...:service-revision/<cluster>/<service>/<19-digit revision id>``."""
    return (
        f"{_prefix(region, account_id)}:service-revision/{cluster}/{service}/"
        f"{format_revision_id(revision_id)}"
    )


def task_definition_arn(region: str, account_id: str, task_definition: str) -> str:
    """``family:revision`` (or a full ARN, returned as it is) as a task definition ARN."""
    if task_definition.startswith("arn:"):
        return task_definition
    return f"{_prefix(region, account_id)}:task-definition/{task_definition}"


def daemon_arn(region: str, account_id: str, cluster: str, daemon: str) -> str:
    """``...:daemon/<cluster>/<daemon>``."""
    return f"{_prefix(region, account_id)}:daemon/{cluster}/{daemon}"


def daemon_child_arn(
    kind: str, region: str, account_id: str, cluster: str, daemon: str, identifier: str
) -> str:
    """``...:<kind>/<cluster>/<daemon>/<id>``: a ``daemon-deployment`` or ``daemon-revision``."""
    return f"{_prefix(region, account_id)}:{kind}/{cluster}/{daemon}/{identifier}"


def daemon_task_definition_arn(region: str, account_id: str, family: str, revision: int) -> str:
    """``...:daemon-task-definition/<family>:<revision>``."""
    return f"{_prefix(region, account_id)}:daemon-task-definition/{family}:{revision}"


def capacity_provider_arn(region: str, account_id: str, name: str) -> str:
    """``...:capacity-provider/<name>``."""
    return f"{_prefix(region, account_id)}:capacity-provider/{name}"


def task_arn(region: str, account_id: str, cluster: str, task_id: str) -> str:
    """``...:task/<cluster>/<32 hexadecimal digits>``."""
    return f"{_prefix(region, account_id)}:task/{cluster}/{task_id}"


def task_id(owner_arn: str, number: int) -> str:
    """The id of the ``number``-th task of the service ``owner_arn``: 32 lower-case
    hexadecimal digits, the same in every run, drawn from no random source (so tasks made
    or not made never change the ids the mock draws for anything else)."""
    return hashlib.blake2b(f"{owner_arn}#{number}".encode(), digest_size=16).hexdigest()


def format_revision_id(revision_id: int) -> str:
    """A revision id as AWS writes it: 19 decimal digits, zero-padded."""
    return f"{revision_id:019d}"


def new_deployment_id() -> str:
    """A fresh 21-character deployment id (from moto's seedable random source when moto is
    loaded)."""
    return "".join(random_source().choices(_ID_ALPHABET, k=21))


def new_revision_id() -> int:
    """A fresh revision id below 2**63 (from moto's seedable random source when loaded)."""
    return int(random_source().randrange(10**17, _REVISION_ID_LIMIT))


def new_uuid() -> str:
    """A fresh version-4 UUID (a daemon revision's id), from the seedable random source."""
    return str(uuid.UUID(int=random_source().getrandbits(128), version=4))


def new_hook_id() -> str:
    """A fresh PAUSE hook id: ``ecs-pause-`` and 43 id characters."""
    return "ecs-pause-" + "".join(random_source().choices(_ID_ALPHABET, k=43))


@dataclass(frozen=True, slots=True)
class ParsedArn:
    """The parts of an ECS ARN the mock understands."""

    partition: str
    region: str
    account_id: str
    kind: str
    parts: tuple[str, ...]


def parse_arn(value: str) -> ParsedArn | None:
    """Split an ECS ARN of a kind the mock holds (cluster, service, its deployments and
    revisions, task, daemon, its deployments and revisions, daemon task definition, capacity
    provider); ``None`` if it is not one."""
    match = _ARN.match(value)
    if match is None:
        return None
    parts = tuple(match["path"].split("/"))
    if any(not part for part in parts):
        return None
    return ParsedArn(match["partition"], match["region"], match["account"], match["kind"], parts)


def own_parts(
    value: str, kind: str, region: str, account_id: str, count: int
) -> tuple[str, ...] | None:
    """The ``count`` parts after ``<kind>/`` of an ECS ARN of ``kind`` in this account and
    region (and its partition); ``None`` for anything else."""
    parsed = parse_arn(value)
    if (
        parsed is None
        or parsed.kind != kind
        or len(parsed.parts) != count
        or (parsed.region, parsed.account_id) != (region, account_id)
        or parsed.partition != partition_for(region)
    ):
        return None
    return parsed.parts
