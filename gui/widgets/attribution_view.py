"""Attention or evidence? The shown hypothesis's attention beside a gradient attribution.

Why it exists: attention shows where the model looked, not what the output depended on. This
view puts the two matrices side by side on one 0..1 scale (attention rows and normalised
attribution rows both sum to 1) and lists, per target token, how far they agree: the Spearman
rank correlation of the two rows and whether both put most weight on the same source word.

The view only asks (``attributionRequested(method)``, ``cancelRequested``) and shows
(``show_result`` with a ``core.inspection.attribution.Attribution``); the computation runs in
core on the session's worker thread, started by the owner. It keeps the hypothesis and the result
in the model's pieces and shows them in words while ``set_words(True)`` (the window's switch).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.inspection.attribution_methods import LABELS, METHODS
from core.inspection.word_merge import WordTranslation, in_view
from gui.widgets.attention_heatmap import COLORBAR_ROOM, AttentionHeatmap
from gui.widgets.column import column
from gui.widgets.naming import named

NO_TRANSLATION = "Translate a sentence to compare its attention with gradient attribution."
PRESS_ATTRIBUTE = "Choose a method and press Attribute."
TABLE_HEADERS = [
    "Target",
    "Rank correlation",
    "Same top word",
    "Attention's top",
    "Attribution's top",
]
EXPLANATION = (
    "Attribution: how much each source word's embedding moved the log-probability "
    "of the output word (|value|, each row sums to 1). Rank correlation: Spearman's "
    "rho between the attention row and the attribution row."
)


TABLE_ROWS_KEPT = 2  # the agreement table's rows in view when the maps need the room


def format_rho(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


def sentence_summary(
    agreement, completeness_error: float | None = None, steps: int | None = None
) -> str:
    """The sentence-level line: mean rank correlation, top-1 match rate, IG's completeness."""
    rho = agreement.mean_rank_correlation
    rate = agreement.top_match_rate
    text = (
        f"Sentence: mean rank correlation {format_rho(rho)}, same top word for "
        f"{0 if rate is None else round(rate * len(agreement.tokens))} of "
        f"{len(agreement.tokens)} target tokens"
        f" ({0.0 if rate is None else rate:.0%})"
    )
    if completeness_error is not None:
        text += f"; completeness error {completeness_error:.1%} with {steps} steps"
    return text


class AttributionHeatmap(AttentionHeatmap):
    """The heatmap with attribution's words: a row *depends on* its source words, not "attends
    to" them (the selection line is the only text that differs)."""

    def _describe_selection(self, cells: list[tuple[int, int]]) -> str:
        text = super()._describe_selection(cells)
        return text.replace("” attends to:", "” depends on:").replace(
            "” is attended by:", "” matters for:"
        )


