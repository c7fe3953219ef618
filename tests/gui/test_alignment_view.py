"""The alignment view draws exactly the weights at or above the threshold, follows the slider,
highlights a hovered word's lines, keeps long sentences apart, exports the library's hard
alignment and shows the AER of a pasted gold line (bad text: an inline message, no dialog)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PySide6.QtCore import QPoint

from core.events import Translation
from core.inspection.alignment import hard_alignment, to_pharaoh
from gui.widgets.alignment_view import DEFAULT_THRESHOLD, AlignmentView
from tests.gui.stubs import RecordingErrors

SRC = ["the", "house", "is", "small", "</s>"]
TGT = ["das", "Haus", "ist", "klein", "</s>"]
ATT = np.array(
    [
        [0.70, 0.20, 0.05, 0.00, 0.05],
        [0.10, 0.80, 0.05, 0.00, 0.05],
        [0.05, 0.10, 0.40, 0.35, 0.10],
        [0.00, 0.05, 0.05, 0.20, 0.70],
        [0.00, 0.00, 0.00, 0.10, 0.90],
    ],
    dtype=np.float32,
)


def _tr(att=ATT, src=SRC, tgt=TGT) -> Translation:
    return Translation(
        list(src), list(tgt), np.full(len(tgt), 0.9, np.float32), att, -1.0, " ".join(tgt[:-1])
    )


def _expected(att: np.ndarray, threshold: float) -> set[tuple[int, int, float]]:
    return {(int(i), int(j), float(att[i, j])) for i, j in zip(*np.nonzero(att >= threshold))}


@pytest.fixture
def view(qtbot):
    errors = RecordingErrors()
    v = AlignmentView(errors=errors)
    v.errors = errors
    qtbot.addWidget(v)
    v.resize(640, 420)
    v.set_translation(_tr())
    v.show()
    qtbot.waitExposed(v)
    return v


def test_drawn_links_are_the_weights_at_or_above_the_threshold(view):
    assert view.threshold == pytest.approx(DEFAULT_THRESHOLD)
    assert set(view.drawn_links()) == _expected(ATT, 0.1)
    assert len(view.drawn_links()) == 12  # worked out from ATT: every weight >= 0.10
    weights = [w for _, _, w in view.drawn_links()]
    assert weights == sorted(weights)  # lightest drawn first, strongest on top


def test_moving_the_threshold_changes_the_lines(view):
    view.threshold_slider.setValue(50)
    assert view.threshold_spin.value() == pytest.approx(0.5)
    assert {(i, j) for i, j, _ in view.drawn_links()} == {(0, 0), (1, 1), (3, 4), (4, 4)}
    assert set(view.drawn_links()) == _expected(ATT, 0.5)
    view.threshold_spin.setValue(0.35)
    assert view.threshold_slider.value() == 35
    assert set(view.drawn_links()) == _expected(ATT, 0.35)
    view.threshold_spin.setValue(1.0)
    assert view.drawn_links() == []
    view.threshold_slider.setValue(view.threshold_slider.minimum())
    assert view.threshold == pytest.approx(0.05)
    assert set(view.drawn_links()) == _expected(ATT, 0.05)


def test_hovering_a_word_highlights_its_lines(view, qtbot):
    canvas = view.canvas
    r = canvas.word_rect("target", 2).center()
    qtbot.mouseMove(canvas, QPoint(int(r.x()), int(r.y())))
    qtbot.waitUntil(lambda: canvas.hovered == ("target", 2))
    assert set(canvas.highlighted_links()) == {link for link in view.drawn_links() if link[0] == 2}
    assert (
        view.hover_label.text()
        == "“ist” attends to: is (0.40), small (0.35), house (0.10), </s> (0.10)"
    )
    r = canvas.word_rect("source", 1).center()
    qtbot.mouseMove(canvas, QPoint(int(r.x()), int(r.y())))
    qtbot.waitUntil(lambda: canvas.hovered == ("source", 1))
    assert {(i, j) for i, j, _ in canvas.highlighted_links()} == {(0, 1), (1, 1), (2, 1)}
    qtbot.mouseMove(canvas, QPoint(2, canvas.height() // 2))  # between the rows
    qtbot.waitUntil(lambda: canvas.hovered is None)
    assert canvas.highlighted_links() == []


def test_export_writes_the_hard_alignment(view, tmp_path):
    path = tmp_path / "a.wa"
    assert view.export_to(path)
    assert path.read_text(encoding="utf-8") == to_pharaoh(hard_alignment(ATT, SRC, TGT)) + "\n"
    assert path.read_text(encoding="utf-8") == "0-0 1-1 2-2 3-3\n"
    view.method_combo.setCurrentIndex(view.method_combo.findData("threshold"))
    view.threshold_spin.setValue(0.3)
    assert view.export_to(path)
    assert (
        path.read_text(encoding="utf-8")
        == to_pharaoh(hard_alignment(ATT, SRC, TGT, "threshold", 0.3)) + "\n"
    )
    assert view.hard_label.text() == "0-0 1-1 2-2 3-2"
    assert not view.export_to(tmp_path / "no-such-folder" / "a.wa")
    assert view.errors.reported and view.errors.reported[-1][0] == "Export failed"


def test_aer_for_a_pasted_gold_line(view, qtbot):
    # hard links 0-0 1-1 2-2 3-3; gold S = {0-0, 1-1, 3-2}, P = S + {2-2}: AER = 1 - (2+3)/(4+3)
    qtbot.keyClicks(view.gold_edit, "0-0 1-1 2p2 3-2")
    assert view.aer == pytest.approx(2 / 7)
    assert view.aer_label.text().startswith("AER 0.286  (precision 0.75, recall 0.67")
    view.gold_edit.setText("0-0 1-1 2-2 3-3")
    assert view.aer == 0.0 and view.aer_label.text().startswith("AER 0.000")
    view.method_combo.setCurrentIndex(view.method_combo.findData("threshold"))
    view.threshold_spin.setValue(0.3)  # links 0-0 1-1 2-2 3-2: 3 of 4 right
    assert view.aer == pytest.approx(1 - 6 / 8)


def test_bad_gold_text_is_an_inline_message_not_a_dialog(view):
    view.gold_edit.setText("0-0 1_1")
    assert view.aer is None
    assert view.aer_label.text().startswith("'1_1' is not an alignment link")
    assert "color" in view.aer_label.styleSheet()
    view.gold_edit.setText("0-0 9-1")
    assert view.aer_label.text().startswith("link 9-1 is outside the sentence pair")
    assert view.errors.reported == []
    view.gold_edit.setText("")
    assert view.aer is None and view.aer_label.text().strip() == ""
    assert view.aer_label.styleSheet() == ""


def test_long_sentence_scrolls_sideways_and_words_never_overlap(qtbot):
    src = [f"word{i}" for i in range(30)] + ["</s>"]
    tgt = [f"Wort{i}" for i in range(24)] + ["</s>"]
    rng = np.random.default_rng(0)
    att = rng.random((len(tgt), len(src))).astype(np.float32) ** 4
    att /= att.sum(axis=1, keepdims=True)
    v = AlignmentView()
    qtbot.addWidget(v)
    v.resize(500, 400)
    v.set_translation(_tr(att, src, tgt))
    v.show()
    qtbot.waitExposed(v)
    assert v.scroll.horizontalScrollBar().maximum() > 0
    for side, n in (("source", len(src)), ("target", len(tgt))):
        rects = [v.canvas.word_rect(side, i) for i in range(n)]
        assert all(a.right() < b.left() for a, b in itertools.pairwise(rects))
        assert rects[0].left() >= 0 and rects[-1].right() <= v.canvas.width()
    assert v.canvas.word_rect("source", 0).bottom() < v.canvas.word_rect("target", 0).top()
    assert set(v.drawn_links()) == _expected(att, DEFAULT_THRESHOLD)


def test_real_translation_and_clear(qtbot):
    from core.decoding.translator import Translator
    from core.resources import demo_model_dir

    tr = Translator.load(demo_model_dir(), "cpu").score("The cat sleeps.", "Die Katze schläft.")
    v = AlignmentView()
    qtbot.addWidget(v)
    v.set_translation(tr)
    assert set(v.drawn_links()) == _expected(tr.attention, DEFAULT_THRESHOLD)
    assert v.pharaoh() == "0-0 1-1 2-2 3-3"
    v.clear()
    assert v.drawn_links() == [] and not v.export_button.isEnabled() and v.translation is None
    empty = Translation(
        ["</s>"], [], np.zeros(0, np.float32), np.zeros((0, 1), np.float32), 0.0, ""
    )
    v.set_translation(empty)
    assert v.drawn_links() == [] and v.pharaoh() == ""
