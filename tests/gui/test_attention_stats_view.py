"""The statistics view shows exactly the numbers of core.inspection.attention_stats (coverage =
column sums), marks the flagged source words, exports what it shows, and reads at ~350 px wide."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.events import Translation
from core.inspection.attention_stats import (
    OVER_ATTENDED,
    UNDER_ATTENDED,
    attention_stats,
    stats_csv_text,
)
from gui.widgets.attention_stats_view import FLAG_COLOURS, AttentionStatsView
from tests.gui.stubs import RecordingErrors

SRC = ["the", "cat", "cat", "sleeps", "</s>"]
TGT = ["die", "Katze", "Katze", "Katze", "</s>"]
ATT = np.array(
    [
        [1.00, 0.00, 0.00, 0.00, 0.00],
        [0.00, 0.50, 0.50, 0.00, 0.00],
        [0.00, 0.50, 0.50, 0.00, 0.00],
        [0.00, 0.25, 0.25, 0.25, 0.25],
        [0.00, 0.00, 0.00, 0.00, 1.00],
    ],
    dtype=np.float32,
)


def _tr() -> Translation:
    probs = np.array([0.9, 0.8, 0.3, 0.2, 0.95], dtype=np.float32)
    return Translation(SRC, TGT, probs, ATT, -1.0, "die Katze Katze Katze")


@pytest.fixture
def view(qtbot):
    errors = RecordingErrors()
    v = AttentionStatsView(errors=errors)
    v.errors = errors
    qtbot.addWidget(v)
    v.resize(350, 600)
    v.set_translation(_tr())
    v.show()
    qtbot.waitExposed(v)
    return v


def _column(table, col: int) -> list[str]:
    return [table.item(r, col).text() for r in range(table.rowCount())]


def test_coverage_column_is_the_column_sums(view):
    shown = [float(view.source_table.item(r, 1).toolTip()) for r in range(len(SRC))]
    assert shown == ATT.sum(axis=0).tolist()  # the exact float32 column sums
    assert _column(view.source_table, 1) == ["1.00", "1.25", "1.25", "0.25", "1.25"]
    assert _column(view.source_table, 0) == SRC


def test_target_table_rows(view):
    t = view.target_table
    assert _column(t, 0) == TGT
    assert _column(t, 1) == ["0.90", "0.80", "0.30", "0.20", "0.95"]
    assert [float(t.item(r, 2).toolTip()) for r in range(5)] == pytest.approx(
        [0.0, np.log(2), np.log(2), np.log(4), 0.0], abs=1e-6
    )
    assert _column(t, 3) == ["1.00", "0.50", "0.50", "0.25", "1.00"]
    assert _column(t, 4) == ["the", "cat", "cat", "cat", "</s>"]


def test_flagged_rows_are_marked(view):
    assert view.flagged_rows() == {3: UNDER_ATTENDED}
    for c in range(3):
        assert view.source_table.item(3, c).background().color() == FLAG_COLOURS[UNDER_ATTENDED]
        assert view.source_table.item(3, c).font().bold()
        assert view.source_table.item(0, c).background().style() == Qt.BrushStyle.NoBrush
    assert "sleeps" in view.summary_label.text() and "under" in view.summary_label.text()
    view.set_translation(_tr(), under=0.3, over=1.2)
    assert view.flagged_rows() == {1: OVER_ATTENDED, 2: OVER_ATTENDED, 3: UNDER_ATTENDED}
    assert 4 not in view.flagged_rows()  # </s> (1.25) is never flagged


def test_real_translation_coverage_equals_column_sums(qtbot):
    from core.decoding.translator import Translator
    from core.resources import demo_model_dir

    tr = Translator.load(demo_model_dir(), "cpu").translate("The woman drinks coffee.")[0]
    v = AttentionStatsView()
    qtbot.addWidget(v)
    v.set_translation(tr)
    shown = np.array(
        [float(v.source_table.item(r, 1).toolTip()) for r in range(len(tr.source_tokens))]
    )
    np.testing.assert_array_equal(shown.astype(np.float32), tr.attention.sum(axis=0))
    assert [
        v.target_table.item(r, 0).text() for r in range(len(tr.target_tokens))
    ] == tr.target_tokens


def test_export_csv_and_json_hold_what_is_shown(view, tmp_path):
    stats = attention_stats(_tr())
    assert view.export_to(tmp_path / "s.csv")
    assert (tmp_path / "s.csv").read_text(encoding="utf-8") == stats_csv_text(stats)
    assert view.export_to(tmp_path / "s.json")
    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(stats.to_dict()))
    assert [r["coverage"] for r in data["source"]] == pytest.approx(ATT.sum(0).tolist())


def test_export_problems_are_reported_not_raised(view, tmp_path):
    assert not view.export_to(tmp_path / "s.xlsx")
    assert "unknown export format '.xlsx'" in view.errors.reported[-1][1]
    assert not view.export_to(tmp_path / "missing-folder" / "s.csv")
    assert view.errors.reported[-1][0] == "Export failed"
    view.clear()
    assert not view.export_button.isEnabled()
    assert not view.export_to(tmp_path / "s.csv")


def test_selecting_a_row_reports_the_token(view, qtbot):
    with qtbot.waitSignal(view.sourceTokenSelected) as sig:
        view.source_table.setCurrentCell(3, 0)
    assert sig.args == [3]
    with qtbot.waitSignal(view.targetTokenSelected) as sig:
        view.target_table.setCurrentCell(2, 1)
    assert sig.args == [2]


def test_readable_at_350_px(view):
    for table in (view.target_table, view.source_table):
        assert table.horizontalScrollBar().maximum() == 0  # every column fits
        for c in range(table.columnCount()):
            assert table.columnWidth(c) >= table.fontMetrics().horizontalAdvance(
                table.horizontalHeaderItem(c).text()
            )


def test_empty_and_cleared(view):
    empty = Translation(
        ["</s>"], [], np.zeros(0, np.float32), np.zeros((0, 1), np.float32), 0.0, ""
    )
    view.set_translation(empty)
    assert view.stats is None and view.source_table.rowCount() == 0
    assert not view.export_button.isEnabled()
    view.set_translation(_tr())
    assert view.stats is not None and view.export_button.isEnabled()
    view.clear()
    assert view.target_table.rowCount() == 0 and view.flagged_rows() == {}
