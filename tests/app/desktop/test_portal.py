"""The xdg-desktop-portal input sink (GNOME, KDE Plasma) against a scripted portal on a real
private session bus (``dbus-daemon``): the conversation (session, consent, restore token), the
keysyms and pointer calls HandCue sends, and that the session ends - with nothing held - on
close, at exit and when HandCue is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.desktop.wayland.portal import RELATIVE_POINTER_NOTE, PortalSink, open_portal_sink
from pipeline.actions.spec import parse_action
from pipeline.errors import HandCueError
from tests.support.session_bus import (
    REPO,
    dbus_daemon_missing,
    private_session_bus,
    start_service,
)
from tests.support.waiting import read_json_lines, wait_until
from tests.support.xserver import stop

pytestmark = pytest.mark.skipif(
    dbus_daemon_missing() is not None, reason=str(dbus_daemon_missing())
)

PORTAL = "org.freedesktop.portal.Desktop"
CTRL, Z = 0xFFE3, ord("z")


class FakePortalRun:
    """One private bus with the fake portal on it; ``calls()`` reads what the portal saw."""

    def __init__(self, folder: Path, address: str) -> None:
        self.folder = folder
        self.address = address
        self.log = folder / "portal.jsonl"
        self.tokens = folder / "portal-tokens"
        self.token_path = folder / "data" / "portal-restore-token"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *args: str) -> None:
        if self.proc is not None:
            stop(self.proc, timeout=10)
        self.proc = start_service("tests.support.fake_portal", self.address, PORTAL,
                                  ["--log", str(self.log), "--tokens", str(self.tokens), *args])  # fmt: skip

    @property
    def env(self) -> dict[str, str]:
        return {"DBUS_SESSION_BUS_ADDRESS": self.address}

    def open(self, **kwargs: Any) -> PortalSink:
        return open_portal_sink(self.env, token_path=self.token_path, **kwargs)

    def entries(self) -> list[dict[str, Any]]:
        return read_json_lines(self.log)

    def calls(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.entries() if e.get("call") == name]

    def input_calls(self) -> list[tuple]:
        """The Notify* calls in order, as tuples of their values."""
        out = []
        for e in self.entries():
            if str(e.get("call", "")).startswith("Notify"):
                out.append((e["call"], *(v for k, v in e.items() if k != "call")))
        return out

    def closed(self) -> list[dict[str, Any]]:
        return [e for e in self.entries() if e.get("event") == "session_closed"]


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[FakePortalRun]:
    with private_session_bus(tmp_path) as address:
        run = FakePortalRun(tmp_path, address)
        try:
            yield run
        finally:
            if run.proc is not None:
                stop(run.proc, timeout=10)


def keysyms(run: FakePortalRun) -> list[tuple[int, int]]:
    return [(c[1], c[2]) for c in run.input_calls() if c[0] == "NotifyKeyboardKeysym"]


def test_consent_once_then_the_restore_token_starts_without_asking(portal):
    portal.start()
    sink = portal.open()
    try:
        [create] = portal.calls("CreateSession")
        assert create["session"] == sink.session_handle
        [select] = portal.calls("SelectDevices")
        assert select["types"] == 3  # keyboard | pointer
        assert select["persist_mode"] == 2  # until the user revokes it
        assert select["restore_token"] == ""  # nothing stored yet
        [start] = portal.calls("Start")
        assert start["dialog"] is True
    finally:
        sink.close()
    first_token = portal.token_path.read_text().strip()
    assert first_token.startswith("tok-")
    assert first_token in portal.tokens.read_text().split()  # the one the portal handed out

    second = portal.open()
    second.close()
    select2 = portal.calls("SelectDevices")[1]
    assert select2["restore_token"] == first_token
    assert portal.calls("Start")[1]["dialog"] is False  # no consent dialog the second time
    new_token = portal.token_path.read_text().strip()
    assert new_token.startswith("tok-") and new_token != first_token  # single use: replaced


def test_a_restored_start_survives_a_portal_restart(portal):
    portal.start()
    portal.open().close()
    portal.start()  # a new portal process (e.g. the next login) still knows the grant
    portal.open().close()
    assert [s["dialog"] for s in portal.calls("Start")] == [True, False]


def test_key_combo_and_text_arrive_as_keysyms(portal):
    portal.start()
    sink = portal.open()
    try:
        parse_action("key:n").tap(sink)
        parse_action("combo:ctrl+z").tap(sink)
        parse_action("type:Grüße €").tap(sink)
        parse_action("key:enter").tap(sink)
    finally:
        sink.close()
    text = [ord("G"), ord("r"), 0xFC, 0xDF, ord("e"), 0x20, 0x010020AC]  # ü ß Latin-1, € Unicode
    assert keysyms(portal) == [
        (ord("n"), 1), (ord("n"), 0),
        (CTRL, 1), (Z, 1), (Z, 0), (CTRL, 0),
        *[pair for sym in text for pair in ((sym, 1), (sym, 0))],
        (0xFF0D, 1), (0xFF0D, 0),
    ]  # fmt: skip


def test_buttons_wheel_and_relative_motion(portal, caplog, monkeypatch):
    import app.desktop.wayland.portal as portal_module

    monkeypatch.setattr(portal_module, "RELATIVE_RESTART_S", 600.0)  # a loaded machine is slow
    portal.start()
    sink = portal.open()
    try:
        assert sink.warnings == []  # most runs never move the pointer: nothing to say yet
        assert sink.pointer_note == RELATIVE_POINTER_NOTE
        sink.click("left")
        sink.click("right", 2)
        sink.press_button("middle")
        sink.release_button("middle")
        sink.scroll(0, 3)  # up
        sink.scroll(-2, 0)  # left
        sink.move_pointer(100, 100)  # the reference: nothing moves yet
        assert RELATIVE_POINTER_NOTE in caplog.text  # said when it matters
        sink.move_pointer(130, 90)
        sink.move_pointer(130, 90)  # same place: nothing sent
        assert sink.pointer_position() is None
    finally:
        sink.close()
    assert portal.input_calls() == [
        ("NotifyPointerButton", 0x110, 1), ("NotifyPointerButton", 0x110, 0),
        ("NotifyPointerButton", 0x111, 1), ("NotifyPointerButton", 0x111, 0),
        ("NotifyPointerButton", 0x111, 1), ("NotifyPointerButton", 0x111, 0),
        ("NotifyPointerButton", 0x112, 1), ("NotifyPointerButton", 0x112, 0),
        ("NotifyPointerAxisDiscrete", 0, -3),  # the portal counts vertical steps downwards
        ("NotifyPointerAxisDiscrete", 1, -2),
        ("NotifyPointerMotion", 30.0, -10.0),
    ]  # fmt: skip


def test_relative_motion_restarts_after_a_pause(portal):
    clock = [100.0]
    portal.start()
    sink = portal.open()
    sink.clock = lambda: clock[0]
    try:
        sink.move_pointer(100, 100)
        clock[0] += 0.03
        sink.move_pointer(110, 100)
        clock[0] += 5.0  # pointer mode was off meanwhile; the hand is elsewhere now
        sink.move_pointer(900, 500)  # a new reference, not a jump of 790 px
        clock[0] += 0.03
        sink.move_pointer(905, 503)
    finally:
        sink.close()
    assert [c for c in portal.input_calls() if c[0] == "NotifyPointerMotion"] == [
        ("NotifyPointerMotion", 10.0, 0.0),
        ("NotifyPointerMotion", 5.0, 3.0),
    ]


def test_absolute_motion_on_a_screen_cast_stream(portal):
    portal.start()
    sink = portal.open(absolute_pointer=True)
    try:
        assert sink.absolute_pointer
        assert sink.pointer_note == ""
        sink.move_pointer(640, 360)
    finally:
        sink.close()
    assert portal.calls("SelectSources") == [{"call": "SelectSources", "types": 1}]
    assert portal.input_calls() == [("NotifyPointerMotionAbsolute", 42, 640.0, 360.0)]


def test_close_releases_what_is_held_and_closes_the_session(portal):
    portal.start()
    sink = portal.open()
    parse_action("combo:ctrl+z").press(sink)
    sink.press_button("left")
    sink.close()
    sink.close()  # twice is harmless
    wait_until(lambda: portal.closed(), 30, "the session to close")
    assert portal.input_calls()[-3:] == [
        ("NotifyPointerButton", 0x110, 0),
        ("NotifyKeyboardKeysym", Z, 0),
        ("NotifyKeyboardKeysym", CTRL, 0),
    ]
    [closed] = portal.closed()
    assert closed["reason"] == "Close" and closed["held"] == []
    with pytest.raises(HandCueError, match="closed"):
        sink.press_key("n")


_CHILD = """
import os, sys, time
sys.path.insert(0, {repo!r})
from pathlib import Path
from app.desktop.wayland.portal import open_portal_sink
sink = open_portal_sink({{"DBUS_SESSION_BUS_ADDRESS": {address!r}}}, token_path=Path({token!r}))
sink.press_key("shift")
sink.press_button("left")
print("holding", flush=True)
if {end!r} == "exit":
    sys.exit(0)  # no close(): the atexit hook must do it
