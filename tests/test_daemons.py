"""Managed daemons (ECS, April 2026) through real boto3 clients: the twelve operations, their
errors, a daemon deployment moving instances batch by batch on the mock's clock, its rollback,
its EventBridge events, and the whole flow alone, beside moto and over HTTP.

Every answer is checked against botocore's output shape (``ok``: :func:`tests.shapes.check_output`
walks the parsed answer against the operation's ``output_shape`` and refuses any member the
shape does not have, recursively, and any enum value it does not list)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError, WaiterError
from moto import mock_aws

from mock_ecs_deployments import (
    ServiceDeploymentBackend,
    ServiceDeploymentsMock,
    mock_service_deployments,
    serve_in_thread,
)

from .clients import endpoint_client, new_client
from .shapes import check_output

UTC = timezone.utc
ACCOUNT = "123456789012"
REGION = "us-east-1"
PREFIX = f"arn:aws:ecs:{REGION}:{ACCOUNT}"
T0 = datetime(2026, 4, 20, 9, 0, tzinfo=UTC)
DEFAULT_CLUSTER = f"{PREFIX}:cluster/default"
COMPLETED = "Deployment completed successfully."
SUPERSEDED = "Daemon deployment stopped: superseded by a newer daemon deployment."
BREAKER = "Daemon deployment circuit breaker: tasks failed to start."
NO_SOURCE = "Daemon deployment could not roll back: there is no previous daemon revision."
NOT_ACTIVE = "The daemon is being deleted: a daemon deployment deletion is ongoing."
DETAIL_TYPE = "ECS Daemon Deployment State Change"
LOOPBACK = ["127.0.0.1", "::1"]


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def ok(ecs: Any, method: str, **params: Any) -> dict[str, Any]:
    """Call ``method``: the answer must be HTTP 200 and fit botocore's output shape (no member,
    at any depth, that the shape lacks). Returns the answer without its metadata."""
    response = getattr(ecs, method)(**params)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    check_output(ecs.meta.method_to_api_mapping[method], response)
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def refused(ecs: Any, method: str, **params: Any) -> tuple[int, str, str]:
    """Call ``method``, which must fail: its HTTP status, error code and message."""
    with pytest.raises(ClientError) as raised:
        getattr(ecs, method)(**params)
    response = raised.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def register(ecs: Any, family: str = "agent", image: str = "nginx:1", **params: Any) -> str:
    answer = ok(
        ecs,
        "register_daemon_task_definition",
        family=family,
        containerDefinitions=[{"name": family, "image": image}],
        **params,
    )
    return str(answer["daemonTaskDefinitionArn"])


def totals(detail: dict[str, Any]) -> tuple[int, int, int]:
    """A ``DaemonDeploymentRevisionDetail``'s (running, draining, without daemon) instances,
    its per-capacity-provider counts checked to add up to them."""
    providers = detail["capacityProviders"]
    result = (
        detail["totalRunningInstanceCount"],
        detail["totalDrainingInstanceCount"],
        detail["totalWithoutDaemonInstanceCount"],
    )
    assert result == (
        sum(p["runningInstanceCount"] for p in providers),
        sum(p["drainingInstanceCount"] for p in providers),
        sum(p["withoutDaemonInstanceCount"] for p in providers),
    )
    return result


def daemon_events(mock: ServiceDeploymentsMock) -> list[dict[str, Any]]:
    return [event for event in mock.events if event["detail-type"] == DETAIL_TYPE]


@dataclass
class World:
    """The mock under frozen time (T0), a client, capacity provider ``mi`` with 8 instances in
    the default cluster, and daemon task definitions agent:1 (nginx:1) and agent:2 (nginx:2)."""

    mock: ServiceDeploymentsMock
    backend: ServiceDeploymentBackend
    ecs: Any
    cp: str
    td1: str
    td2: str

    def advance(self, seconds: float) -> None:
        self.mock.advance(seconds)

    def plan(self, daemon: str = "agent", **plan: Any) -> None:
        self.backend.plan_next_deployment(daemon=daemon, **plan)

    def create(self, name: str = "agent", td: str | None = None, **params: Any) -> dict[str, Any]:
        params.setdefault("capacityProviderArns", [self.cp])
        return ok(
            self.ecs,
            "create_daemon",
            daemonName=name,
            daemonTaskDefinitionArn=td or self.td1,
            **params,
        )

    def update(self, daemon_arn: str, td: str | None = None, **params: Any) -> dict[str, Any]:
        params.setdefault("capacityProviderArns", [self.cp])
        return ok(
            self.ecs,
            "update_daemon",
            daemonArn=daemon_arn,
            daemonTaskDefinitionArn=td or self.td2,
            **params,
        )

    def deployment(self, arn: str) -> dict[str, Any]:
        answer = ok(self.ecs, "describe_daemon_deployments", daemonDeploymentArns=[arn])
        assert answer["failures"] == []
        (deployment,) = answer["daemonDeployments"]
        return dict(deployment)

    def daemon(self, arn: str) -> dict[str, Any]:
        return dict(ok(self.ecs, "describe_daemon", daemonArn=arn)["daemon"])

    def revision(self, arn: str) -> dict[str, Any]:
        answer = ok(self.ecs, "describe_daemon_revisions", daemonRevisionArns=[arn])
        assert answer["failures"] == []
        (revision,) = answer["daemonRevisions"]
        return dict(revision)

    def target_of(self, deployment_arn: str) -> str:
        return str(self.deployment(deployment_arn)["targetDaemonRevision"]["arn"])

    def listed(self, daemon_arn: str, **params: Any) -> list[str]:
        page = ok(self.ecs, "list_daemon_deployments", daemonArn=daemon_arn, **params)
        return [item["daemonDeploymentArn"] for item in page["daemonDeployments"]]


@pytest.fixture
def world(mock: ServiceDeploymentsMock, backend: ServiceDeploymentBackend, ecs: Any) -> World:
    cp = backend.add_capacity_provider("mi", instances=8).arn
    assert cp == f"{PREFIX}:capacity-provider/mi"
    td1 = register(ecs, image="nginx:1")
    td2 = register(ecs, image="nginx:2")
    return World(mock, backend, ecs, cp, td1, td2)


# -- the output-shape check itself -------------------------------------------------------------


def test_the_shape_check_refuses_a_member_the_daemon_shapes_do_not_have() -> None:
    check_output("DescribeDaemon", {"daemon": {"daemonArn": "x", "currentRevisions": []}})
    with pytest.raises(AssertionError, match=r"daemon\.currentRevisions\[0\]: members not in"):
        check_output("DescribeDaemon", {"daemon": {"currentRevisions": [{"runningCount": 1}]}})
    with pytest.raises(AssertionError, match="'DONE' is not one of"):
        check_output("ListDaemonDeployments", {"daemonDeployments": [{"status": "DONE"}]})


# -- RegisterDaemonTaskDefinition, DescribeDaemonTaskDefinition --------------------------------


def test_register_numbers_each_family_s_revisions_and_keeps_what_it_was_given(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    first = register(
        ecs,
        image="public.ecr.aws/acme/agent:1",
        cpu="256",
        memory="512",
        taskRoleArn=f"arn:aws:iam::{ACCOUNT}:role/agent",
        executionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/exec",
        pidMode="shared",
        ipcMode="none",
        volumes=[{"name": "logs", "host": {"sourcePath": "/var/log"}}],
        tags=[{"key": "team", "value": "infra"}],
    )
    mock.advance(5)
    second = register(ecs, image="public.ecr.aws/acme/agent:2")
    other = register(ecs, family="collector")
    assert (first, second, other) == (
        f"{PREFIX}:daemon-task-definition/agent:1",
        f"{PREFIX}:daemon-task-definition/agent:2",
        f"{PREFIX}:daemon-task-definition/collector:1",
    )
    described = ok(ecs, "describe_daemon_task_definition", daemonTaskDefinition="agent:1")
    assert described["daemonTaskDefinition"] == {
        "daemonTaskDefinitionArn": first,
        "family": "agent",
        "revision": 1,
        "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/agent",
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/exec",
        "containerDefinitions": [{"name": "agent", "image": "public.ecr.aws/acme/agent:1"}],
        "volumes": [{"name": "logs", "host": {"sourcePath": "/var/log"}}],
        "cpu": "256",
        "memory": "512",
        "status": "ACTIVE",
        "registeredAt": T0,
        "registeredBy": f"arn:aws:iam::{ACCOUNT}:root",
        "pidMode": "shared",
        "ipcMode": "none",
    }
    latest = ok(ecs, "describe_daemon_task_definition", daemonTaskDefinition=second)
    assert (
        latest["daemonTaskDefinition"]["revision"],
        latest["daemonTaskDefinition"]["registeredAt"],
    ) == (2, at(5))


def test_register_refuses_a_bad_family_enum_or_no_container(ecs: Any, mock: Any) -> None:
    container = [{"name": "agent", "image": "nginx:1"}]
    assert refused(
        ecs, "register_daemon_task_definition", family="a b", containerDefinitions=container
    ) == (
        400,
        "InvalidParameterException",
        "family must be 1 to 255 letters, digits, hyphens and underscores.",
    )
    assert refused(
        ecs,
        "register_daemon_task_definition",
        family="agent",
        containerDefinitions=container,
        pidMode="host",
    ) == (
        400,
        "InvalidParameterException",
        "Invalid pidMode value: host. Valid values: none, shared.",
    )
    assert refused(
        ecs, "register_daemon_task_definition", family="agent", containerDefinitions=[]
    ) == (400, "InvalidParameterException", "containerDefinitions must not be empty.")
    # Nothing was registered by the refused calls.
    assert ok(ecs, "list_daemon_task_definitions")["daemonTaskDefinitions"] == []


def test_describe_names_a_revision_by_family_family_revision_or_arn(world: World) -> None:
    ecs = world.ecs
    third = register(ecs, image="nginx:3")

    def described(reference: str) -> str:
        answer = ok(ecs, "describe_daemon_task_definition", daemonTaskDefinition=reference)
        return str(answer["daemonTaskDefinition"]["daemonTaskDefinitionArn"])

    assert described("agent") == third  # the latest ACTIVE revision
    assert described("agent:2") == world.td2
    assert described(world.td1) == world.td1
    ok(ecs, "delete_daemon_task_definition", daemonTaskDefinition="agent:3")
    assert described("agent") == world.td2  # agent:3 is no longer ACTIVE
    # agent:3 itself is still described, by revision or ARN.
    assert described("agent:3") == third
    unknown = (400, "ClientException", "Unable to describe daemon task definition.")
    for reference in (
        "ghost",
        "agent:9",
        "agent:0",
        "agent:x",
        f"arn:aws:ecs:eu-west-1:{ACCOUNT}:daemon-task-definition/agent:1",  # another region
        f"{PREFIX}:task-definition/agent:1",  # a task definition, not a daemon's
    ):
        assert (
            refused(ecs, "describe_daemon_task_definition", daemonTaskDefinition=reference)
            == unknown
        ), reference


# -- ListDaemonTaskDefinitions -------------------------------------------------------------------


def test_list_daemon_task_definitions_filters_sorts_and_pages(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    for family, count in (("agent", 3), ("agent-x", 1), ("other", 1)):
        for _ in range(count):
            register(ecs, family=family)
            mock.advance(1)
    ok(ecs, "delete_daemon_task_definition", daemonTaskDefinition="agent:2")

    def listed(**params: Any) -> list[str]:
        page = ok(ecs, "list_daemon_task_definitions", **params)
        return [item["arn"].rsplit("/", 1)[1] for item in page["daemonTaskDefinitions"]]

    assert listed() == ["agent:1", "agent:3", "agent-x:1", "other:1"]
    assert listed(status="ACTIVE") == listed()
    assert listed(familyPrefix="agent") == ["agent:1", "agent:3", "agent-x:1"]
    assert listed(family="agent") == ["agent:1", "agent:3"]
    assert listed(revision="LAST_REGISTERED") == ["agent:3", "agent-x:1", "other:1"]
    assert listed(status="DELETE_IN_PROGRESS") == ["agent:2"]
    assert listed(status="ALL") == ["agent:1", "agent:2", "agent:3", "agent-x:1", "other:1"]
    assert listed(sort="ASC") == listed()
    assert listed(sort="DESC") == ["other:1", "agent-x:1", "agent:3", "agent:1"]
    assert listed(family="agent", sort="DESC", status="ALL") == ["agent:3", "agent:2", "agent:1"]

    summary = ok(ecs, "list_daemon_task_definitions", family="agent", status="ALL")
    assert summary["daemonTaskDefinitions"][1] == {
        "arn": f"{PREFIX}:daemon-task-definition/agent:2",
        "registeredAt": at(1),
        "registeredBy": f"arn:aws:iam::{ACCOUNT}:root",
        "deleteRequestedAt": at(5),
        "status": "DELETE_IN_PROGRESS",
    }
    assert "nextToken" not in summary

    # Pages of two, in the same order, each token bound to the filters it was made with.
    first = ok(ecs, "list_daemon_task_definitions", status="ALL", maxResults=2)
    second = ok(
        ecs,
        "list_daemon_task_definitions",
        status="ALL",
        maxResults=2,
        nextToken=first["nextToken"],
    )
    third = ok(
        ecs,
        "list_daemon_task_definitions",
        status="ALL",
        maxResults=2,
        nextToken=second["nextToken"],
    )
    pages = [
        [item["arn"].rsplit("/", 1)[1] for item in p["daemonTaskDefinitions"]]
        for p in (first, second, third)
    ]
    assert pages == [["agent:1", "agent:2"], ["agent:3", "agent-x:1"], ["other:1"]]
    assert "nextToken" not in third
    assert refused(
        ecs, "list_daemon_task_definitions", status="ACTIVE", nextToken=first["nextToken"]
    ) == (
        400,
        "InvalidParameterException",
        "The nextToken is not valid for this request: it was not returned by a previous call"
        " with the same parameters and filters.",
    )

    # Once the deleted revision is DELETED (no daemon uses it, time moved on), ALL shows it so.
    mock.advance(1)
    assert (
        ok(ecs, "list_daemon_task_definitions", family="agent", status="ALL")[
            "daemonTaskDefinitions"
        ][1]["status"]
        == "DELETED"
    )
    assert listed(status="DELETE_IN_PROGRESS") == []


# -- DeleteDaemonTaskDefinition ------------------------------------------------------------------


def test_a_deleted_task_definition_no_daemon_uses_is_deleted_once_time_moves_on(
    world: World,
) -> None:
    ecs = world.ecs
    answer = ok(ecs, "delete_daemon_task_definition", daemonTaskDefinition=world.td1)
    assert answer == {"daemonTaskDefinitionArn": world.td1}

    def described() -> dict[str, Any]:
        answer = ok(ecs, "describe_daemon_task_definition", daemonTaskDefinition="agent:1")
        return dict(answer["daemonTaskDefinition"])

    assert (described()["status"], described()["deleteRequestedAt"]) == ("DELETE_IN_PROGRESS", T0)
    world.advance(0.001)
    assert described()["status"] == "DELETED"
    assert refused(ecs, "delete_daemon_task_definition", daemonTaskDefinition="agent:1") == (
        400,
        "ClientException",
        "The specified daemon task definition is not ACTIVE.",
    )
    missing = (
        "The specified daemon task definition does not exist: name it by family:revision or ARN."
    )
    for reference in ("agent", "agent:7", "ghost:1"):
        assert refused(ecs, "delete_daemon_task_definition", daemonTaskDefinition=reference) == (
            400,
            "ClientException",
            missing,
        ), reference


def test_a_task_definition_a_daemon_uses_stays_delete_in_progress_and_is_refused(
    world: World,
) -> None:
    ecs = world.ecs
    created = world.create(td=world.td1)
    ok(ecs, "delete_daemon_task_definition", daemonTaskDefinition=world.td1)
    world.advance(3600)

    def status() -> str:
        answer = ok(ecs, "describe_daemon_task_definition", daemonTaskDefinition=world.td1)
        return str(answer["daemonTaskDefinition"]["status"])

    assert status() == "DELETE_IN_PROGRESS"  # the daemon still uses it
    being_deleted = (
        400,
        "ClientException",
        f"The specified daemon task definition is being deleted: {world.td1}",
    )
    assert (
        refused(
            ecs,
            "create_daemon",
            daemonName="other",
            daemonTaskDefinitionArn=world.td1,
            capacityProviderArns=[world.cp],
        )
        == being_deleted
    )
    assert (
        refused(
            ecs,
            "update_daemon",
            daemonArn=created["daemonArn"],
            daemonTaskDefinitionArn="agent:1",
            capacityProviderArns=[world.cp],
        )
        == being_deleted
    )
    # The refused update left the daemon as it was: no deployment was made.
    assert world.listed(created["daemonArn"]) == [created["deploymentArn"]]
    # Once the daemon moves to agent:2, nothing uses agent:1: it is DELETED.
    world.update(created["daemonArn"], world.td2)
    assert status() == "DELETED"
    # A family names its latest ACTIVE revision only.
    ok(ecs, "delete_daemon_task_definition", daemonTaskDefinition=world.td2)
    assert refused(
        ecs,
        "update_daemon",
        daemonArn=created["daemonArn"],
        daemonTaskDefinitionArn="agent",
        capacityProviderArns=[world.cp],
    ) == (400, "ClientException", "The specified daemon task definition does not exist: agent")


def test_a_task_definition_is_deleted_when_the_drain_of_its_daemon_ends_unread(
    world: World,
) -> None:
    created = world.create()
    ok(world.ecs, "delete_daemon_task_definition", daemonTaskDefinition=world.td1)
    world.plan(in_progress_for=60)
    ok(world.ecs, "delete_daemon", daemonArn=created["daemonArn"])
    world.advance(59.999)

    def status() -> str:
        answer = ok(world.ecs, "describe_daemon_task_definition", daemonTaskDefinition="agent:1")
        return str(answer["daemonTaskDefinition"]["status"])

    assert status() == "DELETE_IN_PROGRESS"
    world.advance(0.001)  # the drain ends; nothing reads the daemon before the definition
    assert status() == "DELETED"


# -- CreateDaemon --------------------------------------------------------------------------------


def test_create_daemon_in_the_default_cluster(world: World) -> None:
    created = world.create()
    daemon_arn = f"{PREFIX}:daemon/default/agent"
    assert set(created) == {"daemonArn", "status", "createdAt", "deploymentArn"}
    assert (created["daemonArn"], created["status"], created["createdAt"]) == (
        daemon_arn,
        "ACTIVE",
        T0,
    )
    assert created["deploymentArn"].startswith(f"{PREFIX}:daemon-deployment/default/agent/")
    daemon = world.daemon(daemon_arn)
    assert (daemon["clusterArn"], daemon["status"], daemon["deploymentArn"]) == (
        DEFAULT_CLUSTER,
        "ACTIVE",
        created["deploymentArn"],
    )
    assert "updatedAt" not in daemon
    revision = world.revision(world.target_of(created["deploymentArn"]))
    assert revision["critical"] is True  # critical defaults to true
    assert (revision["propagateTags"], revision["enableECSManagedTags"]) == ("NONE", False)
    assert revision["enableExecuteCommand"] is False


def test_create_daemon_client_token_is_idempotent(world: World) -> None:
    first = world.create(clientToken="token-1")
    world.advance(5)
    again = world.create(clientToken="token-1")
    assert again == first
    assert world.listed(first["daemonArn"]) == [first["deploymentArn"]]  # no second deployment
    assert refused(
        world.ecs,
        "create_daemon",
        daemonName="other",
        daemonTaskDefinitionArn=world.td1,
        capacityProviderArns=[world.cp],
        clientToken="token-1",
    ) == (
        400,
        "InvalidParameterException",
        "clientToken was already used for another CreateDaemon request.",
    )
    assert refused(
        world.ecs,
        "create_daemon",
        daemonName="other",
        daemonTaskDefinitionArn=world.td1,
        capacityProviderArns=[world.cp],
        clientToken="x" * 37,
    ) == (400, "InvalidParameterException", "clientToken must be 1 to 36 characters.")


def test_create_daemon_names_are_unique_in_a_cluster_only(world: World) -> None:
    world.create()
    assert refused(
        world.ecs,
        "create_daemon",
        daemonName="agent",
        daemonTaskDefinitionArn=world.td2,
        capacityProviderArns=[world.cp],
    ) == (
        400,
        "InvalidParameterException",
        "Creation of daemon was not idempotent: a daemon named agent already exists in cluster"
        " default.",
    )
    prod_cp = world.backend.add_capacity_provider("prod-mi", "prod", instances=2).arn
    in_prod = world.create(clusterArn="prod", capacityProviderArns=[prod_cp], critical=False)
    assert in_prod["daemonArn"] == f"{PREFIX}:daemon/prod/agent"
    assert world.daemon(in_prod["daemonArn"])["clusterArn"] == f"{PREFIX}:cluster/prod"
    assert world.revision(world.target_of(in_prod["deploymentArn"]))["critical"] is False


@pytest.mark.parametrize(
    "configuration",
    [
        {"drainPercent": 1.0, "bakeTimeInMinutes": 0},
        {"drainPercent": 100.0, "bakeTimeInMinutes": 1440},
    ],
)
def test_create_daemon_accepts_the_bounds_of_drain_percent_and_bake_time(
    world: World, configuration: dict[str, Any]
) -> None:
    created = world.create(deploymentConfiguration=configuration)
    assert world.deployment(created["deploymentArn"])["deploymentConfiguration"] == configuration


# -- UpdateDaemon --------------------------------------------------------------------------------


def test_update_daemon_replaces_every_setting_and_left_out_ones_return_to_defaults(
    world: World,
) -> None:
    alarms = {"alarmNames": ["agent-errors"], "enable": True}
    created = world.create(
        propagateTags="DAEMON",
        enableECSManagedTags=True,
        enableExecuteCommand=True,
        critical=False,
        deploymentConfiguration={"drainPercent": 50.0, "bakeTimeInMinutes": 5, "alarms": alarms},
    )
    first = world.deployment(created["deploymentArn"])
    assert first["deploymentConfiguration"] == {
        "drainPercent": 50.0,
        "bakeTimeInMinutes": 5,
        "alarms": alarms,
    }
    # Baking: its alarms are watched.
    assert (first["status"], first["alarms"]) == (
        "IN_PROGRESS",
        {"status": "MONITORING", "alarmNames": ["agent-errors"]},
    )
    before = world.revision(first["targetDaemonRevision"]["arn"])
    assert {
        key: before[key]
        for key in ("propagateTags", "enableECSManagedTags", "enableExecuteCommand", "critical")
    } == {
        "propagateTags": "DAEMON",
        "enableECSManagedTags": True,
        "enableExecuteCommand": True,
        "critical": False,
    }
    world.advance(600)  # past the bake time: the first deployment is done
    assert world.deployment(created["deploymentArn"])["status"] == "SUCCESSFUL"

    updated = world.update(created["daemonArn"], world.td2)
    assert set(updated) == {"daemonArn", "status", "createdAt", "updatedAt", "deploymentArn"}
    assert (updated["daemonArn"], updated["status"]) == (created["daemonArn"], "ACTIVE")
    assert (updated["createdAt"], updated["updatedAt"]) == (T0, at(600))
    assert updated["deploymentArn"] != created["deploymentArn"]
    second = world.deployment(updated["deploymentArn"])
    assert second["deploymentConfiguration"] == {"drainPercent": 25.0, "bakeTimeInMinutes": 0}
    assert second["alarms"] == {"status": "DISABLED"}
    after = world.revision(second["targetDaemonRevision"]["arn"])
    assert after == {
        "daemonRevisionArn": second["targetDaemonRevision"]["arn"],
        "clusterArn": DEFAULT_CLUSTER,
        "daemonArn": created["daemonArn"],
        "daemonTaskDefinitionArn": world.td2,
        "createdAt": at(600),
        "containerImages": after["containerImages"],
        "propagateTags": "NONE",
        "enableECSManagedTags": False,
        "enableExecuteCommand": False,
        "critical": True,
    }
    # The earlier revision is immutable.
    assert world.revision(before["daemonRevisionArn"]) == before
    daemon = world.daemon(created["daemonArn"])
    assert (daemon["deploymentArn"], daemon["updatedAt"]) == (updated["deploymentArn"], at(600))


# -- DeleteDaemon ----------------------------------------------------------------------------------


def test_delete_daemon_drains_then_the_daemon_is_gone(world: World) -> None:
    created = world.create()
    world.advance(60)
    world.plan(in_progress_for=40)
    deleted = ok(world.ecs, "delete_daemon", daemonArn=created["daemonArn"])
    assert set(deleted) == {"daemonArn", "status", "createdAt", "updatedAt", "deploymentArn"}
    assert (deleted["daemonArn"], deleted["status"], deleted["updatedAt"]) == (
        created["daemonArn"],
        "DELETE_IN_PROGRESS",
        at(60),
    )
    source = world.target_of(created["deploymentArn"])
    world.advance(10)
    draining = world.deployment(deleted["deploymentArn"])
    assert draining["status"] == "IN_PROGRESS"
    assert "targetDaemonRevision" not in draining  # it deploys nothing: it drains
    (from_source,) = draining["sourceDaemonRevisions"]
    assert from_source["arn"] == source
    assert totals(from_source) == (4, 2, 2)  # batch 2 of 4 drains two more
    daemon = world.daemon(created["daemonArn"])
    assert daemon["status"] == "DELETE_IN_PROGRESS"
    assert daemon["deploymentArn"] == deleted["deploymentArn"]
    assert daemon["currentRevisions"] == [
        {
            "arn": source,
            "capacityProviders": [{"arn": world.cp, "runningCount": 4, "withoutDaemonCount": 4}],
            "totalRunningCount": 4,
            "totalWithoutDaemonCount": 4,
        }
    ]
    (summary,) = ok(world.ecs, "list_daemons")["daemonSummariesList"]
    assert (summary["daemonArn"], summary["status"]) == (created["daemonArn"], "DELETE_IN_PROGRESS")

    world.advance(30)  # the drain ends at 100 s
    assert refused(world.ecs, "describe_daemon", daemonArn=created["daemonArn"]) == (
        400,
        "DaemonNotFoundException",
        "Daemon not found.",
    )
    assert ok(world.ecs, "list_daemons")["daemonSummariesList"] == []
    done = world.deployment(deleted["deploymentArn"])
    assert (done["status"], done["statusReason"], done["finishedAt"]) == (
        "SUCCESSFUL",
        COMPLETED,
        at(100),
    )
    assert totals(done["sourceDaemonRevisions"][0]) == (0, 0, 8)
    # Its deployments are still listed and described.
    assert world.listed(created["daemonArn"]) == [
        deleted["deploymentArn"],
        created["deploymentArn"],
    ]
    # The name is free again.
    again = world.create()
    assert again["daemonArn"] == created["daemonArn"]
    assert world.daemon(again["daemonArn"])["status"] == "ACTIVE"
    (summary,) = ok(world.ecs, "list_daemons")["daemonSummariesList"]
    assert (summary["daemonArn"], summary["createdAt"]) == (created["daemonArn"], at(100))
    # The gone daemon's deployments and revisions keep their ARNs: still described.
    assert world.deployment(deleted["deploymentArn"]) == done
    assert world.revision(source)["createdAt"] == T0
    assert world.listed(again["daemonArn"]) == [again["deploymentArn"]]


def test_delete_daemon_ends_the_daemon_even_with_a_failure_planned(world: World) -> None:
    created = world.create()
    world.mock.plan_deployments(outcome="ROLLBACK_SUCCESSFUL", in_progress_for=40, rollback_for=10)
    deleted = ok(world.ecs, "delete_daemon", daemonArn=created["daemonArn"])
    world.advance(40)
    done = world.deployment(deleted["deploymentArn"])
    assert (done["status"], done["circuitBreaker"]["status"]) == (
        "SUCCESSFUL",
        "MONITORING_COMPLETE",
    )
    assert refused(world.ecs, "describe_daemon", daemonArn=created["daemonArn"])[1] == (
        "DaemonNotFoundException"
    )


# -- DescribeDaemon ------------------------------------------------------------------------------


def test_describe_daemon_shows_both_revisions_mid_rollout_per_capacity_provider(
    world: World,
) -> None:
    small = world.backend.add_capacity_provider("small", instances=4).arn
    created = world.create(capacityProviderArns=[world.cp, small])
    old = world.target_of(created["deploymentArn"])
    world.advance(60)
    world.plan(in_progress_for=40)
    updated = world.update(created["daemonArn"], capacityProviderArns=[world.cp, small])
    new = world.target_of(updated["deploymentArn"])
    world.advance(10)  # batch 1 (2 of mi's, 1 of small's) is done; batch 2 drains as many
    daemon = world.daemon(created["daemonArn"])
    assert daemon["deploymentArn"] == updated["deploymentArn"]
    assert daemon["currentRevisions"] == [
        {
            "arn": new,
            "capacityProviders": [
                {"arn": world.cp, "runningCount": 2, "withoutDaemonCount": 6},
                {"arn": small, "runningCount": 1, "withoutDaemonCount": 3},
            ],
            "totalRunningCount": 3,
            "totalWithoutDaemonCount": 9,
        },
        {
            "arn": old,
            "capacityProviders": [
                {"arn": world.cp, "runningCount": 4, "withoutDaemonCount": 4},
                {"arn": small, "runningCount": 2, "withoutDaemonCount": 2},
            ],
            "totalRunningCount": 6,
            "totalWithoutDaemonCount": 6,
        },
    ]
    world.advance(30)
    (only,) = world.daemon(created["daemonArn"])["currentRevisions"]
    assert (only["arn"], only["totalRunningCount"], only["totalWithoutDaemonCount"]) == (new, 12, 0)


def test_an_update_that_moves_the_daemon_to_another_capacity_provider(world: World) -> None:
    small = world.backend.add_capacity_provider("small", instances=4).arn
    created = world.create()
    source = world.target_of(created["deploymentArn"])
    world.plan(in_progress_for=40)
    updated = world.update(created["daemonArn"], capacityProviderArns=[small])
    world.advance(10)  # 4 batches: 1 of small's 4 starts, 2 of mi's 8 drain, in each

    def by_provider(detail: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
        totals(detail)
        return {
            p["arn"].rsplit("/", 1)[1]: (
                p["runningInstanceCount"],
                p["drainingInstanceCount"],
                p["withoutDaemonInstanceCount"],
            )
            for p in detail["capacityProviders"]
        }

    moving = world.deployment(updated["deploymentArn"])
    assert by_provider(moving["targetDaemonRevision"]) == {"small": (1, 0, 3), "mi": (0, 0, 8)}
    assert by_provider(moving["sourceDaemonRevisions"][0]) == {"small": (0, 0, 4), "mi": (4, 2, 2)}
    world.advance(30)
    done = world.deployment(updated["deploymentArn"])
    assert done["status"] == "SUCCESSFUL"
    assert by_provider(done["targetDaemonRevision"]) == {"small": (4, 0, 0), "mi": (0, 0, 8)}
    assert by_provider(done["sourceDaemonRevisions"][0]) == {"small": (0, 0, 4), "mi": (0, 0, 8)}
    # DescribeDaemon counts the capacity providers the daemon deploys to: mi's instances are
    # not "without the daemon" once it left them.
    assert world.daemon(created["daemonArn"])["currentRevisions"] == [
        {
            "arn": world.target_of(updated["deploymentArn"]),
            "capacityProviders": [{"arn": small, "runningCount": 4, "withoutDaemonCount": 0}],
            "totalRunningCount": 4,
            "totalWithoutDaemonCount": 0,
        }
    ]
    assert source != world.target_of(updated["deploymentArn"])
    listed = ok(world.ecs, "list_daemons", capacityProviderArns=[world.cp])
    assert listed["daemonSummariesList"] == []
    listed = ok(world.ecs, "list_daemons", capacityProviderArns=[small])
    assert [item["daemonArn"] for item in listed["daemonSummariesList"]] == [created["daemonArn"]]


def test_describe_daemon_of_a_pending_first_deployment_lists_its_target_with_nothing_running(
    world: World,
) -> None:
    world.plan(pending_for=30, in_progress_for=40)
    created = world.create()
    (current,) = world.daemon(created["daemonArn"])["currentRevisions"]
    assert current["arn"] == world.target_of(created["deploymentArn"])
    assert (current["totalRunningCount"], current["totalWithoutDaemonCount"]) == (0, 8)
    pending = world.deployment(created["deploymentArn"])
    assert pending["status"] == "PENDING"
    assert "startedAt" not in pending
    world.advance(30)
    assert world.deployment(created["deploymentArn"])["startedAt"] == at(30)


# -- ListDaemons ---------------------------------------------------------------------------------


def test_list_daemons_filters_by_cluster_and_capacity_provider_and_pages(world: World) -> None:
    other_cp = world.backend.add_capacity_provider("other", instances=2).arn
    prod_cp = world.backend.add_capacity_provider("prod-mi", "prod", instances=2).arn
    a = world.create("a")["daemonArn"]
    world.advance(1)
    b = world.create("b", capacityProviderArns=[other_cp])["daemonArn"]
    world.advance(1)
    c = world.create("c", clusterArn=f"{PREFIX}:cluster/prod", capacityProviderArns=[prod_cp])[
        "daemonArn"
    ]
    world.advance(1)
    world.update(b, capacityProviderArns=[other_cp])

    def listed(**params: Any) -> list[str]:
        page = ok(world.ecs, "list_daemons", **params)
        return [item["daemonArn"] for item in page["daemonSummariesList"]]

    assert listed() == [a, b, c]
    assert listed(clusterArn="prod") == [c]
    assert listed(clusterArn=DEFAULT_CLUSTER) == [a, b]
    assert listed(capacityProviderArns=[world.cp]) == [a]
    assert listed(capacityProviderArns=[world.cp, prod_cp]) == [a, c]
    assert listed(clusterArn="default", capacityProviderArns=[prod_cp]) == []
    assert listed(capacityProviderArns=[f"{PREFIX}:capacity-provider/unknown"]) == []
    summaries = ok(world.ecs, "list_daemons")["daemonSummariesList"]
    assert summaries[0] == {"daemonArn": a, "status": "ACTIVE", "createdAt": T0}
    assert summaries[1] == {
        "daemonArn": b,
        "status": "ACTIVE",
        "createdAt": at(1),
        "updatedAt": at(3),
    }

    first = ok(world.ecs, "list_daemons", maxResults=2)
    assert [item["daemonArn"] for item in first["daemonSummariesList"]] == [a, b]
    second = ok(world.ecs, "list_daemons", maxResults=2, nextToken=first["nextToken"])
    assert [item["daemonArn"] for item in second["daemonSummariesList"]] == [c]
    assert "nextToken" not in second
    assert refused(
        world.ecs, "list_daemons", clusterArn="prod", maxResults=2, nextToken=first["nextToken"]
    )[:2] == (400, "InvalidParameterException")


# -- ListDaemonDeployments -----------------------------------------------------------------------


def test_list_daemon_deployments_newest_first_filtered_and_paged(world: World) -> None:
    created = world.create()
    arns = [created["deploymentArn"]]
    for index in range(1, 21):  # 20 updates, each done at once (the default plan)
        world.advance(1)
        arns.append(
            world.update(created["daemonArn"], world.td2 if index % 2 else world.td1)[
                "deploymentArn"
            ]
        )
    world.advance(1)
    world.plan(in_progress_for=100)
    arns.append(world.update(created["daemonArn"])["deploymentArn"])  # 21: superseded by 22
    world.advance(1)
    world.plan(in_progress_for=100)
    arns.append(world.update(created["daemonArn"], world.td1)["deploymentArn"])  # 22: IN_PROGRESS
    newest_first = arns[::-1]
    daemon = created["daemonArn"]

    # maxResults defaults to 20.
    page = ok(world.ecs, "list_daemon_deployments", daemonArn=daemon)
    assert [item["daemonDeploymentArn"] for item in page["daemonDeployments"]] == newest_first[:20]
    rest = ok(world.ecs, "list_daemon_deployments", daemonArn=daemon, nextToken=page["nextToken"])
    assert [item["daemonDeploymentArn"] for item in rest["daemonDeployments"]] == newest_first[20:]
    assert "nextToken" not in rest

    assert world.listed(daemon, status=["IN_PROGRESS", "STOPPED"]) == [arns[22], arns[21]]
    assert world.listed(daemon, status=["STOPPED"]) == [arns[21]]
    assert world.listed(daemon, status=["ROLLBACK_FAILED"]) == []
    window = {"after": at(5), "before": at(9)}  # both bounds inclusive
    assert world.listed(daemon, createdAt=window) == [arns[9], arns[8], arns[7], arns[6], arns[5]]
    assert world.listed(daemon, createdAt={"after": at(21)}) == [arns[22], arns[21]]
    assert world.listed(daemon, createdAt={"before": at(1)}) == [arns[1], arns[0]]

    successful = ok(
        world.ecs, "list_daemon_deployments", daemonArn=daemon, status=["SUCCESSFUL"], maxResults=5
    )
    assert [item["daemonDeploymentArn"] for item in successful["daemonDeployments"]] == arns[
        20:15:-1
    ]
    following = ok(
        world.ecs,
        "list_daemon_deployments",
        daemonArn=daemon,
        status=["SUCCESSFUL"],
        maxResults=5,
        nextToken=successful["nextToken"],
    )
    assert [item["daemonDeploymentArn"] for item in following["daemonDeployments"]] == arns[
        15:10:-1
    ]
    # The token is bound to the filters it was made with.
    for other in ({"status": ["STOPPED"]}, {}, {"createdAt": window, "status": ["SUCCESSFUL"]}):
        assert refused(
            world.ecs,
            "list_daemon_deployments",
            daemonArn=daemon,
            maxResults=5,
            nextToken=successful["nextToken"],
            **other,
        )[:2] == (400, "InvalidParameterException"), other

    newest = page["daemonDeployments"][0]
    assert newest == {
        "daemonDeploymentArn": arns[22],
        "daemonArn": daemon,
        "clusterArn": DEFAULT_CLUSTER,
        "status": "IN_PROGRESS",
        "targetDaemonRevisionArn": world.target_of(arns[22]),
        "createdAt": at(22),
        "startedAt": at(22),
    }
    stopped = page["daemonDeployments"][1]
    assert (
        stopped["status"],
        stopped["statusReason"],
        stopped["stoppedAt"],
        stopped["finishedAt"],
    ) == (
        "STOPPED",
        SUPERSEDED,
        at(22),
        at(22),
    )


# -- DescribeDaemonDeployments, DescribeDaemonRevisions ------------------------------------------


def test_describe_daemon_deployments_reports_missing_arns_in_request_order(world: World) -> None:
    created = world.create()
    updated = world.update(created["daemonArn"])
    unknown = f"{PREFIX}:daemon-deployment/default/agent/AAAAAAAAAAAAAAAAAAAAA"
    elsewhere = updated["deploymentArn"].replace(REGION, "us-west-2")
    answer = ok(
        world.ecs,
        "describe_daemon_deployments",
        daemonDeploymentArns=[
            updated["deploymentArn"],
            unknown,
            "not-an-arn",
            created["deploymentArn"],
            elsewhere,
            updated["deploymentArn"],  # named twice: described once
        ],
    )
    assert [d["daemonDeploymentArn"] for d in answer["daemonDeployments"]] == [
        updated["deploymentArn"],
        created["deploymentArn"],
    ]
    assert answer["failures"] == [
        {"arn": unknown, "reason": "MISSING"},
        {"arn": "not-an-arn", "reason": "MISSING"},
        {"arn": elsewhere, "reason": "MISSING"},
    ]
    first = answer["daemonDeployments"][1]
    assert first == {
        "daemonDeploymentArn": created["deploymentArn"],
        "clusterArn": DEFAULT_CLUSTER,
        "status": "SUCCESSFUL",
        "statusReason": COMPLETED,
        "targetDaemonRevision": {
            "arn": first["targetDaemonRevision"]["arn"],
            "capacityProviders": [
                {
                    "arn": world.cp,
                    "runningInstanceCount": 8,
                    "withoutDaemonInstanceCount": 0,
                    "drainingInstanceCount": 0,
                }
            ],
            "totalRunningInstanceCount": 8,
            "totalWithoutDaemonInstanceCount": 0,
            "totalDrainingInstanceCount": 0,
        },
        "sourceDaemonRevisions": [],
        "circuitBreaker": {"failureCount": 0, "status": "MONITORING_COMPLETE", "threshold": 4},
        "alarms": {"status": "DISABLED"},
        "deploymentConfiguration": {"drainPercent": 25.0, "bakeTimeInMinutes": 0},
        "createdAt": T0,
        "startedAt": T0,
        "finishedAt": T0,
    }
    too_many = [f"{unknown[:-2]}{index:02d}" for index in range(21)]
    assert refused(world.ecs, "describe_daemon_deployments", daemonDeploymentArns=too_many) == (
        400,
        "InvalidParameterException",
        "daemonDeploymentArns must contain between 1 and 20 ARNs; got 21.",
    )
    assert ok(world.ecs, "describe_daemon_deployments", daemonDeploymentArns=too_many[:20])[
        "failures"
    ] == [{"arn": arn, "reason": "MISSING"} for arn in too_many[:20]]


def test_describe_daemon_revisions_snapshots_the_settings_and_images(world: World) -> None:
    created = world.create(propagateTags="DAEMON", enableExecuteCommand=True)
    revision_arn = world.target_of(created["deploymentArn"])
    assert revision_arn.startswith(f"{PREFIX}:daemon-revision/default/agent/")
    unknown = f"{PREFIX}:daemon-revision/default/agent/00000000-0000-4000-8000-000000000000"
    answer = ok(world.ecs, "describe_daemon_revisions", daemonRevisionArns=[unknown, revision_arn])
    assert answer["failures"] == [{"arn": unknown, "reason": "MISSING"}]
    (revision,) = answer["daemonRevisions"]
    (image,) = revision["containerImages"]
    assert (image["containerName"], image["image"]) == ("agent", "nginx:1")
    assert image["imageDigest"].startswith("sha256:") and len(image["imageDigest"]) == 71
    assert revision == {
        "daemonRevisionArn": revision_arn,
        "clusterArn": DEFAULT_CLUSTER,
        "daemonArn": created["daemonArn"],
        "daemonTaskDefinitionArn": world.td1,
        "createdAt": T0,
        "containerImages": [image],
        "propagateTags": "DAEMON",
        "enableECSManagedTags": False,
        "enableExecuteCommand": True,
        "critical": True,
    }
    # A second revision of the same image has the same digest, another of another image not.
    second = world.revision(
        world.target_of(world.update(created["daemonArn"], world.td1)["deploymentArn"])
    )
    third = world.revision(
        world.target_of(world.update(created["daemonArn"], world.td2)["deploymentArn"])
    )
    assert second["containerImages"] == [image]
    assert third["containerImages"][0]["imageDigest"] != image["imageDigest"]
    assert refused(world.ecs, "describe_daemon_revisions", daemonRevisionArns=[unknown] * 21) == (
        400,
        "InvalidParameterException",
        "daemonRevisionArns must contain between 1 and 20 ARNs; got 21.",
    )


# -- errors --------------------------------------------------------------------------------------

UNKNOWN_DAEMON = f"{PREFIX}:daemon/default/ghost"
INVALID = "InvalidParameterException"


def _create(world: World, **params: Any) -> Callable[[], Any]:
    arguments = {
        "daemonName": "new",
        "daemonTaskDefinitionArn": world.td1,
        "capacityProviderArns": [world.cp],
        **params,
    }
    return lambda: world.ecs.create_daemon(**arguments)


ERRORS: list[tuple[str, Callable[[World, str], Callable[[], Any]], str, str]] = [
    (
        "describe-unknown",
        lambda w, d: lambda: w.ecs.describe_daemon(daemonArn=UNKNOWN_DAEMON),
        "DaemonNotFoundException",
        "Daemon not found.",
    ),
    (
        "describe-other-region",
        lambda w, d: lambda: w.ecs.describe_daemon(daemonArn=d.replace(REGION, "eu-west-1")),
        "DaemonNotFoundException",
        "Daemon not found.",
    ),
    (
        "update-unknown",
        lambda w, d: (
            lambda: w.ecs.update_daemon(
                daemonArn=UNKNOWN_DAEMON, daemonTaskDefinitionArn=w.td1, capacityProviderArns=[w.cp]
            )
        ),
        "DaemonNotFoundException",
        "Daemon not found.",
    ),
    (
        "delete-unknown",
        lambda w, d: lambda: w.ecs.delete_daemon(daemonArn=UNKNOWN_DAEMON),
        "DaemonNotFoundException",
        "Daemon not found.",
    ),
    (
        "list-deployments-unknown",
        lambda w, d: lambda: w.ecs.list_daemon_deployments(daemonArn=UNKNOWN_DAEMON),
        "ClientException",
        f"The specified daemon does not exist: {UNKNOWN_DAEMON}",
    ),
    (
        "list-deployments-other-region",
        lambda w, d: (
            lambda: w.ecs.list_daemon_deployments(daemonArn=d.replace(REGION, "eu-west-1"))
        ),
        "ClientException",
        f"The specified daemon does not exist: {PREFIX.replace(REGION, 'eu-west-1')}"
        ":daemon/default/agent",
    ),
    (
        "list-deployments-no-cluster",
        lambda w, d: lambda: w.ecs.list_daemon_deployments(daemonArn=f"{PREFIX}:daemon/nope/agent"),
        "ClusterNotFoundException",
        "Cluster not found.",
    ),
    (
        "describe-malformed-arn",
        lambda w, d: lambda: w.ecs.describe_daemon(daemonArn="agent"),
        INVALID,
        "Invalid daemon ARN: agent",
    ),
    (
        "update-service-arn",
        lambda w, d: (
            lambda: w.ecs.update_daemon(
                daemonArn=f"{PREFIX}:service/default/agent",
                daemonTaskDefinitionArn=w.td1,
                capacityProviderArns=[w.cp],
            )
        ),
        INVALID,
        f"Invalid daemon ARN: {PREFIX}:service/default/agent",
    ),
    (
        "list-deployments-malformed-arn",
        lambda w, d: lambda: w.ecs.list_daemon_deployments(daemonArn="agent"),
        INVALID,
        "Invalid daemon ARN: agent",
    ),
    (
        "create-unknown-cluster",
        lambda w, d: _create(w, clusterArn="nope"),
        "ClusterNotFoundException",
        "Cluster not found.",
    ),
    (
        "create-cluster-of-another-region",
        lambda w, d: _create(w, clusterArn="arn:aws:ecs:eu-west-1:123456789012:cluster/default"),
        "ClusterNotFoundException",
        "Cluster not found.",
    ),
    (
        "list-unknown-cluster",
        lambda w, d: lambda: w.ecs.list_daemons(clusterArn="nope"),
        "ClusterNotFoundException",
        "Cluster not found.",
    ),
    (
        "create-malformed-cluster-arn",
        lambda w, d: _create(w, clusterArn=f"{PREFIX}:service/default/web"),
        INVALID,
        f"Invalid cluster ARN: {PREFIX}:service/default/web",
    ),
    (
        "create-bad-propagate-tags",
        lambda w, d: _create(w, propagateTags="SERVICE"),
        INVALID,
        "Invalid propagateTags value: SERVICE. Valid values: DAEMON, NONE.",
    ),
    (
        "create-drain-percent-low",
        lambda w, d: _create(w, deploymentConfiguration={"drainPercent": 0.99}),
        INVALID,
        "deploymentConfiguration.drainPercent must be between 1.0 and 100.0; got 0.99.",
    ),
    (
        "update-drain-percent-high",
        lambda w, d: (
            lambda: w.ecs.update_daemon(
                daemonArn=d,
                daemonTaskDefinitionArn=w.td2,
                capacityProviderArns=[w.cp],
                deploymentConfiguration={"drainPercent": 100.5},
            )
        ),
        INVALID,
        "deploymentConfiguration.drainPercent must be between 1.0 and 100.0; got 100.5.",
    ),
    (
        "create-bake-time-negative",
        lambda w, d: _create(w, deploymentConfiguration={"bakeTimeInMinutes": -1}),
        INVALID,
        "deploymentConfiguration.bakeTimeInMinutes must be between 0 and 1440; got -1.",
    ),
    (
        "create-bake-time-high",
        lambda w, d: _create(w, deploymentConfiguration={"bakeTimeInMinutes": 1441}),
        INVALID,
        "deploymentConfiguration.bakeTimeInMinutes must be between 0 and 1440; got 1441.",
    ),
    (
        "create-malformed-capacity-provider",
        lambda w, d: _create(w, capacityProviderArns=["mi"]),
        INVALID,
        "Invalid capacity provider ARN: mi",
    ),
    (
        "create-no-capacity-provider",
        lambda w, d: _create(w, capacityProviderArns=[]),
        INVALID,
        "capacityProviderArns must not be empty.",
    ),
    (
        "create-bad-name",
        lambda w, d: _create(w, daemonName="my agent"),
        INVALID,
        "daemonName must be 1 to 255 letters, digits, hyphens and underscores.",
    ),
    (
        "list-daemons-malformed-capacity-provider",
        lambda w, d: lambda: w.ecs.list_daemons(capacityProviderArns=[f"{PREFIX}:cluster/mi"]),
        INVALID,
        f"Invalid capacity provider ARN: {PREFIX}:cluster/mi",
    ),
    (
        "describe-deployments-none",
        lambda w, d: lambda: w.ecs.describe_daemon_deployments(daemonDeploymentArns=[]),
        INVALID,
        "daemonDeploymentArns must contain between 1 and 20 ARNs; got 0.",
    ),
    (
        "list-daemons-max-results-0",
        lambda w, d: lambda: w.ecs.list_daemons(maxResults=0),
        INVALID,
        "maxResults must be between 1 and 100; got 0.",
    ),
    (
        "list-deployments-max-results-101",
        lambda w, d: lambda: w.ecs.list_daemon_deployments(daemonArn=d, maxResults=101),
        INVALID,
        "maxResults must be between 1 and 100; got 101.",
    ),
    (
        "list-task-definitions-max-results-101",
        lambda w, d: lambda: w.ecs.list_daemon_task_definitions(maxResults=101),
        INVALID,
        "maxResults must be between 1 and 100; got 101.",
    ),
    (
        "list-deployments-bad-status",
        lambda w, d: (
            lambda: w.ecs.list_daemon_deployments(daemonArn=d, status=["SUCCESSFUL", "DONE"])
        ),
        INVALID,
        "Invalid status value: DONE. Valid values: PENDING, SUCCESSFUL, STOPPED, STOP_REQUESTED,"
        " IN_PROGRESS, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED.",
    ),
    (
        "list-task-definitions-bad-status",
        lambda w, d: lambda: w.ecs.list_daemon_task_definitions(status="INACTIVE"),
        INVALID,
        "Invalid status value: INACTIVE. Valid values: ACTIVE, DELETE_IN_PROGRESS, ALL.",
    ),
    (
        "list-task-definitions-bad-revision",
        lambda w, d: lambda: w.ecs.list_daemon_task_definitions(revision="LATEST"),
        INVALID,
        "Invalid revision value: LATEST. Valid values: LAST_REGISTERED.",
    ),
    (
        "list-task-definitions-bad-sort",
        lambda w, d: lambda: w.ecs.list_daemon_task_definitions(sort="UP"),
        INVALID,
        "Invalid sort value: UP. Valid values: ASC, DESC.",
    ),
    (
        "list-task-definitions-family-and-prefix",
        lambda w, d: lambda: w.ecs.list_daemon_task_definitions(family="agent", familyPrefix="a"),
        INVALID,
        "family and familyPrefix cannot both be given.",
    ),
    (
        "list-daemons-forged-token",
        lambda w, d: lambda: w.ecs.list_daemons(nextToken="AAAA"),
        INVALID,
        "The nextToken is not valid for this request: it was not returned by a previous call"
        " with the same parameters and filters.",
    ),
    (
        "create-unknown-task-definition",
        lambda w, d: _create(w, daemonTaskDefinitionArn="ghost:1"),
        "ClientException",
        "The specified daemon task definition does not exist: ghost:1",
    ),
    (
        "update-unknown-task-definition-revision",
        lambda w, d: (
            lambda: w.ecs.update_daemon(
                daemonArn=d, daemonTaskDefinitionArn="agent:9", capacityProviderArns=[w.cp]
            )
        ),
        "ClientException",
        "The specified daemon task definition does not exist: agent:9",
    ),
]


@pytest.mark.parametrize(
    ("setup", "code", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_errors(
    world: World, setup: Callable[[World, str], Callable[[], Any]], code: str, message: str
) -> None:
    existing = world.create("agent")
    before = world.listed(existing["daemonArn"])
    with pytest.raises(ClientError) as raised:
        setup(world, existing["daemonArn"])()
    response = raised.value.response
    assert (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    ) == (400, code, message)
    # A refused request changed nothing.
    assert world.listed(existing["daemonArn"]) == before
    assert [s["daemonArn"] for s in ok(world.ecs, "list_daemons")["daemonSummariesList"]] == [
        existing["daemonArn"]
    ]


def test_update_and_delete_are_refused_while_the_daemon_is_being_deleted(world: World) -> None:
    created = world.create()
    world.plan(in_progress_for=60)
    deleted = ok(world.ecs, "delete_daemon", daemonArn=created["daemonArn"])
    world.advance(30)
    not_active = (400, "DaemonNotActiveException", NOT_ACTIVE)
    assert (
        refused(
            world.ecs,
            "update_daemon",
            daemonArn=created["daemonArn"],
            daemonTaskDefinitionArn=world.td2,
            capacityProviderArns=[world.cp],
        )
        == not_active
    )
    assert refused(world.ecs, "delete_daemon", daemonArn=created["daemonArn"]) == not_active
    # Neither refused call disturbed the drain.
    assert world.listed(created["daemonArn"]) == [
        deleted["deploymentArn"],
        created["deploymentArn"],
    ]
    assert world.deployment(deleted["deploymentArn"])["status"] == "IN_PROGRESS"
    world.advance(30)
    assert refused(world.ecs, "delete_daemon", daemonArn=created["daemonArn"])[1] == (
        "DaemonNotFoundException"
    )


# -- the lifecycle on the mock's clock -----------------------------------------------------------


def test_the_first_deployment_starts_a_batch_of_instances_at_a_time(world: World) -> None:
    world.plan(in_progress_for=40)
    created = world.create()  # 8 instances, drainPercent 25: 4 batches of 2, 10 s each
    arn = created["deploymentArn"]
    seen: list[tuple[float, str, tuple[int, int, int]]] = []
    for second in (0, 9.999, 10, 19.999, 20, 30, 39.999):
        world.advance(second - (seen[-1][0] if seen else 0))
        deployment = world.deployment(arn)
        assert deployment["sourceDaemonRevisions"] == []
        seen.append((second, deployment["status"], totals(deployment["targetDaemonRevision"])))
    assert [row[1:] for row in seen] == [
        ("IN_PROGRESS", (0, 0, 8)),
        ("IN_PROGRESS", (0, 0, 8)),
        ("IN_PROGRESS", (2, 0, 6)),
        ("IN_PROGRESS", (2, 0, 6)),
        ("IN_PROGRESS", (4, 0, 4)),
        ("IN_PROGRESS", (6, 0, 2)),
        ("IN_PROGRESS", (6, 0, 2)),
    ]
    world.advance(0.001)
    done = world.deployment(arn)
    assert (done["status"], done["finishedAt"], totals(done["targetDaemonRevision"])) == (
        "SUCCESSFUL",
        at(40),
        (8, 0, 0),
    )


def test_an_update_drains_the_source_batch_by_batch(world: World) -> None:
    created = world.create()
    source = world.target_of(created["deploymentArn"])
    world.advance(60)
    world.plan(in_progress_for=40)
    updated = world.update(created["daemonArn"])
    arn = updated["deploymentArn"]

    def counts() -> tuple[str, tuple[int, int, int], tuple[int, int, int]]:
        deployment = world.deployment(arn)
        (from_source,) = deployment["sourceDaemonRevisions"]
        assert from_source["arn"] == source
        target = deployment["targetDaemonRevision"]
        assert target["capacityProviders"][0]["arn"] == world.cp
        return deployment["status"], totals(target), totals(from_source)

    # (running, draining, without daemon) of the target, then of the source.
    assert counts() == ("IN_PROGRESS", (0, 0, 8), (6, 2, 0))
    world.advance(10)
    assert counts() == ("IN_PROGRESS", (2, 0, 6), (4, 2, 2))
    world.advance(10)
    assert counts() == ("IN_PROGRESS", (4, 0, 4), (2, 2, 4))
    world.advance(10)
    assert counts() == ("IN_PROGRESS", (6, 0, 2), (0, 2, 6))
    world.advance(10)
    assert counts() == ("SUCCESSFUL", (8, 0, 0), (0, 0, 8))
    (current,) = world.daemon(created["daemonArn"])["currentRevisions"]
    assert current["arn"] == world.target_of(arn)


@pytest.mark.parametrize(
    ("drain_percent", "batches", "size"),
    [(100.0, 1, 8), (50.0, 2, 4), (30.0, 3, 3), (12.5, 8, 1), (1.0, 8, 1)],
)
def test_drain_percent_sets_the_batch_size(
    world: World, drain_percent: float, batches: int, size: int
) -> None:
    world.plan(in_progress_for=120)
    created = world.create(deploymentConfiguration={"drainPercent": drain_percent})
    first_batch = 120 / batches
    world.advance(first_batch - 0.001)
    assert totals(world.deployment(created["deploymentArn"])["targetDaemonRevision"])[0] == 0
    world.advance(0.001)
    deployment = world.deployment(created["deploymentArn"])
    assert totals(deployment["targetDaemonRevision"])[0] == size
    assert deployment["status"] == ("SUCCESSFUL" if batches == 1 else "IN_PROGRESS")


def test_the_bake_time_keeps_the_deployment_in_progress(world: World) -> None:
    world.plan(in_progress_for=40)
    created = world.create(deploymentConfiguration={"bakeTimeInMinutes": 2})
    world.advance(40)
    baking = world.deployment(created["deploymentArn"])
    assert (baking["status"], totals(baking["targetDaemonRevision"])) == ("IN_PROGRESS", (8, 0, 0))
    assert baking["circuitBreaker"]["status"] == "MONITORING"
    world.advance(119.999)
    assert world.deployment(created["deploymentArn"])["status"] == "IN_PROGRESS"
    world.advance(0.001)
    done = world.deployment(created["deploymentArn"])
    assert (done["status"], done["statusReason"], done["finishedAt"]) == (
        "SUCCESSFUL",
        COMPLETED,
        at(160),
    )


def test_a_rollback_puts_the_source_task_definition_back_in_the_daemon_s_settings(
    world: World,
) -> None:
    created = world.create()
    world.advance(60)
    world.plan(outcome="ROLLBACK_SUCCESSFUL", in_progress_for=10, rollback_for=10)
    world.update(created["daemonArn"])
    world.advance(30)  # rolled back
    # Both deleted: the failed revision's definition is no longer used, the restored one is.
    for td in (world.td1, world.td2):
        ok(world.ecs, "delete_daemon_task_definition", daemonTaskDefinition=td)
    world.advance(1)

    def status(td: str) -> str:
        answer = ok(world.ecs, "describe_daemon_task_definition", daemonTaskDefinition=td)
        return str(answer["daemonTaskDefinition"]["status"])

    assert (status(world.td1), status(world.td2)) == ("DELETE_IN_PROGRESS", "DELETED")
    # Once the daemon is gone, so is the last use of the restored one.
    ok(world.ecs, "delete_daemon", daemonArn=created["daemonArn"])
    world.advance(1)
    assert status(world.td1) == "DELETED"


def test_a_planned_failure_trips_the_breaker_and_rolls_back_to_the_source(world: World) -> None:
    created = world.create()
    source = world.target_of(created["deploymentArn"])
    world.advance(60)
    world.plan(outcome="ROLLBACK_SUCCESSFUL", in_progress_for=40, rollback_for=30)
    updated = world.update(created["daemonArn"])
    arn = updated["deploymentArn"]
    target = world.target_of(arn)
    world.advance(39.999)
    moving = world.deployment(arn)
    assert moving["status"] == "IN_PROGRESS"
    assert moving["circuitBreaker"] == {"failureCount": 0, "status": "MONITORING", "threshold": 4}

    world.advance(0.001)  # the batches end at 100 s: the breaker trips
    stopping = world.deployment(arn)
    assert (stopping["status"], stopping["statusReason"], stopping["stoppedAt"]) == (
        "STOP_REQUESTED",
        BREAKER,
        at(100),
    )
    assert stopping["circuitBreaker"] == {"failureCount": 4, "status": "TRIGGERED", "threshold": 4}
    assert "rollback" not in stopping and "finishedAt" not in stopping

    world.advance(0.001)
    rolling_back = world.deployment(arn)
    rollback = {
        "reason": BREAKER,
        "startedAt": at(100),
        "rollbackTargetDaemonRevisionArn": source,
        "rollbackCapacityProviders": [world.cp],
    }
    assert (rolling_back["status"], rolling_back["rollback"]) == ("ROLLBACK_IN_PROGRESS", rollback)
    assert totals(rolling_back["targetDaemonRevision"]) == (8, 0, 0)

    world.advance(29.999)
    done = world.deployment(arn)
    assert (done["status"], done["statusReason"], done["finishedAt"], done["rollback"]) == (
        "ROLLBACK_SUCCESSFUL",
        BREAKER,
        at(130),
        rollback,
    )
    assert done["circuitBreaker"]["status"] == "TRIGGERED"
    assert totals(done["targetDaemonRevision"]) == (0, 0, 8)
    assert totals(done["sourceDaemonRevisions"][0]) == (8, 0, 0)
    (current,) = world.daemon(created["daemonArn"])["currentRevisions"]
    assert (current["arn"], current["totalRunningCount"]) == (source, 8)
    assert current["arn"] != target


def test_a_failed_rollback_leaves_the_instances_on_the_target(world: World) -> None:
    created = world.create()
    world.advance(60)
    world.plan(
        outcome="ROLLBACK_FAILED", in_progress_for=40, rollback_for=30, reason="Tasks crashed."
    )
    arn = world.update(created["daemonArn"])["deploymentArn"]
    world.advance(70)
    done = world.deployment(arn)
    assert (done["status"], done["statusReason"], done["rollback"]["reason"]) == (
        "ROLLBACK_FAILED",
        "Tasks crashed.",
        "Tasks crashed.",
    )
    assert totals(done["targetDaemonRevision"]) == (8, 0, 0)
    (current,) = world.daemon(created["daemonArn"])["currentRevisions"]
    assert current["arn"] == done["targetDaemonRevision"]["arn"]
    names = [e["detail"]["eventName"] for e in daemon_events(world.mock)][-3:]
    assert names == [
        "DAEMON_DEPLOYMENT_STOP_REQUESTED",
        "DAEMON_DEPLOYMENT_ROLLBACK_IN_PROGRESS",
        "DAEMON_DEPLOYMENT_ROLLBACK_FAILED",
    ]


def test_a_first_deployment_has_nothing_to_roll_back_to(world: World) -> None:
    world.plan(outcome="ROLLBACK_SUCCESSFUL", in_progress_for=40, rollback_for=30)
    created = world.create()
    world.advance(40)
    assert world.deployment(created["deploymentArn"])["status"] == "STOP_REQUESTED"
    world.advance(0.001)
    done = world.deployment(created["deploymentArn"])
    assert (done["status"], done["statusReason"], done["finishedAt"]) == (
        "ROLLBACK_FAILED",
        NO_SOURCE,
        at(40),
    )
    assert "rollback" not in done
    assert done["circuitBreaker"] == {"failureCount": 4, "status": "TRIGGERED", "threshold": 4}


def test_a_planned_stop_ends_stopped(world: World) -> None:
    created = world.create()
    world.plan(outcome="STOPPED", in_progress_for=20, reason="Stopped by the test.")
    arn = world.update(created["daemonArn"])["deploymentArn"]
    world.advance(20)
    done = world.deployment(arn)
    assert (done["status"], done["statusReason"], done["stoppedAt"], done["finishedAt"]) == (
        "STOPPED",
        "Stopped by the test.",
        at(20),
        at(20),
    )
    assert "rollback" not in done


def test_a_newer_update_supersedes_the_one_under_way(world: World) -> None:
    created = world.create()
    first_revision = world.target_of(created["deploymentArn"])
    world.advance(60)
    world.plan(in_progress_for=40)
    second = world.update(created["daemonArn"])["deploymentArn"]
    second_revision = world.target_of(second)
    world.advance(15)  # batch 1 done (2 on the new revision), batch 2 draining 2 more
    world.plan(in_progress_for=40)
    third = world.update(created["daemonArn"], world.td1)["deploymentArn"]
    stopped = world.deployment(second)
    assert (
        stopped["status"],
        stopped["statusReason"],
        stopped["stoppedAt"],
        stopped["finishedAt"],
    ) == (
        "STOPPED",
        SUPERSEDED,
        at(75),
        at(75),
    )
    # The unfinished batch was called off: its draining tasks run on.
    assert totals(stopped["targetDaemonRevision"]) == (2, 0, 6)
    assert totals(stopped["sourceDaemonRevisions"][0]) == (6, 0, 2)
    moving = world.deployment(third)
    assert moving["status"] == "IN_PROGRESS"
    assert [r["arn"] for r in moving["sourceDaemonRevisions"]] == [second_revision, first_revision]
    assert [totals(r) for r in moving["sourceDaemonRevisions"]] == [(0, 2, 6), (6, 0, 2)]
    current = world.daemon(created["daemonArn"])["currentRevisions"]
    assert [(r["arn"], r["totalRunningCount"]) for r in current] == [
        (world.target_of(third), 0),
        (first_revision, 6),
    ]
    world.advance(40)
    assert world.deployment(third)["status"] == "SUCCESSFUL"
    assert world.deployment(second)["status"] == "STOPPED"


def test_a_deployment_onto_no_instances_completes_at_once_whatever_its_plan(world: World) -> None:
    empty = world.backend.add_capacity_provider("empty", instances=0).arn
    untold = f"{PREFIX}:capacity-provider/untold"
    world.plan(outcome="ROLLBACK_FAILED", pending_for=30, in_progress_for=60, rollback_for=10)
    created = world.create(capacityProviderArns=[empty, untold])
    done = world.deployment(created["deploymentArn"])
    assert (done["status"], done["statusReason"]) == ("SUCCESSFUL", COMPLETED)
    assert (done["createdAt"], done["startedAt"], done["finishedAt"]) == (T0, T0, T0)
    assert totals(done["targetDaemonRevision"]) == (0, 0, 0)
    assert done["circuitBreaker"] == {
        "failureCount": 0,
        "status": "MONITORING_COMPLETE",
        "threshold": 3,
    }
    events = daemon_events(world.mock)
    assert [(e["detail"]["eventName"], e["time"]) for e in events] == [
        ("DAEMON_DEPLOYMENT_PENDING", "2026-04-20T09:00:00Z"),
        ("DAEMON_DEPLOYMENT_IN_PROGRESS", "2026-04-20T09:00:00Z"),
        ("DAEMON_DEPLOYMENT_SUCCESSFUL", "2026-04-20T09:00:00Z"),
    ]
    # What it runs is still its current revision, on no instance: a reader of
    # currentRevisions[0] (as the Terraform provider is) finds it.
    (current,) = world.daemon(created["daemonArn"])["currentRevisions"]
    assert current == {
        "arn": done["targetDaemonRevision"]["arn"],
        "capacityProviders": [
            {"arn": empty, "runningCount": 0, "withoutDaemonCount": 0},
            {"arn": untold, "runningCount": 0, "withoutDaemonCount": 0},
        ],
        "totalRunningCount": 0,
        "totalWithoutDaemonCount": 0,
    }
    assert world.revision(current["arn"])["daemonTaskDefinitionArn"] == world.td1


def test_events_once_per_transition_with_their_detail(world: World) -> None:
    created = world.create()
    daemon_arn = created["daemonArn"]
    world.advance(60)
    world.plan(outcome="ROLLBACK_SUCCESSFUL", in_progress_for=40, rollback_for=30)
    updated = world.update(daemon_arn)
    target = world.target_of(updated["deploymentArn"])
    # Many reads along the way make no event of their own.
    for _ in range(8):
        world.advance(10)
        world.deployment(updated["deploymentArn"])
        world.daemon(daemon_arn)
        daemon_events(world.mock)
    events = daemon_events(world.mock)
    assert len({e["id"] for e in events}) == len(events) == 8
    rows = [
        (e["detail"]["eventName"], e["detail"]["eventType"], e["time"], e["detail"]["updatedAt"])
        for e in events
    ]
    assert rows == [
        ("DAEMON_DEPLOYMENT_PENDING", "INFO", "2026-04-20T09:00:00Z", "2026-04-20T09:00:00.000Z"),
        (
            "DAEMON_DEPLOYMENT_IN_PROGRESS",
            "INFO",
            "2026-04-20T09:00:00Z",
            "2026-04-20T09:00:00.000Z",
        ),
        (
            "DAEMON_DEPLOYMENT_SUCCESSFUL",
            "INFO",
            "2026-04-20T09:00:00Z",
            "2026-04-20T09:00:00.000Z",
        ),
        ("DAEMON_DEPLOYMENT_PENDING", "INFO", "2026-04-20T09:01:00Z", "2026-04-20T09:01:00.000Z"),
        (
            "DAEMON_DEPLOYMENT_IN_PROGRESS",
            "INFO",
            "2026-04-20T09:01:00Z",
            "2026-04-20T09:01:00.000Z",
        ),
        (
            "DAEMON_DEPLOYMENT_STOP_REQUESTED",
            "INFO",
            "2026-04-20T09:01:40Z",
            "2026-04-20T09:01:40.000Z",
        ),
        (
            "DAEMON_DEPLOYMENT_ROLLBACK_IN_PROGRESS",
            "INFO",
            "2026-04-20T09:01:40Z",
            "2026-04-20T09:01:40.000Z",
        ),
        (
            "DAEMON_DEPLOYMENT_ROLLBACK_SUCCESSFUL",
            "INFO",
            "2026-04-20T09:02:10Z",
            "2026-04-20T09:02:10.000Z",
        ),
    ]
    for event, deployment in zip(events, [created] * 3 + [updated] * 5, strict=True):
        assert (event["version"], event["source"], event["account"], event["region"]) == (
            "0",
            "aws.ecs",
            ACCOUNT,
            REGION,
        )
        assert event["resources"] == [daemon_arn]
        detail = event["detail"]
        assert (detail["clusterArn"], detail["daemonArn"], detail["daemonDeploymentArn"]) == (
            DEFAULT_CLUSTER,
            daemon_arn,
            deployment["deploymentArn"],
        )
        assert detail["targetDaemonRevisionArn"] == world.target_of(deployment["deploymentArn"])
    assert events[-1]["detail"]["targetDaemonRevisionArn"] == target


def test_rollback_failed_is_the_only_error_event(world: World) -> None:
    world.plan(outcome="ROLLBACK_FAILED", in_progress_for=10)
    created = world.create()
    world.advance(11)
    assert world.deployment(created["deploymentArn"])["status"] == "ROLLBACK_FAILED"
    types = [
        (e["detail"]["eventName"], e["detail"]["eventType"]) for e in daemon_events(world.mock)
    ]
    assert types == [
        ("DAEMON_DEPLOYMENT_PENDING", "INFO"),
        ("DAEMON_DEPLOYMENT_IN_PROGRESS", "INFO"),
        ("DAEMON_DEPLOYMENT_STOP_REQUESTED", "INFO"),
        ("DAEMON_DEPLOYMENT_ROLLBACK_FAILED", "ERROR"),
    ]
    # DeleteDaemon's drain deploys no revision: its events name none.
    deleted = ok(world.ecs, "delete_daemon", daemonArn=created["daemonArn"])
    drain = [
        e
        for e in daemon_events(world.mock)
        if e["detail"]["daemonDeploymentArn"] == deleted["deploymentArn"]
    ]
    assert [e["detail"]["eventName"] for e in drain] == [
        "DAEMON_DEPLOYMENT_PENDING",
        "DAEMON_DEPLOYMENT_IN_PROGRESS",
        "DAEMON_DEPLOYMENT_SUCCESSFUL",
    ]
    assert all("targetDaemonRevisionArn" not in e["detail"] for e in drain)


# -- the whole flow ------------------------------------------------------------------------------


def _whole_flow(
    mock: ServiceDeploymentsMock,
    backend: ServiceDeploymentBackend,
    ecs: Any,
    cluster: str,
    cp: str,
    advance: Callable[[float], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """register -> create -> waiter -> update with a planned failure -> events -> back on the
    old revision -> delete -> gone."""
    td1 = register(ecs, image="nginx:1")
    td2 = register(ecs, image="nginx:2")
    backend.plan_next_deployment(daemon="agent", cluster=cluster, in_progress_for=60)
    created = ok(
        ecs,
        "create_daemon",
        daemonName="agent",
        clusterArn=cluster,
        daemonTaskDefinitionArn=td1,
        capacityProviderArns=[cp],
    )
    daemon_arn = created["daemonArn"]
    assert daemon_arn == f"{PREFIX}:daemon/{cluster}/agent"
    monkeypatch.setattr("botocore.waiter.time.sleep", advance)
    ecs.get_waiter("daemon_deployment_successful").wait(
        daemonDeploymentArns=[created["deploymentArn"]],
        WaiterConfig={"Delay": 15, "MaxAttempts": 10},
    )
    (first,) = ok(
        ecs, "describe_daemon_deployments", daemonDeploymentArns=[created["deploymentArn"]]
    )["daemonDeployments"]
    assert first["status"] == "SUCCESSFUL"
    old_revision = first["targetDaemonRevision"]["arn"]

    backend.plan_next_deployment(
        daemon="agent",
        cluster=cluster,
        outcome="ROLLBACK_SUCCESSFUL",
        in_progress_for=40,
        rollback_for=20,
    )
    updated = ok(
        ecs,
        "update_daemon",
        daemonArn=daemon_arn,
        daemonTaskDefinitionArn=td2,
        capacityProviderArns=[cp],
    )
    with pytest.raises(WaiterError, match="terminal failure state") as raised:
        ecs.get_waiter("daemon_deployment_successful").wait(
            daemonDeploymentArns=[updated["deploymentArn"]],
            WaiterConfig={"Delay": 15, "MaxAttempts": 10},
        )
    seen: dict[str, Any] = dict(raised.value.last_response)
    (last,) = seen["daemonDeployments"]
    assert last["status"] == "ROLLBACK_SUCCESSFUL"
    assert last["rollback"]["rollbackTargetDaemonRevisionArn"] == old_revision

    names = [
        e["detail"]["eventName"]
        for e in mock.events
        if e["detail-type"] == DETAIL_TYPE and e["detail"]["daemonArn"] == daemon_arn
    ]
    assert names == [
        "DAEMON_DEPLOYMENT_PENDING",
        "DAEMON_DEPLOYMENT_IN_PROGRESS",
        "DAEMON_DEPLOYMENT_SUCCESSFUL",
        "DAEMON_DEPLOYMENT_PENDING",
        "DAEMON_DEPLOYMENT_IN_PROGRESS",
        "DAEMON_DEPLOYMENT_STOP_REQUESTED",
        "DAEMON_DEPLOYMENT_ROLLBACK_IN_PROGRESS",
        "DAEMON_DEPLOYMENT_ROLLBACK_SUCCESSFUL",
    ]
    daemon = ok(ecs, "describe_daemon", daemonArn=daemon_arn)["daemon"]
    assert [
        (r["arn"], r["totalRunningCount"], r["totalWithoutDaemonCount"])
        for r in daemon["currentRevisions"]
    ] == [(old_revision, 4, 0)]

    backend.plan_next_deployment(daemon="agent", cluster=cluster, in_progress_for=20)
    deleted = ok(ecs, "delete_daemon", daemonArn=daemon_arn)
    assert deleted["status"] == "DELETE_IN_PROGRESS"
    advance(20)
    assert refused(ecs, "describe_daemon", daemonArn=daemon_arn) == (
        400,
        "DaemonNotFoundException",
        "Daemon not found.",
    )
    assert ok(ecs, "list_daemons", clusterArn=cluster)["daemonSummariesList"] == []


def test_the_whole_flow(
    mock: ServiceDeploymentsMock,
    backend: ServiceDeploymentBackend,
    ecs: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cp = backend.add_capacity_provider("mi", "prod", instances=4).arn
    _whole_flow(mock, backend, ecs, "prod", cp, mock.advance, monkeypatch)
    assert mock.now() == at(60 + 60 + 20)  # the waiters' sleeps were the mock's time


def test_the_whole_flow_beside_moto(frozen: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_aws(), mock_service_deployments() as mock:
        ecs = new_client()
        cluster = ecs.create_cluster(clusterName="prod")["cluster"]["clusterArn"]
        assert cluster == f"{PREFIX}:cluster/prod"
        backend = mock.backend()
        # A capacity provider the mock is told of: its instances move batch by batch.
        told = backend.add_capacity_provider("mi", "prod", instances=4).arn
        _whole_flow(mock, backend, ecs, "prod", told, mock.advance, monkeypatch)

        # One it was not told of has no instances: deployments complete at once, whatever
        # their plan, and moto's own ECS answers alongside.
        td = register(ecs, family="edge")
        backend.plan_next_deployment(
            daemon="edge", cluster="prod", outcome="ROLLBACK_FAILED", in_progress_for=300
        )
        created = ok(
            ecs,
            "create_daemon",
            daemonName="edge",
            clusterArn=cluster,
            daemonTaskDefinitionArn=td,
            capacityProviderArns=[f"{PREFIX}:capacity-provider/untold"],
        )
        (deployment,) = ok(
            ecs, "describe_daemon_deployments", daemonDeploymentArns=[created["deploymentArn"]]
        )["daemonDeployments"]
        assert (deployment["status"], totals(deployment["targetDaemonRevision"])) == (
            "SUCCESSFUL",
            (0, 0, 0),
        )
        assert ecs.list_clusters()["clusterArns"] == [cluster]
        assert refused(
            ecs,
            "create_daemon",
            daemonName="edge",
            clusterArn="staging",
            daemonTaskDefinitionArn=td,
            capacityProviderArns=[told],
        ) == (400, "ClusterNotFoundException", "Cluster not found.")


@pytest.mark.allow_hosts(LOOPBACK)
def test_the_whole_flow_over_http(monkeypatch: pytest.MonkeyPatch) -> None:
    # Not under freezegun: the server's thread keeps the real clock; the mock's clock moves by
    # the endpoint's control API (the waiters' sleeps too), and every check lands mid-phase.
    with mock_service_deployments() as mock, serve_in_thread() as endpoint:
        ecs = endpoint_client(endpoint)
        backend = mock.backend()
        cp = backend.add_capacity_provider("mi", "prod", instances=4).arn
        calls_before = len(mock.calls)
        _whole_flow(mock, backend, ecs, "prod", cp, endpoint.advance, monkeypatch)
        operations = {call.operation for call in mock.calls[calls_before:]}
        assert {"CreateDaemon", "DescribeDaemonDeployments", "DeleteDaemon"} <= operations
