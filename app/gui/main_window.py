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
from PySide6.QtGui import QAction, QCloseEvent, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import resources
from app.gui.context import AppContext
from app.gui.event_log import EventLog
from app.gui.folder_steps import FolderBar, FolderSteps
from app.gui.hands_panel import HandsPanel
from app.gui.plot3d import HandPlot3D
from app.gui.pointer_mode import PointerMode
from app.gui.screen_fit import fit_to_screen, scroll_body
from app.gui.video_view import VideoView, gesture_title
from app.gui.worker import TrackedFrame, lower_thread_priority
from pipeline.actions.engine import ActionRecord
from pipeline.errors import HandCueError
from pipeline.sources import is_camera_spec, is_folder_spec

log = logging.getLogger(__name__)

REDRAW_INTERVAL_MS = 33
# The 3D view (pyqtgraph + OpenGL, about a second of CPU) is built after the start-up: this long
# after the first tracked frame was drawn, or after the window was first shown when nothing
# plays, whichever comes first. The live video and tracking do not wait for it.
BUILD_3D_AFTER_FRAME_MS = 100
BUILD_3D_AFTER_SHOW_MS = 3000
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


class WarmUpThread(QThread):
    """Loads the models in the background at startup, so a missing install is reported at once
    (and the first Start is fast)."""

    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QObject | None = None, *, spec: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("WarmUpThread")
        self._ctx = ctx
        self._spec = spec  # the source the models are for ("": a camera or a video)

    def run(self) -> None:  # warm-up thread
        # The onnxruntime threads the models start inherit this thread's priority: lower it
        # first when there are any. With one inference thread (2-core machines) there are none,
        # and the models load at normal priority: this is start-up, which the user waits for
        # (at nice 10 on a busy machine their 0.3 s of CPU took over a second).
        if self._ctx.inference_threads(self._spec) > 1:
            lower_thread_priority()
        try:
            self._ctx.warm_up(self._spec)
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
        fit_to_screen(self, 1280, 780)
        self.close_to_tray = False  # the tray controller turns this on when a tray exists
        self.every_frame = False  # files: analyse every frame instead of playing in real time
        self._quitting = False
        self._latest: TrackedFrame | None = None
        self._drawn: TrackedFrame | None = None
        self._pending_log: deque[str] = deque(maxlen=MAX_LOG_LINES)
        self._state_dirty = False  # the engine changed armed / paused / profile by itself
        self._cameras: list[int] = []
        self._failed_spec: str | None = None  # the source that stopped on an error
        self._folder: FolderSteps | None = None  # an image folder being stepped through
        self.guide: QWidget | None = None  # the first-run guide, when open
        self.gallery: QWidget | None = None  # the gesture gallery, when open
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

        self.pointer_mode = PointerMode(ctx, self)
        self.pointer_mode.attach(self.session)
        self._build_toolbar()
        self._build_central(enable_3d)
        self._build_statusbar()
        self._build_shortcuts()

        self.video.set_hold_lookup(ctx.hold_ms_for)
        self.video.set_action_lookup(self.action_for)
        from app.gui.toast import Osd

        self.osd = Osd(enabled=ctx.prefs.osd, sound=ctx.prefs.osd_sound,
                       position=ctx.prefs.osd_position)  # fmt: skip
        self.hands.set_hold_lookup(ctx.hold_ms_for)
        self.banner.dismissed.connect(self._on_banner_dismissed)
        self.refresh_cameras()
        self.refresh_profiles()
        self._update_arm_button()
        self._show_config_problems()

        self.redraw_timer = QTimer(self)
        self.redraw_timer.setInterval(REDRAW_INTERVAL_MS)
        self.redraw_timer.timeout.connect(self._redraw)
        self.redraw_timer.start()

    # ------------------------------------------------------------------ construction
    def _build_toolbar(self) -> None:
        """Two tool bars, source and profile; on a narrow window the second one moves to its
        own row (``_fit_toolbars``) instead of hiding buttons behind an overflow arrow."""
        bar = QToolBar("Source")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setIconSize(QSize(18, 18))
        self.addToolBar(bar)
        self.source_bar = bar
        source_label = QLabel(" &Source ")
        bar.addWidget(source_label)
        self.source_combo = QComboBox()
        self.source_combo.setMinimumWidth(180)
        self.source_combo.setMaximumWidth(380)
        self.source_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.source_combo.setToolTip("Camera, video file or image folder to track")
        self.source_combo.activated.connect(self._on_source_activated)
        source_label.setBuddy(self.source_combo)
        bar.addWidget(self.source_combo)
        self.start_button = QPushButton("Start")
        self.start_button.setProperty("accent", True)
        self.start_button.setMinimumWidth(90)
        self.start_button.setToolTip("Start or stop tracking the chosen source (F5)")
        self.start_button.clicked.connect(self.toggle_running)
        bar.addWidget(self.start_button)
        self.loop_box = QCheckBox("&Loop")
        self.loop_box.setToolTip("Play video files over and over")
        self.loop_box.setChecked(True)
        bar.addWidget(self.loop_box)
        self.mirror_box = QCheckBox("M&irror")
        self.mirror_box.setToolTip(
            "Show the picture like a mirror (remembered separately for webcams and for files)"
        )
        self.mirror_box.toggled.connect(self._on_mirror_toggled)
        bar.addWidget(self.mirror_box)

        bar = QToolBar("Profile")
        bar.setObjectName("profileToolbar")
        bar.setMovable(False)
        bar.setIconSize(QSize(18, 18))
        self.addToolBar(bar)
        self.profile_bar = bar
        profile_label = QLabel(" &Profile ")
        bar.addWidget(profile_label)
        self.profile_combo = QComboBox()
        self.profile_combo.setMinimumWidth(130)
        self.profile_combo.setToolTip("Which set of gesture -> action mappings is active")
        self.profile_combo.activated.connect(self._on_profile_activated)
        profile_label.setBuddy(self.profile_combo)
        bar.addWidget(self.profile_combo)
        from app.gui.rules_page import SwitchingStatus  # per-application profiles

        self.switching_status = SwitchingStatus(self.ctx)
        bar.addWidget(self.switching_status)
        self.ctx.switch_changed.connect(lambda _choice: self.refresh_profiles())

        bar = QToolBar("Tools")
        bar.setObjectName("toolsToolbar")
        bar.setMovable(False)
        bar.setIconSize(QSize(18, 18))
        self.addToolBar(bar)
        self.tools_bar = bar
        self.mappings_action = QAction("&Mappings…", self)
        self.mappings_action.setToolTip("Choose what each gesture does")
        self.mappings_action.triggered.connect(self.open_mapping_editor)
        bar.addAction(self.mappings_action)
        self.record_action = QAction("&Record gesture…", self)
        self.record_action.setToolTip("Teach HandCue a gesture of your own")
        self.record_action.triggered.connect(self.open_recorder)
        bar.addAction(self.record_action)
        # Rules live in the Tools menu (Ctrl+U): the tool bar must fit a 800 px wide window.
        self.rules_action = QAction("R&ules…", self)
        self.rules_action.setToolTip("Which profile each application gets")
        self.rules_action.triggered.connect(self.open_rules)
        self.addAction(self.rules_action)
        self.settings_action = QAction("&Settings…", self)
        self.settings_action.setToolTip("Tracking, gestures, safety and window settings")
        self.settings_action.triggered.connect(self.open_settings)
        bar.addAction(self.settings_action)
        bar.addSeparator()
        self.pointer_action = self.pointer_mode.make_toggle_action(self)
        bar.addAction(self.pointer_action)
        for action in (self.mappings_action, self.record_action, self.settings_action,
                       self.pointer_action):  # fmt: skip
            button = bar.widgetForAction(action)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab reaches them
            button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
            button.setAccessibleDescription(action.toolTip())
        self._toolbar_breaks: dict[str, bool] = {"profile": False, "tools": False}

    def _fit_toolbars(self) -> None:
        """Start a new tool bar row before the profile and/or the tools tool bar when a row
        would be wider than the window (no hidden overflow menu on small or scaled screens)."""
        width = self.width() - 16
        source, profile, tools = (
            b.sizeHint().width() for b in (self.source_bar, self.profile_bar, self.tools_bar)
        )
        wanted = {"profile": source + profile > width}
        row = profile if wanted["profile"] else source + profile
        wanted["tools"] = row + tools > width
        for name, bar in (("profile", self.profile_bar), ("tools", self.tools_bar)):
            if wanted[name] != self._toolbar_breaks[name]:
                if wanted[name]:
                    self.insertToolBarBreak(bar)
                else:
                    self.removeToolBarBreak(bar)
                self._toolbar_breaks[name] = wanted[name]

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.session.set_background(False)  # see hideEvent
        self._schedule_3d(BUILD_3D_AFTER_SHOW_MS)
        if self.plot.built:
            # Hidden, the 3D view was not kept up to date: a video that ended or was paused
            # meanwhile draws no further frame to refresh it.
            self._plot_drawn()

    def _schedule_3d(self, delay_ms: int) -> None:
        """Build the 3D view in ``delay_ms`` at the latest (once; see BUILD_3D_AFTER_*)."""
        timer = self._3d_timer
        if not self.plot.built and (not timer.isActive() or timer.remainingTime() > delay_ms):
            timer.start(delay_ms)

    def _build_3d(self) -> None:
        """Build the 3D view (see BUILD_3D_AFTER_*) and plot the hands of the frame already
        drawn: a photo, an image folder or a paused video draws no further frame to fill it."""
        self.plot.build_view()
        self._plot_drawn()

    def _plot_drawn(self) -> None:
        """Plot the hands of the frame drawn last in the 3D view, when it is visible."""
        frame = self._drawn
        if frame is not None and self.plot.isVisible():
            self.plot.set_hands(
                frame.result.hands, frame.result.width, mirrored=self.video.mirrored
            )

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self._fit_toolbars()

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
        video_column = QWidget()
        column = QVBoxLayout(video_column)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.video_stack, 1)
        self.folder_bar = FolderBar()
        self.folder_bar.step_requested.connect(self.step_image)
        self.folder_bar.hide()
        column.addWidget(self.folder_bar)
        splitter.addWidget(video_column)

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
        # enable_3d None (the app): OpenGL when the display has it, built once started
        self.plot = HandPlot3D(use_gl=enable_3d, deferred=enable_3d is None)
        self._3d_timer = QTimer(self)
        self._3d_timer.setSingleShot(True)
        self._3d_timer.timeout.connect(self._build_3d)
        side_layout.addWidget(self.plot, 3)
        log_title = QLabel("EVENTS")
        log_title.setObjectName("sectionTitle")
        side_layout.addWidget(log_title)
        self.event_log = EventLog(MAX_LOG_LINES)
        side_layout.addWidget(self.event_log, 2)
        # On a short screen the side panel scrolls instead of pushing the window off it.
        side_scroll = scroll_body(side)
        side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side_scroll.setMinimumWidth(side.minimumWidth() + 14)
        side_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its controls take the focus
        side.setMinimumHeight(460)
        splitter.addWidget(side_scroll)
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
        """The window's actions (menu bar, shortcuts); see ``app.gui.menus``."""

        def action(text: str, slot, tip: str = "", *, checkable: bool = False) -> QAction:
            act = QAction(text, self)
            act.setCheckable(checkable)
            if tip:
                act.setToolTip(tip)
            act.triggered.connect(slot)
            self.addAction(act)  # shortcuts work while the menu bar is hidden, too
            return act

        self.open_video_action = action("Open &video…", lambda: self.choose_video())
        self.open_folder_action = action("Open image &folder…", lambda: self.choose_folder())
        self.run_action = action("&Start / stop tracking", lambda: self.toggle_running())
        self.quit_action = action("&Quit HandCue", lambda: self.quit_app())
        self.arm_action = action(
            "&Arm / disarm", lambda: self.set_armed(not self.ctx.engine.armed),
            "When armed, gestures press keys and click",
        )  # fmt: skip
        self.pause_action = action(
            "&Pause / resume", lambda: self.set_paused(not self.ctx.engine.paused),
            "Paused: no gesture acts, not even the arm gesture",
        )  # fmt: skip
        self.mirror_action = action("&Mirror the picture", lambda: self.mirror_box.toggle())
        self.next_image_action = action("&Next image", lambda: self.step_image(1),
                                        "Image folders: show the next image")  # fmt: skip
        self.previous_image_action = action("P&revious image", lambda: self.step_image(-1),
                                            "Image folders: show the previous image")  # fmt: skip
        self.guide_action = action("&Getting started", lambda: self.open_guide(),
                                   "How to arm HandCue and what your gestures do")  # fmt: skip
        self.gallery_action = action("Gesture &gallery", lambda: self.open_gallery(),
                                     "Every gesture HandCue knows, with a picture")  # fmt: skip
        self.about_action = action("&About HandCue", lambda: self.open_about(),
                                   "Version and licences")  # fmt: skip
        from app.gui.menus import build_menu_bar

        build_menu_bar(self)
        self.start_button.setToolTip(self.run_action.toolTip())
        self.arm_button.setToolTip(self.arm_action.toolTip())

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
        missing = []
        for path in self.ctx.recent_sources():
            if is_camera_spec(path):
                continue
            if Path(path).exists():
                self._add_path_item(path)
            else:
                missing.append(path)
        for path in missing:  # moved or deleted since: not offered again
            self.ctx.forget_source(path)
        self.source_combo.insertSeparator(self.source_combo.count())
        self.source_combo.addItem("Open video file…", "__video__")
        self.source_combo.addItem("Open image folder…", "__folder__")
        self.source_combo.addItem("Look for cameras again", "__refresh__")
        self._cameras = cameras
        self._select_source(current if current else (str(cameras[0]) if cameras else None))

    def _add_path_item(self, spec: str) -> int:
        for i in range(self.source_combo.count()):
            if self.source_combo.itemData(i) == spec:
                return i
        label = Path(spec).name or spec
        if len(label) > 34:  # the full path is in the tooltip
            label = label[:20] + "…" + label[-13:]
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
        self._on_source_chosen()

    def _on_source_chosen(self) -> None:
        """The chosen source changed: its mirror setting, the empty state's words, buttons."""
        spec = self.current_source()
        self.empty_state.set_source(spec, self._cameras)
        if spec is not None:
            self._apply_mirror_pref(spec)
        self._update_start_button()
        self._update_folder_bar()

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
        self._on_source_chosen()

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

    # ------------------------------------------------------------------ image folders
    def _folder_target(self, spec: str) -> str | None:
        """The image of folder ``spec`` to analyse now (the first when it was not stepped
        through before); None when the folder has no images."""
        if self._folder is None or self._folder.folder != spec:
            steps = FolderSteps(spec)
            if not steps.files:
                self._folder = None
                return None
            self._folder = steps
        return str(self._folder.current)

    def step_image(self, delta: int) -> None:
        """Show the next (``delta`` 1) or previous (-1) image of the chosen folder."""
        spec = self.current_source()
        if spec is None or not is_folder_spec(spec):
            return
        if self._folder is None or self._folder.folder != spec:
            if self._folder_target(spec) is None:
                return
        else:
            assert self._folder is not None
            self._folder.step(delta)
        self.start()

    def _update_folder_bar(self) -> None:
        spec = self.current_source()
        folder = spec is not None and is_folder_spec(spec)
        if not folder:
            self._folder = None
        self.folder_bar.show_steps(self._folder if folder else None)
        self.next_image_action.setEnabled(folder)
        self.previous_image_action.setEnabled(folder)

    # ------------------------------------------------------------------ running
    def adopt_warm_up(self, thread: WarmUpThread, *, report: bool) -> None:
        """Take over a warm-up started before the window was built (start-up: the models load
        while the window is made). ``report``: show its problem in the banner (when no source
        starts; a starting source reports the same problem itself)."""
        thread.setParent(self)
        if report:
            thread.failed.connect(self._on_session_failed)
        self._warm_up = thread

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
        if not self.banner.sticky:  # a settings-file problem stays until dismissed
            self.banner.clear()
        self._failed_spec = None
        self._latest = self._drawn = None
        self._apply_mirror_pref(spec)
        target = spec
        if is_folder_spec(spec):
            # Photos are not a film: one image is analysed at a time, the user steps through
            # them (Next / Previous) instead of a 30 fps slideshow that drops most of them.
            target = self._folder_target(spec)
            if target is None:
                self.show_message(f"{spec}: no images (.jpg, .png, ...) in this folder.")
                return
        loop = self.loop_box.isChecked() and not is_camera_spec(spec) and target == spec
        self.session.start(target, loop=loop, every_frame=self.every_frame)
        self.state_label.setText(f"Starting {self.source_combo.currentText()}…")
        self._update_folder_bar()
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
            stepping = self._folder is not None and self._latest is not None
            self.hands.set_frame(self._latest if stepping else None)
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
        if spec is not None and is_folder_spec(spec) and not running:
            self.start_button.setText("Show")

    def _on_tracking_started(self, provider: str) -> None:
        self._provider = provider
        self.provider_label.setText(provider.replace("ExecutionProvider", "") or "")
        self.state_label.setText(f"Tracking {self.source_combo.currentText()}")

    def _on_frame_ready(self, frame: TrackedFrame) -> None:
        """Worker -> GUI thread, once per processed frame: keep it, queue its log lines."""
        self._latest = frame
        self.pointer_mode.on_frame(frame)
        self._last_frame_s = time.monotonic()
        for line in self._log_lines(frame):
            self._pending_log.append(line)
        self.osd.on_records(frame.actions)
        if any(r.kind == "state" for r in frame.actions):
            self._state_dirty = True

    def _on_session_failed(self, message: str) -> None:
        self._failed_spec = self.session.spec or None
        provider = self.ctx.config.tracker.provider
        if "execution provider" in message and provider not in ("auto", "cpu"):
            self._fall_back_to_auto_provider(provider)
            return
        self.show_message(message, "error")

    def _fall_back_to_auto_provider(self, provider: str) -> None:
        """The settings ask for a provider this computer cannot use: run on the best one that
        works and say so in plain words."""
        from app.gui.settings_dialog import PROVIDER_TITLES

        cfg = self.ctx.config
        tracker = cfg.tracker.model_copy(update={"provider": "auto"})
        try:
            self.ctx.set_config(cfg.model_copy(update={"tracker": tracker}))
        except HandCueError as exc:
            self.show_message(str(exc))
            return
        title = PROVIDER_TITLES.get(provider, provider)
        restart = self._failed_spec is not None
        if restart:
            self.start()
        self.show_message(
            f"{title} cannot be used on this computer, so HandCue runs on the best processor "
            "available instead (Settings -> Run on: Automatic).",
            "info",
        )

    def _on_banner_dismissed(self) -> None:
        """The message is gone: the status line goes back to what is happening."""
        if self.session.running:
            self.state_label.setText(f"Tracking {self.source_combo.currentText()}")
        else:
            self.state_label.setText("Stopped")

    def _on_source_lost(self, message: str) -> None:
        self.show_message(message, "warning")
        self.state_label.setText("Waiting for the source…")

    def _on_source_restored(self) -> None:
        if self.banner.level == "warning":
            self.banner.clear()
        self.state_label.setText(f"Tracking {self.source_combo.currentText()}")

    def _on_source_ended(self) -> None:
        if self._folder is not None:
            self.state_label.setText(self._folder.describe() + "  (Page Down: next, Page Up: "
                                     "previous)")  # fmt: skip
            return
        self.state_label.setText("Finished: the video ended")

    # ------------------------------------------------------------------ drawing
    def _redraw(self) -> None:
        """Timer, ~30 Hz: draw the newest frame if it is new; flush queued log lines."""
        if self._pending_log:
            self.event_log.append_lines(list(self._pending_log))
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
        self._schedule_3d(BUILD_3D_AFTER_FRAME_MS)
        self.hands.set_frame(frame)
        self._plot_drawn()
        if self._folder is not None:
            self.perf_label.setText(self._folder.describe())
        else:
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
    def show_message(self, text: str, level: str = "error",
                     actions: tuple[tuple[str, object], ...] = ()) -> None:  # fmt: skip
        """The one place that shows errors and warnings to the user (``actions``: buttons
        beside the message, as (text, callable) pairs)."""
        if level == "error":
            log.warning("shown to user: %s", text)
        self.banner.show_message(text, level, actions)
        if level in ("error", "warning"):
            self.state_label.setText(text.splitlines()[0])

    def _show_config_problems(self) -> None:
        """Startup: every settings problem in one message; when the file could not be used,
        where the error is, that the file was kept, and buttons to open it or restore the
        backup."""
        problems = self.ctx.config_problems
        path = self.ctx.config_fallback
        if path is None:
            if problems:
                self.show_message("Settings problems:\n" + "\n".join(problems), "warning")
            return
        # The loader's own "using the default settings" wording is what this banner says.
        details = [p.partition("; using the default settings")[0] for p in problems]
        details = [p for p in details if p and not p.startswith(f"{path}: using the default")]
        text = (
            "Your settings file could not be used, so HandCue started with the default "
            "settings: your own profiles and mappings are not loaded. The file itself was kept "
            f"unchanged: {path}\n" + "\n".join(details[:6])
        )
        actions: list[tuple[str, object]] = [("Open settings file", self.open_settings_file)]
        if self._settings_backup() is not None:
            actions.append(("Restore backup", self.restore_settings_backup))
        self.show_message(text, "warning", tuple(actions))

    def _settings_backup(self) -> tuple[Path, object] | None:
        """The backup of the settings file and its settings, if it exists and is valid."""
        from pipeline.settings import read_config_file

        path = self.ctx.config_fallback
        if path is None:
            return None
        backup = path.with_name(path.name + ".bak")
        if not backup.is_file():
            return None
        cfg, _problems = read_config_file(backup)
        return (backup, cfg) if cfg is not None else None

    def open_settings_file(self) -> bool:
        """Open the settings file in the user's editor (the desktop's choice)."""
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        path = self.ctx.config_fallback
        if path is None:
            from pipeline.settings import config_path

            path = config_path()
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def restore_settings_backup(self) -> bool:
        """Use the backup of the broken settings file; the broken file is kept beside it."""
        found = self._settings_backup()
        if found is None:
            self.show_message("There is no usable backup of the settings file.")
            return False
        backup, cfg = found
        try:
            self.ctx.set_config(cfg)  # type: ignore[arg-type]
            self.ctx.set_active_profile(cfg.active_profile)  # type: ignore[attr-defined]
        except HandCueError as exc:
            self.show_message(str(exc))
            return False
        self.ctx.config_fallback = None
        self.refresh_profiles()
        self.show_message(
            f"Restored your settings from {backup.name}. The file that could not be read was "
            "kept beside it (named config.toml.invalid-<date>).",
            "info",
        )
        return True

    # ------------------------------------------------------------------ arming / profiles
    def set_armed(self, armed: bool) -> None:
        self.ctx.engine.set_armed(armed)
        self._update_arm_button()
        self.ctx.state_changed.emit()
        self.osd.notify(*(("Armed: gestures act", "armed") if armed else ("Disarmed", "info")))

    def set_paused(self, paused: bool) -> None:
        self.ctx.engine.set_paused(paused)
        self._update_arm_button()
        self.ctx.state_changed.emit()
        self.osd.notify(*(("Paused", "paused") if paused else ("Resumed", "info")))

    def action_for(self, gesture: str) -> str:
        """What ``gesture`` does in the active profile, in words ("" for nothing)."""
        from app.gui.action_words import action_words

        if gesture == self.ctx.config.actions.arm_gesture and gesture != "none":
            return "arm / disarm"
        for binding in self.ctx.engine.mappings:
            if binding.gesture == gesture:
                return action_words(binding.action)
        return ""

    def _on_arm_clicked(self) -> None:
        engine = self.ctx.engine
        if engine.paused:
            self.set_paused(False)
            return
        self.set_armed(not engine.armed)

    def _update_arm_button(self) -> None:
        engine = self.ctx.engine
        if engine.paused:
            state, text = "paused", "PAUSED\nclick to resume"
            about = "Paused: no gesture acts. Press to resume."
        elif engine.armed:
            state, text = "armed", "ARMED\ngestures act"
            about = "Armed: gestures press keys and click. Press to disarm."
        else:
            state, text = "disarmed", "DISARMED\nclick to arm"
            about = "Disarmed: gestures are shown but do nothing. Press to arm."
        self.arm_button.setText(text)
        self.arm_button.setAccessibleName(text.replace("\n", ": "))
        self.arm_button.setAccessibleDescription(about)
        self.arm_button.setChecked(engine.armed and not engine.paused)
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
        active = self.ctx.engine.profile or (names[0] if names else "")
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
        spec = self.current_source()
        if spec is not None and on != self.ctx.mirror_for(spec):
            self.ctx.set_mirror_for(spec, on)  # the user's choice sticks (per kind of source)

    def _apply_mirror_pref(self, spec: str) -> None:
        """Show the picture mirrored as the user last chose for this kind of source (webcams
        like a mirror by default, files as recorded)."""
        on = self.ctx.mirror_for(spec)
        if self.mirror_box.isChecked() != on:
            self.mirror_box.setChecked(on)
        self.video.set_mirrored(on)

    # ------------------------------------------------------------------ dialogs
    def open_mapping_editor(self) -> None:
        from app.gui.mapping_editor import MappingEditor

        dialog = MappingEditor(self.ctx, self)
        dialog.exec()
        self.refresh_profiles()
        self.ctx.state_changed.emit()

    def open_rules(self) -> None:
        from app.gui.rules_page import RulesDialog

        RulesDialog(self.ctx, self).exec()
        self.refresh_profiles()

    def open_recorder(self) -> None:
        from app.gui.recorder import GestureRecorder

        dialog = GestureRecorder(self.ctx, lambda: self._latest, self,
                                 mirrored=self.video.mirrored,
                                 is_running=lambda: self.session.running,
                                 start_tracking=self.start)  # fmt: skip
        dialog.map_requested.connect(self._on_map_recorded)
        dialog.exec()

    def _on_map_recorded(self, gesture: str) -> None:
        from app.gui.mapping_editor import MappingEditor

        dialog = MappingEditor(self.ctx, self, new_gesture=gesture)
        dialog.exec()
        self.refresh_profiles()

    def open_settings(self) -> None:
        from app.gui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.ctx, self, pointer=self.pointer_mode)
        if dialog.exec():
            self.apply_settings()

    def open_about(self) -> None:
        from app.gui.about import AboutDialog

        self.about_dialog = AboutDialog(self)
        self.about_dialog.open()

    def open_guide(self) -> None:
        """The first-run guide: how to arm, the arm gesture, the active profile's mappings."""
        from app.gui.guide import GuideDialog

        if self.guide is not None:
            self.guide.close()
        self.guide = GuideDialog(self.ctx, self, on_gallery=self.open_gallery)
        self.guide.show()  # not modal: the app stays usable beside it
        self.guide.raise_()
        self.guide.activateWindow()
        if not self.ctx.prefs.guide_seen:
            from dataclasses import replace

            self.ctx.set_prefs(replace(self.ctx.prefs, guide_seen=True))

    def open_gallery(self) -> None:
        """Every gesture HandCue knows, with a picture and its id."""
        from app.gui.guide import GalleryDialog

        if self.gallery is not None:
            self.gallery.close()
        self.gallery = GalleryDialog(self.ctx, self)
        self.gallery.show()
        self.gallery.raise_()
        self.gallery.activateWindow()

    def _on_templates_changed(self) -> None:
        """A gesture was recorded or removed: a running source restarts so it is recognised."""
        if self.session.running:
            self.start()

    def apply_settings(self) -> None:
        """Settings changed: rebuild the pipeline and restart a running source (or one that
        stopped on an error, which the new settings may have fixed)."""
        prefs = self.ctx.prefs
        self.osd.configure(enabled=prefs.osd, sound=prefs.osd_sound, position=prefs.osd_position)
        spec = self.current_source()
        if spec is not None:
            self._apply_mirror_pref(spec)
        if self.session.running or (self._failed_spec is not None and spec is not None):
            self.start()

    # ------------------------------------------------------------------ window life
    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt name)
        # Hidden to the tray or minimised: nobody watches the live view, so power saving may
        # skip the frames it does not need (TrackingSession.set_background).
        self.session.set_background(True)
        super().hideEvent(event)

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
        self.pointer_mode.shutdown()
        self.ctx.engine.release_all()
        self.osd.close()

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


def describe_record(record: ActionRecord) -> str:
    """One line for an ``ActionRecord`` from the action engine."""
    kind, status, detail = record.kind, record.status, record.detail
    if kind == "state":
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
        action, phase, latency = record.action, record.phase, record.latency_ms
        if status == "done":
            extra = f", {latency:.0f} ms" if isinstance(latency, (int, float)) else ""
            what = {"press": "pressed", "release": "released", "repeat": "repeated"}.get(
                phase, "sent"
            )
            return f"{what} {action}{extra}"
        reason = {"disarmed": "not sent: disarmed (click ARM to let gestures act)",
                  "own_window": "not sent: a HandCue window has the focus",
                  "paused": "not sent: paused", "cooldown": "skipped: cooling down",
                  "rate_limited": "skipped: too many actions per second",
                  "failed": "FAILED"}.get(status, status)  # fmt: skip
        return f"{action} {reason}" + (f" ({detail})" if detail and status == "failed" else "")
    return str(record)
