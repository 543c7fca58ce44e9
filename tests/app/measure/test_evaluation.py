"""Accuracy measures used against the MediaPipe reference: error, matching, reference parsing,
the noise used for the reproducibility runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.measure.evaluation import (
    AccuracyReport,
    evaluate,
    load_reference,
    match_errors,
    palm_error,
    perturb,
)
from pipeline.errors import HandCueError


def hand(x0: float = 100.0, y0: float = 100.0, palm: float = 50.0) -> np.ndarray:
    """A (21, 3) hand: wrist at (x0, y0), landmark 9 one palm above it, the rest in between."""
    pts = np.zeros((21, 3))
    pts[:, 0] = x0
    pts[:, 1] = y0 - np.linspace(0.0, 2.0 * palm, 21)
    pts[9, :2] = (x0, y0 - palm)
    return pts


def test_palm_error_is_mean_distance_over_palm_size() -> None:
    ref = hand(palm=50.0)
    shifted = ref.copy()
    shifted[:, 0] += 5.0  # every point 5 px off: 10% of a 50 px palm
    assert palm_error(shifted, ref) == pytest.approx(0.10)
    one_point = ref.copy()
    one_point[4, 1] += 21.0  # one point 21 px off: mean 1 px = 2%
    assert palm_error(one_point, ref) == pytest.approx(0.02)
    assert palm_error(ref, ref) == 0.0


def test_each_reference_hand_takes_its_closest_hand_and_far_ones_are_misses() -> None:
    left, right = hand(100.0), hand(400.0)
    near_right = right.copy()
    near_right[:, 0] += 2.5  # 5% of palm
    errs = match_errors([left[:, :2], right[:, :2]], [near_right[:, :2]])
    assert errs[0] is None  # 6 palms away: another hand, not a bad estimate of this one
    assert errs[1] == pytest.approx(0.05)
    assert match_errors([left], []) == [None]


def test_report_counts_found_missed_extra_and_per_frame_means() -> None:
    rep = AccuracyReport()
    a, b = hand(100.0), hand(400.0)
    off = a.copy()
    off[:, 0] += 1.0  # 2%
    rep.add([a, b], [off])  # b missed, count differs
    rep.add([a], [a, hand(800.0)])  # exact, plus a hand the reference does not have
    rep.add([], [])
    s = rep.summary()
    assert (s["items"], s["reference_hands"], s["found"]) == (3, 3, 2)
    assert s["found_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["mean_error_pct"] == pytest.approx(1.0)
    assert s["per_frame_mean_error_pct"] == pytest.approx(1.0)
    assert (s["count_mismatch"], s["extra_hands"]) == (2, 1)


def test_evaluate_checks_sizes_and_lengths(tmp_path: Path) -> None:
    line = {"frame": 0, "width": 8, "height": 6, "hands": [{"landmarks": hand().tolist()}]}
    (tmp_path / "ref.jsonl").write_text(json.dumps(line) + "\n")
    ref = load_reference(tmp_path / "ref.jsonl")
    img = np.zeros((6, 8, 3), np.uint8)
    report = evaluate(lambda _: [hand()[:, :2]], [img], ref)
    assert report.summary()["mean_error_pct"] == 0.0
    with pytest.raises(HandCueError, match="8x6"):
        evaluate(lambda _: [], [np.zeros((8, 8, 3), np.uint8)], ref)
    with pytest.raises(HandCueError, match="1 lines but the source gave 2"):
        evaluate(lambda _: [], [img, img], ref)


@pytest.mark.parametrize(
    "content,message",
    [
        ("", "empty"),
        ("{not json\n", ":1: not a reference line"),
        ('{"frame": 0, "width": 4, "height": 4}\n', ":1: not a reference line"),
        ('{"frame": 0, "width": 4, "height": 4, "hands": [{"landmarks": [[1, 2, 3]]}]}\n', "21"),
        ('{"width": 4, "height": 4, "hands": []}\n', "either 'image' or 'frame'"),
        (
            '{"frame": 0, "width": 4, "height": 4, "hands": []}\n'
            '{"image": "a.jpg", "width": 4, "height": 4, "hands": []}\n',
            "mixes",
        ),
    ],
)
def test_bad_reference_files_name_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    p = tmp_path / "ref.jsonl"
    p.write_text(content)
    with pytest.raises(HandCueError, match=message) as info:
        load_reference(p)
    assert str(p) in str(info.value)


def test_missing_reference_file(tmp_path: Path) -> None:
    with pytest.raises(HandCueError, match="no such reference file"):
        load_reference(tmp_path / "nope.jsonl")


def test_perturb_is_small_repeatable_and_clipped() -> None:
    img = np.array([[[0, 128, 255]] * 64] * 64, np.uint8)
    a, b, c = perturb(img, (1, 0)), perturb(img, (1, 0)), perturb(img, (2, 0))
    assert a.dtype == np.uint8 and a.shape == img.shape
    diff = a.astype(int) - img.astype(int)
    assert set(np.unique(diff)) == {-1, 0, 1}
    assert a[..., 0].min() == 0 and a[..., 2].max() == 255  # clipped, not wrapped
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
