"""The ``record`` subcommand of ``mock-ecs-deployments``: read the deployment history of services
and managed daemons from an ECS endpoint (AWS, with the user's credentials or profile, or a
server of ours) and write it as a scenario that a test loads to get the same answers.

A service's history is read through ListServiceDeployments (``createdAt.after`` from
``--since``, newest first), then DescribeServiceDeployments and DescribeServiceRevisions 20 ARNs
at a time (the operations' limit). A daemon's is read the same way through
ListDaemonDeployments, DescribeDaemonDeployments and DescribeDaemonRevisions (the two kinds'
operations and keys differ only by their noun, so one reader serves both), then DescribeDaemon
for the daemon itself and DescribeDaemonTaskDefinition for each task definition its revisions
name. What was read is written in the format of ``dump_scenario`` (:mod:`.dump`): services as
:func:`service_entry_from_answers` makes them; daemons as
:func:`~..engine.seeding.daemon_restoring.daemon_entry` writes them, with the daemon task
definitions and capacity providers they need.

A daemon's current deployment (the one DescribeDaemon names) is recorded even when it is older
than ``--since``: DescribeDaemon answers from it, and the daemon's settings are read from it.
A daemon deployment is written as it stood when it was read: no plan and no next step, so one
still under way stays as it was once loaded (the answers do not tell what it would do next).
boto3 and rich are imported only when the command runs; throttled calls are retried by
botocore's standard retry mode.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from ..engine.deployments.lifecycle import Plan
from ..engine.model import clock
from ..engine.model.arns import parse_arn
from ..engine.model.clock import to_ms
from ..engine.model.daemon_records import (
    Daemon,
    DaemonDeployment,
    DaemonRevision,
    DaemonTaskDefinition,
    Placement,
)
from ..engine.seeding import daemon_restoring
from ..engine.seeding.snapshot import DeploymentSnapshot, HookDetailFields
from .dump import daemon_task_definition_entry, dated, scenario_format, write_scenario
from .entries import ScenarioData, ServiceEntry, deployment_entries
from .errors import ScenarioError
from .loader import build_scenario, parse_duration

if TYPE_CHECKING:  # boto3-stubs (of the test extra) and rich: for the types only
    from botocore.exceptions import ClientError
    from mypy_boto3_ecs.client import ECSClient
    from mypy_boto3_ecs.type_defs import (
        DaemonDeploymentTypeDef,
        DaemonDetailTypeDef,
        DaemonRevisionTypeDef,
        DaemonTaskDefinitionTypeDef,
        ServiceDeploymentTypeDef,
        ServiceRevisionTypeDef,
    )
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

#: At most this many ARNs per Describe{Service,Daemon}{Deployments,Revisions} call.
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
#: The error code of a record not found, by the kind of record it names.
NOT_FOUND = {"ServiceNotFoundException": "service", "DaemonNotFoundException": "daemon"}
# The statuses a daemon deployment reaches through STOP_REQUESTED (its stoppedAt is when).
_STOPPING = frozenset(
    {"STOP_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"}
)


_Item = TypeVar("_Item")


class RecordError(Exception):
    """What stops a recording, as the one line the command prints."""


class RecordedScenario(ScenarioData, total=False):
    """What ``record`` writes: services, and daemons with what they need."""

    capacity_providers: list[dict[str, object]]
    daemon_task_definitions: list[dict[str, object]]
    daemons: list[dict[str, Any]]


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
    for noun, what in (("service", "a service's"), ("daemon", "a managed daemon's")):
        parser.add_argument(
            f"--{noun}",
            action="append",
            default=[],
            dest=f"{noun}s",
            metavar=noun.upper(),
            help=f"{what} name (in --cluster) or ARN (repeat for more)",
        )
    parser.add_argument(
        "--all-daemons",
        action="store_true",
        help="every daemon ListDaemons lists in --cluster",
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
    credentials, access denied, a cluster, service or daemon not found, a bad option).

    :param args: the parsed arguments.
    :param command: the subcommand's name (``record``).
    """
    try:
        if not (args.services or args.daemons or args.all_daemons):
            raise RecordError("nothing to record: give --service, --daemon or --all-daemons")
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
    print(f"recorded {_summary(args.services, data)} to {args.output}")
    return 0


