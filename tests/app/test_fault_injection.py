"""Fault injection: whatever stops HandCue while a gesture holds a key and a mouse button down,
nothing stays held. The witness is the X server's own state (python-xlib ``query_keymap`` and the
pointer's button mask), not a receiving window.

Every probe runs the real program (``handcue run`` or the desktop app) on a short video made
here from the shared fist video, with two mappings on ``fist`` (trigger hold, no delay):
``key:f`` and ``click:left``. The probe waits until the X server shows both down, then applies
the fault: a signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGKILL, SIGSEGV), an exception raised
inside the loop or ``os.abort()`` there (a small wrapper patches ``HandCueRuntime.step``), the
video file truncated under the reader, the end of the video, disarming (the arm gesture shown by
a second hand), the pause hotkey, or the hand leaving the picture. Then the key and the button
must be up. For SIGKILL, SIGSEGV and abort nothing in HandCue runs: the input guardian does it
(its line on stderr is checked; ``test_guardian.py`` checks its release on its own, where the X
server cannot do it instead).

One Xvfb for the module; the tracker runs the lite model on 640x360 frames to keep it quick.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import DATA, ROOT
from tests.support.commands import handcue_env
from tests.support.xserver import XState, stop, x_env, xvfb

VIDEO = DATA / "videos" / "fist_then_thumb_up_720p.mp4"

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.realdata,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (apt xvfb)"),
    pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is not installed"),
    pytest.mark.skipif(not VIDEO.exists(), reason=f"{VIDEO} not found"),
]

CONFIG = """
active_profile = "probe"
[actions]
arm_gesture = "pointing_up"
arm_hold_ms = 400
gui_starts_armed = true
[[profiles.probe.mappings]]
gesture = "fist"
action = "key:f"
trigger = "hold"
hold_ms = 0
[[profiles.probe.mappings]]
gesture = "fist"
action = "click:left"
trigger = "hold"
hold_ms = 0
[switching]
# The app's own window has the focus on this bare X server: let its actions through.
protect_own_windows = false
"""

# Runs HandCue's command line; with HANDCUE_PROBE_FAULT set, the loop raises or aborts once it
# has held input for a few frames. HANDCUE_PROBE_NO_LOOP makes the app play a file once, every
# frame of it (a busy machine must not skip the fist while the app starts).
WRAPPER = r"""
import faulthandler, os, signal, sys
faulthandler.register(signal.SIGUSR1, all_threads=True)  # the test asks for stacks on a hang
fault = os.environ.get("HANDCUE_PROBE_FAULT", "")
if fault:
    from pipeline import runtime
    original = runtime.HandCueRuntime.step
    frames_held = [0]
    def step(self, image, timestamp_ms, frame_index=None):
        result = original(self, image, timestamp_ms, frame_index)
        if self.engine is not None and len(self.engine.held) >= 2:
            frames_held[0] += 1
            if frames_held[0] >= 5:
                if fault == "abort":
                    os.abort()
                raise RuntimeError("probe: an exception inside the loop")
        return result
    runtime.HandCueRuntime.step = step
if os.environ.get("HANDCUE_PROBE_NO_LOOP"):
    from app.gui import worker
    start = worker.TrackingSession.start
    def start_once(self, spec, *, loop=False, **kw):  # every frame: none lost to a slow start
        return start(self, spec, loop=False, realtime=False, every_frame=True)
    worker.TrackingSession.start = start_once
from app.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _frames() -> tuple[list, list]:
    """(fist frames, thumb-up frames) of the shared video, at 640x360."""
    import cv2

    cap = cv2.VideoCapture(str(VIDEO))
    frames = []
    while len(frames) < 130:  # the rest is more of the thumb
        ok, img = cap.read()
        if not ok:
            break
        frames.append(cv2.resize(img, (640, 360), interpolation=cv2.INTER_AREA))
    cap.release()
    # frames 30-55 show a fist (see the README of the data); played back and forth
    fist = [frames[i] for i in [*range(30, 56), *range(55, 29, -1)]]
    thumb = [frames[i] for i in range(90, 130)]
    return fist, thumb


def _write(path: Path, images: list) -> Path:
    import cv2

    height, width = images[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25, (width, height))
    for image in images:
        writer.write(image)
    writer.release()
    return path


@pytest.fixture(scope="module")
def videos(tmp_path_factory) -> dict[str, Path]:
    """Short probe videos (25 fps, 640x360): ``long`` a fist for 12 s; ``short`` a fist for
    4 s, then the file ends; ``lost`` a fist for 4 s, then an empty picture for 10 s (4 s: on
    a busy machine the app, which drops frames to keep up, once saw too little of a 2 s fist
    to hold its key);
    ``disarm`` a fist, then a second hand pointing up (the arm gesture here) beside it."""
    import cv2
    import numpy as np

    folder = tmp_path_factory.mktemp("videos")
    fist, thumb = _frames()
    blank = np.zeros_like(fist[0])
    half = slice(160, 480)  # the middle of the frame, where the hand is
    alone = [np.hstack([f[:, half], blank[:, half]]) for f in fist]
    pair = [
        np.hstack([fist[i % len(fist)][:, half], cv2.flip(thumb[i % len(thumb)][:, half], 1)])
        for i in range(200)
    ]
    return {
        "long": _write(folder / "long.mp4", fist * 6),
        "short": _write(folder / "short.mp4", fist * 2),
        "lost": _write(folder / "lost.mp4", fist * 2 + [blank] * 250),
        "disarm": _write(folder / "disarm.mp4", alone * 2 + pair),
    }


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    with xvfb() as name:
        yield name


