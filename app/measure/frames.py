"""Frames decoded up front for the measurements (``handcue bench`` and ``handcue accuracy``):
decoding is kept out of the timed loop."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.errors import HandCueError


def decode_video(path: str, frame_step: int = 1) -> tuple[list[np.ndarray], float]:
    """Every ``frame_step``-th frame of a video and the video's frame rate."""
    from pipeline.sources import VideoSource, open_source

    src = open_source(path, frame_step=frame_step)
    if not isinstance(src, VideoSource) or src.is_camera:
        src.close()
        raise HandCueError(f"{path}: --source needs a video file (use --images for photos)")
    with src:
        frames = [f.image for f in src]
    if not frames:
        raise HandCueError(f"{path}: the video has no frames")
    return frames, src.fps


def load_images(folder: str) -> list[np.ndarray]:
    from pipeline.sources import ImageFolderSource, SourceError

    path = Path(folder)
    if not path.is_dir():
        raise HandCueError(f"{folder}: not a folder of images")
    files = sorted(p for p in path.rglob("*") if p.is_file())
    try:
        src = ImageFolderSource(
            path, files=[p for p in files if p.suffix.lower() in {".jpg", ".jpeg", ".png"}]
        )
    except SourceError as exc:
        raise HandCueError(str(exc)) from exc
    return [f.image for f in src]
