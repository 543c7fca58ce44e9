"""Pointer mode's state machine: tracked hands in, pointer commands out.

:class:`PointerController` is pure logic (no OS calls): each frame it takes the tracker's
:class:`pipeline.types.FrameResult`, whether actions are allowed (armed and not paused) and the
OS pointer position read just before (for manual takeback), and returns the
:class:`PointerCommand` list to inject, in order. :class:`pipeline.pointer.output.PointerDriver`
couples it to a real sink. One thread calls it (the tracking thread or the GUI thread).

The hand (see :class:`pipeline.pointer.settings.PointerSettings`):

- a stable anchor (palm centre by default), One Euro filtered, drives the pointer: absolute
  (active area -> whole desktop) or relative (like a mouse, with acceleration); a dead zone keeps
  the pointer still when the hand is still;
- a fist is the clutch: the pointer stops; in relative mode opening the hand resumes from the
  same pointer position (lifting a mouse);
- thumb + index pinch = left click at the point aimed at (the pointer freezes when the fingers
  start closing); held longer than ``drag_after_ms`` = press there, drag, release on opening;
  a second pinch within ``double_click_ms`` clicks at the first click's point (a double click);
- thumb + middle pinch = right click; thumb + index + middle pinch and move = scroll;
- dwell click (optional): the pointer kept within a radius for a time clicks once;
- a held button is released when disarmed/paused, when the hand is lost, on takeback and on
  :meth:`PointerController.release_all`.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from pipeline.filters import OneEuroFilter
from pipeline.gestures.features import BENT, STRAIGHT, HandPose, measure
from pipeline.pointer.geometry import Desktop, map_absolute
from pipeline.pointer.settings import PointerSettings
from pipeline.types import FrameResult, Hand

PALM_CENTRE = (0, 5, 9, 13, 17)  # wrist and the four finger knuckles
INDEX_KNUCKLE = 5
AIM_LOOKBACK_MS = 250.0  # how far back the aim point of a pinch may lie
SCROLL_MAX_STEPS = 10  # per frame, so a tracking glitch cannot scroll a page away

# Modes, as shown by the overlay
OFF, DISARMED, NO_HAND, TRACKING, CLUTCHED, TAKEBACK = (
    "off",
    "disarmed",
    "no_hand",
    "tracking",
    "clutched",
    "takeback",
)


@dataclass(frozen=True)
class PointerCommand:
    """One input operation in desktop pixels. ``kind``: ``move`` (to ``x, y``), ``press`` /
    ``release`` / ``click`` (``button``: left/right/middle, ``count`` clicks) or ``scroll``
    (``dx``, ``dy`` wheel steps, +dy up, +dx right)."""

    kind: str
    x: int = 0
    y: int = 0
    button: str = "left"
    count: int = 1
    dx: int = 0
    dy: int = 0


@dataclass(frozen=True)
class PointerState:
    """What pointer mode is doing, for the overlay and the log (built every frame).

    ``mode``: off / disarmed / no_hand / tracking / clutched / takeback. ``x, y``: where the
    controller put the pointer (desktop pixels; None before the first move). ``pinch``: none /
    left / right / scroll / drag. ``drag_progress``: 0..1 of the time to a drag while a left
    pinch is held; ``dwell_progress``: 0..1 towards a dwell click. ``held``: buttons down.
    ``takeback_left_ms``: time until the hand takes the pointer back.
    """

    mode: str = OFF
    x: float | None = None
    y: float | None = None
    pinch: str = "none"
    drag_progress: float = 0.0
    dwell_progress: float = 0.0
    held: tuple[str, ...] = ()
    takeback_left_ms: float = 0.0
    track_id: int | None = None


@dataclass
class _Pinch:
    kind: str  # left / right / scroll
    started_ms: float
    aim: tuple[float, float]
    dragging: bool = False
    scroll_acc: list[float] = field(default_factory=lambda: [0.0, 0.0])


def anchor_point(hand: Hand, which: str) -> np.ndarray:
    """(2,) anchor of ``hand`` in frame pixels: the palm centre (mean of the wrist and the four
    knuckles) or the index knuckle."""
    pts = np.asarray(hand.landmarks[:, :2], dtype=np.float64)
    if which == "index_knuckle":
        return pts[INDEX_KNUCKLE].copy()
    return pts[list(PALM_CENTRE)].mean(axis=0)


def is_fist(states: tuple[str, ...]) -> bool:
    """Index, middle, ring and little finger folded (at most one of them only half folded)."""
    fingers = states[1:]
    return not any(s == STRAIGHT for s in fingers) and sum(s == BENT for s in fingers) >= 3


def pinch_gaps(pose: HandPose) -> tuple[float, float]:
    """Thumb tip to index / middle fingertip distances in palm sizes, as pinch detection sees
    them: a finger held straight does not pinch (on the HaGRID photos a straight finger near the
    thumb is a resting hand, not a pinch), and a thumb-middle contact counts only with the ring
    finger not folded (else it is a pointing or "rock" hand whose thumb holds the middle
    finger down). Infinite when the finger cannot be pinching."""
    states = pose.states
    d_index = pose.pinch if states[1] != STRAIGHT else math.inf
    d_middle = pose.pinch_middle if states[2] != STRAIGHT and states[3] != BENT else math.inf
    return d_index, d_middle


class PointerController:
    """The state machine described in the module docstring. Not thread-safe: one caller."""

    def __init__(self, settings: PointerSettings, desktop: Desktop) -> None:
        self.settings = settings
        self.desktop = desktop
        self._filter = self._new_filter()
        self._pos: tuple[float, float] | None = None  # where we put the pointer (float)
        self._last_set: tuple[int, int] | None = None  # last integer move we sent
        self._prev_anchor: np.ndarray | None = None  # filtered anchor, frame fractions
        self._prev_t: float | None = None
        self._track: int | None = None
        self._held: list[str] = []
        self._pinch: _Pinch | None = None
        self._rearm_pinch = True  # fingers must open before a new pinch starts
        self._last_click: tuple[float, tuple[float, float]] | None = None
        self._history: deque[tuple[float, tuple[float, float], float]] = deque()
        self._dwell_anchor: tuple[float, float] | None = None
        self._dwell_start = 0.0
        self._dwell_done = True  # no dwell click before the pointer has moved
        self._takeback_until: float | None = None
        self._seen_pointer: tuple[float, float] | None = None
        self._clutched = False
        self.state = PointerState()

    # ------------------------------------------------------------------ configuration
    def _new_filter(self) -> OneEuroFilter:
        return OneEuroFilter(self.settings.min_cutoff_hz, self.settings.beta)

    def set_settings(self, settings: PointerSettings) -> list[PointerCommand]:
        """New settings; releases anything held (returned) and restarts the filter."""
        commands = self.release_all()
        self.settings = settings
        self._filter = self._new_filter()
        self._prev_anchor = None
        return commands

    def set_desktop(self, desktop: Desktop) -> None:
        """Screens changed (plugged, moved, rescaled)."""
        self.desktop = desktop
        if self._pos is not None:
            self._pos = desktop.clamp(*self._pos)

    @property
    def owned_gestures(self) -> frozenset[str]:
        """Gesture ids pointer mode uses itself; their mappings are held back while it runs
        (the pointer wins: a fist must not also fire the fist mapping)."""
        owned = set()
        if self.settings.clutch:
            owned.add("fist")
        if self.settings.pinch_click:
            owned.add("ok")
        return frozenset(owned)

    # ------------------------------------------------------------------ per frame
    def release_all(self) -> list[PointerCommand]:
        """Release every held button (commands to send) and forget any pinch in progress."""
        commands = [PointerCommand("release", button=b) for b in reversed(self._held)]
        self._held.clear()
        if self._pinch is not None:
            self._pinch = None
            self._rearm_pinch = True
        return commands

    def step(
        self,
        result: FrameResult,
        *,
        active: bool = True,
        pointer: tuple[float, float] | None = None,
    ) -> list[PointerCommand]:
        """Commands for one frame. ``active``: actions allowed (armed and not paused);
        ``pointer``: the OS pointer position read just before this call (desktop pixels), or
        None when it cannot be read (manual takeback then cannot be detected)."""
        t = result.timestamp_ms
        if not active:
            commands = self.release_all()
            self._lose_hand()
            self._set_state(DISARMED, None)
            return commands
        if pointer is not None and self._takeback(t, pointer):
            commands = self.release_all()
            self._lose_hand()
            self._pos = (float(pointer[0]), float(pointer[1]))
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

    def _takeback(self, t: float, pointer: tuple[float, float]) -> bool:
        """True while the physical mouse has the pointer (moved by someone else than us)."""
        s = self.settings
        if self._takeback_until is not None:
            seen = self._seen_pointer
            if seen is not None and math.dist(seen, pointer) > s.takeback_px:
                self._takeback_until = t + s.takeback_ms  # still moving: extend the pause
            self._seen_pointer = (float(pointer[0]), float(pointer[1]))
            if t < self._takeback_until:
                return True
            self._takeback_until = None
            self._last_set = None
            return False
        if (
            s.takeback_ms > 0
            and self._last_set is not None
            and math.dist(self._last_set, pointer) > s.takeback_px
        ):
            self._takeback_until = t + s.takeback_ms
            self._seen_pointer = (float(pointer[0]), float(pointer[1]))
            return True
        return False

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
        self._filter = self._new_filter()
        self._prev_anchor = None
        self._prev_t = None
        self._track = None
        self._history.clear()
        self._clutched = False
        self._dwell_anchor = None
        self._dwell_done = True

    def _step_hand(self, hand: Hand, result: FrameResult, t: float) -> list[PointerCommand]:
        s = self.settings
        commands: list[PointerCommand] = []
        pose = measure(hand)
        size = max(hand.palm_size, 1e-6)
        raw = anchor_point(hand, s.anchor)
        smooth = self._filter(raw, t, scale=size)
        anchor = np.array([smooth[0] / result.width, smooth[1] / result.height])
        prev_anchor, prev_t = self._prev_anchor, self._prev_t
        self._prev_anchor, self._prev_t = anchor, t
        fist = s.clutch and is_fist(pose.states)

        # --- clutch
        if fist:
            commands += self._end_pinch(cancel=True)
            self._clutched = True
            self._dwell_anchor = None
            self._set_state(CLUTCHED, hand.track_id)
            return commands
        self._clutched = False

        # --- pointer target (before the pinch logic so a drag follows the hand)
        target = self._target(anchor, prev_anchor, prev_t, t)
        # --- pinches
        d_index, d_middle = pinch_gaps(pose)
        commands += self._pinches(
            d_index,
            d_middle,
            min(pose.pinch, pose.pinch_middle),
            anchor,
            prev_anchor,
            size,
            result,
            t,
        )
        frozen = self._pinch is not None and not self._pinch.dragging
        if not frozen and target is not None:
            commands += self._move_towards(target)

        if self._pos is not None:
            # the raw gap (not pinch_gaps'): it shrinks from the moment the fingers start closing
            self._history.append((t, self._pos, min(pose.pinch, pose.pinch_middle)))
        while self._history and t - self._history[0][0] > AIM_LOOKBACK_MS:
            self._history.popleft()

        # --- dwell
        if s.dwell_click and self._pinch is None and self._pos is not None:
            commands += self._dwell(t)
        self._set_state(TRACKING, hand.track_id)
        return commands

    def _target(
        self,
        anchor: np.ndarray,
        prev_anchor: np.ndarray | None,
        prev_t: float | None,
        t: float,
    ) -> tuple[float, float] | None:
        s = self.settings
        if s.mapping == "absolute":
            return map_absolute(
                float(anchor[0]), float(anchor[1]), s.active_area, self.desktop, s.mirror
            )
        if prev_anchor is None or prev_t is None or self._pos is None or t <= prev_t:
            if self._pos is None:  # first sight of a hand in relative mode: start in the middle
                x0, y0, x1, y1 = self.desktop.bounds
                return self.desktop.clamp((x0 + x1) / 2, (y0 + y1) / 2)
            return None
        area = s.active_area
        d = (anchor - prev_anchor) / np.array([area.right - area.left, area.bottom - area.top])
        if s.mirror:
            d[0] = -d[0]
        speed = float(np.hypot(*d)) / ((t - prev_t) / 1000.0)  # active areas per second
        factor = s.relative_gain * (1.0 + s.relative_acceleration * speed)
        x0, y0, x1, y1 = self.desktop.bounds
        x = self._pos[0] + d[0] * (x1 - x0) * factor
        y = self._pos[1] + d[1] * (y1 - y0) * factor
        return self.desktop.clamp(x, y)

    def _move_towards(self, target: tuple[float, float]) -> list[PointerCommand]:
        """Dead zone as a rope: the pointer moves only when the target is farther than the dead
        zone, and then to the rope's end, so a still hand's residual jitter never moves it
        while slow moves stay smooth (the pointer trails by at most the dead zone)."""
        dz = self.settings.dead_zone_px
        if self._pos is None:
            new = target
        elif self.settings.mapping == "relative":  # the hand's steps are already deltas
            if math.dist(target, self._pos) < dz * 0.25:
                return []
            new = target
        else:
            dx, dy = target[0] - self._pos[0], target[1] - self._pos[1]
            dist = math.hypot(dx, dy)
            k = max(0.0, dist - dz) / dist if dist > 0 else 0.0
            new = self._snap_to_edges(target, (self._pos[0] + dx * k, self._pos[1] + dy * k))
            if new == self._pos:
                return []
        self._pos = new
        return self._send_move(new)

    def _snap_to_edges(
        self, target: tuple[float, float], new: tuple[float, float]
    ) -> tuple[float, float]:
        """A target pinned to an edge of the desktop is reached exactly (the dead zone's trail
        would otherwise stop the pointer a pixel or two short of screen-edge buttons)."""
        x0, y0, x1, y1 = self.desktop.bounds
        x = target[0] if target[0] in (x0, x1) else new[0]
        y = target[1] if target[1] in (y0, y1) else new[1]
        return x, y

    def _send_move(self, pos: tuple[float, float]) -> list[PointerCommand]:
        xi, yi = round(pos[0]), round(pos[1])
        if self._last_set == (xi, yi):
            return []
        self._last_set = (xi, yi)
        return [PointerCommand("move", x=xi, y=yi)]

    # ------------------------------------------------------------------ pinches
    def _aim_point(self, gap: float) -> tuple[float, float]:
        """Where the pointer was when the fingers began to close: walk back through the last
        frames while the thumb-finger gap was larger the further back (``gap``: now)."""
        assert self._pos is not None
        aim = self._pos
        for _, pos, earlier in reversed(self._history):
            if earlier <= gap + 0.005:  # the fingers were not more open then: closing began
                break
            aim, gap = pos, earlier
        return aim

    def _pinches(
        self,
        d_index: float,
        d_middle: float,
        pose_gap: float,
        anchor: np.ndarray,
        prev_anchor: np.ndarray | None,
        size: float,
        result: FrameResult,
        t: float,
    ) -> list[PointerCommand]:
        s = self.settings
        on, off = s.pinch_on, s.pinch_off
        commands: list[PointerCommand] = []
        if not (s.pinch_click or s.right_click or s.scroll) or self._pos is None:
            return commands
        p = self._pinch
        if p is None:
            if self._rearm_pinch:
                if d_index > off and d_middle > off:
                    self._rearm_pinch = False
                return commands
            kind = None
            if s.scroll and d_index < on and d_middle < on:
                kind = "scroll"
            elif s.pinch_click and d_index < on:
                kind = "left"
            elif s.right_click and d_middle < on:
                kind = "right"
            if kind is not None:
                aim = self._aim_point(min(pose_gap, d_index, d_middle))
                self._pinch = _Pinch(kind, t, aim)
                self._dwell_anchor = None
                self._dwell_done = True  # the pinch clicks here; no dwell click on top
                if aim != self._pos:  # put the pointer back where the user aimed
                    self._pos = aim
                    commands += self._send_move(aim)
            return commands

        elapsed = t - p.started_ms
        if p.kind == "left":
            if s.scroll and not p.dragging and d_middle < on and elapsed < s.drag_after_ms:
                p.kind = "scroll"
            elif d_index > off:
                commands += self._end_pinch(cancel=False, t=t)
            elif not p.dragging and elapsed >= s.drag_after_ms:
                p.dragging = True
                commands.append(PointerCommand("press", button="left"))
                self._held.append("left")
        elif p.kind == "right":
            if d_middle > off:
                commands += self._end_pinch(cancel=False, t=t)
        elif p.kind == "scroll":
            if d_index > off and d_middle > off:
                commands += self._end_pinch(cancel=False, t=t)
            elif prev_anchor is not None:
                commands += self._scroll(anchor - prev_anchor, size, result)
        return commands

    def _scroll(self, delta: np.ndarray, size: float, result: FrameResult) -> list[PointerCommand]:
        p = self._pinch
        assert p is not None
        s = self.settings
        # frame fractions -> palm sizes
        dx = delta[0] * result.width / size
        dy = delta[1] * result.height / size
        if s.mirror:
            dx = -dx
        sign = -1.0 if s.scroll_invert else 1.0
        p.scroll_acc[0] += dx * sign
        p.scroll_acc[1] += -dy * sign  # hand up (image y decreasing) = wheel up
        steps = [int(a / s.scroll_step) for a in p.scroll_acc]
        if steps == [0, 0]:
            return []
        for i in range(2):
            p.scroll_acc[i] -= steps[i] * s.scroll_step
            steps[i] = max(-SCROLL_MAX_STEPS, min(SCROLL_MAX_STEPS, steps[i]))
        return [PointerCommand("scroll", dx=steps[0], dy=steps[1])]

    def _end_pinch(self, *, cancel: bool, t: float = 0.0) -> list[PointerCommand]:
        """Finish the pinch in progress: release a drag, or click (unless ``cancel``)."""
        p, self._pinch = self._pinch, None
        if p is None:
            return []
        self._rearm_pinch = True
        commands: list[PointerCommand] = []
        if p.dragging:
            if "left" in self._held:
                self._held.remove("left")
                commands.append(PointerCommand("release", button="left"))
            return commands
        if cancel or p.kind == "scroll":
            return commands
        button = "left" if p.kind == "left" else "right"
        at = p.aim
        if button == "left" and self._last_click is not None:
            when, where = self._last_click
            if (
                p.started_ms - when <= self.settings.double_click_ms
                and math.dist(where, at) <= self.settings.dwell_radius_px
            ):
                at = where  # the second click of a double click lands on the first
        if self._pos != at:
            self._pos = at
            commands += self._send_move(at)
        commands.append(PointerCommand("click", button=button))
        self._last_click = (t, at) if button == "left" else None
        return commands

    # ------------------------------------------------------------------ dwell
    def _dwell(self, t: float) -> list[PointerCommand]:
        s = self.settings
        assert self._pos is not None
        if (
            self._dwell_anchor is None
            or math.dist(self._dwell_anchor, self._pos) > s.dwell_radius_px
        ):
            if self._dwell_anchor is not None:
                self._dwell_done = False  # moved away: the next stop may click
            self._dwell_anchor, self._dwell_start = self._pos, t
            return []
        if self._dwell_done or t - self._dwell_start < s.dwell_ms:
            return []
        self._dwell_done = True
        return [PointerCommand("click", button="left")]

    def _dwell_progress(self, t: float | None) -> float:
        if (
            not self.settings.dwell_click
            or self._dwell_anchor is None
            or self._dwell_done
            or t is None
        ):
            return 0.0
        return min(1.0, max(0.0, (t - self._dwell_start) / self.settings.dwell_ms))

    # ------------------------------------------------------------------ state
    def _set_state(self, mode: str, track_id: int | None) -> None:
        p = self._pinch
        t = self._prev_t
        pinch = "none" if p is None else ("drag" if p.dragging else p.kind)
        drag = 0.0
        if p is not None and p.kind == "left" and t is not None:
            drag = 1.0 if p.dragging else min(1.0, (t - p.started_ms) / self.settings.drag_after_ms)
        left = 0.0
        if self._takeback_until is not None and self._seen_pointer is not None:
            left = max(0.0, self._takeback_until - (t or 0.0))
        pos = self._pos
        self.state = PointerState(
            mode=mode,
            x=None if pos is None else pos[0],
            y=None if pos is None else pos[1],
            pinch=pinch,
            drag_progress=drag,
            dwell_progress=self._dwell_progress(t) if mode == TRACKING else 0.0,
            held=tuple(self._held),
            takeback_left_ms=left,
            track_id=track_id,
        )
