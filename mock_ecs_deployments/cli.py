"""``mock-ecs-deployments`` (also ``python -m mock_ecs_deployments``): check and show scenario
files, and serve the mock over HTTP for the AWS CLI and other SDKs.

Each subcommand lives with the feature it belongs to; this module only wires them up, and
imports a subcommand's module only when that subcommand runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# name -> (module, one-line help). The module provides ``configure(parser)`` and
# ``run(args) -> int``.
SUBCOMMANDS = {
    "validate": ("mock_ecs_deployments.scenarios.commands", "check scenario files"),
    "show": ("mock_ecs_deployments.scenarios.commands", "show a scenario as a timeline"),
    "schema": ("mock_ecs_deployments.scenarios.commands", "print the scenario JSON Schema's path"),
    "serve": ("mock_ecs_deployments.server.app", "serve the mock over HTTP on moto's server"),
    "load": ("mock_ecs_deployments.server.commands", "load a scenario into a running server"),
    "advance": ("mock_ecs_deployments.server.commands", "move a running server's clock forward"),
    "reset": ("mock_ecs_deployments.server.commands", "reset a running server to its start"),
    "record": (
        "mock_ecs_deployments.scenarios.record",
        "record services' and daemons' history as a scenario",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser: one subcommand, whose own arguments its module adds."""
    parser = argparse.ArgumentParser(
        prog="mock-ecs-deployments",
        description="Mock Amazon ECS service deployments: scenarios and server mode.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, summary) in SUBCOMMANDS.items():
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.set_defaults(_module=module_name)
        # Arguments are added lazily by the module itself, when it is the one that runs.
        sub.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns its exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    top = build_parser().parse_args(arguments[:1] or arguments)
    module = importlib.import_module(top._module)
    parser = argparse.ArgumentParser(
        prog=f"mock-ecs-deployments {top.command}", description=SUBCOMMANDS[top.command][1]
    )
    module.configure(parser, top.command)
    args = parser.parse_args(arguments[1:])
    return int(module.run(args, top.command))


if __name__ == "__main__":  # pragma: no cover - exercised through __main__.py
    sys.exit(main())
