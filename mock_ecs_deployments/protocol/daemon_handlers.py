"""The twelve managed-daemon operations: one small handler each, JSON in, backend, JSON out.

Each runs under its backend's lock (see :mod:`.dispatch`), the one door every request ends in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..engine.model.daemon_records import Daemon, DaemonDeployment
from ..engine.model.pagination import enum_parameter
from ..engine.state.backend import ServiceDeploymentBackend
from . import daemon_shapes
from . import params as read
from .shapes import dumps, failures, page_text

Handler = Callable[[ServiceDeploymentBackend, dict[str, Any]], str]


def _page(name: str, items: list[dict[str, Any]], token: str | None) -> str:
    return page_text(name, [dumps(item) for item in items], token)


def register_daemon_task_definition(
    backend: ServiceDeploymentBackend, params: dict[str, Any]
) -> str:
    """RegisterDaemonTaskDefinition: the family's next revision."""
    containers = read.objects(params, "containerDefinitions")
    if containers is None:
        containers = []
    definition = backend.register_daemon_task_definition(
        read.required_string(params, "family"),
        containers,
        task_role_arn=read.string(params, "taskRoleArn"),
        execution_role_arn=read.string(params, "executionRoleArn"),
        cpu=read.string(params, "cpu"),
        memory=read.string(params, "memory"),
        volumes=read.objects(params, "volumes"),
        tags=read.objects(params, "tags"),
        pid_mode=_enum(params, "pidMode", "DaemonPidMode"),
        ipc_mode=_enum(params, "ipcMode", "DaemonIpcMode"),
    )
    return dumps({"daemonTaskDefinitionArn": definition.arn})


def describe_daemon_task_definition(
    backend: ServiceDeploymentBackend, params: dict[str, Any]
) -> str:
    """DescribeDaemonTaskDefinition: by family, family:revision or ARN."""
    definition = backend.describe_daemon_task_definition(
        read.required_string(params, "daemonTaskDefinition")
    )
    return dumps({"daemonTaskDefinition": daemon_shapes.task_definition(definition)})


def list_daemon_task_definitions(backend: ServiceDeploymentBackend, params: dict[str, Any]) -> str:
    """ListDaemonTaskDefinitions: summaries by family and revision."""
    page, token = backend.list_daemon_task_definitions(
        family_prefix=read.string(params, "familyPrefix"),
        family=read.string(params, "family"),
        revision=read.string(params, "revision"),
        status=read.string(params, "status"),
        sort=read.string(params, "sort"),
        max_results=read.integer(params, "maxResults"),
        next_token=read.string(params, "nextToken"),
    )
    return _page(
        "daemonTaskDefinitions", [daemon_shapes.task_definition_summary(d) for d in page], token
    )


def delete_daemon_task_definition(backend: ServiceDeploymentBackend, params: dict[str, Any]) -> str:
    """DeleteDaemonTaskDefinition: DELETE_IN_PROGRESS."""
    definition = backend.delete_daemon_task_definition(
        read.required_string(params, "daemonTaskDefinition")
    )
    return dumps({"daemonTaskDefinitionArn": definition.arn})


def _settings(params: dict[str, Any]) -> dict[str, Any]:
    """The settings CreateDaemon and UpdateDaemon share (absent ones left out)."""
    return {
        "deployment_configuration": read.mapping(params, "deploymentConfiguration"),
        "propagate_tags": read.string(params, "propagateTags"),
        "enable_ecs_managed_tags": read.boolean(params, "enableECSManagedTags"),
        "enable_execute_command": read.boolean(params, "enableExecuteCommand"),
        "critical": read.boolean(params, "critical"),
    }


def _changed(daemon: Daemon, deployment: DaemonDeployment, *, updated: bool) -> str:
    return dumps(daemon_shapes.daemon_change(daemon, deployment, updated=updated))


def create_daemon(backend: ServiceDeploymentBackend, params: dict[str, Any]) -> str:
    """CreateDaemon: a daemon and its first deployment."""
    daemon, deployment = backend.create_daemon(
        read.required_string(params, "daemonName"),
        read.required_string(params, "daemonTaskDefinitionArn"),
        read.required_string_list(params, "capacityProviderArns"),
        cluster=read.string(params, "clusterArn"),
        client_token=read.string(params, "clientToken"),
        tags=read.objects(params, "tags"),
        **_settings(params),
    )
    return _changed(daemon, deployment, updated=False)


