"""The main window: source bar, live video with overlay, arm switch, hands, 3D view, event log.

The tracking threads deliver ``TrackedFrame`` objects by signal; ``_on_frame_ready`` only stores
the newest one (and queues its events), and one ~30 Hz timer redraws. Every error ends up in
``show_message`` (the banner above the video)."""

from __future__ import annotations

import logging
import time
from collections import deque
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import resources
from app.gui.context import AppContext
from app.gui.hands_panel import HandsPanel
from app.gui.plot3d import HandPlot3D
from app.gui.video_view import VideoView, gesture_title
from app.gui.worker import TrackedFrame, is_camera_spec, lower_thread_priority
from pipeline.errors import HandCueError

log = logging.getLogger(__name__)

REDRAW_INTERVAL_MS = 33
MAX_LOG_LINES = 500
VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm *.m4v);;All files (*)"
# Below this tracking rate the status bar says so: with most camera frames skipped, fast moves
# lose the hand and gestures are found later (measured with --frame-step on the shared videos).
SLOW_FPS = 15.0


def slow_tracking_note(fps: float, model: str) -> str:
    """Plain words for the status bar when tracking runs below SLOW_FPS ("" otherwise, and
    while the rate is still unknown: ``fps`` 0)."""
    if not 0.0 < fps < SLOW_FPS:
        return ""
    advice = (
        "choose the lite model in Settings, or close other busy programs"
        if model == "full"
        else "close other busy programs"
    )
    return (
        f"Tracking is slow ({fps:.0f} frames a second, under {SLOW_FPS:.0f}): gestures may be "
        f"recognised late. To speed it up, {advice}."
    )


