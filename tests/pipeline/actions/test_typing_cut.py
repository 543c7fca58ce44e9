"""Text typed in the background that is not typed whole is reported, never lost silently
(issue 38, case 3): :class:`BackgroundTyping` keeps one :class:`TypingCut` per text it dropped
or could not finish, with how many characters went out, and logs it; the engine's record of
the action that queued the text travels with it, so ``handcue run`` can print a ``"cut"`` line
for that action."""

from __future__ import annotations

import threading
import time

from pipeline.actions import ActionEngine, RecordingSink
from pipeline.actions.sink import BackgroundTyping, HeldInputGuard, TypingCut
from pipeline.settings import ActionSettings, AppConfig, Binding, Profile
from pipeline.types import GestureEvent


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

    def typed(self) -> str:
        return "".join(c[1] for c in self.calls if c[0] == "type_text")


def test_release_all_reports_each_text_it_cut_with_the_characters_typed(caplog) -> None:
    inner = GatedSink()
    sink = BackgroundTyping(inner, chunk=2)
    guard = HeldInputGuard(sink)
    guard.type_text("abcdef")
    guard.type_text("queued")
    assert inner.typing.wait(10)
    releasing = threading.Thread(target=guard.release_all)
    releasing.start()
    inner.gate.set()  # the chunk in progress finishes; the rest is dropped
    releasing.join(10)
    assert inner.typed() == "ab"
    cuts = sink.take_cuts()
    assert [(c.text, c.typed, c.total) for c in cuts] == [("abcdef", 2, 6), ("queued", 0, 6)]
    assert all(c.reason for c in cuts)
    assert sink.take_cuts() == [], "each cut is reported once"
    assert "typed 2 of 6 characters" in caplog.text
    sink.close()


def test_a_text_typed_whole_is_not_a_cut() -> None:
    inner = GatedSink()
    inner.gate.set()
    sink = BackgroundTyping(inner, chunk=2)
    sink.type_text("hello")
    assert sink.wait_idle(10)
    sink.close()
    assert inner.typed() == "hello"
    assert sink.take_cuts() == []


def test_a_failure_half_way_reports_what_went_out_before_it() -> None:
    class Failing(RecordingSink):
        def type_text(self, text: str) -> None:
            if "e" in text:
                raise OSError("display gone")
            super().type_text(text)

    inner = Failing()
    sink = BackgroundTyping(inner, chunk=2)
    sink.type_text("abcdef")
    assert sink.wait_idle(10)
    sink.close()
    [cut] = sink.take_cuts()
    assert (cut.typed, cut.total) == (4, 6)
    assert "display gone" in cut.reason


def test_close_out_of_time_reports_the_rest_cut() -> None:
    class Slow(RecordingSink):
        def type_text(self, text: str) -> None:
            time.sleep(0.02)
            super().type_text(text)

    inner = Slow()
    sink = BackgroundTyping(inner, chunk=1)
    sink.type_text("x" * 200)  # 4 s at 20 ms a character
    sink.close(timeout=0.3)
    [cut] = sink.take_cuts()
    assert 0 < cut.typed < 200
    assert cut.typed == len(inner.calls)
    assert "0.3 s" in cut.reason


def test_the_cut_carries_the_record_of_the_action_that_queued_the_text() -> None:
    inner = GatedSink()
    sink = BackgroundTyping(inner, chunk=2)
    cfg = AppConfig(
        active_profile="test",
        profiles={"test": Profile(mappings=(Binding(gesture="thumb_up", action="type:abcdef"),))},
        actions=ActionSettings(default_hold_ms=0, default_cooldown_ms=0),
    )
    engine = ActionEngine(cfg, sink, armed=True)
    records = engine.handle([GestureEvent("started", "thumb_up", 3, "Left", 500.0, 500.0)])
    [done] = [r for r in records if r.kind == "action"]
    assert done.status == "done"
    assert inner.typing.wait(10)
    releasing = threading.Thread(target=engine.release_all)
    releasing.start()
    inner.gate.set()
    releasing.join(10)
    [cut] = sink.take_cuts()
    assert isinstance(cut, TypingCut)
    assert cut.tag is not None
    assert (cut.tag.gesture, cut.tag.action, cut.tag.track_id) == ("thumb_up", "type:abcdef", 3)
    assert (cut.typed, cut.total) == (2, 6)
    sink.close()
