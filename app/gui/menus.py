"""The main window's menu bar: every window and action of the app, with a mnemonic (Alt+letter)
and a keyboard shortcut, so the whole app can be used without a mouse (and a screen reader can
list what it can do). The actions are the window's own (``MainWindow.*_action``, read by
attribute name); this module only arranges them. GUI thread only."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenuBar

#: Shortcut of each action, by attribute name of the window (shown in the menus and tooltips).
SHORTCUTS: dict[str, str] = {
    "open_video_action": "Ctrl+O",
    "open_folder_action": "Ctrl+Shift+O",
    "run_action": "F5",
    "quit_action": "Ctrl+Q",
    "arm_action": "Ctrl+Shift+A",
    "pause_action": "Ctrl+Shift+P",
    "mirror_action": "Ctrl+Shift+I",  # Ctrl+Shift+M is pointer mode
    "next_image_action": "PgDown",
    "previous_image_action": "PgUp",
    "mappings_action": "Ctrl+M",
    "record_action": "Ctrl+R",
    "rules_action": "Ctrl+U",
    "settings_action": "Ctrl+,",
    "guide_action": "F1",
    "gallery_action": "Ctrl+G",
    "pointing_test_action": "Ctrl+Shift+T",
}

#: Menu title -> action attribute names ("-" is a separator).
MENUS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("&File", ("open_video_action", "open_folder_action", "-", "run_action", "-",
               "quit_action")),
    ("&Control", ("arm_action", "pause_action", "-", "mirror_action", "-",
                  "next_image_action", "previous_image_action")),
    ("&Tools", ("mappings_action", "record_action", "rules_action", "settings_action", "-",
                "pointer_action", "pointing_test_action")),
    ("&Help", ("guide_action", "gallery_action", "-", "about_action")),
)  # fmt: skip


def apply_shortcuts(window: QMainWindow) -> None:
    """Give each action of ``window`` named in SHORTCUTS its shortcut and mention it in its
    tooltip."""
    for name, keys in SHORTCUTS.items():
        action: QAction = getattr(window, name)
        action.setShortcut(QKeySequence(keys))
        tip = action.toolTip() or action.text().replace("&", "").rstrip("…")
        native = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
        if native not in tip:
            action.setToolTip(f"{tip} ({native})")


def build_menu_bar(window: QMainWindow) -> QMenuBar:
    """Fill the menu bar of ``window`` (the main window) with its actions named in MENUS;
    returns it."""
    from app.gui.pointing_test import add_pointing_test_action

    add_pointing_test_action(window)  # Tools > Pointing test (the window has no slot for it)
    apply_shortcuts(window)
    bar = window.menuBar()
    bar.setAccessibleName("Main menu")
    for title, names in MENUS:
        menu = bar.addMenu(title)
        menu.setAccessibleName(title.replace("&", ""))
        for name in names:
            if name == "-":
                menu.addSeparator()
            else:
                menu.addAction(getattr(window, name))
    return bar
