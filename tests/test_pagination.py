"""nextToken: every deployment exactly once, newest first, stable while history grows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from mock_ecs_deployments import ServiceDeploymentBackend, mock_service_deployments

UTC = timezone.utc
BASE = datetime(2025, 1, 1, tzinfo=UTC)


def _collect(ecs: Any, page_sizes: Iterator[int] | None = None, **kwargs: Any) -> list[str]:
    arns: list[str] = []
    token = None
    while True:
        request = dict(kwargs)
        if page_sizes is not None:
            request["maxResults"] = next(page_sizes)
        if token:
            request["nextToken"] = token
        page = ecs.list_service_deployments(**request)
        assert page["serviceDeployments"], "a page carrying on from a token was empty"
        arns.extend(item["serviceDeploymentArn"] for item in page["serviceDeployments"])
        token = page.get("nextToken")
        if token is None:
            return arns


def test_pages_through_hundreds_once_each_in_order(
    backend: ServiceDeploymentBackend, ecs: Any
) -> None:
    seeded = [
        backend.add_deployment(service="web", created_at=BASE + timedelta(minutes=i // 3))
        for i in range(450)  # three share each createdAt: ties are ordered too
    ]
    expected = [d.arn for d in reversed(seeded)]
    assert _collect(ecs, service="web", maxResults=7) == expected
    assert _collect(ecs, service="web", maxResults=100) == expected
    sizes = iter([1, 100, 3, 50, 20, 99, 2] * 40)  # maxResults may change between pages
    assert _collect(ecs, sizes, service="web") == expected


def test_paging_with_status_filter_and_window(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    statuses = ["SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"]
    seeded = [
        backend.add_deployment(
            service="web", status=statuses[i % 4], created_at=BASE + timedelta(minutes=i)
        )
        for i in range(300)
    ]
    after, before = BASE + timedelta(minutes=40), BASE + timedelta(minutes=260)
    expected = [
        d.arn
        for d in reversed(seeded)
        if d.status in ("STOPPED", "ROLLBACK_FAILED") and after <= d.created_at <= before
    ]
    got = _collect(
        ecs,
        service="web",
        status=["STOPPED", "ROLLBACK_FAILED"],
        createdAt={"after": after, "before": before},
        maxResults=9,
    )
    assert got == expected
    assert len(expected) == 110


def test_no_empty_last_page_when_matches_end_on_a_page_boundary(
    backend: ServiceDeploymentBackend, ecs: Any
) -> None:
    for i in range(10):
        status = "STOPPED" if i >= 6 else "SUCCESSFUL"  # the 4 newest are STOPPED
        backend.add_deployment(service="web", status=status, created_at=BASE + timedelta(hours=i))
    page = ecs.list_service_deployments(service="web", status=["STOPPED"], maxResults=4)
    assert len(page["serviceDeployments"]) == 4
    assert "nextToken" not in page


def test_deployments_added_between_pages(backend: ServiceDeploymentBackend, ecs: Any) -> None:
    seeded = [
        backend.add_deployment(service="web", created_at=BASE + timedelta(minutes=i))
        for i in range(30)
    ]
    first = ecs.list_service_deployments(service="web", maxResults=10)
    # New history arrives: newer deployments, one at the same createdAt as the last item
    # returned, and an older one that lands in the part not yet read.
    backend.add_deployment(service="web", created_at=BASE + timedelta(days=1))
    backend.add_deployment(service="web", created_at=BASE + timedelta(minutes=20))
    older = backend.add_deployment(service="web", created_at=BASE - timedelta(days=1))
    rest = _collect(ecs, service="web", maxResults=10, nextToken=first["nextToken"])
    returned = [item["serviceDeploymentArn"] for item in first["serviceDeployments"]] + rest
    assert len(returned) == len(set(returned)), "an item repeated"
    assert [d.arn for d in reversed(seeded)] == [a for a in returned if a != older.arn]
    assert returned[-1] == older.arn


def _token(ecs: Any, **kwargs: Any) -> str:
    token = ecs.list_service_deployments(maxResults=1, **kwargs)["nextToken"]
    assert isinstance(token, str)
    return token


@pytest.mark.parametrize(
    "other",
    [
        {"service": "web", "status": ["SUCCESSFUL"]},
        {"service": "web", "createdAt": {"after": BASE}},
        {"service": "web", "createdAt": {"before": BASE + timedelta(days=9)}},
        {"service": "api"},
        {"service": "web", "cluster": "other"},
    ],
)
def test_token_bound_to_its_filters(
    backend: ServiceDeploymentBackend, ecs: Any, other: dict[str, Any]
) -> None:
    for cluster in ("default", "other"):
        for service in ("web", "api"):
            for i in range(3):
                backend.add_deployment(
                    service=service, cluster=cluster, created_at=BASE + timedelta(hours=i)
                )
    token = _token(ecs, service="web")
    with pytest.raises(ClientError) as excinfo:
        ecs.list_service_deployments(nextToken=token, **other)
    error = excinfo.value.response
    assert error["Error"]["Code"] == "InvalidParameterException"
    assert "nextToken" in error["Error"]["Message"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("mangle", ["garbage", "", "x" * 2000, "AQ==", None])
def test_undecodable_or_tampered_token(
    backend: ServiceDeploymentBackend, ecs: Any, mangle: str | None
) -> None:
    for i in range(3):
        backend.add_deployment(service="web", created_at=BASE + timedelta(hours=i))
    token = _token(ecs, service="web")
    flipped = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    bad = flipped if mangle is None else mangle  # None: one character of a real token changed
    with pytest.raises(ClientError) as excinfo:
        ecs.list_service_deployments(service="web", nextToken=bad)
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterException"


def test_token_from_another_account_is_rejected(ecs: Any) -> None:
    with mock_service_deployments() as mock:
        for account in ("111111111111", "222222222222"):
            for i in range(3):
                mock.backend(account_id=account).add_deployment(
                    service="web", created_at=BASE + timedelta(hours=i)
                )
        token = mock.backend(account_id="111111111111").list_service_deployments(
            "web", max_results=1
        )[1]
        assert token is not None
        with pytest.raises(Exception) as excinfo:
            mock.backend(account_id="222222222222").list_service_deployments(
                "web", next_token=token
            )
        assert type(excinfo.value).__name__ == "InvalidParameterException"
