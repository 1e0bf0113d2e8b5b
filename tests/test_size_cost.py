"""Cost that follows the work a request does, not the size of the state: counted, not timed.

With 2,000 services seeded in the mock, a request through moto (of another service, of moto's
ECS, or moto's DescribeServices of one tracked service) and an idle request of ours visit no
service that is neither moving nor out of step with moto: the backend's services are never
walked, only the moving service and the one asked about are brought up to now, and nothing is
left to make in moto after the first ECS request made every seeded service there, once. Of a
service with 2,000 finished deployments, a request reads at most a page of them. With 2,000
managed daemons (a quarter of them moving), a request about one daemon walks none of them and
brings up to now only that daemon and one with a step due.

``benchmarks/bench_size.py`` measures the same in time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, SupportsIndex

import pytest

from mock_ecs_deployments import (
    ServiceDeploymentBackend,
    ServiceDeploymentsMock,
)
from mock_ecs_deployments.beside_moto import seeded
from mock_ecs_deployments.engine.model.daemon_records import Daemon
from mock_ecs_deployments.engine.model.records import Service, ServiceDeployment
from mock_ecs_deployments.engine.state.daemons import DaemonsMixin

from .clients import new_client

SERVICES = 2_000
DAEMONS = 2_000
REGION = "us-east-1"
T0 = datetime(2025, 9, 15, 6, 0, tzinfo=timezone.utc)


class _WatchedServices(dict[tuple[str, str], Service]):
    """A backend's services that count each walk over them."""

    walks = 0

    def __iter__(self) -> Iterator[tuple[str, str]]:
        type(self).walks += 1
        return super().__iter__()

    def keys(self) -> Any:
        type(self).walks += 1
        return super().keys()

    def values(self) -> Any:
        type(self).walks += 1
        return super().values()

    def items(self) -> Any:
        type(self).walks += 1
        return super().items()


class _WatchedDeployments(list[ServiceDeployment]):
    """A service's deployments that count how many of them are read."""

    read = 0

    def __iter__(self) -> Iterator[ServiceDeployment]:
        type(self).read += len(self)
        return super().__iter__()

    def __reversed__(self) -> Iterator[ServiceDeployment]:
        type(self).read += len(self)
        return super().__reversed__()

    def __contains__(self, value: object) -> bool:
        type(self).read += len(self)
        return super().__contains__(value)

    def __getitem__(self, index: SupportsIndex | slice) -> Any:
        found = super().__getitem__(index)
        type(self).read += len(found) if isinstance(index, slice) else 1
        return found


class Visits:
    """What the requests made while watching visited of the backend."""

    def __init__(self, backend: ServiceDeploymentBackend, monkeypatch: pytest.MonkeyPatch):
        self.refreshed: list[str] = []
        self.taken: list[str] = []
        self.made: list[str] = []
        _WatchedServices.walks = 0
        _WatchedDeployments.read = 0
        backend.services = _WatchedServices(backend.services)
        refresh = ServiceDeploymentBackend.refresh
        take = backend.take_out_of_step
        made = seeded._made

        def counted_refresh(service: Service, now: int) -> None:
            self.refreshed.append(service.name)
            refresh(service, now)

        def counted_take() -> list[Service]:
            services = take()
            self.taken.extend(service.name for service in services)
            return services

        def counted_made(moto_backend: Any, record: Service) -> Any:
            self.made.append(record.name)
            return made(moto_backend, record)

        monkeypatch.setattr(ServiceDeploymentBackend, "refresh", staticmethod(counted_refresh))
        monkeypatch.setattr(backend, "take_out_of_step", counted_take)
        monkeypatch.setattr(seeded, "_made", counted_made)

    @property
    def walks(self) -> int:
        """How many times the backend's services were walked."""
        return _WatchedServices.walks


