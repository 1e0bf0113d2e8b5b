"""``--mock-ecs-report=DIR`` (ini ``mock_ecs_report``): a failed test that used the mock leaves
its state in ``DIR`` as a scenario file and a self-contained HTML page, both named in its
failure report; a passing test, and a failing one that never used the mock, leave nothing.

Each test runs a generated suite through ``pytester`` (in this process, as
``tests/test_pytest_plugin.py`` does), then loads what it left in a fresh mock and compares the
answers with those the failing test saw, which it wrote to ``seen/<name>.json``.
"""

from __future__ import annotations

import json
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from mock_ecs_deployments import mock_service_deployments
from mock_ecs_deployments.engine.state.process import mock_state
from mock_ecs_deployments.pytest_plugin import REPORT_SECTION, report_file_stem

from .clients import new_client

# The generated suites' helper: seed a service's history (one deployment moved by a plan and
# the clock), list and describe it through boto3, write what was seen, then fail.
_HEADER = """
import json
import os
from pathlib import Path

import boto3
import pytest

from mock_ecs_deployments import active_mock, mock_service_deployments


def seed_and_look(mock, name):
    backend = mock.backend()
    backend.add_deployment(service=name, cluster="prod", status="SUCCESSFUL",
                           task_definition=f"{name}:1")
    backend.add_deployment(service=name, cluster="prod", status="STOPPED",
                           task_definition=f"{name}:2")
    backend.add_deployment(service=name, cluster="prod", task_definition=f"{name}:3",
                           plan={"outcome": "ROLLBACK_SUCCESSFUL", "in_progress_for": 60})
    backend.add_deployment(service=name, cluster="prod", status="IN_PROGRESS",
                           task_definition=f"{name}:4")
    mock.advance(120)  # the planned one has rolled back by now
    ecs = boto3.client("ecs", region_name="us-east-1")
    listed = ecs.list_service_deployments(cluster="prod", service=name)["serviceDeployments"]
    arns = [item["serviceDeploymentArn"] for item in listed]
    described = ecs.describe_service_deployments(serviceDeploymentArns=arns)
    seen = {
        "listed": [[item["serviceDeploymentArn"], item["status"]] for item in listed],
        "described": [[item["serviceDeploymentArn"], item["status"]]
                      for item in described["serviceDeployments"]],
        "worker": os.environ.get("PYTEST_XDIST_WORKER"),
    }
    Path("seen").mkdir(exist_ok=True)
    Path("seen", f"{name}.json").write_text(json.dumps(seen))


def seed_look_and_fail(mock, name):
    seed_and_look(mock, name)
    raise AssertionError(f"{name} failed on purpose")
"""

#: The three ways a test uses the mock, each failing inside its mock.
WAYS = {
    "fixture": """
        def test_it(service_deployments):
            seed_look_and_fail(service_deployments, "fixture")
        """,
    "decorator": """
        @mock_service_deployments
        def test_it():
            seed_look_and_fail(active_mock(), "decorator")
        """,
    "context_manager": """
        def test_it():
            with mock_service_deployments() as mock:
                seed_look_and_fail(mock, "context_manager")
        """,
}


def _write_tests(pytester: pytest.Pytester, body: str, name: str = "test_generated") -> Path:
    return pytester.makepyfile(**{name: _HEADER + textwrap.dedent(body)})


def _run(pytester: pytest.Pytester, *arguments: str) -> pytest.RunResult:
    before = list(mock_state.before_forgetting)  # this run's own, if it has the option
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly", *arguments)
    # The run in this process withdrew its callback when it ended.
    assert mock_state.before_forgetting == before
    return result


def _seen(pytester: pytest.Pytester, name: str) -> dict[str, Any]:
    seen: dict[str, Any] = json.loads((pytester.path / "seen" / f"{name}.json").read_text())
    return seen


