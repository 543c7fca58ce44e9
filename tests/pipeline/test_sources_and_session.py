"""Frame sources (camera index, video file, image folder) and provider choice."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from pipeline.errors import HandCueError, SourceError
from pipeline.models.session import resolve_providers
from pipeline.sources import (
    FrameClock,
    ImageFolderSource,
    VideoSource,
    open_source,
    read_image,
    to_bgr8,
)


def test_image_folder_in_name_order_skipping_broken(tmp_path: Path) -> None:
    for name, value in (("b.png", 20), ("a.png", 10)):
        cv2.imwrite(str(tmp_path / name), np.full((8, 12, 3), value, np.uint8))
    (tmp_path / "c.jpg").write_bytes(b"broken")
    (tmp_path / "notes.txt").write_text("x")
    with open_source(str(tmp_path)) as src:
        assert isinstance(src, ImageFolderSource)
        frames = list(src)
    assert [Path(f.path).name for f in frames] == ["a.png", "b.png"]
    assert [int(f.image[0, 0, 0]) for f in frames] == [10, 20]
    assert [f.index for f in frames] == [0, 1]
    assert frames[1].timestamp_ms > frames[0].timestamp_ms
    assert [Path(p).name for p, _ in src.skipped] == ["c.jpg"]


def test_image_folder_holds_each_image(tmp_path: Path) -> None:
    """``image_seconds``: each image is shown for that long on the slideshow's 30 fps clock (the
    same picture, consecutive frames and timestamps), a single image too; 0 is one frame."""
    for name, value in (("a.png", 10), ("b.png", 20)):
        cv2.imwrite(str(tmp_path / name), np.full((4, 4, 3), value, np.uint8))
    with open_source(str(tmp_path), image_seconds=0.2) as src:
        frames = list(src)
    assert [int(f.image[0, 0, 0]) for f in frames] == [10] * 6 + [20] * 6
    assert [f.index for f in frames] == list(range(12))
    assert frames[6].timestamp_ms == pytest.approx(200.0)
    assert len(list(open_source(str(tmp_path / "b.png"), image_seconds=1.0))) == 30
    assert len(list(open_source(str(tmp_path), image_seconds=0.0))) == 2


def test_image_folder_loops(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((4, 4, 3), np.uint8))
    src = open_source(str(tmp_path), loop=True)
    frames = [f for _, f in zip(range(5), src, strict=False)]
    assert [f.index for f in frames] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda p: p / "missing", "no such file"),
        (lambda p: p, "no images"),
    ],
)
def test_bad_sources(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SourceError, match=message):
        open_source(str(make(tmp_path)))


def test_not_a_video(tmp_path: Path) -> None:
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(SourceError, match="cannot open as a video"):
        open_source(str(bad))


def test_missing_camera_is_a_clear_error() -> None:
    with pytest.raises(SourceError, match="camera 7"):
        open_source("7")


class _FakeCamera:
    """A camera as OpenCV's capture shows it: modes it can deliver, the one it is set to, and
    frames of that size. ``refuse``: set() raises cv2.error (a back-end that cannot)."""

    def __init__(self, modes: dict[tuple[str, int, int], float], refuse: bool = False) -> None:
        self.modes, self.refuse = modes, refuse
        self.fourcc, self.size, self.fps = "YUYV", (640, 480), 30.0
        self.asked: list[tuple[int, float]] = []
        self.reads = self.grabs = 0

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return True

    def set(self, prop: int, value: float) -> bool:
        self.asked.append((prop, value))
        if self.refuse:
            raise cv2.error("set is not supported here")
        want = {
            cv2.CAP_PROP_FOURCC: "fourcc", cv2.CAP_PROP_FRAME_WIDTH: "w",
            cv2.CAP_PROP_FRAME_HEIGHT: "h", cv2.CAP_PROP_FPS: "fps",
        }[prop]  # fmt: skip
        if want == "fourcc":
            self.fourcc = int(value).to_bytes(4, "little").decode()
        elif want == "w":
            self.size = (int(value), self.size[1])
        elif want == "h":
            self.size = (self.size[0], int(value))
        mode = (self.fourcc, *self.size)
        if mode not in self.modes:  # the nearest size it has in that format, or YUYV 640x480
            same = [m for m in self.modes if m[0] == self.fourcc] or [("YUYV", 640, 480)]
            area = self.size[0] * self.size[1]
            mode = min(same, key=lambda m: abs(m[1] * m[2] - area))
            self.fourcc, self.size = mode[0], (mode[1], mode[2])
        self.fps = min(value, self.modes.get(mode, 30.0)) if want == "fps" else self.fps
        return True

    def get(self, prop: int) -> float:
        return {
            cv2.CAP_PROP_FRAME_WIDTH: self.size[0], cv2.CAP_PROP_FRAME_HEIGHT: self.size[1],
            cv2.CAP_PROP_FPS: self.fps,
        }.get(prop, 0.0)  # fmt: skip

    def read(self) -> tuple[bool, np.ndarray]:
        self.reads += 1
        return True, np.zeros((self.size[1], self.size[0], 3), np.uint8)

    def grab(self) -> bool:
        self.grabs += 1
        return True

    def release(self) -> None:
        pass


@pytest.mark.parametrize(
    ("modes", "refuse", "expected"),
    [
        # MJPG 720p at 30 fps, YUYV 720p only at 10: the camera is asked for MJPG 720p30.
        ({("MJPG", 1280, 720): 30.0, ("YUYV", 1280, 720): 10.0, ("YUYV", 640, 480): 30.0},
         False, (1280, 720, 30.0)),
        # A camera with no 720p keeps the nearest it has.
        ({("MJPG", 640, 480): 30.0, ("YUYV", 640, 480): 30.0}, False, (640, 480, 30.0)),
        # 720p only uncompressed at 10 fps: 640x480 at 30 fps follows a hand better.
        ({("YUYV", 1280, 720): 10.0, ("YUYV", 640, 480): 30.0}, False, (640, 480, 30.0)),
        # A back-end that refuses to be set keeps its own mode and the source still opens.
        ({("YUYV", 640, 480): 30.0}, True, (640, 480, 30.0)),
    ],
)  # fmt: skip
def test_a_camera_is_asked_for_compressed_720p_at_30_fps(monkeypatch, modes, refuse, expected):
    """OpenCV opens a camera at 640x480 (a far hand is then too small to find); HandCue asks
    for 1280x720 at 30 fps in MJPG, format first, and says what the camera delivers."""
    from pipeline.sources import video as sources

    camera = _FakeCamera(modes, refuse)
    monkeypatch.setattr(sources, "_camera_device_problem", lambda index: None)
    monkeypatch.setattr(sources, "_open_capture", lambda spec: camera)
    src = VideoSource(0)
    try:
        assert src.is_camera and src.camera_mode == expected
        assert src.description == f"camera 0 ({expected[0]}x{expected[1]})"
        assert camera.asked[0] == (cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
        frame = next(iter(src))
        assert frame.image.shape == (expected[1], expected[0], 3)
    finally:
        src.close()


def test_video_files_are_not_asked_for_a_camera_mode(shared_data: Path, monkeypatch) -> None:
    from pipeline.sources import video as sources

    asked: list[object] = []
    monkeypatch.setattr(sources, "_ask_camera_mode", lambda cap: asked.append(cap))
    with open_source(str(shared_data / "videos" / "open_hand_360p.mp4")) as src:
        assert next(iter(src)).image.shape == (360, 640, 3)
    assert asked == []


def _mjpeg_copy(shared_data: Path, target: Path, frames: int = 30) -> Path:
    """The open-hand video's first ``frames`` frames as an MJPEG AVI (a webcam's format)."""
    cap = cv2.VideoCapture(str(shared_data / "videos" / "open_hand_360p.mp4"))
    writer = cv2.VideoWriter(str(target), cv2.VideoWriter.fourcc(*"MJPG"), 25.0, (640, 360))
    for _ in range(frames):
        writer.write(cap.read()[1])
    writer.release()
    cap.release()
    return target


def test_mjpeg_files_are_decoded_only_for_the_frames_delivered(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An MJPEG file's frames come undecoded from the capture and are decoded (imdecode) only
    when delivered: the same pictures as OpenCV's own decoding within JPEG decoders' rounding,
    none decoded for a frame the consumer skips, and the loop back to the start still works."""
    from pipeline.sources import video as sources

    video = _mjpeg_copy(shared_data, tmp_path / "clip.avi")
    cap = cv2.VideoCapture(str(video))
    plain = [cap.read()[1] for _ in range(30)]
    cap.release()
    decoded = []
    real = sources.decode_jpeg
    monkeypatch.setattr(sources, "decode_jpeg", lambda p: decoded.append(1) or real(p))
    with open_source(str(video)) as src:
        assert isinstance(src, VideoSource) and src.jpeg_raw
        frames = list(src)
    assert len(frames) == 30 and len(decoded) == 30
    for mine, theirs in zip(frames, plain, strict=True):
        diff = np.abs(mine.image.astype(int) - theirs.astype(int))
        assert diff.mean() < 1.5 and diff.max() <= 32
    assert frames[25].timestamp_ms == pytest.approx(1000.0)
    decoded.clear()
    with open_source(str(video)) as src:
        src.wants = lambda t_ms: round(t_ms / 40.0) % 3 == 0  # every third frame
        kept = list(src)
    assert [f.index for f in kept] == list(range(0, 30, 3)) and len(decoded) == 10
    assert src.skipped == 20
    with open_source(str(video)) as src:
        src.wants = lambda t_ms: round(t_ms / 40.0) % 3 == 1  # would skip a 31st frame too
        kept = list(src)
    assert [f.index for f in kept] == list(range(1, 30, 3)) and src.skipped == 20
    with open_source(str(video), loop=True) as src:  # the loop seeks back in raw mode
        looped = [f for _, f in zip(range(45), src, strict=False)]
    assert np.array_equal(looped[30].image, frames[0].image)


