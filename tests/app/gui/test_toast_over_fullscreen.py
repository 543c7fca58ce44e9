"""The on-screen note shows over a fullscreen application (a slide show), under a real window
manager: Xvfb + openbox, ``xterm -fullscreen`` with a white background, HandCue's note shown in
a corner; the screen's own pixels where the note sits must be the note's, not the xterm's."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.support import ROOT
from tests.support.xserver import stop, x_env, xvfb

CHILD = ROOT / "tests" / "app" / "gui" / "toast_child.py"

pytestmark = [
    pytest.mark.xvfb,
    *[
        pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} is not installed")
        for tool in ("Xvfb", "openbox", "xterm", "xdotool", "import")
    ],
]


def _screen(display: str, tmp_path: Path) -> np.ndarray:
    """The root window's pixels (H, W, 3) uint8, read with ImageMagick's ``import``."""
    import cv2

    shot = tmp_path / "screen.png"
    subprocess.run(["import", "-window", "root", str(shot)], env=x_env(display), check=True,
                   timeout=30)  # fmt: skip
    image = cv2.imread(str(shot))
    assert image is not None
    return image


def test_the_note_shows_over_a_fullscreen_window(tmp_path: Path) -> None:
    procs: list[subprocess.Popen] = []
    with xvfb("1600x1000") as display:
        env = x_env(display)
        try:
            procs.append(subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))  # fmt: skip
            time.sleep(1.0)
            procs.append(subprocess.Popen(
                ["xterm", "-T", "slides", "-fullscreen", "-bg", "white", "-fg", "white",
                 "-e", "sleep 120"], env=env, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL))  # fmt: skip
            xdo = {"env": env, "capture_output": True, "text": True, "timeout": 30}
            wid = subprocess.run(["xdotool", "search", "--sync", "--name", "slides"], **xdo)
            subprocess.run(["xdotool", "windowactivate", "--sync", wid.stdout.split()[0]], **xdo)
            time.sleep(0.5)
            white = _screen(display, tmp_path)
            assert white.mean() > 250, "the fullscreen xterm should cover the screen in white"
            child = subprocess.Popen([sys.executable, str(CHILD)], env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # fmt: skip
            procs.append(child)
            assert child.stdout is not None
            rect = json.loads(child.stdout.readline())
            x, y, w, h = rect["x"], rect["y"], rect["w"], rect["h"]
            # Painted a moment after it is shown: look a few times (a hidden note stays white).
            for _ in range(10):
                time.sleep(0.5)
                screen = _screen(display, tmp_path)
                if screen[y : y + h, x : x + w].mean() < 150:
                    break
        finally:
            for proc in reversed(procs):
                stop(proc)
                if proc.stdout is not None:
                    proc.stdout.close()
    assert w > 50 and h > 10, rect
    note = screen[y : y + h, x : x + w].astype(float)
    # The note is dark with light text; the xterm under it is all white.
    assert note.mean() < 150, f"the note is hidden under the fullscreen window ({note.mean():.0f})"
