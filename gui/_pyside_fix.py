"""Work around a PySide6 6.12 refcount bug on Python 3.11: it drops references to ``None``/``True``.

This PySide6 build behaves as if ``None``/``True``/``False`` were immortal (true only from Python
3.12): every void method call (``QLabel.setText``...) loses one reference to ``None`` and every
``Signal.emit()`` one to ``True``. On 3.11 they start with a few hundred to a few thousand
references, so a running app aborts within minutes ("Fatal Python error: none_dealloc" /
"bool_dealloc"). We detect the leak with a short probe and, only when present, give these three
singletons a huge reference count so they can never reach zero — what 3.12 does by design. They
are static objects that are never freed, so this is harmless. Remove once PySide6 is fixed/pinned.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)
_applied: bool | None = None
_BOOST = 1 << 40


def leaks() -> dict[str, int]:
    """References lost per 16 calls: {"True": n, "None": m} (0 when the binding is sound)."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    t0, n0 = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(16):
        probe.ping.emit()
    t1 = sys.getrefcount(True)
    for _ in range(16):
        probe.setObjectName("probe")
    n1 = sys.getrefcount(None)
    return {"True": t0 - t1, "None": n0 - n1}


def apply() -> bool:
    """Detect the leak once and compensate; returns whether the workaround is active."""
    global _applied
    if _applied is not None:
        return _applied
    _applied = False
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return _applied
    try:
        lost = leaks()
        if max(lost.values()) >= 16:
            for obj in (None, True, False):
                ctypes.c_ssize_t.from_address(id(obj)).value += _BOOST
            _applied = True
            # debug, not warning: at import time no handler exists yet and a windowed launch has
            # no stderr; gui.app logs the outcome once the log file is set up.
            log.debug("PySide6 loses references to None/True (%s per 16 calls); compensating", lost)
    except Exception:  # never let a workaround stop the app
        log.exception("could not probe the PySide6 refcount bug")
    return _applied
