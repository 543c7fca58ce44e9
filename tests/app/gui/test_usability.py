"""The app for its users: reachable from the keyboard, fits small screens, a readable events
log, only usable providers offered, the mirror choice kept, the recorder's warnings, inactive
profiles explained, the safety settings, broken settings kept and explained, the on-screen
display, the video label's action, the guide and gallery, and accessible names."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from pipeline.settings.window import GuiPrefs
from tests.support.gui_fakes import (
    FakeSourceFactory,
    hand_from_landmarks,
    load_reference,
    synthetic_landmarks,
)

# ----------------------------------------------------------------------------- keyboard


def test_every_window_and_action_is_in_the_menu_with_a_shortcut(make_window):
    from app.gui.menus import MENUS, SHORTCUTS

    window = make_window()
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == [title for title, _ in MENUS]
    assert all("&" in t for t in titles)  # a mnemonic each (Alt+letter)
    for name, keys in SHORTCUTS.items():
        action = getattr(window, name)
        assert action.shortcut() == QKeySequence(keys), name
        assert "&" in action.text(), name
    in_menus = {a for m in window.menuBar().actions() for a in m.menu().actions()}
    for name in ("mappings_action", "record_action", "settings_action", "guide_action",
                 "gallery_action", "arm_action", "pause_action", "run_action"):  # fmt: skip
        assert getattr(window, name) in in_menus
    shortcuts = [getattr(window, n).shortcut().toString() for n in SHORTCUTS]
    assert len(shortcuts) == len(set(shortcuts))  # no two actions share a key


def test_tab_reaches_mappings_record_and_settings(make_window, qtbot):
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    buttons = {window.tools_bar.widgetForAction(a) for a in
               (window.mappings_action, window.record_action, window.settings_action)}  # fmt: skip
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.source_combo.setFocus()
    reached = set()
    for _ in range(40):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        reached.add(window.focusWidget())
    assert buttons <= reached


def test_alt_letters_focus_source_and_profile(make_window, qtbot):
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    window.arm_button.setFocus()
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert window.focusWidget() is window.profile_combo
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    assert window.focusWidget() is window.source_combo


# ----------------------------------------------------------------------------- small screens


def test_windows_fit_the_screen_and_toolbars_wrap(make_window, qtbot):
    window = make_window()
    area = window.screen().availableGeometry()
    assert window.width() <= area.width() and window.height() <= area.height()
    window.show()
    qtbot.waitExposed(window)
    window.resize(640, 480)
    qtbot.waitUntil(lambda: window.profile_bar.y() > window.source_bar.y(), timeout=2000)
    for action in (window.mappings_action, window.record_action, window.settings_action,
                   window.pointer_action):  # fmt: skip
        button = window.tools_bar.widgetForAction(action)
        assert button.isVisible()  # not hidden behind the overflow arrow
        assert button.geometry().right() <= window.tools_bar.width()
    window.resize(1900, 780)
    qtbot.waitUntil(lambda: window.profile_bar.y() == window.source_bar.y(), timeout=2000)
    qtbot.waitUntil(lambda: window.tools_bar.y() == window.source_bar.y(), timeout=2000)


def test_arm_button_text_fits_in_every_state(make_window, qtbot):
    window = make_window()
    window.resize(1280, 780)
    window.show()
    qtbot.waitExposed(window)
    button = window.arm_button
    for state in ("disarmed", "armed", "paused"):
        if state == "armed":
            window.set_armed(True)
        if state == "paused":
            window.set_paused(True)
        assert window.arm_state == state
        metrics = button.fontMetrics()
        widest = max(metrics.horizontalAdvance(line) for line in button.text().splitlines())
        assert widest <= button.contentsRect().width() - 2 * 18, (state, button.text())


def test_mapping_editor_buttons_stay_on_a_small_screen(make_ctx, qtbot):
    from app.gui.mapping_editor import MappingEditor

    dialog = MappingEditor(make_ctx())
    qtbot.addWidget(dialog)
    area = dialog.screen().availableGeometry()
    assert dialog.width() <= area.width() and dialog.height() <= area.height()
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.resize(700, 420)  # smaller than its content: the content scrolls, not the buttons
    qtbot.wait(50)
    for button in (dialog.save_button, dialog.cancel_button):
        top_left = button.mapTo(dialog, button.rect().topLeft())
        assert dialog.rect().contains(top_left) and button.isVisible()
        assert top_left.y() + button.height() <= dialog.height()


# ----------------------------------------------------------------------------- events log


def test_events_log_keeps_the_newest_line_whole(qtbot):
    from app.gui.event_log import EventLog

    log = EventLog(max_lines=120)
    qtbot.addWidget(log)
    log.resize(260, 173)  # not a whole number of lines high, lines wrap
    log.show()
    qtbot.waitExposed(log)
    for batch in range(60):  # well past max_lines: old lines are dropped at the top
        lines = [f"12:00:{batch:02d}  Right  Thumb up started → pressed key:right, 3 ms"] * 3
        log.append_lines(lines)
        qtbot.wait(1)
        assert log.last_line_visible(), batch
    assert "12:00:59" in log.document().lastBlock().text()
    # scrolled back to read: new lines do not yank the view
    bar = log.verticalScrollBar()
    bar.setValue(0)
    log.append_lines(["newer"])
    assert bar.value() == 0
    log.scroll_to_end()
    log.append_lines(["newest"])
    assert log.last_line_visible()


# ----------------------------------------------------------------------------- providers


def test_only_available_providers_are_offered():
    from app.gui.settings_dialog import available_providers

    assert available_providers(["CPUExecutionProvider"]) == ["auto", "cpu"]
    assert available_providers(["CUDAExecutionProvider", "CPUExecutionProvider"]) == [
        "auto", "cpu", "cuda"]  # fmt: skip
    import onnxruntime as ort

    offered = available_providers()
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        assert "cuda" not in offered


def test_a_failing_provider_is_not_saved(make_ctx, qtbot):
    from app.gui.settings_dialog import SettingsDialog
    from pipeline.settings import config_path, load_config

    ctx = make_ctx()
    dialog = SettingsDialog(ctx, providers=["auto", "cpu", "cuda"],
                            probe=lambda name: "CUDA libraries not found")  # fmt: skip
    qtbot.addWidget(dialog)
    dialog.provider.setCurrentIndex(dialog.provider.findData("cuda"))
    dialog.accept()
    assert dialog.result() == 0  # still open
    text = dialog.error.text()
    assert "NVIDIA GPU (CUDA) could not be used on this computer" in text
    assert "nothing was saved" in text and "Traceback" not in text
    assert ctx.config.tracker.provider == "auto"
    assert dialog.provider.currentData() == "auto"  # back to what works
    assert not config_path().exists() or load_config()[0].tracker.provider != "cuda"


def test_provider_failure_at_start_falls_back_in_plain_words(make_window, make_ctx, qtbot):
    from pipeline.errors import HandCueError

    ctx = make_ctx()
    ctx.set_config(ctx.config.model_copy(update={
        "tracker": ctx.config.tracker.model_copy(update={"provider": "cuda"})}))  # fmt: skip

    def build(_cfg, **_kw):
        if ctx.config.tracker.provider == "cuda":
            raise HandCueError("execution provider 'cuda' is not available here; available: "
                               "auto, CPUExecutionProvider")  # fmt: skip
        return ctx.fake_tracker

    ctx._trackers.factory = build
    window = make_window(ctx)
    window.mirror_box.setChecked(False)
    window.set_source("clip.mp4")
    qtbot.waitUntil(lambda: window._latest is not None, timeout=5000)  # restarted on auto
    assert ctx.config.tracker.provider == "auto"
    assert window.banner.level == "info" and "cannot be used on this computer" in (
        window.banner.label.text())  # fmt: skip
    assert "execution provider" not in window.banner.label.text()
    assert not window.mirror_box.isChecked()  # settings did not re-tick Mirror
    window.banner.close_button.click()
    assert "cannot" not in window.state_label.text()  # Dismiss clears the status line too
    window.stop()


def test_a_stopped_video_does_not_say_no_camera(make_window):
    window = make_window()
    window.set_source("clip.mp4", start=False)
    assert "camera" not in window.empty_state.title.text().lower()
    assert "clip.mp4" in window.empty_state.text.text()


# ----------------------------------------------------------------------------- mirror


def test_mirror_choice_sticks_across_stop_start_and_files(make_window, qtbot):
    window = make_window()
    window.set_source("clip.mp4")
    assert not window.mirror_box.isChecked()  # files: as recorded by default
    window.mirror_box.setChecked(True)
    window.stop()
    window.start()
    assert window.mirror_box.isChecked() and window.video.mirrored
    window.set_source("other.mp4")  # opening a video does not untick it
    assert window.mirror_box.isChecked() and window.video.mirrored
    window.mirror_box.setChecked(False)
    window.stop()
    window.start()
    assert not window.mirror_box.isChecked() and not window.video.mirrored
    assert GuiPrefs.load(window.ctx.prefs_path)[0].mirror_files is False
    window.stop()


# ----------------------------------------------------------------------------- recorder stopped


def test_recorder_says_tracking_is_stopped_and_can_start_it(make_ctx, qtbot):
    from app.gui.recorder import GestureRecorder

    running = [False]
    started = []

    def start():
        started.append(True)
        running[0] = True

    dialog = GestureRecorder(make_ctx(), lambda: None, is_running=lambda: running[0],
                             start_tracking=start)  # fmt: skip
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.record_button.isEnabled()
    assert dialog.stopped_label.isVisible() and "stopped" in dialog.stopped_label.text()
    assert dialog.start_tracking_button.isVisible()
    dialog.start_recording()  # even called directly: no countdown without tracking
    assert dialog.countdown_label.text() == ""
    dialog.start_tracking_button.click()
    assert started and dialog.record_button.isEnabled()
    assert not dialog.stopped_label.isVisible()


# ----------------------------------------------------------------------------- built-in lookalike


def _frame_hands(frames, indices):
    return [hand_from_landmarks(frames[i][0]) for i in indices if frames[i]]


@pytest.mark.realdata
def test_recording_a_fist_warns_it_takes_over_the_builtin(make_ctx, qtbot):
    from app.gui.recorder import GestureRecorder, builtin_lookalike

    frames = load_reference()
    if not frames:
        pytest.skip("shared data not found")
    fists = _frame_hands(frames, range(20, 40))  # the video starts with a raised fist
    assert builtin_lookalike(fists)[0] == "fist"
    dialog = GestureRecorder(make_ctx(), lambda: None)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("myfist")
    for hand in fists[:5]:
        dialog.add_sample(hand)
    assert "built-in gesture Fist (fist)" in dialog.lookalike_label.text()
    asked: list[str] = []
    dialog._confirm = lambda title, text, ok: asked.append(text) or False  # the user says no
    assert not dialog.save()
    assert asked and "mappings on fist stop firing" in asked[0]
    from pipeline.gestures.templates import TemplateStore

    assert "myfist" not in TemplateStore().names()


def test_a_shape_of_its_own_gets_no_warning(make_ctx, qtbot):
    from app.gui.recorder import GestureRecorder
    from pipeline.gestures.features import measure
    from pipeline.gestures.recognizer import match_builtin

    lm = synthetic_landmarks()
    for finger in (2, 3):  # middle and ring bent sideways at their middle joint: no sign
        base = 1 + 4 * finger
        v = lm[base + 1, :2] - lm[base, :2]
        perp = np.array([v[1], -v[0]])
        lm[base + 2, :2] = lm[base + 1, :2] + perp * 0.9
        lm[base + 3, :2] = lm[base + 2, :2] + perp * 0.8
    hand = hand_from_landmarks(lm)
    assert match_builtin(measure(hand))[0] == "none"
    dialog = GestureRecorder(make_ctx(), lambda: None)
    qtbot.addWidget(dialog)
    dialog.add_sample(hand)
    dialog.add_sample(hand_from_landmarks(synthetic_landmarks()))  # 1 of 2 is not "most"
    assert dialog.lookalike_label.isHidden()


# ----------------------------------------------------------------------------- inactive profile


def test_mapping_in_an_inactive_profile_is_explained_and_can_be_made_active(make_ctx, qtbot):
    from app.gui.mapping_editor import MappingEditor

    ctx = make_ctx()
    assert ctx.active_profile() == "slides"
    dialog = MappingEditor(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.inactive_row.isVisible()
    dialog.profile_list.setCurrentRow(dialog.model.names().index("media"))
    assert dialog.inactive_row.isVisible()
    assert "not the active profile" in dialog.inactive_label.text()
    dialog.make_active_button.click()
    assert not dialog.inactive_row.isVisible()
    assert dialog.save()
    assert ctx.active_profile() == "media" and ctx.config.active_profile == "media"


# ----------------------------------------------------------------------------- safety settings


def test_arm_gesture_hold_and_pause_hotkey_in_settings(make_ctx, qtbot):
    from app.gui.settings_dialog import SettingsDialog
    from pipeline.settings import load_config

    ctx = make_ctx()
    dialog = SettingsDialog(ctx, providers=["auto", "cpu"])
    qtbot.addWidget(dialog)
    assert dialog.arm_gesture.currentData() == "i_love_you"
    assert dialog.arm_gesture.findData("swipe_left") < 0  # a swipe cannot be held
    dialog.arm_gesture.setCurrentIndex(dialog.arm_gesture.findData("thumb_up"))
    assert dialog.arm_note.isVisibleTo(dialog) and "slides" in dialog.arm_note.text()
    dialog.arm_gesture.setCurrentIndex(dialog.arm_gesture.findData("call"))
    dialog.arm_hold_ms.setValue(1500)
    dialog.pause_hotkey.setFocus()
    qtbot.keyClick(dialog.pause_hotkey, Qt.Key.Key_F9, Qt.KeyboardModifier.ControlModifier)
    dialog.accept()
    saved = load_config()[0].actions
    assert (saved.arm_gesture, saved.arm_hold_ms, saved.pause_hotkey) == ("call", 1500, "ctrl+f9")
    dialog = SettingsDialog(ctx, providers=["auto", "cpu"])
    qtbot.addWidget(dialog)
    dialog.clear_hotkey.click()
    dialog.accept()
    assert load_config()[0].actions.pause_hotkey == ""


# ----------------------------------------------------------------------------- broken settings


def test_broken_settings_say_where_keep_the_file_and_restore_the_backup(qtbot):
    from app.gui.app import build_context
    from app.gui.main_window import MainWindow
    from pipeline.actions.sink import RecordingSink
    from pipeline.settings import config_path, load_config

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    good = '[profiles.mine]\nmappings = [\n  { gesture = "fist", action = "key:space" },\n]\n'
    path.with_name(path.name + ".bak").write_text(good)
    broken = good.replace('action = "key:space"', 'action = "key:space" oops')
    path.write_text(broken)
    window = MainWindow(build_context(sink=RecordingSink()), enable_3d=False)
    qtbot.addWidget(window)
    text = window.banner.label.text()
    assert "line 3" in text and "column" in text  # where the error is
    assert (
        str(path) in text and "kept unchanged" in text and "mine" not in window.ctx.profile_names()
    )
    buttons = [b.text() for b in window.banner.action_buttons]
    assert buttons == ["Open settings file", "Restore backup"]
    window.set_source("clip.mp4", start=False)
    window.start()  # starting a source does not hide it
    window.stop()
    assert not window.banner.isHidden()
    assert path.read_text() == broken  # untouched so far
    window.banner.action_buttons[1].click()
    assert "mine" in window.ctx.profile_names()
    assert "mine" in load_config()[0].profiles
    kept = list(path.parent.glob("config.toml.invalid-*"))
    assert kept and kept[0].read_text() == broken
    assert window.banner.level == "info" and "Restored" in window.banner.label.text()
    window.shutdown()


# ----------------------------------------------------------------------------- smaller things


def test_recorder_empty_list_text_is_not_cut(make_ctx, qtbot):
    from app.gui.recorder import GestureRecorder

    dialog = GestureRecorder(make_ctx(), lambda: None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    label = dialog.recorded_empty
    assert label.isVisible() and not dialog.recorded_list.isVisible()
    assert label.text() == "None yet: the gestures you save appear here."
    assert label.wordWrap() and label.height() >= label.heightForWidth(label.width())


def test_action_hint_follows_the_action_type(make_ctx, qtbot):
    from app.gui.mapping_editor import MappingEditor

    dialog = MappingEditor(make_ctx())
    qtbot.addWidget(dialog)
    dialog.add_mapping("fist")
    assert "press the key" in dialog.validation.text()
    dialog.form.action_type.setCurrentIndex(dialog.form.action_type.findData("type"))
    dialog.form._on_action_type_changed(dialog.form.action_type.currentIndex())
    assert "type the text" in dialog.validation.text()
    assert "press the key" not in dialog.validation.text()


def test_a_missing_file_leaves_the_recent_list(make_ctx, make_window, tmp_path):
    there = tmp_path / "there.mp4"
    there.write_bytes(b"x")
    gone = str(tmp_path / "gone.mp4")
    ctx = make_ctx(prefs=GuiPrefs(recent_sources=(gone, str(there))),
                   prefs_path=tmp_path / "gui.toml")  # fmt: skip
    window = make_window(ctx)
    specs = [window.source_combo.itemData(i) for i in range(window.source_combo.count())]
    assert str(there) in specs and gone not in specs
    assert gone not in ctx.recent_sources()


def test_image_folder_is_stepped_through_by_name(make_ctx, make_window, qtbot, tmp_path):
    import cv2

    for name in ("a.png", "b.png", "c.png"):
        cv2.imwrite(str(tmp_path / name), np.zeros((40, 60, 3), np.uint8))
    opener = FakeSourceFactory(frames=1)
    window = make_window(make_ctx(opener=opener))
    window.set_source(str(tmp_path))
    qtbot.waitUntil(lambda: not window.session.running, timeout=5000)
    assert opener.specs[-1] == str(tmp_path / "a.png")  # one image, not a slideshow
    assert window.folder_bar.isVisible() or not window.isVisible()
    assert window.folder_bar.name_label.text() == "a.png (1 of 3)"
    window.next_image_action.trigger()
    qtbot.waitUntil(lambda: opener.specs[-1] == str(tmp_path / "b.png"), timeout=5000)
    qtbot.waitUntil(lambda: "b.png (2 of 3)" in window.state_label.text(), timeout=5000)
    window.previous_image_action.trigger()
    window.previous_image_action.trigger()  # wraps round to the last
    qtbot.waitUntil(lambda: opener.specs[-1] == str(tmp_path / "c.png"), timeout=5000)
    qtbot.waitUntil(lambda: window._latest is not None, timeout=5000)
    window._redraw()
    assert window.perf_label.text() == "c.png (3 of 3)"  # the file, not a dropped counter
    assert "dropped" not in window.perf_label.text()


def test_tray_options_are_greyed_out_but_kept_without_a_tray(make_ctx, qtbot):
    """Without a tray the two tray options cannot be changed, and OK keeps what the user chose
    on a desktop with one (it used to save close_to_tray = false, so closing quit later, with
    a tray, against their choice)."""
    from app.gui.settings_dialog import SettingsDialog

    ctx = make_ctx()
    ctx.set_prefs(ctx.prefs.changed(close_to_tray=True, start_minimised=True))
    dialog = SettingsDialog(ctx, providers=["auto"], tray_available=False)
    qtbot.addWidget(dialog)
    for box in (dialog.start_minimised, dialog.close_to_tray):
        assert not box.isEnabled() and box.isChecked()
    prefs = dialog.window_prefs()
    assert prefs.close_to_tray is True and prefs.start_minimised is True


# ----------------------------------------------------------------------------- on-screen display


def _record(**kw):
    from pipeline.actions.engine import ActionRecord

    return ActionRecord(timestamp_ms=0.0, **kw)


def test_toast_shows_actions_and_arming_and_can_be_turned_off(qtbot):
    from app.gui.toast import Osd

    beeps = []
    osd = Osd(sound=True, beep=lambda: beeps.append(1), position="top-left")
    qtbot.addWidget(osd.toast)
    osd.on_records([_record(kind="action", status="done", phase="tap", gesture="thumb_up",
                            action="key:right")])  # fmt: skip
    assert osd.shown[-1] == "Thumb up → Right arrow" and osd.toast.isVisible() and beeps
    flags = osd.toast.windowFlags()
    assert flags & Qt.WindowType.WindowTransparentForInput  # click-through
    assert flags & Qt.WindowType.WindowStaysOnTopHint and flags & Qt.WindowType.FramelessWindowHint
    area = osd.toast.screen().availableGeometry()
    assert osd.toast.x() < area.center().x() and osd.toast.y() < area.center().y()
    osd.on_records([_record(kind="action", status="disarmed", phase="tap", gesture="fist",
                            action="key:space")])  # fmt: skip
    assert osd.shown[-1] == "Thumb up → Right arrow"  # nothing was sent: no toast
    osd.on_records([_record(kind="state", status="paused")])
    assert osd.shown[-1] == "Paused"
    osd.configure(enabled=False, sound=True, position="bottom")
    osd.notify("Armed: gestures act")
    assert osd.shown[-1] == "Paused" and not osd.toast.isVisible()


def test_arming_from_the_window_shows_a_toast(make_window):
    window = make_window()
    window.set_armed(True)
    assert window.osd.shown[-1] == "Armed: gestures act"
    window.set_paused(True)
    assert window.osd.shown[-1] == "Paused"


def test_video_label_shows_the_action_the_gesture_fires(make_window, qtbot):
    window = make_window(gesture="thumb_up")
    window.set_source("clip.mp4")
    qtbot.waitUntil(lambda: window._latest is not None, timeout=5000)
    window._redraw()
    hand = window._latest.result.hands[0]
    assert window.video.label_text(hand).endswith("Thumb up → Right arrow")  # profile slides
    window.switch_profile("media")
    assert window.video.label_text(hand).endswith("Thumb up → Volume up")
    window.stop()


# ----------------------------------------------------------------------------- guide and gallery


def test_gallery_draws_every_gesture_from_real_landmarks(make_ctx, qtbot):
    from app.gui.guide import GalleryDialog, load_poses
    from pipeline.gestures import GESTURES_IN_ORDER
    from pipeline.gestures.recognizer import GestureRecognizer

    poses = load_poses()
    recognizer = GestureRecognizer()
    for gesture, points in poses.items():  # each picture is a pose our recogniser agrees with
        lm = np.concatenate([points * 300.0, np.zeros((21, 1))], axis=1).astype(np.float32)
        assert recognizer.classify(hand_from_landmarks(lm)).gesture == gesture
    dialog = GalleryDialog(make_ctx())
    qtbot.addWidget(dialog)
    shown = [card.gesture for card in dialog.cards]
    assert shown == [g for g in GESTURES_IN_ORDER if g != "none"]
    for card in dialog.cards:
        picture = card.findChild(type(card.does_label), None)
        assert card.accessibleName().endswith(f"id {card.gesture}")
        assert picture is not None
    pictures = [c.layout().itemAt(0).widget().pixmap() for c in dialog.cards]
    assert all(p is not None and not p.isNull() for p in pictures)
    thumb = next(c for c in dialog.cards if c.gesture == "thumb_up")
    assert thumb.does_label.text() == "Does: Right arrow"


def test_guide_explains_arming_and_the_active_profile(make_window, qtbot):
    window = make_window()
    window.guide_action.trigger()
    guide = window.guide
    qtbot.waitExposed(guide)
    assert "hold I love you (i_love_you) for 1 s" in guide.arm_text.text()
    assert "Ctrl+Alt+P" in guide.arm_text.text()
    assert "Thumb up (thumb_up) → Right arrow" in guide.mapping_rows
    guide.gallery_button.click()
    assert window.gallery is not None and window.gallery.isVisible()
    assert window.ctx.prefs.guide_seen
    window.gallery.close()
    guide.close()


def test_guide_opens_once_on_first_run(make_ctx, qtbot, tmp_path):
    from app.gui.app import create_main_window

    ctx = make_ctx(prefs_path=tmp_path / "gui.toml")
    window = create_main_window(ctx)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.guide is not None and window.guide.isVisible(), timeout=3000)
    window.guide.close()
    assert GuiPrefs.load(tmp_path / "gui.toml")[0].guide_seen
    window.shutdown()


# ----------------------------------------------------------------------------- accessibility


def test_every_control_has_an_accessible_name(make_window, make_ctx, qtbot):
    from app.gui.a11y import unnamed_controls
    from app.gui.guide import GalleryDialog, GuideDialog
    from app.gui.mapping_editor import MappingEditor
    from app.gui.recorder import GestureRecorder
    from app.gui.settings_dialog import SettingsDialog

    window = make_window()
    ctx = window.ctx
    roots = (window, SettingsDialog(ctx, providers=["auto"]), MappingEditor(ctx),
             GestureRecorder(ctx, lambda: None), GalleryDialog(ctx), GuideDialog(ctx))  # fmt: skip
    for root in roots:
        if root is not window:
            qtbot.addWidget(root)
        missing = [f"{type(w).__name__} {w.objectName()}" for w in unnamed_controls(root)]
        assert missing == [], (type(root).__name__, missing)
    assert window.arm_button.accessibleDescription().startswith("Disarmed")


def test_focus_ring_is_in_the_stylesheet():
    from app import resources

    qss = resources.stylesheet()
    for selector in ("QPushButton:focus", "QComboBox:focus", "QCheckBox::indicator:focus",
                     "#armButton:focus", "QListWidget:focus"):  # fmt: skip
        assert selector in qss
    assert "#ffd166" in qss.split("QPushButton:focus", 1)[1].split("}", 1)[0]


def test_fixing_the_settings_after_a_failed_start_restarts_and_clears_the_error(
    make_window, make_ctx, qtbot
):
    from pipeline.errors import HandCueError

    ctx = make_ctx()
    broken = [True]

    def build(_cfg, **_kw):
        if broken[0]:
            raise HandCueError("the hand tracker could not start on this setting")
        return ctx.fake_tracker

    ctx._trackers.factory = build
    window = make_window(ctx)
    window.set_source("clip.mp4")
    qtbot.waitUntil(lambda: window.banner.level == "error", timeout=5000)
    assert not window.session.running
    broken[0] = False  # the user switched back to a setting that works
    window.apply_settings()
    qtbot.waitUntil(lambda: window._latest is not None, timeout=5000)
    assert window.banner.isHidden() and "could not" not in window.state_label.text()
    window.stop()


def test_tool_bars_fit_again_when_their_content_grows(make_window, qtbot):
    """The profile bar's status grows ("no rule matches this window", a long application name)
    without the window changing size: the bar must move to a row of its own rather than run
    past the window's edge (seen at scale 2)."""
    window = make_window()
    window.resize(window.screen().availableGeometry().width(), 700)
    window.show()
    qtbot.waitExposed(window)
    reason = window.switching_status.reason_label
    reason.setText("")
    window.resize(window.width() - 1, 700)  # fit once with the short status
    qtbot.waitUntil(lambda: window.profile_bar.y() == window.source_bar.y(), timeout=2000)
    reason.setText("no rule matches this window: " + "x" * 40)
    qtbot.waitUntil(lambda: window.profile_bar.y() > window.source_bar.y(), timeout=2000)
    bar = window.profile_bar
    assert bar.geometry().right() <= window.width()
    assert window.switching_status.geometry().right() <= bar.width()


def test_a_fit_pending_when_the_window_goes_does_not_run(make_ctx, qtbot):
    """A tool bar asks for a new layout, then the window is deleted before the event loop
    runs again: the pending fit must die with the window (CI once failed on exactly this,
    with "Internal C++ object (MainWindow) already deleted" from the event loop)."""
    import shiboken6
    from PySide6.QtCore import QCoreApplication, QEvent

    from app.gui.main_window import MainWindow

    window = MainWindow(make_ctx(), enable_3d=False)
    window.show()
    qtbot.waitExposed(window)
    QCoreApplication.sendEvent(window.profile_bar, QEvent(QEvent.Type.LayoutRequest))
    window.shutdown()
    shiboken6.delete(window)
    qtbot.wait(50)  # an exception raised in the loop fails the test (pytest-qt)
