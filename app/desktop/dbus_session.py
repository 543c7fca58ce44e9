"""The session D-Bus, the small part HandCue needs (jeepney: pure Python, no GLib).

Used by the xdg-desktop-portal input sink (:mod:`app.desktop.wayland.portal`) and the KDE
active-window source (:mod:`app.desktop.focus.kwin`). :func:`open_session_bus` connects to the
bus named by ``DBUS_SESSION_BUS_ADDRESS`` of the given environment; :func:`call` sends one
method call and returns the reply's body, turning a D-Bus error into :class:`DBusCallError`.

Threads: a connection from here is a blocking jeepney connection; use it from one thread at a
time (callers lock around it).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pipeline.errors import HandCueError

if TYPE_CHECKING:
    from jeepney.io.blocking import DBusConnection

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 25.0  # D-Bus's own default reply timeout


class DBusCallError(HandCueError):
    """A method call answered with a D-Bus error (``name``: e.g.
    ``org.freedesktop.DBus.Error.ServiceUnknown``; ``text``: the service's message)."""

    def __init__(self, method: str, name: str, text: str) -> None:
        super().__init__(f"{method} failed: {name}: {text}", code=4)
        self.method = method
        self.name = name
        self.text = text


def open_session_bus(env: Mapping[str, str], what: str) -> DBusConnection:
    """A new connection to the session bus of ``env``. ``what`` names the feature that needs
    it, for the message when there is none (HandCueError, code 4)."""
    try:
        from jeepney.io.blocking import open_dbus_connection
    except ImportError as exc:
        raise HandCueError(
            f"{what} needs the Python package jeepney ({exc}); install it with "
            "'pip install jeepney'",
            code=4,
        ) from None
    address = env.get("DBUS_SESSION_BUS_ADDRESS", "")
    if not address:
        raise HandCueError(
            f"{what} needs the session D-Bus, and DBUS_SESSION_BUS_ADDRESS is not set "
            "(HandCue must run inside the desktop session)",
            code=4,
        )
    try:
        return open_dbus_connection(address, auth_timeout=5.0)
    except (
        Exception
    ) as exc:  # jeepney raises OSError, TimeoutError, ValueError, AuthenticationError
        raise HandCueError(
            f"{what}: cannot connect to the session D-Bus at {address} ({exc})", code=4
        ) from None


def call(
    conn: DBusConnection,
    *,
    bus_name: str,
    path: str,
    interface: str,
    method: str,
    signature: str | None = None,
    body: tuple[Any, ...] = (),
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
) -> tuple[Any, ...]:
    """Call ``interface.method`` on ``bus_name`` ``path``; the reply's body. Raises
    :class:`DBusCallError` for an error reply, HandCueError (code 4) when the bus connection
    breaks or no reply comes within ``timeout_s``."""
    from jeepney import DBusAddress, MessageType, new_method_call
    from jeepney.low_level import HeaderFields

    message = new_method_call(DBusAddress(path, bus_name, interface), method, signature, body)
    try:
        reply = conn.send_and_get_reply(message, timeout=timeout_s)
    except TimeoutError:
        raise HandCueError(
            f"{interface}.{method}: no answer from {bus_name} within {timeout_s:.0f} s", code=4
        ) from None
    except OSError as exc:
        raise HandCueError(
            f"{interface}.{method}: the connection to the session D-Bus broke ({exc})", code=4
        ) from None
    if reply.header.message_type == MessageType.error:
        name = str(reply.header.fields.get(HeaderFields.error_name, "unknown error"))
        text = str(reply.body[0]) if reply.body else ""
        raise DBusCallError(f"{interface}.{method}", name, text)
    return tuple(reply.body)
