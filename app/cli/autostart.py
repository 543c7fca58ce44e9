"""``handcue autostart on | off | status``: start HandCue at login, minimised to the tray."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "autostart",
        help="start HandCue when you log in (on, off, status)",
        description="Start HandCue minimised to the tray when you log in: an XDG autostart "
        "entry on Linux, the per-user Run registry key on Windows, a LaunchAgent on macOS.",
    )
    parser.add_argument("state", choices=("on", "off", "status"), help="what to do")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.desktop.autostart import autostart_for_platform

    entry = autostart_for_platform()
    if args.state == "on":
        entry.enable()
        print(f"HandCue will start at login (minimised): {entry.describe()}")
    elif args.state == "off":
        entry.disable()
        print("HandCue will not start at login.")
    else:
        state = "on" if entry.is_enabled() else "off"
        print(f"start at login: {state} ({entry.describe()})")
    return 0
