"""One Euro smoothing of landmarks."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.filters import OneEuroFilter, filter_for_strength


def test_first_value_passes_and_constant_stays() -> None:
    f = OneEuroFilter(1.0, 0.5)
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    for i in range(10):
        assert f(x, i * 33.0) == pytest.approx(x)


def test_jitter_on_a_still_point_is_reduced() -> None:
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 1.0, size=(300, 2))
    f = OneEuroFilter(*filter_for_strength(0.6))
    out = np.array([f(100 + n, i * 33.3, scale=50.0) for i, n in enumerate(noise)])
    assert out[50:].std() < 0.5 * noise[50:].std()


def test_fast_motion_passes_with_little_lag() -> None:
    # A swipe: 5 palm sizes (250 px) in 0.5 s.
    f = OneEuroFilter(*filter_for_strength(0.6))
    t = np.arange(0, 500, 33.3)
    xs = 250.0 * t / 500.0
    out = [f(np.array([x]), ti, scale=50.0)[0] for x, ti in zip(xs, t, strict=True)]
    assert xs[-1] - out[-1] < 0.3 * 50.0  # under a third of a palm behind


def test_stronger_setting_is_steadier() -> None:
    lo, hi = filter_for_strength(0.1), filter_for_strength(1.0)
    assert lo[0] > hi[0]


def test_time_going_backwards_restarts() -> None:
    f = OneEuroFilter(1.0, 0.0)
    f(np.array([0.0]), 0.0)
    f(np.array([10.0]), 33.0)
    assert f(np.array([50.0]), 10.0)[0] == 50.0
