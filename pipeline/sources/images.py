"""Still images: reading any image file as BGR uint8, and a folder of them (or one image) as a
source, each image shown for one frame or held for ``hold_s`` seconds."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from pipeline.errors import SourceError
from pipeline.sources.base import (
    IMAGE_SUFFIXES,
    MAX_DECODE_PIXELS,
    MAX_DECODE_TEXT,
    MAX_IMAGE_PIXELS,
    Frame,
    FrameSource,
    special_file_problem,
)
from pipeline.sources.image_header import image_size

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedImage:
    """An image file read for tracking. ``image``: (h, w, 3) uint8 BGR, scaled down to at most
    MAX_IMAGE_PIXELS when the file is larger (for memory); ``width`` and ``height``: the file's
    own size in pixels, the frame that results about the file are given in."""

    image: np.ndarray
    width: int
    height: int

    @property
    def scale(self) -> tuple[float, float]:
        """(x, y) factors from the file's pixels to ``image``'s (1.0, 1.0 unless scaled)."""
        h, w = self.image.shape[:2]
        return w / self.width, h / self.height


def read_image(path: str | Path) -> np.ndarray:
    """Read an image file as (H, W, 3) uint8 BGR, whatever its bit depth or channels, scaled
    down past MAX_IMAGE_PIXELS (:func:`load_image` keeps the file's own size too).

    Raises SourceError with the reason when the file is missing, empty, not an image, broken,
    a special file (a named pipe, a device) or larger than MAX_DECODE_PIXELS."""
    return load_image(path).image


def load_image(path: str | Path) -> LoadedImage:
    """Read an image file as :func:`read_image` does, with the file's own width and height.

    The size is read from the file's header first (:func:`image_size`): a picture past
    MAX_DECODE_PIXELS is refused before decoding would hold its pixels. The file is opened
    without blocking and checked as opened, so a named pipe or a device is refused rather than
    waited on or read for ever."""
    data = _file_bytes(Path(path), path)
    size = image_size(data.data)
    if size is not None:
        _check_decode_size(path, *size)
    try:
        img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    except cv2.error as exc:  # e.g. no memory for the pixels of a format not read above
        raise SourceError(f"{path}: OpenCV could not decode it ({exc.err})") from None
    if img is None:
        raise SourceError(f"{path}: not an image OpenCV can decode (or the file is damaged)")
    height, width = img.shape[:2]
    _check_decode_size(path, width, height)  # formats whose header is not read above
    return LoadedImage(to_bgr8(img), width, height)


def _check_decode_size(path: str | Path, width: int, height: int) -> None:
    if width * height > MAX_DECODE_PIXELS:
        raise SourceError(
            f"{path}: {width}x{height} pixels is larger than HandCue reads "
            f"({MAX_DECODE_TEXT}); scale it down first"
        )


def _file_bytes(p: Path, given: str | Path) -> np.ndarray:
    """The bytes of the regular file ``p`` as a (N,) uint8 array; SourceError otherwise."""
    if not p.exists():
        raise SourceError(f"{given}: no such file")
    if p.is_dir():
        raise SourceError(f"{given}: is a folder, not an image")
    # O_NONBLOCK: opening a named pipe with no writer returns at once (a plain open waits for
    # one for ever); the opened file is then checked, so nothing can be swapped in between.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(p, flags)
    except OSError as exc:
        raise SourceError(f"{given}: cannot read ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise SourceError(f"{given}: is a folder, not an image")
        problem = special_file_problem(given, st, "an image file", cameras=False)
        if problem is not None:
            raise SourceError(problem)
        with os.fdopen(fd, "rb") as fh:
            fd = -1  # closed with fh
            data = np.fromfile(fh, dtype=np.uint8)
    except OSError as exc:
        raise SourceError(f"{given}: cannot read ({exc.strerror or exc})") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if data.size == 0:
        raise SourceError(f"{given}: empty file")
    return data


def to_bgr8(img: np.ndarray) -> np.ndarray:
    """Any decoded image -> (H, W, 3) uint8 BGR, scaled down past MAX_IMAGE_PIXELS.

    Scaled first, then converted: the conversion works on the smaller picture, and 16-bit
    pixels go to 8 bits in one pass (OpenCV) without a float copy of the picture (a 20000x20000
    16-bit RGB image: 2.4 GB decoded, its float64 copy 9.6 GB)."""
    if img.dtype not in (np.uint8, np.uint16, np.float32, np.float64):
        raise SourceError(f"unsupported pixel type {img.dtype}")
    h, w = img.shape[:2]
    if h * w > MAX_IMAGE_PIXELS:
        scale = (MAX_IMAGE_PIXELS / (h * w)) ** 0.5
        img = cv2.resize(
            img, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA
        )
    if img.dtype == np.uint16:
        # x / 257 rounded to the nearest level (65535 -> 255), as a float division would.
        img = cv2.convertScaleAbs(img, alpha=1.0 / 257.0)
    elif img.dtype != np.uint8:
        img = (np.clip(img, 0.0, 1.0) * 255.0).round().astype(np.uint8)
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    elif img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    elif img.shape[2] == 1:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    return np.ascontiguousarray(img)


def list_images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


@dataclass
class ImageFolderSource(FrameSource):
    """Images of a folder in name order, or the explicit ``files`` given. ``hold_s`` > 0
    shows each image for that many seconds of the slideshow's clock (the same picture as
    ``round(hold_s * fps)`` frames, as a camera sees a hand held still), else for one frame."""

    folder: Path
    loop: bool = False
    fps: float = 30.0  # the clock of the slideshow: frame i is at i / fps seconds
    files: list[Path] = field(default_factory=list)
    hold_s: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    kind = "folder"

    def __post_init__(self) -> None:
        if not self.files:
            self.files = list_images(self.folder)
        if not self.files:
            raise SourceError(f"{self.folder}: no images (.jpg, .png, ...) in this folder")
        self.description = f"{self.folder} ({len(self.files)} images)"

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        while True:
            for path in self.files:
                try:
                    img = read_image(path)
                except SourceError as exc:
                    log.warning("skipping %s", exc)
                    self.skipped.append((str(path), str(exc)))
                    continue
                for _ in range(max(1, round(self.hold_s * self.fps))):
                    yield Frame(index, index * 1000.0 / self.fps, img, str(path))
                    index += 1
            if not self.loop or index == 0:
                return
