"""Where HandCue keeps user files. Tests and portable installs override with environment
variables so nothing touches the user's real folders."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "HandCue"


def config_dir() -> Path:
    """Folder of ``config.toml`` (``HANDCUE_CONFIG_DIR`` overrides)."""
    env = os.environ.get("HANDCUE_CONFIG_DIR")
    return Path(env) if env else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """Folder of user data such as recorded gestures (``HANDCUE_DATA_DIR`` overrides)."""
    env = os.environ.get("HANDCUE_DATA_DIR")
    return Path(env) if env else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def project_root() -> Path:
    """The source checkout (run from an editable install)."""
    return Path(__file__).resolve().parent.parent


def models_dir() -> Path:
    """Folder with ``manifest`` and the generated .onnx files (``HANDCUE_MODELS_DIR`` overrides)."""
    env = os.environ.get("HANDCUE_MODELS_DIR")
    return Path(env) if env else project_root() / "models"
