"""The head grid: every layer × head of a Transformer's cross-attention as a small picture (like
bertviz's model view), with each head's entropy and the source token it attends to most.

Why pictures and not live plots: dozens of heads must draw at once and instantly, so each
thumbnail is one QImage coloured with the heatmap's own colour map and fixed 0..1 levels (a
bright cell here is a bright cell in the big heatmap). Clicking a thumbnail (or a row of the
table) chooses that head for every view through the shared ``HeadState``; the Inspector then
opens it in the heatmap.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, QSize, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.events import Translation
from core.inspection.heads import HeadChoice, HeadSummary, has_heads, summarize, with_choice
from gui.widgets.head_selector import HeadState
from gui.widgets.naming import named
from gui.widgets.read_only_table import read_only_table

THUMB = 84  # the longer side of a thumbnail, in pixels
MAX_GRID_WIDTH = 760  # wider grids (many heads) scroll sideways
COLOR_MAP = "viridis"  # the heatmap's
NO_HEADS = "The head grid shows a Transformer model's heads; this model has one attention (GRU)."
EMPTY = "Translate a sentence to see every head of every layer."
TABLE_COLUMNS = ("Head", "Entropy (nats)", "Attends most to", "Share")


def thumbnail_image(matrix: np.ndarray, size: int = THUMB) -> QImage:
    """``matrix`` (0..1) as an RGB image whose longer side is ``size`` pixels, each cell a block
    of equal pixels (nearest neighbour: no smoothing invents weights)."""
    m = np.clip(np.nan_to_num(np.asarray(matrix, dtype=np.float64)), 0.0, 1.0)
    rows, cols = max(1, m.shape[0]), max(1, m.shape[1])
    scale = size / max(rows, cols)
    h, w = max(1, round(rows * scale)), max(1, round(cols * scale))
    ri = np.minimum((np.arange(h) / scale).astype(int), rows - 1)
    ci = np.minimum((np.arange(w) / scale).astype(int), cols - 1)
    rgba = pg.colormap.get(COLOR_MAP).map(m[np.ix_(ri, ci)] if m.size else np.zeros((h, w)))
    rgb = np.ascontiguousarray(rgba[..., :3], dtype=np.uint8)
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def describe(summary: HeadSummary, more: str = "") -> str:
    """A head's tooltip, as HTML so that tokens such as ``</s>`` show as written."""
    text = (
        f"{summary.choice.label}: entropy {summary.entropy:.2f} nats; attends most to "
        f"“{html.escape(summary.top_token)}” ({summary.top_share:.0%} of its attention)"
    )
    return f"<p>{text}{'<br>' + more if more else ''}</p>"


