"""The Subwords | Words switch on a real tiny subword model, driven like a user: open the model,
translate, click the switch, hover, re-decode a what-if on a word; and the CLI's word fields on
the same model. The model is trained once per module (sentencepiece with a small vocabulary, so
the number words split into several pieces)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.inspection.word_merge import spread_override, to_words
from tests.gui.stubs import wait_for_job


@pytest.fixture(scope="module")
def subword_model_dir(tmp_path_factory, toy_corpus):
    from core.config import TokenizerConfig, preset
    from core.data.corpus import CorpusSpec
    from core.training.run import train

    p = preset("tiny")
    cfg = p.train.replace(
        epochs=0, max_steps=240, valid_every=25, dev_fraction=0.1, vocab_size=300, seed=3
    )
    out = tmp_path_factory.mktemp("models") / "tiny-subwords"
    train(
        CorpusSpec(tsv_path=str(toy_corpus["tsv"])),
        out,
        p.model,
        TokenizerConfig("en", "xx", tokenization="subwords"),
        cfg,
        name="tiny subwords",
    )
    return out


@pytest.fixture
def opened(window, qtbot, subword_model_dir):
    with qtbot.waitSignal(window.session.modelLoaded, timeout=30000):
        window.open_model(str(subword_model_dir))
    return window


WORDS = ["seventeen", "one", "eightyž", "</s>"]


def _inspect(window, qtbot, text: str):
    panel = window.translate_panel
    panel.beam_spin.setValue(2)
    panel.nbest_spin.setValue(1)
    with qtbot.waitSignal(window.session.inspected, timeout=30000) as blocker:
        panel.translate_text(text)
    return blocker.args[0]


SENTENCE = "seventeen one eightyž"  # unseen words: several pieces, "y" and "ž" as bytes


def test_words_by_default_and_the_switch_changes_every_view(opened, qtbot):
    ins = _inspect(opened, qtbot, SENTENCE)
    best = ins.hypotheses[0]
    words = to_words(best)
    assert len(words.source_tokens) < len(best.source_tokens)  # some word has several pieces
    inspector = opened.translate_panel.inspector
    switch = inspector.words_switch
    assert switch.isVisible() and switch.words_button.isChecked()
    np.testing.assert_array_equal(inspector.heatmap.weights, words.attention)
    np.testing.assert_allclose(inspector.heatmap.weights.sum(axis=1), 1.0, atol=1e-5)
    assert inspector.heatmap.source_tokens == WORDS
    assert inspector.alignment_view.translation.source_tokens == words.source_tokens
    assert inspector.stats_view.stats.target_tokens == words.target_tokens

    qtbot.mouseClick(switch.subwords_button, Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(inspector.heatmap.weights, best.attention)
    assert inspector.heatmap.source_tokens == best.source_tokens
    for panel in (opened.timeline_panel, opened.dev_panel, opened.compare_panel):
        assert panel.words_switch.subwords_button.isChecked()  # one switch, one state
    qtbot.mouseClick(switch.words_button, Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(inspector.heatmap.weights, words.attention)


def test_hover_names_the_pieces_of_a_split_word(opened, qtbot):
    ins = _inspect(opened, qtbot, SENTENCE)
    words = to_words(ins.hypotheses[0])
    heatmap = opened.translate_panel.inspector.heatmap
    col = next(j for j, (s, e) in enumerate(words.source_groups.spans) if e - s > 1)
    heatmap.select(0, col)
    text = heatmap.hover_text
    assert text.startswith(f"{words.target_tokens[0]} ← {words.source_tokens[col]}: ")
    for piece in words.source_groups.pieces_of(col):
        assert piece in text.splitlines()[1]


def test_what_if_on_a_word_spreads_over_its_pieces(opened, qtbot):
    ins = _inspect(opened, qtbot, SENTENCE)
    best = ins.hypotheses[0]
    words = to_words(best)
    view = opened.translate_panel.what_if_view
    col = next(j for j, (s, e) in enumerate(words.source_groups.spans) if e - s > 1)
    view.original_heatmap.select(0, col)
    job = wait_for_job(qtbot, opened.session, "what-if", view.redecode_button.click, timeout=30000)
    step, weights = spread_override(best, 0, col)
    np.testing.assert_allclose(job.result.attention[step], weights, atol=1e-6)
    assert "original proportions" in view.summary_text


def test_a_word_level_model_hides_the_switch(window, qtbot, tiny_model_dir):
    with qtbot.waitSignal(window.session.modelLoaded, timeout=30000):
        window.open_model(str(tiny_model_dir))
    assert not window.translate_panel.inspector.words_switch.isVisible()
    assert not window.session.words_mode.words


def test_cli_attention_json_adds_the_words_and_align_writes_word_indices(
    subword_model_dir, tmp_path, capsys
):
    from core.cli import main

    model = str(subword_model_dir)
    assert main(["attention", SENTENCE, "--model", model, "--json", "--device", "cpu"]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["source_words"] == WORDS
    assert len(rec["source_tokens"]) > len(rec["source_words"])  # pieces kept
    w = np.array(rec["word_weights"])
    assert w.shape == (len(rec["target_words"]), len(rec["source_words"]))
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-5)
    probs = np.array(rec["token_probs"], dtype=np.float64)
    assert np.prod(rec["word_token_probs"]) == pytest.approx(np.prod(probs), rel=1e-4)

    assert main(["attention", SENTENCE, "--model", model, "--words", "--device", "cpu"]) == 0
    table = capsys.readouterr().out
    assert "seventeen" in table and "eightyž" in table and "▁" not in table

    (tmp_path / "s.en").write_text(SENTENCE + "\n", encoding="utf-8")
    (tmp_path / "t.xx").write_text("8 1 71\n", encoding="utf-8")
    args = ["align", model, "--source", str(tmp_path / "s.en"), "--target", str(tmp_path / "t.xx")]
    assert main([*args, "--device", "cpu"]) == 0
    links = [tuple(map(int, x.split("-"))) for x in capsys.readouterr().out.split()]
    assert len(links) == 3  # one per target word
    assert all(i < 3 and j < 3 for i, j in links)  # word indices: three words a side
    assert main([*args, "--device", "cpu", "--method", "threshold", "--threshold", "0.01"]) == 0
    links = [tuple(map(int, x.split("-"))) for x in capsys.readouterr().out.split()]
    assert {j for _, j in links} <= {0, 1, 2} and len(links) > 3  # "71" (2 pieces) is word 2


def test_cli_attribution_reads_in_words_for_a_subword_model(subword_model_dir, capsys):
    """--attribution's table follows --words (no pieces), and --json adds the words beside the
    pieces: the merged raw attribution keeps each target word's total over its source words."""
    from core.cli import main

    model = str(subword_model_dir)
    base = ["attention", SENTENCE, "--model", model, "--device", "cpu", "--attribution"]
    assert main([*base, "grad-x-input", "--words"]) == 0
    table = capsys.readouterr().out.split("attribution (grad-x-input")[1]
    assert "seventeen" in table and "eightyž" in table and "▁" not in table

    assert main([*base, "grad-x-input", "--json"]) == 0
    rec = json.loads(capsys.readouterr().out)
    raw = np.array(rec["attribution_raw"], dtype=np.float64)  # (target pieces, source pieces)
    word_raw = np.array(rec["word_attribution_raw"], dtype=np.float64)
    word_norm = np.array(rec["word_attribution"])
    assert word_norm.shape == (len(rec["target_words"]), len(rec["source_words"]))
    assert raw.shape[1] > word_raw.shape[1]  # pieces were merged
    np.testing.assert_allclose(word_norm.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(word_raw.sum(), raw.sum(), rtol=1e-4)  # nothing lost or added
    assert len(rec["word_agreement"]["per_token"]) == len(rec["target_words"])


def test_the_beam_tree_in_words_and_the_switch_keeps_the_chosen_node(opened, qtbot):
    from core.inspection.word_tree import words_inspection

    panel = opened.translate_panel
    panel.beam_spin.setValue(3)
    panel.prefix_edit.setText("8ž")  # starts with a word of several pieces ("ž" in bytes)
    with qtbot.waitSignal(opened.session.inspected, timeout=30000) as blocker:
        panel.translate_text(SENTENCE)
    ins = blocker.args[0]
    inspector = panel.inspector
    tree_view = inspector.tree_view
    expected = words_inspection(ins)
    assert len(expected.tree.nodes) < len(ins.tree.nodes)  # words of several pieces
    assert len(tree_view.node_items()) == len(expected.tree.nodes)
    for node in expected.tree.nodes[1:]:
        assert tree_view.node_text(node.id).startswith(expected.node_tokens[node.id] + " ")
        assert "▁" not in expected.node_tokens[node.id]
    best = expected.tree.ranked()[0]
    path = [expected.node_tokens[n.id] for n in expected.tree.path(best.id)]
    assert path == to_words(ins.hypotheses[0]).target_tokens and path[0] == "8ž"

    tree_view.select_node(best.id)  # the partial hypothesis of a word node, in words
    piece_end = expected.words.ends[best.id]
    shown = to_words(ins.partial(piece_end))
    np.testing.assert_array_equal(inspector.tree_heatmap.weights, shown.attention)
    np.testing.assert_allclose(inspector.tree_heatmap.weights.sum(axis=1), 1.0, atol=1e-5)

    # Subwords: a node per piece, the same hypothesis still chosen (its last piece)
    qtbot.mouseClick(inspector.words_switch.subwords_button, Qt.MouseButton.LeftButton)
    assert len(tree_view.node_items()) == len(ins.tree.nodes)
    assert tree_view.selected_node == piece_end
    np.testing.assert_array_equal(inspector.tree_heatmap.weights, ins.partial(piece_end).attention)
    qtbot.mouseClick(inspector.words_switch.words_button, Qt.MouseButton.LeftButton)
    assert tree_view.selected_node == best.id
    assert len(tree_view.node_items()) == len(expected.tree.nodes)
