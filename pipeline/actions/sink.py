"""Where actions go: the :class:`InputSink` protocol, a recording fake, and a guard that
remembers what is held down so it can always be released.

The real desktop sink (pynput) lives in ``app.input_sink``; ``pipeline`` never imports pynput.
Key names are canonical (see :mod:`pipeline.actions.spec`): one printable character or a name
from ``NAMED_KEYS``. Buttons are ``"left"``, ``"right"`` or ``"middle"``.
"""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

log = logging.getLogger(__name__)


@runtime_checkable
class InputSink(Protocol):
    """Something that injects keyboard and mouse input. Methods are called from one thread at a
    time (the action engine serialises them)."""

    def press_key(self, key: str) -> None: ...

    def release_key(self, key: str) -> None: ...

    def press_button(self, button: str) -> None: ...

    def release_button(self, button: str) -> None: ...

    def click(self, button: str, count: int = 1) -> None: ...

    def scroll(self, dx: int, dy: int) -> None:
        """Scroll by wheel steps: +dy up, +dx right."""
        ...

    def type_text(self, text: str) -> None: ...


class RecordingSink:
    """An :class:`InputSink` that injects nothing and records every call as a tuple, e.g.
    ``("press_key", "n")``, ``("click", "left", 1)``, ``("scroll", 0, -3)``. Used by tests and
    by ``handcue run --dry-run``. ``held_keys`` / ``held_buttons`` show what is down."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.held_keys: list[str] = []
        self.held_buttons: list[str] = []

    def press_key(self, key: str) -> None:
        self.calls.append(("press_key", key))
        if key not in self.held_keys:
            self.held_keys.append(key)

    def release_key(self, key: str) -> None:
        self.calls.append(("release_key", key))
        if key in self.held_keys:
            self.held_keys.remove(key)

    def press_button(self, button: str) -> None:
        self.calls.append(("press_button", button))
        if button not in self.held_buttons:
            self.held_buttons.append(button)

    def release_button(self, button: str) -> None:
        self.calls.append(("release_button", button))
        if button in self.held_buttons:
            self.held_buttons.remove(button)

    def click(self, button: str, count: int = 1) -> None:
        self.calls.append(("click", button, count))

    def scroll(self, dx: int, dy: int) -> None:
        self.calls.append(("scroll", dx, dy))

    def type_text(self, text: str) -> None:
        self.calls.append(("type_text", text))

    def move_pointer(self, x: int, y: int) -> None:
        """Pointer mode's move (see :mod:`pipeline.pointer.output`); ``position`` follows it."""
        self.calls.append(("move_pointer", x, y))
        self.position = (x, y)

    def pointer_position(self) -> tuple[int, int] | None:
        return getattr(self, "position", None)

    @property
    def anything_held(self) -> bool:
        return bool(self.held_keys or self.held_buttons)


class HeldInputGuard:
    """Wraps a sink, forwards every call and remembers which keys and buttons are down, so that
    :meth:`release_all` can lift them all (in reverse order) whatever went wrong.

    A press is remembered *before* it is forwarded: if the sink raised half-way, the key may
    be down anyway, and releasing a key that is up is harmless.
    """

    def __init__(self, sink: InputSink) -> None:
        self.sink = sink
        self._held: list[tuple[str, str]] = []  # ("key"|"button", name) in press order

    @property
    def held(self) -> tuple[tuple[str, str], ...]:
        return tuple(self._held)

    def _remember(self, item: tuple[str, str]) -> None:
        if item not in self._held:
            self._held.append(item)

    def _forget(self, item: tuple[str, str]) -> None:
        if item in self._held:
            self._held.remove(item)

    def press_key(self, key: str) -> None:
        self._remember(("key", key))
        self.sink.press_key(key)

    def release_key(self, key: str) -> None:
        self.sink.release_key(key)
        self._forget(("key", key))

    def press_button(self, button: str) -> None:
        self._remember(("button", button))
        self.sink.press_button(button)

    def release_button(self, button: str) -> None:
        self.sink.release_button(button)
        self._forget(("button", button))

    def click(self, button: str, count: int = 1) -> None:
        self.sink.click(button, count)

    def scroll(self, dx: int, dy: int) -> None:
        self.sink.scroll(dx, dy)

    def type_text(self, text: str) -> None:
        self.sink.type_text(text)

    def release_all(self) -> list[tuple[str, str]]:
        """Release everything still down, newest first. Every release is attempted even if
        some fail (failures are logged and forgotten: retrying forever would not help).
        Returns what was released."""
        released = []
        while self._held:
            kind, name = self._held.pop()
            try:
                if kind == "key":
                    self.sink.release_key(name)
                else:
                    self.sink.release_button(name)
                released.append((kind, name))
            except Exception:
                log.exception("could not release %s %r", kind, name)
        return released
