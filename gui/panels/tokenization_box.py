"""The Train tab's *Tokenization* group: subwords or words, the vocabulary size, and the subword
options, which are disabled when words are chosen (they would change nothing).

The widgets are the form's (``TrainForm`` exposes them under the names of
``gui.panels.train_settings.SETTINGS``); this module only builds and lays them out.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QSpinBox, QWidget

from gui.widgets.naming import named as _named

MAX_VOCAB = 1_000_000
SUBWORD_ONLY = ("subword_type_combo", "joint_vocab_combo", "pretokenize_combo")


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
        return box

    def widgets(self) -> dict[str, QWidget]:
        return {
            name: getattr(self, name)
            for name in ("tokenization_combo", "vocab_spin", *SUBWORD_ONLY)
        }
