"""Supported versions: a moto or botocore older than the package supports, or lacking what
the mock uses, stops the mock from starting (or moto's ECS from loading under it) with an
error naming the installed and the required versions, instead of answers that are wrong."""

from __future__ import annotations

import pytest

from mock_ecs_deployments import UnsupportedVersionError, mock_service_deployments
from mock_ecs_deployments.beside_moto import requirements


@pytest.fixture
def unchecked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget what was checked already in this process."""
    monkeypatch.setattr(requirements, "_checked", set())


def _installed(monkeypatch: pytest.MonkeyPatch, **versions: str) -> None:
    real = requirements.installed_version
    monkeypatch.setattr(
        requirements,
        "installed_version",
        lambda distribution: versions.get(distribution) or real(distribution),
    )


@pytest.mark.usefixtures("unchecked")
def test_an_old_moto_refuses_with_moto_started_by_the_mock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _installed(monkeypatch, moto="5.1.16")
    with pytest.raises(UnsupportedVersionError) as refused:
        mock_service_deployments(with_moto=True).start()
    error = refused.value
    assert (error.distribution, error.installed, error.required) == ("moto", "5.1.16", "5.2.5")
    assert str(error) == (
        "mock_ecs_deployments needs moto>=5.2.5; moto 5.1.16 is installed. Upgrade it:"
        " pip install 'moto>=5.2.5'"
    )


@pytest.mark.usefixtures("unchecked")
def test_an_old_moto_refuses_under_mock_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    _installed(monkeypatch, moto="5.0.28")
    with mock_aws(), pytest.raises(UnsupportedVersionError, match=r"moto 5\.0\.28 is installed"):
        mock_service_deployments().start()


@pytest.mark.usefixtures("unchecked")
def test_an_old_botocore_refuses_even_standalone(monkeypatch: pytest.MonkeyPatch) -> None:
    _installed(monkeypatch, botocore="1.35.0")
    with pytest.raises(UnsupportedVersionError) as refused:
        mock_service_deployments().start()
    assert refused.value.distribution == "botocore"
    assert refused.value.installed == "1.35.0"
    assert refused.value.required == requirements.MINIMUM_VERSIONS["botocore"]


def test_the_declared_minimums_are_the_ones_checked() -> None:
    import configparser
    from pathlib import Path

    setup = configparser.ConfigParser()
    setup.read(Path(__file__).resolve().parent.parent / "setup.cfg")
    requires = setup["options"]["install_requires"].split()
    for distribution, version in requirements.MINIMUM_VERSIONS.items():
        assert f"{distribution}>={version}" in requires


@pytest.mark.usefixtures("unchecked")
def test_a_botocore_without_the_hook_shapes_refuses_naming_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mock_ecs_deployments.engine.model import service_model

    model = service_model.ecs_model()
    names = [name for name in model.shape_names if name != "DeploymentLifecycleHookTargetType"]
    monkeypatch.setattr(type(model), "shape_names", property(lambda self: names))
    with pytest.raises(UnsupportedVersionError) as refused:
        mock_service_deployments().start()
    assert refused.value.missing == ["botocore ECS model:DeploymentLifecycleHookTargetType"]


@pytest.mark.usefixtures("unchecked")
def test_a_moto_without_what_the_mock_uses_refuses_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import moto.ecs.responses

    monkeypatch.delattr(moto.ecs.responses, "ActionResult")
    with pytest.raises(UnsupportedVersionError) as refused:
        mock_service_deployments(with_moto=True).start()
    assert refused.value.missing == ["moto.ecs.responses:ActionResult"]
    assert "it lacks moto.ecs.responses:ActionResult" in str(refused.value)


@pytest.mark.usefixtures("unchecked")
def test_the_supported_versions_start(monkeypatch: pytest.MonkeyPatch) -> None:
    _installed(monkeypatch, moto="5.2.5", botocore="1.43.10")
    with mock_service_deployments(with_moto=True) as mock:
        assert mock.backend().add_deployment(service="web").status == "SUCCESSFUL"


def test_every_requirement_is_found_in_the_installed_moto() -> None:
    import importlib

    for requirement in requirements.REQUIREMENTS:
        module = importlib.import_module(requirement.module)
        assert requirement.present(module), requirement


@pytest.mark.parametrize(
    ("version", "release"),
    [("5.1.17", (5, 1, 17)), ("5.2.0.dev3", (5, 2, 0)), ("1.40.56rc1", (1, 40, 56)), ("x", ())],
)
def test_release_numbers(version: str, release: tuple[int, ...]) -> None:
    assert requirements.release(version) == release


@pytest.mark.usefixtures("unchecked")
def test_a_moto_task_without_the_attributes_read_refuses_naming_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import moto.ecs.models

    task = moto.ecs.models.Task
    original = task.__init__

    def __init__(self: object, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    # An __init__ that sets none of the task's attributes itself: as if moto renamed them.
    monkeypatch.setattr(task, "__init__", __init__)
    with pytest.raises(UnsupportedVersionError) as refused:
        mock_service_deployments(with_moto=True).start()
    assert refused.value.missing == [
        f"moto.ecs.models:Task.{name}"
        for name in (
            "desired_status",
            "started_by",
            "task_definition_arn",
            "launch_type",
            "container_instance_arn",
        )
    ]


@pytest.mark.usefixtures("unchecked")
def test_a_loaded_cloudwatch_without_what_the_mock_reads_refuses_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import moto.cloudwatch.models

    monkeypatch.delattr(moto.cloudwatch.models, "cloudwatch_backends")
    with pytest.raises(UnsupportedVersionError) as refused:
        mock_service_deployments(with_moto=True).start()
    assert refused.value.missing == ["moto.cloudwatch.models:cloudwatch_backends"]


@pytest.mark.usefixtures("unchecked")
def test_a_cloudwatch_not_loaded_is_not_imported_to_be_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    import moto.ecs.responses  # noqa: F401  (moto's ECS loaded: its checks run)

    monkeypatch.delitem(sys.modules, "moto.cloudwatch.models", raising=False)
    requirements.check_loaded()
    assert "moto.cloudwatch.models" not in sys.modules
