"""Frame sources behind one interface: a camera index, a video file or a folder of images;
their pacing; and the one-frame mailbox between a reading thread and the tracking thread.

Iterate a source to get ``Frame`` objects; images come as OpenCV BGR uint8. Image folders yield
files in name order; files that cannot be read are reported through ``skipped`` (and logged)
rather than stopping the stream. Sources decode as fast as they are read; :class:`FrameClock`
paces files to their own frame rate (as a camera would deliver them) and keeps timestamps
increasing across loops and reconnects. Both ``handcue run`` and the app use these.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

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
# Video files up to this size are decoded on one thread. FFmpeg's decoding threads cost CPU
# time of their own: the fist video (720p H.264) took 3.5 ms of CPU a frame with them, 3.0 ms
# on one thread, and one thread still decodes 1080p well above camera rates. Larger videos
# keep the back-end's threads so that they play in real time.
SINGLE_THREAD_MAX_PIXELS = 1920 * 1080


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


def check_frame_step(frame_step: int) -> int:
    """``frame_step`` if it is a whole number from 1 to MAX_FRAME_STEP, else SourceError."""
    if isinstance(frame_step, bool) or not isinstance(frame_step, int):
        raise SourceError(f"the frame step must be a whole number, got {frame_step!r}")
    if not 1 <= frame_step <= MAX_FRAME_STEP:
        raise SourceError(
            f"the frame step must be from 1 to {MAX_FRAME_STEP} (1 = every frame), got {frame_step}"
        )
    return frame_step


class _CaptureCalls:
    """Runs every OpenCV call of one capture (open, read, release) on its own daemon thread.

    OpenCV's open and read are native calls that ignore signals: a named pipe, a hung network
    share or a stuck camera would block the caller for ever, Ctrl-C included. The caller here only
    waits on an event, which a signal interrupts at once; one thread makes all the calls, as some
    capture back-ends (Media Foundation) require. If the caller gives up, the thread is left
    blocked and dies with the process."""

    def __init__(self, name: str) -> None:
        self._requests: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        # The answer comes through a C-level queue: a KeyboardInterrupt raised by a signal
        # handler while waiting leaves it intact (a threading.Event's Python-level condition
        # can be hit between its lock's release and re-acquire: "release unlocked lock").
        answer: queue.SimpleQueue[tuple[Any, BaseException | None]] = queue.SimpleQueue()
        self._requests.put((fn, args, answer))
        while True:  # a KeyboardInterrupt lands here, not inside OpenCV
            try:
                value, error = answer.get(timeout=0.25)
                break
            except queue.Empty:
                continue
        if error is not None:
            raise error
        return value

    def close(self) -> None:
        self._requests.put(None)

    def _serve(self) -> None:
        while True:
            item = self._requests.get()
            if item is None:
                return
            fn, args, answer = item
            try:
                answer.put((fn(*args), None))
            except BaseException as exc:  # handed to the caller's thread
                answer.put((None, exc))


def _open_capture(spec: str | int) -> Any:
    """``cv2.VideoCapture(spec)``; OpenCV's own log is silenced while a camera is probed (it
    prints warnings for a missing index before HandCue can say so in one line)."""
    if not isinstance(spec, int):
        return cv2.VideoCapture(spec)
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        return cv2.VideoCapture(spec)
    finally:
        cv2.utils.logging.setLogLevel(level)


# Video files whose frames are single JPEG pictures (MJPEG, what a webcam sends at 720p): the
# capture hands over each frame's bytes undecoded (OpenCV's raw mode) and HandCue decodes them
# with libjpeg-turbo (cv2.imdecode), as OpenCV's camera back-end does. Measured on 720p frames
# of the fist video: FFmpeg's own MJPEG decoder with its conversion to BGR ~10 ms a frame,
# imdecode 3.7 ms; a frame the tracker skips (grab) costs nothing to decode at all.
JPEG_FOURCCS = frozenset({"MJPG", "mjpg", "AVDJ", "jpeg", "JPEG"})


def _fourcc_text(value: float) -> str:
    try:
        return int(value).to_bytes(4, "little").decode("ascii", "replace")
    except (OverflowError, ValueError):
        return ""


def is_jpeg(packet: Any) -> bool:
    """Whether a raw-mode read gave one JPEG picture's bytes ((1, N) uint8, FF D8 first)."""
    return (
        isinstance(packet, np.ndarray)
        and packet.dtype == np.uint8
        and packet.size > 2
        and int(packet.flat[0]) == 0xFF
        and int(packet.flat[1]) == 0xD8
    )