class _WatchedDaemonOrder(list[Daemon]):
    """A backend's daemons in ListDaemons' order, counting how many of them are read."""

    read = 0

    def __iter__(self) -> Iterator[Daemon]:
        type(self).read += len(self)
        return super().__iter__()

    def __reversed__(self) -> Iterator[Daemon]:
        type(self).read += len(self)
        return super().__reversed__()

    def __contains__(self, value: object) -> bool:
        type(self).read += len(self)
        return super().__contains__(value)

    def __getitem__(self, index: SupportsIndex | slice) -> Any:
        found = super().__getitem__(index)
        type(self).read += len(found) if isinstance(index, slice) else 1
        return found


class _WatchedDaemons(dict[tuple[str, str], Daemon]):
    """A backend's daemons by cluster and name, counting each walk over them."""

    walks = 0

    def __iter__(self) -> Iterator[tuple[str, str]]:
        type(self).walks += 1
        return super().__iter__()

    def keys(self) -> Any:
        type(self).walks += 1
        return super().keys()

    def values(self) -> Any:
        type(self).walks += 1
        return super().values()

    def items(self) -> Any:
        type(self).walks += 1
        return super().items()


class DaemonVisits:
    """What the requests made while watching visited of the backend's daemons."""

    def __init__(self, backend: ServiceDeploymentBackend, monkeypatch: pytest.MonkeyPatch):
        self.refreshed: list[str] = []
        _WatchedDaemonOrder.read = 0
        _WatchedDaemons.walks = 0
        backend.daemon_order = _WatchedDaemonOrder(backend.daemon_order)
        backend.daemons = _WatchedDaemons(backend.daemons)
        refresh = DaemonsMixin.refresh_daemon

        def counted_refresh(record: Daemon, now: int) -> None:
            self.refreshed.append(record.name)
            refresh(record, now)

        monkeypatch.setattr(DaemonsMixin, "refresh_daemon", staticmethod(counted_refresh))

    @property
    def walked(self) -> int:
        """How many daemons were read in a walk, and how many walks over them were made."""
        return _WatchedDaemonOrder.read + _WatchedDaemons.walks


# Requests through moto: the shared mock is beside moto's mock_aws here.
pytestmark = pytest.mark.service_deployments(with_moto=True)


@pytest.fixture
def many_services(backend: ServiceDeploymentBackend) -> ServiceDeploymentBackend:
    """The shared backend with 2,000 services seeded in the mock alone (one finished
    deployment each), ``web`` with three, and ``moving``, whose deployment is under way for
    ten minutes."""
    for index in range(SERVICES):
        backend.add_deployment(f"svc-{index:04d}", "prod", task_definition="app:1")
    for minutes in range(3):
        backend.add_deployment("web", "prod", created_at=T0 - timedelta(minutes=minutes))
    backend.add_deployment("moving", "prod", plan={"in_progress_for": 600})
    return backend


