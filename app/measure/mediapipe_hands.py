"""MediaPipe Hands 0.10.14 run in this process, the yardstick for ``handcue bench`` and
``handcue accuracy``.

Only imported for ``--compare-mediapipe`` / ``--with-mediapipe``; needs the ``compare`` extra."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from typing import Any

import cv2
import numpy as np

from pipeline.errors import HandCueError

# What MediaPipe's native code writes to file descriptor 2 when a graph loads its two models,
# before its own logging is set up (so GLOG_minloglevel does not reach it): notes, not errors.
_START_UP_NOTES = (
    "Created TensorFlow Lite XNNPACK delegate",
    "All log messages before absl::InitializeLog() is called",
    "inference_feedback_manager.cc",
)


@contextlib.contextmanager
def quiet_native_start_up() -> Iterator[None]:
    """Within the block, what is written to file descriptor 2 (native code included) is held
    back; afterwards every line but MediaPipe's start-up notes is written to stderr."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            for line in held.read().decode(errors="replace").splitlines():
                if not any(note in line for note in _START_UP_NOTES):
                    print(line, file=sys.stderr)


def person_hand(label: str) -> str:
    """The person's real hand, "Left" or "Right", on an unmirrored camera frame, from
    MediaPipe's handedness ``label``: MediaPipe labels a hand as on a mirrored (selfie) image,
    so on a camera frame its "Left" is the person's right hand and its "Right" the left."""
    return "Left" if label == "Right" else "Right"


class MediaPipeHands:
    """Wraps ``mediapipe.solutions.hands.Hands``; ``process`` takes a BGR frame already
    converted to RGB by the caller (conversion not timed) and returns the number of hands."""

    def __init__(self, static_mode: bool, max_hands: int, model: str) -> None:
        os.environ.setdefault("GLOG_minloglevel", "2")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import mediapipe as mp
        except ImportError as exc:
            raise HandCueError(
                "comparing with MediaPipe needs MediaPipe 0.10.14 in this environment: "
                "pip install -e '.[compare]'  (it is only used for benchmarking)"
            ) from exc
        self._mp = mp
        self._options = {
            "static_image_mode": static_mode,
            "max_num_hands": max_hands,
            "model_complexity": 1 if model == "full" else 0,
        }
        self._start()

    def _start(self) -> None:
        """A new graph, its models loaded by one blank frame (as our sessions warm up) so that
        its start-up notes are held back here and the first timed frame does not load them."""
        with quiet_native_start_up():
            self._hands = self._mp.solutions.hands.Hands(**self._options)
            self._result(np.zeros((64, 64, 3), dtype=np.uint8))

    def reset(self) -> None:
        """Start a new pass: a fresh graph, so no hand is tracked from the last one."""
        self.close()
        self._start()

    @staticmethod
    def prepare(frame_bgr: np.ndarray) -> np.ndarray:
        rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        rgb.flags.writeable = False
        return rgb

    def _result(self, rgb: np.ndarray):  # type: ignore[no-untyped-def]
        with warnings.catch_warnings():  # its deprecation warnings muted
            warnings.simplefilter("ignore")
            return self._hands.process(rgb)

    def _hand_landmarks(self, rgb: np.ndarray) -> list:  # type: ignore[type-arg]
        """MediaPipe's landmark lists for one RGB frame."""
        return list(self._result(rgb).multi_hand_landmarks or [])

    def hands(self, rgb: np.ndarray) -> list[tuple[np.ndarray, str]]:
        """Every hand MediaPipe reports on an RGB frame: (21, 3) landmarks (x, y pixels, z in
        x's scale) and the person's real hand, "Left" or "Right" (MediaPipe's label assumes a
        mirrored image, so on a camera frame it names the other hand)."""
        h, w = rgb.shape[:2]
        result = self._result(rgb)
        out = []
        for marks, side in zip(
            result.multi_hand_landmarks or [], result.multi_handedness or [], strict=False
        ):
            pts = np.array([[p.x * w, p.y * h, p.z * w] for p in marks.landmark], dtype=np.float64)
            out.append((pts, person_hand(side.classification[0].label)))
        return out

    def raw(self, rgb: np.ndarray) -> Any:
        """MediaPipe's own answer for an RGB frame: ``multi_hand_landmarks`` (normalised),
        ``multi_hand_world_landmarks`` (metres) and ``multi_handedness`` (its labels), each
        None without a hand."""
        return self._result(rgb)

    def process(self, rgb: np.ndarray) -> int:
        return len(self._hand_landmarks(rgb))

    def landmarks(self, rgb: np.ndarray) -> list[np.ndarray]:
        """(21, 2) landmark pixels of every hand MediaPipe reports on an RGB frame."""
        return [pts[:, :2] for pts, _ in self.hands(rgb)]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._hands.close()
