"""The dev set browser's table: a model of (source, reference, translation, chrF, agreement) rows
and a proxy that sorts numbers as numbers and filters on the text columns.

Why a model and not a QTableWidget: a dev set has up to thousands of rows; a model hands the view
only what it draws, and sorting by a role (SORT_ROLE) keeps "10" after "9" and chrF numeric.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

COLUMNS = ("#", "chrF", "source", "reference", "translation", "agreement")
COL_INDEX, COL_CHRF, COL_SOURCE, COL_REFERENCE, COL_TRANSLATION, COL_AGREEMENT = range(6)
TEXT_COLUMNS = (COL_SOURCE, COL_REFERENCE, COL_TRANSLATION)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1

ModelIndex = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


@dataclass(frozen=True)
class TableRow:
    index: int  # 0-based position in the dev set
    source: str
    reference: str
    translation: str | None = None  # None until the dev set is translated
    chrf: float | None = None
    agreement: float | None = None  # attention vs attribution: mean rank correlation
    top_match: float | None = None  # ... and the share of target tokens with the same top word


def agreement_text(row: TableRow) -> str:
    if row.agreement is None:
        return "" if row.top_match is None else f"– ({row.top_match:.0%})"
    return f"{row.agreement:+.2f} ({0.0 if row.top_match is None else row.top_match:.0%})"


def chrf_colour(chrf: float) -> QColor:
    """A light tint from red (0) through yellow to green (100), so weak sentences stand out."""
    hue = max(0.0, min(1.0, chrf / 100.0)) * 120.0 / 360.0
    return QColor.fromHslF(hue, 0.65, 0.86)


class DevTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[TableRow] = []

    def set_rows(self, rows: Sequence[TableRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> TableRow:
        return self._rows[row]

    @property
    def rows(self) -> list[TableRow]:
        return list(self._rows)

    def rowCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return {
                COL_CHRF: "sentence-level chrF of the translation against the reference "
                "(0–100); click to sort",
                COL_AGREEMENT: "attention vs gradient attribution for the translation: mean "
                "rank correlation over its target tokens (-1..1) and, in "
                "brackets, how many have the same top source word; low "
                "values: attention may mislead here. Click to sort",
            }.get(section, "click to sort")
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_INDEX:
                return str(r.index + 1)
            if col == COL_CHRF:
                return "" if r.chrf is None else f"{r.chrf:.1f}"
            if col == COL_AGREEMENT:
                return agreement_text(r)
            return (r.source, r.reference, r.translation or "")[col - COL_SOURCE]
        if role == SORT_ROLE:
            if col == COL_INDEX:
                return r.index
            if col == COL_CHRF:
                return -1.0 if r.chrf is None else r.chrf
            if col == COL_AGREEMENT:  # unknown sorts after every number, ascending
                return 2.0 if r.agreement is None else r.agreement
            return (r.source, r.reference, r.translation or "")[col - COL_SOURCE].casefold()
        if role == Qt.ItemDataRole.ToolTipRole and col in TEXT_COLUMNS:
            return (r.source, r.reference, r.translation or "")[col - COL_SOURCE] or None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (
            COL_INDEX,
            COL_CHRF,
            COL_AGREEMENT,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and col == COL_CHRF and r.chrf is not None:
            return chrf_colour(r.chrf)
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_CHRF and r.chrf is not None:
            return QColor("#111111")  # dark text on the light tint, whatever the theme
        return None


class DevFilterProxy(QSortFilterProxyModel):
    """Sorts by SORT_ROLE; keeps the rows whose source, reference or translation contain the
    filter text (case-insensitive)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._needle = ""

    def set_filter_text(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.9; invalidateFilter is deprecated
            self.beginFilterChange()
            self._needle = text.strip().casefold()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._needle = text.strip().casefold()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        if not self._needle:
            return True
        model = self.sourceModel()
        return any(
            self._needle
            in str(
                model.data(model.index(source_row, c, source_parent), Qt.ItemDataRole.DisplayRole)
            ).casefold()
            for c in TEXT_COLUMNS
        )
