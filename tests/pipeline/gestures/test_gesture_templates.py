"""Recording and recognising user gestures; the store's errors and atomic writes."""

from __future__ import annotations

import json
import zlib

import numpy as np
import pytest

from pipeline.errors import HandCueError
from pipeline.gestures import GestureEngine, GestureRecognizer, TemplateStore, known_gesture_ids
from pipeline.gestures.templates import store_path
from pipeline.types import FrameResult
from tests.support.handmodel import (
    BENT,
    HALF,
    SIGNS,
    STRAIGHT,
    THUMB_IN,
    THUMB_OUT,
    Pose,
    fingers,
    make_hand,
    rotation,
)

# Middle finger and thumb out, others bent: not a built-in sign.
SPOCKISH = Pose(fingers(BENT, STRAIGHT, BENT, BENT), THUMB_OUT)


def _rng(key: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(key.encode()))


def _samples(pose, n, rng, handedness="Right"):
    return [
        make_hand(
            pose,
            handedness,
            rot=rotation(
                yaw=rng.uniform(-60, 60), pitch=rng.uniform(-20, 20), roll=rng.uniform(-30, 30)
            ),
            distance=rng.uniform(0.5, 1.5),
        )
        for _ in range(n)
    ]


def test_default_path_is_in_the_data_dir(_isolated_data_dir):
    assert store_path() == _isolated_data_dir / "gestures.json"


def test_record_save_reload_and_recognise(tmp_path):
    rng = _rng("record")
    path = tmp_path / "g.json"
    store = TemplateStore(path)
    assert store.add("spock", _samples(SPOCKISH, 10, rng)) == 10
    store.save()
    reloaded = TemplateStore(path)
    assert reloaded.names() == ["spock"]
    assert reloaded.info("spock")["samples"] == 10
    assert "spock" in known_gesture_ids(reloaded) and "fist" in known_gesture_ids(reloaded)
    rec = GestureRecognizer(templates=reloaded)
    # recognised in new rotations and with the other hand (left hands are mirrored)
    for handedness in ("Right", "Left"):
        for hand in _samples(SPOCKISH, 10, rng, handedness):
            result = rec.classify(hand)
            assert result.gesture == "spock"
            assert 0.5 <= result.score <= 1.0
    # built-in and unknown poses are not taken for it
    for sign in ("fist", "open_palm", "victory", "call"):
        assert rec.classify(make_hand(SIGNS[sign])).gesture == sign
    relaxed = Pose(fingers(HALF, HALF, HALF, HALF), THUMB_IN)
    assert rec.classify(make_hand(relaxed)).gesture == "none"


def test_recorded_gesture_goes_through_the_engine(tmp_path):
    store = TemplateStore(tmp_path / "g.json")
    store.add("spock", _samples(SPOCKISH, 5, _rng("engine")))
    engine = GestureEngine(hold_ms=100, templates=store, swipes=None)
    events = []
    for i in range(10):
        hand = make_hand(SPOCKISH, track_id=2)
        events += engine.process(FrameResult(i, i * 40.0, 640, 480, (hand,), False))[1]
    assert [(e.kind, e.gesture) for e in events] == [("started", "spock")]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("fist", "built-in"),
        ("swipe_left", "built-in"),
        ("Bad Name", "invalid gesture name"),
        ("", "invalid gesture name"),
        ("9lives", "invalid gesture name"),
        ("x" * 40, "invalid gesture name"),
    ],
)
def test_bad_names(tmp_path, name, message):
    store = TemplateStore(tmp_path / "g.json")
    with pytest.raises(HandCueError, match=message):
        store.add(name, _samples(SPOCKISH, 1, _rng(name)))


def test_empty_recording_and_duplicates(tmp_path):
    store = TemplateStore(tmp_path / "g.json")
    with pytest.raises(HandCueError, match="no hand"):
        store.add("spock", [])
    store.add("spock", _samples(SPOCKISH, 2, _rng("dup")))
    with pytest.raises(HandCueError, match="already recorded"):
        store.add("spock", _samples(SPOCKISH, 2, _rng("dup")))
    assert store.add("spock", _samples(SPOCKISH, 3, _rng("dup")), replace=True) == 3


def test_remove(tmp_path):
    path = tmp_path / "g.json"
    store = TemplateStore(path)
    store.add("spock", _samples(SPOCKISH, 2, _rng("rm")))
    store.save()
    with pytest.raises(HandCueError, match="no recorded gesture named 'nope'"):
        store.remove("nope")
    store.remove("spock")
    store.save()
    assert TemplateStore(path).names() == []


