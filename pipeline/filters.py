"""One Euro filter for landmark jitter (Casiez et al., CHI 2012): a low-pass filter whose
cut-off frequency rises with speed, so a still hand is steady and a moving one does not lag.

Speeds are measured in palm sizes per second, so the same setting behaves alike for a hand near
the camera and one across the room."""

from __future__ import annotations

import math

import numpy as np


def _alpha(cutoff_hz: float, dt_s: float) -> float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


class OneEuroFilter:
    """Filters an array of any fixed shape over time.

    ``min_cutoff_hz``: cut-off when still (lower = steadier); ``beta``: how fast the cut-off
    rises with speed; ``d_cutoff_hz``: smoothing of the speed estimate itself."""

    def __init__(self, min_cutoff_hz: float, beta: float, d_cutoff_hz: float = 1.0) -> None:
        self.min_cutoff = min_cutoff_hz
        self.beta = beta
        self.d_cutoff = d_cutoff_hz
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t_ms = 0.0

    def __call__(self, x: np.ndarray, t_ms: float, scale: float = 1.0) -> np.ndarray:
        """Filtered ``x`` at time ``t_ms``; ``scale`` divides speeds (e.g. the palm size)."""
        x = np.asarray(x, dtype=np.float64)
        if self._x is None or t_ms <= self._t_ms:
            self._x, self._dx, self._t_ms = x.copy(), np.zeros_like(x), t_ms
            return x.copy()
        dt = (t_ms - self._t_ms) / 1000.0
        dx = (x - self._x) / dt
        self._dx = self._dx + _alpha(self.d_cutoff, dt) * (dx - self._dx)  # type: ignore[operator]
        speed = np.abs(self._dx) / max(scale, 1e-9)
        cutoff = self.min_cutoff + self.beta * speed
        tau = 1.0 / (2.0 * math.pi * cutoff)
        a = 1.0 / (1.0 + tau / dt)
        self._x = self._x + a * (x - self._x)
        self._t_ms = t_ms
        return self._x.copy()


def filter_for_strength(strength: float) -> tuple[float, float]:
    """(min_cutoff_hz, beta) for a user setting 0..1 (0 is handled as "off" by the caller).

    0.1 -> 10 Hz (barely any smoothing), 0.5 -> ~2.6 Hz, 1 -> 0.5 Hz (very steady when still);
    beta stays high so fast moves (swipes) pass through without lag."""
    strength = min(max(strength, 0.0), 1.0)
    min_cutoff = 0.5 * 20.0 ** (1.0 - strength)
    return min_cutoff, 4.0
