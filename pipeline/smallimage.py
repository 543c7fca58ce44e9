"""Small photos: enlarge before detection, report the hands in the photo's own pixels.

The palm detector looks at a 192x192 letterboxed copy of the frame and wants room around a
hand; a small photo that a hand fills (the Chinese number photos are 64x64) gives it neither.
Such a photo is enlarged first: its short side scaled up to ``upscale`` pixels (bilinear) and
then padded on every side by ``pad`` times its size of repeated edge pixels (default 1, so a
64x64 photo becomes 768x768). The tracker runs on the enlarged picture and the landmarks are
mapped back, so callers see the hands in the pixels of the photo they gave.

Measured on the Chinese number photos (430, 64x64; whole-set figures with our tracker): a
hand is found on 95.6% of them with bilinear upscaling, 93.0% bicubic, 90.9% Lanczos; with
bicubic, 86% with half the padding, 75% with a quarter, 80% with grey instead of repeated edges.
The counts read on the found hands are the same within the spread of these choices (80-83% of
the found hands with the rules of the time), so the interpolation is chosen for finding hands.

The far-hand zoom tiles (:mod:`pipeline.tiles`; on for photos by default) are for hands too
small for the whole-picture detection. On an enlarged photo the whole picture is searched
first, alone; ``tracker`` then runs as configured (tiles included, while its palms are small:
pipeline.scheduling.SMALL_TRACKED_HAND) only when that found fewer than ``max_hands`` hands
and none of them is a close-up (its region spanning at least CLOSE_UP_FRACTION of the photo's
short side). On the Chinese number photos, hands found and counts read are the same without
the tiles (95.6% found, 85.2% of them counted right) and a photo takes 43 ms on average
(74 ms CPU) instead of 127 ms (188 ms CPU) with the tracker's own rule and 597 ms with the
tiles always run (25 more palm detections on the 768x768 picture): the palm regions of
the enlarged photos are often under the tracker's 30% of the picture's height while the hand
fills the photo. HaGRID photos shrunk to a short side of 240 or 160 px, people at a distance,
need the tiles: 60 and 56 of 62 hands found with them, 26 and 25 without (every fifth photo of
hagrid-dev; the same 60 and 56 with this rule). The largest tracked region there spans at
most 0.60 of the short side; on the Chinese photos the largest hand's region spans 0.61 of it
at least, 0.78 for 95% of them and 1.02 for half.

The enlarged photo is read once, from the region the tracker settles on. Other readings of
the same hand were measured and are not used, because none reads the Chinese numbers better
(411 found hands, Chinese rules of the time; the one reading: 85.2% counted right):

- the hand's region turned by +-90 degrees (as the video tracker's second opinion), each reading
  refined once on its own landmarks, keeping the reading the landmark model is most present in:
  78.6% (with the upright region refined once more among the choices 83.2%, with 180 degrees
  79.3%). The turned readings alone count 36-38% right: on a 64x64 photo the model does not
  recover from a quarter-turned start, yet is often sure of what it reads there;
- the mirrored photo through the whole tracker: 83.2% alone, 84.7% keeping the surer of the
  two readings; landmarks averaged over readings that agree (mean distance under 0.2-0.5 palm
  sizes; the mirrored reading and/or the region refined once and twice): 84.4-85.6%;
- the landmark model on other enlargements of the photo, same region: bicubic 81.8%, Lanczos
  81.3%, bilinear then unsharp mask 81.8%, Gaussian blur (sigma 2 px) 85.2%, local contrast
  equalisation (CLAHE) 78.3%, against 84.2% for bilinear read the same way.

Every one of them turns some wrong counts right and as many right ones wrong: 95.9% of the
found hands are counted right by at least one reading, but no rule picks that one. A count
that three readings agree on (this one, the region refined twice, the mirrored photo) is right
96.3% of the time, on 78% of the found hands. Taking, of these four readings (this one, the
region refined once and twice, the mirrored photo), one that shows a number, and among those
the one whose fingers are most clearly straight or bent (sum over the fingers of the larger
of HandPose.straight_conf and bent_conf), counts 88.1% right; that brings the counting rules
into this step and is not done.

Used by ``handcue detect`` and the counting evaluator (:mod:`pipeline.gestures.evaluate_counts`)
for any photo whose short side is under ``upscale``; larger photos pass through unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from pipeline.types import FrameResult, Hand

if TYPE_CHECKING:
    from pipeline.tracker import HandTracker

SMALL_SIDE_PX = 256  # photos with a shorter short side are enlarged to it
PAD_FRACTION = 1.0  # repeated-edge border on every side, in multiples of the enlarged size
# A hand whose region spans at least this fraction of the photo's short side makes the photo a
# close-up: the far-hand zoom tiles are not run on it (see the module docstring).
CLOSE_UP_FRACTION = 0.7


@dataclass(frozen=True)
class Enlargement:
    """How a photo was enlarged: enlarged pixel = ``scale`` * original pixel + ``(pad_x,
    pad_y)``; ``width`` / ``height`` are the original photo's."""

    scale: float
    pad_x: int
    pad_y: int
    width: int
    height: int

    def hand_to_original(self, hand: Hand) -> Hand:
        """``hand`` found on the enlarged picture, in the original photo's pixels (image
        landmarks x/y and z, which is in x's pixel scale, and the ROI; world landmarks are
        metric and stay)."""
        pts = np.array(hand.landmarks, dtype=np.float32, copy=True)
        pts[:, 0] = (pts[:, 0] - self.pad_x) / self.scale
        pts[:, 1] = (pts[:, 1] - self.pad_y) / self.scale
        pts[:, 2] = pts[:, 2] / self.scale
        roi = replace(
            hand.roi,
            cx=(hand.roi.cx - self.pad_x) / self.scale,
            cy=(hand.roi.cy - self.pad_y) / self.scale,
            width=hand.roi.width / self.scale,
            height=hand.roi.height / self.scale,
        )
        return replace(hand, landmarks=pts, roi=roi)


