"""Mapping editor, key capture, settings dialog and gesture recorder."""

from __future__ import annotations

import numpy as np
import pytest
from gui_fakes import hand_from_landmarks, synthetic_landmarks
from PySide6.QtCore import Qt

from app.gui.key_capture import KeyCaptureEdit
from app.gui.mapping_editor import MappingEditor
from pipeline.config import load_config

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
    editor.gesture.setCurrentIndex(editor.gesture.findData("victory"))
    editor._on_form_changed()
    editor.action_type.setCurrentIndex(editor.action_type.findData("keys"))
    editor._on_action_type_changed(0)
    qtbot.keyClick(editor.key_capture, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    editor.trigger.setCurrentIndex(editor.trigger.findData("on_end"))
    editor._on_form_changed()
    editor.hold.setValue(450)
    editor.cooldown.setValue(1200)
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
    editor.action_type.setCurrentIndex(editor.action_type.findData("type"))
    editor._on_action_type_changed(0)
    editor.text_edit.setText("hello")
    editor._on_form_changed()
    editor.trigger.setCurrentIndex(editor.trigger.findData("hold"))  # type: text cannot be held
    editor._on_form_changed()
    assert not editor.save_button.isEnabled()
    assert "hold" in editor.validation.text()
    assert not editor.save()
    assert load_config()[0].profile("custom").mappings == ()


def test_key_not_captured_yet_is_reported(editor):
    editor.add_mapping("fist")
    editor.action_type.setCurrentIndex(editor.action_type.findData("keys"))
    editor._on_action_type_changed(0)
    assert "press the key" in editor.validation.text()
    assert not editor.save_button.isEnabled()


def test_profile_add_duplicate_rename_remove(editor):
    assert editor.add_profile("gaming")
    assert not editor.add_profile("gaming")  # duplicate name
    assert "already" in editor.validation.text()
    assert not editor.add_profile("bad name!")
    editor._fill_profiles(select="slides")
    assert editor.duplicate_profile("slides-2")
    assert len(editor.profiles["slides-2"]["mappings"]) == len(
        editor.profiles["slides"]["mappings"]
    )
    assert editor.current_profile == "slides-2"
    editor._fill_profiles(select="slides")
    assert not editor.rename_profile("x")  # built-ins cannot be renamed
    assert not editor.rename_button.isEnabled()
    editor._fill_profiles(select="gaming")
    assert editor.rename_profile("games")
    assert "games" in editor.profiles and "gaming" not in editor.profiles
    assert editor.remove_profile(confirm=False)
    assert "games" not in editor.profiles
    editor._fill_profiles(select="slides")
    assert not editor.remove_profile_button.isEnabled()
    assert editor.save()
    cfg = load_config()[0]
    assert "slides-2" in cfg.profiles and "games" not in cfg.profiles


def test_try_it_performs_after_countdown(editor, qtbot, monkeypatch):
    import app.gui.mapping_editor as me

    monkeypatch.setattr(me, "TRY_COUNTDOWN_S", 1)
    editor._fill_profiles(select="slides")
    editor.table.setCurrentCell(0, 0)
    assert editor.form_action() == "key:right"
    editor.try_button.click()
    assert editor.ctx.sink.calls == []  # not at once: the user gets time to switch windows
    qtbot.waitUntil(lambda: ("press_key", "right") in editor.ctx.sink.calls, timeout=3000)
    assert not editor.ctx.sink.anything_held


def test_new_recorded_gesture_gets_a_row(qtbot, make_ctx):
    dialog = MappingEditor(make_ctx(), new_gesture="spock")
    qtbot.addWidget(dialog)
    assert dialog.mappings[-1]["gesture"] == "spock"
    assert dialog.gesture.currentData() == "spock"


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
    with qtbot.waitSignal(ctx.templates_changed):
        assert dialog.save(then_map=True)
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