class AttributionView(QWidget):
    attributionRequested = Signal(str)  # method name (core.inspection.attribution_methods)
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "attributionView")
        self._tr = None  # the hypothesis, in pieces for a subword model
        self._result = None  # its attribution, in the same tokens
        self._words = False
        self.method_combo = named(QComboBox(), "attributionMethodCombo")
        for m in METHODS:
            self.method_combo.addItem(LABELS[m], m)
        self.method_combo.setCurrentIndex(METHODS.index("integrated-gradients"))
        self.run_button = named(QPushButton("Attribute"), "attributeButton")
        self.run_button.setEnabled(False)
        self.run_button.clicked.connect(self.request)
        self.cancel_button = named(QPushButton("Cancel"), "cancelAttributionButton")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.progress = named(QProgressBar(), "attributionProgress")
        self.progress.setVisible(False)
        self.summary = named(QLabel(NO_TRANSLATION), "attributionSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.attention_heatmap = named(
            AttentionHeatmap(placeholder=NO_TRANSLATION), "attributionAttentionHeatmap"
        )
        self.attribution_heatmap = named(
            AttributionHeatmap(bar_label="attention · attribution", placeholder=PRESS_ATTRIBUTE),
            "attributionHeatmap",
        )
        # one colour bar for both (one 0..1 scale) and one scroll position: side by side the
        # maps rarely have the room their labels need, so each keeps the width a bar would take
        # and scrolling one shows the same cells in the other
        self.attention_heatmap.set_colorbar_visible(False)
        self.attention_heatmap.follow_scrolling(self.attribution_heatmap)
        self.table = named(QTableWidget(0, len(TABLE_HEADERS)), "attributionAgreementTable")
        self.table.setHorizontalHeaderLabels(TABLE_HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.currentCellChanged.connect(lambda row, *_: self._select_row(row))

        head = QHBoxLayout()
        head.addWidget(QLabel("Method:"))
        head.addWidget(self.method_combo)
        head.addWidget(self.run_button)
        head.addWidget(self.cancel_button)
        head.addWidget(self.progress, 1)
        head.addStretch(1)
        maps = QSplitter(Qt.Orientation.Horizontal)
        maps.addWidget(column("Attention (where the model looked)", (self.attention_heatmap, 1)))
        maps.addWidget(
            column("Attribution (what the output depended on)", (self.attribution_heatmap, 1))
        )
        self.maps = named(maps, "attributionMaps")
        self._explanation = QLabel(EXPLANATION)
        self._explanation.setWordWrap(True)
        self._bottom = column(self.summary, (self.table, 1), self._explanation)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(maps)
        split.addWidget(self._bottom)
        self.split = named(split, "attributionSplit")
        self._moved = {"maps": False, "split": False}  # a handle the user dragged stays put
        maps.splitterMoved.connect(lambda *_: self._moved.update(maps=True))
        split.splitterMoved.connect(lambda *_: self._moved.update(split=True))
        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addWidget(split, 1)

    # ------------------------------------------------------------------ room
    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._arrange()

    def showEvent(self, ev) -> None:
        super().showEvent(ev)
        self._arrange()

    def _arrange(self) -> None:
        """Room for the matrices first: equally wide (the right one also holds the shared colour
        bar), as tall as their rows need while the table keeps ``TABLE_ROWS_KEPT`` rows; the rest,
        if any, to the table."""
        if not self._moved["maps"]:
            room = self.maps.width() - self.maps.handleWidth()
            if room > COLORBAR_ROOM:
                half = (room - COLORBAR_ROOM) // 2
                self.maps.setSizes([half, room - half])
        total = self.split.height() - self.split.handleWidth()
        if self._moved["split"] or total <= 0:
            return
        maps_h = max(total - self._table_part_height(), 0)
        need = self.attribution_heatmap.height_for_whole_matrix()
        if need is not None:
            caption = self.maps.height() - self.attribution_heatmap.height()
            maps_h = min(maps_h, need + max(caption, 0))
        self.split.setSizes([maps_h, total - maps_h])

    def _table_part_height(self) -> int:
        """The summary, ``TABLE_ROWS_KEPT`` rows of the table and the explanation."""
        t, width = self.table, max(self._bottom.width(), 200)
        rows = t.horizontalHeader().sizeHint().height() + 2 * t.frameWidth()
        rows += TABLE_ROWS_KEPT * t.verticalHeader().defaultSectionSize()
        words = self.summary.heightForWidth(width) + self._explanation.heightForWidth(width)
        return rows + words + 2 * max(self._bottom.layout().spacing(), 0)

    # ------------------------------------------------------------------ asking
    @property
    def method(self) -> str:
        return str(self.method_combo.currentData())

    def set_method(self, method: str) -> None:
        self.method_combo.setCurrentIndex(METHODS.index(method))

    @property
    def translation(self):
        return self._tr

    def request(self) -> None:
        if self._tr is not None:
            self.attributionRequested.emit(self.method)

    def busy(self, on: bool) -> None:
        self.run_button.setEnabled(not on and self._tr is not None)
        self.cancel_button.setEnabled(on)
        self.progress.setVisible(on)
        if on:
            self.progress.setRange(0, 0)
            self.summary.setText(f"Computing {LABELS[self.method].lower()}…")

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def cancelled(self) -> None:
        self.busy(False)
        self.summary.setText("Cancelled. " + PRESS_ATTRIBUTE)

    # ------------------------------------------------------------------ showing
    def set_words(self, on: bool) -> None:
        """Show pieces merged into words (on) or as the model reads them."""
        if on == self._words:
            return
        self._words = on
        if self._result is not None:
            self._show(self._result)
        elif self._tr is not None:
            self.attention_heatmap.set_translation(in_view(self._tr, on))

    def set_translation(self, tr) -> None:
        """A newly shown hypothesis: its attention now, attribution when asked for."""
        if isinstance(tr, WordTranslation):
            tr = tr.pieces  # attribution reads the model's own tokens
        self._tr, self._result = tr, None
        self.attention_heatmap.set_translation(in_view(tr, self._words))
        self.attribution_heatmap.clear()
        self.table.setRowCount(0)
        self.summary.setText(PRESS_ATTRIBUTE)
        self.run_button.setEnabled(True)
        self._arrange()

    @property
    def result(self):
        return self._result

    def show_result(self, a) -> None:
        """Show an ``Attribution``: both matrices from the same forced decoding, the table."""
        self.busy(False)
        self._result = a
        self._show(a)

    def _show(self, a) -> None:
        shown = in_view(self._tr, self._words)
        if self._words:  # the result is in pieces, as the hypothesis it explains
            from core.inspection.attribution import in_words  # loaded by the result's job

            a = in_words(a)
        probs = None if shown is None else shown.token_probs
        self.attention_heatmap.set_matrix(a.attention, a.source_tokens, a.target_tokens, probs)
        self.attribution_heatmap.set_matrix(
            a.normalised, a.source_tokens, a.target_tokens, probs, meta={"method": a.method}
        )
        self.table.setRowCount(len(a.target_tokens))
        for i, (tok, ag) in enumerate(zip(a.target_tokens, a.agreement.tokens)):
            cells = [
                tok,
                format_rho(ag.rank_correlation),
                "yes" if ag.same_top else "no",
                a.source_tokens[ag.attention_top],
                a.source_tokens[ag.attribution_top],
            ]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j in (1, 2):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(i, j, item)
        self.summary.setText(sentence_summary(a.agreement, a.completeness_error, a.steps))
        self._arrange()

    def clear(self) -> None:
        self._tr = self._result = None
        self.attention_heatmap.clear()
        self.attribution_heatmap.clear()
        self.table.setRowCount(0)
        self.summary.setText(NO_TRANSLATION)
        self.busy(False)
        self.run_button.setEnabled(False)

    def _select_row(self, row: int) -> None:
        if row >= 0:
            self.attention_heatmap.select(row, None)
            self.attribution_heatmap.select(row, None)
