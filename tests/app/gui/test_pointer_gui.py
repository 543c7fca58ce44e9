"""Pointer mode in the desktop app: the toolbar toggle and its shortcut, frames moving the
pointer only while armed, the gestures pointer mode owns held back from the action engine,
the Pointer page of Settings, and the overlay's drawing of each state (offscreen). Frames reach
the window as a session delivers them: the app's runtime (its pointer hook and action engine,
the path ``handcue run --pointer`` takes too) ran on them, with a replayed tracker result."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from app.gui.worker import TrackedFrame
from pipeline.gestures import DYNAMIC_GESTURES
from pipeline.pointer import PointerSettings, PointerState
from pipeline.runtime import HandCueRuntime
from pipeline.types import FrameResult, GestureEvent
from tests.support.gui_fakes import hand_from_landmarks, synthetic_landmarks


def tracked(index: int, dx: float = 0.0) -> TrackedFrame:
    hand = hand_from_landmarks(synthetic_landmarks(cx=640.0 + dx, cy=400.0))
    result = FrameResult(index, index * 33.0, 1280, 720, (hand,), False)
    return TrackedFrame(image=np.zeros((720, 1280, 3), np.uint8), result=result)


class _Replay:
    """Tracker and gesture engine stand-ins: the next frame's result and events."""

    provider = "replay"

    def __init__(self, result: FrameResult, events: tuple[GestureEvent, ...]) -> None:
        self.result, self.events = result, events

    def process(self, *_args):
        if isinstance(_args[0], FrameResult):  # the gesture engine's call
            return {}, list(self.events)
        return self.result

    def reset(self) -> None:
        pass


def deliver(window, frame: TrackedFrame, events: tuple[GestureEvent, ...] = ()) -> None:
    """Run the app's runtime on ``frame`` (tracking thread's work) and hand the window the
    TrackedFrame a session would."""
    replay = _Replay(frame.result, events)
    runtime = HandCueRuntime(replay, replay, window.ctx.engine, window.ctx.pointer)
    step = runtime.step(frame.image, frame.result.timestamp_ms)
    window._on_frame_ready(TrackedFrame(image=frame.image, result=step.frame,
                                        events=step.events, pointer=step.pointer))  # fmt: skip


def moves(sink) -> list[tuple]:
    return [c for c in sink.calls if c[0] == "move_pointer"]


def test_toggle_action_has_a_shortcut_and_owns_fist_and_ok(make_window) -> None:
    window = make_window()
    action = window.pointer_action
    assert action.shortcut().toString() == "Ctrl+Shift+M"
    assert not window.pointer_mode.enabled
    action.trigger()
    assert window.pointer_mode.enabled and action.isChecked()
    assert window.ctx.engine.withheld == frozenset({"fist", "ok", *DYNAMIC_GESTURES})
    action.trigger()
    assert not window.pointer_mode.enabled
    assert window.ctx.engine.withheld == frozenset()


def test_frames_move_the_pointer_only_while_armed(make_window) -> None:
    window = make_window()
    sink = window.ctx.sink
    window.pointer_mode.overlay = None  # no top-level overlay window in this test
    assert not window.session._precise
    window.pointer_mode.set_enabled(True)
    assert window.session._precise  # the tracker reads every frame (no resting)
    window.set_armed(False)
    for i in range(10):
        deliver(window, tracked(i, dx=5.0 * i))
    assert not moves(sink)
    assert window.pointer_mode.state.mode == "disarmed"
    window.set_armed(True)
    for i in range(10, 30):
        deliver(window, tracked(i, dx=-5.0 * i))
    assert len(moves(sink)) > 5
    assert window.pointer_mode.state.mode == "tracking"
    # hand moves left in the image: mirrored, the pointer moves right
    assert moves(sink)[-1][1] > moves(sink)[0][1]


def test_without_mouse_control_the_toggle_says_why(make_window, make_ctx) -> None:
    class KeysOnly:
        def press_key(self, key: str) -> None: ...

        def release_key(self, key: str) -> None: ...

        def release_all(self) -> None: ...

    window = make_window(make_ctx(sink=KeysOnly()))
    messages = []
    window.pointer_mode.unavailable.connect(messages.append)
    window.pointer_action.trigger()
    assert not window.pointer_mode.enabled and not window.pointer_action.isChecked()
    assert messages and "mouse control" in messages[0]


def test_pointer_page_edits_the_settings(qtbot, make_window) -> None:
    from app.gui.settings_dialog import SettingsDialog

    window = make_window()
    dialog = SettingsDialog(window.ctx, window, pointer=window.pointer_mode)
    qtbot.addWidget(dialog)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == ["General", "Pointer"]
    page = dialog.pointer_page
    from PySide6.QtWidgets import QLabel

    note = page.findChild(QLabel, "pointerConflictNote")
    assert "fist" in note.text() and "ignored" in note.text()  # which wins, in the UI
    page.dwell.setChecked(True)
    page.dwell_ms.setValue(1200)
    page.mapping.setCurrentIndex(page.mapping.findData("relative"))
    page.area["left"].setValue(10)
    dialog.accept()
    s = window.pointer_mode.settings
    assert (s.dwell_click, s.dwell_ms, s.mapping, s.active_area.left) == (
        True, 1200, "relative", 0.1,
    )  # fmt: skip


def test_pointer_page_refuses_bad_values(qtbot, make_window) -> None:
    from app.gui.settings_dialog import SettingsDialog

    window = make_window()
    dialog = SettingsDialog(window.ctx, window, pointer=window.pointer_mode)
    qtbot.addWidget(dialog)
    dialog.pointer_page.pinch_on.setValue(0.6)
    dialog.pointer_page.pinch_off.setValue(0.4)
    with pytest.raises(ValidationError):
        dialog.pointer_page.settings()
    dialog.accept()
    assert not dialog.error.isHidden() and "“Pinch opens at”" in dialog.error.text()
    assert window.pointer_mode.settings == PointerSettings()


