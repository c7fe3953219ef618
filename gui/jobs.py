"""What crosses between the GUI thread, the model worker and the training child: plain, frozen
records (jobs, results, failures) and the job context, never tensors or widgets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.config import TokenizerConfig, TrainConfig
from core.throttle import Throttle
from core.training.job import TrainJob  # lives in core: the training child reads it too

__all__ = ["Failure", "FileJob", "FileResult", "JobContext", "Preview", "PreviewJob", "TrainJob"]


@dataclass(frozen=True)
class FileJob:
    """Translate a UTF-8 text file, one sentence a line, into ``output`` (written when complete)."""

    input: str
    output: str
    beam: int = 1
    batch_size: int = 64


@dataclass(frozen=True)
class FileResult:
    status: str  # "done" or "cancelled" (a failure arrives as ``failed``)
    input: str
    output: str
    lines: int  # lines translated (all of them when done)
    total: int
    elapsed_s: float


@dataclass(frozen=True)
class PreviewJob:
    spec: Any
    tok_cfg: TokenizerConfig
    train_cfg: TrainConfig  # max_len, and for subwords the vocabulary size and seed
    rows: int = 50


@dataclass(frozen=True)
class Preview:
    """The first pairs as they will be tokenized, and the validation report of the whole corpus."""

    pairs: list[tuple[list[str], list[str]]]
    report: Any  # core.data.corpus.CorpusReport
    summary: str
    unit: str = "tokens"  # what ``pairs`` holds: "tokens" (words) or "pieces" (subwords)


class JobContext:
    """What a job function gets besides the translator: a cancel token to check between pieces
    of work and a throttled ``progress(done, total)``."""

    def __init__(self, cancel: Any, emit_progress: Callable[[int, int], None]) -> None:
        self.cancel = cancel
        self._emit = emit_progress
        self._throttle = Throttle()

    def progress(self, done: int, total: int) -> None:
        """Report ``done`` of ``total``: at most ~10 a second, and always the last one."""
        if self._throttle.ready(final=done >= total):
            self._emit(done, total)


@dataclass(frozen=True)
class Failure:
    """What went wrong, ready for a dialog: the request names its own title."""

    operation: str  # the request's key: "load", "translate", "train", "dev-read"…
    title: str  # the dialog's title, e.g. "Cannot read the dev file"
    message: str  # short, for the user
    details: str  # traceback, for "details"


def failure_from(operation: str, title: str, exc: BaseException) -> Failure:
    """A Failure for the user (short message) with the details (traceback) behind a button."""
    from gui.error_dialog import describe_exception

    message, details = describe_exception(exc)
    return Failure(operation, title, message, details)
