"""Command-line options several commands share (detect, bench, accuracy, run): the tracker's
options for measurements (raw landmarks, as MediaPipe) and ``--frame-step``, with their checks
in the settings schema's words."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pipeline.settings import MAX_HANDS, MODEL_SIZES, TrackerSettings

if TYPE_CHECKING:
    from pipeline.tracking.tracker import HandTracker


def add_tracker_options(p: argparse.ArgumentParser, default_hands: int = 2) -> None:
    p.add_argument("--model", choices=MODEL_SIZES, default="full", help="model size (default full)")
    p.add_argument(
        "--max-hands",
        type=int,
        default=default_hands,
        metavar="N",
        help=f"most hands to track, 1-{MAX_HANDS} (default {default_hands})",
    )
    p.add_argument(
        "--provider", default="auto", help="onnxruntime provider: auto, cpu, cuda, directml"
    )
    p.add_argument(
        "--threads", type=int, default=0, help="inference threads (0: onnxruntime's choice)"
    )


def add_frame_step_option(p: argparse.ArgumentParser) -> None:
    """``--frame-step K``: process every K-th frame of a video (1-30), as a machine that keeps
    up with 1/K of the camera's rate would; timestamps keep the video's clock."""
    p.add_argument(
        "--frame-step",
        type=_frame_step,
        default=1,
        metavar="K",
        help="videos: process every K-th frame only (1-30, default 1), as a machine that keeps "
        "up with 1/K of the frame rate would; timestamps keep the video's clock",
    )


def _frame_step(text: str) -> int:
    from pipeline.sources import MAX_FRAME_STEP

    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_FRAME_STEP:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 1 to {MAX_FRAME_STEP} (1 = every frame), not {text!r}"
        )
    return value


def tracker_from_args(args: argparse.Namespace, static: bool) -> HandTracker:
    """A HandTracker from the options ``add_tracker_options`` added (checked first)."""
    from pipeline.tracking.config import tracker_config
    from pipeline.tracking.tracker import HandTracker

    return HandTracker(tracker_config(check_tracker_options(args), static_mode=static))


def check_tracker_options(args: argparse.Namespace) -> TrackerSettings:
    """The tracker settings the options describe (raw landmarks, as MediaPipe); raises
    HandCueError in the options' words for a bad value."""
    from pipeline.tracking.config import measurement_settings

    return measurement_settings(
        model=args.model, max_hands=args.max_hands, provider=args.provider, threads=args.threads
    )