@pytest.fixture
def xstate(display: str) -> Iterator[XState]:
    state = XState(display)
    yield state
    state.close()


def _launch(display: str, tmp_path: Path, front: str, source: Path, env_extra: dict) -> tuple:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "config.toml").write_text(CONFIG)
    wrapper = tmp_path / "probe.py"
    wrapper.write_text(WRAPPER)
    env = handcue_env(tmp_path, base=x_env(display), PYTHONFAULTHANDLER="", **env_extra)
    env.pop("QT_QPA_PLATFORM", None)  # the Qt tests' offscreen: the app shows on the display
    hands = "2" if source.name == "disarm.mp4" else "1"
    if front == "run":
        argv = [
            "run",
            "--source",
            str(source),
            "--realtime",
            "--model",
            "lite",
            "--max-hands",
            hands,
        ]
    else:
        argv = ["gui", "--source", str(source)]
        (config / "config.toml").write_text(
            CONFIG + f'\n[tracker]\nmodel = "lite"\nmax_hands = {hands}\n'
        )
    err = tmp_path / "stderr.txt"
    with err.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, str(wrapper), *argv],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    return proc, err


def _wait_or_dump(proc: subprocess.Popen, err: Path, timeout: float = 30) -> int:
    """The exit code; on a hang, fail with the stacks of every thread of the process."""
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGUSR1)
        time.sleep(2)
        pytest.fail(f"still running {timeout} s after the fault: {err.read_text()[-6000:]}")


FAULTS = [
    "SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGKILL", "SIGSEGV", "abort", "exception",
    "truncated", "end of video", "disarm", "pause", "hand lost",
]  # fmt: skip
# The process dies without running any of its own code: the guardian must do the release.
NO_CLEANUP = {"SIGKILL", "SIGSEGV", "abort"}


# SIGHUP and SIGQUIT take SIGTERM's handler in the app (tests/app/gui/test_app.py checks that
# all four stop signals share it): the real app gets SIGINT and SIGTERM, `handcue run` all four.
CASES = [
    (fault, front)
    for fault in FAULTS
    for front in ("run", "app")
    if not (front == "app" and fault in ("SIGHUP", "SIGQUIT"))
]


@pytest.mark.parametrize(("fault", "front"), CASES)
def test_nothing_stays_held(front, fault, display, xstate, videos, tmp_path) -> None:
    source = {"end of video": "short", "hand lost": "lost", "disarm": "disarm"}.get(fault, "long")
    video = videos[source]
    if fault == "truncated":
        video = Path(shutil.copy(video, tmp_path / "truncated.mp4"))
    extra = {}
    if fault in ("abort", "exception"):
        extra["HANDCUE_PROBE_FAULT"] = fault
    if front == "app" and fault == "end of video":
        extra["HANDCUE_PROBE_NO_LOOP"] = "1"
    proc, err = _launch(display, tmp_path, front, video, extra)

    def held() -> bool:
        return xstate.key_down("f") and xstate.button_down("left")

    def free() -> bool:
        return not xstate.key_down("f") and not xstate.button_down("left")

    try:
        # the lite model may lose the fist for a frame (a release): fault only while held
        assert xstate.wait(lambda: held() or proc.poll() is not None, 120), "never held"
        assert proc.poll() is None, f"HandCue ended (exit {proc.poll()}): {err.read_text()[-2000:]}"
        if fault.startswith("SIG"):
            proc.send_signal(getattr(signal, fault))
        elif fault == "truncated":
            with video.open("r+b") as fh:
                fh.truncate(video.stat().st_size // 3)
        elif fault == "pause":
            subprocess.run(["xdotool", "key", "ctrl+alt+p"], env=x_env(display), check=True,
                           timeout=10)  # fmt: skip
        # the others happen by themselves: abort / exception / end / disarm / hand lost
        released = xstate.wait(free, 30)
        if fault in ("pause", "hand lost", "disarm"):  # the event itself, not an exit, did it
            assert proc.poll() is None, f"{fault}: HandCue ended: {err.read_text()[-2000:]}"
        assert released, (
            f"{fault} ({front}): key f down {xstate.key_down('f')}, left button down "
            f"{xstate.button_down('left')}; stderr: {err.read_text()[-2000:]}"
        )
        ended = (
            proc.poll() is not None
            or fault in ("pause", "hand lost", "disarm")
            or (
                front == "app"  # the app outlives its source and a failing tracker
            )
        )
        if not ended:
            _wait_or_dump(proc, err)
        if fault in NO_CLEANUP:
            assert _wait_or_dump(proc, err) != 0
            # the X server may drop a dead client's input first; the guardian's lines say it
            # released them too (it may still be writing them when the state is already clear)
            lines = [
                f"handcue: input guardian: HandCue ended with {what} down; released it"
                for what in ("button 'left'", "key 'f'")
            ]
            assert xstate.wait(lambda: all(line in err.read_text() for line in lines), 10), (
                err.read_text()[-2000:]
            )
        elif fault.startswith("SIG") and front == "run":
            assert _wait_or_dump(proc, err) == 130, err.read_text()[-2000:]
            assert "Traceback" not in err.read_text()
    finally:
        stop(proc)
    assert free(), "released, then pressed again after the process ended"
