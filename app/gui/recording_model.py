"""The gesture recorder's decisions, without Qt: the take in progress (samples recorded now,
what keeps them from being saved, whether they look like a built-in gesture, how they are
saved), the sampling run after Record, and the wording of the questions and reports about saved
samples. The dialog (:mod:`app.gui.recorder`) shows them; tests use them without a window.

Samples are ``Hand`` objects (landmarks in pixels of the original image) picked from the newest
``FrameResult``; saving turns them into canonical poses in a
``pipeline.gestures.templates.TemplateStore``. Called on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from pipeline.errors import HandCueError
from pipeline.types import FrameResult, Hand

if TYPE_CHECKING:
    from pipeline.gestures.templates import TemplateStore

# Ticks on one frame before a take gives up on it (at 200 ms apart: about two seconds).
STALE_TICKS = 10


def count(n: int, noun: str) -> str:
    """``1 sample``, ``2 samples``."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def read_store(templates: Any) -> TemplateStore:
    """A fresh TemplateStore read from the file ``templates`` (the app's store, or None) came
    from; the running worker keeps its own copy. Raises HandCueError if the file is bad."""
    from pipeline.gestures.templates import TemplateStore

    return TemplateStore(getattr(templates, "path", None))


def name_problem(text: str) -> str:
    """'' or why ``text`` (as typed; spaces around it do not count) cannot name a gesture."""
    from pipeline.gestures.templates import validate_name

    name = text.strip()
    if not name:
        return "Give the gesture a name."
    try:
        validate_name(name)
    except HandCueError as exc:
        return str(exc)
    return ""


def builtin_lookalike(hands: list[Hand]) -> tuple[str, int] | None:
    """The built-in gesture most of ``hands`` already show, and how many show it; None when
    at most half of them look like one built-in gesture. A recorded gesture wins over the
    built-in ones, so recording one of them silently replaces it."""
    from collections import Counter

    from pipeline.gestures.features import measure
    from pipeline.gestures.recognizer import match_builtin

    seen = Counter(match_builtin(measure(hand))[0] for hand in hands)
    seen.pop("none", None)
    if not seen:
        return None
    gesture, n = seen.most_common(1)[0]
    return (gesture, n) if n * 2 > len(hands) else None


class Take:
    """The samples recorded now and not saved yet, in the order they were taken."""

    def __init__(self) -> None:
        self.samples: list[Hand] = []

    def add(self, hand: Hand) -> None:
        self.samples.append(hand)

    def remove(self, rows: Iterable[int]) -> None:
        """Drop the samples at ``rows`` (positions in :attr:`samples`)."""
        for r in sorted(set(rows), reverse=True):
            del self.samples[r]

    def problem(self, name: str) -> str:
        """'' when the take can be saved as ``name`` (as typed), else what to do first."""
        problem = name_problem(name)
        if not problem and not self.samples:
            problem = "Record some samples (press Record with your hand in view)."
        return problem

    def lookalike_warning(self, title_of: Callable[[str], str]) -> str:
        """'' or why these samples would take over a built-in gesture; ``title_of`` turns a
        gesture id into the name the user sees (``thumb_up`` -> ``Thumb up``)."""
        found = builtin_lookalike(self.samples) if self.samples else None
        if found is None:
            return ""
        gesture, n = found
        title = title_of(gesture)
        return (
            f"{n} of {len(self.samples)} samples look like the built-in gesture {title} "
            f"({gesture}). A recorded gesture wins over the built-in ones: once saved, a hand "
            f"posed like these samples is recognised as this gesture instead of {title}, and "
            f"mappings on {gesture} stop firing for it. To use {title}, map {gesture} "
            "instead; or record a hand shape that differs more from it."
        )

    def save_to(self, store: TemplateStore, name: str) -> None:
        """Write the samples to ``store``'s file as ``name``, replacing a gesture of that name;
        the take keeps them (the caller clears it once the app has the new store). Raises
        HandCueError if the file cannot be written."""
        store.add(name, self.samples, replace=name in store.names())
        store.save()

    def clear(self) -> None:
        self.samples.clear()


class SampleRun:
    """One press of Record: a countdown of whole seconds, then one sampling tick per sample
    to take, each given the newest frame's result. The last frame sampled is remembered across
    runs, so no frame is taken twice."""

    def __init__(self) -> None:
        self.countdown = 0
        self.to_take = 0
        self._last_frame_index: int | None = None
        self._stale = 0

    def start(self, per_take: int, countdown_s: int) -> None:
        self.countdown = countdown_s
        self.to_take = per_take

    def stop(self) -> None:
        """Take no more samples (tracking stopped in the middle of the take)."""
        self.to_take = 0

    @property
    def finished(self) -> bool:
        return self.to_take <= 0

    def count_down(self) -> int | None:
        """One second passed: the seconds still to wait (0: sampling starts with this tick), or
        None once sampling has started."""
        if self.countdown <= 0:
            return None
        self.countdown -= 1
        return self.countdown

    def pick(self, result: FrameResult | None) -> tuple[Hand | None, str | None]:
        """A sampling tick on the newest frame's ``result`` (None: no frame): the hand to keep
        (the most confident one; None when there is none to keep this tick) and a message for
        the user (None: leave the message as it is). A frame sampled already is waited on, up
        to :data:`STALE_TICKS` ticks, without using up a sample."""
        if result is None or not result.hands:
            self.to_take -= 1
            return None, "No hand in view: show your hand to the camera."
        if result.frame_index == self._last_frame_index:
            self._stale += 1  # same frame again: wait for a new one, but not forever
            if self._stale > STALE_TICKS:
                self.to_take -= 1
                return None, "The video is not moving: start tracking first."
            return None, None
        self._stale = 0
        self._last_frame_index = result.frame_index
        self.to_take -= 1
        return max(result.hands, key=lambda h: h.score), None


def delete_question(name: str, rows: Sequence[int], total: int) -> str:
    """The question before deleting the saved samples at ``rows`` (0-based, sorted) of the
    ``total`` saved samples of ``name``; deleting all of them removes the gesture."""
    n = len(rows)
    if n == total:
        what = "the only saved sample" if total == 1 else f"all {total} saved samples"
        return (
            f"Delete {what} of '{name}'?\n\nWith no samples left the "
            f"gesture '{name}' itself is removed, and mappings that use it stop working. "
            "This cannot be undone."
        )
    numbers = f" ({', '.join(f'#{r + 1}' for r in rows)})" if n <= 10 else ""
    return (
        f"Delete {n} of the {total} saved samples of '{name}'{numbers}?\n\n"
        f"{count(total - n, 'sample')} will be kept. This cannot be undone."
    )


def deleted_report(name: str, n: int, left: int) -> str:
    """What happened after ``n`` saved samples of ``name`` were deleted, ``left`` remaining."""
    if left:
        return f"Deleted {count(n, 'sample')} of '{name}'; {left} left."
    return f"Removed '{name}' (no samples left)."


def remove_question(name: str) -> str:
    """The question before removing the recorded gesture ``name`` with all its samples."""
    return (
        f"Remove the recorded gesture '{name}' and all its samples?\n\n"
        "Mappings that use it stop working. This cannot be undone."
    )
