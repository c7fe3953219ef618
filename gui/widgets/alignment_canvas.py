"""The alignment view's drawing: source words in a row on top, target words in a row at the
bottom, a line for every weight at or above the threshold, thicker and darker for more weight.

Why its own module: how words are laid out, painted and hit-tested is apart from what the view
around it does with the alignment (threshold controls, hard links, export, AER), which lives in
``gui.widgets.alignment_view``. Words keep their natural width side by side, so nothing overlaps;
lines are drawn lightest first so strong links stay on top.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QWidget

from core.inspection.alignment import EOS
from gui.widgets.naming import named as _named

DEFAULT_THRESHOLD = 0.1
MAX_LABEL_CHARS = 18  # longer tokens are elided ("…"); hover shows them whole
LINK_COLOUR = QColor(30, 90, 200)
HIGHLIGHT = QColor(255, 64, 160)
WORD_FILL = QColor(238, 242, 250)
WORD_HOVER_FILL = QColor(255, 222, 238)
MARGIN, GAP, PAD_X, PAD_Y = 12, 10, 8, 5
MIN_HEIGHT = 170


def _elide(token: str) -> str:
    return token if len(token) <= MAX_LABEL_CHARS else token[: MAX_LABEL_CHARS - 1] + "…"


@dataclass(frozen=True)
class _Word:
    side: str  # "source" or "target"
    index: int
    rect: QRectF


class AlignmentCanvas(QWidget):
    """Paints the two rows of words and the links; reports the word under the mouse."""

    hoveredChanged = Signal(str, int)  # side ("source"/"target"/""), index (-1: none)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _named(self, "alignmentCanvas")
        self.setMouseTracking(True)
        self._src: list[str] = []
        self._tgt: list[str] = []
        self._weights = np.zeros((0, 0), dtype=np.float32)
        self._threshold = DEFAULT_THRESHOLD
        self._hover: tuple[str, int] | None = None
        self._words: list[_Word] = []
        self._font = QFont(self.font())
        self._fm = QFontMetrics(self._font)
        self._index_font = QFont(self._font)
        self._index_font.setPointSizeF(max(6.5, self._font.pointSizeF() * 0.75))
        self._index_h = QFontMetrics(self._index_font).height()
        self.setMinimumHeight(MIN_HEIGHT)

    # ------------------------------------------------------------------ state
    def set_data(
        self, weights: np.ndarray, source_tokens: list[str], target_tokens: list[str]
    ) -> None:
        self._weights = np.asarray(weights, dtype=np.float32)
        self._src, self._tgt = list(source_tokens), list(target_tokens)
        self.set_hovered(None)
        self._update_geometry()

    def set_threshold(self, value: float) -> None:
        self._threshold = float(value)
        self.update()

    def set_hovered(self, side: str | None, index: int = -1) -> None:
        """Highlight one word's links (``side`` None clears); what hovering does."""
        hover = (side, index) if side in ("source", "target") and index >= 0 else None
        if hover != self._hover:
            self._hover = hover
            self.hoveredChanged.emit(*(hover or ("", -1)))
            self.update()

    @property
    def hovered(self) -> tuple[str, int] | None:
        return self._hover

    def links(self) -> list[tuple[int, int, float]]:
        """(target i, source j, weight) for every weight ≥ threshold, lightest first."""
        rows, cols = np.nonzero(self._weights >= self._threshold)
        out = [(int(i), int(j), float(self._weights[i, j])) for i, j in zip(rows, cols)]
        return sorted(out, key=lambda link: (link[2], link[0], link[1]))

    def highlighted_links(self) -> list[tuple[int, int, float]]:
        """The drawn links that touch the hovered word (empty when nothing is hovered)."""
        if self._hover is None:
            return []
        side, index = self._hover
        pos = 0 if side == "target" else 1
        return [link for link in self.links() if link[pos] == index]

    def word_rect(self, side: str, index: int) -> QRectF:
        """Where a word's box is drawn, in canvas coordinates."""
        return next(w.rect for w in self._words if w.side == side and w.index == index)

    # ------------------------------------------------------------------ geometry
    def _widths(self, tokens: list[str]) -> list[float]:
        return [max(28.0, self._fm.horizontalAdvance(_elide(t)) + 2 * PAD_X) for t in tokens]

    def _row_width(self, tokens: list[str]) -> float:
        return sum(self._widths(tokens)) + GAP * max(0, len(tokens) - 1)

    def _row(self, tokens: list[str], side: str, y: float, span: float) -> list[_Word]:
        """Boxes centred in the canvas; the shorter row is spread to the longer one's ``span``
        (wider gaps) so that monotone alignments draw as near-vertical lines."""
        widths = self._widths(tokens)
        gap = GAP
        if len(widths) > 1:
            gap = max(GAP, (span - sum(widths)) / (len(widths) - 1))
        total = sum(widths) + gap * max(0, len(widths) - 1)
        x = max(MARGIN, (self.width() - total) / 2)
        h = self._fm.height() + 2 * PAD_Y
        out = []
        for i, w in enumerate(widths):
            out.append(_Word(side, i, QRectF(x, y, w, h)))
            x += w + gap
        return out

    def _update_geometry(self) -> None:
        need = max(self._row_width(self._src), self._row_width(self._tgt)) + 2 * MARGIN
        self.setMinimumWidth(int(need))
        self._layout_words()
        self.updateGeometry()
        self.update()

    def _layout_words(self) -> None:
        """Source boxes under their index numbers at the top, target boxes above theirs."""
        h = self._fm.height() + 2 * PAD_Y
        span = max(self._row_width(self._src), self._row_width(self._tgt))
        bottom = self.height() - MARGIN - self._index_h - h
        self._words = self._row(self._src, "source", MARGIN + self._index_h, span) + self._row(
            self._tgt, "target", bottom, span
        )

    def sizeHint(self) -> QSize:
        return QSize(self.minimumWidth(), 240)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._layout_words()

    # ------------------------------------------------------------------ mouse
    def _word_at(self, pos: QPointF) -> _Word | None:
        return next((w for w in self._words if w.rect.contains(pos)), None)

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:
        word = self._word_at(ev.position())
        if word is None:
            self.set_hovered(None)
            self.setToolTip("")
        else:
            self.set_hovered(word.side, word.index)
            tokens = self._src if word.side == "source" else self._tgt
            self.setToolTip(f"{word.side} token {word.index}: {tokens[word.index]}")
        super().mouseMoveEvent(ev)

    def leaveEvent(self, ev) -> None:
        self.set_hovered(None)
        super().leaveEvent(ev)

    # ------------------------------------------------------------------ painting
    def paintEvent(self, ev: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        if not self._tgt:
            p.setPen(QColor(110, 110, 110))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No translation yet.")
            p.end()
            return
        src_rects = {w.index: w.rect for w in self._words if w.side == "source"}
        tgt_rects = {w.index: w.rect for w in self._words if w.side == "target"}
        lit = set(map(tuple, self.highlighted_links()))
        for i, j, w in self.links():
            if j not in src_rects or i not in tgt_rects:
                continue
            on = (i, j, w) in lit
            colour = QColor(HIGHLIGHT if on else LINK_COLOUR)
            alpha = 255 * w if (on or self._hover is None) else 60 * w
            colour.setAlpha(max(18, int(alpha)))
            pen = QPen(colour, max(0.6, 8.0 * w))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            a, b = src_rects[j], tgt_rects[i]
            p.drawLine(QPointF(a.center().x(), a.bottom()), QPointF(b.center().x(), b.top()))
        for word in self._words:
            self._paint_word(p, word)
        p.end()

    def _paint_word(self, p: QPainter, word: _Word) -> None:
        tokens = self._src if word.side == "source" else self._tgt
        token = tokens[word.index]
        hovered = self._hover == (word.side, word.index)
        p.setPen(QPen(HIGHLIGHT if hovered else QColor(150, 160, 185), 1.5 if hovered else 1.0))
        p.setBrush(WORD_HOVER_FILL if hovered else WORD_FILL)
        p.drawRoundedRect(word.rect, 5, 5)
        font = QFont(self._font)
        font.setItalic(token == EOS)
        font.setBold(hovered)
        p.setFont(font)
        p.setPen(QColor(120, 120, 120) if token == EOS else QColor(20, 20, 20))
        p.drawText(word.rect, Qt.AlignmentFlag.AlignCenter, _elide(token))
        if token != EOS or word.index < len(tokens) - 1:  # Pharaoh indices: words only
            r = word.rect
            y = r.top() - self._index_h if word.side == "source" else r.bottom()
            p.setFont(self._index_font)
            p.setPen(QColor(130, 130, 130))
            p.drawText(
                QRectF(r.left(), y, r.width(), self._index_h),
                Qt.AlignmentFlag.AlignCenter,
                str(word.index),
            )
