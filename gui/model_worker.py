"""The model worker: lives in the one worker thread and owns the Translator, so nothing else
touches torch. Requests arrive as queued signals, results leave as signals carrying plain data:
opening a model (which replaces the Translator), and jobs ``fn(translator, context)`` sent by the
Session (``gui.session``), each answered by exactly one of jobFinished, jobCancelled, jobFailed.

torch is imported lazily here (via core.decoding.translator), so the window appears before torch has
loaded. Those first imports (torch, and the torch._dynamo/sympy modules it pulls in when the
first GRU is built) create millions of objects, and Python's cyclic garbage collector then runs
full collections over all of them, each holding the interpreter lock for 100-200 ms, in which the
GUI thread cannot run a single slot (measured: 124 and 201 ms event-loop gaps at start-up).
``_quiet_gc`` pauses the collector around that work and then freezes what it created, so later
collections skip those long-lived objects (gaps: 15 and 26 ms).
"""

from __future__ import annotations

import contextlib
import gc

from PySide6.QtCore import QObject, Signal, Slot

from core.errors import CoreError
from gui.jobs import JobContext, failure_from


@contextlib.contextmanager
def _quiet_gc():
    """No collector pauses while heavy imports/loads run; what they built is frozen afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


LOAD_FAILED = "Cannot open the model"


class ModelWorker(QObject):
    """Lives in the worker thread. Slots run there; results leave as signals."""

    modelLoaded = Signal(object)  # core.storage.library.ModelInfo
    loadFailed = Signal(object)  # Failure
    jobProgress = Signal(int, int, int)  # (job id, done, total), throttled by JobContext
    jobFinished = Signal(int, object)  # (job id, result)
    jobCancelled = Signal(int)  # job id
    jobFailed = Signal(int, object)  # (job id, Failure)

    def __init__(self) -> None:
        super().__init__()
        self._translator = None
        self._model_path: str | None = None
        self._threads_set = False

    def _setup_threads(self) -> None:
        """torch's thread count is per thread in effect: set it here, leaving a core for the GUI."""
        if not self._threads_set:
            with _quiet_gc():
                from core import device

                device.set_threads(None, leave_one=True)
            self._threads_set = True

    @Slot(str, str)
    def open_model(self, path: str, device: str = "auto") -> None:
        try:
            self._setup_threads()
            with _quiet_gc():
                from core.decoding.translator import Translator
                from core.storage.library import read_info

                self._translator = Translator.load(path, device=device or "auto")
            self._model_path = path
            self.modelLoaded.emit(read_info(path))
        except Exception as exc:  # noqa: BLE001 — never escape a slot
            self.loadFailed.emit(failure_from("load", LOAD_FAILED, exc))

    @Slot(int, object, object, bool)
    def run_job(self, job_id: int, fn, cancel, needs_model: bool) -> None:
        """Run ``fn(translator, context)`` — a core function chosen by a panel — and send back
        its plain-data result. The GUI never decodes itself; it names the work, core does it."""
        from core.errors import Cancelled

        try:
            self._setup_threads()
            if needs_model and self._translator is None:
                raise CoreError("no model is open: open one from the Models tab, or train one")
            ctx = JobContext(cancel, lambda done, total: self.jobProgress.emit(job_id, done, total))
            cancel.raise_if_cancelled()
            result = fn(self._translator, ctx)
        except Cancelled:
            self.jobCancelled.emit(job_id)
        except Exception as exc:  # noqa: BLE001 — never escape a slot
            self.jobFailed.emit(job_id, failure_from("job", "", exc))
        else:
            self.jobFinished.emit(job_id, result)
