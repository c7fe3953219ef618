"""Keyboard and discoverability: Ctrl+Enter, Ctrl+O, Ctrl+Shift+T and F1 do what the menus say;
File → Open recent; a tooltip with a range on every training setting; the demo model in Models."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QFileDialog

from core.resources import demo_model_dir
from gui.panels.train_settings import SETTINGS


def _press(qtbot, window, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, modifiers)


def _menu_entry(window, menu_text: str, entry: str):
    menu = next(a for a in window.menuBar().actions() if a.text() == menu_text).menu()
    return next(a for a in menu.actions() if a.text() == entry)


def test_shortcuts_are_listed_in_the_menus(window):
    expected = {
        ("&File", "&Open model folder…"): "Ctrl+O",
        ("T&rain", "&Start or stop training"): "Ctrl+Shift+T",
        ("&Translate", "&Translate now"): "Ctrl+Return",
        ("&Help", "&Guide"): "F1",
    }
    for (menu, entry), keys in expected.items():
        act = _menu_entry(window, menu, entry)
        assert act.shortcut().toString(QKeySequence.SequenceFormat.PortableText) == keys


def test_ctrl_o_opens_a_model_and_ctrl_enter_translates(
    window, qtbot, tiny_model_dir, monkeypatch, toy_corpus
):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tiny_model_dir))
    window.tabs.setCurrentWidget(window.library_panel)
    with qtbot.waitSignal(window.session.modelLoaded, timeout=20000):
        _press(qtbot, window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    window.translate_panel.source_edit.setPlainText(toy_corpus["probe"])
    window.translate_panel._debounce.stop()
    window.tabs.setCurrentWidget(window.train_panel)  # from another tab, too
    window.train_panel.start_button.setFocus()
    qtbot.waitUntil(lambda: window.session.state == "idle", timeout=20000)
    with qtbot.waitSignal(window.session.translated, timeout=20000) as got:
        _press(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.translate_panel
    assert window.translate_panel.output.toPlainText() == got.args[0][0].text


def test_ctrl_shift_t_starts_and_stops_training(window, qtbot, toy_corpus):
    panel = window.train_panel
    panel.set_files([str(toy_corpus["tsv"])])
    panel.src_lang.setText("en")
    panel.tgt_lang.setText("xx")
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("tiny"))
    panel.epochs_spin.setValue(0)
    panel.budget_spin.setValue(2.0)
    window.tabs.setCurrentWidget(window.library_panel)
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    _press(qtbot, window, Qt.Key.Key_T, ctrl_shift)
    assert window.session.training and window.tabs.currentWidget() is panel
    qtbot.waitUntil(lambda: panel.progress_bar.value() > 0, timeout=60000)
    with qtbot.waitSignal(window.session.trainFinished, timeout=60000) as done:
        _press(qtbot, window, Qt.Key.Key_T, ctrl_shift)
    assert done.args[0].status == "cancelled"


def test_f1_opens_the_guide(window, qtbot):
    _press(qtbot, window, Qt.Key.Key_F1)
    qtbot.waitUntil(
        lambda: window.guide_dialog is not None and window.guide_dialog.isVisible(), timeout=3000
    )
    text = window.guide_dialog.browser.toPlainText()
    assert "Train your own model" in text and "Ctrl+Shift+T" in text
    assert not window.guide_dialog.isModal()
    window.guide_dialog.close()


def test_open_recent_lists_models_newest_first(window, qtbot, tiny_model_dir, library_model):
    for path in (tiny_model_dir, library_model):
        with qtbot.waitSignal(window.session.modelLoaded, timeout=20000):
            window.open_model(str(path))
        qtbot.waitUntil(lambda: window.session.state == "idle", timeout=20000)
    window._fill_recent_menu()
    entries = [a for a in window.recent_menu.actions() if a.data()]
    assert [a.data() for a in entries] == [str(library_model), str(tiny_model_dir)]
    with qtbot.waitSignal(window.session.modelLoaded, timeout=20000) as got:
        entries[1].trigger()
    assert got.args[0].path == str(tiny_model_dir)
    import shutil

    shutil.rmtree(library_model)  # a folder that is gone is left out
    window._fill_recent_menu()
    assert [a.data() for a in window.recent_menu.actions() if a.data()] == [str(tiny_model_dir)]


def test_every_training_setting_says_what_it_does_and_a_range(window):
    form = window.train_panel.form
    for s in SETTINGS:
        widget = getattr(form, s.attr)
        tip = widget.toolTip()
        assert len(tip) > 40, s.attr
        if isinstance(widget, QAbstractSpinBox):
            assert any(ch.isdigit() for ch in tip), f"{s.attr}: no range in {tip!r}"
    for widget in (
        form.preset_combo,
        form.src_lang,
        form.tgt_lang,
        form.lowercase,
        form.name_edit,
        form.preview_button,
    ):
        assert widget.toolTip(), widget.objectName()


def test_demo_model_is_listed_read_only(window, qtbot, library_model, monkeypatch):
    lib = window.library_panel
    lib.refresh()
    assert demo_model_dir() is not None, "the demo model ships in resources/models"
    demo = str(demo_model_dir())
    assert demo in lib.listed_paths() and demo not in lib.model_paths()
    lib.select_path(demo)
    assert lib.open_button.isEnabled() and lib.export_button.isEnabled()
    assert not lib.rename_button.isEnabled() and not lib.delete_button.isEnabled()
    assert not lib.resume_button.isEnabled()
    reported = []
    monkeypatch.setattr(window.errors, "report", lambda *a, **k: reported.append(a))
    assert lib.delete(demo) is False and lib.rename(demo, "mine") is None
    assert len(reported) == 2 and (Path(demo) / "model.json").is_file()
    lib.select_path(str(library_model))
    assert lib.rename_button.isEnabled() and lib.delete_button.isEnabled()
    lib.select_path(demo)
    with qtbot.waitSignal(window.session.modelLoaded, timeout=30000) as got:
        qtbot.mouseClick(lib.open_button, Qt.MouseButton.LeftButton)
    assert Path(got.args[0].path) == Path(demo)
