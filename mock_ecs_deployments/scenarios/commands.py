"""The ``validate`` and ``show`` subcommands of ``mock-ecs-deployments``: check scenario files,
and show one as a timeline per service (a table, or with ``--html`` the state page as one
self-contained HTML file).

Both build the scenario the way a test loads it (in throwaway backends), so a file that passes
``validate`` loads in a test, and ``show`` shows what a test would list.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..engine.model.clock import from_ms, now_ms
from ..engine.model.daemon_records import Daemon, DaemonDeployment
from ..engine.model.records import Service, ServiceDeployment
from ..engine.state.backend import ServiceDeploymentBackend
from ..engine.state.process import mock_state
from .errors import ScenarioError
from .loader import Scenario, build_scenario
from .schema import schema_path

COMMANDS = ("validate", "show", "schema")
# Wide enough that no row is wrapped when the output goes to a file or a pipe.
_PLAIN_WIDTH = 1000
_STATUS_STYLES = {
    "SUCCESSFUL": "green",
    "ROLLBACK_SUCCESSFUL": "yellow",
    "ROLLBACK_FAILED": "bold red",
    "STOPPED": "dim",
}


def configure(parser: argparse.ArgumentParser, command: str) -> None:
    """Add the arguments of ``command`` to its parser.

    :param parser: the subcommand's own parser.
    :param command: ``validate``, ``show`` or ``schema``.
    :raises ValueError: for another command.
    """
    if command == "schema":
        return  # no arguments: it prints the schema's path
    if command == "validate":
        parser.add_argument("files", nargs="+", metavar="FILE", help="scenario files to check")
    elif command == "show":
        parser.add_argument("files", nargs="+", metavar="FILE", help="scenario files to show")
        parser.add_argument(
            "--html",
            metavar="OUT",
            help="write every file's services to OUT as one self-contained HTML page (the"
            " state page, offline) instead of printing tables",
        )
    else:
        raise ValueError(f"command: {command!r} is not allowed; allowed values: {COMMANDS}")
    parser.add_argument(
        "--account-id",
        help="the account where a scenario names none, as in the mock that loads it"
        " (default: MOTO_ACCOUNT_ID, else 123456789012)",
    )
    parser.add_argument(
        "--region", help="the region where a scenario names none (default: us-east-1)"
    )


def run(args: argparse.Namespace, command: str) -> int:
    """Run ``command`` with the arguments :func:`configure` added; returns the exit status.

    :param args: the parsed arguments.
    :param command: ``validate``, ``show`` or ``schema``.
    """
    if command == "schema":
        print(schema_path())
        return 0
    if command == "validate":
        return validate(args.files, account_id=args.account_id, region=args.region)
    if command == "show":
        if args.html is not None:
            return show_html(args.files, args.html, account_id=args.account_id, region=args.region)
        return show(args.files, account_id=args.account_id, region=args.region)
    raise ValueError(f"command: {command!r} is not allowed; allowed values: {COMMANDS}")


def validate(
    files: Sequence[str],
    *,
    account_id: str | None = None,
    region: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Check each file: one ``OK`` line on ``out`` for a good one, one ``FAIL`` line on ``err``
    with the load error for a bad one. Returns 0 if every file is good, else 1.

    :param files: paths of scenario files.
    :param account_id: the account where a scenario names none.
    :param region: the region where a scenario names none.
    """
    out, err = out or sys.stdout, err or sys.stderr
    status = 0
    for file in files:
        scenario = _build(file, account_id, region, err)
        if scenario is None:
            status = 1
            continue
        records: list[Service | Daemon] = [*scenario.services, *scenario.daemons]
        deployments = sum(len(record.deployments) for record in records)
        places = sorted({(record.account_id, record.region) for record in records})
        where = ", ".join(f"{account} {region_name}" for account, region_name in places)
        daemons = f" and {_count(len(scenario.daemons), 'daemon')}" if scenario.daemons else ""
        print(
            f"OK {file}: {_count(len(scenario.services), 'service')}{daemons},"
            f" {_count(deployments, 'deployment')}" + (f" ({where})" if where else ""),
            file=out,
        )
    return status


