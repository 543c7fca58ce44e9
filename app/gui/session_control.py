"""Running the tracking session from the main window: start / stop, the model warm-up, and
what the window shows when the session starts, stops, fails, loses or ends its source. GUI
thread only, except ``WarmUpThread.run``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QMainWindow, QPushButton, QStackedWidget

from app.gui.worker_load import lower_thread_priority
from pipeline.errors import HandCueError
from pipeline.sources import is_camera_spec, is_folder_spec

if TYPE_CHECKING:
    from app.gui.banner import Banner, EmptyState
    from app.gui.context import AppContext
    from app.gui.hands_panel import HandsPanel
    from app.gui.source_picker import SourcePicker
    from app.gui.tracked_frames import TrackedFrame
    from app.gui.video_view import VideoView
    from app.gui.worker import TrackingSession

    _WindowBase = QMainWindow  # the mixin is only ever a base of MainWindow
else:
    _WindowBase = object

log = logging.getLogger(__name__)


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


# The line ModelsMissingError's message carries (pipeline.errors): the models are missing.
MODELS_MISSING = "handcue models install"


class SessionControl(_WindowBase):
    """Mixin of ``MainWindow``: starting and stopping the tracking session and the slots of
    its signals. The attributes below are the window's parts it uses."""

    ctx: AppContext
    session: TrackingSession
    sources: SourcePicker
    every_frame: bool  # files: analyse every frame instead of playing in real time
    banner: Banner
    empty_state: EmptyState
    _models_install: QObject | None = None  # the models being installed, while they are
    video_stack: QStackedWidget
    video: VideoView
    hands: HandsPanel
    source_combo: QComboBox
    start_button: QPushButton
    loop_box: QCheckBox
    state_label: QLabel
    perf_label: QLabel
    provider_label: QLabel
    _latest: TrackedFrame | None
    _drawn: TrackedFrame | None
    _failed_spec: str | None  # the source that stopped on an error
    _provider: str
    _warm_up: WarmUpThread | None

    if TYPE_CHECKING:

        def show_message(self, text: str, level: str = "error",
                         actions: tuple[tuple[str, object], ...] = ()) -> None: ...  # fmt: skip

        def current_source(self) -> str | None: ...

        def _apply_mirror_pref(self, spec: str) -> None: ...

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
            image = self.sources.folder_target(spec)
            if image is None:
                self.show_message(f"{spec}: no images (.jpg, .png, ...) in this folder.")
                return
            target = image
        loop = self.loop_box.isChecked() and not is_camera_spec(spec) and target == spec
        self.session.start(target, loop=loop, every_frame=self.every_frame)
        self.state_label.setText(f"Starting {self.source_combo.currentText()}…")
        self.sources.update_folder_bar()
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
            stepping = self.sources.folder is not None and self._latest is not None
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

    def _on_session_failed(self, message: str) -> None:
        self._failed_spec = self.session.spec or None
        provider = self.ctx.config.tracker.provider
        if "execution provider" in message and provider not in ("auto", "cpu"):
            self._fall_back_to_auto_provider(provider)
            return
        # One state, one message: the banner, the video area and the status line all say
        # that nothing is tracked and why (the status line said "Tracking" and the video area
        # "Ready to play" beside a red "no such file").
        first_line = message.splitlines()[0] if message else "Tracking stopped"
        if MODELS_MISSING in message:
            self.show_message(message, "error", actions=(("Install models", self.install_models),))
            self.empty_state.show_problem(
                "The hand models are not installed",
                "Press Install models above (it downloads and converts them once), then Start.",
            )
            self.state_label.setText("Stopped: the hand models are not installed")
        else:
            self.show_message(message, "error")
            self.empty_state.show_problem("Nothing to track", first_line)
            self.state_label.setText(f"Stopped: {first_line}")
        if not self.session.running:
            self.video_stack.setCurrentWidget(self.empty_state)

    def install_models(self) -> None:
        """Install the hand models from the app (``handcue models install`` in a child
        process), showing its progress in the banner; then load them."""
        from app.gui.models_install import ModelsInstall

        if self._models_install is not None:
            return
        job = ModelsInstall(self)
        self._models_install = job
        job.progress.connect(
            lambda line: self.show_message(f"Installing the hand models… {line}", "info")
        )
        job.finished_ok.connect(self._on_models_installed)
        job.failed.connect(self._on_models_install_failed)
        job.start()

    def _on_models_installed(self) -> None:
        self._models_install = None
        self.show_message("The hand models are installed.", "info")
        self.state_label.setText("Stopped")
        self.empty_state.set_source(self.current_source(), self.sources.cameras)
        self.check_models()

    def _on_models_install_failed(self, message: str) -> None:
        self._models_install = None
        self.show_message(
            f"The hand models could not be installed: {message}", "error",
            actions=(("Install models", self.install_models),),
        )  # fmt: skip

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
        folder = self.sources.folder
        if folder is not None:
            self.state_label.setText(folder.describe() + "  (Page Down: next, Page Up: "
                                     "previous)")  # fmt: skip
            return
        self.state_label.setText("Finished: the video ended")
