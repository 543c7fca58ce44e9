"""Second opinions (video mode): a hand new, found again or re-checked in a frame is read again
from its region turned by +-``TrackerConfig.second_opinion_deg``; the reading the landmark model
prefers stands, and readings that disagree leave the hand unsure (see
:attr:`pipeline.tracking.config.TrackerConfig.second_opinion_deg` and ``opinion_model``).

Called from ``HandTracker.process`` on the tracker's thread. Frames are (H, W, 3) uint8 BGR;
points are ``(21, >=2)`` arrays in pixels of the frame; times are frame times in ms.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from pipeline.tracking.config import TrackerConfig
from pipeline.tracking.landmark import LandmarkModel, LandmarkOutput
from pipeline.tracking.roi import landmarks_to_roi
from pipeline.tracking.track_guard import hand_shape, mean_distance, palm_size
from pipeline.tracking.tracks import Reading, Track, TrackBook


class SecondOpinion:
    """Asks ``opinion_model`` about the hands of a frame that are due a second opinion.
    ``tracking_model``: the landmark model that tracks (when ``opinion_model`` is another, it
    reads the hand's own region too, so presences compare within one model). ``book``: the
    tracker's tracks (its ``agreed`` set and ``confirm`` end doubts a re-check agreed with)."""

    def __init__(
        self,
        config: TrackerConfig,
        tracking_model: LandmarkModel,
        opinion_model: LandmarkModel,
        book: TrackBook,
    ) -> None:
        self.config = config
        self.tracking_model = tracking_model
        self.opinion_model = opinion_model
        self.book = book

    def review(
        self, bgr: np.ndarray, kept: list[Reading], t_ms: float, timings: dict[str, float]
    ) -> list[Reading]:
        """Hands new, found again or re-checked this frame read again from their region turned
        both ways; returns ``kept`` with the readings the landmark model prefers."""
        cfg = self.config
        due = [i for i, (t, r) in enumerate(kept) if self._due(t, r, t_ms)]
        if not due:
            return kept
        turn = math.radians(cfg.second_opinion_deg)
        seeds = []
        for i in due:
            own = landmarks_to_roi(kept[i][1].landmarks)
            seeds += [replace(own, rotation=own.rotation + turn * s) for s in (1, -1)]
        model = self.opinion_model
        first = model.run(bgr, seeds, timings)
        refined = model.run(bgr, [landmarks_to_roi(o.landmarks) for o in first], timings)
        out = list(kept)
        # Presence scores compare within one model: the opinion model reads the hand's own
        # region too when it is not the tracking model. Where the two models' readings of that
        # region disagree, the opinion model's stands (the hand becomes unsure); where they
        # agree the tracking model's own is kept (a pointer must not jump between two models).
        mine_of = {i: kept[i][1] for i in due}
        if model is not self.tracking_model:
            own_regions = [landmarks_to_roi(kept[i][1].landmarks) for i in due]
            for i, reading in zip(due, model.run(bgr, own_regions, timings), strict=True):
                mine_of[i] = reading
                if mean_distance(reading.landmarks, kept[i][1].landmarks) > cfg.disagree_distance:
                    out[i] = (kept[i][0], reading)
                    kept[i][0].doubt(t_ms, cfg.unsure_ms)
        for n, i in enumerate(due):
            track, mine = out[i][0], mine_of[i]
            others = [o for o in refined[2 * n : 2 * n + 2] if o.presence >= cfg.min_presence]
            if not others:
                self.book.confirm(track, t_ms)
                continue
            best = max(others, key=lambda o: o.presence)
            disagree = [o for o in others if self._disagree(o.landmarks, mine.landmarks)]
            if (
                any(o is best for o in disagree)
                and best.presence > mine.presence + cfg.switch_margin
            ):
                out[i] = (track, best)
                track.doubt(t_ms, cfg.unsure_ms)
            elif any(o.presence >= mine.presence - cfg.unsure_margin for o in disagree):
                track.doubt(t_ms, cfg.unsure_ms)
            else:
                self.book.confirm(track, t_ms)
        for i in due:
            track, reading = out[i]
            track.opinion_ms, track.opinion_shape = t_ms, hand_shape(reading.landmarks)
        return out

    def _disagree(self, a: np.ndarray, b: np.ndarray) -> bool:
        """Does the reading ``a`` disagree with the hand's own reading ``b``: points apart by
        more than ``disagree_distance`` palm sizes on average, or ``b``'s palm more than
        ``disagree_scale`` times the size of ``a``'s (see TrackerConfig.disagree_scale)."""
        cfg = self.config
        if mean_distance(a, b) > cfg.disagree_distance:
            return True
        return palm_size(b) > cfg.disagree_scale * max(palm_size(a), 1e-6)

    def _due(self, track: Track, reading: LandmarkOutput, t_ms: float) -> bool:
        """Whether a kept reading gets a second opinion this frame: a new hand, and a hand
        re-checked or found again this frame that is unsure, changed shape since its last
        opinion, or had none for ``steady_opinion_ms``."""
        cfg = self.config
        if track.track_id is None:
            return True
        if track.checked_ms != t_ms:
            # An unsure hand due a re-check that no fresh detection landed on (the palm
            # detector often misses a fist): the second opinion alone re-checks it.
            if (
                track.unsure_until > t_ms
                and not 0 <= t_ms - track.checked_ms < cfg.recheck_interval_ms
                and t_ms - track.unsure_since >= cfg.confirm_ms
            ):
                track.checked_ms = t_ms
                self.book.agreed.add(id(track))
                return True
            return False
        if (
            track.unsure_until > t_ms
            or track.opinion_shape is None
            or not 0 <= t_ms - track.opinion_ms < cfg.steady_opinion_ms
        ):
            return True
        change = np.linalg.norm(hand_shape(reading.landmarks) - track.opinion_shape, axis=1)
        return float(change.mean()) > cfg.opinion_change
