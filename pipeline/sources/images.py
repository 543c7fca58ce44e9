"""Still images: reading any image file as BGR uint8, and a folder of them (or one image) as a
source, each image shown for one frame or held for ``hold_s`` seconds."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from pipeline.errors import SourceError
from pipeline.sources.base import IMAGE_SUFFIXES, MAX_IMAGE_PIXELS, Frame, FrameSource

log = logging.getLogger(__name__)


def read_image(path: str | Path) -> np.ndarray:
    """Read an image file as (H, W, 3) uint8 BGR, whatever its bit depth or channels.

    Raises SourceError with the reason when the file is missing, empty, not an image or broken."""
    p = Path(path)
    if not p.exists():
        raise SourceError(f"{path}: no such file")
    if p.is_dir():
        raise SourceError(f"{path}: is a folder, not an image")
    try:
        data = np.fromfile(str(p), dtype=np.uint8)
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror})") from exc
    if data.size == 0:
        raise SourceError(f"{path}: empty file")
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if img is None:
        raise SourceError(f"{path}: not an image OpenCV can decode (or the file is damaged)")
    return to_bgr8(img)


def to_bgr8(img: np.ndarray) -> np.ndarray:
    """Any decoded image -> (H, W, 3) uint8 BGR, scaled down past MAX_IMAGE_PIXELS."""
    if img.dtype == np.uint16:
        img = (img / 257.0).round().astype(np.uint8)
    elif img.dtype in (np.float32, np.float64):
        img = (np.clip(img, 0.0, 1.0) * 255.0).round().astype(np.uint8)
    elif img.dtype != np.uint8:
        raise SourceError(f"unsupported pixel type {img.dtype}")
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    elif img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    elif img.shape[2] == 1:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    h, w = img.shape[:2]
    if h * w > MAX_IMAGE_PIXELS:
        scale = (MAX_IMAGE_PIXELS / (h * w)) ** 0.5
        img = cv2.resize(
            img, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA
        )
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
