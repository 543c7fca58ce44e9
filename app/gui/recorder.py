"""Gesture recorder: name a gesture, record samples of it from the live feed after a countdown,
look at them (small skeleton drawings), delete bad ones, save, and map it right away. Gestures
already saved are listed too: selecting one shows its saved samples, and bad ones can be deleted
from the file without recording the gesture again.

Samples are ``Hand`` objects taken from the newest ``TrackedFrame``; saving stores them with
``pipeline.gestures.templates.TemplateStore`` (atomic write) and the app reloads the store for
the next tracking session. Saved samples are canonical ``(21, 3)`` poses (palm units), drawn with
:func:`sample_icon`."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.gui.context import AppContext
from app.gui.screen_fit import fit_to_screen, scroll_body
from app.gui.video_view import VideoView, gesture_title
from app.gui.worker import TrackedFrame
from pipeline.errors import HandCueError
from pipeline.skeleton import BONES, FINGER_COLOURS
from pipeline.types import Hand

log = logging.getLogger(__name__)

COUNTDOWN_S = 3
SAMPLE_SPACING_MS = 200
THUMB = 88


def skeleton_icon(hand: Hand, size: int = THUMB, *, mirrored: bool = False) -> QIcon:
    """A small drawing of the hand's 2D skeleton, fitted into a ``size`` square (mirrored
    like the preview when ``mirrored``). GUI thread."""
    xy = hand.landmarks[:, :2].astype(np.float64)  # image pixels, y down
    if mirrored:
        xy[:, 0] = -xy[:, 0]
    return _skeleton_drawing(xy, size, min_extent=1.0)


def sample_icon(sample: np.ndarray, size: int = THUMB, *, mirrored: bool = False) -> QIcon:
    """A small drawing of a saved sample: ``sample`` is the ``(21, 3)`` canonical pose of
    :func:`pipeline.gestures.templates.sample_from_hand` (palm units, x towards the thumb side,
    y towards the fingers), drawn in the palm plane, fingers up, thumb side on the left (on the
    right when ``mirrored``, like the preview). A sample does not keep which hand it was or
    which side faced the camera, so some thumbnails are the mirror image of what the camera
    saw. GUI thread."""
    pts = np.asarray(sample, dtype=np.float64)
    if pts.shape != (21, 3):
        raise ValueError(f"a saved sample is (21, 3) points, got shape {pts.shape}")
    # Thumb side (+x) to the left, fingers (+y) up, and up is -y on screen.
    xy = np.stack([-pts[:, 0], -pts[:, 1]], axis=1)
    if mirrored:
        xy[:, 0] = -xy[:, 0]
    return _skeleton_drawing(xy, size, min_extent=1e-6)


def skeleton_drawing(xy: np.ndarray, size: int = THUMB) -> QIcon:
    """Our skeleton renderer for any ``(21, 2)`` points (any unit, y down) fitted into a
    ``size`` square (the gesture gallery draws real example poses with it). GUI thread."""
    return _skeleton_drawing(np.asarray(xy, dtype=np.float64)[:, :2], size, min_extent=1e-6)


def _skeleton_drawing(xy: np.ndarray, size: int, *, min_extent: float) -> QIcon:
    """Bones and joints of ``xy`` ``(21, 2)`` (any unit, y down), fitted into a ``size``
    square; an extent below ``min_extent`` is not magnified further."""
    pix = QPixmap(size, size)
    pix.fill(QColor(15, 18, 22))
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    scale = (size - 12) / max(float((hi - lo).max()), min_extent)
    pts = (xy - (lo + hi) / 2) * scale + size / 2
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for a, b, finger in BONES:
        p.setPen(QPen(QColor(*FINGER_COLOURS[finger]), 2.0))
        p.drawLine(QPointF(*pts[a]), QPointF(*pts[b]))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(240, 240, 240))
    for x, y in pts:
        p.drawEllipse(QPointF(x, y), 1.8, 1.8)
    p.end()
    return QIcon(pix)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def builtin_lookalike(hands: list[Hand]) -> tuple[str, int] | None:
    """The built-in gesture most of ``hands`` already show, and how many show it; None when
    at most half of them look like one built-in gesture. A recorded gesture wins over the
    built-in ones, so recording one of them silently replaces it."""
    from collections import Counter

    from pipeline.gestures.features import measure
    from pipeline.gestures.recognizer import match_builtin

    seen = Counter(match_builtin(measure(hand))[0] for hand in hands)
    seen.pop("none", None)
    if not seen:
        return None
    gesture, n = seen.most_common(1)[0]
    return (gesture, n) if n * 2 > len(hands) else None


class GestureRecorder(QDialog):
    """``latest_frame()`` returns the newest TrackedFrame (or None). ``map_requested(name)`` asks
    the main window to open the mapping editor for the saved gesture."""

    map_requested = Signal(str)

    def __init__(self, ctx: AppContext, latest_frame: Callable[[], TrackedFrame | None],
                 parent: QWidget | None = None, *, mirrored: bool | None = None,
                 is_running: Callable[[], bool] | None = None,
                 start_tracking: Callable[[], None] | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.ctx = ctx
        self.latest_frame = latest_frame
        self.is_running = is_running or (lambda: True)
        self._start_tracking = start_tracking
        self.samples: list[Hand] = []
        self._countdown = 0
        self._to_take = 0
        self._last_frame_index: int | None = None
        self._stale = 0
        self.setWindowTitle("Record a gesture")
        outer = QVBoxLayout(self)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll_body(body), 1)
        intro = QLabel(
            "Show the gesture to the camera, press Record and keep still while HandCue takes "
            "samples. Record it a few times with small changes (angle, distance) so it is "
            "recognised reliably."
        )
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        layout.addWidget(intro)

        top = QHBoxLayout()
        self.preview = VideoView()
        self.preview.show_readout = False
        self.preview.empty_text = "No live picture: start a camera or video in the main window."
        self.preview.setMinimumSize(400, 225)
        self.preview.set_mirrored(ctx.mirror_preview() if mirrored is None else mirrored)
        top.addWidget(self.preview, 3)
        side = QVBoxLayout()
        side.addWidget(QLabel("Name"))
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. spock")
        self.name_edit.setToolTip("Lower case letters, digits and _, starting with a letter")
        self.name_edit.textEdited.connect(lambda _t: self._validate())
        side.addWidget(self.name_edit)
        side.addWidget(QLabel("Samples per take"))
        self.per_take = QSpinBox()
        self.per_take.setRange(1, 20)
        self.per_take.setValue(5)
        side.addWidget(self.per_take)
        self.record_button = QPushButton("Record")
        self.record_button.setProperty("accent", True)
        self.record_button.setMinimumHeight(36)
        self.record_button.clicked.connect(self.start_recording)
        side.addWidget(self.record_button)
        self.start_tracking_button = QPushButton("Start tracking")
        self.start_tracking_button.setToolTip("Start the source chosen in the main window")
        self.start_tracking_button.clicked.connect(self._on_start_tracking)
        self.start_tracking_button.hide()
        side.addWidget(self.start_tracking_button)
        self.stopped_label = QLabel(
            "Tracking is stopped, so there is no live picture to take samples from. Start "
            "tracking first."
        )
        self.stopped_label.setObjectName("validation")
        self.stopped_label.setWordWrap(True)
        self.stopped_label.hide()
        side.addWidget(self.stopped_label)
        self.countdown_label = QLabel("")
        self.countdown_label.setObjectName("countdown")
        self.countdown_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown_label.setMinimumHeight(64)
        self.countdown_label.setWordWrap(True)
        side.addWidget(self.countdown_label)
        side.addStretch(1)
        top.addLayout(side, 2)
        layout.addLayout(top, 2)

        title = QLabel("SAMPLES")
        title.setObjectName("sectionTitle")
        layout.addWidget(title)
        self.sample_list = QListWidget()
        self.sample_list.setViewMode(QListView.ViewMode.IconMode)
        self.sample_list.setIconSize(QSize(THUMB, THUMB))
        self.sample_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.sample_list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.sample_list.setMinimumHeight(120)
        layout.addWidget(self.sample_list, 1)
        row = QHBoxLayout()
        self.delete_button = QPushButton("Delete selected samples")
        self.delete_button.clicked.connect(self.delete_selected)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        layout.addLayout(row)

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
        self.saved_sample_list = QListWidget()
        self.saved_sample_list.setViewMode(QListView.ViewMode.IconMode)
        self.saved_sample_list.setIconSize(QSize(THUMB, THUMB))
        self.saved_sample_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.saved_sample_list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.saved_sample_list.setFixedHeight(THUMB + 36)
        self.saved_sample_list.itemSelectionChanged.connect(self._update_saved_buttons)
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

        self.lookalike_label = QLabel("")
        self.lookalike_label.setObjectName("validation")
        self.lookalike_label.setWordWrap(True)
        self.lookalike_label.hide()
        layout.addWidget(self.lookalike_label)
        self.message = QLabel("")
        self.message.setObjectName("validation")
        self.message.setWordWrap(True)
        outer.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(lambda: self.save())
        self.save_map_button = QPushButton("Save and map…")
        self.save_map_button.setProperty("accent", True)
        self.save_map_button.clicked.connect(lambda: self.save(then_map=True))
        for b in (self.close_button, self.save_button, self.save_map_button):
            row.addWidget(b)
        outer.addLayout(row)
        self.name_edit.setAccessibleName("Gesture name")
        self.per_take.setAccessibleName("Samples per take")
        self.sample_list.setAccessibleName("Samples recorded now")
        self.saved_sample_list.setAccessibleName("Saved samples of the selected gesture")
        fit_to_screen(self, 820, 680)

        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_tick)
        self._preview_timer = QTimer(self)
        self._preview_timer.setInterval(66)
        self._preview_timer.timeout.connect(self._refresh_preview)
        self._preview_timer.start()
        self._shown_frame: TrackedFrame | None = None
        # The saved samples on screen, to check they are still what the file holds on delete.
        self._saved_shown: tuple[str, np.ndarray] | None = None
        self._fill_recorded()
        self._validate()
        self._refresh_preview()

    def _refresh_preview(self) -> None:
        running = bool(self.is_running())
        self._show_running(running)
        frame = self.latest_frame() if running else None
        if frame is not self._shown_frame:
            self._shown_frame = frame
            self.preview.set_frame(frame)

    def _show_running(self, running: bool) -> None:
        """Without tracking there is nothing to record: say so and offer to start it."""
        if running == (not self.stopped_label.isHidden()):
            self.stopped_label.setVisible(not running)
            self.start_tracking_button.setVisible(not running and self._start_tracking is not None)
            self.preview.empty_text = (
                "Waiting for the first frame…" if running
                else "Tracking is stopped: start it to see the live picture."
            )  # fmt: skip
            self.preview.update()
        if not running and self._timer.isActive():  # stopped in the middle of a take
            self._timer.stop()
            self._to_take = 0
            self.countdown_label.setText("")
            self.message.setText("Recording stopped: tracking stopped. Start it and try again.")
        busy = self._timer.isActive()
        self.record_button.setEnabled(running and not busy)

    def _on_start_tracking(self) -> None:
        if self._start_tracking is not None:
            self._start_tracking()
        self._refresh_preview()

    # ------------------------------------------------------------------ store helpers
    def _store(self):
        """A fresh TemplateStore read from disk (the running worker keeps its own copy)."""
        from pipeline.gestures.templates import TemplateStore

        path = getattr(self.ctx.templates, "path", None)
        return TemplateStore(path)

    def _fill_recorded(self, select: str | None = None) -> None:
        """List the saved gestures from disk; ``select`` one of them and show its samples."""
        self.recorded_list.blockSignals(True)  # one _show_saved at the end, not one per row
        try:
            self.recorded_list.clear()
            try:
                store = self._store()
            except HandCueError as exc:
                self.message.setText(str(exc))
                store = None
            for name in store.names() if store is not None else []:
                info = store.info(name)
                item = QListWidgetItem(f"{name}  —  {_count(info['samples'], 'sample')}")
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
        self._show_saved(self.selected_recorded(), store)

    def selected_recorded(self) -> str | None:
        """Name of the saved gesture selected in the list, if any."""
        item = self.recorded_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _on_recorded_changed(self, current: QListWidgetItem | None, _previous) -> None:
        name = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        try:
            store = self._store()
        except HandCueError as exc:
            self.message.setText(str(exc))
            store = None
        self._show_saved(name, store)

    def _show_saved(self, name: str | None, store) -> None:
        """Thumbnails of the saved samples of ``name`` (numbered from 1, in file order)."""
        self.saved_sample_list.clear()
        self._saved_shown = None
        if name is None or store is None or name not in store.names():
            self.saved_label.setText("Select a recorded gesture to see its saved samples.")
        else:
            samples = store.samples(name)
            self._saved_shown = (name, samples)
            for i, sample in enumerate(samples):
                item = QListWidgetItem(
                    sample_icon(sample, mirrored=self.preview.mirrored), f"#{i + 1}"
                )
                item.setData(Qt.ItemDataRole.UserRole, i)
                self.saved_sample_list.addItem(item)
            self.saved_label.setText(
                f"'{name}': {_count(len(samples), 'saved sample')}. Select bad ones (Ctrl- or "
                "Shift-click) and delete them."
            )
        self._update_saved_buttons()

    def _update_saved_buttons(self) -> None:
        self.delete_saved_button.setEnabled(bool(self.saved_sample_list.selectedItems()))

    def name_problem(self) -> str:
        from pipeline.gestures.templates import validate_name

        name = self.name_edit.text().strip()
        if not name:
            return "Give the gesture a name."
        try:
            validate_name(name)
        except HandCueError as exc:
            return str(exc)
        return ""

    def _validate(self) -> None:
        problem = self.name_problem()
        self.name_edit.setProperty("invalid", bool(problem) and bool(self.name_edit.text()))
        self.name_edit.style().unpolish(self.name_edit)
        self.name_edit.style().polish(self.name_edit)
        if not problem and not self.samples:
            problem = "Record some samples (press Record with your hand in view)."
        self.message.setText(problem)
        ok = not problem
        self.save_button.setEnabled(ok)
        self.save_map_button.setEnabled(ok)
        self.delete_button.setEnabled(bool(self.samples))
        warning = self.lookalike_warning()
        self.lookalike_label.setText(warning)
        self.lookalike_label.setVisible(bool(warning))

    # ------------------------------------------------------------------ recording
    def start_recording(self) -> None:
        if not self.is_running():
            self._show_running(False)
            return
        self._countdown = COUNTDOWN_S
        self._to_take = self.per_take.value()
        self.record_button.setEnabled(False)
        self.countdown_label.setText(str(self._countdown))
        self._timer.start(1000)

    def _on_tick(self) -> None:
        if self._countdown > 0:
            self._countdown -= 1
            if self._countdown > 0:
                self.countdown_label.setText(str(self._countdown))
                return
            self.countdown_label.setText("Hold still…")
            self._timer.start(SAMPLE_SPACING_MS)
        self._take_sample()
        if self._to_take <= 0:
            self._timer.stop()
            self.countdown_label.setText("")
            self.record_button.setEnabled(True)
            self._validate()

    def _take_sample(self) -> None:
        frame = self.latest_frame()
        if frame is None or not frame.result.hands:
            self.message.setText("No hand in view: show your hand to the camera.")
            self._to_take -= 1
            return
        if frame.result.frame_index == self._last_frame_index:
            self._stale += 1  # same frame again: wait for a new one, but not forever
            if self._stale > 10:
                self.message.setText("The video is not moving: start tracking first.")
                self._to_take -= 1
            return
        self._stale = 0
        self._last_frame_index = frame.result.frame_index
        hand = max(frame.result.hands, key=lambda h: h.score)
        self.add_sample(hand)
        self._to_take -= 1

    def add_sample(self, hand: Hand) -> None:
        self.samples.append(hand)
        icon = skeleton_icon(hand, mirrored=self.preview.mirrored)
        item = QListWidgetItem(icon, f"#{len(self.samples)}")
        self.sample_list.addItem(item)
        self._validate()

    def lookalike_warning(self) -> str:
        """'' or why these samples would take over a built-in gesture."""
        found = builtin_lookalike(self.samples) if self.samples else None
        if found is None:
            return ""
        gesture, n = found
        title = gesture_title(gesture)
        return (
            f"{n} of {len(self.samples)} samples look like the built-in gesture {title} "
            f"({gesture}). A recorded gesture wins over the built-in ones: once saved, a hand "
            f"posed like these samples is recognised as this gesture instead of {title}, and "
            f"mappings on {gesture} stop firing for it. To use {title}, map {gesture} "
            "instead; or record a hand shape that differs more from it."
        )

    def delete_selected(self) -> None:
        rows = sorted((self.sample_list.row(i) for i in self.sample_list.selectedItems()),
                      reverse=True)  # fmt: skip
        for r in rows:
            del self.samples[r]
            self.sample_list.takeItem(r)
        self._validate()

    # ------------------------------------------------------------------ saving
    def save(self, *, then_map: bool = False) -> bool:
        self._validate()
        if not self.save_button.isEnabled():
            return False
        name = self.name_edit.text().strip()
        warning = self.lookalike_warning()
        if warning and not self._confirm("Replace a built-in gesture?", warning + "\n\nSave "
                                         f"'{name}' anyway?", "Save anyway"):  # fmt: skip
            return False
        try:
            store = self._store()
            replace = name in store.names()
            store.add(name, self.samples, replace=replace)
            store.save()
        except HandCueError as exc:
            self.message.setText(str(exc))
            return False
        self.ctx.reload_templates()
        self.samples.clear()
        self.sample_list.clear()
        self._fill_recorded()
        self.message.setText("")
        if then_map:
            self.map_requested.emit(name)
            self.accept()
        else:
            self.countdown_label.setText(f"Saved '{name}'.")
        return True

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
        n, total = len(rows), len(shown)
        if n == total:
            what = "the only saved sample" if total == 1 else f"all {total} saved samples"
            text = (
                f"Delete {what} of '{name}'?\n\nWith no samples left the "
                f"gesture '{name}' itself is removed, and mappings that use it stop working. "
                "This cannot be undone."
            )
        else:
            numbers = f" ({', '.join(f'#{r + 1}' for r in rows)})" if n <= 10 else ""
            text = (
                f"Delete {n} of the {total} saved samples of '{name}'{numbers}?\n\n"
                f"{_count(total - n, 'sample')} will be kept. This cannot be undone."
            )
        if not self._confirm("Delete saved samples", text, f"Delete {_count(n, 'sample')}"):
            return False
        try:
            store = self._store()
            if name not in store.names() or not np.array_equal(store.samples(name), shown):
                self._fill_recorded(select=name)
                self.message.setText(
                    f"The saved samples of '{name}' changed on disk since they were shown; "
                    "nothing was deleted. Look at them again and choose anew."
                )
                return False
            left = store.remove_samples(name, rows)
            store.save()
        except HandCueError as exc:
            self.message.setText(str(exc))
            return False
        self.ctx.reload_templates()
        self._fill_recorded(select=name if left else None)
        self._validate()  # drops an older error message
        self.countdown_label.setText(
            f"Deleted {_count(n, 'sample')} of '{name}'; {left} left."
            if left
            else f"Removed '{name}' (no samples left)."
        )
        return True

    def _confirm(self, title: str, text: str, accept_text: str) -> bool:
        """Ask before a destructive change; Cancel is the default (Enter/Escape keep things)."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self)
        box.setObjectName("confirmDelete")
        yes = box.addButton(accept_text, QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        accepted = box.clickedButton() is yes
        box.deleteLater()
        return accepted

    def remove_recorded(self) -> None:
        item = self.recorded_list.currentItem()
        if item is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        text = (
            f"Remove the recorded gesture '{name}' and all its samples?\n\n"
            "Mappings that use it stop working. This cannot be undone."
        )
        if not self._confirm("Remove gesture", text, "Remove gesture"):
            return
        try:
            store = self._store()
            store.remove(name)
            store.save()
        except HandCueError as exc:
            self.message.setText(str(exc))
            return
        self.ctx.reload_templates()
        self._fill_recorded()

    def done(self, result: int) -> None:
        self._timer.stop()
        self._preview_timer.stop()
        super().done(result)
