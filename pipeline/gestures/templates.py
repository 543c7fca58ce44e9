"""User-recorded gestures: templates of normalised keypoints, matched by nearest neighbour.

A sample is a hand pose with translation, scale and rotation removed and left hands mirrored
onto the right (:func:`pipeline.gestures.features.canonical_points`): ``(21, 3)`` in palm units.
The distance between two poses is the largest distance between corresponding points (20
non-wrist points, palm sizes), so one finger held differently is enough to tell poses apart. A
hand matches a recorded gesture when its distance to the nearest sample is below
``max_distance``; otherwise it stays unknown.

Store file (JSON, default ``pipeline.paths.data_dir() / "gestures.json"``)::

    {"schema_version": 1,
     "gestures": {"NAME": {"created": "2026-01-01T12:00:00+00:00",
                           "samples": [[[x, y, z], ... 21 points], ...]}}}

Writes are atomic (``pipeline.fileio``: temp file, fsync, ``os.replace``), so a crash never leaves
a half-written store; a store that cannot be read raises :class:`HandCueError` and is never
overwritten.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from pipeline.errors import HandCueError
from pipeline.fileio import AtomicWriteError, atomic_write_text
from pipeline.gestures.features import angle_points, canonical_points
from pipeline.gestures.recognizer import BUILTIN_GESTURES
from pipeline.paths import data_dir
from pipeline.types import Hand

SCHEMA_VERSION = 1
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# Largest point distance (palm sizes) at which a hand still matches a sample. Measured on the
# HaGRID development photos (MediaPipe landmarks, different people): the nearest photo of the same
# sign is at 0.20 (median) / 0.34 (90th percentile), the nearest photo of another sign at 0.45
# (5th percentile) / 0.66 (median).
MAX_DISTANCE = 0.40
MAX_SAMPLES = 200


def store_path() -> Path:
    """Default location of the recorded-gesture store."""
    return data_dir() / "gestures.json"


def sample_from_hand(hand: Hand) -> np.ndarray:
    """(21, 3) canonical pose of ``hand`` (see the module docstring)."""
    return canonical_points(angle_points(hand), hand.handedness)


def validate_name(name: str) -> None:
    """Raise :class:`HandCueError` unless ``name`` can be a new recorded gesture's id."""
    if not NAME_PATTERN.match(name):
        raise HandCueError(
            f"invalid gesture name {name!r}: use 1-32 lower-case letters, digits or '_', "
            "starting with a letter (e.g. 'spock')"
        )
    if name in BUILTIN_GESTURES:
        raise HandCueError(f"'{name}' is a built-in gesture; choose another name")


