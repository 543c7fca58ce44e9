"""``handcue run``: tracker -> gestures -> actions without the GUI.

Prints one JSON object per line on stdout: ``start``, then ``gesture`` events, ``action``
records (with ``latency_ms``: from the frame's events being ready to the input being injected;
``inject_ms``: the part spent in the OS input call; ``pipeline_ms``: tracking + gesture time of
that frame), ``state`` changes (armed, paused, released) and a final ``end`` summary with
latency statistics. Diagnostics go to stderr.

``handcue run`` starts armed (the user asked for actions by typing the command; the GUI starts
disarmed), unless ``--disarmed`` or ``actions.run_starts_armed = false``. Everything held down
is released at the end of the source, on Ctrl-C / SIGTERM and on any error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import re
import signal
import statistics
import sys
import threading
import time
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from pipeline.errors import HandCueError

log = logging.getLogger(__name__)


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
    p.add_argument("--profile", metavar="NAME", help="profile to use (default: the active one)")
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
    p.add_argument("--dry-run", action="store_true", help="print the actions, inject nothing")
    p.add_argument("--max-hands", type=int, metavar="N", help="most hands to track (1-4)")
    p.add_argument("--model", choices=("full", "lite"), help="model size (default: settings)")
    p.add_argument("--config", type=Path, metavar="FILE", help="settings file to use instead")
    p.add_argument("--disarmed", action="store_true", help="start disarmed (arm by gesture)")
    p.add_argument("--realtime", action="store_true", help="pace video files at their frame rate")
    from app.cmd_detect import add_frame_step_option

    add_frame_step_option(p)
    p.set_defaults(func=run)


def _action_help() -> str:
    from pipeline.actions.spec import ACTION_SYNTAX_HELP

    return ACTION_SYNTAX_HELP


# ----------------------------------------------------------------------------- setup


# --map option name -> Mapping field. The settings-file names are accepted too.
MAP_OPTIONS: dict[str, str] = {
    "trigger": "trigger",
    "hand": "hand",
    "hold": "hold_ms",
    "cooldown": "cooldown_ms",
    "repeat": "repeat_ms",
    "hold_ms": "hold_ms",
    "cooldown_ms": "cooldown_ms",
    "repeat_ms": "repeat_ms",
}
MAP_OPTIONS_HELP = (
    "OPTIONS: trigger=on_start|while_held|on_end|hold, hand=any|left|right, hold=MS "
    "(the gesture must last this long), cooldown=MS, repeat=MS (while_held interval), "
    "comma-separated; unset timings come from [actions] in the settings"
)
_MAP_FORMS = "GESTURE=ACTION or GESTURE[OPTION=VALUE,...]=ACTION"
_INTEGER_RE = re.compile(r"[+-]?[0-9]+")


def _option_name(field: str) -> str:
    return field.removesuffix("_ms")


def _allowed(field: str) -> str:
    """What the Mapping model accepts for ``field``, in words (read from the model itself)."""
    from pipeline.config import Mapping

    info = Mapping.model_fields[field]
    choices = typing.get_args(info.annotation)
    if field in ("trigger", "hand"):
        return "one of " + ", ".join(choices)
    low = next(m.ge for m in info.metadata if hasattr(m, "ge"))
    high = next(m.le for m in info.metadata if hasattr(m, "le"))
    return f"a whole number of milliseconds from {low} to {high}"


def _options_list() -> str:
    return ", ".join(
        f"{_option_name(field)} ({_allowed(field)})"
        for field in ("trigger", "hand", "hold_ms", "cooldown_ms", "repeat_ms")
    )


def _split_map(text: str) -> tuple[str, str | None, str]:
    """``GESTURE=ACTION`` or ``GESTURE[OPTIONS]=ACTION`` -> (gesture, options or None, action).

    Options sit between the gesture and the first ``=``: gesture ids never contain ``[`` or
    ``=``, so every string that was valid before options existed means the same, and the
    action (``type:`` text may hold any character) is everything after ``]=``.
    """
    bracket, equals = text.find("["), text.find("=")
    if bracket == -1 or (equals != -1 and equals < bracket):
        gesture, sep, action = text.partition("=")
        if not sep or not gesture.strip() or not action.strip():
            raise HandCueError(f"--map {text!r}: write it as {_MAP_FORMS}, e.g. thumb_up=key:n")
        return gesture.strip(), None, action.strip()
    close = text.find("]", bracket)
    if close == -1:
        raise HandCueError(
            f"--map {text!r}: the options after the gesture need a closing ']'; write it as "
            f"{_MAP_FORMS}"
        )
    gesture, options, rest = text[:bracket].strip(), text[bracket + 1 : close], text[close + 1 :]
    rest = rest.lstrip()
    if not gesture or not rest.startswith("=") or not rest[1:].strip():
        raise HandCueError(
            f"--map {text!r}: write it as {_MAP_FORMS}, "
            "e.g. open_palm[trigger=while_held,repeat=150]=scroll:down"
        )
    return gesture, options, rest[1:].strip()


def _parse_map_options(text: str, options: str) -> dict[str, Any]:
    """``trigger=hold,hold=200`` -> Mapping fields (values still unchecked but for integers)."""
    fields: dict[str, Any] = {}
    if not options.strip():
        raise HandCueError(
            f"--map {text!r}: nothing between '[' and ']'; options: {_options_list()}"
        )
    for item in options.split(","):
        name, sep, value = (part.strip() for part in item.partition("="))
        if not name:
            raise HandCueError(
                f"--map {text!r}: empty option; separate NAME=VALUE options with single commas"
            )
        field = MAP_OPTIONS.get(name.lower())
        if field is None:
            raise HandCueError(
                f"--map {text!r}: unknown option {name!r}; options: {_options_list()}"
            )
        if not sep or not value:
            raise HandCueError(
                f"--map {text!r}: option {name!r} needs a value: {_option_name(field)}=VALUE "
                f"with VALUE {_allowed(field)}"
            )
        if field in fields:
            raise HandCueError(f"--map {text!r}: option {_option_name(field)} is given twice")
        if field.endswith("_ms"):
            if not _INTEGER_RE.fullmatch(value):
                raise HandCueError(
                    f"--map {text!r}: {_option_name(field)} must be {_allowed(field)}, "
                    f"not {value!r}"
                )
            fields[field] = int(value)
        else:
            fields[field] = value
    return fields


def parse_map(text: str) -> Any:
    """``GESTURE=ACTION`` or ``GESTURE[OPTION=VALUE,...]=ACTION`` -> a validated Mapping.

    Options: ``trigger``, ``hand``, ``hold``, ``cooldown``, ``repeat`` (or the settings-file
    names ``hold_ms``, ``cooldown_ms``, ``repeat_ms``); unset ones keep the Mapping defaults.
    The Mapping model checks every value, so the limits are those of the settings file.
    Raises HandCueError (exit code 2) naming the --map text and what is allowed.
    """
    from pydantic import ValidationError

    from pipeline.config import Mapping

    gesture, options, action = _split_map(text)
    fields = {} if options is None else _parse_map_options(text, options)
    try:
        return Mapping(gesture=gesture, action=action, **fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = error["loc"][0] if error["loc"] else None
        if field in fields:
            raise HandCueError(
                f"--map {text!r}: {_option_name(field)} must be {_allowed(field)}, "
                f"not {fields[field]!r}"
            ) from None
        message = error["msg"].removeprefix("Value error, ")
        if options is not None:  # the model's checks across fields use settings-file names
            message = re.sub(r"\b(hold|cooldown|repeat)_ms\b", r"\1", message)
        if options is None and re.search(r",\s*(" + "|".join(MAP_OPTIONS) + r")\s*=", action):
            message += (
                f"; options go in [...] after the gesture: {gesture}[OPTION=VALUE,...]=ACTION"
            )
        raise HandCueError(f"--map {text!r}: {message}") from None


def load_settings(args: argparse.Namespace, warn: Callable[[str], None]) -> tuple[Any, list[Any]]:
    """The config (with --max-hands applied) and the --map overrides, checked."""
    from pipeline.config import AppConfig, default_known_gestures, load_config, read_config_file

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
    for mapping in overrides:
        if mapping.gesture not in known:
            names = ", ".join(sorted(g for g in known if g != "none"))
            raise HandCueError(f"--map: unknown gesture {mapping.gesture!r}; known: {names}")
        if mapping.gesture == cfg.actions.arm_gesture:
            raise HandCueError(
                f"--map: {mapping.gesture!r} is the arm gesture (it switches actions on and off); "
                "map another gesture"
            )
    update: dict[str, Any] = {}
    if args.max_hands is not None:
        if not 1 <= args.max_hands <= 4:
            raise HandCueError(f"--max-hands must be between 1 and 4, got {args.max_hands}")
        update["max_hands"] = args.max_hands
    if getattr(args, "model", None) is not None:
        update["model"] = args.model
    if update:
        tracker = {**cfg.tracker.model_dump(), **update}
        cfg = AppConfig.model_validate({**cfg.model_dump(), "tracker": tracker})
    cfg.profile(args.profile)  # an unknown --profile is an error before anything opens
    return cfg, overrides


def open_frames(
    spec: str, realtime: bool, frame_step: int = 1
) -> contextlib.AbstractContextManager:
    from pipeline.sources import open_source

    return open_source(spec, loop=False, realtime=realtime, frame_step=frame_step)


def make_tracker(cfg: Any) -> Any:
    from pipeline.tracker import HandTracker, TrackerConfig

    t = cfg.tracker
    return HandTracker(
        TrackerConfig(
            model=t.model,
            max_hands=t.max_hands,
            static_mode=False,
            provider=t.provider,
            threads=t.threads,
            min_presence=t.min_presence,
            smoothing=t.smoothing,
        )
    )


def make_gestures(cfg: Any, warn: Callable[[str], None]) -> Any:
    from pipeline.gestures import GestureEngine, TemplateStore

    try:
        templates = TemplateStore()
    except Exception as exc:  # recordings are optional; a broken file must not stop a run
        warn(f"recorded gestures not loaded: {exc}")
        templates = None
    return GestureEngine(
        counting=cfg.gestures.counting, hold_ms=cfg.gestures.hold_ms, templates=templates
    )


def make_sink(dry_run: bool, warn: Callable[[str], None]) -> Any:
    if dry_run:
        from pipeline.actions import RecordingSink

        return RecordingSink()
    from app.input_sink import create_input_sink

    sink, warnings = create_input_sink()
    for message in warnings:
        warn(message)
    return sink


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM ends the run like Ctrl-C does (so ``finally`` blocks release keys)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = sys.stdout if out is None else out

    def warn(message: str) -> None:
        print(f"handcue: warning: {message}", file=sys.stderr)

    def emit(obj: dict[str, Any]) -> None:
        out.write(json.dumps(obj) + "\n")
        out.flush()

    from pipeline.actions import ActionEngine

    cfg, overrides = load_settings(args, warn)
    profile = args.profile or cfg.active_profile
    armed = cfg.actions.run_starts_armed and not args.disarmed
    sink = make_sink(args.dry_run, warn)
    engine = ActionEngine(cfg, sink, profile=profile, overrides=overrides, armed=armed)
    pause_requests = threading.Event()
    hotkey = None
    frames = 0
    latencies: list[float] = []
    overheads: list[float] = []  # latency minus the time inside the OS input call
    pipeline_times: list[float] = []
    actions_done = 0
    reason = "end of source"
    code = 0
    started = time.perf_counter()
    try:
        with _sigterm_as_interrupt():
            if not args.dry_run and cfg.actions.pause_hotkey:
                from app.input_sink import PauseHotkey

                hotkey = PauseHotkey(cfg.actions.pause_hotkey, pause_requests.set)
                if not hotkey.start():
                    warn(f"the pause hotkey {cfg.actions.pause_hotkey} is not available")
            with open_frames(args.source, args.realtime, args.frame_step) as source:
                tracker = make_tracker(cfg)
                gestures = make_gestures(cfg, warn)
                emit(
                    {
                        "type": "start",
                        "source": args.source,
                        "profile": profile,
                        "armed": engine.armed,
                        "dry_run": bool(args.dry_run),
                        "provider": getattr(tracker, "provider", None),
                        "mappings": [
                            {"gesture": m.gesture, "action": m.action, "trigger": m.trigger}
                            for m in engine.mappings
                        ],
                    }
                )
                print(
                    f"handcue: {_controls_hint(cfg, engine.armed, args.dry_run)}", file=sys.stderr
                )
                for frame in source:
                    t0 = time.perf_counter()
                    result = tracker.process(frame.image, frame.timestamp_ms)
                    _, events = gestures.process(result)
                    t_events = time.perf_counter()
                    if pause_requests.is_set():
                        pause_requests.clear()
                        engine.toggle_paused()
                    records = engine.handle(events, result, event_time=t_events)
                    frames += 1
                    pipeline_ms = (t_events - t0) * 1000.0
                    pipeline_times.append(pipeline_ms)
                    for event in events:
                        emit(event_line(event))
                    for record in records:
                        emit(record_line(record, pipeline_ms if record.kind == "action" else None))
                        if record.kind == "action" and record.status == "done":
                            actions_done += 1
                            if record.latency_ms is not None and record.phase != "release":
                                latencies.append(record.latency_ms)
                                if record.inject_ms is not None:
                                    overheads.append(record.latency_ms - record.inject_ms)
                        if record.status == "failed":
                            raise HandCueError(
                                f"could not inject {record.action}: {record.detail}", code=5
                            )
    except KeyboardInterrupt:
        reason, code = "interrupted", 130
    except BrokenPipeError:  # e.g. piped into `head`
        reason = "output closed"
    finally:
        for record in engine.release_all():
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
                "frames": frames,
                "fps": round(frames / elapsed, 2) if elapsed > 0 else None,
                "actions": actions_done,
                "latency_ms": _stats(latencies),
                "overhead_ms": _stats(overheads),
                "pipeline_ms": _stats(pipeline_times),
            }
        )
    return code
