"""Typed text is not lost when the source ends while it is being typed (issue 38, case 3).

``handcue run`` on a folder of two thumbs-up photos shown 1.2 s each, with ``thumb_up`` mapped
to 122 CJK and emoji characters: every one of them is missing from the layout, so each needs a
temporary keymap entry, and the second text is still being typed when the folder ends. The
receiver is an xterm (it ignores synthetic input: only XTEST keys reach it) writing the UTF-8
it makes of the keys to a file. Either every character arrives, or a ``"status": "cut"`` line
says how many did; nothing is left held.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import DATA
from tests.support.commands import handcue_env, json_lines, run_handcue
from tests.support.waiting import poll
from tests.support.xserver import XState, focus_window, stop, x_env, xvfb

PHOTOS = [DATA / "photos" / "thumbs_up.jpg", DATA / "photos" / "thumbs_up_2.jpg"]
# 100 CJK ideographs and 22 emoji (outside the BMP): none is on a US keyboard.
TEXT = "".join(chr(0x4E00 + 7 * i) for i in range(100)) + "".join(
    chr(0x1F600 + i) for i in range(22)
)

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.realdata,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (apt xvfb)"),
    pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is not installed"),
    pytest.mark.skipif(shutil.which("xterm") is None, reason="xterm is not installed (apt xterm)"),
    pytest.mark.skipif(not all(p.exists() for p in PHOTOS), reason=f"{PHOTOS} not found"),
]


@pytest.fixture
def display() -> Iterator[str]:
    with xvfb() as name:
        yield name


@contextlib.contextmanager
def utf8_xterm(display: str, out: Path) -> Iterator[None]:
    """A focused UTF-8 xterm copying every byte it makes of the keys to ``out``."""
    title = "handcue-typed-text"
    proc = subprocess.Popen(
        ["xterm", "-u8", "-T", title, "-geometry", "80x10+0+0", "-e", "sh", "-c",
         f"stty raw -echo; cat > {out}"],
        env=x_env(display, LC_ALL="C.UTF-8"), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        focus_window(display, title)
        assert poll(out.exists, 10), "the xterm's shell did not start"
        time.sleep(0.5)  # the shell must reach stty raw before keys arrive
        yield
    finally:
        stop(proc)


def settled_text(path: Path, quiet: float = 1.0, timeout: float = 20.0) -> str:
    """What ``path`` holds once it has not grown for ``quiet`` seconds, decoded."""
    deadline = time.monotonic() + timeout
    size, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now = path.stat().st_size
        if now != size:
            size, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
        time.sleep(0.05)
    return path.read_bytes().decode("utf-8", errors="replace")


def test_text_still_being_typed_when_the_folder_ends_is_finished(display, tmp_path) -> None:
    folder = tmp_path / "thumbs"
    folder.mkdir()
    for index, photo in enumerate(PHOTOS):
        (folder / f"{index}{photo.suffix}").symlink_to(photo.resolve())
    received = tmp_path / "received.txt"
    with utf8_xterm(display, received):
        env = handcue_env(tmp_path, base=x_env(display))
        argv = ["--source", str(folder), "--image-seconds", "1.2", "--map", f"thumb_up=type:{TEXT}"]
        done = run_handcue("run", *argv, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        text = settled_text(received)
        state = XState(display)
        try:
            assert state.keys_down() == []
        finally:
            state.close()
    lines = json_lines(done.stdout)
    typed = [a for a in lines if a["type"] == "action" and a["action"] == f"type:{TEXT}"]
    assert [a["status"] for a in typed] == ["done", "done"], "two thumbs up, two texts"
    assert [a for a in lines if a.get("status") == "cut"] == []
    assert text == TEXT * 2, f"{len(text)} of {2 * len(TEXT)} characters arrived"
