"""``handcue run`` wiring: options, JSON output, injection through the sink, clean stops.

The tracker is replaced by one that replays MediaPipe's reference landmarks for the shared
video (so these tests need no models); the gesture engine and action engine are the real ones.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from app import cmd_run, input_sink
from app.cli import main
from pipeline.actions import RecordingSink
from pipeline.sources import Frame
from pipeline.types import FrameResult, Hand, RotatedRect

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
VIDEO = DATA / "videos" / "fist_then_thumb_up_720p.mp4"
REFERENCE = DATA / "reference" / "fist_then_thumb_up_720p.jsonl"

needs_data = pytest.mark.skipif(not REFERENCE.exists(), reason=f"{REFERENCE} not found")


class ReplayTracker:
    """Returns the reference hands of each frame (first hand only: the reference holds a few
    duplicate detections of the same hand), as one stable track. ``fail_at`` raises there."""

    provider = "replay"

    def __init__(self, fail_at: int | None = None, error: BaseException | None = None) -> None:
        self.frames = [json.loads(line) for line in REFERENCE.read_text().splitlines()]
        self.fail_at, self.error = fail_at, error

    def process(self, image: np.ndarray, timestamp_ms: float) -> FrameResult:
        index = int(round(timestamp_ms / 40.0))
        if index == self.fail_at:
            raise self.error or RuntimeError("tracker broke")
        ref = self.frames[index]
        hands = []
        for h in ref["hands"][:1]:
            lm = np.array(h["landmarks"], dtype=np.float32)
            hands.append(
                Hand(
                    lm,
                    np.zeros((21, 3), dtype=np.float32),  # no world pose: image-space features
                    "Right" if h["mediapipe_label"] == "Left" else "Left",  # unmirrored video
                    0.9,
                    h["score"],
                    1,
                    RotatedRect(0, 0, 1, 1, 0),
                )
            )
        return FrameResult(index, timestamp_ms, ref["width"], ref["height"], hands, False)


@contextlib.contextmanager
def replay_frames(spec: str, realtime: bool):
    count = len(REFERENCE.read_text().splitlines())
    tiny = np.zeros((4, 4, 3), dtype=np.uint8)
    yield (Frame(i, i * 40.0, tiny) for i in range(count))


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> dict:
    """Patch the run command to replay the reference and inject into a RecordingSink."""
    state: dict = {"sink": RecordingSink(), "tracker": ReplayTracker()}
    monkeypatch.setattr(cmd_run, "open_frames", replay_frames)
    monkeypatch.setattr(cmd_run, "make_tracker", lambda cfg: state["tracker"])
    monkeypatch.setattr(cmd_run, "make_sink", lambda dry_run, warn: state["sink"])
    return state


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def run_cli(capsys, *argv: str) -> tuple[int, list[dict], str]:
    code = main(["run", *argv])
    captured = capsys.readouterr()
    return code, lines(captured.out), captured.err


MAPS = ("--map", "thumb_up=key:n", "--map", "fist=click:left")


@needs_data
def test_run_injects_one_click_then_one_key(replay, capsys) -> None:
    code, out, err = run_cli(capsys, "--source", str(VIDEO), "--profile", "custom", *MAPS)
    assert code == 0, err
    sink: RecordingSink = replay["sink"]
    assert sink.calls == [("click", "left", 1), ("press_key", "n"), ("release_key", "n")]
    assert out[0]["type"] == "start" and out[0]["armed"] is True and out[0]["dry_run"] is False
    assert out[0]["mappings"] == [
        {"gesture": "thumb_up", "action": "key:n", "trigger": "on_start"},
        {"gesture": "fist", "action": "click:left", "trigger": "on_start"},
    ]
    actions = [o for o in out if o["type"] == "action"]
    assert [(a["action"], a["status"]) for a in actions] == [
        ("click:left", "done"),
        ("key:n", "done"),
    ]
    for a in actions:
        assert isinstance(a["latency_ms"], float) and a["latency_ms"] >= 0
        assert 0 <= a["inject_ms"] <= a["latency_ms"]
        assert isinstance(a["pipeline_ms"], float)
    gestures = [(o["kind"], o["gesture"]) for o in out if o["type"] == "gesture"]
    assert ("started", "fist") in gestures and ("started", "thumb_up") in gestures
    assert gestures.index(("started", "fist")) < gestures.index(("started", "thumb_up"))
    end = out[-1]
    assert end["type"] == "end" and end["reason"] == "end of source"
    assert end["frames"] == len(replay["tracker"].frames) and end["actions"] == 2
    assert end["latency_ms"]["n"] == 2 and end["overhead_ms"]["n"] == 2


@needs_data
def test_dry_run_uses_no_display(monkeypatch, capsys) -> None:
    monkeypatch.setattr(cmd_run, "open_frames", replay_frames)
    monkeypatch.setattr(cmd_run, "make_tracker", lambda cfg: ReplayTracker())
    monkeypatch.delenv("DISPLAY", raising=False)
    code, out, err = run_cli(capsys, "--source", "x.mp4", "--dry-run", "--profile", "custom", *MAPS)
    assert code == 0, err
    assert out[0]["dry_run"] is True
    assert "armed; hold i_love_you for 1 s to arm/disarm; Ctrl-C stops; dry run" in err
    assert [o["action"] for o in out if o["type"] == "action"] == ["click:left", "key:n"]


@needs_data
def test_tracker_options_override_the_settings(monkeypatch, capsys) -> None:
    seen = {}

    def tracker(cfg):
        seen["tracker"] = cfg.tracker
        return ReplayTracker()

    monkeypatch.setattr(cmd_run, "open_frames", replay_frames)
    monkeypatch.setattr(cmd_run, "make_tracker", tracker)
    code, _, err = run_cli(
        capsys, "--source", "v", "--dry-run", "--max-hands", "1", "--model", "lite"
    )
    assert code == 0, err
    assert (seen["tracker"].max_hands, seen["tracker"].model) == (1, "lite")


@needs_data
def test_disarmed_start_fires_nothing(replay, capsys) -> None:
    code, out, _ = run_cli(capsys, "--source", "v", "--profile", "custom", "--disarmed", *MAPS)
    assert code == 0
    assert replay["sink"].calls == []
    assert {o["status"] for o in out if o["type"] == "action"} == {"disarmed"}


HOLD_PROFILE = """
active_profile = "hold"
[[profiles.hold.mappings]]
gesture = "fist"
action = "combo:ctrl+shift"
trigger = "hold"
hold_ms = 0
"""


def write_user_config(text: str) -> None:
    from pipeline.config import config_path

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@needs_data
def test_ctrl_c_releases_held_keys(replay, capsys) -> None:
    write_user_config(HOLD_PROFILE)
    replay["tracker"] = ReplayTracker(fail_at=45, error=KeyboardInterrupt())
    code, out, _ = run_cli(capsys, "--source", "v")
    assert code == 130
    sink: RecordingSink = replay["sink"]
    assert ("press_key", "shift") in sink.calls  # the fist was holding the combo
    assert not sink.anything_held
    assert out[-1]["reason"] == "interrupted"
    assert any(o["type"] == "action" and o["phase"] == "release" for o in out)


@needs_data
def test_crash_releases_held_keys_and_keeps_the_traceback(replay, capsys) -> None:
    write_user_config(HOLD_PROFILE)
    replay["tracker"] = ReplayTracker(fail_at=45)
    with pytest.raises(RuntimeError, match="tracker broke"):
        main(["run", "--source", "v"])
    sink: RecordingSink = replay["sink"]
    assert ("press_key", "ctrl") in sink.calls
    assert not sink.anything_held


@needs_data
def test_injection_failure_stops_the_run(replay, capsys) -> None:
    class Broken(RecordingSink):
        def click(self, button: str, count: int = 1) -> None:
            raise OSError("display closed")

    replay["sink"] = Broken()
    code, out, err = run_cli(capsys, "--source", "v", "--profile", "custom", *MAPS)
    assert code == 5
    assert "could not inject click:left: display closed" in err


@needs_data
def test_a_broken_user_config_warns_and_runs_on_defaults(replay, capsys) -> None:
    write_user_config("[tracker\n")
    code, out, err = run_cli(capsys, "--source", "v", "--profile", "custom", *MAPS)
    assert code == 0
    assert "not valid TOML" in err and "using the default settings" in err
    assert len([o for o in out if o["type"] == "action"]) == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--map", "thumb_up"], "write it as GESTURE=ACTION"),
        (["--map", "=key:n"], "write it as GESTURE=ACTION"),
        (["--map", "thumb_up=kye:n"], "Allowed: key:NAME"),
        (["--map", "jazz_hands=key:n"], "unknown gesture 'jazz_hands'"),
        (["--map", "i_love_you=key:n"], "is the arm gesture"),
        (["--map", "swipe_up=key:n", "--map", "fist=scroll:down:0"], "scroll steps"),
        (["--profile", "nope"], "no profile named 'nope'; profiles: slides, media, custom"),
        (["--max-hands", "9"], "--max-hands must be between 1 and 4"),
    ],
)
def test_bad_options_are_one_line_errors(capsys, argv: list[str], message: str) -> None:
    code, out, err = run_cli(capsys, "--source", "whatever.mp4", "--dry-run", *argv)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert out == []


def test_missing_source(capsys) -> None:
    code, _, err = run_cli(capsys, "--source", "/nonexistent/video.mp4", "--dry-run")
    assert code == 2 and "no such file" in err


def test_explicit_bad_config_file_is_an_error(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text("[tracker]\nmax_hands = 'two'\n")
    code, _, err = run_cli(capsys, "--source", "v.mp4", "--dry-run", "--config", str(bad))
    assert code == 2 and f"{bad}, line 2: tracker.max_hands" in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 check is Linux-only")
def test_no_display_suggests_dry_run(monkeypatch, capsys) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    code, _, err = run_cli(capsys, "--source", "v.mp4", *MAPS)
    assert code == 4
    assert "DISPLAY is not set" in err and "--dry-run" in err


@pytest.mark.parametrize(
    ("env", "platform", "warned"),
    [
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, "linux", False),
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"}, "linux", True),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({}, "win32", False),
        ({}, "darwin", False),
    ],
)
def test_display_problems(env: dict, platform: str, warned: bool) -> None:
    problems = input_sink.display_problems(env, platform)
    assert bool(problems) is warned
    if warned:
        assert "Wayland" in problems[0] and "X11" in problems[0]


def test_wayland_without_xwayland_is_an_error() -> None:
    with pytest.raises(input_sink.HandCueError, match="Wayland session without XWayland"):
        input_sink.display_problems({"WAYLAND_DISPLAY": "wayland-0"}, "linux")


@pytest.mark.parametrize(
    ("ours", "pynputs"),
    [("ctrl+alt+p", "<ctrl>+<alt>+p"), ("cmd+shift+f12", "<cmd>+<shift>+<f12>")],
)
def test_hotkey_syntax(ours: str, pynputs: str) -> None:
    assert input_sink.to_pynput_hotkey(ours) == pynputs