def _summary(services: Sequence[str], data: RecordedScenario) -> str:
    """``7 deployments of 2 services and 3 deployments of 1 daemon``: what was recorded."""
    parts = []
    if services:
        deployments = sum(len(entry.get("deployments", ())) for entry in data.get("services", ()))
        parts.append(f"{_count(deployments, 'deployment')} of {_count(len(services), 'service')}")
    if "daemons" in data:
        daemons = data["daemons"]
        deployments = sum(len(entry.get("deployments", ())) for entry in daemons)
        parts.append(f"{_count(deployments, 'deployment')} of {_count(len(daemons), 'daemon')}")
    return " and ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _record(args: argparse.Namespace, after: datetime, progress: Progress) -> RecordedScenario:
    """What the endpoint says of each service and daemon, as scenario data."""
    import boto3
    import botocore.exceptions as failures
    from botocore.config import Config

    try:
        session = boto3.Session(profile_name=args.profile, region_name=args.region)
        ecs = session.client(
            "ecs", endpoint_url=args.endpoint_url, config=Config(retries={"mode": "standard"})
        )
        reader = _Reader(ecs, args.cluster, after, progress)
        data: RecordedScenario = {"services": [reader.service(name) for name in args.services]}
        if args.daemons or args.all_daemons:
            daemons = [reader.daemon(arn) for arn in reader.daemon_arns(args)]
            data.update(daemon_signals(daemons, reader.task_definitions(daemons)))
        return data
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


def _client_error(error: ClientError, cluster: str, kind: str, name: str, region: str) -> str:
    code = _code(error)
    message = error.response.get("Error", {}).get("Message", "")
    if code in ACCESS_ERRORS:
        return f"access denied ({code}): {message}"
    if code == "ClusterNotFoundException":
        return f"cluster {cluster!r} not found in {region}"
    # ListDaemonDeployments declares no DaemonNotFoundException: it answers ClientException.
    unknown_daemon = (code, error.operation_name) == ("ClientException", "ListDaemonDeployments")
    if NOT_FOUND.get(code) == kind or (kind == "daemon" and unknown_daemon):
        return f"{kind} {name!r} not found in cluster {cluster!r} ({region})"
    return f"{error.operation_name}: {code}: {message}"


def _code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


