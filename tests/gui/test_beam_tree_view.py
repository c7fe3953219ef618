"""The beam tree view draws exactly the beam's tree: every node once, the N-best leaves with
their rank and score and the same tokens as the hypotheses, pruned candidates faded, no two boxes
overlapping; a click or an arrow key picks a node and reports its id."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from core.decoding.beam_tree import KEPT, PRUNED, ROOT, BeamTree, TreeNode
from core.decoding.inspection import Inspection
from core.events import Translation
from gui.widgets.beam_tree_items import BOX_H, MINUS
from gui.widgets.beam_tree_view import GREEDY_MESSAGE, BeamTreeView
from gui.widgets.confidence_colours import format_prob

DEMO = Path(__file__).resolve().parents[2] / "resources" / "models" / "demo-en-de"
TEXT = "I know that the woman drinks coffee."


@pytest.fixture(scope="module")
def translator():
    from core.decoding.translator import Translator

    return Translator.load(DEMO)


@pytest.fixture(scope="module")
def ins(translator):
    return translator.inspect(TEXT, beam=4, nbest=4)


@pytest.fixture
def view(qtbot, ins):
    v = BeamTreeView()
    qtbot.addWidget(v)
    v.resize(1000, 650)
    v.show()
    qtbot.waitExposed(v)
    v.set_inspection(ins)
    return v


def _box(item) -> QRectF:
    """The node's box in scene coordinates (without the selection-outline margin)."""
    return item.mapRectToScene(QRectF(0, 0, item.width, BOX_H))


def _token(view, node_id: int) -> str:
    return view.node_text(node_id).rsplit(" ", 1)[0] if node_id else "<s>"


def test_drawn_nodes_are_exactly_the_tree_nodes(view, ins):
    tree = ins.tree
    items = view.node_items()
    assert sorted(items) == [n.id for n in tree.nodes]
    for node in tree.nodes:
        assert items[node.id].isVisible()
        if node.status == ROOT:
            assert view.node_text(node.id) == "<s>"
        else:
            assert view.node_text(node.id) == f"{ins.node_tokens[node.id]} {format_prob(node.prob)}"
    # one edge per non-root node, from its parent's box to its own
    edges = view.edge_items()
    assert sorted(edges) == [n.id for n in tree.nodes[1:]]
    for node in tree.nodes[1:]:
        path = edges[node.id].path()
        parent, child = _box(items[node.parent]), _box(items[node.id])
        start, end = path.pointAtPercent(0), path.pointAtPercent(1)
        assert start == QPointF(parent.right(), parent.center().y())
        assert end == QPointF(child.left(), child.center().y())
    # one column per output step, left to right
    for node in tree.nodes[1:]:
        assert items[node.id].x() > items[node.parent].x()


def test_ranked_leaves_are_the_hypotheses_in_order(view, ins):
    tree = ins.tree
    ranked = tree.ranked()
    assert len(ranked) == len(ins.hypotheses) == 4
    for rank, (node, hyp) in enumerate(zip(ranked, ins.hypotheses)):
        path_tokens = [_token(view, n.id) for n in tree.path(node.id)]
        assert path_tokens == hyp.target_tokens
        assert view.leaf_label(node.id) == f"#{rank + 1}  " + f"{hyp.score:.2f}".replace("-", MINUS)
    # the best hypothesis is the straight line along the top; below a fork, the branch holding
    # the better-ranked hypothesis comes first (so ranks are in order wherever branches part)
    assert {view.node_row(n) for n in tree.on_best_path()} == {0}
    best_rank: dict[int, int] = {}
    for node in ranked:
        for n in [tree.root, *tree.path(node.id)]:
            best_rank[n.id] = min(best_rank.get(n.id, node.rank), node.rank)
    for a in ranked:
        for b in ranked:
            if a.rank >= b.rank:
                continue
            path_a, path_b = tree.path(a.id), tree.path(b.id)
            fork = next(i for i, (x, y) in enumerate(zip(path_a, path_b)) if x.id != y.id)
            a_first = best_rank[path_a[fork].id] < best_rank[path_b[fork].id]
            assert (view.node_row(a.id) < view.node_row(b.id)) == a_first, (a.rank, b.rank)
    labelled = [nid for nid in view.node_items() if view.leaf_label(nid).startswith("#")]
    assert sorted(labelled) == sorted(n.id for n in ranked)


def test_pruned_nodes_are_faded_and_best_path_is_thicker(view, ins):
    items, edges = view.node_items(), view.edge_items()
    nodes = ins.tree.nodes
    pruned = [n.id for n in nodes if n.status == PRUNED]
    kept = [n.id for n in nodes if n.status == KEPT]
    assert pruned and kept
    assert max(items[i].opacity() for i in pruned) < min(items[i].opacity() for i in kept)
    assert max(edges[i].opacity() for i in pruned) < min(edges[i].opacity() for i in kept)
    best = ins.tree.on_best_path() - {0}
    others = set(edges) - best
    assert min(edges[i].pen().widthF() for i in best) > max(edges[i].pen().widthF() for i in others)


def test_boxes_never_overlap(view, ins):
    def check():
        boxes = [_box(it) for it in view.node_items().values() if it.isVisible()]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not a.intersects(b), (a, b)

    check()
    view.show_pruned.setChecked(False)  # hiding pruned nodes re-lays out the rest
    hidden = [n.id for n in ins.tree.nodes if n.status == PRUNED]
    assert not any(view.node_items()[i].isVisible() for i in hidden)
    assert all(view.node_items()[n.id].isVisible() for n in ins.tree.ranked())
    check()


