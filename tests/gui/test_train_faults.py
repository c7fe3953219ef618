"""Files dropped on the Train tab, and a failure inside the training loop: the app shows it,
returns to idle, and what was saved before the failure still loads."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication


def _drop(widget, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(
        QPoint(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, drop)


def test_dropping_two_files_or_one_tsv_fills_the_corpus_fields(window, toy_corpus):
    panel = window.train_panel
    _drop(panel, [toy_corpus["src"], toy_corpus["tgt"]])
    assert {
        window.findChild(object, "sourceFileEdit").text(),
        window.findChild(object, "targetFileEdit").text(),
    } == {str(toy_corpus["src"]), str(toy_corpus["tgt"])}
    _drop(panel, [toy_corpus["tsv"]])
    assert panel.tsv_field.text() == str(toy_corpus["tsv"])


def test_a_failure_inside_the_training_loop_is_shown_and_the_saved_state_survives(
    window, qtbot, toy_corpus
):
    panel = window.train_panel
    panel.set_files([str(toy_corpus["tsv"])])
    panel.src_lang.setText("en")
    panel.tgt_lang.setText("xx")
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("tiny"))
    panel.epochs_spin.setValue(0)
    panel.budget_spin.setValue(1.0)
    panel.valid_spin.setValue(5)
    panel.patience_spin.setValue(10000)  # no early stop before the sabotaged save
    panel.name_edit.setText("doomed run")
    checkpoints: list = []
    window.session.trainEvent.connect(
        lambda ev: checkpoints.append(ev) if ev.type == "checkpoint" else None
    )
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(checkpoints), timeout=60000)
    folder = Path(checkpoints[0].path).parent.parent
    first = Path(checkpoints[0].path)
    # sabotage the next save from outside: the manifest becomes a folder, so replacing it fails
    manifest = first.parent / "manifest.json"
    manifest.unlink()
    manifest.mkdir()
    qtbot.waitUntil(lambda: bool(window.errors.open_dialogs()), timeout=60000)
    qtbot.waitUntil(lambda: not window.session.training, timeout=30000)
    texts = " ".join(b.text() + " " + b.informativeText() for b in window.errors.open_dialogs())
    assert "manifest.json" in texts and "Traceback" not in texts
    assert window.session.state == "idle" and panel.start_button.isEnabled()
    # what was written before the failure still loads and translates
    from core.decoding.translator import Translator
    from core.storage.torch_io import safe_torch_load

    assert isinstance(safe_torch_load(first), dict)
    t = Translator.load(folder, "cpu").translate(toy_corpus["probe"])[0]
    assert t.target_tokens and abs(t.attention.sum(1) - 1).max() < 1e-5
    shutil.rmtree(manifest)
