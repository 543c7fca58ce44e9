"""Ctrl+Alt+M (pointer mode from anywhere) is set up for the sink the app really uses: the
desktop sink wrapped in the guardian and the background typist, not only a bare PynputSink."""

from __future__ import annotations

from app.desktop.guardian import GuardedSink
from app.gui.pointer_mode import reaches_desktop
from pipeline.actions.sink import BackgroundTyping, RecordingSink


class PynputSink(RecordingSink):
    """Stands in for app.desktop.input_sink.PynputSink (the check goes by the class name, so
    the test needs no display)."""


class NoGuardian:
    def start(self) -> bool:
        return True


def test_the_apps_wrapped_desktop_sink_gets_the_global_hotkey() -> None:
    desktop = PynputSink()
    assert reaches_desktop(desktop)
    assert reaches_desktop(BackgroundTyping(desktop))
    assert reaches_desktop(BackgroundTyping(GuardedSink(desktop, NoGuardian())))  # the app's


def test_fakes_and_dry_runs_get_none() -> None:
    assert not reaches_desktop(RecordingSink())
    assert not reaches_desktop(BackgroundTyping(RecordingSink()))
    assert not reaches_desktop(None)
