"""A field that records a key or key combination when the user presses it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

_NAMED: dict[int, str] = {
    Qt.Key.Key_Space: "space", Qt.Key.Key_Tab: "tab", Qt.Key.Key_Backtab: "tab",
    Qt.Key.Key_Backspace: "backspace", Qt.Key.Key_Return: "enter", Qt.Key.Key_Enter: "enter",
    Qt.Key.Key_Escape: "esc", Qt.Key.Key_Delete: "delete", Qt.Key.Key_Insert: "insert",
    Qt.Key.Key_Home: "home", Qt.Key.Key_End: "end", Qt.Key.Key_PageUp: "page_up",
    Qt.Key.Key_PageDown: "page_down", Qt.Key.Key_Left: "left", Qt.Key.Key_Right: "right",
    Qt.Key.Key_Up: "up", Qt.Key.Key_Down: "down", Qt.Key.Key_CapsLock: "caps_lock",
    Qt.Key.Key_NumLock: "num_lock", Qt.Key.Key_ScrollLock: "scroll_lock",
    Qt.Key.Key_Print: "print_screen", Qt.Key.Key_Pause: "pause", Qt.Key.Key_Menu: "menu",
    Qt.Key.Key_MediaPlay: "media_play_pause", Qt.Key.Key_MediaTogglePlayPause: "media_play_pause",
    Qt.Key.Key_MediaNext: "media_next", Qt.Key.Key_MediaPrevious: "media_previous",
    Qt.Key.Key_VolumeUp: "media_volume_up", Qt.Key.Key_VolumeDown: "media_volume_down",
    Qt.Key.Key_VolumeMute: "media_volume_mute",
}  # fmt: skip
_MODIFIER_KEYS = {Qt.Key.Key_Control, Qt.Key.Key_Shift, Qt.Key.Key_Alt, Qt.Key.Key_Meta,
                  Qt.Key.Key_AltGr, Qt.Key.Key_Super_L, Qt.Key.Key_Super_R}  # fmt: skip
_MODIFIER_NAMES = {Qt.Key.Key_Control: "ctrl", Qt.Key.Key_Alt: "alt", Qt.Key.Key_Shift: "shift",
                   Qt.Key.Key_Meta: "cmd", Qt.Key.Key_Super_L: "cmd",
                   Qt.Key.Key_Super_R: "cmd"}  # fmt: skip
# Written as names because '+' separates keys in a combo and ':' separates the action type.
_SPELL = {"+": "plus", ":": "colon"}


def key_name(key: int, text: str = "") -> str | None:
    """Canonical HandCue key name of a Qt key code, or None for keys HandCue cannot send."""
    if key in _NAMED:
        return _NAMED[key]
    if Qt.Key.Key_F1 <= key <= Qt.Key.Key_F20:
        return f"f{key - Qt.Key.Key_F1 + 1}"
    if 0x20 < key < 0x7F:
        return _SPELL.get(chr(key), chr(key).lower())
    if len(text) == 1 and text.isprintable() and not text.isspace():
        return _SPELL.get(text, text)
    return None


def modifier_names(mods: Qt.KeyboardModifier) -> list[str]:
    names = []
    if mods & Qt.KeyboardModifier.ControlModifier:
        names.append("ctrl")
    if mods & Qt.KeyboardModifier.AltModifier:
        names.append("alt")
    if mods & Qt.KeyboardModifier.ShiftModifier:
        names.append("shift")
    if mods & Qt.KeyboardModifier.MetaModifier:
        names.append("cmd")
    return names


class KeyCaptureEdit(QLineEdit):
    """Click, then press a key or a combination: the field shows it and ``action()`` gives the
    HandCue action string (``key:right`` or ``combo:ctrl+shift+t``). Tab and Esc are captured
    while the field is empty (clear it to bind them); once it holds a key they move on, so a
    keyboard user is never stuck in it."""

    captured = Signal(str)  # the action string

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setPlaceholderText("Click here, then press the key or combination")
        self.setClearButtonEnabled(False)
        self._action = ""

    def action(self) -> str:
        return self._action

    def set_action(self, action: str) -> None:
        """Show an existing ``key:`` / ``combo:`` action."""
        self._action = action
        self.setText(action.partition(":")[2] if action else "")

    def clear_capture(self) -> None:
        self.set_action("")

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt name)
        """Leaving mid-combination ("ctrl+…") or after a key HandCue cannot send shows what is
        really set again, not a half-typed or refused key."""
        self.set_action(self._action)
        super().focusOutEvent(event)

    def event(self, event: QEvent) -> bool:  # Tab would otherwise move the focus
        if event.type() == QEvent.Type.KeyPress:
            if self._leaves(event):  # type: ignore[arg-type]
                return super().event(event)
            self.keyPressEvent(event)  # type: ignore[arg-type]
            return True
        return super().event(event)

    def _leaves(self, event: QKeyEvent) -> bool:
        """Tab, Shift+Tab and Esc leave the field (no keyboard trap) once it holds a key;
        on an empty field they are captured, so they can be bound too."""
        plain = not (event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier)
        keys = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Escape)
        return bool(self._action) and plain and event.key() in keys

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        key = event.key()
        mods = modifier_names(event.modifiers())
        event.accept()
        if key in _MODIFIER_KEYS:
            # Qt reports a modifier key's own press without its modifier: add it
            own = _MODIFIER_NAMES.get(Qt.Key(key))
            held = [m for m in ("ctrl", "alt", "shift", "cmd") if m in mods or m == own]
            self.setText("+".join(held) + "+…" if held else "")
            return
        name = key_name(key, event.text())
        if name is None:
            self.setText("(HandCue cannot send that key)")
            return
        action = "combo:" + "+".join([*mods, name]) if mods else f"key:{name}"
        self.set_action(action)
        self.captured.emit(action)