time.sleep(600)
"""


def _child(portal: FakePortalRun, end: str) -> subprocess.Popen[str]:
    code = _CHILD.format(repo=str(REPO), address=portal.address, token=str(portal.token_path),
                         end=end)  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE,
                            text=True)  # fmt: skip
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "holding"
    return proc


def test_an_orderly_exit_releases_and_closes(portal):
    portal.start()
    proc = _child(portal, "exit")
    assert proc.wait(60) == 0
    proc.stdout.close()
    wait_until(lambda: portal.closed(), 30, "the session to close")
    [closed] = portal.closed()
    assert closed["reason"] == "Close" and closed["held"] == []


def test_a_killed_handcue_loses_its_session(portal):
    portal.start()
    proc = _child(portal, "kill")
    try:
        wait_until(lambda: len(portal.input_calls()) == 2, 30, "the key and button presses")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
        proc.stdout.close()
    # The bus tells the portal the connection is gone; the portal ends the session and with
    # it the desktop's virtual devices (what they held is lifted by the compositor).
    wait_until(lambda: portal.closed(), 30, "the portal to close the dead client's session")
    [closed] = portal.closed()
    assert closed["reason"] == "owner vanished"
    assert closed["held"] == ["button:272", f"key:{0xFFE1}"]  # what dies with the session


def test_refusal_says_so_and_forgets_the_token(portal):
    portal.start()
    portal.open().close()
    assert portal.token_path.exists()
    portal.start("--answer", "refuse")
    portal.tokens.write_text("")  # the user revoked the grant: the dialog comes again
    with pytest.raises(HandCueError) as caught:
        portal.open()
    assert caught.value.code == 4
    assert "you refused" in str(caught.value)
    assert not portal.token_path.exists()
    assert portal.calls("Start")[-1] == {"call": "Start", "dialog": True, "answer": "refuse",
                                         "parent_window": ""}  # fmt: skip


def test_no_portal_and_no_remote_desktop_are_clear_errors(portal):
    with pytest.raises(HandCueError, match="no xdg-desktop-portal is running") as caught:
        portal.open()
    assert caught.value.code == 4
    portal.start("--no-remote-desktop")
    with pytest.raises(HandCueError, match="no RemoteDesktop interface"):
        portal.open()
    with pytest.raises(HandCueError, match="DBUS_SESSION_BUS_ADDRESS is not set"):
        open_portal_sink({}, token_path=portal.token_path)


def test_a_portal_that_keeps_no_permission_is_named(portal):
    portal.start("--no-persist")
    sink = portal.open()
    sink.close()
    assert any("ask again" in w for w in sink.warnings)
    assert not portal.token_path.exists()


def test_the_desktop_ending_the_session_stops_input_with_a_message(portal):
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    portal.start()
    sink = portal.open()
    try:
        with open_dbus_connection(portal.address) as control:
            control.send_and_get_reply(new_method_call(
                DBusAddress("/org/freedesktop/portal/desktop", PORTAL, "org.handcue.FakePortal"),
                "EndSessions"), timeout=10)  # fmt: skip
        with pytest.raises(HandCueError, match="ended HandCue's remote control session"):
            sink.press_key("n")
    finally:
        sink.close()
    assert [c["reason"] for c in portal.closed()] == ["desktop"]


# --------------------------------------------------------------------------- handcue run


def _gnome_wayland_env(portal: FakePortalRun) -> dict[str, str]:
    """A GNOME Wayland session as ``handcue run`` sees it: no X display, no wlroots
    compositor (the Wayland socket is not there), the fake portal on the session bus."""
    from tests.support.commands import handcue_env

    env = handcue_env(portal.folder)
    env.pop("DISPLAY", None)
    env.update(DBUS_SESSION_BUS_ADDRESS=portal.address, XDG_SESSION_TYPE="wayland",
               XDG_CURRENT_DESKTOP="GNOME", WAYLAND_DISPLAY="wayland-absent",
               XDG_RUNTIME_DIR=str(portal.folder))  # fmt: skip
    return env


def _handcue_run(portal: FakePortalRun, shared_data: Path) -> subprocess.CompletedProcess[str]:
    from tests.support.commands import run_handcue

    video = shared_data / "videos" / "fist_then_thumb_up_720p.mp4"
    return run_handcue("run", "--source", str(video), "--map", "thumb_up=key:n",
                       "--map", "fist=combo:ctrl+z", env=_gnome_wayland_env(portal),
                       timeout=600)  # fmt: skip


def test_handcue_run_on_gnome_sends_through_the_portal(portal, shared_data):
    portal.start()
    result = _handcue_run(portal, shared_data)
    assert result.returncode == 0, result.stderr
    assert [s["dialog"] for s in portal.calls("Start")] == [True]
    assert keysyms(portal) == [(CTRL, 1), (Z, 1), (Z, 0), (CTRL, 0), (ord("n"), 1), (ord("n"), 0)]
    wait_until(lambda: portal.closed(), 30, "the session to close")
    [closed] = portal.closed()
    assert closed["reason"] == "Close" and closed["held"] == []
    assert (portal.folder / "data" / "portal-restore-token").read_text().startswith("tok-")

    again = _handcue_run(portal, shared_data)  # the stored permission: no dialog
    assert again.returncode == 0, again.stderr
    assert [s["dialog"] for s in portal.calls("Start")] == [True, False]


def test_handcue_run_stops_when_the_user_refuses(portal, shared_data):
    portal.start("--answer", "refuse")
    result = _handcue_run(portal, shared_data)
    assert result.returncode == 4
    assert "you refused HandCue's request" in result.stderr
    assert "Traceback" not in result.stderr
    assert keysyms(portal) == []