def test_other_codecs_and_odd_mjpeg_captures_decode_as_before(shared_data: Path) -> None:
    from pipeline.sources import jpeg_raw_checked

    with open_source(str(shared_data / "videos" / "open_hand_360p.mp4")) as src:
        assert isinstance(src, VideoSource) and not src.jpeg_raw

    class Odd:  # says MJPG, takes raw mode, but hands over something that is not a JPEG
        def get(self, prop: int) -> float:
            return float(cv2.VideoWriter.fourcc(*"MJPG")) if prop == cv2.CAP_PROP_FOURCC else 0.0

        def set(self, prop: int, value: float) -> bool:
            return True

        def read(self) -> tuple[bool, np.ndarray]:
            return True, np.zeros((360, 640, 3), np.uint8)

    assert jpeg_raw_checked(Odd()) is None  # VideoSource then reopens it without raw mode


def test_camera_sized_videos_decode_on_one_thread_and_larger_ones_on_the_back_ends(
    shared_data: Path, tmp_path: Path
) -> None:
    from pipeline.sources import open_video_file

    def threads(path: str) -> float:
        cap, _ = open_video_file(path)
        try:
            assert cap.isOpened()
            return float(cap.get(cv2.CAP_PROP_N_THREADS))
        finally:
            cap.release()

    assert threads(str(shared_data / "videos" / "fist_then_thumb_up_720p.mp4")) == 1
    big = tmp_path / "big.mp4"  # 1440p: one thread would fall behind a 30 fps camera
    writer = cv2.VideoWriter(str(big), cv2.VideoWriter.fourcc(*"mp4v"), 30.0, (2560, 1440))
    for shade in (0, 80, 160):
        writer.write(np.full((1440, 2560, 3), shade, np.uint8))
    writer.release()
    assert threads(str(big)) > 1
    with open_source(str(big)) as src:
        assert [round(f.image[0, 0, 0] / 80) for f in src] == [0, 1, 2]


