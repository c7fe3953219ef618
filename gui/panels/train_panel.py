"""Train: choose the corpus (files, TSV or drag-and-drop), preview it, pick settings, and watch
the run (progress, curves, sample translations and the probe sentence's attention).
"""

from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.config import (
    ATTENTION_TYPES,
    MAX_PROBES,
    PRESETS,
    ModelConfig,
    TokenizerConfig,
)
from core.storage.model_folder import has_checkpoint
from core.paths import AppPaths
from core.training.resume import RESUMABLE_STATUSES, resume_job
from gui.jobs import PreviewJob, TrainJob
from gui.widgets.attention_heatmap import AttentionHeatmap
from gui.widgets.column import column
from gui.widgets.loss_plot import LossPlot
from gui.widgets.naming import named as _named

log = logging.getLogger(__name__)


def order_pair(paths: list[str], src_lang: str, tgt_lang: str) -> list[str]:
    """Two files: the one whose suffix is the target language goes second (corpus.de, corpus.en
    with en→de becomes [corpus.en, corpus.de]); otherwise the order given."""
    paths = [str(p) for p in paths]
    if len(paths) == 2:
        suffixes = [Path(p).suffix.lstrip(".").lower() for p in paths]
        if suffixes == [tgt_lang.lower(), src_lang.lower()] and src_lang != tgt_lang:
            return [paths[1], paths[0]]
    return paths


def fmt_duration(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds < 0:
        return "–"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class _FileField(QWidget):
    """A line edit with a Browse… button."""

    def __init__(self, name: str, placeholder: str, on_browse) -> None:
        super().__init__()
        self.edit = _named(QLineEdit(), name)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        button = QToolButton()
        button.setText("…")
        button.setToolTip("Browse")
        button.clicked.connect(on_browse)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.edit, 1)
        lay.addWidget(button)

    def text(self) -> str:
        return self.edit.text().strip()


