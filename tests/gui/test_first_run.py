"""First run and double-click launch: the demo model opens by itself, the welcome panel's three
ways to start, the window icon, Help → About, and ``attnscope --version/--help`` without a window.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from core import __version__
from core.inspection.word_merge import to_words
from core.resources import demo_model_dir, sample_corpus

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_model_is_shipped():
    """Everything below needs it: a missing demo model fails here, it never skips."""
    assert demo_model_dir() is not None, "resources/models/demo-en-de/model.json is not shipped"


def _wait_loaded(qtbot, win, timeout=60000):
    qtbot.waitUntil(
        lambda: win.session.model_info is not None and win.session.state == "idle", timeout=timeout
    )
    return win.session.model_info


def test_first_run_opens_the_demo_and_translates_the_suggested_sentence(make_window, qtbot):
    win = make_window(first_run=True)  # empty library, no argument: what a user gets
    assert win.welcome.isVisible()
    info = _wait_loaded(qtbot, win)
    assert Path(info.path) == demo_model_dir()
    assert (info.src_lang, info.tgt_lang) == ("en", "de")
    assert "Demo" in win.windowTitle()
    assert win.library_panel.model_paths() == []  # read in place: nothing copied to the library

    with qtbot.waitSignal(win.session.translated, timeout=30000) as got:
        qtbot.mouseClick(win.welcome.translate_button, Qt.MouseButton.LeftButton)
    panel = win.translate_panel
    assert win.tabs.currentWidget() is panel
    assert panel.source_edit.toPlainText() == "Today the dog sleeps in the garden."
    best = got.args[0][0]
    assert panel.output.toPlainText() == best.text == "Heute schläft der Hund im Garten."
    # the demo is a subword model: the switch shows, on Words, and the heatmap shows that
    # translation's attention merged into words, with German's verb-second order in it:
    # "schläft" (2nd German word) looks at "sleeps" (4th English word), past the subject
    assert win.session.words_mode.words
    assert panel.inspector.words_switch.isVisible()
    words = to_words(best)
    np.testing.assert_array_equal(panel.heatmap.weights, words.attention)
    np.testing.assert_allclose(panel.heatmap.weights.sum(axis=1), 1.0, atol=1e-5)
    assert panel.heatmap.target_tick_labels()[:2] == ["Heute", "schläft"]
    src = panel.heatmap.source_tick_labels()
    assert src[int(np.argmax(words.attention[1]))] == "sleeps"
    assert src[int(np.argmax(words.attention[3]))] == "dog"


def test_welcome_train_buttons_fill_the_train_tab(make_window, qtbot, tmp_path, monkeypatch):
    win = make_window(first_run=True)
    tp = win.train_panel
    tp.preset_combo.setCurrentIndex(tp.preset_combo.findData("tiny"))
    qtbot.mouseClick(win.welcome.sample_button, Qt.MouseButton.LeftButton)
    assert win.tabs.currentWidget() is tp
    assert Path(tp.tsv_field.text()) == sample_corpus("en-de")
    assert tp.src_field.text() == "" and tp.tgt_field.text() == ""
    assert (tp.src_lang.text(), tp.tgt_lang.text()) == ("en", "de")
    assert tp.preset_combo.currentData() == "small"
    from core.config import PRESETS

    assert tp.hidden_spin.value() == PRESETS["small"].model.hidden_size
    # the filled form is a valid corpus: the preview reads it
    _wait_loaded(qtbot, win)
    assert win.tabs.currentWidget() is tp  # the demo finishing loading does not pull away
    with qtbot.waitSignal(win.session.previewReady, timeout=60000) as preview:
        qtbot.mouseClick(tp.preview_button, Qt.MouseButton.LeftButton)
    assert preview.args[0].report.pairs_kept > 3000
    assert tp.preview_table.rowCount() == 50

    # "your own files": the chooser (answered here) fills source and target, in language order
    (tmp_path / "talk.de").write_text("Hallo.\n", encoding="utf-8")
    (tmp_path / "talk.en").write_text("Hello.\n", encoding="utf-8")
    asked = []

    def chooser(*args, **kwargs):
        asked.append(args)
        return [str(tmp_path / "talk.de"), str(tmp_path / "talk.en")], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", chooser)
    win.tabs.setCurrentWidget(win.translate_panel)
    qtbot.mouseClick(win.welcome.own_button, Qt.MouseButton.LeftButton)
    assert asked and win.tabs.currentWidget() is tp
    assert tp.src_field.text() == str(tmp_path / "talk.en")
    assert tp.tgt_field.text() == str(tmp_path / "talk.de")
    assert tp.tsv_field.text() == ""


def test_welcome_hides_for_now_or_for_good(make_window, qtbot):
    win = make_window(first_run=True)
    qtbot.mouseClick(win.welcome.close_button, Qt.MouseButton.LeftButton)  # ✕: this session
    assert not win.welcome.isVisible()
    _wait_loaded(qtbot, win)
    win.close()
    second = make_window(first_run=True)  # the next start: it is back
    assert second.welcome.isVisible()
    qtbot.mouseClick(second.welcome.dont_show_button, Qt.MouseButton.LeftButton)
    assert not second.welcome.isVisible()
    _wait_loaded(qtbot, second)
    second.close()
    again = make_window(first_run=True)  # and after "Don't show again" it stays away
    assert not again.welcome.isVisible()
    _wait_loaded(qtbot, again)  # the last model (the demo) opens again
    help_menu = next(a for a in again.menuBar().actions() if a.text() == "&Help").menu()
    next(a for a in help_menu.actions() if a.text() == "&Welcome").trigger()
    assert again.welcome.isVisible()


def test_startup_model_choice(library_model, tiny_model_dir, tmp_path):
    from gui.app import startup_model

    assert startup_model(str(tiny_model_dir), "") == str(tiny_model_dir)  # the argument
    assert startup_model(None, str(tiny_model_dir)) == str(tiny_model_dir)  # the last model
    assert startup_model(None, "") is None  # the library has a model: no demo
    assert startup_model(None, str(tmp_path / "gone")) is None
    import shutil

    shutil.rmtree(library_model)
    assert startup_model(None, "") == str(demo_model_dir())  # empty library: the demo
    assert startup_model(None, str(tmp_path / "gone")) == str(demo_model_dir())


def test_icon_names_and_about_dialog(window, qtbot):
    app = QApplication.instance()
    assert not app.windowIcon().isNull() and not window.windowIcon().isNull()
    assert 16 in [s.width() for s in window.windowIcon().availableSizes()]
    assert app.desktopFileName() == "attnscope"
    assert app.applicationVersion() == __version__
    assert app.applicationDisplayName() == "Attnscope"

    window.about_action.trigger()
    dialog = window.about_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    assert not dialog.isModal() and QApplication.activeModalWidget() is None
    title = dialog.findChild(object, "aboutTitle").text()
    body = dialog.findChild(object, "aboutBody").text()
    assert f"Attnscope {__version__}" in title
    assert "attention-based translation model" in body
    for needle in (
        "Attnscope",
        "MIT",
        "Sample corpora and demo model",
        "PySide6 / Qt",
        "LGPLv3",
        "PyTorch",
        "BSD-3",
        "pyqtgraph",
        "sacremoses",
        "sacrebleu",
        "Apache-2.0",
        "platformdirs",
        "NumPy",
    ):
        assert needle in body, needle
    from PySide6.QtCore import qVersion

    for version in (platform.python_version(), qVersion(), metadata.version("torch")):
        assert version in body, version
    assert "MIT" in (ROOT / "resources" / "corpora" / "LICENSE").read_text(encoding="utf-8")
    dialog.close()


def _bare_env() -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")
    }
    env["PYTHONPATH"] = str(ROOT)
    return env


CHECK = (
    "import sys; from gui.app import main; rc = main(); "
    "sys.exit(rc if 'PySide6.QtWidgets' not in sys.modules else 99)"
)


def test_version_and_help_need_no_window(tmp_path):
    env = _bare_env()  # no display at all: creating a window would abort
    env["ATTNSCOPE_HOME"] = str(tmp_path / "home")
    out = subprocess.run(
        [sys.executable, "-c", CHECK, "--version"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (out.returncode, out.stdout, out.stderr) == (0, f"attnscope {__version__}\n", "")
    out = subprocess.run(
        [sys.executable, "-c", CHECK, "--help"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0 and out.stdout.startswith("usage: attnscope [MODEL_FOLDER]")
    assert "--version" in out.stdout and out.stderr == ""
    assert not (tmp_path / "home").exists()  # nothing created: no logs, no settings


def test_version_without_stdout(monkeypatch):
    """A windowed launch on Windows has sys.stdout None: --version must not crash."""
    from gui.app import main

    monkeypatch.setattr(sys, "stdout", None)
    assert main(["attnscope", "--version"]) == 0
