"""``handcue gestures list / record / remove`` through the CLI dispatcher (fake tracker, and the
real one on shared photos when the models and data are there)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.cli import gestures as cmd_gestures
from app.cli import main
from pipeline.gestures import GestureRecognizer, TemplateStore
from pipeline.paths import data_dir
from pipeline.types import FrameResult
from tests.support import DATA
from tests.support.handmodel import BENT, SIGNS, STRAIGHT, THUMB_OUT, Pose, fingers, make_hand

SPOCKISH = Pose(fingers(BENT, STRAIGHT, BENT, BENT), THUMB_OUT)


class FakeTracker:
    """Returns the given hands (a list per frame; cycles), ignoring the image."""

    def __init__(self, per_frame):
        self.per_frame = per_frame
        self.calls = 0

    def process(self, image, timestamp_ms):
        hands = self.per_frame[self.calls % len(self.per_frame)]
        self.calls += 1
        h, w = image.shape[:2]
        return FrameResult(self.calls, timestamp_ms, w, h, tuple(hands), True)


@pytest.fixture
def photo_folder(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(6):
        cv2.imwrite(str(folder / f"{i:02d}.png"), np.full((48, 64, 3), 40 * i, np.uint8))
    return folder


@pytest.fixture
def fake_tracker(monkeypatch):
    def install(per_frame):
        tracker = FakeTracker(per_frame)
        monkeypatch.setattr(cmd_gestures, "_make_tracker", lambda args, static: tracker)
        return tracker

    return install


def _store_file() -> Path:
    return data_dir() / "gestures.json"


def test_list_empty(capsys):
    assert main(["gestures", "list"]) == 0
    out = capsys.readouterr().out
    assert "thumb_up" in out and "swipe_left" in out and "none yet" in out
    assert main(["gestures", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["recorded"] == {} and "rock" in listed["builtin"]
    assert "count_3" in listed["numbers"] and "total_10" in listed["numbers"]


def test_record_from_folder_then_recognise_list_and_remove(photo_folder, fake_tracker, capsys):
    resting = make_hand(SIGNS["fist"], centre=(500.0, 400.0), distance=2.0)  # smaller: ignored
    fake_tracker([[make_hand(SPOCKISH), resting]])
    assert main(["gestures", "record", "spock", "--source", str(photo_folder)]) == 0
    assert "recorded 'spock': 6 samples" in capsys.readouterr().out
    store = TemplateStore.default()
    assert store.names() == ["spock"]
    rec = GestureRecognizer(templates=store)
    assert rec.classify(make_hand(SPOCKISH, "Left")).gesture == "spock"
    assert rec.classify(make_hand(SIGNS["fist"])).gesture == "fist"

    assert main(["gestures", "list"]) == 0
    assert "spock" in capsys.readouterr().out
    assert main(["gestures", "remove", "spock"]) == 0
    assert TemplateStore.default().names() == []


def test_samples_limit_and_hand_choice(photo_folder, fake_tracker, capsys):
    left = make_hand(SPOCKISH, "Left", distance=1.0)
    right = make_hand(SIGNS["rock"], "Right", distance=0.5)
    fake_tracker([[left, right]])
    args = ["gestures", "record", "spock", "--source", str(photo_folder), "--samples", "3"]
    assert main([*args, "--hand", "left"]) == 0
    samples = TemplateStore.default().samples("spock")
    assert len(samples) == 3
    assert TemplateStore.default().match(left)[0] == "spock"
    assert TemplateStore.default().match(right) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [("fist", "built-in"), ("swipe_up", "built-in"), ("Not OK", "invalid gesture name")],
)
def test_bad_names_are_one_line_errors(photo_folder, fake_tracker, capsys, name, message):
    fake_tracker([[make_hand(SPOCKISH)]])
    assert main(["gestures", "record", name, "--source", str(photo_folder)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not _store_file().exists()


def test_no_hand_found_keeps_the_store(photo_folder, fake_tracker, capsys):
    fake_tracker([[make_hand(SPOCKISH)]])
    assert main(["gestures", "record", "spock", "--source", str(photo_folder)]) == 0
    before = _store_file().read_bytes()
    fake_tracker([[]])
    assert main(["gestures", "record", "other", "--source", str(photo_folder)]) == 2
    assert "no hand was found" in capsys.readouterr().err
    assert _store_file().read_bytes() == before


def test_existing_name_needs_replace(photo_folder, fake_tracker, capsys):
    fake_tracker([[make_hand(SPOCKISH)]])
    args = ["gestures", "record", "spock", "--source", str(photo_folder)]
    assert main(args) == 0
    assert main([*args, "--samples", "2"]) == 2
    assert "--replace" in capsys.readouterr().err
    assert main([*args, "--samples", "2", "--replace"]) == 0
    assert TemplateStore.default().info("spock")["samples"] == 2


def test_corrupt_store_is_reported_and_untouched(photo_folder, fake_tracker, capsys):
    path = _store_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"schema_version": 1, "gestures": {"x": {"samples": [1]}}}', "utf-8")
    before = path.read_bytes()
    fake_tracker([[make_hand(SPOCKISH)]])
    for argv in (
        ["gestures", "list"],
        ["gestures", "remove", "x"],
        ["gestures", "record", "spock", "--source", str(photo_folder)],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "cannot be read" in err and "Traceback" not in err
    assert path.read_bytes() == before


def test_missing_source_and_unknown_gesture(capsys):
    assert main(["gestures", "record", "spock", "--source", "/no/such/thing"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["gestures", "remove", "nope"]) == 2
    assert "no recorded gesture named 'nope'" in capsys.readouterr().err


def test_record_warns_when_it_looks_like_a_builtin(photo_folder, fake_tracker, capsys):
    fake_tracker([[make_hand(SIGNS["rock"])]])
    assert main(["gestures", "record", "horns", "--source", str(photo_folder)]) == 0
    assert "look like the built-in 'rock'" in capsys.readouterr().err


@pytest.mark.realdata
def test_record_with_the_real_tracker_on_photos(capsys):
    folder = DATA / "hagrid-dev" / "rock"
    if not folder.is_dir():
        pytest.skip(f"shared data not found at {DATA}")
    pytest.importorskip("pipeline.tracking.tracker")
    from pipeline.errors import ModelsMissingError

    try:
        cmd_gestures._make_tracker(
            type("A", (), {"model": "full", "provider": "cpu"})(), static=True
        )
    except ModelsMissingError as exc:
        pytest.skip(f"models not installed: {exc}")
    assert main(["gestures", "record", "horns", "--source", str(folder), "--samples", "8"]) == 0
    assert TemplateStore.default().info("horns")["samples"] == 8


@pytest.mark.realdata
def test_record_from_small_photos_enlarges_them(tmp_path, capsys):
    """Three 64x64 photos of a Chinese 8 whose hand the tracker misses at their own size: a
    folder of them records three samples (each photo enlarged first, as detect does)."""
    source = DATA / "chinese-numbers-dev" / "8"
    if not source.is_dir():
        pytest.skip(f"shared data not found at {DATA}")
    from pipeline.errors import ModelsMissingError

    try:
        tracker = cmd_gestures._make_tracker(
            type("A", (), {"model": "full", "provider": "cpu"})(), static=True
        )
    except ModelsMissingError as exc:
        pytest.skip(f"models not installed: {exc}")
    folder = tmp_path / "eights"
    folder.mkdir()
    for name in ("8_0_0.jpg", "8_12_0_1173.jpg", "8_13_0_1120.jpg"):
        image = cv2.imread(str(source / name))
        assert tracker.process(image, 0.0).hands == ()  # not found at 64x64
        tracker.reset()
        cv2.imwrite(str(folder / f"{Path(name).stem}.png"), image)
    assert main(["gestures", "record", "ell", "--source", str(folder), "--samples", "3"]) == 0
    assert TemplateStore.default().info("ell")["samples"] == 3


def test_record_from_video_spaces_samples(tmp_path, fake_tracker, capsys):
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 25.0, (64, 48))
    if not writer.isOpened():
        pytest.skip("OpenCV cannot write MJPG video here")
    for i in range(30):  # 1.2 s at 25 fps
        writer.write(np.full((48, 64, 3), i * 8, np.uint8))
    writer.release()
    tracker = fake_tracker([[make_hand(SPOCKISH)]])
    assert main(["gestures", "record", "spock", "--source", str(video), "--samples", "100"]) == 0
    assert tracker.calls == 30
    # one sample per 100 ms at most: frames 0, 120, 240, ... 1080 ms
    assert TemplateStore.default().info("spock")["samples"] == 10


def test_camera_that_cannot_open_is_a_clean_error(monkeypatch, capsys):
    from pipeline.errors import SourceError

    def no_camera(spec, *args, **kwargs):
        raise SourceError(f"camera {spec} cannot be opened (missing, or in use by another app)")

    monkeypatch.setattr("pipeline.sources.open_source", no_camera)
    assert main(["gestures", "record", "spock", "--source", "0", "--delay", "0"]) == 2
    err = capsys.readouterr().err
    assert "camera 0 cannot be opened" in err and "Traceback" not in err
    assert not _store_file().exists()
