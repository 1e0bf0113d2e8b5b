"""Seed a small deployment history in the mock and page through it with boto3.

Run:  python examples/quickstart.py
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3

from mock_ecs_deployments import mock_service_deployments

HISTORY = [
    ("SUCCESSFUL", None),
    ("SUCCESSFUL", None),
    ("ROLLBACK_SUCCESSFUL", "ECS deployment circuit breaker: tasks failed to start."),
    ("SUCCESSFUL", None),
    ("STOPPED", "Service deployment stopped: superseded by a newer service deployment."),
    ("IN_PROGRESS", None),
]


def main() -> list[dict[str, object]]:
    """Seed ``HISTORY`` for service ``web`` in cluster ``prod``; return what boto3 listed."""
    with mock_service_deployments(region="eu-west-1") as mock:
        backend = mock.backend()
        start = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
        for day, (status, reason) in enumerate(HISTORY):
            backend.add_deployment(
                service="web",
                cluster="prod",
                status=status,
                status_reason=reason,
                created_at=start + timedelta(days=day),
                finished_at=None
                if status == "IN_PROGRESS"
                else start + timedelta(days=day, minutes=7),
                task_definition=f"web:{40 + day}",
            )

        ecs = boto3.client("ecs", region_name="eu-west-1")
        listed: list[dict[str, object]] = []
        request = {"cluster": "prod", "service": "web", "maxResults": 4}
        while True:  # botocore has no paginator for this operation: follow nextToken by hand
            page = ecs.list_service_deployments(**request)
            listed.extend(page["serviceDeployments"])
            if "nextToken" not in page:
                break
            request["nextToken"] = page["nextToken"]

    print(f"{'created (UTC)':<17}  {'status':<20}  {'deployment id':<21}  reason")
    for item in listed:
        created = item["createdAt"].astimezone(timezone.utc)  # type: ignore[attr-defined]
        deployment_id = str(item["serviceDeploymentArn"]).rsplit("/", 1)[-1]
        reason = item.get("statusReason", "")
        print(f"{created:%Y-%m-%d %H:%M}  {item['status']!s:<20}  {deployment_id:<21}  {reason}")
    print(f"{len(listed)} deployments of service web, newest first, read in pages of 4.")
    return listed


if __name__ == "__main__":
    main()
