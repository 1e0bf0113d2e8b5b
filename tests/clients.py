"""Clients for the tests: :func:`new_client`, a boto3 client made when a test asks (in
us-east-1 unless told); and for fuzzing, one patched botocore ECS client per region for the
whole run, and a call that holds every answer to the rule: a success that matches the output
shape, or a modeled error with HTTP 400.

Making a client costs more than a fuzzing example, so the clients are made once. Each is
patched (``patch_client``), so it answers from whichever mock is active when it is called; its
own retries are off, so that a 500 shows as it is instead of being retried. The same client
reaches the mock through either door: its own ``before-send`` handler, or moto's dispatch
while moto's ``mock_aws`` is active.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.session import get_session

from mock_ecs_deployments import patch_client

from .shapes import check_output

REGION = "us-east-1"
METHODS = {
    "ListServiceDeployments": "list_service_deployments",
    "DescribeServiceDeployments": "describe_service_deployments",
    "DescribeServiceRevisions": "describe_service_revisions",
    "StopServiceDeployment": "stop_service_deployment",
    "ContinueServiceDeployment": "continue_service_deployment",
    "RegisterDaemonTaskDefinition": "register_daemon_task_definition",
    "DescribeDaemonTaskDefinition": "describe_daemon_task_definition",
    "ListDaemonTaskDefinitions": "list_daemon_task_definitions",
    "DeleteDaemonTaskDefinition": "delete_daemon_task_definition",
    "CreateDaemon": "create_daemon",
    "UpdateDaemon": "update_daemon",
    "DeleteDaemon": "delete_daemon",
    "DescribeDaemon": "describe_daemon",
    "ListDaemons": "list_daemons",
    "ListDaemonDeployments": "list_daemon_deployments",
    "DescribeDaemonDeployments": "describe_daemon_deployments",
    "DescribeDaemonRevisions": "describe_daemon_revisions",
}


# The errors every AWS query and JSON API may return (AWS's "Common Errors" reference), kept
# here rather than taken from the package, so that a wrong list in the package cannot hide.
AWS_COMMON_ERRORS = frozenset(
    {
        "AccessDeniedException",
        "IncompleteSignature",
        "InternalFailure",
        "InvalidAction",
        "InvalidClientTokenId",
        "NotAuthorized",
        "OptInRequired",
        "RequestExpired",
        "ServiceUnavailable",
        "ThrottlingException",
        "ValidationError",
    }
)
_ECS_MODEL = get_session().get_service_model("ecs")


def allowed_errors(operation: str) -> frozenset[str]:
    """The codes an answer may carry: the errors botocore's model declares for the operation
    and AWS's common ones."""
    declared = {shape.name for shape in _ECS_MODEL.operation_model(operation).error_shapes}
    return frozenset(declared) | AWS_COMMON_ERRORS


def new_client(service_name: str = "ecs", region: str = REGION, **options: Any) -> Any:
    """A boto3 client made now, as ``boto3.client(service_name, region_name=region,
    **options)`` makes it: from boto3's default session, so that a mock started earlier (which
    made that session anew) answers it."""
    return boto3.client(service_name, region_name=region, **options)


def quiet_alarm(name: str, *, threshold: float = 1.0, region: str = REGION) -> Any:
    """A CloudWatch alarm on a load balancer's 5xx count made in moto, in state OK; returns
    the CloudWatch client, to move it with ``set_alarm_state``."""
    cloudwatch = new_client("cloudwatch", region)
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        MetricName="HTTPCode_Target_5XX_Count",
        Namespace="AWS/ApplicationELB",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=threshold,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    cloudwatch.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="quiet")
    return cloudwatch


def endpoint_client(
    endpoint: str, service_name: str = "ecs", region: str = REGION, **options: Any
) -> Any:
    """A boto3 client of a server's endpoint (``serve_in_thread``), with made-up credentials."""
    return new_client(
        service_name,
        region,
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        **options,
    )


@cache
def client(region: str = REGION) -> Any:
    # moto adds its before-send handler to botocore's built-in ones when it is imported: a
    # client made before that would send to AWS while moto's mock_aws is the active door.
    import moto.core.models  # noqa: F401

    ecs = boto3.session.Session().client(
        "ecs",
        region_name=region,
        aws_access_key_id="FOOBARKEY",
        aws_secret_access_key="FOOBARSECRET",
        config=Config(retries={"total_max_attempts": 1}),
    )
    patch_client(ecs)
    return ecs


def call(operation: str, region: str = REGION, **params: Any) -> dict[str, Any] | None:
    """Send one request through botocore: the parsed answer, or ``None`` for a modeled error
    (anything else fails the test, naming the request)."""
    try:
        answer: dict[str, Any] = getattr(client(region), METHODS[operation])(**params)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        message = error.response["Error"]["Message"]
        assert (status, code in allowed_errors(operation)) == (400, True), (
            f"{operation}({params!r}) answered HTTP {status} {code}: {message}"
        )
        assert message, f"{operation} answered {code} without a message"
        return None
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    check_output(operation, answer)
    return answer


def succeed(operation: str, region: str = REGION, **params: Any) -> dict[str, Any]:
    """Like :func:`call`, for a request that must succeed."""
    answer = getattr(client(region), METHODS[operation])(**params)
    check_output(operation, answer)
    return dict(answer)
