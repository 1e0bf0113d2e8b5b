"""Fault injection and the call log, through real boto3 clients: injected errors travel the
wire like AWS's own (botocore retries them, raises its modeled exception classes), and
``mock.calls`` records every attempt. Operations are read from ``responses.HANDLERS``, so an
operation added there is covered here without a change."""

from __future__ import annotations

import contextlib
import dataclasses
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

import botocore.endpoint
import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.model import Shape

from mock_ecs_deployments import ServiceDeploymentsMock, mock_service_deployments, patch_client
from mock_ecs_deployments.engine.model.service_model import error_codes, operation_model
from mock_ecs_deployments.protocol import faults as faults_module
from mock_ecs_deployments.protocol.dispatch import HANDLERS

from .clients import new_client

UTC = timezone.utc
ACCOUNT = "123456789012"
OTHER_ACCOUNT = "111122223333"
LIST = "ListServiceDeployments"
NO_RETRIES = Config(retries={"total_max_attempts": 1})
MODELED = [(operation, code) for operation in HANDLERS for code in error_codes(operation)]


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The back-off delays botocore waits between attempts, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=recorded.append))
    return recorded


def _ecs(config: Config = NO_RETRIES, region: str = "us-east-1") -> Any:
    return new_client(region=region, config=config)


def _seed(mock: ServiceDeploymentsMock, region: str = "us-east-1", **kwargs: Any) -> Any:
    return mock.backend(region=region, **kwargs).add_deployment(service="web", cluster="prod")


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def _list(client: Any) -> Any:
    return client.list_service_deployments(cluster="prod", service="web")


def _summary(mock: ServiceDeploymentsMock) -> list[tuple[str, int, str | None]]:
    return [(call.operation, call.status, call.error_code) for call in mock.calls]


def _value(shape: Shape) -> Any:
    """Some value botocore accepts for ``shape`` (injected errors answer before any check)."""
    if shape.type_name == "list":
        return [_value(shape.member)]  # type: ignore[attr-defined]
    if shape.type_name == "structure":
        return {name: _value(shape.members[name]) for name in shape.required_members}  # type: ignore[attr-defined]
    if shape.type_name in ("integer", "long"):
        return 1
    if shape.type_name == "boolean":
        return False
    enum = getattr(shape, "enum", None)
    return enum[0] if enum else f"arn:aws:ecs:us-east-1:{ACCOUNT}:service-deployment/prod/web/x"


def _minimal_params(operation: str) -> dict[str, Any]:
    shape = operation_model(operation).input_shape
    assert shape is not None
    return {name: _value(shape.members[name]) for name in shape.required_members}


def _call(client: Any, operation: str) -> Any:
    return getattr(client, xform_name(operation))(**_minimal_params(operation))


# -- retries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("with_moto", [False, True], ids=["standalone", "beside-moto"])
def test_standard_retries_get_through_two_throttles(with_moto: bool, sleeps: list[float]) -> None:
    with mock_service_deployments(with_moto=with_moto) as mock:
        if with_moto:
            _ecs().create_cluster(clusterName="prod")
        deployment = _seed(mock)
        mock.inject_error(LIST, "ThrottlingException", times=2)
        response = _list(_ecs(Config(retries={"mode": "standard"})))
        assert response["ResponseMetadata"]["RetryAttempts"] == 2
        assert [d["serviceDeploymentArn"] for d in response["serviceDeployments"]] == [
            deployment.arn
        ]
        assert _summary(mock)[-3:] == [
            (LIST, 400, "ThrottlingException"),
            (LIST, 400, "ThrottlingException"),
            (LIST, 200, None),
        ]
        for call in mock.calls[-3:]:
            assert call.params == {"cluster": "prod", "service": "web"}
            assert (call.account_id, call.region) == (ACCOUNT, "us-east-1")
    assert len(sleeps) == 2, "botocore backed off between the attempts"


def test_legacy_retries_get_through_too(mock: ServiceDeploymentsMock, sleeps: list[float]) -> None:
    _seed(mock)
    mock.inject_error(LIST, "ThrottlingException", times=2)
    response = _list(_ecs(Config(retries={"mode": "legacy"})))
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(mock.calls) == 3


