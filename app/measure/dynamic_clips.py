"""The clips of ``handcue bench --dynamic``: decoded up front (flipped back when mirrored), and
the variants made from them without new files (``--variant``).

A clip's clock: frame ``i`` is at ``i * 1000 / fps`` ms, ``fps`` as the decoder reports it (the
dev GIFs: 16.67, about their 60 ms frame delay). The variants keep that clock, one frame per
tick, and move the labels with the frames:

* ``fast2``: every other frame (0, 2, 4, ...): the movement twice as fast at the same frame
  rate (``--frame-step 2`` differs: it keeps each frame's own time, a slower camera);
  window ``[a, b]`` becomes ``[ceil(a/2), floor(b/2)]`` (at least one frame).
* ``slow2``: each frame twice: the movement half as fast; ``[a, b]`` becomes ``[2a, 2b+1]``.
* ``shift``: the image moved right and down by 10% of its width and height, black fill.
* ``dark``: pixel values halved.
* ``flip``: the camera image flipped left-right: ``swipe_left``/``swipe_right`` and
  ``circle_cw``/``circle_ccw`` swap names; frames and other labels stay.

Variants chain with ``+`` (``fast2+dark``), applied left to right. numpy and OpenCV only: the
MediaPipe side (:mod:`app.measure.dynamic_mediapipe`) imports this module too."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from app.measure.dynamic_labels import (
    ClipLabels,
    LabelledEvent,
    Window,
    check_frames,
    load_labels,
)
from pipeline.errors import HandCueError

#: The clips as filed (no variant).
ORIGINAL = "original"
SHIFT_FRACTION = 0.10
DARK_FACTOR = 0.5
#: Names a left-right flip of the camera image swaps.
FLIPPED_NAMES = {
    "swipe_left": "swipe_right",
    "swipe_right": "swipe_left",
    "circle_cw": "circle_ccw",
    "circle_ccw": "circle_cw",
}


@dataclass(frozen=True)
class Clip:
    """One clip to evaluate: ``frames`` (H, W, 3) uint8 BGR as a camera sees them (unmirrored),
    frame ``i`` at :meth:`time_ms`; ``labels`` in these frames' indices; ``variant``: how it was
    made from the file (:data:`ORIGINAL`, or a ``--variant`` spec)."""

    frames: tuple[np.ndarray, ...]
    fps: float
    labels: ClipLabels
    variant: str = ORIGINAL

    @property
    def name(self) -> str:
        return self.labels.file

    def time_ms(self, index: int) -> float:
        return index * 1000.0 / self.fps


def decode_clip(folder: str | Path, labels: ClipLabels) -> Clip:
    """Every frame of ``folder/labels.file``, flipped left-right when the labels say mirrored.
    Raises :class:`HandCueError` when the file is missing, cannot be decoded, has no frame
    rate, or is shorter than its labels."""
    path = Path(folder) / labels.file
    if not path.is_file():
        raise HandCueError(f"{path}: missing (labels.json lists it)")
    cap = cv2.VideoCapture(str(path))
    try:
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        frames = []
        while True:
            ok, image = cap.read()
            if not ok:
                break
            frames.append(cv2.flip(image, 1) if labels.mirrored else image)
    finally:
        cap.release()
    if not frames:
        raise HandCueError(f"{path}: cannot be decoded (no frames read)")
    if not 0.0 < fps <= 1000.0:
        raise HandCueError(f"{path}: the decoder gives no frame rate ({fps}), so no clock")
    check_frames(labels, len(frames), str(path))
    return Clip(tuple(frames), fps, labels)


def load_runs(
    folder: str | Path, mirrored: bool | None, variants: Sequence[str] = ()
) -> list[tuple[str, list[Clip]]]:
    """Every clip of ``folder`` as filed (:data:`ORIGINAL`), then as each variant spec, by
    spec. ``mirrored``: the command line's choice (None: as labels.json says)."""
    clips = [decode_clip(folder, labels) for labels in load_labels(folder, mirrored)]
    return [(ORIGINAL, clips)] + [
        (spec, [make_variant(clip, spec) for clip in clips]) for spec in variants
    ]


