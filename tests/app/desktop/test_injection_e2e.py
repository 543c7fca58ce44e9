"""End to end under Xvfb: real key and mouse injection received by a real window.

A PySide6 window in a subprocess logs every key and mouse event it receives to a JSON-lines
file; xdotool gives it the focus and puts the pointer over it (there is no window manager).
Then ``handcue run`` processes the shared video with the real tracker and gesture engine and
injects through pynput. Skips only when Xvfb (or xdotool) is not installed.
"""

from __future__ import annotations

import json
import logging
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import DATA, ROOT
from tests.support.commands import handcue_env, json_lines, run_handcue, start_handcue
from tests.support.waiting import read_json_lines, settled_json_lines, wait_until
from tests.support.xserver import stop, x_env, xvfb

VIDEO = DATA / "videos" / "fist_then_thumb_up_720p.mp4"

log = logging.getLogger(__name__)

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (apt xvfb)"),
    pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is not installed"),
]

RECEIVER = r"""
import json, sys
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

log_path = sys.argv[1]
out = open(log_path, "a", buffering=1)

def write(**kw):
    out.write(json.dumps(kw) + "\n")

BUTTONS = {Qt.MouseButton.LeftButton: "left", Qt.MouseButton.RightButton: "right",
           Qt.MouseButton.MiddleButton: "middle"}

class Receiver(QWidget):
    def __init__(self):
        super().__init__()
        self.setWindowTitle("HandCueReceiver")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setGeometry(0, 0, 1280, 800)

    def keyPressEvent(self, e):
        write(type="key_press", key=int(e.key()), text=e.text(), auto=e.isAutoRepeat())

    def keyReleaseEvent(self, e):
        write(type="key_release", key=int(e.key()), text=e.text(), auto=e.isAutoRepeat())

    def mousePressEvent(self, e):
        write(type="mouse_press", button=BUTTONS.get(e.button(), str(e.button())))

    def mouseReleaseEvent(self, e):
        write(type="mouse_release", button=BUTTONS.get(e.button(), str(e.button())))

    def mouseDoubleClickEvent(self, e):
        write(type="mouse_double", button=BUTTONS.get(e.button(), str(e.button())))

    def wheelEvent(self, e):
        write(type="wheel", dx=e.angleDelta().x(), dy=e.angleDelta().y())

    def focusInEvent(self, e):
        write(type="focus_in")

app = QApplication(sys.argv)
w = Receiver()
w.show()
w.activateWindow()
w.raise_()
w.setFocus()
QTimer.singleShot(300, lambda: write(type="ready", wid=int(w.winId())))
app.exec()
"""


@pytest.fixture
def display() -> Iterator[str]:
    """A private X server (a free display number each time: tests in parallel never collide)."""
    with xvfb() as name:
        yield name


@pytest.fixture
def receiver(display: str, tmp_path: Path) -> Iterator[tuple[dict, Path]]:
    """A focused window under the pointer that logs what it receives; yields (env, log)."""
    script = tmp_path / "receiver.py"
    script.write_text(RECEIVER)
    events = tmp_path / "received.jsonl"
    env = x_env(display, QT_QPA_PLATFORM="xcb")
    errors = tmp_path / "receiver.err"
    with errors.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, str(script), str(events)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        wait_until(
            lambda: (
                proc.poll() is not None
                or any(e["type"] == "ready" for e in read_json_lines(events))
            ),
            30,
            "the receiving window",
        )
        if proc.poll() is not None:
            pytest.fail(f"receiver window exited: {errors.read_text()}")
        wid = next(e["wid"] for e in read_json_lines(events) if e["type"] == "ready")
        xdo = {"env": env, "check": True, "timeout": 10, "capture_output": True}
        subprocess.run(["xdotool", "windowfocus", "--sync", str(wid)], **xdo)
        # not the screen centre: the pointer starts there and --sync would wait for a move
        subprocess.run(["xdotool", "mousemove", "--sync", "600", "380"], **xdo)
        wait_until(
            lambda: any(e["type"] == "focus_in" for e in read_json_lines(events)),
            10,
            "window focus",
        )
        events.write_text("")  # only what the run sends from here on
        yield env, events
    finally:
        stop(proc)


