"""The HandCue desktop app (PySide6): main window, editors, tray and the tracking worker."""
