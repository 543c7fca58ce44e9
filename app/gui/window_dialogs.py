"""The main window's dialogs (mappings, rules, recorder, settings, about, guide, gallery) and
the settings file's problems: at start-up and whenever the file changes (a mistake, a change
made outside the app, two versions kept side by side), with buttons to open the file, fix it
(leave out just what is wrong) or restore its backup. GUI thread only.

The dialogs' modules are imported when a dialog is first opened: the window comes up without
them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMainWindow, QWidget

from pipeline.errors import HandCueError

if TYPE_CHECKING:
    from app.gui.about import AboutDialog
    from app.gui.banner import Banner
    from app.gui.context import AppContext, SettingsNews
    from app.gui.pointer_mode import PointerMode
    from app.gui.toast import Osd
    from app.gui.tracked_frames import TrackedFrame
    from app.gui.video_view import VideoView
    from app.gui.worker import TrackingSession
    from pipeline.settings import AppConfig
    from pipeline.settings.guard import SettingsFault

    _WindowBase = QMainWindow  # the mixin is only ever a base of MainWindow
else:
    _WindowBase = object


def settings_backup(path: Path | None) -> tuple[Path, AppConfig] | None:
    """The backup of the settings file ``path`` (``<name>.bak`` beside it) and its settings,
    if it exists and is valid."""
    from pipeline.settings import read_config_file

    if path is None:
        return None
    backup = path.with_name(path.name + ".bak")
    if not backup.is_file():
        return None
    cfg, _problems = read_config_file(backup)
    return (backup, cfg) if cfg is not None else None


class WindowDialogs(_WindowBase):
    """Mixin of ``MainWindow``: the slots that open its dialogs, apply changed settings and
    report the settings file's problems. The attributes below are the window's parts it
    uses."""

    ctx: AppContext
    session: TrackingSession
    pointer_mode: PointerMode
    osd: Osd
    video: VideoView
    guide: QWidget | None  # the first-run guide, when open
    gallery: QWidget | None  # the gesture gallery, when open
    about_dialog: AboutDialog
    banner: Banner
    _latest: TrackedFrame | None
    _failed_spec: str | None

    if TYPE_CHECKING:

        def show_message(self, text: str, level: str = "error",
                         actions: tuple[tuple[str, object], ...] = ()) -> None: ...  # fmt: skip

        def refresh_profiles(self) -> None: ...

        def current_source(self) -> str | None: ...

        def start(self) -> None: ...

        def _apply_mirror_pref(self, spec: str) -> None: ...

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

        dialog = SettingsDialog(self.ctx, self, pointer=self.pointer_mode,
                                frames=self.session.frame_ready, mirrored=self.video.mirrored)  # fmt: skip
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
        guide = self.guide
        QTimer.singleShot(300, guide, lambda: _bring_forward(guide))  # once the WM has it
        if not self.ctx.prefs.guide_seen:
            self.ctx.set_prefs(self.ctx.prefs.changed(guide_seen=True))

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

    # ------------------------------------------------------------------ the settings file
    def _show_config_problems(self) -> None:
        """Startup: every settings problem in one message; when the file has a mistake, where
        it is, that the file was kept, and buttons to open it, fix it or restore the backup.
        From then on the window also tells what happens to the file (outside changes)."""
        ctx = self.ctx
        if ctx.settings_file is not None:
            ctx.settings_file_changed.connect(self._on_settings_news)
            fault = ctx.settings_file.fault
            if fault is not None:
                others = [p for p in ctx.config_problems if p not in fault.problems]
                self._show_settings_fault(fault, others=others)
            elif ctx.config_problems:
                self.show_message("Settings problems:\n" + "\n".join(ctx.config_problems),
                                  "warning")  # fmt: skip
            return
        problems = ctx.config_problems
        path = ctx.config_fallback
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
        if settings_backup(path) is not None:
            actions.append(("Restore backup", self.restore_settings_backup))
        self.show_message(text, "warning", tuple(actions))

    def _show_settings_fault(
        self,
        fault: SettingsFault,
        *,
        held_back: bool = False,
        others: list[str] | None = None,
        started: bool = True,
    ) -> None:
        from app.gui.banner import settings_fault_text

        actions: list[tuple[str, object]] = [("Open settings file", self.open_settings_file)]
        if fault.salvaged is not None:
            actions.append(("Fix for me", self.fix_settings_file))
        settings_file = self.ctx.settings_file
        if settings_file is not None and settings_file.backup() is not None:
            actions.append(("Restore backup", self.restore_settings_backup))
        text = settings_fault_text(fault, held_back=held_back, others=others or (),
                                   started=started)  # fmt: skip
        self.show_message(text, "warning", tuple(actions))

    def _on_settings_news(self, news: SettingsNews) -> None:
        """The settings file changed (outside, or by Fix for me / Restore), has a mistake, or
        two versions met: say so, and show the settings now in use."""
        from app.gui.banner import setting_words

        result = news.result
        if news.error is not None or result is None:
            self.show_message(f"Settings not saved: {news.error}")
            return
        config = result.config
        self.refresh_profiles()
        if (config.tracker, config.gestures) != (news.before.tracker, news.before.gestures):
            self.apply_settings()  # a running source restarts with the new tracker settings
        if result.fault is not None:
            self._show_settings_fault(result.fault, held_back=result.held_back, started=False)
            return
        name = self.ctx.settings_file.path.name if self.ctx.settings_file else "config.toml"
        lines: list[str] = []
        level = "info"
        if news.action == "restore" and result.restored_from is not None:
            lines.append(f"Restored your settings from {result.restored_from.name}.")
        elif news.action == "fix" and news.fixed is not None:
            from app.gui.banner import left_out_words

            words = "; ".join(left_out_words(e) for e in news.fixed.left_out[:3])
            lines.append(f"Saved your settings, leaving out what was wrong ({words}).")
        elif result.outside:
            lines.append(
                f"Your settings file ({name}) was changed outside HandCue: the app now uses it "
                "as it is" + (", with your changes made here added." if result.wrote else ".")
            )
        if result.kept_invalid is not None:
            lines.append(
                "The file as it was, with its mistake, is kept beside it as "
                f"{result.kept_invalid.name}."
            )
        if result.conflict_file is not None:
            level = "warning"
            both = ", ".join(setting_words(c) for c in result.conflicts[:4])
            lines.append(
                f"You changed the same settings in the app ({both}): the file's values are kept "
                f"and in use, and the app's version was saved beside it as "
                f"{result.conflict_file.name}."
            )
        if result.warnings:
            lines += list(result.warnings[:4])
        if lines:
            self.show_message("\n".join(lines), level)
        elif self.banner.sticky:
            self.banner.clear()  # the mistake it showed is gone

    def open_settings_file(self) -> bool:
        """Open the settings file in the user's editor (the desktop's choice)."""
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        path = self.ctx.config_fallback
        if self.ctx.settings_file is not None:
            path = self.ctx.settings_file.path
        if path is None:
            from pipeline.settings import config_path

            path = config_path()
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def fix_settings_file(self) -> bool:
        """Fix for me: write the settings in use (the file without what was wrong) over the
        file with the mistake, which is kept beside it."""
        try:
            self.ctx.fix_settings_file()
        except HandCueError as exc:
            self.show_message(f"Settings not saved: {exc}")
            return False
        self.refresh_profiles()
        return True

    def restore_settings_backup(self) -> bool:
        """Use the backup of the broken settings file; the broken file is kept beside it."""
        if self.ctx.settings_file is not None:
            try:
                self.ctx.restore_settings_backup()
            except HandCueError as exc:
                self.show_message(str(exc))
                return False
            self.refresh_profiles()
            return True
        found = settings_backup(self.ctx.config_fallback)
        if found is None:
            self.show_message("There is no usable backup of the settings file.")
            return False
        backup, cfg = found
        try:
            self.ctx.set_config(cfg)
            self.ctx.set_active_profile(cfg.active_profile)
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


def _bring_forward(dialog: QWidget) -> None:
    """Raise and focus ``dialog`` if it is still open and the app has no modal dialog up."""
    from PySide6.QtWidgets import QApplication

    try:
        if not dialog.isVisible() or QApplication.activeModalWidget() is not None:
            return
    except RuntimeError:  # closed and deleted meanwhile
        return
    dialog.raise_()
    dialog.activateWindow()