@pytest.mark.realdata
@pytest.mark.skipif(not VIDEO.exists(), reason=f"{VIDEO} not found")
def test_video_gestures_reach_a_real_window(receiver, tmp_path: Path, record_property) -> None:
    env, events_log = receiver
    argv = ["--source", str(VIDEO), "--map", "thumb_up=key:n", "--map", "fist=click:left"]
    result = run_handcue("run", *argv, env=handcue_env(tmp_path, base=env), timeout=600)
    lines = json_lines(result.stdout)
    assert result.returncode == 0, result.stderr
    received = [e for e in settled_json_lines(events_log) if e["type"] != "focus_in"]
    actions = [line for line in lines if line["type"] == "action" and line["status"] == "done"]
    end = lines[-1]
    record_property("latency_ms", end["latency_ms"])
    record_property("overhead_ms", end["overhead_ms"])
    record_property("pipeline_ms", end["pipeline_ms"])
    log.info("actions: %s; end: %s", actions, end)
    expected = [
        {"type": "mouse_press", "button": "left"},
        {"type": "mouse_release", "button": "left"},
        {"type": "key_press", "key": 0x4E, "text": "n", "auto": False},
        {"type": "key_release", "key": 0x4E, "text": "n", "auto": False},
    ]
    assert received == expected, (
        f"the window received {received}; the run performed "
        f"{[(a['frame'], a['gesture'], a['action']) for a in actions]}"
    )
    assert [a["action"] for a in actions] == ["click:left", "key:n"]
    for action in actions:
        assert action["latency_ms"] is not None and action["latency_ms"] >= 0


