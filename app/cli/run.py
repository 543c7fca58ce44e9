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
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import signal
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from app.cli.map_option import MAP_OPTIONS_HELP, parse_map
from pipeline.errors import HandCueError

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
    from pipeline.settings import MAX_HANDS

    p.add_argument("--dry-run", action="store_true", help="print the actions, inject nothing")
    p.add_argument(
        "--max-hands", type=int, metavar="N", help=f"most hands to track (1-{MAX_HANDS})"
    )
    p.add_argument("--model", choices=("full", "lite"), help="model size (default: settings)")
    p.add_argument("--config", type=Path, metavar="FILE", help="settings file to use instead")
    p.add_argument("--disarmed", action="store_true", help="start disarmed (arm by gesture)")
    p.add_argument("--realtime", action="store_true", help="pace video files at their frame rate")
    p.add_argument(
        "--pointer",
        action="store_true",
        help="pointer mode: the hand moves the mouse pointer (pinch clicks, fist clutches; "
        "settings in [pointer]); prints a 'pointer' JSON line per frame",
    )
    from app.cli.detect import add_frame_step_option

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


def load_settings(args: argparse.Namespace, warn: Callable[[str], None]) -> tuple[Any, list[Any]]:
    """The config (with --max-hands / --model applied) and the --map overrides, checked."""
    from pydantic import ValidationError

    from pipeline.settings import (
        MAX_HANDS,
        AppConfig,
        default_known_gestures,
        load_config,
        read_config_file,
    )
    from pipeline.settings.store import did_you_mean

    known = default_known_gestures()
    if args.config is not None:
        cfg, problems = read_config_file(args.config, known_gestures=known)
        if cfg is None:
            raise HandCueError("\n".join(problems))
    else:
        cfg, problems = load_config(known_gestures=known)
    for problem in problems:
        warn(problem)
    overrides = [parse_map(text) for text in args.map]
    for binding in overrides:
        if binding.gesture not in known:
            names = ", ".join(sorted(g for g in known if g != "none"))
            hint = did_you_mean(binding.gesture, known - {"none"})
            raise HandCueError(f"--map: unknown gesture {binding.gesture!r}; {hint}known: {names}")
        conflict = binding.conflict(cfg.actions)
        if conflict is not None:
            raise HandCueError(f"--map: {conflict}")
    update: dict[str, Any] = {}
    if args.max_hands is not None:
        if not 1 <= args.max_hands <= MAX_HANDS:
            raise HandCueError(
                f"--max-hands must be between 1 and {MAX_HANDS}, got {args.max_hands}"
            )
        update["max_hands"] = args.max_hands
    if getattr(args, "model", None) is not None:
        update["model"] = args.model
    if update:
        try:
            tracker = cfg.tracker.model_validate({**cfg.tracker.model_dump(), **update})
        except ValidationError as exc:  # pragma: no cover - the checks above come first
            raise HandCueError(str(exc.errors()[0]["msg"])) from None
        cfg = AppConfig.model_validate({**cfg.model_dump(), "tracker": tracker.model_dump()})
    cfg.profile(args.profile)  # an unknown --profile is an error before anything opens
    return cfg, overrides


def run_threads(cfg: Any, args: argparse.Namespace) -> int:
    """Inference threads: live tracking (a camera, or a video paced with ``--realtime``) takes
    the app's rule (:func:`pipeline.tracking.config.live_threads`); a video read as fast as it
    decodes takes the settings' number (0: onnxruntime's choice, every core)."""
    from pipeline.sources import is_camera_spec
    from pipeline.tracking.config import live_threads

    live = args.realtime or is_camera_spec(args.source)
    return live_threads(cfg.tracker.threads) if live else cfg.tracker.threads


def with_threads(cfg: Any, threads: int) -> Any:
    """``cfg`` with ``threads`` inference threads (the saved settings are not touched)."""
    if threads == cfg.tracker.threads:
        return cfg
    return cfg.model_copy(update={"tracker": cfg.tracker.model_copy(update={"threads": threads})})


