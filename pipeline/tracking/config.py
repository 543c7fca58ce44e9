"""The one path from tracker settings to the tracker's run configuration.

Every command and the app describe the tracker with a :class:`TrackerSettings` (the settings
file's, or one made from command-line options by :func:`measurement_settings`) and get the
tracker's :class:`pipeline.tracking.tracker.TrackerConfig` from :func:`tracker_config`; nothing else
builds one, so a limit or default exists once.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from pipeline.errors import HandCueError
from pipeline.settings.schema import MAX_HANDS, MAX_THREADS, TrackerSettings

if TYPE_CHECKING:
    from pipeline.tracking.tracker import TrackerConfig


def live_threads(configured: int) -> int:
    """Inference threads for live tracking (the app, ``handcue run`` on a camera or paced
    video): the configured number, or for "auto" (0) all cores but one. The free core stays
    for drawing and for the user's own work; onnxruntime's own default takes them all, and on
    a 2-core machine its second thread costs more CPU than it saves time (one hand tracked on
    the fist video: 110% of a core with two threads, 87% with one, at 25 fps either way)."""
    if configured > 0:
        return configured
    return max(1, min(MAX_THREADS, (os.cpu_count() or 2) - 1))


def photo_threads(configured: int) -> int:
    """Inference threads for photos (the app's image view of a picture or a folder): the
    configured number, or for "auto" (0) every core. A photo is analysed once while the user
    waits, with no video to keep up with: a 64x64 photo read in 51 views takes 0.26 s with two
    threads and 0.43 s with one on a 2-core machine, for the same CPU time (0.45 and 0.43 s)."""
    if configured > 0:
        return configured
    return max(1, min(MAX_THREADS, os.cpu_count() or 2))


def tracker_config(
    settings: TrackerSettings,
    *,
    static_mode: bool = False,
    threads: int | None = None,
    **tuning: Any,
) -> TrackerConfig:
    """``settings`` as the tracker's configuration. ``static_mode``: unrelated photos (detect
    on every image, no tracking). ``threads`` overrides the settings' thread count (the app
    keeps a core free for drawing). ``tuning``: the tracker's expert fields that have no
    setting (``redetect_interval_ms``, ``min_detection``, ...), for measurements and tests."""
    # Imported here: the tracker loads OpenCV and ONNX Runtime, which the settings commands
    # (config validate/export) have no use for.
    from pipeline.tracking.tracker import TrackerConfig

    return TrackerConfig(
        model=settings.model,
        max_hands=settings.max_hands,
        static_mode=static_mode,
        provider=settings.provider,
        threads=settings.threads if threads is None else threads,
        min_presence=settings.min_presence,
        smoothing=settings.smoothing,
        far_hands=settings.far_hands,
        power_saving=settings.power_saving,
        **tuning,
    )


def measurement_settings(
    *, model: str = "full", max_hands: int = 2, provider: str = "auto", threads: int = 0
) -> TrackerSettings:
    """Tracker settings from a measurement command's options (detect, bench, accuracy, gesture
    recording and evaluation): raw landmarks (no smoothing), as MediaPipe reports them. Raises
    :class:`HandCueError` in the options' own words when a value is out of range."""
    if not 1 <= max_hands <= MAX_HANDS:
        raise HandCueError(f"--max-hands must be between 1 and {MAX_HANDS}, got {max_hands}")
    if not 0 <= threads <= MAX_THREADS:
        raise HandCueError(f"--threads must be between 0 and {MAX_THREADS}, got {threads}")
    try:
        return TrackerSettings(
            model=model,  # type: ignore[arg-type]
            max_hands=max_hands,
            provider=provider,  # type: ignore[arg-type]
            threads=threads,
            smoothing=0.0,
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "option"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise HandCueError(f"--{field.replace('_', '-')}: {message}") from None
