"""``handcue pointer-test``: a scripted pointer path with known Fitts figures gives them as JSON
(throughput within 5%, errors exact) and lands in the history, the next run compares with it;
bad input gets one clear line and a non-zero exit before any window opens; a video that ends
before the test is done exits 1 saying so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import DATA
from tests.support.commands import handcue_env, run_handcue
from tests.support.pointer_scripts import known_path

VIDEO = DATA / "videos" / "open_hand_360p.mp4"
FAST = ("--speed", "500", "--linger", "0")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return handcue_env(tmp_path, QT_QPA_PLATFORM="offscreen", **extra)


def _script(tmp_path: Path, **kwargs) -> tuple[Path, object]:
    known = known_path(**kwargs)
    path = tmp_path / "path.json"
    path.write_text(known.script.to_json())
    return path, known


def test_script_json_gives_the_known_figures_and_keeps_a_history(tmp_path: Path) -> None:
    path, known = _script(tmp_path, mt_ms=800.0, sd_frac=0.3, seed=5)
    done = run_handcue("pointer-test", "--script", str(path), "--json", *FAST,
                       env=_env(tmp_path), timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (line,) = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    data = json.loads(line)
    assert data["throughput"] == pytest.approx(known.expected_throughput, rel=0.05)
    assert data["errors"] == known.expected_errors and data["trials"] == 78
    assert data["error_rate"] == pytest.approx(known.expected_errors / 78, abs=1e-4)
    assert data["mt_ms"] == pytest.approx(800.0) and data["jitter_px"] == pytest.approx(1.2)
    assert data["source"] == "script" and data["settings"]["dwell_ms"] == 800
    assert data["comparison"]["previous_throughput"] is None and data["suggestions"]
    history = tmp_path / "data" / "pointer-tests.jsonl"
    assert data["history"] == str(history) and len(history.read_text().splitlines()) == 1

    slower, _ = _script(tmp_path, mt_ms=1600.0, sd_frac=0.3, seed=5)
    again = run_handcue("pointer-test", "--script", str(slower), "--json", *FAST,
                        env=_env(tmp_path), timeout=180)  # fmt: skip
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout.strip().splitlines()[-1])
    assert second["comparison"]["previous_throughput"] == pytest.approx(data["throughput"])
    assert second["comparison"]["change"] == pytest.approx(-0.5, abs=0.01)
    assert second["comparison"]["best_throughput"] == pytest.approx(data["throughput"])
    assert not second["comparison"]["is_best"]
    assert len(history.read_text().splitlines()) == 2


def test_plain_text_output_and_no_save(tmp_path: Path) -> None:
    path, known = _script(tmp_path)
    done = run_handcue("pointer-test", "--script", str(path), "--no-save", *FAST,
                       env=_env(tmp_path), timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"Throughput: {known.expected_throughput:.2f} bits/s"
    assert lines[1].startswith("Error rate: ") and f"({known.expected_errors} of 78" in lines[1]
    assert any(line.startswith("Suggestion: ") for line in lines)
    assert not (tmp_path / "data" / "pointer-tests.jsonl").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--script", "{missing}"), "no such file"),
        (("--script", "{bad}"), "not valid JSON"),
        (("--script", "{empty_events}"), "'events' must be a non-empty list"),
        (("--script", "{good}", "--speed", "0"), "--speed: must be above 0"),
        (("--script", "{good}", "--speed", "fast"), "--speed: not a number"),
        (("--script", "{good}", "--window", "big"), "--window: must be WIDTHxHEIGHT"),
        (("--script", "{good}", "--source", "0"), "not allowed with argument"),
        ((), "one of the arguments --source --script is required"),
        (("--source", "{missing}"), "no such file or folder"),
        (("--source", "{bad}"), "cannot open as a video"),
        (("--source", "7"), "camera 7 not found"),
    ],
)
def test_bad_input_is_one_clear_line_and_a_non_zero_exit(
    tmp_path: Path, argv: tuple[str, ...], message: str
) -> None:
    files = {
        "missing": tmp_path / "nope.json",
        "bad": tmp_path / "bad.json",
        "empty_events": tmp_path / "empty.json",
        "good": tmp_path / "good.json",
    }
    files["bad"].write_text("{not json")
    files["empty_events"].write_text('{"screen": [1024, 640], "events": []}')
    files["good"].write_text(known_path().script.to_json())
    argv = tuple(a.format(**{k: str(v) for k, v in files.items()}) for a in argv)
    done = run_handcue("pointer-test", *argv, env=_env(tmp_path), timeout=180)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and message in done.stderr
    assert done.stdout == ""


def test_no_display_is_refused_before_any_window(tmp_path: Path) -> None:
    path, _ = _script(tmp_path)
    env = handcue_env(tmp_path)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    done = run_handcue("pointer-test", "--script", str(path), env=env, timeout=120)
    assert done.returncode == 2 and "needs a display" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.realdata
def test_a_video_that_ends_before_the_test_is_done_exits_1(tmp_path: Path, shared_data) -> None:
    # The video plays in real time like a camera: its first 1.2 s are enough to end early.
    import cv2

    short = tmp_path / "short.avi"
    reader = cv2.VideoCapture(str(VIDEO))
    writer = None
    for _ in range(30):
        ok, frame = reader.read()
        assert ok
        if writer is None:
            size = (frame.shape[1], frame.shape[0])
            writer = cv2.VideoWriter(str(short), cv2.VideoWriter_fourcc(*"MJPG"), 25.0, size)
        writer.write(frame)
    assert writer is not None
    writer.release()
    reader.release()
    done = run_handcue("pointer-test", "--source", str(short), "--window", "1024x640",
                       env=_env(tmp_path), timeout=300)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "pointing test not finished: the pointer source ended before the test was done" in (
        done.stderr
    )
    assert not (tmp_path / "data" / "pointer-tests.jsonl").exists()