class Banner(QWidget):
    """One-line message above the video (error / warning / info) with optional action button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setObjectName("banner")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.close_button = QPushButton("Dismiss")
        self.close_button.clicked.connect(self.clear)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.level = ""
        self.hide()

    def show_message(self, text: str, level: str = "error") -> None:
        self.level = level
        self.label.setText(text)
        self.label.setProperty("level", level)
        self.label.style().unpolish(self.label)
        self.label.style().polish(self.label)
        self.show()

    def clear(self) -> None:
        self.level = ""
        self.label.clear()
        self.hide()


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


class WarmUpThread(QThread):
    """Loads the models in the background at startup, so a missing install is reported at once
    (and the first Start is fast)."""

    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WarmUpThread")
        self._ctx = ctx

    def run(self) -> None:  # warm-up thread
        lower_thread_priority()  # the onnxruntime threads it creates inherit this
        try:
            self._ctx.warm_up()
        except HandCueError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            log.exception("loading the tracker failed")
            self.failed.emit(f"The hand tracker could not be loaded: {exc}")


class MainWindow(QMainWindow):
    """The HandCue window. Build with an ``AppContext`` (see ``app.gui.app.build_context``)."""

    quit_requested = Signal()
    hidden_to_tray = Signal()

    def __init__(self, ctx: AppContext, *, enable_3d: bool | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("HandCue")
        self.setWindowIcon(resources.icon("hand"))
        self.resize(1280, 780)
        self.close_to_tray = False  # the tray controller turns this on when a tray exists
        self.every_frame = False  # files: analyse every frame instead of playing in real time
        self._quitting = False
        self._latest: TrackedFrame | None = None
        self._drawn: TrackedFrame | None = None
        self._pending_log: deque[str] = deque(maxlen=MAX_LOG_LINES)
        self._state_dirty = False  # the engine changed armed / paused / profile by itself
        self._last_was_camera = True
        self._last_frame_s = 0.0
        self._provider = ""
        self._warm_up: WarmUpThread | None = None

        self.session = ctx.make_session(self)
        self.session.frame_ready.connect(self._on_frame_ready)
        self.session.failed.connect(self._on_session_failed)
        self.session.source_lost.connect(self._on_source_lost)
        self.session.source_restored.connect(self._on_source_restored)
        self.session.source_ended.connect(self._on_source_ended)
        self.session.tracking_started.connect(self._on_tracking_started)
        self.session.running_changed.connect(self._on_running_changed)
        ctx.templates_changed.connect(self._on_templates_changed)

        self._build_toolbar()
        self._build_central(enable_3d)
        self._build_statusbar()
        self._build_shortcuts()

        self.video.set_hold_lookup(ctx.hold_ms_for)
        self.hands.set_hold_lookup(ctx.hold_ms_for)
        self.video.set_mirrored(ctx.mirror_preview())
        self.mirror_box.setChecked(ctx.mirror_preview())
        self.refresh_cameras()
        self.refresh_profiles()
        self._update_arm_button()
        for problem in ctx.config_problems:
            self.show_message(f"Settings problem (defaults used): {problem}", "warning")

        self.redraw_timer = QTimer(self)
        self.redraw_timer.setInterval(REDRAW_INTERVAL_MS)
        self.redraw_timer.timeout.connect(self._redraw)
        self.redraw_timer.start()

    # ------------------------------------------------------------------ construction
    def _build_toolbar(self) -> None:
        bar = QToolBar("Source")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setIconSize(QSize(18, 18))
        self.addToolBar(bar)
        bar.addWidget(QLabel(" Source "))
        self.source_combo = QComboBox()
        self.source_combo.setMinimumWidth(260)
        self.source_combo.setToolTip("Camera, video file or image folder to track")
        self.source_combo.activated.connect(self._on_source_activated)
        bar.addWidget(self.source_combo)
        self.start_button = QPushButton("Start")
        self.start_button.setProperty("accent", True)
        self.start_button.setMinimumWidth(90)
        self.start_button.setToolTip("Start or stop tracking the chosen source (F5)")
        self.start_button.clicked.connect(self.toggle_running)
        bar.addWidget(self.start_button)
        self.loop_box = QCheckBox("Loop")
        self.loop_box.setToolTip("Play video files and image folders over and over")
        self.loop_box.setChecked(True)
        bar.addWidget(self.loop_box)
        self.mirror_box = QCheckBox("Mirror")
        self.mirror_box.setToolTip(
            "Show the picture like a mirror (on by default for a webcam, off for files)"
        )
        self.mirror_box.toggled.connect(self._on_mirror_toggled)
        bar.addWidget(self.mirror_box)
        bar.addSeparator()
        bar.addWidget(QLabel(" Profile "))
        self.profile_combo = QComboBox()
        self.profile_combo.setMinimumWidth(150)
        self.profile_combo.setToolTip("Which set of gesture -> action mappings is active")
        self.profile_combo.activated.connect(self._on_profile_activated)
        bar.addWidget(self.profile_combo)
        bar.addSeparator()
        self.mappings_action = QAction("Mappings…", self)
        self.mappings_action.setToolTip("Choose what each gesture does")
        self.mappings_action.triggered.connect(self.open_mapping_editor)
        bar.addAction(self.mappings_action)
        self.record_action = QAction("Record gesture…", self)
        self.record_action.setToolTip("Teach HandCue a gesture of your own")
        self.record_action.triggered.connect(self.open_recorder)
        bar.addAction(self.record_action)
        self.settings_action = QAction("Settings…", self)
        self.settings_action.triggered.connect(self.open_settings)
        bar.addAction(self.settings_action)

    def _build_central(self, enable_3d: bool | None) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 8, 8, 4)
        outer.setSpacing(6)
        self.banner = Banner()
        outer.addWidget(self.banner)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        outer.addWidget(splitter, 1)

        self.video_stack = QStackedWidget()
        self.empty_state = EmptyState()
        self.empty_state.start_button.clicked.connect(self.start)
        self.empty_state.open_video_button.clicked.connect(self.choose_video)
        self.empty_state.open_folder_button.clicked.connect(self.choose_folder)
        self.video = VideoView()
        self.video_stack.addWidget(self.empty_state)
        self.video_stack.addWidget(self.video)
        splitter.addWidget(self.video_stack)

        side = QWidget()
        side.setMinimumWidth(300)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(4, 0, 0, 0)
        side_layout.setSpacing(10)
        self.arm_button = QPushButton()
        self.arm_button.setObjectName("armButton")
        self.arm_button.setCheckable(True)
        self.arm_button.setMinimumHeight(72)
        self.arm_button.setToolTip("When armed, gestures press keys and click. Ctrl+Shift+A")
        self.arm_button.clicked.connect(self._on_arm_clicked)
        side_layout.addWidget(self.arm_button)
        self.hands = HandsPanel()
        side_layout.addWidget(self.hands)
        self.plot = HandPlot3D(use_gl=enable_3d)
        side_layout.addWidget(self.plot, 3)
        log_title = QLabel("EVENTS")
        log_title.setObjectName("sectionTitle")
        side_layout.addWidget(log_title)
        self.event_log = QPlainTextEdit()
        self.event_log.setReadOnly(True)
        self.event_log.setMaximumBlockCount(MAX_LOG_LINES)
        self.event_log.setUndoRedoEnabled(False)  # else every appended line stays in memory
        self.event_log.setPlaceholderText("Gestures and the actions they fire appear here.")
        side_layout.addWidget(self.event_log, 2)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([880, 380])
        self.setCentralWidget(central)

    def _build_statusbar(self) -> None:
        bar = self.statusBar()
        self.state_label = QLabel("Stopped")
        self.perf_label = QLabel("")
        self.provider_label = QLabel("")
        self.slow_label = QLabel("")  # plain words when tracking falls below SLOW_FPS
        self.slow_label.setStyleSheet("color: #b35c00; font-weight: bold;")
        self.slow_label.hide()
        bar.addWidget(self.state_label, 1)
        bar.addPermanentWidget(self.slow_label)
        bar.addPermanentWidget(self.perf_label)
        bar.addPermanentWidget(self.provider_label)

    def _build_shortcuts(self) -> None:
        arm = QAction("Arm / disarm", self)
        arm.setShortcut(QKeySequence("Ctrl+Shift+A"))
        arm.triggered.connect(lambda: self.set_armed(not self.ctx.gate.armed))
        self.addAction(arm)
        run = QAction("Start / stop", self)
        run.setShortcut(QKeySequence("F5"))
        run.triggered.connect(self.toggle_running)
        self.addAction(run)

    # ------------------------------------------------------------------ sources
    def refresh_cameras(self) -> None:
        """Probe cameras and rebuild the source list (keeps a chosen file)."""
        current = self.current_source()
        cameras = self.ctx.list_cameras()
        self.source_combo.clear()
        for index in cameras:
            self.source_combo.addItem(f"Camera {index}", str(index))
        if not cameras:
            self.source_combo.addItem("No camera found", None)
            self.source_combo.model().item(0).setEnabled(False)  # type: ignore[attr-defined]
        for path in self.ctx.recent_sources():
            if not is_camera_spec(path):
                self._add_path_item(path)
        self.source_combo.insertSeparator(self.source_combo.count())
        self.source_combo.addItem("Open video file…", "__video__")
        self.source_combo.addItem("Open image folder…", "__folder__")
        self.source_combo.addItem("Look for cameras again", "__refresh__")
        self.empty_state.set_cameras(cameras)
        self._select_source(current if current else (str(cameras[0]) if cameras else None))

    def _add_path_item(self, spec: str) -> int:
        for i in range(self.source_combo.count()):
            if self.source_combo.itemData(i) == spec:
                return i
        label = Path(spec).name or spec
        kind = "Folder" if Path(spec).is_dir() else "Video"
        index = max(0, self.source_combo.findData("__video__") - 1)
        if self.source_combo.findData("__video__") < 0:
            index = self.source_combo.count()
        self.source_combo.insertItem(index, f"{kind}: {label}", spec)
        self.source_combo.setItemData(index, spec, Qt.ItemDataRole.ToolTipRole)
        return index

    def _select_source(self, spec: str | None) -> None:
        i = self.source_combo.findData(spec) if spec is not None else -1
        self.source_combo.setCurrentIndex(i if i >= 0 else 0)
        self._update_start_button()

    def current_source(self) -> str | None:
        """The chosen source spec, or None when nothing playable is chosen."""
        data = self.source_combo.currentData() if self.source_combo.count() else None
        if not data or str(data).startswith("__"):
            return None
        return str(data)

    def set_source(self, spec: str, *, start: bool = True) -> None:
        """Choose ``spec`` (camera index, video file or image folder) and optionally start."""
        if not is_camera_spec(spec):
            self._add_path_item(spec)
            self.ctx.remember_source(spec)
        elif self.source_combo.findData(spec) < 0:
            self.source_combo.insertItem(0, f"Camera {spec}", spec)
        self._select_source(spec)
        if start:
            self.start()

    def _on_source_activated(self, index: int) -> None:
        data = self.source_combo.itemData(index)
        if data == "__video__":
            self.choose_video()
        elif data == "__folder__":
            self.choose_folder()
        elif data == "__refresh__":
            self.refresh_cameras()
        elif data and self.session.running and data != self.session.spec:
            self.start()  # switching source while running restarts on the new one
        self._update_start_button()

    def choose_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a video", str(Path.home()), VIDEO_FILTER)
        if path:
            self.set_source(path)
        else:
            self._select_source(self.session.spec or None)

    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a folder of images", str(Path.home()))
        if path:
            self.set_source(path)
        else:
            self._select_source(self.session.spec or None)

    # ------------------------------------------------------------------ running
    def check_models(self) -> None:
        """Load the tracker in the background; a problem (models not installed) is shown in
        the banner with the command that fixes it."""
        if self._warm_up is not None and self._warm_up.isRunning():
            return
        self._warm_up = WarmUpThread(self.ctx, self)
        self._warm_up.failed.connect(self._on_session_failed)
        self._warm_up.start()

    def start(self) -> None:
        """Start tracking the chosen source (files play in real time unless
        ``every_frame`` is set, which analyses every frame without dropping any)."""
        spec = self.current_source()
        if spec is None:
            self.show_message("Choose a camera, a video file or an image folder first.", "info")
            return
        self.banner.clear()
        self._latest = self._drawn = None
        camera = is_camera_spec(spec)
        if camera != self._last_was_camera:
            # A webcam is shown like a mirror (if the user wants that); files as recorded.
            self.mirror_box.setChecked(camera and self.ctx.mirror_preview())
            self._last_was_camera = camera
        loop = self.loop_box.isChecked() and not is_camera_spec(spec)
        self.session.start(spec, loop=loop, every_frame=self.every_frame)
        self.state_label.setText(f"Starting {self.source_combo.currentText()}…")
        self.video_stack.setCurrentWidget(self.video)
        self.video.set_frame(None)

    def stop(self) -> None:
        self.session.stop()

    def toggle_running(self) -> None:
        if self.session.running:
            self.stop()
        else:
            self.start()

    def _on_running_changed(self, running: bool) -> None:
        self._update_start_button()
        if not running:
            self.state_label.setText("Stopped")
            self.perf_label.clear()
            self.hands.set_frame(None)
            if self._latest is None:
                self.video_stack.setCurrentWidget(self.empty_state)

    def _update_start_button(self) -> None:
        running = self.session.running
        self.start_button.setText("Stop" if running else "Start")
        self.start_button.setProperty("accent", not running)
        self.start_button.style().unpolish(self.start_button)
        self.start_button.style().polish(self.start_button)
        self.start_button.setEnabled(running or self.current_source() is not None)
        spec = self.current_source()
        self.loop_box.setEnabled(spec is None or not is_camera_spec(spec))  # files only

    def _on_tracking_started(self, provider: str) -> None:
        self._provider = provider
        self.provider_label.setText(provider.replace("ExecutionProvider", "") or "")
        self.state_label.setText(f"Tracking {self.source_combo.currentText()}")

    def _on_frame_ready(self, frame: TrackedFrame) -> None:
        """Worker -> GUI thread, once per processed frame: keep it, queue its log lines."""
        self._latest = frame
        self._last_frame_s = time.monotonic()
        for line in self._log_lines(frame):
            self._pending_log.append(line)
        if any(getattr(r, "kind", "") == "state" for r in frame.actions):
            self._state_dirty = True

    def _on_session_failed(self, message: str) -> None:
        self.show_message(message, "error")

    def _on_source_lost(self, message: str) -> None:
        self.show_message(message, "warning")
        self.state_label.setText("Waiting for the source…")

    def _on_source_restored(self) -> None:
        if self.banner.level == "warning":
            self.banner.clear()
        self.state_label.setText(f"Tracking {self.source_combo.currentText()}")

    def _on_source_ended(self) -> None:
        self.state_label.setText("Finished: the video ended")

    # ------------------------------------------------------------------ drawing
    def _redraw(self) -> None:
        """Timer, ~30 Hz: draw the newest frame if it is new; flush queued log lines."""
        if self._pending_log:
            self.event_log.appendPlainText("\n".join(self._pending_log))
            self._pending_log.clear()
        if self._state_dirty:
            self._state_dirty = False
            self._update_arm_button()
            self.refresh_profiles()
            self.ctx.state_changed.emit()
        frame = self._latest
        if frame is None or frame is self._drawn:
            return
        self._drawn = frame
        self.video.set_frame(frame)
        self.hands.set_frame(frame)
        if self.plot.isVisible():
            self.plot.set_hands(
                frame.result.hands, frame.result.width, mirrored=self.video.mirrored
            )
        self.perf_label.setText(
            f"tracking {frame.fps:.1f} fps · {frame.latency_ms:.0f} ms · {frame.dropped} dropped"
        )
        note = slow_tracking_note(frame.fps, self.ctx.config.tracker.model)
        self.slow_label.setText(note)
        self.slow_label.setVisible(bool(note))

    def _log_lines(self, frame: TrackedFrame) -> list[str]:
        lines = []
        stamp = time.strftime("%H:%M:%S")
        for event in frame.events:
            if event.kind == "held":
                continue
            verb = "started" if event.kind == "started" else "ended"
            lines.append(f"{stamp}  {event.handedness:<5}  {gesture_title(event.gesture)} {verb}")
        for record in frame.actions:
            lines.append(f"{stamp}         → {describe_record(record)}")
        return lines

    # ------------------------------------------------------------------ messages
    def show_message(self, text: str, level: str = "error") -> None:
        """The one place that shows errors and warnings to the user."""
        if level == "error":
            log.warning("shown to user: %s", text)
        self.banner.show_message(text, level)
        if level in ("error", "warning"):
            self.state_label.setText(text.splitlines()[0])

    # ------------------------------------------------------------------ arming / profiles
    def set_armed(self, armed: bool) -> None:
        self.ctx.gate.set_armed(armed)
        self._update_arm_button()
        self.ctx.state_changed.emit()

    def set_paused(self, paused: bool) -> None:
        self.ctx.gate.set_paused(paused)
        self._update_arm_button()
        self.ctx.state_changed.emit()

    def _on_arm_clicked(self) -> None:
        gate = self.ctx.gate
        if gate.paused:
            self.set_paused(False)
            return
        self.set_armed(not gate.armed)

    def _update_arm_button(self) -> None:
        gate = self.ctx.gate
        if gate.paused:
            state, text = "paused", "PAUSED\nclick to resume"
        elif gate.armed:
            state, text = "armed", "ARMED\ngestures control your computer"
        else:
            state, text = "disarmed", "DISARMED\nclick to let gestures act"
        self.arm_button.setText(text)
        self.arm_button.setChecked(gate.armed and not gate.paused)
        self.arm_button.setProperty("state", state)
        self.arm_button.style().unpolish(self.arm_button)
        self.arm_button.style().polish(self.arm_button)
        self.setWindowTitle(f"HandCue — {state}")

    @property
    def arm_state(self) -> str:
        return str(self.arm_button.property("state"))

    def refresh_profiles(self) -> None:
        names = self.ctx.profile_names()
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        self.profile_combo.addItems(names)
        active = self.ctx.gate.profile or (names[0] if names else "")
        self.profile_combo.setCurrentIndex(max(0, self.profile_combo.findText(active)))
        self.profile_combo.blockSignals(False)

    def _on_profile_activated(self, index: int) -> None:
        self.switch_profile(self.profile_combo.itemText(index))

    def switch_profile(self, name: str) -> None:
        try:
            self.ctx.set_active_profile(name)
        except Exception as exc:
            self.show_message(f"Could not switch to profile {name!r}: {exc}")
        self.refresh_profiles()
        self.ctx.state_changed.emit()

    def _on_mirror_toggled(self, on: bool) -> None:
        self.video.set_mirrored(on)
        self._drawn = None  # redraw the 3D view mirrored too

    # ------------------------------------------------------------------ dialogs
    def open_mapping_editor(self) -> None:
        from app.gui.mapping_editor import MappingEditor

        dialog = MappingEditor(self.ctx, self)
        dialog.exec()
        self.refresh_profiles()
        self.ctx.state_changed.emit()

    def open_recorder(self) -> None:
        from app.gui.recorder import GestureRecorder

        dialog = GestureRecorder(self.ctx, lambda: self._latest, self,
                                 mirrored=self.video.mirrored)  # fmt: skip
        dialog.map_requested.connect(self._on_map_recorded)
        dialog.exec()

    def _on_map_recorded(self, gesture: str) -> None:
        from app.gui.mapping_editor import MappingEditor

        dialog = MappingEditor(self.ctx, self, new_gesture=gesture)
        dialog.exec()
        self.refresh_profiles()

    def open_settings(self) -> None:
        from app.gui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.ctx, self)
        if dialog.exec():
            self.apply_settings()

    def _on_templates_changed(self) -> None:
        """A gesture was recorded or removed: a running source restarts so it is recognised."""
        if self.session.running:
            self.start()

    def apply_settings(self) -> None:
        """Settings changed: rebuild the pipeline and restart a running source."""
        self.video.set_mirrored(self.ctx.mirror_preview())
        self.mirror_box.setChecked(self.ctx.mirror_preview())
        if self.session.running:
            self.start()

    # ------------------------------------------------------------------ window life
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        if self.close_to_tray and not self._quitting:
            event.ignore()
            self.hide()
            self.hidden_to_tray.emit()
            return
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Stop tracking and release everything held (idempotent)."""
        self.redraw_timer.stop()
        self.session.stop()
        self.session.wait_retired()
        if self._warm_up is not None:
            self._warm_up.wait()
        self.ctx.gate.release_all()

    def quit_app(self) -> None:
        self._quitting = True
        self.close()
        self.quit_requested.emit()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def show_and_raise(self) -> None:
        self.show()
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.raise_()
        self.activateWindow()


