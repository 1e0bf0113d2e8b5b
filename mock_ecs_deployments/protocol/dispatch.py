"""The responses layer: one small function per operation, JSON in, backend, JSON out.

Every door (our botocore hook, moto's dispatch, moto's server) ends in :func:`dispatch`, so the
wire format, the validation of what a client sent, and the errors are the same whichever way a
call came in.

A handler runs under its backend's lock from the first read to the last byte of its answer:
a page is filtered, sliced, encoded and given its token from one view of the state, so a
concurrent stop or lifecycle step cannot put an item that no longer matches the request's
filters into it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from ..engine.model.exceptions import (
    InvalidParameterException,
    ServerException,
    ServiceDeploymentsError,
    UnknownOperationException,
)
from ..engine.state.backend import ServiceDeploymentBackend
from ..engine.state.registry import service_deployment_backends
from . import faults, shapes
from . import params as read
from .daemon_handlers import DAEMON_HANDLERS

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
Reply = tuple[int, dict[str, str], str]
#: Where an answered botocore request keeps its reply (so that no handler answers it twice).
REPLY_ATTRIBUTE = "_mock_ecs_deployments_reply"
# A handler answers with the JSON text of its output shape.
Handler = Callable[[ServiceDeploymentBackend, dict[str, Any]], str]


def dispatch(operation: str, body: bytes | str | None, account_id: str, region: str) -> Reply:
    """Answer one request for ``operation`` as AWS would: ``(status, headers, body)``.

    Every answer, success or error, is entered in the call log.
    """
    params: dict[str, Any] = {}
    error: ServiceDeploymentsError | None = None
    try:
        handler = HANDLERS.get(operation)
        if handler is None:
            raise UnknownOperationException(
                f"mock_ecs_deployments does not serve the ECS operation {operation!r}."
            )
        params = _decode(body)
        error = faults.take_injected_error(operation, account_id, region)
        if error is None:
            backend = service_deployment_backends[account_id][region]
            with backend.lock:
                text = handler(backend, params)
            reply: Reply = (200, _headers(), text)
    except ServiceDeploymentsError as raised:
        error = raised
    except Exception:
        # Not an AWS error: a bug in the mock, or an exception that only passed through it (a
        # signal handler's, say). In process it reaches the caller unchanged, as it would with
        # moto alone, rather than as an answer botocore would retry; over HTTP the server
        # answers it as a ServerException (server/guard.py). The call log shows that 500.
        faults.record_call(
            faults.Call(operation, params, account_id, region, 500, "ServerException", None)
        )
        raise
    if error is not None:
        reply = error_reply(error)
    code = None if error is None else error.code
    hint = _found_elsewhere(params, account_id, region) if code in _NOT_FOUND else None
    faults.record_call(faults.Call(operation, params, account_id, region, reply[0], code, hint))
    return reply


_NOT_FOUND = frozenset({"ClusterNotFoundException", "ServiceNotFoundException"})


def _found_elsewhere(params: dict[str, Any], account_id: str, region: str) -> str | None:
    """Where else the mock holds the service a not-found request named: the commonest cause
    of such an error in a test is seeding one account or region and asking another."""
    service, cluster = params.get("service"), params.get("cluster")
    if not isinstance(service, str) or not service:
        return None
    name = service.rsplit("/", 1)[-1]
    if isinstance(cluster, str) and cluster:
        cluster = cluster.rsplit("/", 1)[-1]
    elif service.startswith("arn:") and service.count("/") == 2:
        cluster = service.split("/")[1]
    else:
        cluster = "default"
    places = []
    with service_deployment_backends.lock:
        backends = [b for regions in service_deployment_backends.values() for b in regions.values()]
    for backend in backends:
        if (backend.account_id, backend.region_name) == (account_id, region):
            continue
        with backend.lock:
            held = backend.services.get((cluster, name))
        if held is not None and held.status == "ACTIVE":
            places.append(f"account {backend.account_id}, region {backend.region_name}")
    if not places:
        return None
    return (
        f"service {name!r} in cluster {cluster!r} exists in {'; '.join(sorted(places))}; this"
        f" request was answered as account {account_id}, region {region}"
    )


def bug_error(operation: str, bug: BaseException) -> ServerException:
    """The ServerException a server answers with when answering ``operation`` raised ``bug``,
    an exception that is not an AWS error."""
    return ServerException(
        f"mock_ecs_deployments failed while answering {operation} (a bug in the mock, not in"
        f" your code): {type(bug).__name__}: {bug}"
    )


def error_reply(error: ServiceDeploymentsError) -> Reply:
    """The wire form of a modeled error: its HTTP status and ``{"__type", "message"}``."""
    headers = _headers()
    headers["x-amzn-ErrorType"] = error.code
    return error.status, headers, shapes.dumps(error.body())


def _headers() -> dict[str, str]:
    return {"Content-Type": JSON_CONTENT_TYPE, "x-amzn-RequestId": str(uuid.uuid4())}


def _decode(body: bytes | str | None) -> dict[str, Any]:
    if not body:
        return {}
    try:
        params = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise InvalidParameterException(f"The request body is not valid JSON: {error}") from None
    if not isinstance(params, dict):
        raise InvalidParameterException("The request body must be a JSON object.")
    return params


# -- operations ------------------------------------------------------------------------------


def list_service_deployments(backend: ServiceDeploymentBackend, params: dict[str, Any]) -> str:
    """ListServiceDeployments: one page of a service's deployments, newest first."""
    page, token = backend.list_service_deployments(
        read.required_string(params, "service"),
        read.string(params, "cluster"),
        **read.deployment_filters(params),
    )
    # Each brief is JSON text already (see shapes.deployment_brief_text): the page is joined,
    # not encoded again.
    cache = backend.wire_cache
    briefs = [shapes.deployment_brief_text(deployment, cache) for deployment in page]
    return shapes.page_text("serviceDeployments", briefs, token)


