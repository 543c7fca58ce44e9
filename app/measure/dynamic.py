"""``handcue bench --dynamic FOLDER``: how well the movements (swipes, drag, zoom, tap, double
tap, circles) are recognised on labelled clips, and how steadily the hands are tracked meanwhile.

    handcue bench --dynamic ../shared/data/dynamic-dev [--frame-step K] [--variant fast2,dark]
                  [--mirrored yes|no|auto] [--compare-mediapipe] [--json]

The parts: the labels (:mod:`app.measure.dynamic_labels`), the frames and their variants
(:mod:`app.measure.dynamic_clips`), the scoring rules (:mod:`app.measure.dynamic_scoring`, with
the tolerance) and the table (:mod:`app.measure.dynamic_table`).

Our side runs each clip as ``handcue run`` runs a video: the settings' defaults with the bench's
tracker options (model, hands, provider, threads, far hands, power saving), the runtime built
for live sources (:func:`pipeline.runtime.build_runtime`, no action engine, no recorded
gestures: those are the user's own, not movements), restarted per clip; every
``frame_step``-th frame at its time on the clip's clock, skipped when the tracker does not want
it (power saving), as ``handcue run`` skips it. A movement's event is placed at the frame whose
processing reported it.

MediaPipe's side (``--compare-mediapipe``) needs MediaPipe in this environment; otherwise run
:mod:`app.measure.dynamic_mediapipe` in one that has it (its docstring gives the command).
``--landmarks FILE`` replays the hands it dumped through our gesture engine in place of our
tracker (:mod:`app.measure.dynamic_replay`), scored and shown as here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.measure.dynamic_clips import Clip, load_runs, processed_frames
from app.measure.dynamic_scoring import (
    TOLERANCE_MS,
    Detection,
    movement_detections,
    score_clip,
    score_report,
    tolerance_frames,
    totals,
    tracking_figures,
)

if TYPE_CHECKING:
    from app.measure.dynamic_mediapipe import MediaPipeFigures
    from pipeline.runtime import HandCueRuntime
    from pipeline.settings import AppConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DynamicOptions:
    """What to evaluate: the clips of ``folder``; ``mirrored`` None: as labels.json says;
    ``variants``: specs from :func:`app.measure.dynamic_clips.parse_variants`."""

    folder: str
    mirrored: bool | None = None
    variants: tuple[str, ...] = ()
    frame_step: int = 1
    compare_mediapipe: bool = False


@dataclass
class ClipRun:
    """What the pipeline reported on one clip: movement ``detections``, and per processed
    frame the hands' track ids; ``skipped``: frames the tracker did not want."""

    detections: list[Detection] = field(default_factory=list)
    track_ids: list[tuple[int, ...]] = field(default_factory=list)
    skipped: int = 0


def run_clip(runtime: HandCueRuntime, clip: Clip, frame_step: int) -> ClipRun:
    """``clip`` through ``runtime`` from a fresh start (see the module docstring)."""
    runtime.restart()
    wants = getattr(runtime.tracker, "wants_frame", None)
    run = ClipRun()
    for index in processed_frames(clip, frame_step):
        t_ms = clip.time_ms(index)
        if wants is not None and not wants(t_ms):
            run.skipped += 1
            continue
        step = runtime.step(clip.frames[index], t_ms, index)
        run.track_ids.append(tuple(hand.track_id for hand in step.frame.hands))
        run.detections += movement_detections(step.events, index)
    return run


def clip_report(clip: Clip, run: ClipRun) -> dict[str, Any]:
    """One clip's line of the report: its scores, detections and tracking figures."""
    tracking = tracking_figures([len(ids) for ids in run.track_ids], run.track_ids)
    return {
        "clip": clip.name,
        "frames": len(clip.frames),
        "fps": round(clip.fps, 3),
        "mirrored": clip.labels.mirrored,
        "mirrored_by": clip.labels.mirrored_by,
        **score_report(score_clip(clip.labels, run.detections, clip.fps)),
        "detections": [
            {"name": d.name, "frame": d.frame, "t_ms": round(d.t_ms, 1), "track_id": d.track_id}
            for d in run.detections
        ],
        "tracking": {**tracking, "frames_skipped": run.skipped},
    }


def app_config(**tracker: Any) -> AppConfig:
    """The settings' defaults with these tracker settings (checked by the caller's options)."""
    from pipeline.settings import AppConfig

    defaults = AppConfig()
    return defaults.model_copy(update={"tracker": defaults.tracker.model_copy(update=tracker)})


Runs = Sequence[tuple[str, Sequence[Clip]]]


def report_head(options: DynamicOptions, runs: Runs) -> dict[str, Any]:
    """The report's first keys: what was evaluated, and the tolerance."""
    return {
        "mode": "dynamic",
        "folder": options.folder,
        "frame_step": options.frame_step,
        "tolerance_ms": TOLERANCE_MS,
        "tolerance_frames": sorted({tolerance_frames(c.fps) for _, clips in runs for c in clips}),
    }


def score_runs(
    runs: Runs,
    run: Callable[[Clip], ClipRun],
    rival: Callable[[Clip], dict[str, int]] | None = None,
) -> list[dict[str, Any]]:
    """The report's ``runs``: every clip of every variant through ``run`` and scored, with
    ``rival``'s figures for it when given, and the totals per variant."""
    report = []
    for variant, clips in runs:
        rows = []
        for clip in clips:
            row = clip_report(clip, run(clip))
            if rival is not None:
                row["mediapipe"] = rival(clip)
            rows.append(row)
        report.append({"variant": variant, "clips": rows, "totals": totals(rows)})
    return report


def evaluate(options: DynamicOptions, config: AppConfig) -> dict[str, Any]:
    """The whole report (clips decoded first, so a bad file stops before the models load)."""
    from pipeline.runtime import build_runtime
    from pipeline.sources.base import RunningMode

    runs = load_runs(options.folder, options.mirrored, options.variants)
    rival = _mediapipe() if options.compare_mediapipe else None
    runtime = build_runtime(config, engine=None, templates=None, mode=RunningMode.LIVE)
    report: dict[str, Any] = {
        **report_head(options, runs),
        "model": config.tracker.model,
        "max_hands": config.tracker.max_hands,
        "provider": runtime.provider,
    }
    try:
        report["runs"] = score_runs(
            runs,
            lambda clip: run_clip(runtime, clip, options.frame_step),
            None if rival is None else lambda clip: rival.figures(clip, options.frame_step),
        )
    finally:
        if rival is not None:
            rival.close()
    return report


def _mediapipe() -> MediaPipeFigures:
    """MediaPipe's side in this process (raises HandCueError saying how to run it apart)."""
    from app.measure.dynamic_mediapipe import MediaPipeFigures

    return MediaPipeFigures()
