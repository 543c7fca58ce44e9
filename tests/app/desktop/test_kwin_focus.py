"""The KDE Plasma active-window source against a scripted KWin on a real private session bus:
the fake runs HandCue's KWin script in a JavaScript engine with KWin's ``workspace`` and
``callDBus`` (Plasma 6 and Plasma 5 names), so the script, its D-Bus calls and HandCue's side
are all exercised."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.desktop.focus.kwin import REPORT_INTERFACE, REPORT_METHOD, REPORT_PATH, KWinSource
from app.desktop.focus.wayland_desktops import GNOME_NO_ACTIVE_WINDOW, is_gnome, is_kde
from app.desktop.focus.x11 import proc_process_name
from pipeline.focus.switcher import WindowWatcher
from pipeline.focus.window import WatcherUnavailable, WindowInfo
from tests.support.session_bus import dbus_daemon_missing, private_session_bus, start_service
from tests.support.waiting import read_json_lines, wait_until
from tests.support.xserver import stop

pytestmark = pytest.mark.skipif(
    dbus_daemon_missing() is not None, reason=str(dbus_daemon_missing())
)


class FakeKWinRun:
    def __init__(self, folder: Path, address: str) -> None:
        self.folder = folder
        self.address = address
        self.log = folder / "kwin.jsonl"
        self.proc = None
        self._control: Any = None

    def start(self, plasma: int) -> None:
        self.proc = start_service("tests.support.fake_kwin", self.address, "org.kde.KWin",
                                  ["--log", str(self.log), "--plasma", str(plasma)])  # fmt: skip

    @property
    def env(self) -> dict[str, str]:
        return {"DBUS_SESSION_BUS_ADDRESS": self.address}

    def control(self, method: str, signature: str | None = None, *args: Any) -> None:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        if self._control is None:
            self._control = open_dbus_connection(self.address)
        address = DBusAddress("/FakeKWin", "org.kde.KWin", "org.handcue.FakeKWin")
        reply = self._control.send_and_get_reply(
            new_method_call(address, method, signature, args), timeout=30
        )
        assert reply.header.message_type.name == "method_return", reply.body

    def activate(self, cls: str, name: str, caption: str, pid: int) -> None:
        self.control("Activate", "sssi", cls, name, caption, pid)

    def entries(self) -> list[dict[str, Any]]:
        return read_json_lines(self.log)

    def close(self) -> None:
        if self._control is not None:
            self._control.close()
        if self.proc is not None:
            stop(self.proc, timeout=10)


@pytest.fixture
def kwin(tmp_path: Path) -> Iterator[FakeKWinRun]:
    with private_session_bus(tmp_path) as address:
        run = FakeKWinRun(tmp_path, address)
        try:
            yield run
        finally:
            run.close()


def _wait_for(source: KWinSource, predicate, what: str) -> WindowInfo | None:
    wait_until(lambda: predicate(source.active_window()), 30, what)
    return source.active_window()


@pytest.mark.parametrize("plasma", [6, 5])
def test_the_active_window_follows_kwin(kwin, plasma):
    kwin.start(plasma)
    kwin.activate("org.kde.dolphin", "dolphin", "Home — Dolphin", 0)
    source = KWinSource(kwin.env)
    try:
        first = source.active_window()  # the window active before HandCue started
        assert first == WindowInfo(title="Home — Dolphin", wm_class=("dolphin", "org.kde.dolphin"))
        assert first.app == "org.kde.dolphin"
        [load] = [e for e in kwin.entries() if e.get("call") == "loadScript"]
        assert load["name"].startswith("handcue_active_window_")
        assert not [e for e in kwin.entries() if e.get("event") == "script_error"]

        kwin.activate("vlc", "vlc", "movie.mp4 - VLC media player", os.getpid())
        assert source.wait_for_change(30) is True
        vlc = _wait_for(source, lambda w: w is not None and w.app == "vlc", "vlc to be active")
        assert vlc.pid == os.getpid()
        assert vlc.process == proc_process_name(os.getpid()) != ""
        assert vlc.title == "movie.mp4 - VLC media player"

        kwin.control("SetCaption", "s", "other.mp4 - VLC media player")  # a title change
        _wait_for(source, lambda w: w is not None and w.title.startswith("other"), "the new title")

        kwin.control("Deactivate")
        _wait_for(source, lambda w: w is None, "no active window")
    finally:
        source.close()
    unloads = [e for e in kwin.entries() if e.get("call") == "unloadScript" and e["found"]]
    assert [u["name"] for u in unloads] == [load["name"]]
    assert not Path(load["path"]).exists()  # the script's temporary folder is gone


def test_the_window_watcher_sleeps_until_kwin_reports(kwin):
    kwin.start(6)
    kwin.activate("org.kde.konsole", "konsole", "~ : bash", 0)
    source = KWinSource(kwin.env)
    seen: list[WindowInfo | None] = []
    changed = threading.Event()

    def on_change(info: WindowInfo | None) -> None:
        seen.append(info)
        changed.set()

    watcher = WindowWatcher(source, on_change, interval_s=0.1)
    watcher.start()
    try:
        kwin.activate("org.kde.okular", "okular", "talk.pdf — Okular", 0)
        wait_until(lambda: len(seen) >= 2, 30, "the watcher to see okular")
    finally:
        watcher.stop()  # closes the source too
    assert [w.app if w else None for w in seen] == ["org.kde.konsole", "org.kde.okular"]
    assert any(e.get("call") == "unloadScript" for e in kwin.entries())


def test_only_kwin_may_report(kwin):
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    kwin.start(6)
    kwin.activate("org.kde.dolphin", "dolphin", "Home", 0)
    source = KWinSource(kwin.env)
    try:
        listener = source._listener
        assert listener is not None
        with open_dbus_connection(kwin.address) as other:
            forged = new_method_call(
                DBusAddress(REPORT_PATH, listener.unique_name, REPORT_INTERFACE),
                REPORT_METHOD, "ssss", ("evil", "evil", "forged", "1"),
            )  # fmt: skip
            reply = other.send_and_get_reply(forged, timeout=30)
        assert reply.header.message_type.name == "error"
        assert source.active_window().app == "org.kde.dolphin"
    finally:
        source.close()


def test_without_kwin_the_message_says_so(kwin):
    with pytest.raises(WatcherUnavailable, match="no org.kde.KWin on the session bus"):
        KWinSource(kwin.env)
    with pytest.raises(WatcherUnavailable, match="DBUS_SESSION_BUS_ADDRESS is not set"):
        KWinSource({})


def test_gnome_is_told_plainly():
    assert is_gnome({"XDG_CURRENT_DESKTOP": "ubuntu:GNOME"})
    assert not is_gnome({"XDG_CURRENT_DESKTOP": "KDE"})
    assert is_kde({"XDG_CURRENT_DESKTOP": "KDE"}) and not is_kde({"XDG_CURRENT_DESKTOP": "sway"})
    assert "GNOME" in GNOME_NO_ACTIVE_WINDOW and "by hand" in GNOME_NO_ACTIVE_WINDOW
    assert "tray" in GNOME_NO_ACTIVE_WINDOW
