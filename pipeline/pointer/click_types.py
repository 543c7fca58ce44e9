"""Click types chosen on the click palette: what the next dwell (or pinch) click does, pause by
dwell, and where the palette's buttons are on the desktop.

The palette (``app.gui.click_palette``) is only a view. It hands its buttons' rectangles to
pointer mode as a :class:`PaletteLayout` (desktop pixels, immutable: the GUI thread swaps in a
new one, the tracking thread reads whichever it has) and shows the :class:`ClickTypes` state
that comes back in each :class:`pipeline.pointer.commands.PointerState`. The controller
(:class:`pipeline.pointer.controller.PointerController`) does the hit test itself, on the
tracking thread, so a dwell or pinch over a palette button selects and never sends an OS click.

Click types (:data:`CLICK_TYPES`):

- ``left``, ``right``: one click of that button; ``double``: a left double click;
- ``drag``: the button goes down at one click and up at the next (the pointer moves between);
- ``scroll``: a click starts scrolling at that point. The OS pointer stays there (the wheel goes
  to the window chosen) while the ring follows the hand: holding the hand above the start point
  scrolls up, below it down, faster the further away (rate control, like a joystick); within
  :func:`scroll_band_px` of the start nothing scrolls, and a dwell there ends scrolling (a
  pinch click anywhere ends it too). Rate control was chosen over "move the hand to scroll"
  because a long page then needs no return strokes: moving the hand back would scroll back
  unless the user could clutch, which someone relying on dwell may not be able to do.

A chosen type is used once, then the next click is ``left`` again; choosing the same button a
second time (a second dwell, or simply dwelling on) makes it *sticky*: it stays until another
button is chosen. The ``pause`` button stops all clicks (the pointer still moves) until it is
chosen again ("resume").

One thread uses a :class:`ClickTypes` (the controller's). Positions are desktop pixels, times ms.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.pointer.commands import PointerCommand
from pipeline.pointer.geometry import Desktop
from pipeline.pointer.settings import PointerSettings

LEFT, RIGHT, DOUBLE, DRAG, SCROLL, PAUSE = "left", "right", "double", "drag", "scroll", "pause"
CLICK_TYPES = (LEFT, RIGHT, DOUBLE, DRAG, SCROLL)
PALETTE_BUTTONS = (*CLICK_TYPES, PAUSE)

# Why clicks are paused (PointerState.clicks_paused)
PAUSED_BY_PALETTE, PAUSED_BY_REST = "palette", "rest"

# Scroll mode (rate control). The neutral band around the start point is at least this high
# (half height, desktop px) and at least twice the dwell radius, so a resting hand in it is
# not scrolling; beyond it every SCROLL_PX_PER_STEP px adds one wheel step a second.
SCROLL_BAND_MIN_PX = 30.0
SCROLL_PX_PER_STEP = 15.0
SCROLL_MAX_STEPS_PER_S = 20.0

# Palette button size (desktop px): a button is a dwell target, so it grows with the desktop
# pixels one camera pixel of hand travel moves the pointer (the tracker's jitter is about a
# camera pixel). Never smaller than a comfortable dwell target, never huge.
BUTTON_MIN_PX, BUTTON_MAX_PX = 48, 128
BUTTON_PX_PER_CAMERA_PX = 10.0


@dataclass(frozen=True)
class PaletteLayout:
    """The palette's buttons on the desktop: ``buttons`` holds (name, (x, y, w, h)) with the
    rectangle's top-left corner and size in desktop pixels (the OS pointer's coordinates).
    Empty when no palette is shown. Immutable, so handing one to another thread is safe."""

    buttons: tuple[tuple[str, tuple[float, float, float, float]], ...] = ()

    def __post_init__(self) -> None:
        for name, rect in self.buttons:
            if name not in PALETTE_BUTTONS:
                raise ValueError(f"unknown palette button {name!r} (one of {PALETTE_BUTTONS})")
            if len(rect) != 4 or rect[2] <= 0 or rect[3] <= 0:
                raise ValueError(f"palette button {name!r} needs (x, y, w, h), w, h > 0: {rect}")

    @classmethod
    def from_rects(cls, rects: Mapping[str, tuple[float, float, float, float]]) -> PaletteLayout:
        """A layout from ``{name: (x, y, w, h)}`` (desktop pixels)."""
        return cls(
            tuple(
                (str(name), (float(x), float(y), float(w), float(h)))
                for name, (x, y, w, h) in rects.items()
            )
        )

    def hit(self, x: float, y: float) -> str | None:
        """The button under desktop point ``(x, y)``, or None."""
        for name, (bx, by, bw, bh) in self.buttons:
            if bx <= x < bx + bw and by <= y < by + bh:
                return name
        return None

    def __bool__(self) -> bool:
        return bool(self.buttons)


def palette_button_px(
    settings: PointerSettings, desktop: Desktop, frame_width: int, frame_height: int
) -> int:
    """Side of a palette button (desktop pixels) for this setup's precision.

    The precision is how many desktop pixels one camera pixel of hand travel moves the pointer
    (absolute mapping: the desktop over the active area's size in camera pixels; relative: the
    same times the relative speed). A small active area or a low camera resolution means a
    coarse pointer, and bigger buttons; never smaller than 2.5 dwell radii, so a dwell that
    starts in the middle of a button stays on it."""
    area = settings.active_area
    x0, y0, x1, y1 = desktop.bounds
    fw, fh = max(1, frame_width), max(1, frame_height)
    ratio = max(
        (x1 - x0) / ((area.right - area.left) * fw), (y1 - y0) / ((area.bottom - area.top) * fh)
    )
    if settings.mapping == "relative":
        ratio *= settings.relative_gain
    side = max(BUTTON_PX_PER_CAMERA_PX * ratio, 2.5 * settings.dwell_radius_px)
    return int(round(min(BUTTON_MAX_PX, max(BUTTON_MIN_PX, side))))


def scroll_band_px(settings: PointerSettings) -> float:
    """Half height of scroll mode's neutral band (desktop px): see the module docstring."""
    return max(SCROLL_BAND_MIN_PX, 2.0 * settings.dwell_radius_px)


