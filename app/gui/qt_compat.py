"""Work-arounds for defects of specific Qt for Python releases. Applied once at startup."""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

# How many references to add to None (see protect_none_refcount). At 100 000 leaked references
# a second (far more than a busy window makes) this lasts over four months.
NONE_REFCOUNT_RESERVE = 1 << 40


def none_refcount_leaks() -> bool:
    """True when this PySide6 drops a reference to None on every call of a method returning
    void (seen with PySide6/shiboken6 6.12.0 on Python 3.11: ``label.setText("a")`` lowers
    ``sys.getrefcount(None)`` by one). Python 3.12+ makes None immortal, so it cannot happen
    there. Measured, not guessed from version numbers."""
    if sys.version_info >= (3, 12):
        return False
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(100):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - 50


def protect_none_refcount() -> bool:
    """If this PySide6 leaks references to None, add a large reserve of references so the
    interpreter never reaches ``Fatal Python error: none_dealloc`` (the app otherwise aborts
    after a few minutes of drawing). Returns True when the reserve was added. CPython only:
    the reference count is the first field of every object."""
    if sys.implementation.name != "cpython" or not none_refcount_leaks():
        return False
    refcnt = ctypes.c_ssize_t.from_address(id(None))
    if refcnt.value < NONE_REFCOUNT_RESERVE:
        refcnt.value += NONE_REFCOUNT_RESERVE
    import PySide6

    log.info("PySide6 %s leaks references to None on this Python; applied a work-around "
                "(install another PySide6 release to avoid it)", PySide6.__version__)  # fmt: skip
    return True
