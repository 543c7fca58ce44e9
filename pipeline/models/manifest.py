"""The model manifest (``models/manifest.toml``) and where installed files live.

The manifest is read from the models folder itself when it has one (the checkout's ``models/``,
a bundle's ``models/``), else from the copy shipped inside this package by a wheel build
(``bundled_manifest/``, see setup.py), so a user data folder holds only generated files.

Checksums. Each installed .onnx has its sha256 in a stamp file beside it (``<name>.sha256``,
written by ``handcue models install`` with the manifest's sha256 of the model it was converted
from). Every inference session checks its file against that stamp before loading it
(:func:`check_model_file`): a damaged file loads without complaint in onnxruntime and reads
hands wrong (4 KB flipped in the middle of the full landmark model: no hand found on
thumbs_up.jpg; the lite model copied over the full one: the lite model's readings reported as
the full one's). Checking both full models the first time costs 17 ms (12 ms of it hashing 15.7
MB with SHA-NI from the page cache, then the cache written); the result is cached by the file's
size and modification time in the user data folder (:func:`checksum_cache_path`), so later
starts read a small JSON file instead: 0.8 ms for both (two sessions take ~70 ms). Damage
that keeps both (a bad disk block) is caught by ``handcue models list`` and ``verify``, which
always read every byte and record what they find for the sessions after them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import HandCueError, ModelsMissingError
from pipeline.fileio import atomic_write_text
from pipeline.paths import data_dir, models_dir, project_root

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - py3.10
    import tomli as tomllib

log = logging.getLogger(__name__)

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


def checksum_cache_path() -> Path:
    """The cache of model checksums: ``{resolved path: [size, mtime_ns, sha256]}`` (JSON)."""
    return data_dir() / "cache" / "model-checksums.json"


def _read_checksum_cache(path: Path) -> dict[str, list]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or damaged: hashed again and rewritten
        return {}
    return data if isinstance(data, dict) else {}


def file_sha256(path: Path, cached: bool = False) -> str:
    """sha256 (hex) of the file at ``path``. With ``cached``, taken from the checksum cache
    when the file has the size and modification time it had when it was last hashed. Every
    hash computed here is recorded in the cache; failing to write it only costs the next
    start another hash."""
    path = Path(path)
    st = path.stat()
    key = str(path.resolve())
    seen = [st.st_size, st.st_mtime_ns]
    cache_path = checksum_cache_path()
    cache = _read_checksum_cache(cache_path)
    entry = cache.get(key)
    if cached and isinstance(entry, list) and len(entry) == 3 and entry[:2] == seen:
        return str(entry[2])
    digest = sha256_file(path)
    # Files no longer there (a removed models folder, a test's) leave the cache.
    cache = {k: v for k, v in cache.items() if Path(k).is_file()}
    cache[key] = [*seen, digest]
    with contextlib.suppress(HandCueError):  # a read-only data folder: nothing is cached
        atomic_write_text(cache_path, json.dumps(cache, indent=1, sort_keys=True) + "\n")
        log.debug("checksum of %s cached in %s", path, cache_path)
    return digest


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


def installed_problem(
    manifest: Manifest, entry: ModelEntry, check_hash: bool = True, cached: bool = False
) -> str | None:
    """Why ``entry``'s .onnx is not usable, or None when it is installed and current.
    ``check_hash`` compares the file with its stamp: reading every byte, or with ``cached``
    through the checksum cache (:func:`file_sha256`)."""
    path = manifest.onnx_path(entry.name)
    if not path.is_file():
        return f"{path.name} is missing"
    stamp = read_stamp(path)
    if stamp is None:
        return f"{path.name} has no checksum file"
    onnx_sha, source_sha, version = stamp
    if source_sha != entry.sha256 or version != CONVERTER_VERSION:
        return f"{path.name} was built from another source or converter version"
    if check_hash and file_sha256(path, cached=cached) != onnx_sha:
        return f"{path.name} does not match its checksum (damaged?)"
    return None


def models_refusal(manifest: Manifest, problem: str) -> ModelsMissingError:
    """The error for an installed model that must not be used (``handcue models verify`` and
    every session say it alike): the folder and the problem on one line, then the command."""
    return ModelsMissingError(f"cannot use the hand models in {manifest.folder}: {problem}.")


def check_model_file(path: Path) -> None:
    """Raise :func:`models_refusal`'s error when ``path``, one of the manifest's models, is not
    the file its stamp names (damaged, replaced, stamp missing); the checksum comes from the
    cache while the file keeps its size and modification time. Files that are not the
    manifest's models (not ``<name>.onnx`` of a manifest entry) are not checked."""
    path = Path(path)
    if path.suffix != ".onnx":
        return
    manifest = load_manifest(path.parent)
    entry = next((m for m in manifest.models if m.name == path.stem), None)
    if entry is None:
        return
    problem = installed_problem(manifest, entry, check_hash=True, cached=True)
    if problem:
        raise models_refusal(manifest, problem)


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
