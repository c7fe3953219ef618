"""The Translate & inspect tab, driven like a user: your own translation scored (forced decoding),
guided completion from a prefix, the beam tree, statistics and the what-if re-decode — each
checked against what the model itself computes."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.decoding.translator import Translator
from tests.gui.stubs import wait_for_job


@pytest.fixture
def opened(window, qtbot, tiny_model_dir):
    with qtbot.waitSignal(window.session.modelLoaded, timeout=20000):
        window.open_model(str(tiny_model_dir))
    return window


@pytest.fixture
def direct(tiny_model_dir):
    return Translator.load(tiny_model_dir, device="cpu")


def _inspect(window, qtbot, text: str, beam: int = 3, prefix: str = "", reference: str = ""):
    panel = window.translate_panel
    panel.beam_spin.setValue(beam)
    panel.nbest_spin.setValue(beam)
    panel.prefix_edit.setText(prefix)
    panel.reference_edit.setText(reference)
    edit = panel.source_edit
    edit.clear()
    with qtbot.waitSignal(window.session.inspected, timeout=20000) as blocker:
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    return blocker.args[0]


def test_your_translation_is_scored_with_the_models_own_probabilities(
    opened, qtbot, toy_corpus, direct
):
    window, panel = opened, opened.translate_panel
    source = toy_corpus["probe"]
    mine = direct.translate(source)[0].text.split()
    mine = " ".join(mine[:-1] + ["7"]) if len(mine) > 1 else "7 7"  # a plausible edit
    ins = _inspect(window, qtbot, source, reference=mine)
    expected = direct.score(source, mine)
    assert ins.reference is not None
    np.testing.assert_allclose(ins.reference.token_probs, expected.token_probs, rtol=1e-5)
    np.testing.assert_allclose(ins.reference.attention, expected.attention, atol=1e-6)
    last = panel.nbest_list.count() - 1
    assert panel.nbest_list.item(last).text().startswith("✎ ")
    assert last == len(ins.hypotheses)
    panel.nbest_list.setCurrentRow(last)
    np.testing.assert_array_equal(panel.heatmap.weights, ins.reference.attention)
    np.testing.assert_array_equal(panel.your_heatmap.weights, ins.reference.attention)
    np.testing.assert_array_equal(panel.model_heatmap.weights, ins.hypotheses[0].attention)
    assert panel.confidence.your_strip.tokens == list(ins.reference.target_tokens)
    assert panel.confidence.model_strip.tokens == list(ins.hypotheses[0].target_tokens)


def test_guided_completion_starts_with_the_prefix(opened, qtbot, toy_corpus, direct):
    source = toy_corpus["probe"]
    free = direct.translate(source)[0].target_tokens
    forced_first = "9" if free[0] != "9" else "8"
    for beam in (1, 3):
        ins = _inspect(opened, qtbot, source, beam=beam, prefix=forced_first)
        for hyp in ins.hypotheses:
            assert hyp.target_tokens[0] == forced_first
            np.testing.assert_allclose(hyp.attention.sum(1), 1.0, atol=1e-5)
        expected = direct.translate(source, beam=beam, nbest=beam, prefix=forced_first)
        assert [h.target_tokens for h in ins.hypotheses] == [e.target_tokens for e in expected]
    assert opened.translate_panel.output.toPlainText().split()[0] == forced_first


def test_beam_tree_holds_the_beams_hypotheses_and_shows_partial_attention(
    opened, qtbot, toy_corpus
):
    panel = opened.translate_panel
    ins = _inspect(opened, qtbot, toy_corpus["probe"], beam=3)
    ranked = ins.tree.ranked()
    assert [ins.partial(n.id).target_tokens for n in ranked] == [
        h.target_tokens for h in ins.hypotheses
    ]
    assert set(panel.tree_view.node_items()) == {n.id for n in ins.tree.nodes}
    panel.inspector_tabs.setCurrentIndex(2)  # Beam tree
    inner = next(n for n in ins.tree.nodes if n.step == 1)
    with qtbot.waitSignal(panel.tree_view.nodeSelected, timeout=2000):
        panel.tree_view.select_node(inner.id)
    part = ins.partial(inner.id)
    assert len(part.target_tokens) == 2
    np.testing.assert_array_equal(panel.tree_heatmap.weights, part.attention)


def test_greedy_explains_that_there_is_no_tree(opened, qtbot, toy_corpus):
    panel = opened.translate_panel
    ins = _inspect(opened, qtbot, toy_corpus["probe"], beam=1)
    assert ins.tree is None
    assert "greedy" in panel.tree_view.message.lower()


def test_statistics_and_lines_follow_the_chosen_hypothesis(opened, qtbot, toy_corpus):
    panel = opened.translate_panel
    ins = _inspect(opened, qtbot, toy_corpus["probe"], beam=3)
    for row, hyp in enumerate(ins.hypotheses):
        panel.nbest_list.setCurrentRow(row)
        np.testing.assert_allclose(panel.stats_view.stats.coverage, hyp.attention.sum(0), rtol=1e-6)
        drawn = panel.alignment_view.drawn_links()
        threshold = panel.alignment_view.threshold
        assert len(drawn) == int((hyp.attention >= threshold).sum())


def test_what_if_moves_the_attention_and_redecodes(opened, qtbot, toy_corpus):
    panel = opened.translate_panel
    ins = _inspect(opened, qtbot, toy_corpus["probe"], beam=1)
    best = ins.hypotheses[0]
    view = panel.what_if_view
    assert view.translation is best
    step, col = 1, 0
    view.original_heatmap.select(step, col)
    job = wait_for_job(qtbot, opened.session, "what-if", view.redecode_button.click, timeout=20000)
    changed = job.result
    one_hot = np.zeros(len(best.source_tokens), np.float32)
    one_hot[col] = 1.0
    np.testing.assert_array_equal(changed.attention[step], one_hot)
    assert changed.target_tokens[:step] == best.target_tokens[:step]
    assert view.result is changed
    assert not view.is_busy
