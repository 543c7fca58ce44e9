"""``handcue run`` never loses typed text silently (issue 38, case 3): text still being typed
when the run ends gets ``TYPING_FINISH_S`` to finish, and a text not typed whole gets a second
``action`` line with ``"status": "cut"`` and how many characters went out (plus a warning on
stderr and a count in the ``end`` line).

The tracker replays MediaPipe's reference landmarks for the shared video (a thumb up from
frame 86 on); the sink types one character every 10 ms, so 400 characters take 4 s.
"""

from __future__ import annotations

import time

import pytest

from app.cli import run as cmd_run
from pipeline.actions import RecordingSink
from pipeline.actions.sink import BackgroundTyping
from tests.app.cli.test_run_command import VIDEO, ReplayTracker, needs_data, replay_frames, run_cli

TEXT = "".join(chr(0x4E00 + i) for i in range(400))


class SlowTyping(RecordingSink):
    def type_text(self, text: str) -> None:
        time.sleep(0.01 * len(text))
        super().type_text(text)

    def typed(self) -> str:
        return "".join(c[1] for c in self.calls if c[0] == "type_text")


@pytest.fixture
def slow_run(monkeypatch: pytest.MonkeyPatch) -> SlowTyping:
    from pipeline.focus import WatcherUnavailable

    def unavailable():
        raise WatcherUnavailable("no active window in these tests")

    inner = SlowTyping()
    sink = BackgroundTyping(inner, chunk=1)
    monkeypatch.setattr(cmd_run, "make_window_source", unavailable)
    monkeypatch.setattr(cmd_run, "open_frames", replay_frames)
    monkeypatch.setattr(cmd_run, "make_sink", lambda dry_run, warn, **_: sink)
    return inner


@needs_data
def test_text_not_finished_in_time_gets_a_cut_line(slow_run, monkeypatch, capsys, caplog) -> None:
    monkeypatch.setattr(cmd_run, "make_tracker", lambda cfg: ReplayTracker())
    monkeypatch.setattr(cmd_run, "TYPING_FINISH_S", 0.3)
    code, out, err = run_cli(capsys, "--source", str(VIDEO), "--map", f"thumb_up=type:{TEXT}")
    assert code == 0, err
    typed = [line for line in out if line.get("action") == f"type:{TEXT}"]
    assert [line["status"] for line in typed] == ["done", "cut"]
    done, cut = typed
    typed_chars = slow_run.typed()
    assert 0 < len(typed_chars) < len(TEXT)
    assert TEXT.startswith(typed_chars)
    assert (cut["typed"], cut["total"]) == (len(typed_chars), len(TEXT))
    assert (cut["gesture"], cut["frame"], cut["track_id"]) == (
        done["gesture"], done["frame"], done["track_id"]
    )  # fmt: skip
    assert "0.3 s" in cut["detail"]
    assert out[-1]["type"] == "end" and out[-1]["cut"] == 1
    assert f"typed {len(typed_chars)} of {len(TEXT)} characters" in caplog.text  # the log


@needs_data
def test_a_stop_drops_the_text_and_says_how_much_went_out(slow_run, monkeypatch, capsys) -> None:
    tracker = ReplayTracker(fail_at=110, error=KeyboardInterrupt())  # Ctrl-C after the thumb up
    monkeypatch.setattr(cmd_run, "make_tracker", lambda cfg: tracker)
    code, out, err = run_cli(capsys, "--source", str(VIDEO), "--map", f"thumb_up=type:{TEXT}")
    assert code == 130, err
    [cut] = [line for line in out if line.get("status") == "cut"]
    assert cut["typed"] == len(slow_run.typed()) < len(TEXT)
    assert "released" in cut["detail"]
    assert out[-1]["reason"] == "interrupted" and out[-1]["cut"] == 1
