"""The one place that starts a thread: a long-lived QThread whose ModelWorker owns the model.

Why this shape (docs anchors/style.md §3.3):

- One thread owns the Translator (and so the model and the device); load, translate and preview
  requests reach it one at a time through queued signals, so nothing else touches torch.
- Only plain data crosses threads: core dataclasses (Translation, events, ModelInfo) holding numpy,
  never tensors.
- Cancel and pause reach the trainer's ``core.cancel.CancelToken`` directly, never as a queued
  signal, which would reach a busy worker only after training ended.
- Typing translates "latest request wins": each request carries an id, one runs, one waits, and a
  result whose id is not the latest is dropped.
- Every worker slot catches everything and emits ``failed``; an exception never escapes a slot.
- Training runs in a child process (``gui.train_process``) driven by ``TrainProcess``: in a
  thread, torch and the trainer's Python glue held the GIL for 50–250 ms at a time on a 2-core
  machine (measured), over the 100 ms responsiveness budget. QProcess is asynchronous, so no
  extra thread is needed; pause/resume/cancel are lines on the child's stdin, where they set the
  child's CancelToken (the same cooperative protocol, one process further).
- torch is imported lazily inside the worker thread (via core.translator / core.train), so the
  window appears before torch has loaded.
- Those first imports (torch, and the torch._dynamo/sympy modules it pulls in when the first GRU
  is built) create millions of objects, and Python's cyclic garbage collector then runs full
  collections over all of them, each holding the interpreter lock for 100-200 ms, in which the GUI
  thread cannot run a single slot (measured: 124 and 201 ms event-loop gaps at start-up).
  ``_quiet_gc`` pauses the collector around that work and then freezes what it created, so later
  collections skip those long-lived objects (gaps: 15 and 26 ms).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QThread, Signal, Slot

from core.config import ModelConfig, TokenizerConfig, TrainConfig
from core.errors import CoreError

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.1     # at most ~10 progress updates a second reach the widgets


@dataclass(frozen=True)
class TrainJob:
    """Everything one training run needs; built by the train panel, run by the worker."""

    spec: Any                      # core.corpus.CorpusSpec
    out_dir: str
    model_cfg: ModelConfig
    tok_cfg: TokenizerConfig
    train_cfg: TrainConfig
    dev_spec: Any = None
    name: str | None = None
    resume: bool = False           # continue the run saved in out_dir (core.train resume=True)


@dataclass(frozen=True)
class FileJob:
    """Translate a UTF-8 text file, one sentence a line, into ``output`` (written when complete)."""

    input: str
    output: str
    beam: int = 1
    batch_size: int = 64
    cancel: Any = None             # core.cancel.CancelToken, set by the Session


@dataclass(frozen=True)
class FileResult:
    status: str                    # "done" or "cancelled" (a failure arrives as ``failed``)
    input: str
    output: str
    lines: int                     # lines translated (all of them when done)
    total: int
    elapsed_s: float


@dataclass(frozen=True)
class PreviewJob:
    spec: Any
    tok_cfg: TokenizerConfig
    max_len: int
    rows: int = 50


@dataclass(frozen=True)
class Preview:
    """The first pairs as they will be tokenized, and the validation report of the whole corpus."""

    pairs: list[tuple[list[str], list[str]]]
    report: Any                    # core.corpus.CorpusReport
    summary: str


class JobContext:
    """What a job function gets besides the translator: a cancel token to check between pieces
    of work and a throttled ``progress(done, total)``."""

    def __init__(self, cancel, emit_progress) -> None:
        self.cancel = cancel
        self._emit = emit_progress
        self._last = 0.0

    def progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last >= PROGRESS_INTERVAL_S or done >= total:
            self._last = now
            self._emit(done, total)


@dataclass(frozen=True)
class Failure:
    operation: str                 # "load", "translate", "train", "preview"
    message: str                   # short, for the user
    details: str                   # traceback, for "details"
    extra: dict = field(default_factory=dict)


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


def _failure(operation: str, exc: BaseException) -> Failure:
    from gui.error_dialog import describe_exception
    message, details = describe_exception(exc)
    return Failure(operation, message, details)


class ModelWorker(QObject):
    """Lives in the worker thread. Slots run there; results leave as signals."""

    modelLoaded = Signal(object)           # core.library.ModelInfo
    translated = Signal(int, object)       # (request id, core.inspection.Inspection)
    previewReady = Signal(object)          # Preview
    devicesReady = Signal(object)          # [(value, label)] from core.device.describe_devices
    fileProgress = Signal(int, int)        # (lines done, total) of a file translation
    fileFinished = Signal(object)          # FileResult
    jobProgress = Signal(str, int, int)    # (kind, done, total) of a submitted job
    jobFinished = Signal(str, int, object)  # (kind, job id, result)
    jobCancelled = Signal(str, int)        # (kind, job id)
    failed = Signal(object)                # Failure
    idle = Signal(str)                     # the operation that just ended (success or not)

    def __init__(self) -> None:
        super().__init__()
        self._translator = None
        self._model_path: str | None = None
        self._threads_set = False

    def _setup_threads(self) -> None:
        """torch's thread count is per thread in effect: set it here, leaving a core for the GUI."""
        if not self._threads_set:
            from core import device
            device.set_threads(None, leave_one=True)
            self._threads_set = True

    @Slot()
    def describe_devices(self) -> None:
        """Importing torch and probing CUDA takes a moment: done here, not on the GUI thread."""
        try:
            with _quiet_gc():
                from core.device import describe_devices
                devices = describe_devices()
            self.devicesReady.emit(devices)
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(_failure("devices", exc))

    @Slot(str, str)
    def load_model(self, path: str, device: str = "auto") -> None:
        try:
            self._setup_threads()
            with _quiet_gc():
                from core.library import read_info
                from core.translator import Translator
                self._translator = Translator.load(path, device=device or "auto")
            self._model_path = path
            self.modelLoaded.emit(read_info(path))
        except Exception as exc:  # noqa: BLE001 — never escape a slot
            self.failed.emit(_failure("load", exc))
        finally:
            self.idle.emit("load")

    @Slot(int, str, int, int, str, str)
    def translate(self, request_id: int, text: str, beam: int, nbest: int, prefix: str,
                  reference: str) -> None:
        try:
            if self._translator is None:
                raise CoreError("no model is open: open one from the Models tab, or train one")
            result = self._translator.inspect(text, beam=beam, nbest=nbest, prefix=prefix,
                                              reference=reference)
            self.translated.emit(request_id, result)
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(_failure("translate", exc))
        finally:
            self.idle.emit("translate")

    @Slot(object)
    def preview(self, job: PreviewJob) -> None:
        try:
            from core.corpus import load_pairs
            from core.tokenizer import tokenizers_for
            src_tok, tgt_tok = tokenizers_for(job.tok_cfg)
            pairs, report = load_pairs(job.spec, src_tok.tokenize, tgt_tok.tokenize, job.max_len)
            self.previewReady.emit(Preview(pairs[: job.rows], report, report.summary()))
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(_failure("preview", exc))
        finally:
            self.idle.emit("preview")

    @Slot(object)
    def translate_file(self, job: FileJob) -> None:
        """Read every line, translate in batches (cancellable between batches), then write the
        output atomically: a cancelled or failed run leaves no output file, never a partial one."""
        t0 = time.monotonic()
        total = 0
        try:
            if self._translator is None:
                raise CoreError("no model is open: open one from the Models tab, or train one")
            from core.checkpoint import atomic_write_text
            from core.corpus import read_text_lines
            from core.errors import Cancelled
            texts = [text for _, text in read_text_lines(job.input)]
            total = len(texts)
            self.fileProgress.emit(0, total)
            last = [0.0]
            done = [0]

            def progress(n_done: int, n: int) -> None:
                done[0] = n_done
                now = time.monotonic()
                if now - last[0] >= PROGRESS_INTERVAL_S or n_done >= n:
                    last[0] = now
                    self.fileProgress.emit(n_done, n)
            try:
                results = self._translator.translate_batch(
                    texts, beam=job.beam, batch_size=job.batch_size, progress=progress,
                    cancel=job.cancel)
            except Cancelled:
                self.fileFinished.emit(FileResult("cancelled", job.input, job.output, done[0],
                                                  total, time.monotonic() - t0))
                return
            atomic_write_text(job.output, "".join(r.text + "\n" for r in results))
            self.fileFinished.emit(FileResult("done", job.input, job.output, len(results), total,
                                              time.monotonic() - t0))
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(_failure("file", exc))
        finally:
            self.idle.emit("file")


    @Slot(str, int, object, object, bool)
    def run_job(self, kind: str, job_id: int, fn, cancel, needs_model: bool) -> None:
        """Run ``fn(translator, context)`` — a core function chosen by a panel — and send back
        its plain-data result. The GUI never decodes itself; it names the work, core does it."""
        try:
            self._setup_threads()
            if needs_model and self._translator is None:
                raise CoreError("no model is open: open one from the Models tab, or train one")
            from core.errors import Cancelled
            ctx = JobContext(cancel, lambda d, t: self.jobProgress.emit(kind, d, t))
            try:
                result = fn(self._translator, ctx)
            except Cancelled:
                self.jobCancelled.emit(kind, job_id)
                return
            self.jobFinished.emit(kind, job_id, result)
        except Exception as exc:  # noqa: BLE001
            failure = _failure(kind, exc)
            failure.extra["job_id"] = job_id
            self.failed.emit(failure)
        finally:
            self.idle.emit("job:" + kind)


