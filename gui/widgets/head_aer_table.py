"""Which head aligns? Every head, each layer's mean and the mean over all, ranked by AER against
the gold alignment pasted into the alignment view.

Why here and computed this way: the ranking reads hard links off each head exactly as the lines
view does (same method, same threshold, ``core.inspection.heads.head_aer_counts``), so the top
row's AER is the AER the alignment view shows once that head is chosen. Clicking a row chooses
that head for every view.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.inspection.heads import HeadAer, HeadChoice
from gui.widgets.naming import named
from gui.widgets.read_only_table import read_only_table

COLUMNS = ("Rank", "Head", "AER", "Precision", "Recall")
NO_GOLD = "Paste this sentence's gold alignment below (Gold:) to rank every head by AER."
BEST_COLOUR = "#d8f5d0"


class HeadAerTable(QWidget):
    """The ranking, best first; the chosen head's row is selected."""

    headClicked = Signal(object)  # HeadChoice

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "headAerTable")
        self._rows: list[HeadAer] = []
        self.caption = named(QLabel(NO_GOLD), "headAerCaption")
        self.caption.setWordWrap(True)
        self.table = read_only_table(COLUMNS, "headAerRanking", stretch=1)
        self.table.cellClicked.connect(self._on_clicked)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.caption)
        lay.addWidget(self.table, 1)

    def set_ranking(self, rows: list[HeadAer], method_label: str) -> None:
        """Show ``rows`` (already ranked, best first)."""
        self._rows = list(rows)
        self.table.setRowCount(len(rows))
        best = rows[0].aer if rows else None
        for i, r in enumerate(rows):
            c = r.counts
            cells = (
                str(i + 1),
                r.choice.label,
                f"{r.aer:.3f}",
                f"{c.precision:.2f}",
                f"{c.recall:.2f}",
            )
            tip = (
                f"{r.choice.label}: {c.a_and_s} of {c.s} sure links found; {c.a} links "
                f"predicted, {c.a_and_p} of them allowed by the gold"
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                if col != 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if best is not None and abs(r.aer - best) < 1e-12:
                    item.setBackground(QBrush(QColor(BEST_COLOUR)))
                self.table.setItem(i, col, item)
        if rows:
            n_best = sum(1 for r in rows if abs(r.aer - rows[0].aer) < 1e-12)
            tied = f" ({n_best} tied)" if n_best > 1 else ""
            self.caption.setText(
                f"Heads ranked by AER against the gold, hard links by {method_label}: best is "
                f"{rows[0].choice.label}, AER {rows[0].aer:.3f}{tied}. Click a row to show it."
            )

    def clear(self, message: str = NO_GOLD) -> None:
        self._rows = []
        self.table.setRowCount(0)
        self.caption.setText(message)

    @Slot(int, int)
    def _on_clicked(self, row: int, _col: int) -> None:
        if 0 <= row < len(self._rows):
            self.headClicked.emit(self._rows[row].choice)

    @Slot(object)
    def mark(self, choice: HeadChoice | None) -> None:
        rows = [i for i, r in enumerate(self._rows) if r.choice == choice]
        with QSignalBlocker(self.table):
            if rows:
                self.table.selectRow(rows[0])
            else:
                self.table.clearSelection()

    @property
    def ranking(self) -> list[HeadAer]:
        return list(self._rows)
