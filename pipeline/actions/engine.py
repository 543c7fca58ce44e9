"""The mapping engine: gesture events in, input actions out, with the safety rules.

Per mapping and tracked hand a small state machine decides when to fire:

* ``on_start``: once, when the gesture has lasted ``hold_ms`` (counted from ``started_ms``).
* ``while_held``: like ``on_start``, then again every ``repeat_ms`` until the gesture ends.
* ``on_end``: once, when the gesture ends, if it lasted at least ``hold_ms``.
* ``hold``: press when ``hold_ms`` is reached, release when the gesture ends.

Swipes (one-shot gestures) ignore ``hold_ms``. ``cooldown_ms`` blocks new activations of a
mapping for that long after it fired (repeats of a running ``while_held`` are not blocked).

Safety: nothing fires while disarmed or paused, for a hand that is missing from the frame or
whose tracking score is below ``min_hand_score`` (a pending action waits until the hand is back;
a key held by that hand is released at once), or beyond ``max_actions_per_second``. Holding the arm gesture for ``arm_hold_ms`` toggles armed (the arm
gesture is never mapped to an action). Everything pressed is released on disarm, pause, losing
the hand, profile change, :meth:`ActionEngine.release_all` and when anything raises inside the
engine. Time is the frames' ``timestamp_ms`` (video time for files), so tests and videos behave
the same whatever the processing speed.

Thread use: :meth:`ActionEngine.handle` runs in the worker thread once per frame (also with no
events: time-based triggers need the tick); the setters may be called from any thread (a lock
serialises them with ``handle``).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from pipeline.actions.sink import HeldInputGuard, InputSink
from pipeline.actions.spec import Action, parse_action
from pipeline.types import FrameResult, GestureEvent, hand_track_id

if TYPE_CHECKING:
    from pipeline.settings import AppConfig, Binding

log = logging.getLogger(__name__)

# A hand missing this long is forgotten even if no "ended" event came for its gesture.
FORGET_TRACK_MS = 2000.0


@dataclass(frozen=True)
class ActionRecord:
    """What the engine did (or refused to do), for logs, the GUI and ``handcue run`` output.

    ``kind`` is ``"action"`` or ``"state"``. For actions ``status`` is ``"done"``, ``"disarmed"``,
    ``"paused"``, ``"own_window"`` (a HandCue window has the focus, see
    :meth:`ActionEngine.set_focus_guard`), ``"cooldown"``, ``"rate_limited"`` or ``"failed"``
    and ``phase`` is ``"tap"``, ``"repeat"``, ``"press"`` or ``"release"``; for state changes
    ``status`` is ``"armed"``, ``"disarmed"``, ``"paused"``, ``"resumed"``, ``"profile"`` or ``"released"``.
    ``latency_ms``: from the moment the frame's events were available (``event_time`` given to
    :meth:`ActionEngine.handle`, else its entry) to the sink call returning; ``None`` when nothing
    was injected. ``inject_ms``: the part of it spent inside the sink (the OS input call), so
    ``latency_ms - inject_ms`` is the engine's own overhead.
    """

    kind: str
    status: str
    timestamp_ms: float
    frame_index: int = -1
    gesture: str = ""
    track_id: int = -1
    handedness: str = ""
    action: str = ""
    trigger: str = ""
    phase: str = ""
    latency_ms: float | None = None
    inject_ms: float | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _ResolvedBinding:
    index: int
    mapping: Binding
    action: Action
    hold_ms: float
    cooldown_ms: float
    repeat_ms: float


@dataclass
class _Activation:
    """One mapping running for one tracked hand (from its ``started`` event to ``ended``)."""

    binding: _ResolvedBinding
    track_id: int
    handedness: str
    started_ms: float
    fired: bool = False
    pressed: bool = False
    next_repeat_ms: float = math.inf
    done: bool = False


@dataclass
class _Gesture:
    name: str
    started_ms: float
    handedness: str
    toggled: bool = False  # used by the arm gesture: one toggle per activation
    absent_since: float | None = None  # frame time the hand was last missing from


class ActionEngine:
    """Turns :class:`GestureEvent` s into actions on an :class:`InputSink`.

    ``armed`` defaults to False (safe); ``handcue run`` passes ``cfg.actions.run_starts_armed``
    and the GUI ``cfg.actions.gui_starts_armed``. ``overrides`` are extra mappings that replace
    the profile's mappings of the same gesture (``handcue run --map``).
    """

    def __init__(
        self,
        config: AppConfig,
        sink: InputSink,
        *,
        profile: str | None = None,
        overrides: Sequence[Binding] = (),
        armed: bool = False,
    ) -> None:
        self._lock = threading.RLock()
        self._guard = HeldInputGuard(sink)
        self._config = config
        self._overrides = tuple(overrides)
        self._profile = config.active_profile if profile is None else profile
        config.profile(self._profile)  # raises for an unknown name
        self._armed = armed
        self._paused = False
        self._guard_reason: str | None = None
        self._bindings: list[_ResolvedBinding] = []
        self._gestures: dict[int, _Gesture] = {}  # track_id -> current gesture
        self._activations: dict[tuple[int, int], _Activation] = {}  # (track, binding) -> state
        self._last_fire_ms: dict[int, float] = {}  # binding index -> time it last fired
        self._fire_times: deque[float] = deque()
        self._pending: list[ActionRecord] = []  # state changes made between frames
        self._now_ms = 0.0
        self._withheld: frozenset[str] = frozenset()  # gestures another mode owns (pointer)
        self._build_bindings()

    # ----------------------------------------------------------------- state

    @property
    def armed(self) -> bool:
        return self._armed

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def profile(self) -> str:
        return self._profile

    @property
    def config(self) -> AppConfig:
        return self._config

    @property
    def held(self) -> tuple[tuple[str, str], ...]:
        """Keys and buttons currently held down, e.g. ``(("key", "shift"),)``."""
        return self._guard.held

    @property
    def mappings(self) -> tuple[Binding, ...]:
        """The mappings in effect (profile plus overrides)."""
        return tuple(b.mapping for b in self._bindings)

    @property
    def withheld(self) -> frozenset[str]:
        """Gestures whose events are ignored (pointer mode owns them)."""
        return self._withheld

    def withhold_gestures(self, gestures: Iterable[str]) -> None:
        """Any thread: ignore events of these gestures from now on (pointer mode uses the fist
        and the pinch itself; empty to stop). A change releases everything held, so a key
        pressed by a gesture that becomes withheld is never left down."""
        with self._lock:
            withheld = frozenset(gestures)
            if withheld != self._withheld:
                self._withheld = withheld
                self._reset_activations(self._pending, "gestures withheld")

    def set_armed(self, armed: bool) -> None:
        with self._lock:
            self._set_armed(armed, self._pending)

    def set_paused(self, paused: bool) -> None:
        """Pause (e.g. from the global hotkey): nothing fires, not even the arm gesture, and
        everything held is released."""
        with self._lock:
            if paused == self._paused:
                return
            self._paused = paused
            if paused:
                self._reset_activations(self._pending, "paused")
            else:
                self._activations.clear()
            self._pending.append(self._state("paused" if paused else "resumed"))

    def toggle_paused(self) -> bool:
        with self._lock:
            self.set_paused(not self._paused)
            return self._paused

    def set_profile(self, name: str) -> None:
        """Switch profile (raises HandCueError for an unknown name); releases everything."""
        with self._lock:
            self._config.profile(name)
            log.info("profile %s -> %s: releasing held input", self._profile, name)
            self._reset_activations(self._pending, "profile change")
            self._profile = name
            self._build_bindings()
            self._pending.append(self._state("profile", detail=name))

    def set_focus_guard(self, reason: str | None) -> None:
        """While ``reason`` is set (e.g. a HandCue window has the focus) no action is sent
        (status ``"own_window"``); the arm gesture still works. Setting it releases everything
        held. Called by the profile switcher's watcher thread."""
        with self._lock:
            if reason == self._guard_reason:
                return
            self._guard_reason = reason
            if reason:
                self._reset_activations(self._pending, reason)
            log.info("actions %s", f"held back: {reason}" if reason else "sent again")

    def set_config(self, config: AppConfig) -> None:
        """Use new settings (e.g. edited in the GUI). Keeps the profile if it still exists."""
        with self._lock:
            self._reset_activations(self._pending, "settings changed")
            self._config = config
            if self._profile not in config.profiles:
                self._profile = config.active_profile
            self._build_bindings()

    def release_all(self) -> list[ActionRecord]:
        """Release every key and button held down and stop running activations. Safe to call
        at any time, repeatedly, from any thread (also from ``finally`` blocks)."""
        with self._lock:
            records: list[ActionRecord] = []
            self._reset_activations(records, "release all")
            return records

    # ----------------------------------------------------------------- frames

    def handle(
        self,
        events: Iterable[GestureEvent],
        frame: FrameResult | None = None,
        *,
        event_time: float | None = None,
    ) -> list[ActionRecord]:
        """Process one frame's gesture events; call once per frame even with no events.

        ``frame`` gives the time (``timestamp_ms``), the hands' tracking scores and which hands
        are still there (a hand that disappeared has its held keys released). ``event_time`` is
        the ``time.perf_counter()`` value at which the events became available, the start of
        ``latency_ms``. Returns what happened, including state changes made since the last call.
        """
        start = time.perf_counter() if event_time is None else event_time
        with self._lock:
            records, self._pending = self._pending, []
            try:
                events = [e for e in events if e.gesture not in self._withheld]
                if frame is not None:
                    now = frame.timestamp_ms
                    scores: dict[int, float] | None = {h.track_id: h.score for h in frame.hands}
                    index = frame.frame_index
                else:
                    now = max((e.timestamp_ms for e in events), default=self._now_ms)
                    scores = None
                    index = max((e.frame_index for e in events), default=-1)
                if now < self._now_ms:
                    self._restart_clock(now, records)
                for event in events:
                    self._on_event(event, scores, records, start)
                self._now_ms = max(self._now_ms, now)
                if scores is not None:
                    self._check_presence(scores, records, start)
                self._tick(self._now_ms, scores, index, records, start)
            except BaseException:
                # Whatever went wrong, never leave a key down.
                self._reset_activations(records, "error")
                raise
            return records

    # ----------------------------------------------------------------- internals

    def _build_bindings(self) -> None:
        settings = self._config.actions
        profile = self._config.profile(self._profile)
        overridden = {m.gesture for m in self._overrides}
        mappings = [m for m in profile.mappings if m.gesture not in overridden]
        mappings += list(self._overrides)
        bindings = []
        for index, mapping in enumerate(mappings):
            conflict = mapping.conflict(settings)
            if conflict is not None:
                log.warning("mapping ignored: %s", conflict)
                continue
            bindings.append(
                _ResolvedBinding(
                    index=index,
                    mapping=mapping,
                    action=parse_action(mapping.action),
                    hold_ms=float(mapping.effective_hold_ms(settings)),
                    cooldown_ms=float(mapping.effective_cooldown_ms(settings)),
                    repeat_ms=float(mapping.effective_repeat_ms(settings)),
                )
            )
        self._bindings = bindings
        self._last_fire_ms.clear()

    def _state(self, status: str, detail: str = "") -> ActionRecord:
        return ActionRecord(kind="state", status=status, timestamp_ms=self._now_ms, detail=detail)

    def _restart_clock(self, now: float, records: list[ActionRecord]) -> None:
        """Frame time went backwards (a new source, a looping video): forget every gesture,
        cooldown and rate-limit time stamp of the old time line, releasing what is held."""
        log.info("frame time went back from %.0f to %.0f ms: starting afresh", self._now_ms, now)
        self._reset_activations(records, "time reset")
        self._gestures.clear()
        self._last_fire_ms.clear()
        self._fire_times.clear()
        self._now_ms = now

    def _set_armed(self, armed: bool, records: list[ActionRecord]) -> None:
        if armed == self._armed:
            return
        self._armed = armed
        # Gestures already under way when the state flips must start again to fire.
        self._reset_activations(records, "armed" if armed else "disarmed")
        records.append(self._state("armed" if armed else "disarmed"))

    def _reset_activations(self, records: list[ActionRecord], reason: str) -> None:
        start = time.perf_counter()
        for activation in list(self._activations.values()):
            activation.done = True
            if activation.pressed:
                self._release(activation, records, start, reason)
        self._activations.clear()
        leftovers = self._guard.release_all()
        if leftovers:
            records.append(
                self._state("released", detail=", ".join(f"{k}:{n}" for k, n in leftovers))
            )

    def _hand_matches(self, binding: _ResolvedBinding, handedness: str) -> bool:
        want = binding.mapping.hand
        return want == "any" or want == handedness.lower()

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
            self._gestures[event.track_id] = _Gesture(
                event.gesture, event.started_ms, event.handedness
            )
            if event.gesture == self._config.actions.arm_gesture != "none":
                return
            for binding in self._bindings:
                if binding.mapping.gesture == event.gesture and self._hand_matches(
                    binding, event.handedness
                ):
                    activation = _Activation(
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
                if binding.mapping.trigger == "on_end" and not activation.done:
                    lasted = event.timestamp_ms - activation.started_ms
                    hand = hand_track_id(event.track_id)
                    score = None if scores is None else scores.get(hand)
                    # A hand that left the picture did not "end" the gesture on purpose.
                    confident = scores is None or (
                        score is not None and score >= self._config.actions.min_hand_score
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
        threshold = self._config.actions.min_hand_score
        for track_id, gesture in list(self._gestures.items()):
            score = scores.get(hand_track_id(track_id))
            if score is not None and score >= threshold:
                gesture.absent_since = None
                continue
            reason = "hand lost" if score is None else "low tracking score"
            for activation in self._track_activations(track_id):
                if activation.pressed:
                    self._release(activation, records, start, reason)
            if score is None:
                if gesture.absent_since is None:
                    gesture.absent_since = self._now_ms
                elif self._now_ms - gesture.absent_since >= FORGET_TRACK_MS:
                    self._end_track(track_id, records, start, reason=reason)

    def _track_activations(self, track_id: int) -> list[_Activation]:
        return [a for (t, _), a in self._activations.items() if t == track_id]

    def _end_track(
        self, track_id: int, records: list[ActionRecord], start: float, *, reason: str
    ) -> None:
        for (t, index), activation in list(self._activations.items()):
            if t != track_id:
                continue
            if activation.pressed:
                self._release(activation, records, start, reason)
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
        settings = self._config.actions
        arm = settings.arm_gesture
        for track_id, gesture in self._gestures.items():
            if arm == "none" or gesture.name != arm or gesture.toggled or self._paused:
                continue
            hand_score = 0.0 if scores is None else scores.get(hand_track_id(track_id), 0.0)
            if scores is not None and hand_score < settings.min_hand_score:
                continue
            if now - gesture.started_ms >= settings.arm_hold_ms:
                gesture.toggled = True
                self._set_armed(not self._armed, records)
        for activation in list(self._activations.values()):
            if not activation.done:
                self._evaluate(activation, now, scores, frame_index, records, start)

    def _evaluate(
        self,
        activation: _Activation,
        now: float,
        scores: dict[int, float] | None,
        frame_index: int,
        records: list[ActionRecord],
        start: float,
    ) -> None:
        binding = activation.binding
        trigger = binding.mapping.trigger
        if trigger == "on_end" or activation.done:
            return
        if scores is not None:
            score = scores.get(hand_track_id(activation.track_id))
            if score is None or score < self._config.actions.min_hand_score:
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

    def _gate(self, binding: _ResolvedBinding, now: float, phase: str) -> str:
        if self._paused:
            return "paused"
        if not self._armed:
            return "disarmed"
        if self._guard_reason:
            return "own_window"
        if phase != "repeat":
            last = self._last_fire_ms.get(binding.index)
            if last is not None and now - last < binding.cooldown_ms:
                return "cooldown"
        rate = self._config.actions.max_actions_per_second
        capacity = max(1, int(round(rate)))
        window_ms = 1000.0 * capacity / rate
        while self._fire_times and now - self._fire_times[0] >= window_ms:
            self._fire_times.popleft()
        if len(self._fire_times) >= capacity:
            return "rate_limited"
        return "ok"

    def _fire(
        self,
        activation: _Activation,
        now: float,
        frame_index: int,
        phase: str,
        records: list[ActionRecord],
        start: float,
    ) -> bool:
        binding = activation.binding
        status = self._gate(binding, now, phase)
        record = ActionRecord(
            kind="action",
            status=status,
            timestamp_ms=now,
            frame_index=frame_index,
            gesture=binding.mapping.gesture,
            track_id=activation.track_id,
            handedness=activation.handedness,
            action=binding.action.spec,
            trigger=binding.mapping.trigger,
            phase=phase,
        )
        if status != "ok":
            records.append(record)
            return False
        t_inject = time.perf_counter()
        try:
            if phase == "press":
                activation.pressed = True
                binding.action.press(self._guard)
            else:
                binding.action.tap(self._guard)
        except Exception as exc:
            log.exception("injecting %s failed; releasing everything and disarming", binding.action)
            latency = (time.perf_counter() - start) * 1000.0
            records.append(replace(record, status="failed", latency_ms=latency, detail=str(exc)))
            self._set_armed(False, records)
            self._reset_activations(records, "injection failed")
            return False
        t_done = time.perf_counter()
        self._fire_times.append(now)
        if phase != "repeat":
            self._last_fire_ms[binding.index] = now
        records.append(
            replace(
                record,
                status="done",
                latency_ms=(t_done - start) * 1000.0,
                inject_ms=(t_done - t_inject) * 1000.0,
            )
        )
        return True

    def _release(
        self, activation: _Activation, records: list[ActionRecord], start: float, reason: str
    ) -> None:
        binding = activation.binding
        activation.pressed = False
        activation.done = True
        status, detail = "done", reason
        try:
            binding.action.release(self._guard)
        except Exception as exc:
            log.exception("releasing %s failed", binding.action)
            status, detail = "failed", f"{reason}: {exc}"
        records.append(
            ActionRecord(
                kind="action",
                status=status,
                timestamp_ms=self._now_ms,
                gesture=binding.mapping.gesture,
                track_id=activation.track_id,
                handedness=activation.handedness,
                action=binding.action.spec,
                trigger=binding.mapping.trigger,
                phase="release",
                latency_ms=(time.perf_counter() - start) * 1000.0,
                detail=detail,
            )
        )
