"""Attention statistics beside the heatmap: per target token its probability, entropy, peak weight
and the source word it looks at most; per source token its coverage, with under- and over-attended
words marked. The numbers come from ``core.inspection.attention_stats``; this widget only shows and
exports.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.errors import CoreError
from core.events import Translation
from core.inspection.attention_stats import (
    OVER_ATTENDED,
    UNDER_ATTENDED,
    AttentionStats,
    attention_stats,
    write_stats_csv,
    write_stats_json,
)
from gui.widgets.column import column
from gui.widgets.naming import named as _named
from gui.widgets.save_file import ask_save_path, remember_folder, report_failure

FLAG_COLOURS = {UNDER_ATTENDED: QColor(255, 214, 153), OVER_ATTENDED: QColor(214, 196, 255)}
EXPORT_FILTERS = {"csv": "CSV table (*.csv)", "json": "JSON (*.json)"}
TARGET_COLUMNS = ("Target", "p", "Entropy", "Peak", "Looks at")
TARGET_TIPS = (
    "The output token",
    "The model's probability of this token",
    (
        "Attention entropy in nats: 0 = looks at one source word only; "
        "ln(n) = spread evenly over n words"
    ),
    "The largest attention weight in this token's row",
    "The source token holding that largest weight",
)
SOURCE_COLUMNS = ("Source", "Coverage", "Flag")
SOURCE_TIPS = (
    "The input token",
    (
        "Total attention this token received over the whole output (the column sum); "
        "about 1 for a word translated once"
    ),
    (
        "under-attended: coverage below the lower limit (maybe left untranslated); "
        "over-attended: above the upper limit (maybe translated twice)"
    ),
)


def _table(name: str, headers: tuple[str, ...], tips: tuple[str, ...]) -> QTableWidget:
    t = _named(QTableWidget(0, len(headers)), name)
    t.setHorizontalHeaderLabels(list(headers))
    for i, tip in enumerate(tips):
        t.horizontalHeaderItem(i).setToolTip(tip)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 6)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setAlternatingRowColors(True)
    head = t.horizontalHeader()
    head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    head.setMinimumSectionSize(36)
    return t


def _text_item(text: str, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(tip or text)
    return item


def _number_item(value: float, digits: int = 2) -> QTableWidgetItem:
    item = QTableWidgetItem(f"{value:.{digits}f}")
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    item.setToolTip(repr(float(value)))
    return item


class AttentionStatsView(QWidget):
    """Two tables (target tokens, source tokens) and an Export… button.

    ``settings`` and ``errors`` are the app's (for the export folder and failure dialogs); both
    may be None in a bare widget. Selecting a row emits the token's index so the owner can
    highlight the same token in the heatmap.
    """

    targetTokenSelected = Signal(int)
    sourceTokenSelected = Signal(int)
    exported = Signal(str)  # the path written

    def __init__(self, settings=None, errors=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _named(self, "attentionStatsView")
        self._settings = settings
        self._errors = errors
        self._stats: AttentionStats | None = None

        self.target_table = _table("targetStatsTable", TARGET_COLUMNS, TARGET_TIPS)
        self.source_table = _table("sourceStatsTable", SOURCE_COLUMNS, SOURCE_TIPS)
        self.summary_label = _named(QLabel(), "attentionStatsSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.export_button = _named(QPushButton("Export…"), "exportStatsButton")
        self.export_button.setToolTip("Save these statistics as CSV or JSON")
        self.export_button.clicked.connect(self._on_export_clicked)
        self.target_table.currentCellChanged.connect(self._on_target_row)
        self.source_table.currentCellChanged.connect(self._on_source_row)

        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(column("Per target token:", (self.target_table, 1)))
        split.addWidget(
            column("Per source token (coverage = attention received):", (self.source_table, 1))
        )
        foot = QHBoxLayout()
        foot.addWidget(self.summary_label, 1)
        foot.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split, 1)
        lay.addLayout(foot)
        self.clear()

    # ------------------------------------------------------------------ content
    @property
    def stats(self) -> AttentionStats | None:
        return self._stats

    @Slot(object)
    def set_translation(
        self, tr: Translation | None, under: float = 0.5, over: float = 1.5
    ) -> None:
        """Show the statistics of ``tr`` (None or an empty output clears the view)."""
        if tr is None or not tr.target_tokens:
            self.clear()
            return
        self.set_stats(attention_stats(tr, under, over))

    def set_stats(self, stats: AttentionStats) -> None:
        self._stats = stats
        self._fill_target(stats)
        self._fill_source(stats)
        self.summary_label.setText(self._summary(stats))
        self.export_button.setEnabled(True)

    @Slot()
    def clear(self) -> None:
        self._stats = None
        self.target_table.setRowCount(0)
        self.source_table.setRowCount(0)
        self.summary_label.setText("No translation yet.")
        self.export_button.setEnabled(False)

    @Slot(int, int, int, int)
    def _on_target_row(self, row: int, *_: int) -> None:
        if row >= 0:
            self.targetTokenSelected.emit(row)

    @Slot(int, int, int, int)
    def _on_source_row(self, row: int, *_: int) -> None:
        if row >= 0:
            self.sourceTokenSelected.emit(row)

    def flagged_rows(self) -> dict[int, str]:
        """Source rows shown as flagged: index → flag text (what the Flag column says)."""
        out = {}
        for r in range(self.source_table.rowCount()):
            text = self.source_table.item(r, 2).text()
            if text:
                out[r] = text
        return out

    def _fill_target(self, s: AttentionStats) -> None:
        t = self.target_table
        t.setRowCount(len(s.target_tokens))
        for i, tok in enumerate(s.target_tokens):
            j = int(s.peak_source[i])
            src = s.source_tokens[j] if j < len(s.source_tokens) else ""
            t.setItem(i, 0, _text_item(tok, f"{i}: {tok}"))
            t.setItem(i, 1, _number_item(s.token_probs[i]))
            t.setItem(i, 2, _number_item(s.entropy[i]))
            t.setItem(i, 3, _number_item(s.peak[i]))
            t.setItem(i, 4, _text_item(src, f"source token {j}: {src} ({s.peak[i]:.3f})"))

    def _fill_source(self, s: AttentionStats) -> None:
        t = self.source_table
        t.setRowCount(len(s.source_tokens))
        bold = QFont(t.font())
        bold.setBold(True)
        for j, tok in enumerate(s.source_tokens):
            flag = s.flag(j)
            items = [
                _text_item(tok, f"{j}: {tok}"),
                _number_item(s.coverage[j]),
                _text_item(flag, flag or "within the limits"),
            ]
            for c, item in enumerate(items):
                if flag:
                    item.setBackground(QBrush(FLAG_COLOURS[flag]))
                    item.setForeground(QBrush(QColor(20, 20, 20)))
                    item.setFont(bold)
                t.setItem(j, c, item)

    @staticmethod
    def _summary(s: AttentionStats) -> str:
        limits = html.escape(f"coverage < {s.under_threshold:g} or > {s.over_threshold:g}")
        if not s.under and not s.over:
            return f"No source word flagged ({limits})."
        parts = [f"<b>{html.escape(s.source_tokens[j])}</b> under" for j in s.under]
        parts += [f"<b>{html.escape(s.source_tokens[j])}</b> over" for j in s.over]
        return f"Flagged ({limits}): " + ", ".join(parts) + "."

    # ------------------------------------------------------------------ export
    @Slot()
    def _on_export_clicked(self) -> None:
        path = ask_save_path(
            self,
            self._settings,
            "Export attention statistics",
            "attention-stats.csv",
            EXPORT_FILTERS,
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str | Path) -> bool:
        """Write CSV or JSON by the file's suffix; a failure is reported, never raised."""
        try:
            if self._stats is None:
                raise ValueError("there is no translation to export yet")
            suffix = Path(path).suffix.lower()
            if suffix == ".csv":
                write_stats_csv(self._stats, path)
            elif suffix == ".json":
                write_stats_json(self._stats, path)
            else:
                raise ValueError(
                    f"{Path(path).name}: unknown export format {suffix!r}; use .csv or .json"
                )
        except (OSError, ValueError, CoreError) as exc:
            report_failure(self, self._errors, "Export failed", exc)
            return False
        remember_folder(self._settings, path)
        self.exported.emit(str(path))
        return True
