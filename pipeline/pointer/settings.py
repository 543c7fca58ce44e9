"""Settings of pointer mode: the ``[pointer]`` table of the settings file.

One frozen pydantic model (``extra="forbid"``, like :mod:`pipeline.settings`). Distances of the
hand are in palm sizes (wrist to middle knuckle), so they hold at any distance from the camera;
distances on the desktop are in desktop pixels (the coordinates the OS pointer uses).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ActiveArea(BaseModel):
    """The part of the camera view that maps onto the whole desktop, as fractions of the frame
    width/height of the *unmirrored* camera image (0 = left/top edge, 1 = right/bottom)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    left: float = Field(0.25, ge=0.0, le=1.0)
    top: float = Field(0.2, ge=0.0, le=1.0)
    right: float = Field(0.75, ge=0.0, le=1.0)
    bottom: float = Field(0.7, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> ActiveArea:
        if self.right - self.left < 0.05 or self.bottom - self.top < 0.05:
            raise ValueError(
                "the active area must be at least 5% of the frame wide and high "
                f"(left {self.left}, right {self.right}, top {self.top}, bottom {self.bottom})"
            )
        return self


class PointerSettings(BaseModel):
    """Everything the user can set about pointer mode (see README "Pointer mode"). A field's
    ``title`` and ``description`` are its label and help in the app's Pointer page."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    # the app's toggle and --pointer override it
    enabled: bool = Field(False, title="Start in pointer mode (no key needed)")
    hand: Literal["any", "left", "right"] = Field("any", title="Hand")
    # Which point of the hand drives the pointer. The palm centre (mean of the wrist and the
    # four finger knuckles) does not move when the fingers pinch and averages five landmarks'
    # noise: on a still hand (our full tracker, synthetic noisy video) its spread is 0.14% of
    # the palm size against 0.17% (middle knuckle), 0.22% (index knuckle), 0.27% (index tip)
    # and 0.47% (wrist); on MediaPipe's reference for the moving open-hand video the knuckles
    # and the palm centre are alike (0.74-0.80% high-frequency jitter), tips and wrist worse.
    anchor: Literal["palm_centre", "index_knuckle"] = Field("palm_centre", title="Follow")
    mapping: Literal["absolute", "relative"] = Field("absolute", title="Mapping")
    # webcams face the user: moving the hand right moves the pointer right
    mirror: bool = Field(True, title="Pointer moves as in a mirror (webcam facing you)")
    active_area: ActiveArea = Field(default_factory=ActiveArea, title="Active area")
    # One Euro filter on the anchor (Casiez et al. 2012); speeds in palm sizes per second.
    min_cutoff_hz: float = Field(
        1.0, gt=0.0, le=30.0, title="Smoothing (min cutoff)",
        description="Smoothing when still: lower = steadier",
    )  # fmt: skip
    beta: float = Field(
        3.0, ge=0.0, le=100.0, title="Speed response (beta)",
        description="How quickly smoothing gives way to fast moves: higher = less lag",
    )  # fmt: skip
    dead_zone_px: float = Field(2.0, ge=0.0, le=50.0, title="Dead zone")
    # Relative mode: desktop pixels per active-area width of hand travel, times acceleration.
    relative_gain: float = Field(1.0, gt=0.0, le=10.0, title="Relative speed")
    relative_acceleration: float = Field(1.0, ge=0.0, le=10.0, title="Relative acceleration")
    clutch: bool = Field(True, title="Fist = clutch (lift the mouse)")
    pinch_click: bool = Field(True, title="Thumb-index pinch = left click; hold to drag")
    pinch_on: float = Field(
        0.35, gt=0.0, le=1.0, title="Pinch closes at",
        description="Fingertip gap that starts a pinch, in palm sizes",
    )  # fmt: skip
    pinch_off: float = Field(0.5, gt=0.0, le=1.5, title="Pinch opens at")
    drag_after_ms: int = Field(300, ge=50, le=3000, strict=True, title="Hold to drag after")
    double_click_ms: int = Field(400, ge=0, le=2000, strict=True, title="Double click within")
    right_click: bool = Field(True, title="Thumb-middle pinch = right click")
    scroll: bool = Field(True, title="Thumb on index and middle, then move = scroll")
    scroll_step: float = Field(
        0.15, gt=0.0, le=2.0, title="Scroll step",
        description="Hand travel per wheel step, in palm sizes",
    )  # fmt: skip
    scroll_invert: bool = Field(False, title="Invert scrolling")
    dwell_click: bool = Field(False, title="Dwell click: keep the pointer still to click")
    # Dwell times of 500-1000 ms are the usual range in head- and hand-pointer tools; shorter
    # ones click where the user only paused to look ("Midas touch").
    dwell_ms: int = Field(
        800, ge=200, le=5000, strict=True, title="Dwell time",
        description="How long the pointer must stay still to click (500-1000 ms suits most)",
    )  # fmt: skip
    dwell_radius_px: float = Field(
        20.0, ge=2.0, le=200.0, title="Dwell radius",
        description="The pointer may wander this far from where it stopped; moving further "
        "cancels the dwell and starts a new one there",
    )  # fmt: skip
    dwell_refractory_ms: int = Field(
        500, ge=0, le=5000, strict=True, title="Rest after a click",
        description="No new dwell counts this long after a click, so one rest never clicks twice",
    )  # fmt: skip
    show_palette: bool = Field(
        True, title="Show the click palette (right, double, drag, scroll, pause by dwell)",
        description="A small floating palette while pointer mode is on: dwell on a button to "
        "choose the next click; dwell twice to keep it",
    )  # fmt: skip
    rest_pause: bool = Field(
        False, title="A resting hand pauses clicks",
        description="Dropping the hand out of the active area for a while pauses clicks until "
        "you dwell on Resume",
    )  # fmt: skip
    rest_pause_s: float = Field(
        3.0, ge=0.5, le=60.0, title="Resting hand pauses after",
        description="How long the hand must stay out of the active area (seconds)",
    )  # fmt: skip
    # A gesture held this long switches pointer mode on/off ("none": no gesture). Its own
    # mappings are held back; pick one that is not the arm gesture.
    toggle_gesture: str = Field(
        "none", min_length=1, max_length=40, title="Toggle gesture",
        description="Hold this gesture to switch pointer mode on or off (not the arm gesture)",
    )  # fmt: skip
    toggle_hold_ms: int = Field(1000, ge=0, le=10_000, strict=True, title="Hold it for")
    takeback_ms: int = Field(
        1500, ge=0, le=30_000, strict=True, title="Mouse takes over for",
        description="Moving the real mouse pauses the hand pointer this long",
    )  # fmt: skip
    takeback_px: float = Field(6.0, ge=1.0, le=200.0)

    @model_validator(mode="after")
    def _hysteresis(self) -> PointerSettings:
        if self.pinch_off <= self.pinch_on:
            raise ValueError(
                f"pinch_off ({self.pinch_off}) must be larger than pinch_on ({self.pinch_on}): "
                "the fingers must open further to end a pinch than to start one"
            )
        return self