def decode_jpeg(packet: np.ndarray) -> np.ndarray | None:
    """A raw-mode frame (JPEG bytes) as a BGR picture, or None when it does not decode."""
    return cv2.imdecode(packet.reshape(-1), cv2.IMREAD_COLOR) if is_jpeg(packet) else None


# What a camera is asked for: 1280x720 at 30 fps, compressed (MJPG). OpenCV's own default is
# 640x480, where a hand 3 m away is 20-30 px tall and the palm detector misses it (the far-hand
# work assumes 720p), and uncompressed 720p (YUYV) needs more than USB 2 carries at 30 fps, so
# most webcams then drop to 5-10 fps. A compressed frame is also cheap to skip: the capture's
# grab() only dequeues it; decoding happens in retrieve(), for the frames the tracker wants.
# A camera that cannot do this picks its nearest mode, which is kept.
CAMERA_WIDTH, CAMERA_HEIGHT, CAMERA_FPS = 1280, 720, 30.0
# A camera that gives 720p only below this rate (fps) is set back to 640x480.
CAMERA_MIN_FPS = 20.0


def _ask_camera_mode(cap: Any) -> tuple[int, int, float]:
    """Ask an open camera for CAMERA_WIDTH x CAMERA_HEIGHT at CAMERA_FPS in MJPG (format first:
    the sizes a camera offers depend on it); returns the (width, height, fps) it delivers,
    zeros where the back-end cannot say. A back-end that refuses the request keeps its mode."""
    with contextlib.suppress(cv2.error):
        _request_camera_mode(cap)
    return (
        int(cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0),
        int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0),
        float(cap.get(cv2.CAP_PROP_FPS) or 0.0),
    )


def _request_camera_mode(cap: Any) -> None:
    cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
    cap.set(cv2.CAP_PROP_FRAME_WIDTH, CAMERA_WIDTH)
    cap.set(cv2.CAP_PROP_FRAME_HEIGHT, CAMERA_HEIGHT)
    cap.set(cv2.CAP_PROP_FPS, CAMERA_FPS)
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
    if 0.0 < fps < CAMERA_MIN_FPS:
        # 720p only uncompressed, at a rate too low to follow a hand: OpenCV's 640x480 instead.
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, 640)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, 480)
        cap.set(cv2.CAP_PROP_FPS, CAMERA_FPS)


def jpeg_raw_checked(cap: Any) -> bool | None:
    """Switch an opened capture of an MJPEG file to undecoded frames (OpenCV's raw mode) and
    look at its first frame: True (raw JPEG frames, back at the first one), False (another
    codec, or a back-end without raw mode: unchanged), None (raw mode gave no JPEG: reopen)."""
    if _fourcc_text(cap.get(cv2.CAP_PROP_FOURCC)) not in JPEG_FOURCCS:
        return False
    try:
        if not cap.set(cv2.CAP_PROP_FORMAT, -1):
            return False
    except cv2.error:
        return False
    ok, packet = cap.read()
    if not ok or not is_jpeg(packet) or not cap.set(cv2.CAP_PROP_POS_FRAMES, 0):
        return None
    return True


def _capture_file(path: str) -> Any:
    """``cv2.VideoCapture(path)`` decoding on one thread (SINGLE_THREAD_MAX_PIXELS), or with
    the back-end's own threads for larger videos and back-ends that refuse the setting."""
    cap = cv2.VideoCapture(path, cv2.CAP_ANY, [cv2.CAP_PROP_N_THREADS, 1])
    if cap.isOpened():
        width = cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0
        height = cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0
        if width * height <= SINGLE_THREAD_MAX_PIXELS:
            return cap
    cap.release()
    return cv2.VideoCapture(path)


def open_video_file(path: str) -> tuple[Any, bool]:
    """A capture of the file at ``path`` (:func:`_capture_file`) and whether it hands over raw
    JPEG frames (an MJPEG file, see :func:`jpeg_raw_checked`; decode them with
    :func:`decode_jpeg`). A file that does not open comes back unopened (``isOpened()``
    False)."""
    cap = _capture_file(path)
    if not cap.isOpened():
        return cap, False
    raw = jpeg_raw_checked(cap)
    if raw is None:  # raw mode did not give JPEG bytes: decode as usual
        cap.release()
        return _capture_file(path), False
    return cap, raw


