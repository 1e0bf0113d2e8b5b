"""ListTasks, DescribeTasks and StopTask beside moto tell the same story as DescribeServices and
the service deployments: the tasks a rollout starts and stops, task by task, at the clock's
time; AWS's filters, defaults and paging; moto's own tasks listed beside them; the waiters; a
scaling without a deployment; StopTask's replacement; and the same flow through a server."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from mock_ecs_deployments import ServiceDeploymentsMock, serve_in_thread
from mock_ecs_deployments.server.client import MockEndpoint

from .clients import endpoint_client
from .shapes import check_output

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REGION = "us-east-1"
PREFIX = f"arn:aws:ecs:{REGION}:123456789012"
TD = f"{PREFIX}:task-definition/web"
SCALING = "Scaling activity initiated by (deployment {})"

# ListTasks and DescribeTasks are moto's operations: every mock here is beside moto's mock_aws.
pytestmark = pytest.mark.service_deployments(with_moto=True)


def _prepare(ecs: Any) -> Any:
    ecs.create_cluster(clusterName="prod")
    for image in ("nginx:1", "nginx:2"):
        ecs.register_task_definition(
            family="web",
            containerDefinitions=[{"name": "app", "image": image, "memory": 128}],
            cpu="256",
            memory="512",
        )
    return ecs


@pytest.fixture
def ecs(ecs: Any) -> Any:
    """The shared client, with cluster prod and task definitions web:1 (nginx:1) and web:2
    (nginx:2), each of 256 CPU units and 512 MiB, made in moto."""
    return _prepare(ecs)


def _rolling(mock: Any, ecs: Any, desired: int = 2, **options: Any) -> None:
    """Service web on web:1 (its first deployment done at once), then a rollout to web:2
    planned to take 60 seconds: SCALE_UP starts two web:2 tasks, one runs every 30 s."""
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=desired,
        **options,
    )
    mock.backend().plan_next_deployment("web", "prod", in_progress_for=60)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")


def _arns(ecs: Any, **filters: Any) -> list[str]:
    answer = ecs.list_tasks(**{"cluster": "prod", **filters})
    check_output("ListTasks", answer)
    return list(answer["taskArns"])


def _describe(ecs: Any, arns: list[str], cluster: str = "prod") -> list[dict[str, Any]]:
    if not arns:
        return []
    answer = ecs.describe_tasks(cluster=cluster, tasks=arns)
    check_output("DescribeTasks", answer)
    assert answer["failures"] == []
    return list(answer["tasks"])


def _service(ecs: Any) -> dict[str, Any]:
    return dict(ecs.describe_services(cluster="prod", services=["web"])["services"][0])


def _by_revision(tasks: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    return Counter((t["taskDefinitionArn"].rsplit("/", 1)[1], t["lastStatus"]) for t in tasks)


def _code(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


def _agrees_with_the_service(ecs: Any, tasks: list[dict[str, Any]]) -> None:
    """The tasks' counts are DescribeServices' and the service deployments', per revision."""
    service = _service(ecs)
    statuses = Counter(t["lastStatus"] for t in tasks)
    assert (service["runningCount"], service["pendingCount"]) == (
        statuses["RUNNING"],
        statuses["PENDING"],
    )
    for deployment in service["deployments"]:
        mine = [t for t in tasks if t["startedBy"] == deployment["id"]]
        assert all(t["taskDefinitionArn"] == deployment["taskDefinition"] for t in mine)
        counted = Counter(t["lastStatus"] for t in mine)
        assert (deployment["runningCount"], deployment["pendingCount"]) == (
            counted["RUNNING"],
            counted["PENDING"],
        )
    newest = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"][0]
    (described,) = ecs.describe_service_deployments(
        serviceDeploymentArns=[newest["serviceDeploymentArn"]]
    )["serviceDeployments"]
    for revision in [described["targetServiceRevision"], *described["sourceServiceRevisions"]]:
        started_by = "ecs-svc/" + revision["arn"].rsplit("/", 1)[1]
        counted = Counter(t["lastStatus"] for t in tasks if t["startedBy"] == started_by)
        assert (revision["runningTaskCount"], revision["pendingTaskCount"]) == (
            counted["RUNNING"],
            counted["PENDING"],
        )


