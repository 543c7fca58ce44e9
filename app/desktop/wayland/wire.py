"""A small Wayland client that speaks the wire protocol itself (no libwayland, no XML at run
time): enough for the virtual keyboard and pointer, the outputs' layout and the foreign
toplevel list.

The wire format (https://wayland.freedesktop.org/docs/html/ch04.html): every message is a
header of two 32-bit words in the host's byte order, the object id and ``size << 16 |
opcode`` (size in bytes, header included), then the arguments: ``int``/``uint``/``object``/
``new_id`` one word, ``fixed`` a word holding value * 256, ``string`` a length word (with the
terminating NUL) and the bytes padded to 4, ``array`` a length word and the padded bytes.
File descriptors travel beside the bytes (``SCM_RIGHTS``). Object 1 is ``wl_display``; the
client numbers its own objects from 2 up.

Only the events HandCue reads are described (:data:`EVENTS`); any other event is skipped by
its size. The requests' opcodes and argument types are written where they are sent (the
protocols' XML files are the reference: wayland.xml, virtual-keyboard-unstable-v1,
wlr-virtual-pointer-unstable-v1, wlr-foreign-toplevel-management-unstable-v1,
xdg-output-unstable-v1).

Threads: :class:`Connection` locks around sending and reading, so requests may come from
several threads; event handlers run on the thread that reads (:meth:`Connection.roundtrip`,
:meth:`Connection.dispatch`).
"""

from __future__ import annotations

import array
import contextlib
import logging
import os
import select
import socket
import struct
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import HandCueError

log = logging.getLogger(__name__)

DISPLAY_ID = 1
_HEADER = struct.Struct("=II")
_WORD = struct.Struct("=I")
_INT = struct.Struct("=i")
_MAX_FDS = 28  # libwayland's limit per message batch

# Event signatures: interface -> names and argument types, in opcode order.
# i int, u uint, f fixed, s string, o object, n new_id, a array, h fd.
EVENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "wl_display": (("error", "ous"), ("delete_id", "u")),
    "wl_registry": (("global", "usu"), ("global_remove", "u")),
    "wl_callback": (("done", "u"),),
    "wl_seat": (("capabilities", "u"), ("name", "s")),
    "wl_output": (
        ("geometry", "iiiiissi"), ("mode", "uiii"), ("done", ""), ("scale", "i"),
        ("name", "s"), ("description", "s"),
    ),
    "zxdg_output_v1": (
        ("logical_position", "ii"), ("logical_size", "ii"), ("done", ""), ("name", "s"),
        ("description", "s"),
    ),
    "zwlr_foreign_toplevel_manager_v1": (("toplevel", "n"), ("finished", "")),
    "zwlr_foreign_toplevel_handle_v1": (
        ("title", "s"), ("app_id", "s"), ("output_enter", "o"), ("output_leave", "o"),
        ("state", "a"), ("done", ""), ("closed", ""), ("parent", "o"),
    ),
}  # fmt: skip

Handler = Callable[[str, tuple[Any, ...]], None]