def test_more_failures_than_attempts_reach_the_caller(
    mock: ServiceDeploymentsMock, sleeps: list[float]
) -> None:
    _seed(mock)
    mock.inject_error(LIST, "ThrottlingException", "Rate exceeded", times=None)
    with pytest.raises(ClientError) as excinfo:
        _list(_ecs(Config(retries={"mode": "standard", "total_max_attempts": 3})))
    assert _error(excinfo) == ("ThrottlingException", "Rate exceeded", 400)
    metadata: dict[str, Any] = dict(excinfo.value.response["ResponseMetadata"])
    assert (metadata["RetryAttempts"], metadata["MaxAttemptsReached"]) == (2, True)
    assert _summary(mock) == [(LIST, 400, "ThrottlingException")] * 3


def test_a_server_exception_is_retried_as_a_500(
    mock: ServiceDeploymentsMock, sleeps: list[float]
) -> None:
    _seed(mock)
    mock.inject_error(LIST, "ServerException", times=1)
    response = _list(_ecs(Config(retries={"mode": "standard"})))
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert _summary(mock) == [(LIST, 500, "ServerException"), (LIST, 200, None)]


# -- every modeled error of every operation, and AWS's common ones ---------------------------------


def test_the_modeled_errors_include_those_no_input_can_provoke() -> None:
    for code in ("AccessDeniedException", "ClientException", "ServerException"):
        assert code in error_codes(LIST)
    assert "UnsupportedFeatureException" in error_codes(LIST)
    assert set(HANDLERS) >= {LIST}


@pytest.mark.parametrize(("operation", "code"), MODELED, ids=[f"{o}-{c}" for o, c in MODELED])
def test_every_modeled_error_raises_its_exception_class(
    mock: ServiceDeploymentsMock, operation: str, code: str
) -> None:
    client = _ecs()
    mock.inject_error(operation, code)
    with pytest.raises(getattr(client.exceptions, code)) as excinfo:
        _call(client, operation)
    expected_status = 500 if code == "ServerException" else 400
    assert _error(excinfo) == (code, f"Injected {code} for {operation}.", expected_status)
    (call,) = mock.calls
    assert (call.operation, call.status, call.error_code) == (operation, expected_status, code)
    assert call.params == _minimal_params(operation)
    # Used up: the next call is answered by the mock itself, whatever that answer is.
    try:
        _call(client, operation)
    except ClientError as error:
        assert not error.response["Error"]["Message"].startswith("Injected")
    assert len(mock.calls) == 2


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ThrottlingException", 400),
        ("ServiceUnavailable", 503),
        ("InternalFailure", 500),
        ("InvalidClientTokenId", 403),
        ("ExpiredTokenException", 400),
        ("AccessDeniedException", 400),
    ],
)
@pytest.mark.parametrize("operation", list(HANDLERS))
def test_common_errors_with_aws_s_http_status(
    mock: ServiceDeploymentsMock, operation: str, code: str, status: int
) -> None:
    mock.inject_error(operation, code, message="nope")
    with pytest.raises(ClientError) as excinfo:
        _call(_ecs(), operation)
    assert _error(excinfo) == (code, "nope", status)


def test_any_code_with_an_explicit_status(mock: ServiceDeploymentsMock) -> None:
    mock.inject_error(LIST, "SlowDownException", "slow down", status=429)
    mock.inject_error(LIST, "ThrottlingException", status=429)
    client = _ecs()
    for expected in (
        ("SlowDownException", "slow down", 429),
        ("ThrottlingException", f"Injected ThrottlingException for {LIST}.", 429),
    ):
        with pytest.raises(ClientError) as excinfo:
            _list(client)
        assert _error(excinfo) == expected


def test_an_injected_error_changes_no_state(mock: ServiceDeploymentsMock) -> None:
    deployment = mock.backend().add_deployment(service="web", cluster="prod", status="IN_PROGRESS")
    client = _ecs()
    mock.inject_error("StopServiceDeployment", "ServerException")
    with pytest.raises(client.exceptions.ServerException):
        client.stop_service_deployment(serviceDeploymentArn=deployment.arn)
    described = client.describe_service_deployments(serviceDeploymentArns=[deployment.arn])
    assert described["serviceDeployments"][0]["status"] == "IN_PROGRESS"


# -- how many calls, which calls -------------------------------------------------------------------


