"""``handcue gestures``: list, record and remove user-recorded gestures.

    handcue gestures list [--json]
    handcue gestures record NAME --source CAMERA|VIDEO|FOLDER [--samples N] [--replace]
    handcue gestures remove NAME

Recorded gestures live in ``pipeline.paths.data_dir() / "gestures.json"`` and are recognised
like built-in ones (by name, through the recogniser and the stabiliser).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.errors import HandCueError
from pipeline.settings import MODEL_SIZES

if TYPE_CHECKING:
    from pipeline.gestures import TemplateStore
    from pipeline.tracking.tracker import HandTracker
    from pipeline.types import Hand

log = logging.getLogger(__name__)

DEFAULT_SAMPLES = 30
# Seconds to get ready before a camera recording starts, and the longest it waits for hands.
CAMERA_DELAY_S = 3.0
CAMERA_TIMEOUT_S = 30.0
# Samples from a moving source are taken at least this far apart, so they are not all one pose.
SAMPLE_INTERVAL_MS = 100.0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "gestures",
        help="list, record and remove your own gestures",
        description="Record your own gestures from a camera, a video or a folder of photos; "
        "they are then recognised by name like the built-in ones.",
    )
    cmds = p.add_subparsers(dest="gestures_command", metavar="ACTION")
    p.set_defaults(func=lambda args: _usage(p))

    ls = cmds.add_parser("list", help="built-in and recorded gestures")
    ls.add_argument("--json", action="store_true", help="print one JSON object")
    ls.set_defaults(func=run_list)

    rec = cmds.add_parser(
        "record",
        help="record a new gesture",
        description="Record samples of one hand pose. With a camera, HandCue waits a few "
        "seconds, then takes a sample every 0.1 s while you hold the pose (move the hand a "
        "little between samples: turn it, bring it nearer and further).",
    )
    rec.add_argument("name", help="gesture id: lower-case letters, digits, '_' (e.g. spock)")
    rec.add_argument(
        "--source",
        required=True,
        help="camera index (e.g. 0), a video file or a folder of photos",
    )
    rec.add_argument(
        "--samples",
        type=int,
        default=DEFAULT_SAMPLES,
        metavar="N",
        help=f"samples to take (default {DEFAULT_SAMPLES}; a folder gives at most one per photo)",
    )
    rec.add_argument(
        "--hand",
        choices=("any", "left", "right"),
        default="any",
        help="which of your hands shows the gesture (default: the biggest hand in view)",
    )
    rec.add_argument("--replace", action="store_true", help="overwrite a recorded gesture")
    rec.add_argument(
        "--timeout",
        type=float,
        default=CAMERA_TIMEOUT_S,
        metavar="S",
        help=f"camera only: give up after S seconds (default {CAMERA_TIMEOUT_S:g})",
    )
    rec.add_argument(
        "--delay",
        type=float,
        default=CAMERA_DELAY_S,
        metavar="S",
        help=f"camera only: seconds to get ready (default {CAMERA_DELAY_S:g})",
    )
    rec.add_argument("--model", choices=MODEL_SIZES, default="full", help="tracker model")
    rec.add_argument("--provider", default="auto", help="onnxruntime provider")
    rec.set_defaults(func=run_record)

    rm = cmds.add_parser("remove", help="delete a recorded gesture")
    rm.add_argument("name")
    rm.set_defaults(func=run_remove)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _store() -> TemplateStore:
    from pipeline.gestures import TemplateStore

    return TemplateStore.default()


def run_list(args: argparse.Namespace) -> int:
    from pipeline.gestures import DYNAMIC_GESTURES, STATIC_GESTURES
    from pipeline.gestures.recognizer import COUNT_GESTURES, TOTAL_GESTURES

    store = _store()
    recorded = {name: store.info(name) for name in store.names()}
    if args.json:
        out = {
            "builtin": [g for g in STATIC_GESTURES if g != "none"],
            "dynamic": list(DYNAMIC_GESTURES),
            "numbers": list(COUNT_GESTURES + TOTAL_GESTURES),
            "recorded": recorded,
            "store": str(store.path),
        }
        print(json.dumps(out))
        return 0
    print("built-in: " + " ".join(g for g in STATIC_GESTURES if g != "none"))
    print("motion:   " + " ".join(DYNAMIC_GESTURES))
    print(f"numbers:  {COUNT_GESTURES[0]} ... {COUNT_GESTURES[-1]} (one hand shows N), "
          f"{TOTAL_GESTURES[0]} ... {TOTAL_GESTURES[-1]} (all hands together)")  # fmt: skip
    if recorded:
        print(f"recorded ({store.path}):")
        for name, info in recorded.items():
            print(f"  {name:20s} {info['samples']:4d} samples  {info['created']}")
    else:
        print(f"recorded: none yet ({store.path})")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    store = _store()
    store.remove(args.name)
    store.save()
    print(f"removed '{args.name}'")
    return 0


def _make_tracker(args: argparse.Namespace, static: bool) -> HandTracker:
    """The hand tracker (a function so tests can swap in a fake)."""
    from pipeline.tracking.config import measurement_settings, tracker_config
    from pipeline.tracking.tracker import HandTracker

    settings = measurement_settings(model=args.model, max_hands=2, provider=args.provider)
    return HandTracker(tracker_config(settings, static_mode=static))


def _pick_hand(hands: Sequence[Hand], which: str) -> Hand | None:
    if which != "any":
        hands = tuple(h for h in hands if h.handedness.lower() == which)
    if not hands:
        return None
    return max(hands, key=lambda h: h.palm_size)


def collect_samples(args: argparse.Namespace) -> list:
    """Hands showing the gesture, taken from ``args.source`` (see ``record --help``)."""
    from pipeline.photos.small import process_photo
    from pipeline.sources import is_camera_spec, is_folder_spec, open_source

    camera = is_camera_spec(args.source)
    folder = is_folder_spec(args.source)
    samples: list = []
    with open_source(args.source) as src:
        tracker = _make_tracker(args, static=folder)
        start = time.monotonic()
        if camera and args.delay > 0:
            print(
                f"Show the gesture to the camera; recording in {args.delay:g} s ...",
                file=sys.stderr,
            )
        last_ms = -float("inf")
        for frame in src:
            if camera:
                elapsed = time.monotonic() - start
                if elapsed < args.delay:
                    continue
                if elapsed > args.delay + args.timeout:
                    break
            if folder:  # photos: a small one is enlarged first, as handcue detect does
                result = process_photo(tracker, frame.image, frame.timestamp_ms)
            else:
                result = tracker.process(frame.image, frame.timestamp_ms)
            hand = _pick_hand(result.hands, args.hand)
            if hand is None:
                continue
            if not folder and frame.timestamp_ms - last_ms < SAMPLE_INTERVAL_MS:
                continue
            last_ms = frame.timestamp_ms
            samples.append(hand)
            if camera:
                print(f"\rsample {len(samples)}/{args.samples}", end="", file=sys.stderr)
            if len(samples) >= args.samples:
                break
        if camera:
            print(file=sys.stderr)
    return samples


def run_record(args: argparse.Namespace) -> int:
    from pipeline.gestures import GestureRecognizer
    from pipeline.gestures.templates import validate_name

    validate_name(args.name)
    if args.samples < 1:
        raise HandCueError("--samples must be at least 1")
    store = _store()  # a damaged store stops here, before anything is recorded
    if args.name in store.names() and not args.replace:
        raise HandCueError(
            f"a gesture named '{args.name}' is already recorded; use --replace to record it "
            f"again or 'handcue gestures remove {args.name}'"
        )
    samples = collect_samples(args)
    if not samples:
        raise HandCueError(
            f"no hand was found in {args.source}; nothing was recorded "
            "(is the hand in view and well lit?)"
        )
    # Tell the user when the new gesture looks like something already known.
    builtin = Counter(GestureRecognizer().classify(h).gesture for h in samples)
    common, n = builtin.most_common(1)[0]
    if common != "none" and n * 2 > len(samples):
        print(
            f"handcue: note: {n} of {len(samples)} samples also look like the built-in "
            f"'{common}'; '{args.name}' will be recognised instead of it when it matches",
            file=sys.stderr,
        )
    others = Counter(
        m[0] for h in samples if (m := store.match(h)) is not None and m[0] != args.name
    )
    if others:
        name, n = others.most_common(1)[0]
        print(
            f"handcue: note: {n} of {len(samples)} samples also match the recorded '{name}'",
            file=sys.stderr,
        )
    count = store.add(args.name, samples, replace=args.replace)
    store.save()
    print(f"recorded '{args.name}': {count} samples in {store.path}")
    return 0
