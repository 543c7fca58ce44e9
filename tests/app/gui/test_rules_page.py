"""The Rules page and the per-application status of the main window, on a switcher whose
windows the test reports (the watcher thread is not started: ``on_window`` is what it calls)."""

from __future__ import annotations

import os

import pytest
from PySide6.QtWidgets import QComboBox, QLineEdit

from app.gui.rules_page import RulesDialog
from pipeline.focus import ProfileSwitcher, WatcherUnavailable, WindowInfo
from pipeline.settings import load_config

PLAYER = WindowInfo(title="Film - VLC", process="vlc", wm_class=("vlc", "Vlc"), pid=42,
                    window_id=2)  # fmt: skip
EDITOR = WindowInfo(title="notes.txt - gedit", process="gedit", wm_class=("gedit", "Gedit"),
                    pid=43, window_id=3)  # fmt: skip
OURS = WindowInfo(title="HandCue", process="handcue", wm_class=("handcue", "HandCue"),
                  pid=os.getpid(), window_id=4)  # fmt: skip


class NoSource:
    def __call__(self):
        raise WatcherUnavailable("automatic profile switching is not available on Wayland")


@pytest.fixture
def switching_ctx(make_ctx):
    """An AppContext with a ProfileSwitcher on its engine (not started: no thread)."""

    def make(source_factory=None):
        ctx = make_ctx()
        ctx.switcher = ProfileSwitcher(ctx.engine, ctx.config,
                                       source_factory=source_factory or NoSource())  # fmt: skip
        ctx.switcher.add_listener(ctx.switch_changed.emit)
        return ctx

    return make


def set_row(dialog: RulesDialog, row: int, app: str, title: str, profile: str) -> None:
    app_edit = dialog.table.cellWidget(row, 0)
    title_edit = dialog.table.cellWidget(row, 1)
    combo = dialog.table.cellWidget(row, 2)
    assert isinstance(app_edit, QLineEdit) and isinstance(title_edit, QLineEdit)
    assert isinstance(combo, QComboBox)
    app_edit.setText(app)
    title_edit.setText(title)
    combo.setCurrentText(profile)


def test_add_a_rule_from_the_window_picked_next_reorder_test_and_save(qtbot, switching_ctx):
    ctx = switching_ctx()
    ctx.switcher.on_window(EDITOR)
    dialog = RulesDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.add_rule("gedit", "", "slides")
    dialog.start_pick()
    assert dialog.picking
    ctx.switcher.on_window(OURS)  # clicking the button focused HandCue's dialog
    ctx.switcher.on_window(PLAYER)  # then the user clicks the player
    qtbot.waitUntil(lambda: not dialog.picking, timeout=3000)
    # A new rule starts on the active profile (media: the player's built-in rule chose it),
    # not on the empty "custom".
    assert dialog.rows() == [("gedit", "", "slides"), ("Vlc", "", "media")]
    assert "Added rule 2 for Vlc" in dialog.status_label.text()
    set_row(dialog, 1, "Vlc", "", "slides")
    dialog.move_selected(-1)  # the new rule first
    assert dialog.rows() == [("Vlc", "", "slides"), ("gedit", "", "slides")]
    choice = dialog.test_current()  # the player is still the active window
    assert choice is not None and (choice.profile, choice.rule_index) == ("slides", 0)
    assert dialog.table.selectionModel().selectedRows()[0].row() == 0
    assert "profile slides: rule 1 (app 'Vlc') matches Vlc" in dialog.status_label.text()
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    rules = ctx.config.switching.rules
    assert [(r.match.app, r.profile) for r in rules] == [("Vlc", "slides"), ("gedit", "slides")]
    saved, _ = load_config()
    assert saved.switching.rules == rules  # written to the settings file
    assert ctx.engine.profile == "slides"  # the switcher decided again with the new rules


def test_bad_rules_are_shown_and_nothing_is_saved(qtbot, switching_ctx):
    ctx = switching_ctx()
    dialog = RulesDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.add_rule("vlc", "", "media")
    dialog.add_rule("", "  ", "media")
    dialog.accept()
    assert dialog.error_label.text().startswith("Rule 2 (match): empty match")
    dialog.table.removeRow(1)
    dialog.add_rule("", "*[Impress", "slides")
    dialog.accept()
    assert "Rule 2 (title): unclosed '['" in dialog.error_label.text()
    assert ctx.config.switching.rules == ()
    dialog.reject()


def test_built_in_rules_and_options(qtbot, switching_ctx):
    ctx = switching_ctx()
    dialog = RulesDialog(ctx)
    qtbot.addWidget(dialog)
    items = [dialog.builtin_list.item(i).text() for i in range(dialog.builtin_list.count())]
    assert "app 'vlc'  ->  media" in items and "title 'Google Slides'  ->  slides" in items
    dialog.builtin_box.setChecked(False)
    dialog.protect_box.setChecked(False)
    dialog.default_combo.setCurrentText("media")
    dialog.accept()
    switching = ctx.config.switching
    assert (switching.builtin_rules, switching.protect_own_windows, switching.default_profile) == (
        False, False, "media",
    )  # fmt: skip


