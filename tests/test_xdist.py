"""pytest-xdist: a generated suite of 40 tests on 4 workers, each test seeding and listing its
own data through the plugin's fixtures; nothing leaks between tests or workers."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

TESTS = 40
WORKERS = 4

SUITE = """
import json
import os
from pathlib import Path

import pytest

from mock_ecs_deployments import service_deployment_backends

MOTO = pytest.mark.service_deployments(with_moto=True)
IRELAND = pytest.mark.service_deployments(region="eu-west-1", account_id="111122223333")


def case(n):
    # moto's mock_aws costs a lot to start: only some of the tests use it.
    marks = [MOTO] if n % 8 == 1 else [IRELAND] if n % 4 == 2 else []
    return pytest.param(n, marks=marks, id=f"case{n}")


@pytest.mark.parametrize("n", [case(n) for n in range(TESTS)])
def test_own_history(n, service_deployments, ecs_client):
    # Nothing is left from a test that ran before this one on this worker.
    assert [len(regions) for regions in service_deployment_backends.values()] == []
    backend = service_deployments.backend()
    seeded = [
        backend.add_deployment(service="web", cluster="prod", task_definition=f"web:{n}{i}")
        for i in range(n % 5 + 1)
    ]
    page = ecs_client.list_service_deployments(cluster="prod", service="web", maxResults=100)
    arns = [item["serviceDeploymentArn"] for item in page["serviceDeployments"]]
    assert arns == [d.arn for d in reversed(seeded)]
    assert [key for key in service_deployment_backends] == [backend.account_id]
    assert list(backend.services) == [("prod", "web")]
    if n % 8 == 1:  # moto's state is this test's alone too
        ecs_client.create_cluster(clusterName=f"cluster{n}")
        # (prod: the seeded service's cluster, made for moto)
        assert [arn.rsplit("/", 1)[1] for arn in ecs_client.list_clusters()["clusterArns"]] == [
            "prod", f"cluster{n}"
        ]
    record = {"n": n, "worker": os.environ["PYTEST_XDIST_WORKER"], "pid": os.getpid(),
              "arns": arns, "account": backend.account_id, "region": backend.region_name}
    (Path(os.environ["RESULTS_DIR"]) / f"{n}.json").write_text(json.dumps(record))
"""


def test_fixtures_isolated_across_tests_and_workers(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = tmp_path / "results"
    results.mkdir()
    monkeypatch.setenv("RESULTS_DIR", str(results))  # the workers inherit the environment
    pytester.makepyfile(test_suite=f"TESTS = {TESTS}\n" + textwrap.dedent(SUITE))

    outcome = pytester.runpytest("-n", str(WORKERS), "-p", "no:cacheprovider")

    outcome.assert_outcomes(passed=TESTS)
    records = [json.loads(path.read_text()) for path in results.glob("*.json")]
    assert sorted(record["n"] for record in records) == list(range(TESTS))
    assert len({record["worker"] for record in records}) == WORKERS
    assert len({record["pid"] for record in records}) == WORKERS
    every_arn = [arn for record in records for arn in record["arns"]]
    assert len(every_arn) == sum(n % 5 + 1 for n in range(TESTS))
    assert len(set(every_arn)) == len(every_arn)
    for record in records:
        account, region = record["account"], record["region"]
        expected = (
            ("111122223333", "eu-west-1")
            if record["n"] % 4 == 2
            else (
                "123456789012",
                "us-east-1",
            )
        )
        assert (account, region) == expected
        assert all(arn.startswith(f"arn:aws:ecs:{region}:{account}:") for arn in record["arns"])
