"""The desktop app's window preferences: the ``gui.toml`` file beside the settings file.

One frozen pydantic model, :class:`GuiPrefs`, like the rest of the settings schema. These live
in a file of their own because the app writes them as the user works (each opened video goes
to the recent list; the mirror choice sticks): writing them never touches the settings file the
user edits, and a settings file that failed to load is never replaced by merely opening a video.
A bad ``gui.toml`` is reported with its file, line and field and the defaults are used; its
writes are atomic (:func:`pipeline.fileio.atomic_write_text`). Keys this version does not know
are ignored (the file is the app's own).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.fileio import atomic_write_text
from pipeline.settings.locate import TomlLocator, describe_error, error_loc, problem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

GUI_PREFS_FILE = "gui.toml"
#: How many recently opened sources the app offers again.
MAX_RECENT = 8
#: Where the on-screen display may sit (the app names them in app.gui.toast.POSITIONS).
OsdPosition = Literal["top-right", "top-left", "bottom-right", "bottom-left", "top", "bottom"]


class GuiPrefs(BaseModel):
    """Preferences that only the desktop app has (window behaviour, not tracking)."""

    model_config = ConfigDict(extra="ignore", frozen=True, validate_default=True)

    mirror_preview: bool = Field(True, title="Mirror the webcam picture (like a mirror)")
    mirror_files: bool = False  # video files and image folders
    start_minimised: bool = Field(False, title="Start minimised to the tray")
    close_to_tray: bool = Field(True, title="Closing the window keeps HandCue in the tray")
    recent_sources: tuple[str, ...] = ()
    osd: bool = Field(
        True, title="Show arming, pausing and each action in a corner of the screen"
    )  # the on-screen display
    osd_sound: bool = Field(False, title="Play a short sound with it")
    osd_position: OsdPosition = Field("top-right", title="Position")
    guide_seen: bool = False  # the first-run guide was shown (it opens once by itself)
    # Where the user last put pointer mode's click palette: (x, y) of its top-left corner in
    # Qt's logical desktop coordinates; () until it has been moved.
    palette_position: tuple[int, ...] = ()

    @field_validator("recent_sources")
    @classmethod
    def _newest_first(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return value[:MAX_RECENT]  # an older file may list more

    @field_validator("palette_position")
    @classmethod
    def _a_point(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        return value if len(value) == 2 else ()  # anything else: the default place

    def changed(self, **changes: Any) -> GuiPrefs:
        """A copy with ``changes``, validated (raises pydantic ValidationError)."""
        return type(self).model_validate({**self.model_dump(), **changes})

    @classmethod
    def load(cls, path: Path) -> tuple[GuiPrefs, list[str]]:
        """Read ``path``: the preferences, or the defaults plus a message for the user when the
        file is unreadable or a value is wrong. A missing file gives the defaults."""
        if not path.exists():
            return cls(), []
        reset = " (window preferences reset to defaults)"
        try:
            text = path.read_text(encoding="utf-8")
            return cls.model_validate(tomllib.loads(text)), []
        except ValidationError as exc:
            locator = TomlLocator(text)
            first = exc.errors()[0]
            return cls(), [problem(path, locator, error_loc(first), describe_error(first)) + reset]
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            return cls(), [f"{path}: {exc}{reset}"]

    def save(self, path: Path) -> None:
        """Write ``path`` atomically. Raises :class:`pipeline.fileio.AtomicWriteError` (a
        HandCueError) when it cannot be written; the old file stays as it was then."""
        data = self.model_dump(mode="json")
        atomic_write_text(path, tomli_w.dumps(data))
