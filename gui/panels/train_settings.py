"""The training settings as one table: each row names a form widget, the config field(s) it sets,
how its value converts, and the tooltip that says what it does and a sensible range.

Why a table: the preset → form, form → ModelConfig and form → TrainConfig mappings used to be
written out three times and drifted; now ``TrainForm`` walks these rows for all three.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QAbstractSpinBox, QCheckBox, QComboBox, QPlainTextEdit, QWidget


def _same(value: Any) -> Any:
    return value


def _minutes(seconds: float | None) -> float:
    return (seconds or 0) / 60


def _seconds(minutes: float) -> float | None:
    return minutes * 60 if minutes > 0 else None


def _dropout(value: float) -> float:
    return round(value, 3)


def _probe(text: str) -> str | None:
    return text.strip() or None


def _vocab_to_form(size: int | None) -> int:
    return size or 0  # 0 shows "Automatic"


def _vocab_from_form(size: int) -> int | None:
    return size or None


@dataclass(frozen=True)
class Setting:
    """One training setting: the form's widget ``attr`` ↔ ``section``'s config fields ``keys``."""

    attr: str
    section: str  # "model" (ModelConfig), "tokenizer" (TokenizerConfig) or "train" (TrainConfig)
    keys: tuple[str, ...]
    tip: str
    to_form: Callable[[Any], Any] = _same
    from_form: Callable[[Any], Any] = _same
    from_preset: bool = True  # False: the user's choice survives a preset change
    # (presets set no tokenizer settings: those rows start at TokenizerConfig's defaults)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "tokenization_combo",
        "tokenizer",
        ("tokenization",),
        "Subwords: words are split into frequent pieces learnt from your corpus, so any word "
        "can be read and written (no <unk>); the inspection views merge the pieces back into "
        "words. Words: one token per word; rare words become <unk>.",
        from_preset=False,
    ),
    Setting(
        "vocab_spin",
        "train",
        ("vocab_size",),
        "Tokens per language the model knows. Automatic: 30,000 for words; for subwords, a "
        "size chosen from the corpus size (small corpora get fewer pieces). Typical subword "
        "sizes: 1,000–32,000.",
        to_form=_vocab_to_form,
        from_form=_vocab_from_form,
    ),
    Setting(
        "subword_type_combo",
        "tokenizer",
        ("subword_type",),
        "How the pieces are learnt: Unigram (a probabilistic model, sentencepiece's default) "
        "or BPE (merges the most frequent pairs of pieces).",
        from_preset=False,
    ),
    Setting(
        "joint_vocab_combo",
        "tokenizer",
        ("joint_vocab",),
        "Separate (the default): one subword model per language, each with the full size. "
        "Joint: one model for both languages, so names, numbers and cognates are split the "
        "same way on both sides.",
        from_preset=False,
    ),
    Setting(
        "pretokenize_combo",
        "tokenizer",
        ("pretokenize",),
        "None: sentencepiece reads the raw text, and detokenizing gives it back exactly. "
        "Moses: split punctuation off with the Moses tokenizer first.",
        from_preset=False,
    ),
    Setting(
        "emb_spin",
        "model",
        ("emb_size",),
        "Length of each word's vector. Larger can learn more but trains slower. Typical: 64–512.",
    ),
    Setting(
        "hidden_spin",
        "model",
        ("hidden_size",),
        "Size of the encoder's and decoder's GRU state: the model's capacity. "
        "Typical: 128–1024; training time grows with it.",
    ),
    Setting(
        "layers_spin",
        "model",
        ("enc_layers", "dec_layers"),
        "Stacked GRU layers in the encoder and the decoder. 1–2 for corpora under a million "
        "pairs; more needs more data and time.",
    ),
    Setting(
        "bidir_check",
        "model",
        ("bidirectional",),
        "Read the source both left-to-right and right-to-left, so each word's state knows "
        "its whole sentence. Usually better; the encoder costs about twice as much.",
    ),
    Setting(
        "attention_combo",
        "model",
        ("attention",),
        "How the decoder scores each source word: bahdanau (additive, the classic), general "
        "or dot (Luong's multiplicative scores; dot needs a one-way encoder).",
    ),
    Setting(
        "decoder_combo",
        "model",
        ("decoder",),
        "Bahdanau: the classic decoder; each step reads the attention of the step before. "
        "Luong: attends after the RNN, so training runs the whole target at once (faster).",
    ),
    Setting(
        "dropout_spin",
        "model",
        ("dropout",),
        "Share of units switched off at random while training, against over-fitting. "
        "Typical: 0.1–0.3; 0 for very small corpora.",
        from_form=_dropout,
    ),
    Setting(
        "batch_spin",
        "train",
        ("batch_size",),
        "Sentence pairs per training step (pairs of similar length are batched together). "
        "Typical: 32–128; larger is faster per pair but needs more memory.",
    ),
    Setting(
        "lr_spin",
        "train",
        ("learning_rate",),
        "Adam's step size. 0.001 suits most runs; try 0.0003 if the loss jumps about. It is "
        "halved when the validation loss stops improving.",
    ),
    Setting(
        "epochs_spin",
        "train",
        ("epochs",),
        "Passes over all training pairs, at most. 'no limit' (0): train until the time "
        "budget ends or early stopping. Typical: 10–50.",
    ),
    Setting(
        "budget_spin",
        "train",
        ("time_budget_s",),
        "Stop after this many minutes and keep the best model. 'no limit' (0): stop by "
        "epochs or early stopping. A few minutes give a usable small model.",
        to_form=_minutes,
        from_form=_seconds,
    ),
    Setting(
        "valid_spin",
        "train",
        ("valid_every",),
        "Training steps between validations (loss, BLEU, chrF, sample translations, probe "
        "attention). Smaller shows progress sooner but costs time. Typical: 100–1000.",
    ),
    Setting(
        "patience_spin",
        "train",
        ("patience",),
        "Stop when this many validations in a row bring no better BLEU. Typical: 5–10; "
        "larger never stops early.",
    ),
    Setting(
        "device_combo",
        "train",
        ("device",),
        "Where to train: Automatic uses a GPU when one is found, else the CPU.",
        from_preset=False,
    ),
    Setting(
        "probe_edit",
        "train",
        ("probe",),
        "Up to 8 sentences, one a line, whose attention is recorded at every validation "
        "(the Timeline tab replays it; the first is shown live). Empty: the first three "
        "dev sentences.",
        from_form=_probe,
        from_preset=False,
    ),
)


def widget_value(widget: QWidget) -> Any:
    """What a settings widget holds, as plain data (combo boxes: the item's data)."""
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QAbstractSpinBox):
        return widget.value()  # type: ignore[attr-defined]
    raise TypeError(f"no value for {type(widget).__name__}")


def set_widget_value(widget: QWidget, value: Any) -> None:
    if isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QComboBox):
        widget.setCurrentIndex(max(0, widget.findData(value)))
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText("" if value is None else str(value))
    elif isinstance(widget, QAbstractSpinBox):
        widget.setValue(value)  # type: ignore[attr-defined]
    else:
        raise TypeError(f"cannot set {type(widget).__name__}")
