"""When a run ends with weights saved, the new model is the one you translate with — and the
Translate tab says so (model and languages in the banner and the tab's title)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from core.inspection.word_merge import to_words
from core.resources import demo_model_dir


def _train_tiny(window, qtbot, corpus, name: str, tokenization: str = "words"):
    panel = window.train_panel
    panel.set_files([str(corpus["tsv"])])
    panel.src_lang.setText("en")
    panel.tgt_lang.setText("xx")
    panel.tokenization_combo.setCurrentIndex(panel.tokenization_combo.findData(tokenization))
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("tiny"))
    panel.epochs_spin.setValue(0)
    panel.budget_spin.setValue(0.05)  # 3 s
    panel.name_edit.setText(name)
    with qtbot.waitSignal(window.session.trainFinished, timeout=120000) as done:
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    return done.args[0]


def test_finished_run_becomes_the_open_model(make_window, qtbot, toy_corpus):
    win = make_window(first_run=True)  # the en→de demo is open, as for a new user
    assert win.welcome.isVisible()
    qtbot.waitUntil(lambda: win.session.model_info is not None, timeout=60000)
    assert "en → de" in win.tabs.tabText(win.tabs.indexOf(win.translate_panel))
    win.tabs.setCurrentWidget(win.train_panel)
    done = _train_tiny(win, qtbot, toy_corpus, "fresh en-xx", "subwords")  # the form's default
    assert done.status == "time_budget"
    qtbot.waitUntil(
        lambda: (
            win.session.model_info is not None
            and Path(win.session.model_info.path) == Path(done.model_dir)
            and win.session.state == "idle"
        ),
        timeout=30000,
    )
    tp, rc = win.translate_panel, win.train_panel.run_controls
    assert win.tabs.currentWidget() is win.train_panel  # not pulled away from the curves
    assert not win.welcome.isVisible()  # its demo advice is behind the user
    assert "now the open model" in rc.status_label.text()
    assert win.tabs.tabText(win.tabs.indexOf(tp)) == "Translate && inspect (en → xx)"
    assert "fresh en-xx" in tp.model_label.text() and "en → xx" in tp.model_label.text()
    assert not tp.use_trained_button.isVisible()
    assert win.settings.recent_models()[0] == done.model_dir

    qtbot.mouseClick(rc.translate_button, Qt.MouseButton.LeftButton)
    assert win.tabs.currentWidget() is tp
    with qtbot.waitSignal(win.session.translated, timeout=20000) as got:
        tp.translate_text(toy_corpus["probe"])
    # a new run uses subwords: the inspector starts in Words, whose words are the probe's
    assert win.session.words_mode.words
    assert to_words(got.args[0][0]).source_tokens[:-1] == toy_corpus["probe"].split()

    # "Open in Models" selects it there
    win.tabs.setCurrentWidget(win.train_panel)
    qtbot.mouseClick(rc.library_button, Qt.MouseButton.LeftButton)
    assert win.tabs.currentWidget() is win.library_panel
    assert win.library_panel.selected_path() == done.model_dir

    # opening another model with other languages: the banner warns and leads back
    with qtbot.waitSignal(win.session.modelLoaded, timeout=30000):
        win.open_model(str(demo_model_dir()))
    assert tp.use_trained_button.isVisible()
    assert "not the model you trained last" in tp.model_label.text()
    assert "en → de" in win.tabs.tabText(win.tabs.indexOf(tp))
    with qtbot.waitSignal(win.session.modelLoaded, timeout=30000) as back:
        qtbot.mouseClick(tp.use_trained_button, Qt.MouseButton.LeftButton)
    assert back.args[0].path == done.model_dir
    assert not tp.use_trained_button.isVisible()
