"""The message banner above the video, the words it uses for the settings file's problems
(and the question a dialog asks before it replaces a file with a mistake), and the empty state
shown in the video area before anything plays. GUI thread only (the wording functions are
plain)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app import resources
from pipeline.sources import is_camera_spec

if TYPE_CHECKING:
    from pipeline.settings.guard import SettingsFault
    from pipeline.settings.salvage import LeftOut

# The settings as the app's windows label them (Settings' General page, Rules, Mappings), so a
# problem in the file is named as the user sees the setting, not by its key in the file.
# Settings no window shows keep their key, in words.
_WINDOWS = {
    "tracker": "Settings",
    "gestures": "Settings",
    "actions": "Settings",
    "pointer": "Settings, Pointer",
    "switching": "Rules",
    "profiles": "Mappings",
}
_LABELS = {
    ("tracker", "model"): "Hand model",
    ("tracker", "max_hands"): "Hands to track",
    ("tracker", "provider"): "Run on",
    ("tracker", "smoothing"): "Smoothing",
    ("tracker", "far_hands"): "Look for far hands",
    ("tracker", "power_saving"): "Power saving when no hand",
    ("gestures", "counting"): "Counting",
    ("gestures", "hold_ms"): "Recognise after",
    ("actions", "default_hold_ms"): "Default hold",
    ("actions", "default_cooldown_ms"): "Default cooldown",
    ("actions", "arm_gesture"): "Arm gesture",
    ("actions", "arm_hold_ms"): "Hold to arm",
    ("actions", "pause_hotkey"): "Pause hotkey",
    ("switching", "enabled"): "Switch profiles by the active window",
    ("switching", "builtin_rules"): "After my rules, use the built-in ones",
    ("switching", "protect_own_windows"): "While a HandCue window has the focus, send nothing "
    "but arm/disarm",
    ("switching", "default_profile"): "When no rule matches",
    ("switching", "pinned"): "the profile chosen by hand (Follow apps)",
}
# The mapping editor's columns.
_MAPPING_LABELS = {"gesture": "Gesture", "action": "Action", "trigger": "Trigger", "hand": "Hand",
                   "hold_ms": "Hold", "cooldown_ms": "Cooldown", "repeat_ms": "Repeat"}  # fmt: skip
# The schema's messages name every choice an action may take; the banner keeps the first part.
_MESSAGE_CUTS = (" (use one character", ". Allowed:")


def setting_words(path: Iterable[object], gesture: str | None = None) -> str:
    """Where a setting is, in the app's words: ``("tracker", "max_hands")`` -> "Settings,
    Hands to track"; ``("profiles", "mine", "mappings", 0, "action")`` -> "Mappings, profile
    mine, the Thumb up mapping (Action)" when ``gesture`` is ``"thumb_up"``."""
    from pipeline.pointer.settings import PointerSettings

    loc = tuple(path)
    if not loc:
        return "the settings"
    head = str(loc[0])
    if loc == ("active_profile",):
        return "the active profile"
    if head == "profiles" and len(loc) >= 2:
        words = f"Mappings, profile {loc[1]}"
        if len(loc) >= 4 and loc[2] == "mappings" and isinstance(loc[3], int):
            words += (
                f", the {_gesture_words(gesture)} mapping" if gesture else f", mapping {loc[3] + 1}"
            )
            if len(loc) >= 5:
                words += f" ({_MAPPING_LABELS.get(str(loc[4]), _plain(loc[4]))})"
        elif len(loc) >= 3:
            words += f", {_plain(loc[2])}"
        return words
    if head == "switching" and len(loc) >= 3 and loc[1] == "rules" and isinstance(loc[2], int):
        return f"Rules, rule {loc[2] + 1}"
    window = _WINDOWS.get(head)
    if window is None:
        return _plain(".".join(str(p) for p in loc))
    if len(loc) == 1:
        return window
    label = _LABELS.get((head, str(loc[1])))
    if label is None and head == "pointer":
        field = PointerSettings.model_fields.get(str(loc[1]))
        label = field.title if field is not None else None
    return f"{window}, {label or _plain(loc[1])}"


def _plain(key: object) -> str:
    return str(key).replace("_", " ")


def _gesture_words(gesture: str) -> str:
    from app.gui.video_view import gesture_title

    return gesture_title(gesture)


def short_reason(reason: str) -> str:
    """The schema's message without the list of every choice (the file's own message, shown
    by ``handcue config validate``, keeps it)."""
    for cut in _MESSAGE_CUTS:
        reason = reason.split(cut, 1)[0]
    return reason


def left_out_words(entry: LeftOut) -> str:
    """One line for an entry left out of the settings file: ``Line 14: Mappings, profile
    mine, the Thumb up mapping (Action): bad action 'key:rihgt': unknown key 'rihgt'``."""
    where = setting_words(entry.field, entry.gesture)
    line = f"Line {entry.line}: " if entry.line is not None else ""
    return f"{line}{where}: {short_reason(entry.reason)}"


