"""``mock-ecs-deployments show --html OUT FILE...``: every file's services written as one
self-contained HTML page (the state page with its picture inlined), through ``cli.main`` as
``tests/test_cli.py`` runs the other subcommands."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from freezegun import freeze_time

from mock_ecs_deployments import cli, service_deployment_backends

from .test_failure_report import page_loads, picture_data

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(str(path) for path in (ROOT / "examples" / "scenarios").glob("*.yaml"))
# Some examples' times are relative to the moment they are loaded, and show loads them once for
# the tables and once for the page: at one frozen instant both see the same history.
NOW = "2025-03-01T12:00:00Z"
_HEADING = re.compile(
    r"^service (?P<name>\S+) in cluster (?P<cluster>\S+), account (?P<account>\d+),"
    r" (?P<region>\S+): \d+ deployments?"
)


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing that changes what show prints: another default account, or rich told to treat
    captured output as a terminal."""
    for name in ("MOTO_ACCOUNT_ID", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)


def _shown_statuses(text: str) -> dict[tuple[str, str, str, str, str], list[str]]:
    """What ``show`` printed for several files: each service's deployments' statuses, oldest
    first, by (file, account, region, cluster, name)."""
    shown: dict[tuple[str, str, str, str, str], list[str]] = {}
    file = ""
    rows: list[str] | None = None
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if line.startswith("== "):
            file, rows = line[len("== ") :], None
        elif heading is not None:
            where = (heading["account"], heading["region"], heading["cluster"], heading["name"])
            rows = shown.setdefault((file, *where), [])
        elif rows is not None and re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", line):
            rows.append(line.split()[2])  # date, time, status, ...
    return shown


def _bad(directory: Path) -> Path:
    path = directory / "bad.yaml"
    path.write_text(
        textwrap.dedent(
            """
            services:
              - service: web
                deployments: [{status: SUCCESSFUL}, {status: DONE}]
            """
        ),
        encoding="utf-8",
    )
    return path


def test_the_page_holds_every_service_and_deployment_with_the_statuses_show_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "state.html"
    with freeze_time(NOW):
        assert cli.main(["show", *EXAMPLES]) == 0
        tables = capsys.readouterr().out
        assert cli.main(["show", "--html", str(out), *EXAMPLES]) == 0

    printed, err = capsys.readouterr()
    assert (printed, err) == (f"wrote {out}: 6 services, 208 deployments\n", "")
    assert len(service_deployment_backends) == 0, "show --html loads nothing"
    document = out.read_text(encoding="utf-8")
    picture = picture_data(document)
    drawn = {
        (s["source"], s["account_id"], s["region"], s["cluster"], s["name"]): [
            d["status"] for d in s["deployments"]
        ]
        for s in picture["services"]
    }
    shown = _shown_statuses(tables)
    assert len(shown) == 6
    assert sum(len(statuses) for statuses in shown.values()) == 208
    assert drawn == shown
    # Every file has a prod/web in us-east-1: each is drawn, in the files' order.
    webs = [
        s["source"]
        for s in picture["services"]
        if (s["region"], s["cluster"], s["name"]) == ("us-east-1", "prod", "web")
    ]
    assert webs == EXAMPLES
    order = [(s["account_id"], s["region"], s["cluster"], s["name"]) for s in picture["services"]]
    assert order == sorted(order)
    arns = [d["arn"] for s in picture["services"] for d in s["deployments"]]
    assert len(set(arns)) == 208
    assert picture["now"] == "2025-03-01T12:00:00.000Z"
    assert page_loads(document) == []
    assert f"<title>mock-ecs-deployments show: {', '.join(EXAMPLES)}</title>" in document


def test_a_bad_file_gives_shows_error_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad, missing = _bad(tmp_path), tmp_path / "missing.yaml"
    files = [EXAMPLES[0], str(bad), str(missing)]
    out = tmp_path / "state.html"
    kept = tmp_path / "kept.html"
    kept.write_text("before", encoding="utf-8")

    assert cli.main(["show", *files]) == 1
    shows_error = capsys.readouterr().err
    assert cli.main(["show", "--html", str(out), *files]) == 1
    assert capsys.readouterr() == ("", shows_error)
    assert cli.main(["show", "--html", str(kept), str(bad)]) == 1

    assert shows_error.splitlines()[0].startswith(f"FAIL {bad}: services[0].deployments[1]")
    assert shows_error.splitlines()[1] == f"FAIL {missing}: No such file or directory"
    assert not out.exists()
    assert kept.read_text(encoding="utf-8") == "before", "an existing OUT is left as it was"


def test_an_out_that_cannot_be_written_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "no such directory" / "state.html"

    assert cli.main(["show", "--html", str(out), EXAMPLES[0]]) == 1

    assert capsys.readouterr() == ("", f"FAIL {out}: No such file or directory\n")


def _daemon_scenario(directory: Path, name: str, cluster: str) -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(
        textwrap.dedent(
            f"""
            services: []
            capacity_providers:
              - {{name: {name}-cp, cluster: {cluster}, instances: 4}}
            daemon_task_definitions:
              - {{family: {name}, images: [{{name: agent, image: "agent:1"}}]}}
            daemons:
              - daemon: {name}
                cluster: {cluster}
                task_definition: {name}:1
                capacity_providers: [{name}-cp]
                plan: {{in_progress_for: 2m}}
            """
        ),
        encoding="utf-8",
    )
    return path


def test_daemons_of_several_files_without_services_are_all_drawn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _daemon_scenario(tmp_path, "logs", "prod")
    second = _daemon_scenario(tmp_path, "metrics", "edge")
    out = tmp_path / "page.html"
    with freeze_time(NOW):
        assert cli.main(["show", "--html", str(out), str(first), str(second)]) == 0
    assert capsys.readouterr().out == f"wrote {out}: 0 services and 2 daemons, 2 deployments\n"
    picture = picture_data(out.read_text(encoding="utf-8"))
    assert picture["services"] == []
    drawn = [(d["cluster"], d["name"], d["source"]) for d in picture["daemons"]]
    assert drawn == [("edge", "metrics", str(second)), ("prod", "logs", str(first))]
    assert [[dep["status"] for dep in d["deployments"]] for d in picture["daemons"]] == [
        ["IN_PROGRESS"],
        ["IN_PROGRESS"],
    ]
