"""MediaPipe Hands on the clips of ``handcue bench --dynamic``: its tracking figures to set
beside ours, on the same frames (flipped back when mirrored, the same variants, every
``frame_step``-th frame; MediaPipe has no power saving, so it reads each of them).

MediaPipe 0.10.14 cannot live in HandCue's environment (its protobuf pin conflicts; see the
``compare`` extra in pyproject.toml), so this module imports only numpy, OpenCV, MediaPipe and
the plain modules of the dynamic bench, and runs on its own in an environment that has those,
from the checkout (so that ``app`` is importable)::

    cd /work/main
    /tmp/mpvenv/bin/python -m app.measure.dynamic_mediapipe ../shared/data/dynamic-dev \\
        [--frame-step K] [--variant fast2,dark] [--mirrored yes|no|auto] [--json]

where ``/tmp/mpvenv`` is e.g. ``python3.11 -m venv /tmp/mpvenv && /tmp/mpvenv/bin/pip install
mediapipe==0.10.14 opencv-python-headless``. Where MediaPipe is importable, ``handcue bench
--dynamic FOLDER --compare-mediapipe`` adds the same figures to each clip itself.

MediaPipe runs in video mode (``static_image_mode=False``), ``max_num_hands=2``,
``model_complexity=1``, a fresh graph per clip. It has no track ids, so per clip:
``frames_with_hand``, ``lost_frames`` (frames between its first and last frame with a hand that
have none), ``tracks`` (how often its hand count went from 0 to more) and ``max_hands``
(:func:`app.measure.dynamic_scoring.tracking_figures`)."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import Any

from app.measure.dynamic_clips import Clip, load_runs, parse_variants, processed_frames
from app.measure.dynamic_scoring import tracking_figures
from app.measure.dynamic_table import mediapipe_lines
from pipeline.errors import HandCueError

MAX_HANDS = 2
#: What to do without MediaPipe here (the command above, in words).
RUN_APART = (
    "--compare-mediapipe: MediaPipe is not installed in this environment (its protobuf "
    "conflicts with HandCue's). Run its side on its own from the checkout, with a Python that "
    "has mediapipe 0.10.14, numpy and opencv-python-headless:  "
    "python -m app.measure.dynamic_mediapipe FOLDER [--frame-step K] [--variant ...] --json"
)


class MediaPipeFigures:
    """MediaPipe's tracking figures per clip (one graph, renewed per clip); raises
    :class:`HandCueError` (:data:`RUN_APART`) when MediaPipe cannot be imported."""

    def __init__(self) -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import mediapipe  # noqa: F401
        except ImportError:
            raise HandCueError(RUN_APART) from None
        from app.measure.mediapipe_hands import MediaPipeHands

        self._hands = MediaPipeHands(static_mode=False, max_hands=MAX_HANDS, model="full")

    def figures(self, clip: Clip, frame_step: int) -> dict[str, int]:
        self._hands.reset()
        counts = [
            self._hands.process(self._hands.prepare(clip.frames[i]))
            for i in processed_frames(clip, frame_step)
        ]
        return tracking_figures(counts)

    def close(self) -> None:
        self._hands.close()


def evaluate(
    folder: str, mirrored: bool | None, variants: list[str], frame_step: int
) -> dict[str, Any]:
    """The figures of every clip of ``folder``, as filed and as each variant."""
    runs = load_runs(folder, mirrored, variants)
    rival = MediaPipeFigures()
    report: dict[str, Any] = {
        "mode": "dynamic-mediapipe",
        "folder": folder,
        "frame_step": frame_step,
        "max_hands": MAX_HANDS,
        "model_complexity": 1,
        "runs": [],
    }
    try:
        for variant, clips in runs:
            rows: list[dict[str, Any]] = [
                {"clip": c.name, "frames": len(c.frames), **rival.figures(c, frame_step)}
                for c in clips
            ]
            total = {
                key: sum(r[key] for r in rows)
                for key in ("frames_processed", "frames_with_hand", "lost_frames", "tracks")
            }
            report["runs"].append({"variant": variant, "clips": rows, "totals": total})
    finally:
        rival.close()
    return report


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m app.measure.dynamic_mediapipe",
        description="MediaPipe's tracking figures on the clips of handcue bench --dynamic",
    )
    p.add_argument("folder", help="folder of clips with their labels.json")
    p.add_argument("--frame-step", type=int, default=1, metavar="K", help="every K-th frame")
    p.add_argument("--variant", action="append", default=[], help="fast2, slow2, shift, dark, flip")
    p.add_argument("--mirrored", choices=("yes", "no", "auto"), default="auto")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.frame_step < 1:
            raise HandCueError("--frame-step must be at least 1")
        mirrored = {"yes": True, "no": False}.get(args.mirrored)
        report = evaluate(args.folder, mirrored, parse_variants(args.variant), args.frame_step)
    except HandCueError as exc:
        print(f"dynamic_mediapipe: {exc}", file=sys.stderr)
        return exc.code
    print(json.dumps(report) if args.json else "\n".join(mediapipe_lines(report)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
