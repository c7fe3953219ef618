"""What crosses between the GUI thread, the model worker and the training child: plain, frozen
records (jobs, results, failures) and the job context, never tensors or widgets."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from core.config import TokenizerConfig
from core.training.job import TrainJob  # lives in core: the training child reads it too

__all__ = ["PROGRESS_INTERVAL_S", "Failure", "FileJob", "FileResult", "JobContext", "Preview",
           "PreviewJob", "TrainJob"]

PROGRESS_INTERVAL_S = 0.1     # at most ~10 progress updates a second reach the widgets


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
    report: Any                    # core.data.corpus.CorpusReport
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


def failure_from(operation: str, exc: BaseException) -> Failure:
    """A Failure for the user (short message) with the details (traceback) behind a button."""
    from gui.error_dialog import describe_exception
    message, details = describe_exception(exc)
    return Failure(operation, message, details)
