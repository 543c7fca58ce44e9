"""The main window: source bar, live video with overlay, arm switch, hands, 3D view, event log.

``MainWindow`` builds the parts, wires their signals and shuts them down; its jobs live beside
it: the tool bars (``toolbar``), choosing the source (``source_picker``), running the session
(``session_control``), drawing the frames (``frame_display``), arming and the profile
(``arm_control``), the dialogs and the settings file's problems (``window_dialogs``), the banner
and the empty state (``banner``). Every error ends up in ``show_message`` (the banner above the
video). GUI thread only."""

from __future__ import annotations

import logging
from collections import deque

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QHideEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import resources
from app.gui.arm_control import ArmControl
from app.gui.banner import Banner, EmptyState
from app.gui.context import AppContext
from app.gui.event_log import EventLog
from app.gui.folder_steps import FolderBar
from app.gui.frame_display import (
    MAX_LOG_LINES,
    REDRAW_INTERVAL_MS,
    FrameDisplay,
    pointer_switch_line,
)
from app.gui.hands_panel import HandsPanel
from app.gui.plot3d import HandPlot3D
from app.gui.pointer_mode import PointerMode
from app.gui.screen_fit import fit_to_screen, scroll_body
from app.gui.session_control import SessionControl, WarmUpThread
from app.gui.source_picker import SourcePicker
from app.gui.toolbar import ToolBars
from app.gui.tracked_frames import TrackedFrame
from app.gui.video_view import VideoView
from app.gui.wheel_guard import install_wheel_guard
from app.gui.window_dialogs import WindowDialogs

log = logging.getLogger(__name__)


class MainWindow(SessionControl, FrameDisplay, WindowDialogs, ArmControl, QMainWindow):
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
        self._failed_spec: str | None = None  # the source that stopped on an error
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

        install_wheel_guard()  # the wheel scrolls forms; it changes only a focused field
        self.pointer_mode = PointerMode(ctx, self)
        self.pointer_mode.attach(self.session)
        self.pointer_mode.enabled_changed.connect(
            lambda on: self._pending_log.append(pointer_switch_line(on))
        )
        self._build_toolbars()
        self._build_central(enable_3d)
        self._build_statusbar()
        self._build_shortcuts()
        self.sources = SourcePicker(
            ctx, self.session, self.source_combo, self.folder_bar,
            (self.next_image_action, self.previous_image_action),
            start=lambda: self.start(), parent=self,
        )  # fmt: skip
        self.sources.chosen.connect(self._on_source_chosen)
        self.source_combo.activated.connect(self.sources.on_activated)

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
    def _build_toolbars(self) -> None:
        """The source, profile and tools tool bars (``app.gui.toolbar``), wired to the
        window's slots."""
        bars = self.tool_bars = ToolBars(self, self.ctx, self.pointer_mode)
        self.source_bar, self.profile_bar, self.tools_bar = (
            bars.source_bar, bars.profile_bar, bars.tools_bar
        )  # fmt: skip
        self.source_combo, self.start_button = bars.source_combo, bars.start_button
        self.loop_box, self.mirror_box = bars.loop_box, bars.mirror_box
        self.profile_combo, self.switching_status = bars.profile_combo, bars.switching_status
        self.mappings_action, self.record_action = bars.mappings_action, bars.record_action
        self.rules_action, self.settings_action = bars.rules_action, bars.settings_action
        self.pointer_action = bars.pointer_action
        self.start_button.clicked.connect(self.toggle_running)
        self.mirror_box.toggled.connect(self._on_mirror_toggled)
        self.profile_combo.activated.connect(self._on_profile_activated)
        self.ctx.switch_changed.connect(lambda _choice: self.refresh_profiles())
        self.mappings_action.triggered.connect(self.open_mapping_editor)
        self.record_action.triggered.connect(self.open_recorder)
        self.rules_action.triggered.connect(self.open_rules)
        self.settings_action.triggered.connect(self.open_settings)

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
        # The input backend: its short name here, what it can and cannot do in the tooltip.
        line = str(getattr(self.ctx, "input_backend", "") or "")
        short = line.split(";")[0].removeprefix("input: ").split(" (")[0]
        self.input_label = QLabel(f"Input: {short}")
        self.input_label.setToolTip(line)
        self.input_label.setVisible(bool(line))
        bar.addPermanentWidget(self.input_label)

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
            "&Pause / resume", lambda: self.toggle_paused(),
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
        self.sources.refresh_cameras()

    def current_source(self) -> str | None:
        """The chosen source spec, or None when nothing playable is chosen."""
        return self.sources.current()

    def set_source(self, spec: str, *, start: bool = True) -> None:
        """Choose ``spec`` (camera index, video file or image folder) and optionally start."""
        self.sources.set_source(spec, start=start)

    def choose_video(self) -> None:
        self.sources.choose_video()

    def choose_folder(self) -> None:
        self.sources.choose_folder()

    def step_image(self, delta: int) -> None:
        """Show the next (``delta`` 1) or previous (-1) image of the chosen folder."""
        self.sources.step_image(delta)

    def _on_source_chosen(self) -> None:
        """The chosen source changed: its mirror setting, the empty state's words, buttons."""
        spec = self.current_source()
        self.empty_state.set_source(spec, self.sources.cameras)
        if spec is not None:
            self._apply_mirror_pref(spec)
        self._update_start_button()

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

    # ------------------------------------------------------------------ mirror
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

    # ------------------------------------------------------------------ window life
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.session.set_background(False)  # see hideEvent
        self._on_shown()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self.tool_bars.fit()

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
