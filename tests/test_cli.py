"""The command line: ``validate`` and ``show``, through ``cli.main`` and through a separate
``python -m mock_ecs_deployments`` process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from freezegun import freeze_time

from mock_ecs_deployments import cli, service_deployment_backends
from mock_ecs_deployments.engine.model.service_model import deployment_statuses
from mock_ecs_deployments.scenarios import commands as scenario_commands

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "scenarios"
ROLLBACK_SHOWN = [
    "service web in cluster prod, account 123456789012, us-east-1: 3 deployments",
    "created (UTC)        status               duration  reason",
    "2025-01-09 09:00:00  SUCCESSFUL           6m",
    "2025-01-10 09:00:00  SUCCESSFUL           5m 30s",
    "2025-01-11 09:00:00  ROLLBACK_SUCCESSFUL  14m 5s    ECS deployment circuit breaker: tasks"
    " failed to start.",
    "",
]


# What would change the expected output: another default account, or rich told to treat
# captured output as a terminal.
_ENVIRONMENT_LEFT_OUT = ("MOTO_ACCOUNT_ID", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _ENVIRONMENT_LEFT_OUT:
        monkeypatch.delenv(name, raising=False)


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _bad_status(directory: Path) -> Path:
    return _write(
        directory,
        "bad.yaml",
        """
        services:
          - service: web
            deployments: [{status: SUCCESSFUL}, {status: SUCCESSFUL}, {status: DONE}]
        """,
    )


def _run_module(*arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value for key, value in os.environ.items() if key not in _ENVIRONMENT_LEFT_OUT
    }
    return subprocess.run(
        [sys.executable, "-m", "mock_ecs_deployments", *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
        check=False,
    )


# -- validate --------------------------------------------------------------------------------------


def test_validate_the_shipped_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(EXAMPLES / name) for name in ("rollback.yaml", "mid_deploy.yaml")]
    files.append(str(EXAMPLES / "multi_region.yaml"))
    assert cli.main(["validate", *files]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"OK {files[0]}: 1 service, 3 deployments (123456789012 us-east-1)",
        f"OK {files[1]}: 3 services, 5 deployments (123456789012 us-east-1)",
        f"OK {files[2]}: 2 services, 200 deployments (123456789012 eu-west-1,"
        " 123456789012 us-east-1)",
    ]
    assert err == ""
    assert len(service_deployment_backends) == 0, "validate loads nothing"


def test_validate_reports_every_bad_file_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _write(tmp_path, "good.json", '{"services": [{"service": "web"}]}')
    bad = _bad_status(tmp_path)
    broken = _write(tmp_path, "broken.yaml", "services: [\n")
    missing = tmp_path / "missing.yaml"
    assert cli.main(["validate", str(bad), str(good), str(missing), str(broken)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"OK {good}: 1 service, 0 deployments (123456789012 us-east-1)"]
    lines = err.splitlines()
    assert len(lines) == 3
    assert lines[0] == (
        f"FAIL {bad}: services[0].deployments[2].status: 'DONE' is not allowed; allowed values:"
        f" {', '.join(deployment_statuses())}"
    )
    assert lines[1] == f"FAIL {missing}: No such file or directory"
    assert lines[2].startswith(f"FAIL {broken}: line 2, column 1: invalid YAML: ")


def test_validate_with_the_account_and_region_of_the_mock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arn = "arn:aws:ecs:eu-west-1:111122223333:service/prod/web"
    path = _write(tmp_path, "arn.yaml", f"services: [{{service: '{arn}'}}]\n")
    assert cli.main(["validate", str(path)]) == 1
    assert "belongs to account 111122223333 in eu-west-1" in capsys.readouterr().err
    options = ["--account-id", "111122223333", "--region", "eu-west-1"]
    assert cli.main(["validate", *options, str(path)]) == 0
    assert capsys.readouterr().out == (
        f"OK {path}: 1 service, 0 deployments (111122223333 eu-west-1)\n"
    )


def test_validate_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        cli.main(["validate"])
    assert excinfo.value.code == 2
    assert "the following arguments are required: FILE" in capsys.readouterr().err


# -- show ------------------------------------------------------------------------------------------


def test_show_prints_a_plain_timeline_when_not_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["show", str(EXAMPLES / "rollback.yaml")]) == 0
    out, err = capsys.readouterr()
    assert out.split("\n") == [*ROLLBACK_SHOWN, ""]
    assert err == ""


def test_show_durations_of_ongoing_and_pending_deployments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(
        tmp_path,
        "ongoing.yaml",
        """
        region: eu-west-1
        services:
          - cluster: prod
            service: web
            deployments:
              - {status: SUCCESSFUL, created_at: -3d, finished_at: -2d22h}
              - {status: IN_PROGRESS, created_at: -1h, started_at: -59m30s}
              - {status: PENDING, created_at: -1m}
          - cluster: prod
            service: legacy
            deployment_controller: CODE_DEPLOY
        """,
    )
    with freeze_time("2025-03-01T12:00:00Z"):
        assert cli.main(["show", str(path)]) == 0
    assert capsys.readouterr().out.split("\n") == [
        "service web in cluster prod, account 123456789012, eu-west-1: 3 deployments",
        "created (UTC)        status       duration        reason",
        "2025-02-26 12:00:00  SUCCESSFUL   2h",
        "2025-03-01 11:00:00  IN_PROGRESS  59m 30s so far",
        "2025-03-01 11:59:00  PENDING      -",
        "",
        "service legacy in cluster prod, account 123456789012, eu-west-1: 0 deployments"
        " (CODE_DEPLOY controller: none are listed)",
        "created (UTC)  status  duration  reason",
        "",
        "",
    ]


def test_show_on_a_terminal_draws_a_coloured_table() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    assert scenario_commands.show(str(EXAMPLES / "rollback.yaml"), out=out) == 0
    text = out.getvalue()
    assert "\x1b[" in text, "styles on a terminal"
    assert "━" in text, "a table rule on a terminal"
    assert "ROLLBACK_SUCCESSFUL" in text


def test_show_a_bad_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _bad_status(tmp_path)
    assert cli.main(["show", str(bad)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"FAIL {bad}: services[0].deployments[2].status: 'DONE' is not")


def test_show_takes_several_files_as_validate_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = EXAMPLES / "rollback.yaml", EXAMPLES / "mid_deploy.yaml"
    missing = tmp_path / "missing.yaml"
    alone = io.StringIO()
    # mid_deploy.yaml's times are relative to the moment it is loaded, and it is loaded once
    # for each rendering: at one frozen instant the two agree, while on the real clock a second
    # that turns between them would change the created times and the "so far".
    with freeze_time("2025-03-01T12:00:00Z"):
        assert cli.main(["show", str(first), str(missing), str(second)]) == 1
        assert scenario_commands.show(str(second), out=alone) == 0
    out, err = capsys.readouterr()
    assert [line for line in out.splitlines() if line.startswith("== ")] == [
        f"== {first}",
        f"== {second}",
    ]
    assert out.split(f"== {second}\n", 1)[1] == alone.getvalue()
    assert err.startswith(f"FAIL {missing}: ")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from mock_ecs_deployments import __version__

    with pytest.raises(SystemExit) as excinfo:
        cli.main(["--version"])
    assert excinfo.value.code == 0
    assert capsys.readouterr().out == f"mock-ecs-deployments {__version__}\n"


def test_an_unknown_command_is_refused() -> None:
    import argparse

    with pytest.raises(ValueError, match="command: 'serve' is not allowed"):
        scenario_commands.configure(argparse.ArgumentParser(), "serve")
    with pytest.raises(ValueError, match="command: 'serve' is not allowed"):
        scenario_commands.run(argparse.Namespace(), "serve")


# -- python -m mock_ecs_deployments ----------------------------------------------------------------


def test_python_m_validate() -> None:
    ok = _run_module("validate", "examples/scenarios/rollback.yaml")
    assert (ok.returncode, ok.stderr) == (0, "")
    assert ok.stdout == (
        "OK examples/scenarios/rollback.yaml: 1 service, 3 deployments (123456789012 us-east-1)\n"
    )


def test_python_m_validate_a_bad_file(tmp_path: Path) -> None:
    bad = _bad_status(tmp_path)
    failed = _run_module("validate", str(bad), "examples/scenarios/mid_deploy.yaml")
    assert failed.returncode == 1
    assert failed.stdout.startswith("OK examples/scenarios/mid_deploy.yaml: 3 services")
    assert failed.stderr.startswith(f"FAIL {bad}: services[0].deployments[2].status: 'DONE'")


def test_python_m_show() -> None:
    shown = _run_module("show", "examples/scenarios/rollback.yaml")
    assert (shown.returncode, shown.stderr) == (0, "")
    assert shown.stdout.split("\n") == [*ROLLBACK_SHOWN, ""]


def test_schema_prints_the_path_of_the_shipped_json_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["schema"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.name == "scenario.schema.json"
    assert path.is_file()
    assert json.loads(path.read_text(encoding="utf-8"))["$schema"] == (
        "https://json-schema.org/draft/2020-12/schema"
    )
