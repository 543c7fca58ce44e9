"""Drag, zoom, tap / double tap and circles on synthetic paths of hand samples (one sample per
frame, as the tracker and recogniser give them), through MotionGestures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipeline.gestures.motion import MotionConfig, MotionGestures
from pipeline.gestures.motion.paths import Sample
from pipeline.gestures.motion.shapes import (
    CircleDetector,
    DragDetector,
    TapDetector,
    ZoomConfig,
    one_hand_zoom,
)

FRAME_MS = 40.0
OPEN = ("straight",) * 5
FIST = ("bent",) * 5
POINT = ("bent", "straight", "bent", "bent", "bent")
L_SHAPE = ("straight", "straight", "bent", "bent", "bent")
HALF = ("half", "half", "half", "half", "half")


def sample(i, *, fingers=OPEN, gesture="none", centre=(320.0, 240.0), palm=50.0, pinch=0.9,
           reach=1.0, tip=None, raised=True):  # fmt: skip
    c = np.asarray(centre, dtype=float)
    return Sample(
        t=i * FRAME_MS, centre=c, palm=palm,
        tip=np.asarray(tip if tip is not None else c + (0.0, -palm), dtype=float),
        raised=raised, fingers=fingers, gesture=gesture, pinch=pinch, reach=reach,
        edge=4.0,
    )  # fmt: skip


# --------------------------------------------------------------------------------- drag
def drag_events(samples):
    det = DragDetector()
    return [(i, e) for i, s in enumerate(samples) if (e := det.update(1, s)) is not None]


def test_drag_starts_at_the_grab_and_ends_at_the_release():
    shapes = [OPEN] * 5 + [HALF] * 3 + [FIST] * 10 + [OPEN] * 3
    got = drag_events([sample(i, fingers=f) for i, f in enumerate(shapes)])
    assert got == [(9, "started"), (18, "ended")]


def test_fist_that_came_into_view_closed_or_closed_in_one_frame_is_no_drag():
    assert drag_events([sample(i, fingers=FIST) for i in range(20)]) == []
    cut = [OPEN] * 5 + [FIST] * 10  # open in one picture, a fist in the next
    assert drag_events([sample(i, fingers=f) for i, f in enumerate(cut)]) == []


def test_drag_ends_when_its_hand_is_lost():
    det = DragDetector()
    for i, f in enumerate([OPEN] * 3 + [HALF] * 3 + [FIST] * 4):
        det.update(1, sample(i, fingers=f))
    assert det.active(1)
    assert det.lost(1, 100.0) is False
    assert det.lost(1, 500.0) is True


# --------------------------------------------------------------------------------- zoom
@pytest.mark.parametrize(("pinches", "expected"), [
    ([0.3] * 3 + [0.5, 0.8, 1.1, 1.3, 1.35, 1.35], "zoom_in"),
    ([1.35] * 3 + [1.1, 0.7, 0.4, 0.25, 0.24, 0.24], "zoom_out"),
])  # fmt: skip
def test_thumb_and_index_spread_or_pinched_zoom(pinches, expected):
    path = [sample(i, fingers=L_SHAPE, pinch=p) for i, p in enumerate(pinches)]
    found = [one_hand_zoom(path[: k + 1], ZoomConfig()) for k in range(len(path))]
    names = [f[0] for f in found if f is not None]
    assert names and set(names) == {expected}
    # Not while the fingers are still moving: the first hit is after the gap stopped growing.
    first = next(k for k, f in enumerate(found) if f is not None)
    assert abs(path[first].pinch - path[first - 1].pinch) < 0.1


def test_open_hand_closing_is_no_zoom():
    pinches = [1.35] * 3 + [1.1, 0.7, 0.4, 0.25, 0.24]
    path = [sample(i, fingers=OPEN, pinch=p) for i, p in enumerate(pinches)]
    assert all(one_hand_zoom(path[: k + 1], ZoomConfig()) is None for k in range(len(path)))


# --------------------------------------------------------------------------------- taps
def taps(reaches, fingers=FIST, pinch=0.4):
    det = TapDetector()
    path, got = [], []
    for i, r in enumerate(reaches):
        path.append(sample(i, fingers=fingers, reach=r, pinch=pinch))
        if (name := det.update(1, path)) is not None:
            got.append(name)
    return got


def test_one_flick_is_a_tap_two_quick_ones_a_double_tap():
    flick = [-0.1, -0.1, 0.5, 0.6, 0.2, -0.1]
    assert taps([-0.1] * 3 + flick + [-0.1] * 20) == ["tap"]
    assert taps([-0.1] * 3 + flick + flick + [-0.1] * 5) == ["tap", "double_tap"]
    # Far apart in time: two taps.
    assert taps([-0.1] * 3 + flick + [-0.1] * 25 + flick) == ["tap", "tap"]


def test_finger_raised_and_held_or_thumb_spread_is_no_tap():
    assert taps([-0.1] * 3 + [0.5, 0.9, 1.0] + [1.0] * 20) == []  # pointing: raised, held
    flick = [-0.1, -0.1, 0.5, 0.6, 0.2, -0.1]
    assert taps([-0.1] * 3 + flick, pinch=1.3) == []  # thumb out: a zoom shape
    assert taps([-0.1] * 3 + flick, fingers=OPEN) == []  # an open hand


# ------------------------------------------------------------------------------- circles
def circle_path(clockwise_on_screen: bool, turns=1.1, n=30, radius=30.0):
    out = []
    for i in range(n):
        a = 2 * math.pi * turns * i / (n - 1)
        a = a if clockwise_on_screen else -a
        # Image y points down: increasing angle turns clockwise on screen.
        tip = (320 + radius * math.cos(a), 200 + radius * math.sin(a))
        out.append(sample(i, fingers=POINT, tip=tip))
    return out


@pytest.mark.parametrize(
    ("image_clockwise", "expected"), [(True, "circle_ccw"), (False, "circle_cw")]
)
def test_index_circle_direction_as_the_user_sees_it(image_clockwise, expected):
    # Clockwise in the raw camera image is counter-clockwise in the mirrored preview.
    det = CircleDetector()
    path = circle_path(image_clockwise)
    found = [det.update(path[: k + 1]) for k in range(len(path))]
    names = [f[0] for f in found if f is not None]
    assert names and set(names) == {expected}


def test_half_circle_small_wobble_or_bent_finger_is_no_circle():
    det = CircleDetector()
    assert det.update(circle_path(True, turns=0.5)) is None
    assert det.update(circle_path(True, radius=5.0)) is None
    bent = [sample(s.t / FRAME_MS, fingers=FIST, tip=s.tip) for s in circle_path(True)]
    assert det.update(bent) is None


def test_circle_fires_once_through_motion_gestures():
    from pipeline.types import FrameResult
    from tests.support.handmodel import SIGNS, make_hand

    motion = MotionGestures(MotionConfig())
    got = []
    for i in range(60):
        a = 2 * math.pi * i / 30.0
        hand = make_hand(SIGNS["pointing_up"], centre=(320 + 60 * math.cos(a), 260 + 60 * math.sin(a)),
                         track_id=1)  # fmt: skip
        frame = FrameResult(i, i * FRAME_MS, 640, 480, (hand,), False)
        events = motion.update(frame, {1: ("pointing_up", POINT)})
        got += [e.gesture for e in events if e.kind == "started"]
    assert got and set(got) == {"circle_ccw"}
    assert len(got) == 2  # two turns: two circles, not one per frame


def test_a_tip_jumping_between_three_places_is_no_circle():
    # A tracker that carries one id across cuts between photos: three still clusters around a
    # centre add up to a full turn in three jumps, but nothing went round.
    det = CircleDetector()
    places = [(380.0, 200.0), (320.0, 150.0), (260.0, 200.0), (320.0, 260.0), (381.0, 201.0)]
    path = [sample(i, fingers=POINT, tip=places[i // 12]) for i in range(60)]
    assert all(det.update(path[: k + 1]) is None for k in range(len(path)))
