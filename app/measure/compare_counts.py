"""Counting on a labelled photo folder, ours against MediaPipe Hands in the same run.

    python -m app.measure.compare_counts FOLDER [--counting chinese] [--upscale 256] [--json]

``FOLDER`` has the layout of the counting evaluator (:mod:`app.measure.counts`:
one sub-folder per number). Four readers go over the same photos, one after the other:

- ``ours``: our tracker as ``handcue detect`` runs it (small photos enlarged, each hand of a
  small photo read in 51 views and the count voted, :mod:`pipeline.photos.views`);
- ``ours-one-view``: the same, judging the tracker's own first reading alone;
- ``mediapipe``: MediaPipe Hands 0.10.14 (static mode, full model, 2 hands) on the same
  enlarged photos, its landmarks mapped back to the photo's pixels;
- ``mediapipe-raw``: MediaPipe on the photos as they are.

Every reader's hands go through the same recogniser and counting rules, so the rows differ
only by the landmarks. For each: the confusion matrix, then one summary line a reader (hands
found, counted right of the found hands, the weakest class, seconds per photo of wall time).
Needs the ``compare`` extra (``pip install -e '.[compare]'``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from app.measure.counts import (
    CountReport,
    LabelledPhoto,
    evaluate_counts,
    labelled_images,
    track_labelled,
)
from app.measure.gestures import hand_from_points
from pipeline.errors import HandCueError, SourceError
from pipeline.gestures.counting import COUNTING_SCHEMES
from pipeline.photos.small import SMALL_SIDE_PX, enlarge, is_small
from pipeline.sources import read_image

log = logging.getLogger(__name__)

READERS = ("ours", "ours-one-view", "mediapipe", "mediapipe-raw")


@dataclass
class Run:
    """One reader's report over the folder and the wall time it took."""

    reader: str
    report: CountReport
    seconds: float

    def summary(self) -> dict:
        found = sum(self.report.found.values())
        classes = [lb for lb in self.report.photos if self.report.found.get(lb)]
        weakest = min(classes, key=self.report.accuracy) if classes else None
        photos = sum(self.report.photos.values())
        return {
            "reader": self.reader,
            "photos": photos,
            "found": found,
            "counted_right_pct": round(100 * self.report.overall(), 1),
            "weakest_class": weakest,
            "weakest_class_pct": (
                None if weakest is None else round(100 * self.report.accuracy(weakest), 1)
            ),
            "classes_under_90": sorted(lb for lb in classes if self.report.accuracy(lb) < 0.9),
            "seconds_per_photo": round(self.seconds / photos, 4) if photos else 0.0,
        }


def mediapipe_labelled(
    folder: Path, items: Iterable[tuple[str, int]], upscale: int | None = SMALL_SIDE_PX
) -> Iterator[LabelledPhoto]:
    """MediaPipe Hands (static mode, full model, up to 2 hands) on each photo; with
    ``upscale`` a small photo is enlarged first exactly as ours are
    (:func:`pipeline.photos.small.enlarge`) and the hands mapped back to its pixels."""
    from app.measure.mediapipe_hands import MediaPipeHands

    mp = MediaPipeHands(static_mode=True, max_hands=2, model="full")
    try:
        for rel, label in items:
            try:
                img = read_image(Path(folder) / rel)
            except SourceError as exc:  # skipped, as our reader skips it
                log.warning("skipped: %s", exc)
                continue
            height, width = img.shape[:2]
            how = None
            if upscale is not None and is_small(img, upscale):
                img, how = enlarge(img, upscale)
            hands = [hand_from_points(pts, side) for pts, side in mp.hands(mp.prepare(img))]
            if how is not None:
                hands = [how.hand_to_original(h) for h in hands]
            yield LabelledPhoto(rel, label, width, height, tuple(hands))
    finally:
        mp.close()


def _photos(reader: str, folder: Path, items: list[tuple[str, int]], counting: str, upscale: int):
    if reader == "ours":
        return track_labelled(folder, items, upscale=upscale, views=counting)
    if reader == "ours-one-view":
        return track_labelled(folder, items, upscale=upscale, views=None)
    if reader == "mediapipe":
        return mediapipe_labelled(folder, items, upscale)
    return mediapipe_labelled(folder, items, None)


def compare(folder: Path, counting: str = "chinese", upscale: int = SMALL_SIDE_PX) -> list[Run]:
    """Every reader of :data:`READERS` over ``folder``, one after the other."""
    items = labelled_images(folder)
    if not items:
        raise ValueError(f"{folder}: no photos in the numbered sub-folders")
    runs = []
    for reader in READERS:
        start = time.perf_counter()
        photos = list(_photos(reader, folder, items, counting, upscale))
        seconds = time.perf_counter() - start
        runs.append(Run(reader, evaluate_counts(photos, counting), seconds))
    return runs


def _summary_line(s: dict) -> str:
    under = ",".join(str(c) for c in s["classes_under_90"]) or "none"
    return (
        f"{s['reader']:14s} found {s['found']}/{s['photos']}  counted right "
        f"{s['counted_right_pct']:.1f}%  weakest class {s['weakest_class']} "
        f"({s['weakest_class_pct']}%)  classes under 90%: {under}  "
        f"{s['seconds_per_photo']:.3f} s/photo"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.measure.compare_counts", description=__doc__.splitlines()[0]
    )
    parser.add_argument("folder", type=Path, help="folder with one sub-folder per number")
    parser.add_argument("--counting", choices=COUNTING_SCHEMES, default="chinese")
    parser.add_argument(
        "--upscale", type=int, default=SMALL_SIDE_PX, metavar="PX",
        help=f"enlarge photos with a shorter short side to this (default {SMALL_SIDE_PX})",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.upscale < 16:
        sys.stderr.write("compare_counts: --upscale must be at least 16 pixels\n")
        return 2
    try:
        runs = compare(args.folder, args.counting, args.upscale)
    except (ValueError, HandCueError) as exc:
        sys.stderr.write(f"compare_counts: {exc}\n")
        return 2
    if args.json:
        out = {
            "counting": args.counting,
            "readers": [
                {**r.summary(), "matrix": r.report.matrix, "found_by_class": r.report.found}
                for r in runs
            ],
        }
        sys.stdout.write(json.dumps(out) + "\n")
        return 0
    for r in runs:
        sys.stdout.write(f"== {r.reader}\n{r.report.table()}\n\n")
    for r in runs:
        sys.stdout.write(_summary_line(r.summary()) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
