"""Which of a hand's readings to report: the number most of its views show.

On a small photo the landmark model's reading of a hand changes with the region it is given
(:func:`pipeline.smallimage.read_views` reads it in 101 views). :func:`count_vote` makes the
chooser that reports a view showing the number read in most views, when at least
:data:`MIN_VIEW_SHARE` of them show it, and otherwise a view that shows no number: a relaxed
hand that one turned view happens to read as a number stays no number. Of the views that
agree, the tracker's own reading is reported when it is one of them, else the most typical.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from pipeline.gestures.recognizer import GestureRecognizer
from pipeline.smallimage import ViewChooser
from pipeline.types import Hand

# A number is reported when at least this share of the views show it (and no other number is
# shown as often). Chinese number photos, 411 found hands, 50 views on the enlarged photo: 89.3%
# counted right at 0.2, 90.0% with no floor (a number read in one view of 50 wins), 88.8% at 0.3,
# 87.3% at 0.4.
MIN_VIEW_SHARE = 0.2


def voted_count(counts: Sequence[int | None]) -> int | None:
    """The number shown by most of ``counts`` (one per view; ``None`` for no number), if it is
    shown by at least :data:`MIN_VIEW_SHARE` of them; a tie is settled by the first view
    (the tracker's own reading) when it shows one of the tied numbers, else no number."""
    tally = Counter(c for c in counts if c is not None)
    if not tally:
        return None
    most = max(tally.values())
    if most < MIN_VIEW_SHARE * len(counts):
        return None
    top = [c for c, n in tally.items() if n == most]
    if len(top) == 1:
        return top[0]
    return counts[0] if counts[0] in top else None


def count_vote(recognizer: GestureRecognizer) -> ViewChooser:
    """A :data:`pipeline.smallimage.ViewChooser` that reports a view whose count under
    ``recognizer`` is :func:`voted_count` of all views: the tracker's own reading (the first
    view) when it shows that, else the most typical of the views that show it
    (:func:`most_typical`), whose landmarks (and so its drawn skeleton and its sign) are the
    least odd of them."""

    def choose(views: Sequence[Hand], frame_size: tuple[int, int]) -> int:
        counts = [recognizer.classify(v, frame_size=frame_size).count for v in views]
        winner = voted_count(counts)
        if counts[0] == winner:
            return 0
        agree = [i for i, c in enumerate(counts) if c == winner]
        if not agree:
            return 0
        return agree[most_typical([views[i] for i in agree])]

    return choose


def most_typical(views: Sequence[Hand]) -> int:
    """Index of the view of ``views`` (readings of one hand, in the same pixels) whose image
    landmarks lie closest to the others' (least summed mean point distance)."""
    pts = np.stack([np.asarray(v.landmarks[:, :2], dtype=np.float64) for v in views])
    apart = np.linalg.norm(pts[:, None] - pts[None, :], axis=-1).mean(axis=-1)
    return int(apart.sum(axis=1).argmin())
