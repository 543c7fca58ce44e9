"""The active window on KDE Plasma (Wayland or X11), told by KWin itself through a KWin script.

KWin does not publish the active window on D-Bus, but it runs scripts, and a script may call
D-Bus (``callDBus``). So :class:`KWinSource` loads a small script through ``org.kde.KWin``
``/Scripting`` (``org.kde.kwin.Scripting.loadScript(path, plugin name)`` then ``start()``) that
reports the active window - ``resourceClass``, ``resourceName``, ``caption``, ``pid`` - to
HandCue's own connection (its unique bus name, so two HandCue instances never mix) whenever
``workspace.windowActivated`` (Plasma 6) or ``workspace.clientActivated`` (Plasma 5) fires or
the active window's caption changes. :meth:`KWinSource.close` unloads it (``unloadScript``);
if HandCue dies without that, the script's calls go nowhere and it is gone at the next login.

Threads: a daemon thread receives KWin's calls on a connection of its own; :meth:`active_window`
and :meth:`wait_for_change` are called from the window watcher's thread; :meth:`close` from any.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import select
import shutil
import socket
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.desktop.dbus_session import DBusCallError, call, open_session_bus
from app.desktop.focus.x11 import proc_process_name
from pipeline.errors import HandCueError
from pipeline.focus.window import WatcherUnavailable, WindowInfo

if TYPE_CHECKING:
    from jeepney.io.blocking import DBusConnection
    from jeepney.low_level import Message

log = logging.getLogger(__name__)

KWIN_BUS = "org.kde.KWin"
SCRIPTING_PATH = "/Scripting"
SCRIPTING = "org.kde.kwin.Scripting"
REPORT_PATH = "/org/handcue/ActiveWindow"
REPORT_INTERFACE = "org.handcue.ActiveWindow"
REPORT_METHOD = "WindowActivated"
FIRST_REPORT_S = 3.0

# %(service)s, %(path)s, %(interface)s, %(method)s are filled in by KWinSource. Every value is
# sent as a string: KWin turns JavaScript numbers into doubles or ints depending on its version.
KWIN_SCRIPT = """\
// HandCue: tell HandCue which window is active (loaded by HandCue, unloaded when it stops).
(function () {
    var service = "%(service)s";
    var plasma6 = workspace.windowActivated !== undefined;
    var watched = null;
    function report(w) {
        if (!w) {
            callDBus(service, "%(path)s", "%(interface)s", "%(method)s", "", "", "", "0");
            return;
        }
        callDBus(service, "%(path)s", "%(interface)s", "%(method)s",
                 String(w.resourceClass || ""), String(w.resourceName || ""),
                 String(w.caption || ""), String(w.pid || 0));
    }
    function captionChanged() {
        report(watched);
    }
    function activated(w) {
        if (watched && watched.captionChanged) {
            try { watched.captionChanged.disconnect(captionChanged); } catch (e) {}
        }
        watched = w || null;
        if (watched && watched.captionChanged) {
            watched.captionChanged.connect(captionChanged);
        }
        report(watched);
    }
    (plasma6 ? workspace.windowActivated : workspace.clientActivated).connect(activated);
    activated(plasma6 ? workspace.activeWindow : workspace.activeClient);
})();
"""


def kwin_script(service: str) -> str:
    """The script text, reporting to the connection ``service`` (a unique bus name)."""
    return KWIN_SCRIPT % {"service": service, "path": REPORT_PATH,
                          "interface": REPORT_INTERFACE, "method": REPORT_METHOD}  # fmt: skip


def window_from_report(values: tuple[Any, ...]) -> WindowInfo | None:
    """The script's ``(resourceClass, resourceName, caption, pid)`` as a WindowInfo; None for
    "no active window" (all empty)."""
    texts = [str(v) for v in values[:4]] + [""] * (4 - min(len(values), 4))
    resource_class, resource_name, caption, pid_text = texts
    if not (resource_class or resource_name or caption):
        return None
    try:
        pid = int(float(pid_text or 0))
    except ValueError:
        pid = 0
    wm_class = tuple(n for n in (resource_name, resource_class) if n)
    return WindowInfo(title=caption, process=proc_process_name(pid), wm_class=wm_class, pid=pid)


class KWinSource:
    """:class:`pipeline.focus.window.WindowSource` for KDE Plasma. Raises
    :class:`WatcherUnavailable` (message for the user) when there is no session bus, no KWin
    on it, or KWin refuses the script. ``env`` defaults to ``os.environ``."""

    name = "kwin"

    def __init__(
        self, env: Mapping[str, str] | None = None, *, first_report_s: float = FIRST_REPORT_S
    ) -> None:
        env = os.environ if env is None else env
        what = "reading the active window on KDE Plasma"
        try:
            self._control = open_session_bus(env, what)
        except HandCueError as exc:
            raise WatcherUnavailable(f"automatic profile switching: {exc}") from None
        self._listener: DBusConnection | None = None
        self._folder: Path | None = None
        self._plugin = f"handcue_active_window_{os.getpid()}_{secrets.token_hex(3)}"
        self._loaded = False
        self._lock = threading.Lock()
        self._window: WindowInfo | None = None
        self._reports = 0
        self._error: str | None = None
        self._closed = False
        self._thread: threading.Thread | None = None
        self._changed_r, self._changed_w = os.pipe()
        os.set_blocking(self._changed_w, False)
        try:
            self._kwin = self._kwin_owner()
            self._listener = open_session_bus(env, what)
            self._thread = threading.Thread(target=self._serve, name="KWinReports", daemon=True)
            self._thread.start()
            self._load_script()
        except BaseException:
            self.close()
            raise
        self._wait_first_report(first_report_s)

    # ------------------------------------------------------------------ setup

    def _kwin_owner(self) -> str:
        try:
            (owner,) = call(self._control, bus_name="org.freedesktop.DBus",
                            path="/org/freedesktop/DBus", interface="org.freedesktop.DBus",
                            method="GetNameOwner", signature="s", body=(KWIN_BUS,))  # fmt: skip
        except DBusCallError:
            raise WatcherUnavailable(
                "automatic profile switching needs KWin (KDE Plasma): there is no org.kde.KWin "
                "on the session bus"
            ) from None
        except HandCueError as exc:
            raise WatcherUnavailable(f"automatic profile switching: {exc}") from None
        return str(owner)

    def _load_script(self) -> None:
        assert self._listener is not None
        self._folder = Path(tempfile.mkdtemp(prefix="handcue-kwin-"))
        script = self._folder / "active_window.js"
        script.write_text(kwin_script(self._listener.unique_name), encoding="utf-8")
        try:
            with contextlib.suppress(DBusCallError):  # a leftover of this name: replace it
                call(self._control, bus_name=KWIN_BUS, path=SCRIPTING_PATH, interface=SCRIPTING,
                     method="unloadScript", signature="s", body=(self._plugin,))  # fmt: skip
            (script_id,) = call(self._control, bus_name=KWIN_BUS, path=SCRIPTING_PATH,
                                interface=SCRIPTING, method="loadScript", signature="ss",
                                body=(str(script), self._plugin))  # fmt: skip
            if int(script_id) < 0:
                raise WatcherUnavailable(
                    f"automatic profile switching: KWin did not load HandCue's script ({script})"
                )
            self._loaded = True
            call(self._control, bus_name=KWIN_BUS, path=SCRIPTING_PATH, interface=SCRIPTING,
                 method="start")  # fmt: skip
        except HandCueError as exc:
            raise WatcherUnavailable(
                f"automatic profile switching: KWin's scripting refused HandCue's script ({exc})"
            ) from None
        log.info("active window: from KWin (script %s)", self._plugin)

    def _wait_first_report(self, timeout_s: float) -> None:
        ready, _, _ = select.select([self._changed_r], [], [], timeout_s)
        if ready:
            with contextlib.suppress(OSError):  # active_window() reads the report itself
                os.read(self._changed_r, 4096)
        else:
            log.warning("KWin has not reported the active window yet (script %s)", self._plugin)

    # ------------------------------------------------------------------ the listener thread

    def _serve(self) -> None:
        from jeepney import MessageFlag, MessageType, new_error, new_method_return
        from jeepney.low_level import HeaderFields

        conn = self._listener
        assert conn is not None
        while True:
            try:
                msg: Message = conn.receive()
            except Exception as exc:  # the connection closed (close()) or the bus went away
                if not self._closed:
                    log.warning("KWin's reports stopped: %s", exc)
                    with self._lock:
                        self._error = f"the connection to the session D-Bus broke ({exc})"
                    self._signal_change()
                return
            if msg.header.message_type != MessageType.method_call:
                continue
            fields = msg.header.fields
            try:
                if (fields.get(HeaderFields.sender) != self._kwin
                        or fields.get(HeaderFields.path) != REPORT_PATH
                        or fields.get(HeaderFields.member) != REPORT_METHOD):  # fmt: skip
                    conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s",
                                        ("HandCue only takes KWin's reports here",)))  # fmt: skip
                    continue
                self._report(window_from_report(tuple(msg.body)))
                if not msg.header.flags & MessageFlag.no_reply_expected:
                    conn.send(new_method_return(msg))
            except OSError:
                continue  # a broken connection shows in the next receive
            except Exception:  # a report this code cannot read: keep the last window
                log.exception("could not read KWin's report %r", msg.body)

    def _report(self, window: WindowInfo | None) -> None:
        with self._lock:
            self._window = window
            self._reports += 1
        log.debug("KWin: active window %s", window.describe() if window else None)
        self._signal_change()

    def _signal_change(self) -> None:
        with contextlib.suppress(OSError):  # a full pipe already says "changed"
            os.write(self._changed_w, b"x")

    # ------------------------------------------------------------------ WindowSource

    @property
    def reports(self) -> int:
        """How many reports KWin has sent."""
        with self._lock:
            return self._reports

    def active_window(self) -> WindowInfo | None:
        with self._lock:
            if self._error is not None:
                raise WatcherUnavailable(f"reading the active window from KWin: {self._error}")
            return self._window

    def wait_for_change(self, timeout_s: float, wake_fd: int | None = None) -> bool | None:
        """Sleep until KWin reports (True), ``timeout_s`` passes or ``wake_fd`` is readable
        (False)."""
        wake = [] if wake_fd is None else [wake_fd]
        try:
            readable, _, _ = select.select([self._changed_r, *wake], [], [], timeout_s)
        except (OSError, ValueError):  # closed meanwhile
            return False
        if self._changed_r in readable:
            with contextlib.suppress(OSError):
                os.read(self._changed_r, 4096)
            return True
        return False

    def close(self) -> None:
        """Unload the script and stop listening; never raises, runs once."""
        if self._closed:
            return
        self._closed = True
        if self._loaded:
            try:
                call(self._control, bus_name=KWIN_BUS, path=SCRIPTING_PATH, interface=SCRIPTING,
                     method="unloadScript", signature="s", body=(self._plugin,),
                     timeout_s=5.0)  # fmt: skip
            except HandCueError as exc:
                log.warning("could not unload HandCue's KWin script: %s", exc)
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.sock.shutdown(socket.SHUT_RDWR)  # ends the listener's receive
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5.0)
        for conn in (self._listener, self._control):
            if conn is not None:
                with contextlib.suppress(OSError):
                    conn.close()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
        for fd in (self._changed_r, self._changed_w):
            with contextlib.suppress(OSError):
                os.close(fd)