def settings_fault_text(fault: SettingsFault, *, held_back: bool = False,
                        others: Iterable[str] = (), started: bool = True) -> str:  # fmt: skip
    """The banner's text for a settings file with a mistake: what is wrong, line by line in
    the app's words, that nothing was written over it, and the choices. ``started``: found
    at start (else the file changed while the app ran)."""
    path = fault.path
    extra = [line for line in others if line]
    if fault.salvaged is None:
        # Nothing can be told apart: the file's own message (file, line and what is wrong).
        details = [p.partition("; using the default settings")[0] for p in fault.problems]
        first = (
            "Your settings file could not be used, so HandCue started with the default "
            "settings: your own profiles and mappings are not loaded. The file itself was "
            f"kept unchanged: {path}"
            if started
            else "Your settings file can no longer be read: HandCue goes on with the settings "
            f"it had and has not changed the file ({path})."
        )
        lines = [first, *details[:6], *extra[:4]]
    else:
        left_out = fault.left_out
        count = len(left_out)
        lines = [
            f"Your settings file has {count} mistake{'s' if count != 1 else ''}: HandCue "
            "uses everything else in it and has not changed the file "
            f"({path}).",
            *(left_out_words(entry) for entry in left_out[:6]),
        ]
        if count > 6:
            lines.append(f"... and {count - 6} more")
        lines += extra[:4]
        lines.append("Open the file to correct it, or Fix for me to leave out just what is wrong "
                     "(the file as it is now is kept beside it).")  # fmt: skip
    if held_back:
        lines.append("What you change in the app is used but not saved until you choose.")
    return "\n".join(lines)


def ask_to_replace_settings_file(parent: QWidget, fault: SettingsFault) -> bool:
    """Ask before a dialog's Save writes over a settings file with a mistake (the file is
    kept beside it, as ``config.toml.invalid-<time>``). True if the user said so."""
    from app.gui.confirm import confirm_destructive

    if fault.salvaged is not None:
        what = "\n".join(left_out_words(entry) for entry in fault.left_out[:6])
        effect = "Saving replaces it with the settings HandCue uses now, which leave that out."
    else:
        what = "\n".join(p.partition("; using the default settings")[0] for p in fault.problems[:3])
        effect = "Saving replaces it with the settings HandCue uses now."
    text = (
        f"Your settings file has a mistake:\n{what}\n\n{effect} The file as it is now is "
        f"kept beside it (named {fault.path.name}.invalid-<date>).\n\nTo correct it yourself "
        "instead, Cancel and choose Open settings file above the video."
    )
    return confirm_destructive(parent, "Replace the settings file?", text, "Replace the file")


class Banner(QWidget):
    """One-line message above the video (error / warning / info) with optional action
    buttons. ``dismissed`` is emitted when it is cleared."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setObjectName("banner")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.label.setAccessibleName("Message")
        self.actions_row = QHBoxLayout()
        layout.addLayout(self.actions_row)
        self.close_button = QPushButton("Dismiss")
        self.close_button.setAccessibleDescription("Hide this message")
        self.close_button.clicked.connect(self.clear)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.level = ""
        self.sticky = False
        self.action_buttons: list[QPushButton] = []
        self.hide()

    def show_message(self, text: str, level: str = "error",
                     actions: tuple[tuple[str, object], ...] = ()) -> None:  # fmt: skip
        """Show ``text``; ``actions`` are (button text, callable) pairs shown beside it."""
        self.level = level
        self.sticky = level == "warning" and bool(actions)  # stays until dismissed
        self._set_actions(actions)
        self.label.setText(text)
        self.label.setProperty("level", level)
        self.label.style().unpolish(self.label)
        self.label.style().polish(self.label)
        self.show()

    def _set_actions(self, actions: tuple[tuple[str, object], ...]) -> None:
        for button in self.action_buttons:
            self.actions_row.removeWidget(button)
            button.deleteLater()
        self.action_buttons = []
        for text, slot in actions:
            button = QPushButton(text)
            button.clicked.connect(slot)
            self.actions_row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            self.action_buttons.append(button)

    def clear(self) -> None:
        self.level = ""
        self.sticky = False
        self.label.clear()
        self._set_actions(())
        self.hide()
        self.dismissed.emit()


class EmptyState(QWidget):
    """What the video area shows before anything plays."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        icon = QLabel()
        icon.setPixmap(resources.icon("camera").pixmap(QSize(72, 72)))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(icon)
        self.title = QLabel()
        self.title.setObjectName("emptyTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        self.text = QLabel()
        self.text.setObjectName("emptyText")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setWordWrap(True)
        layout.addWidget(self.text)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.start_button = QPushButton("Start camera")
        self.start_button.setProperty("accent", True)
        self.open_video_button = QPushButton("Open video…")
        self.open_video_button.setProperty("accent", True)
        self.open_folder_button = QPushButton("Open image folder…")
        for b in (self.start_button, self.open_video_button, self.open_folder_button):
            b.setMinimumHeight(34)
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(3)

    def set_source(self, spec: str | None, cameras: list[int]) -> None:
        """What to say before anything plays: about the chosen file or folder, if any."""
        if spec and not is_camera_spec(spec):
            kind = "image folder" if Path(spec).is_dir() else "video"
            self.title.setText(f"Ready to play the {kind}")
            self.text.setText(f"Press Start (F5) to track {Path(spec).name or spec}.")
            self.start_button.show()
            self.start_button.setText("Start")
            return
        self.start_button.setText("Start camera")
        self.set_cameras(cameras)

    def show_problem(self, title: str, text: str) -> None:
        """Say why nothing plays (the same thing the banner and the status line say): a source
        that cannot be opened, models that are not installed."""
        self.title.setText(title)
        self.text.setText(text)
        self.start_button.setText("Try again")
        self.start_button.show()

    def set_cameras(self, cameras: list[int]) -> None:
        if cameras:
            self.title.setText("Ready when you are")
            self.text.setText(
                f"Press Start camera to track your hands with camera {cameras[0]}, "
                "or try HandCue on a video file or a folder of photos."
            )
            self.start_button.show()
            self.open_video_button.setProperty("accent", False)
        else:
            self.title.setText("No camera found")
            self.text.setText(
                "Connect a webcam and choose it under Source, or try HandCue on a video file or "
                "a folder of photos."
            )
            self.start_button.hide()
            self.open_video_button.setProperty("accent", True)
