"""Where HandCue keeps user files and finds its models. Tests and portable installs override
with environment variables so nothing touches the user's real folders.

HandCue runs three ways, and each has its own place for the models (ONNX files made by
``handcue models install``):

- from a source checkout (``./run.sh``, editable install): ``models/`` of the checkout;
- from a bundled build (PyInstaller, ``sys.frozen``): ``models/`` inside the bundle, read-only,
  converted when the bundle was built;
- from a plain ``pip install``: ``models/`` of the user data folder.

``models_dir()`` looks in the order ``HANDCUE_MODELS_DIR``, bundled, user data, source tree and
takes the first folder that holds installed models; ``models_install_dir()`` says where
``handcue models install`` writes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "HandCue"

# A file the converter writes next to every model; its presence marks a folder that holds an
# installed set (checked without reading the manifest, so the lookup stays cheap).
_MODEL_MARKER = "hand_landmark_full.onnx"


def config_dir() -> Path:
    """Folder of ``config.toml`` (``HANDCUE_CONFIG_DIR`` overrides)."""
    env = os.environ.get("HANDCUE_CONFIG_DIR")
    return Path(env) if env else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """Folder of user data such as recorded gestures (``HANDCUE_DATA_DIR`` overrides)."""
    env = os.environ.get("HANDCUE_DATA_DIR")
    return Path(env) if env else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def project_root() -> Path:
    """The folder above the ``pipeline`` package: the source checkout when run from one, the
    interpreter's site-packages after a plain ``pip install``."""
    return Path(__file__).resolve().parent.parent


def bundle_dir() -> Path | None:
    """Folder of a frozen (PyInstaller) build's data files, or None when not frozen."""
    if not getattr(sys, "frozen", False):
        return None
    meipass = getattr(sys, "_MEIPASS", None)
    return Path(meipass) if meipass else Path(sys.executable).resolve().parent


def is_checkout() -> bool:
    """True when running from a source checkout (the models folder of the tree is there)."""
    root = project_root()
    return (root / "pyproject.toml").is_file() and (root / "models").is_dir()


def models_search_path() -> list[tuple[str, Path]]:
    """(where, folder) in lookup order: ``env``, ``bundled``, ``user``, ``source``. Only the
    places that apply to this run are listed (no ``source`` outside a checkout)."""
    places: list[tuple[str, Path]] = []
    env = os.environ.get("HANDCUE_MODELS_DIR")
    if env:
        places.append(("env", Path(env)))
    bundle = bundle_dir()
    if bundle is not None:
        places.append(("bundled", bundle / "models"))
    places.append(("user", data_dir() / "models"))
    if bundle is None and is_checkout():
        places.append(("source", project_root() / "models"))
    return places


def models_install_dir() -> Path:
    """Where ``handcue models install`` writes: ``HANDCUE_MODELS_DIR`` if set, the checkout's
    ``models/`` when run from one, else the user data folder (a bundle's own folder is
    read-only and never written)."""
    env = os.environ.get("HANDCUE_MODELS_DIR")
    if env:
        return Path(env)
    if bundle_dir() is None and is_checkout():
        return project_root() / "models"
    return data_dir() / "models"


def models_dir() -> Path:
    """Folder with the installed .onnx files: the first of ``models_search_path()`` that holds
    them. When none does, the folder ``handcue models install`` would write to, so that the
    'not installed' error names the right place. ``HANDCUE_MODELS_DIR`` is taken as is."""
    env = os.environ.get("HANDCUE_MODELS_DIR")
    if env:
        return Path(env)
    for _where, folder in models_search_path():
        if (folder / _MODEL_MARKER).is_file():
            return folder
    return models_install_dir()
