"""``handcue window``: the active window as the per-application rules see it.

Prints one JSON line for the active window (app names, title, process) and the profile the
settings' rules choose for it, to help write rules. ``--watch SECONDS`` keeps watching (the
same watcher thread as ``handcue run`` and the app, at ``[switching] poll_ms``), prints a line
per change, and ends with the watcher's own cost: its thread's CPU time over wall time, and CPU
time per poll.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pipeline.errors import HandCueError

if TYPE_CHECKING:
    from pipeline.focus import WindowInfo
    from pipeline.settings import AppConfig


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "window",
        help="show the active window and the profile the rules choose for it",
        description="Show the active window as the per-application rules see it ([switching] "
        "in the settings) and the profile they choose. With --watch, follow changes and report "
        "the watcher's CPU cost at the end.",
    )
    p.add_argument("--watch", type=float, metavar="SECONDS", help="keep watching this long")
    p.add_argument("--config", type=Path, metavar="FILE", help="settings file to use instead")
    p.set_defaults(func=run)


def _config(path: Path | None) -> AppConfig:
    from pipeline.settings import load_config, read_config_file

    if path is None:
        cfg, problems = load_config()
    else:
        read, problems = read_config_file(path)
        if read is None:
            raise HandCueError("\n".join(problems))
        cfg = read
    for message in problems:
        print(f"handcue: warning: {message}", file=sys.stderr)
    return cfg


def window_line(window: WindowInfo | None, cfg: AppConfig) -> dict[str, Any]:
    from pipeline.focus import choose_profile

    choice = choose_profile(cfg, window)
    return {
        "type": "window",
        "window": None if window is None else window.as_dict(),
        "profile": choice.profile,
        "reason": choice.reason,
    }


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from app.desktop.focus import create_window_source
    from pipeline.focus import WatcherUnavailable, WindowWatcher

    out = sys.stdout if out is None else out
    cfg = _config(args.config)
    if args.watch is not None and not 0 < args.watch <= 24 * 3600:
        raise HandCueError("--watch must be a number of seconds between 0 and 86400")
    try:
        source = create_window_source()
    except WatcherUnavailable as exc:
        raise HandCueError(str(exc), code=3) from None
    lock = threading.Lock()

    def emit(window: WindowInfo | None) -> None:
        with lock:
            out.write(json.dumps(window_line(window, cfg)) + "\n")
            out.flush()

    if args.watch is None:
        try:
            emit(source.active_window())
        finally:
            source.close()
        return 0
    watcher = WindowWatcher(source, emit, interval_s=cfg.switching.poll_ms / 1000.0)
    watcher.start()
    try:
        time.sleep(args.watch)
    finally:
        watcher.stop()
    polls = max(watcher.polls, 1)
    with lock:
        out.write(
            json.dumps(
                {
                    "type": "end",
                    "seconds": args.watch,
                    "poll_ms": cfg.switching.poll_ms,
                    "polls": watcher.polls,
                    "cpu_percent_of_one_core": round(100.0 * watcher.cpu_share, 4),
                    "cpu_ms_per_poll": round(1000.0 * watcher.cpu_seconds / polls, 4),
                }
            )
            + "\n"
        )
    return 0
