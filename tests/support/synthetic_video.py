"""A synthetic pointer-mode test video made from one real frame with an open hand.

Frame 120 of ``../shared/data/videos/open_hand_360p.mp4`` (an open hand) is cropped around the
hand, scaled and pasted on a plain canvas at a known offset per frame: still for 2 s, then a
square, then a circle. The hand's true path is that offset (pixels of the canvas); the video is
written with OpenCV (mp4v) after adding sensor-like noise, so no two frames are identical.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

FPS = 30
CANVAS = (640, 480)  # width, height
SOURCE_FRAME = 120
CROP = (110, 20, 390, 310)  # x0, y0, x1, y1 in the 640x360 source frame
SCALE = 0.8


def still_square_circle(
    still_s: float = 2.0, half: float = 120.0, side_s: float = 0.8, circle_s: float = 2.4
) -> np.ndarray:
    """(N, 2) offsets in canvas pixels: still, a square of side 2*half (corner to corner, one
    side per ``side_s``), then a circle of radius ``half`` once round."""
    path = [(0.0, 0.0)] * int(still_s * FPS)
    n = int(side_s * FPS)
    # start at the centre, go to the top-left corner, then around the square
    corners = [(-half, -half), (half, -half), (half, half), (-half, half), (-half, -half)]
    prev = (0.0, 0.0)
    for c in corners:
        for i in range(1, n + 1):
            k = i / n
            path.append((prev[0] + (c[0] - prev[0]) * k, prev[1] + (c[1] - prev[1]) * k))
        prev = c
    for i in range(1, n + 1):  # back to the centre
        k = i / n
        path.append((prev[0] * (1 - k), prev[1] * (1 - k)))
    for i in range(1, n // 2 + 1):  # up to the top of the circle
        path.append((0.0, -half * i / (n // 2)))
    m = int(circle_s * FPS)
    for i in range(1, m + 1):  # once round the centre, clockwise on the canvas
        a = 2 * np.pi * i / m
        path.append((half * np.sin(a), -half * np.cos(a)))
    return np.asarray(path, dtype=np.float64)


def sweep(span: float = 200.0, seconds: float = 2.0) -> np.ndarray:
    """(N, 2) offsets: centre -> left by ``span`` -> right by ``span`` -> centre."""
    n = int(seconds * FPS / 4)
    xs = np.concatenate(
        [
            np.linspace(0, -span, n),
            np.full(n // 2, -span),
            np.linspace(-span, span, 2 * n),
            np.full(n // 2, span),
            np.linspace(span, 0, n),
        ]
    )
    return np.stack([xs, np.zeros_like(xs)], axis=1)


@functools.lru_cache(maxsize=2)
def hand_patch(data: Path) -> np.ndarray:
    """The hand cut out of the source frame and scaled, (h, w, 3) uint8 BGR (read-only)."""
    import cv2

    cap = cv2.VideoCapture(str(data / "videos" / "open_hand_360p.mp4"))
    try:
        for _ in range(SOURCE_FRAME + 1):
            ok, frame = cap.read()
            if not ok:
                raise AssertionError("open_hand_360p.mp4 is shorter than expected")
    finally:
        cap.release()
    x0, y0, x1, y1 = CROP
    patch = cv2.resize(frame[y0:y1, x0:x1], None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_AREA)
    patch.flags.writeable = False
    return patch


def render(
    patch: np.ndarray, offset: tuple[float, float], background: tuple[int, ...] | None = None
) -> np.ndarray:
    """The canvas with ``patch`` centred at canvas centre + ``offset`` (sub-pixel, bilinear)."""
    import cv2

    w, h = CANVAS
    ph, pw = patch.shape[:2]
    tx = w / 2 + offset[0] - pw / 2
    ty = h / 2 + offset[1] - ph / 2
    m = np.float32([[1, 0, tx], [0, 1, ty]])
    if background is None:
        background = tuple(int(v) for v in np.median(patch.reshape(-1, 3), axis=0))
    return cv2.warpAffine(
        patch, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
        borderValue=background,
    )  # fmt: skip


def write_video(data: Path, path: Path, offsets: np.ndarray, noise: float = 2.0) -> Path:
    """Write the video; ``noise``: sensor-like Gaussian noise per pixel and frame (grey levels,
    standard deviation), so a still hand is not a bit-identical frame."""
    import cv2

    patch = hand_patch(data)
    rng = np.random.default_rng(13)
    # a bank of noise frames, drawn from at random per frame (drawing fresh noise for every
    # frame costs seconds on a busy machine and is no more realistic)
    background = tuple(int(v) for v in np.median(patch.reshape(-1, 3), axis=0))
    bank = np.rint(rng.normal(0.0, noise, (8, CANVAS[1], CANVAS[0], 3))).astype(np.int16)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, CANVAS)
    if not writer.isOpened():
        raise AssertionError("OpenCV cannot write mp4v video here")
    try:
        for off in offsets:
            frame = render(patch, (float(off[0]), float(off[1])), background).astype(np.int16)
            frame += bank[rng.integers(len(bank))]
            writer.write(np.clip(frame, 0, 255).astype(np.uint8))
    finally:
        writer.release()
    return path
