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
  (:mod:`pipeline.pointer.dwell`), then the dwell rests for ``dwell_refractory_ms``;
- the click palette (:mod:`pipeline.pointer.click_types`): a dwell or thumb-index pinch click
  does the type chosen there (left, right, double, drag, scroll); over a palette button
  (:meth:`PointerController.set_palette`, hit-tested here) it chooses instead and no OS click
  is sent; the pause button (and, when set, a hand resting out of the active area for
  ``rest_pause_s``) stops every click and pinch while the pointer still moves, until resume
  is chosen (without a palette on screen, any dwell resumes);
- a held button is released when disarmed/paused, when the hand is lost, when clicks pause,
  on takeback and on :meth:`PointerController.release_all`.

:class:`PointerCommand`, :class:`PointerState` (:mod:`pipeline.pointer.commands`) and
:func:`anchor_point` (:mod:`pipeline.pointer.motion`) are importable from here too.
"""

from __future__ import annotations

from pipeline.gestures.features import BENT, STRAIGHT, measure
from pipeline.gestures.recognizer import DYNAMIC_GESTURES
from pipeline.pointer.click_types import (
    PAUSE,
    PAUSED_BY_REST,
    ClickTypes,
    PaletteLayout,
)
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
    (:class:`Pinches`, which also holds the pressed buttons), dwell (:class:`Dwell`) and the
    click palette's choices (:class:`ClickTypes`, ``clicks``; a drag it holds and scroll mode,
    during which the OS pointer stays where scrolling started and ``_scroll_cursor`` follows
    the hand instead)."""

    def __init__(self, settings: PointerSettings, desktop: Desktop) -> None:
        self.settings = settings
        self.desktop = desktop
        self._anchor = AnchorFilter(settings)
        self._cursor = Cursor()
        self._takeback = Takeback()
        self._pinches = Pinches()
        self._dwell = Dwell()
        self.clicks = ClickTypes()
        self.palette = PaletteLayout()
        self._scroll_cursor = Cursor()
        self._hover: str | None = None
        self._out_since: float | None = None  # when the hand left the active area (rest pause)
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

    def set_palette(self, layout: PaletteLayout) -> None:
        """Where the palette's buttons are now (desktop pixels; empty: no palette shown)."""
        self.palette = layout

    def choose(self, button: str) -> list[PointerCommand]:
        """``button`` chosen on the palette from outside (the real mouse clicked it): as a
        dwell on it would. Returns the commands to send (pausing releases a drag)."""
        commands = self.clicks.choose(button)
        self._set_state(self.state.mode, self.state.track_id)
        return commands

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
        """Release every held button (commands to send) and forget any pinch in progress,
        drag or scroll of the palette's click types."""
        # (after scroll mode the OS pointer stays where scrolling was: the next frame with a
        # hand moves it; a move here could fight the real mouse on takeback)
        return self._pinches.release_all() + self.clicks.release_all()

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
            commands += self._rest(t, out=True)
            self._set_state(NO_HAND, None)
            return commands
        self._track = hand.track_id
        return self._step_hand(hand, result, t)

    def _rest(self, t: float, *, out: bool) -> list[PointerCommand]:
        """The resting-hand pause: the hand out of the active area (or out of sight) for
        ``rest_pause_s`` pauses clicks like the palette's pause button."""
        s = self.settings
        if not out or not s.rest_pause:
            self._out_since = None
            return []
        if self._out_since is None:
            self._out_since = t
        if self.clicks.paused or t - self._out_since < s.rest_pause_s * 1000.0:
            return []
        return self._pinches.release_all() + self.clicks.pause(PAUSED_BY_REST)

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
        self._scroll_cursor.pos = None
        self._hover = None

    def _step_hand(self, hand: Hand, result: FrameResult, t: float) -> list[PointerCommand]:
        s = self.settings
        cursor = self._cursor
        commands: list[PointerCommand] = []
        pose = measure(hand)
        size = max(hand.palm_size, 1e-6)
        anchor, prev_anchor, prev_t = self._anchor.update(
            anchor_point(hand, s.anchor), t, size, result.width, result.height
        )

        area = s.active_area
        outside = not (
            area.left <= anchor[0] <= area.right and area.top <= anchor[1] <= area.bottom
        )
        commands += self._rest(t, out=outside)

        if s.clutch and is_fist(pose.states):
            commands += self._pinches.end(s, cursor, cancel=True)
            self._dwell.drop_anchor()
            self._set_state(CLUTCHED, hand.track_id)
            return commands

        # While the palette's scroll runs, the OS pointer stays where it started (the wheel
        # goes there) and the hand moves a cursor of its own, which the ring shows.
        scrolling = self.clicks.scroll is not None
        hand_cursor = self._scroll_cursor if scrolling else cursor
        # the target before the pinch logic, so a drag follows the hand
        target = pointer_target(s, self.desktop, hand_cursor.pos, anchor, prev_anchor, prev_t, t)
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
        commands += self._pinch_commands(self._pinches.update(reading, s, cursor), t)
        pinch = self._pinches.active
        if pinch is not None and not pinching_before:
            self._dwell.reset()  # the pinch clicks here; no dwell click on top
        frozen = pinch is not None and not pinch.dragging
        if not frozen and target is not None:
            if self.clicks.scroll is not None:
                if self._scroll_cursor.pos is None:
                    self._scroll_cursor.pos = cursor.pos
                self._scroll_cursor.move_towards(target, s, self.desktop)  # not sent
            else:
                commands += cursor.move_towards(target, s, self.desktop)
        self._pinches.remember(t, cursor.pos, gap)

        commands += self._dwell_step(t)
        self._set_state(TRACKING, hand.track_id)
        return commands

    def _hand_pos(self) -> tuple[float, float] | None:
        """Where the hand points: the pointer, or scroll mode's own cursor while scrolling."""
        if self.clicks.scroll is not None and self._scroll_cursor.pos is not None:
            return self._scroll_cursor.pos
        return self._cursor.pos

    def _dwell_step(self, t: float) -> list[PointerCommand]:
        """The dwell of this frame: scroll mode's wheel, then a completed dwell chooses on the
        palette, resumes, or clicks the chosen type."""
        s = self.settings
        pos = self._hand_pos()
        self._hover = None if pos is None else self.palette.hit(*pos)
        if pos is None:
            return []
        commands: list[PointerCommand] = []
        clicks = self.clicks
        if clicks.scroll is not None:
            commands += clicks.scroll_update(pos, t, s)
            if not clicks.in_scroll_band(pos, s):
                self._dwell.hold_off()  # holding the hand off to scroll is no dwell
                return commands
        if not s.dwell_click or self._pinches.active is not None:
            return commands
        if clicks.paused and self._hover is None and self.palette:
            self._dwell.hold_off()  # paused: only the palette (resume) takes a dwell
            return commands
        if not self._dwell.update(pos, t, s):
            return commands
        if self._hover is not None:
            commands += clicks.choose(self._hover)
            if clicks.repeats(self._hover):
                self._dwell.restart(pos, t)  # dwelling on counts as the second choice
        elif clicks.paused:
            commands += clicks.choose(PAUSE)  # no palette on screen: any dwell resumes
        else:
            commands += self._click(pos, t)
        return commands

    def _click(self, at: tuple[float, float], t: float) -> list[PointerCommand]:
        """A click of the chosen type at ``at`` (dwell or pinch), then the refractory pause."""
        scrolling = self.clicks.scroll is not None
        commands = self.clicks.click(at)
        if self.clicks.scroll is not None:
            self._scroll_cursor.pos = at  # scrolling starts: the hand's cursor starts here
        elif scrolling and self._scroll_cursor.pos is not None:
            commands += self._cursor.put(self._scroll_cursor.pos)  # scrolling ended
        self._dwell.quiet(t + self.settings.dwell_refractory_ms)
        return commands

    def _pinch_commands(self, commands: list[PointerCommand], t: float) -> list[PointerCommand]:
        """The pinches' commands through the palette's choices: a left pinch click does the
        chosen type, or chooses when over a palette button; nothing but moves is sent over the
        palette, while clicks are paused, or while the palette's drag or scroll runs."""
        out: list[PointerCommand] = []
        clicks = self.clicks
        for c in commands:
            if c.kind == "move":
                out.append(c)
                continue
            pos = self._cursor.pos
            hover = None if pos is None else self.palette.hit(*pos)
            if c.kind == "click" and c.button == "left" and c.count == 1 and pos is not None:
                if hover is not None:
                    out += clicks.choose(hover)
                elif clicks.paused:
                    if not self.palette:
                        out += clicks.choose(PAUSE)  # no palette on screen: a click resumes
                else:
                    out += self._click(pos, t)
                continue
            if c.kind == "release":
                out.append(c)  # a press held back below is no longer in held: never released
                continue
            if clicks.paused or hover is not None or clicks.step:
                if c.kind == "press" and c.button in self._pinches.held:
                    self._pinches.held.remove(c.button)  # never went down
                continue
            if c.kind == "click":
                self._dwell.quiet(t + self.settings.dwell_refractory_ms)
            out.append(c)
        return out

    # ------------------------------------------------------------------ state
    def _set_state(self, mode: str, track_id: int | None) -> None:
        t = self._anchor.last_t
        pos = self._hand_pos()
        self.state = PointerState(
            mode=mode,
            x=None if pos is None else pos[0],
            y=None if pos is None else pos[1],
            pinch=self._pinches.label(),
            drag_progress=self._pinches.drag_progress(t, self.settings),
            dwell_progress=self._dwell.progress(t, self.settings) if mode == TRACKING else 0.0,
            held=(*self._pinches.held, *self.clicks.held),
            takeback_left_ms=self._takeback.left_ms(t),
            track_id=track_id,
            click_type=self.clicks.selected,
            sticky=self.clicks.sticky,
            click_step=self.clicks.step,
            clicks_paused=self.clicks.paused,
            palette_button=self._hover if mode == TRACKING else None,
        )
