"""A temporary folder (``TMPDIR``) HandCue cannot use: the app says which folder, why, and what
to do, in one line with a non-zero exit (issue 38, case 14). Before, ``handcue gui`` said
"could not open HandCue's instance channel: QLocalServer::listen: Name error".

Only the app keeps files there (its single-instance lock and socket, in Qt's temporary folder,
which is ``$TMPDIR`` as it is); the commands' own temporary files come from Python's
``tempfile``, which passes over a folder it cannot write to, so they keep working.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.commands import handcue_env, run_handcue

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="TMPDIR is a Unix variable")


@pytest.fixture()
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody can write to: its mode for a user; for root (who ignores modes) a
    read-only tmpfs mounted on it, where the system allows that."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    mount = ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)]
    if subprocess.run(mount, capture_output=True).returncode != 0:
        pytest.skip("running as root, and a read-only folder cannot be mounted here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def _unusable(kind: str, tmp_path: Path, read_only: Path | None) -> Path:
    if kind == "read-only":
        assert read_only is not None
        return read_only
    if kind == "missing":
        return tmp_path / "no such folder"
    if kind == "a file":
        file = tmp_path / "a file"
        file.write_text("", encoding="utf-8")
        return file
    # Too deep for a socket path: at most 107 bytes on Linux, 103 on macOS.
    deep = tmp_path / ("d" * max(1, 120 - len(str(tmp_path))))
    deep.mkdir()
    return deep


@pytest.mark.parametrize("kind", ["read-only", "missing", "a file", "too deep"])
def test_gui_names_the_temp_folder_and_what_to_do(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str
) -> None:
    read_only = request.getfixturevalue("read_only_folder") if kind == "read-only" else None
    folder = _unusable(kind, tmp_path, read_only)
    env = handcue_env(tmp_path, TMPDIR=str(folder), QT_QPA_PLATFORM="offscreen")
    result = run_handcue("gui", env=env, timeout=120)
    err = result.stderr
    assert result.returncode == 2, (result.stdout, err)
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("handcue:")]
    assert len(lines) == 1, err
    line = lines[0]
    assert f"temporary folder {folder} cannot be used" in line, line
    assert "Point TMPDIR at a folder" in line and "start HandCue again" in line, line
    assert "Name error" not in line


def test_commands_keep_working_with_a_read_only_temp_folder(
    read_only_folder: Path, tmp_path: Path
) -> None:
    """``config export`` writes next to its target, and Python's ``tempfile`` passes over an
    unusable TMPDIR: nothing to say there."""
    env = handcue_env(tmp_path, TMPDIR=str(read_only_folder))
    out = tmp_path / "exported.toml"
    result = run_handcue("config", "export", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert out.is_file()
    result = run_handcue("config", "import", str(out), env=env)
    assert result.returncode == 0, result.stderr
