"""``handcue toggle pause|pointer``: what the global hotkeys do, from a command.

On a Wayland session HandCue cannot grab a key for every application (the hotkeys reach it
only while an X11 window has the focus), so the desktop's own keyboard settings bind a key to
this command instead. It asks the running app (its local channel,
:mod:`app.desktop.instance_client`) to flip pause or pointer mode and prints the new state;
exit 1 when no app runs or the change is not possible there.
"""

from __future__ import annotations

import argparse
import json

from app.desktop.instance_client import toggle_running

WORDS = {
    "pause": lambda state: "HandCue is paused" if state["paused"] else "HandCue is running",
    "pointer": lambda state: "pointer mode is on" if state["pointer"] else "pointer mode is off",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "toggle",
        help="pause/resume the running app or switch its pointer mode (bind it to a key)",
        description="Flip pause or pointer mode in the running HandCue app, as Ctrl+Alt+P and "
        "Ctrl+Alt+M do. On Wayland bind this command to a key in your desktop's keyboard "
        "settings: there HandCue's own hotkeys only work while an X11 window has the focus.",
    )
    p.add_argument("what", choices=sorted(WORDS), help="what to switch")
    p.add_argument("--json", action="store_true", help="print the new state as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    state = toggle_running(args.what)
    if args.json:
        print(json.dumps({"paused": state.get("paused"), "pointer": state.get("pointer")}))
    else:
        print(WORDS[args.what](state))
    return 0
