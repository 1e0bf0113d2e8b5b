"""Beside moto, what moto holds follows the mock: a deleted seeded service is not made in moto,
and a replaced revision shows the service's network in DescribeServices."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import boto3
import pytest

UTC = timezone.utc
T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.service_deployments(with_moto=True)
def test_a_deleted_seeded_service_is_not_made_in_moto(mock: Any) -> None:
    backend = mock.backend()
    record = backend.add_service("web", "prod")
    backend.delete_service(record)
    assert boto3.client("ecs", region_name="us-east-1").list_clusters()["clusterArns"] == []


@pytest.mark.service_deployments(with_moto=True)
def test_the_replaced_revision_shows_the_service_network(mock: Any, frozen: Any) -> None:
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 128}]
    )
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1)
    mock.backend().plan_next_deployment("web", "prod", in_progress_for=60)
    network = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}
    ecs.update_service(cluster="prod", service="web", networkConfiguration=network)
    (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert [d["status"] for d in service["deployments"]] == ["PRIMARY", "ACTIVE"]
    assert service["deployments"][1].get("networkConfiguration") == network
