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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from ..engine.model import clock
from .dump import scenario_format, without_defaults, write_scenario, written
from .errors import ScenarioError
from .loader import build_scenario, parse_duration

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


class RecordError(Exception):
    """What stops a recording, as the one line the command prints."""


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
    deployments = sum(len(service["deployments"]) for service in data["services"])
    print(
        f"recorded {deployments} deployment{'' if deployments == 1 else 's'} of"
        f" {len(args.services)} service{'' if len(args.services) == 1 else 's'} to {args.output}"
    )
    return 0


def _record(args: argparse.Namespace, after: datetime, progress: Any) -> dict[str, Any]:
    """What the endpoint says of each service, as scenario data."""
    import boto3
    import botocore.exceptions as failures
    from botocore.config import Config

    try:
        session = boto3.Session(profile_name=args.profile, region_name=args.region)
        ecs = session.client(
            "ecs", endpoint_url=args.endpoint_url, config=Config(retries={"mode": "standard"})
        )
        services = []
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


def _client_error(error: Any, cluster: str, service: str, region: str) -> str:
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
    ecs: Any, cluster: str, service: str, after: datetime, progress: Any
) -> dict[str, Any]:
    arns = _deployment_arns(ecs, cluster, service, after, progress)
    task = progress.add_task(f"describing {service}", total=len(arns))
    deployments = _described(
        ecs.describe_service_deployments, "serviceDeploymentArns", arns, progress, task
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
            ecs.describe_service_revisions,
            "serviceRevisionArns",
            list(revision_arns),
            progress,
            task,
        )
    }
    return service_entry_from_answers(cluster, service, deployments, revisions)


def _deployment_arns(
    ecs: Any, cluster: str, service: str, after: datetime, progress: Any
) -> list[str]:
    """The ARNs of the service's deployments created after ``after``, oldest first."""
    task = progress.add_task(f"listing {service}", total=None)
    arns: list[str] = []
    token = None
    while True:
        page = ecs.list_service_deployments(
            cluster=cluster,
            service=service,
            createdAt={"after": after},
            maxResults=PAGE_SIZE,
            **({"nextToken": token} if token else {}),
        )
        arns.extend(item["serviceDeploymentArn"] for item in page["serviceDeployments"])
        progress.update(task, completed=len(arns))
        token = page.get("nextToken")
        if not token:
            progress.update(task, total=len(arns))
            return arns[::-1]  # listed newest first; a scenario lists them oldest first


def _described(method: Any, key: str, arns: list[str], progress: Any, task: Any) -> list[Any]:
    found: list[Any] = []
    answer_key = "serviceDeployments" if key == "serviceDeploymentArns" else "serviceRevisions"
    for start in range(0, len(arns), DESCRIBE_BATCH):
        batch = arns[start : start + DESCRIBE_BATCH]
        answer = method(**{key: batch})
        by_arn = {
            item.get("serviceDeploymentArn") or item.get("serviceRevisionArn"): item
            for item in answer[answer_key]
        }
        found.extend(by_arn[arn] for arn in batch if arn in by_arn)  # in the order asked
        progress.advance(task, len(batch))
    return found


# -- AWS's answers as a scenario ---------------------------------------------------------------


def service_entry_from_answers(
    cluster: str, service: str, deployments: list[dict[str, Any]], revisions: dict[str, Any]
) -> dict[str, Any]:
    """A service entry that reproduces ``deployments`` (DescribeServiceDeployments items,
    oldest first) and their ``revisions`` (DescribeServiceRevisions items by ARN). The
    service's own settings are those of its newest deployment and revision (a platform version
    or network configuration only when every revision has one)."""
    recorded_ids = {_revision_id(item["targetServiceRevision"]["arn"]) for item in deployments}
    entries = [_deployment_entry(item, revisions, recorded_ids) for item in deployments]
    entry: dict[str, Any] = {
        "cluster": cluster.rsplit("/", 1)[-1],
        "service": service.rsplit("/", 1)[-1],
    }
    if entries:
        newest = entries[-1]
        if newest["desired_count"] != 1:
            entry["desired_count"] = newest["desired_count"]
        if newest["capacity_provider_strategy"]:
            entry["capacity_provider_strategy"] = newest["capacity_provider_strategy"]
        elif newest["launch_type"] not in (None, "FARGATE"):
            entry["launch_type"] = newest["launch_type"]
        if newest.get("task_definition") is not None:
            entry["task_definition"] = newest["task_definition"]
        for key in ("platform_version", "network_configuration"):
            # A deployment can give a setting the service lacks, not drop one it has: the
            # service has it only if every revision does.
            if all(item.get(key) is not None for item in entries):
                entry[key] = newest[key]
        for key in ("load_balancers", "service_registries", "deployment_configuration"):
            if newest.get(key):
                entry[key] = newest[key]
    entry["deployments"] = entries
    return written(without_defaults(entry))


