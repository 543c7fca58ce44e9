"""Installing the hand models from the app: ``handcue models install`` in a child process
(the same command a terminal runs, so there is one way to install them), its progress read
line by line. GUI thread only (a ``QProcess``: the window stays responsive while it runs)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QProcess, Signal

#: The command, as ``[program, arguments...]``: this Python running HandCue's command line.
COMMAND = [sys.executable, "-m", "app.cli", "models", "install"]


class ModelsInstall(QObject):
    """Signals: ``progress(line)`` for each line the command prints, ``finished_ok()``, or
    ``failed(message)`` with its last lines."""

    progress = Signal(str)
    finished_ok = Signal()
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None, command: list[str] | None = None) -> None:
        super().__init__(parent)
        self.command = list(command or COMMAND)
        self.lines: list[str] = []
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.finished.connect(self._on_finished)
        self.process.errorOccurred.connect(self._on_error)

    def start(self) -> None:
        self.process.start(self.command[0], self.command[1:])

    def _read(self) -> None:
        text = bytes(self.process.readAllStandardOutput().data()).decode("utf-8", "replace")
        for line in text.splitlines():
            line = line.strip()
            if line:
                self.lines.append(line)
                self.progress.emit(line)

    def _on_finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        self._read()
        if code == 0:
            self.finished_ok.emit()
        else:
            self.failed.emit(" / ".join(self.lines[-2:]) or f"exit code {code}")

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.failed.emit(f"{self.command[0]} could not be started")
