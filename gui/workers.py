"""The one place that starts a thread: a long-lived QThread whose ModelWorker owns the model.

Why this shape (docs anchors/style.md §3.3):

- One thread owns the Translator (and so the model and the device); load, translate, preview and
  train requests reach it one at a time through queued signals, so nothing else touches torch.
- Only plain data crosses threads: core dataclasses (Translation, events, ModelInfo) holding numpy,
  never tensors.
- Cancel and pause go through a ``core.cancel.CancelToken`` that the GUI thread sets directly: a
  queued signal would reach a busy worker only after training ended.
- Typing translates "latest request wins": each request carries an id, one runs, one waits, and a
  result whose id is not the latest is dropped.
- Every worker slot catches everything and emits ``failed``; an exception never escapes a slot.
- torch is imported lazily inside the worker thread (via core.translator / core.train), so the
  window appears before torch has loaded.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from core.cancel import CancelToken
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


@dataclass(frozen=True)
class Failure:
    operation: str                 # "load", "translate", "train", "preview"
    message: str                   # short, for the user
    details: str                   # traceback, for "details"
    extra: dict = field(default_factory=dict)


def _failure(operation: str, exc: BaseException) -> Failure:
    from gui.error_dialog import describe_exception
    message, details = describe_exception(exc)
    return Failure(operation, message, details)


class ModelWorker(QObject):
    """Lives in the worker thread. Slots run there; results leave as signals."""

    modelLoaded = Signal(object)           # core.library.ModelInfo
    translated = Signal(int, object)       # (request id, list[Translation])
    previewReady = Signal(object)          # Preview
    trainEvent = Signal(object)            # ReportEvent | ProgressEvent | ValidationEvent | ...
    trainFinished = Signal(object)         # DoneEvent
    failed = Signal(object)                # Failure
    idle = Signal(str)                     # the operation that just ended (success or not)

    def __init__(self) -> None:
        super().__init__()
        self._translator = None
        self._model_path: str | None = None
        self._last_progress = 0.0
        self._threads_set = False

    def _setup_threads(self) -> None:
        """torch's thread count is per thread in effect: set it here, leaving a core for the GUI."""
        if not self._threads_set:
            from core import device
            device.set_threads(None, leave_one=True)
            self._threads_set = True

    @Slot(str, str)
    def load_model(self, path: str, device: str = "auto") -> None:
        try:
            self._setup_threads()
            from core.library import read_info
            from core.translator import Translator
            self._translator = Translator.load(path, device=device or "auto")
            self._model_path = path
            self.modelLoaded.emit(read_info(path))
        except Exception as exc:  # noqa: BLE001 — never escape a slot
            self.failed.emit(_failure("load", exc))
        finally:
            self.idle.emit("load")

    @Slot(int, str, int, int)
    def translate(self, request_id: int, text: str, beam: int, nbest: int) -> None:
        try:
            if self._translator is None:
                raise CoreError("no model is open: open one from the Models tab, or train one")
            results = self._translator.translate(text, beam=beam, nbest=nbest)
            self.translated.emit(request_id, results)
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

    @Slot(object, object)
    def train(self, job: TrainJob, cancel: CancelToken) -> None:
        try:
            from core.train import train
            self._last_progress = 0.0
            done = train(job.spec, job.out_dir, job.model_cfg, job.tok_cfg, job.train_cfg,
                         dev_spec=job.dev_spec, on_event=self._on_event, cancel=cancel,
                         name=job.name, leave_one_core=True)
            self.trainFinished.emit(done)
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(_failure("train", exc))
        finally:
            self.idle.emit("train")

    def _on_event(self, event) -> None:
        """Called by core.train in this thread; re-emits events, throttling progress to ≤10/s."""
        if getattr(event, "type", "") == "progress":
            now = time.monotonic()
            if now - self._last_progress < PROGRESS_INTERVAL_S and event.fraction < 1.0:
                return
            self._last_progress = now
        self.trainEvent.emit(event)


