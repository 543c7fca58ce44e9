"""``handcue bench --realtime --cpu``: the tracker as a camera would drive it. Frames are decoded
inside the measured loop and paced to the video's own frame rate (or ``--fps``) by
:class:`pipeline.sources.FrameClock`; the figure is the process's CPU time over wall time
(100% = one core), decoding included, over the clip's duration (= wall time when the
pass keeps up; ``wall_over_duration`` > 1 says it fell behind on a busy machine), for ours and, with a rival, for MediaPipe on the same
frames. ``--clip A:B --seconds S`` loops frames A..B-1 for S seconds: the no-hand clip of the
issue is the first 24 frames of the fist video, which show no hand.

Thread: the caller's. MediaPipe's and ONNX Runtime's worker threads belong to this process, so
their CPU time is counted; the two libraries run one after the other, never together."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from pipeline.errors import HandCueError
from pipeline.sources import Frame, FrameClock, decode_jpeg, open_video_file, to_bgr8

# JPEG quality of ``--mjpeg`` copies (webcams send 80-95).
MJPEG_QUALITY = 90


@dataclass(frozen=True)
class Clip:
    """Frames ``start`` .. ``end - 1`` of ``path`` (``end`` None: to the end), looped until
    ``seconds`` of video time have passed (None: once), timestamped at ``fps``.

    ``bounce``: every other loop plays the clip backwards, so the looped video has no cut (a
    camera never cuts; at a cut the whole picture changes and the motion gate rightly wakes).
    Each frame delivered still costs what a forward loop costs: the file is decoded forwards
    in step (``read``, or ``grab`` for a skipped frame) and the backward loop's pictures come
    from the first loop's decoded copies."""

    path: str
    fps: float
    start: int = 0
    end: int | None = None
    seconds: float | None = None
    bounce: bool = False

    def frames(self, want: Callable[[float], bool] | None = None) -> Iterator[Frame]:
        """Decode as read; (H, W, 3) uint8 BGR frames with timestamps i * 1000 / fps ms.
        ``want(t_ms)`` False: that frame is decoded but not converted or yielded
        (``grab``), as the app's source does for a tracker that skips it."""
        # MJPEG (a webcam's format) is read as the app's source reads it: undecoded frames,
        # decoded with imdecode only when delivered (pipeline.sources.video.JPEG_FOURCCS).
        cap, raw = open_video_file(self.path)
        if not cap.isOpened():
            raise HandCueError(f"{self.path}: cannot open as a video")

        def picture(data: np.ndarray | None) -> np.ndarray | None:
            """A frame as read (JPEG bytes in raw mode) as a BGR picture; None: undecodable."""
            if data is None or not raw:
                return data
            return decode_jpeg(data)

        total = math.ceil(self.seconds * self.fps) if self.seconds else None
        n = 0
        loop = 0
        # Bounce: what the first loop read of every frame, so that later loops can deliver the
        # same pictures backwards and forwards. In raw mode the JPEG bytes (a frame the tracker
        # skips is never decoded, as in the app); otherwise the decoded picture (grab decodes
        # a compressed video's frame anyway).
        kept: list[np.ndarray] = []
        try:
            while True:
                if self.start or n:
                    cap.set(cv2.CAP_PROP_POS_FRAMES, self.start)
                index = self.start
                got = 0
                backwards = self.bounce and loop % 2 == 1
                while self.end is None or index < self.end:
                    t_ms = n * 1000.0 / self.fps
                    # grab + retrieve is read; a frame not wanted is only grabbed. ``want``
                    # is asked once per frame the file has.
                    if not cap.grab():
                        break
                    wanted = want is None or want(t_ms)
                    img: np.ndarray | None = None
                    ok = True
                    if self.bounce and loop == 0:
                        ok, data = cap.retrieve()  # every frame of the first loop is kept
                        if ok:
                            kept.append(data.copy() if raw else to_bgr8(data))
                            img = picture(data) if wanted else None
                            ok = img is not None or not wanted
                    elif not wanted:
                        pass
                    elif self.bounce and got < len(kept):
                        # Read in step, as a camera's next frame; the picture is the kept one.
                        if not raw:
                            ok = cap.retrieve()[0]
                        img = picture(kept[len(kept) - 1 - got] if backwards else kept[got])
                    else:
                        ok, data = cap.retrieve()
                        img = picture(data) if ok else None
                        ok = img is not None
                    if not ok:
                        break
                    if img is not None:
                        yield Frame(n, t_ms, to_bgr8(img))
                    n += 1
                    got += 1
                    index += 1
                    if total is not None and n >= total:
                        return
                loop += 1
                if total is None or got == 0:
                    return
        finally:
            cap.release()


def reencode_mjpeg(source: str, target: Path, fps: float, end: int | None = None) -> str:
    """Frames ``0 .. end - 1`` of ``source`` (all: None) written to ``target`` as MJPEG
    (JPEG quality 90, about what a webcam sends); returns the target's path as text."""
    cap = cv2.VideoCapture(source)
    writer = None
    try:
        n = 0
        while end is None or n < end:
            ok, img = cap.read()
            if not ok:
                break
            img = to_bgr8(img)
            if writer is None:
                h, w = img.shape[:2]
                writer = cv2.VideoWriter(str(target), cv2.VideoWriter.fourcc(*"MJPG"), fps, (w, h))
                writer.set(cv2.VIDEOWRITER_PROP_QUALITY, MJPEG_QUALITY)
                if not writer.isOpened():
                    raise HandCueError(f"cannot write an MJPEG copy at {target}")
            writer.write(img)
            n += 1
    finally:
        cap.release()
        if writer is not None:
            writer.release()
    if writer is None:
        raise HandCueError(f"{source}: no frames to re-encode")
    return str(target)


