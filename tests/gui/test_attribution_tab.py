"""The inspector's Attribution tab, driven like a user on a real tiny model: the attribution
heatmap holds core's matrix on the attention's 0..1 scale, and the table and summary show core's
agreement numbers; the work runs as a Session job with progress and cancel."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.decoding.translator import Translator
from core.inspection.attribution import attribute
from gui.widgets.attribution_view import format_rho, sentence_summary
from tests.gui.stubs import wait_for_job


@pytest.fixture
def opened(window, qtbot, tiny_model_dir):
    with qtbot.waitSignal(window.session.modelLoaded, timeout=20000):
        window.open_model(str(tiny_model_dir))
    return window


def _translate(window, qtbot, text: str):
    panel = window.translate_panel
    panel.beam_spin.setValue(1)
    panel.nbest_spin.setValue(1)
    edit = panel.source_edit
    edit.clear()
    with qtbot.waitSignal(window.session.inspected, timeout=20000) as blocker:
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    return blocker.args[0]


def _attribute(window, qtbot, method: str):
    inspector = window.translate_panel.inspector
    view = inspector.attribution_view
    inspector.setCurrentWidget(view)
    view.set_method(method)
    job = wait_for_job(
        qtbot,
        window.session,
        "attribution",
        lambda: qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton),
    )
    return view, job.result


@pytest.mark.parametrize("method", ["integrated-gradients", "saliency"])
def test_tab_shows_cores_attribution_and_agreement(
    opened, qtbot, toy_corpus, tiny_model_dir, method
):
    ins = _translate(opened, qtbot, toy_corpus["probe"])
    view, result = _attribute(opened, qtbot, method)
    shown = ins.hypotheses[0]
    expected = attribute(Translator.load(tiny_model_dir, device="cpu"), shown, method)
    np.testing.assert_allclose(result.normalised, expected.normalised, atol=1e-6)
    image = view.attribution_heatmap.image_item.image
    np.testing.assert_array_equal(image, result.normalised)
    np.testing.assert_allclose(image.sum(1), 1.0, atol=1e-5)
    assert tuple(view.attribution_heatmap.image_item.getLevels()) == (0.0, 1.0)
    assert tuple(view.attention_heatmap.image_item.getLevels()) == (0.0, 1.0)
    # one bar between the two maps (one scale), on the right
    assert view.attribution_heatmap.colorbar_shown and not view.attention_heatmap.colorbar_shown
    widths = [h._scroll.width() for h in (view.attention_heatmap, view.attribution_heatmap)]
    assert abs(widths[0] - widths[1]) <= 2, widths  # the two matrices get the same room
    np.testing.assert_allclose(view.attention_heatmap.weights, shown.attention, atol=1e-5)
    assert view.table.rowCount() == len(shown.target_tokens)
    for i, ag in enumerate(expected.agreement.tokens):
        assert view.table.item(i, 0).text() == shown.target_tokens[i]
        assert view.table.item(i, 1).text() == format_rho(ag.rank_correlation)
        assert view.table.item(i, 2).text() == ("yes" if ag.same_top else "no")
        assert view.table.item(i, 3).text() == shown.source_tokens[ag.attention_top]
        assert view.table.item(i, 4).text() == shown.source_tokens[ag.attribution_top]
    assert view.summary.text() == sentence_summary(
        expected.agreement, result.completeness_error, result.steps
    )
    if method == "integrated-gradients":
        assert result.completeness_error < 0.05
        assert "completeness error" in view.summary.text()
    assert not view.cancel_button.isEnabled() and view.run_button.isEnabled()
    view.table.setCurrentCell(1, 0)
    assert view.attribution_heatmap.selection[0] == 1
    assert view.attention_heatmap.selection[0] == 1
    assert "” depends on: " in view.attribution_heatmap.selection_text
    view.grab().save(f"/tmp/attribution-tab-{method}.png")


def test_progress_is_reported_and_a_new_hypothesis_clears_the_result(
    opened, qtbot, toy_corpus, monkeypatch
):
    from gui.widgets.attribution_view import AttributionView

    progress: list[tuple[int, int]] = []
    shown = AttributionView.set_progress

    def record(self, done: int, total: int) -> None:
        progress.append((done, total))
        shown(self, done, total)

    monkeypatch.setattr(AttributionView, "set_progress", record)
    _translate(opened, qtbot, toy_corpus["probe"])
    view, _ = _attribute(opened, qtbot, "integrated-gradients")
    assert progress and progress[-1][0] == progress[-1][1]
    assert view.table.rowCount() > 0
    _translate(opened, qtbot, "1 2 3")
    assert view.table.rowCount() == 0 and view.result is None
    assert view.attribution_heatmap.weights.size == 0


def test_cancel_stops_the_job_and_frees_the_button(opened, qtbot, toy_corpus, monkeypatch):
    import gui.panels.inspector as inspector_module

    monkeypatch.setattr(inspector_module, "_attribution_job", _blocked_until_cancelled)
    _translate(opened, qtbot, toy_corpus["probe"])
    view = opened.translate_panel.inspector.attribution_view
    view.set_method("integrated-gradients")
    job = wait_for_job(
        qtbot,
        opened.session,
        "attribution",
        lambda: (
            qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton),
            qtbot.waitUntil(view.cancel_button.isEnabled, timeout=5000),
            qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton),
        ),
        status="cancelled",
        timeout=20000,
    )
    assert not job.active
    assert view.summary.text().startswith("Cancelled.")
    assert view.run_button.isEnabled() and not view.cancel_button.isEnabled()


def _blocked_until_cancelled(translator, ctx, tr=None, method=""):
    import time

    for _ in range(2000):
        ctx.cancel.raise_if_cancelled()
        time.sleep(0.01)
    raise AssertionError("never cancelled")
