"""The model manifest (``models/manifest.toml``) and where installed files live.

The manifest is read from the models folder itself when it has one (the checkout's ``models/``,
a bundle's ``models/``), else from the copy shipped inside this package by a wheel build
(``bundled_manifest/``, see setup.py), so a user data folder holds only generated files."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import HandCueError, ModelsMissingError
from pipeline.paths import models_dir, project_root

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - py3.10
    import tomli as tomllib

# Bumped when the converter's output changes, so an old .onnx is rebuilt on install.
CONVERTER_VERSION = 3


@dataclass(frozen=True)
class ModelEntry:
    name: str  # e.g. "palm_detection_full"
    member: str  # path inside the wheel
    sha256: str  # of the original member


@dataclass(frozen=True)
class Manifest:
    package: str
    version: str
    platform: str
    python_version: str
    models: tuple[ModelEntry, ...]
    extras: tuple[ModelEntry, ...]
    folder: Path

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"

    def onnx_path(self, name: str) -> Path:
        return self.folder / f"{name}.onnx"

    def cache_path(self, entry: ModelEntry) -> Path:
        return self.folder / "cache" / Path(entry.member).name


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_file(folder: Path) -> Path:
    """The manifest that describes ``folder``: its own ``manifest.toml``, else the copy shipped
    in the package, else the checkout's (editable installs have no shipped copy)."""
    candidates = (
        folder / "manifest.toml",
        Path(__file__).resolve().parent / "bundled_manifest" / "manifest.toml",
        project_root() / "models" / "manifest.toml",
    )
    return next((c for c in candidates if c.is_file()), candidates[0])


def load_manifest(folder: Path | None = None) -> Manifest:
    """The manifest, with ``folder`` (default: ``models_dir()``) as where its .onnx files live."""
    folder = Path(folder) if folder else models_dir()
    path = manifest_file(folder)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        src = data["source"]
        models = tuple(ModelEntry(m["name"], m["member"], m["sha256"]) for m in data["model"])
        extras = tuple(
            ModelEntry(m["name"], m["member"], m["sha256"]) for m in data.get("extra", [])
        )
        return Manifest(
            src["package"],
            src["version"],
            src["platform"],
            src["python_version"],
            models,
            extras,
            folder,
        )
    except FileNotFoundError as exc:
        raise HandCueError(f"model manifest not found: {path}") from exc
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise HandCueError(f"model manifest {path} is damaged: {exc}") from exc


def _stamp_path(onnx_path: Path) -> Path:
    return onnx_path.with_name(onnx_path.name + ".sha256")


def read_stamp(onnx_path: Path) -> tuple[str, str, int] | None:
    """(onnx sha256, source sha256, converter version) written next to an .onnx, or None."""
    try:
        parts = _stamp_path(onnx_path).read_text(encoding="utf-8").split()
        return parts[0], parts[2], int(parts[3])
    except (OSError, IndexError, ValueError):
        return None


def stamp_text(onnx_sha: str, onnx_name: str, source_sha: str) -> str:
    # "sha256sum"-compatible first two fields, then provenance.
    return f"{onnx_sha}  {onnx_name}  {source_sha} {CONVERTER_VERSION}\n"


def installed_problem(manifest: Manifest, entry: ModelEntry, check_hash: bool = True) -> str | None:
    """Why ``entry``'s .onnx is not usable, or None when it is installed and current."""
    path = manifest.onnx_path(entry.name)
    if not path.is_file():
        return f"{path.name} is missing"
    stamp = read_stamp(path)
    if stamp is None:
        return f"{path.name} has no checksum file"
    onnx_sha, source_sha, version = stamp
    if source_sha != entry.sha256 or version != CONVERTER_VERSION:
        return f"{path.name} was built from another source or converter version"
    if check_hash and sha256_file(path) != onnx_sha:
        return f"{path.name} does not match its checksum (damaged?)"
    return None


def model_path(kind: str, size: str, folder: Path | None = None, check_hash: bool = False) -> Path:
    """Path of an installed model: ``kind`` "palm_detection" | "hand_landmark", ``size``
    "full" | "lite". Raises ModelsMissingError naming the install command when absent."""
    if size not in ("full", "lite"):
        raise HandCueError(f"model size must be 'full' or 'lite', not {size!r}")
    manifest = load_manifest(folder)
    name = f"{kind}_{size}"
    entry = next((m for m in manifest.models if m.name == name), None)
    if entry is None:
        raise HandCueError(f"model {name} is not in the manifest")
    problem = installed_problem(manifest, entry, check_hash=check_hash)
    if problem:
        raise ModelsMissingError(f"HandCue's hand models are not installed ({problem}).")
    return manifest.onnx_path(name)