def test_times_none_fails_every_call_until_reset(mock: ServiceDeploymentsMock) -> None:
    _seed(mock)
    mock.inject_error(LIST, "AccessDeniedException", times=None)
    client = _ecs()
    for _ in range(5):
        with pytest.raises(client.exceptions.AccessDeniedException):
            _list(client)
    assert len(mock.calls) == 5
    mock.reset()
    assert mock.calls == []
    _seed(mock)
    assert len(_list(client)["serviceDeployments"]) == 1


def test_times_counts_down_and_rules_apply_in_order(mock: ServiceDeploymentsMock) -> None:
    _seed(mock)
    mock.inject_error(LIST, "ThrottlingException", times=2)
    mock.inject_error(LIST, "AccessDeniedException")
    client = _ecs()
    for expected in ("ThrottlingException", "ThrottlingException", "AccessDeniedException"):
        with pytest.raises(ClientError) as excinfo:
            _list(client)
        assert _error(excinfo)[0] == expected
    assert len(_list(client)["serviceDeployments"]) == 1
    assert [call.error_code for call in mock.calls] == [
        "ThrottlingException",
        "ThrottlingException",
        "AccessDeniedException",
        None,
    ]


def test_a_rule_for_another_operation_leaves_this_one_alone(mock: ServiceDeploymentsMock) -> None:
    _seed(mock)
    other = next(operation for operation in HANDLERS if operation != LIST)
    mock.inject_error(other, "ServerException")
    assert len(_list(_ecs())["serviceDeployments"]) == 1


def test_region_filter(mock: ServiceDeploymentsMock) -> None:
    for region in ("us-east-1", "eu-west-1"):
        _seed(mock, region=region)
    mock.inject_error(LIST, "ServerException", region="eu-west-1")
    assert len(_list(_ecs())["serviceDeployments"]) == 1  # does not use up the rule
    with pytest.raises(ClientError) as excinfo:
        _list(_ecs(region="eu-west-1"))
    assert _error(excinfo)[0] == "ServerException"
    assert [(call.region, call.error_code) for call in mock.calls] == [
        ("us-east-1", None),
        ("eu-west-1", "ServerException"),
    ]


def test_account_filter(mock: ServiceDeploymentsMock, monkeypatch: pytest.MonkeyPatch) -> None:
    _seed(mock)
    _seed(mock, account_id=OTHER_ACCOUNT)
    mock.inject_error(LIST, "AccessDeniedException", account_id=OTHER_ACCOUNT, times=None)
    client = _ecs()
    assert len(_list(client)["serviceDeployments"]) == 1
    monkeypatch.setenv("MOTO_ACCOUNT_ID", OTHER_ACCOUNT)
    with pytest.raises(client.exceptions.AccessDeniedException):
        _list(client)
    monkeypatch.delenv("MOTO_ACCOUNT_ID")
    assert len(_list(client)["serviceDeployments"]) == 1
    assert [(call.account_id, call.status) for call in mock.calls] == [
        (ACCOUNT, 200),
        (OTHER_ACCOUNT, 400),
        (ACCOUNT, 200),
    ]


# -- mistakes in inject_error ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"operation": "ListDeployments"}, "operation: 'ListDeployments' is not served; allowed"),
        ({"code": "Nope"}, f"code: 'Nope' has no known HTTP status for {LIST}; pass status= or"),
        ({"times": 0}, "times: expected a whole number of 1 or more, or None, got 0"),
        ({"times": -1}, "times: expected a whole number of 1 or more, or None, got -1"),
        ({"times": True}, "times: expected a whole number of 1 or more, or None, got True"),
        ({"times": 1.5}, "times: expected a whole number of 1 or more, or None, got 1.5"),
        ({"times": "2"}, "times: expected a whole number of 1 or more, or None, got '2'"),
        ({"status": 200}, "status: expected an HTTP error status 400..599, got 200"),
        ({"status": 600}, "status: expected an HTTP error status 400..599, got 600"),
        ({"status": "500"}, "status: expected an HTTP error status 400..599, got '500'"),
    ],
)
def test_mistakes_raise_value_error_naming_the_field(
    mock: ServiceDeploymentsMock, arguments: dict[str, Any], message: str
) -> None:
    _seed(mock)
    options = {"operation": LIST, "code": "ThrottlingException", **arguments}
    with pytest.raises(ValueError) as excinfo:
        mock.inject_error(**options)
    assert str(excinfo.value).startswith(message)
    assert len(_list(_ecs())["serviceDeployments"]) == 1, "nothing was injected"


