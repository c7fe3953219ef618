"""Follows a run that trains in another process (the CLI here, or a server whose folder is mounted)
through the event log in its model folder (``core.training.event_tail``).

The reading happens in a thread of its own: the first read of a long run parses megabytes of
JSON, and a mounted folder can answer slowly. What it reads reaches the GUI thread as ``events``
signals (queued connections) of at most ``CHUNK`` events, already turned into core events, a
little apart, so catching up with a long run never holds the GUI thread for long; the Train tab
feeds them to the same views a local run uses.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from core.events import event_from_json
from core.training.event_log import EVENTS_FILE
from core.training.event_tail import LOG_RESET, EventTail

log = logging.getLogger(__name__)

POLL_S = 0.5
CHUNK = 2000  # events per signal: a first read of a full log reaches the GUI in slices
CHUNK_GAP_S = 0.03  # between slices, so the GUI thread paints and takes input in between
RESET = LOG_RESET  # in an ``events`` list: the views must be cleared before what follows


class RunFollower(QObject):
    """Polls one model folder's event log every ``poll_s`` until ``stop()``."""

    events = Signal(object)  # list of core events, and RESET markers

    def __init__(self, folder: str | Path, poll_s: float = POLL_S, parent=None) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self.poll_s = poll_s
        self._tail = EventTail(self.folder)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_change: float | None = None  # the log's modification time (seconds, epoch)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True, name="attnscope-follow")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        delay = 0.0
        while not self._stop.wait(delay):
            delay = self.poll_s
            try:
                batch = self._poll()
            except Exception:  # a flaky mount must not end the following
                log.warning("could not read the events of %s", self.folder, exc_info=True)
                continue
            for start in range(0, len(batch), CHUNK):
                if self._stop.is_set():
                    break
                if start:
                    time.sleep(CHUNK_GAP_S)
                try:
                    self.events.emit(batch[start : start + CHUNK])
                except RuntimeError:  # the window went away without detaching first
                    return

    def _poll(self) -> list:
        with contextlib.suppress(OSError):  # not there yet, or the mount hiccupped
            self.last_change = os.stat(self.folder / EVENTS_FILE).st_mtime
        out: list = []
        for data in self._tail.poll():
            if data.get("type") == LOG_RESET:
                out.append(RESET)
                continue
            try:
                out.append(event_from_json(data))
            except Exception as exc:  # noqa: BLE001 — a line of a newer version, say
                log.warning("skipped an event of %s: %s (%r)", self.folder, exc, data)
        return out
