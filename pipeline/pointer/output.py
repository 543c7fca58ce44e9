"""Pointer mode on a real sink: :class:`PointerDriver` runs the controller each frame, reads the
OS pointer for manual takeback and injects the commands.

The sink is anything with the :class:`PointerSink` methods (``app.desktop.input_sink.PynputSink`` on
the desktop; :class:`RecordingPointerSink` in tests and dry runs). Called from one thread.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Protocol

from pipeline.pointer.controller import PointerCommand, PointerController, PointerState
from pipeline.pointer.geometry import Desktop
from pipeline.pointer.settings import PointerSettings
from pipeline.types import FrameResult

log = logging.getLogger(__name__)


class PointerSink(Protocol):
    """Pointer output. Positions in desktop pixels; ``scroll`` in wheel steps (+dy up)."""

    def move_pointer(self, x: int, y: int) -> None: ...

    def pointer_position(self) -> tuple[int, int] | None: ...

    def press_button(self, button: str) -> None: ...

    def release_button(self, button: str) -> None: ...

    def click(self, button: str, count: int = 1) -> None: ...

    def scroll(self, dx: int, dy: int) -> None: ...


class RecordingPointerSink:
    """A :class:`PointerSink` that records calls as tuples and keeps a virtual pointer
    (``position``), which tests may move to act as the physical mouse."""

    def __init__(self, position: tuple[int, int] | None = None) -> None:
        self.calls: list[tuple] = []
        self.position = position
        self.held: list[str] = []

    def move_pointer(self, x: int, y: int) -> None:
        self.calls.append(("move", x, y))
        self.position = (x, y)

    def pointer_position(self) -> tuple[int, int] | None:
        return self.position

    def press_button(self, button: str) -> None:
        self.calls.append(("press", button))
        self.held.append(button)

    def release_button(self, button: str) -> None:
        self.calls.append(("release", button))
        if button in self.held:
            self.held.remove(button)

    def click(self, button: str, count: int = 1) -> None:
        self.calls.append(("click", button, count))

    def scroll(self, dx: int, dy: int) -> None:
        self.calls.append(("scroll", dx, dy))


def apply_commands(sink: Any, commands: Iterable[PointerCommand]) -> None:
    """Inject ``commands`` in order. Exceptions from the sink propagate (the caller releases)."""
    for c in commands:
        if c.kind == "move":
            sink.move_pointer(c.x, c.y)
        elif c.kind == "press":
            sink.press_button(c.button)
        elif c.kind == "release":
            sink.release_button(c.button)
        elif c.kind == "click":
            sink.click(c.button, c.count)
        elif c.kind == "scroll":
            sink.scroll(c.dx, c.dy)
        else:  # pragma: no cover - the controller makes only the kinds above
            raise ValueError(f"unknown pointer command {c.kind!r}")


class GestureToggle:
    """Switches pointer mode when ``gesture`` has been held ``hold_ms``: fires once per hold
    (the gesture must end before it can fire again). ``update`` takes a frame's gesture events
    (:class:`pipeline.types.GestureEvent`) and returns True when pointer mode should flip."""

    def __init__(self, gesture: str, hold_ms: int) -> None:
        self.gesture = gesture
        self.hold_ms = hold_ms
        self._latched = False

    def update(self, events: Iterable[Any]) -> bool:
        if self.gesture == "none":
            return False
        fire = False
        for e in events:
            if getattr(e, "gesture", None) != self.gesture:
                continue
            if e.kind == "ended":
                self._latched = False
            elif not self._latched and e.timestamp_ms - e.started_ms >= self.hold_ms:
                self._latched = True
                fire = True
        return fire


class PointerDriver:
    """Controller + sink. ``step`` once per tracked frame; ``close`` (or ``release``) on
    disarm/exit so no button stays down. ``enabled`` switches pointer mode on and off. The
    toggle gesture and the gestures pointer mode owns are :class:`pipeline.pointer.hook.PointerHook`'s
    business."""

    def __init__(
        self,
        sink: Any,
        settings: PointerSettings,
        desktop: Desktop,
        *,
        enabled: bool = True,
    ) -> None:
        self.sink = sink
        self.controller = PointerController(settings, desktop)
        self.enabled = enabled

    @property
    def state(self) -> PointerState:
        return self.controller.state if self.enabled else PointerState()

    def read_pointer(self) -> tuple[int, int] | None:
        """The OS pointer (desktop pixels), None when the sink cannot say (never raises)."""
        read = getattr(self.sink, "pointer_position", None)
        if read is None:
            return None
        try:
            return read()
        except Exception:  # a display hiccup must not stop the pointer
            log.debug("could not read the pointer position", exc_info=True)
            return None

    def step(
        self, result: FrameResult, *, active: bool = True, paused: bool = False
    ) -> list[PointerCommand]:
        """Run one frame and inject its commands; returns them (for logs). ``paused``: why
        it is not ``active`` (see :meth:`PointerController.step`)."""
        if not self.enabled:
            return []
        commands = self.controller.step(
            result, active=active, pointer=self.read_pointer(), paused=paused
        )
        apply_commands(self.sink, commands)
        return commands

    def set_enabled(self, enabled: bool) -> list[PointerCommand]:
        """Switch pointer mode; switching off releases what it held."""
        commands: list[PointerCommand] = []
        if not enabled and self.enabled:
            commands = self.release()
        self.enabled = enabled
        return commands

    def release(self) -> list[PointerCommand]:
        """Release every held button now; never raises."""
        commands = self.controller.release_all()
        for c in commands:
            try:
                apply_commands(self.sink, [c])
            except Exception:
                log.exception("could not release the %s button", c.button)
        return commands

    close = release
