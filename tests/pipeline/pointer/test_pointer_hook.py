"""Pointer mode inside the runtime loop (PointerHook, the path of both front ends): the gestures
it owns never reach the mappings, the toggle gesture and a hotkey request switch it, it moves
the pointer only while armed and not paused, calibration collects the hand's anchor, and a sink
that fails stops it (the app) or raises (handcue run)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.actions import ActionEngine, RecordingSink
from pipeline.gestures import DYNAMIC_GESTURES
from pipeline.pointer import Desktop, PointerHook, PointerSettings, RecordingPointerSink
from pipeline.runtime import HandCueRuntime
from pipeline.settings import ActionSettings, AppConfig, Binding, Profile
from pipeline.types import FrameResult, GestureEvent, Hand, RotatedRect
from tests.support.pointer_sequences import Poses, frames

DESK = Desktop.single(1920, 1080)


@pytest.fixture(scope="module")
def poses(shared_data: Path) -> Poses:
    return Poses(shared_data)


def _engine(
    fist_trigger: str = "on_start", **pointer: object
) -> tuple[ActionEngine, RecordingSink, AppConfig]:
    """An armed engine whose profile maps fist, ok, victory and thumb up to keys f, o, v, u
    (no hold time), swipe_left and drag to s and d, with pointer settings ``pointer``."""
    mappings = [Binding(gesture="fist", action="key:f", trigger=fist_trigger, hold_ms=0)]
    mappings += [Binding(gesture=g, action=f"key:{k}", hold_ms=0) for g, k in
                 (("ok", "o"), ("victory", "v"), ("thumb_up", "u"), ("swipe_left", "s"),
                  ("drag", "d"))]  # fmt: skip
    cfg = AppConfig(
        profiles={"p": Profile(mappings=mappings)},
        active_profile="p",
        actions=ActionSettings(default_cooldown_ms=0),
        pointer=PointerSettings(**pointer),
    )
    sink = RecordingSink()
    return ActionEngine(cfg, sink, profile="p", armed=True), sink, cfg


def _event(kind: str, gesture: str, t: float, started: float | None = None) -> GestureEvent:
    return GestureEvent(kind, gesture, 1, "Right", t, t if started is None else started)


def _keys(sink: RecordingSink) -> list[str]:
    """The keys the mappings pressed, in order."""
    return [str(c[1]) for c in sink.calls if c[0] == "press_key"]


def _frame(t: float, hand: bool = True) -> FrameResult:
    """A frame with hand 1 in view (the engine drops a gesture whose hand left), or none."""
    pts = np.zeros((21, 3), dtype=np.float32)
    hands = (Hand(pts, pts, "Right", 0.9, 0.95, 1, RotatedRect(100, 100, 50, 50, 0.0)),)
    return FrameResult(int(t // 40), t, 640, 480, hands if hand else (), False)


def _feed(hook: PointerHook, engine: ActionEngine, events: list[GestureEvent], t: float) -> None:
    engine.handle(hook.filter_events(events), _frame(t))
    hook.step(_frame(t, hand=False))  # the pointer itself is tested on real poses below


def test_the_gestures_pointer_mode_owns_never_fire_their_mappings() -> None:
    engine, sink, cfg = _engine()
    hook = PointerHook(RecordingPointerSink(), engine, cfg.pointer, DESK, enabled=True)
    assert engine.withheld == {"fist", "ok", *DYNAMIC_GESTURES}
    t = 0.0
    for gesture in ("fist", "ok", "swipe_left", "drag", "thumb_up"):
        _feed(hook, engine, [_event("started", gesture, t)], t)
        _feed(hook, engine, [_event("ended", gesture, t + 100)], t + 100)
        t += 200
    assert _keys(sink) == ["u"]
    hook.set_enabled(False)
    assert engine.withheld == frozenset()
    _feed(hook, engine, [_event("started", "fist", t)], t)
    assert _keys(sink) == ["u", "f"]


def test_the_toggle_gesture_switches_pointer_mode_and_is_held_back() -> None:
    engine, sink, cfg = _engine(toggle_gesture="victory", toggle_hold_ms=500)
    hook = PointerHook(RecordingPointerSink(), engine, cfg.pointer, DESK, enabled=False)
    assert engine.withheld == {"victory"}
    _feed(hook, engine, [_event("started", "victory", 0.0)], 0.0)
    _feed(hook, engine, [_event("held", "victory", 600.0, 0.0)], 600.0)
    assert hook.enabled and engine.withheld == {"victory", "fist", "ok", *DYNAMIC_GESTURES}
    _feed(hook, engine, [_event("ended", "victory", 800.0, 0.0)], 800.0)
    _feed(hook, engine, [_event("held", "victory", 2000.0, 1000.0)], 2000.0)
    assert not hook.enabled and engine.withheld == {"victory"}
    assert _keys(sink) == []  # the toggle gesture never fires its own mapping


def test_a_hotkey_request_flips_pointer_mode_on_the_next_frame() -> None:
    engine, _, cfg = _engine()
    hook = PointerHook(RecordingPointerSink(), engine, cfg.pointer, DESK, enabled=False)
    hook.request_toggle()
    assert not hook.enabled  # not before the tracking thread's next frame
    _feed(hook, engine, [], 0.0)
    assert hook.enabled and engine.withheld == {"fist", "ok", *DYNAMIC_GESTURES}


def test_turning_pointer_mode_on_releases_a_key_the_fist_held() -> None:
    engine, sink, cfg = _engine(fist_trigger="hold")
    hook = PointerHook(RecordingPointerSink(), engine, cfg.pointer, DESK, enabled=False)
    _feed(hook, engine, [_event("started", "fist", 0.0, -500.0)], 0.0)
    assert sink.held_keys == ["f"]
    hook.set_enabled(True)
    assert sink.held_keys == []


@pytest.mark.realdata
def test_the_pointer_moves_only_while_armed_and_not_paused(poses: Poses) -> None:
    engine, _, cfg = _engine()
    out = RecordingPointerSink()
    hook = PointerHook(out, engine, cfg.pointer, DESK, enabled=True)
    runtime = HandCueRuntime(_StillTracker(frames([poses.open] * 40)), None, engine, hook)
    engine.set_armed(False)
    for i in range(20):
        step = runtime.step(_blank(), i * 40.0)
        assert step.pointer is not None and step.pointer.state.mode == "disarmed"
    assert not out.calls
    engine.set_armed(True)
    for i in range(20, 40):
        step = runtime.step(_blank(), i * 40.0)
    assert step.pointer.state.mode == "tracking" and step.pointer.position is not None
    assert any(c[0] == "move" for c in out.calls)


@pytest.mark.realdata
def test_calibration_collects_the_hands_anchor(poses: Poses) -> None:
    engine, _, cfg = _engine()
    hook = PointerHook(RecordingPointerSink(), engine, cfg.pointer, DESK, enabled=False)
    hook.start_calibration()
    for result in frames([poses.open] * 5):
        hook.step(result)
    points = hook.finish_calibration()
    assert len(points) == 5 and all(0 <= x <= 1 and 0 <= y <= 1 for x, y in points)
    assert hook.finish_calibration() == []


class _FailingSink(RecordingPointerSink):
    def move_pointer(self, x: int, y: int) -> None:
        raise OSError("the display refused input")


@pytest.mark.realdata
def test_a_failing_sink_stops_pointer_mode_in_the_app_and_raises_in_a_run(poses: Poses) -> None:
    engine, _, cfg = _engine()
    app_hook = PointerHook(_FailingSink(), engine, cfg.pointer, DESK, stop_on_error=True)
    results = list(frames([poses.open] * 10))
    errors = [f.error for f in (app_hook.step(r) for r in results) if f.error]
    assert errors == ["the display refused input"] and not app_hook.enabled
    run_hook = PointerHook(_FailingSink(), engine, cfg.pointer, DESK)
    with pytest.raises(OSError):
        for r in results:
            run_hook.step(r)


def _blank() -> np.ndarray:
    return np.zeros((480, 640, 3), np.uint8)


class _StillTracker:
    """Replays tracker results (a stand-in for HandTracker)."""

    provider = "replay"

    def __init__(self, results: list[FrameResult]) -> None:
        self._results = iter(results)

    def process(self, frame_bgr: object, timestamp_ms: float) -> FrameResult:
        return next(self._results)

    def reset(self) -> None:
        pass
