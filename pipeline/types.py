"""Frozen result types handed from the tracker to gestures, actions and the GUI.

Coordinates: ``landmarks`` are in pixels of the original (unmirrored) frame for x and y; z is
relative depth with the wrist near 0, in the same pixel scale as x (smaller = nearer the camera).
``world_landmarks`` are metres, origin near the hand's centre, axes as the image's (x right,
y down), MediaPipe's convention.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from pipeline.skeleton import NUM_LANDMARKS


def _frozen_array(name: str, value: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float32)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    arr = arr.copy()
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True)
class RotatedRect:
    """A rotated rectangle in pixels of the original frame.

    ``rotation`` is in radians, counter-clockwise positive as seen on screen is *not* used:
    it follows MediaPipe, where a positive angle turns the rect's "up" axis clockwise on screen
    (image y points down).
    """

    cx: float
    cy: float
    width: float
    height: float
    rotation: float

    def corners(self) -> np.ndarray:
        """(4, 2) corners in frame pixels: top-left, top-right, bottom-right, bottom-left of the
        rect's own frame (top = towards the fingers)."""
        c, s = np.cos(self.rotation), np.sin(self.rotation)
        hw, hh = self.width / 2.0, self.height / 2.0
        local = np.array([[-hw, -hh], [hw, -hh], [hw, hh], [-hw, hh]], dtype=np.float64)
        rot = np.array([[c, -s], [s, c]])
        return local @ rot.T + np.array([self.cx, self.cy])


@dataclass(frozen=True)
class Hand:
    """One tracked hand in one frame."""

    landmarks: np.ndarray  # (21, 3) x, y pixels of the frame; z relative depth in x's scale
    world_landmarks: np.ndarray  # (21, 3) metres
    handedness: str  # the person's real hand: "Left" or "Right" (unmirrored frame)
    handedness_score: float
    score: float  # hand presence probability
    track_id: int
    roi: RotatedRect

    def __post_init__(self) -> None:
        shape = (NUM_LANDMARKS, 3)
        object.__setattr__(self, "landmarks", _frozen_array("landmarks", self.landmarks, shape))
        object.__setattr__(
            self, "world_landmarks", _frozen_array("world_landmarks", self.world_landmarks, shape)
        )
        if self.handedness not in ("Left", "Right"):
            raise ValueError(f"handedness must be 'Left' or 'Right', got {self.handedness!r}")

    @property
    def palm_size(self) -> float:
        """Wrist to middle-finger MCP distance in frame pixels (x, y only)."""
        return float(np.linalg.norm(self.landmarks[9, :2] - self.landmarks[0, :2]))


@dataclass(frozen=True)
class FrameResult:
    """Everything the tracker found in one frame.

    ``timings`` holds per-stage milliseconds (e.g. ``detect_pre``, ``detect_infer``,
    ``landmark_infer``, ``total``). ``unsure`` holds the track ids of hands whose reading the
    tracker does not trust yet (new, or a fresh detection read the hand differently): they are
    reported, but no gesture should start on them.
    """

    frame_index: int
    timestamp_ms: float
    width: int
    height: int
    hands: tuple[Hand, ...]
    detector_ran: bool
    timings: Mapping[str, float] = field(default_factory=dict)
    unsure: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"frame size must be positive, got {self.width}x{self.height}")
        object.__setattr__(self, "hands", tuple(self.hands))
        object.__setattr__(self, "timings", MappingProxyType(dict(self.timings)))


# The number gestures (``count_N`` of one hand, ``total_N`` of the frame) run beside the hand's
# sign, each as its own stream of events, so their events carry the hand's track id plus one of
# these offsets (a total: the id of the lowest-numbered hand showing part of it).
COUNT_TRACK_OFFSET = 1_000_000_000
TOTAL_TRACK_OFFSET = 2 * COUNT_TRACK_OFFSET
# Movement events (swipes, drag, ...) of a hand: a channel of their own, so a sign the hand
# starts during a drag does not end the drag (the action engine follows one gesture per id).
MOTION_TRACK_OFFSET = 3 * COUNT_TRACK_OFFSET


def hand_track_id(track_id: int) -> int:
    """The tracked hand behind an event's ``track_id`` (the id itself for a hand's sign; the
    hand's id for its count, total and movement events, see :data:`COUNT_TRACK_OFFSET` and
    :data:`MOTION_TRACK_OFFSET`)."""
    return track_id % COUNT_TRACK_OFFSET if track_id >= COUNT_TRACK_OFFSET else track_id


@dataclass(frozen=True)
class GestureEvent:
    """A stabilised gesture change of one tracked hand.

    ``kind`` is ``"started"``, ``"held"`` (periodic while the gesture lasts) or ``"ended"``.
    ``timestamp_ms`` is the time of the frame that produced the event; ``started_ms`` the time the
    gesture started (so ``timestamp_ms - started_ms`` is how long it has been held).
    Swipes are one-shot: a ``started`` event immediately followed by ``ended``.
    Number gestures (``count_N``, ``total_N``) have track ids of their own that map back to the
    hand with :func:`hand_track_id`; a total shown by several hands has ``handedness`` ``"Both"``.
    """

    kind: str
    gesture: str
    track_id: int
    handedness: str
    timestamp_ms: float
    started_ms: float
    score: float = 1.0
    frame_index: int = -1

    def __post_init__(self) -> None:
        if self.kind not in ("started", "held", "ended"):
            raise ValueError(f"kind must be started/held/ended, got {self.kind!r}")
