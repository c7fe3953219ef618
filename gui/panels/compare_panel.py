"""Compare: one sentence, two models (or two checkpoints of one model), side by side.

Each column shows its translation, score and attention heatmap; both heatmaps use the same fixed
0..1 colour scale (``AttentionHeatmap`` pins its levels), so a colour means the same weight on
both sides. A Transformer side has its own layer × head selector (a GRU side has none), so a GRU's
attention can be set beside any head or mean of a Transformer. Decoding runs on the app's worker
thread as the ``"compare"`` job (``core.inspection.compare.compare``); this panel only chooses
the sources and shows the results.
"""

from __future__ import annotations

import logging
from functools import partial

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.decoding.weight_sources import TranslatorCache
from core.inspection.compare import compare, describe_difference
from core.inspection.heads import has_heads, with_choice
from core.inspection.word_merge import in_view
from core.paths import AppPaths
from core.storage.library import list_models
from gui.widgets.attention_heatmap import AttentionHeatmap
from gui.widgets.column import column
from gui.widgets.head_selector import HeadSelector, HeadState
from gui.widgets.naming import named as _named
from gui.widgets.source_picker import SourcePicker, same_folder
from gui.widgets.words_switch import WordsSwitch
from gui.words_mode import words_mode_of

log = logging.getLogger(__name__)

KIND = "compare"


class _ResultColumn(QWidget):
    """One side: caption, source chooser, translation, score and heatmap."""

    def __init__(self, side: str, errors, settings) -> None:
        super().__init__()
        self.side = side
        self.picker = SourcePicker(side, errors, settings)
        self.text_label = _named(QLabel(" "), f"compareTranslation{side}")
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.text_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.text_label.setFont(font)
        self.score_label = _named(QLabel(" "), f"compareScore{side}")
        self.score_label.setToolTip(
            "Score: the sum of the log-probabilities of the output tokens "
            "(length-normalised for beam search); higher is more likely"
        )
        self.heatmap = AttentionHeatmap()
        self.heatmap.setObjectName(f"compareHeatmap{side}")
        self.heatmap.setAccessibleName(f"compareHeatmap{side}")
        self.heads = HeadState(self)
        self.head_selector = HeadSelector(self.heads, f"compareHeads{side}")
        self.heads.changed.connect(self._show_heatmap)
        self._tr = None
        self._view = None
        caption = QLabel(side)
        big = caption.font()
        big.setBold(True)
        big.setPointSizeF(big.pointSizeF() * 1.4)
        caption.setFont(big)
        top = QHBoxLayout()
        top.addWidget(caption)
        top.addStretch(1)
        top.addWidget(self.head_selector)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(
            column(top, self.picker, self.text_label, self.score_label, (self.heatmap, 1))
        )

    def show_translation(self, tr, view=None) -> None:
        """Show ``tr`` (every head, for a Transformer); ``view`` turns the chosen head's
        translation into what is drawn (e.g. merged into words)."""
        self._tr, self._view = tr, view
        self.heads.set_shape(*(tr.cross_attention.shape[:2] if has_heads(tr) else (0, 0)))
        self.text_label.setText(tr.text or "(empty output)")
        seen = view(tr) if view else tr  # tokens and probabilities as shown (words or pieces)
        probs = np.asarray(seen.token_probs, dtype=np.float64)
        mean_p = f" · mean token probability {probs.mean():.2f}" if probs.size else ""
        self.score_label.setText(f"score {tr.score:.3f} · {len(seen.target_tokens)} tokens{mean_p}")
        self._show_heatmap()

    @Slot()
    def _show_heatmap(self, *_args) -> None:
        tr = self._tr
        if tr is None or not tr.attention.size:
            self.heatmap.clear()
            return
        shown = with_choice(tr, self.heads.choice)
        self.heatmap.set_translation(self._view(shown) if self._view else shown)

    def clear(self) -> None:
        self._tr = None
        self.text_label.setText(" ")
        self.score_label.setText(" ")
        self.heatmap.clear()


