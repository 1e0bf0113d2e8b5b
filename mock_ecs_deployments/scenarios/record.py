"""The ``record`` subcommand of ``mock-ecs-deployments``: read services' deployment history from
an ECS endpoint (AWS, with the user's credentials or profile, or a server of ours) and write it
as a scenario that a test loads to get the same answers.

It pages through ListServiceDeployments (``createdAt.after`` from ``--since``), describes the
deployments and then their revisions 20 at a time (the operations' limit), and writes what it
read in the format of ``dump_scenario`` (:mod:`.dump`). boto3 and rich are imported only when
the command runs; throttled calls are retried by botocore's standard retry mode.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from ..engine.deployments.lifecycle import Plan
from ..engine.model import clock
from ..engine.seeding.snapshot import DeploymentSnapshot, HookDetailFields
from .dump import scenario_format, write_scenario
from .entries import ScenarioData, ServiceEntry, deployment_entries
from .errors import ScenarioError
from .loader import build_scenario, parse_duration

if TYPE_CHECKING:  # boto3-stubs (of the test extra) and rich: for the types only
    from botocore.exceptions import ClientError
    from mypy_boto3_ecs.client import ECSClient
    from mypy_boto3_ecs.type_defs import ServiceDeploymentTypeDef, ServiceRevisionTypeDef
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

#: At most this many ARNs per DescribeServiceDeployments or DescribeServiceRevisions call.
DESCRIBE_BATCH = 20
PAGE_SIZE = 100
# Error codes that mean the credentials cannot read the service (AWS's common errors and
# those of temporary credentials).
ACCESS_ERRORS = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "NotAuthorized",
        "RequestExpired",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
    }
)


_Item = TypeVar("_Item")


class RecordError(Exception):
    """What stops a recording, as the one line the command prints."""


class Progress(Protocol):
    """What the recording reports its progress to: a bar on a terminal, else nothing."""

    def add_task(self, description: str, total: float | None = None) -> int:
        """Show a new task; returns its id. ``total``: the steps it takes, if known."""
        ...

    def update(
        self, task: int, *, total: float | None = None, completed: float | None = None
    ) -> None:
        """Change a task's total steps, or the steps it has completed."""
        ...

    def advance(self, task: int, amount: float = 1) -> None:
        """Count ``amount`` more steps of a task completed."""
        ...


def configure(parser: argparse.ArgumentParser, command: str) -> None:
    """Add the ``record`` options to ``parser``.

    :param parser: the subcommand's parser.
    :param command: the subcommand's name (``record``).
    """
    parser.add_argument("--cluster", required=True, help="the cluster's name or ARN")
    parser.add_argument(
        "--service",
        action="append",
        required=True,
        dest="services",
        metavar="SERVICE",
        help="a service's name or ARN (repeat for more)",
    )
    parser.add_argument("--region", help="default: the profile's or AWS_DEFAULT_REGION")
    parser.add_argument("--profile", help="an AWS profile (default: boto3's usual lookup)")
    parser.add_argument("--endpoint-url", help="another ECS endpoint, such as a server of ours")
    parser.add_argument(
        "--since",
        default="30d",
        help="only deployments created this long ago or later: 12h, 7d, 1d12h (default: 30d)",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the scenario to write: .yaml, .yml or .json",
    )


def run(args: argparse.Namespace, command: str) -> int:
    """Record and write the scenario; returns 0, or 1 with a one-line message on stderr (no
    credentials, access denied, a cluster or service not found, a bad option).

    :param args: the parsed arguments.
    :param command: the subcommand's name (``record``).
    """
    try:
        scenario_format(args.output)
        since = parse_duration(args.since)
        if since is None:
            raise RecordError(f"--since: {args.since!r} is not a duration such as 12h, 7d, 1d12h")
        with _progress(sys.stdout.isatty()) as progress:
            data = _record(args, clock.now() - since, progress)
        _check(data)
        write_scenario(data, args.output)
    except (RecordError, ValueError, OSError) as error:
        print(f"mock-ecs-deployments record: {_one_line(error)}", file=sys.stderr)
        return 1
    deployments = sum(len(service.get("deployments", ())) for service in data.get("services", ()))
    print(
        f"recorded {deployments} deployment{'' if deployments == 1 else 's'} of"
        f" {len(args.services)} service{'' if len(args.services) == 1 else 's'} to {args.output}"
    )
    return 0


