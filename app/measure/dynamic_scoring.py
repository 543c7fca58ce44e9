"""Scoring for ``handcue bench --dynamic``: detected movement events against a clip's labels,
the tracking figures of a run, and the totals over clips. Pure functions (no models, no
images); the MediaPipe side imports :func:`tracking_figures` too, so the module itself imports
nothing of the pipeline at load time.

Rules (times in ms of the clip's clock; frames are the clip's indices):

* A labelled event ``[name, first, last]`` is **hit** by a detected event of the same name at
  a frame in ``[first, last + tolerance]``, the tolerance :data:`TOLERANCE_MS` in frames at
  the clip's rate (:func:`tolerance_frames`; 5 frames at the dev GIFs' 16.67 fps): an event
  is only sure once the movement is over, so it may come a little after the last labelled
  frame. Detected events are taken in time order; each hits at most one label (the earliest
  open one whose window holds it), and each label is hit at most once.
* A label nobody hit is a **miss**.
* A detected event that hit no label is **false**, unless it lies in a ``dontcare`` window
  (inclusive): then it counts neither way.
* **Latency** of a hit: the event's time minus the time of the label's last frame (may be
  negative: recognised before the movement ended).
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.measure.dynamic_labels import ClipLabels, LabelledEvent

if TYPE_CHECKING:
    from pipeline.types import GestureEvent

#: How late after a label's last frame its event may come and still count.
TOLERANCE_MS = 300.0


@dataclass(frozen=True)
class Detection:
    """A movement event the pipeline reported, by its label name (see :func:`label_name`), at
    processed frame ``frame`` (clip index) and ``t_ms``."""

    name: str
    frame: int
    t_ms: float
    track_id: int = -1


@dataclass(frozen=True)
class Hit:
    label: LabelledEvent
    detection: Detection
    latency_ms: float


@dataclass
class ClipScore:
    hits: list[Hit] = field(default_factory=list)
    misses: list[LabelledEvent] = field(default_factory=list)
    false: list[Detection] = field(default_factory=list)
    dontcare: list[Detection] = field(default_factory=list)


def label_name(kind: str, gesture: str) -> str | None:
    """The label name of a movement's gesture event: ``drag`` started/ended are
    ``drag_start``/``drag_end``; any other movement counts by its ``started`` event only
    (None for the rest: its ``ended`` or ``held``)."""
    if gesture == "drag":
        return {"started": "drag_start", "ended": "drag_end"}.get(kind)
    return gesture if kind == "started" else None


def movement_detections(events: Iterable[GestureEvent], frame: int) -> list[Detection]:
    """The events of the movements (``pipeline.gestures.DYNAMIC_GESTURES``) that count, by
    label name (:func:`label_name`), placed at ``frame``."""
    # Imported here: the MediaPipe side imports this module without the gesture layer's needs.
    from pipeline.gestures import DYNAMIC_GESTURES
    from pipeline.types import hand_track_id

    found = []
    for event in events:
        name = label_name(event.kind, event.gesture)
        if event.gesture in DYNAMIC_GESTURES and name is not None:
            # The hand's own id (movement events come on a channel of their own).
            found.append(Detection(name, frame, event.timestamp_ms, hand_track_id(event.track_id)))
    return found


def tolerance_frames(fps: float) -> int:
    """:data:`TOLERANCE_MS` in whole frames at ``fps`` (rounded)."""
    return round(TOLERANCE_MS * fps / 1000.0)


def score_clip(labels: ClipLabels, detections: Iterable[Detection], fps: float) -> ClipScore:
    """``detections`` of one clip against its ``labels`` (the rules in the module docstring);
    frames on the clip's clock at ``fps``."""
    tolerance = tolerance_frames(fps)
    open_labels = sorted(labels.events, key=lambda e: (e.first, e.last))
    score = ClipScore()
    for det in sorted(detections, key=lambda d: (d.frame, d.t_ms)):
        label = next(
            (
                e
                for e in open_labels
                if e.name == det.name and e.first <= det.frame <= e.last + tolerance
            ),
            None,
        )
        if label is not None:
            open_labels.remove(label)
            score.hits.append(Hit(label, det, det.t_ms - label.last * 1000.0 / fps))
        elif any(a <= det.frame <= b for a, b in labels.dontcare):
            score.dontcare.append(det)
        else:
            score.false.append(det)
    score.misses = [e for e in labels.events if e in open_labels]
    return score


def tracking_figures(
    hand_counts: Sequence[int], track_ids: Sequence[Collection[int]] | None = None
) -> dict[str, int]:
    """Tracking over the processed frames of a clip, in order: ``hand_counts`` (hands per
    frame) and, when the tracker has them, ``track_ids`` (the ids reported per frame).

    ``frames_with_hand``; ``lost_frames``: frames between the first and the last frame with a
    hand that have none; ``track_ids``: distinct ids; without ids (MediaPipe) ``tracks``: how
    often the count went from 0 (or the start) to more, and ``max_hands``."""
    with_hand = [i for i, n in enumerate(hand_counts) if n > 0]
    lost = 0 if not with_hand else (with_hand[-1] - with_hand[0] + 1) - len(with_hand)
    figures = {
        "frames_processed": len(hand_counts),
        "frames_with_hand": len(with_hand),
        "lost_frames": lost,
    }
    if track_ids is not None:
        figures["track_ids"] = len({t for ids in track_ids for t in ids})
    else:
        starts = sum(
            1 for i, n in enumerate(hand_counts) if n > 0 and (i == 0 or not hand_counts[i - 1])
        )
        figures["tracks"] = starts
        figures["max_hands"] = max(hand_counts, default=0)
    return figures


def score_report(score: ClipScore) -> dict[str, Any]:
    """``score`` as JSON-ready lists: ``matched`` (label, frame and latency of each hit),
    ``missed`` labels, ``false`` events and the number of ``dontcare_events``."""
    return {
        "hits": len(score.hits),
        "labels": len(score.hits) + len(score.misses),
        "matched": [
            {
                "name": h.label.name,
                "first": h.label.first,
                "last": h.label.last,
                "frame": h.detection.frame,
                "latency_ms": round(h.latency_ms, 1),
            }
            for h in score.hits
        ],
        "missed": [{"name": e.name, "first": e.first, "last": e.last} for e in score.misses],
        "false": [
            {"name": d.name, "frame": d.frame, "t_ms": round(d.t_ms, 1)} for d in score.false
        ],
        "dontcare_events": len(score.dontcare),
    }


def totals(clips: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Totals over the clip reports of one variant (each with :func:`score_report`'s keys and
    ``tracking``): labels and hits per label name, false events, the median latency over every
    hit (None without hits), and the tracking figures summed."""
    by_name: dict[str, dict[str, int]] = {}
    latencies: list[float] = []
    for clip in clips:
        for hit, entries in ((1, clip["matched"]), (0, clip["missed"])):
            for entry in entries:
                counts = by_name.setdefault(entry["name"], {"labels": 0, "hits": 0})
                counts["labels"] += 1
                counts["hits"] += hit
        latencies += [m["latency_ms"] for m in clip["matched"]]
    return {
        "labels": sum(c["labels"] for c in by_name.values()),
        "hits": sum(c["hits"] for c in by_name.values()),
        "false_events": sum(len(c["false"]) for c in clips),
        "median_latency_ms": round(statistics.median(latencies), 1) if latencies else None,
        "by_name": dict(sorted(by_name.items())),
        "tracking": {
            key: sum(c["tracking"][key] for c in clips)
            for key in ("frames_processed", "frames_with_hand", "lost_frames")
        },
    }
