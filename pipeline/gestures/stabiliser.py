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
- a hand the tracker is unsure of (``unsure`` observations: two readings of it disagree) keeps
  its gesture for at least ``UNSURE_RELEASE_MS`` without it: a reading the tracker doubts
  neither starts nor quickly ends a gesture (the lite model's thumb up read as a fist for three
  frames at 12 fps would otherwise end the thumb up and start it again);
- a hand that is no longer tracked ends its gesture after ``release_ms`` without it (or at
  once with :meth:`GestureStabiliser.reset`);
- on a slow machine frames arrive far apart, so the windows stretch with the frame gap: a
  glitch may last up to ``GAP_GLITCH`` frame gaps and a gesture up to ``GAP_RELEASE`` gaps
  (one missed reading at 5 fps does not end a fist), and a gesture starts only once it has been
  read on ``min_observations`` frames in a row as well as for ``hold_ms`` (at 5 fps two
  readings 200 ms apart are not enough to fire an action).

``update`` is called once per frame from the worker thread, with frame timestamps in
milliseconds that do not go backwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.gestures.recognizer import NONE, GestureResult
from pipeline.types import GestureEvent

# Windows in frame gaps (the time since the track's previous observation) that the time windows
# never fall below: a glitch of one frame and a gap of two missing frames are tolerated at any
# frame rate.
GAP_GLITCH = 1.5
GAP_RELEASE = 2.5
# The least time an unsure hand's gesture lasts without being read (see the module docstring).
UNSURE_RELEASE_MS = 500.0


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
    candidate_frames: int = 0  # observations of the candidate since it (re)appeared
    last_seen: float = 0.0
    gap: float = 0.0  # ms between the track's last two observations


class GestureStabiliser:
    """Debounces per-frame gestures of each tracked hand (see the module docstring)."""

    def __init__(
        self,
        hold_ms: float = 150.0,
        release_ms: float = 200.0,
        held_every_ms: float = 500.0,
        start_score: float = 0.6,
        glitch_ms: float = 60.0,
        min_observations: int = 3,
    ) -> None:
        if hold_ms < 0 or release_ms < 0 or held_every_ms <= 0 or glitch_ms < 0:
            raise ValueError("stabiliser times must be >= 0 (held_every_ms > 0)")
        if min_observations < 1:
            raise ValueError("min_observations must be 1 or more")
        self.min_observations = int(min_observations)
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
        unsure: frozenset[int] | set[int] = frozenset(),
    ) -> list[GestureEvent]:
        """Feed one frame: ``observations`` maps track id -> (result, handedness) for every hand
        seen in it; ``moving`` holds the ids of hands moving too fast to start a gesture,
        ``unsure`` those the tracker doubts (they cannot start one either, and keep theirs
        longer). Returns the events of this frame (ended before started)."""
        t = float(timestamp_ms)
        events: list[GestureEvent] = []
        for track_id, (result, handedness) in observations.items():
            state = self._tracks.get(track_id)
            if state is None:
                state = self._tracks[track_id] = _TrackState(handedness, last_seen=t)
            state.handedness = handedness
            state.gap = max(0.0, t - state.last_seen)
            state.last_seen = t
            events.extend(
                self._step(
                    track_id, state, result, t, frame_index, track_id in moving, track_id in unsure
                )
            )
        for track_id in list(self._tracks):
            if track_id in observations:
                continue
            state = self._tracks[track_id]
            if t - state.last_seen >= max(self.release_ms, GAP_RELEASE * state.gap):
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
        unsure: bool = False,
    ) -> list[GestureEvent]:
        events: list[GestureEvent] = []
        g = result.gesture
        confident = g != NONE and result.score >= self.start_score and not (moving or unsure)
        glitch = max(self.glitch_ms, GAP_GLITCH * state.gap)
        release = max(self.release_ms, GAP_RELEASE * state.gap)
        if unsure:
            release = max(release, UNSURE_RELEASE_MS)

        # Candidate bookkeeping: a different gesture replaces the candidate only once the
        # candidate has been missing for longer than a glitch.
        if confident and g == state.candidate:
            state.candidate_last = t
            state.candidate_frames += 1
        elif confident and (state.candidate == NONE or t - state.candidate_last > glitch):
            state.candidate, state.candidate_since, state.candidate_last = g, t, t
            state.candidate_frames = 1
        elif not confident and state.candidate != NONE and t - state.candidate_last > glitch:
            state.candidate = NONE
            state.candidate_frames = 0

        if state.stable != NONE:
            if g == state.stable:
                state.last_seen_stable = t
                state.stable_score = max(state.stable_score * 0.9, result.score)
            elif t - state.last_seen_stable >= release:
                events.append(self._event("ended", track_id, state, t, frame_index))
                state.stable = NONE
        if (
            state.stable == NONE
            and state.candidate != NONE
            and t - state.candidate_since >= self.hold_ms
            and state.candidate_frames >= self.min_observations
            and t - state.candidate_last <= glitch
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
