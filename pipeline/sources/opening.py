"""``open_source``: a source spec (camera index, video file, image, folder) to its source, with
the reasons a spec cannot be opened said before OpenCV sees it."""

from __future__ import annotations

import stat
from pathlib import Path

from pipeline.errors import SourceError
from pipeline.sources import video
from pipeline.sources.base import (
    IMAGE_SUFFIXES,
    VIDEO_SUFFIXES,
    FrameSource,
    check_frame_step,
    is_camera_spec,
    special_file_problem,
)
from pipeline.sources.images import ImageFolderSource, list_images


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
    is_image = path.suffix.lower() in IMAGE_SUFFIXES
    problem = special_file_problem(path, st, "an image file" if is_image else "a video file")
    if problem is not None:
        raise SourceError(problem)
    if is_image:
        return ImageFolderSource(path.parent, files=[path], hold_s=image_seconds)
    return video.VideoSource(str(path), loop=loop, frame_step=frame_step)
