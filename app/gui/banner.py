"""The message banner above the video and the empty state shown in the video area before
anything plays. GUI thread only."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app import resources
from pipeline.sources import is_camera_spec


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
