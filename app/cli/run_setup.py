"""What ``handcue run`` sets up before its loop (:mod:`app.cli.run`): the settings with the
command line's changes, the frames (paced or not), the tracker, the recorded gestures, the input
sink and the window source. :mod:`app.cli.run` imports these by name, so tests replace them
there (``monkeypatch.setattr(app.cli.run, "make_tracker", ...)``)."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from app.cli.map_option import parse_map
from pipeline.errors import HandCueError

if TYPE_CHECKING:  # imported where used: `handcue run --help` stays quick
    from pipeline.actions.sink import InputSink
    from pipeline.focus import WindowSource
    from pipeline.gestures import TemplateStore
    from pipeline.runtime import Tracker
    from pipeline.settings import AppConfig, Binding
    from pipeline.sources import Frame, FrameClock, FrameSource


def load_settings(
    args: argparse.Namespace, warn: Callable[[str], None]
) -> tuple[AppConfig, list[Binding]]:
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


def run_threads(cfg: AppConfig, args: argparse.Namespace) -> int:
    """Inference threads: live tracking (a camera, or a video paced with ``--realtime``) takes
    the app's rule (:func:`pipeline.tracking.config.live_threads`); a video read as fast as it
    decodes takes the settings' number (0: onnxruntime's choice, every core)."""
    from pipeline.sources import is_camera_spec
    from pipeline.tracking.config import live_threads

    live = args.realtime or is_camera_spec(args.source)
    return live_threads(cfg.tracker.threads) if live else cfg.tracker.threads


def with_threads(cfg: AppConfig, threads: int) -> AppConfig:
    """``cfg`` with ``threads`` inference threads (the saved settings are not touched)."""
    if threads == cfg.tracker.threads:
        return cfg
    return cfg.model_copy(update={"tracker": cfg.tracker.model_copy(update={"threads": threads})})


# Seams for tests: the source, the tracker and the sink (a test replays a reference file).


@contextlib.contextmanager
def open_frames(
    spec: str, realtime: bool, frame_step: int = 1, image_seconds: float = 0.0
) -> Iterator[PacedFrames]:
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

    def __init__(self, source: FrameSource, clock: FrameClock) -> None:
        self.source = source
        self.clock = clock

    def __iter__(self) -> Iterator[Frame]:
        return iter(self.clock.pace(self.source))


def make_tracker(cfg: AppConfig) -> Tracker:
    """The run's tracker. ``handcue run`` reads every source live
    (:attr:`pipeline.sources.RunningMode.LIVE`): an image or a folder of them is a stream of
    pictures held for ``--image-seconds`` each, as a camera sees a hand held still."""
    from pipeline.runtime import make_tracker as runtime_tracker
    from pipeline.sources import RunningMode

    return runtime_tracker(cfg, mode=RunningMode.LIVE)


def make_templates(warn: Callable[[str], None]) -> TemplateStore | None:
    from pipeline.gestures import TemplateStore

    try:
        return TemplateStore()
    except HandCueError as exc:  # recordings are optional; a broken file must not stop a run
        warn(f"recorded gestures not loaded: {exc}")
        return None


def make_sink(
    dry_run: bool,
    warn: Callable[[str], None],
    *,
    prefer_uinput: bool = False,
    described: Callable[[str, str], None] | None = None,
) -> InputSink:
    """The sink ``handcue run`` sends to; ``described(backend, line)`` is told which input
    backend it is (:mod:`app.desktop.backends`; not called for a dry run)."""
    if dry_run:
        from pipeline.actions import RecordingSink

        return RecordingSink()
    from app.desktop.input_sink import open_desktop_input

    opened = open_desktop_input(prefer_uinput=prefer_uinput)
    for message in opened.warnings:
        warn(message)
    if described is not None:
        described(opened.backend, opened.description)
    return opened.sink


def make_window_source() -> WindowSource:
    """The active-window source for per-application profiles (raises WatcherUnavailable)."""
    from app.desktop.focus import create_window_source

    return create_window_source()
