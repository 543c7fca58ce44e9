"""Temporal stabiliser: per-frame gestures of tracked hands -> started / held / ended events.

Per track the stabiliser keeps the current *stable* gesture and a *candidate*:

- a gesture starts once it has been the per-frame gesture, with at least ``start_score``, for
  ``hold_ms`` (a candidate survives single-frame glitches shorter than ``glitch_ms``);
- the stable gesture ends only after it has been absent for ``release_ms`` (hysteresis), so a
  pose flickering between two neighbours (``four`` / ``open_palm``) keeps the gesture it had
  instead of switching back and forth; a neighbour takes over only once it has persisted for
  ``hold_ms`` and the old gesture has been gone for ``release_ms``;
- while a gesture lasts, ``held`` is emitted every ``held_every_ms``;
- a hand that moves fast (``moving`` observations) cannot start a gesture: static signs are
  held still, and landmarks of a blurred, fast hand are unreliable; it does keep a gesture that
  is already active as long as the sign is still recognised;
- a hand that is no longer tracked ends its gesture after ``release_ms`` without it (or at
  once with :meth:`GestureStabiliser.reset`).

``update`` is called once per frame from the worker thread, with frame timestamps in
milliseconds that do not go backwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.gestures.recognizer import NONE, GestureResult
from pipeline.types import GestureEvent


@dataclass
class _TrackState:
    handedness: str
    stable: str = NONE
    stable_since: float = 0.0
    stable_score: float = 0.0
    last_seen_stable: float = 0.0
    last_held: float = 0.0
    candidate: str = NONE
    candidate_since: float = 0.0
    candidate_last: float = 0.0
    last_seen: float = 0.0


class GestureStabiliser:
    """Debounces per-frame gestures of each tracked hand (see the module docstring)."""

    def __init__(
        self,
        hold_ms: float = 150.0,
        release_ms: float = 200.0,
        held_every_ms: float = 500.0,
        start_score: float = 0.6,
        glitch_ms: float = 60.0,
    ) -> None:
        if hold_ms < 0 or release_ms < 0 or held_every_ms <= 0 or glitch_ms < 0:
            raise ValueError("stabiliser times must be >= 0 (held_every_ms > 0)")
        self.hold_ms = float(hold_ms)
        self.release_ms = float(release_ms)
        self.held_every_ms = float(held_every_ms)
        self.start_score = float(start_score)
        self.glitch_ms = float(glitch_ms)
        self._tracks: dict[int, _TrackState] = {}

    def stable(self, track_id: int) -> str:
        """The current stable gesture of a track (``"none"`` if unknown)."""
        state = self._tracks.get(track_id)
        return state.stable if state else NONE

    def update(
        self,
        timestamp_ms: float,
        observations: Mapping[int, tuple[GestureResult, str]],
        frame_index: int = -1,
        moving: frozenset[int] | set[int] = frozenset(),
    ) -> list[GestureEvent]:
        """Feed one frame: ``observations`` maps track id -> (result, handedness) for every hand
        seen in it; ``moving`` holds the ids of hands moving too fast to start a gesture.
        Returns the events of this frame (ended before started)."""
        t = float(timestamp_ms)
        events: list[GestureEvent] = []
        for track_id, (result, handedness) in observations.items():
            state = self._tracks.get(track_id)
            if state is None:
                state = self._tracks[track_id] = _TrackState(handedness)
            state.handedness = handedness
            state.last_seen = t
            events.extend(self._step(track_id, state, result, t, frame_index, track_id in moving))
        for track_id in list(self._tracks):
            if track_id in observations:
                continue
            state = self._tracks[track_id]
            if t - state.last_seen >= self.release_ms:
                if state.stable != NONE:
                    events.append(self._event("ended", track_id, state, t, frame_index))
                del self._tracks[track_id]
        return events

    def reset(self, timestamp_ms: float | None = None) -> list[GestureEvent]:
        """Forget every track; returns ``ended`` events for gestures that were active."""
        events = []
        for track_id, state in self._tracks.items():
            if state.stable != NONE:
                t = state.last_seen if timestamp_ms is None else float(timestamp_ms)
                events.append(self._event("ended", track_id, state, t, -1))
        self._tracks.clear()
        return events

    def _event(
        self, kind: str, track_id: int, state: _TrackState, t: float, frame_index: int
    ) -> GestureEvent:
        return GestureEvent(
            kind=kind,
            gesture=state.stable,
            track_id=track_id,
            handedness=state.handedness,
            timestamp_ms=t,
            started_ms=state.stable_since,
            score=state.stable_score,
            frame_index=frame_index,
        )

    def _step(
        self,
        track_id: int,
        state: _TrackState,
        result: GestureResult,
        t: float,
        frame_index: int,
        moving: bool,
    ) -> list[GestureEvent]:
        events: list[GestureEvent] = []
        g = result.gesture
        confident = g != NONE and result.score >= self.start_score and not moving

        # Candidate bookkeeping: a different gesture replaces the candidate only once the
        # candidate has been missing for longer than a glitch.
        if confident and g == state.candidate:
            state.candidate_last = t
        elif confident and (state.candidate == NONE or t - state.candidate_last > self.glitch_ms):
            state.candidate, state.candidate_since, state.candidate_last = g, t, t
        elif (
            not confident and state.candidate != NONE and t - state.candidate_last > self.glitch_ms
        ):
            state.candidate = NONE

        if state.stable != NONE:
            if g == state.stable:
                state.last_seen_stable = t
                state.stable_score = max(state.stable_score * 0.9, result.score)
            elif t - state.last_seen_stable >= self.release_ms:
                events.append(self._event("ended", track_id, state, t, frame_index))
                state.stable = NONE
        if (
            state.stable == NONE
            and state.candidate != NONE
            and t - state.candidate_since >= self.hold_ms
            and t - state.candidate_last <= self.glitch_ms
        ):
            state.stable = state.candidate
            state.stable_since = state.candidate_since
            state.stable_score = result.score if g == state.candidate else 0.0
            state.last_seen_stable = state.candidate_last
            state.last_held = t
            events.append(self._event("started", track_id, state, t, frame_index))
        elif state.stable != NONE and t - state.last_held >= self.held_every_ms:
            state.last_held = t
            events.append(self._event("held", track_id, state, t, frame_index))
        return events