# Seams for tests: the source, the tracker and the sink (a test replays a reference file).


@contextlib.contextmanager
def open_frames(
    spec: str, realtime: bool, frame_step: int = 1, image_seconds: float = 0.0
) -> Iterator[Iterable[Any]]:
    """The source's frames (every ``frame_step``-th of a video; each image of a folder for
    ``image_seconds``), paced by the shared clock (the app's capture thread uses it too)."""
    from pipeline.sources import FrameClock, open_source

    with open_source(
        spec, loop=False, frame_step=frame_step, image_seconds=image_seconds
    ) as source:
        yield PacedFrames(source, FrameClock(realtime=realtime))


class PacedFrames:
    """A source's frames paced by a clock; ``source`` stays reachable so the run can tell a
    video source which frames it may skip (:attr:`pipeline.sources.VideoSource.wants`)."""

    def __init__(self, source: Any, clock: Any) -> None:
        self.source = source
        self.clock = clock

    def __iter__(self) -> Iterator[Any]:
        return iter(self.clock.pace(self.source))


def make_tracker(cfg: Any) -> Any:
    from pipeline.runtime import make_tracker as runtime_tracker

    return runtime_tracker(cfg)


def make_templates(warn: Callable[[str], None]) -> Any:
    from pipeline.gestures import TemplateStore

    try:
        return TemplateStore()
    except HandCueError as exc:  # recordings are optional; a broken file must not stop a run
        warn(f"recorded gestures not loaded: {exc}")
        return None


def make_sink(dry_run: bool, warn: Callable[[str], None]) -> Any:
    if dry_run:
        from pipeline.actions import RecordingSink

        return RecordingSink()
    from app.desktop.input_sink import create_input_sink

    sink, warnings = create_input_sink()
    for message in warnings:
        warn(message)
    return sink


def make_window_source() -> Any:
    """The active-window source for per-application profiles (raises WatcherUnavailable)."""
    from app.desktop.focus import create_window_source

    return create_window_source()


def profile_line(choice: Any) -> dict[str, Any]:
    """A ``profile`` line: which profile the active window chose and why."""
    window = choice.window
    return {
        "type": "profile",
        "profile": choice.profile,
        "source": choice.source,
        "reason": choice.reason,
        "window": None if window is None else {"app": window.app, "title": window.title},
    }


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

    def handler(signum: int, frame: Any) -> None:
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


# ----------------------------------------------------------------------------- output


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def event_line(event: Any) -> dict[str, Any]:
    return {
        "type": "gesture",
        "frame": event.frame_index,
        "t_ms": _round(event.timestamp_ms, 1),
        "kind": event.kind,
        "gesture": event.gesture,
        "track_id": event.track_id,
        "hand": event.handedness,
        "started_ms": _round(event.started_ms, 1),
        "score": _round(event.score),
    }


def counts_line(step: Any) -> dict[str, Any] | None:
    """The numbers the hands show (each hand's ``count`` and the frame's two-hand ``total``),
    or None when no hand shows one."""
    hands = [
        {"track_id": hand.track_id, "hand": hand.handedness, "count": result.count}
        for hand in step.frame.hands
        if (result := step.gestures.get(hand.track_id)) is not None
    ]
    if all(h["count"] is None for h in hands):
        return None
    total = next(iter(step.gestures.values())).total
    return {
        "type": "counts",
        "frame": step.frame.frame_index,
        "t_ms": _round(step.frame.timestamp_ms, 1),
        "hands": hands,
        "total": total,
    }


def record_line(record: Any, pipeline_ms: float | None) -> dict[str, Any]:
    if record.kind == "state":
        line = {"type": "state", "status": record.status, "t_ms": _round(record.timestamp_ms, 1)}
        if record.detail:
            line["detail"] = record.detail
        return line
    line = {
        "type": "action",
        "frame": record.frame_index,
        "t_ms": _round(record.timestamp_ms, 1),
        "gesture": record.gesture,
        "track_id": record.track_id,
        "hand": record.handedness,
        "action": record.action,
        "trigger": record.trigger,
        "phase": record.phase,
        "status": record.status,
        "latency_ms": _round(record.latency_ms),
        "inject_ms": _round(record.inject_ms),
        "pipeline_ms": _round(pipeline_ms),
    }
    if record.detail:
        line["detail"] = record.detail
    return line