class WaylandError(HandCueError):
    """The compositor cannot be reached, refused a request, or the connection broke."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code=4)


@dataclass(frozen=True)
class Global:
    """One global the compositor offers (``wl_registry.global``)."""

    name: int
    interface: str
    version: int


def socket_path(env: Mapping[str, str]) -> Path:
    """Where the compositor listens: ``$WAYLAND_DISPLAY`` (absolute, or under
    ``$XDG_RUNTIME_DIR``; ``wayland-0`` when unset). WaylandError without a runtime dir."""
    display = env.get("WAYLAND_DISPLAY") or "wayland-0"
    if display.startswith("/"):
        return Path(display)
    runtime = env.get("XDG_RUNTIME_DIR")
    if not runtime:
        raise WaylandError(
            "cannot reach the Wayland compositor: XDG_RUNTIME_DIR is not set (run HandCue "
            "inside the desktop session)"
        )
    return Path(runtime) / display


# --------------------------------------------------------------------------- encoding


def fixed(value: float) -> int:
    """A number as ``wl_fixed`` (24.8 signed fixed point), as the signed word to send."""
    return int(round(value * 256))


def encode_args(signature: str, args: Sequence[Any]) -> bytes:
    """The argument bytes for ``signature`` (see :data:`EVENTS`; ``h`` takes no bytes, the fd
    goes beside the message). ``n`` is a plain new id; a ``wl_registry.bind`` new id is the
    three arguments ``s``, ``u``, ``n``. ``o`` may be 0 (null object); ``s`` None is a null
    string."""
    if len(signature) != len(args):
        raise ValueError(f"signature {signature!r} takes {len(signature)} arguments")
    out = bytearray()
    for kind, value in zip(signature, args, strict=True):
        if kind in "uon":
            out += _WORD.pack(int(value) & 0xFFFFFFFF)
        elif kind == "i":
            out += _INT.pack(int(value))
        elif kind == "f":
            out += _INT.pack(fixed(value))
        elif kind == "s":
            if value is None:
                out += _WORD.pack(0)
                continue
            raw = str(value).encode("utf-8") + b"\0"
            out += _WORD.pack(len(raw)) + raw + b"\0" * (-len(raw) % 4)
        elif kind == "a":
            raw = bytes(value)
            out += _WORD.pack(len(raw)) + raw + b"\0" * (-len(raw) % 4)
        elif kind == "h":
            continue
        else:
            raise ValueError(f"unknown argument type {kind!r}")
    return bytes(out)


def encode_message(object_id: int, opcode: int, payload: bytes) -> bytes:
    size = _HEADER.size + len(payload)
    if size > 0xFFFF:
        raise ValueError(f"a Wayland message of {size} bytes is too long")
    return _HEADER.pack(object_id, size << 16 | opcode) + payload


def decode_args(signature: str, payload: bytes) -> tuple[Any, ...]:
    """The arguments of an event from its bytes (``h`` arguments are left out: fds are not
    read by HandCue). Raises ValueError when the bytes are too short."""
    values: list[Any] = []
    pos = 0
    for kind in signature:
        if kind == "h":
            continue
        if pos + 4 > len(payload):
            raise ValueError("a Wayland event is shorter than its signature")
        if kind in "uon":
            values.append(_WORD.unpack_from(payload, pos)[0])
            pos += 4
        elif kind == "i":
            values.append(_INT.unpack_from(payload, pos)[0])
            pos += 4
        elif kind == "f":
            values.append(_INT.unpack_from(payload, pos)[0] / 256.0)
            pos += 4
        elif kind in "sa":
            length = _WORD.unpack_from(payload, pos)[0]
            pos += 4
            raw = payload[pos : pos + length]
            if len(raw) != length:
                raise ValueError("a Wayland event is shorter than its signature")
            pos += length + (-length % 4)
            if kind == "s":
                values.append(None if length == 0 else raw[:-1].decode("utf-8", "replace"))
            else:
                values.append(bytes(raw))
        else:
            raise ValueError(f"unknown argument type {kind!r}")
    return tuple(values)


# --------------------------------------------------------------------------- connection


class Connection:
    """One client connection to the compositor of ``env`` (default: this process's
    environment). Reads the globals at once (``globals``). Raises :class:`WaylandError` when
    the compositor cannot be reached; every call does once the connection broke or the
    compositor reported a protocol error (``error`` holds it)."""

    def __init__(self, env: Mapping[str, str] | None = None, *, timeout: float = 5.0) -> None:
        env = os.environ if env is None else env
        path = socket_path(env)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        try:
            self._sock.connect(str(path))
        except OSError as exc:
            self._sock.close()
            raise WaylandError(
                f"cannot connect to the Wayland compositor at {path} ({exc.strerror or exc})"
            ) from None
        self.timeout = timeout
        self._lock = threading.RLock()
        self._next_id = DISPLAY_ID + 1
        self._free_ids: list[int] = []
        self._interfaces: dict[int, str] = {DISPLAY_ID: "wl_display"}
        self._handlers: dict[int, Handler] = {}
        self._buffer = b""
        self._closed = False
        self.error: WaylandError | None = None
        self.globals: dict[int, Global] = {}
        self._registry = self.new_object("wl_registry", self._on_registry)
        self.request(DISPLAY_ID, 1, "n", self._registry)  # wl_display.get_registry
        self.roundtrip()

    # ----------------------------------------------------------------- objects

    def new_object(self, interface: str, handler: Handler | None = None) -> int:
        """A new client-side object id for ``interface`` (to pass as a ``new_id``)."""
        with self._lock:
            if self._free_ids:
                object_id = self._free_ids.pop()
            else:
                object_id = self._next_id
                self._next_id += 1
            self._interfaces[object_id] = interface
            if handler is not None:
                self._handlers[object_id] = handler
            return object_id

    def set_handler(self, object_id: int, handler: Handler) -> None:
        with self._lock:
            self._handlers[object_id] = handler

    def find_global(self, interface: str) -> Global | None:
        for item in self.globals.values():
            if item.interface == interface:
                return item
        return None

    def globals_named(self, interface: str) -> list[Global]:
        return [g for g in self.globals.values() if g.interface == interface]

    def bind(self, item: Global, version: int, handler: Handler | None = None) -> int:
        """Bind global ``item`` at ``version`` (at most what it offers); the new object id."""
        object_id = self.new_object(item.interface, handler)
        chosen = min(version, item.version)
        self.request(self._registry, 0, "usun", item.name, item.interface, chosen, object_id)
        return object_id

    def _on_registry(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "global":
            name, interface, version = args
            self.globals[name] = Global(name, interface, version)
        elif event == "global_remove":
            self.globals.pop(args[0], None)

    # ----------------------------------------------------------------- sending

    def request(
        self, object_id: int, opcode: int, signature: str, *args: Any, fds: Sequence[int] = ()
    ) -> None:
        """Send one request (flushed at once: requests are small and HandCue sends few)."""
        message = encode_message(object_id, opcode, encode_args(signature, args))
        with self._lock:
            self._check()
            try:
                if fds:
                    ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))]
                    sent = self._sock.sendmsg([message], ancillary, socket.MSG_NOSIGNAL)
                    message = message[sent:]
                while message:
                    sent = self._sock.send(message, socket.MSG_NOSIGNAL)
                    message = message[sent:]
            except OSError as exc:
                self._lost(exc)

    def destroy(self, object_id: int, opcode: int) -> None:
        """Send the destructor request ``opcode`` of ``object_id``; the id is reused once the
        compositor confirms (``wl_display.delete_id``)."""
        self.request(object_id, opcode, "")
        with self._lock:
            self._handlers.pop(object_id, None)

    # ----------------------------------------------------------------- reading

    def roundtrip(self, timeout: float | None = None) -> None:
        """Wait until the compositor has handled every request sent so far (``wl_display.sync``),
        handling the events it sent meanwhile. WaylandError on a protocol error or time-out."""
        timeout = self.timeout if timeout is None else timeout
        done = threading.Event()
        with self._lock:
            callback = self.new_object("wl_callback", lambda event, args: done.set())
            self.request(DISPLAY_ID, 0, "n", callback)  # wl_display.sync
            deadline = time.monotonic() + timeout
            while not done.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise WaylandError(
                        f"the Wayland compositor did not answer within {timeout:g} s"
                    )
                self.dispatch(left)
            self._handlers.pop(callback, None)

    def fileno(self) -> int:
        return self._sock.fileno()

    def dispatch(self, timeout: float | None = 0.0) -> bool:
        """Read what the compositor sent (waiting at most ``timeout`` s; None: until something
        comes) and handle every whole event. True if anything was read."""
        with self._lock:
            self._check()
            readable, _, _ = select.select([self._sock], [], [], timeout)
            if not readable:
                return False
            try:
                data, ancillary, _flags, _addr = self._sock.recvmsg(
                    65536, socket.CMSG_SPACE(_MAX_FDS * 4)
                )
            except OSError as exc:
                self._lost(exc)
            for level, kind, raw in ancillary:  # fds HandCue does not read: close them
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds = array.array("i")
                    fds.frombytes(raw[: len(raw) - len(raw) % fds.itemsize])
                    for fd in fds:
                        with contextlib.suppress(OSError):
                            os.close(fd)
            if not data:
                self._lost(ConnectionResetError("the compositor closed the connection"))
            self._buffer += data
            self._handle_buffer()
            return True

    def _handle_buffer(self) -> None:
        buffer = self._buffer
        pos = 0
        while len(buffer) - pos >= _HEADER.size:
            object_id, word = _HEADER.unpack_from(buffer, pos)
            size, opcode = word >> 16, word & 0xFFFF
            if size < _HEADER.size:
                self._lost(ValueError(f"a malformed message (size {size})"))
            if len(buffer) - pos < size:
                break
            payload = buffer[pos + _HEADER.size : pos + size]
            pos += size
            self._event(object_id, opcode, payload)
        self._buffer = buffer[pos:]

    def _event(self, object_id: int, opcode: int, payload: bytes) -> None:
        interface = self._interfaces.get(object_id)
        events = EVENTS.get(interface or "", ())
        if opcode >= len(events):
            return  # an event HandCue does not read
        name, signature = events[opcode]
        try:
            args = decode_args(signature, payload)
        except ValueError as exc:
            log.debug("skipping %s.%s: %s", interface, name, exc)
            return
        if object_id == DISPLAY_ID:
            self._display_event(name, args)
            return
        if "n" in signature:  # a new server-side object: it speaks the handler's interface
            child = interface_of_new_id(interface or "", name)
            if child:
                for value, kind in zip(args, signature.replace("h", ""), strict=True):
                    if kind == "n":
                        self._interfaces[value] = child
        handler = self._handlers.get(object_id)
        if handler is not None:
            handler(name, args)

    def _display_event(self, name: str, args: tuple[Any, ...]) -> None:
        if name == "delete_id":
            (object_id,) = args
            self._interfaces.pop(object_id, None)
            self._handlers.pop(object_id, None)
            if object_id < 0xFF000000:
                self._free_ids.append(object_id)
        elif name == "error":
            object_id, code, message = args
            interface = self._interfaces.get(object_id, "object")
            self.error = WaylandError(
                f"the Wayland compositor refused a request of HandCue's {interface} "
                f"(error {code}: {message})"
            )
            raise self.error

    def _check(self) -> None:
        if self.error is not None:
            raise self.error
        if self._closed:
            raise WaylandError("the connection to the Wayland compositor is closed")

    def _lost(self, exc: BaseException) -> Any:
        self.error = WaylandError(
            f"lost the connection to the Wayland compositor ({exc}); no key or click can be "
            "sent there any more"
        )
        raise self.error from None

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            with contextlib.suppress(OSError):
                self._sock.close()


def interface_of_new_id(interface: str, event: str) -> str | None:
    """The interface of the object a server event creates (only one such event is read)."""
    if interface == "zwlr_foreign_toplevel_manager_v1" and event == "toplevel":
        return "zwlr_foreign_toplevel_handle_v1"
    return None