def test_video_file_frames_and_timestamps(shared_data: Path) -> None:
    with open_source(str(shared_data / "videos" / "open_hand_360p.mp4")) as src:
        assert isinstance(src, VideoSource) and not src.is_camera
        frames = list(src)
    assert len(frames) == 202
    assert frames[0].image.shape == (360, 640, 3)
    assert frames[25].timestamp_ms == pytest.approx(1000.0)


@pytest.mark.parametrize(
    "img",
    [
        np.zeros((5, 6), np.uint8),
        np.zeros((5, 6, 4), np.uint8),
        np.zeros((5, 6, 3), np.uint16) + 65535,
        np.zeros((5, 6, 1), np.uint8),
    ],
)
def test_to_bgr8_normalises_pixel_formats(img: np.ndarray) -> None:
    out = to_bgr8(img)
    assert out.shape == (5, 6, 3) and out.dtype == np.uint8


def test_read_image_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e.png").write_bytes(b"")
    with pytest.raises(SourceError, match="empty file"):
        read_image(tmp_path / "e.png")


def test_provider_choice() -> None:
    assert resolve_providers("auto", ["CPUExecutionProvider"]) == ["CPUExecutionProvider"]
    assert resolve_providers("auto", ["CUDAExecutionProvider", "CPUExecutionProvider"]) == [
        "CUDAExecutionProvider",
        "CPUExecutionProvider",
    ]
    assert resolve_providers("cpu", ["CUDAExecutionProvider", "CPUExecutionProvider"]) == [
        "CPUExecutionProvider"
    ]
    with pytest.raises(HandCueError, match="not available"):
        resolve_providers("cuda", ["CPUExecutionProvider"])


