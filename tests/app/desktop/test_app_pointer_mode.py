"""The desktop app's pointer mode end to end: the real app (``handcue gui``) under Xvfb, on the
open-hand video, with ``[pointer] enabled`` in its settings. Its runtime's pointer hook (the
path ``handcue run --pointer`` takes) moves the real X pointer while HandCue is armed, and not
at all while it is disarmed (the app starts disarmed unless the settings say otherwise)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.support import DATA
from tests.support.commands import handcue_env, start_handcue
from tests.support.xserver import pointer_location, stop, x_env, xvfb

VIDEO = DATA / "videos" / "open_hand_360p.mp4"

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.realdata,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (apt xvfb)"),
    pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is not installed"),
]


def _positions_while_tracking(tmp_path: Path, armed: bool, seconds: float = 8.0) -> set:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text(
        "schema_version = 1\n[actions]\n"
        f"gui_starts_armed = {'true' if armed else 'false'}\n[pointer]\nenabled = true\n",
        encoding="utf-8",
    )
    (config / "gui.toml").write_text("guide_seen = true\n", encoding="utf-8")
    with xvfb("1600x1000") as display:
        env = handcue_env(tmp_path, base=x_env(display), QT_QPA_PLATFORM="xcb")
        errors = (tmp_path / "gui.err").open("w")
        app = start_handcue("gui", "--source", str(VIDEO), env=env, stderr=errors)
        try:
            start = pointer_location(display)
            seen = set()
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and app.poll() is None:
                seen.add(pointer_location(display))
                time.sleep(0.2)
            assert app.poll() is None, (tmp_path / "gui.err").read_text()[-2000:]
        finally:
            stop(app)
            if app.stdout is not None:
                app.stdout.close()
            errors.close()
    return seen - {start}


def test_armed_the_hand_moves_the_real_pointer(tmp_path: Path) -> None:
    moved_to = _positions_while_tracking(tmp_path, armed=True)
    assert len(moved_to) >= 5, moved_to  # the open hand sweeps across the video


def test_disarmed_the_pointer_stays_where_it_was(tmp_path: Path) -> None:
    assert _positions_while_tracking(tmp_path, armed=False) == set()
