"""Errors a user can cause and fix. The CLI prints them as one line and exits with ``code``;
the GUI shows them in a message. Anything else is a bug and keeps its traceback."""

from __future__ import annotations


class HandCueError(Exception):
    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


class ModelsMissingError(HandCueError):
    """Model files are not installed or do not match the manifest."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{detail}\nInstall them with:  handcue models install", code=3)


class SourceError(HandCueError):
    """A camera, video or image folder cannot be opened or read."""