class VideoSource(FrameSource):
    """A video file (timestamps from the file's frame rate) or a camera (wall-clock time).
    Opening and reading run on a helper thread (:class:`_CaptureCalls`), so Ctrl-C always
    reaches the thread that iterates.

    ``frame_step`` K > 1 yields only every K-th frame of a video file (frames 0, K, 2K, ...),
    as a machine that keeps up with 1/K of the video's rate sees it: ``Frame.index`` and
    ``Frame.timestamp_ms`` stay those of the video (so :class:`FrameClock` paces by the
    video's clock). Cameras ignore it (they already deliver what the machine keeps up with)."""

    def __init__(self, spec: str | int, loop: bool = False, frame_step: int = 1) -> None:
        self.frame_step = check_frame_step(frame_step)
        self.is_camera = isinstance(spec, int)
        self.kind = "camera" if self.is_camera else "video"
        self.spec = spec
        self.loop = loop and not self.is_camera
        problem = _camera_device_problem(int(spec)) if self.is_camera else None
        if problem is not None:  # asking OpenCV would print its own warnings before our message
            raise SourceError(problem)
        self._calls = _CaptureCalls(f"capture {spec}")
        # MJPEG files hand over their frames undecoded (JPEG_FOURCCS).
        self.jpeg_raw = False
        try:
            if self.is_camera:
                self.cap = self._calls.call(_open_capture, spec)
            else:
                self.cap, self.jpeg_raw = self._calls.call(open_video_file, spec)
            opened = self._calls.call(self.cap.isOpened)
        except BaseException:
            self._calls.close()
            raise
        if not opened:
            self._calls.call(self.cap.release)
            self._calls.close()
            if self.is_camera:
                raise SourceError(
                    f"camera {spec} cannot be opened (missing, or in use by another app)"
                )
            raise SourceError(f"{spec}: cannot open as a video (missing, unsupported or damaged)")
        if self.is_camera:
            self.camera_mode = self._calls.call(_ask_camera_mode, self.cap)
        self.fps = float(self._calls.call(self.cap.get, cv2.CAP_PROP_FPS)) or 30.0
        if not 1.0 <= self.fps <= 240.0:
            self.fps = 30.0
        self.description = f"{spec}"
        if self.is_camera:
            width, height, _ = self.camera_mode
            self.description = f"camera {spec}" + (
                f" ({width}x{height})" if width and height else ""
            )
        # Set by the consumer: ``wants(t_ms)`` False skips the frame due at t_ms (grabbed, not
        # converted to BGR, not yielded), e.g. HandTracker.wants_frame while power saving
        # watches an empty view. Called on the iterating thread.
        self.wants: Callable[[float], bool] | None = None
        self.skipped = 0  # frames ``wants`` skipped so far

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        t0 = time.monotonic()
        step = 1 if self.is_camera else self.frame_step
        while True:
            wants = self.wants
            skip = index % step != 0  # a frame the slow machine never sees
            unwanted = False  # skipped because ``wants`` said so (counted in ``skipped``)
            if not skip and wants is not None:
                now = (
                    (time.monotonic() - t0) * 1000.0
                    if self.is_camera
                    else index * 1000.0 / self.fps
                )
                skip = unwanted = not wants(now)
            if skip:  # read from the file or camera, but neither converted nor yielded
                if self._calls.call(self.cap.grab):
                    # Counted once grabbed: past a file's end there is no frame to skip.
                    self.skipped += unwanted
                    index += 1
                    continue
                ok, img = False, None
            else:
                ok, img = self._calls.call(self.cap.read)
            if not ok:
                if self.is_camera:
                    raise SourceError(f"camera {self.spec} stopped delivering frames (unplugged?)")
                if self.loop and index > 0:
                    self._calls.call(self.cap.set, cv2.CAP_PROP_POS_FRAMES, 0)
                    ok, img = self._calls.call(self.cap.read)
                if not ok:
                    return
            if self.jpeg_raw and img is not None:
                img = decode_jpeg(img)  # a frame that does not decode ends the video
            if img is None:
                return
            ts = (time.monotonic() - t0) * 1000.0 if self.is_camera else index * 1000.0 / self.fps
            yield Frame(index, ts, to_bgr8(img))
            index += 1

    def close(self) -> None:
        try:
            self._calls.call(self.cap.release)
        finally:
            self._calls.close()


def _camera_device_problem(index: int) -> str | None:
    """Why camera ``index`` certainly cannot open (Linux: no /dev/videoN), else None."""
    if sys.platform.startswith("linux") and not Path(f"/dev/video{index}").exists():
        return f"camera {index} not found (there is no /dev/video{index})"
    return None


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
        problem = _camera_device_problem(int(spec))
        if problem is not None:
            raise SourceError(problem)
        return VideoSource(int(spec))
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
    return VideoSource(str(path), loop=loop, frame_step=frame_step)


