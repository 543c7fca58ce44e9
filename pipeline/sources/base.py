"""What every frame source shares: the :class:`Frame`, the source interface, what a source
spec names (a camera index, a video file, images) and how its frames are read
(:class:`RunningMode`)."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np

from pipeline.errors import SourceError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv"}
# --frame-step: at most every 30th frame of a video (one frame a second at 30 fps).
MAX_FRAME_STEP = 30
# Larger images are scaled down before tracking; hands are still found and memory stays sane.
MAX_IMAGE_PIXELS = 8192 * 8192
# Larger image files are refused, from their header before they are decoded: decoding holds
# every pixel at once, at the file's own depth (16384x16384 16-bit RGBA: 2.1 GB; 8-bit RGB:
# 0.8 GB). The largest camera photos (200 megapixels) fit. MAX_DECODE_TEXT says it to users.
MAX_DECODE_SIDE = 16384
MAX_DECODE_PIXELS = MAX_DECODE_SIDE * MAX_DECODE_SIDE
MAX_DECODE_TEXT = (
    f"at most {MAX_DECODE_PIXELS // 1_000_000} million pixels, "
    f"e.g. {MAX_DECODE_SIDE}x{MAX_DECODE_SIDE}"
)

# Linux's video4linux character devices (/dev/video*): a camera given as a path.
_V4L_MAJOR = 81


@dataclass(frozen=True)
class Frame:
    index: int
    timestamp_ms: float
    image: np.ndarray  # (H, W, 3) uint8 BGR
    path: str | None = None  # the file, for image folders


def is_camera_spec(spec: str | int) -> bool:
    """True for a camera index such as ``"0"`` (the one place that decides it)."""
    return isinstance(spec, int) or spec.strip().isdigit()


def is_folder_spec(spec: str) -> bool:
    """True for a folder of images (unrelated photos: the tracker detects on every one)."""
    return bool(spec) and not is_camera_spec(spec) and Path(spec).is_dir()


def is_photo_spec(spec: str) -> bool:
    """True for a folder of images or one image file: photos, not a film (each is analysed on
    its own, as ``handcue detect`` does)."""
    if is_folder_spec(spec):
        return True
    return (
        bool(spec)
        and not is_camera_spec(spec)
        and Path(spec).is_file()
        and (Path(spec).suffix.lower() in IMAGE_SUFFIXES)
    )


def special_file_problem(
    path: str | Path, st: os.stat_result, what: str = "a video file", cameras: bool = True
) -> str | None:
    """Why ``path`` (not a folder; ``st`` its stat) must not be opened and read as ``what``,
    or None for a regular file (and, with ``cameras``, a camera given by its device path).

    A named pipe blocks open() and read() until a writer appears, a socket cannot be read as
    a file and a device (e.g. /dev/zero, a terminal) would be read for ever."""
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return f"{path}: is a named pipe (FIFO), not {what}"
    if stat.S_ISSOCK(mode):
        return f"{path}: is a socket, not {what}"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        if not cameras:
            return f"{path}: is a device, not {what}"
        if (
            stat.S_ISCHR(mode)
            and sys.platform.startswith("linux")
            and os.major(st.st_rdev) == _V4L_MAJOR
        ):
            return None  # /dev/videoN given by path
        return f"{path}: is a device that is not a camera; give a camera by its index (0, 1, ...)"
    return f"{path}: is not a regular file"


class RunningMode(Enum):
    """How a source's frames are read: the one decision between a film and photos.

    ``LIVE``: frames of one scene in time (a camera, a video file, or images held as a stream
    by ``handcue run --image-seconds``): hands are tracked from frame to frame and inference
    leaves a core free. ``PHOTOS``: unrelated pictures (the app's image view, ``handcue
    detect``): each is analysed on its own as a photo (the tracker in static mode, small photos
    enlarged and their hands read in views) on every core, since the user waits for each.
    """

    LIVE = "live"
    PHOTOS = "photos"

    @classmethod
    def for_source(cls, spec: str) -> RunningMode:
        """How the app reads ``spec``: photos for an image or a folder of them."""
        return cls.PHOTOS if is_photo_spec(spec) else cls.LIVE

    @property
    def static(self) -> bool:
        """The tracker detects on every frame and tracks nothing (``TrackerConfig.static_mode``)."""
        return self is RunningMode.PHOTOS


class FrameSource:
    """Base: a context manager and an iterator of ``Frame``."""

    kind = "source"
    description = ""

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Frame]:
        raise NotImplementedError

    def close(self) -> None:
        pass


def check_frame_step(frame_step: int) -> int:
    """``frame_step`` if it is a whole number from 1 to MAX_FRAME_STEP, else SourceError."""
    if isinstance(frame_step, bool) or not isinstance(frame_step, int):
        raise SourceError(f"the frame step must be a whole number, got {frame_step!r}")
    if not 1 <= frame_step <= MAX_FRAME_STEP:
        raise SourceError(
            f"the frame step must be from 1 to {MAX_FRAME_STEP} (1 = every frame), got {frame_step}"
        )
    return frame_step
