"""The beam tree's scene items: how one node, one edge and one leaf label look, and what their
tooltips say. ``gui.widgets.beam_tree_view`` lays them out and handles zoom and navigation.

Why its own module: what a node looks like (colours by status, the confidence strip, the
probability) changes for different reasons than how the tree is navigated.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSimpleTextItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from core.decoding.beam_tree import FINISHED, KEPT, PREFIX, PRUNED, ROOT
from gui.widgets.attention_heatmap import HIGHLIGHT
from gui.widgets.confidence_colours import confidence_colour, format_prob

ACCENT = QColor("#1f6feb")  # the best hypothesis's path
PRUNED_OPACITY = 0.35
BOX_H, ROW_PITCH, COL_GAP, PAD_X, STRIP_W = 22.0, 30.0, 34.0, 6.0, 4.0
MAX_TOKEN_CHARS = 16
MIN_ZOOM, MAX_ZOOM = 0.05, 4.0
MINUS = "\u2212"

# status → (fill, border, text)
_STYLE = {
    ROOT: ("#e6e9ef", "#666666", "#111111"),
    PREFIX: ("#e8eefc", "#7a8fbf", "#111111"),
    KEPT: ("#ffffff", "#7a7a7a", "#111111"),
    FINISHED: ("#fff6dc", "#b08a2e", "#111111"),
    PRUNED: ("#f2f2f2", "#b5b5b5", "#6a6a6a"),
}
_STATUS_TEXT = {
    ROOT: "the start of every hypothesis",
    PREFIX: "a forced prefix word",
    KEPT: "kept in the beam",
    PRUNED: "pruned: scored, then dropped from the beam",
}


def signed(value: float) -> str:
    """``−0.41`` with a real minus sign (reads better than a hyphen next to '#1')."""
    return f"{value:.2f}".replace("-", MINUS)


def elide(token: str) -> str:
    return token if len(token) <= MAX_TOKEN_CHARS else token[: MAX_TOKEN_CHARS - 1] + "…"


class NodeItem(QGraphicsItem):
    """A rounded box: a confidence-coloured strip, the token, and its probability."""

    def __init__(
        self,
        node_id: int,
        token: str,
        prob_text: str,
        status: str,
        best: bool,
        strip: QColor | None,
        width: float,
        fonts: tuple[QFont, QFont],
        token_w: float,
    ) -> None:
        super().__init__()
        self.node_id = node_id
        self.token, self.prob_text, self.status, self.best = token, prob_text, status, best
        self.selected = False
        self._strip = strip
        self._w = width
        self._fonts = fonts
        self._token_w = token_w
        self.setAcceptHoverEvents(False)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def boundingRect(self) -> QRectF:
        return QRectF(-3, -3, self._w + 6, BOX_H + 6)  # room for the selection outline

    @property
    def width(self) -> float:
        return self._w

    def set_selected(self, on: bool) -> None:
        if on != self.selected:
            self.selected = on
            self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        fill, border, text = _STYLE[self.status]
        rect = QRectF(0, 0, self._w, BOX_H)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.selected:
            painter.setPen(QPen(HIGHLIGHT, 3.0))
        elif self.best:
            painter.setPen(QPen(ACCENT, 2.0))
        else:
            pen = QPen(QColor(border), 1.0)
            if self.status == PREFIX:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
        painter.setBrush(QBrush(QColor(fill)))
        painter.drawRoundedRect(rect, 5, 5)
        if self._strip is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._strip)
            painter.drawRoundedRect(QRectF(1.5, 3, STRIP_W, BOX_H - 6), 1.5, 1.5)
        x = PAD_X + (STRIP_W + 2 if self._strip is not None else 0)
        painter.setPen(QColor(text))
        painter.setFont(self._fonts[0])
        painter.drawText(
            QRectF(x, 0, self._token_w + 1, BOX_H),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            self.token,
        )
        if self.prob_text:
            painter.setPen(QColor("#555555") if self.status != PRUNED else QColor(text))
            painter.setFont(self._fonts[1])
            painter.drawText(
                QRectF(x + self._token_w + 5, 0, self._w, BOX_H),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                self.prob_text,
            )


def node_item(
    ins, node, best: bool, fonts: tuple[QFont, QFont], metrics: tuple[QFontMetricsF, QFontMetricsF]
) -> NodeItem:
    """The box of one node of ``ins.tree`` (an ``Inspection``), sized to its token and
    probability, with its tooltip; faded when pruned."""
    shown = elide(ins.node_tokens[node.id])
    prob_text = "" if node.status == ROOT else format_prob(node.prob)
    token_w = metrics[0].horizontalAdvance(shown)
    strip = None if node.status == ROOT else confidence_colour(node.prob)
    width = (
        PAD_X * 2
        + token_w
        + (STRIP_W + 2 if strip is not None else 0)
        + (5 + metrics[1].horizontalAdvance(prob_text) if prob_text else 0)
    )
    item = NodeItem(
        node.id, shown, prob_text, node.status, best, strip, math.ceil(width), fonts, token_w
    )
    item.setToolTip(node_tooltip(ins, node))
    item.setZValue(2)
    if node.status == PRUNED:
        item.setOpacity(PRUNED_OPACITY)
    return item


def child_order(tree) -> dict[int, tuple]:
    """Sort key per node: the subtree holding the best N-best rank first, then kept before
    pruned, then higher log-probability."""
    best_rank = {n.id: (n.rank if n.rank is not None else math.inf) for n in tree.nodes}
    for node in reversed(tree.nodes):  # children have larger ids than parents
        if node.parent >= 0:
            best_rank[node.parent] = min(best_rank[node.parent], best_rank[node.id])
    return {n.id: (best_rank[n.id], n.status == PRUNED, -n.logp, n.id) for n in tree.nodes}


def edge_pen(status: str, best: bool, lit: bool = False) -> QPen:
    """Best path: thick accent; pruned: light grey; ``lit`` (the selected path): highlight."""
    if lit:
        pen = QPen(HIGHLIGHT, 2.5)
    elif best:
        pen = QPen(ACCENT, 3.0)
    elif status == PRUNED:
        pen = QPen(QColor("#b5b5b5"), 1.0)
    else:
        pen = QPen(QColor("#8c8c8c"), 1.3)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


def edge_path(parent: NodeItem, child: NodeItem) -> QPainterPath:
    """A smooth S-curve from the parent's right edge to the child's left edge."""
    a = QPointF(parent.x() + parent.width, parent.y() + BOX_H / 2)
    b = QPointF(child.x(), child.y() + BOX_H / 2)
    path = QPainterPath(a)
    mid = (a.x() + b.x()) / 2
    path.cubicTo(QPointF(mid, a.y()), QPointF(mid, b.y()), b)
    return path


def leaf_label(node, bold: QFont, small: QFont) -> QGraphicsSimpleTextItem | None:
    """ "#1  −0.41" beside an N-best leaf; a grey score beside other finished ones."""
    if node.status != FINISHED:
        return None
    if node.rank is not None:
        label = QGraphicsSimpleTextItem(f"#{node.rank + 1}  {signed(node.score)}")
        label.setFont(bold)
        label.setBrush(QColor("#7a5a00"))
    else:
        score = node.score if node.score is not None else node.logp
        label = QGraphicsSimpleTextItem(f"{signed(score)} (not in the N-best)")
        label.setFont(small)
        label.setBrush(QColor("#8a8a8a"))
    label.setZValue(2)
    return label


def node_tooltip(ins, node) -> str:
    if node.status == ROOT:
        return "<s>: the start of every hypothesis"
    text = ins.node_texts[node.id] if ins.node_texts else ""
    return (
        f"“{text}”\np({ins.node_tokens[node.id]}) = {node.prob:.4g}, "
        f"log-prob so far {signed(node.logp)}\n{status_text(node)}"
    )


def node_info(ins, node) -> str:
    """The line under the tree about the selected node."""
    if node.status == ROOT:
        return "<s>: the start of every hypothesis"
    return (
        f"Step {node.step + 1} · p({ins.node_tokens[node.id]}) = {format_prob(node.prob)} · "
        f"log-prob {signed(node.logp)} · {status_text(node)} — “{ins.node_texts[node.id]}”"
    )


def status_text(node) -> str:
    if node.status == FINISHED:
        if node.rank is not None:
            return f"finished: #{node.rank + 1} in the N-best, score {signed(node.score)}"
        return "finished, but not in the N-best"
    return _STATUS_TEXT[node.status]