class _Reader:
    """Reads one endpoint's answers: ``cluster`` as the command was given it, deployments
    created after ``after``."""

    def __init__(self, ecs: ECSClient, cluster: str, after: datetime, progress: Progress):
        self.ecs = ecs
        self.cluster = cluster
        self.after = after
        self.progress = progress

    @contextmanager
    def told(self, kind: str, name: str, cluster: str | None = None) -> Iterator[None]:
        """An error the endpoint answers while reading ``name`` (a ``kind``), as the one line
        the command prints."""
        from botocore.exceptions import ClientError

        try:
            yield
        except ClientError as error:
            region = self.ecs.meta.region_name
            message = _client_error(error, cluster or self.cluster, kind, name, region)
            raise RecordError(message) from None

    # -- shared by services and daemons ----------------------------------------------------

    def listed(self, label: str, call: Callable[..., Any], key: str, **params: Any) -> list[Any]:
        """Every item of ``key`` on every page ``call(**params)`` answers, in the order given."""
        task = self.progress.add_task(f"listing {label}", total=None)
        items: list[Any] = []
        token = None
        while True:
            page: Mapping[str, Any] = call(**params, **({"nextToken": token} if token else {}))
            items.extend(page[key])
            self.progress.update(task, completed=len(items))
            token = page.get("nextToken")
            if not token:
                self.progress.update(task, total=len(items))
                return items

    def history(
        self, noun: str, label: str, oldest: str | None = None, **params: Any
    ) -> tuple[list[Any], dict[str, Any]]:
        """A ``noun``'s deployments created after ``after`` (oldest first, ``oldest`` before
        them when they do not include it) and the revisions they name, by ARN: what
        List{Noun}Deployments, Describe{Noun}Deployments and Describe{Noun}Revisions answer."""
        kind = noun.capitalize()
        listed = self.listed(
            label,
            getattr(self.ecs, f"list_{noun}_deployments"),
            f"{noun}Deployments",
            createdAt={"after": self.after},
            maxResults=PAGE_SIZE,
            **params,
        )
        deployment_arns = [item[f"{noun}DeploymentArn"] for item in listed][::-1]
        if oldest is not None and oldest not in deployment_arns:
            deployment_arns.insert(0, oldest)  # created before --since: older than them all
        task = self.progress.add_task(f"describing {label}", total=len(deployment_arns))
        deployments = self.described(noun, "Deployment", deployment_arns, task)
        revision_arns: dict[str, None] = {}
        for item in deployments:
            revision_arns.update(dict.fromkeys(_named_revisions(item, kind)))
        self.progress.update(task, total=len(deployment_arns) + len(revision_arns))
        revisions = self.described(noun, "Revision", list(revision_arns), task)
        return deployments, {item[f"{noun}RevisionArn"]: item for item in revisions}

    def described(self, noun: str, what: str, arns: list[str], task: int) -> list[Any]:
        """What Describe{Noun}{What}s says of ``arns``, 20 at a time, in the order of ``arns``."""
        describe = getattr(self.ecs, f"describe_{noun}_{what.lower()}s")
        plural, key = f"{noun}{what}s", f"{noun}{what}Arn"
        return _described(
            arns,
            lambda batch: cast("list[Any]", describe(**{f"{noun}{what}Arns": batch})[plural]),
            lambda item: cast("str | None", item.get(key)),
            self.progress,
            task,
        )

    # -- services --------------------------------------------------------------------------

    def service(self, service: str) -> ServiceEntry:
        """The service's history as a service entry."""
        with self.told("service", service):
            deployments, revisions = self.history(
                "service", service, cluster=self.cluster, service=service
            )
        return service_entry_from_answers(self.cluster, service, deployments, revisions)

    # -- daemons ---------------------------------------------------------------------------

    def daemon_arns(self, args: argparse.Namespace) -> list[str]:
        """The ARNs of the daemons ``--daemon`` names (a name in ``--cluster`` through
        ListDaemons) and, for ``--all-daemons``, of every daemon ListDaemons lists there."""
        listed: list[str] = []
        if args.all_daemons or any(not name.startswith("arn:") for name in args.daemons):
            with self.told("cluster", self.cluster):
                summaries = self.listed(
                    f"daemons in {self.cluster}",
                    self.ecs.list_daemons,
                    "daemonSummariesList",
                    clusterArn=self.cluster,
                    maxResults=PAGE_SIZE,
                )
            listed = [summary["daemonArn"] for summary in summaries]
        cluster = self.cluster.rsplit("/", 1)[-1]
        chosen = dict.fromkeys(listed if args.all_daemons else ())
        for reference in args.daemons:
            if reference.startswith("arn:"):
                chosen[reference] = None
                continue
            found = [arn for arn in listed if _arn_parts(arn) == ("daemon", cluster, reference)]
            if not found:
                region = self.ecs.meta.region_name
                raise RecordError(
                    f"daemon {reference!r} not found in cluster {self.cluster!r} ({region})"
                )
            chosen[found[0]] = None
        return list(chosen)

    def daemon(self, daemon_arn: str) -> Daemon:
        """The daemon's history, read back into the records a dump is written from."""
        parts = _arn_parts(daemon_arn)
        cluster = parts[1] if len(parts) == 3 and parts[0] == "daemon" else None
        detail: DaemonDetailTypeDef | None = None
        with self.told("daemon", daemon_arn, cluster):
            # Not found: deleted (its deployments are still listed), or never was (listing
            # them says so).
            with suppress(self.ecs.exceptions.DaemonNotFoundException):
                detail = self.ecs.describe_daemon(daemonArn=daemon_arn)["daemon"]
            deployments, revisions = self.history(
                "daemon",
                daemon_arn.rsplit("/", 1)[-1],
                None if detail is None else detail.get("deploymentArn"),
                daemonArn=daemon_arn,
            )
        return daemon_from_answers(daemon_arn, detail, deployments, revisions)

    def task_definitions(self, daemons: Sequence[Daemon]) -> list[DaemonTaskDefinition]:
        """Every revision, from 1 on, of each daemon task definition family the daemons'
        revisions name, as DescribeDaemonTaskDefinition answers (a scenario registers a
        family's revisions in order). A revision no revision names that cannot be described
        (deleted long ago) stands in as a DELETED copy of the next one."""
        highest: dict[str, int] = {}  # the family's ARN without ":<revision>", by first use
        for daemon in daemons:
            for revision in daemon.revisions.values():
                family, _, text = revision.task_definition_arn.rpartition(":")
                highest[family] = max(highest.get(family, 0), int(text))
        named = {r.task_definition_arn for daemon in daemons for r in daemon.revisions.values()}
        task = self.progress.add_task("describing daemon task definitions", sum(highest.values()))
        found: list[DaemonTaskDefinition] = []
        for family, top in highest.items():
            revisions: list[DaemonTaskDefinition] = []
            for number in range(top, 0, -1):
                arn = f"{family}:{number}"
                later = None if arn in named or not revisions else revisions[-1]
                revisions.append(self.task_definition(arn, number, later))
                self.progress.advance(task)
            found.extend(reversed(revisions))
        return found

    def task_definition(
        self, arn: str, number: int, later: DaemonTaskDefinition | None
    ) -> DaemonTaskDefinition:
        """What DescribeDaemonTaskDefinition says of ``arn``; when it cannot describe it and
        ``later`` is given, a DELETED copy of ``later`` numbered ``number``."""
        from botocore.exceptions import ClientError

        with self.told("daemon task definition", arn):
            try:
                answer = self.ecs.describe_daemon_task_definition(daemonTaskDefinition=arn)
            except ClientError as error:
                if later is None or _code(error) != "ClientException":
                    raise
                return replace(later, revision=number, status="DELETED", delete_requested_ms=None)
        return _task_definition(answer["daemonTaskDefinition"])


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


