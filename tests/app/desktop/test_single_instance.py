"""One instance: the lock and local server, a lock left by a crashed process, a second
``handcue gui`` handing its source to the first, and ``handcue run`` refusing the app's camera."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from app.desktop.instance_client import (
    ask_running_instance,
    camera_in_use_message,
    instance_name,
    lock_path,
)
from app.desktop.single_instance import InstanceServer
from tests.support import ROOT
from tests.support.commands import handcue_env, run_handcue, start_handcue
from tests.support.waiting import poll, wait_until


def _in_other_process(qtbot, call: str) -> Any:
    """Run ``call`` (a Python expression using app.desktop.instance_client, the Qt-free client)
    in another process, as a second launch would, while this (GUI) thread's event loop lets the
    server answer. The other process must not load Qt: the check fails if it does."""
    code = (
        "import json, sys; from app.desktop.instance_client import *; "
        f"r = {call}; assert 'PySide6' not in sys.modules, 'Qt loaded'; print(json.dumps(r))"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30000)
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    return json.loads(out)


def _ask_other(qtbot, message: dict[str, Any]) -> dict[str, Any] | None:
    return _in_other_process(qtbot, f"ask_running_instance({message!r})")


@pytest.fixture()
def server(qtbot):
    status = {"source": "0", "running": True}
    srv = InstanceServer(lambda: dict(status))
    srv.test_status = status  # type: ignore[attr-defined]
    assert srv.claim()
    yield srv
    srv.close()


def test_no_instance_means_no_answer() -> None:
    assert ask_running_instance({"cmd": "status"}, timeout_ms=300) is None
    assert camera_in_use_message("0") is None


def test_second_claim_fails_while_the_first_holds_it(server) -> None:
    # QLockFile is per process; a second process is what a second launch is.
    code = (
        "from PySide6.QtCore import QCoreApplication; app = QCoreApplication([]);"
        "from app.desktop.single_instance import InstanceServer;"
        "s = InstanceServer(lambda: {}); print(s.claim(200))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)  # fmt: skip
    assert out.stdout.strip() == "False", out.stderr


def test_activate_and_status(qtbot, server) -> None:
    seen: list[Any] = []
    server.activate_requested.connect(seen.append)
    activated, status, unknown = _in_other_process(
        qtbot,
        "[ask_running_instance({'cmd': 'activate', 'source': '/v/clip.mp4'}),"
        " ask_running_instance({'cmd': 'status'}), ask_running_instance({'cmd': 'reboot'})]",
    )
    assert activated == {"ok": True}
    assert seen == ["/v/clip.mp4"]
    assert status == {"ok": True, "source": "0", "running": True}
    assert unknown["ok"] is False


@pytest.mark.parametrize(
    ("theirs", "running", "ours", "refused"),
    [("0", True, "0", True), ("0", True, "1", False), ("0", False, "0", False),
     ("/v/clip.mp4", True, "0", False), ("0", True, "/v/clip.mp4", False)],
)  # fmt: skip
def test_run_refuses_only_the_camera_the_app_tracks(
    monkeypatch: pytest.MonkeyPatch, theirs: str, running: bool, ours: str, refused: bool
) -> None:
    from app.desktop import instance_client

    reply = {"ok": True, "source": theirs, "running": running}
    monkeypatch.setattr(instance_client, "ask_running_instance", lambda message: reply)
    message = camera_in_use_message(ours)
    assert (message is not None) == refused
    if refused:
        assert "tracking camera 0" in message


def test_handcue_run_command_refuses_with_a_clear_message(qtbot, server) -> None:
    proc = start_handcue(
        "run", "--source", "0", "--dry-run", env=handcue_env(), stderr=subprocess.PIPE
    )
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30000)
    _out, err = proc.communicate()
    assert proc.returncode == 2
    assert err.strip().startswith("handcue: the HandCue app is tracking camera 0 already")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_lock_left_by_a_crash_is_taken_over(qtbot) -> None:
    code = (
        "import os, signal; from PySide6.QtCore import QCoreApplication;"
        "app = QCoreApplication([]); from app.desktop.single_instance import InstanceServer;"
        "s = InstanceServer(lambda: {}); assert s.claim(); print('held', flush=True);"
        "os.kill(os.getpid(), signal.SIGKILL)"
    )
    crashed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             cwd=ROOT, timeout=60)  # fmt: skip
    assert crashed.stdout.strip() == "held" and crashed.returncode != 0
    assert lock_path().exists()  # left behind by the killed process
    if os.name != "nt":
        from PySide6.QtCore import QDir

        assert Path(QDir.tempPath(), instance_name()).exists()  # its socket too
    assert ask_running_instance({"cmd": "status"}, timeout_ms=300) is None
    srv = InstanceServer(lambda: {"source": None, "running": False})
    try:
        assert srv.claim()
        assert _ask_other(qtbot, {"cmd": "status"}) == {"ok": True, "source": None,
                                                            "running": False}  # fmt: skip
    finally:
        srv.close()


def _tiny_video(path: Path) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (160, 120))
    for i in range(20):
        writer.write(np.full((120, 160, 3), 40 + i, np.uint8))
    writer.release()
    return path


def test_second_gui_hands_its_source_to_the_first(tmp_path: Path) -> None:
    video = _tiny_video(tmp_path / "clip.mp4")
    env = handcue_env(QT_QPA_PLATFORM="offscreen")
    first = start_handcue("gui", env=env, stderr=subprocess.PIPE)
    try:

        def answers() -> bool:
            assert first.poll() is None, first.communicate()[1]
            return ask_running_instance({"cmd": "status"}, timeout_ms=300) is not None

        wait_until(answers, 60, "the first HandCue to answer", interval=0.2)
        # A relative path: the first app runs elsewhere, so the second sends it absolute.
        second = run_handcue("gui", "--source", video.name, env=env, cwd=tmp_path, timeout=60)
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stdout
        statuses: list = []

        def switched() -> bool:
            statuses.append(ask_running_instance({"cmd": "status"}))
            assert statuses[-1] is not None
            return statuses[-1]["source"] == str(video) and statuses[-1]["running"]

        assert poll(switched, 30, interval=0.2), statuses[-1]
        assert first.poll() is None
    finally:
        first.terminate()
        first.communicate(timeout=30)
