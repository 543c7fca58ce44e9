"""The recorder's list of gestures already saved in the template file: selecting one shows its
saved samples (small skeleton drawings), bad samples can be deleted from the file without
recording the gesture again, and a whole gesture can be removed. Every change asks first,
writes the file atomically (``TemplateStore.save``) and reloads the app's store. GUI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.confirm import confirm_destructive
from app.gui.context import AppContext
from app.gui.recording_model import (
    count,
    delete_question,
    deleted_report,
    read_store,
    remove_question,
)
from app.gui.skeleton_icons import THUMB, sample_icon, thumbnail_list
from pipeline.errors import HandCueError

if TYPE_CHECKING:
    from pipeline.gestures.templates import TemplateStore


class RecordedGesturesPanel(QWidget):
    """The "Recorded gestures" section: the saved gestures (read from disk, not from
    ``ctx.templates``, which the running worker may still use) and the saved samples of the
    selected one, drawn mirrored when ``mirrored`` (like the preview).

    ``failed(text)``: the file could not be read or written, or changed under us; ``text`` says
    so. ``samples_deleted(report)``: saved samples were deleted and the app's store reloaded;
    ``report`` says what happened."""

    failed = Signal(str)
    samples_deleted = Signal(str)

    def __init__(self, ctx: AppContext, *, mirrored: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.mirrored = mirrored
        # The saved samples on screen, to check they are still what the file holds on delete.
        self._saved_shown: tuple[str, np.ndarray] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("RECORDED GESTURES")
        title.setObjectName("sectionTitle")
        layout.addWidget(title)
        row = QHBoxLayout()
        self.recorded_list = QListWidget()
        self.recorded_list.setMaximumHeight(THUMB + 56)
        self.recorded_list.setAccessibleName("Recorded gestures")
        self.recorded_list.currentItemChanged.connect(self._on_recorded_changed)
        row.addWidget(self.recorded_list, 1)
        self.recorded_empty = QLabel("None yet: the gestures you save appear here.")
        self.recorded_empty.setObjectName("hint")
        self.recorded_empty.setWordWrap(True)
        self.recorded_empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.recorded_empty.hide()
        row.addWidget(self.recorded_empty, 1)
        saved = QVBoxLayout()
        self.saved_label = QLabel("")
        self.saved_label.setObjectName("hint")
        self.saved_label.setWordWrap(True)
        saved.addWidget(self.saved_label)
        self.saved_sample_list = thumbnail_list()
        self.saved_sample_list.setFixedHeight(THUMB + 36)
        self.saved_sample_list.itemSelectionChanged.connect(self._on_saved_selection_changed)
        self.saved_sample_list.setAccessibleName("Saved samples of the selected gesture")
        saved.addWidget(self.saved_sample_list)
        row.addLayout(saved, 2)
        buttons = QVBoxLayout()
        self.remove_recorded_button = QPushButton("Remove gesture")
        self.remove_recorded_button.clicked.connect(self.remove_recorded)
        buttons.addWidget(self.remove_recorded_button)
        self.delete_saved_button = QPushButton("Delete saved samples…")
        self.delete_saved_button.setToolTip(
            "Delete the selected samples of the selected gesture from the saved file"
        )
        self.delete_saved_button.clicked.connect(lambda: self.delete_saved_samples())
        buttons.addWidget(self.delete_saved_button)
        buttons.addStretch(1)
        row.addLayout(buttons)
        layout.addLayout(row)

    def _read_store(self) -> TemplateStore | None:
        """The store as on disk, or None after saying why it cannot be read."""
        try:
            return read_store(self.ctx.templates)
        except HandCueError as exc:
            self.failed.emit(str(exc))
            return None

    def fill(self, select: str | None = None) -> None:
        """List the saved gestures from disk; ``select`` one of them and show its samples."""
        self.recorded_list.blockSignals(True)  # one _show_saved at the end, not one per row
        try:
            self.recorded_list.clear()
            store = self._read_store()
            sizes = (
                {n: store.info(n)["samples"] for n in store.names()} if store is not None else {}
            )
            for name, size in sizes.items():
                item = QListWidgetItem(f"{name}  —  {count(size, 'sample')}")
                item.setData(Qt.ItemDataRole.UserRole, name)
                self.recorded_list.addItem(item)
                if name == select:
                    self.recorded_list.setCurrentItem(item)
            self.remove_recorded_button.setEnabled(self.recorded_list.count() > 0)
            empty = self.recorded_list.count() == 0 and store is not None
            self.recorded_list.setVisible(not empty)  # a wrapped sentence, not a clipped row
            self.recorded_empty.setVisible(empty)
        finally:
            self.recorded_list.blockSignals(False)
        self._show_saved(self.selected(), store)

    def selected(self) -> str | None:
        """Name of the saved gesture selected in the list, if any."""
        item = self.recorded_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _on_recorded_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        name = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        self._show_saved(name, self._read_store())

    def _show_saved(self, name: str | None, store: TemplateStore | None) -> None:
        """Thumbnails of the saved samples of ``name`` (numbered from 1, in file order)."""
        self.saved_sample_list.clear()
        self._saved_shown = None
        if name is None or store is None or name not in store.names():
            self.saved_label.setText("Select a recorded gesture to see its saved samples.")
        else:
            samples = store.samples(name)
            self._saved_shown = (name, samples)
            for i, sample in enumerate(samples):
                item = QListWidgetItem(sample_icon(sample, mirrored=self.mirrored), f"#{i + 1}")
                item.setData(Qt.ItemDataRole.UserRole, i)
                self.saved_sample_list.addItem(item)
            self.saved_label.setText(
                f"'{name}': {count(len(samples), 'saved sample')}. Select bad ones (Ctrl- or "
                "Shift-click) and delete them."
            )
        self._on_saved_selection_changed()

    def _on_saved_selection_changed(self) -> None:
        self.delete_saved_button.setEnabled(bool(self.saved_sample_list.selectedItems()))

    def delete_saved_samples(self) -> bool:
        """Delete the selected saved samples of the selected gesture from the file, after the
        user confirms; deleting every sample removes the gesture. Returns True if the file
        changed."""
        if self._saved_shown is None:
            return False
        name, shown = self._saved_shown
        rows = sorted(
            int(item.data(Qt.ItemDataRole.UserRole))
            for item in self.saved_sample_list.selectedItems()
        )
        if not rows:
            return False
        n = len(rows)
        text = delete_question(name, rows, len(shown))
        if not confirm_destructive(
            self.window(), "Delete saved samples", text, f"Delete {count(n, 'sample')}"
        ):
            return False
        try:
            store = read_store(self.ctx.templates)
            if name not in store.names() or not np.array_equal(store.samples(name), shown):
                self.fill(select=name)
                self.failed.emit(
                    f"The saved samples of '{name}' changed on disk since they were shown; "
                    "nothing was deleted. Look at them again and choose anew."
                )
                return False
            left = store.remove_samples(name, rows)
            store.save()
        except HandCueError as exc:
            self.failed.emit(str(exc))
            return False
        self.ctx.reload_templates()
        self.fill(select=name if left else None)
        self.samples_deleted.emit(deleted_report(name, n, left))
        return True

    def remove_recorded(self) -> None:
        """Remove the selected gesture with all its samples from the file, after the user
        confirms."""
        name = self.selected()
        if name is None:
            return
        if not confirm_destructive(self.window(), "Remove gesture", remove_question(name),
                                   "Remove gesture"):  # fmt: skip
            return
        try:
            store = read_store(self.ctx.templates)
            store.remove(name)
            store.save()
        except HandCueError as exc:
            self.failed.emit(str(exc))
            return
        self.ctx.reload_templates()
        self.fill()
