"""The Wayland pieces that need no compositor: wire encoding, the keymap (compiled with the
system's libxkbcommon when it is there), the backend choice, sway's IPC tree and the
foreign-toplevel events, and the guardian's wlroots releaser choice."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import socket
import struct
import sys
import threading

import pytest

from app.desktop import backends
from app.desktop.focus.wlroots import focused_node, ipc_message, read_ipc, window_of_node
from app.desktop.wayland import wire
from app.desktop.wayland.keymap import (
    CONTROL,
    NAMED,
    SHIFT,
    SPARE_CODES,
    KeymapLayout,
    char_keysym,
)
from pipeline.actions.spec import NAMED_KEYS
from pipeline.errors import HandCueError

# ----------------------------------------------------------------------------------- wire


def test_a_request_is_encoded_as_the_wire_protocol_says() -> None:
    # wl_registry.bind(name 7, "wl_seat", version 5, new id 3) on object 2
    payload = wire.encode_args("usun", [7, "wl_seat", 5, 3])
    message = wire.encode_message(2, 0, payload)
    # header (object 2, size 32 << 16 | opcode 0), name, string length 8 and "wl_seat\0"
    # (8 bytes: no padding), version, new id
    assert message == struct.pack("=IIII", 2, 32 << 16, 7, 8) + b"wl_seat\0" + struct.pack(
        "=II", 5, 3
    )


def test_strings_are_padded_and_fixed_numbers_scaled() -> None:
    assert wire.encode_args("s", ["abcd"]) == struct.pack("=I", 5) + b"abcd\0\0\0\0"
    assert wire.encode_args("f", [-1.5]) == struct.pack("=i", -384)
    assert wire.encode_args("h", [42]) == b""  # an fd goes beside the bytes
    assert wire.encode_args("o", [0]) == struct.pack("=I", 0)  # a null object


def test_events_decode_back() -> None:
    payload = wire.encode_args("usu", [12, "zwp_virtual_keyboard_manager_v1", 1])
    assert wire.decode_args("usu", payload) == (12, "zwp_virtual_keyboard_manager_v1", 1)
    states = struct.pack("=II", 0, 2)
    assert wire.decode_args("a", wire.encode_args("a", [states])) == (states,)
    with pytest.raises(ValueError, match="shorter"):
        wire.decode_args("uu", struct.pack("=I", 1))


def test_socket_path_follows_the_environment() -> None:
    env = {"XDG_RUNTIME_DIR": "/run/user/1000", "WAYLAND_DISPLAY": "wayland-1"}
    assert str(wire.socket_path(env)) == "/run/user/1000/wayland-1"
    assert str(wire.socket_path({"WAYLAND_DISPLAY": "/tmp/x/sock"})) == "/tmp/x/sock"
    with pytest.raises(wire.WaylandError, match="XDG_RUNTIME_DIR"):
        wire.socket_path({"WAYLAND_DISPLAY": "wayland-1"})


def test_a_missing_compositor_is_a_clear_error(tmp_path) -> None:
    env = {"XDG_RUNTIME_DIR": str(tmp_path), "WAYLAND_DISPLAY": "wayland-9"}
    with pytest.raises(wire.WaylandError, match="cannot connect to the Wayland compositor"):
        wire.Connection(env)


def test_a_connection_reads_globals_and_reports_protocol_errors(tmp_path) -> None:
    """A scripted compositor on a socket pair: the registry's globals arrive with the first
    round trip, and a wl_display.error becomes one clear WaylandError."""
    path = tmp_path / "wayland-0"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)

    def compositor() -> None:
        conn, _ = server.accept()
        with conn, contextlib.suppress(BrokenPipeError, ConnectionResetError):
            serve_client(conn)  # the client may hang up after the error before a reply is sent

    def serve_client(conn: socket.socket) -> None:
        buf = b""
        sent_globals = False
        while True:
            data = conn.recv(4096)
            if not data:
                return
            buf += data
            while len(buf) >= 8:
                obj, word = struct.unpack_from("=II", buf)
                size, opcode = word >> 16, word & 0xFFFF
                if len(buf) < size:
                    break
                body, buf = buf[8:size], buf[size:]
                if obj == 1 and opcode == 1 and not sent_globals:  # get_registry(new id)
                    (registry,) = struct.unpack("=I", body)
                    for name, iface in ((1, "wl_seat"), (2, "zwp_virtual_keyboard_manager_v1")):
                        args = wire.encode_args("usu", [name, iface, 1])
                        conn.sendall(wire.encode_message(registry, 0, args))
                    sent_globals = True
                elif obj == 1 and opcode == 0:  # sync(new id): done
                    (callback,) = struct.unpack("=I", body)
                    conn.sendall(wire.encode_message(callback, 0, wire.encode_args("u", [1])))
                elif obj == 99:  # anything to object 99: a protocol error
                    args = wire.encode_args("ous", [99, 0, "no keymap"])
                    conn.sendall(wire.encode_message(1, 0, args))

    thread = threading.Thread(target=compositor, daemon=True)
    thread.start()
    conn = wire.Connection({"XDG_RUNTIME_DIR": str(tmp_path), "WAYLAND_DISPLAY": "wayland-0"})
    try:
        assert {g.interface for g in conn.globals.values()} == {
            "wl_seat",
            "zwp_virtual_keyboard_manager_v1",
        }
        conn.request(99, 1, "uuu", 0, 30, 1)
        with pytest.raises(wire.WaylandError, match="refused a request.*no keymap"):
            conn.roundtrip(timeout=10)
        with pytest.raises(wire.WaylandError):  # and every later call
            conn.request(99, 1, "uuu", 0, 30, 0)
    finally:
        conn.close()
        thread.join(10)
        server.close()


# ----------------------------------------------------------------------------------- keymap


def _xkb() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("xkbcommon")
    if name is None:
        return None
    lib = ctypes.CDLL(name)
    lib.xkb_context_new.restype = ctypes.c_void_p
    lib.xkb_keymap_new_from_string.restype = ctypes.c_void_p
    lib.xkb_keymap_new_from_string.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                               ctypes.c_int]  # fmt: skip
    lib.xkb_keymap_key_get_syms_by_level.argtypes = [
        ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32,
        ctypes.POINTER(ctypes.POINTER(ctypes.c_uint32)),
    ]  # fmt: skip
    lib.xkb_keymap_unref.argtypes = [ctypes.c_void_p]
    lib.xkb_context_unref.argtypes = [ctypes.c_void_p]
    return lib


def test_every_key_handcue_sends_has_a_place() -> None:
    layout = KeymapLayout()
    assert set(NAMED) >= NAMED_KEYS
    for name in NAMED_KEYS:
        layout.stroke(name)
    assert layout.stroke("ctrl").modifier == CONTROL
    assert layout.stroke("A").mods == SHIFT and layout.stroke("A").code == layout.stroke("a").code
    assert layout.stroke("\n") == layout.stroke("enter")
    with pytest.raises(HandCueError, match="no key"):
        layout.stroke("€")  # not added yet
    with pytest.raises(HandCueError, match="does not exist"):
        layout.stroke("hyper")


def test_new_characters_get_spare_keys_and_held_ones_are_kept() -> None:
    layout = KeymapLayout(spare_codes=[200, 201])
    assert layout.add("ü€") is True
    assert layout.add("ü") is False  # already there: no new keymap
    held = layout.stroke("ü").code
    assert layout.add("ß", busy=[held]) is True  # the least recently used not held: €
    assert layout.stroke("ü").code == held
    assert layout.stroke("ß").code != held
    with pytest.raises(HandCueError, match="too many different characters"):
        layout.add("xyz\u00e6\u00f8", busy=[200, 201])
    with pytest.raises(HandCueError, match="control character"):
        layout.add("\x07")


@pytest.mark.skipif(_xkb() is None, reason="libxkbcommon is not installed")
def test_the_keymap_compiles_and_each_key_gives_its_character() -> None:
    lib = _xkb()
    assert lib is not None
    layout = KeymapLayout()
    text = "Grüße € ÆØÅ ¿ñ 你好 \U0001f600!"
    layout.add(text)
    ctx = lib.xkb_context_new(0)
    keymap = lib.xkb_keymap_new_from_string(ctx, layout.text().encode(), 1, 0)
    assert keymap, "xkbcommon refused the generated keymap"
    try:
        for char in set(text) | {"a", "Z", "1", "/"}:
            stroke = layout.stroke(char)
            syms = ctypes.POINTER(ctypes.c_uint32)()
            level = 1 if stroke.mods & SHIFT else 0
            count = lib.xkb_keymap_key_get_syms_by_level(keymap, stroke.code + 8, 0, level,
                                                         ctypes.byref(syms))  # fmt: skip
            assert count == 1 and syms[0] == char_keysym(char), char
        for name, (code, _, _) in NAMED.items():
            syms = ctypes.POINTER(ctypes.c_uint32)()
            count = lib.xkb_keymap_key_get_syms_by_level(keymap, code + 8, 0, 0, ctypes.byref(syms))
            assert count == 1, name
    finally:
        lib.xkb_keymap_unref(keymap)
        lib.xkb_context_unref(ctx)
    assert len(SPARE_CODES) > 100  # room for long texts of unusual characters


# ----------------------------------------------------------------------------------- choice


def _session(**env: str) -> backends.Session:
    return backends.read_session(env, "linux")


@pytest.mark.parametrize(
    ("env", "globals_", "prefer_uinput", "expected"),
    [
        ({"DISPLAY": ":0"}, None, False, "x11"),
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, None, False, "x11"),
        ({"WAYLAND_DISPLAY": "wayland-1", "SWAYSOCK": "/s"}, {backends.VIRTUAL_KEYBOARD}, False,
         "wlroots"),
        ({"WAYLAND_DISPLAY": "wayland-1", "HYPRLAND_INSTANCE_SIGNATURE": "x"},
         {backends.VIRTUAL_KEYBOARD, backends.VIRTUAL_POINTER}, False, "wlroots"),
        ({"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "GNOME"}, {"wl_seat"}, False,
         "portal"),
        ({"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "KDE", "DISPLAY": ":1"},
         {"wl_seat"}, False, "portal"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, None, False, "portal"),  # compositor unreachable
        ({"WAYLAND_DISPLAY": "wayland-1"}, {backends.VIRTUAL_KEYBOARD}, True, "uinput"),
        ({"DISPLAY": ":0"}, None, True, "uinput"),
    ],
)  # fmt: skip
def test_the_backend_follows_the_session(env, globals_, prefer_uinput, expected) -> None:
    asked: list[bool] = []

    def offered() -> set[str] | None:
        asked.append(True)
        return globals_

    choice = backends.choose_backend(_session(**env), offered, prefer_uinput=prefer_uinput)
    assert choice.backend == expected
    if "WAYLAND_DISPLAY" not in env:
        assert not asked  # X11 sessions never look for a compositor


def test_no_display_at_all_is_a_clear_error() -> None:
    with pytest.raises(HandCueError, match="no X display.*--dry-run"):
        backends.choose_backend(_session(), lambda: None)
    assert backends.choose_backend(backends.read_session({}, "win32"), lambda: None).backend == (
        "native"
    )


def test_the_description_names_backend_and_active_window() -> None:
    sway = _session(WAYLAND_DISPLAY="wayland-1", SWAYSOCK="/s")
    pointer = type("S", (), {"moves_pointer": True})()
    line = backends.describe("wlroots", sway, {backends.VIRTUAL_KEYBOARD}, pointer)
    assert line == (
        "input: Wayland (sway, wlroots virtual keyboard and pointer); active window: sway IPC"
    )
    river = _session(WAYLAND_DISPLAY="wayland-1", XDG_CURRENT_DESKTOP="river")
    line = backends.describe("wlroots", river, {backends.FOREIGN_TOPLEVEL}, object())
    assert "no pointer" in line and "wlr foreign-toplevel" in line
    gnome = _session(WAYLAND_DISPLAY="wayland-0", XDG_CURRENT_DESKTOP="ubuntu:GNOME")
    assert "not available on GNOME" in backends.describe("portal", gnome, set(), object())
    xwayland = _session(WAYLAND_DISPLAY="w", DISPLAY=":0", XDG_CURRENT_DESKTOP="weston")
    assert "only X11/XWayland windows" in backends.describe("x11", xwayland, None, object())


def test_a_refused_portal_without_x_is_an_error_naming_uinput(monkeypatch) -> None:
    from app.desktop.wayland import portal

    def refuse(env):  # noqa: ANN001, ANN202
        raise HandCueError("the user refused remote control")

    monkeypatch.setattr(portal, "open_portal_sink", refuse)
    env = {"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "GNOME",
           "XDG_RUNTIME_DIR": "/nonexistent"}  # fmt: skip
    with pytest.raises(HandCueError, match="refused remote control.*uinput"):
        backends.open_backend(lambda: None, env, "linux")


# ----------------------------------------------------------------------------------- sway IPC

TREE = {
    "type": "root", "nodes": [{"type": "output", "nodes": [{"type": "workspace", "nodes": [
        {"type": "con", "id": 4, "app_id": "foot", "name": "~ zsh", "pid": 0, "focused": False},
        {"type": "con", "id": 7, "app_id": None, "name": "Notes - Mousepad", "pid": 0,
         "focused": True, "window_properties": {"class": "Mousepad", "instance": "mousepad"}},
    ], "floating_nodes": []}]}],
}  # fmt: skip


def test_the_focused_sway_node_becomes_a_window() -> None:
    window = window_of_node(focused_node(TREE), lambda pid: "")
    assert window is not None
    assert window.wm_class == ("mousepad", "Mousepad") and window.window_id == 7
    assert window.title == "Notes - Mousepad"
    native = window_of_node(TREE["nodes"][0]["nodes"][0]["nodes"][0], lambda pid: "")
    assert native is not None and native.app_names == ("foot",) and native.app == "foot"
    assert window_of_node({"type": "workspace", "focused": True}) is None


def test_ipc_messages_round_trip() -> None:
    a, b = socket.socketpair()
    try:
        a.sendall(ipc_message(0x80000003, b'{"change": "focus"}'))
        assert read_ipc(b) == (0x80000003, {"change": "focus"})
    finally:
        a.close()
        b.close()


# ----------------------------------------------------------------------------------- guardian


def test_the_guardian_uses_the_wlroots_releaser_when_told(monkeypatch) -> None:
    from app.desktop import guardian

    released: list[str] = []

    class FakeWlroots(guardian._WlrootsReleaser):
        def button(self, name: str) -> str:
            released.append(name)
            return "released it"

    monkeypatch.setenv(guardian.BACKEND_ENV, "wlroots")
    monkeypatch.setattr(guardian, "_WlrootsReleaser", FakeWlroots)
    lines = [b'["down", "key", "n"]\n', b'["down", "button", "left"]\n']
    out = __import__("io").StringIO()
    assert guardian.serve(iter(lines), out) == 0
    assert released == ["left"]
    text = out.getvalue()
    assert "button 'left' down; released it" in text
    assert "key 'n' down; the compositor released it" in text


def test_the_guardian_is_told_the_backend(monkeypatch) -> None:
    from app.desktop import guardian

    seen: dict[str, object] = {}

    class FakePopen:
        def __init__(self, command, **options):  # noqa: ANN001, ANN003
            seen.update(options)
            self.pid = 1
            self.stdin = None

    monkeypatch.setattr(guardian.subprocess, "Popen", FakePopen)
    assert guardian.InputGuardian([sys.executable], backend="wlroots").start()
    assert seen["env"][guardian.BACKEND_ENV] == "wlroots"  # type: ignore[index]


def test_a_refusal_in_the_consent_dialog_stops_even_with_x_to_fall_back_to(monkeypatch) -> None:
    """The user said no: HandCue must not send input through XWayland behind their back."""
    from app.desktop.wayland import portal

    def refuse(env):  # noqa: ANN001, ANN202
        raise portal.ConsentRefusedError("you refused HandCue control of the keyboard and pointer")

    monkeypatch.setattr(portal, "open_portal_sink", refuse)
    env = {"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "GNOME", "DISPLAY": ":0",
           "XDG_RUNTIME_DIR": "/nonexistent"}  # fmt: skip
    x11_opened = []
    with pytest.raises(portal.ConsentRefusedError, match="you refused"):
        backends.open_backend(lambda: x11_opened.append(1), env, "linux")
    assert not x11_opened


@pytest.mark.parametrize(("backend", "guarded"), [("portal", False), ("uinput", False),
                                                  ("wlroots", True)])  # fmt: skip
def test_the_guardian_watches_only_backends_whose_input_outlives_handcue(
    monkeypatch, backend, guarded
) -> None:
    """The portal's session and a uinput device end with HandCue (and release what they held);
    the guardian releases through X11 or the compositor, which is not where their keys went."""
    from app.desktop import guardian, input_sink
    from pipeline.actions.sink import RecordingSink

    started = []
    monkeypatch.setattr(
        guardian, "guard", lambda sink, backend=None: started.append(backend) or sink
    )
    opened = backends.OpenedBackend(RecordingSink(), backend, f"input: {backend}", [])
    monkeypatch.setattr(backends, "open_backend", lambda *a, **k: opened)
    result = input_sink.open_desktop_input()
    assert result.backend == backend
    assert started == ([backend] if guarded else [])
    result.sink.close()


def test_on_gnome_the_rules_page_is_told_plainly_why_profiles_do_not_follow() -> None:
    from app.desktop.focus import create_window_source
    from app.desktop.focus.wayland_desktops import GNOME_NO_ACTIVE_WINDOW
    from pipeline.focus.window import WatcherUnavailable

    env = {"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland",
           "XDG_CURRENT_DESKTOP": "ubuntu:GNOME", "XDG_RUNTIME_DIR": "/nonexistent"}  # fmt: skip
    with pytest.raises(WatcherUnavailable) as caught:
        create_window_source("linux", env)
    assert str(caught.value) == GNOME_NO_ACTIVE_WINDOW
