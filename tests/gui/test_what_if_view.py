"""What-if: a clicked cell becomes the request (step = row, source = column); the re-decoded
result keeps the tokens before the step, reads only the chosen word at the step, and the view
marks everything from the first changed token on."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from core.decoding.inspection import what_if
from gui.widgets.token_strip import CHANGED
from gui.widgets.what_if_view import PICK_A_CELL, WhatIfView, first_difference


@pytest.fixture(scope="module")
def translator(tiny_model_dir):
    from core.decoding.translator import Translator

    return Translator.load(tiny_model_dir)


@pytest.fixture(scope="module")
def probe(toy_corpus) -> str:
    return toy_corpus["probe"]


@pytest.fixture
def view(qtbot, translator, probe):
    v = WhatIfView()
    qtbot.addWidget(v)
    v.resize(1300, 800)
    v.show()
    qtbot.waitExposed(v)
    v.set_translation(probe, translator.translate(probe)[0])
    return v


def _click(view, row: int, col: int, qtbot, double: bool = False) -> None:
    pos = view.original_heatmap.cell_view_pos(row, col)
    point = QPoint(int(pos.x()), int(pos.y()))
    vp = view.original_heatmap.graphics_view.viewport()
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=point)
    if double:  # QTest sends only the DblClick event; a real mouse follows it by a release
        qtbot.mouseDClick(vp, Qt.MouseButton.LeftButton, pos=point)
        qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=point)


def test_first_difference():
    assert first_difference(["a", "b"], ["a", "b"]) is None
    assert first_difference(["a", "b", "c"], ["a", "x", "c"]) == 1
    assert first_difference(["a", "b"], ["a", "b", "c"]) == 2
    assert first_difference([], ["a"]) == 0


def test_clicked_cell_is_the_request(view, qtbot):
    assert view.redecode_button.text() == PICK_A_CELL and not view.redecode_button.isEnabled()
    tr = view.translation
    step, col = min(2, len(tr.target_tokens) - 1), 1
    _click(view, step, col, qtbot)
    assert view.selected_cell == (step, col)
    assert view.redecode_button.isEnabled()
    assert view.redecode_button.text() == (
        f"Re-decode from step {step + 1} "
        f"(‘{tr.target_tokens[step]}’) with the weight on "
        f"‘{tr.source_tokens[col]}’"
    )
    with qtbot.waitSignal(view.whatIfRequested) as blocker:
        qtbot.mouseClick(view.redecode_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [step, col]
    assert view.job_kwargs(step, col) == {
        "text": view.source_text,
        "target_tokens": tr.target_tokens,
        "step": step,
        "source_index": col,
    }


def test_double_click_requests_at_once(view, qtbot):
    with qtbot.waitSignal(view.whatIfRequested) as blocker:
        _click(view, 1, 3, qtbot, double=True)
    assert blocker.args == [1, 3]


def test_result_is_one_hot_at_the_step_and_keeps_the_prefix(view, translator, qtbot):
    tr = view.translation
    n_src = len(tr.source_tokens)
    for step in range(min(3, len(tr.target_tokens))):
        col = (step + 2) % n_src
        view.original_heatmap.select(step, col)
        with qtbot.waitSignal(view.whatIfRequested) as blocker:
            view.redecode_button.click()
        view.busy(True)
        changed = what_if(translator, None, **view.job_kwargs(*blocker.args))
        assert view.show_result(changed)
        assert not view.is_busy
        shown = view.changed_heatmap.weights
        expected = np.zeros(n_src, np.float32)
        expected[col] = 1.0
        np.testing.assert_array_equal(shown[step], expected)
        np.testing.assert_allclose(shown.sum(axis=1), 1.0, atol=1e-5)
        assert changed.target_tokens[:step] == tr.target_tokens[:step]
        # the strips: unchanged before the first difference, marked from it on
        diff = first_difference(tr.target_tokens, changed.target_tokens)
        assert view.original_strip.tokens == tr.target_tokens
        assert view.changed_strip.tokens == changed.target_tokens
        start = len(changed.target_tokens) if diff is None else diff
        assert diff is None or diff >= step
        for i in range(len(changed.target_tokens)):
            assert (view.changed_strip.chip_colour(i) == CHANGED) == (i >= start)
        assert view.changed_strip.outlined == step
        assert f"At step {step + 1} (‘{tr.target_tokens[step]}’)" in view.summary_text
        assert f"‘{tr.source_tokens[col]}’" in view.summary_text


def test_busy_blocks_a_second_request(view, qtbot):
    view.original_heatmap.select(0, 0)
    view.busy(True)
    assert not view.redecode_button.isEnabled()
    with qtbot.assertNotEmitted(view.whatIfRequested):
        view.request()
    view.busy(False)
    assert view.redecode_button.isEnabled()


def test_a_result_for_another_sentence_is_not_shown(view, translator):
    old = view.translation
    view.original_heatmap.select(0, 0)
    stale = what_if(translator, None, **view.job_kwargs(0, 0))
    other = "one two three"
    view.set_translation(other, translator.translate(other)[0])
    assert stale.source_tokens == old.source_tokens != view.translation.source_tokens
    assert not view.show_result(stale)
    assert view.result is None
    assert view.changed_heatmap.weights.size == 0
