"""Developer tool: pick one real hand pose per built-in gesture for the gesture gallery.

Reads MediaPipe's landmarks of the HaGRID development photos and sample photos
(``../shared/data/reference/{hagrid-dev,photos}.jsonl``), classifies every hand with our own
recogniser and keeps, per gesture, the hand it recognises with the highest score. Writes the 21
image points of each (normalised to a unit box, y down) to ``resources/gestures/poses.json``;
no photo is copied. Run by hand after the recogniser changes::

    .venv/bin/python tests/app/gui/make_gesture_poses.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the checkout

from pipeline.gestures.recognizer import GestureRecognizer  # noqa: E402
from tests.support import DATA, ROOT  # noqa: E402
from tests.support.gui_fakes import hand_from_landmarks  # noqa: E402

REFERENCE = DATA / "reference"
OUT = ROOT / "resources" / "gestures" / "poses.json"


def thumb_out(rock: dict, recognizer: GestureRecognizer) -> dict:
    """No photo shows i_love_you (rock with the thumb out): take the real rock pose and swing
    its thumb out, straight, away from the palm; checked with the recogniser."""
    pts = np.asarray(rock["points"], np.float32) * 200.0
    side = pts[5, :2] - pts[17, :2]  # across the knuckles, towards the thumb side
    up = pts[9, :2] - pts[0, :2]  # from the wrist towards the fingers
    out = side / float(np.linalg.norm(side)) + 0.7 * up / float(np.linalg.norm(up))
    out /= float(np.linalg.norm(out))
    bones = ((1, 2), (2, 3), (3, 4))
    lengths = [float(np.linalg.norm(pts[b, :2] - pts[a, :2])) for a, b in bones]
    for (a, b), length in zip(bones, lengths, strict=True):
        pts[b, :2] = pts[a, :2] + out * length
    lm = np.concatenate([pts, np.zeros((21, 1), np.float32)], axis=1)
    result = recognizer.classify(hand_from_landmarks(lm))
    if result.gesture != "i_love_you":
        raise SystemExit(f"the derived i_love_you pose is recognised as {result.gesture}")
    xy = pts - pts.min(axis=0)
    xy /= float(xy.max())
    return {"points": np.round(xy, 4).tolist(), "score": round(result.score, 3),
            "source": rock["source"] + " (the rock pose with its thumb swung out)"}  # fmt: skip


def main() -> int:
    recognizer = GestureRecognizer()
    best: dict[str, tuple[float, list, str]] = {}
    for name in ("hagrid-dev.jsonl", "photos.jsonl"):
        for line in (REFERENCE / name).read_text().splitlines():
            row = json.loads(line)
            for raw in row["hands"]:
                lm = np.asarray(raw["landmarks"], np.float32)
                hand = hand_from_landmarks(lm)
                result = recognizer.classify(hand, frame_size=(row["width"], row["height"]))
                if result.gesture == "none":
                    continue
                if result.score > best.get(result.gesture, (-1.0,))[0]:
                    xy = lm[:, :2] - lm[:, :2].min(axis=0)
                    xy /= float(xy.max())
                    points = np.round(xy, 4).tolist()
                    best[result.gesture] = (result.score, points, row["image"])
    poses = {g: {"points": p, "score": round(s, 3), "source": src}
             for g, (s, p, src) in sorted(best.items())}  # fmt: skip
    if "i_love_you" not in poses and "rock" in poses:
        poses["i_love_you"] = thumb_out(poses["rock"], recognizer)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "about": "One hand pose per gesture for the gallery: MediaPipe Hands landmarks of "
                 "HaGRID development photos (SberDevices, HaGRID licence, CC BY-SA 4.0 "
                 "variant) and Google sample photos (Apache-2.0); points only, normalised to a "
                 "unit box (x right, y down). Made by tests/app/gui/make_gesture_poses.py.",
        "poses": poses,
    }, indent=1) + "\n")  # fmt: skip
    print(f"{len(poses)} gestures: {', '.join(poses)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
