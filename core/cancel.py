"""A thread-safe stop/pause flag that long work checks between batches.

The GUI thread sets it directly: a queued signal would reach a busy worker only after its work
ended.
"""

from __future__ import annotations

import threading

from core.errors import Cancelled


class CancelToken:
    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._running = threading.Event()
        self._running.set()

    def cancel(self) -> None:
        self._cancel.set()
        self._running.set()  # a paused worker must wake up to notice

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait_if_paused(self) -> float:
        """Block while paused; returns the seconds spent waiting (so ETAs can discount them)."""
        if self._running.is_set():
            return 0.0
        import time

        t0 = time.monotonic()
        self._running.wait()
        return time.monotonic() - t0

    def raise_if_cancelled(self) -> None:
        if self._cancel.is_set():
            raise Cancelled("cancelled by the user")
