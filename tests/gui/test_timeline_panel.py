"""Attention through training, driven like a user: open a model, choose a probe, move the slider
(or press Play) through the validations, compare two points in time, reload while a run appends."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.inspection.probe_timeline import KIND_OUTPUT, KIND_REFERENCE, PROBES, read_timeline
from core.storage.model_folder import read_history
from tests.gui.stubs import wait_for_job

READ = "timeline-read"


@pytest.fixture(scope="module")
def dev_probe_model(tmp_path_factory, toy_corpus) -> Path:
    """A tiny model trained without probe sentences: the first 3 dev pairs are recorded, on their
    references, at steps 15, 30, 45 and 60."""
    from core.config import TokenizerConfig, preset
    from core.data.corpus import CorpusSpec
    from core.training.run import train

    p = preset("tiny")
    out = tmp_path_factory.mktemp("timeline") / "dev-probes"
    train(
        CorpusSpec(tsv_path=str(toy_corpus["tsv"])),
        out,
        p.model,
        TokenizerConfig("en", "xx", tokenization="words"),
        p.train.replace(
            max_steps=60, valid_every=15, dev_fraction=0.1, num_threads=1, device="cpu"
        ),
        name="dev probes",
    )
    return out


@pytest.fixture
def panel(shown_panel):
    from gui.panels.timeline_panel import TimelinePanel

    return shown_panel(TimelinePanel, (1300, 760))


def _open(qtbot, session, folder: Path) -> None:
    wait_for_job(qtbot, session, READ, lambda: session.load_model(str(folder)))


def test_one_matrix_per_validation_and_the_slider_replays_them(
    qtbot, session, panel, dev_probe_model
):
    _open(qtbot, session, dev_probe_model)
    validations = [h["step"] for h in read_history(dev_probe_model) if h["type"] == "validation"]
    assert validations == [15, 30, 45, 60]
    assert panel.probe_combo.count() == 3 and panel.probe_combo.isEnabled()
    assert "3 probe sentence(s) recorded at 4 validation(s)" in panel.status_label.text()
    timeline = read_timeline(dev_probe_model)
    for i in range(panel.probe_combo.count()):
        panel.probe_combo.setCurrentIndex(i)
        series = panel.series
        assert [s.step for s, _ in series] == validations  # one matrix per validation
        assert panel.slider.maximum() == len(validations) - 1
        shapes = {p.attention.shape for _, p in series}
        assert len(shapes) == 1  # on the reference: fixed shape
        for at, (snap, probe) in enumerate(series):
            qtbot.keyClick(panel.slider, Qt.Key.Key_Home) if at == 0 else qtbot.keyClick(
                panel.slider, Qt.Key.Key_Right
            )
            assert panel.slider.value() == at
            assert probe.kind == KIND_REFERENCE
            np.testing.assert_array_equal(panel.heatmap.weights, probe.attention)
            np.testing.assert_allclose(panel.heatmap.weights.sum(axis=1), 1.0, atol=1e-5)
            assert panel.heatmap.target_tick_labels() == probe.translation.target_tokens
            assert f"step {snap.step:,}" in panel.step_label.text()
            assert probe.source == timeline.sources[i]


def test_compare_two_points_in_time(qtbot, session, panel, dev_probe_model):
    _open(qtbot, session, dev_probe_model)
    panel.select(probe=1, at=3, compare=0)
    series = panel.series
    (first_snap, first), (last_snap, last) = series[0], series[3]
    expected = last.attention - first.attention
    np.testing.assert_allclose(panel.diff_heatmap.weights, expected, atol=1e-7)
    assert np.abs(expected).max() > 1e-3  # the model trained in between
    assert panel.diff_heatmap.levels == (-1.0, 1.0)
    assert tuple(panel.diff_heatmap.image_item.getLevels()) == (-1.0, 1.0)
    caption = panel.diff_caption.text()
    assert f"from step {first_snap.step:,} to {last_snap.step:,}" in caption
    # the same point compared with itself: no change anywhere
    panel.compare_slider.setValue(3)
    assert not panel.diff_heatmap.weights.any()
    # hover text of the diff is signed
    panel.compare_slider.setValue(0)
    r, c = np.unravel_index(np.argmax(np.abs(expected)), expected.shape)
    assert f"{expected[r, c]:+.3f}" in panel.diff_heatmap.text_for_cell(int(r), int(c))


def test_user_probe_sentence_and_play(qtbot, session, panel, tiny_model_dir, toy_corpus):
    """The shared tiny model was trained with the toy probe sentence: its output is recorded."""
    _open(qtbot, session, tiny_model_dir)
    timeline = read_timeline(tiny_model_dir)
    validations = [h for h in read_history(tiny_model_dir) if h["type"] == "validation"]
    assert timeline.sources == [toy_corpus["probe"]]
    assert len(panel.series) == len(validations) >= 2
    assert all(p.kind == KIND_OUTPUT for _, p in panel.series)
    assert panel.slider.value() == panel.slider.maximum()  # the latest point first
    panel._play_timer.setInterval(20)
    with qtbot.waitSignal(
        panel.play_button.toggled, timeout=10000, check_params_cb=lambda on: not on
    ):
        qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
        assert panel.slider.value() == 0  # Play at the end replays
    assert panel.slider.value() == panel.slider.maximum()
    np.testing.assert_array_equal(panel.heatmap.weights, panel.series[-1][1].attention)
    assert panel.heatmap.source_tick_labels()[:-1] == toy_corpus["probe"].split()


def test_reload_shows_validations_added_since(qtbot, session, panel, tiny_model_dir, tmp_path):
    folder = tmp_path / "growing"
    shutil.copytree(tiny_model_dir, folder, ignore=shutil.ignore_patterns("checkpoints"))
    _open(qtbot, session, folder)
    n = len(panel.series)
    lines = (folder / PROBES).read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[-1])
    record["step"] += 1000
    with open(folder / PROBES, "a", encoding="utf-8") as f:  # as a running training would
        f.write(json.dumps(record) + "\n")
    wait_for_job(
        qtbot,
        session,
        READ,
        lambda: qtbot.mouseClick(panel.reload_button, Qt.MouseButton.LeftButton),
    )
    assert len(panel.series) == n + 1 and panel.slider.maximum() == n
    assert panel.slider.value() == n  # it was at the end: stays there
    assert f"step {record['step']:,}" in panel.step_label.text()


def test_a_model_without_a_timeline_says_so(qtbot, session, panel, tiny_model_dir, tmp_path):
    old = tmp_path / "before-timelines"
    shutil.copytree(tiny_model_dir, old, ignore=shutil.ignore_patterns("checkpoints", PROBES))
    _open(qtbot, session, old)
    assert "has no probe timeline" in panel.status_label.text()
    assert not panel.slider.isEnabled() and not panel.play_button.isEnabled()
    assert panel.heatmap.weights.size == 0 and panel.probe_combo.count() == 0
    assert panel.reload_button.isEnabled()


def test_a_damaged_timeline_names_file_and_line(qtbot, session, panel, tiny_model_dir, tmp_path):
    folder = tmp_path / "damaged"
    shutil.copytree(tiny_model_dir, folder, ignore=shutil.ignore_patterns("checkpoints"))
    lines = (folder / PROBES).read_text(encoding="utf-8").splitlines()
    (folder / PROBES).write_text("\n".join(["{oops", *lines]) + "\n", encoding="utf-8")
    with qtbot.waitSignal(
        session.failed, timeout=60000, check_params_cb=lambda f: f.operation == READ
    ):
        session.load_model(str(folder))
    assert f"{folder / PROBES}:1: not valid JSON" in panel.status_label.text()
