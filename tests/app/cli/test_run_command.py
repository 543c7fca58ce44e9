"""``handcue run`` wiring: options, JSON output, injection through the sink, clean stops.

The tracker is replaced by one that replays MediaPipe's reference landmarks for the shared
video (so these tests need no models); the gesture engine and action engine are the real ones.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from app.cli import main
from app.cli import run as cmd_run
from app.desktop import input_sink
from pipeline.actions import RecordingSink
from pipeline.sources import Frame
from pipeline.types import FrameResult, Hand, RotatedRect
from tests.support import DATA

VIDEO = DATA / "videos" / "fist_then_thumb_up_720p.mp4"
REFERENCE = DATA / "reference" / "fist_then_thumb_up_720p.jsonl"

_skip_without_data = pytest.mark.skipif(not REFERENCE.exists(), reason=f"{REFERENCE} not found")


def needs_data(test):  # type: ignore[no-untyped-def]
    """Replays the shared reference file: real data (slow marker) and skipped without it."""
    return pytest.mark.realdata(_skip_without_data(test))


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
def replay_frames(spec: str, realtime: bool, frame_step: int = 1, image_seconds: float = 0.0):
    count = len(REFERENCE.read_text().splitlines())
    tiny = np.zeros((4, 4, 3), dtype=np.uint8)
    yield (Frame(i, i * 40.0, tiny) for i in range(0, count, frame_step))


@pytest.fixture(autouse=True)
def _no_window_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runs here do not follow the desktop this test runs on (tests that want a window
    patch ``make_window_source`` themselves)."""
    from pipeline.focus import WatcherUnavailable

    def unavailable():
        raise WatcherUnavailable("no active window in these tests")

    monkeypatch.setattr(cmd_run, "make_window_source", unavailable)


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> dict:
    """Patch the run command to replay the reference and inject into a RecordingSink."""
    state: dict = {"sink": RecordingSink(), "tracker": ReplayTracker()}
    monkeypatch.setattr(cmd_run, "open_frames", replay_frames)
    monkeypatch.setattr(cmd_run, "make_tracker", lambda cfg: state["tracker"])
    monkeypatch.setattr(cmd_run, "make_sink", lambda dry_run, warn, **_: state["sink"])
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
@pytest.mark.parametrize(
    ("argv", "configured", "expected"),
    [
        (["--realtime"], 0, "live"),  # a paced video: the app's rule
        (["--realtime"], 3, 3),  # a number the user chose stays
        ([], 0, 0),  # as fast as it decodes: onnxruntime's choice (every core)
    ],
)
def test_live_tracking_leaves_a_core_free(monkeypatch, capsys, argv, configured, expected):
    from pipeline.settings import load_config, save_config
    from pipeline.tracking.config import live_threads

    cfg, _ = load_config()
    save_config(
        cfg.model_copy(update={"tracker": cfg.tracker.model_copy(update={"threads": configured})})
    )
    seen = {}

    def tracker(cfg):
        seen["threads"] = cfg.tracker.threads
        return ReplayTracker()

    monkeypatch.setattr(cmd_run, "open_frames", replay_frames)
    monkeypatch.setattr(cmd_run, "make_tracker", tracker)
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    code, _, err = run_cli(capsys, "--source", "v", "--dry-run", *argv)
    assert code == 0, err
    assert seen["threads"] == (3 if expected == "live" else expected)
    assert live_threads(0) == 3 and live_threads(2) == 2
    assert load_config()[0].tracker.threads == configured  # the settings file is untouched


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
    from pipeline.settings import config_path

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
        (["--profile", "nope"], "no profile named 'nope'; profiles: slides, media, custom, viewer"),
        (["--max-hands", "9"], "--max-hands must be between 1 and 4"),
    ],
)
def test_bad_options_are_one_line_errors(capsys, argv: list[str], message: str) -> None:
    code, out, err = run_cli(capsys, "--source", "whatever.mp4", "--dry-run", *argv)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert out == []