def test_list_cameras_copes_with_none() -> None:
    from pipeline.sources import list_cameras

    cams = list_cameras()
    assert isinstance(cams, list)
    if not Path("/dev/video0").exists():
        assert cams == []


def _numbered_video(path: Path, frames: int = 12, fps: float = 25.0) -> None:
    """A small video whose frame i is uniformly grey level 20 * i (survives the codec)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (64, 48))
    assert writer.isOpened()
    for i in range(frames):
        writer.write(np.full((48, 64, 3), 10 * i, np.uint8))
    writer.release()


@pytest.mark.parametrize("step", [1, 2, 3, 5, 30])
def test_frame_step_yields_every_kth_frame_on_the_video_clock(tmp_path: Path, step: int) -> None:
    video = tmp_path / "numbered.avi"
    _numbered_video(video)
    with open_source(str(video), frame_step=step) as src:
        frames = list(src)
    assert [f.index for f in frames] == list(range(0, 12, step))
    assert [f.timestamp_ms for f in frames] == pytest.approx([40.0 * i for i in range(0, 12, step)])
    # the frames themselves are the video's frames 0, K, 2K, ... (not the first 12/K)
    assert [round(float(f.image.mean()) / 10) for f in frames] == list(range(0, 12, step))


def test_frame_step_realtime_paces_by_the_video_clock(tmp_path: Path) -> None:
    import time

    video = tmp_path / "numbered.avi"
    _numbered_video(video, frames=10, fps=50.0)  # 200 ms of video
    t0 = time.monotonic()
    with open_source(str(video), frame_step=4) as src:
        frames = list(FrameClock(realtime=True).pace(src))
    elapsed = time.monotonic() - t0
    assert [f.index for f in frames] == [0, 4, 8]
    assert elapsed >= 0.15  # frame 8 is due at 160 ms of the video's clock


@pytest.mark.parametrize("step", [0, -1, 31, 2.5, True])
def test_bad_frame_step_is_a_clear_error(tmp_path: Path, step) -> None:  # type: ignore[no-untyped-def]
    video = tmp_path / "numbered.avi"
    _numbered_video(video)
    with pytest.raises(SourceError, match="frame step must be"):
        open_source(str(video), frame_step=step)


def test_paced_frames_are_the_sources_own_pixels_frozen() -> None:
    """FrameClock.pace hands on each frame's array read-only without copying it (a 720p copy
    costs 0.5 ms a frame); timestamps still never run backwards across a loop."""
    from pipeline.sources import Frame

    images = [np.full((720, 1280, 3), i, np.uint8) for i in range(3)]
    frames = [
        Frame(i, t, img) for i, (t, img) in enumerate(zip((0.0, 40.0, 0.0), images, strict=True))
    ]
    out = list(FrameClock(realtime=False).pace(iter(frames)))
    assert [f.image is img for f, img in zip(out, images, strict=True)] == [True] * 3
    assert not any(f.image.flags.writeable for f in out)
    with pytest.raises(ValueError):
        out[0].image[0, 0, 0] = 9
    stamps = [f.timestamp_ms for f in out]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3
