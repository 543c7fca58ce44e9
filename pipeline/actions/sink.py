"""Where actions go: the :class:`InputSink` protocol, a recording fake, and a guard that
remembers what is held down so it can always be released. Sinks that also drive the pointer
have the :class:`PointerMotion` methods; :func:`can_move_pointer` says whether one does, wrapped
or not.

The real desktop sink (pynput) lives in ``app.desktop.input_sink``; ``pipeline`` never imports pynput.
Key names are canonical (see :mod:`pipeline.actions.spec`): one printable character or a name
from ``NAMED_KEYS``. Buttons are ``"left"``, ``"right"`` or ``"middle"``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from pipeline.errors import HandCueError

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


@runtime_checkable
class PointerMotion(Protocol):
    """The pointer half of a desktop sink, which pointer mode needs
    (:class:`pipeline.pointer.output.PointerSink` is this plus the buttons and the wheel).
    Positions in desktop pixels."""

    def move_pointer(self, x: int, y: int) -> None: ...

    def pointer_position(self) -> tuple[int, int] | None:
        """Where the OS pointer is now; None if it cannot be read."""
        ...


def can_move_pointer(sink: object) -> bool:
    """Whether ``sink`` can move the OS pointer. A wrapper (:class:`PointerPassThrough`) has the
    :class:`PointerMotion` methods whatever it wraps, so its ``moves_pointer`` answers for the
    sink inside; any other sink can if it has the methods."""
    answer = getattr(sink, "moves_pointer", None)
    if isinstance(answer, bool):
        return answer
    return isinstance(sink, PointerMotion)


def pointer_of(sink: object) -> PointerMotion | None:
    """``sink``'s pointer methods, None when it cannot move the pointer."""
    return sink if can_move_pointer(sink) and isinstance(sink, PointerMotion) else None


class PointerPassThrough:
    """For a sink wrapper: the :class:`PointerMotion` methods go straight to the wrapped sink's
    (``self._pointer``, set by the wrapper with :func:`pointer_of`). When that sink has none,
    ``moves_pointer`` is False, ``pointer_position`` None and ``move_pointer`` raises
    AttributeError, as calling the missing method would."""

    _pointer: PointerMotion | None = None

    @property
    def moves_pointer(self) -> bool:
        return self._pointer is not None

    def move_pointer(self, x: int, y: int) -> None:
        if self._pointer is None:
            raise AttributeError(f"{type(self).__name__} wraps a sink without move_pointer")
        self._pointer.move_pointer(x, y)

    def pointer_position(self) -> tuple[int, int] | None:
        return None if self._pointer is None else self._pointer.pointer_position()


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
        self._tag: object = None

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

    @contextlib.contextmanager
    def tagged(self, tag: object) -> Iterator[None]:
        """Text typed inside this block goes to the sink with ``tag`` when the sink takes one
        (:meth:`BackgroundTyping.type_text_as`: a text it cuts is reported with its tag). The
        engine tags with the record of the action that types."""
        previous, self._tag = self._tag, tag
        try:
            yield
        finally:
            self._tag = previous

    def type_text(self, text: str) -> None:
        tagged = getattr(self.sink, "type_text_as", None)
        if self._tag is not None and callable(tagged):
            tagged(text, self._tag)
        else:
            self.sink.type_text(text)

    def release_all(self) -> list[tuple[str, str]]:
        """Release everything still down, newest first. Every release is attempted even if
        some fail (failures are logged and forgotten: retrying forever would not help).
        Returns what was released. A sink with ``cancel_pending()`` (e.g.
        :class:`BackgroundTyping`) first drops the input it has not sent yet: releasing
        everything means stopping, not finishing a long text first."""
        cancel = getattr(self.sink, "cancel_pending", None)
        if callable(cancel):
            try:
                cancel()
            except Exception:
                log.exception("could not drop pending input")
        released = []
        while self._held:
            kind, name = self._held.pop()
            try:
                if kind == "key":
                    self.sink.release_key(name)
                else:
                    self.sink.release_button(name)
                released.append((kind, name))
            except HandCueError as exc:  # a known fault (e.g. the display lost): its message
                log.warning("could not release %s %r: %s", kind, name, exc)
            except Exception:
                log.exception("could not release %s %r", kind, name)
        return released


@dataclass(frozen=True)
class TypingCut:
    """A text that was not typed whole: its first ``typed`` characters went out, the rest never
    will. ``reason`` says why (released, failed, out of time); ``tag`` is what the text was
    queued with (:meth:`BackgroundTyping.type_text_as`; the engine's action record)."""

    text: str
    typed: int
    reason: str
    tag: object = None

    @property
    def total(self) -> int:
        return len(self.text)


# Why text is dropped by a release (every stop, pause, disarm, profile change and error does one).
RELEASED = "input was released before it was typed (stop, pause, disarm or profile change)"


@dataclass
class _Text:
    text: str
    tag: object
    number: int  # queue order


