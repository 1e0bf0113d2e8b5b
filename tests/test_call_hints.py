"""A not-found answer stays AWS's, but its call-log entry says where the mock holds the
service when it is in another account or region: the commonest slip in a test."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from mock_ecs_deployments import mock_service_deployments

from .clients import new_client


def _not_found(region: str, **params: str) -> tuple[str, str]:
    ecs = new_client(region=region)
    with pytest.raises(ClientError) as caught:
        ecs.list_service_deployments(**params)
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def test_a_service_in_another_region_is_named_in_the_call_log_only() -> None:
    with mock_service_deployments() as mock:
        mock.backend(region="eu-west-1").add_deployment(service="web", cluster="prod")
        mock.backend(region="us-east-1").add_service(service="api", cluster="prod")
        code, message = _not_found("us-east-1", cluster="prod", service="web")
        assert (code, message) == ("ServiceNotFoundException", "Service not found.")
        assert mock.calls[-1].hint == (
            "service 'web' in cluster 'prod' exists in account 123456789012, region eu-west-1;"
            " this request was answered as account 123456789012, region us-east-1"
        )


def test_a_cluster_missing_here_but_held_in_another_account() -> None:
    with mock_service_deployments() as mock:
        mock.backend(account_id="111122223333").add_deployment(service="web", cluster="prod")
        mock.backend(region="ap-south-1").add_deployment(service="web", cluster="prod")
        code, _ = _not_found("us-east-1", cluster="prod", service="web")
        assert code == "ClusterNotFoundException"
        hint = mock.calls[-1].hint
        assert hint is not None
        assert hint.startswith(
            "service 'web' in cluster 'prod' exists in account 111122223333, region us-east-1;"
            " account 123456789012, region ap-south-1;"
        )


def test_no_hint_when_the_service_is_nowhere_or_other_errors() -> None:
    with mock_service_deployments() as mock:
        mock.backend(region="eu-west-1").add_deployment(service="web", cluster="prod")
        _not_found("us-east-1", cluster="prod", service="other")
        assert mock.calls[-1].hint is None
        _not_found("us-east-1", cluster="staging", service="web")  # other cluster: not it
        assert mock.calls[-1].hint is None
        ecs = new_client(region="eu-west-1")
        ecs.list_service_deployments(cluster="prod", service="web")
        assert mock.calls[-1].hint is None
        assert mock.calls[-1].error_code is None


def test_the_hint_names_only_other_places() -> None:
    with mock_service_deployments() as mock:
        mock.backend(region="us-east-1").add_deployment(service="web", cluster="prod")
        mock.backend(region="eu-west-1").add_deployment(service="web", cluster="prod")
        ecs = new_client(region="us-east-1")
        with pytest.raises(ClientError):
            ecs.list_service_deployments(
                service="arn:aws:ecs:eu-west-1:123456789012:service/prod/web"
            )
        assert mock.calls[-1].hint == (
            "service 'web' in cluster 'prod' exists in account 123456789012, region eu-west-1;"
            " this request was answered as account 123456789012, region us-east-1"
        )
