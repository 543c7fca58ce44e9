"""``handcue bench --dynamic FOLDER``: clear errors for bad input, the MediaPipe side apart
from our environment, and the report's structure on the real clips (no detection counts: the
instrument, not a test of the gesture layer)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.cli import main
from tests.support.blocked_imports import run_without
from tests.support.commands import handcue_env, run_handcue


def small_clip_folder(folder: Path) -> Path:
    """A folder with one 4-frame clip and its labels."""
    writer = cv2.VideoWriter(str(folder / "c.avi"), cv2.VideoWriter.fourcc(*"MJPG"), 10, (64, 48))
    for i in range(4):
        writer.write(np.full((48, 64, 3), 60 * i, np.uint8))
    writer.release()
    labels = {"clips": {"c.avi": {"events": [["tap", 1, 2]]}}}
    (folder / "labels.json").write_text(json.dumps(labels))
    return folder


@pytest.mark.parametrize(
    "setup,extra,message",
    [
        (None, [], "not a folder"),
        ("", [], "labels.json: missing"),
        ('{"clips": [', [], "labels.json: not valid JSON (line 1"),
        ('{"clips": {"x.gif": {}}}', [], "x.gif: missing (labels.json lists it)"),
        ("clip", ["--variant", "fast2,fast3"], "--variant: unknown 'fast3'"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    setup: str | None,
    extra: list[str],
    message: str,
) -> None:
    folder = tmp_path / "clips"
    if setup == "clip":
        folder = small_clip_folder(tmp_path)
    elif setup is not None:
        folder.mkdir()
        if setup:
            (folder / "labels.json").write_text(setup)
    assert main(["bench", "--dynamic", str(folder), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_compare_without_mediapipe_says_how_to_run_its_side_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "mediapipe", None)  # import fails as if not installed
    folder = small_clip_folder(tmp_path)
    assert main(["bench", "--dynamic", str(folder), "--compare-mediapipe"]) == 2
    assert "python -m app.measure.dynamic_mediapipe FOLDER" in capsys.readouterr().err


def test_the_mediapipe_side_needs_neither_onnxruntime_nor_pydantic(tmp_path: Path) -> None:
    """It runs in MediaPipe's own environment: the labels and frames load there (here with
    MediaPipe blocked too, so it stops at the clear error after decoding)."""
    folder = small_clip_folder(tmp_path)
    code = (
        "from app.measure.dynamic_mediapipe import main\n"
        f"raise SystemExit(main([{str(folder)!r}, '--variant', 'slow2', '--json']))\n"
    )
    proc = run_without(("onnxruntime", "pydantic", "mediapipe", "PySide6"), code)
    assert proc.returncode == 2, proc.stderr
    assert "dynamic_mediapipe: --compare-mediapipe: MediaPipe is not installed" in proc.stderr
    assert "Traceback" not in proc.stderr


TRACKING = {"frames_processed", "frames_skipped", "frames_with_hand", "lost_frames", "track_ids"}


def test_report_on_the_dev_clips(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "dynamic-dev"
    if not (folder / "labels.json").is_file():
        pytest.skip(f"no dynamic-gesture clips at {folder}")
    labels = json.loads((folder / "labels.json").read_text())["clips"]
    proc = run_handcue(
        "bench", "--dynamic", str(folder), "--variant", "fast2", "--frame-step", "2", "--json",
        env=handcue_env(tmp_path), timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["mode"] == "dynamic" and report["frame_step"] == 2
    assert report["tolerance_ms"] == 300 and report["tolerance_frames"] == [5]  # 16.67 fps
    assert [run["variant"] for run in report["runs"]] == ["original", "fast2"]
    for run in report["runs"]:
        assert [c["clip"] for c in run["clips"]] == list(labels)
        for clip, entry in zip(run["clips"], labels.values(), strict=True):
            assert clip["mirrored"] is True and clip["mirrored_by"] == "about"
            assert clip["labels"] == len(entry["events"])
            assert clip["hits"] == len(clip["matched"])
            assert clip["hits"] + len(clip["missed"]) == clip["labels"]
            tracking = clip["tracking"]
            assert set(tracking) == TRACKING
            assert all(isinstance(v, int) and v >= 0 for v in tracking.values())
            step_frames = -(-clip["frames"] // 2)  # every 2nd frame
            assert tracking["frames_processed"] + tracking["frames_skipped"] == step_frames
            seen = tracking["frames_with_hand"] + tracking["lost_frames"]
            assert seen <= tracking["frames_processed"]
        totals = run["totals"]
        assert totals["labels"] == sum(len(e["events"]) for e in labels.values())
        assert set(totals) >= {"hits", "false_events", "median_latency_ms", "by_name", "tracking"}
    original, fast2 = ([c["frames"] for c in run["clips"]] for run in report["runs"])
    assert fast2 == [-(-n // 2) for n in original]  # every other frame kept
