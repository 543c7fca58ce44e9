"""GestureEngine: recogniser + stabiliser + movement gestures behind one call per frame.

Besides each hand's sign, the engine follows numbers as gestures of their own: ``count_N``
while a hand shows the number N, and ``total_N`` while all the hands of the frame together
show N (:func:`pipeline.gestures.totals.frame_total`). Each runs through its own stabiliser, so
a hand can hold ``victory`` and ``count_2`` at once; their events carry derived track ids
(:data:`pipeline.types.COUNT_TRACK_OFFSET`, :func:`pipeline.types.hand_track_id`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from pipeline.gestures.motion import MotionConfig, MotionGestures, SwipeConfig
from pipeline.gestures.recognizer import NONE, GestureRecognizer, GestureResult
from pipeline.gestures.stabiliser import GestureStabiliser
from pipeline.gestures.templates import TemplateStore
from pipeline.gestures.totals import counting_hands, frame_total
from pipeline.types import (
    COUNT_TRACK_OFFSET,
    TOTAL_TRACK_OFFSET,
    FrameResult,
    GestureEvent,
    Hand,
)

# Palm sizes per second above which a hand is moving, not holding a sign (a held hand jitters
# below 1.5; a hand being swiped or a glitching track moves 6-25).
MAX_STATIC_SPEED = 5.0


class GestureEngine:
    """Per-frame gestures and stabilised events for every tracked hand.

    Called from the tracking worker thread, once per :class:`FrameResult`, in time order.
    ``swipes=None`` turns swipe detection off and ``motion=False`` the other movements (drag,
    zoom, tap, circles; :mod:`pipeline.gestures.motion`). A hand moving faster than ``max_static_speed``
    palm sizes per second cannot start a static gesture (see :mod:`.stabiliser`).
    ``numbers=False`` turns the ``count_N`` / ``total_N`` events off (the per-hand ``count``
    and the frame's ``total`` are still filled in).
    """

    def __init__(
        self,
        counting: str = "american",
        hold_ms: float = 150.0,
        templates: TemplateStore | None = None,
        release_ms: float = 200.0,
        held_every_ms: float = 500.0,
        swipes: SwipeConfig | None = SwipeConfig(),  # noqa: B008 - frozen dataclass
        max_static_speed: float = MAX_STATIC_SPEED,
        use_world: bool = False,
        numbers: bool = True,
        motion: bool = True,
    ) -> None:
        self.recognizer = GestureRecognizer(
            counting=counting, templates=templates, use_world=use_world
        )
        self.stabiliser = GestureStabiliser(
            hold_ms=hold_ms, release_ms=release_ms, held_every_ms=held_every_ms
        )
        # Numbers are debounced like signs, by time (their per-frame score is 1).
        self.count_stabiliser = GestureStabiliser(
            hold_ms=hold_ms, release_ms=release_ms, held_every_ms=held_every_ms
        )
        self.total_stabiliser = GestureStabiliser(
            hold_ms=hold_ms, release_ms=release_ms, held_every_ms=held_every_ms
        )
        self.numbers = numbers
        self.motion = MotionGestures(MotionConfig(swipes=swipes, shapes=motion))
        # False for photos (RunningMode.PHOTOS): each image stands alone, its track ids count
        # from 1 again, so there is no path to read a movement from.
        self.movements = True
        self.max_static_speed = float(max_static_speed)
        self._last_ts: float | None = None
        self._motion: dict[int, tuple[float, np.ndarray, float]] = {}  # id -> (t, centre, speed)

    def process(self, frame: FrameResult) -> tuple[dict[int, GestureResult], list[GestureEvent]]:
        """Gestures of the hands in ``frame`` (by track id) and the events this frame caused.

        Every hand's :class:`GestureResult` carries the frame's ``total`` (the same value for
        all hands of the frame; ``None`` when no hand shows a number)."""
        size = (frame.width, frame.height)
        per_hand: dict[int, GestureResult] = {}
        observations: dict[int, tuple[GestureResult, str]] = {}
        for hand in frame.hands:
            result = self.recognizer.classify(hand, frame_size=size)
            per_hand[hand.track_id] = result
            observations[hand.track_id] = (result, hand.handedness)
        motion_events = (
            self.motion.update(frame, {t: (r.gesture, r.fingers) for t, r in per_hand.items()})
            if self.movements
            else []
        )
        # Hands the tracker is unsure of cannot start a gesture either, and keep theirs longer
        # (see FrameResult.unsure and the stabiliser).
        moving = self._update_motion(frame) | set(frame.unsure)
        events = self.stabiliser.update(
            frame.timestamp_ms, observations, frame.frame_index, moving=moving, unsure=frame.unsure
        )
        results = [per_hand[h.track_id] for h in frame.hands]
        total = frame_total(self.recognizer.counting, frame.hands, results)
        if total is not None:
            per_hand = {tid: replace(r, total=total) for tid, r in per_hand.items()}
        if self.numbers:
            events += self._number_events(frame, results, total, moving)
        self._last_ts = frame.timestamp_ms
        return per_hand, events + motion_events

    def _number_events(
        self,
        frame: FrameResult,
        results: list[GestureResult],
        total: int | None,
        moving: set[int],
    ) -> list[GestureEvent]:
        """``count_N`` events of each hand and ``total_N`` events of the frame."""
        t, index = frame.timestamp_ms, frame.frame_index
        counts: dict[int, tuple[GestureResult, str]] = {}
        for hand, result in zip(frame.hands, results, strict=True):
            counts[COUNT_TRACK_OFFSET + hand.track_id] = (
                _number_result(result, "count", result.count),
                hand.handedness,
            )
        count_moving = {COUNT_TRACK_OFFSET + tid for tid in moving}
        # A number shown by a hand the tracker doubts lasts longer, as the hand's own sign does.
        count_unsure = {COUNT_TRACK_OFFSET + tid for tid in frame.unsure}
        events = self.count_stabiliser.update(
            t, counts, index, moving=count_moving, unsure=count_unsure
        )
        totals: dict[int, tuple[GestureResult, str]] = {}
        total_moving: set[int] = set()
        total_unsure: set[int] = set()
        if total is not None:
            shown_by: list[Hand] = counting_hands(frame.hands, results)
            lead = min(shown_by, key=lambda h: h.track_id)
            key = TOTAL_TRACK_OFFSET + lead.track_id
            sides = {h.handedness for h in shown_by}
            side = lead.handedness if len(sides) == 1 else "Both"
            totals[key] = (_number_result(results[0], "total", total), side)
            if any(h.track_id in moving for h in shown_by):
                total_moving.add(key)
            if any(h.track_id in frame.unsure for h in shown_by):
                total_unsure.add(key)
        events += self.total_stabiliser.update(
            t, totals, index, moving=total_moving, unsure=total_unsure
        )
        return events

    def _update_motion(self, frame: FrameResult) -> set[int]:
        """Smoothed speed of each hand (palm sizes per second); ids of the fast ones."""
        moving = set()
        motion: dict[int, tuple[float, np.ndarray, float]] = {}
        for hand in frame.hands:
            pts = np.asarray(hand.landmarks[:, :2], dtype=np.float64)
            centre = pts[[0, 5, 9, 13, 17]].mean(axis=0)
            speed = 0.0
            prev = self._motion.get(hand.track_id)
            if prev is not None and frame.timestamp_ms > prev[0]:
                dt = (frame.timestamp_ms - prev[0]) / 1000.0
                raw = float(np.linalg.norm(centre - prev[1])) / max(hand.palm_size, 1.0) / dt
                speed = 0.5 * raw + 0.5 * prev[2]
            motion[hand.track_id] = (frame.timestamp_ms, centre, speed)
            if speed > self.max_static_speed:
                moving.add(hand.track_id)
        self._motion = motion
        return moving

    def reset(self) -> list[GestureEvent]:
        """Forget all tracks (new source); returns ``ended`` events for active gestures."""
        events = self.motion.reset(self._last_ts)
        self._motion.clear()
        events += self.stabiliser.reset(self._last_ts)
        events += self.count_stabiliser.reset(self._last_ts)
        events += self.total_stabiliser.reset(self._last_ts)
        self._last_ts = None
        return events


def _number_result(result: GestureResult, kind: str, number: int | None) -> GestureResult:
    """``result`` restated as the number gesture ``<kind>_<number>`` (score 1), or ``none``."""
    if number is None:
        return GestureResult(NONE, 0.0, None, result.fingers)
    return GestureResult(f"{kind}_{number}", 1.0, number, result.fingers)
