"""``handcue bench --dynamic FOLDER --landmarks FILE``: MediaPipe's dumped hands through our
gesture engine. Track ids by nearest palm centre, MediaPipe's handedness turned to the
person's hand, the dump written as ``dynamic_mediapipe --dump`` writes it and replayed end to
end (a synthetic swipe), and one clear line for a bad file."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from app.cli import main
from app.measure.dynamic_clips import load_runs
from app.measure.dynamic_mediapipe import frame_record, hand_records
from app.measure.dynamic_replay import DumpedFrame, DumpedHand, NearestIds, frame_result
from app.measure.mediapipe_hands import person_hand
from pipeline.types import Hand
from tests.support.commands import handcue_env, run_handcue
from tests.support.handmodel import SIGNS, make_hand

W, H, FPS = 640, 480, 25.0
OPEN = SIGNS["open_palm"]


def _hand(x: float, y: float, side: str = "Right") -> np.ndarray:
    """(21, 3) landmarks of an open hand centred near (x, y); its palm is about 94 px."""
    return make_hand(OPEN, side, centre=(x, y)).landmarks


# ------------------------------------------------------------------------------- track ids


def test_two_hands_crossing_slowly_keep_their_ids_whatever_the_report_order():
    ids = NearestIds()
    seen = []
    for i in range(25):  # they pass each other 100 px apart vertically (about one palm)
        a, b = _hand(200.0 + 10 * i, 200.0), _hand(440.0 - 10 * i, 300.0)
        if i % 2:  # MediaPipe's order is not stable
            got = ids.assign([b, a])
            seen.append((got[1], got[0]))
        else:
            seen.append(tuple(ids.assign([a, b])))
    assert set(seen) == {(1, 2)}


def test_a_hand_keeps_its_id_within_reach_and_gets_a_new_one_far_away_or_after_a_gap():
    ids = NearestIds()
    assert ids.assign([_hand(150.0, 240.0)]) == [1]
    assert ids.assign([_hand(250.0, 240.0)]) == [1]  # 100 px: about 1.1 palm sizes
    assert ids.assign([_hand(420.0, 240.0)]) == [2]  # 170 px: beyond 1.5 palm sizes
    assert ids.assign([]) == []
    # Lost for a frame and back far away: a new hand. Back where it was: new too, as our
    # tracker starts a new track for a hand found again.
    assert ids.assign([_hand(150.0, 100.0)]) == [3]
    assert ids.assign([]) == []
    assert ids.assign([_hand(150.0, 100.0)]) == [4]
    # A second hand appearing beside it takes a new id; the first keeps its own.
    assert ids.assign([_hand(500.0, 300.0), _hand(155.0, 100.0)]) == [5, 4]


# ------------------------------------------------------------------------------ handedness


def test_mediapipe_labels_name_the_other_hand_on_unmirrored_frames():
    assert person_hand("Left") == "Right"
    assert person_hand("Right") == "Left"
    frame = DumpedFrame(
        80.0, W, H, (DumpedHand(_hand(300.0, 240.0), np.zeros((21, 3), np.float32), "Left", 0.9),)
    )
    result = frame_result(2, 80.0, frame, [7])
    (hand,) = result.hands
    assert (hand.handedness, hand.handedness_score, hand.track_id) == ("Right", 0.9, 7)
    assert (result.frame_index, result.timestamp_ms, result.detector_ran) == (2, 80.0, False)
    np.testing.assert_allclose(hand.landmarks, _hand(300.0, 240.0))


# ------------------------------------------------------------------------------ the dump


def _point(x: float, y: float, z: float) -> SimpleNamespace:
    return SimpleNamespace(x=x, y=y, z=z)


def mediapipe_answer(hands: list[Hand]) -> SimpleNamespace:
    """What MediaPipe's solution returns for ``hands`` on a W x H frame: landmarks
    normalised by the frame's size (z by its width), its label for a mirrored image."""
    if not hands:
        return SimpleNamespace(
            multi_hand_landmarks=None, multi_hand_world_landmarks=None, multi_handedness=None
        )
    return SimpleNamespace(
        multi_hand_landmarks=[
            SimpleNamespace(landmark=[_point(x / W, y / H, z / W) for x, y, z in h.landmarks])
            for h in hands
        ],
        multi_hand_world_landmarks=[
            SimpleNamespace(landmark=[_point(*p) for p in h.world_landmarks]) for h in hands
        ],
        multi_handedness=[
            SimpleNamespace(
                classification=[
                    SimpleNamespace(
                        label="Left" if h.handedness == "Right" else "Right", score=0.97
                    )
                ]
            )
            for h in hands
        ],
    )


def test_a_dumped_hand_is_in_pixels_with_z_in_the_scale_of_x_and_mediapipes_own_label():
    hand = make_hand(OPEN, "Right", centre=(300.0, 200.0))
    (record,) = hand_records(mediapipe_answer([hand]), W, H)
    assert record["label"] == "Left" and record["score"] == 0.97
    np.testing.assert_allclose(record["landmarks"], hand.landmarks, atol=2e-3)
    np.testing.assert_allclose(record["world"], hand.world_landmarks, atol=1e-5)
    assert hand_records(mediapipe_answer([]), W, H) == []


def swipe_folder(folder: Path) -> Path:
    """A clip of 18 blank 640x480 frames at 25 fps labelled with a swipe_left in frames 5-13
    (image +x is the person's left), and no hand in frames 0-1."""
    folder.mkdir()
    writer = cv2.VideoWriter(str(folder / "s.avi"), cv2.VideoWriter.fourcc(*"MJPG"), FPS, (W, H))
    for _ in range(18):
        writer.write(np.zeros((H, W, 3), np.uint8))
    writer.release()
    labels = {"clips": {"s.avi": {"events": [["swipe_left", 5, 13]]}}}
    (folder / "labels.json").write_text(json.dumps(labels))
    return folder


