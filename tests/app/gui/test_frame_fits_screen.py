"""On a small screen under a real window manager (Xvfb 1024x640 + openbox) the main window's
whole frame, title bar included, stays on the screen: sized to the screen without its frame,
the window's status bar ended below the screen's edge."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest

from tests.support import ROOT
from tests.support.xserver import stop, x_env, xvfb

CHILD = ROOT / "tests" / "app" / "gui" / "frame_fit_child.py"

pytestmark = [
    pytest.mark.xvfb,
    *[
        pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} is not installed")
        for tool in ("Xvfb", "openbox")
    ],
]


def test_the_framed_window_fits_a_small_screen() -> None:
    with xvfb("1024x640") as display:
        env = x_env(display)
        wm = subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            time.sleep(1.0)
            done = subprocess.run([sys.executable, str(CHILD)], env=env, capture_output=True,
                                  text=True, timeout=60)  # fmt: skip
        finally:
            stop(wm)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    x, y, w, h = found["frame"]
    ax, ay, aw, ah = found["area"]
    assert h > 600 - 40, found  # it still uses the screen
    assert ax <= x and x + w <= ax + aw, found
    assert ay <= y and y + h <= ay + ah, f"the frame ends {y + h - (ay + ah)} px below the screen"
