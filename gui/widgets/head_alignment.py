"""The alignment tab for any model: the lines view of the chosen head, and for a Transformer the
layer × head selector and the ranking of every head by AER against the pasted gold line.

Why a wrapper and not more code in ``AlignmentView``: the lines view stays one matrix (whatever
head or mean it is given); this panel knows the whole (layers, heads, T, S) stack, hands the
chosen matrix to the lines view, and ranks all heads with the lines view's own method, threshold
and gold text — so the chosen head's AER in the ranking is the AER under the lines.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from core.events import Translation
from core.inspection.alignment import AlignmentError, check_bounds, parse_pharaoh, word_count
from core.inspection.heads import has_heads, head_aer_counts, rank_heads, with_choice
from gui.widgets.alignment_view import AlignmentView
from gui.widgets.head_aer_table import HeadAerTable
from gui.widgets.head_selector import HeadSelector, HeadState
from gui.widgets.naming import named

View = Callable[[Translation], Translation]


class HeadAlignmentPanel(QWidget):
    """Selector above the lines view; the AER ranking beside it (Transformer models only)."""

    def __init__(self, lines: AlignmentView, state: HeadState, parent=None) -> None:
        super().__init__(parent)
        named(self, "headAlignmentPanel")
        self.lines, self._state = lines, state
        self._tr: Translation | None = None
        self._view: View | None = None
        self.selector = HeadSelector(state, "alignmentHeadSelector")
        self.shown_label = named(QLabel(), "alignmentHeadLabel")
        self.ranking = HeadAerTable()
        self.ranking.headClicked.connect(state.set_choice)
        top = QHBoxLayout()
        top.addWidget(self.shown_label, 1)
        top.addWidget(self.selector)
        self._split = QSplitter(Qt.Orientation.Horizontal)
        self._split.addWidget(lines)
        self._split.addWidget(self.ranking)
        self._split.setStretchFactor(0, 3)
        self._split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self._split, 1)
        lines.gold_edit.textChanged.connect(self._rank)
        lines.method_combo.currentIndexChanged.connect(self._rank)
        lines.threshold_spin.valueChanged.connect(self._rank_if_threshold)
        state.changed.connect(self._on_choice)
        self._show_heads(False)

    def set_translation(self, tr: Translation | None, view: View | None = None) -> None:
        """Show ``tr``'s chosen head; ``view`` turns a translation into what is shown (e.g.
        words) and is applied to every head before it is drawn or scored."""
        self._tr, self._view = tr, view
        self._show_heads(has_heads(tr))
        self._on_choice()

    def clear(self) -> None:
        self._tr = None
        self.lines.clear()
        self._show_heads(False)

    def _show_heads(self, on: bool) -> None:
        for w in (self.selector, self.shown_label, self.ranking):
            w.setVisible(on)

    def _shown(self, tr: Translation) -> Translation:
        return self._view(tr) if self._view else tr

    @Slot()
    def _on_choice(self, *_args) -> None:
        tr = self._tr
        if tr is None or not tr.target_tokens:
            self.lines.clear()
            return
        choice = self._state.choice if has_heads(tr) else None
        self.lines.set_translation(self._shown(with_choice(tr, choice)))
        if choice is not None:
            self.shown_label.setText(f"Lines and AER of <b>{choice.label}</b>")
        self._rank()

    @Slot()
    def _rank_if_threshold(self, *_args) -> None:
        if self.lines.method == "threshold":
            self._rank()

    @Slot()
    def _rank(self, *_args) -> None:
        """Rank every head against the gold text, if there is a valid one."""
        tr, text = self._tr, self.lines.gold_edit.text().strip()
        if tr is None or not has_heads(tr) or not text:
            self.ranking.clear()
            return
        shown = self._shown(tr)
        try:
            gold = parse_pharaoh(text)
            check_bounds(gold, word_count(shown.source_tokens), word_count(shown.target_tokens))
        except AlignmentError as exc:
            self.ranking.clear(f"Cannot rank the heads: {exc.reason}")
            return
        counts = head_aer_counts(tr, gold, self.lines.method, self.lines.threshold, self._view)
        self.ranking.set_ranking(rank_heads(counts), self.lines.method_combo.currentText())
        self.ranking.mark(self._state.choice)
