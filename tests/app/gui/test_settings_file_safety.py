"""Issue 38 in the app: nothing the user saved or typed is lost, and every fault with the
settings file gets one clear line in the banner. The app is built as ``handcue gui`` builds it
(:func:`app.gui.app.build_context`), on the isolated config folder of each test.

- case 1: the settings file changed outside the app (``handcue config import B.toml``, an
  editor) is noticed and read again; the app's own changes (a profile chosen with Alt+P) are
  merged into it and never write over it; where both changed the same setting the file's
  value stays and the app's version is kept beside it, and the banner says so.
- case 2: one typo in the settings file (``key:rihgt``) loses nothing: the app keeps every
  valid profile, rule and pointer setting, the banner names the line in the app's words and
  offers Open, Fix for me and Restore, and Save in Mappings never writes over the file unless
  the user says so.
- case 13: a settings file far beyond what any settings file holds is refused at start in
  well under a second, and the banner names the file and the limit.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

import app.gui.app as gui_app
from pipeline.actions.sink import RecordingSink
from pipeline.settings import config_path, load_config, read_config_file, write_config_text
from pipeline.settings.bounds import MAX_DEPTH

A_TEXT = """\
# my settings, A
active_profile = "slides"

[profiles.mine]
mappings = [
    { gesture = "thumb_up", action = "key:a" },
]
"""
B_TEXT = """\
# my settings, B (imported while the app runs)
active_profile = "slides"

[tracker]
max_hands = 1

[profiles.mine]
mappings = [
    { gesture = "thumb_up", action = "key:b" },
]
"""

TYPO_TEXT = """\
# my settings, with one typo
active_profile = "mine"

[tracker]
max_hands = 1

[pointer]
dead_zone_px = 5.0

[switching]
rules = [
    { match = { app = "evince" }, profile = "mine" },
]

[profiles.mine]
description = "My slides"
mappings = [
    { gesture = "thumb_up", action = "key:rihgt" },
    { gesture = "thumb_down", action = "key:left" },
]

