"""The dynamic-gesture figures on the real dev clips, through ``handcue bench --dynamic``: every
labelled movement found, no false movement, swipes found at half the frame rate too and fired
within 150 ms (median) of the end of the movement."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from tests.support.commands import handcue_env, run_handcue

SWIPES = ("swipe_left", "swipe_right", "swipe_up", "swipe_down")


def _report(folder: Path, tmp_path: Path, step: int) -> list[dict]:
    proc = run_handcue(
        "bench", "--dynamic", str(folder), "--frame-step", str(step), "--json",
        env=handcue_env(tmp_path), timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["runs"][0]["clips"]


@pytest.fixture
def dev_clips(shared_data: Path) -> Path:
    folder = shared_data / "dynamic-dev"
    if not (folder / "labels.json").is_file():
        pytest.skip(f"no dynamic-gesture clips at {folder}")
    return folder


def test_every_movement_on_the_dev_clips_and_nothing_else(dev_clips: Path, tmp_path: Path):
    clips = _report(dev_clips, tmp_path, 1)
    assert len(clips) == 5
    for clip in clips:
        assert clip["hits"] == clip["labels"], (clip["clip"], clip["missed"])
        assert clip["false"] == [], clip["clip"]
    swipe_latencies = [m["latency_ms"] for c in clips for m in c["matched"] if m["name"] in SWIPES]
    assert len(swipe_latencies) == 5
    assert statistics.median(swipe_latencies) <= 150.0
    # The swiped hand keeps one track through each left/right swipe.
    by_name = {c["clip"]: c for c in clips}
    assert by_name["swipe_left_right.gif"]["tracking"]["track_ids"] == 1


def test_half_the_frame_rate_still_finds_the_swipes(dev_clips: Path, tmp_path: Path):
    clips = _report(dev_clips, tmp_path, 2)
    swipes_found = sum(1 for c in clips for m in c["matched"] if m["name"] in SWIPES)
    assert swipes_found >= 4
    assert [f for c in clips for f in c["false"]] == []
