"""Pointer mode's state machine: tracked hands in, pointer commands out.

:class:`PointerController` is pure logic (no OS calls): each frame it takes the tracker's
:class:`pipeline.types.FrameResult`, whether actions are allowed (armed and not paused) and the
OS pointer position read just before (for manual takeback), and returns the
:class:`PointerCommand` list to inject, in order. :class:`pipeline.pointer.output.PointerDriver`
couples it to a real sink. One thread calls it (the tracking thread or the GUI thread).

The hand (see :class:`pipeline.pointer.settings.PointerSettings`):

- a stable anchor (palm centre by default), One Euro filtered, drives the pointer: absolute
  (active area -> whole desktop) or relative (like a mouse, with acceleration); a dead zone keeps
  the pointer still when the hand is still (:mod:`pipeline.pointer.motion`);
- a fist is the clutch: the pointer stops; in relative mode opening the hand resumes from the
  same pointer position (lifting a mouse);
- thumb + index pinch = left click at the point aimed at (the pointer freezes when the fingers
  start closing); held longer than ``drag_after_ms`` = press there, drag, release on opening;
  a second pinch within ``double_click_ms`` clicks at the first click's point (a double click);
- thumb + middle pinch = right click; thumb + index + middle pinch and move = scroll
  (:mod:`pipeline.pointer.pinch`);
- dwell click (optional): the pointer kept within a radius for a time clicks once
  (:mod:`pipeline.pointer.dwell`);
- a held button is released when disarmed/paused, when the hand is lost, on takeback and on
  :meth:`PointerController.release_all`.

:class:`PointerCommand`, :class:`PointerState` (:mod:`pipeline.pointer.commands`) and
:func:`anchor_point` (:mod:`pipeline.pointer.motion`) are importable from here too.
"""

from __future__ import annotations

from pipeline.gestures.features import BENT, STRAIGHT, measure
from pipeline.gestures.recognizer import DYNAMIC_GESTURES
from pipeline.pointer.commands import (
    CLUTCHED,
    DISARMED,
    NO_HAND,
    PAUSED,
    TAKEBACK,
    TRACKING,
    PointerCommand,
    PointerState,
)
from pipeline.pointer.dwell import Dwell
from pipeline.pointer.geometry import Desktop
from pipeline.pointer.motion import AnchorFilter, Cursor, Takeback, anchor_point, pointer_target
from pipeline.pointer.pinch import Pinches, PinchReading, pinch_gaps
from pipeline.pointer.settings import PointerSettings
from pipeline.types import FrameResult, Hand

__all__ = ["PointerCommand", "PointerController", "PointerState", "anchor_point", "is_fist"]


def is_fist(states: tuple[str, ...]) -> bool:
    """Index, middle, ring and little finger folded (at most one of them only half folded)."""
    fingers = states[1:]
    return not any(s == STRAIGHT for s in fingers) and sum(s == BENT for s in fingers) >= 3