# ------------------------------------------------------------------------------- the variants


def fast2_window(window: Window, frames: int) -> Window:
    """``window`` (inclusive, in the original's frames) in the frames ``fast2`` keeps (0, 2,
    4, ...; ``frames`` of them): the kept frames inside it, or the next kept frame when none
    is (a one-frame window on an odd frame); never past the last kept frame."""
    first = min(-(-window[0] // 2), frames - 1)
    return first, max(first, min(window[1] // 2, frames - 1))


def slow2_window(window: Window) -> Window:
    """``window`` in the frames of ``slow2`` (each frame twice): both copies of each frame."""
    return 2 * window[0], 2 * window[1] + 1


def _moved(labels: ClipLabels, move: Callable[[Window], Window]) -> ClipLabels:
    events = tuple(LabelledEvent(e.name, *move((e.first, e.last))) for e in labels.events)
    return replace(labels, events=events, dontcare=tuple(move(w) for w in labels.dontcare))


def fast2(clip: Clip) -> Clip:
    frames = clip.frames[::2]
    labels = _moved(clip.labels, lambda w: fast2_window(w, len(frames)))
    return replace(clip, frames=frames, labels=labels)


def slow2(clip: Clip) -> Clip:
    frames = tuple(f for f in clip.frames for _ in range(2))
    return replace(clip, frames=frames, labels=_moved(clip.labels, slow2_window))


def shift_image(image: np.ndarray, fraction: float = SHIFT_FRACTION) -> np.ndarray:
    """``image`` moved right and down by ``fraction`` of its width and height; the uncovered
    band black."""
    h, w = image.shape[:2]
    matrix = np.array([[1, 0, round(w * fraction)], [0, 1, round(h * fraction)]], np.float32)
    return cv2.warpAffine(image, matrix, (w, h), borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def shift(clip: Clip) -> Clip:
    return replace(clip, frames=tuple(shift_image(f) for f in clip.frames))


def dark_image(image: np.ndarray, factor: float = DARK_FACTOR) -> np.ndarray:
    """``image`` with every pixel value times ``factor`` (rounded, uint8)."""
    return cv2.convertScaleAbs(image, alpha=factor)


def dark(clip: Clip) -> Clip:
    return replace(clip, frames=tuple(dark_image(f) for f in clip.frames))


def flipped_name(name: str) -> str:
    """An event's name as the left-right flipped image shows it."""
    return FLIPPED_NAMES.get(name, name)


def flip(clip: Clip) -> Clip:
    labels = clip.labels
    events = tuple(replace(e, name=flipped_name(e.name)) for e in labels.events)
    frames = tuple(cv2.flip(f, 1) for f in clip.frames)
    return replace(clip, frames=frames, labels=replace(labels, events=events))


VARIANTS: dict[str, Callable[[Clip], Clip]] = {
    "fast2": fast2,
    "slow2": slow2,
    "shift": shift,
    "dark": dark,
    "flip": flip,
}


def parse_variants(values: Iterable[str]) -> list[str]:
    """The ``--variant`` options (each a name, a comma list, or names chained with ``+``) as
    a list of specs, each once, in order. Raises :class:`HandCueError` for an unknown name."""
    specs: list[str] = []
    for value in values:
        for spec in (s.strip() for s in value.split(",")):
            parts = [p.strip() for p in spec.split("+")]
            unknown = [p for p in parts if p not in VARIANTS]
            if unknown:
                raise HandCueError(
                    f"--variant: unknown {unknown[0]!r}; known: {', '.join(VARIANTS)} "
                    "(chain with +, list with commas)"
                )
            spec = "+".join(parts)
            if spec not in specs:
                specs.append(spec)
    return specs


def make_variant(clip: Clip, spec: str) -> Clip:
    """``clip`` turned into variant ``spec`` (checked by :func:`parse_variants`)."""
    for name in spec.split("+"):
        clip = VARIANTS[name](clip)
    return replace(clip, variant=spec)


def processed_frames(clip: Clip, frame_step: int) -> Sequence[int]:
    """The indices a machine keeping up with every ``frame_step``-th frame processes."""
    return range(0, len(clip.frames), frame_step)
