"""Movements of the fingers: drag (grab ... release), zoom (thumb and index spread or pinch,
or two hands apart or together), tap / double tap (the index finger flicked out and back) and
circles (the index fingertip going round).

Each detector keeps its own state per track and is fed one :class:`~.paths.Sample` per hand
per frame by :class:`~.detector.MotionGestures`, which also decides which of them may fire.
Units as in :mod:`.paths`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.gestures.motion.paths import Sample, spans_to_end


# --------------------------------------------------------------------------------------- drag
@dataclass(frozen=True)
class DragConfig:
    """A drag starts when a hand seen open (three fingers straight) within ``open_within_ms``
    closes (four fingers curled) for ``closed_frames`` frames, having taken ``min_closing_ms``
    at least from open to closed (a hand open in one picture and closed in the next is a cut
    between two photos) with the hand nearly still (under ``max_grab_speed`` palm sizes a
    second from where it was open: a swung hand blurs into what reads as a fist), and ends
    when it opens again
    or when it has been lost for ``lost_ms``. A hand that comes into view already closed, or
    holds a fist it made long ago, starts no drag."""

    open_within_ms: float = 1500.0
    min_closing_ms: float = 80.0
    max_grab_speed: float = 3.0
    closed_frames: int = 2
    lost_ms: float = 400.0


@dataclass
class _DragState:
    open_ms: float = -math.inf  # when the hand was last seen open
    open_at: np.ndarray | None = None  # and where (its centre)
    closed_ms: float = -math.inf  # when its current run of closed samples began
    closed_run: int = 0
    active: bool = False


class DragDetector:
    def __init__(self, config: DragConfig | None = None) -> None:
        self.config = config or DragConfig()
        self._state: dict[int, _DragState] = {}

    def active(self, track_id: int) -> bool:
        state = self._state.get(track_id)
        return state is not None and state.active

    def update(self, track_id: int, sample: Sample) -> str | None:
        """``"started"`` at the grab, ``"ended"`` at the release, else None."""
        cfg = self.config
        state = self._state.setdefault(track_id, _DragState())
        if sample.open:
            state.open_ms, state.open_at, state.closed_run = sample.t, sample.centre, 0
            if state.active:
                state.active = False
                return "ended"
            return None
        if not sample.closed:
            state.closed_run = 0
            return None
        state.closed_run += 1
        if state.closed_run == 1:
            state.closed_ms = sample.t
        if (
            not state.active
            and state.closed_run >= cfg.closed_frames
            and sample.t - state.open_ms <= cfg.open_within_ms
            and state.closed_ms - state.open_ms >= cfg.min_closing_ms
            and self._grab_speed(state, sample) <= cfg.max_grab_speed
        ):
            state.active = True
            state.open_ms = -math.inf  # one drag per opening of the hand
            return "started"
        return None

    @staticmethod
    def _grab_speed(state: _DragState, sample: Sample) -> float:
        """Palm sizes a second from where the hand was last open to ``sample``."""
        if state.open_at is None or sample.t <= state.open_ms:
            return 0.0
        moved = float(np.linalg.norm(sample.centre - state.open_at)) / sample.palm
        return moved / ((sample.t - state.open_ms) / 1000.0)

    def lost(self, track_id: int, since_ms: float) -> bool:
        """The hand has been gone ``since_ms``: True when that ends its drag (forgotten)."""
        state = self._state.get(track_id)
        if state is None or since_ms < self.config.lost_ms:
            return False
        del self._state[track_id]
        return state.active

    def reset(self) -> list[int]:
        """Forget everything; the tracks whose drag was active."""
        active = [t for t, s in self._state.items() if s.active]
        self._state.clear()
        return active


# --------------------------------------------------------------------------------------- zoom
@dataclass(frozen=True)
class ZoomConfig:
    """One hand: thumb and index tips (``Sample.pinch``) move apart by ``min_change`` world
    palm sizes within ``max_duration_ms`` (zoom_in), or together (zoom_out), while the other
    three fingers stay curled and the thumb and index are straight at the spread end, over two
    frames at least that each change the gap by ``min_step``; the
    movement has ended when the last frame changed the gap by under ``end_fraction`` of the
    fastest step. Two hands: the distance between them grows (zoom_in) or shrinks (zoom_out)
    by the factor ``two_hand_factor`` within ``max_duration_ms``, both hands moving."""

    min_change: float = 0.35
    min_step: float = 0.05
    max_duration_ms: float = 700.0
    end_fraction: float = 0.3
    two_hand_factor: float = 1.6


def one_hand_zoom(path: Sequence[Sample], config: ZoomConfig) -> tuple[str, Sample] | None:
    """``("zoom_in" | "zoom_out", first sample)`` when ``path`` ends with a finished spread or
    pinch of thumb and index; None otherwise."""
    if len(path) < 2:
        return None
    end = path[-1]
    for start, span in spans_to_end(path, config.max_duration_ms):
        change = end.pinch - start.pinch
        if abs(change) < config.min_change:
            continue
        if not all(s.others_curled for s in span):
            continue
        spread = end if change > 0 else start
        if spread.fingers[0] != "straight" or spread.fingers[1] != "straight":
            continue
        sign = 1.0 if change > 0 else -1.0
        steps = [sign * (b.pinch - a.pinch) for a, b in zip(span[:-1], span[1:], strict=True)]
        if sum(v >= config.min_step for v in steps) < 2:
            continue  # one jump: a misread frame, not fingers moving
        if steps[-1] >= config.end_fraction * max(steps):
            continue  # still opening or closing
        return ("zoom_in" if change > 0 else "zoom_out"), start
    return None


def two_hand_zoom(
    a: Sequence[Sample], b: Sequence[Sample], config: ZoomConfig
) -> tuple[str, float] | None:
    """``("zoom_in" | "zoom_out", start time)`` when two hands' paths (their samples at the
    same frames, oldest first) end with them moved apart or together by ``two_hand_factor``,
    both moving, and the movement over."""
    times = sorted({s.t for s in a} & {s.t for s in b})
    if len(times) < 3:
        return None
    pa = {s.t: s for s in a}
    pb = {s.t: s for s in b}

    def gap(t: float) -> float:
        return float(np.linalg.norm(pa[t].centre - pb[t].centre))

    end_t = times[-1]
    for t0 in times[:-2]:
        if end_t - t0 > config.max_duration_ms:
            continue
        ratio = gap(end_t) / max(gap(t0), 1.0)
        if config.two_hand_factor > ratio > 1.0 / config.two_hand_factor:
            continue
        palm = (pa[t0].palm + pb[t0].palm) / 2.0
        moved = [float(np.linalg.norm(p[end_t].centre - p[t0].centre)) / palm for p in (pa, pb)]
        if min(moved) < 0.5:
            continue  # one hand still: the other is swiping or pointing
        last, before = gap(end_t), gap(times[-2])
        rate = abs(last - before)
        total = abs(last - gap(t0))
        if rate > 0.25 * total / max(len([t for t in times if t >= t0]) - 1, 1):
            continue  # still moving
        return ("zoom_in" if ratio > 1.0 else "zoom_out"), t0
    return None


# --------------------------------------------------------------------------------------- taps
@dataclass(frozen=True)
class TapConfig:
    """A tap: the index finger's reach (``Sample.reach``) rises by ``min_rise`` within
    ``rise_ms`` from a curled start (reach at most ``max_start``), then falls back by
    ``fall_fraction`` of that rise within ``fall_ms`` of its peak; middle, ring and little
    finger stay curled and the thumb does not spread from the index (``max_pinch`` world palm
    sizes: a spread thumb is a zoom), and the hand stays where it is (its centre within
    ``max_travel`` palm sizes of where the flick began: a hand moved while its fingers change
    is forming a sign), and the finger is seen out on two frames in a row at least (from about
    10 fps; one frame out is a misread). A tap that follows the last one's end within
    ``double_ms`` is a ``double_tap`` instead."""

    min_rise: float = 0.4
    max_start: float = 0.35
    rise_ms: float = 400.0
    fall_fraction: float = 0.4
    fall_ms: float = 400.0
    max_pinch: float = 1.0
    max_travel: float = 0.6
    double_ms: float = 700.0


@dataclass
class _TapState:
    last_tap_ms: float = -math.inf
    used_until: float = -math.inf  # samples before this belong to a tap already (its end may
    # start the next)


class TapDetector:
    def __init__(self, config: TapConfig | None = None) -> None:
        self.config = config or TapConfig()
        self._state: dict[int, _TapState] = {}

    def update(self, track_id: int, path: Sequence[Sample]) -> str | None:
        """``"tap"`` or ``"double_tap"`` when ``path`` ends with a finished flick."""
        cfg = self.config
        state = self._state.setdefault(track_id, _TapState())
        recent = [
            s
            for s in path
            if s.t >= state.used_until and path[-1].t - s.t <= cfg.rise_ms + cfg.fall_ms
        ]
        if len(recent) < 3:
            return None
        end = recent[-1]
        peak_i = int(np.argmax([s.reach for s in recent]))
        peak = recent[peak_i]
        if peak_i == 0 or peak_i == len(recent) - 1 or end.t - peak.t > cfg.fall_ms:
            return None
        before = [s for s in recent[:peak_i] if peak.t - s.t <= cfg.rise_ms]
        if not before:
            return None
        low = min(before, key=lambda s: s.reach)
        rise = peak.reach - low.reach
        if rise < cfg.min_rise or low.reach > cfg.max_start:
            return None
        if peak.reach - end.reach < cfg.fall_fraction * rise:
            return None
        span = [s for s in recent if s.t >= low.t]
        if not all(s.others_curled for s in span) or max(s.pinch for s in span) > cfg.max_pinch:
            return None
        if _run_around(recent, peak_i, low.reach + rise / 2.0) < 2:
            return None  # one frame out: a misread (a flick shows on 2+ frames from ~10 fps)
        palm = max(s.palm for s in span)
        if max(float(np.linalg.norm(s.centre - low.centre)) for s in span) > cfg.max_travel * palm:
            return None
        state.used_until = end.t
        double = end.t - state.last_tap_ms <= cfg.double_ms
        state.last_tap_ms = -math.inf if double else end.t
        return "double_tap" if double else "tap"

    def forget(self, track_id: int) -> None:
        self._state.pop(track_id, None)

    def reset(self) -> None:
        self._state.clear()


def _run_around(path: Sequence[Sample], i: int, level: float) -> int:
    """How many samples in a row around ``path[i]`` have a reach of ``level`` or more."""
    n = 0
    for j in range(i, -1, -1):
        if path[j].reach < level:
            break
        n += 1
    for j in range(i + 1, len(path)):
        if path[j].reach < level:
            break
        n += 1
    return n


# ------------------------------------------------------------------------------------ circles
@dataclass(frozen=True)
class CircleConfig:
    """The index fingertip, with the index straight, goes round ``min_turn_deg`` about the
    centre of its path within ``max_duration_ms``, at ``min_radius`` palm sizes or more and
    about evenly (radius spread under ``max_radius_spread`` of the mean) in steps of at most
    ``max_step_deg`` through six eighths of the circle at least; the hand itself stays
    put (the palm centre's own path is under ``max_palm_travel`` palm sizes across)."""

    min_turn_deg: float = 320.0
    max_step_deg: float = 90.0
    max_duration_ms: float = 2500.0
    min_radius: float = 0.35
    max_radius_spread: float = 0.45
    max_palm_travel: float = 3.0


@dataclass
class CircleDetector:
    config: CircleConfig = field(default_factory=CircleConfig)

    def update(self, path: Sequence[Sample]) -> tuple[str, float] | None:
        """``("circle_cw" | "circle_ccw", start time)`` when ``path`` ends a full circle of
        the index fingertip. Clockwise as the user sees it in the mirrored preview."""
        cfg = self.config
        end = path[-1] if path else None
        if end is None:
            return None
        span = [s for s in path if end.t - s.t <= cfg.max_duration_ms]
        # Only the run of samples with the index straight, up to now.
        run: list[Sample] = []
        for s in span:
            run = [*run, s] if s.fingers[1] == "straight" else []
        if len(run) < 8:
            return None
        step = max(1, len(run) // 12)  # a dozen spans at most: this runs every frame
        for i in range(len(run) - 8, -1, -step):
            part = run[i:]
            tips = np.array([s.tip for s in part])
            palm = float(np.median([s.palm for s in part]))
            centre = tips.mean(axis=0)
            radii = np.linalg.norm(tips - centre, axis=1) / palm
            if radii.mean() < cfg.min_radius:
                continue
            if radii.std() > cfg.max_radius_spread * radii.mean():
                continue
            palms = np.array([s.centre for s in part])
            if float(np.ptp(palms, axis=0).max()) / palm > cfg.max_palm_travel:
                continue
            raw = np.arctan2(tips[:, 1] - centre[1], tips[:, 0] - centre[0])
            angles = np.unwrap(raw)
            turn = math.degrees(float(angles[-1] - angles[0]))
            if abs(turn) < cfg.min_turn_deg:
                continue
            # Round, not a few jumps: small steps that pass through most of the circle (a
            # tracker jumping between two or three places can add up to a full turn).
            if float(np.abs(np.diff(angles)).max()) > math.radians(cfg.max_step_deg):
                continue
            if len(set((np.floor(np.degrees(raw) / 45.0) % 8).astype(int))) < 6:
                continue
            # Image y points down, so a positive turn is clockwise in the raw image, which is
            # counter-clockwise in the mirrored preview the user sees.
            return ("circle_ccw" if turn > 0 else "circle_cw"), part[0].t
        return None
