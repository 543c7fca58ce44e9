"""``handcue bench``: time the tracker per frame on a decoded video or a folder of photos
(decoding excluded), optionally against MediaPipe on the same frames in the same process;
``--far`` and ``--dynamic`` measure far hands and movements (app.measure.far, .dynamic)."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.cli.options import add_frame_step_option, add_tracker_options, check_tracker_options
from app.measure.frames import decode_video, load_images
from pipeline.errors import HandCueError

if TYPE_CHECKING:
    from app.measure.mediapipe_hands import MediaPipeHands
    from pipeline.tracking.tracker import HandTracker


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="time the tracker per frame on a video or photos")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--source", metavar="VIDEO", help="video file to decode and track")
    what.add_argument(
        "--images", metavar="FOLDER", help="folder of photos (static mode, each alone)"
    )
    what.add_argument(
        "--far",
        metavar="DATA",
        help="far-hand benchmark on the shared data folder (e.g. ../shared/data): its "
        "reference photos shrunk 1/2, 1/3, 1/4 into 1280x720, and the open-hand video at 1/3, 1/4",
    )
    what.add_argument(
        "--dynamic",
        metavar="FOLDER",
        help="movements (swipes, drag, zoom, taps, circles) on a folder of clips with its "
        "labels.json (e.g. ../shared/data/dynamic-dev): hits, misses, false events, latency",
    )
    add_tracker_options(p)
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME",
        help="--dynamic: also each clip made faster, slower, moved, darker or flipped: fast2, "
        "slow2, shift, dark, flip (repeat or list with commas; chain with +, e.g. fast2+dark)",
    )
    p.add_argument(
        "--mirrored",
        choices=("yes", "no", "auto"),
        default="auto",
        help="--dynamic: flip the clips back left-right (auto: as labels.json says)",
    )
    p.add_argument(
        "--landmarks",
        metavar="FILE",
        help="--dynamic: replay the hands MediaPipe found on the clips through our gesture "
        "engine instead of running our tracker (FILE from python -m "
        "app.measure.dynamic_mediapipe FOLDER --dump FILE)",
    )
    p.add_argument(
        "--far-hands",
        choices=("on", "off"),
        default="on",
        help="zoomed tiles for far hands (the setting 'Look for far hands'; default on)",
    )
    p.add_argument(
        "--power-saving",
        choices=("on", "off"),
        default="on",
        help="motion gate while no hand is tracked (the setting 'Power saving when no hand')",
    )
    p.add_argument(
        "--every",
        type=int,
        default=1,
        metavar="K",
        help="--far: only every K-th photo of the set (quicker)",
    )
    p.add_argument(
        "--repeat", type=int, default=1, metavar="K", help="passes over the frames (default 1)"
    )
    p.add_argument(
        "--compare-mediapipe",
        action="store_true",
        help="also run MediaPipe 0.10.14 on the same frames, alternating (needs the compare extra)",
    )
    p.add_argument(
        "--realtime",
        action="store_true",
        help="videos: decode inside the loop and pace frames to the video's frame rate, "
        "as a camera delivers them",
    )
    p.add_argument(
        "--cpu",
        action="store_true",
        help="with --realtime: report process CPU time / wall time (100%% = one core), "
        "decoding included",
    )
    p.add_argument("--fps", type=float, metavar="F", help="with --realtime: pace at F fps")
    p.add_argument(
        "--clip",
        metavar="A:B",
        help="with --realtime: only frames A..B-1 (e.g. 0:24, the fist video's no-hand start)",
    )
    p.add_argument(
        "--seconds",
        type=float,
        metavar="S",
        help="with --realtime: loop the clip for S seconds of video time",
    )
    p.add_argument(
        "--loop",
        choices=("bounce", "cut"),
        default="bounce",
        help="with --realtime --seconds: loop the clip forwards then backwards (no cut in the "
        "picture, as a camera; default) or restart it at its first frame",
    )
    p.add_argument(
        "--skip-frames",
        choices=("on", "off"),
        default="on",
        help="with --realtime: frames the tracker does not need (power saving, no hand in "
        "view) are decoded but not converted or tracked, as the app does (default on)",
    )
    p.add_argument(
        "--mjpeg",
        action="store_true",
        help="with --realtime: re-encode the video's frames as MJPEG (JPEG quality 90) first, "
        "the format a webcam sends at 720p, and measure that (read as the app reads MJPEG)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    add_frame_step_option(p)
    p.set_defaults(func=run)


def summarise(per_frame: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(per_frame), 3),
        "p95_ms": round(float(np.percentile(np.asarray(per_frame), 95)), 3),
    }


def bench(
    tracker: HandTracker,
    frames: list[np.ndarray],
    fps: float,
    repeat: int,
    rival: MediaPipeHands | None = None,
) -> dict:
    """Time ``tracker`` (and ``rival``) over ``frames``, ``repeat`` passes each; ``fps`` is the
    rate of ``frames`` (the video's rate / --frame-step).

    With a rival the two alternate pass by pass (ours, theirs, then theirs, ours, ...), not
    frame by frame: interleaving single frames made each library pay for the other's worker
    threads still winding down and its cache footprint, which no user ever runs alongside."""
    ours: list[float] = []
    theirs: list[float] = []
    stages: dict[str, list[float]] = {}
    with_hand = rival_with_hand = detector_runs = rested = 0
    rival_frames = [rival.prepare(f) for f in frames] if rival else []
    for rep in range(repeat):
        order = ("ours", "theirs") if rep % 2 == 0 else ("theirs", "ours")
        for who in order:
            if who == "ours":
                tracker.reset()
                for i, img in enumerate(frames):
                    t0 = time.perf_counter()
                    result = tracker.process(img, i * 1000.0 / fps)
                    ours.append((time.perf_counter() - t0) * 1e3)
                    with_hand += bool(result.hands)
                    detector_runs += result.detector_ran
                    rested += "rested" in result.timings
                    for k, v in result.timings.items():
                        if k != "rested":  # a flag, not a stage
                            stages.setdefault(k, []).append(v)
            elif rival is not None:
                rival.reset()
                for rgb in rival_frames:
                    t0 = time.perf_counter()
                    rival_with_hand += rival.process(rgb) > 0
                    theirs.append((time.perf_counter() - t0) * 1e3)
    n = len(ours)
    report: dict = {
        "frames": n,
        **summarise(ours),
        "frames_with_hand": with_hand,
        "detector_runs": detector_runs,
        # Frames that repeated the last one's hands without a model run (a still hand,
        # power saving on; pipeline.tracking.tracker.TrackerConfig.rest_speed).
        "rested_frames": rested,
        # Stages that did not run in a frame count as 0 ms there.
        "stages_median_ms": {
            k: round(statistics.median(v + [0.0] * (n - len(v))), 3)
            for k, v in sorted(stages.items())
        },
    }
    if rival is not None:
        mp = summarise(theirs)
        report["mediapipe"] = {**mp, "frames_with_hand": rival_with_hand}
        report["ratio_median"] = round(report["median_ms"] / mp["median_ms"], 3)
        report["ratio_p95"] = round(report["p95_ms"] / mp["p95_ms"], 3)
    return report


def run(args: argparse.Namespace) -> int:
    check_tracker_options(args)
    if args.repeat < 1:
        raise HandCueError("--repeat must be at least 1")
    if args.landmarks is not None and args.dynamic is None:
        raise HandCueError("--landmarks goes with --dynamic FOLDER")
    if args.far is not None:
        return run_far(args)
    if args.dynamic is not None:
        return run_dynamic(args)
    static = args.images is not None
    if args.realtime or args.cpu or args.clip or args.seconds or args.fps or args.mjpeg:
        return run_realtime(args)
    if static:
        frames, fps = load_images(args.images), 30.0
    else:
        frames, fps = decode_video(args.source, args.frame_step)
        fps /= args.frame_step
    tracker = _tracker(args, static)
    rival = None
    if args.compare_mediapipe:
        from app.measure.mediapipe_hands import MediaPipeHands

        rival = MediaPipeHands(static_mode=static, max_hands=args.max_hands, model=args.model)
    try:
        result = bench(tracker, frames, fps, args.repeat, rival)
    finally:
        if rival is not None:
            rival.close()
    report = {
        "source": args.images if static else args.source,
        "mode": "static" if static else "video",
        "model": args.model,
        "max_hands": args.max_hands,
        "frame_step": args.frame_step,
        "provider": tracker.provider,
        **result,
    }
    if args.json:
        print(json.dumps(report))
        return 0
    print(
        f"source            {report['source']}  ({report['mode']}, {args.model}, "
        f"max {args.max_hands} hands, {report['provider']})"
    )
    for key in (
        "frames",
        "median_ms",
        "p95_ms",
        "frames_with_hand",
        "detector_runs",
        "rested_frames",
    ):
        print(f"{key:17s} {report[key]}")
    if rival is not None:
        mp = report["mediapipe"]
        print(
            f"mediapipe         median {mp['median_ms']} ms, p95 {mp['p95_ms']} ms, "
            f"frames_with_hand {mp['frames_with_hand']}"
        )
        print(f"ratio ours/mp     median {report['ratio_median']}, p95 {report['ratio_p95']}")
    print("stage medians (ms):")
    for k, v in report["stages_median_ms"].items():
        print(f"  {k:15s} {v}")
    return 0


def run_realtime(args: argparse.Namespace) -> int:
    """``--realtime [--cpu]``: paced passes with decoding included (see app.measure.realtime)."""
    from app.measure.realtime import parse_clip

    if not args.realtime:
        raise HandCueError("--cpu, --fps, --clip, --seconds and --mjpeg need --realtime")
    if args.source is None:
        raise HandCueError("--realtime needs --source VIDEO (a camera paces itself)")
    if args.fps is not None and not 1.0 <= args.fps <= 240.0:
        raise HandCueError("--fps must be between 1 and 240")
    if args.seconds is not None and args.seconds <= 0:
        raise HandCueError("--seconds must be more than 0")
    start, end = parse_clip(args.clip)
    from pipeline.sources import VideoSource, open_source

    src = open_source(args.source)
    if not isinstance(src, VideoSource) or src.is_camera:
        src.close()
        raise HandCueError(f"{args.source}: --realtime needs a video file")
    native_fps = src.fps
    src.close()
    if not args.mjpeg:
        return _realtime_report(args, args.source, native_fps, start, end)
    import tempfile

    from app.measure.realtime import reencode_mjpeg

    with tempfile.TemporaryDirectory(prefix="handcue-mjpeg-") as folder:
        path = reencode_mjpeg(args.source, Path(folder) / "clip.avi", native_fps, end)
        return _realtime_report(args, path, native_fps, start, end)


def _realtime_report(
    args: argparse.Namespace, path: str, native_fps: float, start: int, end: int | None
) -> int:
    """The paced passes over ``path`` (the source, or its MJPEG copy) and their report."""
    from app.measure.realtime import Clip, bench_realtime

    clip = Clip(path, args.fps or native_fps, start, end, args.seconds, args.loop == "bounce")
    tracker = _tracker(args, False, live=True)
    rival = None
    if args.compare_mediapipe:
        from app.measure.mediapipe_hands import MediaPipeHands

        rival = MediaPipeHands(static_mode=False, max_hands=args.max_hands, model=args.model)
    try:
        result = bench_realtime(tracker, clip, args.repeat, rival, args.skip_frames == "on")
    finally:
        if rival is not None:
            rival.close()
    if not result["frames"]:
        raise HandCueError(f"{args.source}: no frames in that clip")
    import os

    report = {
        "source": args.source,
        "mode": "realtime",
        "clip": args.clip or "all",
        "encoding": "mjpeg" if args.mjpeg else "as filed",
        "loop": args.loop,
        "skip_frames": args.skip_frames,
        "model": args.model,
        "max_hands": args.max_hands,
        "provider": tracker.provider,
        "threads": tracker.config.threads,  # inference threads (0: onnxruntime's choice)
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "realtime": result,
    }
    if args.json:
        print(json.dumps(report))
        return 0
    print(
        f"source            {report['source']}{' as MJPEG' if args.mjpeg else ''}  "
        f"(clip {report['clip']}, {args.model}, "
        f"max {args.max_hands} hands, {report['provider']}, {report['threads']} threads, "
        f"{result['fps']} fps, "
        f"{result['frames']} frames)"
    )
    rows = [("ours", result)]
    if rival is not None:
        rows.append(("mediapipe", result["mediapipe"]))
    for name, r in rows:
        print(
            f"{name:17s} CPU {r['cpu_pct']}% of one core (passes {r['cpu_pct_passes']}; "
            f"tracking calls alone {r['tracking_cpu_pct']}%; wall/duration "
            f"{r['wall_over_duration']}), "
            f"frames_with_hand {r['frames_with_hand']}, first_hand_frame {r['first_hand_frame']}"
        )
    print(f"decoding alone    CPU {result['decode_only_cpu_pct']}% of one core")
    print(f"load average      {report['load_average']}")
    return 0


def _tracker(args: argparse.Namespace, static: bool, live: bool = False) -> HandTracker:
    """The tracker the options describe, with the two scheduling settings applied. ``live``
    (``--realtime``): inference threads as the app and ``handcue run`` choose them for a
    camera (:func:`pipeline.tracking.config.live_threads`; ``--threads N`` still wins)."""
    from pipeline.tracking.config import live_threads, tracker_config
    from pipeline.tracking.tracker import HandTracker

    settings = check_tracker_options(args).model_copy(
        update={"far_hands": args.far_hands == "on", "power_saving": args.power_saving == "on"}
    )
    threads = live_threads(settings.threads) if live else None
    return HandTracker(tracker_config(settings, static_mode=static, threads=threads))


def run_far(args: argparse.Namespace) -> int:
    """``--far DATA``: the far set and the far videos (see app.measure.far)."""
    import os

    from app.measure.far import Runner, far_set, far_videos

    data = Path(args.far)
    if not (data / "reference").is_dir():
        raise HandCueError(f"{args.far}: not the shared data folder (no reference/ in it)")
    if args.every < 1:
        raise HandCueError("--every must be at least 1")
    static = _tracker(args, True)
    video = _tracker(args, False)

    def ours_static(img: np.ndarray) -> list[np.ndarray]:
        return [h.landmarks[:, :2] for h in static.process(img, 0.0).hands]

    def ours_video() -> Runner:
        video.reset()
        t = iter(range(1 << 30))
        return lambda img: [h.landmarks[:, :2] for h in video.process(img, next(t) * 40.0).hands]

    runners: dict[str, Runner] = {"ours": ours_static}
    makers = {"ours": ours_video}
    rivals = []
    if args.compare_mediapipe:
        from app.measure.mediapipe_hands import MediaPipeHands

        mp_static = MediaPipeHands(static_mode=True, max_hands=args.max_hands, model=args.model)
        mp_video = MediaPipeHands(static_mode=False, max_hands=args.max_hands, model=args.model)
        rivals = [mp_static, mp_video]
        runners["mediapipe"] = lambda img: mp_static.landmarks(mp_static.prepare(img))

        def mp_maker() -> Runner:
            mp_video.reset()
            return lambda img: mp_video.landmarks(mp_video.prepare(img))

        makers["mediapipe"] = mp_maker
    try:
        videos = far_videos(data, makers)
        photos = far_set(data, runners, args.every)
    finally:
        for r in rivals:
            r.close()
    report = {
        "mode": "far",
        "data": str(data),
        "model": args.model,
        "max_hands": args.max_hands,
        "far_hands": args.far_hands,
        "every": args.every,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "far_set": photos,
        "far_videos": videos,
    }
    if args.json:
        print(json.dumps(report))
        return 0
    print("far set (photos fitted into 1280x720, shrunk, pasted into a plain 1280x720 canvas)")
    for name, per in photos.items():
        for scale, t in per.items():
            print(
                f"  {name:10s} {scale}: found {t['found']}/{t['reference_hands']} "
                f"({100 * t['found_rate']:.1f}%), extra hands {t['extra_hands']}"
            )
    print("far videos (open hand, shrunk inside 1280x720)")
    for name, per in videos.items():
        for scale, v in per.items():
            print(
                f"  {name:10s} {scale}: hand on {v['frames_with_hand']}/{v['frames']} frames "
                f"({100 * v['frames_with_hand_rate']:.1f}%), matching the reference on "
                f"{v['frames_matching_reference']}"
            )
    for name, per in photos.items():
        for scale, t in per.items():
            if t["extra_on"]:
                print(f"  {name} extra hands at {scale}: {', '.join(t['extra_on'])}")
    return 0


def run_dynamic(args: argparse.Namespace) -> int:
    """``--dynamic FOLDER``: movements on labelled clips (see app.measure.dynamic); with
    ``--landmarks FILE`` on MediaPipe's dumped hands (app.measure.dynamic_replay)."""
    from app.measure.dynamic import DynamicOptions, app_config, evaluate
    from app.measure.dynamic_clips import parse_variants
    from app.measure.dynamic_table import report_lines

    options = DynamicOptions(
        folder=args.dynamic,
        mirrored={"yes": True, "no": False}.get(args.mirrored),
        variants=tuple(parse_variants(args.variant)),
        frame_step=args.frame_step,
        compare_mediapipe=args.compare_mediapipe,
    )
    config = app_config(
        model=args.model,
        max_hands=args.max_hands,
        provider=args.provider,
        threads=args.threads,
        far_hands=args.far_hands == "on",
        power_saving=args.power_saving == "on",
    )
    if args.landmarks is None:
        report = evaluate(options, config)
    elif args.compare_mediapipe:
        raise HandCueError("--landmarks: the hands are MediaPipe's already; no --compare-mediapipe")
    else:
        from app.measure.dynamic_replay import evaluate_replay

        report = evaluate_replay(options, args.landmarks)
    print(json.dumps(report) if args.json else "\n".join(report_lines(report)))
    return 0