def update_daemon(backend: ServiceDeploymentBackend, params: dict[str, Any]) -> str:
    """UpdateDaemon: new settings and a deployment of them."""
    daemon, deployment = backend.update_daemon(
        read.required_string(params, "daemonArn"),
        read.required_string(params, "daemonTaskDefinitionArn"),
        read.required_string_list(params, "capacityProviderArns"),
        **_settings(params),
    )
    return _changed(daemon, deployment, updated=True)


def delete_daemon(backend: ServiceDeploymentBackend, params: dict[str, Any]) -> str:
    """DeleteDaemon: DELETE_IN_PROGRESS and a deployment that drains."""
    daemon, deployment = backend.delete_daemon(read.required_string(params, "daemonArn"))
    return _changed(daemon, deployment, updated=True)


def describe_daemon(backend: ServiceDeploymentBackend, params: dict[str, Any]) -> str:
    """DescribeDaemon: the daemon and its current revisions."""
    daemon = backend.find_daemon(read.required_string(params, "daemonArn"))
    return dumps({"daemon": daemon_shapes.daemon_detail(daemon)})


def list_daemons(backend: ServiceDeploymentBackend, params: dict[str, Any]) -> str:
    """ListDaemons: summaries, oldest first."""
    page, token = backend.list_daemons(
        cluster=read.string(params, "clusterArn"),
        capacity_provider_arns=read.string_list(params, "capacityProviderArns"),
        max_results=read.integer(params, "maxResults"),
        next_token=read.string(params, "nextToken"),
    )
    return _page("daemonSummariesList", [daemon_shapes.daemon_summary(d) for d in page], token)


def list_daemon_deployments(backend: ServiceDeploymentBackend, params: dict[str, Any]) -> str:
    """ListDaemonDeployments: one page of a daemon's deployments, newest first."""
    page, token = backend.list_daemon_deployments(
        read.required_string(params, "daemonArn"), **read.deployment_filters(params)
    )
    cache = backend.wire_cache
    summaries = [daemon_shapes.deployment_summary_text(d, cache) for d in page]
    return page_text("daemonDeployments", summaries, token)


def describe_daemon_deployments(backend: ServiceDeploymentBackend, params: dict[str, Any]) -> str:
    """DescribeDaemonDeployments: the deployments named, and failures for the rest."""
    found, missing = backend.described(
        "daemonDeploymentArns",
        read.required_string_list(params, "daemonDeploymentArns"),
        backend.daemon_deployment,
    )
    return dumps(
        {
            "failures": failures(missing),
            "daemonDeployments": [daemon_shapes.deployment(d) for d in found],
        }
    )


def describe_daemon_revisions(backend: ServiceDeploymentBackend, params: dict[str, Any]) -> str:
    """DescribeDaemonRevisions: the revisions named, and failures for the rest."""
    found, missing = backend.described(
        "daemonRevisionArns",
        read.required_string_list(params, "daemonRevisionArns"),
        backend.daemon_revision,
    )
    return dumps(
        {
            "daemonRevisions": [daemon_shapes.revision(r) for r in found],
            "failures": failures(missing),
        }
    )


def _enum(params: dict[str, Any], name: str, shape: str) -> str | None:
    value = read.string(params, name)
    return None if value is None else enum_parameter(name, value, shape)


DAEMON_HANDLERS: dict[str, Handler] = {
    "RegisterDaemonTaskDefinition": register_daemon_task_definition,
    "DescribeDaemonTaskDefinition": describe_daemon_task_definition,
    "ListDaemonTaskDefinitions": list_daemon_task_definitions,
    "DeleteDaemonTaskDefinition": delete_daemon_task_definition,
    "CreateDaemon": create_daemon,
    "UpdateDaemon": update_daemon,
    "DeleteDaemon": delete_daemon,
    "DescribeDaemon": describe_daemon,
    "ListDaemons": list_daemons,
    "ListDaemonDeployments": list_daemon_deployments,
    "DescribeDaemonDeployments": describe_daemon_deployments,
    "DescribeDaemonRevisions": describe_daemon_revisions,
}
