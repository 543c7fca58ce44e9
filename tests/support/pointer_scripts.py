"""Scripted pointer paths for the pointing self-test whose Fitts figures are known analytically.

:func:`known_path` builds a :class:`pipeline.pointer.fitts.PointerScript` for a task area: a
hold-still phase whose samples sit at +-``jitter_px`` around the centre (RMS exactly
``jitter_px``), then every sequence of the task with constant movement time ``mt_ms`` and
end-points spread along each task axis by ``sd_frac`` x the target width: the deviations are a
fixed pseudo-random set scaled to mean 0 and sample SD exactly ``sd_frac * width``, so the
effective width is known (4.133 x SD). A perpendicular spread (half as large) makes some
clicks miss without changing We. :class:`KnownPath` keeps what the figures must be.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from pipeline.pointer.fitts import (
    EFFECTIVE_WIDTH_FACTOR,
    HOLD_MS,
    N_TARGETS,
    PointerScript,
    ScriptEvent,
    conditions_for,
    iso_order,
    target_centres,
)

SAMPLE_MS = 1000.0 / 30.0


def _standardised(n: int, rng: random.Random) -> list[float]:
    """``n`` values with mean exactly 0 and sample SD exactly 1."""
    z = [rng.gauss(0.0, 1.0) for _ in range(n)]
    mean = sum(z) / n
    z = [v - mean for v in z]
    sd = math.sqrt(sum(v * v for v in z) / (n - 1))
    return [v / sd for v in z]


@dataclass
class KnownPath:
    script: PointerScript
    expected_throughput: float
    expected_errors: int
    expected_trials: int
    mt_ms: float
    jitter_px: float
    per_condition_tp: list[float] = field(default_factory=list)


def known_path(
    width: int = 1024,
    height: int = 640,
    *,
    mt_ms: float = 900.0,
    sd_frac: float = 0.25,
    jitter_px: float = 1.2,
    seed: int = 7,
    gap_ms: float = 1200.0,
) -> KnownPath:
    rng = random.Random(seed)
    events: list[ScriptEvent] = []
    cx, cy = width / 2.0, height / 2.0
    # hold still: alternate +-jitter on x (mean 0, RMS = jitter); a little longer than needed
    t = 0.0
    i = 0
    while t <= HOLD_MS + 4 * SAMPLE_MS:
        events.append(ScriptEvent(t, cx + (jitter_px if i % 2 == 0 else -jitter_px), cy))
        t += SAMPLE_MS
        i += 1
    order = iso_order(N_TARGETS)
    n = len(order) - 1
    expected_tp = []
    errors = 0
    pos = (cx, cy)
    for cond in conditions_for(width, height):
        centres = target_centres((cx, cy), cond.distance, N_TARGETS)
        sd = sd_frac * cond.width
        along = _standardised(n, rng)
        across = _standardised(n, rng)
        t += gap_ms
        # the start selection: exactly on the first target (not scored)
        start = centres[order[0]]
        events += _move(pos, start, t - gap_ms, t)
        events.append(ScriptEvent(t, *start, click=True))
        pos = start
        chord = 0.0
        for k in range(1, n + 1):
            ax, ay = centres[order[k - 1]]
            bx, by = centres[order[k]]
            chord = math.hypot(bx - ax, by - ay)
            ux, uy = (bx - ax) / chord, (by - ay) / chord
            e, p = sd * along[k - 1], 0.5 * sd * across[k - 1]
            end = (bx + e * ux - p * uy, by + e * uy + p * ux)
            if math.hypot(e, p) > cond.width / 2.0:
                errors += 1
            events += _move(pos, end, t, t + mt_ms)
            t += mt_ms
            events.append(ScriptEvent(t, *end, click=True))
            pos = end
        we = EFFECTIVE_WIDTH_FACTOR * sd
        expected_tp.append(math.log2(chord / we + 1.0) / (mt_ms / 1000.0))
    script = PointerScript((width, height), tuple(events))
    return KnownPath(
        script=script,
        expected_throughput=sum(expected_tp) / len(expected_tp),
        expected_errors=errors,
        expected_trials=n * len(expected_tp),
        mt_ms=mt_ms,
        jitter_px=jitter_px,
        per_condition_tp=expected_tp,
    )


def _move(
    a: tuple[float, float], b: tuple[float, float], t0: float, t1: float
) -> list[ScriptEvent]:
    """Samples every SAMPLE_MS from ``a`` towards ``b`` (smooth start and stop), ``b`` at t1
    excluded (the click event puts the pointer there)."""
    out = []
    t = t0 + SAMPLE_MS
    while t < t1 - 1e-6:
        f = (t - t0) / (t1 - t0)
        f = f * f * (3 - 2 * f)
        out.append(ScriptEvent(t, a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f))
        t += SAMPLE_MS
    return out
