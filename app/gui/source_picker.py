"""Choosing what to track: the Source list of the main window's tool bar, the file dialogs,
and the image folder being stepped through. GUI thread only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QFileDialog, QWidget

from app.gui.folder_steps import FolderBar, FolderSteps
from pipeline.sources import is_camera_spec, is_folder_spec

if TYPE_CHECKING:
    from app.gui.context import AppContext
    from app.gui.worker import TrackingSession

VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm *.m4v);;All files (*)"


class SourcePicker(QObject):
    """The source list: the cameras found, the videos and image folders used before (those
    that still exist), then "Open video file…", "Open image folder…" and "Look for cameras
    again". Item data is the source spec (camera index as text, file or folder path), or
    ``"__video__"`` / ``"__folder__"`` / ``"__refresh__"`` for the last three.

    An image folder is analysed one image at a time (``folder``), stepped through with the
    folder bar under the video and the Next / Previous image actions.

    ``chosen`` is emitted whenever the chosen source may have changed, before the folder bar
    is updated for it. ``start`` (given) starts tracking the chosen source; ``session`` tells
    whether one runs and on which spec.
    """

    chosen = Signal()

    def __init__(
        self,
        ctx: AppContext,
        session: TrackingSession,
        combo: QComboBox,
        folder_bar: FolderBar,
        step_actions: tuple[QAction, QAction],
        start: Callable[[], None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._session = session
        self._combo = combo
        self._folder_bar = folder_bar
        self._step_actions = step_actions
        self._start = start
        self._parent = parent  # the file dialogs' parent
        self.cameras: list[int] = []
        self.folder: FolderSteps | None = None  # an image folder being stepped through

    def refresh_cameras(self) -> None:
        """Probe cameras and rebuild the source list (keeps a chosen file)."""
        combo = self._combo
        current = self.current()
        cameras = self._ctx.list_cameras()
        combo.clear()
        for index in cameras:
            combo.addItem(f"Camera {index}", str(index))
        if not cameras:
            combo.addItem("No camera found", None)
            combo.model().item(0).setEnabled(False)  # type: ignore[attr-defined]
        missing = []
        for path in self._ctx.recent_sources():
            if is_camera_spec(path):
                continue
            if Path(path).exists():
                self._add_path_item(path)
            else:
                missing.append(path)
        for path in missing:  # moved or deleted since: not offered again
            self._ctx.forget_source(path)
        combo.insertSeparator(combo.count())
        combo.addItem("Open video file…", "__video__")
        combo.addItem("Open image folder…", "__folder__")
        combo.addItem("Look for cameras again", "__refresh__")
        self.cameras = cameras
        self.select(current if current else (str(cameras[0]) if cameras else None))

    def _add_path_item(self, spec: str) -> int:
        combo = self._combo
        for i in range(combo.count()):
            if combo.itemData(i) == spec:
                return i
        label = Path(spec).name or spec
        if len(label) > 34:  # the full path is in the tooltip
            label = label[:20] + "…" + label[-13:]
        kind = "Folder" if Path(spec).is_dir() else "Video"
        index = max(0, combo.findData("__video__") - 1)
        if combo.findData("__video__") < 0:
            index = combo.count()
        combo.insertItem(index, f"{kind}: {label}", spec)
        combo.setItemData(index, spec, Qt.ItemDataRole.ToolTipRole)
        return index

    def select(self, spec: str | None) -> None:
        """Make ``spec`` the chosen item (the first item when it is not listed)."""
        i = self._combo.findData(spec) if spec is not None else -1
        self._combo.setCurrentIndex(i if i >= 0 else 0)
        self._on_chosen()

    def _on_chosen(self) -> None:
        self.chosen.emit()
        self.update_folder_bar()

    def current(self) -> str | None:
        """The chosen source spec, or None when nothing playable is chosen."""
        combo = self._combo
        data = combo.currentData() if combo.count() else None
        if not data or str(data).startswith("__"):
            return None
        return str(data)

    def set_source(self, spec: str, *, start: bool = True) -> None:
        """Choose ``spec`` (camera index, video file or image folder) and optionally start."""
        if not is_camera_spec(spec):
            self._add_path_item(spec)
            self._ctx.remember_source(spec)
        elif self._combo.findData(spec) < 0:
            self._combo.insertItem(0, f"Camera {spec}", spec)
        self.select(spec)
        if start:
            self._start()

    def on_activated(self, index: int) -> None:
        """The user picked item ``index`` of the list."""
        data = self._combo.itemData(index)
        session = self._session
        if data == "__video__":
            self.choose_video()
        elif data == "__folder__":
            self.choose_folder()
        elif data == "__refresh__":
            self.refresh_cameras()
        elif data and session.running and data != session.spec:
            self._start()  # switching source while running restarts on the new one
        self._on_chosen()

    def choose_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self._parent, "Open a video", str(Path.home()), VIDEO_FILTER
        )
        if path:
            self.set_source(path)
        else:
            self.select(self._session.spec or None)

    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self._parent, "Open a folder of images", str(Path.home())
        )
        if path:
            self.set_source(path)
        else:
            self.select(self._session.spec or None)

    # ------------------------------------------------------------------ image folders
    def folder_target(self, spec: str) -> str | None:
        """The image of folder ``spec`` to analyse now (the first when it was not stepped
        through before); None when the folder has no images."""
        if self.folder is None or self.folder.folder != spec:
            steps = FolderSteps(spec)
            if not steps.files:
                self.folder = None
                return None
            self.folder = steps
        return str(self.folder.current)

    def step_image(self, delta: int) -> None:
        """Show the next (``delta`` 1) or previous (-1) image of the chosen folder."""
        spec = self.current()
        if spec is None or not is_folder_spec(spec):
            return
        if self.folder is None or self.folder.folder != spec:
            if self.folder_target(spec) is None:
                return
        else:
            self.folder.step(delta)
        self._start()

    def update_folder_bar(self) -> None:
        """Show the folder bar and enable the Next / Previous actions when a folder is chosen
        (and forget the folder stepped through when another source is)."""
        spec = self.current()
        folder = spec is not None and is_folder_spec(spec)
        if not folder:
            self.folder = None
        self._folder_bar.show_steps(self.folder if folder else None)
        for action in self._step_actions:
            action.setEnabled(folder)
