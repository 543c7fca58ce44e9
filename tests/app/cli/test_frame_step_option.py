"""``--frame-step K`` on ``handcue run``, ``bench`` and ``accuracy``: checked range, clear errors,
and the frames it picks (every K-th, on the video's clock)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from tests.support import DATA


@pytest.mark.parametrize(
    "command",
    [
        ["run", "--dry-run", "--source", "clip.mp4"],
        ["bench", "--source", "clip.mp4"],
        ["accuracy", "ref.jsonl"],
    ],
)
@pytest.mark.parametrize("value", ["0", "31", "-2", "two", "1.5"])
def test_out_of_range_frame_step_is_a_clear_error(capsys, command: list[str], value: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*command, "--frame-step", value])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert (
        f"argument --frame-step: must be a whole number from 1 to 30 (1 = every frame), not '{value}'"
        in err
    )
    assert "Traceback" not in err


def test_frame_step_on_photos_is_refused(tmp_path: Path, capsys) -> None:
    ref = tmp_path / "photos.jsonl"
    hand = {"landmarks": [[1.0, 2.0, 0.0]] * 21}
    ref.write_text(json.dumps({"image": "a.jpg", "width": 4, "height": 4, "hands": [hand]}) + "\n")
    assert main(["accuracy", str(ref), "--frame-step", "2"]) == 2
    assert "--frame-step applies to video references only" in capsys.readouterr().err


@pytest.mark.realdata
def test_accuracy_frame_step_compares_the_right_reference_frames(shared_data: Path, capsys) -> None:
    ref = shared_data / "reference" / "open_hand_360p.jsonl"
    assert main(["accuracy", str(ref), "--frame-step", "5", "--model", "lite", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["frame_step"] == 5
    assert out["ours"]["items"] == 41  # frames 0, 5, ..., 200 of 202
    # wrong reference lines would put the hand a palm or more away: found would collapse
    assert out["ours"]["found"] >= 40


def _run_lines(capsys, *extra: str) -> list[dict]:  # type: ignore[no-untyped-def]
    video = DATA / "videos" / "fist_then_thumb_up_720p.mp4"
    assert main(["run", "--dry-run", "--source", str(video), *extra]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


@pytest.mark.realdata
def test_run_skips_idle_frames_and_numbers_events_by_the_video(shared_data: Path, capsys) -> None:
    """Power saving (default): while nothing is in view ``handcue run`` reads frames the motion
    gate does not need without tracking them; gesture events keep the video's frame numbers
    (frame = t_ms / 40 at 25 fps), at frame step 1 and 3 alike."""
    for step in ("1", "3"):
        lines = _run_lines(capsys, "--frame-step", step)
        end = lines[-1]
        assert end["type"] == "end"
        started = [e for e in lines if e["type"] == "gesture" and e["kind"] == "started"]
        gestures = [e["gesture"] for e in started]
        assert [g for g in gestures if not g.startswith(("count_", "total_"))] == [
            "fist",
            "thumb_up",
        ]
        for e in lines:
            if e["type"] == "gesture":
                assert e["frame"] == round(e["t_ms"] / 40.0), e
        if step == "1":
            assert end["skipped"] > 0
            assert end["frames"] + end["skipped"] == 195  # every frame read once
