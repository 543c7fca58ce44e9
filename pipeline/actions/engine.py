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
a key held by that hand is released at once), or beyond ``max_actions_per_second``. Holding the
arm gesture for ``arm_hold_ms`` toggles armed (the arm gesture is never mapped to an action).
Everything pressed is released on disarm, pause, losing the hand, profile change,
:meth:`ActionEngine.release_all` and when anything raises inside the engine. Time is the frames'
``timestamp_ms`` (video time for files), so tests and videos behave the same whatever the
processing speed.

This module is the facade: the public API, the lock, and the settings turned into plain values
(:mod:`pipeline.actions.bindings`). The state machine is :mod:`pipeline.actions.triggers`, the
switches, cooldowns and rate limit :mod:`pipeline.actions.gate`, sending and releasing
:mod:`pipeline.actions.sending`, the records :mod:`pipeline.actions.records`.

Thread use: :meth:`ActionEngine.handle` runs in the worker thread once per frame (also with no
events: time-based triggers need the tick); the setters may be called from any thread (a lock
serialises them with ``handle``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from pipeline.actions.bindings import ResolvedBinding, SafetyLimits
from pipeline.actions.gate import FireGate
from pipeline.actions.records import ActionRecord, state_record
from pipeline.actions.sink import HeldInputGuard, InputSink
from pipeline.actions.spec import parse_action
from pipeline.actions.triggers import FORGET_TRACK_MS, TriggerMachine
from pipeline.types import FrameResult, GestureEvent

if TYPE_CHECKING:
    from pipeline.settings import ActionSettings, AppConfig, Binding

__all__ = ["FORGET_TRACK_MS", "ActionEngine", "ActionRecord"]

log = logging.getLogger(__name__)


def _limits(settings: ActionSettings) -> SafetyLimits:
    return SafetyLimits(
        min_hand_score=settings.min_hand_score,
        arm_gesture=settings.arm_gesture,
        arm_hold_ms=settings.arm_hold_ms,
        max_actions_per_second=settings.max_actions_per_second,
    )


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
        self._gate = FireGate(armed=armed)
        self._machine = TriggerMachine(self._guard, self._gate, _limits(config.actions))
        self._mappings: tuple[Binding, ...] = ()
        self._pending: list[ActionRecord] = []  # state changes made between frames
        self._withheld: frozenset[str] = frozenset()  # gestures another mode owns (pointer)
        self._build_bindings()

    # ----------------------------------------------------------------- state

    @property
    def armed(self) -> bool:
        return self._gate.armed

    @property
    def paused(self) -> bool:
        return self._gate.paused

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
        return self._mappings

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
                self._machine.reset(self._pending, "gestures withheld")

    def set_armed(self, armed: bool) -> None:
        with self._lock:
            self._machine.set_armed(armed, self._pending)

    def set_paused(self, paused: bool) -> None:
        """Pause (e.g. from the global hotkey): nothing fires, not even the arm gesture, and
        everything held is released."""
        with self._lock:
            if paused == self._gate.paused:
                return
            self._gate.paused = paused
            if paused:
                self._machine.reset(self._pending, "paused")
            else:
                self._machine.drop_activations()
            self._pending.append(self._state("paused" if paused else "resumed"))

    def toggle_paused(self) -> bool:
        with self._lock:
            self.set_paused(not self._gate.paused)
            return self._gate.paused

    def set_profile(self, name: str) -> None:
        """Switch profile (raises HandCueError for an unknown name); releases everything."""
        with self._lock:
            self._config.profile(name)
            log.info("profile %s -> %s: releasing held input", self._profile, name)
            self._machine.reset(self._pending, "profile change")
            self._profile = name
            self._build_bindings()
            self._pending.append(self._state("profile", detail=name))

    def set_focus_guard(self, reason: str | None) -> None:
        """While ``reason`` is set (e.g. a HandCue window has the focus) no action is sent
        (status ``"own_window"``); the arm gesture still works. Setting it releases everything
        held. Called by the profile switcher's watcher thread."""
        with self._lock:
            if reason == self._gate.held_back:
                return
            self._gate.held_back = reason
            if reason:
                self._machine.reset(self._pending, reason)
            log.info("actions %s", f"held back: {reason}" if reason else "sent again")

    def set_config(self, config: AppConfig) -> None:
        """Use new settings (e.g. edited in the GUI). Keeps the profile if it still exists."""
        with self._lock:
            self._machine.reset(self._pending, "settings changed")
            self._config = config
            self._machine.limits = _limits(config.actions)
            if self._profile not in config.profiles:
                self._profile = config.active_profile
            self._build_bindings()

    def release_all(self) -> list[ActionRecord]:
        """Release every key and button held down and stop running activations. Safe to call
        at any time, repeatedly, from any thread (also from ``finally`` blocks)."""
        with self._lock:
            records: list[ActionRecord] = []
            self._machine.reset(records, "release all")
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
                    now = max((e.timestamp_ms for e in events), default=self._machine.now_ms)
                    scores = None
                    index = max((e.frame_index for e in events), default=-1)
                self._machine.step(events, now, scores, index, records, start)
            except BaseException:
                # Whatever went wrong, never leave a key down.
                self._machine.reset(records, "error")
                raise
            return records

    # ----------------------------------------------------------------- internals

    def _build_bindings(self) -> None:
        """Resolve the profile's mappings plus the overrides against the action settings;
        mappings that can never fire are logged and left out."""
        settings = self._config.actions
        profile = self._config.profile(self._profile)
        overridden = {m.gesture for m in self._overrides}
        mappings = [m for m in profile.mappings if m.gesture not in overridden]
        mappings += list(self._overrides)
        used: list[Binding] = []
        bindings: list[ResolvedBinding] = []
        for index, mapping in enumerate(mappings):
            conflict = mapping.conflict(settings)
            if conflict is not None:
                log.warning("mapping ignored: %s", conflict)
                continue
            used.append(mapping)
            bindings.append(
                ResolvedBinding(
                    index=index,
                    gesture=mapping.gesture,
                    hand=mapping.hand,
                    trigger=mapping.trigger,
                    action=parse_action(mapping.action),
                    hold_ms=float(mapping.effective_hold_ms(settings)),
                    cooldown_ms=float(mapping.effective_cooldown_ms(settings)),
                    repeat_ms=float(mapping.effective_repeat_ms(settings)),
                )
            )
        self._machine.bindings = bindings
        self._mappings = tuple(used)
        self._gate.forget_cooldowns()

    def _state(self, status: str, detail: str = "") -> ActionRecord:
        return state_record(status, self._machine.now_ms, detail=detail)
