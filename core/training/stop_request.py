"""A stop request from outside the training process: a file named ``STOP`` in the model folder.

The app writes it when the user presses Stop on a run it follows but did not start (File → Attach
to a training…); anyone can also ``touch`` it on a server. A watcher thread of the run looks for it
every ``POLL_S`` and, when it appears, cancels the run through its ``CancelToken``: the step in
progress finishes, a checkpoint is saved and the run ends as if Stop had been pressed in the app
(status ``cancelled``, resumable). The run removes the file when it ends, so the request is not
honoured again by a later ``--resume``; a request left from an earlier session is removed, with a
log line, when that run is resumed.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path

from core.cancel import CancelToken
from core.errors import CoreError

log = logging.getLogger(__name__)

STOP_FILE = "STOP"
POLL_S = 0.5  # one stat() twice a second: nothing next to a training step


def request_stop(folder: str | Path) -> Path:
    """Ask the run training into ``folder`` to stop; raises CoreError when it cannot be asked."""
    path = Path(folder) / STOP_FILE
    try:
        path.write_text("stop requested\n", encoding="utf-8")
    except OSError as exc:
        raise CoreError(
            f"cannot ask the run to stop: writing {path} failed ({exc.strerror or exc}). "
            "The folder must be writable from here."
        ) from exc
    return path


def stop_requested(folder: str | Path) -> bool:
    return (Path(folder) / STOP_FILE).exists()


class StopWatcher:
    """Cancels ``token`` when the stop file appears in ``folder`` (a context manager)."""

    def __init__(
        self,
        folder: str | Path,
        token: CancelToken,
        poll_s: float = POLL_S,
        *,
        clear_stale: bool = False,
    ) -> None:
        """``clear_stale``: remove a request already there (a resumed run: it was left by the
        session before, which ended without honouring it)."""
        self.path = Path(folder) / STOP_FILE
        self.token, self.poll_s, self.clear_stale = token, poll_s, clear_stale
        self.honoured = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="attnscope-stop")

    def __enter__(self) -> StopWatcher:
        if self.clear_stale and self.path.exists():
            log.info("removing a stop request left from an earlier session: %s", self.path)
            self._remove()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=5)
        if self.honoured:
            self._remove()

    def _watch(self) -> None:
        while not self._done.wait(self.poll_s):
            if self.path.exists():
                log.info("stop requested through %s: saving a checkpoint and stopping", self.path)
                self.honoured = True
                self.token.cancel()
                return

    def _remove(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()
