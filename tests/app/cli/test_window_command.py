"""``handcue window``: the active window and the profile the rules choose, with a faked source."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.desktop import focus
from pipeline.focus import WatcherUnavailable, WindowInfo

PLAYER = WindowInfo(title="Film - VLC", process="vlc", wm_class=("vlc", "Vlc"), pid=7,
                    window_id=2)  # fmt: skip


class Source:
    name = "fake"

    def __init__(self) -> None:
        self.closed = False
        self.polls = 0

    def active_window(self):
        self.polls += 1
        return PLAYER

    def close(self) -> None:
        self.closed = True


def test_prints_the_window_and_the_profile(monkeypatch, capsys) -> None:
    source = Source()
    monkeypatch.setattr(focus, "create_window_source", lambda: source)
    assert main(["window"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["window"]["app"] == "Vlc" and line["window"]["wm_class"] == ["vlc", "Vlc"]
    assert line["profile"] == "media" and line["reason"].startswith("built-in rule")
    assert source.closed


def test_watch_reports_the_watcher_cost(monkeypatch, capsys) -> None:
    source = Source()
    monkeypatch.setattr(focus, "create_window_source", lambda: source)
    assert main(["window", "--watch", "0.3"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["type"] for o in out] == ["window", "end"]  # one window, no change
    end = out[-1]
    assert end["polls"] == source.polls >= 2 and end["poll_ms"] == 100
    assert 0 <= end["cpu_percent_of_one_core"] < 100


@pytest.mark.parametrize("argv", [["window"], ["window", "--watch", "1"]])
def test_unavailable_is_a_one_line_error(monkeypatch, capsys, argv) -> None:
    def unavailable():
        raise WatcherUnavailable("automatic profile switching is not available on Wayland: x")

    monkeypatch.setattr(focus, "create_window_source", unavailable)
    assert main(argv) == 3
    assert capsys.readouterr().err == (
        "handcue: automatic profile switching is not available on Wayland: x\n"
    )


def test_bad_watch_time(capsys) -> None:
    assert main(["window", "--watch", "-1"]) == 2
    assert "--watch must be" in capsys.readouterr().err