class HeadGrid(QWidget):
    """Thumbnails of every head (rows: layers; columns: heads, then the layer's mean) and a
    table of the per-head numbers."""

    headClicked = Signal(object)  # HeadChoice

    def __init__(self, state: HeadState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "headGrid")
        self._state = state
        self._buttons: dict[HeadChoice, QToolButton] = {}
        self._summaries: list[HeadSummary] = []
        self._tr: Translation | None = None
        self.message = named(QLabel(EMPTY), "headGridMessage")
        self.message.setWordWrap(True)
        self._grid_host = QWidget()
        self._grid = QGridLayout(self._grid_host)
        self._grid.setSpacing(4)
        scroll = QScrollArea()
        scroll.setWidget(self._grid_host)
        scroll.setWidgetResizable(True)
        self.table = read_only_table(TABLE_COLUMNS, "headTable", stretch=2)
        self.table.cellClicked.connect(self._on_table_clicked)
        self._scroll = scroll
        self._split = split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(scroll)
        split.addWidget(self.table)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.message)
        lay.addWidget(split, 1)
        state.changed.connect(self._mark)

    # ------------------------------------------------------------------ content
    def set_translation(
        self, tr: Translation | None, view: Callable[[Translation], Translation] | None = None
    ) -> None:
        """Draw every head of ``tr``; ``view`` turns each head's translation into what is shown
        (e.g. merged into words), identity by default."""
        self._clear_grid()
        self._tr = tr
        if tr is None or not tr.target_tokens:
            self.message.setText(EMPTY)
            return
        if not has_heads(tr):
            self.message.setText(NO_HEADS)
            return
        n_layers, n_heads = np.asarray(tr.cross_attention).shape[:2]
        for head in range(n_heads):
            self._grid.addWidget(self._header(f"Head {head}"), 0, head + 1)
        self._grid.addWidget(self._header("Mean"), 0, n_heads + 1)
        for layer in range(n_layers):
            self._grid.addWidget(self._header(f"Layer {layer}"), layer + 1, 0)
            for head in [*range(n_heads), None]:
                choice = HeadChoice(layer, head)
                shown = with_choice(tr, choice)
                shown = view(shown) if view else shown
                summary = summarize(shown, choice)
                if head is not None:
                    self._summaries.append(summary)
                column = n_heads + 1 if head is None else head + 1
                button = self._thumbnail(summary, shown.attention)
                self._grid.addWidget(button, layer + 1, column)
        self._grid.setRowStretch(n_layers + 1, 1)
        self._grid.setColumnStretch(n_heads + 2, 1)
        self.message.setText(
            f"{n_layers} layers × {n_heads} heads of cross-attention (rows: target, columns: "
            "source; 0..1 like the heatmap). Click a head to open it in the heatmap."
        )
        self._fill_table()
        self._mark(self._state.choice)
        self._fit()

    def _fit(self) -> None:
        """The grid asks for the width its thumbnails need (a wide model scrolls beyond
        ``MAX_GRID_WIDTH``); the table takes the rest."""
        frame = self._scroll.verticalScrollBar().sizeHint().width() + 8
        want = self._grid_host.sizeHint().width() + frame
        self._scroll.setMinimumWidth(min(want, MAX_GRID_WIDTH))

    def clear(self) -> None:
        self.set_translation(None)

    def _clear_grid(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._buttons.clear()
        self._summaries = []
        self.table.setRowCount(0)

    @staticmethod
    def _header(text: str) -> QLabel:
        label = QLabel(f"<b>{text}</b>")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label

    def _thumbnail(self, summary: HeadSummary, matrix: np.ndarray) -> QToolButton:
        c = summary.choice
        button = named(QToolButton(), f"headThumb_{c.short.replace(' ', '_')}")
        button.setIcon(QPixmap.fromImage(thumbnail_image(matrix)))
        button.setIconSize(QSize(THUMB, THUMB))
        button.setCheckable(True)
        button.setAutoRaise(True)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        token = summary.top_token if len(summary.top_token) <= 10 else summary.top_token[:9] + "…"
        button.setText(f"{summary.entropy:.2f} · {token}")
        button.setToolTip(describe(summary, "Click: open it in the heatmap"))
        button.setStyleSheet("QToolButton:checked { border: 3px solid #ff40a0; }")
        button.clicked.connect(lambda _=False, choice=c: self.headClicked.emit(choice))
        self._buttons[c] = button
        return button

    def _fill_table(self) -> None:
        self.table.setRowCount(len(self._summaries))
        for row, s in enumerate(self._summaries):
            cells = (
                s.choice.short,
                f"{s.entropy:.3f}",
                s.top_token,
                f"{s.top_share:.0%}",
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(describe(s))
                if col != 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, col, item)

    # ------------------------------------------------------------------ choosing
    @Slot(int, int)
    def _on_table_clicked(self, row: int, _col: int) -> None:
        if 0 <= row < len(self._summaries):
            self.headClicked.emit(self._summaries[row].choice)

    @Slot(object)
    def _mark(self, choice: HeadChoice | None) -> None:
        """Outline the chosen head's thumbnail and select its table row."""
        for c, button in self._buttons.items():
            with QSignalBlocker(button):
                button.setChecked(c == choice)
        rows = [i for i, s in enumerate(self._summaries) if s.choice == choice]
        with QSignalBlocker(self.table):
            if rows:
                self.table.selectRow(rows[0])
            else:
                self.table.clearSelection()

    # ------------------------------------------------------------------ for tests and tools
    @property
    def summaries(self) -> list[HeadSummary]:
        return list(self._summaries)

    def button(self, choice: HeadChoice) -> QToolButton | None:
        return self._buttons.get(choice)

    @property
    def translation(self) -> Translation | None:
        return self._tr
