"""The picture the state page draws (``picture/model.py``): each deployment's stretches of
status and stage, its traffic over time, its marks, events and calls, checked against what
boto3 reads from the mock at the same instants, under freezegun."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from mock_ecs_deployments import ServiceDeploymentBackend
from mock_ecs_deployments.picture.model import TASKS_NOTE, build_picture
from mock_ecs_deployments.picture.page import render_page

UTC = timezone.utc
T0 = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
T0_MS = int(T0.timestamp() * 1000)
CANARY = {
    "strategy": "CANARY",
    "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 5},
    "bakeTimeInMinutes": 3,
}


def _ms(seconds: float) -> int:
    return T0_MS + round(seconds * 1000)


def _deployments(picture: dict[str, Any], service: str = "web") -> list[dict[str, Any]]:
    (entry,) = [s for s in picture["services"] if s["name"] == service]
    deployments: list[dict[str, Any]] = entry["deployments"]
    return deployments


def _stretches(deployment: dict[str, Any], kind: str) -> list[tuple[str, int, int | None]]:
    return [
        (segment["name"], segment["start_ms"], segment["end_ms"])
        for segment in deployment["segments"]
        if segment["kind"] == kind
    ]


def _first(backend: ServiceDeploymentBackend, **service: Any) -> Any:
    backend.add_service(service="web", cluster="prod", **service)
    return backend.add_deployment(service="web", cluster="prod", created_at=T0 - timedelta(hours=1))


def test_a_failed_deployment_s_stretches_are_its_statuses_and_stages_at_their_times(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    _first(backend)
    deployment = backend.start_deployment(
        service="web",
        cluster="prod",
        plan={
            "pending_for": 30,
            "in_progress_for": 120,
            "rollback_for": 60,
            "outcome": "ROLLBACK_SUCCESSFUL",
        },
    )
    for _ in range(5):  # read part-way: the history is the same whenever it is read
        frozen.tick(60)
        build_picture()
    picture = build_picture()
    (_, drawn) = _deployments(picture)
    described = ecs.describe_service_deployments(serviceDeploymentArns=[deployment.arn])
    (aws,) = described["serviceDeployments"]
    assert aws["status"] == drawn["status"] == "ROLLBACK_SUCCESSFUL"
    assert aws["startedAt"] == T0 + timedelta(seconds=30)
    assert aws["rollback"]["startedAt"] == T0 + timedelta(seconds=150)
    assert aws["finishedAt"] == T0 + timedelta(seconds=210)
    assert _stretches(drawn, "status") == [
        ("PENDING", _ms(0), _ms(30)),
        ("IN_PROGRESS", _ms(30), _ms(150)),
        ("ROLLBACK_IN_PROGRESS", _ms(150), _ms(210)),
    ]
    assert _stretches(drawn, "stage") == [
        ("RECONCILE_SERVICE", _ms(30), _ms(30)),
        ("PRE_SCALE_UP", _ms(30), _ms(30)),
        ("SCALE_UP", _ms(30), _ms(150)),
    ]
    assert [(m["kind"], m["at_ms"]) for m in drawn["marks"]] == [
        ("rollback", _ms(150)),
        ("finished", _ms(210)),
    ]
    assert drawn["describe"]["rollback"]["startedAt"] == "2025-06-02T09:02:30.000Z"
    assert drawn["describe"]["status"] == aws["status"]
    assert drawn["can_stop"] is drawn["can_roll_back"] is False


@pytest.mark.parametrize(("stop_type", "kinds"), [("ROLLBACK", ["rollback"]), ("ABORT", ["stop"])])
def test_a_stop_asked_for_is_marked_once_where_it_was_asked(
    backend: ServiceDeploymentBackend, frozen: Any, stop_type: str, kinds: list[str]
) -> None:
    _first(backend)
    deployment = backend.start_deployment(
        service="web", cluster="prod", plan={"in_progress_for": 600, "rollback_for": 60}
    )
    frozen.tick(30)
    backend.stop_service_deployment(deployment.arn, stop_type)
    (_, drawn) = _deployments(build_picture())
    assert [(m["kind"], m["at_ms"]) for m in drawn["marks"]] == [(k, _ms(30)) for k in kinds]
    frozen.tick(120)
    (_, drawn) = _deployments(build_picture())
    end = _ms(90) if stop_type == "ROLLBACK" else _ms(30)
    assert [(m["kind"], m["at_ms"]) for m in drawn["marks"]] == [
        *[(k, _ms(30)) for k in kinds],
        ("finished", end),
    ]


def test_a_stop_nobody_asked_for_is_marked_where_it_happened(
    backend: ServiceDeploymentBackend, frozen: Any
) -> None:
    _first(backend)
    backend.start_deployment(service="web", cluster="prod", plan={"in_progress_for": 600})
    frozen.tick(30)
    backend.start_deployment(service="web", cluster="prod", plan={"in_progress_for": 600})
    (_, superseded, _) = _deployments(build_picture())
    assert superseded["status"] == "STOPPED"
    assert [(m["kind"], m["at_ms"]) for m in superseded["marks"]] == [("stop", _ms(30))]


def test_an_ongoing_stretch_has_no_end_and_stop_is_offered(
    backend: ServiceDeploymentBackend, frozen: Any
) -> None:
    _first(backend)
    backend.start_deployment(service="web", cluster="prod", plan={"in_progress_for": 600})
    frozen.tick(100)
    (first, drawn) = _deployments(build_picture())
    assert _stretches(drawn, "status") == [
        ("PENDING", _ms(0), _ms(0)),
        ("IN_PROGRESS", _ms(0), None),
    ]
    assert _stretches(drawn, "stage")[-1] == ("SCALE_UP", _ms(0), None)
    assert drawn["can_stop"] is drawn["can_roll_back"] is True
    assert drawn["source_revision_arns"] == [first["target_revision_arn"]]
    assert first["can_stop"] is False


def test_a_seeded_deployment_s_stretches_come_from_its_times(
    backend: ServiceDeploymentBackend,
) -> None:
    backend.add_deployment(
        service="web",
        cluster="prod",
        status="ROLLBACK_SUCCESSFUL",
        created_at=T0 - timedelta(minutes=30),
        started_at=T0 - timedelta(minutes=29),
        finished_at=T0 - timedelta(minutes=10),
    )
    (drawn,) = _deployments(build_picture())
    statuses = _stretches(drawn, "status")
    assert statuses[:2] == [
        ("PENDING", _ms(-1800), _ms(-1740)),
        ("IN_PROGRESS", _ms(-1740), statuses[2][1]),
    ]
    rollback = drawn["describe"]["rollback"]["startedAt"]
    assert statuses[2] == (
        "ROLLBACK_IN_PROGRESS",
        int(datetime.fromisoformat(rollback.replace("Z", "+00:00")).timestamp() * 1000),
        _ms(-600),
    )
    assert _stretches(drawn, "stage") == []


def test_a_canary_s_traffic_over_time_is_what_describe_showed_at_each_instant(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    _first(backend, deployment_configuration=CANARY)
    deployment = backend.start_deployment(
        service="web", cluster="prod", plan={"in_progress_for": 60}
    )
    seen: list[tuple[int, float, float]] = []
    for _ in range(12 * 60 // 30):
        described = ecs.describe_service_deployments(serviceDeploymentArns=[deployment.arn])
        (aws,) = described["serviceDeployments"]
        now = int(datetime.now(UTC).timestamp() * 1000)
        target = aws["targetServiceRevision"]
        seen.append(
            (now, target["requestedProductionTrafficWeight"], target["requestedTestTrafficWeight"])
        )
        frozen.tick(30)
    (_, drawn) = _deployments(build_picture())
    points = drawn["traffic"]
    # Test traffic first, then the canary's share of production, then all of it.
    assert [(p["production"], p["test"]) for p in points] == [
        (0.0, 0.0),
        (0.0, 100.0),
        (10.0, 100.0),
        (100.0, 100.0),
    ]
    # Every step that lasts was read (test traffic alone lasts no time).
    assert len({(production, test) for _, production, test in seen}) == 3
    for now, production, test in seen:
        (shown, *_) = [p for p in reversed(points) if p["at_ms"] <= now]
        assert (shown["production"], shown["test"]) == (production, test), now
    stages = [name for name, _, _ in _stretches(drawn, "stage")]
    assert stages[-3:] == ["PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME"]
    # One stretch of PRODUCTION_TRAFFIC_SHIFT, the canary's and the rest's shifts together.
    (shift,) = [s for s in _stretches(drawn, "stage") if s[0] == "PRODUCTION_TRAFFIC_SHIFT"]
    assert shift[1:] == (_ms(60), _ms(60 + 5 * 60))
    assert drawn["status"] == "SUCCESSFUL"


def test_a_rolling_deployment_has_no_traffic_line(
    backend: ServiceDeploymentBackend, frozen: Any
) -> None:
    _first(backend)
    backend.start_deployment(service="web", cluster="prod", plan={"in_progress_for": 60})
    frozen.tick(90)
    assert [d["traffic"] for d in _deployments(build_picture())] == [[], []]


def test_a_hook_awaiting_action_is_offered_with_describe_s_id(
    backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    hook = {
        "targetType": "PAUSE",
        "lifecycleStages": ["POST_SCALE_UP"],
        "timeoutConfiguration": {"timeoutInMinutes": 30},
    }
    _first(backend, deployment_configuration={"lifecycleHooks": [hook]})
    deployment = backend.start_deployment(
        service="web", cluster="prod", plan={"in_progress_for": 60}
    )
    frozen.tick(61)
    (aws,) = ecs.describe_service_deployments(serviceDeploymentArns=[deployment.arn])[
        "serviceDeployments"
    ]
    (detail,) = aws["lifecycleHookDetails"]
    (_, drawn) = _deployments(build_picture())
    assert detail["status"] == "AWAITING_ACTION"
    assert drawn["hooks_awaiting"] == [{"hook_id": detail["hookId"], "stage": "POST_SCALE_UP"}]
    assert [(m["kind"], m["at_ms"]) for m in drawn["marks"]] == [("hook", _ms(60 + 30 * 60))]


def test_events_and_calls_are_joined_to_their_own_deployment(
    mock: Any, backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    _first(backend)
    failing = backend.start_deployment(
        service="web",
        cluster="prod",
        plan={"in_progress_for": 60, "outcome": "ROLLBACK_SUCCESSFUL"},
    )
    frozen.tick(200)
    ecs.describe_service_deployments(serviceDeploymentArns=[failing.arn])
    ecs.list_service_deployments(cluster="prod", service="web")
    backend.add_deployment(service="api", cluster="prod")
    ecs.list_service_deployments(cluster="prod", service="api")  # another service's
    (first, drawn) = _deployments(build_picture())
    names = [event["detail"]["eventName"] for event in drawn["events"]]
    assert names == [
        "SERVICE_DEPLOYMENT_IN_PROGRESS",
        "SERVICE_DEPLOYMENT_FAILED",
        "SERVICE_DEPLOYMENT_IN_PROGRESS",
        "SERVICE_DEPLOYMENT_COMPLETED",
        "SERVICE_STEADY_STATE",
    ]
    assert sorted(map(json.dumps, drawn["events"])) == sorted(map(json.dumps, mock.events))
    assert first["events"] == []
    assert [call["operation"] for call in drawn["calls"]] == [
        "DescribeServiceDeployments",
        "ListServiceDeployments",
    ]
    assert [call["operation"] for call in first["calls"]] == ["ListServiceDeployments"]


def test_services_are_in_account_region_cluster_and_name_order(mock: Any) -> None:
    for account, region, cluster, name in [
        ("222222222222", "us-east-1", "a", "web"),
        ("111111111111", "eu-west-1", "b", "api"),
        ("111111111111", "eu-west-1", "a", "web"),
        ("111111111111", "ap-south-1", "z", "web"),
    ]:
        mock.backend(region=region, account_id=account).add_deployment(
            service=name, cluster=cluster
        )
    picture = build_picture()
    assert [
        (s["account_id"], s["region"], s["cluster"], s["name"]) for s in picture["services"]
    ] == [
        ("111111111111", "ap-south-1", "z", "web"),
        ("111111111111", "eu-west-1", "a", "web"),
        ("111111111111", "eu-west-1", "b", "api"),
        ("222222222222", "us-east-1", "a", "web"),
    ]
    assert picture["now_ms"] == T0_MS
    assert picture["now"] == "2025-06-02T09:00:00.000Z"
    assert picture["tasks_note"] == TASKS_NOTE


def test_a_page_with_a_picture_cannot_be_broken_out_of_by_its_text(
    backend: ServiceDeploymentBackend,
) -> None:
    backend.add_deployment(
        service="web",
        cluster="prod",
        status="STOPPED",
        status_reason="</script><script>alert(1)</script><!--",
    )
    document = render_page(build_picture(), title="<b>test</b>")
    assert "</script><script>alert(1)" not in document
    assert "<!--" not in document.split('id="picture-data"', 1)[1].split("</script>", 1)[0]
    start = document.index('id="picture-data"')
    data = document[document.index(">", start) + 1 : document.index("</script>", start)]
    (drawn,) = _deployments(json.loads(data))
    assert drawn["status_reason"] == "</script><script>alert(1)</script><!--"
    assert "<title>&lt;b&gt;test&lt;/b&gt;</title>" in document


@pytest.mark.parametrize("live", [True, False])
def test_the_page_loads_nothing_from_elsewhere(live: bool, mock: Any) -> None:
    document = render_page(None if live else build_picture())
    assert "/*PAGE_CSS*/" not in document and "/*PAGE_JS*/" not in document
    assert "{{PICTURE_JSON}}" not in document
    for needle in ("http://", "https://", "//cdn", "@import", "url(http"):
        assert needle not in document


# -- daemons ---------------------------------------------------------------------------------

DAEMON_EVENT = "ECS Daemon Deployment State Change"


def _daemon_world(backend: ServiceDeploymentBackend, ecs: Any) -> tuple[Any, str, str]:
    """Capacity provider ``mi`` (4 instances) in prod, daemon task definitions agent:1 and
    agent:2, and daemon ``agent`` made at T0 on agent:1, its first deployment pending for 10 s
    and moving for 60 s (SUCCESSFUL at 70 s). Returns CreateDaemon's answer, agent:2's ARN and
    the capacity provider's."""
    cp = backend.add_capacity_provider("mi", cluster="prod", instances=4).arn
    first, second = (
        ecs.register_daemon_task_definition(
            family="agent", containerDefinitions=[{"name": "agent", "image": f"nginx:{n}"}]
        )["daemonTaskDefinitionArn"]
        for n in (1, 2)
    )
    backend.plan_next_deployment(daemon="agent", cluster="prod", pending_for=10, in_progress_for=60)
    created = ecs.create_daemon(
        daemonName="agent",
        clusterArn="prod",
        daemonTaskDefinitionArn=first,
        capacityProviderArns=[cp],
    )
    return created, second, cp


