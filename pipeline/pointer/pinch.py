"""Pinches: thumb + index = left click at the point aimed at, held = drag, twice = double click;
thumb + middle = right click; thumb + index + middle and move = scroll.

Hysteresis: a pinch starts below ``pinch_on`` and ends above ``pinch_off`` (palm sizes), and
after a pinch the fingers must open past ``pinch_off`` before the next one can start.
A part of :class:`pipeline.pointer.controller.PointerController`; the same single thread calls
it. Positions are desktop pixels, times milliseconds.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from pipeline.gestures.features import BENT, STRAIGHT, HandPose
from pipeline.pointer.commands import PointerCommand
from pipeline.pointer.motion import Cursor
from pipeline.pointer.settings import PointerSettings

AIM_LOOKBACK_MS = 250.0  # how far back the aim point of a pinch may lie
SCROLL_MAX_STEPS = 10  # per frame, so a tracking glitch cannot scroll a page away


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


@dataclass(frozen=True)
class PinchReading:
    """One frame of the hand as the pinch logic sees it.

    ``t``: timestamp (ms). ``d_index`` / ``d_middle``: :func:`pinch_gaps`. ``gap``: the raw
    thumb gap (the smaller of the thumb-index and thumb-middle distances, palm sizes), which
    shrinks from the moment the fingers start closing. ``step``: (2,) anchor step since the
    previous frame in frame fractions (None without a previous anchor). ``size``: palm size in
    pixels; ``width`` x ``height``: the frame in pixels."""

    t: float
    d_index: float
    d_middle: float
    gap: float
    step: np.ndarray | None
    size: float
    width: int
    height: int


@dataclass
class Pinch:
    """The pinch in progress: ``kind`` left / right / scroll, since ``started_ms``, aimed at
    ``aim`` (desktop pixels); ``scroll_acc``: wheel movement not yet sent (x, y, steps)."""

    kind: str
    started_ms: float
    aim: tuple[float, float]
    dragging: bool = False
    scroll_acc: list[float] = field(default_factory=lambda: [0.0, 0.0])


class Pinches:
    """The pinch state machine: the pinch in progress (``active``), the buttons it holds down
    (``held``), the last left click (for double clicks) and the recent pointer positions with
    their thumb gaps (to find where a pinch was aimed)."""

    def __init__(self) -> None:
        self.active: Pinch | None = None
        self.held: list[str] = []
        self._rearm = True  # fingers must open before a new pinch starts
        self._last_click: tuple[float, tuple[float, float]] | None = None
        self._history: deque[tuple[float, tuple[float, float], float]] = deque()

    def release_all(self) -> list[PointerCommand]:
        """Release every held button (commands to send) and forget any pinch in progress."""
        commands = [PointerCommand("release", button=b) for b in reversed(self.held)]
        self.held.clear()
        if self.active is not None:
            self.active = None
            self._rearm = True
        return commands

    def remember(self, t: float, pos: tuple[float, float] | None, gap: float) -> None:
        """Where the pointer is at ``t`` ms (if placed) and the raw thumb ``gap``; positions
        older than :data:`AIM_LOOKBACK_MS` are dropped."""
        if pos is not None:
            self._history.append((t, pos, gap))
        while self._history and t - self._history[0][0] > AIM_LOOKBACK_MS:
            self._history.popleft()

    def forget_positions(self) -> None:
        """The hand is gone: its earlier positions aim nothing."""
        self._history.clear()

    def label(self) -> str:
        """none / left / right / scroll / drag, for :class:`PointerState`."""
        p = self.active
        return "none" if p is None else ("drag" if p.dragging else p.kind)

    def drag_progress(self, t: float | None, settings: PointerSettings) -> float:
        """0..1 of the time to a drag while a left pinch is held, at ``t`` ms."""
        p = self.active
        if p is None or p.kind != "left" or t is None:
            return 0.0
        return 1.0 if p.dragging else min(1.0, (t - p.started_ms) / settings.drag_after_ms)

    def update(
        self, r: PinchReading, settings: PointerSettings, cursor: Cursor
    ) -> list[PointerCommand]:
        """Start, advance or end a pinch for this frame. A starting pinch puts the pointer back
        at its aim point; an ending one clicks (or releases a drag)."""
        s = settings
        on, off = s.pinch_on, s.pinch_off
        commands: list[PointerCommand] = []
        if not (s.pinch_click or s.right_click or s.scroll) or cursor.pos is None:
            return commands
        p = self.active
        if p is None:
            if self._rearm:
                if r.d_index > off and r.d_middle > off:
                    self._rearm = False
                return commands
            kind = None
            if s.scroll and r.d_index < on and r.d_middle < on:
                kind = "scroll"
            elif s.pinch_click and r.d_index < on:
                kind = "left"
            elif s.right_click and r.d_middle < on:
                kind = "right"
            if kind is not None:
                aim = self._aim_point(cursor.pos, min(r.gap, r.d_index, r.d_middle))
                self.active = Pinch(kind, r.t, aim)
                commands += cursor.put(aim)  # back where the user aimed
            return commands

        elapsed = r.t - p.started_ms
        if p.kind == "left":
            if s.scroll and not p.dragging and r.d_middle < on and elapsed < s.drag_after_ms:
                p.kind = "scroll"
            elif r.d_index > off:
                commands += self.end(settings, cursor, cancel=False, t=r.t)
            elif not p.dragging and elapsed >= s.drag_after_ms:
                p.dragging = True
                commands.append(PointerCommand("press", button="left"))
                self.held.append("left")
        elif p.kind == "right":
            if r.d_middle > off:
                commands += self.end(settings, cursor, cancel=False, t=r.t)
        elif p.kind == "scroll":
            if r.d_index > off and r.d_middle > off:
                commands += self.end(settings, cursor, cancel=False, t=r.t)
            elif r.step is not None:
                commands += _scroll(p, r.step, r, settings)
        return commands

    def end(
        self, settings: PointerSettings, cursor: Cursor, *, cancel: bool, t: float = 0.0
    ) -> list[PointerCommand]:
        """Finish the pinch in progress at ``t`` ms: release a drag, or click (unless
        ``cancel``)."""
        p, self.active = self.active, None
        if p is None:
            return []
        self._rearm = True
        commands: list[PointerCommand] = []
        if p.dragging:
            if "left" in self.held:
                self.held.remove("left")
                commands.append(PointerCommand("release", button="left"))
            return commands
        if cancel or p.kind == "scroll":
            return commands
        button = "left" if p.kind == "left" else "right"
        at = p.aim
        if button == "left" and self._last_click is not None:
            when, where = self._last_click
            if (
                p.started_ms - when <= settings.double_click_ms
                and math.dist(where, at) <= settings.dwell_radius_px
            ):
                at = where  # the second click of a double click lands on the first
        commands += cursor.put(at)
        commands.append(PointerCommand("click", button=button))
        self._last_click = (t, at) if button == "left" else None
        return commands

    def _aim_point(self, pos: tuple[float, float], gap: float) -> tuple[float, float]:
        """Where the pointer was when the fingers began to close: walk back from ``pos``
        through the last frames while the thumb-finger gap was larger the further back
        (``gap``: now)."""
        aim = pos
        for _, earlier_pos, earlier in reversed(self._history):
            if earlier <= gap + 0.005:  # the fingers were not more open then: closing began
                break
            aim, gap = earlier_pos, earlier
        return aim


def _scroll(
    p: Pinch, step: np.ndarray, r: PinchReading, settings: PointerSettings
) -> list[PointerCommand]:
    """Wheel steps for the anchor's ``step`` (frame fractions) during scroll pinch ``p``."""
    s = settings
    # frame fractions -> palm sizes
    dx = step[0] * r.width / r.size
    dy = step[1] * r.height / r.size
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
