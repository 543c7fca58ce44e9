"""pipeline/ must import and work where PySide6 and pynput are not installed."""

from __future__ import annotations

from tests.support.blocked_imports import run_without

IMPORT_ALL = """
import pkgutil, importlib, pipeline
mods = [m.name for m in pkgutil.walk_packages(pipeline.__path__, 'pipeline.')]
for m in mods:
    importlib.import_module(m)
print(len(mods))
"""


def test_every_pipeline_module_imports_without_qt_or_pynput() -> None:
    proc = run_without(("PySide6", "pynput", "pyqtgraph", "shiboken6"), IMPORT_ALL)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.strip()) >= 10