def _deployment_entry(
    item: dict[str, Any], revisions: dict[str, Any], recorded_ids: set[int]
) -> dict[str, Any]:
    """One DescribeServiceDeployments item as a full deployment entry (see
    :func:`.dump.deployment_entry`)."""
    target = item["targetServiceRevision"]["arn"]
    revision = revisions.get(target, {})
    status = item["status"]
    entry: dict[str, Any] = {
        "id": item["serviceDeploymentArn"].rsplit("/", 1)[-1],
        "status": status,
    }
    entry["created_at"] = clock.to_ms(item["createdAt"])
    if "startedAt" in item:
        entry["started_at"] = clock.to_ms(item["startedAt"])
    elif status != "PENDING":
        entry["never_started"] = True
    if "finishedAt" in item:
        entry["finished_at"] = clock.to_ms(item["finishedAt"])
    if "statusReason" in item:
        entry["status_reason"] = item["statusReason"]
    if "taskDefinition" in revision:
        entry["task_definition"] = revision["taskDefinition"]
    entry["revision_id"] = _revision_id(target)
    if revision.get("containerImages"):
        entry["container_images"] = revision["containerImages"]
    # A source made by a deployment older than --since is not in the scenario: left out.
    sources = [_revision_id(source["arn"]) for source in item.get("sourceServiceRevisions", ())]
    entry["source_revisions"] = [source for source in sources if source in recorded_ids]
    entry["desired_count"] = _desired_count(item)
    entry["deployment_configuration"] = item.get("deploymentConfiguration", {})
    entry["launch_type"] = revision.get("launchType")
    entry["capacity_provider_strategy"] = revision.get("capacityProviderStrategy") or []
    entry["platform_version"] = revision.get("platformVersion")
    entry["network_configuration"] = revision.get("networkConfiguration")
    entry["load_balancers"] = revision.get("loadBalancers", [])
    entry["service_registries"] = revision.get("serviceRegistries", [])
    if "updatedAt" in item:
        entry["updated_at"] = clock.to_ms(item["updatedAt"])
    if "lifecycleStage" in item:
        entry["lifecycle_stage"] = item["lifecycleStage"]
    entry["lifecycle_hook_details"] = [
        {"hook_id": hook["hookId"], "status": hook["status"]}
        | ({"expires_at": clock.to_ms(hook["expiresAt"])} if "expiresAt" in hook else {})
        for hook in item.get("lifecycleHookDetails", ())
    ]
    if "rollback" in item and "startedAt" in item["rollback"]:
        entry["rollback_started_at"] = clock.to_ms(item["rollback"]["startedAt"])
    breaker = item.get("deploymentCircuitBreaker", {})
    entry["circuit_breaker_triggered"] = breaker.get("status") == "TRIGGERED"
    if any(hook["status"] == "AWAITING_ACTION" for hook in entry["lifecycle_hook_details"]):
        # Only a deployment that follows a plan waits at a hook: this one goes on at once
        # when the hook is answered, or as the hook's timeout says.
        del entry["status"]
        entry["plan"] = {"outcome": "SUCCESSFUL", "pending_for": 0, "in_progress_for": 0}
        entry["plan_status"] = status
    return entry


def _revision_id(arn: str) -> int:
    return int(arn.rsplit("/", 1)[-1])


def _desired_count(item: dict[str, Any]) -> int:
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


def _check(data: dict[str, Any]) -> None:
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

    def update(self, task: int, **fields: Any) -> None:
        pass

    def advance(self, task: int, amount: float = 1) -> None:
        pass


@contextmanager
def _progress(shown: bool) -> Iterator[Any]:
    if not shown:
        yield _Quiet()
        return
    from rich.progress import Progress  # only here: rich is imported when a bar is drawn

    with Progress(transient=True) as progress:
        yield progress


__all__ = ["DESCRIBE_BATCH", "RecordError", "configure", "run", "service_entry_from_answers"]
