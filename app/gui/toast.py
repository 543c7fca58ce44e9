"""The on-screen display: a small frameless, click-through, always-on-top note in a corner of the
screen, so a presenter sees what HandCue did without looking at its window ("Armed",
"Thumb up → Right arrow"), with an optional short sound.

``Osd`` decides what to show from the engine's action records; ``Toast`` is the window. The
window never takes the focus or the mouse (``WindowTransparentForInput``,
``WA_ShowWithoutActivating``): it must not disturb the application being controlled. GUI thread
only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from app.gui.action_words import action_words
from app.gui.video_view import gesture_title

#: Where the toast may sit: preference value -> title for the settings.
POSITIONS: dict[str, str] = {
    "top-right": "Top right",
    "top-left": "Top left",
    "bottom-right": "Bottom right",
    "bottom-left": "Bottom left",
    "top": "Top centre",
    "bottom": "Bottom centre",
}
SHOW_MS = 1600
MARGIN = 24

_STATE_TEXT = {
    "armed": "Armed: gestures act",
    "disarmed": "Disarmed",
    "paused": "Paused",
    "resumed": "Resumed",
}


def floating_flags(platform: str, *, click_through: bool = True) -> Qt.WindowType:
    """Window flags for HandCue's floating windows (this note, pointer mode's ring and click
    palette) on the Qt ``platform`` ("xcb", "windows", "cocoa", ...).

    Always on top, frameless, never focused, click-through unless ``click_through`` is False
    (the palette takes the real mouse). On X11 the window manager is also
    bypassed (an override-redirect window): window managers keep a fullscreen window (a slide
    show) above every managed window, "stays on top" ones included, so a managed note stays
    hidden under the very presentation it reports on; an unmanaged window is stacked by the X
    server alone and is on top when it is raised. Windows and macOS keep "stays on top"
    (topmost / a floating level), which their fullscreen apps do not cover."""
    flags = (
        Qt.WindowType.Tool
        | Qt.WindowType.FramelessWindowHint
        | Qt.WindowType.WindowStaysOnTopHint
        | Qt.WindowType.WindowDoesNotAcceptFocus
    )
    if click_through:
        flags |= Qt.WindowType.WindowTransparentForInput
    if platform == "xcb":
        flags |= Qt.WindowType.X11BypassWindowManagerHint
    return flags


class Toast(QWidget):
    """The note itself: one line of large text for ``SHOW_MS`` ms."""

    def __init__(self) -> None:
        super().__init__(None, floating_flags(QGuiApplication.platformName()))
        self.setObjectName("toast")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName("HandCue notification")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("")
        self.label.setObjectName("toastLabel")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.label)
        self.position = "top-right"
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.timeout.connect(self.hide)

    def show_text(self, text: str, level: str = "info", ms: int = SHOW_MS) -> None:
        self.label.setText(text)
        self.label.setProperty("level", level)
        self.label.style().unpolish(self.label)
        self.label.style().polish(self.label)
        self.adjustSize()
        self.move(self.corner_position())
        self.show()
        self.raise_()
        self._hide_timer.start(ms)

    def corner_position(self) -> QPoint:
        """Top-left point that puts the toast at ``position`` on the primary screen."""
        screen = QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        w, h = self.width(), self.height()
        pos = self.position
        if pos.endswith("left"):
            x = area.left() + MARGIN
        elif pos.endswith("right"):
            x = area.right() - w - MARGIN
        else:
            x = area.left() + (area.width() - w) // 2
        y = area.top() + MARGIN if pos.startswith("top") else area.bottom() - h - MARGIN
        return QPoint(x, y)


class Osd:
    """Shows a toast for arming, disarming, pausing and each action sent, if ``enabled``;
    beeps too if ``sound``. ``beep`` makes the sound (``QApplication.beep`` by default)."""

    def __init__(self, *, enabled: bool = True, sound: bool = False, position: str = "top-right",
                 beep: Callable[[], None] | None = None) -> None:  # fmt: skip
        self.toast = Toast()
        self.enabled = enabled
        self.sound = sound
        self.toast.position = position
        self._beep = beep or QApplication.beep
        self.shown: list[str] = []  # what was shown, newest last (kept short; for tests)
        self._last_s = 0.0

    def configure(self, *, enabled: bool, sound: bool, position: str) -> None:
        self.enabled, self.sound = enabled, sound
        self.toast.position = position if position in POSITIONS else "top-right"
        if not enabled:
            self.toast.hide()

    def notify(self, text: str, level: str = "info") -> None:
        if not self.enabled or not text:
            return
        now = time.monotonic()
        if self.shown and self.shown[-1] == text and now - self._last_s < SHOW_MS / 1000.0:
            return  # the same news twice (the button, then the engine's record of it)
        self._last_s = now
        self.shown = [*self.shown[-19:], text]
        self.toast.show_text(text, level)
        if self.sound:
            self._beep()

    def on_records(self, records: Iterable[object]) -> None:
        """The engine's action records of one frame: show the last one worth showing."""
        text, level = "", "info"
        for record in records:
            words = record_words(record)
            if words:
                text, level = words
        if text:
            self.notify(text, level)

    def close(self) -> None:
        self.toast.close()


def record_words(record: object) -> tuple[str, str] | None:
    """(text, level) for an action record worth a toast, else None: state changes (armed,
    disarmed, paused, resumed) and actions actually sent (not their repeats or releases)."""
    kind = getattr(record, "kind", "")
    status = getattr(record, "status", "")
    if kind == "state" and status in _STATE_TEXT:
        level = {"armed": "armed", "paused": "paused"}.get(status, "info")
        return _STATE_TEXT[status], level
    if kind == "action" and status == "done" and getattr(record, "phase", "") in ("tap", "press"):
        gesture = gesture_title(str(getattr(record, "gesture", "")))
        what = action_words(str(getattr(record, "action", "")))
        return (f"{gesture} → {what}" if what else gesture), "action"
    return None
