"""Edges each written so that a plausible bug there fails: limits taken exactly, zero-length
rollbacks, exact relative times, and accounts of keys moto made."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest

from mock_ecs_deployments import (
    ScenarioError,
    ServiceDeploymentBackend,
    mock_service_deployments,
)
from mock_ecs_deployments.scenarios.loader import MAX_REPEAT, build_scenario

UTC = timezone.utc
T0 = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)


def _repeated(times: int) -> dict[str, Any]:
    return {
        "services": [
            {
                "service": "web",
                "deployments": [
                    {"created_at": "2025-01-01T00:00:00Z", "repeat": times, "every": "1m"}
                ],
            }
        ]
    }


def test_a_repeat_of_exactly_the_maximum_is_accepted_and_one_more_refused() -> None:
    scenario = build_scenario(_repeated(MAX_REPEAT))
    assert sum(len(entry.deployments) for entry in scenario.services) == MAX_REPEAT
    with pytest.raises(ScenarioError, match=f"1 to {MAX_REPEAT:,}|1 to {MAX_REPEAT}"):
        build_scenario(_repeated(MAX_REPEAT + 1))


def test_a_plan_with_an_instant_rollback_finishes_it_when_in_progress_ends(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    backend.add_service(
        service="web",
        cluster="prod",
        deployment_configuration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    )
    backend.add_deployment(service="web", cluster="prod", created_at=T0 - timedelta(hours=1))
    deployment = backend.start_deployment(
        service="web",
        cluster="prod",
        plan={"outcome": "ROLLBACK_SUCCESSFUL", "in_progress_for": 20, "rollback_for": 0},
    )
    frozen.tick(19.999)
    (described,) = ecs.describe_service_deployments(serviceDeploymentArns=[deployment.arn])[
        "serviceDeployments"
    ]
    assert described["status"] == "IN_PROGRESS"
    frozen.tick(0.001)
    (described,) = ecs.describe_service_deployments(serviceDeploymentArns=[deployment.arn])[
        "serviceDeployments"
    ]
    ended = T0 + timedelta(seconds=20)
    assert (described["status"], described["finishedAt"], described["rollback"]["startedAt"]) == (
        "ROLLBACK_SUCCESSFUL",
        ended,
        ended,
    )


def test_relative_scenario_times_are_the_exact_instant(frozen: Any) -> None:
    frozen.tick(0.123)  # a reference with milliseconds, which rounding would lose
    now = T0 + timedelta(seconds=0.123)
    with mock_service_deployments() as mock:
        (service,) = mock.load_scenario(
            {
                "services": [
                    {
                        "service": "web",
                        "deployments": [
                            {"created_at": "-1h30m", "status": "SUCCESSFUL"},
                            {"created_at": "+45s", "status": "PENDING"},
                            {"created_at": "now", "status": "SUCCESSFUL"},
                        ],
                    }
                ]
            }
        )
        created = sorted(d.created_at for d in service.deployments)
        assert created == [now - timedelta(hours=1, minutes=30), now, now + timedelta(seconds=45)]


def test_standalone_a_key_moto_made_for_another_account_answers_as_that_account() -> None:
    """moto's IAM holds a key of account 111122223333 (made through moto's backend, as a test
    that prepares moto's state does); our mock alone, with no mock_aws, answers as that
    account for requests signed with it."""
    from moto.iam.models import iam_backends

    iam = iam_backends["111122223333"]["global"]
    iam.create_user(region_name="us-east-1", user_name="deployer")
    key = iam.create_access_key("deployer")
    try:
        with mock_service_deployments() as mock:  # moto's mock_aws is not active here
            mock.backend(account_id="111122223333").add_deployment(service="web")
            mock.backend().add_deployment(service="web", status="STOPPED")
            ecs = boto3.client(
                "ecs",
                region_name="us-east-1",
                aws_access_key_id=key.access_key_id,
                aws_secret_access_key=key.secret_access_key,
            )
            items = ecs.list_service_deployments(service="web")["serviceDeployments"]
            assert [(item["status"], item["serviceArn"].split(":")[4]) for item in items] == [
                ("SUCCESSFUL", "111122223333")
            ]
            assert [call.account_id for call in mock.calls] == ["111122223333"]
    finally:
        iam.delete_access_key(key.access_key_id, "deployer")
        iam.delete_user("deployer")
