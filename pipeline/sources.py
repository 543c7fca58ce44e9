"""Frame sources behind one interface: a camera index, a video file or a folder of images.

Iterate a source to get ``Frame`` objects; images come as OpenCV BGR uint8. Image folders yield
files in name order; files that cannot be read are reported through ``skipped`` (and logged)
rather than stopping the stream.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from pipeline.errors import SourceError

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv"}
# --frame-step: at most every 30th frame of a video (one frame a second at 30 fps).
MAX_FRAME_STEP = 30
# Larger images are scaled down before tracking; hands are still found and memory stays sane.
MAX_IMAGE_PIXELS = 8192 * 8192


@dataclass(frozen=True)
class Frame:
    index: int
    timestamp_ms: float
    image: np.ndarray  # (H, W, 3) uint8 BGR
    path: str | None = None  # the file, for image folders


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


@dataclass
class ImageFolderSource(FrameSource):
    """Images of a folder in name order, or the explicit ``files`` given."""

    folder: Path
    loop: bool = False
    fps: float = 0.0  # 0: as fast as read; otherwise paced like a camera
    files: list[Path] = field(default_factory=list)
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
                ts = index * (1000.0 / self.fps if self.fps else 1000.0 / 30.0)
                yield Frame(index, ts, img, str(path))
                index += 1
                if self.fps:
                    time.sleep(1.0 / self.fps)
            if not self.loop or index == 0:
                return


def check_frame_step(frame_step: int) -> int:
    """``frame_step`` if it is a whole number from 1 to MAX_FRAME_STEP, else SourceError."""
    if isinstance(frame_step, bool) or not isinstance(frame_step, int):
        raise SourceError(f"the frame step must be a whole number, got {frame_step!r}")
    if not 1 <= frame_step <= MAX_FRAME_STEP:
        raise SourceError(
            f"the frame step must be from 1 to {MAX_FRAME_STEP} (1 = every frame), got {frame_step}"
        )
    return frame_step


class VideoSource(FrameSource):
    """A video file (timestamps from the file's frame rate) or a camera (wall-clock time).

    ``frame_step`` K > 1 yields only every K-th frame of a video file (frames 0, K, 2K, ...),
    as a machine that keeps up with 1/K of the video's rate sees it: ``Frame.index`` and
    ``Frame.timestamp_ms`` stay those of the video, and ``realtime`` pacing follows the video's
    clock. Cameras ignore it (they already deliver what the machine keeps up with)."""

    def __init__(
        self, spec: str | int, loop: bool = False, realtime: bool = False, frame_step: int = 1
    ) -> None:
        self.frame_step = check_frame_step(frame_step)
        self.is_camera = isinstance(spec, int)
        self.kind = "camera" if self.is_camera else "video"
        self.spec = spec
        self.loop = loop and not self.is_camera
        self.realtime = realtime
        self.cap = cv2.VideoCapture(spec)
        if not self.cap.isOpened():
            self.cap.release()
            if self.is_camera:
                raise SourceError(
                    f"camera {spec} cannot be opened (missing, or in use by another app)"
                )
            raise SourceError(f"{spec}: cannot open as a video (missing, unsupported or damaged)")
        self.fps = float(self.cap.get(cv2.CAP_PROP_FPS)) or 30.0
        if not 1.0 <= self.fps <= 240.0:
            self.fps = 30.0
        self.description = f"camera {spec}" if self.is_camera else f"{spec}"

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        t0 = time.monotonic()
        step = 1 if self.is_camera else self.frame_step
        while True:
            if index % step:  # a frame the slow machine never sees: skip it undecoded
                if self.cap.grab():
                    index += 1
                    continue
                ok, img = False, None
            else:
                ok, img = self.cap.read()
            if not ok:
                if self.is_camera:
                    raise SourceError(f"camera {self.spec} stopped delivering frames (unplugged?)")
                if self.loop and index > 0:
                    self.cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                    ok, img = self.cap.read()
                if not ok:
                    return
            if img is None:
                return
            if self.is_camera:
                ts = (time.monotonic() - t0) * 1000.0
            else:
                ts = index * 1000.0 / self.fps
                if self.realtime:
                    delay = t0 + ts / 1000.0 - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
            yield Frame(index, ts, to_bgr8(img))
            index += 1

    def close(self) -> None:
        self.cap.release()


def open_source(
    spec: str | int, loop: bool = False, realtime: bool = False, frame_step: int = 1
) -> FrameSource:
    """``spec``: a camera index ("0"), a video file or a folder of images.

    ``realtime`` paces video files at their frame rate (as a camera would deliver them);
    ``loop`` restarts files at the end; ``frame_step`` K yields every K-th frame of a video
    file with the video's own timestamps (see VideoSource). Raises SourceError with a clear
    reason."""
    check_frame_step(frame_step)
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        return VideoSource(int(spec), realtime=realtime)
    path = Path(spec)
    if not path.exists():
        raise SourceError(f"{spec}: no such file or folder")
    if path.is_dir():
        return ImageFolderSource(path, loop=loop, fps=30.0 if realtime else 0.0)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageFolderSource(path.parent, files=[path])
    return VideoSource(str(path), loop=loop, realtime=realtime, frame_step=frame_step)


def list_cameras(max_index: int = 4) -> list[int]:
    """Camera indices that open (a quick probe; an empty list on machines without one).

    On Linux an index without its /dev/videoN node is skipped without asking OpenCV, which
    would otherwise log an error per missing device."""
    import sys

    found = []
    for i in range(max_index):
        if sys.platform.startswith("linux") and not Path(f"/dev/video{i}").exists():
            continue
        cap = cv2.VideoCapture(i)
        if cap.isOpened():
            found.append(i)
        cap.release()
    return found
