"""``handcue`` command line. Each command group lives in its own module with a ``register``
function that adds a sub-parser and sets ``func`` (returning the exit code)."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from app.version import handcue_version
from pipeline.errors import HandCueError

# Modules that provide sub-commands, in help order. Each has register(subparsers) -> None.
COMMAND_MODULES = (
    "app.cli.gui",
    "app.cli.detect",
    "app.cli.bench",
    "app.cli.accuracy",
    "app.cli.models",
    "app.cli.gestures",
    "app.cli.run",
    "app.cli.window",
    "app.cli.config",
    "app.cli.autostart",
    "app.cli.pointer_test",
    "app.cli.toggle",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="handcue", description="Hands-free desktop control from hand gestures."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    parser.add_argument(
        "--version", action="version", version=f"handcue {handcue_version()}",
        help="print the version and exit",
    )  # fmt: skip
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    if (sys.argv[1:] if argv is None else argv)[:1] == ["--input-guardian"]:
        from app.desktop import (
            guardian,  # a frozen build starts its guardian through its own binary
        )

        return guardian.main([])
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:  # plain `handcue` starts the app
        args = parser.parse_args(["gui", *(argv or [])])
    try:
        return int(args.func(args) or 0)
    except HandCueError as exc:
        print(f"handcue: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("handcue: interrupted", file=sys.stderr)
        return 130
