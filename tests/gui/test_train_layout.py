"""A laptop screen (1366×768): the run controls are always on screen, the form is never clipped,
rarely changed settings fold away, plots keep a readable height, splitters remember their sizes.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect

from gui.widgets.loss_plot import MIN_PLOT_HEIGHT

LAPTOP = (1366, 768)


def _on_screen(widget, window) -> bool:
    """Visible, and its whole rectangle inside the window (no scroll area or tab hides it)."""
    if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
        return False
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, widget.size()))


@pytest.fixture
def laptop(make_window, qtbot):
    win = make_window(first_run=True)  # the welcome banner shows: the tightest case
    win.resize(*LAPTOP)
    win.tabs.setCurrentWidget(win.train_panel)
    qtbot.waitUntil(lambda: win.size().height() == LAPTOP[1], timeout=3000)
    return win


def test_the_window_fits_a_laptop_screen(laptop):
    hint = laptop.minimumSizeHint()
    assert hint.width() <= LAPTOP[0] and hint.height() <= LAPTOP[1] - 40  # room for a title bar
    assert laptop.height() == LAPTOP[1]


@pytest.mark.parametrize("advanced", [False, True])
def test_run_controls_visible_in_every_state(laptop, qtbot, advanced, toy_corpus):
    panel = laptop.train_panel
    panel.form.advanced.set_expanded(advanced)
    controls = panel.run_controls.controls()

    def check(state: str) -> None:
        qtbot.wait(20)
        hidden = [c.objectName() for c in controls if not _on_screen(c, laptop)]
        assert hidden == [], f"{state}: {hidden}"

    for welcome in (True, False):
        laptop.welcome.setVisible(welcome)
        for tab in range(panel.right_tabs.count()):
            panel.right_tabs.setCurrentIndex(tab)
            check(f"welcome={welcome} tab={panel.right_tabs.tabText(tab)}")
    # the form scrolled to its end (Advanced open or not): the controls stay
    bar = panel.form_scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    check("form scrolled to the end")
    # while a run trains, and after it ended with the buttons that lead on
    panel.set_files([str(toy_corpus["tsv"])])
    panel.src_lang.setText("en")
    panel.tgt_lang.setText("xx")
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("tiny"))
    panel.epochs_spin.setValue(0)
    panel.budget_spin.setValue(0.2)  # 12 s of training: the check below runs while it trains
    with qtbot.waitSignal(laptop.session.trainFinished, timeout=120000):
        panel.start_button.click()
        qtbot.waitUntil(lambda: panel.progress_bar.value() > 0, timeout=60000)
        check("training")
    check("finished")
    for extra in (panel.run_controls.translate_button, panel.run_controls.library_button):
        assert _on_screen(extra, laptop)


def test_form_gets_its_width_and_advanced_settings_fold_away(laptop, qtbot):
    panel = laptop.train_panel
    form, scroll = panel.form, panel.form_scroll
    for advanced in (False, True):
        form.advanced.set_expanded(advanced)
        qtbot.wait(20)
        assert not scroll.horizontalScrollBar().isVisible()
        assert scroll.viewport().width() >= form.minimumSizeHint().width()
        # every browse button and combo box lies inside the visible width
        right = scroll.viewport().width()
        for field in (panel.tsv_field, panel.src_field, panel.preset_combo, panel.device_combo):
            assert field.mapTo(form, QPoint(field.width(), 0)).x() <= right
    # rarely changed settings are in the Advanced section, folded by default (and remembered)
    assert form.advanced.content.isAncestorOf(panel.hidden_spin)
    assert form.advanced.content.isAncestorOf(panel.dev_src_field)
    assert not form.advanced.content.isAncestorOf(panel.budget_spin)
    form.advanced.set_expanded(False)
    assert not panel.hidden_spin.isVisible() and panel.budget_spin.isVisible()
    form.advanced.button.click()
    assert panel.hidden_spin.isVisible()
    assert str(laptop.settings.value("train/advanced_open")).lower() == "true"


def test_plots_keep_a_readable_height_and_no_legend_on_the_curves(laptop, qtbot):
    panel = laptop.train_panel
    panel.right_tabs.setCurrentIndex(1)
    qtbot.wait(20)
    plot = panel.loss_plot
    assert plot.height() >= 2 * MIN_PLOT_HEIGHT
    for item in (plot.loss_plot_item, plot.score_plot_item):
        assert item.legend is None  # no legend box drawn over the curves
    assert "validation" in plot.loss_plot_item.titleLabel.text
    assert "BLEU" in plot.score_plot_item.titleLabel.text


def test_splitters_remember_their_sizes(make_window, qtbot):
    win = make_window()
    win.resize(*LAPTOP)
    win.tabs.setCurrentWidget(win.train_panel)
    split = win.train_panel.splitter
    qtbot.wait(20)
    sizes = split.sizes()
    split.moveSplitter(sizes[0] + 120, 1)
    moved = split.sizes()
    assert moved[0] == sizes[0] + 120
    win.close()
    again = make_window()
    again.resize(*LAPTOP)
    again.tabs.setCurrentWidget(again.train_panel)
    qtbot.wait(20)
    assert again.train_panel.splitter.sizes()[0] == moved[0]


def test_an_eleven_word_sentence_needs_no_scroll_bars(laptop, qtbot):
    """The issue's complaint: at 1366×768 the heatmap of an 11-word sentence scrolled."""
    qtbot.waitUntil(
        lambda: laptop.session.model_info is not None and laptop.session.state == "idle",
        timeout=60000,
    )
    tp = laptop.translate_panel
    laptop.tabs.setCurrentWidget(tp)
    with qtbot.waitSignal(laptop.session.translated, timeout=30000) as got:
        tp.translate_text("I know that the woman drinks coffee in the garden today.")
    from core.inspection.word_merge import to_words

    # the demo model reads subword pieces (16 here): 11 words, "." a word of its own, </s>
    assert len(to_words(got.args[0][0]).source_tokens) == 13
    qtbot.wait(50)
    scroll = tp.heatmap._scroll
    assert not scroll.horizontalScrollBar().isVisible()
    assert not scroll.verticalScrollBar().isVisible()
    assert tp.heatmap.source_tick_labels() == to_words(got.args[0][0]).source_tokens  # Words


def test_a_first_start_fits_a_laptop_screen():
    """Without saved geometry the window takes the default size, shrunk to the screen's free area
    (a 1366×768 screen would otherwise cut off the status bar and the bottom of every tab)."""
    from PySide6.QtCore import QSize

    from gui.main_window import DEFAULT_SIZE, first_window_size

    minimum = QSize(905, 695)
    assert first_window_size(QSize(1366, 768), minimum) == QSize(1360, 768)
    assert first_window_size(QSize(1366, 728), minimum) == QSize(1360, 728)
    assert first_window_size(QSize(1920, 1080), minimum) == DEFAULT_SIZE
    assert first_window_size(QSize(800, 600), minimum) == DEFAULT_SIZE  # cannot fit either way
