"""Every file HandCue writes goes through one atomic writer (pipeline.fileio): a failed write
names the reason and its error number and leaves the old file and no temp file behind; and no
other module renames temp files into place itself."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest

from pipeline import fileio
from pipeline.fileio import AtomicWriteError, atomic_write_text
from tests.support import ROOT


def test_a_full_disk_keeps_the_old_file_and_says_why(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text("old = 1\n", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", full)
    with pytest.raises(AtomicWriteError) as info:
        atomic_write_text(path, "new = 2\n")
    assert info.value.errno == errno.ENOSPC and info.value.reason == "No space left on device"
    assert str(path) in str(info.value)
    assert path.read_text(encoding="utf-8") == "old = 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_a_file_in_the_way_of_the_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "HandCue").write_text("", encoding="utf-8")
    with pytest.raises(AtomicWriteError) as info:
        atomic_write_text(tmp_path / "HandCue" / "gui.toml", "x = 1\n")
    assert info.value.errno is not None


def test_no_other_module_writes_files_atomically_by_itself() -> None:
    own = re.compile(r"\bos\.replace\(|\bmkstemp\(|\bos\.rename\(")
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("app", "pipeline")
        for path in (ROOT / package).rglob("*.py")
        if path != ROOT / "pipeline" / "fileio.py" and own.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "use pipeline.fileio.atomic_write_bytes/_text instead"
    assert os.path.exists(ROOT / "pipeline" / "fileio.py")
