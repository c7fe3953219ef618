"""Two heatmaps of one sentence side by side (the Attribution tab): one colour bar between them,
one scroll position, and a map without its bar exports without one."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QHBoxLayout, QWidget

from gui.widgets.attention_heatmap import COLORBAR_ROOM, AttentionHeatmap

SRC = [f"source{i}" for i in range(24)] + ["</s>"]
TGT = [f"target{i}" for i in range(30)] + ["</s>"]


def _rows(seed: int) -> np.ndarray:
    w = np.random.default_rng(seed).random((len(TGT), len(SRC))).astype(np.float32)
    return w / w.sum(1, keepdims=True)


@pytest.fixture
def pair(qtbot):
    """Two maps of a sentence too long for the room they have, the left one without its bar."""
    box = QWidget()
    qtbot.addWidget(box)
    left, right = AttentionHeatmap(), AttentionHeatmap()
    lay = QHBoxLayout(box)
    lay.addWidget(left)
    lay.addWidget(right)
    left.set_colorbar_visible(False)
    left.follow_scrolling(right)
    box.resize(700, 400)
    box.show()
    qtbot.waitExposed(box)
    left.set_matrix(_rows(0), SRC, TGT)
    right.set_matrix(_rows(1), SRC, TGT)
    qtbot.wait(50)
    yield left, right
    box.close()  # the box (qtbot holds it weakly) lives until the test is done


def test_scrolling_either_map_scrolls_the_other(pair, qtbot):
    left, right = pair
    bars = [h._scroll.horizontalScrollBar() for h in pair]
    assert all(b.maximum() > 0 for b in bars), "the sentence must need scrolling here"
    right.scroll_to(40, 60)
    assert left.scroll_position() == right.scroll_position() == (40, 60)
    left.scroll_to(10, 5)
    assert right.scroll_position() == (10, 5)
    # the same cells in view: a cell sits at the same place in both scroll areas' viewports
    seen = [h.graphics_view.mapTo(h._scroll.viewport(), h.cell_view_pos(12, 9)) for h in pair]
    assert seen[0] == seen[1]


def test_a_row_chosen_elsewhere_scrolls_into_view_in_both(pair):
    left, right = pair
    assert left.scroll_position() == (0, 0)

    def in_view(h, row: int, col: int) -> bool:
        at = h.graphics_view.mapTo(h._scroll.viewport(), h.cell_view_pos(row, col))
        return h._scroll.viewport().rect().contains(at)

    assert not in_view(left, 28, 0)
    right.select(28, None)  # what the agreement table's row does
    assert in_view(right, 28, 0) and in_view(left, 28, 0)
    assert left.scroll_position()[0] == 0, "a row alone does not scroll sideways"
    left.select(None, 22)
    assert in_view(left, 28, 22) and in_view(right, 28, 22)


def test_only_one_colour_bar_and_the_barless_map_has_the_width(pair):
    left, right = pair
    assert not left.colorbar_shown and right.colorbar_shown
    assert left._scroll.width() == left.width()  # the bar's room goes to the matrix
    assert right._scroll.width() == right.width() - COLORBAR_ROOM


def test_a_map_without_its_bar_exports_the_plot_alone(pair, tmp_path):
    left, right = pair
    with_bar = QImage(str(right.export_png(tmp_path / "right.png")))
    without = QImage(str(left.export_png(tmp_path / "left.png")))
    ratio = without.devicePixelRatio()
    assert without.width() == round(left.graphics_view.width() * ratio)
    assert with_bar.width() == round(
        (right.graphics_view.width() + right._bar_view.width()) * ratio
    )
    svg = left.export_svg(tmp_path / "left.svg").read_text(encoding="utf-8")
    assert "source3" in svg and "target7" in svg


def test_attribution_view_keeps_the_matrices_even_until_the_user_moves_the_handle(qtbot):
    from gui.widgets.attribution_view import AttributionView

    view = AttributionView()
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    qtbot.waitExposed(view)
    maps = (view.attention_heatmap, view.attribution_heatmap)

    def room() -> list[int]:
        return [h._scroll.width() for h in maps]

    assert abs(room()[0] - room()[1]) <= 1
    view.resize(1300, 600)
    qtbot.waitUntil(lambda: view.width() == 1300)
    assert abs(room()[0] - room()[1]) <= 1
    view.maps.moveSplitter(300, 1)  # what dragging the handle does
    view.resize(1200, 600)
    qtbot.waitUntil(lambda: view.width() == 1200)
    assert room()[0] < room()[1] - 100, "the user's split stays"
