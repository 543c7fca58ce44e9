"""MediaPipe Hands 0.10.14 run in this process, the yardstick for ``handcue bench`` and
``handcue accuracy``.

Only imported for ``--compare-mediapipe`` / ``--with-mediapipe``; needs the ``compare`` extra."""

from __future__ import annotations

import contextlib
import os
import warnings

import cv2
import numpy as np

from pipeline.errors import HandCueError


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
        self._hands = mp.solutions.hands.Hands(**self._options)

    def reset(self) -> None:
        """Start a new pass: a fresh graph, so no hand is tracked from the last one."""
        self.close()
        self._hands = self._mp.solutions.hands.Hands(**self._options)

    @staticmethod
    def prepare(frame_bgr: np.ndarray) -> np.ndarray:
        rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        rgb.flags.writeable = False
        return rgb

    def _hand_landmarks(self, rgb: np.ndarray) -> list:  # type: ignore[type-arg]
        """MediaPipe's landmark lists for one RGB frame (its deprecation warnings muted)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = self._hands.process(rgb)
        return list(result.multi_hand_landmarks or [])

    def process(self, rgb: np.ndarray) -> int:
        return len(self._hand_landmarks(rgb))

    def landmarks(self, rgb: np.ndarray) -> list[np.ndarray]:
        """(21, 2) landmark pixels of every hand MediaPipe reports on an RGB frame."""
        h, w = rgb.shape[:2]
        return [
            np.array([[p.x * w, p.y * h] for p in hand.landmark], dtype=np.float64)
            for hand in self._hand_landmarks(rgb)
        ]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._hands.close()
