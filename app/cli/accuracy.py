"""``handcue accuracy``: our landmarks against a reference file (MediaPipe's output), on the
photos or the video the reference was made on.

``--noise K`` repeats the run on K copies of the frames with invisible -1/0/+1 grey-level noise,
and ``--with-mediapipe`` runs MediaPipe itself on the same clean and noisy frames: together they
show how far MediaPipe's own output moves on such a change, the floor below which agreement with
its reference is chance."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.cli.options import add_frame_step_option, add_tracker_options, check_tracker_options
from app.measure.evaluation import (
    AccuracyReport,
    LandmarkRunner,
    ReferenceItem,
    evaluate,
    load_reference,
    perturb,
)
from pipeline.errors import HandCueError

if TYPE_CHECKING:
    from pipeline.tracking.tracker import HandTracker


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "accuracy",
        help="landmark error against a MediaPipe reference file",
        description="Landmark error (percent of palm size) against a reference .jsonl, "
        "e.g. ../shared/data/reference/fist_then_thumb_up_720p.jsonl.",
    )
    p.add_argument("reference", metavar="REFERENCE.jsonl", help="reference file")
    p.add_argument(
        "--source",
        metavar="PATH",
        help="video (video references) or data folder the image paths start from (photo "
        "references); default: the reference's ../videos/<name>.mp4 or its parent's parent",
    )
    add_tracker_options(p)
    p.add_argument(
        "--redetect-ms",
        type=float,
        default=0.0,
        metavar="MS",
        help="videos: look for more hands at most this often while some are tracked "
        "(default 0: every frame, MediaPipe's schedule; the app uses 100)",
    )
    p.add_argument(
        "--noise",
        type=int,
        default=0,
        metavar="K",
        help="also run on K copies of the frames with -1/0/+1 grey-level noise",
    )
    p.add_argument(
        "--with-mediapipe",
        action="store_true",
        help="also run MediaPipe 0.10.14 on the same frames (needs the compare extra)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_frame_step_option(p)
    p.set_defaults(func=run)


def _frames(
    reference: Sequence[ReferenceItem], ref_path: Path, source: str | None, frame_step: int = 1
) -> tuple[list[np.ndarray], float, str]:
    """Decoded images for ``reference``, the rate they come at (videos: the video's rate /
    ``frame_step``) and what was read."""
    from pipeline.sources import SourceError, read_image

    if reference[0].frame is not None:
        from app.measure.frames import decode_video

        video = source or str(ref_path.parent.parent / "videos" / f"{ref_path.stem}.mp4")
        frames, fps = decode_video(video, frame_step)
        return frames, fps / frame_step, video
    root = Path(source) if source else ref_path.parent.parent
    if not root.is_dir():
        raise HandCueError(f"{root}: not a folder (the photos' paths start from it)")
    images = []
    for item in reference:
        try:
            images.append(read_image(root / str(item.image)))
        except SourceError as exc:
            raise HandCueError(f"{exc} (listed in {ref_path})") from None
    return images, 30.0, str(root)


class _OurRunner:
    """Our tracker as a ``LandmarkRunner``; frames get timestamps at ``fps``."""

    def __init__(self, tracker: HandTracker, fps: float) -> None:
        self.tracker = tracker
        self.fps = fps
        self.index = 0

    def __call__(self, img: np.ndarray) -> list[np.ndarray]:
        result = self.tracker.process(img, self.index * 1000.0 / self.fps)
        self.index += 1
        return [h.landmarks[:, :2] for h in result.hands]


def _noisy(images: list[np.ndarray], seed: int) -> Iterator[np.ndarray]:
    for i, img in enumerate(images):
        yield perturb(img, (seed, i))


def _runs(
    make_runner: Callable[[], LandmarkRunner],
    images: list[np.ndarray],
    reference: Sequence[ReferenceItem],
    noise: int,
) -> tuple[AccuracyReport, list[AccuracyReport]]:
    clean = evaluate(make_runner(), images, reference)
    noisy = [evaluate(make_runner(), _noisy(images, s), reference) for s in range(1, noise + 1)]
    return clean, noisy


def headline(report: dict, video: bool) -> float:
    """The figure the issue's criteria use: per-frame mean for videos, per-hand mean for photos."""
    return report["per_frame_mean_error_pct" if video else "mean_error_pct"]


