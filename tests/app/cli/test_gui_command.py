"""``handcue gui`` registration and the no-argument fallback."""

from __future__ import annotations

from app import cli


def test_gui_is_the_default_command(monkeypatch):
    calls = []
    import app.gui.app as gui_app

    monkeypatch.setattr(gui_app, "run", lambda source=None, minimised=False, pointer=False:
                        calls.append((source, minimised, pointer)) or 0)  # fmt: skip
    assert cli.main([]) == 0
    assert cli.main(["gui", "--source", "clip.mp4", "--minimised"]) == 0
    assert cli.main(["gui", "--pointer"]) == 0
    assert calls == [(None, False, False), ("clip.mp4", True, False), (None, False, True)]


def test_gui_help_mentions_source(capsys):
    import pytest

    with pytest.raises(SystemExit):
        cli.main(["gui", "--help"])
    assert "--source" in capsys.readouterr().out
