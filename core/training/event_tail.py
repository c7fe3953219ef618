"""Following a run's ``events.jsonl`` from its model folder (written by ``event_log``).

``EventTail.poll()`` returns the events that arrived since the last call: it reads from the last
offset, keeps an unfinished last line for next time, and follows a rotation (the file it was
reading became ``events.1.jsonl``: it finishes that one, then reads the new file without its
carried replay). The first poll reads the older file and the current one, so an attacher sees
the run from its start as far as the files keep it. If the writer rotated twice between two
polls, a ``{"type": "log_reset"}`` marker comes first and the new file's replay follows: the
caller clears its views and redraws from the replay.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from core.training.event_log import CARRIED, EVENTS_FILE, LOG_START, OLDER_EVENTS_FILE

log = logging.getLogger(__name__)

LOG_RESET = "log_reset"


def _generation(path: Path) -> int | None:
    """The generation in a log file's first line; None while it is missing or unfinished."""
    try:
        with open(path, "rb") as f:
            first = f.readline()
    except OSError:
        return None
    if not first.endswith(b"\n"):
        return None
    try:
        obj = json.loads(first)
    except ValueError:
        return None
    if not isinstance(obj, dict) or obj.get("type") != LOG_START:
        return None
    return int(obj.get("generation", 0))


def _read_from(path: Path, offset: int, with_carried: bool) -> tuple[list[dict[str, Any]], int]:
    """Whole lines of ``path`` after ``offset``: their events, and the offset after the last
    complete line (a line still being written waits for the next poll)."""
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read()
    except OSError:
        return [], offset
    end = data.rfind(b"\n")
    if end < 0:
        return [], offset
    events: list[dict[str, Any]] = []
    for raw in data[: end + 1].splitlines():
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except ValueError:
            log.warning("skipped an unreadable line in %s: %r", path, raw[:120])
            continue
        kind = obj.get("type") if isinstance(obj, dict) else None
        if kind == LOG_START or kind is None:
            continue
        if kind == CARRIED:
            if with_carried and isinstance(obj.get("event"), dict):
                events.append(obj["event"])
            continue
        events.append(obj)
    return events, offset + end + 1


class EventTail:
    """Incremental reader of one model folder's event log."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / EVENTS_FILE
        self.older = self.folder / OLDER_EVENTS_FILE
        self._generation: int | None = None  # of the file being followed
        self._offset = 0

    @property
    def started(self) -> bool:
        """The log exists and its first poll has read it."""
        return self._generation is not None

    def poll(self) -> list[dict[str, Any]]:
        """Events that arrived since the last call (``to_json_dict`` objects)."""
        current = _generation(self.path)
        if current is None:
            return []
        if self._generation is None:
            return self._first_read(current)
        if current == self._generation:
            size = os.path.getsize(self.path)
            if size >= self._offset:
                events, self._offset = _read_from(self.path, self._offset, with_carried=False)
                return events
            return self._restart(current)  # truncated by hand: read it afresh
        return self._follow_rotation(current)

    def _first_read(self, current: int) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        carried = True
        if _generation(self.older) == current - 1:
            events, _ = _read_from(self.older, 0, with_carried=True)
            carried = False
        new, self._offset = _read_from(self.path, 0, with_carried=carried)
        self._generation = current
        return events + new

    def _follow_rotation(self, current: int) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        if _generation(self.older) == self._generation and current == self._generation + 1:
            events, _ = _read_from(self.older, self._offset, with_carried=False)
            new, self._offset = _read_from(self.path, 0, with_carried=False)
            self._generation = current
            return events + new
        return self._restart(current)

    def _restart(self, current: int) -> list[dict[str, Any]]:
        """Continuity is lost: start over from the current file's replay."""
        new, self._offset = _read_from(self.path, 0, with_carried=True)
        self._generation = current
        return [{"type": LOG_RESET}, *new]
