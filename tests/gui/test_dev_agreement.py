"""The dev set's agreement column: computed on request as a Session job (progress, off the GUI
thread), holding core's own per-sentence agreement, sortable to find where attention misleads."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core.decoding.translator import Translator
from core.inspection.attribution import attribute
from gui.panels.dev_table import COL_AGREEMENT, agreement_text
from tests.gui.stubs import wait_for_job

READ, EVAL, AGREE = "dev-read", "dev", "dev-agreement"


@pytest.fixture
def panel(shown_panel):
    from gui.panels.dev_panel import DevSetPanel

    return shown_panel(DevSetPanel, (1100, 700))


def _wait(qtbot, session, kind: str, action) -> object:
    return wait_for_job(qtbot, session, kind, action).result


def test_agreement_column_holds_cores_numbers_and_sorts(qtbot, session, panel, tiny_model_dir):
    _wait(qtbot, session, READ, lambda: session.load_model(str(tiny_model_dir)))
    assert not panel.agreement_button.isEnabled()  # nothing translated yet
    _wait(
        qtbot,
        session,
        EVAL,
        lambda: qtbot.mouseClick(panel.translate_button, Qt.MouseButton.LeftButton),
    )
    assert panel.agreement_button.isEnabled()
    panel.agreement_method.setCurrentIndex(panel.agreement_method.findData("saliency"))
    _wait(
        qtbot,
        session,
        AGREE,
        lambda: qtbot.mouseClick(panel.agreement_button, Qt.MouseButton.LeftButton),
    )
    rows = panel.model.rows
    # the panel's progress bar got the job's throttled progress, ending at every row done
    assert (panel.progress_bar.value(), panel.progress_bar.maximum()) == (1, 1)
    direct = Translator.load(tiny_model_dir, "cpu")
    for r in rows[:5]:
        expected = attribute(direct, direct.score(r.source, r.translation), "saliency").agreement
        assert r.agreement == pytest.approx(expected.mean_rank_correlation)
        assert r.top_match == pytest.approx(expected.top_match_rate)
    shown = [panel.proxy.index(i, COL_AGREEMENT).data() for i in range(panel.proxy.rowCount())]
    by_order = sorted(rows, key=lambda r: 2.0 if r.agreement is None else r.agreement)
    assert shown == [agreement_text(r) for r in by_order]  # lowest agreement first
    assert panel.progress_bar.format() == "done"
    panel.grab().save("/tmp/dev-agreement.png")