# -- a rollout, task by task ------------------------------------------------------------------


def test_a_rollout_starts_and_stops_tasks_as_describe_services_counts_them(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    _rolling(mock, ecs)
    expected = [
        {("web:1", "RUNNING"): 2, ("web:2", "PENDING"): 2},
        {("web:1", "RUNNING"): 1, ("web:2", "RUNNING"): 1, ("web:2", "PENDING"): 1},
        {("web:2", "RUNNING"): 2},
    ]
    for step, wanted in enumerate(expected):
        if step:
            frozen.tick(30)
        tasks = _describe(ecs, _arns(ecs, serviceName="web"))
        assert _by_revision(tasks) == Counter(wanted), f"at {30 * step} s"
        assert all(t["desiredStatus"] == "RUNNING" for t in tasks)
        _agrees_with_the_service(ecs, tasks)

    (primary,) = _service(ecs)["deployments"]
    assert {t["startedBy"] for t in tasks} == {primary["id"]}
    running = [t for t in tasks if t["lastStatus"] == "RUNNING"]
    assert sorted(t["startedAt"] for t in running) == [
        T0 + timedelta(seconds=30),
        T0 + timedelta(seconds=60),
    ]


def test_the_replaced_tasks_are_listed_as_stopped_with_why(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    _rolling(mock, ecs)
    first_id = _service(ecs)["deployments"][1]["id"]
    assert _arns(ecs, serviceName="web", desiredStatus="STOPPED") == []
    frozen.tick(60)
    (primary,) = _service(ecs)["deployments"]

    stopped = _describe(ecs, _arns(ecs, serviceName="web", desiredStatus="STOPPED"))

    assert len(stopped) == 2
    for task in stopped:
        assert task["taskDefinitionArn"] == f"{TD}:1"
        assert task["startedBy"] == first_id
        assert (task["lastStatus"], task["desiredStatus"]) == ("STOPPED", "STOPPED")
        assert task["stopCode"] == "ServiceSchedulerInitiated"
        assert task["stoppedReason"] == SCALING.format(primary["id"])
        assert task["stoppingAt"] == task["stoppedAt"] == task["executionStoppedAt"]
        assert task["containers"][0]["lastStatus"] == "STOPPED"
    assert sorted(t["stoppedAt"] for t in stopped) == [
        T0 + timedelta(seconds=30),
        T0 + timedelta(seconds=60),
    ]
    assert _arns(ecs, desiredStatus="PENDING") == []  # AWS never sets a desired PENDING


def test_failed_tasks_stop_with_their_container_s_exit_code(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    mock.backend().fail_tasks("web:2", exit_code=137, reason="OutOfMemoryError")
    breaker = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
    _rolling(mock, ecs, deploymentConfiguration=breaker)
    frozen.tick(31)

    (failed,) = _describe(ecs, _arns(ecs, serviceName="web", desiredStatus="STOPPED"))

    assert failed["taskDefinitionArn"] == f"{TD}:2"
    assert failed["stopCode"] == "EssentialContainerExited"
    assert failed["stoppedReason"] == "Essential container in task exited"
    assert "startedAt" not in failed  # it never ran
    (container,) = failed["containers"]
    assert (container["exitCode"], container["reason"]) == (137, "OutOfMemoryError")
    tasks = _describe(ecs, _arns(ecs, serviceName="web"))
    assert _by_revision(tasks) == Counter({("web:1", "RUNNING"): 2, ("web:2", "PENDING"): 2})
    _agrees_with_the_service(ecs, tasks)


# -- the task itself ----------------------------------------------------------------------------


def test_a_task_is_described_as_aws_s_task_shape(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    _rolling(mock, ecs, launchType="FARGATE")
    frozen.tick(30)
    started_by = _service(ecs)["deployments"][0]["id"]

    answer = ecs.describe_tasks(
        cluster="prod", tasks=_arns(ecs, startedBy=started_by), include=["TAGS"]
    )

    check_output("DescribeTasks", answer)
    running, pending = sorted(answer["tasks"], key=lambda t: t["lastStatus"] != "RUNNING")
    task_id = running["taskArn"].rsplit("/", 1)[1]
    assert len(task_id) == 32 and int(task_id, 16) >= 0
    assert running["taskArn"] == f"{PREFIX}:task/prod/{task_id}"
    expected = {
        "clusterArn": f"{PREFIX}:cluster/prod",
        "taskDefinitionArn": f"{TD}:2",
        "lastStatus": "RUNNING",
        "desiredStatus": "RUNNING",
        "startedBy": started_by,
        "group": "service:web",
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "availabilityZone": "us-east-1a",
        "cpu": "256",
        "memory": "512",
        "createdAt": T0,
        "startedAt": T0 + timedelta(seconds=30),
        "connectivity": "CONNECTED",
        "healthStatus": "UNKNOWN",
        "enableExecuteCommand": False,
        "overrides": {"containerOverrides": [], "inferenceAcceleratorOverrides": []},
        "attachments": [],
        "tags": [],
    }
    assert {key: running.get(key) for key in expected} == expected
    (container,) = running["containers"]
    assert container["containerArn"].startswith(f"{PREFIX}:container/prod/{task_id}/")
    assert (container["taskArn"], container["name"], container["image"]) == (
        running["taskArn"],
        "app",
        "nginx:2",
    )
    assert container["imageDigest"].startswith("sha256:")
    assert (container["lastStatus"], container["healthStatus"]) == ("RUNNING", "UNKNOWN")
    assert pending["lastStatus"] == "PENDING"
    assert not {"startedAt", "connectivity", "stoppedAt"} & set(pending)
    # Described twice, a task is the same: nothing moves but the clock.
    assert ecs.describe_tasks(cluster="prod", tasks=[running["taskArn"]])["tasks"] == [running]


def test_a_capacity_provider_s_task_names_its_provider(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    strategy = [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    ecs.create_service(
        cluster="prod",
        serviceName="spot",
        taskDefinition="web:1",
        desiredCount=1,
        capacityProviderStrategy=strategy,
    )
    (task,) = _describe(ecs, _arns(ecs, serviceName="spot"))
    assert (task["launchType"], task["capacityProviderName"]) == ("FARGATE", "FARGATE_SPOT")


def test_tasks_are_described_by_id_in_request_order_and_unknown_ones_are_missing(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    _rolling(mock, ecs)
    arns = _arns(ecs, serviceName="web")
    unknown = f"{PREFIX}:task/prod/{'0' * 32}"
    wanted = [arns[2].rsplit("/", 1)[1], arns[0], unknown, arns[0]]

    answer = ecs.describe_tasks(cluster="prod", tasks=wanted)

    check_output("DescribeTasks", answer)
    assert [t["taskArn"] for t in answer["tasks"]] == [arns[2], arns[0]]
    assert answer["failures"] == [{"arn": unknown, "reason": "MISSING"}]
    with pytest.raises(ClientError) as empty:
        ecs.describe_tasks(cluster="prod", tasks=[])
    assert _code(empty) == ("InvalidParameterException", "Tasks cannot be empty.")
    with pytest.raises(ClientError) as too_many:
        ecs.describe_tasks(cluster="prod", tasks=arns * 26)
    assert _code(too_many)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as elsewhere:
        ecs.describe_tasks(cluster="nowhere", tasks=arns)
    assert _code(elsewhere) == ("ClusterNotFoundException", "Cluster not found.")


# -- ListTasks' filters and pages ---------------------------------------------------------------


def test_list_tasks_filters_as_aws_does(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    _rolling(mock, ecs)
    service = _service(ecs)
    target, source = (d["id"] for d in service["deployments"])
    web = _arns(ecs, serviceName="web")
    assert len(web) == 4
    frozen.tick(1)
    ecs.create_service(cluster="prod", serviceName="api", taskDefinition="web:1", desiredCount=1)
    (api,) = _arns(ecs, serviceName=f"{PREFIX}:service/prod/api")

    assert _arns(ecs) == [*web, api]  # every service's tasks, oldest first
    assert _arns(ecs, cluster=f"{PREFIX}:cluster/prod") == [*web, api]
    assert _arns(ecs, family="web") == [*web, api]
    assert _arns(ecs, family="other") == []
    assert {t["taskDefinitionArn"] for t in _describe(ecs, _arns(ecs, startedBy=target))} == {
        f"{TD}:2"
    }
    assert len(_arns(ecs, startedBy=source)) == 2
    assert _arns(ecs, serviceName="web", launchType="EC2") == web
    assert _arns(ecs, serviceName="web", launchType="FARGATE") == []
    assert _arns(ecs, containerInstance="no-instance") == []  # the mock's tasks have none
    assert _arns(ecs, daemonName="agent") == []  # nor belong to a daemon

    for filters, code, message in [
        ({"serviceName": "nothing"}, "ServiceNotFoundException", "Service not found."),
        ({"cluster": "nowhere"}, "ClusterNotFoundException", "Cluster not found."),
        (
            {"startedBy": target, "family": "web"},
            "InvalidParameterException",
            "cannot specify startedBy with other arguments",
        ),
    ]:
        with pytest.raises(ClientError) as refused:
            ecs.list_tasks(**{"cluster": "prod", **filters})
        assert _code(refused) == (code, message), filters
    with pytest.raises(ClientError) as bad_status:
        ecs.list_tasks(cluster="prod", desiredStatus="DONE")
    assert _code(bad_status)[0] == "InvalidParameterException"


def test_pages_cover_every_task_once_and_tokens_are_bound_to_their_filters(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=5)
    everything = _arns(ecs, serviceName="web")
    assert len(everything) == 5

    pages, token = [], None
    while True:
        more = {"nextToken": token} if token else {}
        answer = ecs.list_tasks(cluster="prod", serviceName="web", maxResults=2, **more)
        pages.append(answer["taskArns"])
        token = answer.get("nextToken")
        if token is None:
            break
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [arn for page in pages for arn in page] == everything
    exact = ecs.list_tasks(cluster="prod", serviceName="web", maxResults=5)
    assert exact["taskArns"] == everything and "nextToken" not in exact  # no empty last page
    paginator = ecs.get_paginator("list_tasks")
    paged = paginator.paginate(cluster="prod", PaginationConfig={"PageSize": 3})
    assert [arn for page in paged for arn in page["taskArns"]] == everything

    first = ecs.list_tasks(cluster="prod", serviceName="web", maxResults=2)
    for other in ({"desiredStatus": "STOPPED"}, {"family": "web"}, {"serviceName": None}):
        request = {"cluster": "prod", "serviceName": "web", "nextToken": first["nextToken"]}
        request.update(other)
        with pytest.raises(ClientError) as refused:
            ecs.list_tasks(**{k: v for k, v in request.items() if v is not None})
        assert _code(refused)[0] == "InvalidParameterException", other
    for size in (0, 101):
        with pytest.raises(ClientError) as out_of_range:
            ecs.list_tasks(cluster="prod", maxResults=size)
        assert _code(out_of_range)[0] == "InvalidParameterException"


def test_moto_s_own_tasks_are_listed_after_the_mock_s_and_described_by_moto(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=2)
    web = _arns(ecs, serviceName="web")
    (run,) = ecs.run_task(
        cluster="prod", taskDefinition="web:2", launchType="FARGATE", startedBy="batch"
    )["tasks"]

    assert _arns(ecs) == [*web, run["taskArn"]]
    assert _arns(ecs, serviceName="web") == web
    assert _arns(ecs, startedBy="batch") == [run["taskArn"]]
    assert _arns(ecs, launchType="FARGATE") == [run["taskArn"]]
    assert _arns(ecs, desiredStatus="STOPPED") == []
    assert ecs.list_tasks(cluster="prod", maxResults=2)["taskArns"] == web

    unknown = f"{PREFIX}:task/prod/{'f' * 32}"
    answer = ecs.describe_tasks(cluster="prod", tasks=[run["taskArn"], web[1], unknown])
    check_output("DescribeTasks", answer)
    theirs, ours = answer["tasks"]
    assert (theirs["taskArn"], theirs["group"], theirs["startedBy"]) == (
        run["taskArn"],
        "family:web",
        "batch",
    )
    assert (ours["taskArn"], ours["group"]) == (web[1], "service:web")
    assert answer["failures"] == [{"arn": unknown, "reason": "MISSING"}]

    ecs.stop_task(cluster="prod", task=run["taskArn"], reason="done")  # moto's own stop
    assert _arns(ecs) == web
    assert _arns(ecs, desiredStatus="STOPPED") == [run["taskArn"]]


# -- waiters, scaling, StopTask ---------------------------------------------------------------


def test_the_tasks_waiters_wait_for_the_rollout(
    mock: ServiceDeploymentsMock, ecs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rolling(mock, ecs)
    new = _arns(ecs, startedBy=_service(ecs)["deployments"][0]["id"])
    old = _arns(ecs, startedBy=_service(ecs)["deployments"][1]["id"])
    monkeypatch.setattr("botocore.waiter.time.sleep", mock.advance)

    ecs.get_waiter("tasks_running").wait(
        cluster="prod", tasks=new, WaiterConfig={"Delay": 6, "MaxAttempts": 20}
    )
    assert mock.now() == T0 + timedelta(seconds=60)  # the first poll once both run
    ecs.get_waiter("tasks_stopped").wait(
        cluster="prod", tasks=old, WaiterConfig={"Delay": 6, "MaxAttempts": 1}
    )
    assert {t["lastStatus"] for t in _describe(ecs, old)} == {"STOPPED"}


def test_a_desired_count_change_scales_the_tasks_without_a_deployment(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=2)
    before = _arns(ecs, serviceName="web")
    frozen.tick(10)

    ecs.update_service(cluster="prod", service="web", desiredCount=3)

    after = _describe(ecs, _arns(ecs, serviceName="web"))
    assert [t["taskArn"] for t in after[:2]] == before
    assert [t["lastStatus"] for t in after] == ["RUNNING"] * 3
    assert after[2]["createdAt"] == T0 + timedelta(seconds=10)
    assert len({t["startedBy"] for t in after}) == 1
    history = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"]
    assert len(history) == 1
    task_id = after[2]["taskArn"].rsplit("/", 1)[1]
    assert _service(ecs)["events"][0]["message"] == (
        f"(service web) has started 1 tasks: (task {task_id})."
    )
    _agrees_with_the_service(ecs, after)

    ecs.update_service(cluster="prod", service="web", desiredCount=1)
    assert len(_arns(ecs, serviceName="web")) == 1
    stopped = _describe(ecs, _arns(ecs, serviceName="web", desiredStatus="STOPPED"))
    assert [t["stopCode"] for t in stopped] == ["ServiceSchedulerInitiated"] * 2
    _agrees_with_the_service(ecs, _describe(ecs, _arns(ecs, serviceName="web")))


def test_a_seeded_service_first_scaled_through_moto_starts_only_the_difference(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    backend = mock.backend()
    backend.add_service("web", "prod", desired_count=2, launch_type="FARGATE")
    backend.add_deployment(service="web", cluster="prod", task_definition="web:1")
    frozen.tick(10)

    ecs.update_service(cluster="prod", service="web", desiredCount=3)  # its tasks' first use

    tasks = _describe(ecs, _arns(ecs, serviceName="web"))
    assert [t["createdAt"] for t in tasks] == [T0, T0, T0 + timedelta(seconds=10)]
    started = [e["message"] for e in _service(ecs)["events"] if "has started" in e["message"]]
    assert started == [f"(service web) has started 1 tasks: (task {tasks[2]['taskArn'][-32:]})."]
    _agrees_with_the_service(ecs, tasks)


def test_stop_task_stops_the_task_and_the_service_replaces_it(
    mock: ServiceDeploymentsMock, ecs: Any, frozen: Any
) -> None:
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=2)
    first, second = _arns(ecs, serviceName="web")
    frozen.tick(5)

    answer = ecs.stop_task(cluster="prod", task=first)

    check_output("StopTask", answer)
    task = answer["task"]
    assert (task["taskArn"], task["lastStatus"], task["desiredStatus"]) == (
        first,
        "STOPPED",
        "STOPPED",
    )
    assert (task["stopCode"], task["stoppedReason"]) == ("UserInitiated", "Task stopped by user")
    assert task["stoppedAt"] == T0 + timedelta(seconds=5)
    running = _arns(ecs, serviceName="web")
    assert running[0] == second and len(running) == 2 and first not in running
    (replacement,) = _describe(ecs, running[1:])
    assert replacement["lastStatus"] == "RUNNING"
    assert replacement["startedBy"] == task["startedBy"]
    assert _service(ecs)["runningCount"] == 2

    by_id = ecs.stop_task(cluster="prod", task=second.rsplit("/", 1)[1], reason="maintenance")
    assert by_id["task"]["stoppedReason"] == "maintenance"
    again = ecs.stop_task(cluster="prod", task=first, reason="once more")["task"]
    assert (again["stoppedReason"], again["stoppedAt"]) == (
        "Task stopped by user",
        T0 + timedelta(seconds=5),
    )
    assert len(_arns(ecs, serviceName="web")) == 2
    assert _arns(ecs, serviceName="web", desiredStatus="STOPPED") == [first, second]


def test_stop_task_of_a_task_neither_holds_is_refused_as_aws_refuses_it(
    mock: ServiceDeploymentsMock, ecs: Any
) -> None:
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=1)
    ecs.create_cluster(clusterName="empty")  # moto holds no task of it
    unknown = "0" * 32
    for cluster, task in [
        ("prod", f"{PREFIX}:task/prod/{unknown}"),
        ("prod", unknown),
        ("empty", "00000000-0000-4000-8000-000000000001"),  # an id as moto writes one
        (f"{PREFIX}:cluster/empty", f"{PREFIX}:task/{unknown}"),  # the short ARN form
    ]:
        with pytest.raises(ClientError) as refused:
            ecs.stop_task(cluster=cluster, task=task)
        assert _code(refused) == (
            "InvalidParameterException",
            "The referenced task was not found.",
        ), task
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert len(_arns(ecs, serviceName="web")) == 1  # nothing was stopped
    with pytest.raises(ClientError) as elsewhere:
        ecs.stop_task(cluster="nowhere", task=unknown)
    assert _code(elsewhere) == ("ClusterNotFoundException", "Cluster not found.")


# -- server mode ----------------------------------------------------------------------------------


@pytest.fixture
def served() -> Iterator[tuple[Any, MockEndpoint]]:
    """A server, and a boto3 client of it with cluster prod and web:1, web:2 made."""
    with serve_in_thread() as url:
        yield _prepare(endpoint_client(url)), MockEndpoint(url)


@pytest.mark.allow_hosts(["127.0.0.1", "::1"])
def test_the_same_flow_through_a_server(served: tuple[Any, MockEndpoint]) -> None:
    ecs, endpoint = served
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=2)
    endpoint.plan_next_deployment("web", "prod", in_progress_for=60)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")

    steps = [
        {("web:1", "RUNNING"): 2, ("web:2", "PENDING"): 2},
        {("web:1", "RUNNING"): 1, ("web:2", "RUNNING"): 1, ("web:2", "PENDING"): 1},
        {("web:2", "RUNNING"): 2},
    ]
    for step, wanted in enumerate(steps):
        if step:
            endpoint.advance(30.5 if step == 1 else 30)  # the server's clock runs on meanwhile
        tasks = _describe(ecs, _arns(ecs, serviceName="web"))
        assert _by_revision(tasks) == Counter(wanted), f"step {step}"
        _agrees_with_the_service(ecs, tasks)

    stopped = _describe(ecs, _arns(ecs, serviceName="web", desiredStatus="STOPPED"))
    assert [t["stopCode"] for t in stopped] == ["ServiceSchedulerInitiated"] * 2
    answer = ecs.stop_task(cluster="prod", task=tasks[0]["taskArn"])
    assert answer["task"]["stopCode"] == "UserInitiated"
    assert len(_arns(ecs, serviceName="web")) == 2
