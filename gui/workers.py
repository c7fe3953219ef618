"""The Session: what panels talk to. It owns the worker thread (whose ModelWorker owns the model)
and the training child process, and keeps the job state.

Why this shape (docs anchors/style.md §3.3):

- One thread owns the Translator (``gui.model_worker``); load, translate and preview requests
  reach it one at a time through queued signals, so nothing else touches torch.
- Only plain data crosses threads (``gui.jobs``): core dataclasses (Translation, events,
  ModelInfo) holding numpy, never tensors.
- Cancel and pause reach a job's ``core.cancel.CancelToken`` directly, never as a queued signal,
  which would reach a busy worker only after the job ended.
- Typing translates "latest request wins": each request carries an id, one runs, one waits, and a
  result whose id is not the latest is dropped. Submitted jobs (``submit``) work the same way per
  kind.
- Every worker slot catches everything and emits ``failed``; an exception never escapes a slot.
- Training runs in a child process (``gui.train_runner``).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from core.errors import CoreError
from gui.jobs import Failure, FileJob, PreviewJob, TrainJob
from gui.model_worker import ModelWorker
from gui.train_runner import TrainProcess

log = logging.getLogger(__name__)


class Session(QObject):
    """The GUI-thread side: owns the worker thread, the job state and the cancel token.

    Panels talk to the Session, never to the worker. ``state`` is one of idle, loading,
    translating, previewing, training; ``stateChanged`` lets panels enable/disable themselves.
    """

    stateChanged = Signal(str)
    modelLoaded = Signal(object)
    translated = Signal(object)            # list[Translation] of the latest request only
    inspected = Signal(object)             # core.decoding.inspection.Inspection of that same request
    previewReady = Signal(object)
    trainEvent = Signal(object)
    trainFinished = Signal(object)
    devicesReady = Signal(object)
    fileProgress = Signal(int, int)        # (lines done, total)
    fileFinished = Signal(object)          # FileResult (done or cancelled)
    jobProgress = Signal(str, int, int)    # (kind, done, total)
    jobFinished = Signal(str, object)      # (kind, result) of the latest job of that kind only
    jobCancelled = Signal(str)             # kind
    failed = Signal(object)                # Failure

    # requests to the worker (queued: the worker lives in another thread)
    _requestLoad = Signal(str, str)
    _requestTranslate = Signal(int, str, int, int, str, str)
    _requestPreview = Signal(object)
    _requestDevices = Signal()
    _requestFile = Signal(object)
    _requestJob = Signal(str, int, object, object, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("attnscope-model-worker")
        self._worker = ModelWorker()
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)

        self._requestLoad.connect(self._worker.open_model)
        self._requestTranslate.connect(self._worker.translate)
        self._requestPreview.connect(self._worker.preview)
        self._requestDevices.connect(self._worker.describe_devices)
        self._requestFile.connect(self._worker.translate_file)
        self._requestJob.connect(self._worker.run_job)
        self._worker.jobProgress.connect(self._on_job_progress)
        self._worker.jobFinished.connect(self._on_job_finished)
        self._worker.jobCancelled.connect(self._on_job_cancelled)
        self._worker.fileProgress.connect(self.fileProgress)
        self._worker.fileFinished.connect(self._on_file_finished)
        self._worker.devicesReady.connect(self._on_devices)

        self._worker.modelLoaded.connect(self._on_model_loaded)
        self._worker.translated.connect(self._on_translated)
        self._worker.previewReady.connect(self._on_preview)
        self._trainer = TrainProcess(self)
        self._trainer.event.connect(self._on_train_event)
        self._trainer.finished.connect(self._on_train_finished)
        self._trainer.failed.connect(self._on_failed)
        self._trainer.ended.connect(self._on_train_ended)
        self._worker.failed.connect(self._on_failed)
        self._worker.idle.connect(self._on_idle)

        self._state = "idle"
        self._busy = 0                     # requests sent and not yet answered with idle
        self._latest_id = 0
        self._running_translate = False
        self._pending: tuple[int, str, int, int, str, str] | None = None
        self._model_info = None
        self._pending_load: tuple[str, str] | None = None
        self._file_cancel = None           # the CancelToken of the running file translation
        self._jobs: dict[str, tuple[int, Any]] = {}   # kind → (latest id, its CancelToken)
        self._jobs_running: set[str] = set()          # kinds with a job at the worker now
        self._jobs_waiting: dict[str, tuple] = {}     # kind → the one request queued behind it
        self._job_id = 0
        self._thread.start()

    # ------------------------------------------------------------------ state
    @property
    def state(self) -> str:
        return self._state

    @property
    def model_info(self):
        return self._model_info

    @property
    def training(self) -> bool:
        return self._state == "training"

    @property
    def paused(self) -> bool:
        return self._trainer.paused

    @property
    def translating_file(self) -> bool:
        return self._file_cancel is not None

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.stateChanged.emit(state)

    # ------------------------------------------------------------------ requests
    def load_model(self, path: str, device: str = "auto") -> None:
        if self.training:
            if self._trainer.outcome_seen:       # done, only the process is still exiting
                self._pending_load = (str(path), device)
                return
            raise CoreError("wait for training to finish before opening another model")
        self._busy += 1
        self._set_state("loading")
        self._requestLoad.emit(str(path), device)

    def translate(self, text: str, beam: int = 1, nbest: int = 1, prefix: str = "",
                  reference: str = "") -> int:
        """Queue a translation; only the latest request's result is delivered. Returns its id.

        ``prefix``: words the output must start with; ``reference``: the user's own translation,
        scored by forced decoding. The result arrives as ``translated`` (the N-best list) and
        ``inspected`` (everything, with the beam tree)."""
        self._latest_id += 1
        request = (self._latest_id, text, int(beam), int(nbest), prefix or "", reference or "")
        if self.training:
            self._on_failed(Failure("translate", "translation is paused while a model trains; "
                                    "it will be available when training ends", ""))
            return self._latest_id
        if self._running_translate:
            self._pending = request        # replaces any older waiting request
        else:
            self._send_translate(request)
        return self._latest_id

    def _send_translate(self, request: tuple[int, str, int, int, str, str]) -> None:
        self._running_translate = True
        self._busy += 1
        if self._state == "idle":
            self._set_state("translating")
        self._requestTranslate.emit(*request)

    def preview(self, job: PreviewJob) -> None:
        self._busy += 1
        if self._state == "idle":
            self._set_state("previewing")
        self._requestPreview.emit(job)

    def start_training(self, job: TrainJob) -> None:
        """Train in a child process; events arrive as ``trainEvent``, the end as
        ``trainFinished``."""
        if self.training or self._trainer.running:
            raise CoreError("a model is already training")
        self._pending = None
        self._set_state("training")
        self._trainer.start(job)

    def translate_file(self, job: FileJob) -> None:
        """Translate a file on the worker thread; ``fileProgress`` then ``fileFinished`` (or
        ``failed``). ``cancel_file`` stops it between batches; nothing is written then."""
        if self.training:
            raise CoreError("translation is paused while a model trains; translate the file "
                            "when training ends")
        if self.translating_file:
            raise CoreError("a file is already being translated")
        from core.cancel import CancelToken
        token = CancelToken()
        self._file_cancel = token
        self._busy += 1
        if self._state in ("idle", "translating"):
            self._set_state("translating a file")
        self._requestFile.emit(dataclasses.replace(job, cancel=token))

    def cancel_file(self) -> None:
        """Straight to the worker's CancelToken: takes effect at the next batch."""
        if self._file_cancel is not None:
            self._file_cancel.cancel()

    def submit(self, kind: str, fn, needs_model: bool = True) -> int:
        """Run ``fn(translator, context)`` on the worker thread; ``fn`` is a core function (with
        its arguments bound) returning plain data. The result arrives as ``jobFinished(kind,
        result)``. Latest request wins: a newer job of the same kind cancels the running one at
        its next check and replaces any job still waiting, and only its result is delivered.
        ``context.cancel`` is a CancelToken, ``context.progress(done, total)`` reports as
        ``jobProgress``. Jobs that need the model are refused while a model trains."""
        if needs_model and self.training:
            raise CoreError("the model is busy while a model trains; try again when training ends")
        from core.cancel import CancelToken
        if kind in self._jobs:                 # replaced: stop the old one, drop any waiting
            self._jobs[kind][1].cancel()
        self._jobs_waiting.pop(kind, None)
        self._job_id += 1
        token = CancelToken()
        self._jobs[kind] = (self._job_id, token)
        request = (kind, self._job_id, fn, token, needs_model)
        if kind in self._jobs_running:
            self._jobs_waiting[kind] = request
        else:
            self._send_job(request)
        return self._job_id

    def _send_job(self, request: tuple) -> None:
        self._jobs_running.add(request[0])
        self._busy += 1
        if self._state == "idle":
            self._set_state("working")
        self._requestJob.emit(*request)

    def cancel_job(self, kind: str) -> None:
        """Cancel the job of this kind: the running one stops at its next cancel check, a
        waiting one never starts."""
        if kind in self._jobs:
            self._jobs[kind][1].cancel()
        waiting = self._jobs_waiting.pop(kind, None)
        if waiting is not None and self._is_latest_job(kind, waiting[1]):
            del self._jobs[kind]
            self.jobCancelled.emit(kind)

    def job_running(self, kind: str) -> bool:
        return kind in self._jobs

    # Sent straight to the child's CancelToken (through its stdin), never queued behind work.
    def pause(self) -> None:
        self._trainer.pause()

    def resume(self) -> None:
        self._trainer.resume()

    def stop(self) -> None:
        """Ask training to stop; it saves a checkpoint and ends with DoneEvent(status=cancelled)."""
        self._trainer.cancel()

    def request_devices(self) -> None:
        """Ask the worker which devices exist; the answer comes as ``devicesReady``."""
        self._requestDevices.emit()

    # ------------------------------------------------------------------ results (GUI thread)
    @Slot(object)
    def _on_devices(self, devices) -> None:
        self.devicesReady.emit(devices)

    @Slot(object)
    def _on_model_loaded(self, info) -> None:
        self._model_info = info
        self.modelLoaded.emit(info)

    @Slot(int, object)
    def _on_translated(self, request_id: int, inspection) -> None:
        if request_id == self._latest_id:
            self.translated.emit(inspection.hypotheses)
            self.inspected.emit(inspection)
        else:
            log.debug("dropped stale translation %s (latest %s)", request_id, self._latest_id)

    def _is_latest_job(self, kind: str, job_id: int) -> bool:
        return kind in self._jobs and self._jobs[kind][0] == job_id

    @Slot(str, int, int)
    def _on_job_progress(self, kind: str, done: int, total: int) -> None:
        if kind in self._jobs:
            self.jobProgress.emit(kind, done, total)

    @Slot(str, int, object)
    def _on_job_finished(self, kind: str, job_id: int, result) -> None:
        if self._is_latest_job(kind, job_id):
            del self._jobs[kind]
            self.jobFinished.emit(kind, result)

    @Slot(str, int)
    def _on_job_cancelled(self, kind: str, job_id: int) -> None:
        if self._is_latest_job(kind, job_id):
            del self._jobs[kind]
            self.jobCancelled.emit(kind)

    @Slot(object)
    def _on_file_finished(self, result) -> None:
        self.fileFinished.emit(result)

    @Slot(object)
    def _on_preview(self, preview) -> None:
        self.previewReady.emit(preview)

    @Slot(object)
    def _on_train_event(self, event) -> None:
        self.trainEvent.emit(event)

    @Slot(object)
    def _on_train_finished(self, done) -> None:
        self.trainFinished.emit(done)

    @Slot(object)
    def _on_failed(self, failure: Failure) -> None:
        if "job_id" in failure.extra:
            if not self._is_latest_job(failure.operation, failure.extra["job_id"]):
                log.debug("dropped the failure of a replaced %s job", failure.operation)
                return
            del self._jobs[failure.operation]
        self.failed.emit(failure)

    @Slot(str)
    def _on_idle(self, operation: str) -> None:
        self._busy = max(0, self._busy - 1)
        if operation == "file":
            self._file_cancel = None
            if self._state == "translating a file" and self._busy:
                self._set_state("translating")
        if operation.startswith("job:"):
            kind = operation[4:]
            self._jobs_running.discard(kind)
            if kind in self._jobs_waiting:
                self._send_job(self._jobs_waiting.pop(kind))
        if operation == "translate":
            self._running_translate = False
            if self._pending is not None and not self.training:
                request, self._pending = self._pending, None
                self._send_translate(request)
        if self._busy == 0 and not self.training:
            self._set_state("idle")

    @Slot()
    def _on_train_ended(self) -> None:
        self._set_state("idle" if self._busy == 0 else "translating")
        if self._pending_load is not None:
            path, device = self._pending_load
            self._pending_load = None
            self.load_model(path, device)

    # ------------------------------------------------------------------ shutdown
    def is_running(self) -> bool:
        return self._thread.isRunning()

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """Cancel any job, stop the thread and wait for it; returns False if it did not stop."""
        if self._trainer.running:
            self._trainer.cancel()
            self._trainer.wait_for_exit(timeout_ms)
        self.cancel_file()
        self._thread.quit()
        ok = self._thread.wait(timeout_ms)
        if not ok:
            log.error("the worker thread did not stop within %s ms", timeout_ms)
        return ok
