"""Our tracker in static mode over many photos, split across worker processes (a test helper).

The far-hand tiles of static mode are many small inferences that leave the second core mostly
idle; two processes with one inference thread each read hagrid-dev's 300 photos in about 55 s
instead of 77 s, with the same landmarks (checked equal to the last bit on this machine).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pipeline.types import FrameResult


def _track(data: Path, images: list[str]) -> dict[str, dict[str, Any]]:
    """Each image's static-mode result as FrameResult fields (its timings as a plain dict:
    the result's read-only mapping does not pickle)."""
    from pipeline.sources import read_image
    from pipeline.tracking.config import measurement_settings, tracker_config
    from pipeline.tracking.tracker import HandTracker

    settings = measurement_settings(max_hands=2)
    tracker = HandTracker(tracker_config(settings, static_mode=True, threads=1))
    out = {}
    for rel in images:
        result = tracker.process(read_image(data / rel), 0.0)
        fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
        fields["timings"] = dict(result.timings)
        out[rel] = fields
    return out


def static_tracker_or_skip(max_hands: int = 2) -> Any:
    """Our tracker in static mode (full model, raw landmarks, as ``handcue detect`` runs it);
    the calling test is skipped when the models are not installed."""
    import pytest

    from pipeline.errors import HandCueError
    from pipeline.tracking.config import measurement_settings, tracker_config
    from pipeline.tracking.tracker import HandTracker

    try:
        settings = measurement_settings(max_hands=max_hands)
        return HandTracker(tracker_config(settings, static_mode=True))
    except HandCueError as exc:
        pytest.skip(f"tracker models not installed: {exc}")


def track_static(data: Path, images: list[str]) -> dict[str, FrameResult]:
    """``images`` (paths relative to ``data``) through the tracker in static mode, max 2 hands,
    as ``handcue detect`` runs it; by path."""
    workers = max(1, min(2, os.cpu_count() or 1))
    parts = [images[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        done = list(pool.map(_track, [data] * workers, parts))
    merged = {rel: FrameResult(**fields) for part in done for rel, fields in part.items()}
    return {rel: merged[rel] for rel in images}
