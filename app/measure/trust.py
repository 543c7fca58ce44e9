"""Tracking you can trust at low frame rates (issue 11): a table over frame step K x model x
video of the frames with two or more hands, the frames that lost a hand the reference has, the
gesture events that start (wrong ones counted), and the landmark error against MediaPipe's
reference; with ``--with-mediapipe`` the same for MediaPipe Hands on the same frames.

    python -m app.measure.trust [--data ../shared/data] [--models full,lite] [--steps 1,2,3,4,5]
                              [--with-mediapipe] [--json]

The variants are made here from the shared videos: the fist video forward (expected events
``fist`` then ``thumb_up``), mirrored left-right (same), played backwards (``thumb_up`` then
``fist``), and the open-hand video (landmarks only). Our side runs as ``handcue run`` does
(default settings: smoothing 0.5, re-checks, the app's detector interval); MediaPipe's landmarks
go through the same gesture engine, its hands numbered in the order it reports them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from app.measure.evaluation import AccuracyReport, ReferenceItem, load_reference
from pipeline.errors import HandCueError
from pipeline.gestures import GestureEngine
from pipeline.gestures.recognizer import COUNT_GESTURES, TOTAL_GESTURES
from pipeline.settings import MODEL_SIZES
from pipeline.types import FrameResult, Hand, RotatedRect

FIST = "fist_then_thumb_up_720p"
OPEN = "open_hand_360p"
NUMBERS = frozenset(COUNT_GESTURES + TOTAL_GESTURES)
# variant -> (video, expected started gestures in order; None: landmarks only)
VARIANTS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "fist": (FIST, ("fist", "thumb_up")),
    "fist-flipped": (FIST, ("fist", "thumb_up")),
    "fist-backwards": (FIST, ("thumb_up", "fist")),
    "open-hand": (OPEN, None),
}

# One frame's hands as (21, 3) pixel landmarks with handedness, from either tracker.
Reader = Callable[[np.ndarray, float], FrameResult]


@dataclass
class Row:
    variant: str
    model: str
    step: int
    who: str  # "handcue" | "mediapipe"
    frames: int
    two_hands: int  # frames reporting 2+ hands (every video shows one hand)
    lost: int  # frames where the reference has a hand and nothing is reported
    started: list[str]  # gesture events that started, in order (numbers left out)
    wrong: int  # started events beyond the expected sequence
    error_pct: float  # mean landmark error, % of palm size, frames with a match


def _wrong(started: Sequence[str], expected: Sequence[str] | None) -> int:
    """Events that are not the expected sequence: every event of a wrong kind, plus repeats
    and missing ones of the expected kinds (a missing gesture counts as one)."""
    if expected is None:
        return 0
    if list(started) == list(expected):
        return 0
    wrong_kind = sum(g not in expected for g in started)
    own = [g for g in started if g in expected]
    return wrong_kind + (own != list(expected)) * max(1, abs(len(own) - len(expected)))


def _frames_of(
    video: list[np.ndarray], reference: list[ReferenceItem], variant: str, step: int
) -> tuple[list[np.ndarray], list[list[np.ndarray]]]:
    """The variant's frames at ``step`` and the reference landmarks (21, 2) on each."""
    width = video[0].shape[1]
    order = list(range(len(video)))
    if variant == "fist-backwards":
        order = order[::-1]
    order = order[::step]
    frames, refs = [], []
    for i in order:
        img, hands = video[i], [h[:, :2].copy() for h in reference[i].hands]
        if variant == "fist-flipped":
            img = cv2.flip(img, 1)
            for h in hands:
                h[:, 0] = width - h[:, 0]  # continuous pixel coordinates
        frames.append(img)
        refs.append(hands)
    return frames, refs


def _score(
    read: Reader,
    frames: list[np.ndarray],
    refs: list[list[np.ndarray]],
    step: int,
    frame_ms: float,
    expected: Sequence[str] | None,
) -> tuple[int, int, list[str], int, float]:
    """Frames with 2+ hands, frames that lost the hand, started gestures, wrong events and
    the landmark error (% of palm size) of one pass of ``read`` over ``frames``."""
    engine = GestureEngine()
    report = AccuracyReport()
    two = lost = 0
    started: list[str] = []
    for i, (img, ref) in enumerate(zip(frames, refs, strict=True)):
        result = read(img, i * step * frame_ms)
        hands = result.hands
        two += len(hands) > 1
        lost += bool(ref) and not hands
        report.add(ref, [h.landmarks[:, :2] for h in hands])
        _, events = engine.process(result)
        started += [e.gesture for e in events if e.kind == "started" and e.gesture not in NUMBERS]
    error = float(report.summary()["per_frame_mean_error_pct"])
    return two, lost, started, _wrong(started, expected), error