class TrainPanel(QWidget):
    """Builds a TrainJob from the form and hands it to the Session; shows the events it gets
    back."""

    modelTrained = Signal(str)        # the model folder, when a run ends with weights saved
    openModelRequested = Signal(str)

    def __init__(self, session, errors, settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._errors = errors
        self._settings = settings
        self._last_done = None
        self._current_out: str | None = None      # the folder of the run in progress (or last)
        self._resume_target: str | None = None    # what the Resume button continues
        self.setAcceptDrops(True)

        # --- corpus -------------------------------------------------------------------------
        self.src_field = _FileField("sourceFileEdit", "source-language file (one sentence a line)",
                                    lambda: self._browse(self.src_field))
        self.tgt_field = _FileField("targetFileEdit", "target-language file, line-aligned",
                                    lambda: self._browse(self.tgt_field))
        self.tsv_field = _FileField("tsvFileEdit", "…or one TSV file: source<TAB>target",
                                    lambda: self._browse(self.tsv_field))
        self.dev_src_field = _FileField("devSourceFileEdit", "optional dev source file",
                                        lambda: self._browse(self.dev_src_field))
        self.dev_tgt_field = _FileField("devTargetFileEdit", "optional dev target file",
                                        lambda: self._browse(self.dev_tgt_field))
        self.src_lang = _named(QLineEdit("en"), "sourceLanguageEdit")
        self.tgt_lang = _named(QLineEdit("de"), "targetLanguageEdit")
        for e in (self.src_lang, self.tgt_lang):
            e.setMaximumWidth(70)
        self.lowercase = _named(QCheckBox("lowercase"), "lowercaseCheck")
        self.preview_button = _named(QPushButton("Preview && validate"), "previewButton")
        langs = QHBoxLayout()
        langs.addWidget(QLabel("source"))
        langs.addWidget(self.src_lang)
        langs.addWidget(QLabel("target"))
        langs.addWidget(self.tgt_lang)
        langs.addWidget(self.lowercase)
        langs.addStretch(1)
        corpus = QGroupBox("Corpus (or drop files here)")
        cf = QFormLayout(corpus)
        cf.addRow("Source file", self.src_field)
        cf.addRow("Target file", self.tgt_field)
        cf.addRow("TSV file", self.tsv_field)
        cf.addRow("Languages", langs)
        cf.addRow("Dev source", self.dev_src_field)
        cf.addRow("Dev target", self.dev_tgt_field)
        cf.addRow("", self.preview_button)

        # --- settings -----------------------------------------------------------------------
        self.preset_combo = _named(QComboBox(), "presetCombo")
        for key, p in PRESETS.items():
            self.preset_combo.addItem(key.capitalize(), key)
            self.preset_combo.setItemData(self.preset_combo.count() - 1, p.description,
                                          Qt.ItemDataRole.ToolTipRole)
        self.emb_spin = self._spin("embeddingSizeSpin", 8, 2048)
        self.hidden_spin = self._spin("hiddenSizeSpin", 8, 2048)
        self.layers_spin = self._spin("layersSpin", 1, 8)
        self.bidir_check = _named(QCheckBox("bidirectional encoder"), "bidirectionalCheck")
        self.attention_combo = _named(QComboBox(), "attentionCombo")
        self.attention_combo.addItems(list(ATTENTION_TYPES))
        self.decoder_combo = _named(QComboBox(), "decoderCombo")
        self.decoder_combo.addItem("Bahdanau (attention fed into the RNN)", "bahdanau")
        self.decoder_combo.addItem("Luong (attention after the RNN; trains faster)", "luong")
        self.decoder_combo.setToolTip(
            "Bahdanau: the classic decoder; each step reads the attention of the step before. "
            "Luong: attends after the RNN, so training runs the whole target at once")
        self.dropout_spin = _named(QDoubleSpinBox(), "dropoutSpin")
        self.dropout_spin.setRange(0.0, 0.9)
        self.dropout_spin.setSingleStep(0.05)
        self.batch_spin = self._spin("batchSizeSpin", 1, 4096)
        self.lr_spin = _named(QDoubleSpinBox(), "learningRateSpin")
        self.lr_spin.setDecimals(5)
        self.lr_spin.setRange(1e-5, 1.0)
        self.lr_spin.setSingleStep(1e-4)
        self.epochs_spin = self._spin("epochsSpin", 0, 10000)
        self.epochs_spin.setSpecialValueText("no limit")
        self.budget_spin = _named(QDoubleSpinBox(), "timeBudgetSpin")
        self.budget_spin.setRange(0, 100000)
        self.budget_spin.setDecimals(1)
        self.budget_spin.setSuffix(" min")
        self.budget_spin.setSpecialValueText("no limit")
        self.valid_spin = self._spin("validEverySpin", 1, 1000000)
        self.valid_spin.setSuffix(" steps")
        self.patience_spin = self._spin("patienceSpin", 1, 10000)
        self.patience_spin.setSuffix(" validations")
        self.patience_spin.setToolTip("stop when this many validations in a row bring no better BLEU")
        self.device_combo = _named(QComboBox(), "deviceCombo")
        self.device_combo.addItem("Automatic (looking for a GPU…)", "auto")
        self.probe_edit = _named(QPlainTextEdit(), "probeSentenceEdit")
        self.probe_edit.setPlaceholderText(
            f"one sentence per line (up to {MAX_PROBES}); empty: the first 3 dev sentences")
        self.probe_edit.setToolTip("Their attention is recorded at each validation (the Timeline "
                                   "replays it); the first one is shown live below")
        self.probe_edit.setTabChangesFocus(True)
        self.probe_edit.setFixedHeight(3 * self.probe_edit.fontMetrics().lineSpacing() + 12)
        self.name_edit = _named(QLineEdit(), "modelNameEdit")
        self.name_edit.setPlaceholderText("model name (default: languages and date)")
        settings_box = QGroupBox("Settings")
        sf = QFormLayout(settings_box)
        sf.addRow("Preset", self.preset_combo)
        sf.addRow("Embedding size", self.emb_spin)
        sf.addRow("Hidden size", self.hidden_spin)
        sf.addRow("Layers", self.layers_spin)
        sf.addRow("", self.bidir_check)
        sf.addRow("Attention", self.attention_combo)
        sf.addRow("Decoder", self.decoder_combo)
        sf.addRow("Dropout", self.dropout_spin)
        sf.addRow("Batch size", self.batch_spin)
        sf.addRow("Learning rate", self.lr_spin)
        sf.addRow("Epochs", self.epochs_spin)
        sf.addRow("Time budget", self.budget_spin)
        sf.addRow("Validate every", self.valid_spin)
        sf.addRow("Stop early after", self.patience_spin)
        sf.addRow("Device", self.device_combo)
        sf.addRow("Probe sentences", self.probe_edit)
        sf.addRow("Model name", self.name_edit)

        # --- run controls -------------------------------------------------------------------
        self.start_button = _named(QPushButton("Start training"), "startTrainingButton")
        self.pause_button = _named(QPushButton("Pause"), "pauseTrainingButton")
        self.stop_button = _named(QPushButton("Stop && save"), "stopTrainingButton")
        self.open_trained_button = _named(QPushButton("Open trained model"), "openTrainedButton")
        self.open_trained_button.setVisible(False)
        self.resume_button = _named(QPushButton("Resume training"), "resumeTrainingButton")
        self.resume_button.setToolTip(
            "Continue the stopped run from its last checkpoint, with its own settings and corpus. "
            "A run that used its time budget gets the Time budget above again.")
        self.resume_button.setVisible(False)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(b)

        form = QWidget()
        fl = QVBoxLayout(form)
        fl.addWidget(corpus)
        fl.addWidget(settings_box)
        fl.addLayout(buttons)
        fl.addWidget(self.resume_button)
        fl.addWidget(self.open_trained_button)
        fl.addStretch(1)
        left = QScrollArea()
        left.setWidget(form)
        left.setWidgetResizable(True)
        left.setMinimumWidth(400)

        # --- right side: preview and live dashboard ----------------------------------------
        self.progress_bar = _named(QProgressBar(), "trainingProgressBar")
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("not started")
        self.progress_bar.setTextVisible(True)
        self.status_label = _named(QLabel("Choose a corpus, preview it, then start training."),
                                   "trainingStatusLabel")
        # Ignored width: a changing text must not re-layout the whole window ten times a second.
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.loss_plot = LossPlot()
        self.samples_table = _named(QTableWidget(0, 3), "samplesTable")
        self.samples_table.setHorizontalHeaderLabels(["source", "reference", "model output"])
        self.samples_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.samples_table.verticalHeader().setVisible(False)
        self.probe_heatmap = AttentionHeatmap()
        _named(self.probe_heatmap, "probeHeatmap")
        self.probe_label = QLabel("Probe attention (updated at each validation)")

        dash = QWidget()
        dl = QVBoxLayout(dash)
        dl.addWidget(self.progress_bar)
        dl.addWidget(self.status_label)
        vsplit = QSplitter(Qt.Orientation.Vertical)
        vsplit.addWidget(self.loss_plot)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(column("Sample translations (updated at each validation)",
                                self.samples_table))
        bottom.addWidget(column(self.probe_label, self.probe_heatmap))
        vsplit.addWidget(bottom)
        vsplit.setSizes([380, 420])
        dl.addWidget(vsplit, 1)

        self.preview_table = _named(QTableWidget(0, 3), "previewTable")
        self.preview_table.setHorizontalHeaderLabels(["#", "source tokens", "target tokens"])
        self.preview_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch)
        self.preview_table.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Stretch)
        self.preview_table.verticalHeader().setVisible(False)
        self.report_view = _named(QPlainTextEdit(), "validationReport")
        self.report_view.setReadOnly(True)
        self.report_view.setPlaceholderText("The validation report appears here: pairs kept, "
                                            "and pairs dropped by reason with line numbers.")
        prev = QWidget()
        pvl = QVBoxLayout(prev)
        pvl.addWidget(QLabel("Validation report"))
        pvl.addWidget(self.report_view, 1)
        pvl.addWidget(QLabel("First pairs, as they will be tokenized"))
        pvl.addWidget(self.preview_table, 3)

        self.right_tabs = QTabWidget()
        self.right_tabs.addTab(prev, "Data preview")
        self.right_tabs.addTab(dash, "Training")

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.right_tabs)
        split.setStretchFactor(1, 3)
        split.setSizes([430, 900])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(split)

        # --- wiring -------------------------------------------------------------------------
        self.preset_combo.currentIndexChanged.connect(self._apply_preset)
        self.preview_button.clicked.connect(self.request_preview)
        self.start_button.clicked.connect(self.start_training)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop_training)
        self.open_trained_button.clicked.connect(self._open_trained)
        self.resume_button.clicked.connect(self._resume_clicked)
        session.failed.connect(self.on_failed)
        session.previewReady.connect(self.show_preview)
        session.trainEvent.connect(self.on_train_event)
        session.trainFinished.connect(self.on_train_finished)
        session.stateChanged.connect(self.on_state_changed)
        session.devicesReady.connect(self.set_devices)
        self._apply_preset()
        self.on_state_changed(session.state)

    def _spin(self, name: str, lo: int, hi: int) -> QSpinBox:
        s = _named(QSpinBox(), name)
        s.setRange(lo, hi)
        return s

    # ------------------------------------------------------------------ corpus choice
    def _browse(self, field: _FileField) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a corpus file",
                                              self._settings.last_folder("corpus"),
                                              "Text files (*.txt *.tsv *.*)")
        if path:
            field.edit.setText(path)
            self._settings.set_last_folder("corpus", path)

    def set_files(self, paths: list[str]) -> None:
        """One .tsv file → TSV; two files → source and target (in the given order)."""
        paths = [str(p) for p in paths]
        if len(paths) == 1:
            self.tsv_field.edit.setText(paths[0])
            self.src_field.edit.clear()
            self.tgt_field.edit.clear()
        elif len(paths) >= 2:
            self.src_field.edit.setText(paths[0])
            self.tgt_field.edit.setText(paths[1])
            self.tsv_field.edit.clear()
        if paths:
            self._settings.set_last_folder("corpus", paths[0])

    def use_sample_corpus(self, tsv: str | Path, src_lang: str, tgt_lang: str,
                          preset: str = "small") -> None:
        """Fill the form for the bundled sample corpus (used by the welcome panel)."""
        self.set_files([str(tsv)])
        self.dev_src_field.edit.clear()
        self.dev_tgt_field.edit.clear()
        self.src_lang.setText(src_lang)
        self.tgt_lang.setText(tgt_lang)
        idx = self.preset_combo.findData(preset)
        if idx >= 0:
            self.preset_combo.setCurrentIndex(idx)
            self._apply_preset()          # even when the preset was already selected

    def choose_own_files(self) -> None:
        """Ask for one TSV file, or a source and a target file; then focus the source field."""
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Choose a TSV file, or a source and a target file",
            self._settings.last_folder("corpus"), "Text files (*.txt *.tsv *.*)")
        if paths:
            self.set_files(order_pair(paths, self.src_lang.text().strip(),
                                      self.tgt_lang.text().strip()))
        self.src_field.edit.setFocus()

    def dragEnterEvent(self, ev) -> None:  # noqa: N802
        if ev.mimeData().hasUrls():
            ev.acceptProposedAction()

    def dropEvent(self, ev) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in ev.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.set_files(sorted(paths) if len(paths) == 2 else paths)
            ev.acceptProposedAction()

    def corpus_spec(self):
        from core.data.corpus import CorpusSpec
        return CorpusSpec(src_path=self.src_field.text() or None,
                          tgt_path=self.tgt_field.text() or None,
                          tsv_path=self.tsv_field.text() or None)

    def dev_spec(self):
        from core.data.corpus import CorpusSpec
        if not (self.dev_src_field.text() or self.dev_tgt_field.text()):
            return None
        return CorpusSpec(src_path=self.dev_src_field.text() or None,
                          tgt_path=self.dev_tgt_field.text() or None)

    def tokenizer_config(self) -> TokenizerConfig:
        cfg = TokenizerConfig(self.src_lang.text().strip(), self.tgt_lang.text().strip(),
                              self.lowercase.isChecked())
        cfg.validate()
        return cfg

    # ------------------------------------------------------------------ settings
    @Slot()
    def _apply_preset(self) -> None:
        p = PRESETS[self.preset_combo.currentData()]
        m, t = p.model, p.train
        self.emb_spin.setValue(m.emb_size)
        self.hidden_spin.setValue(m.hidden_size)
        self.layers_spin.setValue(m.enc_layers)
        self.bidir_check.setChecked(m.bidirectional)
        self.attention_combo.setCurrentText(m.attention)
        self.decoder_combo.setCurrentIndex(max(0, self.decoder_combo.findData(m.decoder)))
        self.dropout_spin.setValue(m.dropout)
        self.batch_spin.setValue(t.batch_size)
        self.lr_spin.setValue(t.learning_rate)
        self.epochs_spin.setValue(t.epochs)
        self.budget_spin.setValue((t.time_budget_s or 0) / 60)
        self.valid_spin.setValue(t.valid_every)
        self.patience_spin.setValue(t.patience)

    @Slot(object)
    def set_devices(self, devices: list) -> None:
        current = self.device_combo.currentData()
        self.device_combo.clear()
        for value, label in devices:
            self.device_combo.addItem(label, value)
        idx = self.device_combo.findData(current)
        self.device_combo.setCurrentIndex(max(0, idx))

    def model_config(self) -> ModelConfig:
        cfg = ModelConfig(emb_size=self.emb_spin.value(), hidden_size=self.hidden_spin.value(),
                          enc_layers=self.layers_spin.value(), dec_layers=self.layers_spin.value(),
                          bidirectional=self.bidir_check.isChecked(),
                          attention=self.attention_combo.currentText(),
                          decoder=self.decoder_combo.currentData(),
                          dropout=round(self.dropout_spin.value(), 3))
        cfg.validate()
        return cfg

    def train_config(self):
        base = PRESETS[self.preset_combo.currentData()].train
        budget = self.budget_spin.value() * 60
        return base.replace(batch_size=self.batch_spin.value(),
                            learning_rate=self.lr_spin.value(),
                            epochs=self.epochs_spin.value(),
                            time_budget_s=budget if budget > 0 else None,
                            valid_every=self.valid_spin.value(),
                            patience=self.patience_spin.value(),
                            device=self.device_combo.currentData() or "auto",
                            probe=self.probe_edit.toPlainText().strip() or None)

    def build_job(self) -> TrainJob:
        """The form as a TrainJob; raises CoreError subclasses with messages for the user."""
        spec = self.corpus_spec()
        spec.validate()
        tok = self.tokenizer_config()
        from core.storage.library import unique_folder
        name = self.name_edit.text().strip() or \
            f"{tok.src_lang}-{tok.tgt_lang} {_dt.datetime.now():%Y-%m-%d %H%M}"
        root = AppPaths.default().models
        root.mkdir(parents=True, exist_ok=True)
        out = unique_folder(root, name)
        return TrainJob(spec=spec, out_dir=str(out), model_cfg=self.model_config(), tok_cfg=tok,
                        train_cfg=self.train_config(), dev_spec=self.dev_spec(), name=name)

    # ------------------------------------------------------------------ actions
    @Slot()
    def request_preview(self) -> None:
        try:
            spec = self.corpus_spec()
            spec.validate()
            job = PreviewJob(spec, self.tokenizer_config(), self.train_config().max_len)
        except Exception as exc:  # noqa: BLE001
            self._errors.report_exception("Cannot preview", exc)
            return
        self.report_view.setPlainText("Reading the corpus…")
        self.right_tabs.setCurrentIndex(0)
        self._session.preview(job)

    @Slot(object)
    def show_preview(self, preview) -> None:
        self.report_view.setPlainText(preview.summary)
        self.preview_table.setRowCount(len(preview.pairs))
        for i, (src, tgt) in enumerate(preview.pairs):
            for col, text in enumerate((str(i + 1), " ".join(src), " ".join(tgt))):
                self.preview_table.setItem(i, col, QTableWidgetItem(text))
        self.preview_table.resizeColumnToContents(0)

    @Slot()
    def start_training(self) -> None:
        try:
            job = self.build_job()
        except Exception as exc:  # noqa: BLE001
            self._errors.report_exception("Cannot start training", exc)
            return
        self._start(job, f"Training “{job.name}” into {job.out_dir}")

    def resume_model(self, path: str) -> bool:
        """Continue the stopped run in ``path`` (a model folder) in the training process."""
        if self._session.training:
            self._errors.report("Cannot resume training", "a model is already training; stop it "
                                "first, or wait for it to finish")
            return False
        try:
            budget = self.budget_spin.value() * 60
            job = resume_job(path, budget if budget > 0 else None)
        except Exception as exc:  # noqa: BLE001
            self._errors.report_exception("Cannot resume training", exc)
            return False
        self._start(job, f"Resuming “{job.name}” from its last checkpoint ({job.out_dir})")
        self._show_history(path)
        return True

    def _start(self, job: TrainJob, message: str) -> None:
        self.loss_plot.clear_data()
        self.samples_table.setRowCount(0)
        self.probe_heatmap.clear()
        self.open_trained_button.setVisible(False)
        self.resume_button.setVisible(False)
        self._resume_target = None
        self._current_out = job.out_dir
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("resuming…" if job.resume else "starting…")
        self.status_label.setText(message)
        self.right_tabs.setCurrentIndex(1)
        try:
            self._session.start_training(job)
        except Exception as exc:  # noqa: BLE001
            self._errors.report_exception("Cannot start training", exc)
        self._update_buttons()

    def _show_history(self, path: str) -> None:
        """A resumed run's earlier validations, so its curves continue where they were."""
        try:
            from core.storage.model_folder import read_history
            for rec in read_history(path):
                if rec.get("type") == "validation":
                    self.loss_plot.add_validation(int(rec["step"]), float(rec["loss"]),
                                                  float(rec["bleu"]), float(rec["chrf"]))
        except Exception:  # noqa: BLE001 — the history is advisory
            log.warning("cannot read the history of %s", path, exc_info=True)

    @Slot()
    def _resume_clicked(self) -> None:
        if self._resume_target:
            self.resume_model(self._resume_target)

    def _offer_resume(self, folder: str | None) -> None:
        ok = bool(folder) and has_checkpoint(folder)
        self._resume_target = folder if ok else None
        self.resume_button.setVisible(ok)
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
        self.status_label.setText("Stopping: saving a checkpoint…")
        self._session.stop()
        self.stop_button.setEnabled(False)
        self.pause_button.setEnabled(False)

    @Slot()
    def _open_trained(self) -> None:
        if self._last_done is not None:
            self.openModelRequested.emit(self._last_done.model_dir)

    # ------------------------------------------------------------------ events
    @Slot(object)
    def on_train_event(self, ev) -> None:
        kind = getattr(ev, "type", "")
        if kind == "progress":
            self.progress_bar.setValue(int(round(1000 * max(0.0, min(1.0, ev.fraction)))))
            paused = " · paused" if self._session.paused else ""
            self.progress_bar.setFormat(
                f"{100 * ev.fraction:.0f}% · {fmt_duration(ev.elapsed_s)} elapsed · "
                f"ETA {fmt_duration(ev.eta_s)} · {ev.tokens_per_second:,.0f} tok/s{paused}")
            self.status_label.setText(f"epoch {ev.epoch} · step {ev.step} · loss "
                                      f"{ev.smoothed_loss:.3f} · lr {ev.learning_rate:.2g}")
            self.loss_plot.add_progress(ev.step, ev.loss, ev.smoothed_loss)
        elif kind == "validation":
            self.loss_plot.add_validation(ev.step, ev.loss, ev.bleu, ev.chrf)
            best = " (best so far)" if ev.is_best else ""
            self.status_label.setText(f"validation at step {ev.step}: loss {ev.loss:.3f}, "
                                      f"BLEU {ev.bleu:.1f}, chrF {ev.chrf:.1f}{best}")
            self.samples_table.setRowCount(len(ev.samples))
            for i, s in enumerate(ev.samples):
                for col, key in enumerate(("source", "reference", "hypothesis")):
                    text = str(s.get(key, ""))
                    item = self.samples_table.item(i, col)
                    if item is None:
                        self.samples_table.setItem(i, col, QTableWidgetItem(text))
                    elif item.text() != text:
                        item.setText(text)
            if ev.probe is not None and ev.probe.attention.size:
                self.probe_heatmap.set_translation(ev.probe)
                self.probe_label.setText(f"Probe attention at step {ev.step}: "
                                         f"“{ev.probe.text}”")
        elif kind == "reading":
            total = max(1, int(getattr(ev, "total_bytes", 0) or 0))
            share = min(1.0, int(getattr(ev, "bytes_read", 0)) / total)
            self.progress_bar.setFormat(f"reading the corpus… {100 * share:.0f}%")
        elif kind == "report":
            summary = ev.report.get("summary") if isinstance(ev.report, dict) else None
            if summary:
                self.report_view.setPlainText(summary)
        elif kind == "checkpoint":
            self.status_label.setText(f"saved the {ev.kind} checkpoint at step {ev.step}")

    @Slot(object)
    def on_train_finished(self, done) -> None:
        self._last_done = done
        words = {"finished": "finished", "early_stopped": "stopped early (no more progress)",
                 "time_budget": "used its time budget", "cancelled": "stopped; checkpoint saved"}
        bleu = f", best BLEU {done.best_bleu:.1f}" if done.best_bleu is not None else ""
        self.status_label.setText(f"Training {words.get(done.status, done.status)} after "
                                  f"{done.step} steps ({fmt_duration(done.elapsed_s)}){bleu}.")
        if done.status != "cancelled":
            self.progress_bar.setValue(1000)
        self.progress_bar.setFormat(f"{self.progress_bar.value() / 10:.0f}% · {done.status}")
        has_weights = (Path(done.model_dir) / "weights.pt").is_file()
        self.open_trained_button.setVisible(has_weights)
        self._offer_resume(done.model_dir if done.status in RESUMABLE_STATUSES else None)
        if has_weights:
            self.modelTrained.emit(done.model_dir)

    @Slot(str)
    def on_state_changed(self, state: str) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        training = self._session.training
        self.start_button.setEnabled(not training)
        self.pause_button.setEnabled(training)
        self.stop_button.setEnabled(training)
        self.preview_button.setEnabled(not training)
        self.resume_button.setEnabled(not training and self._resume_target is not None)
        self.pause_button.setText("Resume" if training and self._session.paused else "Pause")
