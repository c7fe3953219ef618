"""The run's events, appended to its model folder, so the app can follow a run that trains
elsewhere (File → Attach to a training…).

Every event is the same JSON object ``--json-progress`` prints (``core.events.to_json_dict``),
one per line, in ``events.jsonl``. The file is bounded: past ``max_bytes`` it becomes
``events.1.jsonl`` (replacing the one before) and a new ``events.jsonl`` starts. So that an app
attaching late can still draw the whole run, every file opens with

- ``{"type": "log_start", "generation": G}``: files count up from 0; the older file is G - 1;
- ``{"type": "carried", "event": {...}}`` lines: a replay of what came before this file: the
  corpus report, every validation's scores (the latest one in full, with its samples and probe
  attention) and up to ``CARRIED_PROGRESS`` progress events spread over the run.

A reader that has read the older file skips the carried lines; one that has not unwraps them
(``core.training.event_tail``). The log is advisory: a write that fails (disk full, read-only
folder) is logged once and the run goes on.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

EVENTS_FILE = "events.jsonl"
OLDER_EVENTS_FILE = "events.1.jsonl"
MAX_BYTES = 4 * 1024 * 1024  # per file: at most about twice this on disk
CARRIED_PROGRESS = 1000  # progress points replayed at the top of each file (loss curve)
PROGRESS_LINE_BYTES = 250  # about, for the replay's share of a file (a quarter at most)
LOG_START = "log_start"
CARRIED = "carried"
# the events of a run that trains: the log file is touched from the first of them on
STARTING_EVENTS = frozenset({"progress", "validation", "checkpoint", "done"})
_COMPACT_VALIDATION = ("type", "step", "epoch", "loss", "bleu", "chrf", "is_best")


class RunSummary:
    """What an attacher needs from the events before a file: the report, the validations and a
    thinned-out loss curve. Folded one event at a time, so it costs O(carried) memory."""

    def __init__(self, max_progress: int = CARRIED_PROGRESS) -> None:
        self.max_progress = max_progress
        self.report: dict[str, Any] | None = None
        self.progress: list[dict[str, Any]] = []
        self.validations: list[dict[str, Any]] = []  # compact: scores only
        self.last_validation: dict[str, Any] | None = None  # in full
        self._stride, self._seen = 1, 0

    def add(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "report":
            self.report = event
        elif kind == "validation":
            self.validations.append({k: event[k] for k in _COMPACT_VALIDATION if k in event})
            self.last_validation = event
        elif kind == "progress":
            self._seen += 1
            if (self._seen - 1) % self._stride == 0:
                self.progress.append(event)
            if len(self.progress) > 2 * self.max_progress:
                self.progress = self.progress[::2]  # keep every other point, the curve's shape
                self._stride *= 2

    def replay(self) -> list[dict[str, Any]]:
        """The summary as events in step order (a validation after the progress of its step)."""
        timed: list[tuple[int, int, dict[str, Any]]] = [
            (int(p.get("step", 0)), 0, p) for p in self.progress
        ]
        for i, v in enumerate(self.validations):
            full = i == len(self.validations) - 1 and self.last_validation is not None
            timed.append((int(v.get("step", 0)), 1, self.last_validation if full else v))
        timed.sort(key=lambda t: (t[0], t[1]))
        head = [self.report] if self.report is not None else []
        return head + [event for _, _, event in timed]


def _line(obj: dict[str, Any]) -> bytes:
    return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")


class EventLog:
    """Appends events to ``folder/events.jsonl``, rotating it past ``max_bytes``.

    Events before training starts (reading the corpus, its report) wait in memory until the
    first step or checkpoint: a run refused before it trains (a bad corpus, a resume with changed
    settings) leaves its folder as it was. A resumed run appends to the file its earlier
    sessions wrote, and folds it first so later rotations carry it on.
    """

    def __init__(self, folder: str | Path, max_bytes: int = MAX_BYTES) -> None:
        self.folder = Path(folder)
        self.path = self.folder / EVENTS_FILE
        self.max_bytes = max_bytes
        self._summary = RunSummary(
            max(10, min(CARRIED_PROGRESS, max_bytes // (8 * PROGRESS_LINE_BYTES)))
        )
        self._pending: list[tuple[bytes, dict[str, Any]]] = []
        self._file = None
        self._generation = 0
        self._size = self._header_size = 0
        self._broken = False
        self._started = False
        self._lock = threading.Lock()

    def write(self, event: dict[str, Any]) -> None:
        """Append one event (a ``to_json_dict`` object)."""
        with self._lock:
            if self._broken:
                return
            try:
                self._write(_line(event), event)
            except OSError as exc:
                self._broken = True
                log.warning("cannot write the run's events to %s: %s", self.path, exc)

    def write_if_started(self, event: dict[str, Any]) -> None:
        """Append only if this log has written its file (the run got as far as its folder)."""
        with self._lock:
            started = self._started
        if started:
            self.write(event)

    def _write(self, line: bytes, event: dict[str, Any]) -> None:
        if not self._started:
            if event.get("type") not in STARTING_EVENTS:
                self._pending.append((line, event))
                return
            self._started = True
        if self._file is None:
            self._open()
        for pending in self._pending:
            self._append(*pending)
        self._pending.clear()
        self._append(line, event)

    def _append(self, line: bytes, event: dict[str, Any]) -> None:
        over = self._size + len(line) > self.max_bytes
        if over and self._size - self._header_size >= self.max_bytes // 2:
            self._rotate()  # (each file holds at least half a file of new events)
        self._file.write(line)
        self._file.flush()
        self._size += len(line)
        self._summary.add(event)

    def _open(self) -> None:
        if self.path.is_file() and self.path.stat().st_size > 0:
            torn = self._fold_existing()
            self._file = open(self.path, "ab")  # noqa: SIM115 — kept open for the whole run
            if torn:  # a crash cut the last line: end it, so the next one reads
                self._file.write(b"\n")
            self._size = self.path.stat().st_size + torn
        else:
            self._start_file()

    def _fold_existing(self) -> bool:
        """An earlier session's file: its generation, and its events into the summary. True if
        its last line is unfinished."""
        raw = b"\n"
        with open(self.path, "rb") as f:
            for raw in f:
                try:
                    obj = json.loads(raw)
                except ValueError:
                    continue  # a torn line from a crash
                if not isinstance(obj, dict):
                    continue
                if obj.get("type") == LOG_START:
                    self._generation = int(obj.get("generation", 0))
                elif obj.get("type") == CARRIED:
                    self._summary.add(obj.get("event", {}))
                else:
                    self._summary.add(obj)
        return not raw.endswith(b"\n")

    def _start_file(self) -> None:
        header = [_line({"type": LOG_START, "generation": self._generation})]
        header += [_line({"type": CARRIED, "event": e}) for e in self._summary.replay()]
        data = b"".join(header)
        self._file = open(self.path, "wb")  # noqa: SIM115 — kept open for the whole run
        self._file.write(data)
        self._file.flush()
        self._size = self._header_size = len(data)

    def _rotate(self) -> None:
        self._file.close()
        self._file = None
        try:
            os.replace(self.path, self.folder / OLDER_EVENTS_FILE)
        except OSError as exc:  # e.g. a reader holds it open on Windows: try again later
            log.info("could not rotate %s yet: %s", self.path, exc)
            self._file = open(self.path, "ab")  # noqa: SIM115
            return
        self._generation += 1
        self._start_file()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
