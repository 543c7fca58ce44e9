"""Stepping through a folder of images one at a time.

Photos are not a film: played as a 30 fps slideshow the tracker drops most of them and the user
cannot see which photo gave which result. Instead the main window analyses one image at a time
(``FolderSteps.current`` is started as a one-image source) and the user moves with Next /
Previous (Page Down / Page Up); the bar under the video names the file. GUI thread only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from pipeline.sources import list_images


class FolderSteps:
    """The images of ``folder`` (name order) and which one is shown."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.files: list[Path] = list_images(Path(folder))
        self.index = 0

    @property
    def current(self) -> Path:
        return self.files[self.index]

    def step(self, delta: int) -> Path:
        """Move ``delta`` images on (wrapping round at either end); the new current file."""
        self.index = (self.index + delta) % len(self.files)
        return self.current

    def describe(self) -> str:
        return f"{self.current.name} ({self.index + 1} of {len(self.files)})"


class FolderBar(QWidget):
    """Previous / file name / Next, shown under the video while an image folder is chosen."""

    step_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.previous_button = QPushButton("◀ Previous")
        self.previous_button.setAccessibleName("Previous image")
        self.previous_button.setToolTip("Show the previous image (Page Up)")
        self.previous_button.clicked.connect(lambda: self.step_requested.emit(-1))
        self.name_label = QLabel("")
        self.name_label.setObjectName("hint")
        self.name_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name_label.setAccessibleName("Image shown")
        self.next_button = QPushButton("Next ▶")
        self.next_button.setAccessibleName("Next image")
        self.next_button.setToolTip("Show the next image (Page Down)")
        self.next_button.clicked.connect(lambda: self.step_requested.emit(1))
        row.addWidget(self.previous_button)
        row.addWidget(self.name_label, 1)
        row.addWidget(self.next_button)

    def show_steps(self, steps: FolderSteps | None) -> None:
        self.setVisible(steps is not None)
        if steps is not None:
            self.name_label.setText(steps.describe())
            self.name_label.setToolTip(str(steps.current))
