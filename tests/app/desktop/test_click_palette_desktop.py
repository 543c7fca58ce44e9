"""The click palette end to end on a real X server (Xvfb + openbox), with no keyboard and no
real mouse: a synthetic hand dwells on a palette button, then on a Tk window in another process
that logs the X button events it receives (click_receiver.py). Right, double and drag clicks
arrive as such; scroll sends wheel steps where scrolling started; pause by dwell stops clicks
and resume restarts them; a dwell on the palette itself never clicks (palette_desktop_checks.py
does the driving)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.xserver import stop, x_env, xvfb

pytestmark = [
    pytest.mark.xvfb,
    *[
        pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} is not installed")
        for tool in ("Xvfb", "openbox")
    ],
]

HERE = Path(__file__).resolve().parent
RECEIVER_LEFT = 300  # the receiver covers the screen right of this; the palette sits left


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> dict:
    pytest.importorskip("tkinter", reason="the receiver window needs Tk (python3-tk)")
    log = tmp_path_factory.mktemp("palette") / "receiver.jsonl"
    log.write_text("", encoding="utf-8")
    procs: list[subprocess.Popen] = []
    with xvfb("1920x1080") as display:
        env = x_env(display)
        try:
            procs.append(subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))  # fmt: skip
            procs.append(subprocess.Popen(
                [sys.executable, str(HERE / "click_receiver.py"), str(log),
                 str(RECEIVER_LEFT), str(1920 - RECEIVER_LEFT), "1080"], env=env))  # fmt: skip
            deadline = time.monotonic() + 60
            while "ready" not in log.read_text(encoding="utf-8"):
                assert time.monotonic() < deadline, "the Tk receiver did not start"
                assert procs[-1].poll() is None, "the Tk receiver exited"
                time.sleep(0.1)
            proc = subprocess.run(
                [sys.executable, str(HERE / "palette_desktop_checks.py"), str(log)],
                env=x_env(display, QT_QPA_PLATFORM="xcb"), capture_output=True, text=True,
                timeout=300,
            )  # fmt: skip
        finally:
            for p in reversed(procs):
                stop(p)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def presses(phase: dict) -> list[tuple[str, int, int, int]]:
    return [(e["kind"], e["button"], e["x"], e["y"]) for e in phase["events"]]


def test_no_dwell_on_the_palette_clicks_it(outcome: dict) -> None:
    # a dozen dwells on palette buttons, and the palette window never got an OS button press
    assert outcome["palette_presses"] == []
    for name in ("right", "double", "drag", "scroll", "pause", "resume"):
        for e in outcome[name]["events"]:
            assert e["x"] >= RECEIVER_LEFT, (name, e)


def test_a_right_click_by_dwell_arrives_as_button_3(outcome: dict) -> None:
    assert presses(outcome["right"]) == [("press", 3, 900, 400), ("release", 3, 900, 400)]
    assert outcome["right"]["click_type"] == "left"  # one-shot: back to left


def test_a_double_click_by_dwell_arrives_as_a_double_click(outcome: dict) -> None:
    # Tk reports the second press of a quick pair as its double click event
    assert presses(outcome["double"]) == [
        ("press", 1, 1000, 500),
        ("release", 1, 1000, 500),
        ("double", 1, 1000, 500),
        ("release", 1, 1000, 500),
    ]


def test_a_drag_by_dwell_presses_at_one_dwell_and_releases_at_the_next(outcome: dict) -> None:
    assert presses(outcome["drag"]) == [("press", 1, 800, 600), ("release", 1, 1200, 700)]
    assert outcome["drag"]["held"] == []


def test_scroll_by_dwell_sends_wheel_up_where_scrolling_started(outcome: dict) -> None:
    got = presses(outcome["scroll"])
    wheel = [e for e in got if e[0] == "press"]
    assert len(wheel) >= 3 and all(e[1:] == (4, 1000, 500) for e in wheel), got
    assert all(e[1] == 4 for e in got)  # nothing but the wheel: no click started or ended it


def test_pause_by_dwell_stops_clicks_and_resume_restarts_them(outcome: dict) -> None:
    assert outcome["pause"]["events"] == [] and outcome["pause"]["state_after"] == "palette"
    assert presses(outcome["resume"]) == [("press", 1, 1100, 400), ("release", 1, 1100, 400)]
    assert outcome["resume"]["clicks_paused"] == ""


def test_nothing_is_left_held(outcome: dict) -> None:
    assert outcome["held_after"] == []
    assert outcome["final_state"]["sticky"] and outcome["final_state"]["click_type"] == "double"
