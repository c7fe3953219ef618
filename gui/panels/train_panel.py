"""Train: the settings form on the left, the data preview and the live run on the right, and the
run bar (start, pause, stop, progress, what next) along the bottom, always in view.

The panel composes ``TrainForm`` (corpus and settings → TrainJob), ``RunMonitor`` (curves,
samples, probe attention) and ``RunControls``, and does the one thing none of them does: talk to
the Session (preview, start, pause, stop, resume) and route its events.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.paths import AppPaths
from core.storage.model_folder import has_checkpoint
from core.training.resume import RESUMABLE_STATUSES, resume_job
from gui.jobs import PreviewJob, TrainJob
from gui.panels.command_line_view import CommandLineView
from gui.panels.run_controls import RunControls
from gui.panels.run_monitor import RunMonitor
from gui.panels.train_attach import TrainAttach
from gui.panels.train_form import TrainForm
from gui.widgets.naming import named as _named
from gui.widgets.splitter_memory import remember_sizes

log = logging.getLogger(__name__)

# The form's widgets and the monitor's views, reachable as attributes of the panel (tests,
# scripts and the welcome panel drive them by these names).
FORM_ATTRS = (
    "src_field",
    "tgt_field",
    "tsv_field",
    "dev_src_field",
    "dev_tgt_field",
    "src_lang",
    "tgt_lang",
    "lowercase",
    "tokenization_combo",
    "vocab_spin",
    "subword_type_combo",
    "joint_vocab_combo",
    "pretokenize_combo",
    "preview_button",
    "preset_combo",
    "emb_spin",
    "hidden_spin",
    "layers_spin",
    "bidir_check",
    "attention_combo",
    "decoder_combo",
    "dropout_spin",
    "batch_spin",
    "lr_spin",
    "epochs_spin",
    "budget_spin",
    "valid_spin",
    "patience_spin",
    "device_combo",
    "probe_edit",
    "name_edit",
    "set_files",
    "use_sample_corpus",
    "choose_own_files",
    "build_job",
    "corpus_spec",
    "tokenizer_config",
    "model_config",
    "train_config",
    "set_devices",
)
MONITOR_ATTRS = ("loss_plot", "samples_table", "probe_heatmap", "probe_label")
CONTROL_ATTRS = (
    "start_button",
    "pause_button",
    "stop_button",
    "resume_button",
    "progress_bar",
    "status_label",
)


class TrainPanel(QWidget):
    """Hands the form's TrainJob to the Session and routes the events it gets back."""

    modelTrained = Signal(str)  # the model folder, when a run ends with weights saved
    openModelRequested = Signal(str)  # "Translate with this model"
    showInLibraryRequested = Signal(str)  # "Open in Models"

    def __init__(
        self,
        session,
        errors,
        settings,
        parent: QWidget | None = None,
        *,
        paths: AppPaths | None = None,
    ) -> None:
        super().__init__(parent)
        self._session, self._errors, self._settings = session, errors, settings
        self._last_done = None
        self._current_out: str | None = None  # the folder of the run in progress (or last)
        self._resume_target: str | None = None  # what the Resume button continues
        self.opens_new_models = False  # the window opens each trained model
        self.setAcceptDrops(True)

        self.form = TrainForm(settings, paths=paths)  # new models go into paths.models
        self.monitor = RunMonitor(settings)
        self.run_controls = RunControls()
        self.attached = TrainAttach(self)  # following a run that trains elsewhere
        for name in FORM_ATTRS:
            setattr(self, name, getattr(self.form, name))
        for name in MONITOR_ATTRS:
            setattr(self, name, getattr(self.monitor, name))
        for name in CONTROL_ATTRS:
            setattr(self, name, getattr(self.run_controls, name))

        self.form_scroll = _named(QScrollArea(), "trainFormScroll")
        self.form_scroll.setWidget(self.form)
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form.advanced.toggled.connect(lambda _: self._fit_form_width())
        self.right_tabs = QTabWidget()
        self.right_tabs.addTab(self._preview_page(), "Data preview")
        self.right_tabs.addTab(self.monitor, "Training")
        self.command_view = CommandLineView(self.form.build_job, self.form)
        self.right_tabs.addTab(self.command_view, "Command line")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        left = QWidget()  # the form, or the followed run's settings in its place
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        left_lay.addWidget(self.form_scroll)
        left_lay.addWidget(self.attached.settings_view)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.right_tabs)
        self.splitter.setStretchFactor(1, 1)
        self._fit_form_width()
        remember_sizes(self.splitter, settings, "trainMain", [self.form_scroll.minimumWidth(), 900])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.splitter, 1)
        lay.addWidget(self.attached.bar)
        lay.addWidget(self.run_controls)
        self._connect(session)

    def _preview_page(self) -> QWidget:
        self.preview_table = _named(QTableWidget(0, 3), "previewTable")
        self.preview_table.setHorizontalHeaderLabels(["#", "source tokens", "target tokens"])
        header = self.preview_table.horizontalHeader()
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self.preview_table.verticalHeader().setVisible(False)
        self.report_view = _named(QPlainTextEdit(), "validationReport")
        self.report_view.setReadOnly(True)
        self.report_view.setPlaceholderText(
            "The validation report appears here: pairs kept, "
            "and pairs dropped by reason with line numbers."
        )
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(QLabel("Validation report"))
        lay.addWidget(self.report_view, 1)
        lay.addWidget(QLabel("First pairs, as they will be tokenized (subwords: in pieces)"))
        lay.addWidget(self.preview_table, 3)
        return page

    def _fit_form_width(self) -> None:
        """The form's column is never narrower than the form needs: no clipped fields, no
        horizontal scroll bar."""
        bar = self.form_scroll.verticalScrollBar().sizeHint().width()
        need = max(self.form.minimumSizeHint().width(), self.form.sizeHint().width())
        self.form_scroll.setMinimumWidth(need + bar + 4)

    def _connect(self, session) -> None:
        self.form.previewRequested.connect(self.request_preview)
        rc = self.run_controls
        rc.start_button.clicked.connect(self.start_training)
        rc.pause_button.clicked.connect(self.toggle_pause)
        rc.stop_button.clicked.connect(self.stop_training)
        rc.resume_button.clicked.connect(self._resume_clicked)
        rc.translate_button.clicked.connect(lambda: self._emit_for_last(self.openModelRequested))
        rc.library_button.clicked.connect(lambda: self._emit_for_last(self.showInLibraryRequested))
        session.failed.connect(self.on_failed)
        session.previewReady.connect(self.show_preview)
        session.trainEvent.connect(self.on_train_event)
        session.trainFinished.connect(self.on_train_finished)
        session.stateChanged.connect(self.on_state_changed)
        session.devicesReady.connect(self._on_devices)
        self.attached.attachedChanged.connect(self._on_attached)
        self.on_state_changed(session.state)

    @Slot(object)
    def _on_devices(self, devices: list) -> None:
        self.form.set_devices(devices)
        self._fit_form_width()  # the device names may widen the form

    # ------------------------------------------------------------------ drops
    def dragEnterEvent(self, ev) -> None:
        if ev.mimeData().hasUrls():
            ev.acceptProposedAction()

    def dropEvent(self, ev) -> None:
        paths = [u.toLocalFile() for u in ev.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.form.set_files(sorted(paths) if len(paths) == 2 else paths)
            ev.acceptProposedAction()

    # ------------------------------------------------------------------ actions
    @Slot()
    def request_preview(self) -> None:
        try:
            spec = self.form.corpus_spec()
            spec.validate()
            job = PreviewJob(spec, self.form.tokenizer_config(), self.form.train_config())
        except Exception as exc:  # noqa: BLE001
            self._errors.report_exception("Cannot preview", exc)
            return
        self.report_view.setPlainText("Reading the corpus…")
        self.right_tabs.setCurrentIndex(0)
        self._session.preview(job)

    @Slot(object)
    def show_preview(self, preview) -> None:
        self.report_view.setPlainText(preview.summary)
        unit = preview.unit
        self.preview_table.setHorizontalHeaderLabels(["#", f"source {unit}", f"target {unit}"])
        self.preview_table.setRowCount(len(preview.pairs))
        for i, (src, tgt) in enumerate(preview.pairs):
            for col, text in enumerate((str(i + 1), " ".join(src), " ".join(tgt))):
                self.preview_table.setItem(i, col, QTableWidgetItem(text))
        self.preview_table.resizeColumnToContents(0)

    @Slot()
    def start_training(self) -> None:
        try:
            job = self.form.build_job()
        except Exception as exc:  # noqa: BLE001
            self._errors.report_exception("Cannot start training", exc)
            return
        self._start(job, f"Training “{job.name}” into {job.out_dir}")

    @Slot()
    def start_or_stop(self) -> None:
        """One key for both (Ctrl+Shift+T): start a run, or stop the one running (saving it)."""
        if self._session.training or self.attached.active:
            self.stop_training()
        else:
            self.start_training()

    def resume_model(self, path: str) -> bool:
        """Continue the stopped run in ``path`` (a model folder) in the training process."""
        if self._session.training:
            self._errors.report(
                "Cannot resume training",
                "a model is already training; stop it first, or wait for it to finish",
            )
            return False
        try:
            budget = self.budget_spin.value() * 60
            job = resume_job(path, budget if budget > 0 else None)
        except Exception as exc:  # noqa: BLE001
            self._errors.report_exception("Cannot resume training", exc)
            return False
        self._start(job, f"Resuming “{job.name}” from its last checkpoint ({job.out_dir})")
        self.monitor.show_history(path)
        return True

    def _start(self, job: TrainJob, message: str) -> None:
        self.attached.detach()  # the monitor shows the run started here
        self.monitor.reset()
        self._resume_target = None
        self._current_out = job.out_dir
        self.run_controls.starting(message, bool(job.resume))
        self.right_tabs.setCurrentIndex(1)
        try:
            self._session.start_training(job)
        except Exception as exc:  # noqa: BLE001
            self._errors.report_exception("Cannot start training", exc)
        self._update_buttons()

    @Slot()
    def _resume_clicked(self) -> None:
        if self._resume_target:
            self.resume_model(self._resume_target)

    def _offer_resume(self, folder: str | None) -> None:
        ok = bool(folder) and has_checkpoint(folder)
        self._resume_target = folder if ok else None
        self._update_buttons()

    @Slot(object)
    def on_failed(self, failure) -> None:
        if getattr(failure, "operation", "") == "train" and self._current_out:
            self._offer_resume(self._current_out)

    @Slot()
    def toggle_pause(self) -> None:
        if self._session.paused:
            self._session.resume()
        else:
            self._session.pause()
        self._update_buttons()

    @Slot()
    def stop_training(self) -> None:
        if self.attached.active:
            if self.attached.ended:
                return  # nothing runs there to stop
            try:
                self.attached.request_stop()
            except Exception as exc:  # noqa: BLE001
                self._errors.report_exception("Cannot stop the training", exc)
                return
            self.stop_button.setEnabled(False)
            return
        self.status_label.setText("Stopping: saving a checkpoint…")
        self._session.stop()
        self.stop_button.setEnabled(False)
        self.pause_button.setEnabled(False)

    def _emit_for_last(self, signal) -> None:
        if self._last_done is not None:
            signal.emit(self._last_done.model_dir)

    @property
    def last_trained(self) -> str | None:
        """The folder of the last run that ended with weights saved."""
        done = self._last_done
        return done.model_dir if done is not None else None

    # ------------------------------------------------------------------ events
    @Slot(object)
    def on_train_event(self, ev) -> None:
        kind = getattr(ev, "type", "")
        if kind == "progress":
            self.run_controls.show_progress(ev, self._session.paused)
            self.monitor.add_progress(ev)
        elif kind == "validation":
            self.monitor.show_validation(ev)
            best = " (best so far)" if ev.is_best else ""
            self.status_label.setText(
                f"validation at step {ev.step}: loss {ev.loss:.3f}, "
                f"BLEU {ev.bleu:.1f}, chrF {ev.chrf:.1f}{best}"
            )
        elif kind == "reading":
            self.run_controls.show_reading(ev)
        elif kind == "report":
            report = ev.report if isinstance(ev.report, dict) else {}
            if report.get("summary"):
                self.report_view.setPlainText(report["summary"])
            line = (report.get("precision") or {}).get("line")
            if line:  # the device and number format this run trains in
                self.status_label.setText(f"training on {report.get('device')}, {line}")
        elif kind == "checkpoint":
            self.status_label.setText(f"saved the {ev.kind} checkpoint at step {ev.step}")

    @Slot(object)
    def on_train_finished(self, done) -> None:
        has_weights = (Path(done.model_dir) / "weights.pt").is_file()
        if has_weights:
            self._last_done = done
        self.run_controls.show_finished(done, has_weights, self.opens_new_models)
        self._offer_resume(done.model_dir if done.status in RESUMABLE_STATUSES else None)
        if has_weights:
            self.modelTrained.emit(done.model_dir)

    @Slot(str)
    def on_state_changed(self, state: str) -> None:
        self._update_buttons()

    # ------------------------------------------------------------------ attached runs
    def attach_run(self, folder: str) -> bool:
        """Follow the run training into ``folder`` in another process (read-only)."""
        if self._session.training:
            self._errors.report(
                "Cannot attach to the training",
                "a model is training in this app; the Train tab shows that run. "
                "Stop it first, or wait for it to finish",
            )
            return False
        try:
            self.attached.attach(folder)
        except Exception as exc:  # noqa: BLE001
            self._errors.report_exception("Cannot attach to the training", exc)
            return False
        self._resume_target = None
        self.right_tabs.setCurrentIndex(1)
        return True

    @Slot(bool)
    def _on_attached(self, on: bool) -> None:
        self.form_scroll.setVisible(not on)  # it holds this app's next run, not the followed one
        self.attached.settings_view.setVisible(on)
        self._update_buttons()

    def show_attached_finished(self, done, has_weights: bool) -> None:
        """The followed run ended: the finish line and the ways on, as for a local run."""
        if has_weights:
            self._last_done = done
        self.run_controls.show_finished(done, has_weights, False)
        self._update_buttons()

    def _update_buttons(self) -> None:
        training = self._session.training
        attached = self.attached.active
        self.preview_button.setEnabled(not training and not attached)
        self.run_controls.update_state(
            training or attached,
            training and self._session.paused,
            self._resume_target is not None and not attached,
        )
        if attached:
            self.pause_button.setEnabled(False)  # pausing a run elsewhere is not offered
            self.stop_button.setEnabled(not self.attached.ended)