def write_dump(folder: Path, path: Path) -> Path:
    """MediaPipe's side as ``dynamic_mediapipe --dump`` writes it, for an open right hand
    held at x=200 (from frame 2), moved 30 px a frame to the right in frames 5-12, then held."""
    [(_, [clip])] = load_runs(folder, None)
    lines = []
    for i in range(len(clip.frames)):
        x = 200.0 + 30.0 * min(max(i - 4, 0), 8)
        hands = [] if i < 2 else [make_hand(OPEN, "Right", centre=(x, 240.0))]
        record = frame_record(clip, i, (W, H), hand_records(mediapipe_answer(hands), W, H))
        lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_dumped_swipe_replayed_through_the_command(tmp_path: Path):
    folder = swipe_folder(tmp_path / "clips")
    dump = write_dump(folder, tmp_path / "mp.jsonl")
    env = handcue_env(tmp_path)
    proc = run_handcue(
        "bench", "--dynamic", str(folder), "--landmarks", str(dump), "--json", env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["mode"] == "dynamic" and report["hands_from"] == "mediapipe"
    assert report["landmarks"] == str(dump) and report["frame_step"] == 1
    assert report["tolerance_frames"] == [8]  # 300 ms at 25 fps
    (run,) = report["runs"]
    assert run["variant"] == "original"
    (clip,) = run["clips"]
    assert clip["clip"] == "s.avi" and clip["frames"] == 18 and clip["mirrored"] is False
    assert (clip["hits"], clip["labels"], clip["false"]) == (1, 1, [])
    assert [d["name"] for d in clip["detections"]] == ["swipe_left"]
    assert 5 <= clip["detections"][0]["frame"] <= 13 + 8
    assert clip["tracking"] == {
        "frames_processed": 18,
        "frames_with_hand": 16,
        "lost_frames": 0,
        "track_ids": 1,
        "frames_skipped": 0,
    }
    assert run["totals"]["by_name"] == {"swipe_left": {"labels": 1, "hits": 1}}

    # Every other frame of the same dump; and the table says where the hands come from.
    proc = run_handcue(
        "bench", "--dynamic", str(folder), "--landmarks", str(dump), "--frame-step", "2",
        env=env, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert f"hands from MediaPipe ({dump})" in lines[0] and "frame step 2" in lines[0]
    assert any(line.split()[:2] == ["s.avi", "1/1"] for line in lines)


# ------------------------------------------------------------------------------ bad files

GOOD = {
    "variant": "original", "clip": "s.avi", "frame": 0, "t_ms": 0.0, "width": W, "height": H,
    "hands": [],
}  # fmt: skip
HAND = {"landmarks": [[1.0, 2.0, 0.0]] * 21, "world": [[0.0] * 3] * 21, "label": "Left", "score": 1}


def _line(**change: object) -> str:
    return json.dumps({**GOOD, **change})


@pytest.mark.parametrize(
    "text,message",
    [
        (None, "no such file (write it with: python -m app.measure.dynamic_mediapipe"),
        ("\n", "no frames in it"),
        ('{"variant": "orig', "line 1: not valid JSON"),
        ("[1, 2]", "line 1: not a JSON object"),
        (_line() + "\n" + json.dumps({"clip": "s.avi"}), "line 2: no 'variant'"),
        (_line(frame="zero"), "line 1: 'frame', 'width', 'height' and 't_ms' must be numbers"),
        (_line(hands=[{**HAND, "landmarks": HAND["landmarks"][:20]}]), "line 1: hand 1: 'landm"),
        (_line(hands=[HAND, {**HAND, "label": "Up"}]), "line 1: hand 2: an object with 'label'"),
        (_line(hands=[{**HAND, "world": None}]), "hand 1: 'world' must be 21 [x, y, z] points"),
        (_line(clip="other.avi"), "no frame 0 of s.avi (original); dump these clips"),
        (_line(width=320), "frame 0 of s.avi (original) is 320x480 at 0 ms, the clip's 640x480"),
    ],
)
def test_a_bad_dump_is_one_line_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | None, message: str
):
    folder = swipe_folder(tmp_path / "clips")
    dump = tmp_path / "mp.jsonl"
    if text is not None:
        dump.write_text(text)
    assert main(["bench", "--dynamic", str(folder), "--landmarks", str(dump)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--frame-step", "2"], "no frame 2 of s.avi (original); dump these clips with the "
         "same --variant options and --frame-step 2 or 1"),
        (["--variant", "fast2"], "no frame 0 of s.avi (fast2)"),
        (["--compare-mediapipe"], "the hands are MediaPipe's already"),
    ],
)  # fmt: skip
def test_a_dump_of_other_frames_or_options_that_do_not_go_with_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
):
    folder = swipe_folder(tmp_path / "clips")
    dump = write_dump(folder, tmp_path / "mp.jsonl")
    if extra[0] == "--frame-step":
        kept = [line for n, line in enumerate(dump.read_text().splitlines()) if n != 2]
        dump.write_text("\n".join(kept))  # frame 2 not dumped
    assert main(["bench", "--dynamic", str(folder), "--landmarks", str(dump), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_landmarks_go_with_dynamic(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code = main(["bench", "--source", "x.mp4", "--landmarks", str(tmp_path / "mp.jsonl")])
    assert code == 2
    assert "--landmarks goes with --dynamic FOLDER" in capsys.readouterr().err