def describe_record(record: object) -> str:
    """One line for an ``ActionRecord`` from the action engine (or anything else)."""
    kind = getattr(record, "kind", "")
    status = getattr(record, "status", "")
    if kind == "state":
        detail = getattr(record, "detail", "")
        text = {
            "armed": "HandCue armed: gestures act now",
            "disarmed": "HandCue disarmed",
            "paused": "Paused",
            "resumed": "Resumed",
            "released": "Released held keys",
        }.get(status, status)
        if status == "profile":
            text = f"Profile: {detail}"
        elif detail and status != "profile":
            text += f" ({detail})"
        return text
    if kind == "action":
        action = getattr(record, "action", "")
        phase = getattr(record, "phase", "")
        latency = getattr(record, "latency_ms", None)
        if status == "done":
            extra = f", {latency:.0f} ms" if isinstance(latency, (int, float)) else ""
            what = {"press": "pressed", "release": "released", "repeat": "repeated"}.get(
                phase, "sent"
            )
            return f"{what} {action}{extra}"
        reason = {"disarmed": "not sent: disarmed (click ARM to let gestures act)",
                  "paused": "not sent: paused", "cooldown": "skipped: cooling down",
                  "rate_limited": "skipped: too many actions per second",
                  "failed": "FAILED"}.get(status, status)  # fmt: skip
        detail = getattr(record, "detail", "")
        return f"{action} {reason}" + (f" ({detail})" if detail and status == "failed" else "")
    return str(record)
