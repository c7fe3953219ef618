"""Curves grow from buffered points, skip non-finite losses, and are never re-created."""

from __future__ import annotations

import math

import numpy as np

from gui.widgets.loss_plot import LossPlot


def test_curves_follow_points(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.show()
    curve_ids = {name: id(plot._curves[name]) for name in plot._curves}
    for step in range(1, 3001):
        plot.add_progress(step, 5.0 / step, 4.0 / step)
    plot.add_validation(1000, 2.0, 10.0, 30.0)
    plot.add_validation(2000, 1.5, 20.0, 40.0)
    qtbot.waitUntil(lambda: len(plot.curve_data("smoothed")[0]) == 3000, timeout=2000)
    x, y = plot.curve_data("smoothed")
    np.testing.assert_allclose(y[:3], [4.0, 2.0, 4.0 / 3])
    assert list(plot.curve_data("bleu")[1]) == [10.0, 20.0]
    assert list(plot.curve_data("val_loss")[0]) == [1000, 2000]
    assert {name: id(plot._curves[name]) for name in plot._curves} == curve_ids


def test_nan_loss_is_skipped_not_fatal(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.show()
    plot.add_progress(1, 1.0, 1.0)
    plot.add_progress(2, math.nan, math.inf)
    plot.add_progress(3, 0.5, 0.5)
    plot.refresh()
    assert list(plot.curve_data("train")[0]) == [1, 3]
    plot.clear_data()
    assert len(plot.curve_data("train")[0]) == 0


def test_hidden_plot_buffers_and_draws_when_shown(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.add_progress(1, 1.0, 1.0)
    plot.refresh()
    assert len(plot.curve_data("train")[0]) == 0  # hidden: nothing drawn yet
    plot.show()
    assert list(plot.curve_data("train")[0]) == [1]


def test_legends_are_in_the_titles_not_over_the_curves(qtbot):
    from gui.widgets.loss_plot import MIN_PLOT_HEIGHT

    plot = LossPlot()
    qtbot.addWidget(plot)
    assert plot.minimumHeight() >= 2 * MIN_PLOT_HEIGHT
    for item, names in (
        (plot.loss_plot_item, ("training", "smoothed", "validation")),
        (plot.score_plot_item, ("BLEU", "chrF")),
    ):
        assert item.legend is None
        assert all(name in item.titleLabel.text for name in names)
