"""Where the heatmap's token labels go (gui.widgets.heatmap_axes.layout_ticks): every token gets
a label, long sentences alternate between the top and the bottom axis, and the plot's minimum
size grows with the number of tokens."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics

from gui.widgets.heatmap_axes import MAX_LABEL_CHARS, layout_ticks


def _fm(qtbot) -> QFontMetrics:
    return QFontMetrics(QFont())


def test_a_short_sentence_uses_one_row_of_labels(qtbot):
    ticks = layout_ticks(["the", "cat", "sleeps"], ["die", "Katze", "schläft", "</s>"], _fm(qtbot))
    assert ticks.top == [(0, "the"), (1, "cat"), (2, "sleeps")] and ticks.bottom == []
    assert [label for _, label in ticks.left] == ["die", "Katze", "schläft", "</s>"]


def test_a_long_sentence_alternates_top_and_bottom_and_keeps_every_token(qtbot):
    src = [f"word{i:02d}" for i in range(60)] + ["x" * (MAX_LABEL_CHARS + 5)]
    ticks = layout_ticks(src, ["a"], _fm(qtbot))
    assert [i for i, _ in ticks.top] == list(range(0, 61, 2))
    assert [i for i, _ in ticks.bottom] == list(range(1, 61, 2))
    labels = dict(ticks.top + ticks.bottom)
    assert labels[60].endswith("…") and len(labels[60]) == MAX_LABEL_CHARS  # elided, visibly
    short = layout_ticks(src[:10], ["a"], _fm(qtbot))
    assert ticks.min_width > short.min_width and ticks.min_height > short.min_height
