"""``handcue gui`` (also what plain ``handcue`` runs): the desktop app."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gui",
        help="open the desktop app (the default command)",
        description="Open the HandCue window: live tracking, gesture mappings, recorder, tray.",
    )
    parser.add_argument(
        "--source",
        metavar="SOURCE",
        help="start tracking at once: a camera index (0), a video file or an image folder",
    )
    parser.add_argument(
        "--minimised",
        "--minimized",
        action="store_true",
        help="start hidden in the system tray (where a tray is available)",
    )
    parser.add_argument(
        "--pointer",
        action="store_true",
        help="start in pointer mode (the hand moves the mouse; no key needed after this)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here so that other commands do not load Qt.
    from app.gui.app import run as run_gui

    return run_gui(args.source, minimised=args.minimised, pointer=args.pointer)
