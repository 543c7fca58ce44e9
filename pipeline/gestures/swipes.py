"""Dynamic gestures: swipes from the motion of a tracked hand.

Direction convention: swipes are named as the user sees them in a **mirrored preview** (the
selfie view every video-call app shows), which is also the user's own left and right.
Frames from the tracker are unmirrored, so a hand moving towards *image* +x (right in the raw
camera image) is moving to the user's left: that is ``swipe_left``. Up and down are the same in
both views (image -y is ``swipe_up``). Moving the hand to your left to go to the previous slide
or to the next one is a choice for the action mapping, not for this module.

Distances are measured in palm sizes (wrist to middle knuckle in the image) and speeds in palm
sizes per second, so the thresholds hold near and far from the camera.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from pipeline.types import Hand

SWIPES = ("swipe_left", "swipe_right", "swipe_up", "swipe_down")
_PALM_POINTS = (0, 5, 9, 13, 17)


@dataclass(frozen=True)
class SwipeConfig:
    """``min_distance``: palm sizes the hand must travel along the swipe axis; ``min_speed``:
    average speed (palm sizes / s) over the movement; ``max_duration_ms``: the movement must fit
    in this window; ``max_off_axis``: sideways drift allowed as a fraction of the travel;
    ``cooldown_ms``: no second swipe of the same hand this soon; ``gestures``: static gestures
    the hand must show during most of the movement (``None`` = any, including ``none``).
    The default asks for an open hand, so lowering a resting arm is not a swipe."""

    min_distance: float = 1.5
    min_speed: float = 4.0
    max_duration_ms: float = 600.0
    max_off_axis: float = 0.5
    cooldown_ms: float = 700.0
    gestures: frozenset[str] | None = frozenset({"open_palm", "four"})


@dataclass
class _Sample:
    t: float
    centre: np.ndarray  # (2,) image pixels
    palm: float  # palm size, pixels
    pose_ok: bool


class SwipeDetector:
    """One detector for all tracks; call :meth:`update` once per frame per hand."""

    def __init__(self, config: SwipeConfig | None = None) -> None:
        self.config = config or SwipeConfig()
        self._history: dict[int, deque[_Sample]] = {}
        self._cooldown_until: dict[int, float] = {}

    def reset(self) -> None:
        self._history.clear()
        self._cooldown_until.clear()

    def keep_only(self, track_ids: set[int]) -> None:
        """Drop the history of tracks not in ``track_ids`` (hands no longer tracked)."""
        for track_id in [t for t in self._history if t not in track_ids]:
            del self._history[track_id]
            self._cooldown_until.pop(track_id, None)

    def update(self, hand: Hand, gesture: str, timestamp_ms: float) -> str | None:
        """Add one observation of ``hand`` (its static ``gesture`` this frame); returns the swipe
        it completes, if any."""
        cfg = self.config
        t = float(timestamp_ms)
        pts = np.asarray(hand.landmarks[:, :2], dtype=np.float64)
        centre = pts[list(_PALM_POINTS)].mean(axis=0)
        palm = float(np.linalg.norm(pts[9] - pts[0]))
        pose_ok = cfg.gestures is None or gesture in cfg.gestures
        hist = self._history.setdefault(hand.track_id, deque())
        hist.append(_Sample(t, centre, max(palm, 1e-6), pose_ok))
        while hist and t - hist[0].t > cfg.max_duration_ms:
            hist.popleft()
        if t < self._cooldown_until.get(hand.track_id, -np.inf) or len(hist) < 3:
            return None
        swipe = self._detect(hist)
        if swipe is not None:
            self._cooldown_until[hand.track_id] = t + cfg.cooldown_ms
            hist.clear()
        return swipe

    def _detect(self, hist: deque[_Sample]) -> str | None:
        cfg = self.config
        end = hist[-1]
        palm = float(np.median([s.palm for s in hist]))
        # Try every start in the window, longest movement first.
        for start in hist:
            dt = end.t - start.t
            if dt <= 0:
                break
            d = (end.centre - start.centre) / palm
            ax = int(np.argmax(np.abs(d)))
            travel, drift = abs(d[ax]), abs(d[1 - ax])
            if travel < cfg.min_distance or drift > cfg.max_off_axis * travel:
                continue
            if travel / (dt / 1000.0) < cfg.min_speed:
                continue
            span = [s for s in hist if s.t >= start.t]
            if sum(s.pose_ok for s in span) * 2 < len(span):
                continue
            if ax == 0:
                # Image +x is the user's left (see the module docstring).
                return "swipe_left" if d[0] > 0 else "swipe_right"
            return "swipe_up" if d[1] < 0 else "swipe_down"
        return None
