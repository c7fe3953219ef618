"""The Train tab's settings form: the corpus, the languages, a preset and the few settings most
runs change; everything else folds away under *Advanced*. It turns itself into a TrainJob.

Every training setting is a row of ``gui.panels.train_settings.SETTINGS``; the preset → form and
form → config mappings walk those rows, so a setting is described in one place.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
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
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.config import ATTENTION_TYPES, MAX_PROBES, PRESETS, ModelConfig, TokenizerConfig
from core.paths import AppPaths
from gui.jobs import TrainJob
from gui.panels.tokenization_box import TokenizationWidgets
from gui.panels.train_settings import SETTINGS, set_widget_value, widget_value
from gui.widgets.collapsible import CollapsibleSection
from gui.widgets.naming import named as _named

ADVANCED_KEY = "train/advanced_open"


def order_pair(paths: list[str], src_lang: str, tgt_lang: str) -> list[str]:
    """Two files: the one whose suffix is the target language goes second (corpus.de, corpus.en
    with en→de becomes [corpus.en, corpus.de]); otherwise the order given."""
    paths = [str(p) for p in paths]
    if len(paths) == 2:
        suffixes = [Path(p).suffix.lstrip(".").lower() for p in paths]
        if suffixes == [tgt_lang.lower(), src_lang.lower()] and src_lang != tgt_lang:
            return [paths[1], paths[0]]
    return paths


CORPUS_FILTER = (
    "Corpus files (*.txt *.tsv *.tmx);;TMX translation memories (*.tmx *.xml);;All files (*)"
)
_PAIR_NAME = re.compile(r"(?:^|[._-])([a-z]{2})[-_]([a-z]{2})$")  # ISO 639-1 codes
_LANG_SUFFIX = re.compile(r"[a-z]{2,3}")


def guess_languages(paths: list[str]) -> tuple[str, str] | None:
    """Language codes a file name states: ``en-fr.tsv`` or ``tatoeba_en_fr.tsv`` (one file),
    ``corpus.en`` + ``corpus.fr`` (two files, in that order); None when the names do not say."""
    if len(paths) == 1:
        match = _PAIR_NAME.search(Path(paths[0]).stem.lower())
        return (match.group(1), match.group(2)) if match else None
    if len(paths) == 2:
        suffixes = [Path(p).suffix.lstrip(".").lower() for p in paths]
        if (
            all(_LANG_SUFFIX.fullmatch(s) for s in suffixes)
            and suffixes[0] != suffixes[1]
            and not {"txt", "tsv", "tmx", "xml"} & set(suffixes)
        ):
            return suffixes[0], suffixes[1]
    return None


class _FileField(QWidget):
    """A line edit with a Browse… button."""

    def __init__(self, name: str, placeholder: str, on_browse) -> None:
        super().__init__()
        self.edit = _named(QLineEdit(), name)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(150)
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


def _spin(name: str, lo: int, hi: int, suffix: str = "") -> QSpinBox:
    s = _named(QSpinBox(), name)
    s.setRange(lo, hi)
    s.setSuffix(suffix)
    return s


def _double(name: str, lo: float, hi: float, step: float, decimals: int) -> QDoubleSpinBox:
    s = _named(QDoubleSpinBox(), name)
    s.setDecimals(decimals)
    s.setRange(lo, hi)
    s.setSingleStep(step)
    return s


class TrainForm(QWidget):
    """Corpus and settings; ``build_job`` reads them (raising CoreError messages for the user)."""

    previewRequested = Signal()

    def __init__(
        self, settings, parent: QWidget | None = None, *, paths: AppPaths | None = None
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._paths = paths or AppPaths.default()  # where build_job puts the new model
        self._make_widgets()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self._corpus_box())
        lay.addWidget(self.tokenization.box())
        lay.addWidget(self._basic_box())
        self.advanced = _named(
            CollapsibleSection("Advanced settings", self._advanced_box(), settings, ADVANCED_KEY),
            "advancedSection",
        )
        self.advanced.button.setToolTip(
            "Model shape, optimisation, validation, probe sentences "
            "and dev files: the preset sets them all"
        )
        lay.addWidget(self.advanced)
        lay.addStretch(1)
        defaults = TokenizerConfig()
        for s in SETTINGS:
            getattr(self, s.attr).setToolTip(s.tip)
            if s.section == "tokenizer":  # presets leave these alone: start at the defaults
                set_widget_value(getattr(self, s.attr), getattr(defaults, s.keys[0]))
        self.preset_combo.currentIndexChanged.connect(self.apply_preset)
        self.preview_button.clicked.connect(self.previewRequested)
        self.apply_preset()

    # ------------------------------------------------------------------ building
    def _make_widgets(self) -> None:
        browse = self._browse
        self.src_field = _FileField(
            "sourceFileEdit",
            "source-language file (one sentence a line)",
            lambda: browse(self.src_field),
        )
        self.tgt_field = _FileField(
            "targetFileEdit", "target-language file, line-aligned", lambda: browse(self.tgt_field)
        )
        self.tsv_field = _FileField(
            "tsvFileEdit",
            "one TSV file (source<TAB>target) or TMX file",
            lambda: browse(self.tsv_field),
        )
        self.tsv_field.edit.setToolTip(
            "A TSV file (source<TAB>target on each line), or a TMX translation memory "
            "(.tmx, as CAT tools export): its units in the two languages below are read; en "
            "also reads en-US and en-GB"
        )
        self.dev_src_field = _FileField(
            "devSourceFileEdit",
            "optional dev source file (or a TMX file)",
            lambda: browse(self.dev_src_field),
        )
        self.dev_tgt_field = _FileField(
            "devTargetFileEdit", "optional dev target file", lambda: browse(self.dev_tgt_field)
        )
        self.src_lang = _named(QLineEdit("en"), "sourceLanguageEdit")
        self.tgt_lang = _named(QLineEdit("de"), "targetLanguageEdit")
        for e, side in ((self.src_lang, "source"), (self.tgt_lang, "target")):
            e.setMaximumWidth(60)
            e.setToolTip(
                f"The {side} language's code (en, de, fr…): it picks the tokenizer's "
                "rules and names the model"
            )
        self.lowercase = _named(QCheckBox("lowercase"), "lowercaseCheck")
        self.lowercase.setToolTip(
            "Lowercase both sides before training: a smaller vocabulary "
            "for small corpora, but the output is lowercase too"
        )
        self.tokenization = TokenizationWidgets()
        for attr, widget in self.tokenization.widgets().items():
            setattr(self, attr, widget)
        self.preview_button = _named(QPushButton("Preview && validate"), "previewButton")
        self.preview_button.setToolTip(
            "Read the corpus and show the first pairs as tokenized, "
            "and what would be dropped and why"
        )
        self.preset_combo = _named(QComboBox(), "presetCombo")
        for key, p in PRESETS.items():
            self.preset_combo.addItem(key.capitalize(), key)
            self.preset_combo.setItemData(
                self.preset_combo.count() - 1, p.description, Qt.ItemDataRole.ToolTipRole
            )
        self.preset_combo.setToolTip(
            "Tiny: seconds (demos). Small: minutes on a laptop. Base: "
            "the benchmark model. Sets every setting; change any after."
        )
        self.emb_spin = _spin("embeddingSizeSpin", 8, 2048)
        self.hidden_spin = _spin("hiddenSizeSpin", 8, 2048)
        self.layers_spin = _spin("layersSpin", 1, 8)
        self.bidir_check = _named(QCheckBox("bidirectional encoder"), "bidirectionalCheck")
        self.attention_combo = _named(QComboBox(), "attentionCombo")
        for kind in ATTENTION_TYPES:
            self.attention_combo.addItem(kind, kind)
        self.decoder_combo = _named(QComboBox(), "decoderCombo")
        self.decoder_combo.addItem("Bahdanau (attention fed into the RNN)", "bahdanau")
        self.decoder_combo.addItem("Luong (attention after the RNN; faster)", "luong")
        self.dropout_spin = _double("dropoutSpin", 0.0, 0.9, 0.05, 2)
        self.batch_spin = _spin("batchSizeSpin", 1, 4096)
        self.lr_spin = _double("learningRateSpin", 1e-5, 1.0, 1e-4, 5)
        self.epochs_spin = _spin("epochsSpin", 0, 10000)
        self.epochs_spin.setSpecialValueText("no limit")
        self.budget_spin = _double("timeBudgetSpin", 0, 100000, 1.0, 1)
        self.budget_spin.setSuffix(" min")
        self.budget_spin.setSpecialValueText("no limit")
        self.valid_spin = _spin("validEverySpin", 1, 1000000, " steps")
        self.patience_spin = _spin("patienceSpin", 1, 10000, " validations")
        self.device_combo = _named(QComboBox(), "deviceCombo")
        self.device_combo.addItem("Automatic (looking for a GPU…)", "auto")
        # the labels say what was found ("no GPU found"): the form widens to show them whole
        self.device_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.probe_edit = _named(QPlainTextEdit(), "probeSentenceEdit")
        self.probe_edit.setPlaceholderText(
            f"one sentence per line (up to {MAX_PROBES}); empty: the first 3 dev sentences"
        )
        self.probe_edit.setTabChangesFocus(True)
        self.probe_edit.setFixedHeight(3 * self.probe_edit.fontMetrics().lineSpacing() + 12)
        self.name_edit = _named(QLineEdit(), "modelNameEdit")
        self.name_edit.setPlaceholderText("default: languages and date")
        self.name_edit.setToolTip("The model's name in the Models tab (and its folder's name)")

    def _corpus_box(self) -> QGroupBox:
        langs = QHBoxLayout()
        langs.addWidget(QLabel("from"))
        langs.addWidget(self.src_lang)
        langs.addWidget(QLabel("to"))
        langs.addWidget(self.tgt_lang)
        langs.addWidget(self.lowercase)
        langs.addStretch(1)
        box = QGroupBox("Corpus (or drop files here)")
        form = QFormLayout(box)
        form.addRow("TSV or TMX", self.tsv_field)
        form.addRow("or source", self.src_field)
        form.addRow("and target", self.tgt_field)
        form.addRow("Languages", langs)
        form.addRow("", self.preview_button)
        return box

    def _basic_box(self) -> QGroupBox:
        box = QGroupBox("Run")
        form = QFormLayout(box)
        form.addRow("Preset", self.preset_combo)
        form.addRow("Time budget", self.budget_spin)
        form.addRow("Epochs", self.epochs_spin)
        form.addRow("Device", self.device_combo)
        form.addRow("Model name", self.name_edit)
        return box

    def _advanced_box(self) -> QWidget:
        box = QWidget()
        form = QFormLayout(box)
        form.setContentsMargins(8, 0, 0, 0)
        form.addRow("Embedding size", self.emb_spin)
        form.addRow("Hidden size", self.hidden_spin)
        form.addRow("Layers", self.layers_spin)
        form.addRow("", self.bidir_check)
        form.addRow("Attention", self.attention_combo)
        form.addRow("Decoder", self.decoder_combo)
        form.addRow("Dropout", self.dropout_spin)
        form.addRow("Batch size", self.batch_spin)
        form.addRow("Learning rate", self.lr_spin)
        form.addRow("Validate every", self.valid_spin)
        form.addRow("Stop early after", self.patience_spin)
        form.addRow("Probe sentences", self.probe_edit)
        form.addRow("Dev source", self.dev_src_field)
        form.addRow("Dev target", self.dev_tgt_field)
        return box

    # ------------------------------------------------------------------ corpus choice
    def _browse(self, field: _FileField) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Choose a corpus file",
            self._settings.last_folder("corpus"),
            CORPUS_FILTER,
        )
        if path:
            field.edit.setText(path)
            self._settings.set_last_folder("corpus", path)

    def set_files(self, paths: list[str]) -> None:
        """One file → the TSV/TMX field; two files → source and target (in the given order)."""
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
        langs = guess_languages(paths)
        if langs is not None:  # the file names say which languages: fill them in
            self.src_lang.setText(langs[0])
            self.tgt_lang.setText(langs[1])

    def use_sample_corpus(
        self, tsv: str | Path, src_lang: str, tgt_lang: str, preset: str = "small"
    ) -> None:
        """Fill the form for the bundled sample corpus (used by the welcome panel)."""
        self.set_files([str(tsv)])
        self.dev_src_field.edit.clear()
        self.dev_tgt_field.edit.clear()
        self.src_lang.setText(src_lang)
        self.tgt_lang.setText(tgt_lang)
        idx = self.preset_combo.findData(preset)
        if idx >= 0:
            self.preset_combo.setCurrentIndex(idx)
            self.apply_preset()  # even when the preset was already selected

    def choose_own_files(self) -> None:
        """Ask for one TSV or TMX file, or a source and a target file; then focus the source
        field."""
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            "Choose a TSV or TMX file, or a source and a target file",
            self._settings.last_folder("corpus"),
            CORPUS_FILTER,
        )
        if paths:
            self.set_files(
                order_pair(paths, self.src_lang.text().strip(), self.tgt_lang.text().strip())
            )
        self.src_field.edit.setFocus()

    # ------------------------------------------------------------------ settings ↔ configs
    @Slot()
    def apply_preset(self) -> None:
        """Fill every preset-driven setting from the chosen preset."""
        p = PRESETS[self.preset_combo.currentData()]
        configs = {"model": p.model, "train": p.train}
        for s in SETTINGS:
            if s.from_preset:
                value = getattr(configs[s.section], s.keys[0])
                set_widget_value(getattr(self, s.attr), s.to_form(value))

    def _values(self, section: str) -> dict:
        out = {}
        for s in SETTINGS:
            if s.section == section:
                value = s.from_form(widget_value(getattr(self, s.attr)))
                out.update({key: value for key in s.keys})
        return out

    @Slot(object)
    def set_devices(self, devices: list) -> None:
        current = self.device_combo.currentData()
        self.device_combo.clear()
        for value, label in devices:
            self.device_combo.addItem(label, value)
        self.device_combo.setCurrentIndex(max(0, self.device_combo.findData(current)))

    def model_config(self) -> ModelConfig:
        base = PRESETS[self.preset_combo.currentData()].model
        cfg = dataclasses.replace(base, **self._values("model"))
        cfg.validate()
        return cfg

    def train_config(self):
        values = self._values("train")
        values["device"] = values["device"] or "auto"
        return PRESETS[self.preset_combo.currentData()].train.replace(**values)

    def _tmx_spec(self, path: str):
        """A TMX file read in the languages of the language fields."""
        from core.data.corpus import CorpusSpec

        return CorpusSpec(
            tmx_path=path,
            tmx_src_lang=self.src_lang.text().strip() or None,
            tmx_tgt_lang=self.tgt_lang.text().strip() or None,
        )

    def corpus_spec(self):
        """The corpus fields as a CorpusSpec: the single-file field holds a TSV or a TMX file
        (recognised by its name or its ``<tmx`` start)."""
        from core.data.corpus import CorpusSpec, looks_like_tmx

        single = self.tsv_field.text()
        pair_given = self.src_field.text() or self.tgt_field.text()
        if single and not pair_given and looks_like_tmx(single):
            return self._tmx_spec(single)
        return CorpusSpec(
            src_path=self.src_field.text() or None,
            tgt_path=self.tgt_field.text() or None,
            tsv_path=single or None,
        )

    def dev_spec(self):
        """Dev source and target files, or a TMX file in the dev source field; None: neither."""
        from core.data.corpus import CorpusSpec, looks_like_tmx

        src, tgt = self.dev_src_field.text(), self.dev_tgt_field.text()
        if not (src or tgt):
            return None
        if src and not tgt and looks_like_tmx(src):
            return self._tmx_spec(src)
        return CorpusSpec(src_path=src or None, tgt_path=tgt or None)

    def tokenizer_config(self) -> TokenizerConfig:
        cfg = TokenizerConfig(
            self.src_lang.text().strip(),
            self.tgt_lang.text().strip(),
            self.lowercase.isChecked(),
            **self._values("tokenizer"),
        )
        cfg.validate()
        return cfg

    def build_job(self) -> TrainJob:
        """The form as a TrainJob; raises CoreError subclasses with messages for the user."""
        spec = self.corpus_spec()
        spec.validate()
        tok = self.tokenizer_config()
        from core.storage.library import unique_folder

        name = (
            self.name_edit.text().strip()
            or f"{tok.src_lang}-{tok.tgt_lang} {_dt.datetime.now():%Y-%m-%d %H%M}"
        )
        root = self._paths.models
        root.mkdir(parents=True, exist_ok=True)
        out = unique_folder(root, name)
        return TrainJob(
            spec=spec,
            out_dir=str(out),
            model_cfg=self.model_config(),
            tok_cfg=tok,
            train_cfg=self.train_config(),
            dev_spec=self.dev_spec(),
            name=name,
        )
