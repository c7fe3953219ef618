"""The Train tab's live view of a run: a subword run's probe attention in words."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from core.events import Translation
from core.inspection.word_merge import to_words
from gui.panels.run_monitor import RunMonitor
from gui.settings import AppSettings

W = "\u2581"


def _validation(probe: Translation) -> SimpleNamespace:
    return SimpleNamespace(step=40, loss=1.5, bleu=12.0, chrf=30.0, samples=[], probe=probe)


@pytest.fixture
def monitor(qtbot):
    m = RunMonitor(AppSettings())
    qtbot.addWidget(m)
    return m


def test_a_subword_probe_is_shown_in_words(monitor):
    rng = np.random.default_rng(0)
    attention = rng.random((4, 5)).astype(np.float32)
    attention /= attention.sum(axis=1, keepdims=True)
    probe = Translation(
        [f"{W}Die", "se", f"{W}Katze", "n", "</s>"],
        [f"{W}Th", "is", f"{W}cat", "</s>"],
        np.full(4, 0.5, np.float32),
        attention,
        -1.0,
        "This cat",
    )
    monitor.show_validation(_validation(probe))
    heat = monitor.probe_heatmap
    assert heat.source_tick_labels() == ["Diese", "Katzen", "</s>"]
    assert heat.target_tick_labels() == ["This", "cat", "</s>"]
    np.testing.assert_allclose(heat.image_item.image, to_words(probe).attention)
    np.testing.assert_allclose(heat.weights.sum(axis=1), 1.0, atol=1e-5)
    assert "(in words)" in monitor.probe_label.text()


def test_a_word_model_probe_is_shown_as_it_is(monitor):
    attention = np.full((2, 3), 1 / 3, np.float32)
    probe = Translation(["w1", "w2", "</s>"], ["W2", "</s>"], np.ones(2), attention, 0.0, "W2")
    monitor.show_validation(_validation(probe))
    assert monitor.probe_heatmap.source_tick_labels() == ["w1", "w2", "</s>"]
    np.testing.assert_array_equal(monitor.probe_heatmap.image_item.image, attention)
    assert "(in words)" not in monitor.probe_label.text()
