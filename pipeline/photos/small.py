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

The far-hand zoom tiles (:mod:`pipeline.tracking.tiles`; on for photos by default) are for hands too
small for the whole-picture detection. On an enlarged photo the whole picture is searched
first, alone; ``tracker`` then runs as configured (tiles included, while its palms are small:
pipeline.tracking.scheduling.SMALL_TRACKED_HAND) only when that found fewer than ``max_hands`` hands
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
at least, 0.78 for 95% of them and 1.02 for half. Photos with a short side under
``TILES_MIN_SIDE_PX`` (128) are never searched with the tiles: on the 64x64 Chinese photos they
still ran where the whole picture found no hand (5 of every fourth photo, 108) and never found
one there; a hand only a tile finds would span a few of the photo's pixels. One reading then
takes 15 ms a photo instead of 26 ms (every fourth photo), with the same hands found and the
same counts read (95.6%, 85.2%).

Views. One reading of a 64 px hand is fragile: the landmark model reads it differently when its
region turns or shifts a little, and each way of reading it gets some photos right that the
others get wrong. With a chooser (``handcue detect``, the app's image view and the counting
evaluator pass :func:`pipeline.photos.views.count_vote`) each hand of an enlarged photo is
read in 51 views: the tracker's own reading, then, on a brightened copy of the enlarged photo
(its border of repeated edge pixels replaced by the photo's mean colour, :func:`flat_border`),
its region as it is, turned by -30 to 30 degrees in 10-degree steps at 0.85, 1 and 1.15 times
its size (21 with the region itself) and moved by 8% of its size up, down, left and right (4),
and those 25 again on the mirrored copy, flipped back. The hand is reported as a view showing
the number most views show, when at least a fifth show it, each view's vote weighted by the
landmark model's presence score for it (see :mod:`pipeline.photos.views` for the weights and
which view), and with the tracker's own presence score.

Chinese number photos (411 found hands, the rules of 2026-12), counted right:

- the one reading 85.2% (MediaPipe's own landmarks, with our rules, on the same enlarged photos:
  85.2% too);
- 50 views on the enlarged photo itself (the first version of this): 89.3%; 98.3% of the found
  hands have at least one view counted right;
- the 100 views on the blurred and the brightened copies, weighted by their presence scores:
  92.0% (equal votes: 91.0%); read on those copies with a flat border instead of the repeated
  edges: 93.4%. The repeated edge pixels draw streaks from a hand that touches the photo's edge,
  which the landmark model reads as fingers (a 4 whose wrist streaks out beside it read as 5);
  with the border in the photo's mean colour a single view is right 82.4% of the time instead of
  80.7% (mirrored edges instead: 79.4%, their vote 90.3%; mid grey instead of the mean colour:
  the same 93.4%, so it is the flat border that counts, not its colour). It put 7 hands right
  and 1 wrong, from 8 different source photos; on 20 random halves of the source photos it was
  never worse (0.0 to +2.0 points, +1.2 on average). The palm detector still searches the photo
  with repeated edges, on which it finds the most hands. The pictures were chosen (with equal
  votes and repeated edges) among six (the photo itself, blurred with sigma 1.5 or 3 px, bicubic
  enlargement, gamma 0.7 and 1.4), every set of up to three and all six: 86.4-91.2%. Chosen on
  half of the source photos and measured on the other half (20 random halvings), the best set
  gained 0.0-1.9 points over the photo itself, 1.2 on average; blurred + brightened was chosen
  11 times;
- the 50 views on the brightened copy alone (with the flat border and the weighted vote, as
  now): 94.2%, at half the cost (0.27 s a photo instead of 0.49 s). Eight pictures were read
  alone in 50 views each: brightened 387 of 411 hands, blurred (sigma 1.5 px), blurred and
  brightened, edge-preserving (bilateral) 382, median-filtered (7 px) and more saturated 379,
  non-local-means denoised 377, grey 345; every pair and triple of them 372-386 (blurred and
  brightened together, the set before: 384). So the choice among these pictures is within the
  spread (382-387 for all but grey) and the cheaper set is used. The 25 views of one side only
  count 376-381; turns of at most 20 degrees, no moves, or only the scales 0.85 and 1: 376-384.

Measured and not used: no share floor (+0.7 points at 50 views, but a number one view in 50
shows would win); the turned views alone or the moved ones alone (88.6-89.5% at 50 views); the
views' landmarks averaged (mean or median per point, the reading nearest to all others:
84.2-86.9%), so the vote is on the number, not on the points; views of the region refined on the
first reading added (+1.0 points, twice the cost); the lite landmark model's views (82.5% alone,
88.1% with the full model's). With the presence-weighted vote (92.0% on the 100 views): each
view refined once on its own reading (the landmark model run again on the region its landmarks
give, as tracking does) makes single views right more often (85.0% of views instead of 80.7%)
but the refined views agree on the same mistakes: their vote 90.5%, both sets together 91.0%; a
larger set of views (turns up to 40 degrees, scales 0.8-1.2, moves of 15%, the plain enlarged
photo as a third picture; up to 319 views) counts 369-377 of the 411 hands where the
like-for-like set counts 373; views weighted down by how far their bone lengths are from a
typical hand's, or only the 5-75 surest views: no gain (88.6-91.5%); the finger measures (curls,
thumb placement, tip heights) averaged over the views and judged once: 88.1%; regions stretched
to other aspect ratios (0.75-1.15 of the width or the height, 112 views): single views right
72.9% of the time, their vote 88.3%, with the 100 views 90.8%. 101 views took about 0.45 s a
photo on 2 cores (four batched landmark model calls); the 51 views of now take half that.

