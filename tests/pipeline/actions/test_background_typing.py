"""BackgroundTyping: ``type:`` text never blocks the caller, and input keeps its order and its
release guarantees. The fake sink blocks inside ``type_text`` until the test lets it go, so
"did not wait" is shown by the call returning while typing is still in progress (no timing)."""

from __future__ import annotations

import threading

from pipeline.actions import RecordingSink
from pipeline.actions.sink import BackgroundTyping, HeldInputGuard


class GatedSink(RecordingSink):
    """Records calls; ``type_text`` signals ``typing`` and waits for ``gate``."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.typing = threading.Event()

    def type_text(self, text: str) -> None:
        self.typing.set()
        assert self.gate.wait(10), "the test never opened the gate"
        super().type_text(text)


def test_type_text_returns_while_the_text_is_still_being_typed() -> None:
    inner = GatedSink()
    sink = BackgroundTyping(inner, chunk=4)
    sink.type_text("hello world")  # returns although the sink is blocked in type_text
    assert inner.typing.wait(10)
    assert inner.calls == []
    inner.gate.set()
    assert sink.wait_idle(10)
    assert inner.calls == [("type_text", "hell"), ("type_text", "o wo"), ("type_text", "rld")]
    sink.close()


def test_other_input_waits_for_earlier_text_so_order_is_kept() -> None:
    inner = GatedSink()
    sink = BackgroundTyping(inner)
    sink.type_text("ab")
    assert inner.typing.wait(10)
    pressed = threading.Thread(target=sink.press_key, args=("enter",))
    pressed.start()
    pressed.join(0.2)
    assert pressed.is_alive(), "the key went out before the text typed before it"
    inner.gate.set()
    pressed.join(10)
    assert inner.calls == [("type_text", "ab"), ("press_key", "enter")]
    sink.close()


def test_release_all_drops_text_not_typed_yet_and_releases() -> None:
    inner = GatedSink()
    sink = BackgroundTyping(inner, chunk=2)
    guard = HeldInputGuard(sink)
    guard.press_key("shift")
    guard.type_text("abcdef")
    guard.type_text("queued")
    assert inner.typing.wait(10)
    releasing = threading.Thread(target=guard.release_all)
    releasing.start()
    inner.gate.set()  # the chunk in progress finishes; the rest is dropped
    releasing.join(10)
    assert not releasing.is_alive()
    assert inner.calls == [("press_key", "shift"), ("type_text", "ab"), ("release_key", "shift")]
    assert inner.held_keys == []
    sink.close()


def test_close_finishes_queued_text() -> None:
    inner = GatedSink()
    inner.gate.set()
    sink = BackgroundTyping(inner)
    for word in ("one ", "two ", "three"):
        sink.type_text(word)
    sink.close()
    assert "".join(c[1] for c in inner.calls) == "one two three"


def test_a_failing_text_is_logged_and_the_next_one_still_typed(caplog) -> None:
    class Flaky(RecordingSink):
        def type_text(self, text: str) -> None:
            if text == "bad":
                raise OSError("display gone")
            super().type_text(text)

    inner = Flaky()
    sink = BackgroundTyping(inner)
    sink.type_text("bad")
    sink.type_text("good")
    assert sink.wait_idle(10)
    sink.close()
    assert inner.calls == [("type_text", "good")]
    assert "typing 3 characters failed" in caplog.text