def test_click_on_a_node_emits_its_id(view, ins, qtbot):
    tree = ins.tree
    second = tree.ranked()[1].id
    pruned = next(n.id for n in tree.nodes if n.status == PRUNED)
    for node_id in (second, pruned, tree.path(second)[3].id):
        item = view.node_items()[node_id]
        view.canvas.ensureVisible(item)
        QApplication.processEvents()
        pos = view.canvas.mapFromScene(item.sceneBoundingRect().center())
        with qtbot.waitSignal(view.nodeSelected) as blocker:
            qtbot.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        assert blocker.args == [node_id]
        assert view.selected_node == node_id and item.selected
        partial = ins.partial(node_id)
        assert partial.target_tokens == [_token(view, n.id) for n in tree.path(node_id)]
        assert partial.attention.shape == (len(tree.path(node_id)), len(ins.source_tokens))
        assert ins.node_texts[node_id] in view.info_text
    # the second hypothesis's partial is that whole hypothesis
    np.testing.assert_allclose(
        ins.partial(second).token_probs, ins.hypotheses[1].token_probs, rtol=1e-6
    )


def test_arrow_keys_walk_the_tree(view, ins, qtbot):
    tree = ins.tree
    leaf = tree.ranked()[1].id
    view.select_node(leaf)
    view.canvas.setFocus()
    qtbot.keyClick(view.canvas, Qt.Key.Key_Left)
    parent = tree.nodes[leaf].parent
    assert view.selected_node == parent
    qtbot.keyClick(view.canvas, Qt.Key.Key_Right)
    assert tree.nodes[view.selected_node].parent == parent
    # Down/Up move between siblings in drawing order (rows grow downwards)
    start = next(n for n in tree.nodes if len(tree.children(n.id)) >= 3)
    first = min(tree.children(start.id), key=lambda n: view.node_row(n.id)).id
    view.select_node(first)
    with qtbot.waitSignal(view.nodeSelected) as blocker:
        qtbot.keyClick(view.canvas, Qt.Key.Key_Down)
    moved = blocker.args[0]
    assert tree.nodes[moved].parent == start.id and view.node_row(moved) > view.node_row(first)
    qtbot.keyClick(view.canvas, Qt.Key.Key_Up)
    assert view.selected_node == first
    qtbot.keyClick(view.canvas, Qt.Key.Key_Up)  # clamps at the first sibling
    assert view.selected_node == first


def test_greedy_shows_a_message_instead_of_a_tree(view, translator):
    view.set_inspection(translator.inspect(TEXT, beam=1))
    assert view.message == GREEDY_MESSAGE
    assert view.node_items() == {}
    assert not view.fit_button.isEnabled()


def test_ctrl_wheel_zooms_and_fit_shows_everything(view, qtbot):
    view.set_zoom(1.0)
    vp = view.canvas.viewport()
    centre = QPointF(vp.width() / 2, vp.height() / 2)
    ev = QWheelEvent(
        centre,
        vp.mapToGlobal(centre),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(vp, ev)
    assert view.zoom() == pytest.approx(1.15)
    view.fit()
    assert view.zoom() < 1.0
    tree_rect = view.canvas.sceneRect().adjusted(12, 12, -12, -12)  # less the margin
    shown = view.canvas.mapFromScene(tree_rect).boundingRect()
    assert vp.rect().contains(shown)


def _synthetic(k: int = 8, steps: int = 44, src: int = 10, seed: int = 0) -> Inspection:
    """A beam-8 tree of ~700 nodes: each step scores 2k candidates and keeps the best k."""
    rng = np.random.default_rng(seed)
    nodes = [TreeNode(0, -1, -1, -1, 1.0, 0.0, np.zeros(0, np.float32), ROOT)]
    alive = [0]
    for t in range(steps):
        cands = []
        for s in range(2 * k):
            parent, p = alive[s % len(alive)], float(rng.uniform(0.01, 1))
            cands.append((nodes[parent].logp + float(np.log(p)), parent, p))
        cands.sort(reverse=True)
        alive = []
        for i, (logp, parent, p) in enumerate(cands):
            nodes.append(
                TreeNode(
                    len(nodes),
                    parent,
                    t,
                    5 + i,
                    p,
                    logp,
                    np.full(src, 1 / src, np.float32),
                    KEPT if i < k else PRUNED,
                )
            )
            if i < k:
                alive.append(len(nodes) - 1)
    tokens = ["<s>"] + [f"Wort{n.id}" for n in nodes[1:]]
    hyp = Translation(
        ["a"] * (src - 1) + ["</s>"],
        ["</s>"],
        np.ones(1, np.float32),
        np.full((1, src), 1 / src, np.float32),
        0.0,
        "",
    )
    return Inspection([hyp], BeamTree(nodes), tokens, [""] * len(nodes))


def test_big_tree_draws_well_under_a_second(view):
    big = _synthetic()
    assert len(big.tree.nodes) >= 700
    start = time.thread_time()  # the GUI thread's own CPU: a loaded machine cannot inflate it
    view.set_inspection(big)
    view.canvas.viewport().repaint()
    elapsed = time.thread_time() - start
    assert len(view.node_items()) == len(big.tree.nodes)
    assert elapsed < 1.0, f"{elapsed:.3f} s for {len(big.tree.nodes)} nodes"