class ComparePanel(QWidget):
    """Two columns, A and B, translating the same sentence; only the latest request is shown."""

    compared = Signal(object)  # list[Translation] just shown, A then B

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
        self._session = session
        self._errors = errors
        self._settings = settings
        self._paths = paths or AppPaths.default()  # the library the pickers list
        self._cache = TranslatorCache(capacity=4)  # touched only on the worker thread
        self._results: list = []
        self._touched = {"A": False, "B": False}
        self._job = None  # the latest comparison's handle (gui.job.Job)
        self._subwords = [False, False]  # whether A's and B's shown results are in pieces
        self._asked_subwords = [False, False]  # ... and those of the comparison running
        self._build_controls()
        self.column_a = _ResultColumn("A", errors, settings)
        self.column_b = _ResultColumn("B", errors, settings)
        self.picker_a, self.picker_b = self.column_a.picker, self.column_b.picker
        self.heatmap_a, self.heatmap_b = self.column_a.heatmap, self.column_b.heatmap
        self.words_mode = words_mode_of(session, self)
        self.words_switch = WordsSwitch(
            self.words_mode, "compareWordsSwitch", shown=self._any_subwords
        )
        self._lay_out()
        self._connect(session)

        self.refresh_models()
        info = getattr(session, "model_info", None)
        if info is not None:
            self.on_model_loaded(info)
        else:
            self._choose_defaults()

    def _build_controls(self) -> None:
        """The sentence, beam, Compare/Cancel row and the status and difference lines."""
        self.source_edit = _named(QLineEdit(), "compareSourceEdit")
        self.source_edit.setPlaceholderText("Type a sentence — Enter translates it with A and B")
        self.beam_spin = _named(QSpinBox(), "compareBeamSpin")
        self.beam_spin.setRange(1, 32)
        self.beam_spin.setValue(1)
        self.beam_spin.setPrefix("beam ")
        self.beam_spin.setToolTip("Beam size for both models: 1 is greedy search")
        self.compare_button = _named(QPushButton("Compare"), "compareButton")
        self.cancel_button = _named(QPushButton("Cancel"), "compareCancelButton")
        self.cancel_button.setVisible(False)
        self.status_label = _named(QLabel(""), "compareStatusLabel")
        self.status_label.setWordWrap(True)
        self.status_label.setVisible(False)
        self.diff_label = _named(QLabel(" "), "compareDifferenceLabel")
        self.diff_label.setWordWrap(True)
        self.diff_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def _lay_out(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.source_edit, 1)
        row.addWidget(self.beam_spin)
        row.addWidget(self.compare_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.words_switch)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.column_a)
        split.addWidget(self.column_b)
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.addWidget(
            QLabel(
                "Translate one sentence with two models, or two checkpoints of one "
                "model. Both heatmaps use the same colour scale (0 to 1)."
            )
        )
        lay.addLayout(row)
        lay.addWidget(self.status_label)
        lay.addWidget(self.diff_label)
        lay.addWidget(split, 1)

    def _connect(self, session) -> None:
        self.source_edit.returnPressed.connect(self.compare_now)
        self.compare_button.clicked.connect(self.compare_now)
        self.cancel_button.clicked.connect(self.cancel)
        for side, picker in (("A", self.picker_a), ("B", self.picker_b)):
            picker.userChanged.connect(partial(self._on_user_changed, side))
            picker.sourceChanged.connect(self._update_enabled)
            picker.sourceChanged.connect(self.words_switch.refresh)
        self.words_mode.changed.connect(self._show_shown)
        session.modelLoaded.connect(self.on_model_loaded)

    # ------------------------------------------------------------------ choosing
    def refresh_models(self) -> None:
        """Re-read the library (cheap: model.json files only); the choices are kept."""
        library = list_models(self._paths.models)
        self.picker_a.set_models(library)
        self.picker_b.set_models(library)
        self._choose_defaults()

    def showEvent(self, ev) -> None:
        self.refresh_models()
        super().showEvent(ev)

    def _on_user_changed(self, side: str) -> None:
        self._touched[side] = True
        if side == "A":
            self._choose_defaults()  # B follows A until the user chooses B
        if self.source_edit.text().strip():
            self.compare_now()

    @Slot(object)
    def on_model_loaded(self, info) -> None:
        """The open model becomes A (unless the user chose A), and B follows from it."""
        if not self._touched["A"]:
            self.picker_b.include(info.path)
            self.picker_a.set_model(info.path)
        self._choose_defaults()

    def _choose_defaults(self) -> None:
        """A: the open model (or the first listed); B: A's latest checkpoint when it has one,
        else another model from the same language, else A again."""
        a = self.picker_a.model_path()
        if a is None and self.picker_a.model_infos and not self._touched["A"]:
            self.picker_a.set_model(self.picker_a.model_infos[0].path)
            a = self.picker_a.model_path()
        if a is None or self._touched["B"]:
            self._update_enabled()
            return
        self.picker_b.set_model(a)
        if not self.picker_b.select_latest_checkpoint():
            lang = next(
                (i.src_lang for i in self.picker_a.model_infos if same_folder(i.path, a)), None
            )
            others = [i for i in self.picker_b.model_infos if not same_folder(i.path, a)]
            others.sort(key=lambda i: i.src_lang != lang)
            if others:
                self.picker_b.set_model(others[0].path)
        self._update_enabled()

    def _update_enabled(self) -> None:
        ready = self.picker_a.source() is not None and self.picker_b.source() is not None
        self.compare_button.setEnabled(ready)
        self.compare_button.setToolTip("" if ready else "Choose a model with weights for A and B")

    # ------------------------------------------------------------------ comparing
    def compare_text(self, text: str) -> None:
        """Put ``text`` in the sentence box and compare now (for tests and the main window)."""
        self.source_edit.setText(text)
        self.compare_now()

    @Slot()
    def compare_now(self) -> None:
        text = self.source_edit.text().strip()
        sources = [self.picker_a.source(), self.picker_b.source()]
        if not text:
            return
        if None in sources:
            self._set_status("Choose a model with weights for both A and B.", error=True)
            return
        self._asked_subwords = [self._picks_subwords(p) for p in (self.picker_a, self.picker_b)]
        fn = partial(compare, self._cache, sources, text=text, beam=self.beam_spin.value())
        try:
            job = self._session.submit(KIND, fn, needs_model=False, title="Cannot compare")
        except Exception as exc:  # noqa: BLE001 — the session refuses with a CoreError
            self._errors.report_exception("Cannot compare", exc)
            return
        job.on_progress(self._on_progress).on_result(self._on_compared)
        job.on_cancelled(self._on_cancelled).on_error(self._on_failed)
        self._job = job
        self._set_status(f"Translating with {sources[0].label} and {sources[1].label}…")
        self.cancel_button.setVisible(True)

    @Slot()
    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status_label.setStyleSheet("color: #b00020;" if error else "")
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if total:
            step = "loading the models" if done * 2 < total else "translating"
            self._set_status(f"Working: {step} ({done}/{total})…")

    @Slot(object)
    def _on_compared(self, results) -> None:
        self.cancel_button.setVisible(False)
        self.show_results(results)

    @Slot()
    def _on_cancelled(self) -> None:
        self.cancel_button.setVisible(False)
        self._set_status("Cancelled.")

    @Slot(object)
    def _on_failed(self, failure) -> None:
        """The main window shows the dialog; here the panel says what happened."""
        self.cancel_button.setVisible(False)
        self._set_status(f"Cannot compare: {failure.message}", error=True)

    def show_results(self, results: list, subwords: list[bool] | None = None) -> None:
        """Show A's and B's translations (pieces, as the models made them); ``subwords`` says
        which are subword models (default: those of the comparison that ran)."""
        self._results = list(results)
        self._subwords = list(subwords if subwords is not None else self._asked_subwords)
        self._show_shown()
        self._set_status("")
        self.compared.emit(list(self._results))

    def _show_shown(self, *_args) -> None:
        """The results in the switch's mode: a subword model's in words when it says Words."""
        self.words_switch.refresh()
        if not self._results:
            return
        words = self.words_mode.prefers_words
        merge = [partial(in_view, words=words and sub) for sub in self._subwords]
        # each column takes every head and merges its chosen one into words (the head first)
        self.column_a.show_translation(self._results[0], view=merge[0])
        self.column_b.show_translation(self._results[1], view=merge[1])
        a, b = (m(t) for m, t in zip(merge, self._results))
        self.diff_label.setText(describe_difference(a, b))

    def _picks_subwords(self, picker: SourcePicker) -> bool:
        path = picker.model_path()
        return any(i.subwords and same_folder(i.path, path) for i in picker.model_infos if path)

    def _any_subwords(self) -> bool:
        """The switch applies when A or B (chosen, or shown) is a subword model."""
        chosen = [self._picks_subwords(p) for p in (self.picker_a, self.picker_b)]
        return any(chosen) or (bool(self._results) and any(self._subwords))

    @property
    def results(self) -> list:
        return list(self._results)