def test_a_daemon_s_rollback_is_drawn_at_its_times_as_describe_tells_it(
    mock: Any, backend: ServiceDeploymentBackend, ecs: Any, frozen: Any
) -> None:
    created, second, cp = _daemon_world(backend, ecs)
    daemon_arn = created["daemonArn"]
    frozen.tick(120)
    backend.plan_next_deployment(
        daemon="agent",
        cluster="prod",
        pending_for=30,
        in_progress_for=60,
        rollback_for=45,
        outcome="ROLLBACK_SUCCESSFUL",
    )
    arn = ecs.update_daemon(
        daemonArn=daemon_arn, daemonTaskDefinitionArn=second, capacityProviderArns=[cp]
    )["deploymentArn"]
    frozen.tick(60)  # 180 s: IN_PROGRESS since 150 s, and still going
    ((_, moving),) = [d["deployments"] for d in build_picture()["daemons"]]
    assert _stretches(moving, "status") == [
        ("PENDING", _ms(120), _ms(150)),
        ("IN_PROGRESS", _ms(150), None),
    ]
    assert moving["marks"] == []
    for _ in range(4):  # read part-way: the history is the same whenever it is read
        frozen.tick(30)
        build_picture()
    # 300 s: the breaker tripped at 210 s, and the rollback took 45 s.
    ecs.list_daemon_deployments(daemonArn=daemon_arn)
    (aws,) = ecs.describe_daemon_deployments(daemonDeploymentArns=[arn])["daemonDeployments"]
    picture = build_picture()
    assert picture["services"] == []
    (entry,) = picture["daemons"]
    assert {key: entry[key] for key in ("arn", "name", "cluster", "status")} == {
        "arn": daemon_arn,
        "name": "agent",
        "cluster": "prod",
        "status": "ACTIVE",
    }
    assert (entry["account_id"], entry["region"]) == (backend.account_id, backend.region_name)
    (first, drawn) = entry["deployments"]  # oldest first
    assert (first["arn"], drawn["arn"]) == (created["deploymentArn"], arn)
    assert aws["status"] == drawn["status"] == "ROLLBACK_SUCCESSFUL"
    assert _stretches(drawn, "status") == [
        ("PENDING", _ms(120), _ms(150)),
        ("IN_PROGRESS", _ms(150), _ms(210)),
        ("STOP_REQUESTED", _ms(210), _ms(210)),
        ("ROLLBACK_IN_PROGRESS", _ms(210), _ms(255)),
        ("ROLLBACK_SUCCESSFUL", _ms(255), _ms(255)),
    ]
    assert _stretches(drawn, "stage") == []
    assert [(m["kind"], m["at_ms"], m["label"]) for m in drawn["marks"]] == [
        ("rollback", _ms(210), f"rollback started: {aws['rollback']['reason']}"),
        ("finished", _ms(255), "ROLLBACK_SUCCESSFUL"),
    ]
    assert _stretches(first, "status") == [
        ("PENDING", _ms(0), _ms(10)),
        ("IN_PROGRESS", _ms(10), _ms(70)),
        ("SUCCESSFUL", _ms(70), _ms(70)),
    ]
    assert [(m["kind"], m["at_ms"]) for m in first["marks"]] == [("finished", _ms(70))]

    # What DescribeDaemonDeployments answers, its times as ISO 8601 text.
    described = drawn["describe"]
    assert described["rollback"]["startedAt"] == "2025-06-02T09:03:30.000Z"
    assert (described["stoppedAt"], described["finishedAt"]) == (
        "2025-06-02T09:03:30.000Z",
        "2025-06-02T09:04:15.000Z",
    )
    assert json.loads(json.dumps(aws, default=_iso_text)) == described
    assert (drawn["started_ms"], drawn["stopped_ms"], drawn["finished_ms"]) == (
        _ms(150),
        _ms(210),
        _ms(255),
    )

    # Its own events (by daemonDeploymentArn), and the calls that named it or its daemon.
    assert [event["detail"]["eventName"] for event in drawn["events"]] == [
        "DAEMON_DEPLOYMENT_PENDING",
        "DAEMON_DEPLOYMENT_IN_PROGRESS",
        "DAEMON_DEPLOYMENT_STOP_REQUESTED",
        "DAEMON_DEPLOYMENT_ROLLBACK_IN_PROGRESS",
        "DAEMON_DEPLOYMENT_ROLLBACK_SUCCESSFUL",
    ]
    assert {event["detail"]["daemonDeploymentArn"] for event in drawn["events"]} == {arn}
    assert [event["detail"]["eventName"] for event in first["events"]] == [
        "DAEMON_DEPLOYMENT_PENDING",
        "DAEMON_DEPLOYMENT_IN_PROGRESS",
        "DAEMON_DEPLOYMENT_SUCCESSFUL",
    ]
    made = [event for event in mock.events if event["detail-type"] == DAEMON_EVENT]
    assert sorted(map(json.dumps, first["events"] + drawn["events"])) == sorted(
        map(json.dumps, made)
    )
    assert [call["operation"] for call in drawn["calls"]] == [
        "ListDaemonDeployments",
        "DescribeDaemonDeployments",
    ]
    assert [call["operation"] for call in first["calls"]] == ["ListDaemonDeployments"]