class Session(QObject):
    """The GUI-thread side: owns the worker thread, the job state and the cancel token.

    Panels talk to the Session, never to the worker. ``state`` is one of idle, loading,
    translating, previewing, training; ``stateChanged`` lets panels enable/disable themselves.
    """

    stateChanged = Signal(str)
    modelLoaded = Signal(object)
    translated = Signal(object)            # list[Translation] of the latest request only
    previewReady = Signal(object)
    trainEvent = Signal(object)
    trainFinished = Signal(object)
    failed = Signal(object)                # Failure

    # requests to the worker (queued: the worker lives in another thread)
    _requestLoad = Signal(str, str)
    _requestTranslate = Signal(int, str, int, int)
    _requestPreview = Signal(object)
    _requestTrain = Signal(object, object)

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
        self._requestTrain.connect(self._worker.train)

        self._worker.modelLoaded.connect(self._on_model_loaded)
        self._worker.translated.connect(self._on_translated)
        self._worker.previewReady.connect(self._on_preview)
        self._worker.trainEvent.connect(self._on_train_event)
        self._worker.trainFinished.connect(self._on_train_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.idle.connect(self._on_idle)

        self._state = "idle"
        self._busy = 0                     # requests sent and not yet answered with idle
        self._latest_id = 0
        self._running_translate = False
        self._pending: tuple[int, str, int, int] | None = None
        self._cancel: CancelToken | None = None
        self._model_info = None
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
        return self._cancel is not None and self._cancel.paused

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.stateChanged.emit(state)

    # ------------------------------------------------------------------ requests
    def load_model(self, path: str, device: str = "auto") -> None:
        if self.training:
            raise CoreError("wait for training to finish before opening another model")
        self._busy += 1
        self._set_state("loading")
        self._requestLoad.emit(str(path), device)

    def translate(self, text: str, beam: int = 1, nbest: int = 1) -> int:
        """Queue a translation; only the latest request's result is delivered. Returns its id."""
        self._latest_id += 1
        request = (self._latest_id, text, int(beam), int(nbest))
        if self.training:
            self._on_failed(Failure("translate", "translation is paused while a model trains; "
                                    "it will be available when training ends", ""))
            return self._latest_id
        if self._running_translate:
            self._pending = request        # replaces any older waiting request
        else:
            self._send_translate(request)
        return self._latest_id

    def _send_translate(self, request: tuple[int, str, int, int]) -> None:
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

    def start_training(self, job: TrainJob) -> CancelToken:
        if self.training:
            raise CoreError("a model is already training")
        self._cancel = CancelToken()
        self._busy += 1
        self._pending = None
        self._set_state("training")
        self._requestTrain.emit(job, self._cancel)
        return self._cancel

    # Set directly from the GUI thread: the worker is busy inside train() and checks the token.
    def pause(self) -> None:
        if self._cancel is not None:
            self._cancel.pause()

    def resume(self) -> None:
        if self._cancel is not None:
            self._cancel.resume()

    def stop(self) -> None:
        """Ask training to stop; it saves a checkpoint and ends with DoneEvent(status=cancelled)."""
        if self._cancel is not None:
            self._cancel.cancel()

    # ------------------------------------------------------------------ results (GUI thread)
    @Slot(object)
    def _on_model_loaded(self, info) -> None:
        self._model_info = info
        self.modelLoaded.emit(info)

    @Slot(int, object)
    def _on_translated(self, request_id: int, results) -> None:
        if request_id == self._latest_id:
            self.translated.emit(results)
        else:
            log.debug("dropped stale translation %s (latest %s)", request_id, self._latest_id)

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
        self.failed.emit(failure)

    @Slot(str)
    def _on_idle(self, operation: str) -> None:
        self._busy = max(0, self._busy - 1)
        if operation == "translate":
            self._running_translate = False
            if self._pending is not None and not self.training:
                request, self._pending = self._pending, None
                self._send_translate(request)
        if operation == "train":
            self._cancel = None
        if self._busy == 0:
            self._set_state("idle")

    # ------------------------------------------------------------------ shutdown
    def is_running(self) -> bool:
        return self._thread.isRunning()

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """Cancel any job, stop the thread and wait for it; returns False if it did not stop."""
        if self._cancel is not None:
            self._cancel.cancel()
        self._thread.quit()
        ok = self._thread.wait(timeout_ms)
        if not ok:
            log.error("the worker thread did not stop within %s ms", timeout_ms)
        return ok
