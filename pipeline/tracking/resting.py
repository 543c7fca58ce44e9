"""Resting (power saving): while the tracked hands hold still, some frames report the last
frame's hands again without running a model (see
:attr:`pipeline.tracking.config.TrackerConfig.rest_speed`), and hands held still in place and pose
are *steady* (looked at less often, rest longer).

Pure functions of the tracker's state, called on the tracker's thread (``HandTracker.process``)
or on the thread that reads the frames (``HandTracker.wants_frame``). Times are frame times in
ms; speeds are in palm sizes a second.
"""

from __future__ import annotations

import time
from dataclasses import replace

from pipeline.tracking.config import TrackerConfig
from pipeline.tracking.track_guard import mean_distance
from pipeline.tracking.tracks import Track
from pipeline.types import FrameResult

# Whole-frame looks in a row that must find a hand in place and pose before it counts as
# steady (TrackerConfig.steady_distance).
STEADY_LOOKS = 2

# Frames this close (ms) to the frame before them may rest (TrackerConfig.rest_speed): at
# 25-30 fps, not at a slow machine's 15 fps or less.
REST_MAX_GAP_MS = 50.0
# Frames in a row that may rest (TrackerConfig.rest_speed) while every tracked hand is steady
# (sure, in place and pose at the last STEADY_LOOKS whole-frame looks) and moves slower than
# STEADY_REST_SPEED palm sizes a second; 1 otherwise. The fist video's thumb up, held, is then
# read on a third of its frames instead of half: 2-3 points of a core less (36.3/36.4% vs
# 39.8/38.5%, handcue bench --realtime --cpu). The speed bound keeps the resting to the calmer
# half of a held hand's jitter: at 2.5 a hand swaying at the end of that video was read into a
# fist after two rests (its landmark error there 0.02 -> 0.3 palm sizes); at 1.0 the reported
# landmarks (rested frames counted with the last reading, app.measure.trust at K = 1) move 4.75
# -> 5.07% of palm size from MediaPipe's, and no gesture changes.
STEADY_REST_FRAMES = 2
STEADY_REST_SPEED = 1.0


def may_rest(
    cfg: TrackerConfig,
    tracks: list[Track],
    *,
    steady: bool,
    allowed: bool,
    last_ms: float | None,
    t_ms: float,
    since_ms: float,
    rested: int,
) -> bool:
    """Whether the frame at ``t_ms`` may report the last one's hands again: the ``rested``
    frames rested since the frame read at ``since_ms`` are fewer than may rest in a row (1, or
    STEADY_REST_FRAMES while the hands are ``steady`` and slower than STEADY_REST_SPEED), the
    frames since it at most REST_MAX_GAP_MS apart, every one of ``tracks`` slower than
    ``rest_speed``. ``last_ms``: the last result's time (None: nothing read yet, no rest);
    ``allowed``: HandTracker.allow_rest."""
    still = steady and all(t.speed is not None and t.speed < STEADY_REST_SPEED for t in tracks)
    most = STEADY_REST_FRAMES if still else 1
    return (
        rested < most
        and allowed
        and cfg.rest_speed > 0
        and cfg.power_saving
        and not cfg.static_mode
        and last_ms is not None
        and 0 < t_ms - since_ms <= REST_MAX_GAP_MS * (rested + 1)
        and bool(tracks)
        and all(t.speed is not None and t.speed < cfg.rest_speed for t in tracks)
    )


def rested_result(
    last: FrameResult,
    frame_index: int,
    t_ms: float,
    size: tuple[int, int],
    t_start: float,
    timings: dict[str, float],
) -> FrameResult:
    """The result of a rested frame (no model run): ``last``'s hands as frame ``frame_index``
    at ``t_ms``; ``size`` the frame's (height, width), ``t_start`` its perf_counter start."""
    timings["rested"] = 1.0
    timings["total"] = (time.perf_counter() - t_start) * 1e3
    h, w = size
    return replace(
        last,
        frame_index=frame_index,
        timestamp_ms=float(t_ms),
        width=w,
        height=h,
        detector_ran=False,
        timings=timings,
    )


def hands_steady(cfg: TrackerConfig, tracks: list[Track], t_ms: float) -> bool:
    """Whether the tracked hands held still: every hand sure, found in place and pose by
    the last ``STEADY_LOOKS`` whole-frame looks in a row (a reading just after a change of
    pose is re-checked at the full rate: that is where a wrong reading locks in), and its
    points within ``steady_distance`` palm sizes of where the last look saw them."""
    if cfg.static_mode or not cfg.power_saving or not tracks or cfg.steady_distance <= 0:
        return False
    return all(
        t.unsure_until <= t_ms
        and t.calm_looks >= STEADY_LOOKS
        and t.look_points is not None
        and t.points is not None
        and mean_distance(t.look_points, t.points) < cfg.steady_distance
        for t in tracks
    )
