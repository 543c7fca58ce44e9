"""Pointer mode end to end on a real X server (Xvfb): the real pynput sink drives the X pointer
over a real PySide6 window (pointer_desktop_checks.py, in a subprocess), fed with landmark
sequences from real HaGRID hands. A pinch-drag moves the window's slider; a pinch click lands
where the pointer was when the fingers began to close, although the hand drifts while pinching;
a pointer move from a second X client (pynput in another process, XTEST) pauses the hand; the
feedback overlay lets a click through to the window under it."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.xserver import x_env, xvfb

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.realdata,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (apt xvfb)"),
]

SCRIPT = Path(__file__).resolve().parent / "pointer_desktop_checks.py"


@pytest.fixture(scope="module")
def outcome(shared_data: Path) -> dict:
    with xvfb("1920x1080") as display:
        env = x_env(display, QT_QPA_PLATFORM="xcb")
        proc = subprocess.run(
            [sys.executable, str(SCRIPT), str(shared_data)],
            env=env, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_pinch_drag_moves_a_real_slider(outcome: dict) -> None:
    before, after = outcome["slider"]
    # 600 px of a 1476 px groove for a 0..1000 slider: about +406
    assert after - before == pytest.approx(406, abs=25), outcome["slider"]


def test_pinch_click_lands_where_the_pointer_was_at_pinch_onset(outcome: dict) -> None:
    presses = outcome["click_presses"]
    assert len(presses) == 1 and presses[0][0] == "left", presses
    assert math.dist(presses[0][1:], outcome["aim"]) <= 3.0, (presses, outcome["aim"])
    assert outcome["held_after"] == []


def test_a_pointer_move_from_another_client_takes_the_pointer_back(outcome: dict) -> None:
    tb = outcome["takeback"]
    assert tb["moved_to"] == [300, 900]
    assert tb["after_hand_moved"] == [300, 900]  # the hand moved 0.5 s: the pointer did not
    assert tb["mode"] == "takeback"
    assert tb["later_mode"] == "tracking" and tb["later"] != [300, 900]


def test_the_overlay_lets_clicks_through(outcome: dict) -> None:
    overlay = outcome["overlay"]
    assert overlay["visible"]
    assert overlay["presses"] == [["left", *overlay["centre"]]]
