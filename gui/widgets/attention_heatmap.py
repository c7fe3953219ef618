"""The attention heatmap: target tokens down the left, source tokens along the top, weights 0..1.

Why it is built this way (see docs ENGINEERING.md, "pyqtgraph heatmaps"):

- ``ImageItem(axisOrder="row-major")`` so ``weights[target, source]`` is shown as is, shifted by
  -0.5 so cell *i* sits on tick *i*; Y is inverted so the first target token is at the top.
- Colour levels are fixed to (0, 1) by one ``ColorBarItem`` created once, so colours compare
  across sentences. A difference of two matrices uses the same widget with ``levels=(-1, 1)``
  and a diverging colour map (``AttentionHeatmap.diverging()``), so zero change is white.
- Token labels go through ``AxisItem.setTicks`` with ``hideOverlappingLabels`` off. Labels cannot
  rotate, so the widget grows (inside a scroll area) until every label has room; long sentences
  stagger source labels between the top and the bottom axis, and very long tokens are elided
  with a visible "…". No token silently vanishes; hover shows the full token.
- Items are created once and updated with ``setImage``/``setData``; nothing is cleared and re-added.

Where labels go is ``gui.widgets.heatmap_axes``; what hover and selection say (and the empty-state
hint) ``gui.widgets.heatmap_text``; PNG/SVG pictures are ``gui.widgets.heatmap_export`` and the
CSV/JSON matrix ``core.inspection.attention_export``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from core.inspection.attention_export import (
    attention_record,
    write_attention_csv,
    write_attention_json,
)
from gui.widgets.heatmap_axes import (
    AttentionImage,
    TokenAxis,
    apply_ticks,
    elide_token,
    layout_ticks,
    single_row_limit,
)
from gui.widgets.heatmap_export import save_png, save_svg
from gui.widgets.heatmap_text import (
    NAV_KEYS,
    HintCover,
    attended_cells,
    cell_text,
    describe_selection,
    step,
    text_labels,
)

__all__ = ["COLORBAR_ROOM", "COLORBAR_WIDTH", "HIGHLIGHT", "AttentionHeatmap", "elide_token"]

log = logging.getLogger(__name__)

HIGHLIGHT = QColor(255, 64, 160)
PLACEHOLDER = "Translate a sentence to see what each target word attends to."
COLORBAR_WIDTH = 84  # px beside the scroll area
COLORBAR_GAP = 6  # px between the scroll area and the colour bar
COLORBAR_ROOM = COLORBAR_WIDTH + COLORBAR_GAP  # what the bar takes from the matrix's width
SCROLL_MARGIN = 40  # px kept around a cell scrolled into view: its neighbours show too
DIVERGING_MAP = "CET-D1"  # blue (less attention) – white (no change) – red (more attention)


_LAZY_PARTS = frozenset(
    {"_img", "_plot", "_axes", "_row_rect", "_col_rect", "_attended", "_colorbar"}
)


class AttentionHeatmap(QWidget):
    """Shows one translation's attention; hover, click and arrow keys inspect it.

    Selection is ``(row, col)`` where either may be ``None``: a clicked target token selects its
    row (and outlines the source words it attends to), a clicked source token selects its column,
    a clicked cell selects both. Up/Down move the row, Left/Right the column.
    """

    selectionChanged = Signal(int, int)  # (row, col), -1 for "none"
    hoverTextChanged = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        levels: tuple[float, float] = (0.0, 1.0),
        colormap: str = "viridis",
        bar_label: str = "weight",
        placeholder: str = PLACEHOLDER,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attentionHeatmap")
        self.setAccessibleName("attentionHeatmap")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._levels = (float(levels[0]), float(levels[1]))
        self._signed = self._levels[0] < 0
        self._placeholder = placeholder

        self._weights = np.zeros((0, 0), dtype=np.float32)
        self._src: list[str] = []
        self._tgt: list[str] = []
        self._probs: np.ndarray | None = None
        self._meta: dict = {}
        self._detail = None  # (row, col) -> the pieces behind a cell, for a matrix in words
        self._row: int | None = None
        self._col: int | None = None
        self._staggered = False
        self._hover_text = ""

        self._font = QFont(self.font())
        self._font.setPointSizeF(max(8.0, self._font.pointSizeF()))
        self._fm = QFontMetrics(self._font)

        # the two views now, their plot and colour bar when first needed (_build_items): a window
        # holds 14 heatmaps, most in tabs not yet shown, and each plot costs ~45 ms to build
        self._glw = pg.GraphicsLayoutWidget()
        self._glw.setBackground("w")
        self._glw.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._glw.ci.layout.setContentsMargins(4, 4, 12, 4)
        self._bar_view = pg.GraphicsLayoutWidget()
        self._bar_view.setBackground("w")
        self._bar_view.setFixedWidth(COLORBAR_WIDTH)
        self._bar_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._colormap, self._bar_label = colormap, bar_label
        self._built = False
        self._pending = False  # a matrix waits to be drawn until the heatmap is first shown

        self._scroll = QScrollArea()
        self._scroll.setWidget(self._glw)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self._hover_label, self._selection_label = text_labels()

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(COLORBAR_GAP)
        top.addWidget(self._scroll, 1)
        top.addWidget(self._bar_view)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top, 1)
        lay.addWidget(self._hover_label)
        lay.addWidget(self._selection_label)
        self._hint_label = HintCover(placeholder, self)  # the empty state (see HintCover)

        self._set_placeholder()

    def __getattr__(self, name: str):
        """The plot's parts (``_img``, ``_plot``, ``_axes``, …) are built on first use."""
        if name in _LAZY_PARTS and not self.__dict__.get("_built", True):
            self._build_items()
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _build_items(self) -> None:
        self._built = True
        self._build_plot()
        self._build_colorbar(self._colormap, self._bar_label)
        self._img.setVisible(False)
        self._img.cellHovered.connect(self._on_hover)
        self._img.cellClicked.connect(self._on_cell_clicked)
        self._axes["left"].tokenClicked.connect(self._on_target_clicked)
        self._axes["top"].tokenClicked.connect(self._on_source_clicked)
        self._axes["bottom"].tokenClicked.connect(self._on_source_clicked)
        if self._pending:
            self._pending = False
            self._draw()

    def _build_plot(self) -> None:
        """The plot, created once: token axes, the image, the selection outlines."""
        self._axes = {side: TokenAxis(side) for side in ("left", "top", "bottom")}
        for ax in self._axes.values():
            ax.setStyle(
                hideOverlappingLabels=False,
                tickFont=self._font,
                tickLength=4,
                autoExpandTextSpace=False,
            )
            ax.setPen(pg.mkPen("#444"))
            ax.setTextPen(pg.mkPen("#111"))
        self._plot = self._glw.addPlot(axisItems=dict(self._axes))
        self._plot.showAxes((True, True, False, True), showValues=(True, True, False, True))
        self._plot.setMenuEnabled(False)
        self._plot.hideButtons()
        self._plot.setDefaultPadding(0.0)
        vb = self._plot.getViewBox()
        vb.setMouseEnabled(False, False)
        vb.invertY(True)
        vb.enableAutoRange(enable=False)

        self._img = AttentionImage(axisOrder="row-major")
        self._plot.addItem(self._img)

        pen = pg.mkPen(HIGHLIGHT, width=3)
        pen.setCosmetic(True)
        self._row_rect = QGraphicsRectItem()
        self._col_rect = QGraphicsRectItem()
        for rect in (self._row_rect, self._col_rect):
            rect.setPen(pen)
            rect.setZValue(10)
            rect.setVisible(False)
            self._plot.addItem(rect)
        self._attended = pg.ScatterPlotItem(
            symbol="s", size=0.86, pxMode=False, pen=pg.mkPen("#ffffff", width=2), brush=None
        )
        self._attended.setZValue(11)
        self._plot.addItem(self._attended)

    def _build_colorbar(self, colormap: str, bar_label: str) -> None:
        """The colour bar lives in its own small view beside the scroll area, so it stays
        visible when a long sentence scrolls."""
        self._colorbar = pg.ColorBarItem(
            values=self._levels,
            colorMap=pg.colormap.get(colormap),
            interactive=False,
            label=bar_label,
        )
        self._colorbar.setImageItem(self._img)
        self._colorbar.axis.setTextPen(pg.mkPen("#111"))
        self._bar_view.addItem(self._colorbar)

    @classmethod
    def diverging(
        cls,
        parent: QWidget | None = None,
        *,
        bar_label: str = "change",
        placeholder: str = "Choose two points in time to see how attention changed.",
    ) -> AttentionHeatmap:
        """A heatmap for differences of two attention matrices: fixed levels −1..1, white at 0."""
        return cls(
            parent,
            levels=(-1.0, 1.0),
            colormap=DIVERGING_MAP,
            bar_label=bar_label,
            placeholder=placeholder,
        )

    @property
    def levels(self) -> tuple[float, float]:
        return self._levels

    # ------------------------------------------------------------------ data in
    def set_translation(self, translation) -> None:
        """Show a ``core.events.Translation``; one in words (``WordTranslation``) also names on
        hover the pieces behind the cell and their own weights."""
        self.set_matrix(
            translation.attention,
            translation.source_tokens,
            translation.target_tokens,
            translation.token_probs,
            meta={"text": translation.text, "score": float(translation.score)},
        )
        self._detail = getattr(translation, "cell_detail", None)

    def set_matrix(
        self,
        weights: np.ndarray,
        source_tokens: Sequence[str],
        target_tokens: Sequence[str],
        token_probs: np.ndarray | None = None,
        meta: dict | None = None,
    ) -> None:
        """Show ``weights`` of shape (len(target_tokens), len(source_tokens))."""
        w = np.asarray(weights, dtype=np.float32)
        if w.ndim != 2 or w.shape != (len(target_tokens), len(source_tokens)):
            raise ValueError(
                f"attention shape {w.shape} does not match "
                f"{len(target_tokens)} target x {len(source_tokens)} source tokens"
            )
        src = [str(t) for t in source_tokens]
        tgt = [str(t) for t in target_tokens]
        same_tokens = (
            self._built and src == self._src and tgt == self._tgt and self._img.isVisible()
        )
        self._weights = w.copy()
        self._src, self._tgt = src, tgt
        self._probs = None if token_probs is None else np.asarray(token_probs, dtype=np.float32)
        self._meta = dict(meta or {})
        self._detail = None
        rows, cols = w.shape
        if rows == 0 or cols == 0:
            self.clear()
            return
        self._row = self._col = None
        self._hint_label.hide()
        self._set_hover_text("")
        if not self._built and not self.isVisible():
            # drawn when first shown (showEvent) or first looked at (_build_items): a hidden tab's
            # heatmap filled during training would otherwise build its plot on the GUI thread then
            self._pending = True
            self._selection_label.setText(" ")
            return
        self._draw(relayout=not same_tokens)

    def _draw(self, relayout: bool = True) -> None:
        """Put the stored matrix on the plot; ``relayout`` also lays out its labels and range (a
        probe refreshed during training keeps its tokens: no re-layout)."""
        rows, cols = self._weights.shape
        self._img.setImage(self._weights, levels=self._levels, autoLevels=False)
        self._img.setRect(QRectF(-0.5, -0.5, cols, rows))
        self._img.setVisible(True)
        if relayout:
            self._layout_ticks()
            self._plot.getViewBox().setRange(
                xRange=(-0.5, cols - 0.5), yRange=(-0.5, rows - 0.5), padding=0.0
            )
        self._update_selection()

    def clear(self) -> None:
        """Back to the empty state."""
        self._weights = np.zeros((0, 0), dtype=np.float32)
        self._src, self._tgt, self._probs = [], [], None
        self._row = self._col = None
        self._pending = False
        if self._built:
            self._img.setVisible(False)
            for ax in self._axes.values():
                ax.setTicks([[]])
            self._update_selection()
        self._set_placeholder()

    # ------------------------------------------------------------------ accessors (tests, export)
    @property
    def weights(self) -> np.ndarray:
        return self._weights.copy()

    @property
    def source_tokens(self) -> list[str]:
        return list(self._src)

    @property
    def target_tokens(self) -> list[str]:
        return list(self._tgt)

    @property
    def image_item(self) -> pg.ImageItem:
        return self._img

    @property
    def plot_item(self) -> pg.PlotItem:
        return self._plot

    @property
    def colorbar(self) -> pg.ColorBarItem:
        return self._colorbar

    @property
    def selection(self) -> tuple[int | None, int | None]:
        return self._row, self._col

    @property
    def showing_hint(self) -> bool:
        """True in the empty state: the hint is shown instead of the axes and colour bar."""
        return not self._hint_label.isHidden()

    @property
    def hint_text(self) -> str:
        return self._hint_label.text()

    @property
    def hover_text(self) -> str:
        return self._hover_text

    @property
    def selection_text(self) -> str:
        return self._selection_label.text()

    def source_tick_labels(self) -> list[str]:
        """The source labels on the top and bottom axes, in column order."""
        ticks = self._axes["top"].labels() + self._axes["bottom"].labels()
        return [label for _, label in sorted(ticks)]

    def target_tick_labels(self) -> list[str]:
        return [label for _, label in sorted(self._axes["left"].labels())]

    def cell_scene_pos(self, row: int, col: int):
        """Where cell (row, col)'s centre is in the graphics scene (for tests and tooltips)."""
        return self._plot.getViewBox().mapViewToScene(pg.Point(col, row))

    def cell_view_pos(self, row: int, col: int):
        """Cell centre in the coordinates of the QGraphicsView widget (for mouse simulation)."""
        return self._glw.mapFromScene(self.cell_scene_pos(row, col))

    @property
    def graphics_view(self) -> pg.GraphicsLayoutWidget:
        return self._glw

    # ------------------------------------------------------------------ hover / selection
    def text_for_cell(self, row: int, col: int) -> str:
        """``target ← source: weight``, the target's probability (in words: a line of pieces)."""
        text = cell_text(self._weights, self._src, self._tgt, self._probs, self._signed, row, col)
        return text if self._detail is None else f"{text}\n{self._detail(row, col)}"

    def _on_hover(self, row: int, col: int) -> None:
        if row < 0 or col < 0 or row >= len(self._tgt) or col >= len(self._src):
            self._set_hover_text("")
            return
        self._set_hover_text(self.text_for_cell(row, col))

    def _set_hover_text(self, text: str) -> None:
        if text == self._hover_text and text:
            return
        self._hover_text = text
        self._hover_label.setText(text or " ")
        self._glw.setToolTip(text)
        self.hoverTextChanged.emit(text)

    def _set_placeholder(self) -> None:
        self._hint_label.cover()
        self._hover_text = ""
        self._hover_label.setText(self._placeholder)
        self._selection_label.setText(" ")

    def _on_cell_clicked(self, row: int, col: int) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.select(row, col)

    def _on_target_clicked(self, row: int) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if 0 <= row < len(self._tgt):
            self.select(row, None)

    def _on_source_clicked(self, col: int) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if 0 <= col < len(self._src):
            self.select(None, col)

    def select(self, row: int | None, col: int | None) -> None:
        """Select a target row, a source column, or one cell (``None`` for "not this axis")."""
        if not self._tgt:
            return
        if row is not None:
            row = max(0, min(len(self._tgt) - 1, row))
        if col is not None:
            col = max(0, min(len(self._src) - 1, col))
        self._row, self._col = row, col
        self._update_selection()
        self._scroll_into_view(row, col)
        if row is not None and col is not None:
            self._set_hover_text(self.text_for_cell(row, col))
        self.selectionChanged.emit(-1 if row is None else row, -1 if col is None else col)

    def _scroll_into_view(self, row: int | None, col: int | None) -> None:
        """A row or column chosen elsewhere (the table beside, the arrow keys) is scrolled into
        view; along the axis not chosen the view stays where it is."""
        if not self._built or not self.isVisible() or (row is None and col is None):
            return
        view = self._scroll.viewport()
        at = self.cell_view_pos(row or 0, col or 0)
        x = (
            at.x()
            if col is not None
            else self._scroll.horizontalScrollBar().value() + view.width() // 2
        )
        y = (
            at.y()
            if row is not None
            else self._scroll.verticalScrollBar().value() + view.height() // 2
        )
        self._scroll.ensureVisible(x, y, SCROLL_MARGIN, SCROLL_MARGIN)

    def keyPressEvent(self, ev: QKeyEvent) -> None:
        key = ev.key()
        if not self._tgt or key not in NAV_KEYS:
            super().keyPressEvent(ev)
            return
        if key == Qt.Key.Key_Escape:
            self.select(None, None)  # clears both axes; the same signal and outlines
            return
        self.select(*step(key, self._row, self._col))
        ev.accept()

    def _update_selection(self) -> None:
        rows, cols = self._weights.shape
        self._row_rect.setVisible(self._row is not None)
        self._col_rect.setVisible(self._col is not None)
        if self._row is not None:
            self._row_rect.setRect(QRectF(-0.5, self._row - 0.5, cols, 1.0))
        if self._col is not None:
            self._col_rect.setRect(QRectF(self._col - 0.5, -0.5, 1.0, rows))
        cells = attended_cells(self._weights, self._row, self._col)
        if cells:
            self._attended.setData(x=[c for _, c in cells], y=[r for r, _ in cells])
        else:
            self._attended.setData(x=[], y=[])
        self._selection_label.setText(self._describe_selection(cells) or " ")

    def _describe_selection(self, cells: list[tuple[int, int]]) -> str:
        """The selection line; a subclass may reword it (``AttributionHeatmap``)."""
        if self._row is not None and self._col is not None:
            return self.text_for_cell(self._row, self._col)
        return describe_selection(self._weights, self._src, self._tgt, self._row, self._col, cells)

    # ------------------------------------------------------------------ layout of labels
    def _row_limit(self) -> int:
        """How wide one row of source labels may be here (``heatmap_axes.single_row_limit``)."""
        viewport = self._scroll.viewport().width() if self.isVisible() else None
        return single_row_limit(viewport, self._tgt, self._fm)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._hint_label.setGeometry(self.rect())
        self._restagger()

    def showEvent(self, ev) -> None:  # a matrix set while hidden was laid out for the widest room
        super().showEvent(ev)
        self._draw_pending()  # laid out for the room it has now
        self._restagger()

    def _draw_pending(self) -> None:
        """Draw a matrix still waiting for the heatmap's first show (or its export while hidden)."""
        if self._pending:
            self._build_items()

    def _restagger(self) -> None:
        if len(self._src) > 1 and self._tgt and not self._pending:
            ticks = layout_ticks(self._src, self._tgt, self._fm, self._row_limit())
            if ticks.staggered != self._staggered:
                self._layout_ticks(ticks)

    def _layout_ticks(self, ticks=None) -> None:
        """Give every label room: grow the plot's minimum size, stagger long source rows."""
        ticks = ticks or layout_ticks(self._src, self._tgt, self._fm, self._row_limit())
        self._staggered = ticks.staggered
        apply_ticks(self._axes, self._plot, ticks)
        self._glw.setMinimumSize(ticks.min_width, ticks.min_height)

    # ------------------------------------------------------------------ sharing with a neighbour
    def set_colorbar_visible(self, on: bool) -> None:
        """Hide the colour bar where a neighbour's shows the same scale (two maps side by side
        need the width more); exported pictures then carry no bar either."""
        self._bar_view.setHidden(not on)

    def height_for_whole_matrix(self) -> int | None:
        """The height at which every row shows without a vertical scroll bar (with the labels
        below the plot), or None before a matrix is laid out."""
        need = self._glw.minimumHeight()
        if not self._src or need <= 0:
            return None
        return need + self.height() - self._scroll.viewport().height()

    @property
    def colorbar_shown(self) -> bool:
        return not self._bar_view.isHidden()

    def follow_scrolling(self, other: AttentionHeatmap) -> None:
        """Scroll together with ``other``, both ways: two matrices of one sentence whose labels
        need more room than the view has then show the same cells side by side."""
        for mine, theirs in (
            (self._scroll.horizontalScrollBar(), other._scroll.horizontalScrollBar()),
            (self._scroll.verticalScrollBar(), other._scroll.verticalScrollBar()),
        ):
            mine.valueChanged.connect(theirs.setValue)  # an unchanged value emits nothing
            theirs.valueChanged.connect(mine.setValue)

    def scroll_position(self) -> tuple[int, int]:
        return (
            self._scroll.horizontalScrollBar().value(),
            self._scroll.verticalScrollBar().value(),
        )

    def scroll_to(self, x: int, y: int) -> None:
        self._scroll.horizontalScrollBar().setValue(x)
        self._scroll.verticalScrollBar().setValue(y)

    # ------------------------------------------------------------------ export
    def _export_bar(self):
        return None if self._bar_view.isHidden() else self._bar_view

    def export_png(self, path: str | Path) -> Path:
        """The whole heatmap (even the part scrolled out of view) with its colour bar."""
        self._draw_pending()
        return save_png(self._glw, self._export_bar(), path)

    def export_svg(self, path: str | Path) -> Path:
        """Vector export (axes, labels and colour bar as SVG; the cells as an embedded image)."""
        self._draw_pending()
        return save_svg(self._glw, self._export_bar(), path, self._meta.get("text", ""))

    def to_dict(self) -> dict:
        """Tokens and weights as plain JSON-ready data (the same keys as Translation.to_dict)."""
        return attention_record(self._src, self._tgt, self._weights, self._probs, **self._meta)

    def export_json(self, path: str | Path) -> Path:
        """The matrix as JSON in the shared format (``core.inspection.attention_export``)."""
        return write_attention_json(path, self.to_dict())

    def export_csv(self, path: str | Path) -> Path:
        """The matrix as CSV in the shared format: target rows, source columns, each weight the
        shortest decimal that reads back as the same float32."""
        return write_attention_csv(path, self._src, self._tgt, self._weights)

    def export(self, path: str | Path) -> Path:
        """Export by file suffix: .png, .svg, .csv or .json."""
        suffix = Path(path).suffix.lower()
        writers = {".png": self.export_png, ".svg": self.export_svg}
        writers.update({".csv": self.export_csv, ".json": self.export_json})
        if suffix not in writers:
            raise ValueError(f"unknown export format {suffix!r}: use .png, .svg, .csv or .json")
        return writers[suffix](path)