def test_every_action_type_reaches_a_real_window(receiver, tmp_path: Path) -> None:
    """The pynput sink itself: keys, combos, text, clicks, scrolling, holding and releasing."""
    env, events_log = receiver
    code = r"""
import json, sys
from app.desktop.input_sink import create_input_sink
from pipeline.actions import parse_action
sink, warnings = create_input_sink()
try:
    for spec in ["key:right", "combo:shift+a", "type:Hi", "click:right", "dclick:left",
                 "scroll:down:2", "scroll:up:1"]:
        parse_action(spec).tap(sink)
    parse_action("key:shift").press(sink)
    parse_action("click:middle").press(sink)
finally:
    sink.close()  # must release shift and the middle button
print(json.dumps(warnings))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], env=handcue_env(base=env), cwd=ROOT, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []  # no Wayland warning on Xvfb
    received = [e for e in settled_json_lines(events_log) if e["type"] != "focus_in"]
    right, shift = 0x01000014, 0x01000020  # Qt.Key_Right, Qt.Key_Shift
    keys = [(e["type"], e["key"], e["text"]) for e in received if e["type"].startswith("key")]
    assert keys == [
        ("key_press", right, ""), ("key_release", right, ""),
        ("key_press", shift, ""), ("key_press", ord("A"), "A"),
        ("key_release", ord("A"), "A"), ("key_release", shift, ""),
        # typed as a keyboard would: Shift held around the capital (XTEST, not synthetic)
        ("key_press", shift, ""), ("key_press", ord("H"), "H"),
        ("key_release", ord("H"), "H"), ("key_release", shift, ""),
        ("key_press", ord("I"), "i"), ("key_release", ord("I"), "i"),
        ("key_press", shift, ""), ("key_release", shift, ""),  # held, then released by close()
    ]  # fmt: skip
    # Qt may or may not report the second press of the double click as a double click
    buttons = [
        (e["type"].replace("mouse_double", "mouse_press"), e["button"])
        for e in received
        if e["type"].startswith("mouse")
    ]
    assert buttons == [
        ("mouse_press", "right"), ("mouse_release", "right"),
        ("mouse_press", "left"), ("mouse_release", "left"),
        ("mouse_press", "left"), ("mouse_release", "left"),
        ("mouse_press", "middle"), ("mouse_release", "middle"),
    ]  # fmt: skip
    wheel = [(e["dx"], e["dy"]) for e in received if e["type"] == "wheel"]
    assert len(wheel) == 3
    assert wheel[0][1] < 0 and wheel[1][1] < 0 and wheel[2][1] > 0  # down, down, up
    assert all(dx == 0 for dx, _ in wheel)


HOLD_CONFIG = """
active_profile = "hold"
[actions]
pause_hotkey = ""
[[profiles.hold.mappings]]
gesture = "fist"
action = "key:shift"
trigger = "hold"
hold_ms = 0
"""


@pytest.mark.realdata
@pytest.mark.skipif(not VIDEO.exists(), reason=f"{VIDEO} not found")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_stopping_mid_hold_releases_the_key(receiver, tmp_path: Path, sig: int) -> None:
    """Stop ``handcue run`` while a gesture holds a key down: the window must see it released."""
    env, events_log = receiver
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(HOLD_CONFIG)
    run_env = handcue_env(tmp_path, base=env)
    errors = tmp_path / "run.err"
    with errors.open("w") as stderr:
        proc = start_handcue(
            "run", "--source", str(VIDEO), "--realtime", env=run_env, stderr=stderr
        )
    lines = []
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.append(json.loads(raw))
            if lines[-1]["type"] == "action" and lines[-1]["phase"] == "press":
                break
        assert any(line.get("phase") == "press" for line in lines), (
            f"no key was pressed; output {lines}; errors: {errors.read_text()}"
        )
        wait_until(
            lambda: any(e["type"] == "key_press" for e in read_json_lines(events_log)),
            10,
            "the press",
        )
        proc.send_signal(sig)
        lines += [json.loads(raw) for raw in proc.stdout]
        code = proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        if proc.stdout is not None:
            proc.stdout.close()
    assert code == 130
    assert lines[-1]["type"] == "end" and lines[-1]["reason"] == "interrupted"
    shift = 0x01000020
    keys = [
        (e["type"], e["key"]) for e in settled_json_lines(events_log) if e["type"].startswith("key")
    ]
    assert keys == [("key_press", shift), ("key_release", shift)]


@pytest.mark.realdata
@pytest.mark.skipif(not VIDEO.exists(), reason=f"{VIDEO} not found")
def test_pause_hotkey_stops_actions(receiver, tmp_path: Path) -> None:
    """The global pause hotkey (default ctrl+alt+p), pressed as a user would (xdotool), pauses
    the run before the first gesture: the window receives nothing from HandCue."""
    env, events_log = receiver
    argv = ["--source", str(VIDEO), "--realtime", "--map", "fist=click:left"]
    errors = tmp_path / "run.err"
    with errors.open("w") as stderr:
        run_env = handcue_env(tmp_path, base=env)
        proc = start_handcue("run", *argv, "--map", "thumb_up=key:n", env=run_env, stderr=stderr)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first and json.loads(first)["type"] == "start", errors.read_text()
        subprocess.run(["xdotool", "key", "ctrl+alt+p"], env=env, check=True, timeout=10)
        lines = [json.loads(raw) for raw in proc.stdout]
        code = proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        if proc.stdout is not None:
            proc.stdout.close()
    assert code == 0, errors.read_text()
    states = [line["status"] for line in lines if line["type"] == "state"]
    assert states[:1] == ["paused"], lines
    actions = [line for line in lines if line["type"] == "action"]
    assert actions and {a["status"] for a in actions} == {"paused"}
    received = settled_json_lines(events_log)
    assert [e for e in received if e["type"].startswith(("mouse", "wheel"))] == []
    assert [e for e in received if e["type"] == "key_press" and e["text"] == "n"] == []


def test_a_crashing_process_still_releases_its_keys(receiver, tmp_path: Path) -> None:
    """Last line of defence: the sink's atexit hook lifts keys even when the program dies of
    an unhandled exception without any cleanup of its own."""
    env, events_log = receiver
    code = """
from app.desktop.input_sink import PynputSink
sink = PynputSink()
sink.press_key("shift")
sink.press_button("left")
raise RuntimeError("crash with shift and the left button down")
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=handcue_env(base=env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "crash with shift" in done.stderr
    received = [
        (e["type"], e.get("key") or e.get("button")) for e in settled_json_lines(events_log)
    ]
    shift = 0x01000020
    assert received == [
        ("key_press", shift),
        ("mouse_press", "left"),
        ("mouse_release", "left"),
        ("key_release", shift),
    ]