def _stats(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "mean": round(statistics.fmean(ordered), 3),
        "p50": round(ordered[len(ordered) // 2], 3),
        "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3),
        "max": round(ordered[-1], 3),
    }


# ----------------------------------------------------------------------------- run


def _controls_hint(cfg: Any, armed: bool, dry_run: bool) -> str:
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


class _Summary:
    """Counts and latency figures for the ``end`` line."""

    def __init__(self) -> None:
        self.frames = 0
        self.actions_done = 0
        self.latencies: list[float] = []
        self.overheads: list[float] = []  # latency minus the time inside the OS input call
        self.pipeline_times: list[float] = []

    def add_frame(self, step: Any) -> None:
        self.frames += 1
        self.pipeline_times.append(step.pipeline_ms)

    def add_record(self, record: Any) -> None:
        if record.kind != "action" or record.status != "done":
            return
        self.actions_done += 1
        if record.latency_ms is not None and record.phase != "release":
            self.latencies.append(record.latency_ms)
            if record.inject_ms is not None:
                self.overheads.append(record.latency_ms - record.inject_ms)


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
    sink = make_sink(args.dry_run, warn)
    engine = make_engine(
        cfg, sink, front="run", profile=profile, overrides=overrides,
        armed=False if args.disarmed else None,
    )  # fmt: skip
    switcher = make_switcher(cfg, engine, pinned=args.profile, source_factory=make_window_source)
    last_choice: list[Any] = [None]
    choice_lock = threading.Lock()

    def on_choice(choice: Any) -> None:  # watcher thread: print switches, not every title
        key = (choice.profile, choice.source, choice.rule_index)
        with choice_lock:
            if key == last_choice[0]:
                return
            if choice.source == "no_window" and last_choice[0] is not None:
                return  # focus moving between windows: the profile stays
            last_choice[0] = key
        emit(profile_line(choice))

    from app.desktop.pointer import make_pointer_run

    pointer = make_pointer_run(args, cfg, sink, warn)  # None unless pointer mode is wanted
    hotkey = None
    summary = _Summary()
    reason = "end of source"
    code = 0
    started = time.perf_counter()
    released: list[Any] = []
    last_counts: tuple | None = None
    sources: list[Any] = []  # the source, once open (for its count of skipped frames)

    def skipped_frames() -> int:
        return int(getattr(sources[0], "skipped", 0)) if sources else 0

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
                        "mappings": [
                            {"gesture": m.gesture, "action": m.action, "trigger": m.trigger}
                            for m in engine.mappings
                        ],
                    }
                )
                print(
                    f"handcue: {_controls_hint(cfg, engine.armed, args.dry_run)}", file=sys.stderr
                )
                switcher.add_listener(on_choice)
                on_choice(switcher.choice)
                for frame in frames:
                    step = runtime.step(frame.image, frame.timestamp_ms, frame.index)
                    summary.add_frame(step)
                    for event in step.events:
                        emit(event_line(event))
                    if step.pointer is not None:
                        emit(step.pointer)
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
    except KeyboardInterrupt:
        reason, code = "interrupted", 130
    except BrokenPipeError:  # e.g. piped into `head`
        reason = "output closed"
    finally:
        switcher.stop()
        if pointer is not None:
            pointer.release()
        for record in [*released, *engine.release_all()]:
            with contextlib.suppress(Exception):
                emit(record_line(record, None))
        if hotkey is not None:
            hotkey.stop()
        close = getattr(sink, "close", None)
        if close is not None:
            close()
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
                "latency_ms": _stats(summary.latencies),
                "overhead_ms": _stats(summary.overheads),
                "pipeline_ms": _stats(summary.pipeline_times),
            }
        )
    return code
