"""The one place that finds and loads files from ``resources/`` (icons, stylesheet, default
profiles). Nothing else in the app builds paths into that folder."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QIcon

from pipeline.paths import bundle_dir, project_root

log = logging.getLogger(__name__)


def resources_dir() -> Path:
    """The ``resources/`` folder: inside a frozen build, of the checkout, or the copy a wheel
    build ships as ``app/bundled_resources`` (see setup.py), in that order."""
    bundle = bundle_dir()
    if bundle is not None:
        return bundle / "resources"
    checkout = project_root() / "resources"
    if checkout.is_dir():
        return checkout
    return Path(__file__).resolve().parent / "bundled_resources"


def resource_path(*parts: str) -> Path:
    """Path of a file inside ``resources/``; raises ``FileNotFoundError`` naming it if absent."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"HandCue resource missing: {path}")
    return path


def icon(name: str) -> QIcon:
    """An icon from ``resources/icons/<name>.svg``; an empty icon (logged) if it is missing, so a
    broken install still starts. Call from the GUI thread after the QApplication exists."""
    try:
        return QIcon(str(resource_path("icons", f"{name}.svg")))
    except FileNotFoundError as exc:
        log.warning("%s", exc)
        return QIcon()


def stylesheet() -> str:
    """The application stylesheet (Qt style sheet text); empty if the file is missing.
    ``@RESOURCES@`` in the file becomes the resources folder (for arrow and check images)."""
    try:
        text = resource_path("style.qss").read_text(encoding="utf-8")
        return text.replace("@RESOURCES@", resources_dir().as_posix())
    except FileNotFoundError as exc:
        log.warning("%s", exc)
        return ""
