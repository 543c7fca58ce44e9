"""Measure the static recogniser on the HaGRID development photos.

    python -m app.measure.gestures [--data ../shared/data] [--source reference|tracker]
                                         [--counting american]
    python -m app.measure.gestures --counts FOLDER [--counting chinese] [--upscale PX]

The second form measures counting alone on a folder of labelled photos (one sub-folder per
number) and prints per-class accuracy and a confusion matrix; see
:mod:`app.measure.counts`.

``reference`` reads MediaPipe's landmarks from ``reference/hagrid-dev.jsonl`` (image landmarks
only); ``tracker`` runs our own :class:`pipeline.tracking.tracker.HandTracker` on the photos (image and
world landmarks).

Which hand is "the gesture hand" of a photo (HaGRID labels one gesture per photo, and many photos
also show the person's other hand resting): among the hands found, the one whose recognised
gesture matches the photo's class; if none matches, the hand whose wrist is highest in the image
(people raise the hand that signs; resting hands hang lower). A photo counts as wrong when that
hand's gesture is wrong, and as a miss when no hand was found at all. Every other hand in the
photo is a resting hand, which must be ``none``; a second detection of the gesture hand itself
(landmarks within half a palm size on average) is a duplicate and is not counted.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from pipeline.gestures.counting import COUNTING_SCHEMES
from pipeline.gestures.recognizer import GestureRecognizer, GestureResult
from pipeline.types import FrameResult, Hand, RotatedRect

log = logging.getLogger(__name__)

# HaGRID folder -> (HandCue gesture id, American count or None).
HAGRID_CLASSES: dict[str, tuple[str, int | None]] = {
    "like": ("thumb_up", None),
    "dislike": ("thumb_down", None),
    "fist": ("fist", 0),
    "palm": ("open_palm", 5),
    "stop": ("open_palm", 5),
    "one": ("pointing_up", 1),
    "mute": ("pointing_up", 1),
    "call": ("call", None),
    "peace": ("victory", 2),
    "two_up": ("victory", 2),
    "three": ("three", 3),
    "three2": ("three", 3),
    "four": ("four", 4),
    "ok": ("ok", None),
    "rock": ("rock", None),
}


def default_data_dir() -> Path:
    """``../shared/data`` next to the repository root."""
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def hand_from_reference(entry: dict, track_id: int = 0) -> Hand:
    """A :class:`Hand` from one hand of MediaPipe's reference output.

    MediaPipe labels handedness as if the image were mirrored; on these unmirrored photos its
    label names the opposite hand, so it is swapped here. The reference has no world landmarks:
    they are left at zero, which the recogniser treats as absent.
    """
    label = entry.get("mediapipe_label", "Right")
    return hand_from_points(
        entry["landmarks"],
        "Left" if label == "Right" else "Right",
        score=float(entry.get("score", 1.0)),
        track_id=track_id,
    )


def hand_from_points(
    points: object, handedness: str, score: float = 1.0, track_id: int = 0
) -> Hand:
    """A :class:`Hand` from (21, 3) image landmarks alone (x, y pixels, z in x's scale) of
    another tracker: no world landmarks (left at zero, which the recogniser treats as
    absent), ``score`` as presence and handedness score, and an upright square region 1.5
    times the landmarks' extent."""
    pts = np.asarray(points, dtype=np.float32)
    xy = pts[:, :2]
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    size = float(max(hi - lo)) * 1.5
    centre = (lo + hi) / 2
    return Hand(
        landmarks=pts,
        world_landmarks=np.zeros((21, 3), dtype=np.float32),
        handedness=handedness,
        handedness_score=score,
        score=score,
        track_id=track_id,
        roi=RotatedRect(float(centre[0]), float(centre[1]), size, size, 0.0),
    )


@dataclass
class Photo:
    """One photo: its path relative to the data folder, size and the hands found on it."""

    image: str
    width: int
    height: int
    hands: tuple[Hand, ...]


def load_reference(path: Path) -> list[Photo]:
    """Photos of a reference ``.jsonl`` file (one JSON object per line)."""
    photos = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            hands = tuple(hand_from_reference(h, i) for i, h in enumerate(row["hands"]))
            photos.append(Photo(row["image"], int(row["width"]), int(row["height"]), hands))
    return photos


def load_reference_video(path: Path, fps: float = 25.0) -> list[FrameResult]:
    """Frames of a tracking-mode reference ``.jsonl`` as :class:`FrameResult` objects.

    The reference lists hands per frame without track ids; ids are given here by matching each
    hand to the nearest hand of the previous frame (mean landmark distance under one palm size),
    greedily, closest pairs first; unmatched hands get new ids.
    """
    frames: list[FrameResult] = []
    prev: list[Hand] = []
    next_id = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            hands = [hand_from_reference(h) for h in row["hands"]]
            pairs = sorted(
                (_landmark_gap(h, p) / max(p.palm_size, 1e-6), i, j)
                for i, h in enumerate(hands)
                for j, p in enumerate(prev)
            )
            ids: dict[int, int] = {}
            used: set[int] = set()
            for gap, i, j in pairs:
                if gap < 2.0 and i not in ids and j not in used:
                    ids[i] = prev[j].track_id
                    used.add(j)
            tracked = []
            for i, h in enumerate(hands):
                if i not in ids:
                    ids[i], next_id = next_id, next_id + 1
                tracked.append(replace(h, track_id=ids[i]))
            index = int(row["frame"])
            frames.append(
                FrameResult(
                    frame_index=index,
                    timestamp_ms=index * 1000.0 / fps,
                    width=int(row["width"]),
                    height=int(row["height"]),
                    hands=tuple(tracked),
                    detector_ran=False,
                )
            )
            prev = tracked
    return frames


def _landmark_gap(a: Hand, b: Hand) -> float:
    return float(np.linalg.norm(a.landmarks[:, :2] - b.landmarks[:, :2], axis=1).mean())


def track_photos(data_dir: Path, images: Iterable[str]) -> Iterator[Photo]:
    """Run our tracker (static mode) on each image; needs :mod:`pipeline.tracking.tracker`."""
    import cv2

    from pipeline.tracking.config import measurement_settings, tracker_config
    from pipeline.tracking.tracker import HandTracker

    tracker = HandTracker(tracker_config(measurement_settings(max_hands=2), static_mode=True))
    for i, rel in enumerate(images):
        img = cv2.imread(str(data_dir / rel))
        if img is None:
            log.warning("cannot read %s", rel)
            continue
        tracker.reset()
        result = tracker.process(img, float(i))
        yield Photo(rel, img.shape[1], img.shape[0], tuple(result.hands))


@dataclass
class ClassStats:
    photos: int = 0
    found: int = 0
    gesture_ok: int = 0
    count_ok: int = 0
    resting_seen: int = 0
    resting_none: int = 0
    resting_counted: int = 0  # resting hands that show a number (they should not)
    confusions: dict[str, int] = field(default_factory=dict)


@dataclass
class Report:
    classes: dict[str, ClassStats]
    counting: str

    def totals(self) -> ClassStats:
        t = ClassStats()
        for s in self.classes.values():
            t.photos += s.photos
            t.found += s.found
            t.gesture_ok += s.gesture_ok
            t.count_ok += s.count_ok
            t.resting_seen += s.resting_seen
            t.resting_none += s.resting_none
            t.resting_counted += s.resting_counted
        return t

    def counting_totals(self) -> tuple[int, int, int]:
        """(photos, photos with a hand, correct counts) over the counting classes."""
        n = found = ok = 0
        for name, s in self.classes.items():
            if HAGRID_CLASSES[name][1] is not None:
                n += s.photos
                found += s.found
                ok += s.count_ok
        return n, found, ok

    def table(self) -> str:
        def pct(a: int, b: int) -> str:
            return f"{100.0 * a / b:5.1f}%" if b else "   -  "

        lines = [
            f"{'class':8s} {'gesture':12s} {'photos':>6s} {'hand':>5s} {'gest(found)':>11s} "
            f"{'gest(all)':>9s} {'count':>6s} {'rest none':>10s}  mistakes"
        ]
        for name, s in sorted(self.classes.items()):
            expected, count = HAGRID_CLASSES[name]
            mistakes = ", ".join(f"{k}x{v}" for k, v in sorted(s.confusions.items()))
            lines.append(
                f"{name:8s} {expected:12s} {s.photos:6d} {s.found:5d} "
                f"{pct(s.gesture_ok, s.found):>11s} {pct(s.gesture_ok, s.photos):>9s} "
                f"{pct(s.count_ok, s.found) if count is not None else '   -  ':>6s} "
                f"{s.resting_none:3d}/{s.resting_seen:<3d}     {mistakes}"
            )
        t = self.totals()
        n, found, ok = self.counting_totals()
        lines.append(
            f"{'TOTAL':8s} {'':12s} {t.photos:6d} {t.found:5d} {pct(t.gesture_ok, t.found):>11s} "
            f"{pct(t.gesture_ok, t.photos):>9s} {pct(ok, found):>6s} "
            f"{t.resting_none:3d}/{t.resting_seen:<3d} ({pct(t.resting_none, t.resting_seen).strip()})"
        )
        lines.append(
            f"counting scheme: {self.counting}; count over {found} of {n} photos; "
            f"resting hands showing a number: {t.resting_counted}/{t.resting_seen}"
        )
        return "\n".join(lines)


def pick_gesture_hand(results: list[GestureResult], hands: tuple[Hand, ...], expected: str) -> int:
    """Index of the gesture hand (see the module docstring for the rule)."""
    for i, r in enumerate(results):
        if r.gesture == expected:
            return i
    return int(np.argmin([h.landmarks[0, 1] for h in hands]))


def _same_hand(a: Hand, b: Hand) -> bool:
    return _landmark_gap(a, b) < 0.5 * max(b.palm_size, 1e-6)


def evaluate(
    photos: Iterable[Photo],
    counting: str = "american",
    recognizer: GestureRecognizer | None = None,
) -> Report:
    """Per-class accuracy of ``recognizer`` (default: a :class:`GestureRecognizer` with the
    ``counting`` scheme) on HaGRID-style photos."""
    if recognizer is None:
        recognizer = GestureRecognizer(counting=counting)
    counting = recognizer.counting
    classes: dict[str, ClassStats] = {}
    for photo in photos:
        parts = Path(photo.image).parts
        cls = next((p for p in parts if p in HAGRID_CLASSES), None)
        if cls is None:
            continue
        expected, count = HAGRID_CLASSES[cls]
        stats = classes.setdefault(cls, ClassStats())
        stats.photos += 1
        if not photo.hands:
            continue
        stats.found += 1
        size = (photo.width, photo.height)
        results = [recognizer.classify(h, frame_size=size) for h in photo.hands]
        k = pick_gesture_hand(results, photo.hands, expected)
        got = results[k]
        if got.gesture == expected:
            stats.gesture_ok += 1
        else:
            stats.confusions[got.gesture] = stats.confusions.get(got.gesture, 0) + 1
            log.info("%s: expected %s got %s %s", photo.image, expected, got.gesture, got.fingers)
        if count is not None and got.count == count:
            stats.count_ok += 1
        for i, r in enumerate(results):
            if i == k or _same_hand(photo.hands[i], photo.hands[k]):
                continue
            stats.resting_seen += 1
            if r.gesture == "none":
                stats.resting_none += 1
            else:
                log.info("%s: resting hand shows %s", photo.image, r.gesture)
            if r.count is not None:
                stats.resting_counted += 1
                log.info("%s: resting hand counts %s %s", photo.image, r.count, r.fingers)
    return Report(classes, counting)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--source", choices=("reference", "tracker"), default="reference")
    parser.add_argument(
        "--counting",
        choices=COUNTING_SCHEMES,
        default=None,
        help="counting scheme (default american; chinese with --counts)",
    )
    parser.add_argument(
        "--counts",
        type=Path,
        metavar="FOLDER",
        help="measure counting on FOLDER/<n>/ photos (our tracker) instead of HaGRID gestures",
    )
    parser.add_argument(
        "--upscale", type=int, default=256, metavar="PX",
        help="with --counts: enlarge photos to this short side before detection (default 256)",
    )  # fmt: skip
    parser.add_argument(
        "--one-view", action="store_true",
        help="with --counts: judge each hand's first reading only, not the number most of its "
        "51 views show",
    )  # fmt: skip
    parser.add_argument("-v", "--verbose", action="store_true", help="log every mistake")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s"
    )
    if args.counts is not None:
        return _main_counts(args.counts, args.counting or "chinese", args.upscale, args.one_view)
    args.counting = args.counting or "american"
    photos = load_reference(args.data / "reference" / "hagrid-dev.jsonl")
    if args.source == "tracker":
        photos = list(track_photos(args.data, [p.image for p in photos]))
    report = evaluate(photos, counting=args.counting)
    sys.stdout.write(report.table() + "\n")
    return 0


def _main_counts(folder: Path, counting: str, upscale: int, one_view: bool = False) -> int:
    from app.measure.counts import evaluate_counts, labelled_images, track_labelled
    from pipeline.errors import HandCueError

    try:
        items = labelled_images(folder)
        if not items:
            raise ValueError(f"{folder}: no photos in the numbered sub-folders")
        views = None if one_view else counting
        photos = track_labelled(folder, items, upscale=upscale, views=views)
        report = evaluate_counts(photos, counting)
    except (ValueError, HandCueError) as exc:
        sys.stderr.write(f"evaluate: {exc}\n")
        return 2
    sys.stdout.write(report.table() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
