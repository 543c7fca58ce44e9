"""What the GUI needs, built once at startup and passed to every window and dialog.

``AppContext`` holds the settings (``pipeline.settings.AppConfig``, immutable; replaced on every
edit and saved through :class:`pipeline.settings.guard.SettingsFile`, which reads the file
again before each write so that nothing changed outside the app is written over, and never
writes over a file with a mistake unless the user says so; the context also watches the file
and takes in outside changes as they happen), the action engine (thread-safe: the GUI arms, pauses
and switches profiles on it while the tracking thread feeds it), the recorded gestures, the
GUI's own preferences, and builds the shared runtime (``pipeline.runtime``) for each source in
the worker thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from app.gui.worker import SourceOpener, TrackingSession, default_source_opener
from pipeline import paths
from pipeline.actions.engine import ActionEngine
from pipeline.errors import HandCueError
from pipeline.gestures import GESTURES_IN_ORDER
from pipeline.pointer import PointerHook
from pipeline.runtime import (
    HandCueRuntime,
    Tracker,
    build_runtime,
    make_gestures,
    make_tracker,
    mode_threads,
)
from pipeline.settings import AppConfig
from pipeline.settings.guard import SettingsFault, SettingsFile, SyncResult, merge_settings
from pipeline.settings.window import GUI_PREFS_FILE, MAX_RECENT, GuiPrefs
from pipeline.sources import RunningMode, is_camera_spec
from pipeline.tracking.config import TrackerConfig, tracker_config

log = logging.getLogger(__name__)


@dataclass
class TrackerCache:
    """Keeps one tracker per settings so restarting a source does not reload the models.
    Used from the tracking thread only (one session runs at a time)."""

    factory: Callable[..., Tracker]
    _key: Any = None
    _tracker: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, config: AppConfig, *, mode: RunningMode, threads: int) -> Tracker:
        key = (config.tracker, mode, threads)
        with self._lock:
            if self._tracker is None or self._key != key:
                self._tracker = None  # free the old sessions before loading new ones
                self._tracker = self.factory(config, mode=mode, threads=threads)
                self._key = key
            else:
                self._tracker.reset()
            return self._tracker


#: How long the settings file must be quiet before a change to it is read (an editor may write
#: it in several steps).
SETTINGS_SETTLE_MS = 250


@dataclass(frozen=True)
class SettingsNews:
    """What happened to the settings file, for the window to tell the user: ``result`` of
    reading or writing it; ``action``: ``"save"`` (the app changed a setting), ``"check"``
    (the file changed), ``"fix"`` (Fix for me), ``"restore"`` (the backup was put back);
    ``before``: the settings in use until then; ``error``: why it could not be written;
    ``fixed``: the mistake Fix for me (or a Save the user allowed) wrote over."""

    result: SyncResult | None
    action: str
    before: AppConfig
    error: str | None = None
    fixed: SettingsFault | None = None


def load_settings_file(path: Path | None = None) -> tuple[SettingsFile, AppConfig, list[str]]:
    """Startup: the settings file, the settings to start with (its valid part when it has a
    mistake, the defaults when none can be told apart) and its messages for the user."""
    settings = SettingsFile(path)
    loaded = settings.load()
    problems = list(loaded.warnings)
    if loaded.fault is not None:
        problems += loaded.fault.problems
    return settings, loaded.config, problems


def default_list_cameras() -> list[int]:
    from pipeline.sources import list_cameras

    try:
        return list_cameras()
    except Exception:  # a broken camera driver must not stop the app from starting
        log.exception("camera probe failed")
        return []


class AppContext(QObject):
    """Shared state of the running app. GUI thread, except ``build_runtime`` (tracking thread).

    Signals: ``state_changed`` (armed / paused / profile), ``config_changed`` (settings or
    mappings saved, or read again after an outside change), ``templates_changed`` (a gesture
    was recorded or removed), ``switch_changed(ProfileChoice)`` (the per-application switcher
    decided again: emitted from its watcher thread, delivered queued to GUI-thread receivers),
    ``settings_file_changed(SettingsNews)`` (the settings file changed outside the app, has a
    mistake, was fixed or restored, or two versions met: for the banner).

    Settings go to ``settings_file`` (:class:`pipeline.settings.guard.SettingsFile`) when it is
    given, else to the plain ``save_config`` callable (tests with fakes).
    """

    state_changed = Signal()
    config_changed = Signal()
    templates_changed = Signal()
    switch_changed = Signal(object)
    settings_file_changed = Signal(object)

    def __init__(
        self,
        config: AppConfig,
        *,
        engine: ActionEngine,
        sink: Any = None,
        config_problems: list[str] | None = None,
        save_config: Callable[[AppConfig], Any] | None = None,
        tracker_factory: Callable[..., Tracker] = make_tracker,
        gesture_factory: Callable[[AppConfig, Any], Any] | None = make_gestures,
        templates: Any = None,
        templates_loader: Callable[[], Any] | None = None,
        opener: SourceOpener = default_source_opener,
        list_cameras: Callable[[], list[int]] = default_list_cameras,
        prefs: GuiPrefs | None = None,
        prefs_path: Path | None = None,
        retry_s: float = 2.0,
        switcher: Any = None,
        settings_file: SettingsFile | None = None,
    ) -> None:
        super().__init__()
        # pipeline.focus.ProfileSwitcher (None: profiles are only chosen by hand)
        self.switcher = switcher
        if switcher is not None:
            switcher.add_listener(self.switch_changed.emit)
        self._config = config
        self.engine = engine
        self.sink = sink
        # Which way input reaches applications (app.desktop.backends), for the status bar.
        self.input_backend = ""
        self.config_problems = list(config_problems or [])
        # The settings file when it could not be used as it is (its valid part or the
        # defaults are in effect instead).
        self.config_fallback: Path | None = None
        self._save_config = save_config
        self.settings_file = settings_file
        self._file_watcher: QFileSystemWatcher | None = None
        self._watching = settings_file is not None
        self._file_settle = QTimer(self)
        self._file_settle.setSingleShot(True)
        self._file_settle.setInterval(SETTINGS_SETTLE_MS)
        self._file_settle.timeout.connect(self.check_settings_file)
        if settings_file is not None:
            if settings_file.fault is not None:
                self.config_fallback = settings_file.path
            self._watch_settings_file()
        self._trackers = TrackerCache(tracker_factory)
        self._gesture_factory = gesture_factory
        self.templates = templates
        self._templates_loader = templates_loader
        self.opener = opener
        self.list_cameras = list_cameras
        self.prefs_path = prefs_path or paths.config_dir() / GUI_PREFS_FILE
        self.prefs = prefs or GuiPrefs()
        self.retry_s = retry_s
        # Pointer mode's hook (app.gui.pointer_mode sets it): every session's runtime runs it
        # on the tracking thread, as handcue run --pointer does.
        self.pointer: PointerHook | None = None

    # ------------------------------------------------------------------ settings
    @property
    def config(self) -> AppConfig:
        return self._config

    def set_config(self, config: AppConfig, *, since: AppConfig | None = None,
                   replace_invalid: bool = False) -> None:  # fmt: skip
        """``config`` is already validated (pydantic); write the file, hand the new settings
        to the action engine and tell the windows. Raises ``HandCueError`` when the file
        cannot be written (the old settings stay in effect).

        With a settings file: changes made to the file outside the app are read and the
        app's changes merged into them (see :class:`~pipeline.settings.guard.SettingsFile`);
        ``since``: the settings a dialog started from, so that only its own edits are taken
        (what changed meanwhile is kept). While the file has a mistake it is not written
        unless ``replace_invalid`` (the user said so); the change is used, held back."""
        if self.settings_file is None:
            if self._save_config is not None:
                self._save_config(config)
            self._use(config, changed=True)
            return
        earlier = None
        if since is not None and since != self._config:
            merged, conflicts = merge_settings(since, config, self._config)
            earlier = (config, conflicts) if conflicts else None
            config = merged
        fixed = self.settings_file.fault if replace_invalid else None
        result = self.settings_file.sync(config, replace_invalid=replace_invalid,
                                         earlier=earlier)  # fmt: skip
        self._adopt(result, "fix" if replace_invalid else "save", fixed=fixed)

    def _use(self, config: AppConfig, *, changed: bool) -> None:
        self._config = config
        self.engine.set_config(config)  # keeps its profile if it still exists
        if self.switcher is not None:
            self.switcher.set_config(config)  # rules or pinning may choose another profile
        if changed:
            self.config_changed.emit()

    def _adopt(self, result: SyncResult, action: str, fixed: SettingsFault | None = None) -> None:
        """Use what the settings file and the app agreed on, and tell the window when there is
        something to say."""
        before = self._config
        assert self.settings_file is not None
        self.config_fallback = self.settings_file.path if result.fault is not None else None
        if action != "check" or result.config != before:  # (a reset releases held keys)
            self._use(result.config, changed=True)
        self._watch_settings_file()  # the folder may be new, the file replaced
        if (result.outside or result.fault is not None or result.conflict_file is not None
                or result.kept_invalid is not None or action in ("fix", "restore")):  # fmt: skip
            self.settings_file_changed.emit(SettingsNews(result, action, before, fixed=fixed))

    def check_settings_file(self) -> SettingsFault | None:
        """Read the settings file if it changed outside the app and use it (the app's changes
        held back while it had a mistake are merged in and written); returns its mistake, if
        any. Called when the file changes (a watcher), and before a dialog saves."""
        if self.settings_file is None:
            return None
        try:
            result = self.settings_file.sync(self._config)
        except HandCueError as exc:
            log.warning("settings file: %s", exc)
            self.settings_file_changed.emit(SettingsNews(None, "check", self._config, str(exc)))
            return self.settings_file.fault
        self._adopt(result, "check")
        return result.fault

    def fix_settings_file(self) -> None:
        """ "Fix for me": write the settings in use (the file's valid part, with the app's own
        changes) over the file with the mistake, which is kept beside it. Raises
        ``HandCueError`` when it cannot be written."""
        self.set_config(self._config, replace_invalid=True)

    def restore_settings_backup(self) -> None:
        """Put ``config.toml.bak`` back (the file it replaces is kept beside it) and use it.
        Raises ``HandCueError`` when there is no usable backup or it cannot be written."""
        if self.settings_file is None:
            raise HandCueError("there is no settings file to restore")
        result = self.settings_file.restore_backup()
        self._adopt(result, "restore")
        if result.config.active_profile in result.config.profiles:
            self.engine.set_profile(result.config.active_profile)
        self.state_changed.emit()

    def _watch_settings_file(self) -> None:
        """Watch the settings file and its folder (an editor or ``handcue config import``
        replaces the file, which ends a watch on the file itself)."""
        if self.settings_file is None or not self._watching:
            return
        if self._file_watcher is None:
            self._file_watcher = QFileSystemWatcher(self)
            self._file_watcher.fileChanged.connect(self._on_settings_path_changed)
            self._file_watcher.directoryChanged.connect(self._on_settings_path_changed)
        watched = set(self._file_watcher.files()) | set(self._file_watcher.directories())
        path = self.settings_file.path
        folder = path.parent
        while not folder.exists() and folder != folder.parent:  # not made yet: its parent
            folder = folder.parent
        for item in (folder, path):
            if str(item) not in watched and item.exists():
                self._file_watcher.addPath(str(item))

    def stop_watching_settings(self) -> None:
        """Stop watching the settings file (at exit); it is still read before each write."""
        self._watching = False
        self._file_settle.stop()
        if self._file_watcher is not None:
            self._file_watcher.deleteLater()
            self._file_watcher = None

    def _on_settings_path_changed(self, _path: str) -> None:
        self._file_settle.start()  # read once the writing is over

    def set_prefs(self, prefs: GuiPrefs) -> None:
        """Use and save ``prefs``; a failed save is logged (the old file is kept)."""
        self.prefs = prefs
        try:
            prefs.save(self.prefs_path)
        except HandCueError as exc:
            log.warning("window preferences not saved: %s", exc)

    def mirror_preview(self) -> bool:
        return self.prefs.mirror_preview

    def mirror_for(self, spec: str) -> bool:
        """Whether the picture of source ``spec`` is shown mirrored (the user's last choice for
        webcams, or for files)."""
        return self.prefs.mirror_preview if is_camera_spec(spec) else self.prefs.mirror_files

    def set_mirror_for(self, spec: str, on: bool) -> None:
        field_name = "mirror_preview" if is_camera_spec(spec) else "mirror_files"
        self.set_prefs(self.prefs.changed(**{field_name: bool(on)}))

    def forget_source(self, spec: str) -> None:
        """Drop ``spec`` from the recent sources (e.g. the file is gone)."""
        recent = tuple(s for s in self.prefs.recent_sources if s != spec)
        if recent != self.prefs.recent_sources:
            self.set_prefs(self.prefs.changed(recent_sources=recent))

    def recent_sources(self) -> list[str]:
        return list(self.prefs.recent_sources)

    def remember_source(self, spec: str) -> None:
        recent = [spec, *(s for s in self.prefs.recent_sources if s != spec)][:MAX_RECENT]
        self.set_prefs(self.prefs.changed(recent_sources=tuple(recent)))

    # ------------------------------------------------------------------ profiles
    def profile_names(self) -> list[str]:
        return list(self._config.profiles)

    def active_profile(self) -> str:
        return self.engine.profile

    def set_active_profile(self, name: str) -> None:
        """Switch the engine and remember the choice in the config file. While profiles
        follow the active window, a choice by hand pins it (until ``set_following(True)``)."""
        self.engine.set_profile(name)
        update: dict[str, Any] = {}
        if self._config.active_profile != name:
            update["active_profile"] = name
        switching = self._config.switching
        if self.switcher is not None and switching.enabled and switching.pinned != name:
            update["switching"] = switching.model_copy(update={"pinned": name})
        if update:
            self.set_config(self._config.model_copy(update=update))
        self.state_changed.emit()

    def following(self) -> bool:
        """The profile follows the active window (switching on, nothing pinned, a watcher)."""
        switching = self._config.switching
        return (
            self.switcher is not None
            and self.switcher.unavailable is None
            and switching.enabled
            and not switching.pinned
        )

    def set_following(self, on: bool) -> None:
        """Follow the active window again (unpin), or pin the profile in use now."""
        switching = self._config.switching
        pinned = "" if on else self.engine.profile
        update = {"pinned": pinned} | ({"enabled": True} if on else {})
        if switching.pinned != pinned or (on and not switching.enabled):
            new = switching.model_copy(update=update)
            self.set_config(self._config.model_copy(update={"switching": new}))
        self.state_changed.emit()

    def start_switching(self) -> str | None:
        """Start following the active window; the message says why it cannot (Wayland)."""
        return self.switcher.start() if self.switcher is not None else None

    def stop_switching(self) -> None:
        if self.switcher is not None:
            self.switcher.stop()

    def hold_ms_for(self, gesture: str) -> float:
        """Hold time of ``gesture`` in the active profile (ms): the arm gesture's arm hold, a
        mapping's own hold or the default; -1 when the gesture is not mapped (no progress)."""
        actions = self._config.actions
        if gesture == actions.arm_gesture:
            return float(actions.arm_hold_ms)
        for binding in self.engine.mappings:
            if binding.gesture == gesture:
                return float(binding.effective_hold_ms(actions))
        return -1.0

    # ------------------------------------------------------------------ recorded gestures
    def known_gestures(self) -> list[str]:
        """Built-in then recorded gesture ids (without ``none``)."""
        recorded = self.templates.names() if self.templates is not None else []
        out = [g for g in GESTURES_IN_ORDER if g != "none"]
        return out + [r for r in recorded if r not in out]

    def reload_templates(self) -> None:
        """After the recorder saved: the next session uses a fresh store (a store is shared
        read-only with the worker, so it is replaced, not modified)."""
        if self._templates_loader is not None:
            self.templates = self._templates_loader()
        self.templates_changed.emit()

    # ------------------------------------------------------------------ tracking
    def make_session(self, parent: QObject | None = None) -> TrackingSession:
        return TrackingSession(self.build_runtime, self.opener, retry_s=self.retry_s, parent=parent)

    def inference_threads(self, spec: str = "") -> int:
        """Inference threads for source ``spec``: a camera or a video is tracked live, leaving
        a core free; an image or a folder of them is analysed photo by photo while the user
        waits, on every core (:func:`pipeline.runtime.mode_threads`)."""
        return mode_threads(RunningMode.for_source(spec), self._config.tracker.threads)

    def tracker_config(self, spec: str = "") -> TrackerConfig:
        """The tracker configuration a source ``spec`` gets (through the settings path)."""
        mode = RunningMode.for_source(spec)
        return tracker_config(self._config.tracker, static_mode=mode.static,
                              threads=self.inference_threads(spec))  # fmt: skip

    def build_runtime(self, spec: str) -> HandCueRuntime:
        """Tracking thread: the shared runtime for ``spec`` with the cached tracker, a fresh
        gesture engine and the app's action engine. An image (the image view shows one at a
        time) or a folder of them is analysed photo by photo as ``handcue detect`` does
        (:class:`pipeline.sources.RunningMode`, decided here once for the source)."""
        cfg = self._config
        mode = RunningMode.for_source(spec)
        tracker = self._trackers.get(cfg, mode=mode, threads=self.inference_threads(spec))
        return build_runtime(
            cfg, engine=self.engine, templates=self.templates, tracker=tracker,
            gesture_factory=self._gesture_factory, pointer=self.pointer, mode=mode,
        )  # fmt: skip

    def warm_up(self, spec: str = "") -> None:
        """Tracking thread or any: load the models now, as source ``spec`` will use them
        (raises ``ModelsMissingError``)."""
        self._trackers.get(self._config, mode=RunningMode.for_source(spec),
                           threads=self.inference_threads(spec))  # fmt: skip
