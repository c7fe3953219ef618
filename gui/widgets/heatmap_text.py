"""What the heatmap says: the hover and selection lines, the empty-state hint, and the
selection they describe (which cells it outlines, where the arrow keys move it).

Kept apart from the widget (``gui.widgets.attention_heatmap``) so the wording and the choice of
outlined cells are pure functions over the weights and tokens, readable without a plot.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

Cell = tuple[int, int]

NAV_KEYS = (
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_Left,
    Qt.Key.Key_Right,
    Qt.Key.Key_Escape,
)


def cell_text(
    weights: np.ndarray,
    src: Sequence[str],
    tgt: Sequence[str],
    probs: np.ndarray | None,
    signed: bool,
    row: int,
    col: int,
) -> str:
    """``target ← source: weight`` plus the target token's probability (signed for differences)."""
    value = float(weights[row, col])
    text = f"{tgt[row]} ← {src[col]}: " + (f"{value:+.3f}" if signed else f"{value:.3f}")
    if probs is not None and row < len(probs):
        text += f"   (p({tgt[row]}) = {float(probs[row]):.3f})"
    return text


def _strong(line: np.ndarray) -> list[int]:
    """Indices with at least half the line's largest weight (none when nothing is positive)."""
    peak = float(line.max()) if line.size else 0.0
    return [int(i) for i in np.flatnonzero(line >= 0.5 * peak)] if peak > 0 else []


def attended_cells(weights: np.ndarray, row: int | None, col: int | None) -> list[Cell]:
    """Cells to outline: in a row (or column), those with at least half the largest weight."""
    if row is not None and col is None:
        return [(row, c) for c in _strong(weights[row])]
    if col is not None and row is None:
        return [(r, col) for r in _strong(weights[:, col])]
    if row is not None and col is not None:
        return [(row, col)]
    return []


def describe_selection(
    weights: np.ndarray,
    src: Sequence[str],
    tgt: Sequence[str],
    row: int | None,
    col: int | None,
    cells: list[Cell],
) -> str:
    """The line under the heatmap for a selected row or column (strongest first); a selected
    cell is described by ``cell_text`` instead, so this returns "" for it and for no selection."""
    parts = sorted(cells, key=lambda rc: -weights[rc])
    if row is not None and col is None:
        words = ", ".join(f"{src[c]} ({weights[r, c]:.2f})" for r, c in parts)
        return f"“{tgt[row]}” attends to: {words}"
    if col is not None and row is None:
        words = ", ".join(f"{tgt[r]} ({weights[r, c]:.2f})" for r, c in parts)
        return f"“{src[col]}” is attended by: {words}"
    return ""


def step(key: Qt.Key, row: int | None, col: int | None) -> tuple[int | None, int | None]:
    """Where an arrow key moves the selection: Up/Down the row, Left/Right the column; an axis
    with nothing selected starts at 0. The caller clamps to the matrix."""
    if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
        return (0 if row is None else row + (-1 if key == Qt.Key.Key_Up else 1)), col
    return row, (0 if col is None else col + (-1 if key == Qt.Key.Key_Left else 1))


def text_labels() -> tuple[QLabel, QLabel]:
    """The hover line (selectable, to copy a token) and the wrapping selection line; both may
    shrink below their text so a long sentence never widens the heatmap."""
    hover = QLabel(" ")
    hover.setObjectName("attentionHoverLabel")
    hover.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    selection = QLabel(" ")
    selection.setObjectName("attentionSelectionLabel")
    selection.setWordWrap(True)
    for lab in (hover, selection):
        lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return hover, selection


class HintCover(QLabel):
    """Before the first matrix the hint stands alone: an opaque cover over the whole widget hides
    the bare 0..1 axes and the empty colour bar. A cover rather than a page swap, so the plot is
    polished and shown from the start and the first matrix (a probe during training) costs no
    first-show layout on the GUI thread."""

    def __init__(self, text: str, parent: QWidget) -> None:
        super().__init__(text, parent)
        self.setObjectName("attentionHintLabel")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAutoFillBackground(True)
        self.setStyleSheet("QLabel { color: #555555; padding: 12px; }")

    def cover(self) -> None:
        """Show over the whole parent, on top of the plot."""
        self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()
