"""``handcue bench --far DATA``: how well far (small) hands are found.

* **Far set.** Every photo of MediaPipe's references ``reference/hagrid-dev.jsonl`` and
  ``reference/photos.jsonl`` is fitted into a 1280x720 frame, then scaled to 1/2, 1/3 and 1/4 of
  that and pasted into a plain grey 1280x720 canvas at a deterministic position (a hand
  ~3 m from a laptop camera). Its reference landmarks are scaled and moved the same way. A
  reference hand is found when a reported hand's 21 keypoints lie within 10% of palm size
  (mean distance / palm size, :func:`app.measure.evaluation.palm_error`). Static mode, as photos.
  With ``--compare-mediapipe`` the same canvases go through MediaPipe for its own recall.
* **Far videos.** The open-hand video shrunk to 1/3 and to 1/4 inside a plain 1280x720 frame,
  tracked as video: frames with a hand, and frames whose hand matches the scaled reference.

Nothing is written to disk; canvases are made in memory."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from app.measure.evaluation import load_reference, palm_error
from pipeline.errors import HandCueError

CANVAS_W, CANVAS_H = 1280, 720
BACKGROUND = 114  # plain mid-grey
SCALES = (2, 3, 4)
FOUND_LIMIT = 0.10  # fraction of palm size
VIDEO_SCALES = (3, 4)
SET_REFERENCES = ("hagrid-dev.jsonl", "photos.jsonl")
VIDEO = "open_hand_360p"

# Frame -> (21, 2) landmark pixels of every hand reported.
Runner = Callable[[np.ndarray], list[np.ndarray]]


def paste(image: np.ndarray, divisor: int, index: int) -> tuple[np.ndarray, float, tuple[int, int]]:
    """``image`` fitted into the canvas, shrunk by ``divisor`` and pasted at a position fixed by
    ``index``. Returns the (720, 1280, 3) canvas, the scale applied to the image's pixels and
    the (x, y) offset of its top-left corner."""
    h, w = image.shape[:2]
    scale = min(1.0, CANVAS_W / w, CANVAS_H / h) / divisor
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    small = cv2.resize(image, (sw, sh), interpolation=cv2.INTER_AREA)
    canvas = np.full((CANVAS_H, CANVAS_W, 3), BACKGROUND, dtype=np.uint8)
    # Positions spread over the canvas by two co-prime strides: the same for every run.
    x = (index * 379 + 61) % (CANVAS_W - sw + 1)
    y = (index * 211 + 37) % (CANVAS_H - sh + 1)
    canvas[y : y + sh, x : x + sw] = small
    # Pixel centres: a point at u in the image lands at (u + 0.5) * s - 0.5 in the small image.
    return canvas, sw / w, (x, y)


def move(landmarks: np.ndarray, scale: float, offset: tuple[int, int]) -> np.ndarray:
    """Reference (21, >=2) pixels into the canvas made by :func:`paste`."""
    pts = (np.asarray(landmarks, dtype=np.float64)[:, :2] + 0.5) * scale - 0.5
    return pts + np.asarray(offset, dtype=np.float64)


def count_found(refs: list[np.ndarray], hands: list[np.ndarray]) -> tuple[int, int]:
    """(reference hands found within FOUND_LIMIT, reported hands matching no reference hand)."""
    found = 0
    used: set[int] = set()
    for ref in refs:
        errs = [(palm_error(h, ref), i) for i, h in enumerate(hands) if i not in used]
        if errs:
            err, i = min(errs)
            if err < FOUND_LIMIT:
                found += 1
                used.add(i)
    extra = sum(
        1
        for i, h in enumerate(hands)
        if i not in used and min((palm_error(h, r) for r in refs), default=math.inf) >= 0.5
    )
    return found, extra


@dataclass
class ScaleTally:
    reference_hands: int = 0
    found: int = 0
    extra: int = 0
    extra_items: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        rate = self.found / self.reference_hands if self.reference_hands else float("nan")
        return {
            "reference_hands": self.reference_hands,
            "found": self.found,
            "found_rate": round(rate, 4),
            "extra_hands": self.extra,
            "extra_on": self.extra_items[:50],
        }


def far_set(data: Path, runners: dict[str, Runner], every: int = 1) -> dict:
    """Found hands per scale for each runner (``{"ours": ..., "mediapipe": ...}``)."""
    tallies = {name: {d: ScaleTally() for d in SCALES} for name in runners}
    index = 0
    for ref_name in SET_REFERENCES:
        ref_path = data / "reference" / ref_name
        for item in load_reference(ref_path)[::every]:
            from pipeline.sources import read_image

            image = read_image(data / str(item.image))
            if image.shape[:2] != (item.height, item.width):
                raise HandCueError(f"{item.image}: not the size {ref_path} was made on")
            for d in SCALES:
                canvas, scale, offset = paste(image, d, index)
                refs = [move(h, scale, offset) for h in item.hands]
                for name, run in runners.items():
                    found, extra = count_found(refs, run(canvas))
                    t = tallies[name][d]
                    t.reference_hands += len(refs)
                    t.found += found
                    t.extra += extra
                    if extra:
                        t.extra_items.append(f"{item.image} at 1/{d}")
            index += 1
    return {name: {f"1/{d}": t.as_dict() for d, t in per.items()} for name, per in tallies.items()}


def far_video_frames(data: Path, divisor: int) -> Iterator[tuple[np.ndarray, list[np.ndarray]]]:
    """The open-hand video shrunk by ``divisor`` in a plain 1280x720 frame (fixed position),
    with the reference hands moved the same way."""
    reference = load_reference(data / "reference" / f"{VIDEO}.jsonl")
    cap = cv2.VideoCapture(str(data / "videos" / f"{VIDEO}.mp4"))
    if not cap.isOpened():
        raise HandCueError(f"{data / 'videos' / VIDEO}.mp4: cannot open")
    try:
        for item in reference:
            ok, frame = cap.read()
            if not ok:
                break
            canvas, scale, offset = paste(frame, divisor, 7)
            yield canvas, [move(h, scale, offset) for h in item.hands]
    finally:
        cap.release()


def far_videos(data: Path, makers: dict[str, Callable[[], Runner]]) -> dict:
    """Frames with a hand and frames matching the reference, per runner and shrink factor.
    ``makers`` give a fresh video-mode runner per pass."""
    out: dict = {}
    for name, make in makers.items():
        out[name] = {}
        for d in VIDEO_SCALES:
            run = make()
            frames = with_hand = matched = 0
            for canvas, refs in far_video_frames(data, d):
                hands = run(canvas)
                frames += 1
                with_hand += bool(hands)
                matched += count_found(refs, hands)[0] > 0
            out[name][f"1/{d}"] = {
                "frames": frames,
                "frames_with_hand": with_hand,
                "frames_with_hand_rate": round(with_hand / frames, 4) if frames else float("nan"),
                "frames_matching_reference": matched,
            }
    return out
