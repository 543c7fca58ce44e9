"""Mapping editor, key capture, settings dialog and gesture recorder."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.gui.key_capture import KeyCaptureEdit
from app.gui.mapping_editor import MappingEditor
from pipeline.settings import load_config
from tests.support.gui_fakes import hand_from_landmarks, synthetic_landmarks

# ----------------------------------------------------------------------------- key capture


@pytest.mark.parametrize(
    ("key", "mods", "expected"),
    [
        (Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
         "combo:ctrl+shift+t"),
        (Qt.Key.Key_Right, Qt.KeyboardModifier.NoModifier, "key:right"),
        (Qt.Key.Key_F5, Qt.KeyboardModifier.NoModifier, "key:f5"),
        (Qt.Key.Key_Tab, Qt.KeyboardModifier.AltModifier, "combo:alt+tab"),
        (Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier, "combo:ctrl+plus"),
        (Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier, "key:space"),
    ],
)  # fmt: skip
def test_key_capture_records_combos(qtbot, key, mods, expected):
    from pipeline.actions.spec import parse_action

    edit = KeyCaptureEdit()
    qtbot.addWidget(edit)
    with qtbot.waitSignal(edit.captured) as blocker:
        qtbot.keyClick(edit, key, mods)
    assert blocker.args == [expected]
    assert edit.action() == expected
    parse_action(expected)  # the config layer accepts what we record


# ----------------------------------------------------------------------------- mapping editor


@pytest.fixture
def editor(qtbot, make_ctx):
    ctx = make_ctx()
    dialog = MappingEditor(ctx)
    qtbot.addWidget(dialog)
    return dialog


def test_editor_shows_profiles_and_mappings(editor):
    names = [editor.profile_list.item(i).text() for i in range(editor.profile_list.count())]
    assert {"slides", "media", "custom"} <= set(names)
    editor.profile_list.setCurrentRow(names.index("slides"))
    assert editor.table.rowCount() == len(editor.ctx.config.profile("slides").mappings)
    assert editor.save_button.isEnabled()


def test_edit_and_save_a_mapping(editor, qtbot):
    names = [editor.profile_list.item(i).text() for i in range(editor.profile_list.count())]
    editor.profile_list.setCurrentRow(names.index("custom"))
    editor.add_button.click()
    assert editor.table.rowCount() == 1
    editor.form.gesture.setCurrentIndex(editor.form.gesture.findData("victory"))
    editor._on_form_changed()
    editor.form.action_type.setCurrentIndex(editor.form.action_type.findData("keys"))
    editor.form._on_action_type_changed(0)
    qtbot.keyClick(editor.form.key_capture, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    editor.form.trigger.setCurrentIndex(editor.form.trigger.findData("on_end"))
    editor._on_form_changed()
    editor.form.hold.setValue(450)
    editor.form.cooldown.setValue(1200)
    assert editor.table.item(0, 1).text() == "combo:ctrl+c"
    assert editor.save_button.isEnabled(), editor.validation.text()
    assert editor.save()
    saved = load_config()[0].profile("custom").mappings
    assert len(saved) == 1
    m = saved[0]
    assert (m.gesture, m.action, m.trigger, m.hold_ms, m.cooldown_ms) == (
        "victory", "combo:ctrl+c", "on_end", 450, 1200)  # fmt: skip
    assert editor.ctx.config.profile("custom").mappings == saved


def test_invalid_mapping_blocks_save_with_message(editor):
    names = [editor.profile_list.item(i).text() for i in range(editor.profile_list.count())]
    editor.profile_list.setCurrentRow(names.index("custom"))
    editor.add_mapping("fist")
    editor.form.action_type.setCurrentIndex(editor.form.action_type.findData("type"))
    editor.form._on_action_type_changed(0)
    editor.form.text_edit.setText("hello")
    editor._on_form_changed()
    # "type:" text cannot be held
    editor.form.trigger.setCurrentIndex(editor.form.trigger.findData("hold"))
    editor._on_form_changed()
    assert not editor.save_button.isEnabled()
    assert "hold" in editor.validation.text()
    assert not editor.save()
    assert load_config()[0].profile("custom").mappings == ()


def test_key_not_captured_yet_is_reported(editor):
    editor.add_mapping("fist")
    editor.form.action_type.setCurrentIndex(editor.form.action_type.findData("keys"))
    editor.form._on_action_type_changed(0)
    assert "press the key" in editor.validation.text()
    assert not editor.save_button.isEnabled()


def test_profile_add_duplicate_rename_remove(editor):
    assert editor.add_profile("gaming")
    assert not editor.add_profile("gaming")  # duplicate name
    assert "already" in editor.validation.text()
    assert not editor.add_profile("bad name!")
    editor._fill_profiles(select="slides")
    assert editor.duplicate_profile("slides-2")
    assert editor.model.mappings("slides-2") == editor.model.mappings("slides")
    assert editor.current_profile == "slides-2"
    editor._fill_profiles(select="slides")
    assert not editor.rename_profile("x")  # built-ins cannot be renamed
    assert not editor.rename_button.isEnabled()
    editor._fill_profiles(select="gaming")
    assert editor.rename_profile("games")
    assert "games" in editor.model.profiles and "gaming" not in editor.model.profiles
    assert editor.remove_profile(confirm=False)
    assert "games" not in editor.model.profiles
    editor._fill_profiles(select="slides")
    assert not editor.remove_profile_button.isEnabled()
    assert editor.save()
    cfg = load_config()[0]
    assert "slides-2" in cfg.profiles and "games" not in cfg.profiles


def test_try_it_performs_after_countdown(editor, qtbot, monkeypatch):
    import app.gui.mapping_form as mf

    monkeypatch.setattr(mf, "TRY_COUNTDOWN_S", 1)
    editor._fill_profiles(select="slides")
    editor.table.setCurrentCell(0, 0)
    assert editor.form.form_action() == "key:right"
    editor.form.try_button.click()
    assert editor.ctx.sink.calls == []  # not at once: the user gets time to switch windows
    qtbot.waitUntil(lambda: ("press_key", "right") in editor.ctx.sink.calls, timeout=3000)
    assert not editor.ctx.sink.anything_held


def test_new_recorded_gesture_gets_a_row(qtbot, make_ctx):
    dialog = MappingEditor(make_ctx(), new_gesture="spock")
    qtbot.addWidget(dialog)
    assert dialog.mappings[-1].gesture == "spock"
    assert dialog.form.gesture.currentData() == "spock"


# ----------------------------------------------------------------------------- settings


def test_settings_dialog_saves(qtbot, make_ctx):
    from app.gui.settings_dialog import SettingsDialog

    ctx = make_ctx()
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.model.setCurrentIndex(dialog.model.findData("lite"))
    dialog.max_hands.setValue(1)
    dialog.counting.setCurrentIndex(dialog.counting.findData("chinese"))
    dialog.hold_ms.setValue(500)
    dialog.cooldown_ms.setValue(2000)
    dialog.smoothing.setValue(20)
    dialog.mirror.setChecked(False)
    dialog.accept()
    cfg = load_config()[0]
    assert (cfg.tracker.model, cfg.tracker.max_hands, cfg.gestures.counting) == ("lite", 1,
                                                                                 "chinese")  # fmt: skip
    assert (cfg.actions.default_hold_ms, cfg.actions.default_cooldown_ms) == (500, 2000)
    assert cfg.tracker.smoothing == pytest.approx(0.2)
    assert ctx.config == cfg
    assert not ctx.prefs.mirror_preview
    assert ctx.tracker_config().model == "lite"


def test_settings_dialog_turns_far_hands_and_power_saving_off(qtbot, make_ctx):
    from app.gui.settings_dialog import SettingsDialog

    ctx = make_ctx()
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.far_hands.isChecked() and dialog.power_saving.isChecked()  # on by default
    dialog.far_hands.setChecked(False)
    dialog.power_saving.setChecked(False)
    dialog.accept()
    cfg = load_config()[0]
    assert (cfg.tracker.far_hands, cfg.tracker.power_saving) == (False, False)
    tracker = ctx.tracker_config()
    assert (tracker.far_hands, tracker.power_saving) == (False, False)
    reopened = SettingsDialog(ctx)
    qtbot.addWidget(reopened)
    assert not reopened.far_hands.isChecked() and not reopened.power_saving.isChecked()


def test_settings_apply_restarts_running_source(make_window, qtbot):
    window = make_window()
    window.set_source("clip.mp4")
    qtbot.waitUntil(lambda: window._latest is not None, timeout=5000)
    first = window.session._tracking
    window.apply_settings()
    assert window.session.running and window.session._tracking is not first
    window.stop()


# ----------------------------------------------------------------------------- recorder


def _frame_with_hand(index: int):
    from app.gui.worker import TrackedFrame
    from pipeline.types import FrameResult

    lm = synthetic_landmarks() + np.float32(index)  # a slightly different pose each frame
    hand = hand_from_landmarks(lm)
    result = FrameResult(index, index * 33.0, 1280, 720, (hand,), False)
    return TrackedFrame(image=np.zeros((720, 1280, 3), np.uint8), result=result)


def test_record_gesture_and_map_it(qtbot, make_ctx, monkeypatch):
    import app.gui.recorder as rec
    from app.gui.recorder import GestureRecorder
    from pipeline.gestures.templates import TemplateStore

    monkeypatch.setattr(rec, "COUNTDOWN_S", 1)
    frames = iter(range(1000))
    ctx = make_ctx()
    dialog = GestureRecorder(ctx, lambda: _frame_with_hand(next(frames)))
    qtbot.addWidget(dialog)
    assert not dialog.save_button.isEnabled()
    dialog.name_edit.setText("fist")  # a built-in name is refused
    dialog._validate()
    assert "built-in" in dialog.message.text()
    dialog.name_edit.setText("spock")
    dialog.per_take.setValue(3)
    dialog.record_button.click()
    assert dialog.countdown_label.text() == "1"
    qtbot.waitUntil(lambda: len(dialog.samples) == 3, timeout=5000)
    qtbot.waitUntil(lambda: dialog.record_button.isEnabled(), timeout=5000)
    assert dialog.sample_list.count() == 3
    dialog.sample_list.item(0).setSelected(True)
    dialog.delete_selected()
    assert len(dialog.samples) == 2 and dialog.sample_list.count() == 2
    mapped: list[str] = []
    dialog.map_requested.connect(mapped.append)
    # The synthetic hand is an open palm: saving asks first (it would take over open_palm).
    assert "Open palm" in dialog.lookalike_label.text()
    asked = _answer_confirmation(dialog, "Save anyway")
    with qtbot.waitSignal(ctx.templates_changed):
        assert dialog.save(then_map=True)
    assert asked and "open_palm" in asked[0]
    assert mapped == ["spock"]
    store = TemplateStore()
    assert store.info("spock")["samples"] == 2
    assert "spock" in ctx.known_gestures()


def test_recorder_without_hand_says_so(qtbot, make_ctx, monkeypatch):
    import app.gui.recorder as rec
    from app.gui.recorder import GestureRecorder

    monkeypatch.setattr(rec, "COUNTDOWN_S", 1)
    dialog = GestureRecorder(make_ctx(), lambda: None)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("spock")
    dialog.per_take.setValue(1)
    dialog.record_button.click()
    qtbot.waitUntil(lambda: dialog.record_button.isEnabled(), timeout=5000)
    assert dialog.samples == []
    assert "Record some samples" in dialog.message.text() or "No hand" in dialog.message.text()


# ----------------------------------------------------------------------------- saved samples


def _save_gesture(name: str, n: int):
    """Save ``n`` distinct samples of ``name`` (the index fingertip a little higher each time)
    to the default store; returns their (n, 21, 3) canonical poses as read back from disk."""
    from pipeline.gestures.templates import TemplateStore

    hands = []
    for i in range(n):
        lm = synthetic_landmarks()
        lm[8, 1] -= 4.0 * i
        hands.append(hand_from_landmarks(lm))
    store = TemplateStore()
    store.add(name, hands)
    store.save()
    return TemplateStore().samples(name)


def _click_item(qtbot, view, item, modifier=Qt.KeyboardModifier.NoModifier):
    view.scrollToItem(item)
    pos = view.visualItemRect(item).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, pos)


def _answer_confirmation(dialog, button_text: str | None) -> list[str]:
    """Answer the next confirmation box of ``dialog`` (which runs modally) by clicking the button
    labelled ``button_text`` (None: Cancel). Returns the texts of the boxes answered."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    seen: list[str] = []
    tries = [0]

    def answer() -> None:
        boxes = [b for b in dialog.findChildren(QMessageBox) if b.isVisible()]
        if not boxes:
            tries[0] += 1
            if tries[0] < 200:
                QTimer.singleShot(10, dialog, answer)  # dropped if the dialog is gone
            return
        box = boxes[0]
        seen.append(box.text())
        try:
            if button_text is None:
                button = box.button(QMessageBox.StandardButton.Cancel)
            else:
                button = next(b for b in box.buttons() if b.text() == button_text)
            button.click()
        finally:
            if box.isVisible():  # wrong buttons: close it so the test fails instead of hanging
                seen.append("not answered: buttons " + ", ".join(b.text() for b in box.buttons()))
                box.reject()

    QTimer.singleShot(0, dialog, answer)
    return seen


