"""The Train tab's *Tokenization* group: subwords or words, the vocabulary size, and the subword
options, which are disabled when words are chosen (they would change nothing), among them
sampling a new segmentation every epoch (subword regularisation, for small corpora).

The widgets are the form's (``TrainForm`` exposes them under the names of
``gui.panels.train_settings.SETTINGS``); this module only builds and lays them out.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QSpinBox,
    QWidget,
)

from gui.widgets.naming import named as _named

MAX_VOCAB = 1_000_000
SUBWORD_ONLY = ("subword_type_combo", "joint_vocab_combo", "pretokenize_combo", "sampling_box")
DEFAULT_ALPHA = 0.5  # the better of the two values measured (0.2 was worse)


class SamplingControl(QWidget):
    """A checkbox to sample segmentations while training and its smoothness alpha, as the one
    value of ``TrainConfig.subword_sampling``: 0 when unchecked (or for words), else alpha."""

    def __init__(self) -> None:
        super().__init__()
        self.check = _named(
            QCheckBox("Sample segmentations while training (small corpora)"), "subwordSamplingCheck"
        )
        self.alpha_spin = _named(QDoubleSpinBox(), "subwordSamplingAlphaSpin")
        self.alpha_spin.setRange(0.05, 1.0)
        self.alpha_spin.setSingleStep(0.1)
        self.alpha_spin.setDecimals(2)
        self.alpha_spin.setPrefix("alpha ")
        self.alpha_spin.setValue(DEFAULT_ALPHA)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.check)
        lay.addWidget(self.alpha_spin)
        lay.addStretch(1)
        self.check.toggled.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.alpha_spin.setEnabled(self.check.isChecked())

    def value(self) -> float:
        # disabled for words by ``update_enabled`` (not when the whole form is greyed out)
        if not self.check.isChecked() or self.testAttribute(Qt.WidgetAttribute.WA_ForceDisabled):
            return 0.0
        return round(self.alpha_spin.value(), 2)

    def setValue(self, value: float) -> None:  # Qt's spelling, as a spin box
        self.check.setChecked(bool(value))
        if value:
            self.alpha_spin.setValue(value)


def _combo(name: str, items: list[tuple[str, object]]) -> QComboBox:
    combo = _named(QComboBox(), name)
    for label, value in items:
        combo.addItem(label, value)
    return combo


class TokenizationWidgets:
    """The group's widgets, made once and handed to the form."""

    def __init__(self) -> None:
        self.tokenization_combo = _combo(
            "tokenizationCombo",
            [("Subwords (sentencepiece)", "subwords"), ("Words (Moses)", "words")],
        )
        self.vocab_spin = _named(QSpinBox(), "vocabSizeSpin")
        self.vocab_spin.setRange(0, MAX_VOCAB)
        self.vocab_spin.setSingleStep(1000)
        self.vocab_spin.setSpecialValueText("Automatic")
        self.subword_type_combo = _combo(
            "subwordTypeCombo", [("Unigram", "unigram"), ("BPE", "bpe")]
        )
        self.joint_vocab_combo = _combo(
            "jointVocabCombo",
            [("Separate: one per language", False), ("Joint: one for both languages", True)],
        )
        self.pretokenize_combo = _combo(
            "pretokenizeCombo", [("None: raw text", "none"), ("Moses", "moses")]
        )
        self.sampling_box = _named(SamplingControl(), "subwordSamplingBox")
        self.tokenization_combo.currentIndexChanged.connect(self.update_enabled)
        self.update_enabled()

    def update_enabled(self) -> None:
        """The subword options are greyed out for words (words always use Moses)."""
        subwords = self.tokenization_combo.currentData() == "subwords"
        for attr in SUBWORD_ONLY:
            getattr(self, attr).setEnabled(subwords)

    def box(self) -> QGroupBox:
        box = QGroupBox("Tokenization")
        form = QFormLayout(box)
        form.addRow("Tokens", self.tokenization_combo)
        form.addRow("Vocabulary size", self.vocab_spin)
        form.addRow("Subword type", self.subword_type_combo)
        form.addRow("Vocabulary", self.joint_vocab_combo)
        form.addRow("Pre-tokenize", self.pretokenize_combo)
        form.addRow("Sampling", self.sampling_box)
        return box

    def widgets(self) -> dict[str, QWidget]:
        return {
            name: getattr(self, name)
            for name in ("tokenization_combo", "vocab_spin", *SUBWORD_ONLY)
        }