def _named_revisions(item: Mapping[str, Any], kind: str) -> Iterator[str]:
    """The ARNs of the revisions a Describe{Kind}Deployments item names: its target, its
    sources, a daemon's rollback target."""
    target = item.get(f"target{kind}Revision")
    if target is not None:
        yield target["arn"]
    yield from (source["arn"] for source in item.get(f"source{kind}Revisions", ()))
    rollback_target = item.get("rollback", {}).get("rollbackTargetDaemonRevisionArn")
    if rollback_target is not None:
        yield rollback_target


def _arn_parts(arn: str) -> tuple[str, ...]:
    """An ECS ARN's kind and path (``("daemon", "prod", "agent")``); ``()`` for anything
    else."""
    parsed = parse_arn(arn)
    return () if parsed is None else (parsed.kind, *parsed.parts)


# -- AWS's answers as a scenario: services ------------------------------------------------------


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


# -- AWS's answers as a scenario: daemons -------------------------------------------------------


def daemon_from_answers(
    daemon_arn: str,
    detail: DaemonDetailTypeDef | None,
    deployments: list[DaemonDeploymentTypeDef],
    revisions: dict[str, DaemonRevisionTypeDef],
) -> Daemon:
    """The records of a daemon that reproduce ``deployments`` (DescribeDaemonDeployments
    items, oldest first) and ``revisions`` (DescribeDaemonRevisions items by ARN), as
    :func:`~..engine.seeding.daemon_restoring.daemon_entry` writes them down.

    The daemon's settings are those of its newest deployment and the revision it deploys (or,
    for one that only drains, the revision it drains); its status and times DescribeDaemon's
    ``detail``. ``detail`` is ``None`` for a daemon that is gone: DELETED, created when its
    oldest recorded deployment was and updated when its newest was.

    :raises RecordError: a revision named but not described, or no revision named at all.
    """
    parsed = parse_arn(daemon_arn)
    if parsed is None or parsed.kind != "daemon" or len(parsed.parts) != 2:
        raise RecordError(f"{daemon_arn!r} is not a daemon ARN")
    record = Daemon(parsed.region, parsed.account_id, *parsed.parts, 0, 0, "", ())
    for item in sorted(revisions.values(), key=lambda revision: revision["createdAt"]):
        identifier = item["daemonRevisionArn"].rsplit("/", 1)[-1]
        record.revisions[identifier] = DaemonRevision(
            record,
            identifier,
            item["daemonTaskDefinitionArn"],
            to_ms(item["createdAt"]),
            [
                {key: str(value) for key, value in image.items()}
                for image in item.get("containerImages", ())
            ],
            item.get("propagateTags", "NONE"),
            item.get("enableECSManagedTags", False),
            item.get("enableExecuteCommand", False),
            item.get("critical", True),
        )
    record.deployments = [_daemon_deployment(record, item) for item in deployments]
    record.by_id = {deployment.id: deployment for deployment in record.deployments}
    newest, revision = _settings_of(record)
    record.task_definition_arn = revision.task_definition_arn
    record.capacity_provider_arns = newest.capacity_providers
    record.deployment_configuration = dict(newest.configuration)
    record.propagate_tags = revision.propagate_tags
    record.enable_ecs_managed_tags = revision.enable_ecs_managed_tags
    record.enable_execute_command = revision.enable_execute_command
    record.critical = revision.critical
    for deployment in record.deployments:
        # One that drains nothing names no capacity provider: its daemon's are where it ran.
        deployment.capacity_providers = (
            deployment.capacity_providers or record.capacity_provider_arns
        )
    if detail is None:
        record.status = "DELETED"
        record.created_ms = record.deployments[0].created_ms
        record.updated_ms = record.deployments[-1].created_ms
    else:
        record.status = detail["status"]
        record.created_ms = to_ms(detail["createdAt"])
        record.updated_ms = _ms(detail.get("updatedAt"))
    return record


