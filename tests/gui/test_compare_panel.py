"""Compare panel: two sources, one sentence, two heatmaps on the same 0..1 scale."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from core.decoding.weight_sources import ModelSource, list_sources, load_translator
from core.inspection.compare import describe_difference
from core.storage.model_folder import read_meta, write_meta
from tests.gui.stubs import wait_for_job

SENTENCE = "three one four one five nine two"


@pytest.fixture
def make_panel(qtbot, session):
    from gui.error_dialog import ErrorReporter
    from gui.panels.compare_panel import ComparePanel
    from gui.settings import AppSettings

    def make():
        errors = ErrorReporter()
        panel = ComparePanel(session, errors, AppSettings())
        panel.errors = errors
        qtbot.addWidget(panel)
        panel.resize(1300, 800)
        panel.show()
        qtbot.waitExposed(panel)
        return panel

    return make


@pytest.fixture
def model_copy(tiny_model_dir, tmp_path) -> Path:
    """The tiny model with its kept checkpoints, outside the library."""
    dest = tmp_path / "outside" / "tiny-with-checkpoints"
    shutil.copytree(tiny_model_dir, dest)
    return dest


def _compare_with_enter(qtbot, panel, session, text: str) -> list:
    panel.source_edit.clear()
    qtbot.keyClicks(panel.source_edit, text)
    wait_for_job(
        qtbot, session, "compare", lambda: qtbot.keyClick(panel.source_edit, Qt.Key.Key_Return)
    )
    return panel.results


def _browse(monkeypatch, qtbot, picker, folder: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    qtbot.mouseClick(picker.browse_button, Qt.MouseButton.LeftButton)


def test_two_checkpoints_side_by_side(make_panel, session, qtbot, monkeypatch, model_copy):
    panel = make_panel()
    _browse(monkeypatch, qtbot, panel.picker_a, model_copy)
    _browse(monkeypatch, qtbot, panel.picker_b, model_copy)
    sources = list_sources(model_copy)
    steps = [s.step for s in sources if s.step is not None]
    assert len(steps) >= 2 and sources[0].step is None
    # the checkpoint combo lists the best weights, then each kept checkpoint
    combo = panel.picker_b.checkpoint_combo
    assert [combo.itemText(i).split("  (")[0] for i in range(combo.count())] == ["best weights"] + [
        f"step {s}" for s in steps
    ]
    # B: a kept checkpoint whose weights differ from the best weights (the best step's own
    # checkpoint holds the same weights), so a mix-up of the columns cannot go unnoticed
    best = load_translator(ModelSource.best(model_copy), device="cpu").translate(SENTENCE, 2)[0]
    differs = [
        i
        for i, s in enumerate(steps, 1)
        if not np.array_equal(
            load_translator(ModelSource.checkpoint(model_copy, s), "cpu")
            .translate(SENTENCE, 2)[0]
            .attention,
            best.attention,
        )
    ]
    assert differs, "the tiny model kept no checkpoint that differs from its best weights"
    combo.setCurrentIndex(differs[0])
    assert panel.picker_a.source() == ModelSource.best(model_copy)
    assert panel.picker_b.source() == ModelSource.checkpoint(model_copy, steps[differs[0] - 1])

    panel.beam_spin.setValue(2)
    results = _compare_with_enter(qtbot, panel, session, SENTENCE)
    assert [id(r) for r in results] == [id(r) for r in panel.results]  # what was shown
    a, b = panel.results
    # each column is its own source's real translation (computed here, straight from core)
    for tr, source in ((a, panel.picker_a.source()), (b, panel.picker_b.source())):
        want = load_translator(source, device="cpu").translate(SENTENCE, beam=2)[0]
        assert tr.target_tokens == want.target_tokens
        assert tr.score == pytest.approx(want.score, abs=1e-5)
        np.testing.assert_allclose(tr.attention, want.attention, atol=1e-5)
    # each heatmap shows exactly its translation's attention, on the same fixed 0..1 scale
    for heatmap, tr in ((panel.heatmap_a, a), (panel.heatmap_b, b)):
        np.testing.assert_array_equal(heatmap.image_item.image, tr.attention)
        assert heatmap.source_tick_labels() == tr.source_tokens
        assert heatmap.target_tick_labels() == tr.target_tokens
        assert tuple(heatmap.image_item.getLevels()) == (0.0, 1.0)
        assert tuple(heatmap.colorbar.levels()) == (0.0, 1.0)
    assert panel.column_a.text_label.text() == (a.text or "(empty output)")
    assert panel.column_b.text_label.text() == (b.text or "(empty output)")
    assert panel.column_a.score_label.text().startswith(f"score {a.score:.3f}")
    assert panel.column_b.score_label.text().startswith(f"score {b.score:.3f}")
    assert panel.diff_label.text() == describe_difference(a, b)
    assert not panel.cancel_button.isVisible()
    qtbot.wait(200)
    panel.grab().save("/tmp/compare-test.png")


def test_defaults_follow_the_open_model(make_panel, session, qtbot, library_model, model_copy):
    panel = make_panel()
    # only the library model is known: A and B both use it (it has no checkpoints)
    assert panel.picker_a.source() == ModelSource.best(library_model)
    assert panel.picker_b.source() == ModelSource.best(library_model)
    labels = [
        panel.picker_a.model_combo.itemText(i) for i in range(panel.picker_a.model_combo.count())
    ]
    assert labels == ["tiny demo (en → xx)"]
    # opening a model with checkpoints: A is its best weights, B its latest checkpoint
    with qtbot.waitSignal(session.modelLoaded, timeout=30000):
        session.load_model(str(model_copy))
    latest = max(s.step for s in list_sources(model_copy) if s.step is not None)
    assert panel.picker_a.source() == ModelSource.best(model_copy)
    assert panel.picker_b.source() == ModelSource.checkpoint(model_copy, latest)
    assert panel.compare_button.isEnabled()
    # opening a model without checkpoints: B becomes the other model
    with qtbot.waitSignal(session.modelLoaded, timeout=30000):
        session.load_model(str(library_model))
    assert panel.picker_a.source() == ModelSource.best(library_model)
    assert panel.picker_b.source() == ModelSource.best(model_copy)


def test_a_damaged_checkpoint_is_reported_with_its_file(make_panel, session, qtbot, model_copy):
    panel = make_panel()
    panel.picker_a.set_model(model_copy)
    step = next(s.step for s in list_sources(model_copy) if s.step is not None)
    path = model_copy / "checkpoints" / f"ckpt-{step:08d}.pt"
    path.write_bytes(path.read_bytes()[:2000])
    assert panel.picker_b.set_model(model_copy, step)
    with qtbot.waitSignal(session.failed, timeout=30000) as blocker:
        panel.compare_text(SENTENCE)
    assert blocker.args[0].operation == "compare"
    text = panel.status_label.text()
    assert text.startswith("Cannot compare:") and str(path) in text and "damaged" in text
    assert panel.results == []
    # a good pair still works afterwards
    panel.picker_b.set_model(model_copy, None)
    wait_for_job(qtbot, session, "compare", lambda: panel.compare_text(SENTENCE))
    assert len(panel.results) == 2
    assert panel.status_label.text() == "" and not panel.status_label.isVisible()


def test_models_from_different_source_languages_are_refused(
    make_panel, session, qtbot, model_copy, tmp_path
):
    other = tmp_path / "from-french"
    shutil.copytree(model_copy, other, ignore=shutil.ignore_patterns("checkpoints"))
    meta = read_meta(other)
    meta.name = "tiny from French"
    meta.tokenizer = type(meta.tokenizer)("fr", "xx", tokenization=meta.tokenizer.tokenization)
    write_meta(other, meta)
    panel = make_panel()
    panel.picker_a.set_model(model_copy)
    panel.picker_b.set_model(other)
    with qtbot.waitSignal(session.failed, timeout=30000):
        panel.compare_text(SENTENCE)
    text = panel.status_label.text()
    assert "translates from 'en'" in text and "tiny from French (best weights) from 'fr'" in text


def test_browsing_a_folder_that_is_no_model(make_panel, qtbot, monkeypatch, tmp_path):
    panel = make_panel()
    _browse(monkeypatch, qtbot, panel.picker_a, tmp_path)
    qtbot.waitUntil(lambda: bool(panel.errors.history), timeout=5000)
    title, message, _ = panel.errors.history[-1]
    assert title == "Cannot use this folder"
    assert str(tmp_path) in message and "no model.json" in message
    assert panel.picker_a.model_path() is None
    panel.errors.close_all()