class FrameClock:
    """Paces frames and keeps their timestamps strictly increasing.

    ``pace(frames)`` yields the frames with ``timestamp_ms`` shifted so that time never runs
    backwards, also across a loop of the file or a reopened camera (pass the same clock to
    each reopening), so the tracker's filters never see time jump back. With ``realtime``,
    files wait for their own timestamps on the wall clock, as a camera delivers frames; the
    wait ends at once when ``stop`` is set (then ``pace`` returns). Yielded images are
    read-only: the array a source yields is frozen in place, not copied, so a source hands
    each frame over and never writes to it again. Used by one thread at a time.
    """

    def __init__(self, *, realtime: bool, stop: threading.Event | None = None) -> None:
        self.realtime = realtime
        self.stop = stop or threading.Event()
        self._last_ts: float | None = None
        self._offset = 0.0
        self._frame_dt = 1000.0 / 30.0

    def clock_ms(self, raw_ms: float) -> float:
        """The timestamp ``pace`` gives a frame stamped ``raw_ms`` by its source (unless the
        frame turns out to start a loop or a reconnect)."""
        return raw_ms + self._offset

    def pace(self, frames: Iterable[Frame]) -> Iterator[Frame]:
        wall_start: float | None = None
        ts_start = 0.0
        for frame in frames:
            raw_ts = float(frame.timestamp_ms)
            ts = raw_ts + self._offset
            if self._last_ts is not None and ts <= self._last_ts:  # loop or reconnect
                self._offset = self._last_ts + self._frame_dt - raw_ts
                ts = raw_ts + self._offset
                wall_start = None
            if self._last_ts is not None:
                self._frame_dt = min(max(ts - self._last_ts, 1.0), 1000.0)
            if self.realtime:
                now = time.perf_counter()
                if wall_start is None:
                    wall_start, ts_start = now, ts
                delay = (ts - ts_start) / 1000.0 - (now - wall_start)
                while delay > 0:
                    if self.stop.wait(min(delay, 0.5)):
                        return
                    delay = (ts - ts_start) / 1000.0 - (time.perf_counter() - wall_start)
            if self.stop.is_set():
                return
            self._last_ts = ts
            image = np.asarray(frame.image)
            # Sources hand each frame's pixels over: frozen where they are, not copied (a copy
            # of a 720p frame is 0.5 ms, 1.3-1.5% of a core at 25-30 fps).
            image.flags.writeable = False
            yield replace(frame, timestamp_ms=ts, image=image)


class LatestSlot:
    """A one-item, thread-safe mailbox between a reading thread and the tracking thread:
    ``put`` replaces whatever is waiting (counting it as dropped: the newest frame wins when
    tracking is slower than the source); ``take`` waits for an item. ``close`` wakes every
    waiter for shutdown; ``finish`` says the producer has ended."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: Any = None
        self._closed = False
        self._finished = False
        self.dropped = 0

    def put(self, item: Any) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cond.notify_all()

    def take(self, timeout: float) -> Any:
        """The waiting item (removing it), or None after ``timeout`` seconds or when closed."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._item is not None or self._closed or self._finished, timeout
            )
            item, self._item = self._item, None
            self._cond.notify_all()  # wake a producer waiting in wait_empty
            return item

    def wait_empty(self, timeout: float) -> bool:
        """Wait until the waiting item was taken (or the slot closed); True if it was."""
        with self._cond:
            return self._cond.wait_for(lambda: self._item is None or self._closed, timeout)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def finish(self) -> None:
        """The producer has ended: the waiting item (if any) is still delivered, then
        ``drained`` becomes True."""
        with self._cond:
            self._finished = True
            self._cond.notify_all()

    @property
    def drained(self) -> bool:
        return self._finished and self._item is None

    @property
    def closed(self) -> bool:
        return self._closed


def camera_node_exists(index: int) -> bool:
    """False when camera ``index`` certainly does not exist: on Linux its /dev/videoN node is
    missing. Elsewhere True (only opening it can tell)."""

    return _camera_device_problem(index) is None


def list_cameras(max_index: int = 4) -> list[int]:
    """Camera indices that open (a quick probe; an empty list on machines without one).

    On Linux an index without its /dev/videoN node is skipped without asking OpenCV, which
    would otherwise log an error per missing device."""
    found = []
    for i in range(max_index):
        if not camera_node_exists(i):
            continue
        cap = _open_capture(i)
        if cap.isOpened():
            found.append(i)
        cap.release()
    return found
