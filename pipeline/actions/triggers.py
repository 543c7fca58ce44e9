"""The action engine's frame-by-frame state machine: which gesture each tracked hand shows,
which mappings are running for it (:class:`pipeline.actions.bindings.Activation`), and when
they fire, repeat and release (the rules are in :mod:`pipeline.actions.engine`).

Not thread-safe: :class:`pipeline.actions.engine.ActionEngine` calls it under its lock, from the
worker thread per frame and from any thread for its setters. Times are frame times in ms;
``start`` arguments are the ``time.perf_counter()`` value that ``latency_ms`` counts from;
``scores`` maps a tracked hand's id to its tracking score (``None``: no frame, so no hand
information, and every hand counts as present).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.actions.bindings import Activation, ResolvedBinding, SafetyLimits
from pipeline.actions.gate import FireGate
from pipeline.actions.records import ActionRecord, state_record
from pipeline.actions.sending import action_record, inject, release
from pipeline.actions.sink import HeldInputGuard
from pipeline.types import GestureEvent, hand_track_id

log = logging.getLogger(__name__)

# A hand missing this long is forgotten even if no "ended" event came for its gesture.
FORGET_TRACK_MS = 2000.0


@dataclass
class TrackedGesture:
    """The gesture a tracked hand shows now (from its ``started`` event)."""

    name: str
    started_ms: float
    handedness: str
    toggled: bool = False  # used by the arm gesture: one toggle per activation
    absent_since: float | None = None  # frame time the hand was last missing from


class TriggerMachine:
    """Runs the mappings for every tracked hand and sends their actions through ``guard``.

    The engine sets ``bindings`` and ``limits`` when the settings or profile change, and reads
    ``now_ms``, the engine's clock: the latest frame time seen. ``gate`` is shared with the
    engine, which flips its pause and focus switches; arming goes through :meth:`set_armed`.
    Records are appended to the ``records`` list each method is given.
    """

    def __init__(self, guard: HeldInputGuard, gate: FireGate, limits: SafetyLimits) -> None:
        self.guard = guard
        self.gate = gate
        self.limits = limits
        self.bindings: list[ResolvedBinding] = []
        self.now_ms = 0.0
        self._gestures: dict[int, TrackedGesture] = {}  # track_id -> current gesture
        self._activations: dict[tuple[int, int], Activation] = {}  # (track, binding) -> state

    # ----------------------------------------------------------------- state

    def set_armed(self, armed: bool, records: list[ActionRecord]) -> None:
        if armed == self.gate.armed:
            return
        self.gate.armed = armed
        # Gestures already under way when the state flips must start again to fire.
        self.reset(records, "armed" if armed else "disarmed")
        records.append(state_record("armed" if armed else "disarmed", self.now_ms))

    def reset(self, records: list[ActionRecord], reason: str) -> None:
        """Stop every activation and release everything held (also what no activation knows
        of, reported as one ``"released"`` state record)."""
        start = time.perf_counter()
        for activation in list(self._activations.values()):
            activation.done = True
            if activation.pressed:
                records.append(release(activation, self.guard, self.now_ms, start, reason))
        self._activations.clear()
        leftovers = self.guard.release_all()
        if leftovers:
            detail = ", ".join(f"{k}:{n}" for k, n in leftovers)
            records.append(state_record("released", self.now_ms, detail=detail))

    def drop_activations(self) -> None:
        """Forget the activations without releasing (when nothing can be held: on resume)."""
        self._activations.clear()

    # ----------------------------------------------------------------- frames

    def step(
        self,
        events: Iterable[GestureEvent],
        now: float,
        scores: dict[int, float] | None,
        frame_index: int,
        records: list[ActionRecord],
        start: float,
    ) -> None:
        """One frame at frame time ``now``: its events, then the hands' presence, then the
        time-based triggers (hold time, repeats, the arm gesture)."""
        if now < self.now_ms:
            self._restart_clock(now, records)
        for event in events:
            self._on_event(event, scores, records, start)
        self.now_ms = max(self.now_ms, now)
        if scores is not None:
            self._check_presence(scores, records, start)
        self._tick(self.now_ms, scores, frame_index, records, start)

    def _restart_clock(self, now: float, records: list[ActionRecord]) -> None:
        """Frame time went backwards (a new source, a looping video): forget every gesture,
        cooldown and rate-limit time stamp of the old time line, releasing what is held."""
        log.info("frame time went back from %.0f to %.0f ms: starting afresh", self.now_ms, now)
        self.reset(records, "time reset")
        self._gestures.clear()
        self.gate.forget_times()
        self.now_ms = now

    def _on_event(
        self,
        event: GestureEvent,
        scores: dict[int, float] | None,
        records: list[ActionRecord],
        start: float,
    ) -> None:
        current = self._gestures.get(event.track_id)
        if event.kind == "started":
            if current is not None:  # the previous gesture's end was not reported
                self._end_track(event.track_id, records, start, reason="replaced")
            self._gestures[event.track_id] = TrackedGesture(
                event.gesture, event.started_ms, event.handedness
            )
            if event.gesture == self.limits.arm_gesture != "none":
                return
            for binding in self.bindings:
                if binding.gesture == event.gesture and binding.matches_hand(event.handedness):
                    activation = Activation(
                        binding, event.track_id, event.handedness, event.started_ms
                    )
                    self._activations[(event.track_id, binding.index)] = activation
                    # One-shot gestures end within this same call: evaluate now.
                    self._evaluate(
                        activation, event.timestamp_ms, scores, event.frame_index, records, start
                    )
        elif event.kind == "ended":
            if current is None or current.name != event.gesture:
                return
            for activation in self._track_activations(event.track_id):
                binding = activation.binding
                if binding.trigger == "on_end" and not activation.done:
                    lasted = event.timestamp_ms - activation.started_ms
                    score = None if scores is None else scores.get(hand_track_id(event.track_id))
                    # A hand that left the picture did not "end" the gesture on purpose.
                    confident = scores is None or (
                        score is not None and score >= self.limits.min_hand_score
                    )
                    if lasted >= binding.hold_ms and confident:
                        self._fire(
                            activation, event.timestamp_ms, event.frame_index, "tap", records, start
                        )
            self._end_track(event.track_id, records, start, reason="ended")
        # "held" events carry nothing the tick does not already know.

    def _check_presence(
        self, scores: dict[int, float], records: list[ActionRecord], start: float
    ) -> None:
        """Release what a hand holds as soon as it is lost or tracked with a low score. Its
        pending activations wait (the gesture engine ends the gesture if the hand stays away);
        a track missing for ``FORGET_TRACK_MS`` is forgotten."""
        threshold = self.limits.min_hand_score
        for track_id, gesture in list(self._gestures.items()):
            score = scores.get(hand_track_id(track_id))
            if score is not None and score >= threshold:
                gesture.absent_since = None
                continue
            reason = "hand lost" if score is None else "low tracking score"
            for activation in self._track_activations(track_id):
                if activation.pressed:
                    records.append(release(activation, self.guard, self.now_ms, start, reason))
            if score is None:
                if gesture.absent_since is None:
                    gesture.absent_since = self.now_ms
                elif self.now_ms - gesture.absent_since >= FORGET_TRACK_MS:
                    self._end_track(track_id, records, start, reason=reason)

    def _track_activations(self, track_id: int) -> list[Activation]:
        return [a for (t, _), a in self._activations.items() if t == track_id]

    def _end_track(
        self, track_id: int, records: list[ActionRecord], start: float, *, reason: str
    ) -> None:
        for (t, index), activation in list(self._activations.items()):
            if t != track_id:
                continue
            if activation.pressed:
                records.append(release(activation, self.guard, self.now_ms, start, reason))
            del self._activations[(t, index)]
        self._gestures.pop(track_id, None)

    def _tick(
        self,
        now: float,
        scores: dict[int, float] | None,
        frame_index: int,
        records: list[ActionRecord],
        start: float,
    ) -> None:
        self._tick_arm_gesture(now, scores, records)
        for activation in list(self._activations.values()):
            if not activation.done:
                self._evaluate(activation, now, scores, frame_index, records, start)

    def _tick_arm_gesture(
        self, now: float, scores: dict[int, float] | None, records: list[ActionRecord]
    ) -> None:
        """Toggle armed once per hand that has held the arm gesture for ``arm_hold_ms``."""
        arm = self.limits.arm_gesture
        for track_id, gesture in self._gestures.items():
            if arm == "none" or gesture.name != arm or gesture.toggled or self.gate.paused:
                continue
            hand_score = 0.0 if scores is None else scores.get(hand_track_id(track_id), 0.0)
            if scores is not None and hand_score < self.limits.min_hand_score:
                continue
            if now - gesture.started_ms >= self.limits.arm_hold_ms:
                gesture.toggled = True
                self.set_armed(not self.gate.armed, records)

    def _evaluate(
        self,
        activation: Activation,
        now: float,
        scores: dict[int, float] | None,
        frame_index: int,
        records: list[ActionRecord],
        start: float,
    ) -> None:
        """Fire ``activation`` if its trigger is due at ``now`` (``on_end`` fires on the
        ``ended`` event instead)."""
        binding = activation.binding
        trigger = binding.trigger
        if trigger == "on_end" or activation.done:
            return
        if scores is not None:
            score = scores.get(hand_track_id(activation.track_id))
            if score is None or score < self.limits.min_hand_score:
                return  # wait for the hand to be back and tracked confidently
        if now - activation.started_ms < binding.hold_ms:
            return
        if not activation.fired:
            activation.fired = True
            phase = "press" if trigger == "hold" else "tap"
            if not self._fire(activation, now, frame_index, phase, records, start):
                activation.done = True
                return
            if trigger == "while_held":
                activation.next_repeat_ms = now + binding.repeat_ms
            elif trigger == "on_start":
                activation.done = True
            return
        if trigger == "while_held" and now >= activation.next_repeat_ms:
            self._fire(activation, now, frame_index, "repeat", records, start)
            activation.next_repeat_ms += binding.repeat_ms
            if activation.next_repeat_ms <= now:  # a long gap between frames: no burst
                activation.next_repeat_ms = now + binding.repeat_ms

    def _fire(
        self,
        activation: Activation,
        now: float,
        frame_index: int,
        phase: str,
        records: list[ActionRecord],
        start: float,
    ) -> bool:
        """Send ``phase`` of ``activation`` if the gate lets it; whether it was sent. A sink
        error disarms and releases everything."""
        binding = activation.binding
        status = self.gate.status(binding, now, phase, self.limits.max_actions_per_second)
        record = action_record(activation, now, frame_index, phase, status)
        if status != "ok":
            records.append(record)
            return False
        record, sent = inject(activation, phase, self.guard, record, start)
        records.append(record)
        if not sent:
            self.set_armed(False, records)
            self.reset(records, "injection failed")
            return False
        self.gate.note_sent(binding, now, phase)
        return True
