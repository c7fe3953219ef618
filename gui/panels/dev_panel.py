"""Dev set browser: every dev sentence with the model's translation and its sentence chrF,
sortable and filterable; double-click (or Enter) opens a sentence in the inspector. On request,
each translation's attention–attribution agreement fills a sortable column, so the sentences
where attention misleads can be found.

The dev pairs come from the open model's ``dev.tsv`` (saved when it was trained) or from any
``source<TAB>reference`` file. Reading and translating run on the Session's worker thread.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.evaluation.dev_set import DEV_TSV, evaluate_dev_set, read_dev_set
from core.inspection.attribution_methods import GRAD_X_INPUT, LABELS, METHODS
from gui.panels.dev_table import (
    COL_AGREEMENT,
    COL_CHRF,
    COL_INDEX,
    DevFilterProxy,
    DevTableModel,
    TableRow,
)
from gui.read_job import read_job
from gui.widgets.naming import named as _named
from gui.widgets.words_switch import WordsSwitch
from gui.words_mode import words_mode_of

log = logging.getLogger(__name__)

KIND_EVAL = "dev"  # Session job keys of this panel (latest wins per key)
KIND_READ = "dev-read"
KIND_AGREE = "dev-agreement"
TSV_FILTER = "Tab-separated pairs (*.tsv *.txt);;All files (*)"


def _dev_agreement_job(translator, ctx, pairs, method, hypotheses):
    """On the worker thread, which imports the torch-heavy attribution code itself."""
    from core.inspection.attribution_runs import dev_agreement_job

    return dev_agreement_job(translator, ctx, pairs, method, hypotheses)


class _EnterKey(QObject):
    """Enter (or Return) on the table opens the current row, like a double-click."""

    def __init__(self, on_enter) -> None:
        super().__init__()
        self._on_enter = on_enter

    def eventFilter(self, obj, ev) -> bool:
        if (
            ev.type() == QEvent.Type.KeyPress
            and isinstance(ev, QKeyEvent)
            and ev.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._on_enter()
            return True
        return False


class DevSetPanel(QWidget):
    """Asks the Session to read and translate the dev set; shows and sorts what comes back."""

    openInInspector = Signal(str, str)  # (source, reference) of the chosen row

    def __init__(self, session, errors, settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._errors = errors
        self._settings = settings
        self._pairs: list[tuple[str, str]] = []
        self._source_name = ""  # what the pairs are, for messages
        self._pending_name = ""  # ... of the file being read
        self._eval_job = None  # the handle of the running translation (gui.job.Job)
        self._agree_job = None  # ... of the running attention-attribution comparison
        self._model_name: str | None = None
        self._agree_rows: list[int] = []  # dev indices sent to the agreement job
        self._agree_results: list = []  # ... and what it found (SentenceResult, same order)
        self.words_mode = words_mode_of(session, self)
        self.words_switch = WordsSwitch(self.words_mode, "devWordsSwitch")
        self.words_mode.changed.connect(self._fill_agreement)

        self.status_label = _named(QLabel("Open a model to browse its dev set."), "devStatusLabel")
        self.status_label.setWordWrap(True)
        self.translate_button = _named(QPushButton("Translate the dev set"), "translateDevButton")
        self.beam_spin = _named(QSpinBox(), "devBeamSpin")
        self.beam_spin.setRange(1, 32)
        self.beam_spin.setValue(1)
        self.beam_spin.setPrefix("beam ")
        self.beam_spin.setToolTip("Beam size: 1 is greedy search (fastest)")
        self.open_button = _named(QPushButton("Open another dev file…"), "openDevFileButton")
        self.open_button.setToolTip("A UTF-8 file with source<TAB>reference on each line")
        self.progress_bar = _named(QProgressBar(), "devProgressBar")
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat("")
        self.cancel_button = _named(QPushButton("Cancel"), "cancelDevButton")
        self.cancel_button.setEnabled(False)
        self.agreement_button = _named(
            QPushButton("Compare attention with attribution"), "devAgreementButton"
        )
        self.agreement_method = _named(QComboBox(), "devAgreementMethod")
        for m in METHODS:
            self.agreement_method.addItem(LABELS[m], m)
        self.agreement_method.setCurrentIndex(METHODS.index(GRAD_X_INPUT))
        self.filter_edit = _named(QLineEdit(), "devFilterEdit")
        self.filter_edit.setPlaceholderText(
            "filter: show rows whose source, reference or translation contains…"
        )
        self.filter_edit.setClearButtonEnabled(True)
        self.summary_label = _named(QLabel(" "), "devSummaryLabel")
        self.summary_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self._build_table()

        self._build_layout()

        self.translate_button.clicked.connect(self.translate_dev_set)
        self.cancel_button.clicked.connect(self.cancel)
        self.agreement_button.clicked.connect(self.compute_agreement)
        self.open_button.clicked.connect(self._choose_file)
        self.filter_edit.textChanged.connect(self.proxy.set_filter_text)
        self.table.doubleClicked.connect(self._open_index)
        session.modelLoaded.connect(self.on_model_loaded)
        session.stateChanged.connect(self._update_buttons)
        self._update_buttons()
        if session.model_info is not None:  # built after a model was opened
            self.on_model_loaded(session.model_info)

    def _build_layout(self) -> None:
        """Buttons and progress in a row, the agreement row, the summary, filter and table."""
        row = QHBoxLayout()
        row.addWidget(self.translate_button)
        row.addWidget(self.beam_spin)
        row.addWidget(self.progress_bar, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.open_button)
        agree_row = QHBoxLayout()
        agree_row.addWidget(self.agreement_button)
        agree_row.addWidget(self.agreement_method)
        agree_row.addStretch(1)
        agree_row.addWidget(self.words_switch)
        lay = QVBoxLayout(self)
        lay.addWidget(self.status_label)
        lay.addLayout(row)
        lay.addLayout(agree_row)
        lay.addWidget(self.summary_label)
        lay.addWidget(self.filter_edit)
        lay.addWidget(self.table, 1)
        lay.addWidget(
            QLabel(
                "Double-click a sentence (or press Enter) to open it in "
                "Translate & inspect with its reference. Click a header to sort."
            )
        )

    def _build_table(self) -> None:
        """The sortable, filterable table of pairs; Enter or a double-click opens a row."""
        self.model = DevTableModel(self)
        self.proxy = DevFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = _named(QTableView(), "devTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_INDEX, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setToolTip(
            "Double-click a row, or press Enter, to open it in Translate & inspect"
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col in (2, 3, 4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(COL_INDEX, 52)
        header.resizeSection(COL_CHRF, 64)
        header.resizeSection(COL_AGREEMENT, 110)
        self._enter = _EnterKey(self.open_current)
        self.table.installEventFilter(self._enter)

    # ------------------------------------------------------------------ choosing the pairs
    @Slot(object)
    def on_model_loaded(self, info) -> None:
        """Show the new model's own dev set (its dev.tsv) when it has one."""
        self.cancel()
        self._model_name = info.name
        self._set_pairs([], "")
        path = Path(info.path) / DEV_TSV
        if path.is_file():
            self.load_file(str(path), f"the dev set of “{info.name}”")
        else:
            self.status_label.setText(
                f"“{info.name}” has no saved dev set ({DEV_TSV}): it was trained before Attnscope "
                "kept one. Choose “Open another dev file…” to pick a file of "
                "source<TAB>reference pairs."
            )
        self._update_buttons()

    def load_file(self, path: str, name: str | None = None) -> None:
        """Read ``path`` (source<TAB>reference lines) on the worker thread."""
        self._pending_name = name or Path(path).name
        self.status_label.setText(f"Reading {path}…")
        job = self._session.submit(
            KIND_READ,
            read_job(read_dev_set, path),
            needs_model=False,
            title="Cannot read the dev file",
        )
        job.on_result(self._on_pairs_read).on_error(self._on_read_failed)

    @Slot()
    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open a dev file (source<TAB>reference)",
            self._settings.last_folder("dev"),
            TSV_FILTER,
        )
        if path:
            self._settings.set_last_folder("dev", path)
            self.load_file(path)

    def _set_pairs(self, pairs: list[tuple[str, str]], name: str) -> None:
        self._pairs = list(pairs)
        self._source_name = name
        self._agree_results = []  # agreement belongs to the rows it was computed on
        self.model.set_rows([TableRow(i, s, r) for i, (s, r) in enumerate(self._pairs)])
        self.summary_label.setText(" ")
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("")

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return list(self._pairs)

    # ------------------------------------------------------------------ translating
    @Slot()
    def translate_dev_set(self) -> None:
        if not self._pairs:
            return
        beam = self.beam_spin.value()
        job = self._run_on_bar(
            KIND_EVAL,
            partial(evaluate_dev_set, pairs=list(self._pairs), beam=beam),
            "Cannot translate the dev set",
            self.show_report,
            len(self._pairs),
            f"translating %v of %m ({'greedy' if beam == 1 else f'beam {beam}'})…",
        )
        if job is not None:
            self._eval_job = job
        self._update_buttons()

    def _run_on_bar(self, key: str, fn, title: str, on_result, total: int, fmt: str):
        """Submit a job whose progress, cancellation and failure show on the panel's progress bar
        (the dev-set translation and the agreement column); None when the Session refused it."""
        try:
            job = self._session.submit(key, fn, title=title)
        except Exception as exc:  # noqa: BLE001 — e.g. refused while a model trains
            self._errors.report_exception(title, exc)
            return None
        job.on_progress(self._on_eval_progress).on_result(on_result)
        job.on_cancelled(self._on_eval_cancelled).on_error(self._on_eval_failed)
        job.on_end(self._update_buttons)
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat(fmt)
        return job

    @Slot()
    def cancel(self) -> None:
        for job in (self._eval_job, self._agree_job):
            if job is not None:
                job.cancel()

    @Slot(int, int)
    def _on_eval_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(1, total))
        self.progress_bar.setValue(done)

    @Slot(object)
    def _on_pairs_read(self, pairs) -> None:
        self._set_pairs(pairs, self._pending_name)
        self.status_label.setText(
            f"{len(pairs):,} sentence pairs: {self._source_name}. "
            "Press “Translate the dev set” to translate and score them."
        )
        self._update_buttons()

    # ------------------------------------------------------------------ agreement
    @Slot()
    def compute_agreement(self) -> None:
        """Attribute every translated row's translation (forced decoding) on the worker thread
        and compare with its attention; fills the agreement column."""
        rows = [r for r in self.model.rows if r.translation]
        if not rows:
            return
        method = str(self.agreement_method.currentData())
        job = partial(
            _dev_agreement_job,
            pairs=[(r.source, r.reference) for r in rows],
            method=method,
            hypotheses=[r.translation for r in rows],
        )
        handle = self._run_on_bar(
            KIND_AGREE,
            job,
            "Cannot compare attention with attribution",
            self.show_agreement,
            len(rows),
            f"attributing %v of %m ({LABELS[method].lower()})…",
        )
        if handle is not None:
            self._agree_job = handle
            self._agree_rows = [r.index for r in rows]
        self._update_buttons()

    def show_agreement(self, results) -> None:
        """Fill the agreement column from ``core.inspection.attribution_runs.SentenceResult``s
        (in the order of the rows that were sent)."""
        self._agree_results = list(results)
        self._fill_agreement()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(1)
        self.progress_bar.setFormat("done")
        self.table.sortByColumn(COL_AGREEMENT, Qt.SortOrder.AscendingOrder)
        self._update_buttons()

    def _fill_agreement(self, *_args) -> None:
        """The agreement column in the switch's mode: between words (pieces merged, as in the
        inspector) in Words mode, between pieces otherwise."""
        by_index = {}
        words = self.words_mode.words
        for dev_index, r in zip(self._agree_rows, self._agree_results):
            a = r.word_agreement if words and r.word_agreement is not None else r.agreement
            by_index[dev_index] = (
                (None, None) if a is None else (a.mean_rank_correlation, a.top_match_rate)
            )
        if not by_index:
            return
        rows = [
            replace(r, agreement=by_index[r.index][0], top_match=by_index[r.index][1])
            if r.index in by_index
            else r
            for r in self.model.rows
        ]
        self.model.set_rows(rows)

    def show_report(self, report) -> None:
        """Fill the table with a ``core.evaluation.dev_set.DevReport``."""
        self._agree_results = []
        self.model.set_rows(
            [TableRow(r.index, r.source, r.reference, r.hypothesis, r.chrf) for r in report.rows]
        )
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(1)
        self.progress_bar.setFormat("done")
        how = "greedy" if report.beam == 1 else f"beam {report.beam}"
        worst = min((r.chrf for r in report.rows), default=0.0)
        self.status_label.setText(
            f"{len(report.rows):,} sentence pairs: {self._source_name}, "
            f"translated by the open model ({how})."
        )
        self.summary_label.setText(
            f"<b>Corpus chrF {report.chrf:.1f}</b> · BLEU {report.bleu:.1f} over "
            f"{len(report.rows):,} sentences ({how}) · lowest sentence chrF {worst:.1f}. "
            "Sort by chrF to see the weakest translations first."
        )
        self.table.sortByColumn(COL_CHRF, Qt.SortOrder.AscendingOrder)

    @Slot()
    def _on_eval_cancelled(self) -> None:
        self.progress_bar.setFormat("cancelled")

    # The main window shows the dialog; here the panel only says what happened.
    @Slot(object)
    def _on_eval_failed(self, failure) -> None:
        self.progress_bar.setFormat("failed")

    @Slot(object)
    def _on_read_failed(self, failure) -> None:
        self.status_label.setText(f"Could not read the dev file: {failure.message}")
        self._update_buttons()

    # ------------------------------------------------------------------ opening a row
    @Slot(QModelIndex)
    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            row = self.model.row_at(self.proxy.mapToSource(index).row())
            self.openInInspector.emit(row.source, row.reference)

    @Slot()
    def open_current(self) -> None:
        self._open_index(self.table.currentIndex())

    # ------------------------------------------------------------------ state
    def _update_buttons(self, *_args) -> None:
        running = any(j is not None and j.active for j in (self._eval_job, self._agree_job))
        training = self._session.training
        self.translate_button.setEnabled(
            bool(self._pairs) and not running and not training and self._model_name is not None
        )
        translated = any(r.translation for r in self.model.rows)
        self.agreement_button.setEnabled(translated and not running and not training)
        self.agreement_button.setToolTip(
            "Not available while a model trains"
            if training
            else "Per sentence: does the attention agree with gradient attribution? Sort the "
            "agreement column to find where attention misleads"
            if translated
            else "Translate the dev set first"
        )
        self.agreement_method.setEnabled(not running)
        self.translate_button.setToolTip("Not available while a model trains" if training else "")
        self.cancel_button.setEnabled(running)
        self.beam_spin.setEnabled(not running)
        self.open_button.setEnabled(not running)
