"""``handcue bench --dynamic FOLDER --landmarks FILE``: MediaPipe-based tracking through our
movement layer. The hands MediaPipe Hands found on the clips, dumped by
``python -m app.measure.dynamic_mediapipe FOLDER --dump FILE`` (the format is in its
docstring), go through our gesture engine in place of our tracker's, and are scored and shown
as ours are (:mod:`app.measure.dynamic`), so the two can be set side by side per clip.

What MediaPipe does not give is filled in here:

* **Track ids** (:class:`NearestIds`): each hand takes the id of the nearest hand of the
  previous processed frame, by palm centre (the mean of the wrist and the four knuckles, the
  centre the movement layer follows), if that one is within :data:`REACH` of its palm sizes
  (wrist to middle knuckle, in pixels); otherwise a new id. Closest pairs are matched first,
  each hand once. A frame without a hand ends every id, as our tracker ends a lost track; the
  gesture engine then links a hand found again to a lost one's path the same way for both.
* **Handedness**: MediaPipe's label assumes a mirrored image; the clips are unmirrored, so the
  person's hand is the other side (:func:`app.measure.mediapipe_hands.person_hand`).
* ``score``: MediaPipe only reports hands whose presence passed its threshold, and gives no
  presence score: 1. ``handedness_score`` is its handedness score; ``roi`` the landmarks'
  bounding box (the gesture engine does not read it); ``detector_ran`` False, nothing unsure.

The gesture engine is the one our side builds from the settings' defaults
(:func:`pipeline.runtime.make_gestures`), new for each clip; every processed frame of the dump
is replayed at its time on the clip's clock (MediaPipe has no power saving). A dump with every
frame serves any ``--frame-step``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.measure.dynamic import ClipRun, DynamicOptions, app_config, report_head, score_runs
from app.measure.dynamic_clips import Clip, load_runs, processed_frames
from app.measure.dynamic_scoring import movement_detections
from app.measure.mediapipe_hands import person_hand
from pipeline.errors import HandCueError
from pipeline.gestures.motion.paths import PALM_POINTS
from pipeline.types import FrameResult, Hand, RotatedRect

#: How far (in palm sizes of the previous frame's hand) a hand may be and keep its id.
REACH = 1.5
HOW = "write it with: python -m app.measure.dynamic_mediapipe FOLDER --dump FILE"
_KEYS = ("variant", "clip", "frame", "t_ms", "width", "height", "hands")


@dataclass(frozen=True)
class DumpedHand:
    """One hand as MediaPipe reported it: ``landmarks`` (21, 3) pixels (z in x's scale),
    ``world`` (21, 3) metres, its own ``label`` (for a mirrored image) and ``score``."""

    landmarks: np.ndarray
    world: np.ndarray
    label: str
    score: float


@dataclass(frozen=True)
class DumpedFrame:
    t_ms: float
    width: int
    height: int
    hands: tuple[DumpedHand, ...]


#: (variant, clip) -> frame index -> its hands.
Dump = dict[tuple[str, str], dict[int, DumpedFrame]]


def load_dump(path: str | Path) -> Dump:
    """Every line of the dump at ``path``. Raises :class:`HandCueError` naming the file and
    line when it is missing, unreadable or not in the dump's form."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise HandCueError(f"--landmarks {path}: no such file ({HOW})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HandCueError(f"--landmarks {path}: cannot be read ({exc})") from None
    dump: Dump = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            variant, clip, frame, item = _frame(line)
        except ValueError as exc:
            raise HandCueError(f"--landmarks {path} line {number}: {exc}") from None
        dump.setdefault((variant, clip), {})[frame] = item
    if not dump:
        raise HandCueError(f"--landmarks {path}: no frames in it ({HOW})")
    return dump


def _frame(line: str) -> tuple[str, str, int, DumpedFrame]:
    """One line of the dump; ValueError saying what is wrong with it."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg}, column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    missing = [key for key in _KEYS if key not in obj]
    if missing:
        raise ValueError(f"no {missing[0]!r} ({', '.join(_KEYS)} expected)")
    if not isinstance(obj["hands"], list):
        raise ValueError("'hands' is not a list")
    try:
        frame, width, height = int(obj["frame"]), int(obj["width"]), int(obj["height"])
        t_ms = float(obj["t_ms"])
    except (TypeError, ValueError):
        raise ValueError("'frame', 'width', 'height' and 't_ms' must be numbers") from None
    hands = tuple(_hand(hand, n) for n, hand in enumerate(obj["hands"], start=1))
    return str(obj["variant"]), str(obj["clip"]), frame, DumpedFrame(t_ms, width, height, hands)


def _hand(obj: Any, n: int) -> DumpedHand:
    if not isinstance(obj, dict) or obj.get("label") not in ("Left", "Right"):
        raise ValueError(f"hand {n}: an object with 'label' Left or Right expected")
    points = []
    for key in ("landmarks", "world"):
        try:
            arr = np.asarray(obj.get(key), dtype=np.float32)
        except (TypeError, ValueError):
            arr = np.empty(0, dtype=np.float32)
        if arr.shape != (21, 3) or not np.isfinite(arr).all():
            raise ValueError(f"hand {n}: {key!r} must be 21 [x, y, z] points")
        points.append(arr)
    score = obj.get("score")
    if not isinstance(score, int | float):
        raise ValueError(f"hand {n}: 'score' must be a number")
    return DumpedHand(points[0], points[1], obj["label"], float(score))


class NearestIds:
    """Track ids for hands reported without them (see the module docstring); one per clip."""

    def __init__(self, reach: float = REACH) -> None:
        self.reach = reach
        self._previous: list[tuple[int, np.ndarray, float]] = []  # id, palm centre, palm size
        self._next = 1

    def assign(self, landmarks: Sequence[np.ndarray]) -> list[int]:
        """The ids of this frame's hands, each ``landmarks`` (21, 2+) in pixels, in order."""
        points = [np.asarray(lm, dtype=np.float64)[:, :2] for lm in landmarks]
        centres = [xy[list(PALM_POINTS)].mean(axis=0) for xy in points]
        palms = [float(np.linalg.norm(xy[9] - xy[0])) for xy in points]
        distances = [
            (float(np.linalg.norm(centre - old_centre)), i, j, old_palm)
            for i, centre in enumerate(centres)
            for j, (_, old_centre, old_palm) in enumerate(self._previous)
        ]
        pairs = sorted((d, i, j) for d, i, j, palm in distances if d <= self.reach * palm)
        ids: list[int | None] = [None] * len(centres)
        taken: set[int] = set()
        for _, i, j in pairs:
            if ids[i] is None and j not in taken:
                ids[i] = self._previous[j][0]
                taken.add(j)
        for i, track_id in enumerate(ids):
            if track_id is None:
                ids[i], self._next = self._next, self._next + 1
        assigned = [int(t) for t in ids if t is not None]
        self._previous = list(zip(assigned, centres, palms, strict=True))
        return assigned


def frame_result(index: int, t_ms: float, frame: DumpedFrame, ids: Sequence[int]) -> FrameResult:
    """Frame ``index`` at ``t_ms`` with the dumped hands as ours (the module docstring)."""
    hands = []
    for hand, track_id in zip(frame.hands, ids, strict=True):
        lo, hi = hand.landmarks[:, :2].min(axis=0), hand.landmarks[:, :2].max(axis=0)
        centre, size = (lo + hi) / 2.0, hi - lo
        roi = RotatedRect(float(centre[0]), float(centre[1]), float(size[0]), float(size[1]), 0.0)
        hands.append(
            Hand(
                hand.landmarks, hand.world, person_hand(hand.label), hand.score, 1.0, track_id, roi
            )
        )
    return FrameResult(index, t_ms, frame.width, frame.height, tuple(hands), detector_ran=False)


def clip_frames(
    dump: Dump, clip: Clip, frame_step: int, path: str
) -> list[tuple[int, DumpedFrame]]:
    """The dumped frames ``clip`` processes at ``frame_step``, checked to be this clip's (its
    size and clock). Raises :class:`HandCueError` when the dump lacks one."""
    frames = dump.get((clip.variant, clip.name), {})
    height, width = clip.frames[0].shape[:2]
    out = []
    for index in processed_frames(clip, frame_step):
        frame = frames.get(index)
        if frame is None:
            steps = "1" if frame_step == 1 else f"{frame_step} or 1"
            raise HandCueError(
                f"--landmarks {path}: no frame {index} of {clip.name} ({clip.variant}); dump "
                f"these clips with the same --variant options and --frame-step {steps}"
            )
        if (frame.width, frame.height) != (width, height) or abs(
            frame.t_ms - clip.time_ms(index)
        ) > 0.5:
            raise HandCueError(
                f"--landmarks {path}: frame {index} of {clip.name} ({clip.variant}) is "
                f"{frame.width}x{frame.height} at {frame.t_ms:g} ms, the clip's "
                f"{width}x{height} at {clip.time_ms(index):g} ms: not dumped from these clips"
            )
        out.append((index, frame))
    return out


def replay_clip(frames: Sequence[tuple[int, DumpedFrame]], clip: Clip) -> ClipRun:
    """The dumped ``frames`` (index, hands) of ``clip`` through a new gesture engine."""
    from pipeline.runtime import make_gestures

    engine = make_gestures(app_config(), None)
    ids = NearestIds()
    run = ClipRun()
    for index, frame in frames:
        track_ids = ids.assign([hand.landmarks for hand in frame.hands])
        _, events = engine.process(frame_result(index, clip.time_ms(index), frame, track_ids))
        run.track_ids.append(tuple(track_ids))
        run.detections += movement_detections(events, index)
    return run


def evaluate_replay(options: DynamicOptions, path: str) -> dict[str, Any]:
    """The report of :func:`app.measure.dynamic.evaluate` with the dumped hands at ``path``
    in place of our tracker's (every clip checked against the dump before any is replayed)."""
    dump = load_dump(path)
    runs = load_runs(options.folder, options.mirrored, options.variants)
    frames = {
        (clip.variant, clip.name): clip_frames(dump, clip, options.frame_step, path)
        for _, clips in runs
        for clip in clips
    }
    return {
        **report_head(options, runs),
        "hands_from": "mediapipe",
        "landmarks": path,
        "track_ids_by": f"nearest palm centre in the previous frame, within {REACH:g} palm sizes",
        "runs": score_runs(runs, lambda clip: replay_clip(frames[(clip.variant, clip.name)], clip)),
    }