@pytest.fixture
def recorder_with_saved(qtbot, make_ctx):
    """A recorder over a store holding 'spock' (6 samples) and 'wave' (2); 'spock' is selected
    by a click, like a user would."""
    from app.gui.recorder import GestureRecorder

    saved = _save_gesture("spock", 6)
    _save_gesture("wave", 2)
    ctx = make_ctx()
    dialog = GestureRecorder(ctx, lambda: None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.saved_sample_list.count() == 0  # nothing selected yet
    assert not dialog.delete_saved_button.isEnabled()
    rows = {
        dialog.recorded_list.item(i).data(Qt.ItemDataRole.UserRole): i
        for i in range(dialog.recorded_list.count())
    }
    _click_item(qtbot, dialog.recorded_list, dialog.recorded_list.item(rows["spock"]))
    assert dialog.selected_recorded() == "spock"
    return dialog, saved


def test_delete_saved_samples_of_a_recorded_gesture(recorder_with_saved, qtbot):
    from pipeline.gestures.templates import TemplateStore

    dialog, saved = recorder_with_saved
    view = dialog.saved_sample_list
    assert view.count() == 6
    assert [view.item(i).text() for i in range(6)] == [f"#{i}" for i in range(1, 7)]
    assert "6 saved samples" in dialog.saved_label.text()
    _click_item(qtbot, view, view.item(1))
    _click_item(qtbot, view, view.item(3), Qt.KeyboardModifier.ControlModifier)
    assert sorted(view.row(i) for i in view.selectedItems()) == [1, 3]
    assert dialog.delete_saved_button.isEnabled()
    seen = _answer_confirmation(dialog, "Delete 2 samples")
    with qtbot.waitSignal(dialog.ctx.templates_changed):
        dialog.delete_saved_button.click()
    assert len(seen) == 1 and "Delete 2 of the 6 saved samples of 'spock' (#2, #4)?" in seen[0]
    left = TemplateStore().samples("spock")  # a fresh store, read from disk
    assert len(left) == 4
    np.testing.assert_array_equal(left, saved[[0, 2, 4, 5]])
    assert TemplateStore().info("wave")["samples"] == 2
    assert dialog.ctx.templates.info("spock")["samples"] == 4  # the app's store was reloaded
    # the dialog shows the new state, with the same gesture still selected
    assert dialog.selected_recorded() == "spock"
    assert view.count() == 4 and not view.selectedItems()
    assert "spock  —  4 samples" in [
        dialog.recorded_list.item(i).text() for i in range(dialog.recorded_list.count())
    ]
    assert "4 saved samples" in dialog.saved_label.text()
    assert dialog.countdown_label.text() == "Deleted 2 samples of 'spock'; 4 left."


def test_cancelled_confirmation_deletes_nothing(recorder_with_saved, qtbot):
    from pipeline.gestures.templates import TemplateStore, store_path

    dialog, saved = recorder_with_saved
    before = store_path().read_bytes()
    view = dialog.saved_sample_list
    _click_item(qtbot, view, view.item(0))
    _click_item(qtbot, view, view.item(2), Qt.KeyboardModifier.ControlModifier)
    seen = _answer_confirmation(dialog, None)
    dialog.delete_saved_button.click()
    assert len(seen) == 1 and "Delete 2 of the 6 saved samples" in seen[0]
    assert store_path().read_bytes() == before
    np.testing.assert_array_equal(TemplateStore().samples("spock"), saved)
    assert view.count() == 6 and len(view.selectedItems()) == 2


def test_deleting_every_saved_sample_removes_the_gesture(recorder_with_saved, qtbot):
    from pipeline.gestures.templates import TemplateStore

    dialog, _saved = recorder_with_saved
    dialog.saved_sample_list.selectAll()
    seen = _answer_confirmation(dialog, "Delete 6 samples")
    dialog.delete_saved_button.click()
    assert len(seen) == 1 and "itself is removed" in seen[0]
    assert TemplateStore().names() == ["wave"]
    assert dialog.selected_recorded() is None and dialog.saved_sample_list.count() == 0
    assert dialog.countdown_label.text() == "Removed 'spock' (no samples left)."


def test_removing_a_recorded_gesture_asks_first(recorder_with_saved, qtbot):
    from pipeline.gestures.templates import TemplateStore, store_path

    dialog, _saved = recorder_with_saved
    before = store_path().read_bytes()
    seen = _answer_confirmation(dialog, None)
    dialog.remove_recorded_button.click()
    assert len(seen) == 1 and "Remove the recorded gesture 'spock'" in seen[0]
    assert store_path().read_bytes() == before  # cancelled: nothing changed
    seen = _answer_confirmation(dialog, "Remove gesture")
    dialog.remove_recorded_button.click()
    assert len(seen) == 1
    assert TemplateStore().names() == ["wave"]
    assert dialog.ctx.templates.names() == ["wave"]


def test_a_failed_save_is_reported_and_loses_nothing(recorder_with_saved, qtbot, monkeypatch):
    from pipeline.gestures.templates import TemplateStore, store_path

    dialog, saved = recorder_with_saved
    before = store_path().read_bytes()

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pipeline.fileio.os.replace", full_disk)
    dialog.saved_sample_list.item(0).setSelected(True)
    seen = _answer_confirmation(dialog, "Delete 1 sample")
    dialog.delete_saved_button.click()
    assert len(seen) == 1
    assert "No space left on device" in dialog.message.text()
    assert "left as it was" in dialog.message.text()
    assert store_path().read_bytes() == before
    np.testing.assert_array_equal(TemplateStore().samples("spock"), saved)


def test_a_field_the_mapping_does_not_use_is_empty_not_stale(editor):
    """Showing a type: mapping after a key: one, then switching it to a key, offers an empty
    "press a key" field, not the other mapping's key."""
    form = editor.form
    form._show_action("key:n")
    assert form.key_capture.text() == "n"
    form._show_action("type:hello")
    form.action_type.setCurrentIndex(form.action_type.findData("keys"))
    form._on_action_type_changed(0)
    assert form.key_capture.text() == "" and form.form_action() == ""
    form._show_action("key:n")
    form.action_type.setCurrentIndex(form.action_type.findData("type"))
    form._on_action_type_changed(0)
    assert form.form_action() == ""  # the text field did not keep an old text either


def test_key_capture_shows_the_set_key_again_after_a_half_combination(qtbot):
    edit = KeyCaptureEdit()
    qtbot.addWidget(edit)
    edit.set_action("key:n")
    qtbot.keyPress(edit, Qt.Key.Key_Control, Qt.KeyboardModifier.ControlModifier)
    assert edit.text() == "ctrl+…"
    edit.clearFocus()
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QFocusEvent

    edit.focusOutEvent(QFocusEvent(QEvent.Type.FocusOut))
    assert edit.text() == "n" and edit.action() == "key:n"


def test_make_this_profile_active_leaves_the_focus_on_the_profiles(editor, qtbot):
    """The button hides once the profile is active; a keyboard user goes on from the profile
    list, not from wherever Qt happened to put the focus."""
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()
    names = [editor.profile_list.item(i).text() for i in range(editor.profile_list.count())]
    editor.profile_list.setCurrentRow(names.index("media"))
    assert editor.make_active_button.isVisibleTo(editor)
    editor.make_active_button.setFocus()
    qtbot.waitUntil(editor.make_active_button.hasFocus, timeout=2000)
    qtbot.keyClick(editor.make_active_button, Qt.Key.Key_Space)
    assert not editor.make_active_button.isVisibleTo(editor)
    assert editor.focusWidget() is editor.profile_list


@pytest.mark.parametrize("screen", [(1600, 1200), (1024, 640)])
def test_the_mappings_dialog_is_as_tall_as_it_needs_where_the_screen_has_room(
    qtbot, make_ctx, monkeypatch, screen
):
    """On a tall screen the table and the form show without scrolling (it opened at 660 px and
    scrolled on any screen); on a small one it fits the screen and scrolls."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    from app.gui import screen_fit

    width, height = screen
    monkeypatch.setattr(screen_fit, "available_geometry", lambda _w: QRect(0, 0, width, height))
    app = QApplication.instance()
    font = app.font()
    bigger = app.font()
    bigger.setPointSizeF(font.pointSizeF() * 1.4)  # as tall as the desktop's fonts make it
    app.setFont(bigger)
    try:
        dialog = MappingEditor(make_ctx())
    finally:
        app.setFont(font)
    qtbot.addWidget(dialog)
    needed = dialog._body.sizeHint().height()
    assert needed > 660 or height < 1200, needed
    if height == 1200:
        assert dialog.height() > needed + 40  # the body, the message line and the buttons
    else:
        assert dialog.height() <= height * screen_fit.SCREEN_SHARE