def _saved_store(path, n=6, key="samples"):
    store = TemplateStore(path)
    store.add("spock", _samples(SPOCKISH, n, _rng(key)))
    store.add("horns", _samples(SIGNS["rock"], 2, _rng(key + "horns")))
    store.save()
    return TemplateStore(path)  # as read back from the file, like the recorder does


def test_remove_samples_keeps_the_others_in_order(tmp_path):
    path = tmp_path / "g.json"
    store = _saved_store(path)
    before = store.samples("spock")
    assert store.remove_samples("spock", [4, 1, 4]) == 4  # order and repeats do not matter
    store.save()
    reloaded = TemplateStore(path)
    assert reloaded.info("spock")["samples"] == 4
    np.testing.assert_array_equal(reloaded.samples("spock"), before[[0, 2, 3, 5]])
    assert reloaded.info("spock")["created"] == store.info("spock")["created"]
    assert reloaded.info("horns")["samples"] == 2  # other gestures untouched
    assert store.remove_samples("spock", []) == 4  # nothing chosen: nothing changes


@pytest.mark.parametrize(
    ("name", "indices", "message"),
    [
        ("nope", [0], "no recorded gesture named 'nope' \\(known: horns, spock\\)"),
        ("spock", [6], "has 6 samples \\(numbered 0 to 5\\); there is no sample 6"),
        ("spock", [0, -1], "there is no sample -1; nothing was removed"),
        ("spock", [2, 9, 7], "there is no sample 7, 9"),
    ],
)
def test_remove_samples_errors_change_nothing(tmp_path, name, indices, message):
    path = tmp_path / "g.json"
    store = _saved_store(path)
    before = {n: store.samples(n) for n in store.names()}
    with pytest.raises(HandCueError, match=message):
        store.remove_samples(name, indices)
    assert {n: store.samples(n).shape for n in store.names()} == {
        n: a.shape for n, a in before.items()
    }
    np.testing.assert_array_equal(store.samples("spock"), before["spock"])


def test_removing_every_sample_removes_the_gesture(tmp_path):
    path = tmp_path / "g.json"
    store = _saved_store(path, n=3)
    assert store.remove_samples("spock", [0, 1, 2]) == 0
    assert store.names() == ["horns"]
    store.save()
    assert TemplateStore(path).names() == ["horns"]  # the file stays loadable (no empty gesture)


def _save_fails_with_full_disk(store, monkeypatch) -> None:
    """``store.save()`` with os.replace failing: a user error that says nothing changed."""

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("pipeline.fileio.os.replace", boom)
    with pytest.raises(HandCueError, match="could not save .*disk full.*left as it was"):
        store.save()


def test_remove_samples_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "g.json"
    store = _saved_store(path)
    before = path.read_bytes()
    store.remove_samples("spock", [0])

    _save_fails_with_full_disk(store, monkeypatch)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["g.json"]
    assert TemplateStore(path).info("spock")["samples"] == 6


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps({"schema_version": 99, "gestures": {}}),
        json.dumps({"schema_version": 1, "gestures": {"a": {"samples": [[1, 2, 3]]}}}),
        json.dumps({"schema_version": 1, "gestures": []}),
        json.dumps([1, 2]),
    ],
)
def test_corrupt_store_is_an_error_and_left_alone(tmp_path, content):
    path = tmp_path / "g.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(HandCueError, match="cannot be read"):
        TemplateStore(path)
    assert path.read_text(encoding="utf-8") == content


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "g.json"
    store = TemplateStore(path)
    store.add("spock", _samples(SPOCKISH, 2, _rng("atomic")))
    store.save()
    before = path.read_bytes()
    store.add("other", _samples(SIGNS["rock"], 2, _rng("atomic2")))

    _save_fails_with_full_disk(store, monkeypatch)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["g.json"]  # no temp file left behind


def test_rejection_threshold(tmp_path):
    store = TemplateStore(tmp_path / "g.json")
    store.add("spock", [make_hand(SPOCKISH)])
    near = Pose(fingers((70.0, 95.0, 45.0), (12.0, 10.0, 6.0), BENT, BENT), THUMB_OUT)
    far = Pose(fingers(BENT, STRAIGHT, STRAIGHT, BENT), THUMB_OUT)
    assert store.match(make_hand(near)) is not None
    assert store.match(make_hand(far)) is None
