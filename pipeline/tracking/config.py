"""The tracker's run configuration (:class:`TrackerConfig`) and the one path to it from the
tracker settings.

Every command and the app describe the tracker with a :class:`TrackerSettings` (the settings
file's, or one made from command-line options by :func:`measurement_settings`) and get the
tracker's :class:`TrackerConfig` from :func:`tracker_config`; nothing else builds one, so a limit
or default exists once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from pipeline.errors import HandCueError
from pipeline.settings.limits import setting_problem
from pipeline.settings.schema import MAX_THREADS, TrackerSettings
from pipeline.tracking.track_guard import MERGE_DISTANCE, MERGE_OVERLAP

_SETTINGS_DEFAULTS = TrackerSettings().model_dump()


@dataclass(frozen=True)
class TrackerConfig:
    """The tracker's run configuration. Built from a
    :class:`pipeline.settings.TrackerSettings` by :func:`pipeline.tracking.config.tracker_config`
    (the only place that makes one); its defaults are the settings' defaults, and the fields a
    setting sets are checked with the settings' own limits (:mod:`pipeline.settings.limits`)."""

    model: str = _SETTINGS_DEFAULTS["model"]  # "full" | "lite"
    max_hands: int = _SETTINGS_DEFAULTS["max_hands"]
    static_mode: bool = False  # photos: detect every image, no tracking
    provider: str = _SETTINGS_DEFAULTS["provider"]
    threads: int = _SETTINGS_DEFAULTS["threads"]  # 0: onnxruntime's default
    min_presence: float = _SETTINGS_DEFAULTS["min_presence"]
    min_detection: float = 0.5
    # While at least one hand is tracked but fewer than max_hands, look for new hands at most
    # this often (ms of frame time). 0 runs the palm detector on every such frame, as MediaPipe
    # does; 100 ms finds a second hand within ~3 frames at 30 fps for a third of the cost.
    redetect_interval_ms: float = 100.0
    # Landmark smoothing 0 (off: raw model output, as MediaPipe) .. 1 (steadiest). Only what is
    # reported is smoothed; the next frame's region always comes from the raw landmarks.
    smoothing: float = _SETTINGS_DEFAULTS["smoothing"]
    # One track per hand: after the landmark step, readings that describe one hand (points
    # within ``merge_distance`` palm sizes on average, or boxes sharing ``merge_overlap`` of the
    # smaller box) are merged, keeping the one the landmark model is surer of.
    merge_duplicates: bool = True
    merge_distance: float = MERGE_DISTANCE
    merge_overlap: float = MERGE_OVERLAP
    # Re-checks (video mode): at most every ``recheck_interval_ms`` per tracked hand the palm
    # detector runs (also when max_hands are tracked) and the landmark model reads the fresh
    # palm region that lands on the hand. Readings of one hand that disagree (points more than
    # ``disagree_distance`` palm sizes apart on average: e.g. the raised thumb read as the index
    # finger in one) mark the hand *unsure* for ``unsure_ms``; a new hand is unsure for its
    # first ``new_unsure_ms``. Gestures do not start on an unsure hand (FrameResult.unsure).
    # A negative interval turns re-checks off.
    recheck_interval_ms: float = 200.0
    disagree_distance: float = 0.3
    # A second opinion whose palm is ``disagree_scale`` times smaller than the hand's own
    # disagrees with it however close the points lie: the lite model reads the fist video's
    # thumb up as an upright fist twice the palm size, and the mean distance (in the larger
    # palm) of the right reading inside it stays under ``disagree_distance``. Only this
    # direction: both directions made the full model switch to worse readings (fist video
    # landmark error 4.2 -> 8.8% of palm size at full rate, one repeated thumb up).
    disagree_scale: float = 1.5
    # A fresh reading that disagrees with the hand's own (a re-check, or one merged beside
    # it) makes the hand unsure only when the landmark model is at least this present in it: a
    # weak reading of a partly covered region (the lite model, 0.52 beside its own 0.99 at 5
    # fps) kept the fist unsure for its whole time on screen.
    doubt_presence: float = 0.8
    unsure_ms: float = 800.0
    new_unsure_ms: float = 800.0
    # Detector scheduling (pipeline/tracking/scheduling.py, pipeline/tracking/far_hands.py).
    # far_hands: zoomed tiles while fewer than max hands are tracked; power_saving: the motion
    # gate while none is.
    far_hands: bool = _SETTINGS_DEFAULTS["far_hands"]
    power_saving: bool = _SETTINGS_DEFAULTS["power_saving"]
    # No hand, nothing moving: the detector still runs this often (ms of frame time).
    idle_interval_ms: float = 1000.0
    # A hand first seen in a zoom tile is kept only above this presence score (and after
    # tiles.confirm_far_hand). hagrid-dev's far hands that MediaPipe's reference lacks read
    # 0.825-0.997; a cardboard box behind a person passed every other look at 0.785.
    far_min_presence: float = 0.8
    # A tile's palm is placed again by a closer look (pipeline/tracking/tiles.py closer_palm).
    closer_look: bool = True
    # An unsure hand becomes sure early when, at least ``confirm_ms`` after the last doubt, a
    # re-check agrees with its reading (fresh detection and second opinion alike): at a low
    # frame rate a hand would otherwise stay unsure for most of a short sign.
    confirm_ms: float = 300.0
    # Second opinion (video mode): a hand that is new, found again or re-checked in a frame is
    # also read from its region turned by +-``second_opinion_deg`` (each reading refined once on
    # its own region). The landmark model locks into a reading it started from: a thumb held
    # up towards the camera, read from an upright region, stays "an index finger pointing up"
    # frame after frame; read from a region turned a quarter, it settles on the thumb. The
    # reading the model is most present in wins when it beats the hand's own by
    # ``switch_margin`` (the hand then continues from it, unsure); a reading within
    # ``unsure_margin`` of the hand's own that disagrees with it leaves the hand unsure.
    # Measured on the fist video's thumb (full model): right readings 0.990-0.996, the
    # index-finger reading 0.971-0.989.
    second_opinion_deg: float = 90.0
    # The landmark model second opinions come from ('full' or 'lite'). When it is not the one
    # tracking (the lite model tracks, the full one is asked), it also reads the hand's own
    # region: presences are compared within one model, and where its reading there disagrees
    # with the tracking model's, its own replaces it (the hand becomes unsure). The lite model
    # alone does not recover: on the fist video it locks into an upright-fist reading of the
    # thumb up (region twice the palm size) that its turned readings beat in presence but sit
    # within ``disagree_distance`` of (app.measure.trust, K = 1..5 forwards, mirrored and
    # backwards: 11 wrong gesture events with lite opinions, 3 with full ones, 0 with full
    # ones and ``disagree_scale``, ``doubt_presence`` and the stabiliser's unsure release).
    opinion_model: str = "full"
    switch_margin: float = 0.002
    unsure_margin: float = 0.002
    # A sure hand that keeps its shape is not asked again at every re-check: its second opinion
    # is due when its reading changed by more than ``opinion_change`` palm sizes (mean point
    # distance, wrist on wrist) since its last one, or ``steady_opinion_ms`` after it. A locked
    # wrong reading starts where the pose changes (the fist opening into a thumb up), which a
    # changed shape catches; a hand held still costs one look a second instead of five.
    # ``steady_opinion_ms`` 0: a second opinion at every re-check.
    opinion_change: float = 0.2
    steady_opinion_ms: float = 1000.0
    # A hand lost and a new hand found near where it was (centres within this many region
    # widths, same side) within ``refind_ms`` are one hand: it keeps its track id (its gesture
    # does not start again) and is unsure for ``unsure_ms``.
    refind_distance: float = 0.75
    refind_ms: float = 300.0
    # Hands held still (points within ``steady_distance`` palm sizes of where they were at the
    # last whole-frame look, place and pose alike; every hand sure) are looked at and re-checked
    # every scheduling.STEADY_LOOK_MS instead of every ``redetect_interval_ms`` /
    # ``recheck_interval_ms``, unless something moves around them. Power saving only (the
    # setting); 0 turns this off.
    steady_distance: float = 0.15
    # A lost hand found again in the pose it had (shapes within this many palm sizes) does not
    # become unsure; 0: every hand found again is unsure for ``unsure_ms``.
    refind_same_shape: float = 0.2
    # Resting (power saving on): while every tracked hand moves slower than ``rest_speed``
    # palm sizes a second (mean point distance between its last two readings over their time
    # apart), every second frame reports the last frame's hands again without running a model,
    # and ``HandTracker.wants_frame`` lets the caller skip such a frame altogether (not even
    # decoded in full): a hand held in a sign, or resting in view, is read at half the frame
    # rate. Hands that are also steady (sure, and in place and pose at the last two whole-frame
    # looks: ``steady_distance``) and slower than resting.STEADY_REST_SPEED rest
    # resting.STEADY_REST_FRAMES frames in a row, a third of the frame rate: a hand that starts
    # to move is read within 2 frames (67-80 ms at 25-30 fps). A hand held up in the air
    # jitters at 0.7-2 palm sizes a second (the fist video's thumb up at 25 fps); moving into a
    # sign, turning or swiping it goes 3-30. A frame more than resting.REST_MAX_GAP_MS after the
    # one before it (a slow machine) never rests. 0 turns this off; so does
    # ``HandTracker.allow_rest`` False (pointer mode, where every small move of the hand moves
    # the pointer). Unsure hands rest too: their re-checks and second opinions keep their own
    # times (app.measure.trust: the same gestures at every frame step, forwards, mirrored and
    # backwards; landmark error at full rate 4.2 -> 4.8% of palm size on the fist video, the
    # rested frames counted with the last reading).
    rest_speed: float = 2.5

    def __post_init__(self) -> None:
        # The fields a setting sets obey the settings' own limits and choices (the schema owns
        # them); the opinion model is a landmark model like ``model``.
        checks = [(name, name, getattr(self, name)) for name in TrackerSettings.model_fields]
        checks.append(("model", "opinion_model", self.opinion_model))
        for name, label, value in checks:
            problem = setting_problem(TrackerSettings, name, value, label)
            if problem is not None:
                raise ValueError(problem)
        if min(self.redetect_interval_ms, self.idle_interval_ms) < 0:
            raise ValueError("detector intervals must be 0 ms or more")


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
    for name, value in (("max_hands", max_hands), ("threads", threads)):
        problem = setting_problem(TrackerSettings, name, value, "--" + name.replace("_", "-"))
        if problem is not None:
            raise HandCueError(problem)
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