def _record(args: argparse.Namespace, after: datetime, progress: Progress) -> ScenarioData:
    """What the endpoint says of each service, as scenario data."""
    import boto3
    import botocore.exceptions as failures
    from botocore.config import Config

    try:
        session = boto3.Session(profile_name=args.profile, region_name=args.region)
        ecs = session.client(
            "ecs", endpoint_url=args.endpoint_url, config=Config(retries={"mode": "standard"})
        )
        services: list[ServiceEntry] = []
        for service in args.services:
            try:
                services.append(_service(ecs, args.cluster, service, after, progress))
            except failures.ClientError as error:
                raise RecordError(
                    _client_error(error, args.cluster, service, ecs.meta.region_name)
                ) from None
        return {"services": services}
    except failures.NoCredentialsError:
        raise RecordError(
            "no AWS credentials: give --profile, or set AWS_PROFILE or AWS_ACCESS_KEY_ID and"
            " AWS_SECRET_ACCESS_KEY"
        ) from None
    except failures.ProfileNotFound:
        raise RecordError(f"the profile {args.profile!r} is not configured") from None
    except failures.NoRegionError:
        raise RecordError("no region: give --region, or set AWS_DEFAULT_REGION") from None
    except failures.BotoCoreError as error:  # an endpoint not reached, an expired SSO token...
        raise RecordError(str(error)) from None


def _client_error(error: ClientError, cluster: str, service: str, region: str) -> str:
    code = error.response.get("Error", {}).get("Code", "")
    message = error.response.get("Error", {}).get("Message", "")
    if code in ACCESS_ERRORS:
        return f"access denied ({code}): {message}"
    if code == "ClusterNotFoundException":
        return f"cluster {cluster!r} not found in {region}"
    if code == "ServiceNotFoundException":
        return f"service {service!r} not found in cluster {cluster!r} ({region})"
    return f"{error.operation_name}: {code}: {message}"


def _service(
    ecs: ECSClient, cluster: str, service: str, after: datetime, progress: Progress
) -> ServiceEntry:
    arns = _deployment_arns(ecs, cluster, service, after, progress)
    task = progress.add_task(f"describing {service}", total=len(arns))
    deployments = _described(
        arns,
        lambda batch: ecs.describe_service_deployments(serviceDeploymentArns=batch)[
            "serviceDeployments"
        ],
        lambda item: item.get("serviceDeploymentArn"),
        progress,
        task,
    )
    revision_arns: dict[str, None] = {}
    for item in deployments:
        revision_arns[item["targetServiceRevision"]["arn"]] = None
        revision_arns.update(
            dict.fromkeys(r["arn"] for r in item.get("sourceServiceRevisions", ()))
        )
    progress.update(task, total=len(arns) + len(revision_arns))
    revisions = {
        revision["serviceRevisionArn"]: revision
        for revision in _described(
            list(revision_arns),
            lambda batch: ecs.describe_service_revisions(serviceRevisionArns=batch)[
                "serviceRevisions"
            ],
            lambda item: item.get("serviceRevisionArn"),
            progress,
            task,
        )
    }
    return service_entry_from_answers(cluster, service, deployments, revisions)


def _deployment_arns(
    ecs: ECSClient, cluster: str, service: str, after: datetime, progress: Progress
) -> list[str]:
    """The ARNs of the service's deployments created after ``after``, oldest first."""
    task = progress.add_task(f"listing {service}", total=None)
    arns: list[str] = []
    token = None
    while True:
        if token:
            page = ecs.list_service_deployments(
                cluster=cluster,
                service=service,
                createdAt={"after": after},
                maxResults=PAGE_SIZE,
                nextToken=token,
            )
        else:
            page = ecs.list_service_deployments(
                cluster=cluster, service=service, createdAt={"after": after}, maxResults=PAGE_SIZE
            )
        arns.extend(item["serviceDeploymentArn"] for item in page["serviceDeployments"])
        progress.update(task, completed=len(arns))
        token = page.get("nextToken")
        if not token:
            progress.update(task, total=len(arns))
            return arns[::-1]  # listed newest first; a scenario lists them oldest first