def _requests(ecs: Any, sqs: Any, arn: str) -> None:
    """One of each request whose cost must not grow with the state."""
    sqs.list_queues()
    ecs.list_clusters()
    (described,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert described["currentServiceDeployment"] == arn
    listed = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"]
    assert listed[0]["serviceDeploymentArn"] == arn
    (found,) = ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"]
    assert found["status"] == "SUCCESSFUL"
    # The service's tasks, listed and described by their ARNs (found by id, not by a walk).
    task_arns = ecs.list_tasks(cluster="prod", serviceName="web")["taskArns"]
    tasks = ecs.describe_tasks(cluster="prod", tasks=task_arns)["tasks"]
    assert [task["group"] for task in tasks] == ["service:web"] and task_arns


def test_the_first_ecs_request_makes_every_seeded_service_in_moto_once(
    many_services: ServiceDeploymentBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = sorted(name for _, name in many_services.services)
    visits = Visits(many_services, monkeypatch)
    sqs = new_client("sqs")
    sqs.list_queues()  # another service of moto's: nothing is made for it
    assert visits.made == [] and len(many_services.peer_pending) == SERVICES + 2
    ecs = new_client()
    assert len(ecs.list_services(cluster="prod")["serviceArns"]) == SERVICES + 2
    assert sorted(visits.made) == names
    assert len(visits.made) == SERVICES + 2 and not many_services.peer_pending
    ecs.list_clusters()
    ecs.describe_services(cluster="prod", services=["svc-0007"])
    assert len(visits.made) == SERVICES + 2
    assert visits.walks == 0


def test_a_request_visits_only_the_service_it_asks_about_and_one_with_a_step_due(
    many_services: ServiceDeploymentBackend, monkeypatch: pytest.MonkeyPatch, frozen: Any
) -> None:
    ecs = new_client()
    sqs = new_client("sqs")
    sqs.create_queue(QueueName="jobs")
    ecs.list_clusters()  # the one-time materialization, before watching
    arn = many_services.services[("prod", "web")].deployments[-1].arn
    visits = Visits(many_services, monkeypatch)
    for _ in range(3):
        _requests(ecs, sqs, arn)
    assert visits.walks == 0
    # "moving" moves, but its next step (the end of its SCALE_UP) is ten minutes away.
    assert set(visits.refreshed) == {"web"}
    frozen.tick(600)
    sqs.list_queues()  # another service of moto's: what is due happens first
    assert visits.refreshed[-1] == "moving"
    assert many_services.services[("prod", "moving")].deployments[-1].status == "SUCCESSFUL"
    visits.refreshed.clear()
    sqs.list_queues()
    assert visits.refreshed == []  # nothing moves any more
    assert visits.taken == [] and visits.made == []
    # A service seeded now is the only one made at the next request.
    many_services.add_deployment("late", "prod")
    sqs.list_queues()
    assert visits.made == []
    ecs.list_clusters()
    assert visits.made == ["late"] and visits.taken == ["late"]
    assert visits.walks == 0


def test_a_request_reads_at_most_a_page_of_a_long_history(
    mock: ServiceDeploymentsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = mock.backend(region=REGION)
    for second in range(SERVICES):
        history.add_deployment("web", "prod", created_at=T0 - timedelta(seconds=SERVICES - second))
    ecs = new_client()
    sqs = new_client("sqs")
    ecs.list_clusters()  # the one-time materialization, before watching
    record = history.services[("prod", "web")]
    arn = record.deployments[-1].arn
    record.deployments = _WatchedDeployments(record.deployments)
    visits = Visits(history, monkeypatch)
    _requests(ecs, sqs, arn)
    assert _WatchedDeployments.read <= 20 + 3
    assert visits.walks == 0


@pytest.fixture
def many_daemons(backend: ServiceDeploymentBackend) -> ServiceDeploymentBackend:
    """The shared backend with 2,000 daemons in ``prod``, each on a capacity provider of its
    own (four instances), a quarter of them with a second deployment under way for ten days
    (waiting in the backend's queue of due steps); ``node``, the daemon the requests read (two
    finished deployments); and ``soon``, whose second deployment is under way for ten
    minutes."""
    backend.add_daemon_task_definition("agent", [{"name": "agent", "image": "agent:1"}])
    backend.add_daemon_task_definition("agent", [{"name": "agent", "image": "agent:2"}])

    def seed(name: str, in_progress_for: float | None = None) -> None:
        provider = backend.add_capacity_provider(f"{name}-cp", "prod", instances=4).arn
        record = backend.add_daemon(name, "agent:1", [provider], "prod")
        if in_progress_for is not None:
            backend.plan_next_deployment(
                daemon=name, cluster="prod", in_progress_for=in_progress_for
            )
            backend.update_daemon(record.arn, "agent:2", [provider])

    for index in range(DAEMONS):
        seed(f"dmn-{index:04d}", 10 * 86_400 if index % 4 == 0 else None)
    seed("node", 0)
    seed("soon", 600)
    return backend


def _daemon_requests(ecs: Any, node: Daemon) -> None:
    """One of each daemon request whose cost must not grow with the number of daemons."""
    deployment = node.deployments[-1]
    assert deployment.target is not None
    listed = ecs.list_daemon_deployments(daemonArn=node.arn)["daemonDeployments"]
    assert [item["daemonDeploymentArn"] for item in listed] == [
        deployment.arn,
        node.deployments[0].arn,
    ]
    (found,) = ecs.describe_daemon_deployments(daemonDeploymentArns=[deployment.arn])[
        "daemonDeployments"
    ]
    assert found["status"] == "SUCCESSFUL"
    described = ecs.describe_daemon(daemonArn=node.arn)["daemon"]
    assert described["deploymentArn"] == deployment.arn
    (revision,) = ecs.describe_daemon_revisions(daemonRevisionArns=[deployment.target.arn])[
        "daemonRevisions"
    ]
    assert revision["daemonArn"] == node.arn
    definition = ecs.describe_daemon_task_definition(daemonTaskDefinition=node.task_definition_arn)[
        "daemonTaskDefinition"
    ]
    assert definition["revision"] == 2


def test_a_daemon_request_visits_only_the_daemon_it_asks_about_and_one_with_a_step_due(
    many_daemons: ServiceDeploymentBackend, monkeypatch: pytest.MonkeyPatch, frozen: Any
) -> None:
    ecs = new_client()
    sqs = new_client("sqs")
    sqs.create_queue(QueueName="jobs")
    node = many_daemons.daemons[("prod", "node")]
    soon = many_daemons.daemons[("prod", "soon")]
    moving = [record for record in many_daemons.daemons.values() if record.ongoing is not None]
    assert len(moving) == DAEMONS // 4 + 1
    visits = DaemonVisits(many_daemons, monkeypatch)
    for _ in range(3):
        _daemon_requests(ecs, node)
        sqs.list_queues()  # a request through moto catches up what is due: nothing yet
    assert visits.walked == 0
    # The others move, but their next steps are minutes (``soon``) or days away.
    assert set(visits.refreshed) == {"node"}
    visits.refreshed.clear()
    frozen.tick(600)
    sqs.list_queues()  # what is due happens first: ``soon``'s deployment, and only it
    assert set(visits.refreshed) == {"soon"}
    assert soon.deployments[-1].status == "SUCCESSFUL" and soon.ongoing is None
    visits.refreshed.clear()
    _daemon_requests(ecs, node)
    sqs.list_queues()
    # ``node``, read; ``soon`` at most, for the entries its steps left in the queue.
    assert set(visits.refreshed) <= {"node", "soon"}
    visits.refreshed.clear()
    sqs.list_queues()
    assert visits.refreshed == []  # nothing is due any more (the rest move for days)
    assert visits.walked == 0


def test_a_list_daemons_page_looks_at_the_daemons_it_lists_and_one_more(
    many_daemons: ServiceDeploymentBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    ecs = new_client()
    visits = DaemonVisits(many_daemons, monkeypatch)
    first = ecs.list_daemons(clusterArn="prod", maxResults=5)
    assert [item["daemonArn"].rsplit("/", 1)[1] for item in first["daemonSummariesList"]] == [
        f"dmn-{index:04d}" for index in range(5)
    ]
    # The five listed, and the sixth that shows a next page exists, each read once; no walk
    # over them all.
    assert len(visits.refreshed) == 6 and visits.walked == 6
    visits.refreshed.clear()
    second = ecs.list_daemons(clusterArn="prod", maxResults=5, nextToken=first["nextToken"])
    assert [item["daemonArn"].rsplit("/", 1)[1] for item in second["daemonSummariesList"]] == [
        f"dmn-{index:04d}" for index in range(5, 10)
    ]
    assert len(visits.refreshed) == 6 and visits.walked == 6 + 6  # six more read
