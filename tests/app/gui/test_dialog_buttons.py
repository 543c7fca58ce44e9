"""Dialog buttons carry words only, whatever the desktop theme says: desktop themes put dark
icons on OK / Cancel / Close on our dark theme, unlike the app's other buttons (issue 39,
cosmetics: consistent icons)."""

from __future__ import annotations

from PySide6.QtWidgets import QCommonStyle, QDialogButtonBox, QStyle

from app.gui.app import TextOnlyDialogButtons


class IconTheme(QCommonStyle):
    """Stands in for a desktop theme that gives dialog buttons icons (GNOME, KDE)."""

    def styleHint(self, hint, option=None, widget=None, data=None):  # noqa: ANN001, ANN201, N802
        if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
            return 1
        return super().styleHint(hint, option, widget, data)


def test_the_proxy_takes_the_icons_off_dialog_buttons(qapp) -> None:
    theme = IconTheme()
    hint = QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons
    assert theme.styleHint(hint) == 1
    assert TextOnlyDialogButtons(IconTheme()).styleHint(hint) == 0
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    box.setStyle(TextOnlyDialogButtons(IconTheme()))
    assert all(button.icon().isNull() for button in box.buttons())


CHILD = """
from PySide6.QtWidgets import QApplication, QCommonStyle, QDialogButtonBox, QStyle
HINT = QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons
class IconTheme(QCommonStyle):  # the desktop theme
    def styleHint(self, hint, option=None, widget=None, data=None):
        return 1 if hint == HINT else super().styleHint(hint, option, widget, data)
app = QApplication([])
app.setStyle(IconTheme())
from app.gui import app as app_module
app_module.QStyleFactory.create = staticmethod(lambda name: IconTheme())
app_module.make_application()
box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
print(app.style().styleHint(HINT), box.buttons()[0].icon().isNull())
"""


def test_the_app_uses_it() -> None:
    """In a process of its own: the app's style is set once for the whole application."""
    import subprocess
    import sys

    from tests.support.commands import handcue_env

    env = handcue_env(QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "True"], done.stdout