def _described(
    arns: list[str],
    describe: Callable[[list[str]], list[_Item]],
    arn_of: Callable[[_Item], str | None],
    progress: Progress,
    task: int,
) -> list[_Item]:
    """What ``describe`` says of ``arns``, 20 at a time, in the order of ``arns``."""
    found: list[_Item] = []
    for start in range(0, len(arns), DESCRIBE_BATCH):
        batch = arns[start : start + DESCRIBE_BATCH]
        by_arn = {arn_of(item): item for item in describe(batch)}
        found.extend(by_arn[arn] for arn in batch if arn in by_arn)  # in the order asked
        progress.advance(task, len(batch))
    return found


# -- AWS's answers as a scenario ---------------------------------------------------------------


def service_entry_from_answers(
    cluster: str,
    service: str,
    deployments: list[ServiceDeploymentTypeDef],
    revisions: dict[str, ServiceRevisionTypeDef],
) -> ServiceEntry:
    """A service entry that reproduces ``deployments`` (DescribeServiceDeployments items,
    oldest first) and their ``revisions`` (DescribeServiceRevisions items by ARN). The
    service's own settings are those of its newest deployment and revision (a platform version
    or network configuration only when every revision has one)."""
    recorded_ids = {_revision_id(item["targetServiceRevision"]["arn"]) for item in deployments}
    snapshots = [snapshot_from_answers(item, revisions, recorded_ids) for item in deployments]
    entry: ServiceEntry = {
        "cluster": cluster.rsplit("/", 1)[-1],
        "service": service.rsplit("/", 1)[-1],
    }
    if snapshots:
        newest = snapshots[-1]
        if newest.desired_count not in (None, 1):
            entry["desired_count"] = newest.desired_count
        if newest.capacity_provider_strategy:
            entry["capacity_provider_strategy"] = newest.capacity_provider_strategy
        elif newest.launch_type not in (None, "FARGATE"):
            entry["launch_type"] = newest.launch_type
        if newest.task_definition is not None:
            entry["task_definition"] = newest.task_definition
        # A deployment can give a setting the service lacks, not drop one it has: the service
        # has it only if every revision does.
        platform = newest.platform_version
        if platform is not None and all(s.platform_version is not None for s in snapshots):
            entry["platform_version"] = platform
        network = newest.network_configuration
        if network is not None and all(s.network_configuration is not None for s in snapshots):
            entry["network_configuration"] = network
        if newest.load_balancers:
            entry["load_balancers"] = newest.load_balancers
        if newest.service_registries:
            entry["service_registries"] = newest.service_registries
        if newest.deployment_configuration:
            entry["deployment_configuration"] = newest.deployment_configuration
    entry["deployments"] = deployment_entries(entry, snapshots)
    return entry