class TemplateStore:
    """Recorded gestures in one JSON file. Not thread-safe: load once, share read-only."""

    def __init__(self, path: Path | None = None, max_distance: float = MAX_DISTANCE) -> None:
        self.path = Path(path) if path is not None else store_path()
        self.max_distance = float(max_distance)
        self._gestures: dict[str, dict] = {}
        self._arrays: dict[str, np.ndarray] = {}
        self.load()

    @classmethod
    def default(cls) -> TemplateStore:
        """The user's store at :func:`store_path`."""
        return cls(store_path())

    # -- file -----------------------------------------------------------------------------
    def load(self) -> None:
        """(Re)read the file; a missing file is an empty store. A file that cannot be used
        (unreadable, not JSON, nested too deeply, another schema, bad names or samples) raises
        :class:`HandCueError` with one line naming the file and the problem; the store is then
        empty and the file is left as it is."""
        self._gestures, self._arrays = {}, {}
        if not self.path.exists():
            return
        try:
            gestures, arrays = self._read()
        except HandCueError as exc:
            raise HandCueError(
                f"recorded gestures file {self.path} cannot be read ({exc}); "
                "fix it or move it away (it was left untouched)"
            ) from None
        self._gestures, self._arrays = gestures, arrays

    def _read(self) -> tuple[dict[str, dict], dict[str, np.ndarray]]:
        """Parse and check the file; HandCueError (message: the problem) when it is unusable."""
        if self.path.is_dir():
            raise HandCueError("it is a folder")
        try:
            text = self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise HandCueError(f"not UTF-8 text (byte {exc.start})") from None
        except OSError as exc:
            raise HandCueError(f"cannot read it: {exc.strerror or exc}") from None
        try:
            data = json.loads(text)
        except RecursionError:
            raise HandCueError("JSON nested too deeply") from None
        except ValueError as exc:
            raise HandCueError(f"not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise HandCueError("the file must hold a JSON object")
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise HandCueError(
                f"schema_version {version!r}; this HandCue reads version {SCHEMA_VERSION}"
            )
        entries = data.get("gestures")
        if not isinstance(entries, dict):
            raise HandCueError("'gestures' must be an object")
        gestures: dict[str, dict] = {}
        arrays: dict[str, np.ndarray] = {}
        for name, entry in entries.items():
            shown = name if len(name) <= 40 else name[:40] + "..."
            if not NAME_PATTERN.match(name) or name in BUILTIN_GESTURES:
                raise HandCueError(
                    f"gesture name {shown!r} is not allowed (1-32 lower-case letters, digits "
                    "or '_', starting with a letter, not a built-in gesture)"
                )
            if not isinstance(entry, dict) or "samples" not in entry:
                raise HandCueError(f"gesture {shown!r}: needs an object with 'samples'")
            try:
                arr = np.asarray(entry["samples"], dtype=np.float64)
            except (ValueError, TypeError, RecursionError):
                raise HandCueError(
                    f"gesture {shown!r}: samples must be N x 21 x 3 numbers"
                ) from None
            if arr.ndim != 3 or arr.shape[1:] != (21, 3) or len(arr) == 0:
                raise HandCueError(f"gesture {shown!r}: samples must be N x 21 x 3")
            if not np.all(np.isfinite(arr)):
                raise HandCueError(f"gesture {shown!r}: samples contain NaN or infinity")
            gestures[name] = {"created": str(entry.get("created", ""))[:64]}
            arrays[name] = arr
        return gestures, arrays

    def save(self) -> None:
        """Write the store atomically; HandCueError (nothing changed on disk) when it cannot."""
        data = {
            "schema_version": SCHEMA_VERSION,
            "gestures": {
                name: {
                    "created": self._gestures[name]["created"],
                    "samples": np.round(self._arrays[name], 5).tolist(),
                }
                for name in sorted(self._gestures)
            },
        }
        try:
            atomic_write_text(self.path, json.dumps(data, indent=1))
        except AtomicWriteError as exc:
            raise self._save_error(exc.reason) from None

    def _save_error(self, reason: str) -> HandCueError:
        return HandCueError(
            f"could not save the recorded gestures to {self.path} ({reason}); the file was "
            "left as it was. Check that the folder is writable and has free space.",
            code=4,
        )

    # -- contents -------------------------------------------------------------------------
    def names(self) -> list[str]:
        return sorted(self._gestures)

    def samples(self, name: str) -> np.ndarray:
        """(N, 21, 3) canonical samples of a recorded gesture."""
        return self._arrays[name].copy()

    def info(self, name: str) -> dict:
        return {"created": self._gestures[name]["created"], "samples": len(self._arrays[name])}

    def add(self, name: str, hands: Iterable[Hand], replace: bool = False) -> int:
        """Record ``hands`` as samples of ``name`` (not saved until :meth:`save`).

        Returns the number of samples stored. Raises :class:`HandCueError` for a bad name, a
        name already recorded (unless ``replace``) or no hands.
        """
        validate_name(name)
        if name in self._gestures and not replace:
            raise HandCueError(
                f"a gesture named '{name}' is already recorded; remove it first "
                f"(handcue gestures remove {name})"
            )
        samples = [sample_from_hand(h) for h in hands][:MAX_SAMPLES]
        if not samples:
            raise HandCueError(f"no hand was found in the recording; '{name}' was not saved")
        self._arrays[name] = np.stack(samples)
        self._gestures[name] = {"created": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        return len(samples)

    def _require(self, name: str) -> None:
        if name not in self._gestures:
            known = ", ".join(self.names()) or "none recorded"
            raise HandCueError(f"no recorded gesture named '{name}' (known: {known})")

    def remove(self, name: str) -> None:
        """Delete the recorded gesture ``name`` (not saved until :meth:`save`)."""
        self._require(name)
        del self._gestures[name]
        del self._arrays[name]

    def remove_samples(self, name: str, indices: Iterable[int]) -> int:
        """Delete the samples at ``indices`` (0-based rows of :meth:`samples`) of ``name``.

        Like :meth:`add` and :meth:`remove` this changes the store in memory only; :meth:`save`
        writes it atomically. All indices are checked before anything changes, so a bad one
        leaves the gesture as it was. Repeated indices count once; none at all changes nothing.

        Removing every sample removes the gesture itself (as :meth:`remove` would): a gesture
        with no samples can never match and the file format does not allow one. Returns the
        number of samples left (0 when the gesture was removed). Raises :class:`HandCueError`
        for an unknown name or an index out of range.
        """
        self._require(name)
        count = len(self._arrays[name])
        chosen = {operator.index(i) for i in indices}
        bad = sorted(i for i in chosen if not 0 <= i < count)
        if bad:
            raise HandCueError(
                f"gesture '{name}' has {count} samples (numbered 0 to {count - 1}); "
                f"there is no sample {', '.join(map(str, bad))}; nothing was removed"
            )
        if len(chosen) == count:
            self.remove(name)
            return 0
        keep = np.ones(count, dtype=bool)
        keep[sorted(chosen)] = False
        self._arrays[name] = self._arrays[name][keep]
        return int(keep.sum())

    # -- recognition ----------------------------------------------------------------------
    def distances(self, hand: Hand) -> dict[str, float]:
        """Distance (largest point distance, palm sizes) from ``hand`` to the nearest sample of
        each recorded gesture."""
        pose = sample_from_hand(hand)[1:]
        return {
            name: float(np.linalg.norm(arr[:, 1:] - pose, axis=2).max(axis=1).min())
            for name, arr in self._arrays.items()
        }

    def match(self, hand: Hand) -> tuple[str, float] | None:
        """Nearest recorded gesture and a score in [0.5, 1] if within ``max_distance``."""
        if not self._arrays:
            return None
        dist = self.distances(hand)
        name = min(dist, key=dist.__getitem__)
        d = dist[name]
        if d > self.max_distance:
            return None
        return name, float(1.0 - 0.5 * d / self.max_distance)


def known_gesture_ids(store: TemplateStore | None) -> set[str]:
    """Built-in gesture ids plus the names recorded in ``store``."""
    return set(BUILTIN_GESTURES) | (set(store.names()) if store is not None else set())