def _settings_of(record: Daemon) -> tuple[DaemonDeployment, DaemonRevision]:
    """The newest deployment that names a revision, and that revision (its target, else the
    first it drains): where the daemon's settings are read from.

    :raises RecordError: no deployment recorded names one.
    """
    for deployment in reversed(record.deployments):
        revision = deployment.target or next(iter(deployment.sources), None)
        if revision is not None:
            return deployment, revision
    raise RecordError(
        f"daemon {record.name!r} in cluster {record.cluster!r}: the deployments recorded name"
        " no revision to take its settings from; give a longer --since"
    )


def _daemon_deployment(record: Daemon, item: DaemonDeploymentTypeDef) -> DaemonDeployment:
    """One DescribeDaemonDeployments item as a deployment record that stands as it is: the
    instances of each revision detail (running, draining, without the daemon) where they
    were."""

    def revision(arn: str) -> DaemonRevision:
        found = record.revisions.get(arn.rsplit("/", 1)[-1])
        if found is None:
            raise RecordError(f"daemon revision {arn!r} was named, but not described")
        return found

    target_detail = item.get("targetDaemonRevision")
    sources = item.get("sourceDaemonRevisions", [])
    details = [*([target_detail] if target_detail else []), *sources]
    instances: dict[str, int] = {}
    running: dict[Placement, int] = {}
    draining: dict[Placement, int] = {}
    for detail in details:
        identifier = detail["arn"].rsplit("/", 1)[-1]
        for provider in detail.get("capacityProviders", ()):
            cp = provider["arn"]
            ran = provider.get("runningInstanceCount", 0)
            drains = provider.get("drainingInstanceCount", 0)
            instances[cp] = ran + drains + provider.get("withoutDaemonInstanceCount", 0)
            if ran:
                running[(identifier, cp)] = ran
            if drains:
                draining[(identifier, cp)] = drains
    target = None if target_detail is None else revision(target_detail["arn"])
    status = item["status"]
    breaker = item.get("circuitBreaker", {})
    rollback = item.get("rollback", {})
    rollback_target = rollback.get("rollbackTargetDaemonRevisionArn")
    deployment = DaemonDeployment(
        record,
        item["daemonDeploymentArn"].rsplit("/", 1)[-1],
        0,
        to_ms(item["createdAt"]),
        target,
        [revision(detail["arn"]) for detail in sources],
        _deployed_to(status, target, instances, running),
        dict(item.get("deploymentConfiguration", {})),
        status=status,
        status_reason=item.get("statusReason"),
        started_ms=_ms(item.get("startedAt")),
        stopped_ms=_ms(item.get("stoppedAt")),
        finished_ms=_ms(item.get("finishedAt")),
        instances=instances,
        running=running,
        draining=draining,
        failure_count=breaker.get("failureCount", 0),
        threshold=breaker.get("threshold", 3),
        breaker_triggered=breaker.get("status") == "TRIGGERED",
        rollback_started_ms=_ms(rollback.get("startedAt")),
        rollback_reason=rollback.get("reason"),
        rollback_target=None if rollback_target is None else revision(rollback_target),
    )
    # Why it stopped moving forward: its rollback's reason, or, while it stops, its own.
    deployment.outcome_reason = deployment.rollback_reason or (
        deployment.status_reason if status == "STOP_REQUESTED" else None
    )
    deployment.history = _daemon_history(deployment)
    deployment.updated_ms = deployment.history[-1][0]
    return deployment