Single other readings were measured earlier; none reads the Chinese numbers clearly better than
the tracker's own (the rules of 2026-11; the one reading: 85.2% counted right):

- the hand's region turned by +-90 degrees (as the video tracker's second opinion), each reading
  refined once on its own landmarks, keeping the reading the landmark model is most present in:
  78.6%. On a 64x64 photo the model does not recover from a quarter-turned start, yet is often
  sure of what it reads there (so the views turn by at most 30 degrees);
- the mirrored photo through the whole tracker: 83.2% alone, 84.7% keeping the surer of the two
  readings;
- the landmark model on other enlargements of the photo, same region: bicubic 81.8%, Lanczos
  81.3%, bilinear then unsharp mask 81.8%, Gaussian blur (sigma 2 px) 85.2%, local contrast
  equalisation (CLAHE) 78.3%; the region scaled by 0.8, 0.9, 1.1 or 1.25: 69.3%, 77.9%, 85.9%
  and 82.5%.

Used by ``handcue detect`` and the counting evaluator (:mod:`app.measure.counts`)
for any photo whose short side is under ``upscale``; larger photos pass through unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from pipeline.types import FrameResult, Hand, RotatedRect

if TYPE_CHECKING:
    from pipeline.tracking.tracker import HandTracker

# Picks one of a hand's readings (views): given the readings, in the photo's own pixels and the
# tracker's own first, and the photo's (width, height), returns the index of the one to report.
ViewChooser = Callable[[Sequence[Hand], tuple[int, int]], int]

SMALL_SIDE_PX = 256  # photos with a shorter short side are enlarged to it
PAD_FRACTION = 1.0  # repeated-edge border on every side, in multiples of the enlarged size
# A hand whose region spans at least this fraction of the photo's short side makes the photo a
# close-up: the far-hand zoom tiles are not run on it (see the module docstring).
CLOSE_UP_FRACTION = 0.7
# Photos with a shorter short side are never searched with the far-hand zoom tiles: a hand
# small enough to need them there spans a few pixels (see the module docstring).
TILES_MIN_SIDE_PX = 128
# Other views of a hand on an enlarged photo (see "Views" in the module docstring): its region
# turned by these angles (degrees) and scaled by these factors, every pair of them, and moved
# by VIEW_SHIFT of its size up, down, left and right; the same again on the mirrored photo.
VIEW_TURNS_DEG = (-30.0, -20.0, -10.0, 0.0, 10.0, 20.0, 30.0)
VIEW_SCALES = (0.85, 1.0, 1.15)
VIEW_SHIFT = 0.08
# The picture the views are read on (see "Views" in the module docstring): the enlarged photo
# brightened (gamma: out = in ** VIEW_GAMMA on 0..1, lifting the shadows).
VIEW_GAMMA = 0.7


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
    from pipeline.tracking.tracker import HandTracker

    if not getattr(getattr(tracker, "config", None), "far_hands", False):
        return tracker
    return HandTracker(
        replace(tracker.config, far_hands=False), tracker.palm_session, tracker.landmark_session
    )


def _close_up(result: FrameResult, how: Enlargement) -> bool:
    """True when a hand of ``result`` (found on the enlarged picture) has a region spanning at
    least :data:`CLOSE_UP_FRACTION` of the photo's short side."""
    short = how.scale * min(how.width, how.height)
    return any(h.roi.width >= CLOSE_UP_FRACTION * short for h in result.hands)


def view_regions(roi: RotatedRect) -> list[RotatedRect]:
    """The regions of a hand's other views on one picture (:data:`VIEW_TURNS_DEG` x
    :data:`VIEW_SCALES`, then the four :data:`VIEW_SHIFT` moves), ``roi`` itself left out."""
    out = []
    for turn in VIEW_TURNS_DEG:
        for scale in VIEW_SCALES:
            if turn == 0.0 and scale == 1.0:
                continue
            out.append(
                replace(
                    roi,
                    width=roi.width * scale,
                    height=roi.height * scale,
                    rotation=roi.rotation + math.radians(turn),
                )
            )
    c, s = math.cos(roi.rotation), math.sin(roi.rotation)
    for dx, dy in ((VIEW_SHIFT, 0.0), (-VIEW_SHIFT, 0.0), (0.0, VIEW_SHIFT), (0.0, -VIEW_SHIFT)):
        ox, oy = dx * roi.width, dy * roi.height  # along the region's own axes
        out.append(replace(roi, cx=roi.cx + ox * c - oy * s, cy=roi.cy + ox * s + oy * c))
    return out


