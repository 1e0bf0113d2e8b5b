"""A relative scenario path means the same in ``mock_service_deployments(scenario=...)`` as in
the pytest marker: relative to the test file, wherever pytest was started from."""

from __future__ import annotations

import pytest

SCENARIO = """\
services:
  - service: web
    deployments:
      - status: SUCCESSFUL
      - status: IN_PROGRESS
"""

TESTS = """\
import boto3
import pytest
from mock_ecs_deployments import mock_service_deployments


def _statuses():
    ecs = boto3.client("ecs", region_name="us-east-1")
    listed = ecs.list_service_deployments(service="web")["serviceDeployments"]
    return [item["status"] for item in listed]


@mock_service_deployments(scenario="scenarios/two.yaml")
def test_decorator():
    assert _statuses() == ["IN_PROGRESS", "SUCCESSFUL"]


def test_context_manager():
    with mock_service_deployments(scenario="scenarios/two.yaml"):
        assert _statuses() == ["IN_PROGRESS", "SUCCESSFUL"]


@pytest.mark.service_deployments(scenario="scenarios/two.yaml")
def test_marker(ecs_client):
    assert _statuses() == ["IN_PROGRESS", "SUCCESSFUL"]
"""


def test_relative_paths_are_relative_to_the_test_file(pytester: pytest.Pytester) -> None:
    suite = pytester.mkdir("suite")
    (suite / "scenarios").mkdir()
    (suite / "scenarios" / "two.yaml").write_text(SCENARIO)
    (suite / "test_paths.py").write_text(TESTS)
    elsewhere = pytester.mkdir("elsewhere")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(elsewhere)  # pytest started from another directory
        result = pytester.runpytest_inprocess(str(suite), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