@dataclass
class ScrollMode:
    """Scrolling in progress: the wheel goes to ``origin`` (where it started); ``acc``: wheel
    steps earned but not sent; ``last_t``: the previous frame's time (ms)."""

    origin: tuple[float, float]
    acc: float = 0.0
    last_t: float | None = None


class ClickTypes:
    """The click chosen on the palette and the two-step clicks in progress (see the module
    docstring). ``selected``: a :data:`CLICK_TYPES` name; ``sticky``: it stays after a click;
    ``paused``: "" or why clicks are paused; ``dragging``: the drag type holds the left button;
    ``scroll``: scroll mode, or None."""

    def __init__(self) -> None:
        self.selected = LEFT
        self.sticky = False
        self.paused = ""
        self.dragging = False
        self.scroll: ScrollMode | None = None

    # ------------------------------------------------------------------ the palette
    def choose(self, button: str) -> list[PointerCommand]:
        """``button`` was chosen on the palette (dwell, pinch, or the real mouse). Returns the
        commands to send: pausing releases a held drag and ends scrolling."""
        if button == PAUSE:
            if self.paused:
                self.paused = ""
                return []
            return self.pause(PAUSED_BY_PALETTE)
        if button not in CLICK_TYPES:
            raise ValueError(f"unknown click type {button!r} (one of {CLICK_TYPES})")
        if button == self.selected and button != LEFT:
            self.sticky = True
        else:
            self.selected, self.sticky = button, False
        return []

    def repeats(self, button: str) -> bool:
        """Whether dwelling on over ``button`` after choosing it counts as a second choice
        (a click type not yet sticky); pause never repeats, or it would flicker on and off."""
        return button in CLICK_TYPES and button != LEFT and not self.sticky

    def pause(self, why: str) -> list[PointerCommand]:
        """Pause clicks (``why``: :data:`PAUSED_BY_PALETTE` / :data:`PAUSED_BY_REST`); the
        release of a held drag is returned."""
        commands = self.release_all()
        self.paused = why
        return commands

    # ------------------------------------------------------------------ clicks
    def click(self, at: tuple[float, float]) -> list[PointerCommand]:
        """A click (a dwell, or a thumb-index pinch) at ``at``, off the palette and not paused:
        the commands of the chosen type. The pointer is already at ``at``."""
        if self.dragging:  # the second click of a drag: let go
            self.dragging = False
            self._used()
            return [PointerCommand("release", button="left")]
        if self.scroll is not None:  # the second click of a scroll: stop
            self.scroll = None
            self._used()
            return []
        kind = self.selected
        if kind == DRAG:
            self.dragging = True
            return [PointerCommand("press", button="left")]
        if kind == SCROLL:
            self.scroll = ScrollMode(origin=(float(at[0]), float(at[1])))
            return []
        self._used()
        if kind == DOUBLE:
            return [PointerCommand("click", button="left", count=2)]
        return [PointerCommand("click", button=RIGHT if kind == RIGHT else LEFT)]

    def _used(self) -> None:
        if not self.sticky:
            self.selected = LEFT

    @property
    def step(self) -> str:
        """ "dragging", "scrolling" or "" (for :class:`PointerState.click_step`)."""
        return "dragging" if self.dragging else ("scrolling" if self.scroll is not None else "")

    @property
    def held(self) -> tuple[str, ...]:
        return ("left",) if self.dragging else ()

    def release_all(self) -> list[PointerCommand]:
        """Let go of a drag and stop scrolling (hand lost, disarmed, pause, exit). A one-shot
        drag or scroll that was cut short is used up (the next click is left again)."""
        commands = [PointerCommand("release", button="left")] if self.dragging else []
        if self.dragging or self.scroll is not None:
            self.dragging = False
            self.scroll = None
            self._used()
        return commands

    # ------------------------------------------------------------------ scroll mode
    def in_scroll_band(self, pos: tuple[float, float], settings: PointerSettings) -> bool:
        """Whether the hand's pointer ``pos`` is in scroll mode's neutral band (True when not
        scrolling)."""
        if self.scroll is None:
            return True
        return abs(pos[1] - self.scroll.origin[1]) <= scroll_band_px(settings)

    def scroll_update(
        self, pos: tuple[float, float], t: float, settings: PointerSettings
    ) -> list[PointerCommand]:
        """Scroll mode, one frame: the hand's pointer is at ``pos`` at ``t`` ms. Returns the
        wheel steps earned (+dy up, like :class:`PointerCommand`)."""
        sm = self.scroll
        if sm is None:
            return []
        dt = 0.0 if sm.last_t is None else max(0.0, min(t - sm.last_t, 200.0)) / 1000.0
        sm.last_t = t
        offset = sm.origin[1] - pos[1]  # > 0: above the start point = scroll up
        beyond = abs(offset) - scroll_band_px(settings)
        if beyond <= 0:
            sm.acc = 0.0
            return []
        rate = min(SCROLL_MAX_STEPS_PER_S, beyond / SCROLL_PX_PER_STEP)
        sm.acc += rate * dt
        steps = math.floor(sm.acc)
        if steps <= 0:
            return []
        sm.acc -= steps
        direction = 1 if offset > 0 else -1
        if settings.scroll_invert:
            direction = -direction
        return [PointerCommand("scroll", dx=0, dy=direction * steps)]