class BackgroundTyping(PointerPassThrough):
    """Wraps a sink so that ``type_text`` runs on its own thread and never stalls the caller
    (typing 1,000 characters takes about a quarter of a second through XTEST here, and more
    with other back-ends: seconds of frozen tracking).

    Order is kept: every other call (press, release, click, scroll) first waits until the texts
    queued before it have been typed, so input reaches applications in the order the engine
    produced it; only then does the call run, on the caller's thread, with its errors raised
    there. Texts wait in a bounded queue (``max_texts``; a further ``type_text`` waits for room)
    and are typed in chunks of ``chunk`` characters; :meth:`release_all` (every stop, pause,
    disarm) drops the text not typed yet (after the chunk in progress), so a stop is never
    delayed by more than one chunk; :meth:`close` finishes it. Thread-safe. Pointer moves and
    reads (:class:`PointerPassThrough`) go straight through: pointer mode does not type.

    A text is never lost silently: one dropped or cut short (released, an error while typing,
    :meth:`close` out of time) is logged with how much of it went out and kept as a
    :class:`TypingCut` until :meth:`take_cuts` (``handcue run`` prints a ``"cut"`` line for it).
    """

    def __init__(self, sink: InputSink, *, max_texts: int = 8, chunk: int = 32) -> None:
        self.sink = sink
        self._pointer = pointer_of(sink)
        self._chunk = max(1, chunk)
        self._cond = threading.Condition()
        self._texts: deque[_Text] = deque()
        self._max_texts = max_texts
        self._busy = False
        self._generation = 0  # bumped to drop what is queued or being typed
        self._drop_reason = RELEASED  # why the last bump dropped text
        self._cuts: list[tuple[int, TypingCut]] = []  # (queue order, cut)
        self._queued = 0  # texts queued so far
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="typing", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._texts or self._closed)
                if not self._texts:
                    return
                item = self._texts.popleft()
                generation = self._generation
                self._busy = True
                self._cond.notify_all()
            text, typed = item.text, 0
            try:
                while typed < len(text):
                    if self._generation != generation:
                        self._cut(item, typed, self._drop_reason)
                        break
                    part = text[typed : typed + self._chunk]
                    self.sink.type_text(part)
                    typed += len(part)
            except HandCueError as exc:  # a fault with its own message (e.g. the display lost)
                self._cut(item, typed, f"typing failed: {exc}")
            except Exception as exc:
                log.exception("typing %d characters failed", len(text))
                self._cut(item, typed, f"typing failed: {exc}", logged=True)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _cut(self, item: _Text, typed: int, reason: str, *, logged: bool = False) -> None:
        cut = TypingCut(item.text, typed, reason, item.tag)
        if not logged:
            log.warning(
                "typed %d of %d characters of a text; the rest is not typed: %s",
                typed, cut.total, reason,
            )  # fmt: skip
        with self._cond:
            self._cuts.append((item.number, cut))

    def take_cuts(self) -> list[TypingCut]:
        """The texts cut since the last call, in the order they were queued (any thread)."""
        with self._cond:
            cuts, self._cuts = self._cuts, []
        return [cut for _, cut in sorted(cuts, key=lambda pair: pair[0])]

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every queued text has been typed; True if it has."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._texts and not self._busy, timeout)

    def cancel_pending(self) -> None:
        """Drop the text not typed yet and wait for the chunk in progress (any thread)."""
        self._drop_pending(RELEASED)
        self.wait_idle()

    def _drop_pending(self, reason: str) -> None:
        with self._cond:
            dropped = list(self._texts)
            self._drop_reason = reason
            self._generation += 1
            self._texts.clear()
            self._cond.notify_all()
        for item in dropped:
            self._cut(item, 0, reason)

    def type_text(self, text: str) -> None:
        self.type_text_as(text, None)

    def type_text_as(self, text: str, tag: object) -> None:
        """Queue ``text``; if it is cut, its :class:`TypingCut` carries ``tag``."""
        with self._cond:
            if self._closed:
                raise RuntimeError("the input sink is closed")
            self._cond.wait_for(lambda: len(self._texts) < self._max_texts)
            self._queued += 1
            self._texts.append(_Text(text, tag, self._queued))
            self._cond.notify_all()

    def press_key(self, key: str) -> None:
        self.wait_idle()
        self.sink.press_key(key)

    def release_key(self, key: str) -> None:
        self.wait_idle()
        self.sink.release_key(key)

    def press_button(self, button: str) -> None:
        self.wait_idle()
        self.sink.press_button(button)

    def release_button(self, button: str) -> None:
        self.wait_idle()
        self.sink.release_button(button)

    def click(self, button: str, count: int = 1) -> None:
        self.wait_idle()
        self.sink.click(button, count)

    def scroll(self, dx: int, dy: int) -> None:
        self.wait_idle()
        self.sink.scroll(dx, dy)

    def release_all(self) -> None:
        """Drop text not typed yet, wait for the chunk in progress, then release what the
        wrapped sink holds (if it can)."""
        self._drop_pending(RELEASED)
        self.wait_idle()
        release = getattr(self.sink, "release_all", None)
        if callable(release):
            release()

    def finish(self, timeout: float) -> bool:
        """Let the queued text be typed, at most ``timeout`` s; what is left then is dropped
        (a cut, after the chunk in progress). True if everything was typed."""
        if self.wait_idle(timeout):
            return True
        self._drop_pending(f"not typed within {timeout:g} s of the end")
        self.wait_idle()
        return False

    def close(self, timeout: float = 10.0) -> None:
        """Finish the queued text (:meth:`finish`; stopping paths drop it first with
        :meth:`release_all`), then close the wrapped sink."""
        self.finish(timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(5.0)
        close = getattr(self.sink, "close", None)
        if callable(close):
            close()