@pytest.mark.realdata
@pytest.mark.skipif(not (DATA / "photos").exists(), reason=f"shared data not found at {DATA}")
def test_an_image_folder_fires_the_mapped_actions(tmp_path: Path, capsys) -> None:
    """A folder of two photos (a thumb up, a V), our own tracker: each image lasts
    --image-seconds (default 1.5 s), long enough for its gesture to pass the hold time, so each
    fires its action once, in order. Shown one frame each, as before, nothing fires."""
    from tests.support.static_photos import static_tracker_or_skip

    static_tracker_or_skip()  # the models are installed
    for name, photo in (("a.jpg", "thumbs_up.jpg"), ("b.jpg", "victory.jpg")):
        (tmp_path / name).write_bytes((DATA / "photos" / photo).read_bytes())
    maps = ("--map", "thumb_up=key:n", "--map", "victory=key:v")
    code, out, err = run_cli(capsys, "--source", str(tmp_path), "--dry-run", *maps)
    assert code == 0, err
    assert [(r["gesture"], r["action"]) for r in out if r["type"] == "action"] == [
        ("thumb_up", "key:n"),
        ("victory", "key:v"),
    ]
    assert out[-1]["type"] == "end" and out[-1]["frames"] == 90
    once = ("--image-seconds", "0")
    code, out, err = run_cli(capsys, "--source", str(tmp_path), "--dry-run", *maps, *once)
    assert code == 0 and out[-1]["frames"] == 2 and out[-1]["actions"] == 0


@pytest.mark.parametrize("value", ["-1", "61", "abc", "nan"])
def test_bad_image_seconds_are_one_line_errors(capsys, value: str) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["run", "--source", "x", "--dry-run", "--image-seconds", value])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "--image-seconds" in err and "Traceback" not in err


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


# ----------------------------------------------------------------------------- --map options


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fist[trigger=on_start]=key:n", {"trigger": "on_start"}),
        ("fist[trigger=while_held]=key:n", {"trigger": "while_held"}),
        ("fist[trigger=on_end]=key:n", {"trigger": "on_end"}),
        ("fist[trigger=hold]=key:n", {"trigger": "hold"}),
        ("fist[hand=left]=key:n", {"hand": "left"}),
        ("fist[hand=right]=key:n", {"hand": "right"}),
        ("fist[hand=any]=key:n", {"hand": "any"}),
        ("fist[hold=0]=key:n", {"hold_ms": 0}),
        ("fist[hold=10000]=key:n", {"hold_ms": 10000}),
        ("fist[cooldown=2500]=key:n", {"cooldown_ms": 2500}),
        ("fist[trigger=while_held,repeat=150]=key:n", {"trigger": "while_held", "repeat_ms": 150}),
        # the settings-file names work too
        ("fist[hold_ms=200,cooldown_ms=0]=key:n", {"hold_ms": 200, "cooldown_ms": 0}),
        (
            " fist [ trigger = while_held , repeat_ms = 30 , hand = right ] = key:n ",
            {"trigger": "while_held", "repeat_ms": 30, "hand": "right"},
        ),
    ],
)
def test_map_options_set_the_mapping_fields(text: str, expected: dict) -> None:
    from pipeline.settings import Binding

    mapping = cmd_run.parse_map(text)
    assert mapping == Binding(gesture="fist", action="key:n", **expected)


def test_map_options_all_at_once() -> None:
    mapping = cmd_run.parse_map(
        "open_palm[trigger=while_held,hand=right,hold=100,cooldown=900,repeat=150]=scroll:down"
    )
    assert mapping.model_dump() == {
        "gesture": "open_palm",
        "action": "scroll:down:1",
        "trigger": "while_held",
        "hand": "right",
        "hold_ms": 100,
        "cooldown_ms": 900,
        "repeat_ms": 150,
    }


@pytest.mark.parametrize(
    ("text", "gesture", "action"),
    [
        ("thumb_up=key:n", "thumb_up", "key:n"),
        (" fist = click:left ", "fist", "click:left"),
        ("fist=key:,", "fist", "key:,"),
        ("fist=combo:ctrl+,", "fist", "combo:ctrl+,"),
        # everything after the first '=' is still the action, brackets and commas included
        ("fist=type:a[hold=1]=b", "fist", "type:a[hold=1]=b"),
        ("fist=type:hi, trigger=hold", "fist", "type:hi, trigger=hold"),
    ],
)
def test_map_without_options_is_unchanged(text: str, gesture: str, action: str) -> None:
    from pipeline.settings import Binding

    mapping = cmd_run.parse_map(text)
    assert mapping == Binding(gesture=gesture, action=action)
    assert (mapping.trigger, mapping.hand) == ("on_start", "any")
    assert (mapping.hold_ms, mapping.cooldown_ms, mapping.repeat_ms) == (None, None, None)


