"""A subword Transformer in Words mode: every view that shows one chosen head shows that head's
piece matrix merged into words (the head first, then the merge), rows still summing to 1; the
Subwords position shows the head's pieces. Inspector, compare column and timeline."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.inspection.heads import HeadChoice, with_choice
from core.inspection.probe_timeline import read_timeline
from core.inspection.word_merge import WordTranslation, in_view, to_words

SOURCE = "w1 w10 w3 w11"  # the toy's subword models split each word: "▁w" + "10"


@pytest.fixture(scope="module")
def words_transformer(tmp_path_factory) -> Path:
    """The tiny Transformer on the toy reversal task in subword pieces, a few seconds, with a
    probe so the timeline has per-head snapshots."""
    from core.config import TokenizerConfig, preset
    from core.training.run import train
    from tests.toy import toy_spec

    base = tmp_path_factory.mktemp("words-transformer")
    p = preset("tiny", arch="transformer")
    cfg = p.train.replace(
        epochs=0, max_steps=200, valid_every=40, num_threads=1, device="cpu", probe=SOURCE
    )
    train(toy_spec(base / "data", 600), base / "model", p.model, TokenizerConfig("en", "en"), cfg)
    return base / "model"


def _inspect(window, qtbot, text: str):
    panel = window.translate_panel
    panel.beam_spin.setValue(2)
    panel.nbest_spin.setValue(2)
    panel.source_edit.clear()
    with qtbot.waitSignal(window.session.inspected, timeout=30000) as blocker:
        qtbot.keyClicks(panel.source_edit, text)
        qtbot.keyClick(panel.source_edit, Qt.Key.Key_Return)
    return blocker.args[0]


def test_words_mode_shows_the_chosen_head_merged_into_words(window, qtbot, words_transformer):
    with qtbot.waitSignal(window.session.modelLoaded, timeout=20000):
        window.open_model(str(words_transformer))
    best = _inspect(window, qtbot, SOURCE).hypotheses[0]
    assert len(best.source_tokens) > 5  # pieces
    inspector = window.translate_panel.inspector_tabs
    assert inspector.words_mode.words  # a subword model opens in Words
    inspector.head_selector.layer_combo.setCurrentIndex(0)
    inspector.head_selector.head_combo.setCurrentIndex(3)  # head 2 (after "mean over heads")
    chosen = to_words(with_choice(best, HeadChoice(0, 2)))
    assert chosen.source_tokens == [*SOURCE.split(), "</s>"]
    heatmap = inspector.heatmap
    np.testing.assert_allclose(heatmap.weights, chosen.attention, atol=1e-6)
    np.testing.assert_allclose(heatmap.weights.sum(axis=1), 1.0, atol=1e-5)
    assert not np.allclose(chosen.attention, to_words(best).attention, atol=1e-3)  # not the mean
    # the head grid's thumbnails are in words too; the what-if view holds the chosen head
    assert inspector.head_grid.summaries and inspector.what_if_view.translation is not None
    what_if = inspector.what_if_view.translation
    np.testing.assert_allclose(what_if.attention, chosen.attention, atol=1e-6)
    np.testing.assert_array_equal(what_if.pieces.attention, best.cross_attention[0, 2])
    inspector.words_mode.set_words(False)  # Subwords: the same head, in pieces
    np.testing.assert_array_equal(heatmap.weights, best.cross_attention[0, 2])
    inspector.words_mode.set_words(True)
    np.testing.assert_allclose(heatmap.weights, chosen.attention, atol=1e-6)


def test_a_compare_column_merges_its_chosen_head(qtbot, words_transformer):
    from core.decoding.translator import Translator
    from gui.error_dialog import ErrorReporter
    from gui.panels.compare_panel import _ResultColumn
    from gui.settings import AppSettings

    tr = Translator.load(words_transformer, "cpu").translate(SOURCE)[0]
    column = _ResultColumn("A", ErrorReporter(), AppSettings())
    qtbot.addWidget(column)
    column.show_translation(tr, view=partial(in_view, words=True))
    np.testing.assert_allclose(column.heatmap.weights, to_words(tr).attention, atol=1e-6)
    column.heads.set_choice(HeadChoice(1, 0))
    expected = to_words(with_choice(tr, HeadChoice(1, 0)))
    np.testing.assert_allclose(column.heatmap.weights, expected.attention, atol=1e-6)
    assert column.heatmap.weights.shape == (len(expected.target_tokens), 5)


def test_the_timeline_shows_a_probes_chosen_head_in_words(words_transformer, shown_panel):
    from gui.panels.timeline_panel import TimelinePanel

    timeline = read_timeline(words_transformer)
    assert timeline.snapshots
    panel = shown_panel(TimelinePanel, (1300, 760))
    panel.words_mode.set_model(type("Info", (), {"subwords": True})())
    panel.show_timeline(timeline)
    panel.head_selector.layer_combo.setCurrentIndex(0)
    panel.head_selector.head_combo.setCurrentIndex(2)  # head 1
    probe = panel.series[panel.slider.value()][1].translation
    assert not isinstance(probe, WordTranslation) and probe.cross_attention is not None
    expected = to_words(with_choice(probe, HeadChoice(0, 1)))
    np.testing.assert_allclose(panel.heatmap.weights, expected.attention, atol=1e-6)
    assert list(expected.source_tokens) == [*SOURCE.split(), "</s>"]
