"""The None reference-count work-around keeps a leaking PySide6 from aborting the app."""

from __future__ import annotations

import sys

from app.gui.qt_compat import NONE_REFCOUNT_RESERVE, none_refcount_leaks, protect_none_refcount


def test_none_survives_many_void_calls(qtbot):
    from PySide6.QtWidgets import QLabel

    protect_none_refcount()
    label = QLabel()
    qtbot.addWidget(label)
    if none_refcount_leaks():
        assert sys.getrefcount(None) > NONE_REFCOUNT_RESERVE // 2
    for _ in range(200_000):  # more than None's natural reference count
        label.setText("a")
    assert label.text() == "a"


def test_bools_through_signals_survive():
    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        fired = Signal(bool)

    protect_none_refcount()
    emitter = Emitter()
    received: list[bool] = []
    emitter.fired.connect(received.append)
    for _ in range(50_000):
        emitter.fired.emit(True)
        emitter.fired.emit(False)
    assert received[-2:] == [True, False]
    received.clear()
    assert sys.getrefcount(True) > 1000 and sys.getrefcount(False) > 1000