def _deployed_to(
    status: str,
    target: DaemonRevision | None,
    instances: dict[str, int],
    running: dict[Placement, int],
) -> tuple[str, ...]:
    """The capacity providers a deployment deploys its target to. The answers name every one
    it moves instances of; once it has succeeded, one whose instances its target does not run
    is one it only drained (the daemon moved off it)."""
    if target is None or status != "SUCCESSFUL":
        return tuple(instances)
    kept = tuple(cp for cp, count in instances.items() if not count or running.get((target.id, cp)))
    return kept or tuple(instances)


def _daemon_history(deployment: DaemonDeployment) -> list[tuple[int, str]]:
    """The statuses a deployment passed through and when, as its times tell them."""
    moments = [(deployment.created_ms, "PENDING")]
    if deployment.started_ms is not None:
        moments.append((deployment.started_ms, "IN_PROGRESS"))
    if deployment.stopped_ms is not None and deployment.status in _STOPPING:
        moments.append((deployment.stopped_ms, "STOP_REQUESTED"))
    if deployment.rollback_started_ms is not None:
        moments.append((deployment.rollback_started_ms, "ROLLBACK_IN_PROGRESS"))
    if deployment.finished_ms is not None:
        moments.append((deployment.finished_ms, deployment.status))
    return moments


def _ms(moment: datetime | None) -> int | None:
    return None if moment is None else to_ms(moment)


def _task_definition(item: DaemonTaskDefinitionTypeDef) -> DaemonTaskDefinition:
    """A DescribeDaemonTaskDefinition answer as the record a dump writes."""
    return DaemonTaskDefinition(
        "",
        "",
        item["family"],
        item["revision"],
        [dict(container) for container in item.get("containerDefinitions", ())],
        to_ms(item["registeredAt"]),
        item.get("registeredBy", ""),
        cpu=item.get("cpu"),
        memory=item.get("memory"),
        status=item.get("status", "ACTIVE"),
        delete_requested_ms=_ms(item.get("deleteRequestedAt")),
    )


def daemon_signals(
    daemons: Sequence[Daemon], definitions: Iterable[DaemonTaskDefinition]
) -> RecordedScenario:
    """A scenario's ``capacity_providers``, ``daemon_task_definitions`` and ``daemons``, as
    ``dump_scenario`` writes them: each capacity provider with the most instances a recorded
    deployment counted on it, in the cluster of the first daemon that runs on it."""
    providers: dict[str, dict[str, object]] = {}
    entries = []
    for daemon in daemons:
        for deployment in daemon.deployments:
            for cp, count in deployment.instances.items():
                provider = providers.setdefault(
                    cp, {"name": cp.rsplit("/", 1)[-1], "cluster": daemon.cluster, "instances": 0}
                )
                provider["instances"] = max(cast("int", provider["instances"]), count)
        entry = daemon_restoring.daemon_entry(daemon)
        # family:revision: what the recorded ARN names, in whichever account the test loads.
        entry["task_definition"] = daemon.task_definition_arn.rsplit("/", 1)[-1]
        entries.append(dated(entry))
    return {
        "capacity_providers": list(providers.values()),
        "daemon_task_definitions": [daemon_task_definition_entry(d) for d in definitions],
        "daemons": entries,
    }


# -- the end ------------------------------------------------------------------------------------


def _check(data: RecordedScenario) -> None:
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
    "RecordedScenario",
    "configure",
    "daemon_from_answers",
    "daemon_signals",
    "run",
    "service_entry_from_answers",
    "snapshot_from_answers",
]