def describe_service_deployments(backend: ServiceDeploymentBackend, params: dict[str, Any]) -> str:
    """DescribeServiceDeployments: the deployments named, and failures for the rest."""
    found, missing = backend.describe_service_deployments(
        read.required_string_list(params, "serviceDeploymentArns")
    )
    return shapes.dumps(
        {
            "serviceDeployments": [shapes.service_deployment(d) for d in found],
            "failures": shapes.failures(missing),
        }
    )


def describe_service_revisions(backend: ServiceDeploymentBackend, params: dict[str, Any]) -> str:
    """DescribeServiceRevisions: the revisions named, and failures for the rest."""
    found, missing = backend.describe_service_revisions(
        read.required_string_list(params, "serviceRevisionArns")
    )
    return shapes.dumps(
        {
            "serviceRevisions": [shapes.service_revision(r) for r in found],
            "failures": shapes.failures(missing),
        }
    )


def stop_service_deployment(backend: ServiceDeploymentBackend, params: dict[str, Any]) -> str:
    """StopServiceDeployment: roll back or abort an ongoing deployment."""
    deployment = backend.stop_service_deployment(
        read.required_string(params, "serviceDeploymentArn"), read.string(params, "stopType")
    )
    return shapes.dumps({"serviceDeploymentArn": deployment.arn})


def continue_service_deployment(backend: ServiceDeploymentBackend, params: dict[str, Any]) -> str:
    """ContinueServiceDeployment: answer the PAUSE hook a deployment waits at."""
    deployment = backend.continue_service_deployment(
        read.required_string(params, "serviceDeploymentArn"),
        read.required_string(params, "hookId"),
        read.string(params, "action"),
    )
    return shapes.dumps({"serviceDeploymentArn": deployment.arn})


HANDLERS: dict[str, Handler] = {
    "ListServiceDeployments": list_service_deployments,
    "DescribeServiceDeployments": describe_service_deployments,
    "DescribeServiceRevisions": describe_service_revisions,
    "StopServiceDeployment": stop_service_deployment,
    "ContinueServiceDeployment": continue_service_deployment,
    **DAEMON_HANDLERS,
}
