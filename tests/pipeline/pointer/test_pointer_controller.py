"""Pointer mode's state machine on landmark sequences built from real HaGRID hands (see
sequences.py): movement, clutch, pinch click / drag / double / right, scroll, dwell, takeback
and every release path."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from pipeline.pointer import (
    Desktop,
    PointerController,
    PointerDriver,
    PointerSettings,
    RecordingPointerSink,
)
from tests.support.pointer_sequences import H, Poses, W, frames

pytestmark = pytest.mark.realdata

DESK = Desktop.single(1920, 1080)


@pytest.fixture(scope="module")
def poses(shared_data: Path) -> Poses:
    return Poses(shared_data)


def run(driver: PointerDriver, results, active: bool = True) -> None:
    for r in results:
        driver.step(r, active=active)


def moves(sink: RecordingPointerSink) -> list[tuple[int, int]]:
    return [(c[1], c[2]) for c in sink.calls if c[0] == "move"]


def not_moves(sink: RecordingPointerSink) -> list[tuple]:
    return [c for c in sink.calls if c[0] != "move"]


def make(**kw) -> tuple[PointerDriver, RecordingPointerSink]:
    sink = RecordingPointerSink()
    return PointerDriver(sink, PointerSettings(**kw), DESK), sink


def test_still_hand_with_landmark_noise_keeps_the_pointer_still(poses: Poses) -> None:
    driver, sink = make()
    rng = np.random.default_rng(1)
    # 0.5 px RMS landmark noise: more than the tracker shows on a still real hand
    noisy = [poses.open + rng.normal(0, 0.5, poses.open.shape) for _ in range(90)]
    run(driver, frames(noisy))
    pts = np.array(moves(sink)[5:] or [moves(sink)[-1]], dtype=float)
    # after settling the dead zone holds the pointer: (almost) no moves, sub-pixel spread
    assert len(moves(sink)) < 15
    assert float(np.sqrt(((pts - pts.mean(axis=0)) ** 2).sum(axis=1).mean())) <= 1.0
    assert not not_moves(sink)


def test_absolute_mapping_is_mirrored_and_reaches_the_corners(poses: Poses) -> None:
    driver, sink = make(dead_zone_px=0.0, min_cutoff_hz=30.0, beta=0.0)
    area = driver.controller.settings.active_area
    centre = poses.open[[0, 5, 9, 13, 17], :2].mean(axis=0)
    # hand anchor beyond the active area's top-left corner of the image -> top-RIGHT of desk
    far = (area.left * W - 40 - centre[0], area.top * H - 40 - centre[1])
    run(driver, frames([poses.open] * 60, [far] * 60))
    assert moves(sink)[-1] == (1919, 0)
    near = (area.right * W + 40 - centre[0], area.bottom * H + 40 - centre[1])
    run(driver, frames([poses.open] * 60, [near] * 60, start=60))
    assert moves(sink)[-1] == (0, 1079)


def pinch_sequence(poses: Poses, hold_frames: int, target=None) -> list[np.ndarray]:
    """Open 20 frames, fingers close over 5 frames, held, open over 3 frames, open 10."""
    target = poses.ok if target is None else target
    closing = [poses.blend(poses.open, target, k) for k in np.linspace(0.2, 1.0, 5)]
    opening = [poses.blend(target, poses.open, k) for k in np.linspace(0.3, 1.0, 3)]
    return [poses.open] * 20 + closing + [target] * hold_frames + opening + [poses.open] * 10


def test_pinch_clicks_where_the_pointer_was_when_the_fingers_began_to_close(
    poses: Poses,
) -> None:
    driver, sink = make()
    seq = pinch_sequence(poses, hold_frames=3)
    # the hand drifts 2 px per frame sideways while the fingers close (as real hands do)
    shifts = [(0.0, 0.0)] * 20 + [(2.0 * i, 0.0) for i in range(1, len(seq) - 19)]
    run(driver, frames(seq, shifts))
    calls = sink.calls
    clicks = [i for i, c in enumerate(calls) if c[0] == "click"]
    assert [calls[i] for i in clicks] == [("click", "left", 1)]
    aimed = [c for c in calls[: clicks[0]] if c[0] == "move"]
    # the pointer position at the click = where it was before the fingers started closing
    still = _position_after_frames(poses, seq[:20], shifts[:20])
    click_at = aimed[-1][1:]
    assert math.dist(click_at, still) <= 3.0, (click_at, still)
    assert not [c for c in calls if c[0] in ("press", "release")]


def _position_after_frames(poses: Poses, seq, shifts) -> tuple[int, int]:
    driver, sink = make()
    run(driver, frames(seq, shifts))
    return moves(sink)[-1]


def test_pinch_held_longer_than_drag_time_drags(poses: Poses) -> None:
    driver, sink = make()
    seq = pinch_sequence(poses, hold_frames=30)  # 1 s at 30 fps
    shifts = [(0.0, 0.0)] * 30 + [(-4.0 * i, 0.0) for i in range(1, len(seq) - 29)]
    run(driver, frames(seq, shifts))
    kinds = [c[0] for c in not_moves(sink)]
    assert kinds == ["press", "release"]
    press = sink.calls.index(("press", "left"))
    release = sink.calls.index(("release", "left"))
    dragged = [c for c in sink.calls[press:release] if c[0] == "move"]
    # hand moved left in the image = pointer moves right (mirrored) while the button is down
    assert dragged and dragged[-1][1] - moves(sink)[0][0] > 50
    assert not sink.held


def test_double_pinch_double_clicks_on_the_same_point(poses: Poses) -> None:
    driver, sink = make()
    one = pinch_sequence(poses, hold_frames=2)
    two = one[20:]  # second pinch right after the first
    run(driver, frames(one[:-8] + two))
    clicks = [c for c in sink.calls if c[0] == "click"]
    assert clicks == [("click", "left", 1)] * 2
    at = [sink.calls[i - 1] for i, c in enumerate(sink.calls) if c[0] == "click"]
    positions = {m[1:] for m in at if m[0] == "move"}
    assert len(positions) <= 1


def test_thumb_middle_pinch_right_clicks(poses: Poses) -> None:
    driver, sink = make()
    run(driver, frames(pinch_sequence(poses, hold_frames=3, target=poses.right)))
    assert not_moves(sink) == [("click", "right", 1)]


def test_two_finger_pinch_and_move_scrolls_and_does_not_click(poses: Poses) -> None:
    driver, sink = make()
    seq = pinch_sequence(poses, hold_frames=30, target=poses.two)
    # hand moves up 3 px per frame while pinched (palm size 90 px)
    shifts = [(0.0, 0.0)] * 27 + [(0.0, -3.0 * i) for i in range(1, 28)]
    shifts += [(0.0, -81.0)] * (len(seq) - len(shifts))
    run(driver, frames(seq, shifts))
    other = not_moves(sink)
    assert other and all(c[0] == "scroll" for c in other)
    total_up = sum(c[2] for c in other)
    assert total_up == pytest.approx(81 / 90 / 0.15, abs=1.5)
    assert all(c[1] == 0 for c in other)


def test_fist_clutch_stops_the_pointer_and_relative_mode_resumes_there(poses: Poses) -> None:
    driver, sink = make(mapping="relative")
    path = [(0.0, 0.0)] * 10 + [(-3.0 * i, 0.0) for i in range(1, 21)]  # move right on screen
    run(driver, frames([poses.open] * 30, path))
    before = moves(sink)[-1]
    assert before[0] > 960 + 20
    # fist, the hand moves back to where it started, the pointer stays
    back = [(-60.0 + 3.0 * i, 0.0) for i in range(1, 21)]
    n = len(sink.calls)
    run(driver, frames([poses.fist] * 20, back, start=30))
    assert not moves_after(sink, n)
    assert driver.state.mode == "clutched"
    # open again: moving right continues from the same point
    n = len(sink.calls)
    run(driver, frames([poses.open] * 20, [(-3.0 * i, 0.0) for i in range(20)], start=50))
    after = moves_after(sink, n)
    assert after and after[0][0] >= before[0] - 3 and after[-1][0] > before[0] + 20


def moves_after(sink: RecordingPointerSink, n: int) -> list[tuple[int, int]]:
    return [(c[1], c[2]) for c in sink.calls[n:] if c[0] == "move"]


def test_dwell_clicks_once_after_the_pointer_rests(poses: Poses) -> None:
    driver, sink = make(dwell_click=True, dwell_ms=600)
    path = [(-2.0 * i, 0.0) for i in range(30)] + [(-58.0, 0.0)] * 40  # move, then rest 1.3 s
    progress = []
    for r in frames([poses.open] * 70, path):
        driver.step(r)
        progress.append(driver.state.dwell_progress)
    assert not_moves(sink) == [("click", "left", 1)]
    assert max(progress) == 1.0 or progress[-1] == 0.0
    assert any(0.3 < p < 0.9 for p in progress)
    # no dwell click without a dwell setting
    driver, sink = make()
    run(driver, frames([poses.open] * 70, path))
    assert not not_moves(sink)


@pytest.mark.parametrize("how", ["hand lost", "disarmed", "takeback", "close"])
def test_a_held_drag_is_released(poses: Poses, how: str) -> None:
    driver, sink = make()
    seq = [poses.open] * 20 + [poses.ok] * 20
    run(driver, frames(seq))
    assert sink.held == ["left"]
    if how == "hand lost":
        run(driver, frames([None], start=40))
    elif how == "disarmed":
        run(driver, frames([poses.ok], start=40), active=False)
    elif how == "takeback":
        sink.position = (sink.position[0] + 100, sink.position[1])
        run(driver, frames([poses.ok], start=40))
    else:
        driver.close()
    assert sink.held == []
    assert sink.calls[-1] == ("release", "left")


def test_manual_takeback_pauses_the_hand_pointer(poses: Poses) -> None:
    driver, sink = make(takeback_ms=1000)
    run(driver, frames([poses.open] * 10))
    sink.position = (100, 100)  # the physical mouse moved
    n = len(sink.calls)
    path = [(-5.0 * i, 0.0) for i in range(1, 30)]  # hand moves for ~1 s
    run(driver, frames([poses.open] * 29, path, start=10))
    assert not moves_after(sink, n)
    assert driver.state.mode == "takeback"
    run(driver, frames([poses.open] * 10, [(-150.0, 0)] * 10, start=39))
    assert moves_after(sink, n)
    assert driver.state.mode == "tracking"


def test_no_hand_and_disabled_do_nothing(poses: Poses) -> None:
    driver, sink = make()
    run(driver, frames([None] * 5))
    assert driver.state.mode == "no_hand" and not sink.calls
    driver.set_enabled(False)
    run(driver, frames([poses.open] * 5))
    assert not sink.calls and driver.state.mode == "off"


def test_only_the_chosen_hand_drives(poses: Poses) -> None:
    controller = PointerController(PointerSettings(hand="left"), DESK)
    for r in frames([poses.open] * 5):  # the sequence's hands are right hands
        assert controller.step(r) == []
    assert controller.state.mode == "no_hand"
