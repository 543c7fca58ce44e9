"""Swipes: a fast, straight movement of the hand, whatever its shape.

Direction convention: swipes are named as the user sees them in a **mirrored preview** (the
selfie view every video-call app shows), which is also the user's own left and right.
Frames from the tracker are unmirrored, so a hand moving towards *image* +x (right in the raw
camera image) is moving to the user's left: that is ``swipe_left``. Up and down are the same in
both views (image -y is ``swipe_up``). Moving the hand to your left to go to the previous slide
or to the next one is a choice for the action mapping, not for this module.

A swipe is read from the hand's path (:mod:`.paths`), across the frames where the tracker lost
the fast hand: a flat hand held sideways or facing the camera, two fingers, a pointing finger
or the swing of a raised hand all count. It fires when the movement ends: the hand slows down
or turns back, or it is lost mid-frame at full speed (a swing down past the camera's view of a
blurred hand). Not swipes: a hand entering view (its path starts at the frame's border), a hand
leaving it (lost at the border), a lowered arm that was not raised, slow drifts and the small
moves of forming a sign. Drags, zooms and pointer use are kept out by :mod:`.detector`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.gestures.motion.paths import Sample, spans_to_end

SWIPES = ("swipe_left", "swipe_right", "swipe_up", "swipe_down")


@dataclass(frozen=True)
class SwipeConfig:
    """``min_distance``: palm sizes travelled along the swipe's axis; ``min_speed``: mean speed
    over the movement and ``peak_speed`` its fastest step (palm sizes / s; two steps at least
    reach ``min_speed``: a hand jumps in one frame only where the picture cut); ``max_duration_ms``:
    the movement fits in this window; ``max_off_axis``: sideways drift allowed as a fraction of
    the travel; ``end_fraction``: the movement has ended when the last step along its axis is
    under this fraction of the fastest; ``min_edge``: palm sizes between the frame's border and
    where the movement starts (less: the hand is partly out of view) and where a lost hand was
    last seen (less: a hand leaving the view); ``enter_edge``: the same
    for where a hand was first seen, when its movement started under ``settle_ms`` later (a
    hand coming into view); ``formed_ms``: a movement that ends in a sign the hand did not show over it and this long
    before it is a sign being formed, not a swipe."""

    min_distance: float = 1.5
    min_speed: float = 4.0
    peak_speed: float = 8.0
    max_duration_ms: float = 700.0
    max_off_axis: float = 0.6
    end_fraction: float = 0.35
    min_edge: float = 0.75
    enter_edge: float = 1.5
    settle_ms: float = 200.0
    formed_ms: float = 300.0


@dataclass(frozen=True)
class Stroke:
    """A straight movement found in a path: its swipe name and first and last samples."""

    name: str
    start: Sample
    end: Sample


def find_stroke(
    path: Sequence[Sample], config: SwipeConfig, *, ended_by_loss: bool
) -> Stroke | None:
    """The swipe that ``path`` (oldest first) ends with, if its movement is over: the hand
    slowed or turned back at its last sample, or (``ended_by_loss``) the hand was lost after
    it. The longest qualifying movement wins."""
    if len(path) < 2:
        return None
    end = path[-1]
    for start, span in spans_to_end(path, config.max_duration_ms):
        dt = end.t - start.t
        palm = float(np.median([s.palm for s in span]))
        d = (end.centre - start.centre) / palm
        axis = int(np.argmax(np.abs(d)))
        travel, drift = abs(float(d[axis])), abs(float(d[1 - axis]))
        if travel < config.min_distance or drift > config.max_off_axis * travel:
            continue
        if travel / (dt / 1000.0) < config.min_speed:
            continue
        sign = 1.0 if d[axis] > 0 else -1.0
        # Each step in its own hand's size (a hand near the camera jitters by more pixels).
        steps = [
            sign * (b.centre[axis] - a.centre[axis]) / b.palm / max((b.t - a.t) / 1000.0, 1e-3)
            for a, b in zip(span[:-1], span[1:], strict=True)
        ]
        peak = max(steps)
        if peak < config.peak_speed:
            continue
        if sum(v >= config.min_speed for v in steps) < 2:
            continue  # one jump: a cut between two pictures, not a hand moving
        if not ended_by_loss and steps[-1] >= config.end_fraction * peak:
            continue  # still moving: wait for the end
        if start.edge < config.min_edge:
            continue  # began partly out of view (cut by the border: a misread size)
        first = path[0]
        if first.edge < config.enter_edge and start.t - first.t <= config.settle_ms:
            continue  # came into view moving
        if ended_by_loss and end.edge < config.min_edge:
            continue  # left the view
        if start.closed:
            continue  # a closed hand moving: a drag, or a fist being brought into place
        if _sign_formed(path, start, end, config.formed_ms):
            continue
        name = _name(axis, sign)
        if name == "swipe_down" and not start.raised:
            continue  # a lowered arm, not a swing of a raised hand
        return Stroke(name, start, end)
    return None


def _sign_formed(path: Sequence[Sample], start: Sample, end: Sample, before_ms: float) -> bool:
    """Whether the movement ends in a sign the hand did not show over it and ``before_ms``
    before it: a hand brought into place while it forms a thumb up is showing a sign, not
    swiping (signs the tracker reads on blurred frames of a swipe are a mix that ends in
    ``none``, or in the sign the hand had all along)."""
    if end.gesture == "none":
        return False
    return any(
        s.gesture not in ("none", end.gesture) for s in path if start.t - before_ms <= s.t <= end.t
    )


def _name(axis: int, sign: float) -> str:
    if axis == 0:
        # Image +x is the user's left (see the module docstring).
        return "swipe_left" if sign > 0 else "swipe_right"
    return "swipe_up" if sign < 0 else "swipe_down"
