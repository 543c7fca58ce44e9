"""The low-frame-rate trust table (python -m app.measure.trust): its scoring and its variants.
The tracking behaviour itself is tested on the real videos in
tests/pipeline/tracking/test_tracking_trust.py."""

from __future__ import annotations

import numpy as np
import pytest

from app.measure import trust as bench_trust
from app.measure.evaluation import ReferenceItem


def test_wrong_events_count_every_departure_from_the_expected_sequence() -> None:
    expected = ("fist", "thumb_up")
    assert bench_trust._wrong(["fist", "thumb_up"], expected) == 0
    assert bench_trust._wrong(["fist", "pointing_up", "thumb_up"], expected) == 1
    assert bench_trust._wrong(["fist", "fist", "thumb_up"], expected) == 1  # fired twice
    assert bench_trust._wrong(["thumb_up"], expected) == 1  # the fist never fired
    assert bench_trust._wrong(["thumb_up", "fist"], expected) == 1  # wrong order
    assert bench_trust._wrong(["victory", "ok"], expected) == 4  # two wrong, two missing
    assert bench_trust._wrong(["open_palm"], None) == 0  # landmarks-only video


def _video() -> tuple[list[np.ndarray], list[ReferenceItem]]:
    frames, refs = [], []
    for i in range(6):
        img = np.zeros((4, 10, 3), np.uint8)
        img[:, 0] = i  # frame number in the left column
        hand = np.zeros((21, 3))
        hand[:, 0] = 2.0  # x of every point
        frames.append(img)
        refs.append(ReferenceItem(10, 4, (hand,), frame=i))
    return frames, refs


def test_variants_step_flip_and_reverse_frames_with_their_reference() -> None:
    frames, refs = _video()
    out, hands = bench_trust._frames_of(frames, refs, "fist", 2)
    assert [int(f[0, 0, 0]) for f in out] == [0, 2, 4]
    out, hands = bench_trust._frames_of(frames, refs, "fist-backwards", 2)
    assert [int(f[0, 0, 0]) for f in out] == [5, 3, 1]
    out, hands = bench_trust._frames_of(frames, refs, "fist-flipped", 3)
    assert [int(f[0, -1, 0]) for f in out] == [0, 3]  # the left column is now on the right
    assert hands[0][0][:, 0] == pytest.approx(8.0)  # x mirrored in continuous pixels
    assert refs[0].hands[0][0, 0] == 2.0  # the reference itself is untouched


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--models", "huge"], "--models"),
        (["--steps", "0"], "--steps"),
        (["--steps", "two"], "--steps"),
        (["--data", "/nonexistent"], "shared data folder"),
    ],
)
def test_bad_options_give_a_message_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench_trust.main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