def test_action_after_options_may_hold_any_text() -> None:
    mapping = cmd_run.parse_map("fist[trigger=on_end]=type:a, b]=[c")
    assert (mapping.action, mapping.trigger) == ("type:a, b]=[c", "on_end")


OPTIONS_LIST = "options: trigger (one of on_start, while_held, on_end, hold), hand (one of left, "


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "fist[repeats=100]=key:n",
            "--map 'fist[repeats=100]=key:n': unknown option 'repeats'; " + OPTIONS_LIST,
        ),
        (
            "fist[trigger=held]=key:n",
            "--map 'fist[trigger=held]=key:n': trigger must be one of on_start, while_held, "
            "on_end, hold, not 'held'",
        ),
        (
            "fist[hand=both]=key:n",
            "--map 'fist[hand=both]=key:n': hand must be one of left, right, any, not 'both'",
        ),
        (
            "fist[hold=1.5]=key:n",
            "--map 'fist[hold=1.5]=key:n': hold must be a whole number of milliseconds "
            "from 0 to 10000, not '1.5'",
        ),
        (
            "fist[hold=300ms]=key:n",
            "hold must be a whole number of milliseconds from 0 to 10000, not '300ms'",
        ),
        (
            "fist[hold=10001]=key:n",
            "hold must be a whole number of milliseconds from 0 to 10000, not 10001",
        ),
        (
            "fist[cooldown=-1]=key:n",
            "cooldown must be a whole number of milliseconds from 0 to 60000, not -1",
        ),
        (
            "fist[trigger=while_held,repeat=10]=key:n",
            "repeat must be a whole number of milliseconds from 30 to 10000, not 10",
        ),
        (
            "fist[repeat=150]=key:n",
            "--map 'fist[repeat=150]=key:n': repeat is only used with trigger = \"while_held\"",
        ),
        (
            "fist[trigger=hold]=scroll:down",
            "trigger 'hold' needs a key, combo or click action, not 'scroll:down:1'",
        ),
        ("swipe_up[trigger=while_held]=key:n", "swipe_up is a one-shot gesture"),
        ("fist[hold]=key:n", "option 'hold' needs a value: hold=VALUE with VALUE a whole number"),
        ("fist[hold=]=key:n", "option 'hold' needs a value"),
        ("fist[hold=1,hold_ms=2]=key:n", "option hold is given twice"),
        ("fist[hold=1,,hand=left]=key:n", "empty option"),
        ("fist[]=key:n", "nothing between '[' and ']'; " + OPTIONS_LIST),
        ("fist[trigger=hold=key:n", "need a closing ']'; write it as GESTURE=ACTION or"),
        ("fist[hold=1]key:n", "write it as GESTURE=ACTION or GESTURE[OPTION=VALUE,...]=ACTION"),
        ("fist[hold=1]=", "write it as GESTURE=ACTION or GESTURE[OPTION=VALUE,...]=ACTION"),
        ("[hold=1]=key:n", "write it as GESTURE=ACTION or GESTURE[OPTION=VALUE,...]=ACTION"),
        ("fist[hold=1]=kye:n", "bad action 'kye:n'"),
        ("jazz_hands[hold=1]=key:n", "unknown gesture 'jazz_hands'"),
        # options written after the action (where type: text would swallow them) get a hint
        (
            "open_palm=scroll:down,trigger=while_held",
            "options go in [...] after the gesture: open_palm[OPTION=VALUE,...]=ACTION",
        ),
    ],
)
def test_bad_map_options_are_one_line_errors(capsys, text: str, message: str) -> None:
    code, out, err = run_cli(capsys, "--source", "whatever.mp4", "--dry-run", "--map", text)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert err.count("\n") == 1
    assert out == []