[profiles.other]
mappings = [
    { gesture = "open_palm", action = "media:play_pause" },
]
"""
TYPO_LINE = 1 + TYPO_TEXT.splitlines().index('    { gesture = "thumb_up", action = "key:rihgt" },')
BACKUP_TEXT = 'active_profile = "other"\n\n[profiles.other]\nmappings = []\n'


@pytest.fixture
def start_app(make_window):
    """``start_app(text, backup=...)``: the app as ``handcue gui`` starts it, on the settings
    ``text`` (written as ``handcue config import`` does; with ``backup``, as typed in an
    editor) and the ``.bak`` text. Its settings-file watch ends with the test."""
    contexts = []

    def start(text: str | None = None, *, backup: str | None = None):
        path = config_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is not None:
            write_config_text(text, path) if backup is None else path.write_text(text)
        if backup is not None:
            path.with_name(path.name + ".bak").write_text(backup)
        ctx = gui_app.build_context(sink=RecordingSink())
        contexts.append(ctx)
        return path, ctx, make_window(ctx)

    yield start
    for ctx in contexts:
        ctx.stop_watching_settings()


def _choose_profile_by_keyboard(qtbot, window, key: Qt.Key) -> None:
    """Alt+P (the profile list has the focus), then Down or Up, then Return."""
    combo = window.profile_combo
    combo.setFocus()
    before = window.ctx.active_profile()
    qtbot.keyClick(combo, key)
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.ctx.active_profile() != before, timeout=2000)


def _button(window, text: str):
    found = [b for b in window.banner.action_buttons if b.text() == text]
    assert found, [b.text() for b in window.banner.action_buttons]
    return found[0]


def _kept_beside(path: Path, kind: str) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.{kind}-*"))


# ------------------------------------------------------------------ case 1
def test_an_import_while_the_app_runs_survives_two_profile_changes(qtbot, start_app):
    path, ctx, window = start_app(A_TEXT)
    write_config_text(B_TEXT, path)  # handcue config import B.toml, while the app runs
    _choose_profile_by_keyboard(qtbot, window, Qt.Key.Key_Down)
    _choose_profile_by_keyboard(qtbot, window, Qt.Key.Key_Up)
    saved, problems = load_config()
    assert problems == []
    assert saved.profile("mine").mappings[0].action == "key:b"  # B is still there
    assert saved.tracker.max_hands == 1
    assert ctx.config.tracker.max_hands == 1  # and in use
    assert saved.active_profile == ctx.active_profile()  # the app's own change is kept too


def test_the_app_notices_an_outside_change_and_reloads_it(qtbot, start_app):
    path, ctx, window = start_app(A_TEXT)
    write_config_text(B_TEXT, path)
    qtbot.waitUntil(lambda: ctx.config.tracker.max_hands == 1, timeout=5000)
    assert ctx.config.profile("mine").mappings[0].action == "key:b"
    assert ctx.engine.config.tracker.max_hands == 1
    assert "changed outside HandCue" in window.banner.label.text()
    assert path.read_text() == B_TEXT  # read, not rewritten: the comments are still there


def test_when_both_changed_the_same_setting_the_other_version_is_kept_beside(qtbot, start_app):
    path, ctx, window = start_app(A_TEXT)
    # B chooses another profile; the app chooses one before it has seen B
    write_config_text(B_TEXT.replace('active_profile = "slides"', 'active_profile = "custom"'),
                      path)  # fmt: skip
    ctx.set_active_profile("media")
    saved = load_config()[0]
    assert saved.active_profile == "custom"  # the file's choice was not written over
    assert saved.tracker.max_hands == 1
    (beside,) = _kept_beside(path, "conflict")
    other = read_config_file(beside)[0]
    assert other is not None and other.active_profile == "media"  # the app's version
    text = window.banner.label.text()
    assert beside.name in text and "active profile" in text.lower()


# ------------------------------------------------------------------ case 2
def test_a_typo_keeps_every_valid_setting_and_the_banner_names_the_line(qtbot, start_app):
    path, ctx, window = start_app(TYPO_TEXT, backup=BACKUP_TEXT)
    cfg = ctx.config
    assert cfg.tracker.max_hands == 1 and cfg.pointer.dead_zone_px == 5.0
    assert [r.match.app for r in cfg.switching.rules] == ["evince"]
    assert [m.gesture for m in cfg.profile("mine").mappings] == ["thumb_down"]  # the bad one out
    assert cfg.profile("other").mappings[0].action == "media:play_pause"
    text = window.banner.label.text()
    assert f"Line {TYPO_LINE}" in text and "Thumb up" in text and "rihgt" in text
    assert "profiles.mine" not in text  # the app's words, not the file's keys
    for button in ("Open settings file", "Fix for me", "Restore backup"):
        _button(window, button)
    assert path.read_text() == TYPO_TEXT


def _answer(dialog, button_text: str | None) -> list[str]:
    """Answer the next message box over ``dialog`` (None: Cancel)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    seen: list[str] = []

    def answer(tries: int = 0) -> None:
        boxes = [b for b in dialog.findChildren(QMessageBox) if b.isVisible()]
        if not boxes:
            if tries < 200:
                QTimer.singleShot(10, dialog, lambda: answer(tries + 1))
            return
        box = boxes[0]
        seen.append(box.text())
        if button_text is None:
            box.button(QMessageBox.StandardButton.Cancel).click()
        else:
            next(b for b in box.buttons() if b.text() == button_text).click()
        if box.isVisible():
            box.reject()

    QTimer.singleShot(0, dialog, answer)
    return seen


@pytest.mark.parametrize("answer", [None, "Replace the file"])
def test_save_in_mappings_never_writes_over_a_broken_file_unasked(qtbot, start_app, answer):
    from app.gui.mapping_editor import MappingEditor

    path, ctx, window = start_app(TYPO_TEXT, backup=BACKUP_TEXT)
    backup = path.with_name(path.name + ".bak")
    editor = MappingEditor(ctx, window)
    qtbot.addWidget(editor)
    asked = _answer(editor, answer)
    saved = editor.save()  # Save, without editing anything
    assert asked and "rihgt" in asked[0]
    assert backup.read_text() == BACKUP_TEXT  # the good backup is never replaced by the typo
    if answer is None:
        assert not saved
        assert path.read_text() == TYPO_TEXT
        assert not _kept_beside(path, "invalid")
        return
    assert saved
    (kept,) = _kept_beside(path, "invalid")
    assert kept.read_text() == TYPO_TEXT
    new = load_config()[0]
    assert new.profile("other").mappings[0].action == "media:play_pause"
    assert new.tracker.max_hands == 1 and new.pointer.dead_zone_px == 5.0


def test_fix_for_me_drops_just_the_bad_entry_and_keeps_the_old_file(qtbot, start_app):
    path, ctx, window = start_app(TYPO_TEXT, backup=BACKUP_TEXT)
    _button(window, "Fix for me").click()
    fixed, problems = load_config()
    assert problems == []
    assert [m.action for m in fixed.profile("mine").mappings] == ["key:left"]
    assert fixed.profile("other").mappings[0].action == "media:play_pause"
    assert fixed.tracker.max_hands == 1 and fixed.pointer.dead_zone_px == 5.0
    assert [r.match.app for r in fixed.switching.rules] == ["evince"]
    (kept,) = _kept_beside(path, "invalid")
    assert kept.read_text() == TYPO_TEXT
    assert path.with_name(path.name + ".bak").read_text() == BACKUP_TEXT
    assert kept.name in window.banner.label.text()