class PointerController:
    """The state machine described in the module docstring. Not thread-safe: one caller.

    Its parts, each holding its own state: the filtered anchor (:class:`AnchorFilter`), where
    the pointer was put (:class:`Cursor`), manual takeback (:class:`Takeback`), pinches
    (:class:`Pinches`, which also holds the pressed buttons) and dwell (:class:`Dwell`)."""

    def __init__(self, settings: PointerSettings, desktop: Desktop) -> None:
        self.settings = settings
        self.desktop = desktop
        self._anchor = AnchorFilter(settings)
        self._cursor = Cursor()
        self._takeback = Takeback()
        self._pinches = Pinches()
        self._dwell = Dwell()
        self._track: int | None = None
        self.state = PointerState()

    # ------------------------------------------------------------------ configuration
    def set_settings(self, settings: PointerSettings) -> list[PointerCommand]:
        """New settings; releases anything held (returned) and restarts the filter."""
        commands = self.release_all()
        self.settings = settings
        self._anchor.restart(settings)
        return commands

    def set_desktop(self, desktop: Desktop) -> None:
        """Screens changed (plugged, moved, rescaled)."""
        self.desktop = desktop
        if self._cursor.pos is not None:
            self._cursor.pos = desktop.clamp(*self._cursor.pos)

    @property
    def owned_gestures(self) -> frozenset[str]:
        """Gesture ids pointer mode uses itself; their mappings are held back while it runs
        (the pointer wins: a fist must not also fire the fist mapping). The movements are
        always among them: the hand moving the pointer is not swiping, its clutch is not a
        drag, its pinch click is not a zoom or a tap."""
        owned = set(DYNAMIC_GESTURES)
        if self.settings.clutch:
            owned.add("fist")
        if self.settings.pinch_click:
            owned.add("ok")
        return frozenset(owned)

    # ------------------------------------------------------------------ per frame
    def release_all(self) -> list[PointerCommand]:
        """Release every held button (commands to send) and forget any pinch in progress."""
        return self._pinches.release_all()

    def step(
        self,
        result: FrameResult,
        *,
        active: bool = True,
        pointer: tuple[float, float] | None = None,
        paused: bool = False,
    ) -> list[PointerCommand]:
        """Commands for one frame. ``active``: actions allowed (armed and not paused; when
        not, ``paused`` says which of the two: the overlay shows it);
        ``pointer``: the OS pointer position read just before this call (desktop pixels), or
        None when it cannot be read (manual takeback then cannot be detected)."""
        t = result.timestamp_ms
        if not active:
            commands = self.release_all()
            self._lose_hand()
            self._set_state(PAUSED if paused else DISARMED, None)
            return commands
        if pointer is not None and self._takeback.check(t, pointer, self._cursor, self.settings):
            commands = self.release_all()
            self._lose_hand()
            self._cursor.pos = (float(pointer[0]), float(pointer[1]))
            self._set_state(TAKEBACK, None)
            return commands
        hand = self._pick_hand(result)
        if hand is None:
            commands = self.release_all()
            self._lose_hand()
            self._set_state(NO_HAND, None)
            return commands
        self._track = hand.track_id
        return self._step_hand(hand, result, t)

    def _pick_hand(self, result: FrameResult) -> Hand | None:
        wanted = self.settings.hand
        hands = [h for h in result.hands if wanted == "any" or h.handedness.lower() == wanted]
        if not hands:
            return None
        for h in hands:
            if h.track_id == self._track:
                return h
        return max(hands, key=lambda h: h.palm_size)

    def _lose_hand(self) -> None:
        self._anchor.forget(self.settings)
        self._track = None
        self._pinches.forget_positions()
        self._dwell.reset()

    def _step_hand(self, hand: Hand, result: FrameResult, t: float) -> list[PointerCommand]:
        s = self.settings
        cursor = self._cursor
        commands: list[PointerCommand] = []
        pose = measure(hand)
        size = max(hand.palm_size, 1e-6)
        anchor, prev_anchor, prev_t = self._anchor.update(
            anchor_point(hand, s.anchor), t, size, result.width, result.height
        )

        if s.clutch and is_fist(pose.states):
            commands += self._pinches.end(s, cursor, cancel=True)
            self._dwell.drop_anchor()
            self._set_state(CLUTCHED, hand.track_id)
            return commands

        # the target before the pinch logic, so a drag follows the hand
        target = pointer_target(s, self.desktop, cursor.pos, anchor, prev_anchor, prev_t, t)
        d_index, d_middle = pinch_gaps(pose)
        # the raw gap (not pinch_gaps'): it shrinks from the moment the fingers start closing
        gap = min(pose.pinch, pose.pinch_middle)
        reading = PinchReading(
            t=t,
            d_index=d_index,
            d_middle=d_middle,
            gap=gap,
            step=None if prev_anchor is None else anchor - prev_anchor,
            size=size,
            width=result.width,
            height=result.height,
        )
        pinching_before = self._pinches.active is not None
        commands += self._pinches.update(reading, s, cursor)
        pinch = self._pinches.active
        if pinch is not None and not pinching_before:
            self._dwell.reset()  # the pinch clicks here; no dwell click on top
        frozen = pinch is not None and not pinch.dragging
        if not frozen and target is not None:
            commands += cursor.move_towards(target, s, self.desktop)
        self._pinches.remember(t, cursor.pos, gap)

        if s.dwell_click and self._pinches.active is None and cursor.pos is not None:
            commands += self._dwell.update(cursor.pos, t, s)
        self._set_state(TRACKING, hand.track_id)
        return commands

    # ------------------------------------------------------------------ state
    def _set_state(self, mode: str, track_id: int | None) -> None:
        t = self._anchor.last_t
        pos = self._cursor.pos
        self.state = PointerState(
            mode=mode,
            x=None if pos is None else pos[0],
            y=None if pos is None else pos[1],
            pinch=self._pinches.label(),
            drag_progress=self._pinches.drag_progress(t, self.settings),
            dwell_progress=self._dwell.progress(t, self.settings) if mode == TRACKING else 0.0,
            held=tuple(self._pinches.held),
            takeback_left_ms=self._takeback.left_ms(t),
            track_id=track_id,
        )
