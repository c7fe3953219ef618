"""The Subwords | Words switch in the inspector, on a hand-made subword translation: clicking it
shows every view in words (the heatmap's image is the merged matrix, rows sum to 1, hover names
the pieces), clicking back shows the pieces, and a word-level model hides it."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from core.decoding.inspection import Inspection
from core.events import Translation
from core.inspection.word_merge import to_words
from gui.settings import AppSettings
from gui.words_mode import WordsMode
from tests.gui.stubs import RecordingErrors

SRC = ["▁The", "▁un", "believ", "able", "▁cat", ".", "</s>"]
TGT = ["▁Die", "▁un", "glaub", "liche", "▁Katze", ".", "</s>"]


def piece_translation(seed: int = 1, tgt=TGT) -> Translation:
    rng = np.random.default_rng(seed)
    a = rng.random((len(tgt), len(SRC))) + 0.02
    a = (a / a.sum(axis=1, keepdims=True)).astype(np.float32)
    probs = np.linspace(0.95, 0.5, len(tgt)).astype(np.float32)
    return Translation(SRC, list(tgt), probs, a, -2.0, "Die unglaubliche Katze.")


@pytest.fixture
def inspector(qtbot):
    from gui.panels.inspector import Inspector

    session = SimpleNamespace(words_mode=WordsMode())
    view = Inspector(session, RecordingErrors(), AppSettings())
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    return view


def _open_subword_model(view) -> None:
    view.words_mode.set_model(SimpleNamespace(subwords=True))


def _show(view, tr: Translation, reference: Translation | None = None) -> None:
    view.show_inspection(Inspection([tr], reference=reference), "The unbelievable cat.")
    view.show_hypothesis(tr)


def test_words_is_the_default_for_a_subword_model_and_every_view_shows_words(inspector, qtbot):
    tr, mine = piece_translation(), piece_translation(seed=2)
    _open_subword_model(inspector)
    _show(inspector, tr, reference=mine)
    switch = inspector.words_switch
    assert switch.isVisibleTo(inspector) and switch.words_button.isChecked()
    words = to_words(tr)
    np.testing.assert_array_equal(inspector.heatmap.weights, words.attention)
    np.testing.assert_allclose(inspector.heatmap.weights.sum(axis=1), 1.0, atol=1e-6)
    # punctuation is a word of its own, as Moses would count it
    assert inspector.heatmap.source_tokens == ["The", "unbelievable", "cat", ".", "</s>"]
    assert inspector.heatmap.target_tokens == ["Die", "unglaubliche", "Katze", ".", "</s>"]
    assert inspector.alignment_view.translation.source_tokens == words.source_tokens
    stats = inspector.stats_view.stats
    assert stats.target_tokens == words.target_tokens
    np.testing.assert_allclose(stats.coverage, words.attention.sum(axis=0), rtol=1e-6)
    assert inspector.what_if_view.original_heatmap.target_tokens == words.target_tokens
    np.testing.assert_array_equal(inspector.model_heatmap.weights, words.attention)
    np.testing.assert_array_equal(inspector.your_heatmap.weights, to_words(mine).attention)
    strip = inspector.confidence.model_strip
    assert strip.tokens == words.target_tokens
    # the word's probability is the product of its pieces'
    assert words.token_probs[1] == pytest.approx(float(np.prod(tr.token_probs[1:4])), rel=1e-6)


def test_clicking_subwords_shows_pieces_and_words_merges_again(inspector, qtbot):
    from PySide6.QtCore import Qt

    tr = piece_translation()
    _open_subword_model(inspector)
    _show(inspector, tr)
    qtbot.mouseClick(inspector.words_switch.subwords_button, Qt.MouseButton.LeftButton)
    assert not inspector.words_mode.words
    np.testing.assert_array_equal(inspector.heatmap.weights, tr.attention)
    assert inspector.heatmap.source_tokens == SRC
    assert inspector.alignment_view.translation.target_tokens == TGT
    qtbot.mouseClick(inspector.words_switch.words_button, Qt.MouseButton.LeftButton)
    assert inspector.words_mode.words
    np.testing.assert_array_equal(inspector.heatmap.weights, to_words(tr).attention)


def test_hover_in_words_names_the_pieces_and_their_own_weights(inspector):
    tr = piece_translation()
    _open_subword_model(inspector)
    _show(inspector, tr)
    inspector.heatmap._on_hover(1, 1)  # unglaubliche ← unbelievable
    text = inspector.heatmap.hover_text
    assert text.startswith("unglaubliche ← unbelievable: ")
    block = tr.attention[1:4, 1:4].astype(np.float64)
    for piece, share in zip(["▁un", "believ", "able"], block.mean(axis=0)):
        assert f"{piece} {share:.3f}" in text
    assert f"{float(to_words(tr).attention[1, 1]):.3f}" in text


def test_a_word_level_model_hides_the_switch_and_shows_tokens_as_they_are(inspector):
    tr = Translation(
        ["a", "b", "</s>"],
        ["c", "</s>"],
        np.ones(2, np.float32),
        np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]], np.float32),
        0.0,
        "c",
    )
    inspector.words_mode.set_model(SimpleNamespace(subwords=False))
    _show(inspector, tr)
    assert not inspector.words_switch.isVisibleTo(inspector)
    np.testing.assert_array_equal(inspector.heatmap.weights, tr.attention)
    assert inspector.heatmap.source_tokens == ["a", "b", "</s>"]


def test_what_if_on_a_word_asks_for_the_pieces_in_their_proportions(inspector):
    tr = piece_translation()
    _open_subword_model(inspector)
    _show(inspector, tr)
    view = inspector.what_if_view
    kwargs = view.job_kwargs(2, 1)  # Katze ← unbelievable
    assert kwargs["step"] == 4 and kwargs["source_index"] == 1
    row = tr.attention[4, 1:4].astype(np.float64)
    np.testing.assert_allclose(kwargs["source_weights"][1:4], row / row.sum(), rtol=1e-5)
    assert kwargs["target_tokens"] == TGT
    assert "pieces" in view._instructions.text()


def _mode(subwords: bool = True) -> WordsMode:
    mode = WordsMode()
    mode.set_model(SimpleNamespace(subwords=subwords))
    return mode


def test_timeline_shows_each_snapshot_and_the_change_in_words(qtbot, tmp_path):
    from pathlib import Path

    from core.inspection.probe_timeline import (
        KIND_OUTPUT,
        ProbeSnapshot,
        Snapshot,
        Timeline,
        attention_diff,
    )
    from gui.panels.timeline_panel import TimelinePanel

    session = SimpleNamespace(words_mode=_mode(), model_info=None)
    session.modelLoaded = SimpleNamespace(connect=lambda _fn: None)
    early, late = piece_translation(seed=3), piece_translation(seed=4)
    snaps = tuple(
        Snapshot(step, 1, None, None, (ProbeSnapshot("s", None, KIND_OUTPUT, "o", tr),))
        for step, tr in ((10, early), (20, late))
    )
    panel = TimelinePanel(session, RecordingErrors(), AppSettings())
    qtbot.addWidget(panel)
    panel.show_timeline(Timeline(Path(tmp_path), snaps))
    panel.select(0, 1, compare=0)
    assert panel.words_switch.isVisibleTo(panel)
    np.testing.assert_array_equal(panel.heatmap.weights, to_words(late).attention)
    expected = attention_diff(to_words(early), to_words(late)).diff
    np.testing.assert_array_equal(panel.diff_heatmap.weights, expected)
    panel.words_switch.subwords_button.click()
    np.testing.assert_array_equal(panel.heatmap.weights, late.attention)
    assert panel.diff_heatmap.weights.shape == late.attention.shape


def test_compare_merges_only_the_subword_side(qtbot):
    from gui.panels.compare_panel import ComparePanel

    session = SimpleNamespace(words_mode=_mode(False), model_info=None)
    session.modelLoaded = SimpleNamespace(connect=lambda _fn: None)
    panel = ComparePanel(session, RecordingErrors(), AppSettings())
    qtbot.addWidget(panel)
    pieces = piece_translation()
    words = Translation(
        ["The", "unbelievable", "cat", ".", "</s>"],
        ["Die", "</s>"],
        np.ones(2, np.float32),
        np.full((2, 5), 0.2, np.float32),
        0.0,
        "Die",
    )
    panel.show_results([pieces, words], subwords=[True, False])
    assert panel.words_switch.isVisibleTo(panel)  # A uses subwords, though the open model not
    np.testing.assert_array_equal(panel.heatmap_a.weights, to_words(pieces).attention)
    np.testing.assert_array_equal(panel.heatmap_b.weights, words.attention)
    panel.words_switch.subwords_button.click()
    np.testing.assert_array_equal(panel.heatmap_a.weights, pieces.attention)
    panel.show_results([words, words], subwords=[False, False])
    assert not panel.words_switch.isVisibleTo(panel)


def test_dev_agreement_column_is_between_words_in_words_mode(qtbot):
    from core.inspection.agreement import sentence_agreement
    from core.inspection.attribution_runs import SentenceResult
    from gui.panels.dev_panel import DevSetPanel
    from gui.panels.dev_table import TableRow

    mode = _mode()
    session = SimpleNamespace(words_mode=mode, model_info=None, training=False)
    session.modelLoaded = SimpleNamespace(connect=lambda _fn: None)
    session.stateChanged = SimpleNamespace(connect=lambda _fn: None)
    panel = DevSetPanel(session, RecordingErrors(), AppSettings())
    qtbot.addWidget(panel)
    panel.model.set_rows([TableRow(0, "s", "r", "t", 50.0)])
    a = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    pieces = sentence_agreement(a, a[:, ::-1])  # disagrees
    words = sentence_agreement(a, a)  # agrees
    panel._agree_rows = [0]
    panel.show_agreement([SentenceResult(0, pieces, None, words)])
    assert panel.model.rows[0].agreement == pytest.approx(1.0)
    panel.words_switch.subwords_button.click()
    assert panel.model.rows[0].agreement == pytest.approx(pieces.mean_rank_correlation)
