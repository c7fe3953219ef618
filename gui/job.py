"""One request to the worker thread, as a handle: ``Session.submit`` returns a ``Job`` and its
callbacks hear about that request only.

Why a handle and not Session-wide signals filtered by a kind string: the request, its title and
its answer travel together, so a panel cannot mix up another panel's result, and nothing keyed by
strings has to be kept in step elsewhere (superqt's worker and Anki's ``QueryOp`` work this way).

Every callback runs on the GUI thread: the Session receives the worker's queued signals there and
then emits the handle's signals, to which ``on_result`` and friends connect. Pass bound methods of
GUI-thread objects (a widget's slot): Qt disconnects them when that object is destroyed.

A handle ends once: with a result, an error or a cancellation. A handle *replaced* by a newer
request of the same key (latest wins) ends silently: none of its callbacks fire.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

__all__ = ["Job", "JobFn"]

JobFn = Callable[[Any, Any], Any]  # fn(translator, context) → plain data

WAITING, RUNNING, DONE, FAILED, CANCELLED, REPLACED = (
    "waiting",
    "running",
    "done",
    "failed",
    "cancelled",
    "replaced",
)
ENDED = frozenset({DONE, FAILED, CANCELLED, REPLACED})


class Job(QObject):
    """A request's handle: connect callbacks, ``cancel()`` it, read its ``status``."""

    resultReady = Signal(object)  # the function's return value
    progressed = Signal(int, int)  # (done, total), at most ~10 a second
    failed = Signal(object)  # gui.jobs.Failure, with this job's title
    cancelled = Signal()
    ended = Signal()  # after any of the three above (never when replaced)

    def __init__(
        self,
        job_id: int,
        key: str,
        title: str,
        fn: JobFn,
        *,
        needs_model: bool,
        busy: str | None,
        cancel_token: Any,
        on_cancel: Callable[[Job], None],
    ) -> None:
        super().__init__()
        self.id = job_id
        self.key = key  # latest wins among jobs of one key
        self.title = title  # the title of the dialog if it fails
        self.fn = fn
        self.needs_model = needs_model
        self.busy = busy  # the Session state while it runs ("working"…), or None
        self.token = cancel_token  # core.cancel.CancelToken, checked by fn between pieces
        self._on_cancel = on_cancel
        self.status = WAITING
        self.result: Any = None  # the function's return value, once done

    # ------------------------------------------------------------------ wiring (chainable)
    def on_result(self, callback: Callable[[Any], Any]) -> Job:
        self.resultReady.connect(callback)
        return self

    def on_progress(self, callback: Callable[[int, int], Any]) -> Job:
        self.progressed.connect(callback)
        return self

    def on_error(self, callback: Callable[[Any], Any]) -> Job:
        self.failed.connect(callback)
        return self

    def on_cancelled(self, callback: Callable[[], Any]) -> Job:
        self.cancelled.connect(callback)
        return self

    def on_end(self, callback: Callable[[], Any]) -> Job:
        """Called after the result, the error or the cancellation, whichever came."""
        self.ended.connect(callback)
        return self

    # ------------------------------------------------------------------ control
    @property
    def active(self) -> bool:
        """Waiting or running: not yet ended (nor replaced)."""
        return self.status not in ENDED

    def cancel(self) -> None:
        """A waiting job never starts; a running one stops at its next cancel check (its
        function may still finish first, and then its result is delivered)."""
        if self.active:
            self._on_cancel(self)

    # ------------------------------------------------------------------ ending (the Session calls)
    def _deliver(self, status: str, signal: Any, *args: Any) -> None:
        if not self.active:
            return
        self.status = status
        if status == DONE:
            self.result = args[0]
        signal.emit(*args)
        self.ended.emit()

    def _replace(self) -> None:
        """A newer request of the same key took over: stop, and say nothing."""
        if self.active:
            self.status = REPLACED
            self.token.cancel()

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.key!r} {self.status}>"
