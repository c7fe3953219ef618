"""The heatmap's parts that know about tokens: the image that reports the cell under the mouse,
the axes whose tick labels are tokens, and where those labels go.

Why its own module: how labels get room (elided with a visible "…", staggered between the top
and the bottom axis when a sentence is long, the plot grown until every label fits) is a layout
rule of its own, tested on its own, apart from the widget's selection and export logic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics

MAX_LABEL_CHARS = 14  # longer tokens are elided on the axis (full text on hover)
SINGLE_ROW_MAX_WIDTH = 900  # beyond this, source labels alternate between top and bottom


def elide_token(token: str, limit: int = MAX_LABEL_CHARS) -> str:
    """Shorten a token for an axis label, visibly (a trailing "…"), never silently."""
    return token if len(token) <= limit else token[: limit - 1] + "…"


class AttentionImage(pg.ImageItem):
    """An ImageItem that reports the cell under the mouse and the cell clicked.

    Event positions are in item (pixel) coordinates: column = floor(x), row = floor(y).
    """

    cellHovered = Signal(int, int)  # (row, col); (-1, -1) when the mouse leaves
    cellClicked = Signal(int, int)

    def _cell(self, pos) -> tuple[int, int] | None:
        if self.image is None:
            return None
        rows, cols = self.image.shape[:2]
        r, c = int(math.floor(pos.y())), int(math.floor(pos.x()))
        if 0 <= r < rows and 0 <= c < cols:
            return r, c
        return None

    def hoverEvent(self, ev) -> None:
        if ev.isExit():
            self.cellHovered.emit(-1, -1)
            return
        cell = self._cell(ev.pos())
        self.cellHovered.emit(*(cell or (-1, -1)))

    def mouseClickEvent(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        cell = self._cell(ev.pos())
        if cell is not None:
            ev.accept()
            self.cellClicked.emit(*cell)


class TokenAxis(pg.AxisItem):
    """An axis whose tick labels are tokens; clicking a label reports the token's index."""

    tokenClicked = Signal(int)

    def mouseClickEvent(self, ev) -> None:
        view = self.linkedView()
        if view is None or ev.button() != Qt.MouseButton.LeftButton:
            return
        p = view.mapSceneToView(ev.scenePos())
        value = p.y() if self.orientation in ("left", "right") else p.x()
        ev.accept()
        self.tokenClicked.emit(int(round(value)))

    def mouseDragEvent(self, ev) -> None:  # no panning from the axis
        ev.ignore()

    def wheelEvent(self, ev) -> None:
        ev.ignore()

    def labels(self) -> list[tuple[float, str]]:
        """The (position, label) pairs currently set on this axis."""
        levels = getattr(self, "_tickLevels", None) or []
        return [tick for level in levels for tick in level]


@dataclass(frozen=True)
class TickLayout:
    """Where every token label goes, and how big the plot must be so that each has room."""

    top: list[tuple[int, str]]  # (source index, label) above the matrix
    bottom: list[tuple[int, str]]  # the staggered half below it (empty for short sentences)
    left: list[tuple[int, str]]  # (target index, label)
    left_width: int
    axis_height: int
    min_width: int
    min_height: int
    staggered: bool  # source labels alternate between the top and bottom axes


def single_row_limit(viewport_width: int | None, tgt: Sequence[str], fm: QFontMetrics) -> int:
    """How wide one row of source labels may be: the visible width beside the target labels (so
    a sentence that would need a scroll bar staggers its labels instead), never more than
    ``SINGLE_ROW_MAX_WIDTH``; a hidden widget (``viewport_width`` None) gets the most."""
    if viewport_width is None:
        return SINGLE_ROW_MAX_WIDTH
    tgt_w = max(fm.horizontalAdvance(elide_token(t)) for t in tgt)
    return max(240, min(SINGLE_ROW_MAX_WIDTH, viewport_width - tgt_w - 60))


def layout_ticks(
    src: Sequence[str],
    tgt: Sequence[str],
    fm: QFontMetrics,
    single_row_limit: int = SINGLE_ROW_MAX_WIDTH,
) -> TickLayout:
    """Give every label room: a column as wide as the widest source label, staggered over two
    axes when one row would be wider than ``single_row_limit`` (the visible width, at most
    ``SINGLE_ROW_MAX_WIDTH``), so a sentence that would need a scroll bar staggers instead."""
    src_labels = [elide_token(t) for t in src]
    tgt_labels = [elide_token(t) for t in tgt]
    src_w = max(fm.horizontalAdvance(s) for s in src_labels)
    tgt_w = max(fm.horizontalAdvance(s) for s in tgt_labels)
    cols, rows = len(src_labels), len(tgt_labels)

    col_w = max(26, src_w + 12)
    stagger = cols > 1 and cols * col_w > single_row_limit
    if stagger:
        col_w = max(22, math.ceil((src_w + 14) / 2))
        top = [(i, s) for i, s in enumerate(src_labels) if i % 2 == 0]
        bottom = [(i, s) for i, s in enumerate(src_labels) if i % 2 == 1]
    else:
        top, bottom = list(enumerate(src_labels)), []
    row_h = max(20, fm.height() + 5)
    axis_h = fm.height() + 10
    left_w = tgt_w + 16
    # Half a label can stick out past the first/last column; leave margin for it.
    overhang = max(0, src_w // 2 - col_w // 2) + 8
    min_w = left_w + cols * col_w + overhang + 24
    min_h = axis_h * (2 if bottom else 1) + rows * row_h + 16
    return TickLayout(
        top, bottom, list(enumerate(tgt_labels)), left_w, axis_h, int(min_w), int(min_h), stagger
    )


def apply_ticks(axes: dict[str, TokenAxis], plot: pg.PlotItem, ticks: TickLayout) -> None:
    """Put a ``TickLayout`` on the plot's token axes (``left``, ``top``, ``bottom``): labels,
    the left axis's width, the axis heights, and the bottom axis only when it holds labels."""
    axes["top"].setTicks([ticks.top])
    axes["bottom"].setTicks([ticks.bottom])
    axes["left"].setTicks([ticks.left])
    plot.showAxis("bottom", bool(ticks.bottom))
    axes["left"].setWidth(ticks.left_width)
    axes["top"].setHeight(ticks.axis_height)
    axes["bottom"].setHeight(ticks.axis_height if ticks.bottom else 0)