def enlarge(
    image: np.ndarray, upscale: int = SMALL_SIDE_PX, pad: float = PAD_FRACTION
) -> tuple[np.ndarray, Enlargement]:
    """``image`` (H, W, 3) uint8 with its short side scaled up to ``upscale`` pixels (bilinear;
    never down) and ``pad`` times its size of repeated edge pixels added on every side, and the
    :class:`Enlargement` that maps back."""
    import cv2

    h, w = image.shape[:2]
    scale = max(1.0, upscale / min(h, w))
    out = image
    if scale > 1.0:
        size = (round(w * scale), round(h * scale))
        out = cv2.resize(image, size, interpolation=cv2.INTER_LINEAR)
        scale_x = size[0] / w  # the exact factor after rounding (x and y differ by < 1 px)
    else:
        scale_x = 1.0
    ph = pw = 0
    if pad > 0:
        ph, pw = round(out.shape[0] * pad), round(out.shape[1] * pad)
        out = cv2.copyMakeBorder(out, ph, ph, pw, pw, cv2.BORDER_REPLICATE)
    return out, Enlargement(scale_x, pw, ph, w, h)


def is_small(image: np.ndarray, upscale: int = SMALL_SIDE_PX) -> bool:
    """True when ``image``'s short side is under ``upscale`` pixels."""
    return min(image.shape[:2]) < upscale


def whole_frame_tracker(tracker: HandTracker) -> HandTracker:
    """A static-mode tracker like ``tracker`` (same configuration and model sessions) that runs
    the palm detector on the whole picture only, without the far-hand zoom tiles; ``tracker``
    itself when it has none."""
    from pipeline.tracker import HandTracker

    if not tracker.config.far_hands:
        return tracker
    return HandTracker(
        replace(tracker.config, far_hands=False), tracker.palm_session, tracker.landmark_session
    )


def _close_up(result: FrameResult, how: Enlargement) -> bool:
    """True when a hand of ``result`` (found on the enlarged picture) has a region spanning at
    least :data:`CLOSE_UP_FRACTION` of the photo's short side."""
    short = how.scale * min(how.width, how.height)
    return any(h.roi.width >= CLOSE_UP_FRACTION * short for h in result.hands)


def process_photo(
    tracker: HandTracker, image: np.ndarray, timestamp: float = 0.0, upscale: int = SMALL_SIDE_PX
) -> FrameResult:
    """``tracker.process`` (a static-mode :class:`pipeline.tracker.HandTracker`) on one photo;
    a small photo (:func:`is_small`) is enlarged first and the result reported in its own
    pixels (width, height and landmarks of ``image``). Runs on the caller's thread.

    The enlarged photo is searched on the whole picture first; ``tracker`` with its far-hand
    zoom tiles (when it uses them) then runs on it unless that found a close-up hand or
    ``max_hands`` hands (see the module docstring)."""
    if not is_small(image, upscale):
        return tracker.process(image, timestamp)
    big, how = enlarge(image, upscale)
    result = whole_frame_tracker(tracker).process(big, timestamp)
    cfg = tracker.config
    if cfg.far_hands and len(result.hands) < cfg.max_hands and not _close_up(result, how):
        first = result.timings
        result = tracker.process(big, timestamp)
        keys = set(first) | set(result.timings)
        timings = {k: first.get(k, 0.0) + result.timings.get(k, 0.0) for k in keys}
        result = replace(result, timings=timings)
    hands = tuple(how.hand_to_original(h) for h in result.hands)
    return replace(result, width=how.width, height=how.height, hands=hands)
