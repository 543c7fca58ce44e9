"""``handcue bench``: time the tracker on a decoded video (decoding excluded)."""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from app.cmd_detect import add_tracker_options, check_tracker_options
from pipeline.errors import HandCueError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="time the tracker per frame on a video")
    p.add_argument(
        "--source", required=True, metavar="VIDEO", help="video file to decode and track"
    )
    add_tracker_options(p)
    p.add_argument(
        "--repeat", type=int, default=1, metavar="K", help="passes over the video (default 1)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.set_defaults(func=run)


def decode_video(path: str) -> tuple[list[np.ndarray], float]:
    from pipeline.sources import VideoSource, open_source

    src = open_source(path)
    if not isinstance(src, VideoSource) or src.is_camera:
        src.close()
        raise HandCueError(f"{path}: bench needs a video file")
    with src:
        frames = [f.image for f in src]
    if not frames:
        raise HandCueError(f"{path}: the video has no frames")
    return frames, src.fps


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else 0.0


def bench_tracker(tracker, frames: list[np.ndarray], fps: float, repeat: int) -> dict:  # type: ignore[no-untyped-def]
    per_frame: list[float] = []
    stages: dict[str, list[float]] = {}
    with_hand = 0
    detector_runs = 0
    for _ in range(repeat):
        tracker.reset()
        for i, img in enumerate(frames):
            t0 = time.perf_counter()
            result = tracker.process(img, i * 1000.0 / fps)
            per_frame.append((time.perf_counter() - t0) * 1e3)
            with_hand += bool(result.hands)
            detector_runs += result.detector_ran
            for k, v in result.timings.items():
                stages.setdefault(k, []).append(v)
    n = len(per_frame)
    return {
        "frames": n,
        "median_ms": round(statistics.median(per_frame), 3),
        "p95_ms": round(percentile(per_frame, 95), 3),
        "frames_with_hand": with_hand,
        "detector_runs": detector_runs,
        # Stages that did not run in a frame count as 0 ms there.
        "stages_median_ms": {
            k: round(statistics.median(v + [0.0] * (n - len(v))), 3)
            for k, v in sorted(stages.items())
        },
    }


def run(args: argparse.Namespace) -> int:
    from pipeline.tracker import HandTracker, TrackerConfig

    check_tracker_options(args)
    if args.repeat < 1:
        raise HandCueError("--repeat must be at least 1")
    frames, fps = decode_video(args.source)
    tracker = HandTracker(
        TrackerConfig(
            model=args.model, max_hands=args.max_hands, provider=args.provider, threads=args.threads
        )
    )
    report = {
        "source": args.source,
        "model": args.model,
        "max_hands": args.max_hands,
        "provider": tracker.provider,
        **bench_tracker(tracker, frames, fps, args.repeat),
    }
    if args.json:
        print(json.dumps(report))
        return 0
    print(
        f"source            {report['source']}  ({args.model}, max {args.max_hands} hands, {report['provider']})"
    )
    for key in ("frames", "median_ms", "p95_ms", "frames_with_hand", "detector_runs"):
        print(f"{key:17s} {report[key]}")
    print("stage medians (ms):")
    for k, v in report["stages_median_ms"].items():
        print(f"  {k:15s} {v}")
    return 0
