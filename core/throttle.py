"""The one rule for progress reports: at most one every ``PROGRESS_INTERVAL_S`` (about ten a second,
as often as a person can read a changing number), and always the last one.

Why one helper: a progress callback may be called for every sentence or batch (thousands a
second); each report crosses a thread or a process and repaints a widget, so the training loop, the
corpus reader, the CLI, the app's jobs and the training monitor all throttle the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["PROGRESS_INTERVAL_S", "Throttle"]

PROGRESS_INTERVAL_S = 0.1


class Throttle:
    """``ready()`` is true at most once per ``interval_s``; ``ready(final=True)`` always is."""

    def __init__(
        self,
        interval_s: float = PROGRESS_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
        *,
        started: bool = False,
    ) -> None:
        """``started``: count the moment of construction as a report (the caller has just
        reported the start itself), so the first ``ready()`` waits a whole interval."""
        self.interval_s = interval_s
        self._clock = clock
        self._last: float | None = clock() if started else None

    def ready(self, final: bool = False) -> bool:
        """Whether to report now; the first call and a final one always report."""
        now = self._clock()
        if final or self._last is None or now - self._last >= self.interval_s:
            self._last = now
            return True
        return False