def snapshot_from_answers(
    item: ServiceDeploymentTypeDef,
    revisions: dict[str, ServiceRevisionTypeDef],
    recorded_ids: set[int],
) -> DeploymentSnapshot:
    """One DescribeServiceDeployments item (and its target revision, from ``revisions``) as a
    snapshot, every field given that the answers tell; ``recorded_ids`` are the revisions the
    recording holds, the only sources a scenario can name."""
    target = item["targetServiceRevision"]["arn"]
    revision = revisions.get(target, {})
    status = item["status"]
    hooks: list[HookDetailFields] = []
    for hook in item.get("lifecycleHookDetails", ()):
        detail: HookDetailFields = {"hook_id": hook["hookId"], "status": hook["status"]}
        if "expiresAt" in hook:
            detail["expires_at"] = hook["expiresAt"]
        hooks.append(detail)
    # Only a deployment that follows a plan waits at a hook: this one goes on at once when
    # the hook is answered, or as the hook's timeout says.
    awaiting = any(hook["status"] == "AWAITING_ACTION" for hook in hooks)
    # A source made by a deployment older than --since is not in the scenario: left out.
    sources = [_revision_id(source["arn"]) for source in item.get("sourceServiceRevisions", ())]
    network = revision.get("networkConfiguration")
    return DeploymentSnapshot(
        service=item["serviceArn"].rsplit("/", 1)[-1],
        status=None if awaiting else status,
        created_at=item["createdAt"],
        started_at=item.get("startedAt"),
        finished_at=item.get("finishedAt"),
        status_reason=item.get("statusReason"),
        task_definition=revision.get("taskDefinition"),
        plan=Plan() if awaiting else None,
        source_revisions=[source for source in sources if source in recorded_ids],
        container_images=[
            {key: str(value) for key, value in image.items()}
            for image in revision.get("containerImages", ())
        ]
        or None,
        deployment_configuration=dict(item.get("deploymentConfiguration", {})),
        id=item["serviceDeploymentArn"].rsplit("/", 1)[-1],
        revision_id=_revision_id(target),
        desired_count=_desired_count(item),
        launch_type=revision.get("launchType"),
        capacity_provider_strategy=[dict(s) for s in revision.get("capacityProviderStrategy", ())],
        platform_version=revision.get("platformVersion"),
        network_configuration=None if network is None else dict(network),
        load_balancers=[dict(balancer) for balancer in revision.get("loadBalancers", ())],
        service_registries=[dict(registry) for registry in revision.get("serviceRegistries", ())],
        plan_status=status if awaiting else None,
        never_started="startedAt" not in item and status != "PENDING",
        updated_at=item.get("updatedAt"),
        lifecycle_stage=item.get("lifecycleStage"),
        lifecycle_hook_details=hooks,
        rollback_started_at=item.get("rollback", {}).get("startedAt"),
        circuit_breaker_triggered=item.get("deploymentCircuitBreaker", {}).get("status")
        == "TRIGGERED",
        triggered_alarm_names=list(item.get("alarms", {}).get("triggeredAlarmNames", [])) or None,
    )


def _revision_id(arn: str) -> int:
    return int(arn.rsplit("/", 1)[-1])


def _desired_count(item: ServiceDeploymentTypeDef) -> int:
    """The desired count the task counts and the circuit breaker's threshold imply."""
    status = item["status"]
    sources = item.get("sourceServiceRevisions") or []
    if status in ("SUCCESSFUL", "IN_PROGRESS"):
        return int(item["targetServiceRevision"].get("requestedTaskCount", 1))
    if sources:
        return int(sources[0].get("requestedTaskCount", 1))
    # The threshold is half the desired count, rounded up, within 3 to 200; below 7 any
    # count shows the same.
    threshold = int(item.get("deploymentCircuitBreaker", {}).get("threshold", 3))
    return 1 if threshold <= 3 else 2 * threshold


def _check(data: ScenarioData) -> None:
    """Refuse to write a scenario that would not load (a hook its configuration lacks...)."""
    try:
        build_scenario(data)
    except ScenarioError as error:
        raise RecordError(f"what was read does not make a scenario: {error}") from None


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


class _Quiet:
    """A progress display that shows nothing (stdout is not a terminal)."""

    def add_task(self, description: str, total: float | None = None) -> int:
        return 0

    def update(
        self, task: int, *, total: float | None = None, completed: float | None = None
    ) -> None:
        pass

    def advance(self, task: int, amount: float = 1) -> None:
        pass


class _Bar:
    """rich's progress bar, as :class:`Progress`."""

    def __init__(self, progress: RichProgress) -> None:
        self.progress = progress

    def add_task(self, description: str, total: float | None = None) -> int:
        return self.progress.add_task(description, total=total)

    def update(
        self, task: int, *, total: float | None = None, completed: float | None = None
    ) -> None:
        self.progress.update(cast("TaskID", task), total=total, completed=completed)

    def advance(self, task: int, amount: float = 1) -> None:
        self.progress.advance(cast("TaskID", task), amount)


@contextmanager
def _progress(shown: bool) -> Iterator[Progress]:
    if not shown:
        yield _Quiet()
        return
    from rich.progress import Progress as RichProgress  # only here: imported when a bar is drawn

    with RichProgress(transient=True) as progress:
        yield _Bar(progress)


__all__ = [
    "DESCRIBE_BATCH",
    "Progress",
    "RecordError",
    "configure",
    "run",
    "service_entry_from_answers",
    "snapshot_from_answers",
]
