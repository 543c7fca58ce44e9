"""Keys, clicks and pointer motion through the xdg-desktop-portal RemoteDesktop interface
(GNOME, KDE Plasma and other desktops whose portal backend offers it), over the session D-Bus.

The conversation (``org.freedesktop.portal.RemoteDesktop`` on ``org.freedesktop.portal.Desktop``
at ``/org/freedesktop/portal/desktop``, interface version 2):

1. ``CreateSession({handle_token, session_handle_token})`` -> a Request; its ``Response``
   signal carries ``session_handle``;
2. ``SelectDevices(session, {types: KEYBOARD|POINTER, persist_mode: 2, restore_token})``;
3. (only with ``absolute_pointer``) ``ScreenCast.SelectSources(session, {types: MONITOR,
   multiple: true})``: absolute pointer positions are given relative to a screen-cast stream;
4. ``Start(session, "", {})``: the desktop shows its consent dialog, unless the restore token
   from an earlier start is still valid. Response 0 = granted (``devices``, ``restore_token``,
   ``streams``), 1 = the user refused, 2 = another failure.

Every request's ``Response`` comes as a signal on ``/org/freedesktop/portal/desktop/request/
SENDER/TOKEN`` (``SENDER`` = our unique bus name without ``:``, dots as ``_``); HandCue listens
for it *before* calling, so a fast answer is not missed. The restore token is single use: the
new one from each start replaces the stored one (``portal-restore-token`` in HandCue's data
folder, written atomically), so a later start does not ask again.

Input: characters and named keys as X keysyms (``NotifyKeyboardKeysym``: the desktop finds the
key and the shift level in the user's layout; GNOME drops a character no key of the current
layout produces), buttons as evdev codes (``BTN_LEFT`` 0x110...), the wheel in discrete steps
(axis 0 vertical, positive steps = down), motion absolute on a screen-cast stream
(``NotifyPointerMotionAbsolute``) or relative (``NotifyPointerMotion``; see :class:`PortalSink`).

Held input: :meth:`PortalSink.close` (also at interpreter exit) releases what HandCue holds and
closes the session; when HandCue dies without that, its bus connection drops and the portal
closes the session, which ends the desktop's virtual devices.

Threads: :class:`PortalSink` locks around every call, so it may be called from any thread.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.desktop.dbus_session import DBusCallError, call, open_session_bus
from app.desktop.keysyms import char_keysym, key_keysym
from pipeline.errors import HandCueError

if TYPE_CHECKING:
    from jeepney.io.blocking import DBusConnection

log = logging.getLogger(__name__)

PORTAL_BUS = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
REMOTE_DESKTOP = "org.freedesktop.portal.RemoteDesktop"
SCREEN_CAST = "org.freedesktop.portal.ScreenCast"
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"
PROPERTIES = "org.freedesktop.DBus.Properties"

DEVICE_KEYBOARD = 1
DEVICE_POINTER = 2
SOURCE_MONITOR = 1
PERSIST_UNTIL_REVOKED = 2
RESPONSE_OK, RESPONSE_CANCELLED, RESPONSE_OTHER = 0, 1, 2
KEY_RELEASED, KEY_PRESSED = 0, 1
AXIS_VERTICAL, AXIS_HORIZONTAL = 0, 1

# Linux evdev button codes (linux/input-event-codes.h).
BUTTON_CODES: dict[str, int] = {"left": 0x110, "right": 0x111, "middle": 0x112}

# Canonical key names (pipeline.actions.spec.NAMED_KEYS) -> X keysyms (X11/keysymdef.h,
# XF86keysym.h). Numbers, so nothing here needs Xlib.

TOKEN_FILE_NAME = "portal-restore-token"
REQUEST_TIMEOUT_S = 30.0
CONSENT_TIMEOUT_S = 600.0  # the user reads the desktop's dialog
# Relative motion: a pause longer than this (pointer mode off and on again) starts from where
# the pointer is instead of jumping by the distance the hand moved meanwhile.
RELATIVE_RESTART_S = 0.5

RELATIVE_POINTER_NOTE = (
    "the desktop portal moves the pointer by relative steps here (no screen-cast stream to "
    "place it absolutely): the pointer follows the hand's movement from where it is, like a "
    "touchpad, and the desktop's pointer acceleration may apply"
)


class ConsentRefusedError(HandCueError):
    """The user said no in the desktop's consent dialog: do not fall back to another way of
    sending input (the user decided), say so and stop."""


def default_token_path() -> Path:
    from pipeline.paths import data_dir

    return data_dir() / TOKEN_FILE_NAME


def load_restore_token(path: Path) -> str | None:
    """The stored restore token, None when there is none (or it cannot be read)."""
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("cannot read the desktop portal's restore token %s: %s", path, exc)
        return None
    return token or None


def save_restore_token(path: Path, token: str | None) -> None:
    """Store ``token`` atomically (None: forget the stored one). Never raises: without a
    stored token the next start only asks again."""
    from pipeline.fileio import atomic_write_text

    try:
        if token is None:
            path.unlink(missing_ok=True)
        else:
            atomic_write_text(path, token + "\n")
            os.chmod(path, 0o600)  # it grants input control without asking
    except (OSError, HandCueError) as exc:
        log.warning("cannot store the desktop portal's restore token in %s: %s", path, exc)


def _sender_part(unique_name: str) -> str:
    """``:1.42`` -> ``1_42``, as the portal spells the caller in request and session paths."""
    return unique_name.lstrip(":").replace(".", "_")


@dataclass(frozen=True)
class Stream:
    """A screen-cast stream: PipeWire ``node`` id, and where its monitor lies in the
    compositor's logical coordinates (``x, y, width, height``; 0 size when not told)."""

    node: int
    x: int = 0
    y: int = 0
    width: int = 0
    height: int = 0

    def contains(self, px: float, py: float) -> bool:
        return self.x <= px < self.x + self.width and self.y <= py < self.y + self.height


