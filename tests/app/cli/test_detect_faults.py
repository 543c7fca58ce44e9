"""``handcue detect`` on photos that are faults or near them (issue 38): a photo larger than
tracking reads is reported in its own pixels; a named pipe and an image past the pixel limit
are refused with one clear line on stderr (and the image's JSON error record), a non-zero exit
and no traceback, without hanging or taking the machine's memory."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.cli import main
from tests.support import ROOT
from tests.support.big_images import one_colour_png16, run_capped
from tests.support.commands import HANDCUE, handcue_env, json_lines, run_handcue

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="named pipes and RLIMIT_AS")


def _detect(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, list[dict], str]:
    code = main(["detect", "--max-hands", "1", *paths])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, [json.loads(line) for line in out.splitlines()], err


def test_a_large_photo_is_reported_in_its_own_pixels(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # thumbs_up.jpg (420x420) enlarged 5 times near the lower right corner of a 10000x10000
    # photo of its own corner colour: tracking reads it scaled down to 8192x8192.
    src = shared_data / "photos" / "thumbs_up.jpg"
    small = cv2.imread(str(src))
    scale, x0, y0 = 5, 7500, 7400
    hand = cv2.resize(small, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    big = np.empty((10000, 10000, 3), np.uint8)
    big[:] = small[0, 0]
    big[y0 : y0 + hand.shape[0], x0 : x0 + hand.shape[1]] = hand
    path = tmp_path / "big.jpg"
    assert cv2.imwrite(str(path), big, [cv2.IMWRITE_JPEG_QUALITY, 92])
    del big, hand

    code, lines, _ = _detect(capsys, str(src), str(path))
    assert code == 0
    ref, rec = lines
    assert (rec["width"], rec["height"]) == (10000, 10000)
    assert len(ref["hands"]) == 1 and len(rec["hands"]) == 1
    expected = np.asarray(ref["hands"][0]["landmarks"])[:, :2] * scale + (x0, y0)
    got = np.asarray(rec["hands"][0]["landmarks"])[:, :2]
    palm = float(np.linalg.norm(expected[9] - expected[0]))  # wrist to middle MCP, ~270 px
    # The same hand read at another size (the wrist moves most, 44 px): a tenth of its palm
    # on average, a quarter at most. Downscaled pixels would be 1600 px off (x 0.82).
    error = np.linalg.norm(got - expected, axis=1)
    assert error.mean() < 0.1 * palm and error.max() < 0.25 * palm, (got[0], expected[0])
    assert rec["hands"][0]["handedness"] == ref["hands"][0]["handedness"]


@posix_only
def test_a_named_pipe_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.jpg"
    os.mkfifo(fifo)
    try:
        done = run_handcue("detect", str(fifo), env=handcue_env(tmp_path), timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("handcue detect on a named pipe still runs after 60 s")
    finally:
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    reason = "is a named pipe (FIFO), not an image file"
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"handcue: {fifo}: {reason}"]
    assert json_lines(done.stdout) == [{"image": str(fifo), "error": reason}]


@posix_only
def test_an_image_past_the_pixel_limit_is_one_line_and_little_memory(tmp_path: Path) -> None:
    # 2.4 GB of 16-bit pixels in a 3.5 MB file. Capped at 3 GB of address space: the float64
    # copy of the bug fails there (MemoryError) instead of taking 12 GB of the shared machine.
    huge = one_colour_png16(tmp_path / "huge16.png", 20000, 20000)
    done = run_capped(
        [*HANDCUE, "detect", str(huge)],
        env=handcue_env(tmp_path),
        cwd=ROOT,
        address_space_gb=3.0,
    )
    reason = (
        "20000x20000 pixels is larger than HandCue reads "
        "(at most 268 million pixels, e.g. 16384x16384); scale it down first"
    )
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"handcue: {huge}: {reason}"]
    assert json_lines(done.stdout) == [{"image": str(huge), "error": reason}]
    # The models and the interpreter only (about 150 MB); the pixels would be 2.4 GB.
    assert done.max_rss_mb < 500, f"{done.max_rss_mb:.0f} MB held"


def test_every_image_that_fails_gets_one_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    text = tmp_path / "text.png"
    text.write_text("hello")
    code, lines, err = _detect(capsys, str(empty), str(text))
    assert code == 2
    assert [rec["error"] for rec in lines] == [
        "empty file",
        "not an image OpenCV can decode (or the file is damaged)",
    ]
    assert err.splitlines() == [
        f"handcue: {empty}: empty file",
        f"handcue: {text}: not an image OpenCV can decode (or the file is damaged)",
    ]
