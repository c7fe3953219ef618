"""The Attribution tab of a subword model: computed in pieces, shown in words when the switch
says so, and back in pieces when it is flipped."""

from __future__ import annotations

import numpy as np

from core.data.vocab import EOS
from core.events import Translation
from core.inspection.agreement import sentence_agreement
from core.inspection.attribution import Attribution, in_words, normalise
from core.inspection.word_merge import to_words
from gui.widgets.attribution_view import AttributionView

W = "\u2581"
SOURCE = [f"{W}Die", "se", f"{W}Katze", "n", EOS]
TARGET = [f"{W}Th", "is", f"{W}cat", EOS]


def _pieces() -> tuple[Translation, Attribution]:
    rng = np.random.default_rng(5)
    attention = rng.random((4, 5)).astype(np.float32)
    attention /= attention.sum(axis=1, keepdims=True)
    tr = Translation(SOURCE, TARGET, np.full(4, 0.9, np.float32), attention, -0.4, "This cat")
    raw = rng.normal(size=(4, 5)).astype(np.float32)
    norm = normalise(raw)
    a = Attribution(
        "saliency", SOURCE, TARGET, attention, raw, norm, sentence_agreement(attention, norm),
        None, None,
    )  # fmt: skip
    return tr, a


def test_words_mode_merges_both_matrices_and_the_table(qtbot):
    view = AttributionView()
    qtbot.addWidget(view)
    tr, a = _pieces()
    view.set_words(True)
    view.set_translation(to_words(tr))  # the inspector may hand over the word view
    assert view.translation is tr  # what the job attributes: the model's own pieces
    assert view.attention_heatmap.source_tick_labels() == ["Diese", "Katzen", EOS]

    view.show_result(a)
    words = in_words(a)
    heat = view.attribution_heatmap
    assert heat.source_tick_labels() == ["Diese", "Katzen", EOS]
    assert heat.target_tick_labels() == ["This", "cat", EOS]
    np.testing.assert_allclose(heat.image_item.image, words.normalised)
    np.testing.assert_allclose(heat.weights.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(view.attention_heatmap.image_item.image, words.attention)
    assert view.table.rowCount() == 3 and view.table.item(1, 0).text() == "cat"

    view.set_words(False)  # the switch flipped: the same result in pieces
    assert heat.target_tick_labels() == TARGET
    np.testing.assert_allclose(heat.image_item.image, a.normalised)
    assert view.table.rowCount() == 4
    assert view.result is a
