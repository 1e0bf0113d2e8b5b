"""``mock.events``: in the order of the transitions' times across services, none for a history
recorded as already past, and a failed rollback's FAILED event naming the deployment the
rollback deploys."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import yaml

from mock_ecs_deployments import ServiceDeploymentsMock

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REGION = "us-east-1"
BREAKER = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}

IN_PROGRESS = "SERVICE_DEPLOYMENT_IN_PROGRESS"
COMPLETED = "SERVICE_DEPLOYMENT_COMPLETED"
FAILED = "SERVICE_DEPLOYMENT_FAILED"
STEADY = "SERVICE_STEADY_STATE"


def _service_of(event: dict[str, Any]) -> str:
    resource: str = event["resources"][0]
    return resource.rsplit("/", 1)[1]


def _timeline(events: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(event["time"], _service_of(event), event["detail"]["eventName"]) for event in events]


def _ecs_svc(revision_arn: str) -> str:
    """The ``ecs-svc/<n>`` id of the deployment of a revision (its ARN's last part)."""
    return f"ecs-svc/{revision_arn.rsplit('/', 1)[1]}"


# -- the order across services ---------------------------------------------------------------


def test_events_of_two_services_interleave_in_the_order_of_their_transitions(
    mock: ServiceDeploymentsMock, frozen: Any
) -> None:
    backend = mock.backend()
    backend.add_service("api", "prod")
    backend.add_service("web", "prod")
    # api goes IN_PROGRESS at +10 s and completes at +30 s; web at +20 s and +40 s. Nothing
    # reads them until +100 s: the mock notices each service's transitions service by service.
    backend.start_deployment("api", "prod", plan={"pending_for": 10, "in_progress_for": 20})
    backend.start_deployment("web", "prod", plan={"pending_for": 20, "in_progress_for": 20})
    frozen.tick(100)

    assert _timeline(mock.events) == [
        ("2026-03-02T09:00:10Z", "api", IN_PROGRESS),
        ("2026-03-02T09:00:20Z", "web", IN_PROGRESS),
        ("2026-03-02T09:00:30Z", "api", COMPLETED),
        ("2026-03-02T09:00:30Z", "api", STEADY),
        ("2026-03-02T09:00:40Z", "web", COMPLETED),
        ("2026-03-02T09:00:40Z", "web", STEADY),
    ]


def test_the_order_holds_whichever_service_is_read_first(
    mock: ServiceDeploymentsMock, frozen: Any, ecs: Any
) -> None:
    backend = mock.backend()
    for name in ("api", "web"):
        backend.add_service(name, "prod")
    backend.start_deployment("api", "prod", plan={"pending_for": 10, "in_progress_for": 20})
    backend.start_deployment("web", "prod", plan={"pending_for": 20, "in_progress_for": 20})
    frozen.tick(100)
    # web's transitions are noticed (and their events made) first, through a real client.
    ecs.list_service_deployments(cluster="prod", service="web")
    ecs.list_service_deployments(cluster="prod", service="api")

    times = [event["time"] for event in mock.events]
    assert times == sorted(times)
    assert [service for _, service, _ in _timeline(mock.events)] == [
        "api",
        "web",
        "api",
        "api",
        "web",
        "web",
    ]


# -- a recorded history ----------------------------------------------------------------------


def test_a_recorded_rollback_failed_history_makes_no_failed_event(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    backend = mock.backend()
    backend.add_service("web", "prod", deployment_configuration=BREAKER)
    backend.add_deployment("web", "prod", status="SUCCESSFUL", created_at=T0 - timedelta(days=1))
    failed = backend.add_deployment(
        "web",
        "prod",
        status="ROLLBACK_FAILED",
        created_at=T0 - timedelta(hours=1),
        finished_at=T0 - timedelta(minutes=30),
        status_reason="ECS deployment circuit breaker: tasks failed to start.",
    )
    # The first deployment of another service, with nothing to roll back to.
    lone = backend.add_deployment(
        "api", "prod", status="ROLLBACK_FAILED", created_at=T0 - timedelta(hours=2)
    )

    (listed, _) = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"]
    assert (listed["serviceDeploymentArn"], listed["status"]) == (failed.arn, "ROLLBACK_FAILED")
    (described,) = ecs.describe_service_deployments(serviceDeploymentArns=[lone.arn])[
        "serviceDeployments"
    ]
    assert described["status"] == "ROLLBACK_FAILED"
    assert mock.events == []


def test_a_scenario_s_rollback_failed_history_makes_no_failed_event(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    scenario = yaml.safe_load(
        """
        services:
          - service: web
            cluster: prod
            deployment_configuration:
              deploymentCircuitBreaker: {enable: true, rollback: true}
            deployments:
              - {status: SUCCESSFUL, created_at: -1d}
              - {status: ROLLBACK_FAILED, created_at: -1h, finished_at: -30m}
        """
    )
    mock.load_scenario(scenario)
    statuses = [
        item["status"]
        for item in ecs.list_service_deployments(cluster="prod", service="web")[
            "serviceDeployments"
        ]
    ]
    assert statuses == ["ROLLBACK_FAILED", "SUCCESSFUL"]
    assert mock.events == []


# -- a failed rollback -----------------------------------------------------------------------


def test_a_failed_rollback_s_failed_event_names_the_deployment_the_rollback_deploys(
    mock: ServiceDeploymentsMock, frozen: Any, ecs: Any
) -> None:
    backend = mock.backend()
    backend.add_service("web", "prod", desired_count=4, deployment_configuration=BREAKER)
    backend.start_deployment("web", "prod", task_definition="web:1")
    failing = backend.start_deployment(
        "web",
        "prod",
        task_definition="web:2",
        plan={"outcome": "ROLLBACK_FAILED", "in_progress_for": 300, "rollback_for": 120},
    )
    frozen.tick(1000)

    (described,) = ecs.describe_service_deployments(serviceDeploymentArns=[failing.arn])[
        "serviceDeployments"
    ]
    assert described["status"] == "ROLLBACK_FAILED"
    own = _ecs_svc(described["targetServiceRevision"]["arn"])
    back = _ecs_svc(described["rollback"]["serviceRevisionArn"])
    assert back == _ecs_svc(described["sourceServiceRevisions"][0]["arn"]) != own

    events = mock.events[3:]  # after the first deployment's three
    assert [
        (event["time"], event["detail"]["eventName"], event["detail"]["deploymentId"])
        for event in events
    ] == [
        ("2026-03-02T09:00:00Z", IN_PROGRESS, own),
        ("2026-03-02T09:05:00Z", FAILED, own),  # the deployment itself failed
        ("2026-03-02T09:05:00Z", IN_PROGRESS, back),  # its rollback started
        ("2026-03-02T09:07:00Z", FAILED, back),  # and the rollback failed
    ]
    rollback_failed = events[-1]["detail"]
    assert rollback_failed["eventType"] == "ERROR"
    assert rollback_failed["reason"] == described["statusReason"]
