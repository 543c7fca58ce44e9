"""``handcue run``: tracker -> gestures -> actions without the GUI.

Prints one JSON object per line on stdout: ``start``, then ``gesture`` events, ``action``
records (with ``latency_ms``: from the frame's events being ready to the input being injected;
``inject_ms``: the part spent in the OS input call; ``pipeline_ms``: tracking + gesture time of
that frame), ``state`` changes (armed, paused, released), ``counts`` when the numbers the hands
show change (each hand's ``count`` and the two-hand ``total``), ``profile`` switches, ``pointer``
lines in pointer mode, and a final ``end`` summary with latency statistics. Diagnostics go to
stderr.

``handcue run`` starts armed (the user asked for actions by typing the command; the GUI starts
disarmed), unless ``--disarmed`` or ``actions.run_starts_armed = false``. Everything held down
is released at the end of the source, on Ctrl-C / SIGTERM / SIGHUP / SIGQUIT and on any error;
the input guardian (:mod:`app.desktop.guardian`) releases it if the process is killed or crashes.

``type:`` text is typed in the background. When the source ends, the run waits for the text
still being typed, at most ``TYPING_FINISH_S`` seconds; a stop (Ctrl-C, a signal, an error)
drops it at once. A text not typed whole gets a second ``action`` line for its action, with
``"status": "cut"``, ``typed`` (characters that went out) and ``total``, and a warning on
stderr; the ``end`` line counts them in ``cut``.

If the X display goes away (the X server stopped or crashed) the run stops within a frame,
forgets what was held there, prints its ``end`` line (``"reason": "display lost"``) and exits
with code 4 and one line on stderr saying so (:class:`app.desktop.input_sink.DisplayLossMonitor`
keeps the other parts' complaints about the same thing quiet).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.map_option import MAP_OPTIONS_HELP, parse_map
from app.cli.run_output import (
    RunSummary,
    counts_line,
    cut_line,
    event_line,
    pointer_line,
    profile_line,
    record_line,
    stats,
)
from app.cli.run_setup import (
    load_settings,
    make_sink,
    make_templates,
    make_tracker,
    make_window_source,
    open_frames,
    run_threads,
    with_threads,
)
from pipeline.errors import HandCueError

if TYPE_CHECKING:
    from pipeline.actions.engine import ActionRecord
    from pipeline.focus import ProfileChoice
    from pipeline.settings import AppConfig
    from pipeline.sources import FrameSource

log = logging.getLogger(__name__)


__all__ = ["parse_map", "register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="turn gestures into key presses and clicks without the GUI (JSON lines out)",
        description="Track hands, recognise gestures and perform the mapped actions. Prints "
        "each gesture event and action as a JSON line. Starts armed; the arm gesture toggles "
        "it and the pause hotkey pauses everything.",
        epilog="ACTION syntax: " + _action_help(),
    )
    p.add_argument(
        "--source",
        required=True,
        metavar="CAMERA|VIDEO|FOLDER",
        help="camera index, video or images",
    )
    p.add_argument(
        "--profile",
        metavar="NAME",
        help="use this profile all the time (default: follow the [switching] rules of the "
        "settings as the active window changes, else the active profile)",
    )
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="GESTURE[OPTIONS]=ACTION",
        help="add or replace a mapping for this run (repeatable), e.g. thumb_up=key:n or "
        "fist=click:left. Options in [...] right after the gesture set the other fields of a "
        'settings-file mapping: "open_palm[trigger=while_held,repeat=150]=scroll:down" '
        "(quote it: some shells treat [ ] specially). " + MAP_OPTIONS_HELP,
    )
    from pipeline.settings import MAX_HANDS, MODEL_SIZES

    p.add_argument("--dry-run", action="store_true", help="print the actions, inject nothing")
    p.add_argument(
        "--max-hands", type=int, metavar="N", help=f"most hands to track (1-{MAX_HANDS})"
    )
    p.add_argument("--model", choices=MODEL_SIZES, help="model size (default: settings)")
    p.add_argument("--config", type=Path, metavar="FILE", help="settings file to use instead")
    p.add_argument("--disarmed", action="store_true", help="start disarmed (arm by gesture)")
    p.add_argument("--realtime", action="store_true", help="pace video files at their frame rate")
    p.add_argument(
        "--pointer",
        action="store_true",
        help="pointer mode: the hand moves the mouse pointer (pinch clicks, fist clutches; "
        "settings in [pointer]); prints a 'pointer' JSON line per frame",
    )
    from app.cli.options import add_frame_step_option

    add_frame_step_option(p)
    p.add_argument(
        "--image-seconds",
        type=_image_seconds,
        default=DEFAULT_IMAGE_SECONDS,
        metavar="S",
        help="image folders and single images: show each image for S seconds, as a camera "
        "sees a hand held still, so that its gesture can last the mappings' hold time "
        f"(0-{MAX_IMAGE_SECONDS:g}, default {DEFAULT_IMAGE_SECONDS:g}; 0 = one frame each)",
    )
    p.set_defaults(func=run)


# When the source ends, text still being typed gets this long to finish (then it is cut).
TYPING_FINISH_S = 10.0

# An image of a folder source lasts this long by default: long enough for a new hand's gesture
# to be trusted, to pass the stabiliser and a mapping's hold time and to fire once (a thumb up on
# a photo fires 0.8 s into its image with the default settings).
DEFAULT_IMAGE_SECONDS = 1.5
MAX_IMAGE_SECONDS = 60.0


def _image_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0.0 <= value <= MAX_IMAGE_SECONDS:
        raise argparse.ArgumentTypeError(
            f"must be from 0 to {MAX_IMAGE_SECONDS:g} seconds, got {text}"
        )
    return value


def _action_help() -> str:
    from pipeline.actions.spec import ACTION_SYNTAX_HELP

    return ACTION_SYNTAX_HELP


# ----------------------------------------------------------------------------- setup


# Signals that end a run like Ctrl-C: SIGHUP is the terminal closing, SIGQUIT Ctrl-\\.
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")


@contextlib.contextmanager
def _sigterm_as_interrupt(release: Callable[[], None] | None = None) -> Iterator[None]:
    """SIGTERM, SIGHUP and SIGQUIT end the run like Ctrl-C does (so ``finally`` blocks release
    keys). Only the first signal interrupts: later ones are ignored while shutting down, so they
    cannot cut the release short. ``release`` runs before the previous handlers come back
    (a signal arriving in between would otherwise kill the process with a key down)."""
    if threading.current_thread() is not threading.main_thread():
        try:
            yield
        finally:
            if release is not None:
                release()
        return
    fired = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        if not fired.is_set():
            fired.set()
            raise KeyboardInterrupt

    previous = {}
    for name in STOP_SIGNALS:
        if hasattr(signal, name):
            number = getattr(signal, name)
            previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        fired.set()  # from here on every stop signal is ignored until the handlers go back
        try:
            if release is not None:
                release()
        finally:
            for number, old in previous.items():
                if old is not None:  # None: a handler not set from Python, cannot be restored
                    signal.signal(number, old)


# ----------------------------------------------------------------------------- run


def _controls_hint(cfg: AppConfig, armed: bool, dry_run: bool) -> str:
    """One line telling the user how to control the run."""
    settings = cfg.actions
    parts = ["armed" if armed else "disarmed"]
    if settings.arm_gesture != "none":
        seconds = settings.arm_hold_ms / 1000.0
        parts.append(f"hold {settings.arm_gesture} for {seconds:g} s to arm/disarm")
    if settings.pause_hotkey and not dry_run:
        parts.append(f"{settings.pause_hotkey} pauses/resumes")
    parts.append("Ctrl-C stops")
    if dry_run:
        parts.append("dry run: nothing is injected")
    return "; ".join(parts)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Iterate the shared runtime over the source and print each step as JSON lines."""
    from app.desktop.instance_client import refuse_if_camera_in_use

    refuse_if_camera_in_use(args.source)  # the desktop app may be tracking the same camera
    out = sys.stdout if out is None else out

    def warn(message: str) -> None:
        print(f"handcue: warning: {message}", file=sys.stderr)

    emit_lock = threading.Lock()  # the profile switcher's thread prints too

    def emit(obj: dict[str, Any]) -> None:
        with emit_lock:
            out.write(json.dumps(obj) + "\n")
            out.flush()

    from pipeline.runtime import build_runtime, make_engine, make_switcher

    cfg, overrides = load_settings(args, warn)
    profile = args.profile or cfg.active_profile
    backend: dict[str, str] = {}  # the input backend: its name and one-line description
    prefer_uinput = getattr(getattr(cfg, "actions", None), "input_backend", "auto") == "uinput"
    sink = make_sink(
        args.dry_run, warn, prefer_uinput=prefer_uinput,
        described=lambda name, line: backend.update(name=name, line=line),
    )  # fmt: skip
    engine = make_engine(
        cfg, sink, front="run", profile=profile, overrides=overrides,
        armed=False if args.disarmed else None,
    )  # fmt: skip
    switcher = make_switcher(cfg, engine, pinned=args.profile, source_factory=make_window_source)
    last_choice: list[tuple[str, str, int] | None] = [None]
    choice_lock = threading.Lock()

    def on_choice(choice: ProfileChoice) -> None:  # watcher thread: print switches, not every title
        key = (choice.profile, choice.source, choice.rule_index)
        with choice_lock:
            if key == last_choice[0]:
                return
            if choice.source == "no_window" and last_choice[0] is not None:
                return  # focus moving between windows: the profile stays
            last_choice[0] = key
        emit(profile_line(choice))

    from app.desktop.pointer import make_pointer_hook, start_pointer_hotkey

    pointer = make_pointer_hook(args, cfg, sink, engine, warn)  # None unless pointer mode is wanted
    pointer_hotkey = None
    if pointer is not None and not args.dry_run:
        pointer_hotkey = start_pointer_hotkey(pointer, warn)
    hotkey = None
    summary = RunSummary()
    reason = "end of source"
    code = 0
    started = time.perf_counter()
    released: list[ActionRecord] = []
    last_counts: tuple | None = None
    sources: list[FrameSource] = []  # the source, once open (for its count of skipped frames)

    def skipped_frames() -> int:
        return int(getattr(sources[0], "skipped", 0)) if sources else 0

    def report_cuts() -> None:
        """A line for each ``type:`` text the sink could not type whole (see the docstring)."""
        take = getattr(sink, "take_cuts", None)
        for cut in take() if callable(take) else ():
            summary.add_cut()
            with contextlib.suppress(Exception):
                emit(cut_line(cut))

    from app.desktop.input_sink import DisplayLossMonitor

    loss = DisplayLossMonitor()  # the X display going away ends the run with one line
    if not args.dry_run:
        loss.start()
    try:
        with _sigterm_as_interrupt(lambda: released.extend(engine.release_all())):
            if not args.dry_run and cfg.actions.pause_hotkey:
                from app.desktop.input_sink import PauseHotkey

                # The engine is thread-safe; the state change is reported with the next frame.
                hotkey = PauseHotkey(cfg.actions.pause_hotkey, engine.toggle_paused)
                if not hotkey.start():
                    warn(f"the pause hotkey {cfg.actions.pause_hotkey} is not available")
            with open_frames(
                args.source, args.realtime, args.frame_step, image_seconds=args.image_seconds
            ) as frames:
                runtime = build_runtime(
                    cfg,
                    engine=engine,
                    templates=make_templates(warn),
                    tracker=make_tracker(with_threads(cfg, run_threads(cfg, args))),
                    pointer=pointer,
                )
                # Power saving with nothing in view: frames the motion gate does not need are
                # read but not converted or tracked (the tracker says which).
                source = getattr(frames, "source", None)
                wants = getattr(runtime.tracker, "wants_frame", None)
                if source is not None and hasattr(source, "wants") and wants is not None:
                    source.wants = wants
                    sources.append(source)
                unavailable = switcher.start()  # the active window may choose another profile
                if unavailable and not args.profile and cfg.switching.enabled:
                    warn(unavailable)
                emit(
                    {
                        "type": "start",
                        "source": args.source,
                        "profile": engine.profile,
                        "armed": engine.armed,
                        "dry_run": bool(args.dry_run),
                        "provider": runtime.provider or None,
                        "input_backend": backend.get("name"),
                        "input": backend.get("line"),
                        "mappings": [
                            {"gesture": m.gesture, "action": m.action, "trigger": m.trigger}
                            for m in engine.mappings
                        ],
                    }
                )
                if backend:
                    print(f"handcue: {backend['line']}", file=sys.stderr)
                print(
                    f"handcue: {_controls_hint(cfg, engine.armed, args.dry_run)}", file=sys.stderr
                )
                switcher.add_listener(on_choice)
                on_choice(switcher.choice)
                for frame in frames:
                    if loss.lost:
                        break
                    step = runtime.step(frame.image, frame.timestamp_ms, frame.index)
                    summary.add_frame(step)
                    for event in step.events:
                        emit(event_line(event))
                    if (line := pointer_line(step.pointer)) is not None:
                        emit(line)
                    counts = counts_line(step)
                    shown = None if counts is None else (counts["hands"], counts["total"])
                    if counts is not None and shown != last_counts:
                        emit(counts)  # only when the numbers change
                    last_counts = shown
                    for record in step.actions:
                        pipeline_ms = step.pipeline_ms if record.kind == "action" else None
                        emit(record_line(record, pipeline_ms))
                        summary.add_record(record)
                        if record.status == "failed":
                            raise HandCueError(
                                f"could not inject {record.action}: {record.detail}", code=5
                            )
                    report_cuts()
            # The source ended: text still being typed may finish (bounded), not be dropped.
            finish_typing = getattr(sink, "finish", None)
            if callable(finish_typing) and not loss.lost:
                finish_typing(TYPING_FINISH_S)
    except KeyboardInterrupt:
        reason, code = "interrupted", 130
    except BrokenPipeError:  # e.g. piped into `head`
        reason = "output closed"
    except Exception as exc:
        if not loss.confirm(exc):  # a failure because the display is gone: reported below
            raise
    finally:
        switcher.stop()
        if pointer is not None:
            pointer.release()
        if pointer_hotkey is not None:
            pointer_hotkey.stop()
        for record in [*released, *engine.release_all()]:
            with contextlib.suppress(Exception):
                emit(record_line(record, None))
        report_cuts()
        if hotkey is not None:
            hotkey.stop()
        close = getattr(sink, "close", None)
        if close is not None:
            close()
        report_cuts()
        loss.stop()
    if loss.lost:
        reason = "display lost"
    elapsed = time.perf_counter() - started
    with contextlib.suppress(BrokenPipeError, ValueError):
        emit(
            {
                "type": "end",
                "reason": reason,
                "frames": summary.frames,
                # frames power saving read but did not track (nothing in view)
                "skipped": skipped_frames(),
                "fps": round(summary.frames / elapsed, 2) if elapsed > 0 else None,
                "actions": summary.actions_done,
                "cut": summary.cuts,  # texts of type: actions not typed whole
                "latency_ms": stats(summary.latencies),
                "overhead_ms": stats(summary.overheads),
                "pipeline_ms": stats(summary.pipeline_times),
            }
        )
    if loss.error is not None:
        raise loss.error  # one line on stderr and exit code 4 (app.cli.main)
    return code
