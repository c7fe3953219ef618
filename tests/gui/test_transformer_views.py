"""The Transformer views on a real tiny Transformer, driven like a user through the main window:
translate, open a head from the grid, read the self-attention, re-decode a what-if of one head,
follow a head through the training timeline — each checked against what the model computed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.decoding.translator import Translator
from core.inspection.heads import HeadChoice
from core.inspection.probe_timeline import read_timeline
from core.inspection.word_merge import WordTranslation
from tests.gui.stubs import wait_for_job


@pytest.fixture(scope="module")
def transformer_dir(tmp_path_factory, toy_corpus) -> Path:
    """The tiny Transformer preset trained for 260 updates (a fixed count, so a loaded machine
    gets the same model) on the toy corpus (reversed digits), validating (and recording its
    probes) along the way."""
    from core.config import TokenizerConfig, preset
    from core.data.corpus import CorpusSpec
    from core.training.run import train

    p = preset("tiny", arch="transformer")
    out = tmp_path_factory.mktemp("transformer") / "tiny-transformer"
    cfg = p.train.replace(epochs=0, max_steps=260, valid_every=20, dev_fraction=0.1, num_threads=1)
    train(
        CorpusSpec(tsv_path=str(toy_corpus["tsv"])),
        out,
        p.model,
        TokenizerConfig("en", "xx"),
        cfg,
        name="tiny transformer",
    )
    return out


@pytest.fixture
def opened(window, qtbot, transformer_dir):
    with qtbot.waitSignal(window.session.modelLoaded, timeout=20000):
        window.open_model(str(transformer_dir))
    return window


def _inspect(window, qtbot, text: str, beam: int = 3):
    panel = window.translate_panel
    panel.beam_spin.setValue(beam)
    panel.nbest_spin.setValue(beam)
    edit = panel.source_edit
    edit.clear()
    with qtbot.waitSignal(window.session.inspected, timeout=30000) as blocker:
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    return blocker.args[0]


def _tab(inspector, title: str) -> int:
    titles = [inspector.tabText(i).replace("&&", "&") for i in range(inspector.count())]
    return titles.index(title)


def test_a_head_opened_from_the_grid_is_the_models_own_matrix(opened, qtbot, toy_corpus):
    ins = _inspect(opened, qtbot, toy_corpus["probe"])
    best = ins.hypotheses[0]
    n_layers, n_heads = best.cross_attention.shape[:2]
    inspector = opened.translate_panel.inspector_tabs
    assert inspector.isTabVisible(_tab(inspector, "Heads"))
    inspector.setCurrentIndex(_tab(inspector, "Heads"))
    grid = inspector.head_grid
    assert len(grid.summaries) == n_layers * n_heads
    button = grid.button(HeadChoice(0, n_heads - 1))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert inspector.currentIndex() == _tab(inspector, "Heatmap & statistics")
    chosen = best.cross_attention[0, n_heads - 1]
    heatmap = inspector.heatmap
    np.testing.assert_array_equal(heatmap.weights, chosen)
    np.testing.assert_array_equal(heatmap.image_item.image, chosen)
    np.testing.assert_allclose(heatmap.weights.sum(axis=1), 1.0, atol=1e-5)
    # the default view is exactly the attention the model reports (the last layer's mean)
    inspector.head_selector.layer_combo.setCurrentIndex(n_layers - 1)
    inspector.head_selector.head_combo.setCurrentIndex(0)
    np.testing.assert_array_equal(heatmap.weights, best.attention)
    np.testing.assert_allclose(best.attention, best.cross_attention[-1].mean(axis=0), atol=1e-6)


def test_self_attention_of_the_same_sentence_is_masked_in_the_decoder(opened, qtbot, toy_corpus):
    ins = _inspect(opened, qtbot, toy_corpus["probe"])
    best = ins.hypotheses[0]
    assert best.encoder_self_attention is not None and best.decoder_self_attention is not None
    inspector = opened.translate_panel.inspector_tabs
    inspector.setCurrentIndex(_tab(inspector, "Self-attention"))
    view = inspector.self_attention
    np.testing.assert_array_equal(
        view.heatmap.weights,
        best.encoder_self_attention[-1].mean(axis=0, dtype=np.float64).astype(np.float32),
    )
    qtbot.mouseClick(view.decoder_button, Qt.MouseButton.LeftButton)
    dec = view.heatmap.weights
    assert dec.shape == (len(best.target_tokens),) * 2
    assert (np.triu(dec, k=1) == 0.0).all()
    np.testing.assert_allclose(dec.sum(axis=1), 1.0, atol=1e-5)
    assert "exactly 0" in view.note.text()


def test_what_if_replaces_the_chosen_head_only(opened, qtbot, toy_corpus, transformer_dir):
    text = toy_corpus["probe"]
    ins = _inspect(opened, qtbot, text, beam=1)
    best = ins.hypotheses[0]
    inspector = opened.translate_panel.inspector_tabs
    inspector.head_selector.layer_combo.setCurrentIndex(0)  # layer 0
    inspector.head_selector.head_combo.setCurrentIndex(2)  # head 1 (after "mean over heads")
    assert "layer 0, head 1" in inspector.what_if_heads.text()
    inspector.setCurrentIndex(_tab(inspector, "What if…"))
    view = inspector.what_if_view
    step, col = 1, 0
    view.original_heatmap.select(step, col)
    wait_for_job(qtbot, opened.session, "what-if", view.redecode_button.click)
    direct = Translator.load(transformer_dir, device="cpu")
    expected = direct.what_if(text, best.target_tokens, step, col, layer=0, head=1)
    changed = view.result  # in words (a subword model opens in Words mode); digits are one
    # piece each here, so word and piece indices agree and the merged heads equal the pieces'
    assert isinstance(changed, WordTranslation)
    assert changed.pieces.target_tokens == expected.target_tokens
    one_hot = np.zeros(len(best.source_tokens), np.float32)
    one_hot[col] = 1.0
    np.testing.assert_array_equal(changed.attention[step], one_hot)  # the shown head: replaced
    np.testing.assert_array_equal(changed.cross_attention[0, 1, step], one_hot)
    # the layer's other heads attend as the model computed: a softmax row, not the one-hot
    assert not np.array_equal(changed.cross_attention[0, 0, step], one_hot)
    np.testing.assert_allclose(changed.cross_attention[0, 0, step].sum(), 1.0, atol=1e-5)
    assert "layer 0, head 1" in inspector.what_if_heads.text()


def test_the_timeline_keeps_every_head_of_the_probes(transformer_dir, shown_panel):
    from gui.panels.timeline_panel import TimelinePanel

    timeline = read_timeline(transformer_dir)
    assert timeline.snapshots
    probe = timeline.snapshots[-1].probes[0].translation
    assert probe.cross_attention is not None
    np.testing.assert_allclose(probe.attention, probe.cross_attention[-1].mean(axis=0), atol=2e-3)
    panel = shown_panel(TimelinePanel, (1300, 760))
    panel.show_timeline(timeline)
    panel.head_selector.layer_combo.setCurrentIndex(0)
    panel.head_selector.head_combo.setCurrentIndex(1)
    shown = panel.series[panel.slider.value()][1].translation
    np.testing.assert_array_equal(panel.heatmap.weights, shown.cross_attention[0, 0])
