"""The Session: what panels talk to. It owns the worker thread (whose ModelWorker owns the model)
and the training child process, and keeps the job state.

Why this shape (docs/architecture.md, "How a request travels"):

- One thread owns the Translator (``gui.model_worker``); requests reach it one at a time through
  queued signals, so nothing else touches torch.
- Every request to the worker, apart from opening a model, is a job: ``submit(key, fn, title=…)``
  returns a ``gui.job.Job`` handle whose callbacks hear about that request only, on the GUI
  thread. ``translate``, ``translate_file``, ``preview`` and ``request_devices`` are jobs too.
- Latest request wins per key: a newer job of a key cancels the running one at its next check and
  replaces a waiting one; a replaced job's callbacks never fire. One job per key runs at a time.
- Only plain data crosses threads (``gui.jobs``): core dataclasses holding numpy, never tensors.
- Cancel and pause reach a job's ``core.cancel.CancelToken`` directly, never as a queued signal,
  which would reach a busy worker only after the job ended.
- A failure reaches the job's ``on_error`` and then ``failed``, carrying the title the request
  gave, for the main window's dialog.
- Training runs in a child process (``gui.train_runner``).
"""

from __future__ import annotations

import dataclasses
import logging
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from core.errors import CoreError
from gui import tasks
from gui.job import CANCELLED, DONE, FAILED, RUNNING, Job, JobFn
from gui.jobs import Failure, FileJob, PreviewJob, TrainJob
from gui.model_worker import ModelWorker
from gui.train_runner import TrainProcess
from gui.words_mode import WordsMode

log = logging.getLogger(__name__)

TRANSLATE, FILE, PREVIEW, DEVICES = "translate", "file", "preview", "devices"  # the Session's keys
# the Session's state while a job of that kind runs, the most telling first
BUSY_ORDER = ("translating a file", "translating", "previewing", "working")