def _mirrored(roi: RotatedRect, width: int) -> RotatedRect:
    """``roi`` of a picture ``width`` pixels wide, on the picture flipped left to right."""
    return replace(roi, cx=width - 1 - roi.cx, rotation=-roi.rotation)


def flat_border(picture: np.ndarray, how: Enlargement) -> np.ndarray:
    """``picture`` (enlarged by :func:`enlarge` as ``how`` says) with its border of repeated
    edge pixels replaced by the photo's mean colour. The palm detector finds hands best on
    repeated edges, but the landmark model reads the streaks they draw from a hand touching the
    photo's edge (a wrist, a finger cut off) as fingers: the views are read on this picture
    (see "Views" in the module docstring)."""
    out = np.array(picture, copy=True)
    h, w = out.shape[:2]
    py, px = how.pad_y, how.pad_x
    if py == 0 and px == 0:
        return out
    mean = picture[py : h - py, px : w - px].reshape(-1, picture.shape[2]).mean(axis=0)
    colour = np.round(mean).astype(picture.dtype)
    out[:py] = colour
    out[h - py :] = colour
    out[:, :px] = colour
    out[:, w - px :] = colour
    return out


def view_pictures(picture: np.ndarray) -> list[np.ndarray]:
    """The pictures a hand's views are read on: ``picture`` brightened by :data:`VIEW_GAMMA`
    (one picture; see "Views" in the module docstring for the others measured)."""
    import cv2

    levels = np.arange(256, dtype=np.float64) / 255.0
    lut = np.clip(np.round(255.0 * levels**VIEW_GAMMA), 0, 255).astype(np.uint8)
    return [cv2.LUT(picture, lut)]


def read_views(tracker: HandTracker, picture: np.ndarray, hand: Hand) -> list[Hand]:
    """``hand`` (found by ``tracker`` on ``picture``, in its pixels) read again by the landmark
    model: on each of :func:`view_pictures`, its region and :func:`view_regions` of it, and the
    same on that picture mirrored. ``hand`` first, then 50 readings in ``picture``'s pixels
    (mirrored ones flipped back); each has the landmark model's presence score for its own
    reading as ``score`` and keeps ``hand``'s handedness, track id and region."""
    width = picture.shape[1]
    regions = [hand.roi, *view_regions(hand.roi)]
    mirror = [_mirrored(r, width) for r in regions]
    views = [hand]
    for seen in view_pictures(picture):
        flipped = np.ascontiguousarray(seen[:, ::-1])
        for frame, rects, flip in ((seen, regions, False), (flipped, mirror, True)):
            for out in tracker.landmarker.run(frame, rects):
                pts = out.landmarks.astype(np.float32)
                world = out.world_landmarks.astype(np.float32)
                if flip:
                    pts[:, 0] = width - 1 - pts[:, 0]
                    world[:, 0] = -world[:, 0]
                views.append(
                    replace(hand, landmarks=pts, world_landmarks=world, score=out.presence)
                )
    return views


def process_photo(
    tracker: HandTracker,
    image: np.ndarray,
    timestamp: float = 0.0,
    upscale: int = SMALL_SIDE_PX,
    choose: ViewChooser | None = None,
) -> FrameResult:
    """``tracker.process`` (a static-mode :class:`pipeline.tracking.tracker.HandTracker`) on one photo;
    a small photo (:func:`is_small`) is enlarged first and the result reported in its own
    pixels (width, height and landmarks of ``image``). Runs on the caller's thread.

    The enlarged photo is searched on the whole picture first; ``tracker`` with its far-hand
    zoom tiles (when it uses them) then runs on it unless that found a close-up hand or
    ``max_hands`` hands (see the module docstring).

    With ``choose``, each hand of a small photo is read in 51 views (:func:`read_views`, the
    50 other views on the enlarged photo with a flat border, :func:`flat_border`) and
    reported as the one ``choose`` picks (see "Views" in the module docstring; ``tracker``'s
    landmark model reads them); large photos are read once whatever ``choose`` is."""
    if not is_small(image, upscale):
        return tracker.process(image, timestamp)
    big, how = enlarge(image, upscale)
    whole = whole_frame_tracker(tracker)
    result = whole.process(big, timestamp)
    # The tracker has zoom tiles of its own, and the photo is large enough to hold a far hand.
    tiles = whole is not tracker and min(image.shape[:2]) >= TILES_MIN_SIDE_PX
    if tiles and len(result.hands) < tracker.config.max_hands and not _close_up(result, how):
        first = result.timings
        result = tracker.process(big, timestamp)
        keys = set(first) | set(result.timings)
        timings = {k: first.get(k, 0.0) + result.timings.get(k, 0.0) for k in keys}
        result = replace(result, timings=timings)
    if choose is None:
        hands = tuple(how.hand_to_original(h) for h in result.hands)
    else:
        views_on = flat_border(big, how)
        chosen = []
        for hand in result.hands:
            views = [how.hand_to_original(v) for v in read_views(tracker, views_on, hand)]
            pick = views[choose(views, (how.width, how.height))]
            chosen.append(replace(pick, score=hand.score))  # the hand's own presence
        hands = tuple(chosen)
    return replace(result, width=how.width, height=how.height, hands=hands)
