"""Landmark accuracy against a reference (MediaPipe's output in ``../shared/data/reference``).

The error of one hand is the mean 2D distance over the 21 landmarks divided by the reference
palm size (landmark 0 -> 9), the measure the data README defines. A reference hand is "found"
when some hand of ours is closer than half a palm; further away it is another hand.

Reference files are JSON Lines: photos ``{"image": <path relative to the data folder>, "width",
"height", "hands": [{"landmarks": [[x_px, y_px, z] x 21], "mediapipe_label", ...}]}``, videos
the same with ``"frame": <index>`` instead of ``"image"``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipeline.errors import HandCueError
from pipeline.tracking.roi import palm_error

# Further than this (in palm sizes) from every hand of ours, a reference hand counts as missed.
MATCH_LIMIT = 0.5

# Per frame: (H, W, 3) uint8 BGR image -> the (21, 2) landmark pixels of every hand found.
LandmarkRunner = Callable[[np.ndarray], list[np.ndarray]]


def match_errors(refs: Sequence[np.ndarray], hands: Sequence[np.ndarray]) -> list[float | None]:
    """For each reference hand, the error of the closest hand of ours (None when we have none
    within ``MATCH_LIMIT``)."""
    out: list[float | None] = []
    for ref in refs:
        errs = [palm_error(h, ref) for h in hands]
        best = min(errs) if errs else None
        out.append(best if best is not None and best < MATCH_LIMIT else None)
    return out


def hand_groups(refs: Sequence[np.ndarray]) -> list[list[int]]:
    """Indices of ``refs`` grouped by hand: readings within MERGE_DISTANCE palm sizes of a
    group's first reading are that hand again (a duplicate)."""
    from pipeline.tracking.track_guard import MERGE_DISTANCE, mean_distance

    groups: list[list[int]] = []
    for i, ref in enumerate(refs):
        for group in groups:
            if mean_distance(ref, refs[group[0]]) < MERGE_DISTANCE:
                group.append(i)
                break
        else:
            groups.append([i])
    return groups


