"""Movement gestures in mappings: a drag mapped with trigger "hold" keeps the mouse button down
from the grab to the release; one-shot movements fire at once (no hold time) and refuse the
held triggers with a clear message."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from pipeline.actions import ActionEngine, RecordingSink
from pipeline.settings import (
    MOTION_GESTURES,
    ONE_SHOT_GESTURES,
    ActionSettings,
    AppConfig,
    Binding,
    Profile,
)
from pipeline.types import FrameResult, GestureEvent, Hand, RotatedRect


def _engine(*mappings: Binding) -> tuple[ActionEngine, RecordingSink]:
    cfg = AppConfig(
        profiles={"p": Profile(mappings=mappings)},
        active_profile="p",
        actions=ActionSettings(default_cooldown_ms=0, default_hold_ms=300),
    )
    sink = RecordingSink()
    return ActionEngine(cfg, sink, profile="p", armed=True), sink


def _frame(t: float) -> FrameResult:
    pts = np.zeros((21, 3), dtype=np.float32)
    hand = Hand(pts, pts, "Right", 0.9, 0.95, 1, RotatedRect(100, 100, 50, 50, 0.0))
    return FrameResult(int(t // 40), t, 640, 480, (hand,), False)


def _step(engine: ActionEngine, t: float, *events: tuple[str, str, float]) -> None:
    evs = [GestureEvent(kind, name, 1, "Right", t, started) for kind, name, started in events]
    engine.handle(evs, _frame(t))


def test_a_drag_holds_the_button_from_grab_to_release() -> None:
    engine, sink = _engine(Binding(gesture="drag", action="click:left", trigger="hold"))
    _step(engine, 0.0, ("started", "drag", 0.0))
    assert sink.calls[-1][:2] == ("press_button", "left")  # at the grab: no hold time
    for t in (40.0, 80.0, 400.0):
        _step(engine, t)
    assert [c[0] for c in sink.calls].count("release_button") == 0  # still dragging
    _step(engine, 440.0, ("ended", "drag", 0.0))
    assert sink.calls[-1][:2] == ("release_button", "left")


def test_one_shot_movements_fire_at_once_despite_the_default_hold_time() -> None:
    engine, sink = _engine(Binding(gesture="circle_cw", action="key:u"))
    _step(engine, 0.0, ("started", "circle_cw", 0.0), ("ended", "circle_cw", 0.0))
    assert ("press_key", "u") in [c[:2] for c in sink.calls]


@pytest.mark.parametrize("gesture", ONE_SHOT_GESTURES)
@pytest.mark.parametrize("trigger", ["hold", "while_held"])
def test_one_shot_movements_refuse_held_triggers(gesture: str, trigger: str) -> None:
    with pytest.raises(ValidationError, match="one-shot gesture"):
        Binding(gesture=gesture, action="key:n", trigger=trigger)


def test_drag_accepts_every_trigger_and_every_movement_skips_hold_time() -> None:
    for trigger in ("on_start", "on_end", "hold", "while_held"):
        Binding(gesture="drag", action="click:left", trigger=trigger)
    defaults = ActionSettings(default_hold_ms=300)
    assert {Binding(gesture=g, action="key:n").effective_hold_ms(defaults) for g in
            MOTION_GESTURES} == {0}  # fmt: skip


def test_a_sign_the_hand_starts_during_the_drag_does_not_end_it() -> None:
    """Through the gesture engine: open hand, close (the fist sign starts and fires its own
    mapping while the hand stays closed), open. The drag's button is down from the grab to
    the release: movements come on a channel of their own (MOTION_TRACK_OFFSET), so the fist
    does not replace the drag."""
    from pipeline.gestures import GestureEngine
    from tests.support.handmodel import SIGNS, make_hand

    engine, sink = _engine(
        Binding(gesture="drag", action="click:left", trigger="hold"),
        Binding(gesture="fist", action="key:f"),
    )
    gestures = GestureEngine()
    shapes = ["open_palm"] * 8 + ["victory"] * 3 + ["fist"] * 40 + ["open_palm"] * 8
    for i, sign in enumerate(shapes):
        hand = make_hand(SIGNS[sign], track_id=1)
        frame = FrameResult(i, i * 40.0, 640, 480, (hand,), False)
        engine.handle(gestures.process(frame)[1], frame)
    kinds = [c[:2] for c in sink.calls]
    assert ("press_key", "f") in kinds  # the fist fired its own mapping meanwhile
    press = kinds.index(("press_button", "left"))
    release = kinds.index(("release_button", "left"))
    assert press < kinds.index(("press_key", "f")) < release
    assert release == len(kinds) - 1  # released at the drop, not when the fist started
