"""MotionGestures: every movement gesture from the hands' paths, one call per frame.

Per hand: swipes (:mod:`.swipes`), drag, zoom with thumb and index, tap / double tap and
circles (:mod:`.shapes`); per pair of hands: zoom by moving them apart or together. Which may
fire: a hand in a drag makes no other movement (its fist moving is the drag); a hand that just
made one movement makes no other for ``quiet_ms`` (a zoom that ends in a fist is not also a
tap; a swipe's swing back is not a second swipe); two hands moving apart or together make a
zoom, not two swipes.

Events (track id ``MOTION_TRACK_OFFSET`` + the hand's: a channel of their own beside its
signs): one-shot movements are ``started`` and ``ended`` on the same frame; ``drag`` starts at
the grab and ends at the release (or when its hand is lost), so a mapping can press a mouse
button for the whole drag. Thread: the tracking thread (one call per frame, in time order).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.gestures.motion.paths import HandPaths, Sample, make_sample
from pipeline.gestures.motion.shapes import (
    CircleDetector,
    DragDetector,
    TapDetector,
    ZoomConfig,
    one_hand_zoom,
    two_hand_zoom,
)
from pipeline.gestures.motion.swipes import Stroke, SwipeConfig, find_stroke
from pipeline.types import MOTION_TRACK_OFFSET, FrameResult, GestureEvent, Hand


@dataclass(frozen=True)
class MotionConfig:
    """``swipes``: None turns swipes off; ``shapes``: False turns drag, zoom, tap and circles
    off; ``quiet_ms``: after a movement its hand makes no other for this long."""

    swipes: SwipeConfig | None = SwipeConfig()  # noqa: RUF009 - frozen dataclass
    shapes: bool = True
    zoom: ZoomConfig = ZoomConfig()  # noqa: RUF009 - frozen dataclass
    quiet_ms: float = 500.0


class MotionGestures:
    def __init__(self, config: MotionConfig | None = None) -> None:
        self.config = config or MotionConfig()
        self.paths = HandPaths()
        self.drags = DragDetector()
        self.taps = TapDetector()
        self.circles = CircleDetector()
        # Per hand: until when it makes no other movement, and the one it made.
        self._quiet_until: dict[int, tuple[float, str]] = {}
        self._sides: dict[int, str] = {}
        self._last_frame_t = float("nan")  # the previous frame's time
        # Hands that swiped and have not stopped since: one swipe per movement.
        self._swiping: set[int] = set()
        # Per hand: its last swipe's name, time and where the hand was when it fired.
        self._last_swipe: dict[int, tuple[str, float, np.ndarray]] = {}

    def update(
        self, frame: FrameResult, shapes: Mapping[int, tuple[str, tuple[str, ...]]]
    ) -> list[GestureEvent]:
        """The movement events ``frame`` completes; ``shapes``: each hand's static gesture and
        finger states by track id (from the recogniser)."""
        t = frame.timestamp_ms
        size = (frame.width, frame.height)
        events: list[GestureEvent] = []
        fired: dict[int, str] = {}
        present = {h.track_id for h in frame.hands}
        for hand in frame.hands:
            gesture, fingers = shapes.get(hand.track_id, ("none", ("half",) * 5))
            sample = make_sample(hand, gesture, fingers, t, size)
            if hand.track_id not in self.paths.paths:
                old = self.paths.link(hand.track_id, sample, present)
                if old is not None:
                    self._carry_over(old, hand.track_id)
            path = self.paths.add(hand.track_id, sample)
            self._sides[hand.track_id] = hand.handedness
            name = self._one_hand(hand, path, t, events, frame)
            if name is not None:
                fired[hand.track_id] = name
        for track_id in self.paths.lost(present, t):
            self._lost_hand(track_id, t, events, frame, fired)
        for track_id in set(self._sides) - set(self.paths.last_seen):
            self._end_drag_of_forgotten(track_id, t, events, frame)
        if self.config.shapes and len(frame.hands) >= 2:
            self._two_hands(frame, t, events, fired)
        if self.config.swipes is not None:
            self._swipes(frame, t, events, fired)
        self._last_frame_t = t
        return events

    # ------------------------------------------------------------------ per hand
    def _one_hand(
        self,
        hand: Hand,
        path: deque[Sample],
        t: float,
        events: list[GestureEvent],
        frame: FrameResult,
    ) -> str | None:
        if not self.config.shapes:
            return None
        tid = hand.track_id
        drag = self.drags.update(tid, path[-1])
        if drag is not None:
            events.append(self._event(drag, "drag", tid, t, frame))
            self._hush(tid, t, "drag")
            if drag == "ended":
                self.paths.clear_before(tid, t)
            return "drag"
        if self.drags.active(tid):
            return None
        recent = self.paths.own(tid)
        zoom = one_hand_zoom(recent, self.config.zoom)
        if zoom is not None and not self._quiet(tid, t, zoom[0]):
            return self._fire(zoom[0], tid, t, events, frame)
        tap = self.taps.update(tid, recent)
        if tap is not None and not self._quiet(tid, t, tap):
            return self._fire(tap, tid, t, events, frame)
        circle = self.circles.update(recent)
        if circle is not None and not self._quiet(tid, t, circle[0]):
            return self._fire(circle[0], tid, t, events, frame)
        return None

    def _lost_hand(
        self,
        tid: int,
        t: float,
        events: list[GestureEvent],
        frame: FrameResult,
        fired: dict[int, str],
    ) -> None:
        """A remembered hand missing from this frame: a swipe it was making may be over; its
        drag ends once it has been gone DragConfig.lost_ms."""
        since = t - self.paths.last_seen[tid]
        if self.drags.lost(tid, since):
            events.append(self._event("ended", "drag", tid, t, frame))
        swipes = self.config.swipes
        path = self.paths.paths.get(tid)
        if swipes is None or not path or self.drags.active(tid):
            return
        if path[-1].t != self._last_frame_t:
            return  # only on the first frame without it
        stroke = find_stroke(list(path), swipes, ended_by_loss=True)
        if stroke is not None and tid not in self._swiping and self._may_swipe(tid, t, stroke):
            fired[tid] = self._swipe(stroke, tid, t, events, frame)

    def _end_drag_of_forgotten(
        self, tid: int, t: float, events: list[GestureEvent], frame: FrameResult
    ) -> None:
        self._sides.pop(tid, None)
        self._quiet_until.pop(tid, None)
        self._swiping.discard(tid)
        self.taps.forget(tid)
        if self.drags.lost(tid, float("inf")):
            events.append(self._event("ended", "drag", tid, t, frame))

    def _carry_over(self, old: int, new: int) -> None:
        """``new`` goes on with the lost hand ``old``'s path (HandPaths.link): its swipe in
        progress and its quiet time too, so one movement stays one event."""
        if old in self._swiping:
            self._swiping.discard(old)
            self._swiping.add(new)
        if old in self._quiet_until:
            self._quiet_until[new] = self._quiet_until.pop(old)
        if old in self._last_swipe:
            self._last_swipe[new] = self._last_swipe.pop(old)

    # ------------------------------------------------------------------ swipes
    def _swipes(
        self, frame: FrameResult, t: float, events: list[GestureEvent], fired: dict[int, str]
    ) -> None:
        swipes = self.config.swipes
        assert swipes is not None
        strokes = {}
        for hand in frame.hands:
            tid = hand.track_id
            path = self.paths.paths[tid]
            if tid in self._swiping and _stopped(path, swipes.min_speed / 2.0):
                # The swiped movement is over, and used up: the next starts from here.
                self._swiping.discard(tid)
                self.paths.clear_before(tid, path[-1].t)
            if tid in fired or self.drags.active(tid) or tid in self._swiping:
                continue
            stroke = find_stroke(list(path), swipes, ended_by_loss=False)
            if stroke is not None and self._may_swipe(tid, t, stroke):
                strokes[tid] = stroke
        for tid, stroke in strokes.items():
            if self._other_hand_moving_opposite(tid, stroke.name, frame, t):
                continue
            fired[tid] = self._swipe(stroke, tid, t, events, frame)

    def _may_swipe(self, tid: int, t: float, stroke: Stroke) -> bool:
        """Not in another kind's quiet time, and not the same swipe again from a movement that
        began under SAME_SWIPE_MS after the last one fired by the same hand (a swipe that
        stalled for a few frames, or a camera repeating frames), nor one that fires under twice
        that from another hand that started ahead of where that swipe ended, along its
        direction (the tracker gave the swiped hand a new id mid-swipe). One movement stays one
        swipe."""
        if self._quiet(tid, t, stroke.name):
            return False
        for other, (name, fired_ms, end) in self._last_swipe.items():
            if stroke.name != name:
                continue
            if other == tid and stroke.start.t < fired_ms + SAME_SWIPE_MS:
                return False
            ahead = (stroke.start.centre - end) @ _DIRECTIONS[name]
            if (
                other != tid
                and t < fired_ms + 2 * SAME_SWIPE_MS
                and 0.0 <= ahead / stroke.start.palm <= 12.0
            ):
                return False
        return True

    def _swipe(
        self, stroke: Stroke, tid: int, t: float, events: list[GestureEvent], frame: FrameResult
    ) -> str:
        self._swiping.add(tid)
        # Kept past the hand's own path (it may be forgotten while its swipe still counts).
        self._last_swipe = {
            k: v for k, v in self._last_swipe.items() if t - v[1] < 2 * SAME_SWIPE_MS
        }
        self._last_swipe[tid] = (stroke.name, t, stroke.end.centre)
        return self._fire(stroke.name, tid, t, events, frame)

    def _other_hand_moving_opposite(
        self, tid: int, name: str, frame: FrameResult, t: float
    ) -> bool:
        """Another hand moved the other way over the same time: two hands apart or together
        are a zoom, not swipes."""
        mine = self.paths.paths[tid]
        for hand in frame.hands:
            if hand.track_id == tid:
                continue
            other = [s for s in self.paths.paths[hand.track_id] if t - s.t <= 700.0]
            if len(other) < 2:
                continue
            axis = 0 if name in ("swipe_left", "swipe_right") else 1
            recent = [s for s in mine if t - s.t <= 700.0]
            d_mine = recent[-1].centre[axis] - recent[0].centre[axis]
            d_other = other[-1].centre[axis] - other[0].centre[axis]
            palm = other[-1].palm
            if d_mine * d_other < 0 and abs(d_other) / palm >= 0.75:
                return True
        return False

    # ------------------------------------------------------------------ two hands
    def _two_hands(
        self, frame: FrameResult, t: float, events: list[GestureEvent], fired: dict[int, str]
    ) -> None:
        hands = [h for h in frame.hands if not self.drags.active(h.track_id)]
        for i, a in enumerate(hands):
            for b in hands[i + 1 :]:
                if a.track_id in fired or b.track_id in fired:
                    continue
                if self._quiet(a.track_id, t, "zoom_in") or self._quiet(b.track_id, t, "zoom_in"):
                    continue
                zoom = two_hand_zoom(
                    list(self.paths.paths[a.track_id]),
                    list(self.paths.paths[b.track_id]),
                    self.config.zoom,
                )
                if zoom is None:
                    continue
                self._fire(zoom[0], a.track_id, t, events, frame, side="Both")
                self._hush(b.track_id, t, zoom[0])
                self.paths.clear_before(b.track_id, t)
                fired[a.track_id] = fired[b.track_id] = zoom[0]

    # ------------------------------------------------------------------ events
    def _fire(
        self,
        name: str,
        tid: int,
        t: float,
        events: list[GestureEvent],
        frame: FrameResult,
        side: str | None = None,
    ) -> str:
        events.append(self._event("started", name, tid, t, frame, side))
        events.append(self._event("ended", name, tid, t, frame, side))
        self._hush(tid, t, name)
        self.paths.clear_before(tid, t)
        return name

    def _hush(self, tid: int, t: float, name: str) -> None:
        """``tid`` made ``name`` at ``t``: no other kind of movement for quiet_ms."""
        self._quiet_until[tid] = (t + self.config.quiet_ms, name)

    def _quiet(self, tid: int, t: float, name: str) -> bool:
        """Whether ``tid`` may not make ``name`` at ``t``: it made another kind of movement
        under quiet_ms ago (taps follow taps: that is a double tap)."""
        until, made = self._quiet_until.get(tid, (-1.0, ""))
        return t < until and _KIND.get(made, made) != _KIND.get(name, name)

    def _event(
        self, kind: str, name: str, tid: int, t: float, frame: FrameResult, side: str | None = None
    ) -> GestureEvent:
        return GestureEvent(
            kind=kind,
            gesture=name,
            track_id=MOTION_TRACK_OFFSET + tid,
            handedness=side or self._sides.get(tid, "Right"),
            timestamp_ms=t,
            started_ms=t,
            score=1.0,
            frame_index=frame.frame_index,
        )

    def reset(self, t_ms: float | None = None) -> list[GestureEvent]:
        """Forget every hand (new source); ``ended`` events for drags in progress (at
        ``t_ms``, or 0)."""
        ended = [
            GestureEvent(
                kind="ended",
                gesture="drag",
                track_id=MOTION_TRACK_OFFSET + tid,
                handedness=self._sides.get(tid, "Right"),
                timestamp_ms=t_ms or 0.0,
                started_ms=t_ms or 0.0,
                score=1.0,
                frame_index=-1,
            )
            for tid in self.drags.reset()
        ]
        self.paths.reset()
        self.taps.reset()
        self._quiet_until.clear()
        self._sides.clear()
        self._swiping.clear()
        self._last_swipe.clear()
        self._last_frame_t = float("nan")
        return ended


# A swipe the same way as the last one must start this long (ms) after that one fired.
SAME_SWIPE_MS = 300.0
# Each swipe's direction in image pixels (image +x is the user's left: see .swipes).
_DIRECTIONS = {
    "swipe_left": np.array([1.0, 0.0]),
    "swipe_right": np.array([-1.0, 0.0]),
    "swipe_up": np.array([0.0, -1.0]),
    "swipe_down": np.array([0.0, 1.0]),
}
# Movements of one kind (the quiet time after one does not hold back the others of its kind).
_KIND = {"double_tap": "tap", "zoom_out": "zoom_in", "circle_ccw": "circle_cw"}


def _stopped(path: Sequence[Sample], speed: float, window_ms: float = 150.0) -> bool:
    """Whether the hand moved slower than ``speed`` palm sizes a second over the last
    ``window_ms`` (two readings at least; one slow step may be a misread frame, or a camera
    repeating a frame, in the middle of a swipe)."""
    end = path[-1] if path else None
    if end is None:
        return False
    start = next((s for s in path if end.t - s.t <= window_ms), end)
    if end.t - start.t < window_ms * 0.66 or start is end:
        return False
    moved = float(np.linalg.norm(end.centre - start.centre)) / end.palm
    return moved / ((end.t - start.t) / 1000.0) < speed
