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


def bool_refcount_leaks() -> bool:
    """True when a bool sent through a signal to a Python slot loses a reference (same
    PySide6 release: ``Signal(bool)`` / ``clicked(bool)`` end in ``bool_dealloc`` at exit)."""
    if sys.version_info >= (3, 12):
        return False
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        fired = Signal(bool)

    probe = _Probe()
    received: list[bool] = []
    probe.fired.connect(received.append)
    before = sys.getrefcount(True)
    for _ in range(100):
        probe.fired.emit(True)
    received.clear()
    return sys.getrefcount(True) < before - 50


def protect_none_refcount() -> bool:
    """If this PySide6 leaks references to None (or to True / False), add a large reserve of
    references so the interpreter never reaches ``Fatal Python error: none_dealloc`` (the app
    otherwise aborts after a few minutes of drawing) or ``bool_dealloc``. Returns True when a
    reserve was added. CPython only: the reference count is the first field of every object.
    None, True and False are never freed anyway, so extra references change nothing else."""
    if sys.implementation.name != "cpython":
        return False
    leaking = [obj for obj, leaks in ((None, none_refcount_leaks),
                                      (True, bool_refcount_leaks),
                                      (False, bool_refcount_leaks)) if leaks()]  # fmt: skip
    if not leaking:
        return False
    for obj in leaking:
        refcnt = ctypes.c_ssize_t.from_address(id(obj))
        if refcnt.value < NONE_REFCOUNT_RESERVE:
            refcnt.value += NONE_REFCOUNT_RESERVE
    import PySide6

    log.info("PySide6 %s leaks references to None on this Python; applied a work-around "
                "(install another PySide6 release to avoid it)", PySide6.__version__)  # fmt: skip
    return True
