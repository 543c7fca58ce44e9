"""``handcue pointer-test``: the pointing self-test (ISO 9241-9 style tapping task).

Opens the test window (full screen, or ``--window WxH``): hold the hand still for a moment,
then click the highlighted target as it jumps across a circle, 6 sequences of 13 targets. The
hand in ``--source`` (a camera or a video file) drives the pointer through pointer mode with
the ``[pointer]`` settings (clicks by pinch or dwell as set there); the pointer lives in the
test window only, nothing is sent to the desktop. ``--script FILE`` plays a recorded pointer
path instead (no camera; see :func:`pipeline.pointer.fitts.load_script` for its format).

At the end it shows and prints the result (throughput, error rate, movement time, still-hand
jitter), the comparison with earlier tests and suggestions, and adds the result to the
history in the data folder (not with ``--no-save``). ``--json`` prints one JSON object.
Exit codes: 0 done, 1 not finished (closed, source ended), 2 bad input, 3 models missing.

Qt is loaded only once the input has been checked (a bad file never opens a window).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TextIO

from pipeline.errors import HandCueError

MAX_SPEED = 1000.0
MAX_LINGER_S = 600.0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "pointer-test",
        help="measure how well the hand points: throughput, errors, movement time, jitter",
        description="The pointing self-test: click targets on a circle with the hand "
        "(pointer mode, [pointer] settings). Prints throughput (bits/s), error rate, movement "
        "time and still-hand jitter, compares them with earlier tests and suggests settings.",
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--source", metavar="CAMERA|VIDEO", help="camera index or video file: the hand in it"
    )
    what.add_argument(
        "--script", type=Path, metavar="FILE", help="play a scripted pointer path (JSON)"
    )
    p.add_argument(
        "--speed", type=_speed, default=1.0, metavar="X",
        help=f"--script: play X times faster (0 < X <= {MAX_SPEED:g}; the scores use the "
        "script's own times)",
    )  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.add_argument("--no-save", action="store_true", help="do not add the result to the history")
    p.add_argument("--config", type=Path, metavar="FILE", help="settings file to use instead")
    p.add_argument(
        "--window", type=_size, metavar="WxH", help="a window of this size, not full screen"
    )
    p.add_argument(
        "--linger", type=_linger, default=3.0, metavar="S",
        help="--script: keep the result on screen S seconds before closing (default 3)",
    )  # fmt: skip
    p.set_defaults(func=run)


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= MAX_SPEED:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most {MAX_SPEED:g}, got {text}")
    return value


def _linger(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value <= MAX_LINGER_S:
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_LINGER_S:g} s, got {text}")
    return value


def _size(text: str) -> tuple[int, int]:
    parts = text.lower().split("x")
    try:
        w, h = (int(v) for v in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be WIDTHxHEIGHT in pixels, e.g. 1024x640, not {text!r}"
        ) from None
    if not (480 <= w <= 10000 and 320 <= h <= 10000):
        raise argparse.ArgumentTypeError(
            f"must be at least 480x320 and at most 10000x10000, got {text}"
        )
    return w, h


def _load_config(path: Path | None):  # -> AppConfig
    from pipeline.settings import default_known_gestures, load_config, read_config_file

    known = default_known_gestures()
    if path is not None:
        cfg, problems = read_config_file(path, known_gestures=known)
        if cfg is None:
            raise HandCueError("\n".join(problems))
    else:
        cfg, problems = load_config(known_gestures=known)
    for problem in problems:
        print(f"handcue: warning: {problem}", file=sys.stderr)
    return cfg


def _check_display() -> None:
    """A clear refusal where no window can open (instead of Qt aborting the process)."""
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise HandCueError(
            "the pointing test needs a display for its window (DISPLAY and WAYLAND_DISPLAY "
            "are not set); run it on the desktop"
        )


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = sys.stdout if out is None else out
    cfg = _load_config(args.config)
    script = source = tracker = None
    handed = False  # the source belongs to the test window once handed to it (it closes it)
    if args.script is not None:
        from pipeline.pointer.fitts import load_script

        script = load_script(args.script)
    _check_display()
    try:
        if script is None:
            from app.desktop.instance_client import refuse_if_camera_in_use
            from pipeline.runtime import make_tracker
            from pipeline.sources import open_source

            refuse_if_camera_in_use(args.source)
            source = open_source(args.source)  # SourceError: a clear line, exit 2
            tracker = make_tracker(cfg)  # slow: loads the models (ModelsMissingError, code 3)
        from app.gui.pointing_test import run_task_window

        handed = True
        outcome, reason = run_task_window(
            settings=cfg.pointer, script=script, speed=args.speed, source=source,
            tracker=tracker, config=cfg, window_size=args.window, linger_s=args.linger,
            save=not args.no_save,
        )  # fmt: skip
    finally:
        if source is not None and not handed:
            source.close()
    if outcome is None:
        print(f"handcue: pointing test not finished: {reason}; nothing saved", file=sys.stderr)
        return 1
    if outcome.save_error is not None:
        print(f"handcue: warning: {outcome.save_error}", file=sys.stderr)
    if args.json:
        out.write(json.dumps(outcome.to_json()) + "\n")
    else:
        for line in outcome.lines():
            out.write(line + "\n")
        if outcome.saved is not None:
            out.write(f"Saved in {outcome.saved}\n")
    out.flush()
    return 0