def _ours(model: str, raw: bool = False) -> Reader:
    """Our tracker as ``handcue run`` sets it up; ``raw``: landmarks unsmoothed, as
    MediaPipe reports them (for the landmark error)."""
    from pipeline.settings import TrackerSettings
    from pipeline.tracking.config import measurement_settings, tracker_config
    from pipeline.tracking.tracker import HandTracker

    settings = (
        measurement_settings(model=model, max_hands=2)
        if raw
        else TrackerSettings(model=model, max_hands=2)
    )
    return HandTracker(tracker_config(settings)).process


def _mediapipe(model: str, size: tuple[int, int]) -> Reader:
    from app.measure.mediapipe_hands import MediaPipeHands

    mp = MediaPipeHands(static_mode=False, max_hands=2, model=model)
    w, h = size
    roi = RotatedRect(w / 2, h / 2, w, h, 0.0)

    def read(img: np.ndarray, t_ms: float) -> FrameResult:
        hands = []
        for n, (pts, side) in enumerate(mp.hands(mp.prepare(img))):
            hands.append(Hand(pts, np.zeros((21, 3)), side, 1.0, 1.0, n + 1, roi))
        return FrameResult(0, t_ms, w, h, tuple(hands), detector_ran=True)

    return read


def run_table(
    data: Path, models: Iterable[str], steps: Iterable[int], with_mediapipe: bool
) -> list[Row]:
    from pipeline.sources import open_source

    videos: dict[str, list[np.ndarray]] = {}
    references: dict[str, list[ReferenceItem]] = {}
    for name in (FIST, OPEN):
        with open_source(str(data / "videos" / f"{name}.mp4")) as src:
            videos[name] = [f.image for f in src]
        references[name] = load_reference(data / "reference" / f"{name}.jsonl")
    rows = []
    for model in models:
        for variant, (name, expected) in VARIANTS.items():
            for step in steps:
                frames, refs = _frames_of(videos[name], references[name], variant, step)
                size = (frames[0].shape[1], frames[0].shape[0])
                sides = [("handcue", _ours(model))]
                if with_mediapipe:
                    sides.append(("mediapipe", _mediapipe(model, size)))
                for who, read in sides:
                    two, lost, started, wrong, error = _score(
                        read, frames, refs, step, 40.0, expected
                    )
                    if who == "handcue":  # the landmark error of the unsmoothed landmarks
                        error = _score(_ours(model, raw=True), frames, refs, step, 40.0, None)[4]
                    rows.append(
                        Row(
                            variant,
                            model,
                            step,
                            who,
                            len(frames),
                            two,
                            lost,
                            started,
                            wrong,
                            round(error, 2),
                        )
                    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.measure.trust", description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--models", default="full,lite")
    parser.add_argument("--steps", default="1,2,3,4,5")
    parser.add_argument("--with-mediapipe", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        models = [m for m in args.models.split(",") if m]
        if not models or any(m not in MODEL_SIZES for m in models):
            raise HandCueError(f"--models: full and/or lite, got {args.models!r}")
        try:
            steps = [int(s) for s in args.steps.split(",") if s]
        except ValueError:
            raise HandCueError(f"--steps: whole numbers 1-30, got {args.steps!r}") from None
        if not steps or any(not 1 <= s <= 30 for s in steps):
            raise HandCueError(f"--steps: whole numbers 1-30, got {args.steps!r}")
        for name in (FIST, OPEN):
            if not (args.data / "videos" / f"{name}.mp4").is_file():
                raise HandCueError(f"{args.data}: no videos/{name}.mp4 (the shared data folder)")
        rows = run_table(args.data, models, steps, args.with_mediapipe)
    except HandCueError as exc:
        print(f"python -m app.measure.trust: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([r.__dict__ for r in rows]))
        return 0
    print(
        f"{'variant':15} {'model':5} {'K':>2} {'who':9} {'frames':>6} {'2 hands':>7} "
        f"{'lost':>4} {'wrong':>5} {'error %':>7}  started"
    )
    for r in rows:
        print(
            f"{r.variant:15} {r.model:5} {r.step:>2} {r.who:9} {r.frames:>6} {r.two_hands:>7} "
            f"{r.lost:>4} {r.wrong:>5} {r.error_pct:>7.2f}  {' '.join(r.started)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
