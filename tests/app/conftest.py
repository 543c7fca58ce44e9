"""Shared fixtures for the Qt side: keep tests away from the user's real folders, run widgets
offscreen, and fail any test that leaves a QThread running."""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator

import pytest

# Widget tests draw offscreen; the few tests that need a real X server start their own Xvfb and
# run in a subprocess (the platform cannot change once the QApplication exists).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

try:  # PySide6 6.12.0 on Python 3.11 leaks references to None: long test runs would abort
    from app.gui.qt_compat import protect_none_refcount

    protect_none_refcount()
except ImportError:  # Qt-free environment: the Qt tests skip themselves
    pass


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Point config and data folders at fresh temporary folders for every test."""
    root = tmp_path_factory.mktemp("handcue-home")
    monkeypatch.setenv("HANDCUE_CONFIG_DIR", str(root / "config"))
    monkeypatch.setenv("HANDCUE_DATA_DIR", str(root / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "xdg-config"))  # start-at-login entries
    return root


@pytest.fixture(autouse=True)
def _no_threads_left_running(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test if a QThread it started is still running when it ends."""
    try:
        from PySide6.QtCore import QThread
    except ImportError:  # Qt-free tests in this folder still run
        yield
        return
    started: weakref.WeakSet = weakref.WeakSet()
    original_start = QThread.start

    def recording_start(self, *args, **kwargs):
        started.add(self)
        return original_start(self, *args, **kwargs)

    QThread.start = recording_start  # type: ignore[method-assign]
    try:
        yield
    finally:
        QThread.start = original_start  # type: ignore[method-assign]
    running = []
    for thread in list(started):
        try:
            if thread.isRunning():
                running.append(type(thread).__name__)
                # Let it end so a failing test does not crash the ones after it.
                thread.requestInterruption()
                thread.quit()
                thread.wait(5000)
        except RuntimeError:  # C++ object already deleted: it is not running
            continue
    if running:
        pytest.fail(f"QThreads left running after the test: {', '.join(running)}")
