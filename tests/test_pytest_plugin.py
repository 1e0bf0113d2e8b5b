"""The pytest plugin, exercised in generated test files: the ``service_deployments`` and
``ecs_client`` fixtures and the ``service_deployments`` marker."""

from __future__ import annotations

import textwrap

import pytest

_HEADER = """
import os

import pytest
from botocore.exceptions import ClientError

from mock_ecs_deployments import ServiceDeploymentsMock
from mock_ecs_deployments import service_deployment_backends
"""


def _write_tests(pytester: pytest.Pytester, body: str) -> None:
    pytester.makepyfile(test_generated=_HEADER + textwrap.dedent(body))


def test_fixtures_in_a_generated_test(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        def test_listing(service_deployments, ecs_client):
            assert isinstance(service_deployments, ServiceDeploymentsMock)
            assert ecs_client.meta.region_name == "us-east-1"
            backend = service_deployments.backend()
            older = backend.add_deployment(service="web", cluster="prod", status="STOPPED")
            newer = backend.add_deployment(service="web", cluster="prod", status="IN_PROGRESS")
            page = ecs_client.list_service_deployments(cluster="prod", service="web")
            items = page["serviceDeployments"]
            assert [i["serviceDeploymentArn"] for i in items] == [newer.arn, older.arn]
            assert [i["status"] for i in items] == ["IN_PROGRESS", "STOPPED"]
            assert items[0]["serviceArn"] == (
                "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
            )
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_ecs_client_alone_activates_the_mock(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        def test_client_only(ecs_client):
            assert os.environ["AWS_ACCESS_KEY_ID"] == "FOOBARKEY"
            with pytest.raises(ClientError) as excinfo:
                ecs_client.list_service_deployments(cluster="prod", service="web")
            error = excinfo.value.response
            assert error["Error"]["Code"] == "ClusterNotFoundException"
            assert error["Error"]["Message"] == "Cluster not found."
            assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_service_deployments_fixture_alone(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        import boto3

        def test_own_client(service_deployments):
            deployment = service_deployments.backend().add_deployment(service="web")
            client = boto3.client("ecs", region_name="us-east-1")
            items = client.list_service_deployments(service="web")["serviceDeployments"]
            assert [i["serviceDeploymentArn"] for i in items] == [deployment.arn]
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_marker_sets_region_and_account(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        @pytest.mark.service_deployments(region="eu-west-1", account_id="111122223333")
        def test_marked(service_deployments, ecs_client):
            assert ecs_client.meta.region_name == "eu-west-1"
            assert os.environ["MOTO_ACCOUNT_ID"] == "111122223333"
            deployment = service_deployments.backend().add_deployment(
                service="web", cluster="prod"
            )
            assert deployment.arn.startswith(
                "arn:aws:ecs:eu-west-1:111122223333:service-deployment/prod/web/"
            )
            item = ecs_client.list_service_deployments(cluster="prod", service="web")[
                "serviceDeployments"
            ][0]
            assert item["serviceDeploymentArn"] == deployment.arn
            assert item["serviceArn"] == "arn:aws:ecs:eu-west-1:111122223333:service/prod/web"
            assert item["clusterArn"] == "arn:aws:ecs:eu-west-1:111122223333:cluster/prod"
            assert item["targetServiceRevisionArn"].startswith(
                "arn:aws:ecs:eu-west-1:111122223333:service-revision/prod/web/"
            )
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_marker_on_module_and_class(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        pytestmark = pytest.mark.service_deployments(region="ap-northeast-1")

        def test_module_marker(ecs_client):
            assert ecs_client.meta.region_name == "ap-northeast-1"

        @pytest.mark.service_deployments(region="sa-east-1", account_id="444455556666")
        class TestMarkedClass:
            def test_class_marker(self, service_deployments, ecs_client):
                assert ecs_client.meta.region_name == "sa-east-1"
                deployment = service_deployments.backend().add_deployment(service="web")
                assert deployment.arn.startswith("arn:aws:ecs:sa-east-1:444455556666:")
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


def test_marker_with_moto(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        @pytest.mark.service_deployments(with_moto=True)
        def test_moto_cluster(service_deployments, ecs_client):
            created = ecs_client.create_cluster(clusterName="prod")["cluster"]
            assert created["clusterArn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
            with pytest.raises(ClientError) as excinfo:
                ecs_client.list_service_deployments(cluster="prod", service="web")
            assert excinfo.value.response["Error"]["Code"] == "ServiceNotFoundException"
            deployment = service_deployments.backend().add_deployment(
                service="web", cluster="prod"
            )
            items = ecs_client.list_service_deployments(cluster="prod", service="web")
            assert [i["serviceDeploymentArn"] for i in items["serviceDeployments"]] == [
                deployment.arn
            ]

        def test_without_moto(ecs_client):
            with pytest.raises(ClientError) as excinfo:
                ecs_client.create_cluster(clusterName="prod")
            assert excinfo.value.response["Error"]["Code"] == "UnknownOperationException"
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


def test_unknown_marker_option_fails_naming_the_allowed_ones(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        @pytest.mark.service_deployments(regoin="eu-west-1")
        def test_typo(service_deployments):
            pass
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*unknown option(s) regoin; allowed: region, account_id, with_moto*",
        ]
    )


def test_positional_marker_argument_fails(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        @pytest.mark.service_deployments("eu-west-1")
        def test_positional(ecs_client):
            pass
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*takes keyword arguments only*"])


def test_state_does_not_leak_between_tests(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        def test_first_seeds(service_deployments, ecs_client):
            service_deployments.backend().add_deployment(service="web", cluster="prod")
            service_deployments.backend(region="eu-west-1").add_deployment(service="web")
            assert len(service_deployment_backends) == 1
            assert len(service_deployment_backends["123456789012"]) == 2

        def test_second_sees_nothing(service_deployments, ecs_client):
            assert len(service_deployment_backends) == 0
            with pytest.raises(ClientError) as excinfo:
                ecs_client.list_service_deployments(cluster="prod", service="web")
            assert excinfo.value.response["Error"]["Code"] == "ClusterNotFoundException"

        def test_nothing_active_without_the_fixtures():
            assert len(service_deployment_backends) == 0
            assert os.environ.get("AWS_ACCESS_KEY_ID") != "FOOBARKEY"
        """,
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3)


def test_failing_generated_test_still_stops_the_mock(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        def test_fails(service_deployments):
            service_deployments.backend().add_deployment(service="web")
            assert False, "intended failure"

        def test_after_the_failure():
            assert len(service_deployment_backends) == 0
            assert os.environ.get("AWS_ACCESS_KEY_ID") != "FOOBARKEY"
        """,
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*intended failure*"])


def test_markers_lists_the_marker(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.service_deployments(region='us-east-1', account_id=None,"
            " with_moto=False):*",
        ]
    )


def test_marker_is_registered_for_strict_markers(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        @pytest.mark.service_deployments(region="eu-west-1")
        def test_marked(ecs_client):
            assert ecs_client.meta.region_name == "eu-west-1"
        """,
    )
    result = pytester.runpytest("--strict-markers")
    result.assert_outcomes(passed=1)


def test_plugin_loads_from_its_entry_point_in_a_fresh_process(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Installing the package is enough: no conftest, no -p option, no import in the test file.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    pytester.makepyfile(
        test_fresh="""
        def test_fixtures(service_deployments, ecs_client):
            deployment = service_deployments.backend().add_deployment(service="web")
            items = ecs_client.list_service_deployments(service="web")["serviceDeployments"]
            assert [i["serviceDeploymentArn"] for i in items] == [deployment.arn]
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)
