"""The Transformer views driven like a user: the layer × head selector, the head grid, the AER
ranking of heads, the self-attention switch — on hand-made (layers, heads, T, S) attention whose
meaning is known (one head is exactly the gold alignment)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument

from core.events import Translation
from core.inspection.heads import HeadChoice
from gui.panels.inspector import Inspector
from gui.widgets.head_grid import thumbnail_image

SRC = ["das", "Haus", "ist", "klein", "</s>"]
TGT = ["the", "house", "is", "small", "</s>"]
GOLD_COLS = [3, 0, 1, 2, 4]  # the gold head: target word j looks at source word GOLD_COLS[j]
GOLD = "3-0 0-1 1-2 2-3"


def _rows(cols: list[int], n: int = 5) -> np.ndarray:
    m = np.zeros((len(cols), n), np.float32)
    m[np.arange(len(cols)), cols] = 1.0
    return m


def _stack() -> np.ndarray:
    """2 layers × 3 heads (0-based, as on screen): layer 1 head 1 is the gold alignment, layer 0
    head 2 parks on </s>,
    the others are random rows that sum to 1."""
    rng = np.random.default_rng(7)
    stack = rng.dirichlet(np.full(5, 0.7), size=(2, 3, 5)).astype(np.float32)
    stack[1, 1] = _rows(GOLD_COLS)
    stack[0, 2] = _rows([4] * 5)
    return stack


def _transformer_translation(**extra) -> Translation:
    stack = _stack()
    return Translation(
        SRC,
        TGT,
        np.full(5, 0.6, np.float32),
        stack[-1].mean(axis=0),
        -1.2,
        "the house is small",
        cross_attention=stack,
        **extra,
    )


def _pick(combo, text: str) -> None:
    """Choose an entry the way the keyboard does (the combo's own signal fires)."""
    index = combo.findText(text)
    assert index >= 0, (
        f"{text!r} is not offered: {[combo.itemText(i) for i in range(combo.count())]}"
    )
    combo.setCurrentIndex(index)


def _tab(inspector: Inspector, title: str) -> int:
    titles = [inspector.tabText(i).replace("&&", "&") for i in range(inspector.count())]
    return titles.index(title)


@pytest.fixture
def inspector(shown_panel) -> Inspector:
    ins = shown_panel(Inspector, (1280, 760))
    ins.show_hypothesis(_transformer_translation())
    return ins


def _shows(heatmap, matrix: np.ndarray) -> None:
    """The heatmap's data and its image are exactly ``matrix``; every row sums to 1."""
    np.testing.assert_array_equal(heatmap.weights, matrix)
    np.testing.assert_array_equal(heatmap.image_item.image, matrix)
    np.testing.assert_allclose(heatmap.weights.sum(axis=1), 1.0, atol=1e-5)


def test_the_selector_shows_the_chosen_layer_and_head(inspector, qtbot) -> None:
    stack, sel = _stack(), inspector.head_selector
    assert sel.isVisible()
    assert (
        sel.layer_combo.currentText() == "1" and sel.head_combo.currentText() == "mean over heads"
    )
    _shows(inspector.heatmap, inspector._hypothesis.attention)  # the default: last layer's mean
    np.testing.assert_allclose(inspector.heatmap.weights, stack[1].mean(axis=0), atol=1e-6)
    _pick(sel.layer_combo, "0")
    _pick(sel.head_combo, "1")
    _shows(inspector.heatmap, stack[0, 1])
    assert inspector.heads.choice == HeadChoice(0, 1)
    np.testing.assert_array_equal(inspector.alignment_view.translation.attention, stack[0, 1])
    _pick(sel.head_combo, "mean over heads")
    np.testing.assert_allclose(inspector.heatmap.weights, stack[0].mean(axis=0), atol=1e-6)
    _pick(sel.layer_combo, "all (mean over all)")
    np.testing.assert_allclose(inspector.heatmap.weights, stack.mean(axis=(0, 1)), atol=1e-6)
    assert not sel.head_combo.isEnabled()
    # the alignment tab's selector is the same choice
    other = inspector.alignment_panel.selector
    assert other.layer_combo.currentText() == "all (mean over all)"


def test_clicking_a_thumbnail_opens_that_head_in_the_heatmap(inspector, qtbot) -> None:
    inspector.setCurrentIndex(_tab(inspector, "Heads"))
    grid = inspector.head_grid
    assert len(grid.summaries) == 6
    button = grid.button(HeadChoice(1, 2))
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert inspector.currentIndex() == _tab(inspector, "Heatmap & statistics")
    _shows(inspector.heatmap, _stack()[1, 2])
    sel = inspector.head_selector
    assert (sel.layer_combo.currentText(), sel.head_combo.currentText()) == ("1", "2")
    assert button.isChecked() and not grid.button(HeadChoice(0, 0)).isChecked()
    assert grid.table.currentRow() == 5  # the table marks the same head


def test_the_grid_names_each_heads_entropy_and_favourite_source_token(inspector) -> None:
    grid = inspector.head_grid
    table = {grid.table.item(r, 0).text(): r for r in range(grid.table.rowCount())}
    gold = table["L1 H1"]
    assert grid.table.item(gold, 1).text() == "0.000"  # one-hot rows: no spread at all
    parked = table["L0 H2"]
    assert grid.table.item(parked, 2).text() == "</s>"
    assert grid.table.item(parked, 3).text() == "100%"
    tip = QTextDocument()
    tip.setHtml(grid.button(HeadChoice(0, 2)).toolTip())  # tokens show as written, not as tags
    assert "layer 0, head 2" in tip.toPlainText() and "“</s>”" in tip.toPlainText()
    # a table row chooses the head too
    grid.table.cellClicked.emit(gold, 0)
    _shows(inspector.heatmap, _stack()[1, 1])


def test_a_thumbnail_is_the_matrix_in_the_heatmaps_colours() -> None:
    m = np.array([[0.0, 1.0], [0.25, 0.75], [0.5, 0.5]], np.float32)
    img = thumbnail_image(m, size=30)
    assert (img.width(), img.height()) == (20, 30)  # 10-pixel cells, aspect kept
    expected = pg.colormap.get("viridis").map(m)
    for r in range(3):
        for c in range(2):
            colour = img.pixelColor(c * 10 + 5, r * 10 + 5)
            assert (colour.red(), colour.green(), colour.blue()) == tuple(expected[r, c, :3])


def test_the_aer_table_ranks_the_gold_head_first(inspector, qtbot) -> None:
    inspector.setCurrentIndex(_tab(inspector, "Alignment lines"))
    panel = inspector.alignment_panel
    qtbot.keyClicks(inspector.alignment_view.gold_edit, GOLD)
    ranking = panel.ranking.ranking
    assert len(ranking) == 6 + 2 + 1
    assert ranking[0].choice == HeadChoice(1, 1) and ranking[0].aer == 0.0
    heads = [r for r in ranking[1:] if r.choice.head is not None]
    assert len(heads) == 5 and all(r.aer > 0 for r in heads)  # no other single head aligns
    parked = next(r for r in ranking if r.choice == HeadChoice(0, 2))
    # it gives the words nothing (all on </s>), so each peak falls on source word 0: 1 of 4 right
    assert parked.aer == pytest.approx(0.75)
    table = panel.ranking.table
    assert table.item(0, 1).text() == "layer 1, head 1" and table.item(0, 2).text() == "0.000"
    assert "best is layer 1, head 1, AER 0.000" in panel.ranking.caption.text()
    table.cellClicked.emit(0, 1)  # click the best head: the lines show it, scored 0
    assert inspector.heads.choice == HeadChoice(1, 1)
    assert inspector.alignment_view.aer == 0.0
    assert inspector.alignment_view.pharaoh() == "0-1 1-2 2-3 3-0"
    # the ranking's AER of any head is the lines view's AER once that head is chosen
    row = next(i for i, r in enumerate(ranking) if r.choice == HeadChoice(0, 0))
    table.cellClicked.emit(row, 0)
    assert inspector.alignment_view.aer == pytest.approx(ranking[row].aer)


def test_a_bad_gold_line_says_why_the_heads_cannot_be_ranked(inspector, qtbot) -> None:
    qtbot.keyClicks(inspector.alignment_view.gold_edit, "0-9")
    assert inspector.alignment_panel.ranking.ranking == []
    assert "outside the sentence pair" in inspector.alignment_panel.ranking.caption.text()


def test_a_gru_translation_shows_no_head_controls(shown_panel) -> None:
    ins = shown_panel(Inspector, (1100, 700))
    # before any translation (a new window with the GRU demo open): no head tabs either
    assert not ins.isTabVisible(_tab(ins, "Heads"))
    assert not ins.isTabVisible(_tab(ins, "Self-attention"))
    tr = _transformer_translation()
    gru = Translation(SRC, TGT, tr.token_probs, tr.attention, tr.score, tr.text)
    ins.show_hypothesis(gru)
    assert not ins.head_selector.isVisible()
    assert not ins.isTabVisible(_tab(ins, "Heads"))
    assert not ins.isTabVisible(_tab(ins, "Self-attention"))
    assert not ins.alignment_panel.ranking.isVisible()
    np.testing.assert_array_equal(ins.heatmap.weights, gru.attention)
    ins.show_hypothesis(tr)  # then a Transformer one: the controls come back
    assert ins.head_selector.isVisible() and ins.isTabVisible(_tab(ins, "Heads"))


def test_self_attention_of_encoder_and_decoder_for_the_same_sentence(shown_panel, qtbot) -> None:
    rng = np.random.default_rng(3)
    enc = rng.dirichlet(np.ones(5), size=(2, 3, 5)).astype(np.float32)
    dec = np.tril(rng.uniform(0.1, 1.0, size=(2, 3, 5, 5))).astype(np.float32)
    dec /= dec.sum(axis=-1, keepdims=True)
    ins = shown_panel(Inspector, (1100, 700))
    ins.show_hypothesis(
        _transformer_translation(encoder_self_attention=enc, decoder_self_attention=dec)
    )
    view = ins.self_attention
    ins.setCurrentIndex(_tab(ins, "Self-attention"))
    _pick(ins.head_selector.layer_combo, "0")
    _pick(ins.head_selector.head_combo, "2")
    _shows(view.heatmap, enc[0, 2])
    assert view.heatmap.source_tokens == SRC and view.heatmap.target_tokens == SRC
    qtbot.mouseClick(view.decoder_button, Qt.MouseButton.LeftButton)
    _shows(view.heatmap, dec[0, 2])
    assert view.heatmap.source_tokens == ["<s>", *TGT[:-1]] and view.heatmap.target_tokens == TGT
    assert (np.triu(view.heatmap.weights, k=1) == 0.0).all()
    assert "exactly 0" in view.note.text() and "layer 0, head 2" in view.note.text()
    assert "(<s>, then" in view.note.text() and view.note.textFormat() == Qt.TextFormat.PlainText


def test_what_if_says_which_layer_and_heads_it_replaces(inspector) -> None:
    _pick(inspector.head_selector.layer_combo, "0")
    _pick(inspector.head_selector.head_combo, "1")
    assert inspector._what_if_heads() == {"layer": 0, "head": 1}
    assert "layer 0, head 1" in inspector.what_if_heads.text()
    np.testing.assert_array_equal(inspector.what_if_view.translation.attention, _stack()[0, 1])
    _pick(inspector.head_selector.head_combo, "mean over heads")
    assert inspector._what_if_heads() == {"layer": 0, "head": None}
    assert "layer 0, all heads" in inspector.what_if_heads.text()


def test_the_timeline_follows_the_chosen_head_through_training(shown_panel, tmp_path) -> None:
    """Two validations of a Transformer probe: the selector shows one head at each point, and
    the change between them is that head's change."""
    from core.inspection.probe_timeline import (
        KIND_REFERENCE,
        append_snapshot,
        probe_record,
        read_timeline,
    )
    from gui.panels.timeline_panel import TimelinePanel

    early, late = _stack(), _stack()
    early[0, 1] = np.full((5, 5), 0.2, np.float32)  # layer 0 head 1 was spread out, then sharp
    late[0, 1] = _rows([0, 1, 2, 3, 4])
    for step, stack in ((100, early), (200, late)):
        tr = dataclasses.replace(
            _transformer_translation(), cross_attention=stack, attention=stack[-1].mean(axis=0)
        )
        record = probe_record("das Haus ist klein", "the house is small", KIND_REFERENCE, "", tr)
        append_snapshot(tmp_path, step, 0, None, None, [record])
    panel = shown_panel(TimelinePanel, (1300, 760))
    panel.show_timeline(read_timeline(tmp_path))
    assert panel.head_selector.isVisible()
    _pick(panel.head_selector.layer_combo, "0")
    _pick(panel.head_selector.head_combo, "1")
    panel.select(0, at=1, compare=0)
    np.testing.assert_allclose(panel.heatmap.weights, late[0, 1], atol=1e-4)
    np.testing.assert_allclose(panel.diff_heatmap.weights, late[0, 1] - early[0, 1], atol=1e-4)
    assert "layer 0, head 1" in panel.heatmap_caption.text()
    panel.slider.setValue(0)
    np.testing.assert_allclose(panel.heatmap.weights, early[0, 1], atol=1e-4)


def test_compare_sets_a_gru_beside_a_chosen_transformer_head_on_one_scale(shown_panel) -> None:
    from gui.panels.compare_panel import ComparePanel

    panel = shown_panel(ComparePanel, (1300, 760))
    transformer = _transformer_translation()
    gru = Translation(SRC, TGT, transformer.token_probs, _rows(GOLD_COLS), -0.9, "the house")
    panel.show_results([gru, transformer])
    a, b = panel.column_a, panel.column_b
    assert not a.head_selector.isVisible() and b.head_selector.isVisible()
    _pick(b.head_selector.layer_combo, "1")
    _pick(b.head_selector.head_combo, "1")
    _shows(panel.heatmap_b, _stack()[1, 1])
    _shows(panel.heatmap_a, gru.attention)
    assert panel.heatmap_a.levels == panel.heatmap_b.levels == (0.0, 1.0)
    assert panel.heatmap_a.colorbar.levels() == panel.heatmap_b.colorbar.levels() == (0.0, 1.0)


def test_your_translation_follows_the_head_and_another_model_resets_it(shown_panel) -> None:
    from core.decoding.inspection import Inspection

    ins = shown_panel(Inspector, (1100, 700))
    tr = _transformer_translation()
    ins.show_inspection(Inspection([tr], reference=tr), "das Haus ist klein")
    ins.show_hypothesis(tr)
    _pick(ins.head_selector.layer_combo, "1")
    _pick(ins.head_selector.head_combo, "2")
    _shows(ins.model_heatmap, _stack()[1, 2])
    _shows(ins.your_heatmap, _stack()[1, 2])
    # a model of one layer and two heads: back to its default view, no stale layer 1
    small = dataclasses.replace(tr, cross_attention=_stack()[:1, :2])
    small = dataclasses.replace(small, attention=small.cross_attention[0].mean(axis=0))
    ins.show_inspection(Inspection([small], reference=small), "das Haus ist klein")
    ins.show_hypothesis(small)
    assert ins.heads.choice == HeadChoice(0, None)
    assert ins.head_selector.head_combo.count() == 3  # mean over heads, 0, 1
    _shows(ins.heatmap, small.attention)
