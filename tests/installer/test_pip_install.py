"""A plain (non-editable) ``pip install`` of HandCue: models go to the user data folder, the
manifest and resources come from inside the installed packages, and ``handcue detect`` gives the
same landmarks as the checkout.

The wheel is built from this checkout and installed with ``--no-deps`` into a fresh venv made in
a temporary folder; that venv sees the dev venv's third-party packages through a ``.pth`` line
(those are the same either way, and reinstalling PySide6 and friends takes minutes). The dev
venv's own HandCue is an editable install whose hook lives in a ``.pth`` file there, which Python
does not process for folders added by a ``.pth`` line, so the fresh venv only sees its own copy
(checked below). The models come from a wheel-shaped zip of the real MediaPipe members cached by
the checkout's install, so ``models install`` checks their sha256 and converts them as usual
without the 36 MB download.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import numpy as np
import pytest

from pipeline.models.manifest import load_manifest
from tests.support import ROOT


def _real_members_wheel(path: Path) -> Path:
    manifest = load_manifest(ROOT / "models")
    with zipfile.ZipFile(path, "w") as zf:
        for entry in (*manifest.models, *manifest.extras):
            cached = manifest.cache_path(entry)
            if not cached.is_file():
                pytest.skip(f"{cached} missing: run `handcue models install` in the checkout first")
            zf.writestr(entry.member, cached.read_bytes())
    return path


def _run(cmd: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.mark.realdata
def test_plain_pip_install_models_and_detect(tmp_path: Path, shared_data: Path) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-w", str(dist), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    wheel = next(dist.glob("handcue-*.whl"))

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    py = bindir / ("python.exe" if os.name == "nt" else "python")
    site = Path(
        subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )  # fmt: skip
    inst = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
         "--no-index", "--disable-pip-version-check", str(wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert inst.returncode == 0, inst.stderr
    (site / "zz_dev_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    home = tmp_path / "home"
    env = {
        "PATH": f"{bindir}{os.pathsep}/usr/bin:/bin",
        "HOME": str(home),
        "HANDCUE_DATA_DIR": str(home / "data"),
        "HANDCUE_CONFIG_DIR": str(home / "config"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    work = tmp_path / "elsewhere"  # not the checkout: nothing may be found through the cwd
    work.mkdir()
    where = _run(
        [str(py), "-c", "import app, pipeline.paths as p, app.resources as r; "
         "print(app.__file__); print(p.is_checkout()); print(r.resources_dir())"],
        env, work,
    ).stdout.split()  # fmt: skip
    assert Path(where[0]).is_relative_to(site), where
    assert where[1] == "False"
    assert (Path(where[2]) / "licenses" / "NOTICE.txt").is_file()
    assert (Path(where[2]) / "style.qss").is_file() and (
        Path(where[2]) / "icons/hand.svg"
    ).is_file()

    handcue = str(bindir / "handcue")
    missing = _run([handcue, "detect", str(shared_data / "photos" / "victory.jpg")], env, work)
    assert missing.returncode == 3 and "handcue models install" in missing.stderr

    wheel_zip = _real_members_wheel(tmp_path / "mediapipe-members.whl")
    installed = _run([handcue, "models", "install", "--wheel", str(wheel_zip)], env, work)
    assert installed.returncode == 0, installed.stderr
    models = home / "data" / "models"
    assert sorted(p.name for p in models.glob("*.onnx")) == [
        "hand_landmark_full.onnx", "hand_landmark_lite.onnx",
        "palm_detection_full.onnx", "palm_detection_lite.onnx",
    ]  # fmt: skip
    listed = _run([handcue, "models", "list"], env, work)
    assert listed.returncode == 0 and str(models) in listed.stdout

    photo = str(shared_data / "photos" / "two_hands_no_gesture.jpg")
    ours = _run([handcue, "detect", "--max-hands", "2", photo], env, work)
    assert ours.returncode == 0, ours.stderr
    dev = subprocess.run(
        [sys.executable, "-m", "app.cli", "detect", "--max-hands", "2", photo],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert dev.returncode == 0, dev.stderr
    got, want = json.loads(ours.stdout), json.loads(dev.stdout)
    assert len(got["hands"]) == len(want["hands"]) == 2
    for a, b in zip(got["hands"], want["hands"], strict=True):
        assert a["handedness"] == b["handedness"]
        np.testing.assert_allclose(a["landmarks"], b["landmarks"], atol=1e-4)
