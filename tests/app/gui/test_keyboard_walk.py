"""The whole app works from the keyboard only. Every step is a key press (shortcuts, Tab,
arrows, Space, Return, Esc); nothing is clicked and no method of a window is called to act.
Each step is asserted: the dialog opened, the focus went where it should, the change is saved."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def press(qtbot, window: QWidget, key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press where the keyboard focus is in ``window``."""
    qtbot.keyClick(window.focusWidget() or window, key, mods)


def tab_to(qtbot, window: QWidget, target: QWidget, limit: int = 80) -> None:
    """Press Tab until ``target`` has the focus (fails if it is never reached)."""
    for _ in range(limit):
        if window.focusWidget() is target:
            return
        press(qtbot, window, Qt.Key.Key_Tab)
    assert window.focusWidget() is target, f"Tab never reached {target!r}"


def make_active(qtbot, window: QWidget) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)


def in_next_modal(qtbot, steps: Callable[[QWidget], None]) -> list[BaseException]:
    """Run ``steps(dialog)`` on the next modal dialog once it is open (its exec() blocks the
    key press that opened it). Errors are collected (and the dialog closed) so a failing step
    fails the test instead of hanging it."""
    errors: list[BaseException] = []
    tries = [0]

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            tries[0] += 1
            if tries[0] < 100:
                QTimer.singleShot(20, run)
            return
        try:
            make_active(qtbot, dialog)
            steps(dialog)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
            dialog.reject()

    QTimer.singleShot(20, run)
    return errors


def opened(qtbot, window: QWidget, key, mods, steps: Callable[[QWidget], None]) -> None:
    """Press ``key`` in ``window``: a modal dialog must open; run ``steps`` in it."""
    ran: list[str] = []
    errors = in_next_modal(qtbot, lambda d: (ran.append(type(d).__name__), steps(d)))
    make_active(qtbot, window)
    press(qtbot, window, key, mods)
    assert not errors, errors
    assert ran, "no dialog opened"


def test_whole_app_from_the_keyboard(make_window, qtbot):
    window = make_window()
    ctx = window.ctx
    window.show()
    qtbot.waitExposed(window)
    make_active(qtbot, window)
    window.source_combo.setFocus()

    # 1. Mappings (Ctrl+M): pick the second mapping with the arrow keys, give it F8, save.
    def edit_mapping(editor) -> None:
        tab_to(qtbot, editor, editor.table)
        press(qtbot, editor, Qt.Key.Key_Down)
        assert editor.table.currentRow() == 1
        assert editor.mappings[1].gesture == "swipe_right"
        tab_to(qtbot, editor, editor.form.key_capture)
        press(qtbot, editor, Qt.Key.Key_F8)
        assert editor.mappings[1].action == "key:f8"
        tab_to(qtbot, editor, editor.save_button)  # Tab leaves the key field once it has a key
        press(qtbot, editor, Qt.Key.Key_Space)

    opened(qtbot, window, Qt.Key.Key_M, CTRL, edit_mapping)
    assert ctx.config.profiles["slides"].mappings[1].action == "key:f8"
    from pipeline.settings import load_config

    assert load_config()[0].profiles["slides"].mappings[1].action == "key:f8"  # saved

    # 2. Settings (Ctrl+,): one more hand with the arrow key, Return saves.
    hands = ctx.config.tracker.max_hands

    def change_settings(dialog) -> None:
        tab_to(qtbot, dialog, dialog.max_hands)
        press(qtbot, dialog, Qt.Key.Key_Up)
        assert dialog.max_hands.value() == hands + 1
        press(qtbot, dialog, Qt.Key.Key_Return)  # OK is the default button

    opened(qtbot, window, Qt.Key.Key_Comma, CTRL, change_settings)
    assert ctx.config.tracker.max_hands == hands + 1

    # 3. Record gesture (Ctrl+R): it opens; Esc closes it.
    seen: list[str] = []

    def look_at_recorder(dialog) -> None:
        seen.append(dialog.windowTitle())
        press(qtbot, dialog, Qt.Key.Key_Escape)

    opened(qtbot, window, Qt.Key.Key_R, CTRL, look_at_recorder)
    assert seen == ["Record a gesture"]

    # 4. Getting started (F1) and the gallery (Ctrl+G): open, Esc closes.
    make_active(qtbot, window)
    press(qtbot, window, Qt.Key.Key_F1)
    assert window.guide is not None and window.guide.isVisible()
    make_active(qtbot, window.guide)
    press(qtbot, window.guide, Qt.Key.Key_Escape)
    assert not window.guide.isVisible()
    make_active(qtbot, window)
    press(qtbot, window, Qt.Key.Key_G, CTRL)
    assert window.gallery is not None and window.gallery.isVisible()
    make_active(qtbot, window.gallery)
    press(qtbot, window.gallery, Qt.Key.Key_Escape)
    assert not window.gallery.isVisible()

    # 5. Arm, pause and resume from the keyboard; the toast says so.
    make_active(qtbot, window)
    press(qtbot, window, Qt.Key.Key_A, CTRL | SHIFT)
    assert ctx.engine.armed and window.arm_state == "armed"
    press(qtbot, window, Qt.Key.Key_P, CTRL | SHIFT)
    assert ctx.engine.paused and window.arm_state == "paused"
    press(qtbot, window, Qt.Key.Key_P, CTRL | SHIFT)
    assert not ctx.engine.paused
    assert window.osd.shown[-3:] == ["Armed: gestures act", "Paused", "Resumed"]

    # 6. The arm button itself: Tab to it, Space disarms.
    tab_to(qtbot, window, window.arm_button)
    press(qtbot, window, Qt.Key.Key_Space)
    assert not ctx.engine.armed and window.arm_state == "disarmed"
