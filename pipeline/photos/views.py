"""Which of a hand's readings to report: the number most of its views show.

On a small photo the landmark model's reading of a hand changes with the region it is given
(:func:`pipeline.photos.small.read_views` reads it in 51 views). :func:`count_vote` makes the
chooser that reports a view showing the number read in most views, when at least
:data:`MIN_VIEW_SHARE` of them show it, and otherwise a view that shows no number: a relaxed
hand that one turned view happens to read as a number stays no number. Of the views that
agree, the tracker's own reading is reported when it is one of them, else the most typical.

Each view's vote is weighted by the landmark model's own presence score for it (``Hand.score``
of a view, :func:`pipeline.photos.small.read_views`) raised to :data:`PRESENCE_POWER`. Over the
Chinese number photos (411 found hands, 100 views each) a view's count is right in 96.5% of
the views whose presence is at least 0.99, 79% at 0.9-0.99, 54% at 0.5-0.9 and 34% under 0.5:
a region turned or moved off the hand gives a reading the model is less sure of, and it is
more often wrong. Counted right: 91.0% with equal votes, 91.2% / 91.7% / 92.0% / 92.0% /
91.7% with the presence to the power 1 / 2 / 3 / 4 / 8 (every power from 1 to 32 at least as
good as equal votes). Chosen on half of the source photos and measured on the other half (20
halvings) the power picked gained 0.2 points on average (-1.0 to +1.5): the gain is small and
the choice of power loose; 4 sits in the middle of the plateau. (These figures are for the
views read on the photo's repeated edges; read on a flat border,
:func:`pipeline.photos.small.flat_border`: 92.7% with equal votes, 93.4% weighted; the 50
views on the brightened copy alone, as now: 92.5% with equal votes, 92.9% / 93.2% / 94.2% /
93.7% with the powers 1 / 2 / 4 / 8.)

Measured and not used as further weights: how sure the rules are of a view (the finger states'
confidence ramps, their minimum, product or mean, to the power 1-4: 379-385 hands right where
the presence alone gives 384 on the 100 views of the time), and how well a view's skeleton,
drawn as a silhouette, covers the photo's skin (a colour model learned on the tracker's own
palm): views covering it well are more often right (92% against 50% for the worst tenth), but
weighting by it gives 380-388 of 411 where the presence alone gives 387, within the noise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from pipeline.gestures.recognizer import GestureRecognizer
from pipeline.photos.small import ViewChooser
from pipeline.types import Hand

# A number is reported when at least this share of the views show it (and no other number is
# shown as often). Chinese number photos, 411 found hands, 50 views on the enlarged photo: 89.3%
# counted right at 0.2, 90.0% with no floor (a number read in one view of 50 wins), 88.8% at 0.3,
# 87.3% at 0.4.
MIN_VIEW_SHARE = 0.2
# A view's vote: its presence score to this power (see the module docstring).
PRESENCE_POWER = 4.0


def voted_count(counts: Sequence[int | None], weights: Sequence[float] | None = None) -> int | None:
    """The number shown by most of ``counts`` (one per view; ``None`` for no number), if it is
    shown by at least :data:`MIN_VIEW_SHARE` of them; a tie is settled by the first view
    (the tracker's own reading) when it shows one of the tied numbers, else no number.
    ``weights`` (one per view, default all 1) make some views count more than others; the
    share is then of the total weight."""
    if weights is None:
        weights = [1.0] * len(counts)
    if len(weights) != len(counts):
        raise ValueError("one weight per view is needed")
    tally: dict[int, float] = defaultdict(float)
    for c, w in zip(counts, weights, strict=True):
        if c is not None:
            tally[c] += w
    if not tally:
        return None
    most = max(tally.values())
    if most <= 0.0 or most < MIN_VIEW_SHARE * sum(weights):
        return None
    top = [c for c, n in tally.items() if n == most]
    if len(top) == 1:
        return top[0]
    return counts[0] if counts[0] in top else None


def count_vote(recognizer: GestureRecognizer) -> ViewChooser:
    """A :data:`pipeline.photos.small.ViewChooser` that reports a view whose count under
    ``recognizer`` is :func:`voted_count` of all views, each weighted by its presence score
    (``score``) to the power :data:`PRESENCE_POWER`: the tracker's own reading (the first
    view) when it shows that, else the most typical of the views that show it
    (:func:`most_typical`), whose landmarks (and so its drawn skeleton and its sign) are the
    least odd of them."""

    def choose(views: Sequence[Hand], frame_size: tuple[int, int]) -> int:
        counts = [recognizer.classify(v, frame_size=frame_size).count for v in views]
        weights = [max(0.0, float(v.score)) ** PRESENCE_POWER for v in views]
        winner = voted_count(counts, weights)
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
