"""Clips of ``handcue bench --dynamic``: decoding (flipped back when mirrored, the decoder's
clock, clear errors) and the variants made from them (frames and label windows together)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.measure.dynamic_clips import (
    Clip,
    dark_image,
    decode_clip,
    fast2,
    fast2_window,
    flip,
    load_runs,
    make_variant,
    parse_variants,
    processed_frames,
    shift_image,
    slow2,
    slow2_window,
)
from app.measure.dynamic_labels import ClipLabels, LabelledEvent, load_labels
from pipeline.errors import HandCueError


def numbered(n: int) -> tuple[np.ndarray, ...]:
    """``n`` small frames, frame ``i`` filled with the value ``i``."""
    return tuple(np.full((4, 6, 3), i, dtype=np.uint8) for i in range(n))


def clip(n: int, *events: tuple[str, int, int], dontcare: tuple[tuple[int, int], ...] = ()) -> Clip:
    labels = ClipLabels("c.gif", tuple(LabelledEvent(*e) for e in events), dontcare)
    return Clip(numbered(n), 10.0, labels)


def values(c: Clip) -> list[int]:
    return [int(f[0, 0, 0]) for f in c.frames]


def windows(c: Clip) -> list[tuple[str, int, int]]:
    return [(e.name, e.first, e.last) for e in c.labels.events]


@pytest.mark.parametrize(
    "window,kept,mapped",
    [
        ((2, 13), 40, (1, 6)),  # kept frames 2..12 are 1..6
        ((3, 4), 40, (2, 2)),
        ((3, 3), 40, (2, 2)),  # an odd one-frame window: the next kept frame
        ((0, 0), 40, (0, 0)),
        ((78, 79), 40, (39, 39)),
        ((9, 9), 5, (4, 4)),  # never past the last kept frame
    ],
)
def test_fast2_windows_cover_the_kept_frames(
    window: tuple[int, int], kept: int, mapped: tuple[int, int]
) -> None:
    assert fast2_window(window, kept) == mapped


def test_fast2_keeps_every_other_frame_on_the_same_clock() -> None:
    out = fast2(clip(9, ("tap", 3, 7), dontcare=((0, 2),)))
    assert values(out) == [0, 2, 4, 6, 8]
    assert windows(out) == [("tap", 2, 3)]  # original frames 4 and 6
    assert out.labels.dontcare == ((0, 1),)
    assert out.fps == 10.0 and out.time_ms(2) == 200.0  # twice as fast


def test_slow2_shows_each_frame_twice_and_stretches_the_windows() -> None:
    assert slow2_window((2, 13)) == (4, 27)
    out = slow2(clip(3, ("tap", 1, 2), dontcare=((0, 0),)))
    assert values(out) == [0, 0, 1, 1, 2, 2]
    assert windows(out) == [("tap", 2, 5)]
    assert out.labels.dontcare == ((0, 1),)


def test_flip_mirrors_the_image_and_swaps_left_right_and_cw_ccw() -> None:
    names = ["swipe_left", "swipe_right", "circle_cw", "circle_ccw", "swipe_up", "zoom_in", "tap"]
    original = clip(2, *((name, i, i) for i, name in enumerate(names)))
    image = np.zeros((4, 6, 3), np.uint8)
    image[:, :2] = 255  # left third white
    out = flip(Clip((image, image), 10.0, original.labels))
    assert [n for n, _, _ in windows(out)] == [
        "swipe_right", "swipe_left", "circle_ccw", "circle_cw", "swipe_up", "zoom_in", "tap",
    ]  # fmt: skip
    assert [(a, b) for _, a, b in windows(out)] == [(i, i) for i in range(len(names))]
    assert out.frames[0][:, 4:].min() == 255 and out.frames[0][:, :4].max() == 0


def test_shift_moves_the_image_right_and_down_with_a_black_band() -> None:
    image = np.full((50, 100, 3), 200, np.uint8)
    image[20, 30] = 7
    moved = shift_image(image)
    assert moved.shape == image.shape
    assert moved[25, 40, 0] == 7  # 10% of 100 wide, 10% of 50 high
    assert moved[:5].max() == 0 and moved[:, :10].max() == 0
    assert moved[5:, 10:].min() == 7 and moved[5:, 10:].max() == 200


def test_dark_halves_the_pixel_values() -> None:
    image = np.array([[[0, 10, 200], [255, 100, 51]]], np.uint8)
    assert dark_image(image).tolist() == [[[0, 5, 100], [128, 50, 26]]]


def test_variants_parse_from_lists_and_chains() -> None:
    assert parse_variants(["fast2,dark", "slow2", " fast2 + dark ", "dark"]) == [
        "fast2",
        "dark",
        "slow2",
        "fast2+dark",
    ]
    assert parse_variants([]) == []
    with pytest.raises(
        HandCueError, match="unknown 'fast3'; known: fast2, slow2, shift, dark, flip"
    ):
        parse_variants(["dark,fast3"])


def test_chained_variants_apply_left_to_right() -> None:
    out = make_variant(clip(6, ("swipe_left", 2, 5)), "fast2+flip")
    assert out.variant == "fast2+flip"
    assert values(out) == [0, 2, 4] and windows(out) == [("swipe_right", 1, 2)]


def test_frame_step_picks_every_kth_frame() -> None:
    assert list(processed_frames(clip(7), 3)) == [0, 3, 6]


# ------------------------------------------------------------------------- decoding real files


def write_clip(folder: Path, name: str = "c.avi", frames: int = 6, fps: float = 10.0) -> None:
    """A clip whose frames are white on the left half and black on the right."""
    writer = cv2.VideoWriter(str(folder / name), cv2.VideoWriter.fourcc(*"MJPG"), fps, (64, 48))
    image = np.zeros((48, 64, 3), np.uint8)
    image[:, :32] = 255
    for _ in range(frames):
        writer.write(image)
    writer.release()


def write_labels(folder: Path, **top: object) -> None:
    clips = {"c.avi": {"events": [["tap", 1, 4]]}}
    (folder / "labels.json").write_text(json.dumps({**top, "clips": clips}))


@pytest.mark.parametrize("mirrored", [False, True])
def test_decoding_flips_mirrored_clips_back(tmp_path: Path, mirrored: bool) -> None:
    write_clip(tmp_path)
    write_labels(tmp_path, mirrored=mirrored)
    [[variant, [decoded]]] = load_runs(tmp_path, None, [])
    assert variant == "original"
    assert len(decoded.frames) == 6 and decoded.fps == pytest.approx(10.0)
    left, right = decoded.frames[3][:, :28].mean(), decoded.frames[3][:, 36:].mean()
    assert bool(left < right) == mirrored
    assert abs(left - right) > 200


def test_runs_hold_each_variant_of_every_clip(tmp_path: Path) -> None:
    write_clip(tmp_path)
    write_labels(tmp_path)
    runs = load_runs(tmp_path, None, ["fast2", "dark"])
    assert [(v, len(clips[0].frames), clips[0].variant) for v, clips in runs] == [
        ("original", 6, "original"),
        ("fast2", 3, "fast2"),
        ("dark", 6, "dark"),
    ]


def test_a_clip_that_cannot_be_decoded_or_is_short_is_a_clear_error(tmp_path: Path) -> None:
    write_labels(tmp_path)
    [labels] = load_labels(tmp_path)
    with pytest.raises(HandCueError, match=r"c.avi: missing \(labels.json lists it\)"):
        decode_clip(tmp_path, labels)
    (tmp_path / "c.avi").write_bytes(b"not a video")
    with pytest.raises(HandCueError, match="c.avi: cannot be decoded"):
        decode_clip(tmp_path, labels)
    write_clip(tmp_path, frames=4)
    with pytest.raises(HandCueError, match="has 4 frames .0-3., but labels.json has windows 1-4"):
        decode_clip(tmp_path, labels)
