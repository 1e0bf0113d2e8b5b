"""Properties of ListServiceDeployments and DescribeServiceDeployments over random histories,
through a real boto3 client.

* Paging through any history, with any filter and any page sizes, yields exactly the filtered
  set, newest first (ties: the one created later first), each once.
* The same while deployments are added between pages: nothing twice, nothing that existed
  before the paging began left out, and an added deployment older than the position reached
  is still reached.
* Describe of every listed ARN gives the same status and timestamps as the list.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_ecs_deployments import (
    ServiceDeployment,
    ServiceDeploymentBackend,
    mock_service_deployments,
)

from . import strategies as s
from .clients import succeed

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SPAN_MS = 8_000  # histories span 8 s, so whole-second windows cut through them
HISTORIES = s.histories(max_deployments=60, span_ms=SPAN_MS)
STATIC_HISTORIES = s.histories(max_deployments=60, span_ms=SPAN_MS, planned=False)


@dataclass(frozen=True)
class Filter:
    """A request's filters; ``after``/``before`` are whole seconds past ``s.BASE`` (botocore
    sends whole seconds)."""

    statuses: tuple[str, ...]
    after: int | None
    before: int | None

    def request(self) -> dict[str, Any]:
        request: dict[str, Any] = {}
        if self.statuses:
            request["status"] = list(self.statuses)
        window = {}
        if self.after is not None:
            window["after"] = s.BASE + timedelta(seconds=self.after)
        if self.before is not None:
            window["before"] = s.BASE + timedelta(seconds=self.before)
        if window:
            request["createdAt"] = window
        return request

    def matches(self, deployment: ServiceDeployment) -> bool:
        if self.statuses and deployment.status not in self.statuses:
            return False
        created = deployment.created_at
        if self.after is not None and created < s.BASE + timedelta(seconds=self.after):
            return False
        return not (self.before is not None and created > s.BASE + timedelta(seconds=self.before))


BOUNDS = st.none() | st.integers(-1, SPAN_MS // 1000 + 1)
FILTERS = st.builds(
    Filter,
    st.lists(st.sampled_from(s.STATUSES), max_size=4, unique=True).map(tuple),
    BOUNDS,
    BOUNDS,
)
PAGE_SIZES = st.lists(st.integers(1, 100) | st.integers(1, 5), min_size=1, max_size=8)


@contextmanager
def seeded(history: s.History) -> Iterator[tuple[ServiceDeploymentBackend, s.Seeded]]:
    with mock_service_deployments() as mock:
        backend = mock.backend()
        yield backend, s.seed(backend, history)


def newest_first(deployments: list[ServiceDeployment], order: dict[str, int]) -> list[str]:
    """ARNs by createdAt, newest first; equal createdAt: the one created later first."""
    ranked = sorted(deployments, key=lambda d: (d.created_at, order[d.arn]), reverse=True)
    return [d.arn for d in ranked]


def pages(
    service_arn: str, request: dict[str, Any], sizes: list[int]
) -> Iterator[tuple[list[str], bool]]:
    """Each page's ARNs in turn, and whether another page follows, holding every page to the
    token rules as it comes."""
    token = None
    for number in range(200):  # more pages than any history here can fill
        answer = succeed(
            "ListServiceDeployments",
            service=service_arn,
            maxResults=sizes[number % len(sizes)],
            **request,
            **({"nextToken": token} if token else {}),
        )
        items = answer["serviceDeployments"]
        assert len(items) <= sizes[number % len(sizes)]
        for item in items:
            assert item["serviceArn"] == service_arn
        token = answer.get("nextToken")
        assert items or token is None, "an empty page carried a nextToken"
        yield [item["serviceDeploymentArn"] for item in items], token is not None
        if token is None:
            return
    raise AssertionError("paging did not end")


def _service_arn(history: s.History, index: int) -> str:
    spec = history.services[index % len(history.services)]
    return f"arn:aws:ecs:{s.REGION}:{s.ACCOUNT}:service/{spec.cluster}/{spec.name}"


def _lists_deployments(history: s.History, service_arn: str) -> bool:
    spec = next(x for x in history.services if service_arn.endswith(f"/{x.cluster}/{x.name}"))
    return spec.controller == "ECS"


@SETTINGS
@given(history=HISTORIES, which=st.integers(0, 3), where=FILTERS, sizes=PAGE_SIZES)
def test_paging_yields_the_filtered_set_newest_first_each_once(
    history: s.History, which: int, where: Filter, sizes: list[int]
) -> None:
    service_arn = _service_arn(history, which)
    with seeded(history) as (_, made):
        order = {arn: index for index, arn in enumerate(made.deployment_arns)}
        listed = [arn for page, _ in pages(service_arn, where.request(), sizes) for arn in page]
        mine = [d for d in made.deployments if d.service_arn == service_arn]
        expected = newest_first([d for d in mine if where.matches(d)], order)
    if not _lists_deployments(history, service_arn):
        expected = []  # CODE_DEPLOY and EXTERNAL services have no service deployments
    assert listed == expected


@dataclass(frozen=True)
class Addition:
    status: str
    offset_ms: int


ADDITIONS = st.lists(
    st.lists(
        st.builds(Addition, st.sampled_from(s.STATUSES), st.integers(-1000, SPAN_MS + 1000)),
        max_size=4,
    ),
    max_size=12,
)


@SETTINGS
@given(
    history=STATIC_HISTORIES,
    which=st.integers(0, 3),
    where=FILTERS,
    sizes=PAGE_SIZES,
    additions=ADDITIONS,
)
def test_deployments_added_between_pages_neither_repeat_nor_push_older_ones_out(
    history: s.History,
    which: int,
    where: Filter,
    sizes: list[int],
    additions: list[list[Addition]],
) -> None:
    service_arn = _service_arn(history, which)
    spec = history.services[which % len(history.services)]
    with seeded(history) as (backend, made):
        records = {d.arn: d for d in made.deployments}
        order = {arn: index for index, arn in enumerate(made.deployment_arns)}
        # What must be listed: every matching deployment that existed before paging began,
        # and every matching one added below the position paging had reached.
        required = {d.arn for d in made.deployments if d.service_arn == service_arn}
        required = {arn for arn in required if where.matches(records[arn])}
        listed: list[str] = []
        for number, (page, more) in enumerate(pages(service_arn, where.request(), sizes)):
            listed.extend(page)
            if not more:
                break
            position = _key(records[page[-1]], order)
            for addition in additions[number] if number < len(additions) else []:
                added = backend.add_deployment(
                    spec.name,
                    spec.cluster,
                    status=addition.status,
                    created_at=s.BASE + timedelta(milliseconds=addition.offset_ms),
                )
                records[added.arn] = added
                order[added.arn] = len(order)
                if where.matches(added) and _key(added, order) < position:
                    required.add(added.arn)
    if not _lists_deployments(history, service_arn):
        assert listed == []
        return
    assert len(listed) == len(set(listed)), "a deployment was listed twice"
    assert required <= set(listed), f"left out: {sorted(required - set(listed))}"
    assert all(where.matches(records[arn]) for arn in listed)
    keys = [_key(records[arn], order) for arn in listed]
    assert keys == sorted(keys, reverse=True), "not newest first across pages"


def _key(deployment: ServiceDeployment, order: dict[str, int]) -> tuple[datetime, int]:
    return deployment.created_at, order[deployment.arn]


BRIEF_TIMES = ("createdAt", "startedAt", "finishedAt")


@SETTINGS
@given(history=HISTORIES)
def test_describe_of_every_listed_arn_matches_the_list(history: s.History) -> None:
    with seeded(history) as (_, made):
        listed: dict[str, dict[str, Any]] = {}
        for service_arn in made.service_arns:
            token = None
            while True:
                answer = succeed(
                    "ListServiceDeployments",
                    service=service_arn,
                    maxResults=100,
                    **({"nextToken": token} if token else {}),
                )
                listed.update({i["serviceDeploymentArn"]: i for i in answer["serviceDeployments"]})
                token = answer.get("nextToken")
                if token is None:
                    break
        arns = list(listed)
        described: dict[str, dict[str, Any]] = {}
        for start in range(0, len(arns), 20):
            answer = succeed(
                "DescribeServiceDeployments", serviceDeploymentArns=arns[start : start + 20]
            )
            assert answer["failures"] == []
            assert [d["serviceDeploymentArn"] for d in answer["serviceDeployments"]] == (
                arns[start : start + 20]
            )
            described.update({d["serviceDeploymentArn"]: d for d in answer["serviceDeployments"]})
    ecs_services = {
        _service_arn(history, index)
        for index, spec in enumerate(history.services)
        if spec.controller == "ECS"
    }
    expected = [d.arn for d in made.deployments if d.service_arn in ecs_services]
    assert sorted(listed) == sorted(expected)
    for arn, brief in listed.items():
        full = described[arn]
        for key in ("status", "statusReason", "serviceArn", "clusterArn", *BRIEF_TIMES):
            assert full.get(key) == brief.get(key), f"{key} of {arn}"
        assert full["targetServiceRevision"]["arn"] == brief["targetServiceRevisionArn"]
