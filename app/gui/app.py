"""Startup: build the objects the GUI needs (one place, no singletons) and run the event loop."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from types import FrameType
from typing import TYPE_CHECKING, TypeAlias

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleFactory

from app import resources
from app.gui.context import AppContext, load_settings_file
from app.gui.qt_compat import protect_none_refcount
from pipeline.errors import HandCueError
from pipeline.settings.window import GUI_PREFS_FILE, GuiPrefs

if TYPE_CHECKING:
    import signal

    from app.desktop.input_sink import PauseHotkey
    from app.gui.main_window import MainWindow
    from app.gui.session_control import WarmUpThread
    from pipeline.actions.sink import InputSink
    from pipeline.gestures.templates import TemplateStore

    # What signal.signal returns and takes back: a Python handler, SIG_DFL / SIG_IGN, or None
    SignalHandler: TypeAlias = (
        Callable[[int, FrameType | None], object] | int | signal.Handlers | None
    )

log = logging.getLogger(__name__)


def desktop_sink() -> tuple[InputSink, list[str]]:
    """The real keyboard/mouse sink and warnings for the user; without a usable display, a
    RecordingSink (gestures are shown but send nothing) and a message saying why."""
    sink, warnings, _ = desktop_input()
    return sink, warnings


def desktop_input(prefer_uinput: bool = False) -> tuple[InputSink, list[str], str]:
    """:func:`desktop_sink` and the line naming the input backend (:mod:`app.desktop.backends`;
    "" when input is unavailable)."""
    from pipeline.actions.sink import RecordingSink

    try:
        from app.desktop.input_sink import open_desktop_input

        opened = open_desktop_input(prefer_uinput=prefer_uinput)
        return opened.sink, opened.warnings, opened.description
    except HandCueError as exc:
        return RecordingSink(), [f"Keyboard and mouse control is unavailable: {exc}"], ""
    except ImportError as exc:  # pynput missing from this build
        return RecordingSink(), [f"Keyboard and mouse control is not installed ({exc})."], ""


class PauseHotkeyBridge(QObject):
    """Carries the global pause hotkey (pynput's listener thread) into the GUI thread."""

    pressed = Signal()


def build_context(*, sink: InputSink | None = None) -> AppContext:
    """Load settings, recorded gestures and the action engine; never raises for a bad file."""
    from app.desktop.focus import create_window_source
    from pipeline.gestures.templates import TemplateStore
    from pipeline.runtime import make_engine, make_switcher

    # The settings file as the app holds it: its valid part when it has a mistake (the file is
    # never written over unasked), outside changes read again (pipeline.settings.guard).
    settings_file, cfg, problems = load_settings_file()
    input_line = ""
    if sink is None:
        uinput = getattr(getattr(cfg, "actions", None), "input_backend", "auto") == "uinput"
        sink, warnings, input_line = desktop_input(uinput)
        problems += warnings

    def load_templates() -> TemplateStore | None:
        try:
            return TemplateStore()
        except HandCueError as exc:
            problems.append(str(exc))
            return None

    templates = load_templates()
    engine = make_engine(cfg, sink, front="gui")
    switcher = make_switcher(
        cfg, engine, source_factory=create_window_source
    )  # started by run(), once the window exists
    from pipeline import paths

    prefs_path = paths.config_dir() / GUI_PREFS_FILE
    prefs, pref_problems = GuiPrefs.load(prefs_path)
    problems += pref_problems
    ctx = AppContext(cfg, engine=engine, sink=sink, config_problems=problems,
                     settings_file=settings_file, templates=templates,
                     templates_loader=load_templates, prefs=prefs, prefs_path=prefs_path,
                     switcher=switcher)  # fmt: skip
    ctx.input_backend = input_line
    return ctx


class TextOnlyDialogButtons(QProxyStyle):
    """The platform's style, but OK / Cancel / Close buttons carry words only: desktop themes
    (GNOME, KDE) give them the theme's icons, dark ones on our dark theme, beside our own
    text-only buttons elsewhere; one look everywhere."""

    def styleHint(self, hint, option=None, widget=None, data=None):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN201, N802
        if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
            return 0
        return super().styleHint(hint, option, widget, data)


def make_application(argv: Sequence[str] | None = None) -> QApplication:
    if QApplication.instance() is None:
        # One GL resource space for every 3D view: pyqtgraph caches its shader programs, which
        # are only valid in the context (share group) that compiled them.
        QApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(list(argv or sys.argv[:1]))
    protect_none_refcount()
    app.setApplicationName("HandCue")
    app.setOrganizationName("HandCue")
    # The Wayland app id (and X11 hint) naming installer/linux/handcue.desktop: the desktop
    # shows HandCue's icon and name for its windows, not a generic "python3".
    app.setDesktopFileName("handcue")
    app.setWindowIcon(resources.icon("hand"))
    if not app.property("handcueStyle"):
        base = QStyleFactory.create(app.style().name()) or QStyleFactory.create("Fusion")
        app.setStyle(TextOnlyDialogButtons(base))
        app.setProperty("handcueStyle", True)
    app.setStyleSheet(resources.stylesheet())
    app.setQuitOnLastWindowClosed(False)  # the tray keeps running; quit_app ends it
    return app


def start_warm_up(ctx: AppContext, source: str | None = None) -> WarmUpThread:
    """Start loading the models for ``source`` in the background now (a ``WarmUpThread``), so
    that they load while the window is built: the first tracked frame comes sooner."""
    from app.gui.session_control import WarmUpThread

    thread = WarmUpThread(ctx, spec=source or "")
    thread.start()
    return thread


def create_main_window(ctx: AppContext, *, source: str | None = None, minimised: bool = False,
                       warm_up: WarmUpThread | None = None) -> MainWindow:  # fmt: skip
    """Window + tray, source chosen (and started) when given. ``warm_up``: a
    :func:`start_warm_up` thread, handed to the window."""
    from app.gui.main_window import MainWindow
    from app.gui.tray import TrayController

    window = MainWindow(ctx)
    if warm_up is not None:
        window.adopt_warm_up(warm_up, report=not source)
    tray = TrayController(window)
    window.tray = tray  # type: ignore[attr-defined]
    if not tray.available:
        window.close_to_tray = False
    if source:
        window.set_source(source, start=True)
    elif window.current_source() is None:
        QTimer.singleShot(0, window, window.check_models)
    if (minimised or ctx.prefs.start_minimised) and tray.available:
        window.hide()
    else:
        window.show()
        if not ctx.prefs.guide_seen:  # first run: how to arm, and what the gestures do
            open_guide_when_shown(window)
    return window


def open_guide_when_shown(window: MainWindow, tries: int = 100) -> None:
    """Open the first-run guide once the main window is on screen (up to ``tries`` x 100 ms).

    A window manager that maps the main window late (a busy machine, a slow compositor) could
    otherwise map and focus it after the guide, which then sat behind it."""
    handle = window.windowHandle()
    if (handle is not None and handle.isExposed() and window.isActiveWindow()) or tries <= 0:
        QTimer.singleShot(300, window, window.open_guide)
        return
    # the window as context: no call once it is gone (closed before it was ever shown)
    QTimer.singleShot(100, window, lambda: open_guide_when_shown(window, tries - 1))


def start_pause_hotkey(window: MainWindow) -> PauseHotkey | None:
    """Listen for ``[actions] pause_hotkey`` system-wide; it toggles pause. None if off or
    unavailable (the tray and the window still pause)."""
    hotkey = window.ctx.config.actions.pause_hotkey
    if not hotkey:
        return None
    from app.desktop.input_sink import PauseHotkey

    bridge = PauseHotkeyBridge(window)
    bridge.pressed.connect(window.toggle_paused)
    listener = PauseHotkey(hotkey, bridge.pressed.emit)
    return listener if listener.start() else None


def start_switching(window: MainWindow) -> str | None:
    """Start following the active window (per-application profiles). The toolbar shows the
    rule that chose the profile; when switching cannot work here (Wayland) the banner says
    so once, and profiles are chosen by hand. Returns that message, or None."""
    ctx = window.ctx
    unavailable = ctx.start_switching()
    if unavailable and ctx.config.switching.enabled:
        window.show_message(unavailable, "info")
    return unavailable


# Signals that quit the app like its Quit menu: SIGHUP is the terminal it was started from
# closing, SIGQUIT Ctrl-\\ there.
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")


def install_stop_signals(
    app: QApplication, release: Callable[[], object]
) -> dict[int, SignalHandler]:
    """Make the stop signals release every held key and button at once and then end the
    event loop (the windows stay open for the caller to shut down); returns the previous
    handlers for :func:`restore_signals`.

    Python runs signal handlers only between bytecodes, which a Qt event loop with nothing to
    do never executes: a timer gives the interpreter a turn every 200 ms. Only the first signal
    acts (a second one must not interrupt the shutdown)."""
    import signal

    fired: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if fired:
            return
        fired.append(signum)
        log.warning("signal %d: releasing held input and quitting", signum)
        try:
            release()
        finally:
            # exit, not quit: quit() closes every window inside the loop while tracking still
            # updates them, and Qt's xcb backend then segfaulted flushing a closed window
            # (about 1 SIGTERM in 6). The windows are shut down after the loop (run_gui).
            app.exit(0)

    previous: dict[int, SignalHandler] = {}
    for name in STOP_SIGNALS:
        if hasattr(signal, name):
            number = getattr(signal, name)
            previous[number] = signal.signal(number, handler)
    ticker = QTimer(app)
    ticker.setObjectName("signal_ticker")
    ticker.timeout.connect(lambda: None)
    ticker.start(200)
    return previous


def restore_signals(previous: dict[int, SignalHandler]) -> None:
    import signal

    for number, handler in previous.items():
        if handler is not None:  # None: a handler not set from Python, cannot be restored
            signal.signal(number, handler)


def run(source: str | None = None, *, minimised: bool = False, pointer: bool = False) -> int:
    """Start the desktop app; returns the exit code. When HandCue already runs for this user,
    its window comes to the front (tracking ``source`` if given) and this returns 0.
    ``pointer``: start in pointer mode (as ``[pointer] enabled`` does, without saving it)."""
    from app.desktop.instance_client import hand_over
    from app.desktop.single_instance import claim_instance, serve_window

    if hand_over(source):
        print("HandCue is already running: its window was brought to the front.")
        return 0
    app = make_application()
    instance = claim_instance()
    if instance is None:  # another HandCue was starting at the same moment
        if hand_over(source):
            print("HandCue is already running: its window was brought to the front.")
            return 0
        raise HandCueError("another HandCue is starting but does not answer; try again")
    ctx = build_context()
    warm_up = start_warm_up(ctx, source)
    try:
        window = create_main_window(ctx, source=source, minimised=minimised, warm_up=warm_up)
    except BaseException:
        warm_up.wait()  # a QThread must not be destroyed while it runs (that aborts)
        raise
    serve_window(instance, window)
    if pointer:
        window.pointer_mode.set_enabled(True)
    listener = start_pause_hotkey(window)
    combo = ctx.config.actions.pause_hotkey

    def _on_config_changed() -> None:  # Settings changed the pause hotkey: listen for the new one
        nonlocal listener, combo
        if ctx.config.actions.pause_hotkey == combo:
            return
        if listener is not None:
            listener.stop()
        listener = start_pause_hotkey(window)
        combo = ctx.config.actions.pause_hotkey

    ctx.config_changed.connect(_on_config_changed)
    start_switching(window)
    app.lastWindowClosed.connect(lambda: None if window.close_to_tray else app.quit())
    if not window.close_to_tray:
        app.setQuitOnLastWindowClosed(True)
    previous = install_stop_signals(app, ctx.engine.release_all)
    try:
        code = app.exec()
    finally:
        try:
            if listener is not None:
                listener.stop()
            instance.close()
            ctx.stop_switching()
            window.shutdown()
        finally:
            close = getattr(ctx.sink, "close", None)
            if callable(close):
                close()  # lifts anything still held, then ends the input guardian
            restore_signals(previous)  # only once nothing can be held any more
    return int(code)