@pytest.mark.parametrize(
    ("state", "colour"),
    [
        (PointerState(mode="tracking", x=10, y=10), (46, 204, 113)),
        (PointerState(mode="tracking", x=10, y=10, dwell_progress=0.6), (52, 152, 219)),
        (PointerState(mode="clutched", x=10, y=10), (243, 156, 18)),
        (PointerState(mode="tracking", x=10, y=10, pinch="left", drag_progress=0.5),
         (231, 76, 60)),
    ],
)  # fmt: skip
def test_overlay_draws_each_state(qtbot, state, colour) -> None:
    from app.gui.pointer_overlay import PointerOverlay

    overlay = PointerOverlay()
    qtbot.addWidget(overlay)
    overlay.show_state(state)
    image = overlay.grab().toImage()
    found = any(
        image.pixelColor(x, y).getRgb()[:3] == colour
        for x in range(image.width())
        for y in range(image.height())
    )
    assert found, (state.mode, colour)
    assert overlay.pos().x() > 10  # beside the pointer, not under it


def test_toggle_gesture_from_the_settings_switches_pointer_mode(qtbot, make_window) -> None:
    from app.gui.settings_dialog import SettingsDialog

    window = make_window()
    dialog = SettingsDialog(window.ctx, window, pointer=window.pointer_mode)
    qtbot.addWidget(dialog)
    page = dialog.pointer_page
    page.toggle_gesture.setCurrentIndex(page.toggle_gesture.findData("victory"))
    page.toggle_hold.setValue(500)
    dialog.accept()
    window.pointer_mode.overlay = None
    frame = tracked(1)
    held = GestureEvent("held", "victory", 1, "Right", 600.0, 0.0)
    deliver(window, frame, events=(held,))
    assert window.pointer_mode.enabled and window.pointer_action.isChecked()
    assert window.ctx.engine.withheld == frozenset({"victory", "fist", "ok", *DYNAMIC_GESTURES})


def test_corner_calibration_sets_the_active_area_on_the_page(qtbot, make_window) -> None:
    from app.gui.settings_dialog import SettingsDialog

    window = make_window()
    dialog = SettingsDialog(window.ctx, window, pointer=window.pointer_mode)
    qtbot.addWidget(dialog)
    page = dialog.pointer_page
    page.calibrate.click()
    assert not page.calibrate.isEnabled()
    assert "6 s left" in page.calibration_status.text()  # a countdown while it records
    page._tick()
    assert "5 s left" in page.calibration_status.text()
    # start_calibration's timer runs 6 s: the test finishes by hand
    # the hand visits four corners: palm centre offsets of +-200 px x, +-120 px y (1280x720)
    for i, (dx, dy) in enumerate([(-200, -120), (200, -120), (200, 120), (-200, 120)]):
        frame = tracked(i, dx=dx)
        hand = frame.result.hands[0]
        moved = hand_from_landmarks(np.asarray(hand.landmarks) + np.array([0, dy, 0], np.float32))
        result = FrameResult(i, i * 33.0, 1280, 720, (moved,), False)
        deliver(window, TrackedFrame(image=frame.image, result=result))
    with qtbot.waitSignal(window.pointer_mode.calibrated, timeout=2000):
        window.pointer_mode._finish_calibration()
    area = page.settings().active_area
    assert area.right - area.left == pytest.approx(400 / 1280 * 0.9, abs=0.011)
    assert area.bottom - area.top == pytest.approx(240 / 720 * 0.9, abs=0.011)
    assert page.calibrate.isEnabled()
    # 28% x 30% of the picture: under a quarter of it, which makes the pointer hard to aim
    assert "it is small (8% of the camera's picture)" in page.calibration_status.text()
    # nothing seen: a message, the button back
    window.pointer_mode.start_calibration()
    window.pointer_mode._finish_calibration()
    assert "corners" in page.calibration_status.text() and page.calibrate.isEnabled()


def test_the_live_view_shows_the_active_area_while_pointer_mode_is_on(make_window) -> None:
    window = make_window()
    window.pointer_mode.overlay = None
    deliver(window, tracked(0))
    window._redraw()
    assert window.video.active_area is None  # pointer mode off: nothing drawn
    window.pointer_action.trigger()
    deliver(window, tracked(1))
    window._redraw()
    area = window.pointer_mode.settings.active_area
    assert window.video.active_area == (area.left, area.top, area.right, area.bottom)
    image = window.video.grab().toImage()
    assert not image.isNull()  # drawn without error (mirrored view, dashed frame)
    window.pointer_action.trigger()
    deliver(window, tracked(2))
    window._redraw()
    assert window.video.active_area is None


def test_pointer_mode_on_off_and_its_clicks_are_in_the_event_log(make_window) -> None:
    from pipeline.pointer.commands import PointerCommand
    from pipeline.pointer.hook import PointerFrame

    window = make_window()
    window.pointer_mode.overlay = None
    window.pointer_action.trigger()
    window._redraw()
    assert "Pointer mode on" in window.event_log.toPlainText()
    click = PointerCommand("click", 10, 20, "left")
    frame = tracked(0)
    pointer = PointerFrame(0, 0.0, True, PointerState(mode="tracking"), (10, 20), sent=(click,))
    window._on_frame_ready(TrackedFrame(image=frame.image, result=frame.result, pointer=pointer))
    window._redraw()
    assert "Pointer clicked left at 10,20" in window.event_log.toPlainText()
    window.pointer_action.trigger()
    window._redraw()
    assert "Pointer mode off" in window.event_log.toPlainText()
