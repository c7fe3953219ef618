"""The beam search tree: every candidate the beam scored, left → right, one column per step.

Why it is drawn this way:

- One ``QGraphicsItem`` per node that paints its own box and one path item per edge: about 700
  nodes (beam 8 × 40 steps) build and lay out in a few tens of milliseconds.
- Rows come from ``tree_layout.leaf_order_rows`` with children ordered best hypothesis first, so
  the best translation is the straight line along the top and the N-best branches follow in
  rank order below it. Nodes never overlap (see that module).
- Pruned candidates (scored, then dropped from the beam) stay visible but faded, so one sees what
  the beam gave up; "Show pruned" hides them for big trees.
- The view never decodes: it draws a ``core.decoding.inspection.Inspection`` and reports the node
  the user picks (``nodeSelected``); the owner shows ``ins.partial(node_id)`` beside it.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyleOptionGraphicsItem,
    QVBoxLayout,
    QWidget,
)

from core.decoding.beam_tree import FINISHED, KEPT, PREFIX, PRUNED, ROOT
from gui.widgets.attention_heatmap import HIGHLIGHT
from gui.widgets.confidence_colours import confidence_colour, format_prob
from gui.widgets.tree_layout import children_map, leaf_order_rows

GREEDY_MESSAGE = "Beam size 1 (greedy) explores no tree — set beam ≥ 2"
EMPTY_MESSAGE = "Translate with beam ≥ 2 to see the search tree the beam explored."
ACCENT = QColor("#1f6feb")          # the best hypothesis's path
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


def _signed(value: float) -> str:
    """``−0.41`` with a real minus sign (reads better than a hyphen next to '#1')."""
    return f"{value:.2f}".replace("-", MINUS)


def _elide(token: str) -> str:
    return token if len(token) <= MAX_TOKEN_CHARS else token[: MAX_TOKEN_CHARS - 1] + "…"


class _NodeItem(QGraphicsItem):
    """A rounded box: a confidence-coloured strip, the token, and its probability."""

    def __init__(self, node_id: int, token: str, prob_text: str, status: str, best: bool,
                 strip: QColor | None, width: float, fonts: tuple[QFont, QFont],
                 token_w: float) -> None:
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
        return QRectF(-3, -3, self._w + 6, BOX_H + 6)   # room for the selection outline

    @property
    def width(self) -> float:
        return self._w

    def set_selected(self, on: bool) -> None:
        if on != self.selected:
            self.selected = on
            self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
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
        painter.drawText(QRectF(x, 0, self._token_w + 1, BOX_H),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self.token)
        if self.prob_text:
            painter.setPen(QColor("#555555") if self.status != PRUNED else QColor(text))
            painter.setFont(self._fonts[1])
            painter.drawText(QRectF(x + self._token_w + 5, 0, self._w, BOX_H),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             self.prob_text)


class _Canvas(QGraphicsView):
    """The QGraphicsView: Ctrl+wheel zooms, a click picks a node, arrows move the selection."""

    def __init__(self, owner: BeamTreeView) -> None:
        super().__init__()
        self._owner = owner
        self.setObjectName("beamTreeCanvas")
        self.setAccessibleName("beamTreeCanvas")
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setBackgroundBrush(QColor("white"))
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def wheelEvent(self, ev: QWheelEvent) -> None:
        if ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._owner.zoom_by(1.15 ** (ev.angleDelta().y() / 120))
            ev.accept()
            return
        super().wheelEvent(ev)

    def mousePressEvent(self, ev: QMouseEvent) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            item = self.itemAt(ev.position().toPoint())
            while item is not None and not isinstance(item, _NodeItem):
                item = item.parentItem()
            if isinstance(item, _NodeItem):
                self.setFocus(Qt.FocusReason.MouseFocusReason)
                self._owner.select_node(item.node_id)
                ev.accept()
                return
        super().mousePressEvent(ev)

    def keyPressEvent(self, ev: QKeyEvent) -> None:
        if self._owner.handle_key(ev.key()):
            ev.accept()
            return
        super().keyPressEvent(ev)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._owner.viewport_resized()


class BeamTreeView(QWidget):
    """Draws ``Inspection.tree``; click or arrow keys pick a node (``nodeSelected(node_id)``).

    Left/Right go to the parent/first child, Up/Down to the previous/next sibling. Ctrl+wheel
    zooms; "Fit" shows the whole tree.
    """

    nodeSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("beamTreeView")
        self.setAccessibleName("beamTreeView")
        self._ins = None
        self._items: dict[int, _NodeItem] = {}
        self._edges: dict[int, QGraphicsPathItem] = {}
        self._labels: dict[int, QGraphicsSimpleTextItem] = {}
        self._texts: dict[int, str] = {}
        self._kids: dict[int, list[int]] = {}
        self._order: dict[int, tuple] = {}
        self._rows: dict[int, int] = {}
        self._selected: int | None = None
        self._lit: list[int] = []          # edges drawn in the selection colour
        self._fresh = False               # a new tree waits for its first zoom-to-fit
        self.last_build_seconds = 0.0

        self._font = QFont(self.font())
        self._font.setPointSizeF(max(9.0, self._font.pointSizeF()))
        self._small = QFont(self._font)
        self._small.setPointSizeF(self._font.pointSizeF() - 1.0)
        self._bold = QFont(self._font)
        self._bold.setBold(True)
        self._fm, self._fm_small = QFontMetricsF(self._font), QFontMetricsF(self._small)

        self._scene = QGraphicsScene(self)
        self._canvas = _Canvas(self)
        self._canvas.setScene(self._scene)
        self._message = QLabel(EMPTY_MESSAGE)
        self._message.setObjectName("beamTreeMessage")
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._stack = QStackedWidget()
        self._stack.addWidget(self._message)
        self._stack.addWidget(self._canvas)

        self.fit_button = QPushButton("Fit")
        self.fit_button.setObjectName("beamTreeFitButton")
        self.fit_button.setAccessibleName("beamTreeFitButton")
        self.fit_button.setToolTip("Show the whole tree (Ctrl+wheel zooms)")
        self.fit_button.clicked.connect(self.fit)
        self.actual_size_button = QPushButton("100%")
        self.actual_size_button.setObjectName("beamTreeActualSizeButton")
        self.actual_size_button.setAccessibleName("beamTreeActualSizeButton")
        self.actual_size_button.setToolTip("Zoom to the real size")
        self.actual_size_button.clicked.connect(lambda: self.set_zoom(1.0))
        self.show_pruned = QCheckBox("Show pruned")
        self.show_pruned.setObjectName("beamTreeShowPruned")
        self.show_pruned.setAccessibleName("beamTreeShowPruned")
        self.show_pruned.setToolTip("Candidates the beam scored and then dropped (drawn faded)")
        self.show_pruned.setChecked(True)
        self.show_pruned.toggled.connect(self._relayout)
        legend = QLabel(
            f"<span style='color:{ACCENT.name()}'>━━</span> best hypothesis &nbsp; "
            "<span style='color:#b08a2e'>■</span> finished (#rank score) &nbsp; "
            "<span style='color:#c9c9c9'>■</span> pruned (faded) &nbsp; strip = p(token): "
            f"<span style='color:{confidence_colour(0.0).name()}'>■</span> low → "
            f"<span style='color:{confidence_colour(1.0).name()}'>■</span> high")
        legend.setObjectName("beamTreeLegend")
        legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._legend = legend

        self._info = QLabel(" ")
        self._info.setObjectName("beamTreeNodeInfo")
        self._info.setWordWrap(True)
        self._info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._info.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.fit_button)
        bar.addWidget(self.actual_size_button)
        bar.addWidget(self.show_pruned)
        bar.addWidget(legend, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addWidget(self._stack, 1)
        lay.addWidget(self._info)
        self.setFocusProxy(self._canvas)
        self._set_controls_enabled(False)

    # ------------------------------------------------------------------ data in
    def set_inspection(self, ins) -> None:
        """Draw ``ins.tree`` (a ``core.decoding.inspection.Inspection``); greedy results get a
        message."""
        if ins is None:
            self.clear()
            return
        if ins.tree is None or ins.node_tokens is None:
            self.clear(GREEDY_MESSAGE)
            self._ins = ins
            return
        start = time.perf_counter()
        self._reset_scene()
        self._ins = ins
        tree = ins.tree
        self._kids = children_map([n.parent for n in tree.nodes])
        self._order = self._child_order(tree)
        best = tree.on_best_path()
        fonts = (self._font, self._small)
        for node in tree.nodes:
            token = ins.node_tokens[node.id]
            shown = _elide(token)
            prob_text = "" if node.status == ROOT else format_prob(node.prob)
            token_w = self._fm.horizontalAdvance(shown)
            strip = None if node.status == ROOT else confidence_colour(node.prob)
            width = (PAD_X * 2 + token_w + (STRIP_W + 2 if strip is not None else 0)
                     + (5 + self._fm_small.horizontalAdvance(prob_text) if prob_text else 0))
            item = _NodeItem(node.id, shown, prob_text, node.status, node.id in best, strip,
                             math.ceil(width), fonts, token_w)
            item.setToolTip(self._tooltip(node))
            item.setZValue(2)
            self._scene.addItem(item)
            self._items[node.id] = item
            self._texts[node.id] = f"{token} {prob_text}".strip()
            if node.parent >= 0:
                edge = QGraphicsPathItem()
                edge.setZValue(1 if node.id in best else 0)
                edge.setPen(self._edge_pen(node.status, node.id in best))
                self._scene.addItem(edge)
                self._edges[node.id] = edge
            label = self._leaf_label(node)
            if label is not None:
                self._scene.addItem(label)
                self._labels[node.id] = label
            if node.status == PRUNED:
                item.setOpacity(PRUNED_OPACITY)
                self._edges[node.id].setOpacity(PRUNED_OPACITY)
        self._relayout()
        self._stack.setCurrentWidget(self._canvas)
        self._set_controls_enabled(True)
        self._info.setText("Click a node to see that partial hypothesis and its attention; "
                           "arrow keys move along the tree.")
        # zoom now if the canvas has its real size, else at its first resize
        self._fresh = not self._canvas.isVisible()
        self._apply_initial_zoom()
        self.last_build_seconds = time.perf_counter() - start

    def clear(self, message: str = EMPTY_MESSAGE) -> None:
        """Back to the empty state with ``message`` (e.g. the greedy hint)."""
        self._reset_scene()
        self._ins = None
        self._message.setText(message)
        self._stack.setCurrentWidget(self._message)
        self._info.setText(" ")
        self._set_controls_enabled(False)

    def _reset_scene(self) -> None:
        self._scene.clear()
        self._items, self._edges, self._labels, self._texts = {}, {}, {}, {}
        self._kids, self._order, self._rows = {}, {}, {}
        self._selected = None
        self._lit = []

    def _set_controls_enabled(self, on: bool) -> None:
        for w in (self.fit_button, self.actual_size_button, self.show_pruned):
            w.setEnabled(on)
        self._legend.setVisible(on)

    # ------------------------------------------------------------------ building blocks
    def _child_order(self, tree) -> dict[int, tuple]:
        """Sort key per node: the subtree holding the best N-best rank first, then kept before
        pruned, then higher log-probability."""
        best_rank = {n.id: (n.rank if n.rank is not None else math.inf) for n in tree.nodes}
        for node in reversed(tree.nodes):          # children have larger ids than parents
            if node.parent >= 0:
                best_rank[node.parent] = min(best_rank[node.parent], best_rank[node.id])
        return {n.id: (best_rank[n.id], n.status == PRUNED, -n.logp, n.id) for n in tree.nodes}

    def _edge_pen(self, status: str, best: bool) -> QPen:
        if best:
            pen = QPen(ACCENT, 3.0)
        elif status == PRUNED:
            pen = QPen(QColor("#b5b5b5"), 1.0)
        else:
            pen = QPen(QColor("#8c8c8c"), 1.3)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        return pen

    def _leaf_label(self, node) -> QGraphicsSimpleTextItem | None:
        """"#1  −0.41" beside an N-best leaf; a grey score beside other finished ones."""
        if node.status != FINISHED:
            return None
        if node.rank is not None:
            label = QGraphicsSimpleTextItem(f"#{node.rank + 1}  {_signed(node.score)}")
            label.setFont(self._bold)
            label.setBrush(QColor("#7a5a00"))
        else:
            score = node.score if node.score is not None else node.logp
            label = QGraphicsSimpleTextItem(f"{_signed(score)} (not in the N-best)")
            label.setFont(self._small)
            label.setBrush(QColor("#8a8a8a"))
        label.setZValue(2)
        return label

    def _tooltip(self, node) -> str:
        ins = self._ins
        if node.status == ROOT:
            return "<s>: the start of every hypothesis"
        text = ins.node_texts[node.id] if ins.node_texts else ""
        return (f"“{text}”\np({ins.node_tokens[node.id]}) = {node.prob:.4g}, "
                f"log-prob so far {_signed(node.logp)}\n{self._status_text(node)}")

    def _status_text(self, node) -> str:
        if node.status == FINISHED:
            if node.rank is not None:
                return f"finished: #{node.rank + 1} in the N-best, score {_signed(node.score)}"
            return "finished, but not in the N-best"
        return _STATUS_TEXT[node.status]

    def _visible(self, node_id: int) -> bool:
        return self.show_pruned.isChecked() or self._ins.tree.nodes[node_id].status != PRUNED

    # ------------------------------------------------------------------ layout
    def _relayout(self) -> None:
        """Place the visible nodes (columns = steps, rows = leaf order) and route the edges."""
        if self._ins is None or self._ins.tree is None or not self._items:
            return
        nodes = self._ins.tree.nodes
        parents = [n.parent for n in nodes]
        self._rows = leaf_order_rows(parents, self._order.__getitem__, self._visible)
        widths: dict[int, float] = {}
        for nid in self._rows:
            col = nodes[nid].step + 1
            widths[col] = max(widths.get(col, 0.0), self._items[nid].width)
        xs, x = {}, 0.0
        for col in sorted(widths):
            xs[col] = x
            x += widths[col] + COL_GAP
        for nid, item in self._items.items():
            shown = nid in self._rows
            item.setVisible(shown)
            if nid in self._labels:
                self._labels[nid].setVisible(shown)
            if nid in self._edges:
                self._edges[nid].setVisible(shown)
            if not shown:
                continue
            item.setPos(xs[nodes[nid].step + 1], self._rows[nid] * ROW_PITCH)
            if nid in self._labels:
                self._labels[nid].setPos(item.x() + item.width + 6,
                                         item.y() + (BOX_H - self._fm.height()) / 2)
        for nid, edge in self._edges.items():
            if nid not in self._rows:
                continue
            parent, child = self._items[parents[nid]], self._items[nid]
            a = QPointF(parent.x() + parent.width, parent.y() + BOX_H / 2)
            b = QPointF(child.x(), child.y() + BOX_H / 2)
            path = QPainterPath(a)
            mid = (a.x() + b.x()) / 2
            path.cubicTo(QPointF(mid, a.y()), QPointF(mid, b.y()), b)
            edge.setPath(path)
        rect = QRectF()            # itemsBoundingRect() would count the hidden items too
        for nid in self._rows:
            rect |= self._items[nid].sceneBoundingRect()
            if nid in self._labels:
                rect |= self._labels[nid].sceneBoundingRect()
        self._scene.setSceneRect(rect.adjusted(-12, -12, 12, 12))
        if self._selected is not None and self._selected not in self._rows:
            self._set_selected(None)

    # ------------------------------------------------------------------ zoom
    def zoom(self) -> float:
        return self._canvas.transform().m11()

    def set_zoom(self, factor: float) -> None:
        self._fresh = False               # an explicit zoom wins over the automatic one
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        self._canvas.resetTransform()
        self._canvas.scale(factor, factor)

    def zoom_by(self, factor: float) -> None:
        self.set_zoom(self.zoom() * factor)

    def fit(self) -> None:
        """Show the whole tree (never enlarged beyond 100%)."""
        rect = self._scene.sceneRect()
        vp = self._canvas.viewport().size()
        if rect.isEmpty() or vp.width() < 10 or vp.height() < 10:
            return
        self.set_zoom(0.98 * min(1.0, vp.width() / rect.width(), vp.height() / rect.height()))

    def _apply_initial_zoom(self) -> None:
        """Fit, but not below 85%: a big tree starts readable at its root (scroll for more)."""
        rect = self._scene.sceneRect()
        vp = self._canvas.viewport().size()
        if rect.isEmpty():
            return
        fresh = self._fresh
        scale = min(1.0, vp.width() / rect.width(), vp.height() / rect.height())
        self.set_zoom(max(0.85, scale))
        self._fresh = fresh
        self._canvas.ensureVisible(self._items[0], 12, 12)

    def viewport_resized(self) -> None:
        """The first resize of a canvas that was hidden when its tree arrived sets its zoom."""
        if self._fresh and self._items and self._canvas.isVisible():
            self._fresh = False
            self._apply_initial_zoom()

    # ------------------------------------------------------------------ selection
    def select_node(self, node_id: int) -> None:
        """Select a node (outlined), scroll it into view and emit ``nodeSelected``."""
        if node_id not in self._items:
            raise ValueError(f"no node {node_id} in this tree")
        if node_id not in self._rows:          # hidden (a pruned node while pruned are hidden)
            self.show_pruned.setChecked(True)
        self._set_selected(node_id)
        self._canvas.ensureVisible(self._items[node_id], 40, 40)
        self.nodeSelected.emit(node_id)

    def _set_selected(self, node_id: int | None) -> None:
        if self._selected is not None and self._selected in self._items:
            self._items[self._selected].set_selected(False)
        self._light_path(node_id)
        self._selected = node_id
        if node_id is None:
            self._info.setText(" ")
            return
        self._items[node_id].set_selected(True)
        node = self._ins.tree.nodes[node_id]
        if node.status == ROOT:
            self._info.setText("<s>: the start of every hypothesis")
            return
        text = self._ins.node_texts[node_id]
        self._info.setText(f"Step {node.step + 1} · p({self._ins.node_tokens[node_id]}) = "
                           f"{format_prob(node.prob)} · log-prob {_signed(node.logp)} · "
                           f"{self._status_text(node)} — “{text}”")

    def _light_path(self, node_id: int | None) -> None:
        """Draw the edges from the root to ``node_id`` in the selection colour (others as
        before), so the chosen partial hypothesis can be read along the tree."""
        nodes = self._ins.tree.nodes if self._ins is not None and self._ins.tree else []
        best = self._ins.tree.on_best_path() if nodes else set()
        for nid in self._lit:             # back to normal (pruned ones faded again)
            edge, faded = self._edges[nid], nodes[nid].status == PRUNED
            edge.setPen(self._edge_pen(nodes[nid].status, nid in best))
            edge.setZValue(1 if nid in best else 0)
            edge.setOpacity(PRUNED_OPACITY if faded else 1.0)
            self._items[nid].setOpacity(PRUNED_OPACITY if faded else 1.0)
        self._lit = [] if node_id is None else [n.id for n in self._ins.tree.path(node_id)]
        for nid in self._lit:             # the chosen path: fully visible, even if pruned
            pen = QPen(HIGHLIGHT, 2.5)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            self._edges[nid].setPen(pen)
            self._edges[nid].setZValue(1.5)
            self._edges[nid].setOpacity(1.0)
            self._items[nid].setOpacity(1.0)

    @property
    def selected_node(self) -> int | None:
        return self._selected

    def handle_key(self, key: int) -> bool:
        """Arrow keys: Left = parent, Right = first child, Up/Down = previous/next sibling."""
        if not self._items or key not in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up,
                                          Qt.Key.Key_Down):
            return False
        nodes = self._ins.tree.nodes
        cur = self._selected
        if cur is None:
            target = 0
        elif key == Qt.Key.Key_Left:
            target = nodes[cur].parent if nodes[cur].parent >= 0 else cur
        elif key == Qt.Key.Key_Right:
            kids = self._shown_children(cur)
            target = kids[0] if kids else cur
        else:
            parent = nodes[cur].parent
            sibs = self._shown_children(parent) if parent >= 0 else [cur]
            i = sibs.index(cur) + (-1 if key == Qt.Key.Key_Up else 1)
            target = sibs[max(0, min(len(sibs) - 1, i))]
        if target != cur:
            self.select_node(target)
        return True

    def _shown_children(self, node_id: int) -> list[int]:
        return sorted((c for c in self._kids.get(node_id, []) if c in self._rows),
                      key=self._order.__getitem__)

    # ------------------------------------------------------------------ accessors (tests)
    def node_items(self) -> dict[int, QGraphicsItem]:
        """The drawn item of every tree node, by node id."""
        return dict(self._items)

    def edge_items(self) -> dict[int, QGraphicsPathItem]:
        """The edge into every non-root node, by the child's node id."""
        return dict(self._edges)

    def node_text(self, node_id: int) -> str:
        """What the node's box says: the token and its probability, e.g. "Frau 0.93"."""
        return self._texts[node_id]

    def leaf_label(self, node_id: int) -> str:
        """The text beside a finished node ("#1  −0.41"), or "" for other nodes."""
        label = self._labels.get(node_id)
        return label.text() if label is not None else ""

    def node_row(self, node_id: int) -> int | None:
        """The layout row of a visible node (None when hidden)."""
        return self._rows.get(node_id)

    @property
    def message(self) -> str:
        """The text shown instead of a tree ("" while a tree is shown)."""
        return "" if self._stack.currentWidget() is self._canvas else self._message.text()

    @property
    def info_text(self) -> str:
        return self._info.text()

    @property
    def canvas(self) -> QGraphicsView:
        return self._canvas
