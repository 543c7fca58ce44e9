"""Swipes from synthetic hand paths (the parametric hand moved across a 640x480 frame through
the whole gesture engine): every direction, both hands, near and far, natural hand shapes,
short losses, and the movements that are not swipes."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.gestures import DYNAMIC_GESTURES, GestureEngine
from pipeline.types import FrameResult, Hand
from tests.support.handmodel import SIGNS, make_hand, rotation

FRAME_MS = 40.0
W, H = 640, 480


def _path(start, step, moving, *, sign="open_palm", distance=0.6, side="Right", before=5,
          after=5, rot=None, track_id=3):  # fmt: skip
    """Hands held still ``before`` frames, moving ``step`` px a frame for ``moving`` frames,
    then still ``after`` frames. ``sign`` may be a list (one per frame)."""
    x, y = start
    signs = sign if isinstance(sign, list) else [sign] * (before + moving + after)
    out = []
    for i in range(before + moving + after):
        if before <= i < before + moving:
            x, y = x + step[0], y + step[1]
        pose = SIGNS[signs[i]]
        out.append(make_hand(pose, side, rot=rot, centre=(x, y), distance=distance,
                             track_id=track_id))  # fmt: skip
    return out


def movements(frames: list[list[Hand] | Hand | None]) -> list[str]:
    """The movement gestures the engine starts over ``frames`` (a hand, hands, or None)."""
    engine = GestureEngine(hold_ms=150)
    found = []
    for i, item in enumerate(frames):
        hands = () if item is None else (item,) if isinstance(item, Hand) else tuple(item)
        _, events = engine.process(FrameResult(i, i * FRAME_MS, W, H, hands, False))
        found += [
            e.gesture for e in events if e.kind == "started" and e.gesture in DYNAMIC_GESTURES
        ]
    return found


@pytest.mark.parametrize("side", ["Right", "Left"])
@pytest.mark.parametrize(("distance", "px"), [(0.6, 30.0), (1.2, 15.0)])
@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        ((1, 0), "swipe_left"),  # image +x is the user's left (mirrored preview)
        ((-1, 0), "swipe_right"),
        ((0, -1), "swipe_up"),
        ((0, 1), "swipe_down"),
    ],
)
def test_every_direction_both_hands_near_and_far(side, distance, px, direction, expected):
    step = (direction[0] * px, direction[1] * px)
    start = (W / 2 - 4 * step[0], H / 2 - 4 * step[1])
    assert movements(_path(start, step, 8, distance=distance, side=side)) == [expected]


@pytest.mark.parametrize("sign", ["open_palm", "victory", "pointing_up", "four", "three"])
def test_natural_hand_shapes_swipe(sign):
    assert movements(_path((200.0, 240.0), (30.0, 0.0), 8, sign=sign)) == ["swipe_left"]


def test_flat_hand_held_sideways_swipes():
    sideways = rotation(yaw=70.0)
    assert movements(_path((440.0, 240.0), (-30.0, 0.0), 8, rot=sideways)) == ["swipe_right"]


def test_swipe_across_frames_where_the_hand_is_lost():
    frames: list = _path((150.0, 240.0), (35.0, 0.0), 8)
    frames[8] = frames[9] = None  # the tracker lost the blurred hand mid-swipe
    assert movements(frames) == ["swipe_left"]


def test_swipe_whose_hand_came_back_under_a_new_track_id():
    # Neither part alone travels far enough (1.4 and 0.7 palm sizes); together they do.
    first = _path((150.0, 240.0), (35.0, 0.0), 8)[:7]
    rest = _path((220.0 + 3 * 35.0, 240.0), (35.0, 0.0), 1, before=0, after=6, track_id=4)
    assert movements([*first, None, None, *rest]) == ["swipe_left"]


def test_one_swipe_when_the_tracker_gives_the_hand_a_new_id_far_ahead():
    # Lost after 4 fast frames (a swipe by then), found again too far ahead to be linked
    # (the tracker's new id), still moving the same way: one movement, one swipe.
    first: list = _path((150.0, 240.0), (40.0, 0.0), 4, after=0, distance=1.2)
    rest = _path((400.0, 240.0), (40.0, 0.0), 4, before=0, after=6, track_id=4, distance=1.2)
    assert movements([*first, None, *rest]) == ["swipe_left"]


def test_raised_hand_swung_down_and_lost_mid_frame_is_a_swipe():
    frames: list = _path((320.0, 120.0), (0.0, 40.0), 4, after=0)
    frames += [None] * 8  # hanging at the side, not found again
    assert movements(frames) == ["swipe_down"]


def test_one_swipe_per_movement_and_the_next_after_a_stop():
    there = _path((150.0, 240.0), (35.0, 0.0), 8)
    back = _path((430.0, 240.0), (-35.0, 0.0), 8, before=3)
    assert movements(there + back) == ["swipe_left", "swipe_right"]


def test_slow_drift_diagonal_and_small_moves_are_not_swipes():
    assert movements(_path((100.0, 240.0), (4.0, 0.0), 60)) == []
    assert movements(_path((200.0, 150.0), (25.0, 25.0), 8)) == []
    assert movements(_path((300.0, 240.0), (20.0, 0.0), 2)) == []


def test_hand_entering_view_is_not_a_swipe():
    # First seen at the frame's border, moving in.
    frames = _path((10.0, 240.0), (35.0, 0.0), 8, before=0)
    assert movements(frames) == []


def test_hand_leaving_view_is_not_a_swipe():
    frames: list = _path((400.0, 240.0), (40.0, 0.0), 6, after=0)
    frames += [None] * 8
    assert movements(frames) == []


def test_lowered_resting_arm_is_not_a_swipe():
    hanging = rotation(roll=180.0)  # fingers pointing down
    frames = _path((320.0, 150.0), (0.0, 35.0), 7, rot=hanging)
    assert movements(frames) == []


def test_sign_formed_while_moving_is_not_a_swipe():
    signs = ["fist"] * 7 + ["thumb_up"] * 11
    frames = _path((320.0, 100.0), (0.0, 35.0), 8, sign=signs)
    assert "swipe_down" not in movements(frames)


def test_a_drag_is_not_a_swipe():
    # The hand closes while still (80 ms from open to fist), then moves closed, fast.
    signs = ["open_palm"] * 5 + ["victory"] * 2 + ["fist"] * 16
    frames = _path((150.0, 240.0), (35.0, 0.0), 8, sign=signs, before=10)
    assert movements(frames) == ["drag"]


def test_a_hand_swung_while_it_blurs_into_a_fist_is_no_drag():
    # Open, then read as closed only while it moves fast (motion blur), open again.
    signs = ["open_palm"] * 5 + ["victory"] * 2 + ["fist"] * 4 + ["open_palm"] * 8
    frames = _path((150.0, 240.0), (35.0, 0.0), 6, sign=signs, before=5, after=8)
    assert "drag" not in movements(frames)


def test_two_hands_apart_are_a_zoom_not_swipes():
    left = _path((280.0, 240.0), (-25.0, 0.0), 7, side="Left", track_id=1)
    right = _path((360.0, 240.0), (25.0, 0.0), 7, side="Right", track_id=2)
    got = movements([list(pair) for pair in zip(left, right, strict=True)])
    assert got == ["zoom_in"]
    left = _path((110.0, 240.0), (25.0, 0.0), 7, side="Left", track_id=1)
    right = _path((530.0, 240.0), (-25.0, 0.0), 7, side="Right", track_id=2)
    assert movements([list(p) for p in zip(left, right, strict=True)]) == ["zoom_out"]


def test_engine_emits_a_swipe_as_started_and_ended_on_one_frame():
    engine = GestureEngine(hold_ms=150)
    events = []
    for i, hand in enumerate(_path((150.0, 240.0), (30.0, 0.0), 8)):
        events += engine.process(FrameResult(i, i * FRAME_MS, W, H, (hand,), False))[1]
    swipe = [(e.kind, e.gesture, e.frame_index) for e in events if e.gesture.startswith("swipe")]
    assert [k for k, _, _ in swipe] == ["started", "ended"]
    assert swipe[0][2] == swipe[1][2]
    assert np.isfinite(events[-1].timestamp_ms)