def _streams(results: Mapping[str, tuple[str, Any]]) -> list[Stream]:
    found: list[Stream] = []
    for node, props in results.get("streams", ("a(ua{sv})", []))[1]:
        position = props.get("position", ("(ii)", (0, 0)))[1]
        size = props.get("size", ("(ii)", (0, 0)))[1]
        found.append(Stream(int(node), int(position[0]), int(position[1]),
                            int(size[0]), int(size[1])))  # fmt: skip
    return found


class PortalSink:
    """:class:`pipeline.actions.InputSink` (and pointer motion) through the RemoteDesktop
    portal. Build it with :func:`open_portal_sink`.

    Pointer motion: with screen-cast ``streams`` (``absolute_pointer``) a position goes to the
    stream whose monitor holds it, relative to that monitor. Without (the default: the consent
    dialog then does not ask to share the screen) only relative motion exists: the first
    :meth:`move_pointer` (and the first after a pause of ``RELATIVE_RESTART_S``) sets the
    reference and moves nothing, each later one moves by the difference (``pointer_note`` says
    so; it is logged at the first move). :meth:`pointer_position` is always None: the portal
    does not tell where the pointer is.
    """

    def __init__(
        self,
        conn: DBusConnection,
        session: str,
        *,
        devices: int,
        streams: list[Stream],
        closed_signals: deque[Any],
        warnings: list[str],
    ) -> None:
        self._conn = conn
        self._session = session
        self.devices = devices
        self.streams = streams
        self._closed_signals = closed_signals
        self.warnings = warnings
        self._lock = threading.RLock()
        self._held_keys: list[str] = []
        self._held_buttons: list[str] = []
        self._last_target: tuple[int, int] | None = None
        self._ended: str | None = None  # why no more input can be sent
        # Said when pointer motion is first used (most runs never move the pointer).
        self.pointer_note = "" if streams else RELATIVE_POINTER_NOTE
        self._noted = False
        self._last_move_s = 0.0
        self.clock = time.monotonic  # seconds; tests replace it
        self._closed = False
        atexit.register(self.close)

    @property
    def session_handle(self) -> str:
        return self._session

    @property
    def absolute_pointer(self) -> bool:
        return bool(self.streams)

    # ------------------------------------------------------------------ sending

    def _notify(self, method: str, signature: str, *args: Any) -> None:
        with self._lock:
            if self._closed_signals:
                self._ended = "the desktop ended HandCue's remote control session"
            if self._ended is not None:
                raise HandCueError(f"cannot send input through the desktop portal: {self._ended}",
                                   code=4)  # fmt: skip
            try:
                call(self._conn, bus_name=PORTAL_BUS, path=PORTAL_PATH, interface=REMOTE_DESKTOP,
                     method=method, signature="oa{sv}" + signature,
                     body=(self._session, {}, *args), timeout_s=REQUEST_TIMEOUT_S)  # fmt: skip
            except DBusCallError:
                if self._closed_signals:  # the call failed because the session is gone
                    self._ended = "the desktop ended HandCue's remote control session"
                    raise HandCueError(
                        f"cannot send input through the desktop portal: {self._ended}", code=4
                    ) from None
                raise
            except HandCueError as exc:  # the bus connection broke: nothing more can be sent
                self._ended = str(exc)
                raise

    def _keysym(self, keysym: int, state: int) -> None:
        self._notify("NotifyKeyboardKeysym", "iu", keysym, state)

    def _button_code(self, button: str) -> int:
        try:
            return BUTTON_CODES[button]
        except KeyError:
            raise HandCueError(f"unknown mouse button {button!r}") from None

    # ------------------------------------------------------------------ InputSink

    def press_key(self, key: str) -> None:
        keysym = key_keysym(key)
        with self._lock:
            if key not in self._held_keys:
                self._held_keys.append(key)
            self._keysym(keysym, KEY_PRESSED)

    def release_key(self, key: str) -> None:
        keysym = key_keysym(key)
        with self._lock:
            self._keysym(keysym, KEY_RELEASED)
            if key in self._held_keys:
                self._held_keys.remove(key)

    def press_button(self, button: str) -> None:
        code = self._button_code(button)
        with self._lock:
            if button not in self._held_buttons:
                self._held_buttons.append(button)
            self._notify("NotifyPointerButton", "iu", code, KEY_PRESSED)

    def release_button(self, button: str) -> None:
        code = self._button_code(button)
        with self._lock:
            self._notify("NotifyPointerButton", "iu", code, KEY_RELEASED)
            if button in self._held_buttons:
                self._held_buttons.remove(button)

    def click(self, button: str, count: int = 1) -> None:
        code = self._button_code(button)
        with self._lock:
            for _ in range(max(1, int(count))):
                self._notify("NotifyPointerButton", "iu", code, KEY_PRESSED)
                self._notify("NotifyPointerButton", "iu", code, KEY_RELEASED)

    def scroll(self, dx: int, dy: int) -> None:
        """Wheel steps: +dy up, +dx right (the portal's vertical steps count downwards)."""
        with self._lock:
            if dy:
                self._notify("NotifyPointerAxisDiscrete", "ui", AXIS_VERTICAL, -int(dy))
            if dx:
                self._notify("NotifyPointerAxisDiscrete", "ui", AXIS_HORIZONTAL, int(dx))

    def type_text(self, text: str) -> None:
        """Each character as its keysym, pressed and released (the desktop adds Shift or
        AltGr as its layout needs)."""
        keysyms = [char_keysym(ch) for ch in text]
        with self._lock:
            for keysym in keysyms:
                self._keysym(keysym, KEY_PRESSED)
                self._keysym(keysym, KEY_RELEASED)

    def move_pointer(self, x: int, y: int) -> None:
        """Put the pointer at desktop pixel ``(x, y)`` (absolute on a screen-cast stream);
        without streams, move by the difference to the previous target (see the class)."""
        x, y = int(x), int(y)
        with self._lock:
            if self.streams:
                stream = next((s for s in self.streams if s.contains(x, y)), self.streams[0])
                self._notify("NotifyPointerMotionAbsolute", "udd", stream.node,
                             float(x - stream.x), float(y - stream.y))  # fmt: skip
            else:
                now = self.clock()
                last, self._last_target = self._last_target, (x, y)
                since, self._last_move_s = now - self._last_move_s, now
                if last is None or since > RELATIVE_RESTART_S:  # a new reference
                    if not self._noted:
                        self._noted = True
                        log.warning("%s", self.pointer_note)
                    return
                dx, dy = x - last[0], y - last[1]
                if dx or dy:
                    self._notify("NotifyPointerMotion", "dd", float(dx), float(dy))

    def pointer_position(self) -> tuple[int, int] | None:
        """None: the portal does not say where the pointer is."""
        return None

    # ------------------------------------------------------------------ ending

    def release_all(self) -> None:
        """Release everything this sink pressed, newest first; never raises."""
        with self._lock:
            while self._held_buttons:
                name = self._held_buttons.pop()
                try:
                    self._notify("NotifyPointerButton", "iu", BUTTON_CODES[name], KEY_RELEASED)
                except Exception as exc:
                    log.warning("could not release mouse button %s: %s", name, exc)
            while self._held_keys:
                name = self._held_keys.pop()
                try:
                    self._keysym(key_keysym(name), KEY_RELEASED)
                except Exception as exc:
                    log.warning("could not release key %s: %s", name, exc)

    def close(self) -> None:
        """Release what is held, close the portal session and the bus connection; never
        raises, runs once."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            atexit.unregister(self.close)
            self.release_all()
            if self._ended is None and not self._closed_signals:
                try:
                    call(self._conn, bus_name=PORTAL_BUS, path=self._session, interface=SESSION,
                         method="Close", timeout_s=5.0)  # fmt: skip
                except HandCueError as exc:
                    log.warning("closing the desktop portal session failed: %s", exc)
            self._ended = self._ended or "the session is closed"
            try:
                self._conn.close()
            except OSError:
                log.debug("closing the session bus connection failed", exc_info=True)


class _PortalClient:
    """The request/response half of the conversation, used while the session is set up."""

    def __init__(self, conn: DBusConnection) -> None:
        self.conn = conn
        self.sender = _sender_part(conn.unique_name)
        self._tokens = itertools.count(1)
        self._salt = secrets.token_hex(4)

    def token(self, kind: str) -> str:
        return f"handcue_{kind}{next(self._tokens)}_{self._salt}"

    def add_match(self, rule: Any) -> None:
        from jeepney.bus_messages import message_bus

        reply = self.conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=REQUEST_TIMEOUT_S)
        if reply.header.message_type.name == "error":
            raise HandCueError(f"the session D-Bus refused a match rule: {reply.body}", code=4)

    def property(self, interface: str, name: str) -> Any:
        body = call(self.conn, bus_name=PORTAL_BUS, path=PORTAL_PATH, interface=PROPERTIES,
                    method="Get", signature="ss", body=(interface, name))  # fmt: skip
        return body[0][1]

    def request(
        self,
        interface: str,
        method: str,
        signature: str,
        args: tuple[Any, ...],
        options: dict[str, tuple[str, Any]],
        *,
        timeout_s: float = REQUEST_TIMEOUT_S,
    ) -> tuple[int, dict[str, tuple[str, Any]]]:
        """Call a method that answers with a Request handle; wait for its ``Response``
        signal and return ``(response code, results)``."""
        from jeepney import MatchRule

        token = self.token("req")
        options = {**options, "handle_token": ("s", token)}
        expected = f"{PORTAL_PATH}/request/{self.sender}/{token}"
        rule = MatchRule(type="signal", interface=REQUEST, member="Response",
                         path_namespace=f"{PORTAL_PATH}/request/{self.sender}")  # fmt: skip
        self.add_match(rule)
        with self.conn.filter(rule, bufsize=16) as responses:
            (handle,) = call(self.conn, bus_name=PORTAL_BUS, path=PORTAL_PATH,
                             interface=interface, method=method,
                             signature=signature + "a{sv}", body=(*args, options))  # fmt: skip
            if handle != expected:  # a portal older than the documented handle scheme
                log.debug("the portal's request handle is %s (expected %s)", handle, expected)
            while True:
                try:
                    signal = self.conn.recv_until_filtered(responses, timeout=timeout_s)
                except TimeoutError:
                    raise HandCueError(
                        f"the desktop portal did not answer {method} within {timeout_s:.0f} s",
                        code=4,
                    ) from None
                except OSError as exc:
                    raise HandCueError(
                        f"the connection to the desktop portal broke during {method} ({exc})",
                        code=4,
                    ) from None
                if signal.header.fields.get(_path_field()) == handle:
                    code, results = signal.body
                    return int(code), dict(results)


def _path_field() -> Any:
    from jeepney.low_level import HeaderFields

    return HeaderFields.path


def open_portal_sink(
    env: Mapping[str, str] | None = None,
    *,
    token_path: Path | None = None,
    absolute_pointer: bool = False,
    consent_timeout_s: float = CONSENT_TIMEOUT_S,
) -> PortalSink:
    """Start a RemoteDesktop session with keyboard and pointer and return the sink.

    The desktop asks the user once (its own dialog); with a stored restore token
    (``token_path``, default ``portal-restore-token`` in HandCue's data folder) it does not ask
    again. ``absolute_pointer`` also selects the monitors as screen-cast sources so positions
    are absolute (the dialog then asks to share the screen). Raises HandCueError (code 4) with a
    message for the user when there is no session bus, no portal, no RemoteDesktop interface,
    or the user refused. ``env`` defaults to ``os.environ``."""
    env = os.environ if env is None else env
    token_path = default_token_path() if token_path is None else token_path
    conn = open_session_bus(env, "input through the desktop portal")
    try:
        sink = _start_session(conn, token_path, absolute_pointer, consent_timeout_s)
    except BaseException:
        conn.close()
        raise
    return sink


def _no_portal(exc: DBusCallError) -> HandCueError:
    if exc.name in ("org.freedesktop.DBus.Error.ServiceUnknown",
                    "org.freedesktop.DBus.Error.NameHasNoOwner"):  # fmt: skip
        return HandCueError(
            "cannot send input through the desktop portal: no xdg-desktop-portal is running on "
            "the session bus (install xdg-desktop-portal and the backend for your desktop: "
            "xdg-desktop-portal-gnome or xdg-desktop-portal-kde)",
            code=4,
        )
    return HandCueError(
        "cannot send input through the desktop portal: it has no RemoteDesktop interface "
        f"({exc.name}). GNOME and KDE Plasma provide it through xdg-desktop-portal-gnome / "
        "xdg-desktop-portal-kde; other desktops may not",
        code=4,
    )


def _start_session(
    conn: DBusConnection, token_path: Path, absolute_pointer: bool, consent_timeout_s: float
) -> PortalSink:
    from jeepney import MatchRule

    client = _PortalClient(conn)
    try:
        available = int(client.property(REMOTE_DESKTOP, "AvailableDeviceTypes"))
        version = int(client.property(REMOTE_DESKTOP, "version"))
    except DBusCallError as exc:
        raise _no_portal(exc) from None
    wanted = available & (DEVICE_KEYBOARD | DEVICE_POINTER)
    if not wanted & DEVICE_KEYBOARD:
        raise HandCueError(
            "cannot send input through the desktop portal: its RemoteDesktop offers no keyboard "
            f"(available device types {available})",
            code=4,
        )

    code, results = client.request(
        REMOTE_DESKTOP, "CreateSession", "", (),
        {"session_handle_token": ("s", client.token("session"))},
    )  # fmt: skip
    if code != RESPONSE_OK or "session_handle" not in results:
        raise HandCueError(
            f"the desktop portal could not create a remote control session (response {code})",
            code=4,
        )
    session = str(results["session_handle"][1])
    closed_rule = MatchRule(type="signal", interface=SESSION, member="Closed", path=session)
    client.add_match(closed_rule)
    closed_signals: deque[Any] = deque(maxlen=1)
    # Registered for the connection's life (not entered as a context manager): a Closed
    # signal that arrives while any later call waits for its reply lands in the queue.
    conn.filter(closed_rule, queue=closed_signals)
    try:
        return _select_and_start(
            client, session, wanted, version, token_path, absolute_pointer, consent_timeout_s,
            closed_signals,
        )  # fmt: skip
    except BaseException:
        try:
            call(conn, bus_name=PORTAL_BUS, path=session, interface=SESSION, method="Close",
                 timeout_s=5.0)  # fmt: skip
        except HandCueError:
            log.debug("closing the unfinished portal session failed", exc_info=True)
        raise


def _select_and_start(
    client: _PortalClient,
    session: str,
    wanted: int,
    version: int,
    token_path: Path,
    absolute_pointer: bool,
    consent_timeout_s: float,
    closed_signals: deque[Any],
) -> PortalSink:
    options: dict[str, tuple[str, Any]] = {"types": ("u", wanted)}
    restore = load_restore_token(token_path) if version >= 2 else None
    if version >= 2:
        options["persist_mode"] = ("u", PERSIST_UNTIL_REVOKED)
    if restore:
        options["restore_token"] = ("s", restore)
    code, _ = client.request(REMOTE_DESKTOP, "SelectDevices", "o", (session,), options)
    if code != RESPONSE_OK:
        raise HandCueError(
            f"the desktop portal refused the keyboard and pointer devices (response {code})",
            code=4,
        )
    if absolute_pointer:
        code, _ = client.request(
            SCREEN_CAST, "SelectSources", "o", (session,),
            {"types": ("u", SOURCE_MONITOR), "multiple": ("b", True)},
        )  # fmt: skip
        if code != RESPONSE_OK:
            raise HandCueError(
                f"the desktop portal refused to select the screens (response {code})", code=4
            )
    log.info(
        "asking the desktop for permission to send keys and clicks%s",
        " (stored permission)" if restore else ": answer the desktop's dialog",
    )
    code, results = client.request(
        REMOTE_DESKTOP, "Start", "os", (session, ""), {}, timeout_s=consent_timeout_s
    )
    if code == RESPONSE_CANCELLED:
        save_restore_token(token_path, None)  # the refusal also ended any stored permission
        raise ConsentRefusedError(
            "you refused HandCue's request to control the keyboard and pointer in the desktop's "
            "dialog, so no key or click can be sent. Start HandCue again and allow it (or add "
            "--dry-run to only print the actions)",
            code=4,
        )
    if code != RESPONSE_OK:
        raise HandCueError(
            f"the desktop portal could not start the remote control session (response {code}); "
            "see the desktop's log (journalctl --user -u xdg-desktop-portal)",
            code=4,
        )
    devices = int(results.get("devices", ("u", wanted))[1])
    if not devices & DEVICE_KEYBOARD:
        raise HandCueError(
            "the desktop granted no keyboard to HandCue (only the pointer), so keys cannot be "
            "sent. Start HandCue again and allow the keyboard",
            code=4,
        )
    token = results.get("restore_token", ("s", ""))[1]
    save_restore_token(token_path, str(token) if token else None)
    warnings: list[str] = []
    if not token and version >= 2:
        warnings.append(
            "the desktop did not keep the permission for input (no restore token): it will ask "
            "again at the next start"
        )
    if not devices & DEVICE_POINTER:
        warnings.append("the desktop granted no pointer: clicks, scrolling and pointer mode fail")
    streams = _streams(results) if absolute_pointer else []
    for message in warnings:
        log.warning("%s", message)
    return PortalSink(client.conn, session, devices=devices, streams=streams,
                      closed_signals=closed_signals, warnings=warnings)  # fmt: skip