def _answers(scenario: Path, service: str) -> dict[str, list[list[str]]]:
    """What List and Describe answer for ``service`` once ``scenario`` is loaded in a fresh
    mock."""
    with mock_service_deployments() as mock:
        mock.load_scenario(scenario)
        ecs = new_client()
        listed = ecs.list_service_deployments(cluster="prod", service=service)
        arns = [item["serviceDeploymentArn"] for item in listed["serviceDeployments"]]
        described = ecs.describe_service_deployments(serviceDeploymentArns=arns)
    return {
        "listed": [
            [item["serviceDeploymentArn"], item["status"]] for item in listed["serviceDeployments"]
        ],
        "described": [
            [item["serviceDeploymentArn"], item["status"]]
            for item in described["serviceDeployments"]
        ],
    }


def picture_data(document: str) -> dict[str, Any]:
    """The picture a page holds: the JSON of its ``picture-data`` script element."""
    match = re.search(
        r'<script type="application/json" id="picture-data">(.*?)</script>', document, re.S
    )
    assert match is not None, "no picture-data element"
    assert match.group(1).strip(), "an empty picture-data element"
    picture: dict[str, Any] = json.loads(match.group(1))
    return picture


class _References(HTMLParser):
    """Every reference of a document's elements (``src``, ``href`` and the like) that is
    neither a fragment (``#...``) nor a ``data:`` URI."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name not in ("src", "href", "srcset", "action", "data", "poster"):
                continue
            if value is not None and not value.strip().startswith(("#", "data:")):
                self.found.append(f"<{tag} {name}={value!r}>")


def page_loads(document: str) -> list[str]:
    """What a page would load from anywhere but itself: its elements' references
    (:class:`_References`), CSS ``url()`` that is not a fragment or ``data:``, ``@import``, and
    any ``http://`` or ``https://`` URL but the XML namespaces' (the script names SVG's
    namespace, ``http://www.w3.org/2000/svg``, which is never fetched)."""
    parser = _References()
    parser.feed(document)
    loads = list(parser.found)
    loads += re.findall(r"""url\(\s*['"]?(?!#|data:)[^)]*\)""", document)
    loads += re.findall(r"@import[^;]*", document)
    loads += [
        url
        for url in re.findall(r"""https?://[^\s'"<>)]+""", document)
        if not url.startswith("http://www.w3.org/")
    ]
    return loads