def parse_clip(text: str | None) -> tuple[int, int | None]:
    """``"A:B"`` -> (A, B); ``"A:"`` -> (A, None); None -> (0, None)."""
    if not text:
        return 0, None
    try:
        a, b = text.split(":")
        start = int(a) if a else 0
        end = int(b) if b else None
    except ValueError:
        raise HandCueError(f"--clip {text!r}: write START:END frame numbers, e.g. 0:24") from None
    if start < 0 or (end is not None and end <= start):
        raise HandCueError(f"--clip {text!r}: END must be after START, both 0 or more")
    return start, end


@dataclass
class PassResult:
    frames: int
    wall_s: float
    cpu_s: float
    step_cpu_s: float  # CPU time spent inside the tracking calls (decoding and pacing excluded)
    frames_with_hand: int
    first_hand_frame: int | None

    duration_s: float  # the clip's own length at its frame rate

    # Over the clip's duration: the same as over wall time when the pass kept up with the frame
    # rate, and still the CPU that keeping up needs when a busy machine made it fall behind
    # (then CPU over wall time would only show the share the machine gave us).
    @property
    def cpu_pct(self) -> float:
        return 100.0 * self.cpu_s / self.duration_s if self.duration_s > 0 else float("nan")

    @property
    def step_cpu_pct(self) -> float:
        return 100.0 * self.step_cpu_s / self.duration_s if self.duration_s > 0 else float("nan")

    @property
    def behind(self) -> float:
        """Wall time over the clip's duration: 1.0 when the pass kept up."""
        return self.wall_s / self.duration_s if self.duration_s > 0 else float("nan")


def realtime_pass(
    clip: Clip, step: Callable[[Frame], int], want: Callable[[float], bool] | None = None
) -> PassResult:
    """One paced pass: ``step(frame) -> number of hands`` on every frame of ``clip`` that
    ``want(t_ms)`` (None: every frame) asks for; the others are only decoded."""
    clock = FrameClock(realtime=True)
    frames = with_hand = last_hands = 0
    step_cpu = 0.0
    first: int | None = None
    asked = 0  # frames decoded so far, skipped ones included (want is asked for each)

    def counted(t_ms: float) -> bool:
        nonlocal asked
        asked += 1
        return want is None or bool(want(t_ms))

    wall0, cpu0 = time.perf_counter(), time.process_time()
    for frame in clock.pace(clip.frames(counted)):
        c0 = time.process_time()
        hands = step(frame)
        step_cpu += time.process_time() - c0
        if hands and first is None:
            first = frame.index
        # Skipped frames show the hands of the frame before them (a resting hand is skipped).
        with_hand += (frame.index - frames) * (last_hands > 0) + (hands > 0)
        last_hands = hands
        frames = frame.index + 1  # skipped frames count: they were decoded
    # Frames skipped after the last one delivered were decoded too, and showed its hands
    # (every frame delivered was asked for, so ``asked`` is never below ``frames``).
    with_hand += (asked - frames) * (last_hands > 0)
    frames = asked
    # The pass lasts until the next frame would be due, as a camera's would.
    due = wall0 + frames / clip.fps
    while (now := time.perf_counter()) < due:
        time.sleep(due - now)
    return PassResult(
        frames,
        time.perf_counter() - wall0,
        time.process_time() - cpu0,
        step_cpu,
        with_hand,
        first,
        frames / clip.fps,
    )


def _summary(passes: list[PassResult]) -> dict:
    return {
        "frames": passes[0].frames,
        "cpu_pct": round(statistics.median(p.cpu_pct for p in passes), 1),
        "cpu_pct_passes": [round(p.cpu_pct, 1) for p in passes],
        # The tracking calls alone: robust to how much decoding costs on a busy machine.
        "tracking_cpu_pct": round(statistics.median(p.step_cpu_pct for p in passes), 1),
        "wall_s": round(statistics.median(p.wall_s for p in passes), 3),
        "wall_over_duration": round(max(p.behind for p in passes), 3),
        "frames_with_hand": passes[0].frames_with_hand,
        "first_hand_frame": passes[0].first_hand_frame,
    }


def bench_realtime(  # type: ignore[no-untyped-def]
    tracker, clip: Clip, repeat: int, rival=None, skip_frames: bool = True
) -> dict:
    """CPU use of ours (and the rival's) over ``repeat`` paced passes each, alternating
    ours/theirs then theirs/ours. Returns the ``realtime`` part of the bench report."""
    ours: list[PassResult] = []
    theirs: list[PassResult] = []

    def step_ours(frame: Frame) -> int:
        return len(tracker.process(frame.image, frame.timestamp_ms).hands)

    # Frames the tracker does not need (power saving, nothing in view) are only decoded.
    want = tracker.wants_frame if skip_frames else None

    def step_theirs(frame: Frame) -> int:
        return int(rival.process(rival.prepare(frame.image)))

    for rep in range(repeat):
        order = ("ours", "theirs") if rep % 2 == 0 else ("theirs", "ours")
        for who in order:
            if who == "ours":
                tracker.reset()
                ours.append(realtime_pass(clip, step_ours, want))
            elif rival is not None:
                rival.reset()
                theirs.append(realtime_pass(clip, step_theirs))
    # Decoding and pacing alone, the floor under both libraries' figures on this machine now.
    floor = realtime_pass(clip, lambda frame: 0)
    report: dict = {
        "fps": round(clip.fps, 3),
        **_summary(ours),
        "decode_only_cpu_pct": round(floor.cpu_pct, 1),
    }
    if rival is not None:
        report["mediapipe"] = _summary(theirs)
    return report