def distinct_hands(refs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """``refs`` ((21, >=2) pixels each) without duplicates: MediaPipe sometimes reports one hand
    twice (two readings whose points lie within MERGE_DISTANCE palm sizes on average); such a
    pair counts as one hand, the first reading. Overlapping hands stay two (no handedness is
    compared here, so overlap alone does not merge)."""
    from pipeline.tracking.track_guard import MERGE_DISTANCE, mean_distance

    out: list[np.ndarray] = []
    for ref in refs:
        if not any(mean_distance(ref, kept) < MERGE_DISTANCE for kept in out):
            out.append(ref)
    return out


@dataclass
class AccuracyReport:
    """Totals over a reference file. Errors are fractions of palm size, one per found hand."""

    items: int = 0  # photos or frames
    reference_hands: int = 0
    errors: list[float] = field(default_factory=list)
    per_frame: list[float] = field(default_factory=list)  # mean error of each item with a match
    # Items where we report another number of hands than the reference's distinct hands
    # (a hand the reference reports twice counts once: reporting it twice is an error).
    count_mismatch: int = 0
    extra_hands: int = 0  # our hands that match no reference hand

    def add(self, refs: Sequence[np.ndarray], hands: Sequence[np.ndarray]) -> None:
        # A hand the reference reports twice is one hand, scored against the nearer reading.
        groups = hand_groups(refs)
        self.items += 1
        self.reference_hands += len(groups)
        self.count_mismatch += len(groups) != len(hands)
        errors = match_errors(refs, hands)
        matched = []
        for group in groups:
            found = [e for e in (errors[i] for i in group) if e is not None]
            if found:
                matched.append(min(found))
        self.errors.extend(matched)
        if matched:
            self.per_frame.append(float(np.mean(matched)))
        self.extra_hands += max(0, len(hands) - len(matched))

    @property
    def found(self) -> int:
        return len(self.errors)

    def summary(self) -> dict[str, float | int]:
        """Figures in percent of palm size, rounded for printing."""
        errs = np.asarray(self.errors) * 100.0
        frames = np.asarray(self.per_frame) * 100.0

        def pct(a: np.ndarray, q: float) -> float:
            return round(float(np.percentile(a, q)), 3) if a.size else float("nan")

        return {
            "items": self.items,
            "reference_hands": self.reference_hands,
            "found": self.found,
            "found_rate": round(self.found / self.reference_hands, 4)
            if self.reference_hands
            else float("nan"),
            "mean_error_pct": round(float(errs.mean()), 3) if errs.size else float("nan"),
            "median_error_pct": pct(errs, 50),
            "p95_error_pct": pct(errs, 95),
            "per_frame_mean_error_pct": round(float(frames.mean()), 3)
            if frames.size
            else float("nan"),
            "count_mismatch": self.count_mismatch,
            "extra_hands": self.extra_hands,
        }


@dataclass(frozen=True)
class ReferenceItem:
    """One line of a reference file: a photo (``image`` set) or a video frame (``frame`` set)."""

    width: int
    height: int
    hands: tuple[np.ndarray, ...]  # (21, 3) pixels each
    image: str | None = None
    frame: int | None = None


def load_reference(path: str | Path) -> list[ReferenceItem]:
    """Parse a reference .jsonl; a bad file raises HandCueError naming the file and line."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise HandCueError(f"{path}: no such reference file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HandCueError(f"{path}: cannot read the reference file ({exc})") from None
    items: list[ReferenceItem] = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            hands = tuple(np.asarray(h["landmarks"], dtype=np.float64) for h in rec["hands"])
            if any(h.shape != (21, 3) for h in hands):
                raise ValueError("landmarks must be 21 [x, y, z] points")
            item = ReferenceItem(
                width=int(rec["width"]),
                height=int(rec["height"]),
                hands=hands,
                image=rec.get("image"),
                frame=rec.get("frame"),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise HandCueError(f"{path}:{n}: not a reference line ({exc})") from None
        if (item.image is None) == (item.frame is None):
            raise HandCueError(f"{path}:{n}: a reference line needs either 'image' or 'frame'")
        items.append(item)
    if not items:
        raise HandCueError(f"{path}: the reference file is empty")
    if len({it.image is None for it in items}) > 1:
        raise HandCueError(f"{path}: mixes photo lines and video frame lines")
    return items


def evaluate(
    runner: LandmarkRunner, images: Iterable[np.ndarray], reference: Sequence[ReferenceItem]
) -> AccuracyReport:
    """Run ``runner`` on each image (in order, so a tracker tracks) against its reference item.

    Raises HandCueError when an image's size is not the one the reference was made on."""
    report = AccuracyReport()
    source = iter(images)
    count = 0
    for ref in reference:
        img = next(source, None)
        if img is None:
            break
        count += 1
        h, w = img.shape[:2]
        if (w, h) != (ref.width, ref.height):
            what = ref.image if ref.image is not None else f"frame {ref.frame}"
            raise HandCueError(
                f"{what}: the image is {w}x{h} but the reference was made on "
                f"{ref.width}x{ref.height}; is this the right reference file?"
            )
        report.add([r[:, :2] for r in ref.hands], runner(img))
    if count == len(reference) and next(source, None) is not None:
        count += 1 + sum(1 for _ in source)
    if count != len(reference):
        raise HandCueError(
            f"the reference has {len(reference)} lines but the source gave {count} images"
        )
    return report


def perturb(image: np.ndarray, seed: int | tuple[int, ...]) -> np.ndarray:
    """``image`` with independent -1/0/+1 grey-level noise on every sample (clipped to 0..255):
    the size of difference two video decoders can give, invisible to a person. Same seed, same
    noise."""
    rng = np.random.default_rng(seed)
    noise = rng.integers(-1, 2, size=image.shape, dtype=np.int16)
    return np.clip(image.astype(np.int16) + noise, 0, 255).astype(np.uint8)