def test_unavailable_switching_is_said_in_the_page_and_the_window(qtbot, switching_ctx,
                                                                   make_window):  # fmt: skip
    from app.gui.app import start_switching

    ctx = switching_ctx()
    window = make_window(ctx)
    assert start_switching(window) is not None
    assert "not available on Wayland" in window.banner.label.text()  # said once, in the banner
    status = window.switching_status
    assert status.reason_label.text() == "automatic switching unavailable"
    assert "Wayland" in status.reason_label.toolTip()
    assert not status.follow_box.isEnabled()
    dialog = RulesDialog(ctx)
    qtbot.addWidget(dialog)
    assert "not available on Wayland" in dialog.unavailable_label.text()
    assert not dialog.unavailable_label.isHidden()
    assert not dialog.pick_button.isEnabled()
    dialog.reject()


def test_main_window_shows_the_rule_and_a_choice_by_hand_pins(qtbot, switching_ctx, make_window):
    ctx = switching_ctx(source_factory=lambda: None)
    window = make_window(ctx)
    status = window.switching_status
    assert status.follow_box.isChecked()
    ctx.switcher.on_window(PLAYER)
    assert ctx.engine.profile == "media"
    qtbot.waitUntil(lambda: status.reason_label.text() == "built-in rule: Vlc", timeout=2000)
    assert window.profile_combo.currentText() == "media"
    window.switch_profile("slides")  # chosen by hand: pinned
    assert ctx.config.switching.pinned == "slides"
    assert not status.follow_box.isChecked()
    assert status.reason_label.text() == "pinned by hand"
    ctx.switcher.on_window(EDITOR)
    assert ctx.engine.profile == "slides"  # pinned: the window does not matter
    status.follow_box.click()  # follow apps again
    assert ctx.config.switching.pinned == ""
    ctx.switcher.on_window(PLAYER)
    assert ctx.engine.profile == "media"
    assert window.profile_combo.currentText() == "media"


def test_tray_toast_names_the_profile_and_the_rule(qtbot, switching_ctx, make_window):
    from app.gui.tray import TrayController

    ctx = switching_ctx(source_factory=lambda: None)
    window = make_window(ctx)
    tray = TrayController(window, force_available=False)
    ctx.switcher.on_window(EDITOR)  # the first decision: no toast
    assert tray.last_toast is None
    ctx.switcher.on_window(PLAYER)
    assert tray.last_toast is not None
    assert tray.last_toast[0] == "HandCue profile: media"
    assert tray.last_toast[1].startswith("built-in rule (app 'vlc') matches Vlc")


def test_removing_a_profile_a_rule_uses_is_refused_with_a_clear_message(qtbot, make_ctx):
    from app.gui.mapping_editor import MappingEditor
    from pipeline.settings import Profile, Rule, RuleMatch, SwitchingSettings, save_config

    ctx = make_ctx()
    cfg = ctx.config.model_copy(update={
        "profiles": {**ctx.config.profiles, "gaming": Profile()},
        "switching": SwitchingSettings(rules=(Rule(match=RuleMatch(app="steam"),
                                                   profile="gaming"),)),
    })  # fmt: skip
    save_config(cfg)
    ctx.set_config(load_config()[0])
    editor = MappingEditor(ctx)
    qtbot.addWidget(editor)
    editor._fill_profiles(select="gaming")
    assert editor.remove_profile(confirm=False)
    assert not editor.save()
    assert editor.validation.text() == (
        "Not saved: switching.rules[0].profile: unknown profile 'gaming' "
        "(profiles: slides, media, custom, viewer)"
    )
    assert "gaming" in load_config()[0].profiles  # the file is unchanged


def test_testing_uses_the_window_before_handcue_and_edits_the_rules_profile(
    qtbot, switching_ctx, monkeypatch
):
    """Clicking "Test" makes HandCue's own window the active one: the test is on the window
    the user came from. "Edit its mappings…" opens the editor on the rule's profile."""
    ctx = switching_ctx()
    ctx.switcher.on_window(PLAYER)
    dialog = RulesDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.add_rule("Vlc", "", "media")
    ctx.switcher.on_window(OURS)  # the user came to HandCue to press the button
    choice = dialog.test_current()
    assert choice is not None and (choice.profile, choice.rule_index) == ("media", 0)
    assert "Last window before HandCue: Vlc" in dialog.status_label.text()

    shown = []

    class Editor:
        def __init__(self, ctx, parent, *, profile=None):
            shown.append(profile)

        def exec(self):
            return 0

    monkeypatch.setattr("app.gui.mapping_editor.MappingEditor", Editor)
    dialog.table.selectRow(0)
    dialog.edit_button.click()
    assert shown == ["media"]


def test_a_new_rule_never_starts_on_an_empty_profile(qtbot, switching_ctx):
    ctx = switching_ctx()
    ctx.engine.set_profile("custom")  # the active profile has no mappings
    dialog = RulesDialog(ctx)
    qtbot.addWidget(dialog)
    row = dialog.add_rule("gedit")
    profile = dialog.row_values(row)[2]
    assert ctx.config.profiles[profile].mappings, profile
