"""pipeline/ must import and work where PySide6 and pynput are not installed."""

from __future__ import annotations

import subprocess
import sys

from tests.support import ROOT

BLOCKER = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'pynput', 'pyqtgraph', 'shiboken6'):
            raise ModuleNotFoundError(f'blocked for this test: {name}')
sys.meta_path.insert(0, Block())
import pkgutil, importlib, pipeline
mods = [m.name for m in pkgutil.walk_packages(pipeline.__path__, 'pipeline.')]
for m in mods:
    importlib.import_module(m)
print(len(mods))
"""


def test_every_pipeline_module_imports_without_qt_or_pynput() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", BLOCKER], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.strip()) >= 10
