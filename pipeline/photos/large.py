"""Large photos: read scaled down for memory, reported in their own pixels.

A photo larger than ``MAX_IMAGE_PIXELS`` (8192x8192) is scaled down as it is read
(:func:`pipeline.sources.load_image`), which keeps the file's own size; the tracker runs on the
scaled picture. :func:`in_photo_pixels` maps its result back, so that ``handcue detect`` on a
10000x10000 photo reports a 10000x10000 frame and landmarks in that photo's pixels, as it does
for any other photo (small ones are mapped back from their enlargement the same way:
:class:`pipeline.photos.small.Enlargement`).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from pipeline.types import FrameResult, Hand


def in_photo_pixels(result: FrameResult, width: int, height: int) -> FrameResult:
    """``result`` of a picture scaled from a ``width`` x ``height`` photo, in the photo's own
    pixels: the frame size, image landmarks (x, y; z, which is in x's pixel scale) and each
    hand's region. World landmarks are metric and stay. ``result`` itself when not scaled."""
    sx, sy = width / result.width, height / result.height
    if sx == 1.0 and sy == 1.0:
        return result
    hands = tuple(_hand_scaled(h, sx, sy) for h in result.hands)
    return replace(result, width=width, height=height, hands=hands)


def _hand_scaled(hand: Hand, sx: float, sy: float) -> Hand:
    pts = np.array(hand.landmarks, dtype=np.float32, copy=True)
    pts[:, 0] *= sx
    pts[:, 1] *= sy
    pts[:, 2] *= sx
    # Scaling keeps the aspect ratio (sx and sy differ by the rounding of the scaled size, under
    # 1/4000): the region, a turned square, is scaled by their mean about its turned axes.
    s = math.sqrt(sx * sy)
    roi = replace(
        hand.roi,
        cx=hand.roi.cx * sx,
        cy=hand.roi.cy * sy,
        width=hand.roi.width * s,
        height=hand.roi.height * s,
    )
    return replace(hand, landmarks=pts, roi=roi)
