"""``handcue detect``: hands in photos as JSON Lines (a contract other tools depend on)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.options import (
    add_tracker_options,
    tracker_from_args,
)
from pipeline.errors import SourceError
from pipeline.photos.large import in_photo_pixels
from pipeline.photos.small import process_photo
from pipeline.sources import IMAGE_SUFFIXES, load_image

if TYPE_CHECKING:
    from pipeline.gestures import GestureRecognizer, GestureResult
    from pipeline.types import Hand


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("detect", help="find hands in photos; prints one JSON line per image")
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders of images")
    add_tracker_options(p)
    p.add_argument(
        "--counting",
        choices=("american", "european", "chinese"),
        default="american",
        help="counting scheme for the 'count' field (default american)",
    )
    p.set_defaults(func=run)


def expand(paths: list[str]) -> list[str]:
    """Files as given; folders replaced by their image files in name order."""
    out: list[str] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            files = sorted(c for c in p.iterdir() if c.is_file() and not c.name.startswith("."))
            images = [c for c in files if c.suffix.lower() in IMAGE_SUFFIXES]
            if len(images) < len(files):
                print(
                    f"handcue: {given}: skipping {len(files) - len(images)} non-image file(s)",
                    file=sys.stderr,
                )
            out.extend(str(c) for c in images)
        else:
            out.append(given)
    return out


def hand_record(
    hand: Hand,
    recognizer: GestureRecognizer | None,
    frame_size: tuple[int, int],
    result: GestureResult | None = None,
) -> dict[str, object]:
    """One hand's JSON record; ``result`` is its GestureResult when already classified (its
    ``total`` is the frame's two-hand total)."""
    rec: dict[str, object] = {
        "handedness": hand.handedness,
        "handedness_score": round(float(hand.handedness_score), 5),
        "score": round(float(hand.score), 5),
        "track_id": hand.track_id,
        "landmarks": [[round(float(v), 3) for v in row] for row in hand.landmarks],
        "world_landmarks": [[round(float(v), 5) for v in row] for row in hand.world_landmarks],
    }
    if recognizer is not None:
        g = result if result is not None else recognizer.classify(hand, frame_size=frame_size)
        rec["gesture"] = g.gesture
        rec["gesture_score"] = round(float(g.score), 4)
        rec["count"] = g.count
        rec["total"] = g.total
    return rec


def frame_results(
    hands: Sequence[Hand], recognizer: GestureRecognizer | None, frame_size: tuple[int, int]
) -> Sequence[GestureResult | None]:
    """GestureResults of all ``hands`` of one frame, each carrying the frame's ``total`` (the
    number the hands show together, :func:`pipeline.gestures.totals.frame_total`)."""
    if recognizer is None:
        return [None] * len(hands)
    from dataclasses import replace

    from pipeline.gestures.totals import frame_total

    results = [recognizer.classify(h, frame_size=frame_size) for h in hands]
    total = frame_total(recognizer.counting, hands, results)
    return [replace(r, total=total) for r in results]


def _make_recognizer(counting: str) -> GestureRecognizer:
    from pipeline.gestures import GestureRecognizer, TemplateStore

    try:
        store = TemplateStore.default()
    except Exception as exc:  # a damaged store must not stop detection
        print(f"handcue: recorded gestures not loaded: {exc}", file=sys.stderr)
        store = None
    return GestureRecognizer(counting=counting, templates=store)


def run(args: argparse.Namespace) -> int:
    from pipeline.photos.views import count_vote

    tracker = tracker_from_args(args, static=True)
    recognizer = _make_recognizer(args.counting)
    choose = count_vote(recognizer)
    failed = 0
    for path in expand(args.paths):
        try:
            loaded = load_image(path)
        except SourceError as exc:
            failed += 1
            reason = str(exc)
            reason = reason[len(path) + 2 :] if reason.startswith(f"{path}: ") else reason
            print(json.dumps({"image": path, "error": reason}), flush=True)
            # The record is for tools; a person reading the terminal gets the line too.
            print(f"handcue: {path}: {reason}", file=sys.stderr, flush=True)
            continue
        t0 = time.perf_counter()
        # A small photo is enlarged first and each hand on it reported as the view (of 51)
        # that shows the number most views show. A photo past MAX_IMAGE_PIXELS was read scaled
        # down: its hands are reported in its own pixels all the same.
        result = process_photo(tracker, loaded.image, 0.0, choose=choose)
        result = in_photo_pixels(result, loaded.width, loaded.height)
        ms = (time.perf_counter() - t0) * 1e3
        size = (result.width, result.height)
        gestures = frame_results(result.hands, recognizer, size)
        line = {
            "image": path,
            "width": result.width,
            "height": result.height,
            "ms": round(ms, 3),
            "hands": [
                hand_record(h, recognizer, size, g)
                for h, g in zip(result.hands, gestures, strict=True)
            ],
        }
        print(json.dumps(line), flush=True)
    return 2 if failed else 0
