"""Fakes for GUI tests: a tracker that replays MediaPipe's reference landmarks (or a synthetic
hand when the shared data is absent), sources that yield synthetic frames and can fail
mid-stream, and a gesture engine that labels hands by a script."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from pipeline.errors import SourceError
from pipeline.types import FrameResult, GestureEvent, Hand, RotatedRect
from tests.support import DATA

REFERENCE = DATA / "reference" / "fist_then_thumb_up_720p.jsonl"
VIDEO = DATA / "videos" / "fist_then_thumb_up_720p.mp4"


def synthetic_landmarks(cx: float = 640.0, cy: float = 400.0, size: float = 120.0) -> np.ndarray:
    """(21, 3) an open hand in frame pixels, fingers pointing up."""
    pts = [(0.0, 0.0)]
    for k, dx in enumerate((-0.55, -0.25, 0.0, 0.22, 0.42)):
        base = (-0.35, -0.25) if k == 0 else (dx, -0.9)
        for j in range(4):
            pts.append((base[0] + dx * 0.2 * j, base[1] - 0.28 * j))
    arr = np.array(pts, dtype=np.float32) * size + np.array([cx, cy], dtype=np.float32)
    return np.concatenate([arr, np.zeros((21, 1), np.float32)], axis=1)


def hand_from_landmarks(
    landmarks: np.ndarray, handedness: str = "Right", track_id: int = 1
) -> Hand:
    """A ``Hand`` whose world landmarks are the pixel landmarks scaled to a 9 cm palm."""
    lm = np.asarray(landmarks, dtype=np.float32)
    palm = float(np.linalg.norm(lm[9, :2] - lm[0, :2])) or 1.0
    world = (lm - lm.mean(axis=0)) * (0.09 / palm)
    xs, ys = lm[:, 0], lm[:, 1]
    size = float(max(xs.max() - xs.min(), ys.max() - ys.min())) * 1.6 + 1.0
    roi = RotatedRect(float(xs.mean()), float(ys.mean()), size, size, 0.1)
    return Hand(lm, world, handedness, 0.95, 0.98, track_id, roi)


def load_reference() -> list[list[np.ndarray]]:
    """Per frame, the reference landmarks (21, 3) of each hand; empty when the data is absent."""
    if not REFERENCE.exists():
        return []
    frames = []
    for line in REFERENCE.read_text().splitlines():
        row = json.loads(line)
        frames.append([np.asarray(h["landmarks"], np.float32) for h in row["hands"]])
    return frames


class FakeTracker:
    """Replays reference hands by frame index (or one synthetic hand on every frame)."""

    provider = "FakeExecutionProvider"

    def __init__(self, frames: list[list[np.ndarray]] | None = None) -> None:
        self.frames = frames if frames is not None else load_reference()
        self.calls = 0
        self.resets = 0
        self._lock = threading.Lock()

    def process(self, frame_bgr: np.ndarray, timestamp_ms: float) -> FrameResult:
        with self._lock:
            index = self.calls
            self.calls += 1
        h, w = frame_bgr.shape[:2]
        if self.frames:
            hands = tuple(
                hand_from_landmarks(lm, "Right", 1) for lm in self.frames[index % len(self.frames)]
            )
        else:
            hands = (hand_from_landmarks(synthetic_landmarks(w / 2, h * 0.6, h / 6)),)
        return FrameResult(index, timestamp_ms, w, h, hands, detector_ran=index == 0,
                           timings={"total": 1.0})  # fmt: skip

    def reset(self) -> None:
        self.resets += 1


@dataclass(frozen=True)
class FakeGesture:
    gesture: str
    score: float = 0.9
    count: int | None = None
    fingers: tuple[str, ...] = ()
    total: int | None = None


class FakeGestures:
    """Every hand shows ``gesture``; emits a ``started`` event when it changes."""

    def __init__(self, gesture: str = "thumb_up") -> None:
        self.gesture = gesture
        self._last: dict[int, str] = {}

    def process(self, result: FrameResult):
        per_hand, events = {}, []
        for hand in result.hands:
            per_hand[hand.track_id] = FakeGesture(self.gesture)
            if self._last.get(hand.track_id) != self.gesture:
                events.append(GestureEvent("started", self.gesture, hand.track_id,
                                           hand.handedness, result.timestamp_ms,
                                           result.timestamp_ms))  # fmt: skip
            self._last[hand.track_id] = self.gesture
        return per_hand, events

    def reset(self) -> None:
        self._last.clear()


@dataclass(frozen=True)
class FakeFrame:
    index: int
    timestamp_ms: float
    image: np.ndarray


class FakeSourceFactory:
    """An opener for ``TrackingSession``: yields ``frames`` synthetic 320x180 frames per open,
    then ends (files) or raises ``SourceError`` (when ``fail_after`` is set: a camera that gets
    unplugged). ``opens`` counts the openings; ``fail_opens`` makes the next N opens fail."""

    def __init__(self, frames: int = 50, fail_after: int | None = None, fps: float = 100.0,
                 fail_opens: int = 0, size: tuple[int, int] = (320, 180)) -> None:  # fmt: skip
        self.frames = frames
        self.fail_after = fail_after
        self.fps = fps
        self.fail_opens = fail_opens
        self.size = size
        self.opens = 0
        self.specs: list[str] = []

    @contextlib.contextmanager
    def __call__(self, spec: str, loop: bool) -> Iterator[Iterator[FakeFrame]]:
        self.opens += 1
        self.specs.append(spec)
        if self.fail_opens > 0:
            self.fail_opens -= 1
            raise SourceError(f"Camera {spec} is busy or missing.")
        yield self._frames(loop)

    def _frames(self, loop: bool) -> Iterator[FakeFrame]:
        w, h = self.size
        i = 0
        while True:
            if self.fail_after is not None and i >= self.fail_after:
                raise SourceError("The camera was unplugged.")
            if i >= self.frames and not loop:
                return
            image = np.full((h, w, 3), (40 + i * 7) % 255, np.uint8)
            yield FakeFrame(i, i * 1000.0 / self.fps, image)
            i += 1