def show(
    files: str | Sequence[str],
    *,
    account_id: str | None = None,
    region: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Print each scenario as one table per service, oldest deployment first: created, status,
    duration and reason; with several files, each under a ``== FILE`` heading. Colours and box
    lines only on a terminal. Returns 0, or 1 if a file could not be loaded (its error goes to
    ``err``; the other files are still shown).

    :param files: the path of a scenario file, or several.
    :param account_id: the account where a scenario names none.
    :param region: the region where a scenario names none.
    """
    out, err = out or sys.stdout, err or sys.stderr
    paths = [files] if isinstance(files, str) else list(files)
    status = 0
    for index, file in enumerate(paths):
        scenario = _build(file, account_id, region, err)
        if scenario is None:
            status = 1
            continue
        if len(paths) > 1:
            print(("\n" if index else "") + f"== {file}", file=out)
        _show_one(scenario, out)
    return status


def show_html(
    files: str | Sequence[str],
    html: str,
    *,
    account_id: str | None = None,
    region: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Write the services of every file to ``html`` as one self-contained HTML document (the
    state page with its picture inlined: it loads nothing from anywhere), then print
    ``wrote OUT: ...`` on ``out``. Returns 0; or 1, writing nothing, if a file could not be
    loaded (its error goes to ``err`` as :func:`show` prints it; every file is tried) or
    ``html`` could not be written.

    Each file is built in throwaway backends of its own, as :func:`show` builds it, so two files
    may hold the same service (same ARN); each service of the picture names the file it comes
    from in ``source``. Services are in account, region, cluster and name order (as
    :func:`~..picture.model.build_picture` orders them), those of one name in the files' order.

    :param files: the path of a scenario file, or several.
    :param html: the path of the HTML file to write (replaced if it exists).
    :param account_id: the account where a scenario names none.
    :param region: the region where a scenario names none.
    """
    from ..picture.model import build_picture
    from ..picture.page import render_page

    out, err = out or sys.stdout, err or sys.stderr
    paths = [files] if isinstance(files, str) else list(files)
    scenarios = [_build(file, account_id, region, err) for file in paths]
    built = [scenario for scenario in scenarios if scenario is not None]
    if len(built) < len(scenarios):
        return 1
    pictures = []
    # Reading brings planned deployments up to now; in throwaway backends, that makes no
    # events (nor any in an active mock's log).
    with mock_state.events.quiet():
        for path, scenario in zip(paths, built, strict=True):
            one = build_picture(_backends(scenario), events=[], calls=[])
            for owner in [*one["services"], *one["daemons"]]:
                owner["source"] = path
            pictures.append(one)
        picture = pictures[-1] if pictures else build_picture([], events=[], calls=[])
    for kind in ("services", "daemons"):
        picture[kind] = sorted(
            (owner for one in pictures for owner in one[kind]),
            key=lambda s: (s["account_id"], s["region"], s["cluster"], s["name"]),
        )
    document = render_page(picture, title=f"mock-ecs-deployments show: {', '.join(paths)}")
    try:
        with open(html, "w", encoding="utf-8") as file:
            file.write(document)
    except OSError as error:
        print(f"FAIL {html}: {error.strerror or error}", file=err)
        return 1
    services, daemons = picture["services"], picture["daemons"]
    deployments = sum(len(owner["deployments"]) for owner in [*services, *daemons])
    with_daemons = f" and {_count(len(daemons), 'daemon')}" if daemons else ""
    print(
        f"wrote {html}: {_count(len(services), 'service')}{with_daemons},"
        f" {_count(deployments, 'deployment')}",
        file=out,
    )
    return 0


def _backends(scenario: Scenario) -> list[ServiceDeploymentBackend]:
    """The throwaway backends ``scenario`` was built in (each service's and daemon's watcher
    is its backend), each once, in the order of the services, then of the daemons."""
    found: dict[int, ServiceDeploymentBackend] = {}
    records: list[Service | Daemon] = [*scenario.services, *scenario.daemons]
    for record in records:
        if isinstance(record.watcher, ServiceDeploymentBackend):
            found.setdefault(id(record.watcher), record.watcher)
    return list(found.values())


def _show_one(scenario: Scenario, out: TextIO) -> None:
    console = Console(file=out, highlight=False)
    if console.is_terminal:
        _print_tables(console, scenario)
        return
    # Piped or redirected: plain text without colours, box lines, wrapped rows or trailing
    # blanks, so that it greps and diffs cleanly.
    console = Console(file=out, highlight=False, no_color=True, width=_PLAIN_WIDTH)
    with console.capture() as captured:
        _print_tables(console, scenario)
    out.writelines(line.rstrip() + "\n" for line in captured.get().splitlines())


def _print_tables(console: Console, scenario: Scenario) -> None:
    now = now_ms()
    records: list[Service | Daemon] = [*scenario.services, *scenario.daemons]
    for record in records:
        kind = "daemon" if isinstance(record, Daemon) else "service"
        heading = (
            f"{kind} {record.name} in cluster {record.cluster}, account {record.account_id},"
            f" {record.region}: {_count(len(record.deployments), 'deployment')}"
        )
        if isinstance(record, Service) and record.deployment_controller != "ECS":
            heading += f" ({record.deployment_controller} controller: none are listed)"
        table = Table(
            box=box.SIMPLE_HEAVY if console.is_terminal else None,
            show_edge=console.is_terminal,
            pad_edge=False,
        )
        for column in ("created (UTC)", "status", "duration", "reason"):
            table.add_column(column, no_wrap=column != "reason")
        for deployment in record.deployments:
            table.add_row(
                from_ms(deployment.created_ms).strftime("%Y-%m-%d %H:%M:%S"),
                Text(deployment.status, style=_STATUS_STYLES.get(deployment.status, "cyan")),
                _duration(deployment, now),
                Text(deployment.status_reason or ""),
            )
        console.print(Text(heading, style="bold"))
        console.print(table)
        console.print()


def _build(file: str, account_id: str | None, region: str | None, err: TextIO) -> Scenario | None:
    try:
        return build_scenario(file, account_id=account_id, region=region)
    except ScenarioError as error:
        print(f"FAIL {error}", file=err)
    except OSError as error:
        print(f"FAIL {file}: {error.strerror or error}", file=err)
    return None


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _duration(deployment: ServiceDeployment | DaemonDeployment, now: int) -> str:
    """How long it ran: start to finish, or start to now (``so far``); ``-`` if not started."""
    if deployment.started_ms is None:
        return "-"
    if deployment.finished_ms is None:
        return f"{_span(now - deployment.started_ms)} so far"
    return _span(deployment.finished_ms - deployment.started_ms)


def _span(ms: int) -> str:
    """``ms`` in its two largest units: ``45s``, ``6m 30s``, ``2h 5m``, ``3d 4h``."""
    seconds = max(ms, 0) // 1000
    parts = [
        (seconds // 86_400, "d"),
        (seconds // 3600 % 24, "h"),
        (seconds // 60 % 60, "m"),
        (seconds % 60, "s"),
    ]
    shown = [f"{value}{unit}" for value, unit in parts if value][:2]
    return " ".join(shown) or "0s"
