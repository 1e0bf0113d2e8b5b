"""The ``load``, ``advance`` and ``reset`` subcommands of ``mock-ecs-deployments``: drive a
running server from a shell script, for test suites written in other languages.

They talk HTTP to the server's control API (through :class:`~.client.MockEndpoint`) and import
neither moto nor werkzeug, so they start quickly and need no ``server`` extra.
"""

from __future__ import annotations

import argparse
import os
import sys

from .client import ControlRequestError, MockEndpoint, format_time

COMMANDS = ("load", "advance", "reset")
#: Where ``--endpoint-url`` is read from when it is not given (as the AWS CLI reads it).
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_ECS", "AWS_ENDPOINT_URL")


def configure(parser: argparse.ArgumentParser, command: str) -> None:
    """Add the arguments of ``command`` to its parser.

    :param parser: the subcommand's own parser.
    :param command: ``load``, ``advance`` or ``reset``.
    :raises ValueError: for another command.
    """
    if command == "load":
        parser.add_argument(
            "file", metavar="FILE", help="a scenario file (YAML or JSON); - reads standard input"
        )
    elif command == "advance":
        parser.add_argument(
            "seconds", metavar="SECONDS", type=float, help="how far the clock moves (seconds)"
        )
    elif command != "reset":
        raise ValueError(f"command: {command!r} is not allowed; allowed values: {COMMANDS}")
    default = next((os.environ[name] for name in ENDPOINT_VARIABLES if os.environ.get(name)), None)
    parser.add_argument(
        "--endpoint-url",
        default=default,
        required=default is None,
        metavar="URL",
        help="the server, e.g. http://127.0.0.1:5000 (default: AWS_ENDPOINT_URL_ECS, else"
        " AWS_ENDPOINT_URL)",
    )


def run(args: argparse.Namespace, command: str) -> int:
    """Make the request; returns 0 when the server did it, 1 when it refused or could not be
    reached (its message on standard error), 2 when FILE cannot be read.

    :param args: the parsed arguments of :func:`configure`.
    :param command: ``load``, ``advance`` or ``reset``.
    """
    endpoint = MockEndpoint(args.endpoint_url)
    try:
        if command == "load":
            try:
                document = sys.stdin.buffer.read() if args.file == "-" else _read(args.file)
            except OSError as error:
                print(f"{command}: cannot read {args.file}: {error}", file=sys.stderr)
                return 2
            loaded = endpoint.load_scenario(document)
            print(
                f"loaded {args.file}: {_count(loaded['services'], 'service')},"
                f" {_count(loaded['deployments'], 'deployment')}"
            )
        elif command == "advance":
            print(format_time(endpoint.advance(args.seconds)))
        elif command == "reset":
            endpoint.reset()
        else:
            raise ValueError(f"command: {command!r} is not allowed; allowed values: {COMMANDS}")
    except ControlRequestError as refused:
        print(f"{command}: {refused.message} ({refused.method} {refused.url})", file=sys.stderr)
        return 1
    return 0


def _read(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


__all__ = ["COMMANDS", "ENDPOINT_VARIABLES", "configure", "run"]
