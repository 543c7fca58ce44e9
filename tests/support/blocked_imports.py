"""Running Python code in a fresh interpreter where some packages cannot be imported, as on a
machine without them (``pipeline`` without Qt or pynput; the GUI's Qt-free edit models)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable

from tests.support import ROOT

_BLOCKER = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {blocked!r}:
            raise ModuleNotFoundError(f'blocked for this test: {{name}}')
sys.meta_path.insert(0, Block())
"""


def run_without(blocked: Iterable[str], code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` from the checkout with every package in ``blocked`` (top-level names)
    refused by the import system; its output as text."""
    script = _BLOCKER.format(blocked=tuple(blocked)) + code
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
