"""MediaPipe Hands on the clips of ``handcue bench --dynamic``: its tracking figures to set
beside ours, on the same frames (flipped back when mirrored, the same variants, every
``frame_step``-th frame; MediaPipe has no power saving, so it reads each of them).

MediaPipe 0.10.14 cannot live in HandCue's environment (its protobuf pin conflicts; see the
``compare`` extra in pyproject.toml), so this module imports only numpy, OpenCV, MediaPipe and
the plain modules of the dynamic bench, and runs on its own in an environment that has those,
from the checkout (so that ``app`` is importable)::

    cd /work/main
    /tmp/mpvenv/bin/python -m app.measure.dynamic_mediapipe ../shared/data/dynamic-dev \\
        [--frame-step K] [--variant fast2,dark] [--mirrored yes|no|auto] [--json] [--dump FILE]

where ``/tmp/mpvenv`` is e.g. ``python3.11 -m venv /tmp/mpvenv && /tmp/mpvenv/bin/pip install
mediapipe==0.10.14 opencv-python-headless``. Where MediaPipe is importable, ``handcue bench
--dynamic FOLDER --compare-mediapipe`` adds the same figures to each clip itself.

MediaPipe runs in video mode (``static_image_mode=False``), ``max_num_hands=2``,
``model_complexity=1``, a fresh graph per clip. It has no track ids, so per clip:
``frames_with_hand``, ``lost_frames`` (frames between its first and last frame with a hand that
have none), ``tracks`` (how often its hand count went from 0 to more) and ``max_hands``
(:func:`app.measure.dynamic_scoring.tracking_figures`).

``--dump FILE`` also writes MediaPipe's hands, for ``handcue bench --dynamic FOLDER
--landmarks FILE`` to replay through our gesture engine (:mod:`app.measure.dynamic_replay`):
one JSON object a line, per variant, clip and processed frame (frames without a hand too)::

    {"variant": "original", "clip": "swipe_left_right.gif", "frame": 4, "t_ms": 240.0,
     "width": 480, "height": 270,
     "hands": [{"landmarks": [[x, y, z], ...21], "world": [[x, y, z], ...21],
                "label": "Left", "score": 0.98}]}

``frame``: the index in the variant's frames (as the labels count them), ``t_ms`` its time on
the clip's clock; ``landmarks`` in pixels of that (unmirrored) frame, z in x's scale (MediaPipe's
z times the width); ``world``: its world landmarks (metres, origin near the hand's centre);
``label`` and ``score``: its handedness as it reports it (for a mirrored image: on these frames
its "Left" is the person's right hand). The file is written whole or not at all."""

from __future__ import annotations

import argparse
import io
import json
import sys
import warnings
from pathlib import Path
from typing import Any, TextIO

from app.measure.dynamic_clips import Clip, load_runs, parse_variants, processed_frames
from app.measure.dynamic_scoring import tracking_figures
from app.measure.dynamic_table import mediapipe_lines
from pipeline.errors import HandCueError
from pipeline.fileio import atomic_write_text

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

    def figures(self, clip: Clip, frame_step: int, dump: TextIO | None = None) -> dict[str, int]:
        """The figures of ``clip``; with ``dump``, its hands written there, a line a frame."""
        self._hands.reset()
        height, width = clip.frames[0].shape[:2]
        counts = []
        for i in processed_frames(clip, frame_step):
            result = self._hands.raw(self._hands.prepare(clip.frames[i]))
            hands = hand_records(result, width, height)
            counts.append(len(hands))
            if dump is not None:
                record = frame_record(clip, i, (width, height), hands)
                dump.write(json.dumps(record, separators=(",", ":")) + "\n")
        return tracking_figures(counts)

    def close(self) -> None:
        self._hands.close()


def hand_records(result: Any, width: int, height: int) -> list[dict[str, Any]]:
    """The hands of MediaPipe's answer for a ``width`` x ``height`` frame
    (:meth:`app.measure.mediapipe_hands.MediaPipeHands.raw`) in the dump's form (the module
    docstring); world landmarks all 0 where it gives none."""
    sides = result.multi_handedness or []
    worlds = result.multi_hand_world_landmarks or []
    hands = []
    for n, marks in enumerate(result.multi_hand_landmarks or []):
        side = sides[n].classification[0] if n < len(sides) else None
        world = (
            [[round(float(v), 5) for v in (p.x, p.y, p.z)] for p in worlds[n].landmark]
            if n < len(worlds)
            else [[0.0, 0.0, 0.0]] * len(marks.landmark)
        )
        hands.append(
            {
                "landmarks": [
                    [
                        round(float(v) * scale, 3)
                        for v, scale in ((p.x, width), (p.y, height), (p.z, width))
                    ]
                    for p in marks.landmark
                ],
                "world": world,
                "label": side.label if side is not None else "",
                "score": round(float(side.score), 4) if side is not None else 0.0,
            }
        )
    return hands


def frame_record(
    clip: Clip, index: int, size: tuple[int, int], hands: list[dict[str, Any]]
) -> dict[str, Any]:
    """One line of the dump: frame ``index`` of ``clip`` (``size``: width, height) and its
    ``hands`` (:func:`hand_records`)."""
    return {
        "variant": clip.variant,
        "clip": clip.name,
        "frame": index,
        "t_ms": round(clip.time_ms(index), 3),
        "width": size[0],
        "height": size[1],
        "hands": hands,
    }


def evaluate(
    folder: str,
    mirrored: bool | None,
    variants: list[str],
    frame_step: int,
    dump: str | None = None,
) -> dict[str, Any]:
    """The figures of every clip of ``folder``, as filed and as each variant; with ``dump``,
    MediaPipe's hands written to that file too (the module docstring)."""
    runs = load_runs(folder, mirrored, variants)
    if dump is None:
        return _figures(folder, runs, frame_step, None)
    out = io.StringIO()
    report = _figures(folder, runs, frame_step, out)
    try:
        atomic_write_text(Path(dump), out.getvalue())
    except OSError as exc:
        raise HandCueError(f"--dump {dump}: cannot write it ({exc.strerror or exc})") from None
    return report


def _figures(
    folder: str, runs: list[tuple[str, list[Clip]]], frame_step: int, dump: TextIO | None
) -> dict[str, Any]:
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
                {"clip": c.name, "frames": len(c.frames), **rival.figures(c, frame_step, dump)}
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
    p.add_argument(
        "--dump",
        metavar="FILE",
        help="also write MediaPipe's hands, a JSON line per processed frame, for handcue bench "
        "--dynamic FOLDER --landmarks FILE",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.frame_step < 1:
            raise HandCueError("--frame-step must be at least 1")
        mirrored = {"yes": True, "no": False}.get(args.mirrored)
        variants = parse_variants(args.variant)
        report = evaluate(args.folder, mirrored, variants, args.frame_step, args.dump)
    except HandCueError as exc:
        print(f"dynamic_mediapipe: {exc}", file=sys.stderr)
        return exc.code
    print(json.dumps(report) if args.json else "\n".join(mediapipe_lines(report)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
