"""Edges found in review: moto's recorder sees our operations, a dump is a copy, process-wide
settings need a started mock, a failing patch never breaks an import, and a patch whose
module loads after the mock stopped does not land."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from mock_ecs_deployments import mock_service_deployments, on_import
from mock_ecs_deployments.beside_moto import dispatch as moto_dispatch


def test_moto_s_recorder_sees_our_operations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.moto_api import recorder

    monkeypatch.setattr(recorder, "_location", str(tmp_path / "recording"))
    with mock_service_deployments(with_moto=True) as mock:
        recorder.reset_recording()
        recorder.start_recording()
        try:
            ecs = boto3.client("ecs", region_name="us-east-1")
            ecs.create_cluster(clusterName="prod")
            mock.backend().add_deployment(service="web", cluster="prod")
            listed = ecs.list_service_deployments(cluster="prod", service="web")
        finally:
            recorder.stop_recording()
        assert len(listed["serviceDeployments"]) == 1
        assert len(mock.calls) == 1  # answered once, by moto's dispatch
    targets = [
        json.loads(line)["headers"].get("X-Amz-Target", "").rsplit(".", 1)[-1]
        for line in recorder.download_recording().splitlines()
        if line.strip()
    ]
    assert targets == ["CreateCluster", "ListServiceDeployments"]


def test_a_dump_is_a_copy_of_the_state() -> None:
    with mock_service_deployments() as mock:
        mock.backend().add_service(
            service="web",
            cluster="prod",
            deployment_configuration={"maximumPercent": 200},
            load_balancers=[{"targetGroupArn": "arn:aws:tg", "containerPort": 80}],
        )
        deployment = mock.backend().add_deployment(service="web", cluster="prod")
        ecs = boto3.client("ecs", region_name="us-east-1")

        def described() -> Any:
            return (
                ecs.describe_service_deployments(serviceDeploymentArns=[deployment.arn]),
                ecs.describe_service_revisions(
                    serviceRevisionArns=[deployment.target_revision_arn]
                ),
            )

        before = described()
        dumped = mock.dump_scenario()
        for entry in dumped["services"]:
            for key in ("deployment_configuration", "load_balancers"):
                _scribble(entry.get(key))
            for item in entry.get("deployments", []):
                for value in item.values():
                    _scribble(value)
        after = described()
        for answers in (before, after):
            for answer in answers:
                answer.pop("ResponseMetadata")
        assert after == before


def _scribble(value: Any) -> None:
    if isinstance(value, dict):
        value["scribbled"] = 1
    elif isinstance(value, list):
        for item in value:
            _scribble(item)
        value.append({"scribbled": 1})


@pytest.mark.parametrize(
    "call",
    [
        lambda mock: mock.inject_error("ListServiceDeployments", "ThrottlingException"),
        lambda mock: mock.plan_deployments(outcome="STOPPED"),
        lambda mock: mock.advance(60),
    ],
    ids=["inject_error", "plan_deployments", "advance"],
)
def test_process_wide_settings_need_a_started_mock(call: Any) -> None:
    mock = mock_service_deployments()
    with pytest.raises(RuntimeError, match="this mock is not started"):
        call(mock)
    with mock:
        call(mock)


def test_a_failing_patch_warns_and_the_import_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "freshly_imported_module.py").write_text("VALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    applied: list[str] = []

    def broken(module: Any) -> None:
        raise AttributeError("no such attribute")

    def working(module: Any) -> None:
        applied.append(module.__name__)

    on_import.when_imported("freshly_imported_module", broken)
    on_import.when_imported("freshly_imported_module", working)
    try:
        with pytest.warns(RuntimeWarning, match="could not patch freshly_imported_module"):
            import freshly_imported_module  # type: ignore[import-not-found]
        assert freshly_imported_module.VALUE == 42
        assert applied == ["freshly_imported_module"]  # the other patch still ran
    finally:
        sys.modules.pop("freshly_imported_module", None)
    assert on_import.pending() == {}


def test_a_patch_whose_module_loads_after_the_stop_does_not_land() -> None:
    import moto.ecs.responses

    responses = moto.ecs.responses.EC2ContainerServiceResponse
    assert not hasattr(responses, "list_service_deployments")
    with mock_service_deployments():
        pass
    # The hook was popped by an import racing the stop: the late call must do nothing.
    for step in (moto_dispatch.OPERATIONS, moto_dispatch.SERVICES, moto_dispatch.SEEDED):
        step.apply_to(moto.ecs.responses)
        assert not step.in_place
    assert not hasattr(responses, "list_service_deployments")
