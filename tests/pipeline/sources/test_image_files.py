"""Image files that must not reach the decoder as they are: special files (a named pipe blocks
the read for ever), images past the pixel limit (refused from their header, before their pixels
take memory), 16-bit images converted without a float copy, and large photos read scaled down
with their own size kept."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from pipeline.errors import SourceError
from pipeline.sources import read_image, to_bgr8
from tests.support import ROOT
from tests.support.big_images import one_colour_png16, run_capped
from tests.support.commands import handcue_env

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="named pipes and RLIMIT_AS")


def _error_within(call: Callable[[], object], seconds: float) -> BaseException | None:
    """The error ``call`` raised on a helper thread (None if it returned); fails the test when
    it has not returned within ``seconds`` (a hang must fail, not block the suite)."""
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            call()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"did not return within {seconds} s"
    return outcome[0]


@posix_only
def test_a_named_pipe_named_like_an_image_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.jpg"
    os.mkfifo(fifo)
    try:
        error = _error_within(lambda: read_image(fifo), 5.0)
    finally:  # a reader blocked in open() (the bug) gets end-of-file and its thread ends
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert isinstance(error, SourceError)
    assert str(error) == f"{fifo}: is a named pipe (FIFO), not an image file"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_not_read_as_an_image() -> None:
    error = _error_within(lambda: read_image("/dev/zero"), 5.0)
    assert isinstance(error, SourceError)
    assert str(error) == "/dev/zero: is a device, not an image file"


READ_ONE = """
import sys
from pipeline.errors import SourceError
from pipeline.sources import read_image
try:
    read_image(sys.argv[1])
except SourceError as exc:
    print(exc)
    sys.exit(2)
"""


@posix_only
def test_an_image_past_the_pixel_limit_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    # 20000x20000 16-bit RGB: 2.4 GB of pixels decoded (a float64 copy of them: 9.6 GB), in
    # a 3.5 MB file. The reader runs capped at 2 GB of address space, so that the bug fails
    # the test instead of taking the shared machine's memory.
    huge = one_colour_png16(tmp_path / "huge16.png", 20000, 20000)
    done = run_capped(
        [sys.executable, "-c", READ_ONE, str(huge)],
        env=handcue_env(tmp_path),
        cwd=ROOT,
        address_space_gb=2.0,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2
    assert done.stdout.strip() == (
        f"{huge}: 20000x20000 pixels is larger than HandCue reads "
        "(at most 268 million pixels, e.g. 16384x16384); scale it down first"
    )
    assert done.max_rss_mb < 300, f"{done.max_rss_mb:.0f} MB held"


def test_16_bit_pixels_are_converted_without_a_float_copy() -> None:
    img = np.full((2000, 2000, 3), 40000, np.uint16)  # 24 MB; a float64 copy: 96 MB
    img[0, :5, 0] = (0, 128, 129, 257 * 100 + 128, 65535)
    tracemalloc.start()
    try:
        out = to_bgr8(img)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < img.nbytes, f"{peak / 1e6:.0f} MB allocated for {img.nbytes / 1e6:.0f} MB"
    assert out.dtype == np.uint8 and out.shape == img.shape
    # The same rounding as before: the nearest 8-bit level (x / 257 rounded).
    assert out[0, :5, 0].tolist() == [0, 0, 1, 100, 255]
    assert int(out[1, 1, 1]) == round(40000 / 257)


def test_16_bit_images_past_the_tracking_size_are_scaled_then_converted() -> None:
    from pipeline.sources import MAX_IMAGE_PIXELS

    side = int(MAX_IMAGE_PIXELS**0.5) + 100
    img = np.full((side, side), 257 * 7, np.uint16)  # grey, 135 MB
    out = to_bgr8(img)
    assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] == 3
    assert out.shape[0] * out.shape[1] <= MAX_IMAGE_PIXELS
    assert int(out.max()) == int(out.min()) == 7


@pytest.mark.parametrize(
    ("ext", "params"),
    [
        (".png", []),
        (".jpg", [cv2.IMWRITE_JPEG_QUALITY, 90]),
        (".jpg", [cv2.IMWRITE_JPEG_PROGRESSIVE, 1]),
        (".bmp", []),
        (".webp", [cv2.IMWRITE_WEBP_QUALITY, 80]),
        (".webp", [cv2.IMWRITE_WEBP_QUALITY, 101]),  # lossless
        (".tiff", []),
    ],
)
@pytest.mark.parametrize("shape", [(37, 53, 3), (53, 37, 1), (20, 30, 4)])
def test_header_sizes_match_the_decoded_pictures(
    ext: str, params: list[int], shape: tuple[int, int, int]
) -> None:
    from pipeline.sources.image_header import image_size

    if shape[2] == 4 and ext in (".jpg", ".bmp"):
        pytest.skip("no alpha in this format")
    rng = np.random.default_rng(3)
    picture = rng.integers(0, 255, size=shape, dtype=np.uint8)
    ok, data = cv2.imencode(ext, picture, params)
    assert ok
    decoded = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    assert image_size(data.tobytes()) == (decoded.shape[1], decoded.shape[0])


@pytest.mark.parametrize("data", [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"BM", b"hello"])
def test_short_or_unknown_headers_give_no_size(data: bytes) -> None:
    from pipeline.sources.image_header import image_size

    assert image_size(data) is None


def test_a_large_photo_is_read_scaled_down_with_its_own_size(tmp_path: Path) -> None:
    from pipeline.sources import MAX_IMAGE_PIXELS
    from pipeline.sources.images import load_image

    width, height = 12000, 9000  # 108 million pixels: scaled for tracking
    picture = np.zeros((height, width, 3), np.uint8)
    picture[height // 2 :, : width // 3] = (0, 0, 255)
    path = tmp_path / "large.png"
    assert cv2.imwrite(str(path), picture)
    del picture
    loaded = load_image(path)
    assert (loaded.width, loaded.height) == (width, height)
    h, w = loaded.image.shape[:2]
    assert h * w <= MAX_IMAGE_PIXELS and loaded.image.dtype == np.uint8
    assert loaded.scale == pytest.approx((w / width, h / height))
    assert abs(w / width - h / height) < 1e-3  # the aspect ratio is kept
