"""``handcue bench``: output contract and errors (no timing assertions: the bench is the
instrument, not a test)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from app.cli import main


def test_video_json_report(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    video = str(shared_data / "videos" / "open_hand_360p.mp4")
    assert main(["bench", "--source", video, "--max-hands", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["frames"] == 202 and report["frames_with_hand"] == 202
    # tracking, not detection, after the first frame: the detector only re-checks the tracked
    # hand, every 200 ms (every 5th frame of this 25 fps video) while it moves, every 500 ms
    # while it is held still
    assert 15 <= report["detector_runs"] <= 45
    # a hand held still rests every second frame, two of three once it is steady
    assert 0 <= report["rested_frames"] <= 2 * report["frames"] // 3
    assert report["median_ms"] > 0 and report["p95_ms"] >= report["median_ms"]
    assert {"landmark_infer", "landmark_pre", "total"} <= set(report["stages_median_ms"])


def test_images_mode_runs_detector_on_every_photo(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "--images", str(shared_data / "photos"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["mode"] == "static"
    assert report["detector_runs"] == report["frames"] == 9


def test_compare_without_mediapipe_is_a_clear_error(
    shared_data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "mediapipe", None)  # import fails as if not installed
    video = str(shared_data / "videos" / "open_hand_360p.mp4")
    assert main(["bench", "--source", video, "--compare-mediapipe"]) == 2
    assert "pip install -e '.[compare]'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args,message",
    [
        (["--source", "/nope.mp4"], "no such file"),
        (["--images", "/nope"], "not a folder"),
        (["--source", "x", "--repeat", "0"], "repeat"),
        (["--source", "x", "--mjpeg"], "need --realtime"),
    ],
)
def test_bad_arguments(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert main(["bench", *args]) != 0
    assert message in capsys.readouterr().err


def test_realtime_cpu_on_an_mjpeg_copy(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--mjpeg`` measures the clip re-encoded as a webcam sends it: same frames, a report
    that says so."""
    video = str(shared_data / "videos" / "open_hand_360p.mp4")
    args = ["bench", "--source", video, "--realtime", "--cpu", "--clip", "0:10", "--json"]
    assert main([*args, "--mjpeg"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["encoding"] == "mjpeg"
    assert report["threads"] == max(1, (os.cpu_count() or 2) - 1)  # as the app tracks live
    assert report["realtime"]["frames"] == 10 and report["realtime"]["frames_with_hand"] == 10
    assert report["realtime"]["cpu_pct"] > 0 and report["realtime"]["decode_only_cpu_pct"] > 0


def test_a_bounced_mjpeg_clip_decodes_only_the_frames_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The realtime bench pays what the app pays: a frame the tracker skips is never decoded,
    in the first loop of a bounced clip too (its frames are kept for the loops after), and the
    backward loop delivers the first loop's pictures in reverse."""
    import cv2
    import numpy as np

    import app.measure.realtime as bench

    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 25.0, (64, 48))
    for i in range(6):
        writer.write(np.full((48, 64, 3), 40 * i, np.uint8))
    writer.release()
    decoded: list[int] = []
    real = bench.decode_jpeg
    monkeypatch.setattr(bench, "decode_jpeg", lambda data: decoded.append(1) or real(data))
    clip = bench.Clip(str(path), 25.0, seconds=12 / 25.0, bounce=True)
    frames = list(clip.frames(want=lambda t_ms: round(t_ms / 40.0) % 2 == 0))
    assert [f.index for f in frames] == [0, 2, 4, 6, 8, 10]
    assert len(decoded) == len(frames)
    levels = [int(f.image[24, 32, 0]) for f in frames]
    # frames 0 2 4 forwards (pictures 0 2 4), then 6 8 10 backwards (pictures 5 3 1)
    assert [round(v / 40) for v in levels] == [0, 2, 4, 5, 3, 1]


def test_a_realtime_pass_counts_the_skipped_frames_at_the_end(tmp_path: Path) -> None:
    """Frames the tracker skips after the last one it takes were decoded too and showed its
    hands: the pass counts them in its frames, its duration and its frames with a hand."""
    import cv2
    import numpy as np

    import app.measure.realtime as bench

    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 25.0, (64, 48))
    for i in range(6):
        writer.write(np.full((48, 64, 3), 40 * i, np.uint8))
    writer.release()
    clip = bench.Clip(str(path), 25.0)
    taken: list[int] = []
    result = bench.realtime_pass(
        clip, lambda frame: taken.append(frame.index) or 1, want=lambda t_ms: t_ms < 100.0
    )
    assert taken == [0, 1, 2]
    assert result.frames == 6 and result.frames_with_hand == 6
    assert result.duration_s == pytest.approx(6 / 25.0)
