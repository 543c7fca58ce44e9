"""``handcue run --pointer`` under Xvfb with a real X pointer, on a synthetic video made from a
real open-hand frame moved along a known path (see tests/support/synthetic_video.py).

The pointer positions come from ``pointer`` lines of the run, which read the X server's pointer
back after each frame (XTEST moves it; ``xdotool getmouselocation`` reads the same pointer: the
test checks that they agree at the end). Checked: a still hand keeps the pointer still (jitter
<= 1 px RMS, no drift), the pointer path follows the hand path (correlation >= 0.98 per axis,
mean lag <= 2 frames) on 1920x1080, and both far edges are reached on a 3840x1080 screen.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline.pointer import Desktop, PointerSettings, map_absolute
from tests.support.commands import json_lines, run_handcue
from tests.support.synthetic_video import CANVAS, still_square_circle, sweep, write_video
from tests.support.xserver import pointer_location, x_env, xvfb

log = logging.getLogger(__name__)

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.realdata,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (apt xvfb)"),
    pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is not installed"),
]

STILL_FRAMES = 60  # 2 s at 30 fps


def run_pointer(display: str, video: Path) -> list[dict]:
    """``handcue run --pointer`` on ``video``; the per-frame pointer lines."""
    argv = ["--source", str(video), "--pointer", "--model", "lite", "--max-hands", "1"]
    proc = run_handcue("run", *argv, env=x_env(display), timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = json_lines(proc.stdout)
    pointer = [ln for ln in lines if ln["type"] == "pointer"]
    assert pointer, proc.stdout[-2000:]
    assert pointer[-1]["x"] is not None
    # the run's read-back and xdotool read the same X pointer
    assert pointer_location(display) == (pointer[-1]["x"], pointer[-1]["y"])
    return pointer


def expected_path(offsets: np.ndarray, anchor0: np.ndarray, desk: Desktop) -> np.ndarray:
    """Where the pointer should be: the hand's true path through the default mapping."""
    s = PointerSettings()
    w, h = CANVAS
    return np.array(
        [
            map_absolute(
                (anchor0[0] + o[0]) / w, (anchor0[1] + o[1]) / h, s.active_area, desk, s.mirror
            )  # fmt: skip
            for o in offsets
        ]
    )


def lag_frames(actual: np.ndarray, expected: np.ndarray, max_lag: float = 6.0) -> float:
    """The delay (frames, 0.1 resolution) that best lines the pointer up with the hand path."""
    n = len(actual)
    idx = np.arange(n, dtype=np.float64)
    best, best_err = 0.0, np.inf
    for lag in np.arange(0.0, max_lag + 1e-9, 0.1):
        shifted = np.stack([np.interp(idx - lag, idx, expected[:, k]) for k in range(2)], axis=1)
        err = float(np.mean((actual[10:] - shifted[10:]) ** 2))
        if err < best_err:
            best, best_err = lag, err
    return best


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> dict:
    folder = tmp_path_factory.mktemp("pointer_video")
    path_offsets = still_square_circle()
    sweep_offsets = sweep()
    return {
        "path": (write_video(shared_data, folder / "path.mp4", path_offsets), path_offsets),
        "sweep": (write_video(shared_data, folder / "sweep.mp4", sweep_offsets), sweep_offsets),
    }


def test_pointer_is_still_then_follows_the_hand_at_1920x1080(videos: dict) -> None:
    video, offsets = videos["path"]
    with xvfb("1920x1080") as display:
        lines = run_pointer(display, video)
    assert len(lines) == len(offsets)
    assert all(ln["mode"] == "tracking" for ln in lines), {ln["mode"] for ln in lines}
    pts = np.array([(ln["x"], ln["y"]) for ln in lines], dtype=np.float64)

    # still hand: after 0.5 s to settle, the pointer does not move
    still = pts[15:STILL_FRAMES]
    jitter = float(np.sqrt(((still - still.mean(axis=0)) ** 2).sum(axis=1).mean()))
    drift = float(np.linalg.norm(still[-1] - still[0]))
    log.warning("still hand: pointer jitter %.3f px RMS, drift %.1f px", jitter, drift)
    assert jitter <= 1.0
    assert drift <= 1.0

    # the hand's anchor on the still frames gives the start of the true path
    desk = Desktop.single(1920, 1080)
    s = PointerSettings()
    w, h = CANVAS
    area = s.active_area
    start = pts[STILL_FRAMES - 1]
    fu = 1.0 - start[0] / 1919.0 if s.mirror else start[0] / 1919.0
    anchor0 = np.array(
        [
            (area.left + fu * (area.right - area.left)) * w,
            (area.top + start[1] / 1079.0 * (area.bottom - area.top)) * h,
        ]
    )
    expected = expected_path(offsets, anchor0, desk)
    moving = slice(STILL_FRAMES, len(offsets))
    corr = [float(np.corrcoef(pts[moving, k], expected[moving, k])[0, 1]) for k in range(2)]
    lag = lag_frames(pts[moving], expected[moving])
    log.warning("moving hand: correlation x %.4f y %.4f, lag %.1f frames", *corr, lag)
    assert min(corr) >= 0.98, corr
    assert lag <= 2.0, lag


def test_both_far_edges_of_a_3840_wide_screen_are_reached(videos: dict) -> None:
    video, _ = videos["sweep"]
    with xvfb("3840x1080") as display:
        lines = run_pointer(display, video)
    xs = [ln["x"] for ln in lines if ln["x"] is not None]
    assert min(xs) == 0 and max(xs) == 3839, (min(xs), max(xs))
