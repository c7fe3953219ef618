"""What the heatmap says about a selection (gui.widgets.heatmap_text), without a plot."""

import numpy as np
from PySide6.QtCore import Qt

from gui.widgets.heatmap_text import attended_cells, cell_text, describe_selection, step

SRC = ["das", "Haus", "ist"]
TGT = ["the", "house"]
W = np.array([[0.7, 0.2, 0.1], [0.1, 0.5, 0.4]], dtype=np.float32)


def test_a_row_outlines_the_words_with_at_least_half_its_peak_strongest_first() -> None:
    cells = attended_cells(W, 1, None)
    assert cells == [(1, 1), (1, 2)]  # 0.5 and 0.4 >= 0.25; 0.1 is not
    assert describe_selection(W, SRC, TGT, 1, None, cells) == (
        "“house” attends to: Haus (0.50), ist (0.40)"
    )


def test_a_column_lists_the_target_words_that_attend_to_it() -> None:
    cells = attended_cells(W, None, 0)
    assert cells == [(0, 0)]
    assert describe_selection(W, SRC, TGT, None, 0, cells) == "“das” is attended by: the (0.70)"


def test_an_all_zero_line_outlines_nothing_and_a_cell_outlines_itself() -> None:
    assert attended_cells(np.zeros((2, 3), dtype=np.float32), 0, None) == []
    assert attended_cells(W, 0, 2) == [(0, 2)]
    assert attended_cells(W, None, None) == []


def test_cell_text_shows_probability_and_signs_differences() -> None:
    probs = np.array([0.9, 0.25], dtype=np.float32)
    assert cell_text(W, SRC, TGT, probs, False, 1, 2) == "house ← ist: 0.400   (p(house) = 0.250)"
    assert cell_text(W, SRC, TGT, None, True, 0, 1) == "the ← Haus: +0.200"


def test_arrow_keys_move_one_axis_and_start_an_unselected_axis_at_zero() -> None:
    assert step(Qt.Key.Key_Down, None, None) == (0, None)
    assert step(Qt.Key.Key_Up, 3, 1) == (2, 1)
    assert step(Qt.Key.Key_Right, 1, None) == (1, 0)
    assert step(Qt.Key.Key_Left, 1, 4) == (1, 3)
