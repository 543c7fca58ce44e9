"""``handcue run --pointer`` wiring without a display: one pointer line per frame, a pinch held
becomes a press that is released on Ctrl-C and on a crash, and the gestures pointer mode owns
(fist) do not fire their mappings while it runs. The tracker replays landmark sequences built
from real HaGRID hands; the gesture and action engines are the real ones."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import numpy as np
import pytest

from app.cli import main
from app.cli import run as cmd_run
from app.desktop import geometry as desktop_geometry
from pipeline.actions import RecordingSink
from pipeline.pointer import Desktop
from pipeline.sources import Frame
from tests.support.pointer_sequences import Poses, frames

pytestmark = pytest.mark.realdata


class SequenceTracker:
    provider = "sequence"

    def __init__(self, results, fail_at: int | None = None, error=None) -> None:
        self.results = list(results)
        self.fail_at, self.error = fail_at, error

    def process(self, image: np.ndarray, timestamp_ms: float):
        index = int(round(timestamp_ms * 30 / 1000.0))
        if index == self.fail_at:
            raise self.error or RuntimeError("tracker broke")
        return self.results[index]


@pytest.fixture(scope="module")
def poses(shared_data: Path) -> Poses:
    return Poses(shared_data)


@pytest.fixture
def setup(monkeypatch: pytest.MonkeyPatch, poses: Poses) -> dict:
    state: dict = {"sink": RecordingSink(), "poses": poses, "tracker": None}

    @contextlib.contextmanager
    def open_frames(spec: str, realtime: bool, frame_step: int = 1, image_seconds: float = 0.0):
        n = len(state["tracker"].results)
        tiny = np.zeros((4, 4, 3), np.uint8)
        yield (Frame(i, i * 1000.0 / 30, tiny) for i in range(n))

    monkeypatch.setattr(cmd_run, "open_frames", open_frames)
    monkeypatch.setattr(cmd_run, "make_tracker", lambda cfg: state["tracker"])
    monkeypatch.setattr(cmd_run, "make_sink", lambda dry_run, warn, **_: state["sink"])
    monkeypatch.setattr(desktop_geometry, "virtual_desktop", lambda: Desktop.single(1920, 1080))
    return state


def run(capsys, *argv: str) -> tuple[int, list[dict]]:
    code = main(["run", "--source", "v", "--pointer", *argv])
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.strip()]
    return code, out


def drag_sequence(poses: Poses) -> list:
    return [poses.open] * 20 + [poses.ok] * 40 + [poses.open] * 10


def test_one_pointer_line_per_frame_and_a_drag(setup, capsys) -> None:
    setup["tracker"] = SequenceTracker(frames(drag_sequence(setup["poses"])))
    code, out = run(capsys)
    assert code == 0
    pointer = [o for o in out if o["type"] == "pointer"]
    assert len(pointer) == 70
    assert pointer[0]["mode"] == "tracking" and pointer[0]["x"] is not None
    sent = [s for o in pointer for s in o["sent"]]
    assert sent == ["press:left", "release:left"]
    calls = setup["sink"].calls
    assert ("press_button", "left") in calls and not setup["sink"].anything_held
    assert any(c[0] == "move_pointer" for c in calls)


@pytest.mark.parametrize("error", [KeyboardInterrupt(), RuntimeError("tracker broke")])
def test_a_held_drag_is_released_on_ctrl_c_and_on_a_crash(setup, capsys, error) -> None:
    setup["tracker"] = SequenceTracker(frames(drag_sequence(setup["poses"])), 50, error)
    if isinstance(error, KeyboardInterrupt):
        code, _ = run(capsys)
        assert code == 130
    else:
        with pytest.raises(RuntimeError):
            run(capsys)
    sink = setup["sink"]
    assert ("press_button", "left") in sink.calls
    assert sink.calls[-1] == ("release_button", "left") and not sink.anything_held


def test_fist_mapping_is_held_back_in_pointer_mode(setup, capsys) -> None:
    poses = setup["poses"]
    seq = [poses.open] * 10 + [poses.fist] * 30 + [poses.open] * 10
    setup["tracker"] = SequenceTracker(frames(seq))
    code, out = run(capsys, "--profile", "custom", "--map", "fist=key:n")
    assert code == 0
    assert not [o for o in out if o["type"] == "action"]
    assert "clutched" in {o["mode"] for o in out if o["type"] == "pointer"}
    # without --pointer the same frames fire the mapping
    setup["sink"] = RecordingSink()
    setup["tracker"] = SequenceTracker(frames(seq))
    code = main(["run", "--source", "v", "--profile", "custom", "--map", "fist=key:n"])
    assert code == 0 and ("press_key", "n") in setup["sink"].calls


def test_the_pointer_hotkey_switches_pointer_mode_off(setup, capsys, monkeypatch) -> None:
    from app.desktop import input_sink

    callbacks: dict = {}

    class FakeHotkey:
        def __init__(self, hotkey: str, on_pressed) -> None:
            callbacks[hotkey] = on_pressed

        def start(self) -> bool:
            return True

        def stop(self) -> None:
            callbacks.clear()

    monkeypatch.setattr(input_sink, "PauseHotkey", FakeHotkey)
    poses = setup["poses"]
    tracker = SequenceTracker(frames([poses.open] * 20 + [poses.ok] * 30))
    process = tracker.process

    def process_and_press(image, timestamp_ms):
        if round(timestamp_ms * 30 / 1000.0) == 40:  # mid-drag
            callbacks["ctrl+alt+m"]()
        return process(image, timestamp_ms)

    tracker.process = process_and_press
    setup["tracker"] = tracker
    code, out = run(capsys)
    assert code == 0 and not callbacks  # the hotkey was stopped at the end
    pointer = [o for o in out if o["type"] == "pointer"]
    assert pointer[-1]["frame"] == 39  # off from frame 40 on
    calls = setup["sink"].calls
    assert ("press_button", "left") in calls and calls[-1] == ("release_button", "left")