def _iso_text(value: object) -> str:
    """A time boto3 parsed, as the picture writes it (UTC, milliseconds, ``Z``)."""
    assert isinstance(value, datetime)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_daemons_are_in_account_region_cluster_and_name_order_and_a_gone_one_is_not_drawn(
    mock: Any, frozen: Any
) -> None:
    for account, region, cluster, name in [
        ("222222222222", "us-east-1", "a", "web"),
        ("111111111111", "eu-west-1", "b", "api"),
        ("111111111111", "eu-west-1", "a", "web"),
        ("111111111111", "ap-south-1", "z", "web"),
    ]:
        backend = mock.backend(region=region, account_id=account)
        provider = backend.add_capacity_provider("mi", cluster=cluster)
        definition = backend.add_daemon_task_definition(name, [{"name": name, "image": "x:1"}])
        backend.create_daemon(name, definition.arn, [provider.arn], cluster=cluster)
    daemons = build_picture()["daemons"]
    assert [(d["account_id"], d["region"], d["cluster"], d["name"]) for d in daemons] == [
        ("111111111111", "ap-south-1", "z", "web"),
        ("111111111111", "eu-west-1", "a", "web"),
        ("111111111111", "eu-west-1", "b", "api"),
        ("222222222222", "us-east-1", "a", "web"),
    ]
    gone = daemons[-1]["arn"]
    deleting_backend = mock.backend(region="us-east-1", account_id="222222222222")
    deleting_backend.plan_next_deployment(daemon="web", cluster="a", in_progress_for=60)
    deleting_backend.delete_daemon(gone)
    (deleting,) = [d for d in build_picture()["daemons"] if d["arn"] == gone]
    assert deleting["status"] == "DELETE_IN_PROGRESS"
    assert deleting["deployments"][-1]["target_revision_arn"] is None
    frozen.tick(61)  # its delete deployment ended: the daemon is gone
    assert [d["arn"] for d in build_picture()["daemons"]] == [d["arn"] for d in daemons[:-1]]
