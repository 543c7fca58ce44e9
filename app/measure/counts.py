"""Measure counting on a labelled folder of photos: per-class accuracy and a confusion matrix.

    python -m app.measure.gestures --counts FOLDER [--counting chinese] [--upscale 256]
        [--one-view]

``FOLDER`` holds one sub-folder per number (``0``, ``1``, ... ``10``); every image in ``<n>/``
shows the number ``n`` with one hand in the given counting scheme (the layout of
``../shared/data/chinese-numbers-dev``). Our own tracker runs on each photo in static mode.

Small photos (the Chinese dev set is 64x64) are enlarged before detection and the hands read
back in the photo's own pixels, as ``handcue detect`` does (:mod:`pipeline.photos.small`:
bilinear upscaling of the short side to ``upscale`` pixels, then a border of repeated edge
pixels as wide as the picture on every side). Each hand found on a small photo is read in 51
views and the view showing the number most of them show is judged
(:mod:`pipeline.photos.views`); ``--one-view`` judges the tracker's own reading alone.

The hand judged on a photo is the one with the highest tracking score (the photos show one hand).
A photo with no hand found is a *miss*: it appears in the ``found`` column, not in the accuracy
(the issue's acceptance test is per class over the photos where a hand is found).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.gestures.recognizer import GestureRecognizer
from pipeline.types import Hand

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
NO_COUNT = "-"  # column of the confusion matrix for "a hand, but no number"


@dataclass(frozen=True)
class LabelledPhoto:
    """One photo of a labelled folder: path relative to the folder, its label (the number
    shown), the frame size the landmarks are in, and the hands found."""

    image: str
    label: int
    width: int
    height: int
    hands: tuple[Hand, ...]


def labelled_images(folder: Path) -> list[tuple[str, int]]:
    """``(relative path, label)`` of every image in the numeric sub-folders of ``folder``,
    sorted by label then name. Raises ``ValueError`` when there is no numeric sub-folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder")
    out: list[tuple[str, int]] = []
    subs = [d for d in folder.iterdir() if d.is_dir() and d.name.isdigit()]
    if not subs:
        raise ValueError(f"{folder}: no numbered sub-folders (0, 1, 2, ...) with photos")
    for sub in sorted(subs, key=lambda d: int(d.name)):
        for f in sorted(sub.iterdir()):
            if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES:
                out.append((f"{sub.name}/{f.name}", int(sub.name)))
    return out


def track_labelled(
    folder: Path, items: Iterable[tuple[str, int]], upscale: int = 256, views: str | None = None
) -> Iterator[LabelledPhoto]:
    """Our tracker (full model, static mode, up to 2 hands) on each photo, small ones enlarged
    first (:func:`pipeline.photos.small.process_photo`; hands in the photo's own pixels); a file
    that cannot be read is skipped with a warning. ``views``: a counting scheme, to read each
    hand of a small photo in many views and keep one showing the number most of them show
    (:func:`pipeline.photos.views.count_vote`, as ``handcue detect`` does); ``None`` reads
    it once."""
    from pipeline.errors import SourceError
    from pipeline.photos.small import process_photo
    from pipeline.photos.views import count_vote
    from pipeline.sources import read_image
    from pipeline.tracking.config import measurement_settings, tracker_config
    from pipeline.tracking.tracker import HandTracker

    tracker = HandTracker(tracker_config(measurement_settings(max_hands=2), static_mode=True))
    choose = None if views is None else count_vote(GestureRecognizer(counting=views))
    for i, (rel, label) in enumerate(items):
        try:
            img = read_image(Path(folder) / rel)
        except SourceError as exc:
            log.warning("skipped: %s", exc)
            continue
        tracker.reset()
        result = process_photo(tracker, img, float(i), upscale, choose)
        yield LabelledPhoto(rel, label, result.width, result.height, tuple(result.hands))


@dataclass
class CountReport:
    """Confusion counts: ``matrix[label][predicted]``, ``predicted`` a number as text or
    :data:`NO_COUNT`; ``photos`` / ``found`` per label."""

    counting: str
    photos: dict[int, int] = field(default_factory=dict)
    found: dict[int, int] = field(default_factory=dict)
    matrix: dict[int, dict[str, int]] = field(default_factory=dict)

    def correct(self, label: int) -> int:
        return self.matrix.get(label, {}).get(str(label), 0)

    def accuracy(self, label: int) -> float:
        """Fraction of the photos of ``label`` with a hand found that were counted right."""
        found = self.found.get(label, 0)
        return self.correct(label) / found if found else 0.0

    def overall(self) -> float:
        found = sum(self.found.values())
        return sum(self.correct(lb) for lb in self.found) / found if found else 0.0

    def found_fraction(self) -> float:
        photos = sum(self.photos.values())
        return sum(self.found.values()) / photos if photos else 0.0

    def table(self) -> str:
        labels = sorted(self.photos)
        columns = [str(lb) for lb in labels]
        seen = {p for row in self.matrix.values() for p in row}
        columns += sorted((c for c in seen - set(columns) if c != NO_COUNT), key=int)
        columns.append(NO_COUNT)
        head = f"{'label':>5s} {'photos':>6s} {'hand':>5s} {'acc':>6s} |"
        lines = [head + "".join(f"{c:>4s}" for c in columns)]
        for lb in labels:
            row = self.matrix.get(lb, {})
            cells = "".join(f"{(row.get(c, 0) or '.')!s:>4s}" for c in columns)
            lines.append(
                f"{lb:5d} {self.photos[lb]:6d} {self.found.get(lb, 0):5d} "
                f"{100 * self.accuracy(lb):5.1f}% |{cells}"
            )
        photos, found = sum(self.photos.values()), sum(self.found.values())
        lines.append(
            f"TOTAL {photos:6d} {found:5d} {100 * self.overall():5.1f}%   "
            f"(hand found on {100 * self.found_fraction():.1f}% of the photos; "
            f"counting scheme {self.counting}; rows: label, columns: count read, "
            f"{NO_COUNT}: no count)"
        )
        return "\n".join(lines)


def evaluate_counts(
    photos: Iterable[LabelledPhoto],
    counting: str = "chinese",
    recognizer: GestureRecognizer | None = None,
) -> CountReport:
    """Confusion matrix of ``recognizer``'s counts (default: a :class:`GestureRecognizer` with
    the ``counting`` scheme) against the photos' labels."""
    if recognizer is None:
        recognizer = GestureRecognizer(counting=counting)
    report = CountReport(recognizer.counting)
    for photo in photos:
        report.photos[photo.label] = report.photos.get(photo.label, 0) + 1
        report.found.setdefault(photo.label, 0)
        if not photo.hands:
            continue
        report.found[photo.label] += 1
        hand = max(photo.hands, key=lambda h: h.score)
        result = recognizer.classify(hand, frame_size=(photo.width, photo.height))
        got = NO_COUNT if result.count is None else str(result.count)
        row = report.matrix.setdefault(photo.label, {})
        row[got] = row.get(got, 0) + 1
        if got != str(photo.label):
            log.info("%s: expected %d got %s %s", photo.image, photo.label, got, result.fingers)
    return report