def _files(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


# -- a failing test that used the mock ---------------------------------------------------------


@pytest.mark.parametrize("way", list(WAYS))
def test_a_failing_test_leaves_a_scenario_and_a_page_named_in_its_report(
    pytester: pytest.Pytester, way: str
) -> None:
    _write_tests(pytester, WAYS[way])
    reports = pytester.path / "reports"

    result = _run(pytester, f"--mock-ecs-report={reports}")

    result.assert_outcomes(failed=1)
    scenario = reports / "test_generated.py__test_it.yaml"
    page = reports / "test_generated.py__test_it.html"
    assert _files(reports) == [page.name, scenario.name]
    result.stdout.fnmatch_lines(
        [
            f"*{way} failed on purpose*",
            f"*- {REPORT_SECTION} -*",
            "the mock's state * (its clock: 20*Z):",
            f"  scenario: {scenario}",
            f"  picture:  {page}",
        ]
    )
    seen = _seen(pytester, way)
    statuses = [status for _, status in seen["listed"]]
    assert statuses == ["IN_PROGRESS", "ROLLBACK_SUCCESSFUL", "STOPPED", "SUCCESSFUL"]

    # The scenario loads back, in a fresh mock, into the answers the failing test had.
    assert _answers(scenario, way) == {"listed": seen["listed"], "described": seen["described"]}

    # The page holds the picture of those deployments, and loads nothing from anywhere.
    document = page.read_text(encoding="utf-8")
    assert "<title>test_generated.py::test_it</title>" in document
    picture = picture_data(document)
    assert [(s["cluster"], s["name"]) for s in picture["services"]] == [("prod", way)]
    drawn = [[d["arn"], d["status"]] for d in picture["services"][0]["deployments"]]
    assert drawn == seen["listed"][::-1]  # oldest first
    assert page_loads(document) == []


def test_a_failure_in_setup_counts(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        @pytest.fixture
        def broken(service_deployments):
            seed_and_look(service_deployments, "setup")
            raise RuntimeError("the fixture failed on purpose")

        def test_it(broken):
            pass
        """,
    )
    reports = pytester.path / "reports"

    result = _run(pytester, f"--mock-ecs-report={reports}")

    result.assert_outcomes(errors=1)
    scenario = reports / "test_generated.py__test_it.yaml"
    assert _files(reports) == ["test_generated.py__test_it.html", scenario.name]
    result.stdout.fnmatch_lines([f"*- {REPORT_SECTION} -*", f"  scenario: {scenario}"])
    seen = _seen(pytester, "setup")
    assert _answers(scenario, "setup") == {"listed": seen["listed"], "described": seen["described"]}


# -- what writes nothing -------------------------------------------------------------------------


def test_a_passing_test_writes_nothing(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        def test_with_the_fixture(service_deployments):
            seed_and_look(service_deployments, "fixture")

        @mock_service_deployments
        def test_with_the_decorator():
            seed_and_look(active_mock(), "decorator")
        """,
    )
    reports = pytester.path / "reports"

    result = _run(pytester, f"--mock-ecs-report={reports}")

    result.assert_outcomes(passed=2)
    assert _files(reports) == []
    assert REPORT_SECTION not in result.stdout.str()


def test_a_failing_test_that_never_used_the_mock_writes_nothing(
    pytester: pytest.Pytester,
) -> None:
    # Right after a test whose mock stopped: what that one left is not the next one's.
    _write_tests(
        pytester,
        """
        @mock_service_deployments
        def test_uses_the_mock():
            seed_and_look(active_mock(), "decorator")

        def test_fails_without_the_mock():
            assert False, "no mock here"
        """,
    )
    reports = pytester.path / "reports"

    result = _run(pytester, f"--mock-ecs-report={reports}")

    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*no mock here*"])
    assert _files(reports) == []
    assert REPORT_SECTION not in result.stdout.str()


def test_without_the_option_nothing_is_registered(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (This run's own callback, if it has the option, is the one there may be.)
    monkeypatch.setenv("CALLBACKS_BEFORE", str(len(mock_state.before_forgetting)))
    _write_tests(
        pytester,
        """
        from mock_ecs_deployments import on_import
        from mock_ecs_deployments.engine.state.process import mock_state

        def test_fails(request, service_deployments):
            assert request.config.pluginmanager.get_plugin("mock_ecs_deployments.report") is None
            assert len(mock_state.before_forgetting) == int(os.environ["CALLBACKS_BEFORE"])
            assert on_import.pending() == {}
            assert False, "failed on purpose"
        """,
    )

    result = _run(pytester)

    result.assert_outcomes(failed=1)
    assert REPORT_SECTION not in result.stdout.str()
    assert [path.name for path in pytester.path.iterdir()] == ["test_generated.py"]


# -- where the files go ----------------------------------------------------------------------


def test_the_ini_setting_is_relative_to_the_ini_file_and_the_option_wins(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini("[pytest]\nmock_ecs_report = state/reports\n")
    _write_tests(pytester, WAYS["decorator"])
    elsewhere = pytester.mkdir("elsewhere")
    monkeypatch.chdir(elsewhere)

    from_ini = _run(pytester, str(pytester.path))

    from_ini.assert_outcomes(failed=1)
    reports = pytester.path / "state" / "reports"
    assert _files(reports) == ["test_generated.py__test_it.html", "test_generated.py__test_it.yaml"]
    from_ini.stdout.fnmatch_lines([f"  scenario: {reports / 'test_generated.py__test_it.yaml'}"])

    from_option = _run(pytester, str(pytester.path), "--mock-ecs-report=mine")

    from_option.assert_outcomes(failed=1)
    assert _files(elsewhere / "mine") == [
        "test_generated.py__test_it.html",
        "test_generated.py__test_it.yaml",
    ]


def test_a_node_id_with_parameters_and_slashes_makes_a_readable_file_name(
    pytester: pytest.Pytester,
) -> None:
    long_id = "x" * 300
    _write_tests(
        pytester,
        f"""
        @pytest.mark.parametrize(
            "name",
            [
                pytest.param("slashed", id="eu-west-1/prod"),
                pytest.param("spaced", id="a b"),
                pytest.param("long", id="{long_id}"),
            ],
        )
        def test_in(service_deployments, name):
            seed_look_and_fail(service_deployments, name)
        """,
        name="tests/api/test_params",
    )
    reports = pytester.path / "reports"

    result = _run(pytester, f"--mock-ecs-report={reports}")

    result.assert_outcomes(failed=3)
    readable = "tests_api_test_params.py__test_in[eu-west-1_prod]"
    assert report_file_stem("tests/api/test_params.py::test_in[eu-west-1/prod]") == readable
    spaced = report_file_stem("tests/api/test_params.py::test_in[a b]")
    assert re.fullmatch(r"tests_api_test_params\.py__test_in\[a_b\]-[0-9a-f]{10}", spaced)
    long_node = f"tests/api/test_params.py::test_in[{long_id}]"
    capped = report_file_stem(long_node)
    assert len(capped) == 150
    assert re.fullmatch(r"tests_api_test_params\.py__test_in\[x+-[0-9a-f]{10}", capped)
    assert capped != report_file_stem(long_node.replace("xx]", "xy]")), "the hash tells apart"
    stems = (readable, spaced, capped)
    assert _files(reports) == sorted(
        f"{stem}.{suffix}" for stem in stems for suffix in ("html", "yaml")
    )
    for stem in stems:
        result.stdout.fnmatch_lines([f"  picture:  {reports / stem}.html"])
    page = (reports / f"{readable}.html").read_text(encoding="utf-8")
    assert "<title>tests/api/test_params.py::test_in[eu-west-1/prod]</title>" in page
    for stem, name in zip(stems, ("slashed", "spaced", "long"), strict=True):
        seen = _seen(pytester, name)
        answers = _answers(reports / f"{stem}.yaml", name)
        assert answers == {"listed": seen["listed"], "described": seen["described"]}


def test_each_xdist_worker_writes_the_files_of_its_tests(pytester: pytest.Pytester) -> None:
    _write_tests(
        pytester,
        """
        @pytest.mark.parametrize("n", range(6))
        def test_case(service_deployments, n):
            seed_look_and_fail(service_deployments, f"case{n}")
        """,
    )

    result = _run(pytester, "-n", "2", "--mock-ecs-report=reports")

    result.assert_outcomes(failed=6)
    reports = pytester.path / "reports"
    stems = [f"test_generated.py__test_case[{n}]" for n in range(6)]
    assert _files(reports) == sorted(
        f"{stem}.{suffix}" for stem in stems for suffix in ("html", "yaml")
    )
    assert {_seen(pytester, f"case{n}")["worker"] for n in range(6)} == {"gw0", "gw1"}
    for n, stem in enumerate(stems):
        result.stdout.fnmatch_lines([f"  scenario: {reports / stem}.yaml"])
        seen = _seen(pytester, f"case{n}")
        answers = _answers(reports / f"{stem}.yaml", f"case{n}")
        assert answers == {"listed": seen["listed"], "described": seen["described"]}


# -- the state's hook the report is told through -----------------------------------------------


def test_before_forgetting_is_called_at_the_outermost_stop_with_the_state_still_there() -> None:
    seen: list[tuple[bool, list[str]]] = []

    def look() -> None:
        seen.append((mock_state.active, mock_state.leftovers()))

    mock_state.before_forgetting.append(look)
    try:
        with mock_service_deployments() as outer:
            with mock_service_deployments():
                outer.backend().add_deployment(service="web")
            assert seen == [], "not at an inner stop"
            outer.reset()
            assert seen == [], "not at a reset"
            outer.backend().add_deployment(service="api")
        assert seen == [(True, ["backends"])]
    finally:
        mock_state.before_forgetting.remove(look)


def test_a_callback_that_fails_stops_neither_the_others_nor_the_reset() -> None:
    called: list[str] = []

    def fails() -> None:
        called.append("fails")
        raise RuntimeError("callback failed")

    def after() -> None:
        called.append("after")

    mock_state.before_forgetting.extend([fails, after])
    try:
        mock = mock_service_deployments().start()
        mock.backend().add_deployment(service="web")
        with pytest.raises(RuntimeError, match="callback failed"):
            mock.stop()
    finally:
        mock_state.before_forgetting.remove(fails)
        mock_state.before_forgetting.remove(after)
    assert called == ["fails", "after"]
    assert not mock_state.active
    assert mock_state.leftovers() == []
