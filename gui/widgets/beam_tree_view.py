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

How a node, an edge and a label look is in ``gui.widgets.beam_tree_items``; this module lays
them out and handles zoom, selection and keyboard navigation.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
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
    QVBoxLayout,
    QWidget,
)

from core.decoding.beam_tree import PRUNED
from gui.widgets.beam_tree_items import (
    ACCENT,
    BOX_H,
    COL_GAP,
    MAX_ZOOM,
    MIN_ZOOM,
    PRUNED_OPACITY,
    ROW_PITCH,
    NodeItem,
    child_order,
    edge_path,
    edge_pen,
    leaf_label,
    node_info,
    node_item,
)
from gui.widgets.confidence_colours import confidence_colour
from gui.widgets.tree_layout import children_map, leaf_order_rows

GREEDY_MESSAGE = "Beam size 1 (greedy) explores no tree — set beam ≥ 2"
EMPTY_MESSAGE = "Translate with beam ≥ 2 to see the search tree the beam explored."


class _Canvas(QGraphicsView):
    """The QGraphicsView: Ctrl+wheel zooms, a click picks a node, arrows move the selection."""

    def __init__(self, owner: BeamTreeView) -> None:
        super().__init__()
        self._owner = owner
        self.setObjectName("beamTreeCanvas")
        self.setAccessibleName("beamTreeCanvas")
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
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
            while item is not None and not isinstance(item, NodeItem):
                item = item.parentItem()
            if isinstance(item, NodeItem):
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
        self._items: dict[int, NodeItem] = {}
        self._edges: dict[int, QGraphicsPathItem] = {}
        self._labels: dict[int, QGraphicsSimpleTextItem] = {}
        self._texts: dict[int, str] = {}
        self._kids: dict[int, list[int]] = {}
        self._order: dict[int, tuple] = {}
        self._rows: dict[int, int] = {}
        self._selected: int | None = None
        self._lit: list[int] = []  # edges drawn in the selection colour
        self._fresh = False  # a new tree waits for its first zoom-to-fit
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
        bar = self._build_toolbar()

        self._info = QLabel(" ")
        self._info.setObjectName("beamTreeNodeInfo")
        self._info.setWordWrap(True)
        self._info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._info.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addWidget(self._stack, 1)
        lay.addWidget(self._info)
        self.setFocusProxy(self._canvas)
        self._set_controls_enabled(False)

    def _build_toolbar(self) -> QHBoxLayout:
        """Fit, 100%, "Show pruned" and the legend, above the tree."""
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
            f"<span style='color:{confidence_colour(1.0).name()}'>■</span> high"
        )
        legend.setObjectName("beamTreeLegend")
        legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._legend = legend
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.fit_button)
        bar.addWidget(self.actual_size_button)
        bar.addWidget(self.show_pruned)
        bar.addWidget(legend, 1)
        return bar

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
        self._order = child_order(tree)
        best = tree.on_best_path()
        fonts, metrics = (self._font, self._small), (self._fm, self._fm_small)
        for node in tree.nodes:
            item = node_item(ins, node, node.id in best, fonts, metrics)
            self._scene.addItem(item)
            self._items[node.id] = item
            self._texts[node.id] = f"{ins.node_tokens[node.id]} {item.prob_text}".strip()
            if node.parent >= 0:
                edge = QGraphicsPathItem()
                edge.setZValue(1 if node.id in best else 0)
                edge.setPen(edge_pen(node.status, node.id in best))
                if node.status == PRUNED:
                    edge.setOpacity(PRUNED_OPACITY)
                self._scene.addItem(edge)
                self._edges[node.id] = edge
            label = leaf_label(node, self._bold, self._small)
            if label is not None:
                self._scene.addItem(label)
                self._labels[node.id] = label
        self._relayout()
        self._stack.setCurrentWidget(self._canvas)
        self._set_controls_enabled(True)
        self._info.setText(
            "Click a node to see that partial hypothesis and its attention; "
            "arrow keys move along the tree."
        )
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
                self._labels[nid].setPos(
                    item.x() + item.width + 6, item.y() + (BOX_H - self._fm.height()) / 2
                )
        for nid, edge in self._edges.items():
            if nid not in self._rows:
                continue
            edge.setPath(edge_path(self._items[parents[nid]], self._items[nid]))
        rect = QRectF()  # itemsBoundingRect() would count the hidden items too
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
        self._fresh = False  # an explicit zoom wins over the automatic one
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
        if node_id not in self._rows:  # hidden (a pruned node while pruned are hidden)
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
        self._info.setText(node_info(self._ins, self._ins.tree.nodes[node_id]))

    def _light_path(self, node_id: int | None) -> None:
        """Draw the edges from the root to ``node_id`` in the selection colour (others as
        before), so the chosen partial hypothesis can be read along the tree."""
        nodes = self._ins.tree.nodes if self._ins is not None and self._ins.tree else []
        best = self._ins.tree.on_best_path() if nodes else set()
        for nid in self._lit:  # back to normal (pruned ones faded again)
            edge, faded = self._edges[nid], nodes[nid].status == PRUNED
            edge.setPen(edge_pen(nodes[nid].status, nid in best))
            edge.setZValue(1 if nid in best else 0)
            edge.setOpacity(PRUNED_OPACITY if faded else 1.0)
            self._items[nid].setOpacity(PRUNED_OPACITY if faded else 1.0)
        self._lit = [] if node_id is None else [n.id for n in self._ins.tree.path(node_id)]
        for nid in self._lit:  # the chosen path: fully visible, even if pruned
            self._edges[nid].setPen(edge_pen("", False, lit=True))
            self._edges[nid].setZValue(1.5)
            self._edges[nid].setOpacity(1.0)
            self._items[nid].setOpacity(1.0)

    @property
    def selected_node(self) -> int | None:
        return self._selected

    def handle_key(self, key: int) -> bool:
        """Arrow keys: Left = parent, Right = first child, Up/Down = previous/next sibling."""
        if not self._items or key not in (
            Qt.Key.Key_Left,
            Qt.Key.Key_Right,
            Qt.Key.Key_Up,
            Qt.Key.Key_Down,
        ):
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
        return sorted(
            (c for c in self._kids.get(node_id, []) if c in self._rows), key=self._order.__getitem__
        )

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
