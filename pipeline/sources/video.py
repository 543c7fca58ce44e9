"""Cameras and video files through OpenCV: every OpenCV call of a capture on a thread of its own
(so a stuck device never blocks Ctrl-C), MJPEG frames decoded by libjpeg-turbo, the camera mode
asked for, frame steps with the video's own timestamps, and the camera probe."""

from __future__ import annotations

import contextlib
import logging
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from pipeline.errors import SourceError
from pipeline.sources.base import Frame, FrameSource, check_frame_step
from pipeline.sources.images import to_bgr8

log = logging.getLogger(__name__)

# Video files up to this size are decoded on one thread. FFmpeg's decoding threads cost CPU
# time of their own: the fist video (720p H.264) took 3.5 ms of CPU a frame with them, 3.0 ms
# on one thread, and one thread still decodes 1080p well above camera rates. Larger videos
# keep the back-end's threads so that they play in real time.
SINGLE_THREAD_MAX_PIXELS = 1920 * 1080


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
