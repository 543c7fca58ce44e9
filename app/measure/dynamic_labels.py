"""The labels of a folder of dynamic-gesture clips (its ``labels.json``), read for
``handcue bench --dynamic FOLDER`` (:mod:`app.measure.dynamic`) and its MediaPipe side
(:mod:`app.measure.dynamic_mediapipe`).

The file::

    {"about": "free text; may say the clips are MIRRORED",
     "mirrored": true,                      (optional; a clip's own key wins over this one)
     "clips": {"swipe_left_right.gif": {"events": [["swipe_right", 2, 13], ...],
                                         "dontcare": [[0, 8]],
                                         "mirrored": false}}}

``events`` are ``[name, first, last]``: the movement happens within GIF frames ``first`` to
``last`` (indices of the file's frames, inclusive). ``dontcare`` windows ``[first, last]``
(inclusive) are where an event counts neither way (a hand entering view). Names are the
user's own directions (see :data:`EVENT_NAMES`).

Mirrored clips (as a selfie preview shows them) are flipped back to what a camera sees before
tracking. What decides, first match wins: the command line (``--mirrored yes|no``), the clip's
``"mirrored"`` key, the file's top-level ``"mirrored"`` key, then the ``about`` text (it says
"mirrored" and neither "not mirrored" nor "unmirrored"); otherwise not mirrored.

Plain Python: the MediaPipe side imports this module in an environment without onnxruntime
or pydantic."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import HandCueError

LABELS_FILE = "labels.json"

#: The names a label may carry: the started events of the movements in
#: ``pipeline.gestures.DYNAMIC_GESTURES``, with ``drag`` as its two ends (the hand closes to
#: grab: ``drag_start``; it opens to drop: ``drag_end``).
EVENT_NAMES: tuple[str, ...] = (
    "swipe_left", "swipe_right", "swipe_up", "swipe_down", "zoom_in", "zoom_out", "tap",
    "double_tap", "circle_cw", "circle_ccw", "drag_start", "drag_end",
)  # fmt: skip

#: A window of frames (first, last), both inclusive.
Window = tuple[int, int]


@dataclass(frozen=True)
class LabelledEvent:
    """One labelled movement: ``name`` happens within frames ``first``..``last`` (inclusive)."""

    name: str
    first: int
    last: int


@dataclass(frozen=True)
class ClipLabels:
    """The labels of one clip. ``mirrored``: its frames are flipped back before tracking;
    ``mirrored_by``: what said so (``option``, ``clip``, ``labels``, ``about`` or ``default``)."""

    file: str
    events: tuple[LabelledEvent, ...]
    dontcare: tuple[Window, ...] = ()
    mirrored: bool = False
    mirrored_by: str = "default"


def about_says_mirrored(about: str) -> bool:
    """Does the free text say the clips are mirrored? Case-insensitive; "not mirrored" and
    "unmirrored" say they are not."""
    text = about.lower()
    if re.search(r"\bnot\s+mirrored\b", text) or "unmirrored" in text:
        return False
    return re.search(r"\bmirrored\b", text) is not None


def load_labels(folder: str | Path, mirrored: bool | None = None) -> tuple[ClipLabels, ...]:
    """Every clip's labels from ``folder/labels.json``, in the file's order. ``mirrored``: the
    command line's choice (None: decide from the file). Raises :class:`HandCueError` naming the
    file and the entry for a missing folder or file, bad JSON or a bad entry."""
    path = Path(folder) / LABELS_FILE
    if not Path(folder).is_dir():
        raise HandCueError(f"{folder}: not a folder (expected clips and their {LABELS_FILE})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HandCueError(f"{path}: missing; a folder of clips needs its labels") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HandCueError(f"{path}: cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise HandCueError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    return _clips(data, path, mirrored)


def _clips(data: Any, path: Path, option: bool | None) -> tuple[ClipLabels, ...]:
    if not isinstance(data, dict) or not isinstance(data.get("clips"), dict):
        raise HandCueError(f'{path}: expected an object with "clips": {{file name: labels}}')
    if not data["clips"]:
        raise HandCueError(f"{path}: no clips listed")
    top = _optional_bool(data, "mirrored", f"{path}: mirrored")
    about = data.get("about", "")
    if not isinstance(about, str):
        raise HandCueError(f'{path}: "about" must be text')
    fallback = ("default", False)
    if top is not None:
        fallback = ("labels", top)
    elif "mirrored" in about.lower():
        fallback = ("about", about_says_mirrored(about))
    return tuple(
        _clip(name, entry, f"{path}: clip {name!r}", option, fallback)
        for name, entry in data["clips"].items()
    )


def _clip(
    name: str, entry: Any, where: str, option: bool | None, fallback: tuple[str, bool]
) -> ClipLabels:
    if not isinstance(entry, dict):
        raise HandCueError(f'{where}: expected {{"events": [...], "dontcare": [...]}}')
    unknown = set(entry) - {"events", "dontcare", "mirrored"}
    if unknown:
        raise HandCueError(f"{where}: unknown keys {sorted(unknown)}")
    events = tuple(
        _event(value, f"{where} events[{i}]")
        for i, value in enumerate(_list(entry, "events", where))
    )
    dontcare = tuple(
        _window(value, f"{where} dontcare[{i}]")
        for i, value in enumerate(_list(entry, "dontcare", where))
    )
    own = _optional_bool(entry, "mirrored", f"{where}: mirrored")
    by, mirrored = fallback
    if option is not None:
        by, mirrored = "option", option
    elif own is not None:
        by, mirrored = "clip", own
    return ClipLabels(name, events, dontcare, mirrored, by)


def _list(entry: dict[str, Any], key: str, where: str) -> list[Any]:
    value = entry.get(key, [])
    if not isinstance(value, list):
        raise HandCueError(f"{where}: {key} must be a list")
    return value


def _optional_bool(entry: dict[str, Any], key: str, where: str) -> bool | None:
    value = entry.get(key)
    if value is not None and not isinstance(value, bool):
        raise HandCueError(f"{where} must be true or false, not {value!r}")
    return value


def _event(value: Any, where: str) -> LabelledEvent:
    if not (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)):
        raise HandCueError(f"{where}: expected [name, first frame, last frame], got {value!r}")
    if value[0] not in EVENT_NAMES:
        raise HandCueError(f"{where}: unknown event {value[0]!r}; known: {', '.join(EVENT_NAMES)}")
    first, last = _window(value[1:], where)
    return LabelledEvent(value[0], first, last)


def _window(value: Any, where: str) -> Window:
    ok = isinstance(value, list) and len(value) == 2
    ok = ok and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    if not ok or not 0 <= value[0] <= value[1]:
        raise HandCueError(
            f"{where}: expected a frame window first <= last (whole numbers from 0), got {value!r}"
        )
    return value[0], value[1]


def check_frames(labels: ClipLabels, frames: int, where: str) -> None:
    """Raise :class:`HandCueError` when a window of ``labels`` ends past the clip's
    ``frames`` frames (a label written for another file)."""
    windows = [(e.first, e.last) for e in labels.events] + list(labels.dontcare)
    late = [w for w in windows if w[1] >= frames]
    if late:
        raise HandCueError(
            f"{where}: has {frames} frames (0-{frames - 1}), but labels.json has windows "
            f"{', '.join(f'{a}-{b}' for a, b in late)}"
        )
