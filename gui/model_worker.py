"""The model worker: lives in the one worker thread and owns the Translator, so nothing else
touches torch. Requests arrive as queued signals, results leave as signals carrying plain data.

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
import time

from PySide6.QtCore import QObject, Signal, Slot

from core.errors import CoreError
from gui.jobs import PROGRESS_INTERVAL_S, FileJob, FileResult, JobContext, Preview, PreviewJob, failure_from


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


class ModelWorker(QObject):
    """Lives in the worker thread. Slots run there; results leave as signals."""

    modelLoaded = Signal(object)           # core.storage.library.ModelInfo
    translated = Signal(int, object)       # (request id, core.decoding.inspection.Inspection)
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
            self.failed.emit(failure_from("devices", exc))

    @Slot(str, str)
    def open_model(self, path: str, device: str = "auto") -> None:
        try:
            self._setup_threads()
            with _quiet_gc():
                from core.storage.library import read_info
                from core.decoding.translator import Translator
                self._translator = Translator.load(path, device=device or "auto")
            self._model_path = path
            self.modelLoaded.emit(read_info(path))
        except Exception as exc:  # noqa: BLE001 — never escape a slot
            self.failed.emit(failure_from("load", exc))
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
            self.failed.emit(failure_from("translate", exc))
        finally:
            self.idle.emit("translate")

    @Slot(object)
    def preview(self, job: PreviewJob) -> None:
        try:
            from core.data.corpus import load_pairs
            from core.data.tokenizer import tokenizers_for
            src_tok, tgt_tok = tokenizers_for(job.tok_cfg)
            pairs, report = load_pairs(job.spec, src_tok.tokenize, tgt_tok.tokenize, job.max_len)
            self.previewReady.emit(Preview(pairs[: job.rows], report, report.summary()))
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(failure_from("preview", exc))
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
            from core.storage.atomic_io import atomic_write_text
            from core.data.corpus import read_text_lines
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
            self.failed.emit(failure_from("file", exc))
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
            failure = failure_from(kind, exc)
            failure.extra["job_id"] = job_id
            self.failed.emit(failure)
        finally:
            self.idle.emit("job:" + kind)
