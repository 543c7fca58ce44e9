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
    """Everything the user can set about pointer mode (see README "Pointer mode")."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    enabled: bool = False  # start in pointer mode (the app's toggle and --pointer override it)
    hand: Literal["any", "left", "right"] = "any"
    # Which point of the hand drives the pointer. The palm centre (mean of the wrist and the
    # four finger knuckles) does not move when the fingers pinch and averages five landmarks'
    # noise: on a still hand (our full tracker, synthetic noisy video) its spread is 0.14% of
    # the palm size against 0.17% (middle knuckle), 0.22% (index knuckle), 0.27% (index tip)
    # and 0.47% (wrist); on MediaPipe's reference for the moving open-hand video the knuckles
    # and the palm centre are alike (0.74-0.80% high-frequency jitter), tips and wrist worse.
    anchor: Literal["palm_centre", "index_knuckle"] = "palm_centre"
    mapping: Literal["absolute", "relative"] = "absolute"
    mirror: bool = True  # webcams face the user: moving the hand right moves the pointer right
    active_area: ActiveArea = Field(default_factory=ActiveArea)
    # One Euro filter on the anchor (Casiez et al. 2012); speeds in palm sizes per second.
    min_cutoff_hz: float = Field(1.0, gt=0.0, le=30.0)
    beta: float = Field(3.0, ge=0.0, le=100.0)
    dead_zone_px: float = Field(2.0, ge=0.0, le=50.0)
    # Relative mode: desktop pixels per active-area width of hand travel, times acceleration.
    relative_gain: float = Field(1.0, gt=0.0, le=10.0)
    relative_acceleration: float = Field(1.0, ge=0.0, le=10.0)
    clutch: bool = True  # a fist lifts the mouse
    pinch_click: bool = True
    pinch_on: float = Field(0.35, gt=0.0, le=1.0)  # thumb tip to fingertip, palm sizes
    pinch_off: float = Field(0.5, gt=0.0, le=1.5)
    drag_after_ms: int = Field(300, ge=50, le=3000, strict=True)
    double_click_ms: int = Field(400, ge=0, le=2000, strict=True)
    right_click: bool = True
    scroll: bool = True
    scroll_step: float = Field(0.15, gt=0.0, le=2.0)  # palm sizes of hand travel per wheel step
    scroll_invert: bool = False
    dwell_click: bool = False
    dwell_ms: int = Field(800, ge=200, le=5000, strict=True)
    dwell_radius_px: float = Field(20.0, ge=2.0, le=200.0)
    # A gesture held this long switches pointer mode on/off ("none": no gesture). Its own
    # mappings are held back; pick one that is not the arm gesture.
    toggle_gesture: str = Field("none", min_length=1, max_length=40)
    toggle_hold_ms: int = Field(1000, ge=0, le=10_000, strict=True)
    takeback_ms: int = Field(1500, ge=0, le=30_000, strict=True)
    takeback_px: float = Field(6.0, ge=1.0, le=200.0)

    @model_validator(mode="after")
    def _hysteresis(self) -> PointerSettings:
        if self.pinch_off <= self.pinch_on:
            raise ValueError(
                f"pinch_off ({self.pinch_off}) must be larger than pinch_on ({self.pinch_on}): "
                "the fingers must open further to end a pinch than to start one"
            )
        return self