class Session(QObject):
    """The GUI-thread side: owns the worker thread, the jobs and the training process.

    Panels talk to the Session, never to the worker. ``state`` is one of idle, loading,
    translating, translating a file, previewing, working, training; ``stateChanged`` lets panels
    enable/disable themselves.
    """

    stateChanged = Signal(str)
    modelLoaded = Signal(object)
    translated = Signal(object)  # list[Translation] of the latest request only
    inspected = Signal(object)  # core.decoding.inspection.Inspection of that request
    previewReady = Signal(object)
    trainEvent = Signal(object)
    trainFinished = Signal(object)
    devicesReady = Signal(object)
    failed = Signal(object)  # Failure (its title names the request), for a dialog

    # requests to the worker (queued: the worker lives in another thread)
    _requestLoad = Signal(str, str)
    _requestJob = Signal(int, object, object, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("attnscope-model-worker")
        self._worker = ModelWorker()
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)

        self._requestLoad.connect(self._worker.open_model)
        self._requestJob.connect(self._worker.run_job)
        self._worker.modelLoaded.connect(self._on_model_loaded)
        self._worker.loadFailed.connect(self._on_load_failed)
        self._worker.jobProgress.connect(self._on_job_progress)
        self._worker.jobFinished.connect(self._on_job_finished)
        self._worker.jobCancelled.connect(self._on_job_cancelled)
        self._worker.jobFailed.connect(self._on_job_failed)
        self._trainer = TrainProcess(self)
        self._trainer.event.connect(self.trainEvent)
        self._trainer.finished.connect(self.trainFinished)
        self._trainer.failed.connect(self.failed)
        self._trainer.ended.connect(self._on_train_ended)

        self._state = "idle"
        self._training = False
        self._loads = 0  # model loads sent and not yet answered
        self._model_info = None
        self.words_mode = WordsMode(self)  # Subwords | Words: one state every view reads
        self._pending_load: tuple[str, str] | None = None
        self._job_id = 0
        self._running: dict[int, Job] = {}  # id → a job at the worker now (one per key)
        self._waiting: dict[str, Job] = {}  # key → the one job queued behind that key's
        self._latest: dict[str, Job] = {}  # key → the newest job of that key (may be ended)
        self._file_job: Job | None = None
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
        return self._training

    @property
    def paused(self) -> bool:
        return self._trainer.paused

    @property
    def translating_file(self) -> bool:
        return self._file_job is not None and self._file_job.active

    def latest_job(self, key: str) -> Job | None:
        """The newest job submitted with ``key`` (it may have ended), or None."""
        return self._latest.get(key)

    def _update_state(self) -> None:
        if self._training:
            state = "training"
        elif self._loads:
            state = "loading"
        else:
            busy = {job.busy for job in self._running.values()}
            state = next((b for b in BUSY_ORDER if b in busy), "idle")
        if state != self._state:
            self._state = state
            self.stateChanged.emit(state)

    # ------------------------------------------------------------------ jobs
    def submit(
        self,
        key: str,
        fn: JobFn,
        *,
        title: str,
        needs_model: bool = True,
        busy: str | None = "working",
    ) -> Job:
        """Run ``fn(translator, context)`` on the worker thread and return its handle.

        ``fn`` is a core function (its arguments bound) returning plain data; ``context.cancel``
        is a CancelToken, ``context.progress(done, total)`` reaches ``on_progress`` at most ~10
        times a second. ``title`` heads the error dialog if it fails. Latest request wins per
        ``key``. ``busy`` is the Session state while it runs (None: no change). Jobs that need
        the model are refused (CoreError) while a model trains."""
        if needs_model and self._training:
            raise CoreError("the model is busy while a model trains; try again when training ends")
        from core.cancel import CancelToken

        old = self._latest.get(key)
        if old is not None:
            old._replace()  # it stops at its next check and stays silent
        if self._waiting.get(key) is old:
            self._waiting.pop(key, None)
        self._job_id += 1
        job = Job(
            self._job_id,
            key,
            title,
            fn,
            needs_model=needs_model,
            busy=busy,
            cancel_token=CancelToken(),
            on_cancel=self._cancel,
        )
        self._latest[key] = job
        if any(running.key == key for running in self._running.values()):
            self._waiting[key] = job
        else:
            self._send(job)
        return job

    def _send(self, job: Job) -> None:
        job.status = RUNNING
        self._running[job.id] = job
        self._update_state()
        self._requestJob.emit(job.id, job.fn, job.token, job.needs_model)

    def _cancel(self, job: Job) -> None:
        """Straight to the job's CancelToken; a job still waiting is dropped and ends now."""
        job.token.cancel()
        if self._waiting.get(job.key) is job:
            del self._waiting[job.key]
            job._deliver(CANCELLED, job.cancelled)

    def _ended_at_worker(self, job_id: int) -> Job | None:
        """The worker is done with ``job_id``: start the job waiting behind it."""
        job = self._running.pop(job_id, None)
        if job is not None:
            waiting = self._waiting.pop(job.key, None)
            if waiting is not None:
                self._send(waiting)
        self._update_state()
        return job

    @Slot(int, int, int)
    def _on_job_progress(self, job_id: int, done: int, total: int) -> None:
        job = self._running.get(job_id)
        if job is not None and job.active:
            job.progressed.emit(done, total)

    @Slot(int, object)
    def _on_job_finished(self, job_id: int, result: Any) -> None:
        job = self._ended_at_worker(job_id)
        if job is not None:
            job._deliver(DONE, job.resultReady, result)

    @Slot(int)
    def _on_job_cancelled(self, job_id: int) -> None:
        job = self._ended_at_worker(job_id)
        if job is not None:
            job._deliver(CANCELLED, job.cancelled)

    @Slot(int, object)
    def _on_job_failed(self, job_id: int, failure: Failure) -> None:
        job = self._ended_at_worker(job_id)
        if job is None or not job.active:
            log.debug("dropped the failure of a replaced job %s", job)
            return
        failure = dataclasses.replace(failure, operation=job.key, title=job.title)
        job._deliver(FAILED, job.failed, failure)
        self.failed.emit(failure)

    # ------------------------------------------------------------------ the Session's own jobs
    def translate(
        self, text: str, beam: int = 1, nbest: int = 1, prefix: str = "", reference: str = ""
    ) -> Job | None:
        """Translate one sentence; only the latest request's result is delivered, as
        ``translated`` (the N-best list) and ``inspected`` (everything, with the beam tree).

        ``prefix``: words the output must start with; ``reference``: the user's own translation,
        scored by forced decoding. While a model trains it fails at once (None)."""
        if self._training:
            self.failed.emit(
                Failure(
                    TRANSLATE,
                    "Translation failed",
                    "translation is paused while a model trains; it will be "
                    "available when training ends",
                    "",
                )
            )
            return None
        fn = partial(
            tasks.inspect_sentence,
            text=text,
            beam=int(beam),
            nbest=int(nbest),
            prefix=prefix or "",
            reference=reference or "",
        )
        job = self.submit(TRANSLATE, fn, title="Translation failed", busy="translating")
        return job.on_result(self._on_inspection)

    @Slot(object)
    def _on_inspection(self, inspection: Any) -> None:
        self.translated.emit(inspection.hypotheses)
        self.inspected.emit(inspection)

    def translate_file(self, job: FileJob) -> Job:
        """Translate a file on the worker thread; the handle reports progress, then a
        ``FileResult`` (done, or cancelled: ``cancel()`` stops it between batches and nothing is
        written), or an error."""
        if self._training:
            raise CoreError(
                "translation is paused while a model trains; translate the file when training ends"
            )
        if self.translating_file:
            raise CoreError("a file is already being translated")
        self._file_job = self.submit(
            FILE,
            partial(tasks.translate_file, job),
            title="Cannot translate the file",
            busy="translating a file",
        )
        return self._file_job

    def cancel_file(self) -> None:
        if self._file_job is not None:
            self._file_job.cancel()

    def preview(self, job: PreviewJob) -> Job:
        """Read a corpus as training would; the result arrives as ``previewReady``."""
        handle = self.submit(
            PREVIEW,
            partial(tasks.preview_corpus, job),
            needs_model=False,
            title="Cannot read the corpus",
            busy="previewing",
        )
        return handle.on_result(self.previewReady)

    def request_devices(self) -> Job:
        """Ask the worker which devices exist; the answer comes as ``devicesReady``."""
        handle = self.submit(
            DEVICES,
            tasks.describe_devices,
            needs_model=False,
            title="Cannot list devices",
            busy=None,
        )
        return handle.on_result(self.devicesReady)

    # ------------------------------------------------------------------ the model
    def load_model(self, path: str, device: str = "auto") -> None:
        if self._training:
            if self._trainer.outcome_seen:  # done, only the process is still exiting
                self._pending_load = (str(path), device)
                return
            raise CoreError("wait for training to finish before opening another model")
        self._loads += 1
        self._update_state()
        self._requestLoad.emit(str(path), device)

    @Slot(object)
    def _on_model_loaded(self, info) -> None:
        self._model_info = info
        self.words_mode.set_model(info)
        self.modelLoaded.emit(info)  # while the state still says "loading"
        self._loads = max(0, self._loads - 1)
        self._update_state()

    @Slot(object)
    def _on_load_failed(self, failure: Failure) -> None:
        self.failed.emit(failure)
        self._loads = max(0, self._loads - 1)
        self._update_state()

    # ------------------------------------------------------------------ training
    def start_training(self, job: TrainJob) -> None:
        """Train in a child process; events arrive as ``trainEvent``, the end as
        ``trainFinished``."""
        if self._training or self._trainer.running:
            raise CoreError("a model is already training")
        waiting = self._waiting.pop(TRANSLATE, None)
        if waiting is not None:
            waiting._replace()  # a typed translation waits for no training
        self._training = True
        self._update_state()
        self._trainer.start(job)

    # Sent straight to the child's CancelToken (through its stdin), never queued behind work.
    def pause(self) -> None:
        self._trainer.pause()

    def resume(self) -> None:
        self._trainer.resume()

    def stop(self) -> None:
        """Ask training to stop; it saves a checkpoint and ends with DoneEvent(status=cancelled)."""
        self._trainer.cancel()

    @Slot()
    def _on_train_ended(self) -> None:
        self._training = False
        self._update_state()
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
        for job in [*self._running.values(), *self._waiting.values()]:
            job.token.cancel()
        self._thread.quit()
        ok = self._thread.wait(timeout_ms)
        if not ok:
            log.error("the worker thread did not stop within %s ms", timeout_ms)
        return ok
