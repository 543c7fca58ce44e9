"""``handcue toggle pause|pointer``: the hotkeys' switches from a command, for desktops where
HandCue cannot grab a key (Wayland). It flips the running app's state (read back through the
app's status), says the new state, and exits 1 with one clear line when no app runs; the app
and its settings say how to bind it on a Wayland session."""

from __future__ import annotations

import json
import subprocess

import pytest

from app.desktop.input_sink import wayland_hotkey_advice
from app.desktop.instance_client import ask_running_instance
from tests.support.commands import handcue_env, run_handcue, start_handcue
from tests.support.waiting import wait_until
from tests.support.xserver import x_env, xvfb


def test_without_a_running_app_it_says_so_and_exits_1() -> None:
    done = run_handcue("toggle", "pause", env=handcue_env(), timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "handcue: HandCue is not running: start it (handcue) first; this command switches "
        "the running app"
    )
    bad = run_handcue("toggle", "volume", env=handcue_env(), timeout=60)
    assert bad.returncode == 2 and "invalid choice: 'volume'" in bad.stderr
    assert "Traceback" not in done.stderr + bad.stderr


def test_a_server_without_a_window_yet_refuses_in_words(qtbot) -> None:
    from app.desktop.single_instance import InstanceServer

    server = InstanceServer(lambda: {})
    reply = server._handle(json.dumps({"cmd": "toggle", "what": "pause"}).encode())
    assert reply == {
        "ok": False,
        "error": "cannot toggle 'pause': it toggles nothing yet (the app is starting)",
    }


@pytest.mark.xvfb
def test_pause_and_pointer_mode_flip_in_the_running_app() -> None:
    with xvfb() as display:
        env = handcue_env(base=x_env(display), QT_QPA_PLATFORM="offscreen")
        app = start_handcue("gui", env=env, stderr=subprocess.PIPE)
        try:

            def status() -> dict | None:
                assert app.poll() is None, app.communicate()[1]
                return ask_running_instance({"cmd": "status"}, timeout_ms=300)

            wait_until(lambda: status() is not None, 60, "the app to answer", interval=0.2)
            assert (status() or {})["paused"] is False
            said = [run_handcue("toggle", "pause", env=env, timeout=60) for _ in range(2)]
            assert [d.returncode for d in said] == [0, 0], [d.stderr for d in said]
            assert [d.stdout.strip() for d in said] == ["HandCue is paused", "HandCue is running"]
            paused = run_handcue("toggle", "pause", "--json", env=env, timeout=60)
            assert json.loads(paused.stdout) == {"paused": True, "pointer": False}
            assert (status() or {})["paused"] is True

            on = run_handcue("toggle", "pointer", env=env, timeout=60)
            assert (on.returncode, on.stdout.strip()) == (0, "pointer mode is on"), on.stderr
            assert (status() or {})["pointer"] is True
            off = run_handcue("toggle", "pointer", env=env, timeout=60)
            assert off.stdout.strip() == "pointer mode is off"
            assert (status() or {})["pointer"] is False
        finally:
            app.terminate()
            app.communicate(timeout=30)


@pytest.mark.parametrize(
    ("env", "platform", "advised"),
    [
        ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"},
         "linux", True),
        ({"WAYLAND_DISPLAY": "wayland-1"}, "linux", True),
        ({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":0"}, "linux", False),
        ({"XDG_SESSION_TYPE": "wayland"}, "win32", False),
    ],
)  # fmt: skip
def test_the_advice_is_given_on_wayland_only(env, platform, advised) -> None:
    advice = wayland_hotkey_advice(env, platform)
    assert (advice is not None) == advised
    if advice:
        assert "handcue toggle pause" in advice
