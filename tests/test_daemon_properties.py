"""Properties of ListDaemonDeployments over generated daemon histories, through a real boto3
client.

A history is a daemon (and at times a second one beside it, in the same cluster) made and
updated by CreateDaemon and UpdateDaemon calls at generated times on a frozen clock, each
deployment on a plan of its own, so that deployments end SUCCESSFUL, STOPPED (superseded by the
next one, or by their plan), ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED, or are still under way; and
at times a DeleteDaemon at the end. What the list must hold is computed independently of it:
from DescribeDaemonDeployments of every deployment ARN the calls answered.

* Paging with any filters (status subsets, a createdAt window whose bounds fall on, just
  before, just after or between deployments, to the millisecond and below) and any page sizes
  yields exactly the deployments of that daemon that match, newest first (equal createdAt: the
  one created later first), each once; every page holds at most maxResults items, all
  matching; a page a token leads to is never empty.
* A token presented with other filters, or for another daemon, is refused with
  InvalidParameterException; with the same filters (in any order, whatever the page size) it
  is taken.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import freezegun
import pytest
from botocore.exceptions import ClientError
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from mock_ecs_deployments import ServiceDeploymentsMock, mock_service_deployments
from mock_ecs_deployments.engine.model.service_model import enum_values

from . import strategies as s
from .clients import client
from .test_properties import PAGE_SIZES, SETTINGS

# test_properties.py's settings, without hypothesis's explain phase: it reruns a failing
# example hundreds of times over (minutes, for a history of 40 calls) to say which parts of it
# do not matter; the shrunk example says most of that already.
SHRINK_ONLY = settings(SETTINGS, phases=[phase for phase in Phase if phase is not Phase.explain])
STATUSES = enum_values("DaemonDeploymentStatus")
NAMES = ("agent", "logs")  # the daemon listed, and another beside it
# How each deployment runs (plan_next_deployment's fields): at once, for a while or for
# far longer than a test runs, to each of the ends a plan can have.
PLANS: dict[str, dict[str, Any]] = {
    "at once": {},
    "two seconds": {"in_progress_for": 2},
    "an hour": {"in_progress_for": 3600},
    "pending an hour": {"pending_for": 3600},
    "rolled back": {"outcome": "ROLLBACK_SUCCESSFUL"},
    "rolled back in a second": {"outcome": "ROLLBACK_SUCCESSFUL", "in_progress_for": 1},
    "rolling back an hour": {"outcome": "ROLLBACK_SUCCESSFUL", "rollback_for": 3600},
    "rollback failed": {"outcome": "ROLLBACK_FAILED", "in_progress_for": 1},
    "stopped": {"outcome": "STOPPED"},
}
# Gaps between calls: equal createdAt (0) is common, and so is a plan's end falling between.
GAPS = st.sampled_from((0, 0, 1, 999, 1000, 1001, 2000, 2500)) | st.integers(0, 5000)


@dataclass(frozen=True)
class Step:
    """One CreateDaemon (the daemon's first step) or UpdateDaemon call."""

    daemon: int  # index into NAMES
    gap_ms: int  # how far the clock moves before the call
    plan: str  # key of PLANS


@dataclass(frozen=True)
class History:
    instances: int  # of the one capacity provider both daemons run on
    steps: tuple[Step, ...]
    delete: str | None  # DeleteDaemon of the listed daemon at the end, on this plan
    read_gap_ms: int  # how far the clock moves after the last call, before anything is read


def _history(instances: int, steps: list[Step], delete: str | None, read_gap_ms: int) -> History:
    # The listed daemon is made first, so it exists whatever the steps.
    first = replace(steps[0], daemon=0)
    return History(instances, (first, *steps[1:]), delete, read_gap_ms)


STEPS = st.builds(Step, st.sampled_from((0, 0, 0, 1)), GAPS, st.sampled_from(tuple(PLANS)))
HISTORIES = st.builds(
    _history,
    st.sampled_from((0, 1, 4, 4)),
    # Long histories as often as short ones (a list's length is small more often than not).
    st.sampled_from((1, 2, 5, 12, 25, 40)).flatmap(
        lambda length: st.lists(STEPS, min_size=length, max_size=length)
    ),
    st.none() | st.sampled_from(tuple(PLANS)),
    st.sampled_from((0, 1, 1000, 3000, 10_000_000)),
)


@dataclass
class Seeded:
    """What a history made: every deployment ARN in the order the calls answered them, the
    daemon each call was for (index into NAMES), and the daemons' ARNs (``None`` for one never
    made)."""

    deployment_arns: list[str]
    owners: list[int]
    daemon_arns: list[str | None]


def seed(mock: ServiceDeploymentsMock, history: History) -> Seeded:
    backend = mock.backend()
    provider = backend.add_capacity_provider("managed", instances=history.instances)
    ecs = client()
    definitions = [
        ecs.register_daemon_task_definition(
            family="agent", containerDefinitions=[{"name": "agent", "image": image}]
        )["daemonTaskDefinitionArn"]
        for image in ("nginx:1.26", "nginx:1.27")
    ]
    made = Seeded([], [], [None] * len(NAMES))
    for number, step in enumerate(history.steps):
        mock.advance(timedelta(milliseconds=step.gap_ms))
        backend.plan_next_deployment(daemon=NAMES[step.daemon], **PLANS[step.plan])
        request = {
            "daemonTaskDefinitionArn": definitions[number % 2],
            "capacityProviderArns": [provider.arn],
        }
        daemon_arn = made.daemon_arns[step.daemon]
        if daemon_arn is None:
            answer = ecs.create_daemon(daemonName=NAMES[step.daemon], **request)
            made.daemon_arns[step.daemon] = answer["daemonArn"]
        else:
            answer = ecs.update_daemon(daemonArn=daemon_arn, **request)
        made.deployment_arns.append(answer["deploymentArn"])
        made.owners.append(step.daemon)
    if history.delete is not None:
        backend.plan_next_deployment(daemon=NAMES[0], **PLANS[history.delete])
        answer = ecs.delete_daemon(daemonArn=made.daemon_arns[0])
        made.deployment_arns.append(answer["deploymentArn"])
        made.owners.append(0)
    mock.advance(timedelta(milliseconds=history.read_gap_ms))
    return made


def described(arns: list[str]) -> dict[str, dict[str, Any]]:
    """DescribeDaemonDeployments of every ARN, 20 at a time: each one found, in the order
    asked."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(arns), 20):
        chunk = arns[start : start + 20]
        answer = client().describe_daemon_deployments(daemonDeploymentArns=chunk)
        assert answer["failures"] == []
        assert [d["daemonDeploymentArn"] for d in answer["daemonDeployments"]] == chunk
        found.update({d["daemonDeploymentArn"]: d for d in answer["daemonDeployments"]})
    return found


# -- filters -------------------------------------------------------------------------------

# A bound is a recipe, resolved against the createdAt values the history made:
# ("near", index, milliseconds, microseconds): a deployment's createdAt moved by both (0 and 0:
# exactly on it); ("free", permille): that far along from a second before the first createdAt
# to a second after the last.
Bound = tuple[Any, ...]
BOUNDS: st.SearchStrategy[Bound | None] = st.one_of(
    st.none(),
    st.tuples(
        st.just("near"),
        s.INDEXES,
        st.sampled_from((-1, 0, 0, 0, 1)),
        st.sampled_from((0, 0, 0, 1, 500, 999)),
    ),
    st.tuples(st.just("free"), st.integers(0, 1000)),
)


@dataclass(frozen=True)
class Filter:
    """A request's filters, resolved: ``after``/``before`` are datetimes (aware, UTC)."""

    statuses: tuple[str, ...]
    after: datetime | None
    before: datetime | None

    def request(self) -> dict[str, Any]:
        request: dict[str, Any] = {}
        if self.statuses:
            request["status"] = list(self.statuses)
        window = {
            name: value
            for name, value in (("after", self.after), ("before", self.before))
            if value is not None
        }
        if window:
            request["createdAt"] = window
        return request

    def matches(self, status: str, created: datetime) -> bool:
        if self.statuses and status not in self.statuses:
            return False
        if self.after is not None and created < self.after:
            return False
        return not (self.before is not None and created > self.before)

    def same_as(self, other: Filter) -> bool:
        """Whether the two ask for the same deployments in the same words: the same set of
        statuses, and bounds that fall on the same whole milliseconds (a window never takes
        in a millisecond it does not cover whole)."""
        return (frozenset(self.statuses), _ms(self.after, ROUND_CEILING), _ms(self.before)) == (
            frozenset(other.statuses),
            _ms(other.after, ROUND_CEILING),
            _ms(other.before),
        )


def _ms(moment: datetime | None, rounding: str = ROUND_FLOOR) -> int | None:
    if moment is None:
        return None
    since = moment - s.BASE
    micros = (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds
    return int((Decimal(micros) / 1000).to_integral_value(rounding))


def resolve(bound: Bound | None, created: list[datetime]) -> datetime | None:
    if bound is None:
        return None
    if bound[0] == "free":
        start, end = min(created) - timedelta(seconds=1), max(created) + timedelta(seconds=1)
        return start + (end - start) * bound[1] // 1000
    _, index, milliseconds, microseconds = bound
    return created[index % len(created)] + timedelta(
        milliseconds=milliseconds, microseconds=microseconds
    )


@dataclass(frozen=True)
class Where:
    """A filter as drawn (its bounds are recipes; ``ordered``: after is not later than
    before, swapped if need be)."""

    statuses: tuple[str, ...]
    after: Bound | None
    before: Bound | None
    ordered: bool

    def resolve(self, created: list[datetime]) -> Filter:
        after, before = resolve(self.after, created), resolve(self.before, created)
        if self.ordered and after is not None and before is not None and after > before:
            after, before = before, after
        return Filter(self.statuses, after, before)


WHERE = st.builds(
    Where,
    st.just(())
    | st.lists(st.sampled_from(STATUSES), min_size=1, max_size=8, unique=True).map(tuple),
    st.none() | BOUNDS,
    st.none() | BOUNDS,
    st.sampled_from((True, True, True, False)),
)
# How the filters of a request that presents a token differ from those that got it.
CHANGES = (
    "add a status",
    "drop a status",
    "reorder the statuses",
    "after a millisecond later",
    "after a millisecond earlier",
    "before a millisecond later",
    "before a millisecond earlier",
    "no createdAt",
    "another daemon",
)


def changed(where: Filter, change: str, created: list[datetime]) -> Filter:
    """``where`` with one change (``another daemon`` and the reorder: none to its filters)."""
    millisecond = timedelta(milliseconds=1)
    statuses = where.statuses
    if change == "add a status":
        missing = [status for status in STATUSES if status not in statuses]
        return replace(where, statuses=(*statuses, missing[0]) if missing else statuses[1:])
    if change == "drop a status":
        return replace(where, statuses=statuses[1:] if statuses else (STATUSES[0],))
    if change == "reorder the statuses":
        return replace(where, statuses=statuses[::-1])
    if change == "no createdAt":
        return replace(where, after=None, before=None)
    if change.startswith(("after", "before")):
        name = change.split()[0]
        value = getattr(where, name) or created[0]
        return replace(
            where, **{name: value + (millisecond if "later" in change else -millisecond)}
        )
    return where


# -- paging --------------------------------------------------------------------------------


def pages(
    daemon_arn: str, request: dict[str, Any], sizes: list[int], most: int
) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
    """Each page's items in turn, and its token, holding every page to the paging rules as it
    comes: ``most`` items in all (so, every page but the first holding one at least, at most
    ``most + 1`` pages)."""
    token = None
    for number in range(most + 1):
        size = sizes[number % len(sizes)]
        answer = client().list_daemon_deployments(
            daemonArn=daemon_arn,
            maxResults=size,
            **request,
            **({"nextToken": token} if token else {}),
        )
        items = answer["daemonDeployments"]
        assert len(items) <= size, f"page {number}: {len(items)} items for maxResults={size}"
        assert items or token is None, f"page {number}: a token led to an empty page"
        assert {item["daemonArn"] for item in items} <= {daemon_arn}, "another daemon's item"
        token = answer.get("nextToken")
        yield items, token
        if token is None:
            return
    raise AssertionError("paging did not end")


def newest_first(
    arns: list[str], facts: dict[str, dict[str, Any]], order: dict[str, int]
) -> list[str]:
    """ARNs by createdAt, newest first; equal createdAt: the one created later first."""
    return sorted(arns, key=lambda arn: (facts[arn]["createdAt"], order[arn]), reverse=True)


def refused(call: Any) -> str | None:
    """The error code ``call()`` was answered with, or ``None`` if it succeeded."""
    try:
        call()
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return None


@pytest.fixture(scope="module")
def frozen_time() -> Iterator[Any]:
    """The clock stopped at s.BASE for the whole module (freezing it costs more than an
    example): each example's mock moves its own clock on from there, and its offset is
    forgotten when it stops. Hypothesis keeps the real clock, to time its own phases."""
    with freezegun.freeze_time(s.BASE, ignore=["hypothesis"]) as frozen:
        yield frozen


@SHRINK_ONLY
@given(
    history=HISTORIES,
    where=WHERE,
    sizes=PAGE_SIZES,
    change=st.sampled_from(CHANGES),
)
def test_paging_yields_the_filtered_set_newest_first_each_once(
    frozen_time: Any, history: History, where: Where, sizes: list[int], change: str
) -> None:
    with mock_service_deployments() as mock:
        made = seed(mock, history)
        daemon_arn, other_arn = made.daemon_arns
        assert daemon_arn is not None
        facts = described(made.deployment_arns)
        order = {arn: index for index, arn in enumerate(made.deployment_arns)}
        mine = [
            arn for arn, owner in zip(made.deployment_arns, made.owners, strict=True) if owner == 0
        ]
        created = [facts[arn]["createdAt"] for arn in mine]
        wanted = where.resolve(created)
        expected = newest_first(
            [arn for arn in mine if wanted.matches(facts[arn]["status"], facts[arn]["createdAt"])],
            facts,
            order,
        )

        listed: list[str] = []
        first_token = None
        for items, token in pages(daemon_arn, wanted.request(), sizes, len(mine)):
            for item in items:
                arn = item["daemonDeploymentArn"]
                assert wanted.matches(item["status"], item["createdAt"]), f"{item} does not match"
                assert (item["status"], item["createdAt"]) == (
                    facts[arn]["status"],
                    facts[arn]["createdAt"],
                ), f"{arn}: listed and described differ"
            listed.extend(item["daemonDeploymentArn"] for item in items)
            first_token = first_token or token

        assert len(listed) == len(set(listed)), "a deployment was listed twice"
        assert set(listed) == set(expected), (
            f"left out: {sorted(set(expected) - set(listed))};"
            f" not asked for: {sorted(set(listed) - set(expected))}"
        )
        assert listed == expected, "not newest first (ties: the one created later first)"

        if first_token is None:
            return
        other = changed(wanted, change, created)
        target = other_arn if change == "another daemon" else daemon_arn
        if target is None:
            return  # the other daemon was never made

        def again() -> Any:
            return client().list_daemon_deployments(
                daemonArn=target, maxResults=sizes[-1], nextToken=first_token, **other.request()
            )

        code = refused(again)
        if target == daemon_arn and other.same_as(wanted):
            assert code is None, f"{change}: the same filters' token was refused ({code})"
        else:
            assert code == "InvalidParameterException", f"{change}: a token was taken ({code})"