def run(args: argparse.Namespace) -> int:
    settings = check_tracker_options(args)
    if args.noise < 0:
        raise HandCueError("--noise must be 0 or more")
    if args.redetect_ms < 0:
        raise HandCueError("--redetect-ms must be 0 or more")
    ref_path = Path(args.reference)
    reference = load_reference(ref_path)
    video = reference[0].frame is not None
    if not video and args.frame_step != 1:
        raise HandCueError("--frame-step applies to video references only (these are photos)")
    images, fps, source = _frames(reference, ref_path, args.source, args.frame_step)
    reference = reference[:: args.frame_step]  # the reference lines of the frames processed

    from pipeline.tracking.config import tracker_config
    from pipeline.tracking.tracker import HandTracker

    # Every frame is read (no resting of a still hand: it would report the last frame's
    # landmarks again, and this measures the landmarks of every frame).
    tracker = HandTracker(
        tracker_config(
            settings,
            static_mode=not video,
            redetect_interval_ms=args.redetect_ms,
            rest_speed=0.0,
        )
    )

    def ours() -> LandmarkRunner:
        tracker.reset()
        return _OurRunner(tracker, fps)

    clean, noisy = _runs(ours, images, reference, args.noise)
    out: dict = {
        "reference": str(ref_path),
        "source": source,
        "mode": "video" if video else "photos",
        "model": args.model,
        "max_hands": args.max_hands,
        "frame_step": args.frame_step,
        "ours": clean.summary(),
        "ours_noise": [r.summary() for r in noisy],
    }
    if args.with_mediapipe:
        from app.measure.mediapipe_hands import MediaPipeHands

        rival = MediaPipeHands(static_mode=not video, max_hands=args.max_hands, model=args.model)

        def theirs() -> LandmarkRunner:
            rival.reset()
            return lambda img: rival.landmarks(rival.prepare(img))

        try:
            mp_clean, mp_noisy = _runs(theirs, images, reference, args.noise)
        finally:
            rival.close()
        out["mediapipe"] = mp_clean.summary()
        out["mediapipe_noise"] = [r.summary() for r in mp_noisy]
    if args.json:
        print(json.dumps(out))
    else:
        _print_table(out, video)
    return 0


def _print_table(out: dict, video: bool) -> None:
    s = out["ours"]
    what = "frames" if video else "photos"
    print(f"reference   {out['reference']}")
    print(f"source      {out['source']}  ({s['items']} {what}, {s['reference_hands']} hands)")
    key = "per-frame mean" if video else "mean"
    rows = [("ours", s, out["ours_noise"])]
    if "mediapipe" in out:
        rows.append(("mediapipe", out["mediapipe"], out["mediapipe_noise"]))
    for name, r, noise in rows:
        print(
            f"{name:11s} found {r['found']}/{r['reference_hands']}, {key} error "
            f"{headline(r, video):.3f}% of palm size (median {r['median_error_pct']:.3f}%, "
            f"p95 {r['p95_error_pct']:.3f}%), {r['count_mismatch']} {what} with another "
            "hand count"
        )
        if noise:
            figures = [headline(n, video) for n in noise]
            shown = ", ".join(f"{f:.3f}%" for f in figures)
            finite = [f for f in figures if not math.isnan(f)]
            spread = f"{min(finite):.3f}-{max(finite):.3f}%" if finite else "n/a"
            print(f"{'':11s} with +-1 grey-level noise: {shown}  (range {spread})")