def test_restore_puts_the_backup_back_and_keeps_the_broken_file(qtbot, start_app):
    path, ctx, window = start_app(TYPO_TEXT, backup=BACKUP_TEXT)
    _button(window, "Restore backup").click()
    assert path.read_text() == BACKUP_TEXT
    assert ctx.config.active_profile == "other"
    (kept,) = _kept_beside(path, "invalid")
    assert kept.read_text() == TYPO_TEXT


def test_a_profile_chosen_while_the_file_is_broken_does_not_write_over_it(qtbot, start_app):
    path, ctx, window = start_app(TYPO_TEXT, backup=BACKUP_TEXT)
    _choose_profile_by_keyboard(qtbot, window, Qt.Key.Key_Down)
    assert path.read_text() == TYPO_TEXT
    assert path.with_name(path.name + ".bak").read_text() == BACKUP_TEXT


def test_a_typo_saved_in_an_editor_while_the_app_runs_is_shown_then_fixed(qtbot, start_app):
    path, ctx, window = start_app(A_TEXT)
    path.write_text(TYPO_TEXT)  # an editor saves the file with a typo
    qtbot.waitUntil(lambda: "rihgt" in window.banner.label.text(), timeout=5000)
    assert f"Line {TYPO_LINE}" in window.banner.label.text()
    assert ctx.config.profile("other").mappings  # the valid part is taken in
    ctx.set_active_profile("custom")  # a change made meanwhile is held back
    assert path.read_text() == TYPO_TEXT
    path.write_text(TYPO_TEXT.replace("rihgt", "right"))  # and corrected
    qtbot.waitUntil(lambda: ctx.settings_file.fault is None, timeout=5000)
    saved = load_config()[0]
    assert saved.active_profile == "custom"  # the held-back change, merged in
    assert saved.profile("mine").mappings[0].action == "key:right"
    assert "rihgt" not in window.banner.label.text()


def test_open_settings_file_opens_the_file(qtbot, start_app, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    path, ctx, window = start_app(TYPO_TEXT, backup=BACKUP_TEXT)
    _button(window, "Open settings file").click()
    assert [u.toLocalFile() for u in opened] == [str(path)]


def test_the_banner_names_settings_as_the_windows_label_them(qtbot, make_ctx):
    """The banner's labels are the ones the Settings and Rules windows show."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    from app.gui import banner
    from app.gui.rules_page import RulesDialog
    from app.gui.settings_dialog import SettingsDialog

    ctx = make_ctx()
    texts = []
    for dialog in (SettingsDialog(ctx), RulesDialog(ctx)):
        qtbot.addWidget(dialog)
        texts += [w.text() for w in dialog.findChildren(QLabel)]
        texts += [w.text() for w in dialog.findChildren(QAbstractButton)]
    shown = "\n".join(texts)
    for (table, _key), label in banner._LABELS.items():
        if table != "switching" or _key != "pinned":
            assert label in shown, label


# ------------------------------------------------------------------ case 13
def test_a_huge_settings_file_is_refused_at_start_and_the_banner_names_the_limit(
    qtbot, make_window
):
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[" + ".".join(["a"] * 100_000) + "]\n", encoding="utf-8")
    before = path.read_bytes()
    start = time.perf_counter()
    ctx = gui_app.build_context(sink=RecordingSink())
    elapsed = time.perf_counter() - start
    window = make_window(ctx)
    text = window.banner.label.text()
    assert str(path) in text and f"more than {MAX_DEPTH} levels" in text
    assert window.banner.level == "warning"
    assert elapsed < 2.0, f"{elapsed:.2f} s"
    assert path.read_bytes() == before


def test_restore_says_what_it_restored_and_keeps_follow_apps(qtbot, start_app):
    """'Restore backup' names the file it used, and leaves the profile choice as it was
    (following the active window stays on: it is not a choice by hand)."""
    path, ctx, window = start_app(TYPO_TEXT, backup=BACKUP_TEXT)
    pinned_before = ctx.config.switching.pinned
    _button(window, "Restore backup").click()
    assert "Restored your settings from config.toml.bak" in window.banner.label.text()
    assert ctx.config.switching.pinned == pinned_before == ""  # nothing was pinned by it