class TrainProcess(QObject):
    """Runs one training job in a child process and turns its JSON lines back into core events."""

    event = Signal(object)
    finished = Signal(object)          # DoneEvent
    failed = Signal(object)            # Failure
    ended = Signal()                   # the process is gone (after finished/failed)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._proc: QProcess | None = None
        self._buffer = b""
        self._outcome_seen = False
        self._last_progress = 0.0
        self._paused = False

    @staticmethod
    def command() -> tuple[str, list[str]]:
        if getattr(sys, "frozen", False):      # a bundled app: the executable runs the child
            return sys.executable, ["--train-worker"]
        return sys.executable, ["-m", "gui.train_process"]

    def start(self, job: TrainJob) -> None:
        from gui.train_process import job_to_json
        proc = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        package_root = str(Path(__file__).resolve().parent.parent)
        env.insert("PYTHONPATH", os.pathsep.join(
            p for p in (package_root, env.value("PYTHONPATH", "")) if p))
        env.insert("ATTNSCOPE_TRAIN_CHILD", "1")
        env.insert("PYTHONUNBUFFERED", "1")
        env.insert("PYTHONIOENCODING", "utf-8")
        proc.setProcessEnvironment(env)
        proc.readyReadStandardOutput.connect(self._read_stdout)
        proc.readyReadStandardError.connect(self._read_stderr)
        proc.finished.connect(self._on_finished)
        proc.errorOccurred.connect(self._on_error)
        self._proc, self._buffer, self._outcome_seen, self._paused = proc, b"", False, False
        program, args = self.command()
        log.info("starting the trainer: %s %s", program, " ".join(args))
        proc.start(program, args)
        proc.write((job_to_json(job) + "\n").encode("utf-8"))

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.state() != QProcess.ProcessState.NotRunning

    @property
    def paused(self) -> bool:
        return self._paused and self.running

    @property
    def outcome_seen(self) -> bool:
        """The child reported how the run ended (done or error); it may still be exiting."""
        return self._outcome_seen

    def _send(self, command: str) -> None:
        if self.running:
            self._proc.write((command + "\n").encode("utf-8"))

    def pause(self) -> None:
        self._paused = True
        self._send("pause")

    def resume(self) -> None:
        self._paused = False
        self._send("resume")

    def cancel(self) -> None:
        self._paused = False
        self._send("cancel")

    @Slot()
    def _read_stdout(self) -> None:
        self._buffer += bytes(self._proc.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for raw in lines:
            if raw.strip():
                self._handle_line(raw)

    def _handle_line(self, raw: bytes) -> None:
        from gui.train_process import event_from_json
        try:
            data = json.loads(raw.decode("utf-8"))
            kind = data.get("type")
            if kind == "error":
                self._outcome_seen = True
                self.failed.emit(Failure("train", str(data.get("message", "training failed")),
                                         str(data.get("details", ""))))
                return
            ev = event_from_json(data)
        except Exception as exc:  # noqa: BLE001 — a garbled line must not kill the app
            log.warning("could not read a line from the trainer: %r (%s)", raw[:200], exc)
            return
        if kind == "done":
            self._outcome_seen = True
            self.finished.emit(ev)
        elif kind == "progress":
            now = time.monotonic()
            if now - self._last_progress >= PROGRESS_INTERVAL_S or ev.fraction >= 1.0:
                self._last_progress = now
                self.event.emit(ev)
        else:
            self.event.emit(ev)

    @Slot()
    def _read_stderr(self) -> None:
        text = bytes(self._proc.readAllStandardError()).decode("utf-8", "replace")
        for line in text.splitlines():
            if line.strip():
                log.info("trainer: %s", line)

    @Slot(int, QProcess.ExitStatus)
    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read_stdout()
        if self._buffer.strip():
            self._handle_line(self._buffer)
            self._buffer = b""
        if not self._outcome_seen:
            how = "crashed" if status == QProcess.ExitStatus.CrashExit else f"exit code {code}"
            self.failed.emit(Failure("train", f"the training process ended unexpectedly ({how}); "
                                     "the last saved checkpoint is kept", ""))
        self._proc = None
        self.ended.emit()

    @Slot(QProcess.ProcessError)
    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._outcome_seen = True
            self.failed.emit(Failure("train", "could not start the training process", str(error)))
            self._proc = None
            self.ended.emit()

    def wait_for_exit(self, timeout_ms: int) -> bool:
        """Used only at shutdown, after cancel: give the child time to save, then kill it."""
        proc = self._proc
        if proc is None:
            return True
        if proc.waitForFinished(timeout_ms):
            return True
        log.error("the trainer did not stop within %s ms; killing it", timeout_ms)
        proc.kill()
        return proc.waitForFinished(2000)


class Session(QObject):
    """The GUI-thread side: owns the worker thread, the job state and the cancel token.

    Panels talk to the Session, never to the worker. ``state`` is one of idle, loading,
    translating, previewing, training; ``stateChanged`` lets panels enable/disable themselves.
    """

    stateChanged = Signal(str)
    modelLoaded = Signal(object)
    translated = Signal(object)            # list[Translation] of the latest request only
    inspected = Signal(object)             # core.inspection.Inspection of that same request
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

        self._requestLoad.connect(self._worker.load_model)
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
        """Train in a child process; events arrive as ``trainEvent``, the end as ``trainFinished``."""
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
