"""What pointer mode outputs: :class:`PointerCommand` (one input operation to inject) and
:class:`PointerState` (what it is doing, for the overlay and the log), plus the mode names.

Plain frozen data shared by the controller and its parts (:mod:`pipeline.pointer.motion`,
:mod:`pipeline.pointer.pinch`, :mod:`pipeline.pointer.dwell`); importable from
:mod:`pipeline.pointer.controller` too.
"""

from __future__ import annotations

from dataclasses import dataclass

# Modes, as shown by the overlay
OFF, DISARMED, PAUSED, NO_HAND, TRACKING, CLUTCHED, TAKEBACK = (
    "off",
    "disarmed",
    "paused",
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

    ``mode``: off / disarmed / paused / no_hand / tracking / clutched / takeback. ``x, y``: where the
    controller put the pointer (desktop pixels; None before the first move). ``pinch``: none /
    left / right / scroll / drag. ``drag_progress``: 0..1 of the time to a drag while a left
    pinch is held; ``dwell_progress``: 0..1 towards a dwell click. ``held``: buttons down.
    ``takeback_left_ms``: time until the hand takes the pointer back.
    ``click_type``: what the next dwell or pinch click does (left / right / double / drag /
    scroll, :mod:`pipeline.pointer.click_types`); ``sticky``: it stays chosen after the click;
    ``click_step``: "" or what a two-step type is doing ("dragging" between the press and the
    release, "scrolling" between the two dwells). ``clicks_paused``: "" or why clicks are paused
    while the pointer still moves ("palette": the palette's pause button, "rest": a resting
    hand); the overlay shows PAUSED. ``palette_button``: the palette button under the pointer
    (None when not over the palette).
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
    click_type: str = "left"
    sticky: bool = False
    click_step: str = ""
    clicks_paused: str = ""
    palette_button: str | None = None
