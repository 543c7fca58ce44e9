"""``open_source``: a source spec (camera index, video file, image, folder) to its source, with
the reasons a spec cannot be opened said before OpenCV sees it."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from pipeline.errors import SourceError
from pipeline.sources import video
from pipeline.sources.base import (
    IMAGE_SUFFIXES,
    VIDEO_SUFFIXES,
    FrameSource,
    check_frame_step,
    is_camera_spec,
)
from pipeline.sources.images import ImageFolderSource, list_images

# Linux's video4linux character devices (/dev/video*): a camera given as a path.
_V4L_MAJOR = 81


def _special_file_problem(path: Path, st: os.stat_result) -> str | None:
    """Why ``path`` (not a folder) must not be handed to OpenCV, or None for a regular file.

    A named pipe blocks open() until a writer appears, a socket cannot be read as a file and a
    device other than a camera (e.g. /dev/zero, a terminal) would be read for ever."""
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return f"{path}: is a named pipe (FIFO), not a video file"
    if stat.S_ISSOCK(mode):
        return f"{path}: is a socket, not a video file"
    if (
        stat.S_ISCHR(mode)
        and sys.platform.startswith("linux")
        and os.major(st.st_rdev) == _V4L_MAJOR
    ):
        return None  # /dev/videoN given by path
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return f"{path}: is a device that is not a camera; give a camera by its index (0, 1, ...)"
    return f"{path}: is not a regular file"


def open_source(
    spec: str | int, loop: bool = False, frame_step: int = 1, image_seconds: float = 0.0
) -> FrameSource:
    """``spec``: a camera index ("0"), a video file or a folder of images. ``loop`` restarts
    files at the end; ``frame_step`` K yields every K-th frame of a video file with the video's
    own timestamps (see VideoSource); ``image_seconds`` > 0 shows each image of a folder (or a
    single image) for that long (:attr:`ImageFolderSource.hold_s`). Frames come as fast as they
    decode: pace them with :class:`FrameClock`. Raises SourceError with a clear reason; named
    pipes, sockets and devices that are not cameras are refused before OpenCV sees them."""
    check_frame_step(frame_step)
    if isinstance(spec, int) or is_camera_spec(spec):
        problem = video._camera_device_problem(int(spec))
        if problem is not None:
            raise SourceError(problem)
        return video.VideoSource(int(spec))
    path = Path(spec)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise SourceError(f"{spec}: no such file or folder") from None
    except OSError as exc:
        raise SourceError(f"{spec}: cannot read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        if path.suffix.lower() in VIDEO_SUFFIXES and not list_images(path):
            raise SourceError(f"{spec}: is a folder (with no images), not a video file")
        return ImageFolderSource(path, loop=loop, hold_s=image_seconds)
    problem = _special_file_problem(path, st)
    if problem is not None:
        raise SourceError(problem)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageFolderSource(path.parent, files=[path], hold_s=image_seconds)
    return video.VideoSource(str(path), loop=loop, frame_step=frame_step)
