"""Gesture recorder: name a gesture, record samples of it from the live feed after a countdown,
look at them (small skeleton drawings), delete bad ones, save, and map it right away. Gestures
already saved are listed too (:class:`app.gui.recorded_gestures.RecordedGesturesPanel`):
selecting one shows its saved samples, and bad ones can be deleted from the file without
recording the gesture again.

Samples are ``Hand`` objects taken from the newest ``TrackedFrame``; what to keep, what stops a
save and what a save writes is decided by :mod:`app.gui.recording_model` (no Qt). Saving stores
them with ``pipeline.gestures.templates.TemplateStore`` (atomic write) and the app reloads the
store for the next tracking session. Saved samples are canonical ``(21, 3)`` poses (palm
units), drawn with :func:`sample_icon`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.gui.confirm import confirm_destructive
from app.gui.context import AppContext
from app.gui.recorded_gestures import RecordedGesturesPanel
from app.gui.recording_model import SampleRun, Take, builtin_lookalike, read_store
from app.gui.recording_model import name_problem as _name_problem
from app.gui.screen_fit import fit_to_screen, scroll_body
from app.gui.skeleton_icons import (
    THUMB,
    sample_icon,
    skeleton_drawing,
    skeleton_icon,
    thumbnail_list,
)
from app.gui.tracked_frames import TrackedFrame
from app.gui.video_view import VideoView, gesture_title
from pipeline.errors import HandCueError
from pipeline.types import Hand

# The drawings (skeleton_icons) and builtin_lookalike (recording_model) are re-exported: the
# gallery (app.gui.guide) and tests import them from here, where they lived before the split.
__all__ = [
    "COUNTDOWN_S",
    "SAMPLE_SPACING_MS",
    "THUMB",
    "GestureRecorder",
    "builtin_lookalike",
    "sample_icon",
    "skeleton_drawing",
    "skeleton_icon",
]

log = logging.getLogger(__name__)

COUNTDOWN_S = 3
SAMPLE_SPACING_MS = 200


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
        self.take = Take()
        self._run = SampleRun()
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
        top.addLayout(self._build_side(), 2)
        layout.addLayout(top, 2)

        title = QLabel("SAMPLES")
        title.setObjectName("sectionTitle")
        layout.addWidget(title)
        self.sample_list = thumbnail_list()
        self.sample_list.setMinimumHeight(120)
        layout.addWidget(self.sample_list, 1)
        row = QHBoxLayout()
        self.delete_button = QPushButton("Delete selected samples")
        self.delete_button.clicked.connect(self.delete_selected)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        layout.addLayout(row)

        self.recorded = RecordedGesturesPanel(ctx, mirrored=self.preview.mirrored)
        layout.addWidget(self.recorded)
        # The panel's widgets, under the names they had on the dialog.
        self.recorded_list = self.recorded.recorded_list
        self.recorded_empty = self.recorded.recorded_empty
        self.saved_label = self.recorded.saved_label
        self.saved_sample_list = self.recorded.saved_sample_list
        self.remove_recorded_button = self.recorded.remove_recorded_button
        self.delete_saved_button = self.recorded.delete_saved_button

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
        fit_to_screen(self, 820, 680)

        self.recorded.failed.connect(self.message.setText)
        self.recorded.samples_deleted.connect(self._on_samples_deleted)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_tick)
        self._preview_timer = QTimer(self)
        self._preview_timer.setInterval(66)
        self._preview_timer.timeout.connect(self._refresh_preview)
        self._preview_timer.start()
        self._shown_frame: TrackedFrame | None = None
        self.recorded.fill()
        self._validate()
        self._refresh_preview()

    def _build_side(self) -> QVBoxLayout:
        """The column beside the preview: name, samples per take, Record (or Start tracking
        while tracking is stopped) and the countdown."""
        side = QVBoxLayout()
        side.addWidget(QLabel("Name"))
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. spock")
        self.name_edit.setToolTip("Lower case letters, digits and _, starting with a letter")
        self.name_edit.textEdited.connect(self._on_name_edited)
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
        return side

    @property
    def samples(self) -> list[Hand]:
        """The samples recorded now and not saved yet (the take's list itself)."""
        return self.take.samples

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
            self._run.stop()
            self.countdown_label.setText("")
            self.message.setText("Recording stopped: tracking stopped. Start it and try again.")
        busy = self._timer.isActive()
        self.record_button.setEnabled(running and not busy)

    def _on_start_tracking(self) -> None:
        if self._start_tracking is not None:
            self._start_tracking()
        self._refresh_preview()

    # ------------------------------------------------------------------ validation
    def selected_recorded(self) -> str | None:
        """Name of the saved gesture selected in the list, if any."""
        return self.recorded.selected()

    def name_problem(self) -> str:
        return _name_problem(self.name_edit.text())

    _name_touched = False  # the user typed in the name field

    def _on_name_edited(self, _text: str) -> None:
        self._name_touched = True
        self._validate()

    def _validate(self) -> None:
        text = self.name_edit.text()
        self.name_edit.setProperty("invalid", bool(_name_problem(text)) and bool(text))
        self.name_edit.style().unpolish(self.name_edit)
        self.name_edit.style().polish(self.name_edit)
        problem = self.take.problem(text)
        # What to do next is a hint until the user has typed a name (or tried to save): a red
        # "Give the gesture a name." before any typing read as an error they had made.
        hint = not self._name_touched and not text.strip()
        self.message.setObjectName("hint" if hint else "validation")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(problem)
        ok = not problem
        self.save_button.setEnabled(ok)
        self.save_map_button.setEnabled(ok)
        self.delete_button.setEnabled(bool(self.samples))
        warning = self.lookalike_warning()
        self.lookalike_label.setText(warning)
        self.lookalike_label.setVisible(bool(warning))

    def lookalike_warning(self) -> str:
        """'' or why these samples would take over a built-in gesture."""
        return self.take.lookalike_warning(gesture_title)

    # ------------------------------------------------------------------ recording
    def start_recording(self) -> None:
        if not self.is_running():
            self._show_running(False)
            return
        self._run.start(self.per_take.value(), COUNTDOWN_S)
        self.record_button.setEnabled(False)
        self.countdown_label.setText(str(self._run.countdown))
        self._timer.start(1000)

    def _on_tick(self) -> None:
        left = self._run.count_down()
        if left is not None:
            if left > 0:
                self.countdown_label.setText(str(left))
                return
            self.countdown_label.setText("Hold still…")
            self._timer.start(SAMPLE_SPACING_MS)
        self._take_sample()
        if self._run.finished:
            self._timer.stop()
            self.countdown_label.setText("")
            self.record_button.setEnabled(True)
            self._validate()

    def _take_sample(self) -> None:
        frame = self.latest_frame()
        hand, message = self._run.pick(frame.result if frame is not None else None)
        if message is not None:
            self.message.setText(message)
        if hand is not None:
            self.add_sample(hand)

    def add_sample(self, hand: Hand) -> None:
        self.take.add(hand)
        icon = skeleton_icon(hand, mirrored=self.preview.mirrored)
        item = QListWidgetItem(icon, f"#{len(self.samples)}")
        self.sample_list.addItem(item)
        self._validate()

    def delete_selected(self) -> None:
        rows = sorted((self.sample_list.row(i) for i in self.sample_list.selectedItems()),
                      reverse=True)  # fmt: skip
        for r in rows:
            self.sample_list.takeItem(r)
        self.take.remove(rows)
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
            self.take.save_to(read_store(self.ctx.templates), name)
        except HandCueError as exc:
            self.message.setText(str(exc))
            return False
        self.ctx.reload_templates()
        self.take.clear()
        self.sample_list.clear()
        self.recorded.fill()
        self.message.setText("")
        if then_map:
            self.map_requested.emit(name)
            self.accept()
        else:
            self.countdown_label.setText(f"Saved '{name}'.")
        return True

    def _on_samples_deleted(self, report: str) -> None:
        self._validate()  # drops an older error message
        self.countdown_label.setText(report)

    def _confirm(self, title: str, text: str, accept_text: str) -> bool:
        """Ask before a destructive change; Cancel is the default (Enter/Escape keep things)."""
        return confirm_destructive(self, title, text, accept_text)

    def done(self, result: int) -> None:
        self._timer.stop()
        self._preview_timer.stop()
        super().done(result)