def test_mistakes_list_the_allowed_values(mock: ServiceDeploymentsMock) -> None:
    with pytest.raises(ValueError) as operation_error:
        mock.inject_error("ListDeployments", "ThrottlingException")
    for operation in HANDLERS:
        assert operation in str(operation_error.value)
    with pytest.raises(ValueError) as code_error:
        mock.inject_error(LIST, "Nope")
    for code in (*error_codes(LIST), "ThrottlingException", "ServiceUnavailable"):
        assert code in str(code_error.value)


# -- the call log ----------------------------------------------------------------------------------


def test_the_log_records_what_was_asked_and_answered(mock: ServiceDeploymentsMock) -> None:
    _seed(mock)
    client = _ecs()
    mock.inject_error(LIST, "ThrottlingException", "slow")
    with pytest.raises(ClientError):
        _list(client)
    client.list_service_deployments(
        cluster="prod",
        service="web",
        status=["SUCCESSFUL", "STOPPED"],
        createdAt={"after": datetime(2025, 1, 10, 9, tzinfo=UTC)},
        maxResults=5,
    )
    with pytest.raises(client.exceptions.ClusterNotFoundException):
        client.list_service_deployments(cluster="nope", service="web")
    assert mock.calls == [
        faults_module.Call(
            LIST,
            {"cluster": "prod", "service": "web"},
            ACCOUNT,
            "us-east-1",
            400,
            "ThrottlingException",
        ),
        faults_module.Call(
            LIST,
            {
                "cluster": "prod",
                "service": "web",
                "status": ["SUCCESSFUL", "STOPPED"],
                "createdAt": {"after": 1736499600},
                "maxResults": 5,
            },
            ACCOUNT,
            "us-east-1",
            200,
            None,
        ),
        faults_module.Call(
            LIST,
            {"cluster": "nope", "service": "web"},
            ACCOUNT,
            "us-east-1",
            400,
            "ClusterNotFoundException",
        ),
    ]


@pytest.mark.parametrize("operation", list(HANDLERS))
def test_the_log_records_every_operation(mock: ServiceDeploymentsMock, operation: str) -> None:
    with contextlib.suppress(ClientError):  # made-up identifiers: any answer is logged
        _call(_ecs(region="ap-southeast-2"), operation)
    (call,) = mock.calls
    assert (call.operation, call.params) == (operation, _minimal_params(operation))
    assert (call.account_id, call.region) == (ACCOUNT, "ap-southeast-2")


def test_calls_are_a_read_only_copy(mock: ServiceDeploymentsMock) -> None:
    _seed(mock)
    _list(_ecs())
    calls = mock.calls
    calls.clear()
    assert len(mock.calls) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        mock.calls[0].status = 500  # type: ignore[misc]


def test_a_client_patched_twice_is_logged_once_per_request(mock: ServiceDeploymentsMock) -> None:
    _seed(mock)
    client = _ecs()
    patch_client(client)  # the built-in handler and this one both see the request
    _list(client)
    assert len(mock.calls) == 1


def test_outermost_stop_clears_the_log_and_the_rules() -> None:
    with mock_service_deployments() as outer:
        with mock_service_deployments() as inner:
            _seed(inner)
            _list(_ecs())
            inner.inject_error(LIST, "ServerException", times=None)
        assert len(outer.calls) == 1, "an inner stop keeps the log"
        with pytest.raises(ClientError):
            _list(_ecs())
        assert len(outer.calls) == 2
    assert outer.calls == []
    assert faults_module.calls() == []
    with mock_service_deployments() as again:
        _seed(again)
        assert len(_list(_ecs())["serviceDeployments"]) == 1, "the rule went with the stop"
        assert len(again.calls) == 1


def test_reset_clears_the_log_and_the_rules_but_stays_active(
    mock: ServiceDeploymentsMock,
) -> None:
    _seed(mock)
    _list(_ecs())
    mock.inject_error(LIST, "ServerException", times=None)
    mock.reset()
    assert mock.calls == []
    _seed(mock)
    assert len(_list(_ecs())["serviceDeployments"]) == 1
    assert len(mock.calls) == 1
