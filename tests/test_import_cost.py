"""The package costs nothing until used: importing it, loading its pytest plugin and using it
standalone import none of moto, werkzeug, yaml, rich, requests, responses or aiobotocore, and
change nothing in botocore, moto, ``sys.meta_path`` or ``os.environ`` until a mock starts.

Each check runs in a fresh interpreter, since this test process has all of them loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HEAVY = ("moto", "werkzeug", "yaml", "rich", "requests", "responses", "aiobotocore")

# Prints, as JSON, the heavy modules loaded and a fingerprint of what a mock may change.
_STATE = textwrap.dedent(
    """
    import json, os, sys
    import botocore.handlers

    def state():
        return {
            "heavy": [m for m in HEAVY if m in sys.modules],
            "handlers": [repr(h) for h in botocore.handlers.BUILTIN_HANDLERS],
            "meta_path": [repr(f) for f in sys.meta_path],
            "environ": dict(os.environ),
        }
    """
)


def _run(body: str, *, cwd: Path | None = None) -> dict[str, object]:
    script = f"HEAVY = {HEAVY!r}\n{_STATE}\n{textwrap.dedent(body)}"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=cwd, check=False
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def test_importing_the_package_and_every_public_name_of_the_core_loads_nothing_heavy() -> None:
    answer = _run(
        """
        before = state()
        import mock_ecs_deployments
        after_import = state()
        from mock_ecs_deployments import (
            Call, ControlRequestError, MockEndpoint, Plan, ScenarioError, SeedingError,
            SeedingTypeError, Service,
            ServiceDeployment, ServiceDeploymentBackend,
            ServiceDeploymentsMock, ServiceRevision, active_mock, mock_service_deployments,
            patch_client, service_deployment_backends,
        )
        print(json.dumps({"before": before, "import": after_import, "use": state()}))
        """
    )
    assert answer["import"] == answer["before"], "import changed something"
    assert answer["use"] == answer["before"], "importing the public names changed something"


def test_loading_the_pytest_plugin_loads_only_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_one="def test_one():\n    assert True\n")
    pytester.makeconftest(
        f"HEAVY = {HEAVY!r}\n"
        + _STATE
        + textwrap.dedent(
            """
            import botocore.handlers  # imported here, so that the plugin is not blamed
            BEFORE = state()

            def pytest_sessionfinish(session):
                ours = sorted(m for m in sys.modules if m.startswith("mock_ecs_deployments"))
                print("\\nPROBE " + json.dumps({"ours": ours, "same": state() == BEFORE,
                                               "heavy": state()["heavy"]}))
            """
        )
    )
    # Without the outer run's PYTEST_CURRENT_TEST, which the inner run would unset.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-s"],
        capture_output=True,
        text=True,
        cwd=pytester.path,
        env=environment,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    probe = next(line for line in result.stdout.splitlines() if line.startswith("PROBE "))
    assert json.loads(probe[len("PROBE ") :]) == {
        "ours": ["mock_ecs_deployments", "mock_ecs_deployments.pytest_plugin"],
        "same": True,
        "heavy": [],
    }


def test_a_standalone_mock_answers_without_loading_moto_and_puts_everything_back() -> None:
    answer = _run(
        """
        import boto3
        from mock_ecs_deployments import mock_service_deployments
        before = state()
        with mock_service_deployments() as mock:
            mock.backend().add_deployment(service="web", status="SUCCESSFUL")
            ecs = boto3.client("ecs", region_name="us-east-1")
            listed = ecs.list_service_deployments(service="web")["serviceDeployments"]
            during = state()
        print(json.dumps({
            "statuses": [d["status"] for d in listed],
            "heavy_during": during["heavy"],
            "handlers_changed_during": during["handlers"] != before["handlers"],
            "restored": state() == before,
        }))
        """
    )
    assert answer == {
        "statuses": ["SUCCESSFUL"],
        "heavy_during": [],
        "handlers_changed_during": True,
        "restored": True,
    }


def test_moto_imported_after_the_mock_started_still_serves_our_operations() -> None:
    """moto's ECS module loads after our start: our operations reach its dispatch then."""
    answer = _run(
        """
        from mock_ecs_deployments import mock_service_deployments
        with mock_service_deployments() as mock:
            assert "moto" not in sys.modules
            import boto3
            from moto import mock_aws
            with mock_aws():
                ecs = boto3.client("ecs", region_name="us-east-1")
                ecs.create_cluster(clusterName="prod")
                ecs.register_task_definition(
                    family="web",
                    containerDefinitions=[{"name": "web", "image": "nginx", "memory": 128}],
                )
                ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1")
                listed = ecs.list_service_deployments(cluster="prod", service="web")
        print(json.dumps({"statuses": [d["status"] for d in listed["serviceDeployments"]]}))
        """
    )
    assert answer == {"statuses": ["SUCCESSFUL"]}


def test_requests_imported_after_the_mock_started_is_answered() -> None:
    answer = _run(
        """
        from mock_ecs_deployments import mock_service_deployments
        with mock_service_deployments() as mock:
            mock.backend().add_deployment(service="web")
            import requests
            reply = requests.post(
                "https://ecs.us-east-1.amazonaws.com/",
                data=json.dumps({"service": "web"}),
                headers={
                    "X-Amz-Target":
                        "AmazonEC2ContainerServiceV20141113.ListServiceDeployments",
                    "Content-Type": "application/x-amz-json-1.1",
                },
                timeout=5,
            )
            sent = requests.adapters.HTTPAdapter.send
        restored = requests.adapters.HTTPAdapter.send is not sent
        print(json.dumps({"status": reply.status_code,
                          "count": len(reply.json()["serviceDeployments"]),
                          "restored": restored}))
        """
    )
    assert answer == {"status": 200, "count": 1, "restored": True}
