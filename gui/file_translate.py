"""File → Translate a file…: a UTF-8 text file, one sentence a line, into another file.

The work runs on the model worker thread (``Session.translate_file`` →
``gui.tasks.translate_file`` → ``Translator.translate_batch`` with a progress callback and a
``CancelToken``, reporting through its job handle); this controller
only asks for the two paths and shows a progress bar with a Cancel button in the status bar.
While a file is translated, typed translations wait for it (one thread owns the model).

What is written: nothing until every line is translated; then the whole output at once,
atomically (a temporary file renamed over the target). Cancelling, a failure or closing the app
mid-way leaves no output file (and an existing file at that path untouched) — never a partial one
that could be mistaken for a complete translation.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QStatusBar,
    QWidget,
)

from gui.jobs import FileJob

log = logging.getLogger(__name__)


def default_output(input_path: str | Path, tgt_lang: str | None) -> Path:
    """``talk.txt`` → ``talk.de.txt`` next to it (``talk.translated.txt`` without a language)."""
    p = Path(input_path)
    return p.with_name(f"{p.stem}.{tgt_lang or 'translated'}{p.suffix or '.txt'}")


class FileTranslation(QObject):
    """Owns the status-bar progress widget; starts, cancels and reports file translations."""

    started = Signal(str, str)  # input, output
    finished = Signal(object)  # gui.jobs.FileResult (done or cancelled)

    def __init__(
        self,
        session,
        errors,
        settings,
        status_bar: QStatusBar,
        beam_source=None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._errors = errors
        self._settings = settings
        self._status_bar = status_bar
        self._beam_source = beam_source or (lambda: 1)
        self._job: FileJob | None = None
        self.job = None  # the running translation's handle (gui.job.Job)

        self.widget = QWidget()
        self.widget.setObjectName("fileTranslationBox")
        self.progress = QProgressBar()
        self.progress.setObjectName("fileTranslationProgress")
        self.progress.setAccessibleName("fileTranslationProgress")
        self.progress.setMinimumWidth(260)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelFileTranslationButton")
        self.cancel_button.setAccessibleName("cancelFileTranslationButton")
        self.cancel_button.setToolTip("Stop translating the file; nothing is written")
        lay = QHBoxLayout(self.widget)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.progress)
        lay.addWidget(self.cancel_button)
        status_bar.addPermanentWidget(self.widget)
        self.widget.setVisible(False)

        self.cancel_button.clicked.connect(self.cancel)

    @property
    def running(self) -> bool:
        return self._job is not None

    # ------------------------------------------------------------------ starting
    def choose_and_start(self) -> None:
        """Ask for the input file, then where to save the translation; then start."""
        start = self._settings.last_folder("translate-file")
        src, _ = QFileDialog.getOpenFileName(
            self._parent_widget(),
            "Translate a file: choose the text to translate",
            start,
            "Text files, one sentence a line (*.txt *.*)",
        )
        if not src:
            return
        info = self._session.model_info
        suggested = default_output(src, getattr(info, "tgt_lang", None))
        out, _ = QFileDialog.getSaveFileName(
            self._parent_widget(),
            "Save the translation as",
            str(suggested),
            "Text files (*.txt *.*)",
        )
        if out:
            self.start(src, out)

    def _parent_widget(self):
        return self._status_bar.window()

    def start(self, input_path: str, output_path: str, beam: int | None = None) -> bool:
        """Start translating ``input_path`` into ``output_path``; False (with a dialog) if not."""
        if Path(input_path).resolve() == Path(output_path).resolve():
            self._errors.report(
                "Cannot translate the file",
                "choose a different file for the "
                "translation: it would replace the text being translated",
            )
            return False
        if self._session.model_info is None:
            self._errors.report(
                "Cannot translate the file",
                "no model is open: open one from the Models tab, or train one",
            )
            return False
        job = FileJob(
            str(input_path),
            str(output_path),
            beam=int(beam if beam is not None else self._beam_source()),
        )
        try:
            handle = self._session.translate_file(job)
        except Exception as exc:  # noqa: BLE001
            self._errors.report_exception("Cannot translate the file", exc)
            return False
        handle.on_progress(self._on_progress).on_result(self._on_finished)
        handle.on_error(self._on_failed)
        self._job, self.job = job, handle
        self._settings.set_last_folder("translate-file", input_path)
        self.progress.setRange(0, 0)  # busy until the line count is known
        self.progress.setFormat(f"Reading {Path(input_path).name}…")
        self.cancel_button.setEnabled(True)
        self.widget.setVisible(True)
        self._status_bar.showMessage(f"Translating {input_path} → {output_path}")
        self.started.emit(str(input_path), str(output_path))
        return True

    @Slot()
    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.progress.setFormat("Cancelling…")

    # ------------------------------------------------------------------ results
    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if self._job is None:
            return
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        if self.cancel_button.isEnabled():
            self.progress.setFormat(f"{Path(self._job.input).name}: {done:,} / {total:,} lines")

    @Slot(object)
    def _on_finished(self, result) -> None:
        self._job = self.job = None
        self.widget.setVisible(False)
        if result.status == "done":
            self._status_bar.showMessage(
                f"Translated {result.lines:,} lines into {result.output} "
                f"({result.elapsed_s:.1f} s)",
                15000,
            )
        else:
            self._status_bar.showMessage(
                f"File translation cancelled after {result.lines:,} of {result.total:,} lines; "
                f"nothing was written to {result.output}",
                15000,
            )
        self.finished.emit(result)

    @Slot(object)
    def _on_failed(self, failure) -> None:
        """The main window shows the dialog; the status bar says nothing was written."""
        self._job = self.job = None
        self.widget.setVisible(False)
        self._status_bar.showMessage("File translation failed; nothing was written", 15000)