def test_map_help_shows_the_options(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "open_palm[trigger=while_held,repeat=150]=scroll:down" in help_text
    assert "trigger=on_start|while_held|on_end|hold" in help_text


@needs_data
def test_while_held_from_the_command_line_repeats_while_the_fist_is_held(replay, capsys) -> None:
    code, out, err = run_cli(
        capsys,
        "--source",
        str(VIDEO),
        "--profile",
        "custom",
        "--map",
        "fist[trigger=while_held,repeat=200,hold=0]=key:f",
        "--map",
        "thumb_up=key:n",
    )
    assert code == 0, err
    assert out[0]["mappings"][0] == {"gesture": "fist", "action": "key:f", "trigger": "while_held"}
    fist = {o["kind"]: o["t_ms"] for o in out if o["type"] == "gesture" and o["gesture"] == "fist"}
    taps = [o for o in out if o["type"] == "action" and o["action"] == "key:f"]
    assert all(t["status"] == "done" and t["trigger"] == "while_held" for t in taps)
    # hold=0: the first tap comes with the gesture's start, then one repeat every 200 ms ...
    assert taps[0]["phase"] == "tap" and taps[0]["t_ms"] == fist["started"]
    assert [t["phase"] for t in taps[1:]] == ["repeat"] * (len(taps) - 1)
    times = [t["t_ms"] for t in taps]
    assert [b - a for a, b in itertools.pairwise(times)] == [200.0] * (len(times) - 1)
    # ... for as long as the fist is held (about 1.3 s in this video), and not after it ends.
    assert len(taps) >= 5
    assert fist["ended"] - 200.0 <= times[-1] < fist["ended"]
    assert replay["sink"].calls == [("press_key", "f"), ("release_key", "f")] * len(taps) + [
        ("press_key", "n"),
        ("release_key", "n"),
    ]


class FixedWindow:
    """A window source that always reports the same window."""

    name = "fixed"

    def __init__(self, window) -> None:
        self.window = window
        self.closed = False

    def active_window(self):
        return self.window

    def close(self) -> None:
        self.closed = True


@needs_data
def test_run_follows_the_rules_for_the_active_window(replay, monkeypatch, capsys) -> None:
    from pipeline.focus import WindowInfo

    source = FixedWindow(WindowInfo(title="film.mkv - VLC", process="vlc", pid=1, window_id=7))
    monkeypatch.setattr(cmd_run, "make_window_source", lambda: source)
    code, out, err = run_cli(capsys, "--source", "v")
    assert code == 0, err
    assert out[0]["type"] == "start" and out[0]["profile"] == "media"
    assert out[1]["type"] == "profile" and out[1]["source"] == "rule"
    assert out[1]["window"] == {"app": "vlc", "title": "film.mkv - VLC"}
    assert "built-in rule (app 'vlc')" in out[1]["reason"]
    # the media profile's thumb_up: volume up while held
    sink: RecordingSink = replay["sink"]
    assert ("press_key", "media_volume_up") in sink.calls
    assert ("press_key", "right") not in sink.calls  # the slides profile did not act
    assert source.closed


@needs_data
def test_run_profile_option_pins_the_profile(replay, monkeypatch, capsys) -> None:
    from pipeline.focus import WindowInfo

    source = FixedWindow(WindowInfo(title="film.mkv - VLC", process="vlc", pid=1, window_id=7))
    monkeypatch.setattr(cmd_run, "make_window_source", lambda: source)
    code, out, _ = run_cli(capsys, "--source", "v", "--profile", "slides")
    assert code == 0
    assert out[0]["profile"] == "slides"
    assert out[1]["type"] == "profile" and out[1]["source"] == "pinned"
    assert ("press_key", "right") in replay["sink"].calls


@needs_data
def test_run_without_a_window_source_says_so_and_keeps_the_profile(replay, capsys) -> None:
    code, out, err = run_cli(capsys, "--source", "v")
    assert code == 0
    assert "handcue: warning: no active window in these tests" in err
    assert out[0]["profile"] == "slides"
    assert out[1] == {"type": "profile", "profile": "slides", "source": "manual",
                      "reason": "no active window in these tests", "window": None}  # fmt: skip


@needs_data
def test_counts_lines_say_the_numbers_when_they_change(replay, capsys) -> None:
    """A fist is 0 in American counting: a ``counts`` line gives each hand's count and the
    two-hand total, when they change (appear, change, or a hand comes or goes), not per frame."""
    code, out, err = run_cli(capsys, "--source", "v", "--dry-run", "--profile", "custom")
    assert code == 0, err
    counts = [o for o in out if o["type"] == "counts"]
    assert counts, out
    assert counts[0]["hands"][0]["count"] == 0 and counts[0]["total"] == 0
    assert len(counts) < len(replay["tracker"].frames) // 10
