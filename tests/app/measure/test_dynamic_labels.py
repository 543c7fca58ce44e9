"""The labels of ``handcue bench --dynamic``: which clips are flipped back (the command line,
the clip's key, the file's key, then the about text) and clear errors for a bad labels.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.measure.dynamic_labels import (
    EVENT_NAMES,
    ClipLabels,
    LabelledEvent,
    about_says_mirrored,
    check_frames,
    load_labels,
)
from pipeline.errors import HandCueError


def write_labels(folder: Path, data: object) -> Path:
    (folder / "labels.json").write_text(json.dumps(data))
    return folder


@pytest.mark.parametrize(
    "about,mirrored",
    [
        ("The GIFs are MIRRORED as the demo showed them", True),
        ("mirrored.", True),
        ("Clips are not mirrored: as the camera saw them", False),
        ("Clips are NOT  Mirrored", False),
        ("unmirrored camera frames", False),
        ("unmirrored frames, unlike the mirrored demo", False),
        ("frames as recorded", False),
        ("", False),
    ],
)
def test_the_about_text_says_whether_clips_are_mirrored(about: str, mirrored: bool) -> None:
    assert about_says_mirrored(about) is mirrored


def test_events_and_dontcare_windows_are_read_in_file_order(tmp_path: Path) -> None:
    data = {
        "about": "plain clips",
        "clips": {
            "b.gif": {
                "events": [["swipe_left", 2, 13], ["drag_end", 20, 20]],
                "dontcare": [[0, 8]],
            },
            "a.gif": {"events": []},
        },
    }
    clips = load_labels(write_labels(tmp_path, data))
    assert [c.file for c in clips] == ["b.gif", "a.gif"]
    assert clips[0].events == (
        LabelledEvent("swipe_left", 2, 13),
        LabelledEvent("drag_end", 20, 20),
    )
    assert clips[0].dontcare == ((0, 8),)
    assert clips[1] == ClipLabels("a.gif", (), (), False, "default")


def _mirrored(tmp_path: Path, option: bool | None = None, **keys: object) -> list[tuple]:
    clip_key = keys.pop("clip", None)
    entry: dict[str, object] = {"events": []}
    if clip_key is not None:
        entry["mirrored"] = clip_key
    data = {**keys, "clips": {"x.gif": entry, "y.gif": {"events": []}}}
    return [(c.mirrored, c.mirrored_by) for c in load_labels(write_labels(tmp_path, data), option)]


def test_which_key_decides_mirroring(tmp_path: Path) -> None:
    about = "The GIFs are MIRRORED"
    assert _mirrored(tmp_path, about=about) == [(True, "about"), (True, "about")]
    assert _mirrored(tmp_path, about="not mirrored") == [(False, "about"), (False, "about")]
    # the file's key wins over the text, a clip's own key over both, the command line over all
    assert _mirrored(tmp_path, about=about, mirrored=False) == [(False, "labels")] * 2
    assert _mirrored(tmp_path, about=about, mirrored=False, clip=True) == [
        (True, "clip"),
        (False, "labels"),
    ]
    assert _mirrored(tmp_path, True, mirrored=False, clip=False) == [(True, "option")] * 2
    assert _mirrored(tmp_path, False, about=about) == [(False, "option")] * 2
    assert _mirrored(tmp_path) == [(False, "default")] * 2


@pytest.mark.parametrize(
    "text,message",
    [
        ('{"clips": {', "labels.json: not valid JSON (line 1, column 12"),
        ("[1, 2]", 'expected an object with "clips"'),
        ('{"clips": {}}', "no clips listed"),
        ('{"clips": {"x.gif": []}}', "clip 'x.gif': expected"),
        ('{"clips": {"x.gif": {"event": []}}}', "clip 'x.gif': unknown keys ['event']"),
        ('{"clips": {"x.gif": {"events": [["swipe", 1, 2]]}}}', "unknown event 'swipe'"),
        ('{"clips": {"x.gif": {"events": [["tap", 1]]}}}', "events[0]: expected [name, first"),
        ('{"clips": {"x.gif": {"events": [["tap", 5, 2]]}}}', "first <= last"),
        ('{"clips": {"x.gif": {"events": [["tap", -1, 2]]}}}', "first <= last"),
        ('{"clips": {"x.gif": {"events": [["tap", 1.5, 2]]}}}', "whole numbers"),
        ('{"clips": {"x.gif": {"events": [["tap", true, 2]]}}}', "whole numbers"),
        ('{"clips": {"x.gif": {"dontcare": [[3]]}}}', "dontcare[0]: expected a frame window"),
        ('{"clips": {"x.gif": {"events": 3}}}', "events must be a list"),
        ('{"mirrored": "yes", "clips": {"x.gif": {}}}', "mirrored must be true or false"),
        ('{"about": 3, "clips": {"x.gif": {}}}', '"about" must be text'),
    ],
)
def test_a_bad_labels_file_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "labels.json").write_text(text)
    with pytest.raises(HandCueError) as exc:
        load_labels(tmp_path)
    assert message in str(exc.value)
    assert str(tmp_path / "labels.json") in str(exc.value)


def test_a_missing_folder_or_labels_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(HandCueError, match="not a folder"):
        load_labels(tmp_path / "nope")
    with pytest.raises(HandCueError, match=r"labels.json: missing"):
        load_labels(tmp_path)


def test_windows_past_the_clip_are_refused() -> None:
    labels = ClipLabels("x.gif", (LabelledEvent("tap", 1, 9),), ((8, 10),))
    check_frames(labels, 11, "x.gif")
    with pytest.raises(HandCueError, match="has 10 frames .0-9., but labels.json has windows 8-10"):
        check_frames(labels, 10, "x.gif")


def test_label_names_are_the_movements_the_pipeline_reports() -> None:
    """Every movement's started event (drag: its two ends) is a name a label may use, and
    nothing else is."""
    from app.measure.dynamic_scoring import label_name
    from pipeline.gestures import DYNAMIC_GESTURES

    names = {label_name("started", g) for g in DYNAMIC_GESTURES} | {label_name("ended", "drag")}
    assert names == set(EVENT_NAMES)
