"""Main window flows on fakes: empty state, choosing a source, live frames, errors, arming."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pipeline.errors import ModelsMissingError
from tests.support.gui_fakes import FakeSourceFactory


def test_no_camera_shows_friendly_empty_state(make_window):
    window = make_window(list_cameras=lambda: [])
    assert window.video_stack.currentWidget() is window.empty_state
    assert window.empty_state.title.text() == "No camera found"
    assert window.empty_state.open_video_button.isVisibleTo(window)
    assert not window.empty_state.start_button.isVisibleTo(window)
    assert not window.start_button.isEnabled()
    assert window.banner.isHidden()


def test_cameras_are_listed(make_window):
    window = make_window(list_cameras=lambda: [0, 2])
    items = [window.source_combo.itemText(i) for i in range(window.source_combo.count())]
    assert items[:2] == ["Camera 0", "Camera 2"]
    assert window.current_source() == "0"
    assert window.start_button.isEnabled()
    assert window.empty_state.title.text() != "No camera found"


def test_choosing_a_video_starts_tracking_and_shows_gesture(make_window, qtbot, monkeypatch,
                                                            tmp_path):  # fmt: skip
    from PySide6.QtWidgets import QFileDialog

    video = tmp_path / "clip.mp4"
    video.write_bytes(b"")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(video), ""))
    window = make_window()
    window.sources.on_activated(window.source_combo.findData("__video__"))
    assert window.current_source() == str(video)
    assert window.session.running
    qtbot.waitUntil(lambda: window.hands.gesture_ids() == ["thumb_up"], timeout=5000)
    assert window.video_stack.currentWidget() is window.video
    assert window.start_button.text() == "Stop"
    assert "fps" in window.perf_label.text()
    assert "Fake" in window.provider_label.text()
    qtbot.waitUntil(lambda: "Thumb up" in window.event_log.toPlainText(), timeout=5000)
    # remembered for next time
    assert str(video) in window.ctx.recent_sources()
    window.start_button.click()
    assert not window.session.running
    assert window.start_button.text() == "Start"


def test_folder_source_is_offered(make_window, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    window = make_window()
    window.empty_state.open_folder_button.click()
    assert window.current_source() == str(tmp_path)
    assert window.source_combo.currentText().startswith("Folder:")
    window.stop()


def test_cancelled_file_dialog_changes_nothing(make_window, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    window = make_window()
    window.choose_video()
    assert not window.session.running
    assert window.current_source() is None


def test_models_missing_message_names_the_command(make_window, qtbot):
    def no_models(_cfg, **_kw):
        raise ModelsMissingError("hand_landmark_full.onnx is missing")

    window = make_window(tracker_factory=no_models)
    window.check_models()
    qtbot.waitUntil(lambda: not window.banner.isHidden(), timeout=5000)
    assert "handcue models install" in window.banner.label.text()
    assert window.banner.level == "error"
    window.set_source("clip.mp4")
    qtbot.waitUntil(lambda: not window.session.running, timeout=5000)
    assert "handcue models install" in window.banner.label.text()


def test_camera_unplugged_shows_warning_and_recovers(make_window, qtbot):
    opener = FakeSourceFactory(frames=100000, fail_after=20, fps=200)
    window = make_window(opener=opener, list_cameras=lambda: [0])
    window.start()
    qtbot.waitUntil(lambda: window.banner.level == "warning", timeout=5000)
    assert "Retrying" in window.banner.label.text()
    assert window.session.running  # still trying, GUI not frozen
    qtbot.waitUntil(lambda: opener.opens >= 2 and window.banner.isHidden(), timeout=5000)
    window.stop()


def test_arm_button_and_shortcut(make_window, qtbot):
    window = make_window()
    assert window.arm_state == "disarmed"
    assert not window.ctx.engine.armed
    window.arm_button.click()
    assert window.arm_state == "armed" and window.ctx.engine.armed
    assert "ARMED" in window.arm_button.text()
    window.set_paused(True)
    assert window.arm_state == "paused"
    window.arm_button.click()  # resumes
    assert window.arm_state == "armed" and not window.ctx.engine.paused
    window.arm_button.click()
    assert window.arm_state == "disarmed"


def test_armed_gesture_fires_action_and_is_logged(make_window, qtbot, make_ctx):
    from pipeline.actions.sink import RecordingSink

    sink = RecordingSink()
    ctx = make_ctx(sink=sink)
    ctx.set_active_profile("slides")  # thumb_up -> key:right
    window = make_window(ctx)
    window.set_armed(True)
    window.set_source("clip.mp4")
    qtbot.waitUntil(lambda: ("press_key", "right") in sink.calls, timeout=5000)
    qtbot.waitUntil(lambda: "key:right" in window.event_log.toPlainText(), timeout=5000)
    window.stop()
    assert not sink.anything_held


def test_profile_switch_is_saved(make_window):
    from pipeline.settings import load_config

    window = make_window()
    window.switch_profile("media")
    assert window.profile_combo.currentText() == "media"
    assert window.ctx.engine.profile == "media"
    assert load_config()[0].active_profile == "media"


def test_mirror_toggle(make_window):
    window = make_window(list_cameras=lambda: [0])
    assert window.video.mirrored  # webcam default
    window.mirror_box.setChecked(False)
    assert not window.video.mirrored
    window.set_source("clip.mp4")  # a file is shown as recorded
    assert not window.video.mirrored
    window.mirror_box.setChecked(True)  # the user's choice then sticks for files
    window.set_source("other.mp4")
    assert window.video.mirrored
    window.set_source("0")  # the webcam keeps its own choice (unticked above)
    assert not window.video.mirrored and not window.mirror_box.isChecked()
    window.mirror_box.setChecked(True)
    window.set_source("clip.mp4")
    assert window.video.mirrored  # files: still the user's choice for files
    window.stop()


def test_config_problems_are_shown(make_window, make_ctx):
    ctx = make_ctx(config_problems=["config.toml line 3: tracker.max_hands must be <= 4"])
    window = make_window(ctx)
    assert "max_hands" in window.banner.label.text()
    assert window.banner.level == "warning"


def test_stop_is_quick(make_window, qtbot):
    import time

    window = make_window()
    window.set_source("clip.mp4")
    qtbot.waitUntil(lambda: window._latest is not None, timeout=5000)
    t0 = time.perf_counter()
    window.stop()
    assert time.perf_counter() - t0 < 1.0
    assert not window.session.running


def test_user_config_untouched(make_window):
    import os

    assert "handcue-home" in os.environ["HANDCUE_CONFIG_DIR"]
    assert Path(os.environ["HANDCUE_DATA_DIR"]).parent.name.startswith("handcue-home")


def test_slow_tracking_is_said_in_plain_words(make_window, qtbot):
    """Below 15 fps the status bar says so and suggests the lite model; at speed it is quiet."""
    import numpy as np

    from app.gui.worker import TrackedFrame
    from pipeline.types import FrameResult

    window = make_window()
    assert window.ctx.config.tracker.model == "full"

    def show(fps: float) -> None:
        frame = TrackedFrame(
            image=np.zeros((4, 6, 3), np.uint8),
            result=FrameResult(0, 0.0, 6, 4, (), False),
            fps=fps,
        )
        window._on_frame_ready(frame)
        window._redraw()

    show(8.4)
    assert "tracking 8.4 fps" in window.perf_label.text()
    assert window.slow_label.isVisibleTo(window)
    assert window.slow_label.text() == "Slow: 8 fps (hover for why)"  # fits any width
    note = window.slow_label.toolTip()  # the whole note
    assert "slow (8 frames a second, under 15)" in note
    assert "lite model" in note
    assert "skipped" in window.perf_label.text() and "slower than" in window.perf_label.toolTip()
    show(24.0)
    assert "tracking 24.0 fps" in window.perf_label.text()
    assert not window.slow_label.isVisibleTo(window)
    assert window.slow_label.text() == ""
    show(1.2)
    assert "slow (1 frame a second, under 15)" in window.slow_label.toolTip()  # not "1 frames"


def test_the_3d_view_shows_the_hands_of_a_frame_drawn_before_it_was_built(
    qtbot, make_ctx, monkeypatch
):
    """A photo (or an image folder, or a paused video) draws one frame and no more: when the
    3D view is built after it, it plots that frame's hands instead of staying empty until a
    next frame that never comes."""
    import numpy as np

    import app.gui.frame_display as fd
    import app.gui.main_window as mw
    from app.gui.worker import TrackedFrame
    from pipeline.types import FrameResult, Hand, RotatedRect

    monkeypatch.setattr(fd, "BUILD_3D_AFTER_SHOW_MS", 600_000)
    monkeypatch.setattr(fd, "BUILD_3D_AFTER_FRAME_MS", 50)
    window = mw.MainWindow(make_ctx())
    qtbot.addWidget(window)
    plotted: list[tuple] = []  # what reached a built view (set_hands ignores an unbuilt one)
    monkeypatch.setattr(
        window.plot,
        "set_hands",
        lambda hands, width, mirrored: (
            plotted.append((hands, width)) if window.plot.built else None
        ),
    )
    hand = Hand(
        landmarks=np.full((21, 3), 30.0, np.float32),
        world_landmarks=np.zeros((21, 3), np.float32),
        handedness="Right",
        handedness_score=0.9,
        score=0.9,
        track_id=1,
        roi=RotatedRect(30.0, 30.0, 20.0, 20.0, 0.0),
    )
    frame = TrackedFrame(
        image=np.zeros((64, 64, 3), np.uint8),
        result=FrameResult(0, 0.0, 64, 64, (hand,), False),
        fps=0.0,
    )
    try:
        window.show()
        window._on_frame_ready(frame)
        window._redraw()
        assert not window.plot.built and not plotted
        qtbot.waitUntil(lambda: window.plot.built, timeout=5000)
        assert plotted == [((hand,), 64)]
        # Hidden (to the tray), the view is not kept up to date; a video that ends meanwhile
        # draws its last frame unseen, and shown again the view plots that frame.
        window.hide()
        last = replace(frame, result=replace(frame.result, frame_index=1, hands=()))
        window._on_frame_ready(last)
        window._redraw()
        assert plotted == [((hand,), 64)]
        window.show()
        assert plotted[-1] == ((), 64)
    finally:
        window.shutdown()


def test_slow_tracking_note_words():
    from app.gui.frame_display import slow_tracking_note

    assert slow_tracking_note(0.0, "full") == ""  # rate not known yet
    assert slow_tracking_note(15.0, "full") == ""
    assert "lite model" in slow_tracking_note(14.9, "full")
    lite = slow_tracking_note(5.0, "lite")
    assert "lite model" not in lite and "close other busy programs" in lite


def test_3d_view_is_built_after_the_first_frame(qtbot, make_ctx, monkeypatch, tmp_path):
    """Start-up: the 3D view (pyqtgraph + OpenGL, the costliest part of the window) is built
    only once the first tracked frame was drawn, not before; without a source, some seconds
    after the window was shown."""
    import app.gui.frame_display as fd
    import app.gui.main_window as mw

    monkeypatch.setattr(fd, "BUILD_3D_AFTER_SHOW_MS", 600_000)  # only the frame can build it
    window = mw.MainWindow(make_ctx())  # enable_3d None: as the app builds it
    qtbot.addWidget(window)
    try:
        window.show()
        assert not window.plot.built
        video = tmp_path / "clip.mp4"
        video.write_bytes(b"")
        window.set_source(str(video), start=True)
        assert not window.plot.built  # tracking starts first
        qtbot.waitUntil(lambda: window._drawn is not None, timeout=5000)
        qtbot.waitUntil(lambda: window.plot.built, timeout=5000)
    finally:
        window.shutdown()

    monkeypatch.setattr(fd, "BUILD_3D_AFTER_SHOW_MS", 50)  # nothing plays: built after showing
    idle = mw.MainWindow(make_ctx())
    qtbot.addWidget(idle)
    try:
        assert not idle.plot.built
        idle.show()
        qtbot.waitUntil(lambda: idle.plot.built, timeout=5000)
        assert idle._drawn is None
    finally:
        idle.shutdown()
