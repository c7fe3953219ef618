"""Drive the whole window as a user would: load a corpus, train, pause, resume, stop; translate
with a real tiny model and check the heatmap against the model's attention; errors and closing.
"""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest
from PySide6.QtCore import QElapsedTimer, QObject, QPoint, Qt, QTimer, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

from core.inspection.attention_export import read_attention_csv

NAMED = [
    "sourceFileEdit",
    "targetFileEdit",
    "startTrainingButton",
    "pauseTrainingButton",
    "stopTrainingButton",
    "trainingProgressBar",
    "lossPlot",
    "sourceTextEdit",
    "translateButton",
    "translationOutput",
    "beamSizeSpin",
    "nbestList",
    "attentionHeatmap",
    "exportAttentionButton",
    "modelLibraryList",
]


class GapMeter(QObject):
    """A 10 ms GUI timer that records the longest gap between its ticks (event-loop stalls), and
    the most CPU time the GUI thread itself spent inside one gap (our own work blocking the loop,
    which a loaded machine cannot inflate the way it inflates wall-clock gaps)."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = QElapsedTimer()
        self.timer = QTimer(self)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.longest_ms = 0
        self.longest_cpu_ms = 0.0
        self._cpu = 0.0
        self.ticks = 0
        self.long_gaps: list[tuple[float, int]] = []  # (seconds since start, gap ms) > 50 ms
        self.since = QElapsedTimer()

    def start(self) -> None:
        self.since.start()
        self.clock.start()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    @Slot()
    def _tick(self) -> None:
        gap = self.clock.restart()
        cpu, self._cpu = self._cpu, time.thread_time()
        self.ticks += 1
        if self.ticks > 1:
            self.longest_ms = max(self.longest_ms, gap)
            self.longest_cpu_ms = max(self.longest_cpu_ms, (self._cpu - cpu) * 1000)
            if gap > 50:
                self.long_gaps.append((self.since.elapsed() / 1000, gap))


def test_controls_have_object_and_accessible_names(window):
    from PySide6.QtWidgets import QWidget

    for name in NAMED:
        w = window.findChild(QWidget, name)
        assert w is not None, name
        assert w.accessibleName() == name


def _words(tokens: list[str]) -> list[str]:
    """The words that tokens spell: subword pieces ("▁" starts a word) are joined back."""
    if any(t.startswith("\u2581") for t in tokens):
        return "".join(tokens).replace("\u2581", " ").split()
    return list(tokens)


def _settled(qtbot, read, quiet_ms: int = 800, timeout_s: float = 20.0) -> int:
    """``read()`` once it has stopped changing for ``quiet_ms`` (an in-flight batch may finish
    after a pause; on a loaded machine that takes longer than any fixed wait)."""
    deadline = time.monotonic() + timeout_s
    value = read()
    while time.monotonic() < deadline:
        qtbot.wait(quiet_ms)
        now = read()
        if now == value:
            return value
        value = now
    raise AssertionError(f"still changing after {timeout_s} s: {value}")


def test_preview_then_train_pause_resume_stop(window, qtbot, toy_corpus):
    panel = window.train_panel
    qtbot.keyClicks(window.findChild(object, "sourceFileEdit"), str(toy_corpus["src"]))
    qtbot.keyClicks(window.findChild(object, "targetFileEdit"), str(toy_corpus["tgt"]))
    panel.src_lang.setText("en")
    panel.tgt_lang.setText("xx")
    # word tokens: the toy corpus's words are the units the assertions below compare
    panel.tokenization_combo.setCurrentIndex(panel.tokenization_combo.findData("words"))
    with qtbot.waitSignal(window.session.previewReady, timeout=20000):
        qtbot.mouseClick(panel.preview_button, Qt.MouseButton.LeftButton)
    assert panel.preview_table.rowCount() == 50
    first_src = toy_corpus["src"].read_text(encoding="utf-8").splitlines()[0]
    shown = panel.preview_table.item(0, 1).text()  # the tokens, space-separated
    assert _words(shown.split()) == first_src.split()
    assert "kept all 200" in panel.report_view.toPlainText()

    panel.budget_spin.setValue(2.0)  # minutes: we stop it long before
    panel.epochs_spin.setValue(0)
    panel.valid_spin.setValue(8)
    panel.patience_spin.setValue(10000)  # a fast machine learns the toy task at once:
    panel.probe_edit.setPlainText(toy_corpus["probe"])  # keep training until the test stops it
    panel.name_edit.setText("window run")

    meter = GapMeter()
    meter.start()
    bar = window.findChild(object, "trainingProgressBar")
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert window.session.training and not panel.start_button.isEnabled()
    marks = {"clicked start": meter.since.elapsed() / 1000}
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=60000)
    marks["first progress"] = meter.since.elapsed() / 1000
    qtbot.waitUntil(lambda: len(panel.loss_plot.curve_data("smoothed")[0]) >= 2, timeout=90000)
    assert "tok/s" in bar.format() and "ETA" in bar.format()
    # a validation: sample translations and the probe's attention appear
    qtbot.waitUntil(lambda: panel.samples_table.rowCount() > 0, timeout=30000)
    qtbot.waitUntil(lambda: panel.probe_heatmap.weights.size > 0, timeout=5000)
    marks["first validation"] = meter.since.elapsed() / 1000
    # the report names the device, the number format and whether the compiled kernels run
    report = panel.report_view.toPlainText()
    assert "training on cpu in fp32" in report and "compiled kernels" in report
    assert _words(panel.probe_heatmap.source_tick_labels()[:-1]) == toy_corpus["probe"].split()
    qtbot.waitUntil(lambda: len(panel.loss_plot.curve_data("bleu")[0]) >= 1, timeout=2000)

    # pause: progress stops; resume: it moves again
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    marks["paused"] = meter.since.elapsed() / 1000
    assert panel.pause_button.text() == "Resume"
    steps_paused = _settled(qtbot, lambda: len(panel.loss_plot.curve_data("train")[0]))
    qtbot.wait(800)
    assert len(panel.loss_plot.curve_data("train")[0]) == steps_paused
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    assert panel.pause_button.text() == "Pause"
    qtbot.waitUntil(
        lambda: len(panel.loss_plot.curve_data("train")[0]) > steps_paused, timeout=10000
    )

    with qtbot.waitSignal(window.session.trainFinished, timeout=30000) as done:
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    meter.stop()
    marks["done"] = meter.since.elapsed() / 1000
    print("\ntimeline:", marks)
    event = done.args[0]
    assert event.status == "cancelled"
    from pathlib import Path

    model_dir = Path(event.model_dir)
    assert (model_dir / "weights.pt").is_file() and (model_dir / "checkpoints").is_dir()
    # the model is in the library at once and becomes the open model; the finish line leads on
    assert str(model_dir) in window.library_panel.model_paths()
    translate_button = panel.run_controls.translate_button
    assert translate_button.isVisible()
    qtbot.waitUntil(
        lambda: (
            window.session.model_info is not None
            and window.session.model_info.path == str(model_dir)
            and window.session.state == "idle"
        ),
        timeout=20000,
    )
    assert window.tabs.currentWidget() is panel  # the user stays on the final curves
    qtbot.mouseClick(translate_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget() is window.translate_panel

    load = os.getloadavg()[0]
    print(
        f"\nlongest GUI stall while training: {meter.longest_ms} ms over {meter.ticks} ticks "
        f"(GUI thread's own CPU in one gap at most {meter.longest_cpu_ms:.0f} ms, load {load}); "
        f"gaps over 50 ms (s, ms): {meter.long_gaps}"
    )
    # the GUI thread never does long work itself: training, loading or decoding on it would block
    # the loop for seconds. Repaints of the dashboard's plots take tens of ms, and a shared machine
    # stretches those, so the bound here catches blocking work, not a slow paint; bench/app.py
    # measures the stall distribution on a quiet machine.
    assert meter.longest_cpu_ms < 300, f"the GUI thread worked {meter.longest_cpu_ms:.0f} ms"
    if load <= (os.cpu_count() or 1) / 2:
        assert meter.longest_ms < 500, f"GUI stalled {meter.longest_ms} ms while training"


@pytest.fixture
def opened(window, qtbot, tiny_model_dir):
    with qtbot.waitSignal(window.session.modelLoaded, timeout=20000):
        window.open_model(str(tiny_model_dir))
    return window


def _translate_by_typing(window, qtbot, text: str, beam: int = 3):
    panel = window.translate_panel
    panel.beam_spin.setValue(beam)
    panel.nbest_spin.setValue(beam)
    edit = window.findChild(object, "sourceTextEdit")
    edit.clear()
    with qtbot.waitSignal(window.session.translated, timeout=20000) as blocker:
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    return blocker.args[0]


def test_translate_shows_true_attention_and_nbest(opened, qtbot, toy_corpus, tiny_model_dir):
    window = opened
    panel = window.translate_panel
    results = _translate_by_typing(window, qtbot, toy_corpus["probe"], beam=3)
    assert 1 <= len(results) <= 3
    assert panel.output.toPlainText() == results[0].text
    assert panel.nbest_list.count() == len(results)

    # the same numbers as the model computes directly
    from core.decoding.translator import Translator

    direct = Translator.load(tiny_model_dir, device="cpu").translate(toy_corpus["probe"], 3, 3)
    np.testing.assert_allclose(results[0].attention, direct[0].attention, atol=1e-6)

    heat = panel.heatmap
    np.testing.assert_array_equal(heat.image_item.image, results[0].attention)
    assert heat.source_tick_labels() == results[0].source_tokens
    assert heat.target_tick_labels() == results[0].target_tokens
    np.testing.assert_allclose(heat.weights.sum(axis=1), 1.0, atol=1e-5)

    if len(results) > 1:
        item = panel.nbest_list.item(1)
        rect = panel.nbest_list.visualItemRect(item)
        qtbot.mouseClick(panel.nbest_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        np.testing.assert_array_equal(heat.image_item.image, results[1].attention)
        assert heat.target_tick_labels() == results[1].target_tokens

    # hover a cell with the mouse
    qtbot.mouseClick(
        panel.nbest_list.viewport(),
        Qt.MouseButton.LeftButton,
        pos=panel.nbest_list.visualItemRect(panel.nbest_list.item(0)).center(),
    )
    pos = heat.cell_view_pos(0, 1)
    viewport = heat.graphics_view.viewport()
    jitter = iter(range(1000))

    def hovered() -> bool:
        # pyqtgraph rate-limits move events and a cursor already resting on the spot sends none,
        # so move within the cell, a pixel at a time, until the hover arrives
        if heat.hover_text:
            return True
        dx = next(jitter) % 3
        qtbot.mouseMove(viewport, QPoint(int(pos.x()) + dx, int(pos.y())))
        return False

    qtbot.waitUntil(hovered, timeout=3000)
    tr = results[0]
    assert heat.hover_text.startswith(
        f"{tr.target_tokens[0]} ← {tr.source_tokens[1]}: {tr.attention[0, 1]:.3f}"
    )


def test_exports_parse_back(opened, qtbot, toy_corpus, tmp_path, monkeypatch):
    window = opened
    panel = window.translate_panel
    results = _translate_by_typing(window, qtbot, toy_corpus["probe"], beam=1)
    tr = results[0]
    assert panel.export_button.isEnabled()
    # through the button's menu, with the file dialog answered
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "att.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    json_action = [a for a in panel.export_button.menu().actions() if a.data() == "json"][0]
    with qtbot.waitSignal(panel.exportFinished):
        json_action.trigger()
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["source_tokens"] == tr.source_tokens and data["target_tokens"] == tr.target_tokens
    np.testing.assert_array_equal(np.array(data["weights"], dtype=np.float32), tr.attention)
    np.testing.assert_array_equal(np.array(data["token_probs"], dtype=np.float32), tr.token_probs)

    assert panel.export_to(str(tmp_path / "att.csv"))
    src, tgt, w = read_attention_csv(tmp_path / "att.csv")
    assert (src, tgt) == (tr.source_tokens, tr.target_tokens)
    np.testing.assert_array_equal(w, tr.attention)
    for fmt in ("png", "svg"):
        assert panel.export_to(str(tmp_path / f"att.{fmt}"))
        assert (tmp_path / f"att.{fmt}").stat().st_size > 1000

    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == tr.text


def test_latest_request_wins(opened, qtbot):
    window = opened
    got = []
    window.session.translated.connect(got.append)
    texts = ["one two", "three four five", "six seven eight nine"]
    for t in texts:
        window.session.translate(t, 2, 2)
    qtbot.waitUntil(lambda: window.session.state == "idle" and bool(got), timeout=20000)
    qtbot.wait(200)
    assert len(got) == 1
    assert _words(got[0][0].source_tokens[:-1]) == texts[-1].split()


def test_worker_error_shows_dialog_and_app_keeps_working(opened, qtbot, monkeypatch, toy_corpus):
    window = opened
    from core.decoding.translator import Translator

    def boom(self, *a, **k):
        raise RuntimeError("decoder exploded")

    monkeypatch.setattr(Translator, "inspect", boom)
    edit = window.findChild(object, "sourceTextEdit")
    qtbot.keyClicks(edit, "one two")
    with qtbot.waitSignal(window.session.failed, timeout=10000):
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(window.errors.open_dialogs()), timeout=5000)
    box = window.errors.open_dialogs()[0]
    assert isinstance(box, QMessageBox) and box.objectName() == "errorDialog"
    assert "decoder exploded" in box.text()
    assert "Traceback" in box.detailedText()
    box.close()
    monkeypatch.undo()
    monkeypatch.setattr(window, "confirm_stop_training", lambda: True)
    results = _translate_by_typing(window, qtbot, toy_corpus["probe"], beam=1)
    assert results and results[0].attention.size > 0


def test_bad_corpus_is_a_dialog_not_a_crash(window, qtbot, tmp_path):
    missing = tmp_path / "nope.en"
    window.train_panel.set_files([str(missing), str(tmp_path / "nope.de")])
    with qtbot.waitSignal(window.session.failed, timeout=20000) as blocker:
        qtbot.mouseClick(window.train_panel.preview_button, Qt.MouseButton.LeftButton)
    assert "nope.en" in blocker.args[0].message
    qtbot.waitUntil(lambda: bool(window.errors.open_dialogs()), timeout=5000)
    assert not window.session.training and window.session.state == "idle"


def test_library_rename_delete_export_import(window, qtbot, library_model, tmp_path, monkeypatch):
    lib = window.library_panel
    lib.refresh()
    tree = window.findChild(object, "modelLibraryList")

    def item_of(path):
        return next(
            tree.topLevelItem(i)
            for i in range(tree.topLevelItemCount())
            if tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) == str(path)
        )

    assert lib.model_paths() == [str(library_model)]
    item = item_of(library_model)
    assert item.text(0) == "tiny demo" and item.text(1) == "en → xx" and item.text(5) != ""
    new_path = lib.rename(str(library_model), "renamed model")
    assert item_of(new_path).text(0) == "renamed model"
    archive = lib.export_to(new_path, str(tmp_path / "m.zip"))
    assert archive and (tmp_path / "m.zip").is_file()
    lib.select_path(new_path)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(lib.delete_button, Qt.MouseButton.LeftButton)
    assert lib.model_paths() == []
    imported = lib.import_from(str(tmp_path / "m.zip"))
    assert imported and lib.model_paths() == [imported]
    with qtbot.waitSignal(window.session.modelLoaded, timeout=20000):
        lib.select_path(imported)
        qtbot.mouseClick(lib.open_button, Qt.MouseButton.LeftButton)


def test_close_during_training_saves_and_stops(window, qtbot, toy_corpus):
    panel = window.train_panel
    panel.set_files([str(toy_corpus["tsv"])])
    panel.src_lang.setText("en")
    panel.tgt_lang.setText("xx")
    panel.budget_spin.setValue(2.0)
    panel.epochs_spin.setValue(0)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.progress_bar.value() > 0, timeout=30000)
    with qtbot.waitSignal(window.session.trainFinished, timeout=30000) as done:
        window.close()
        assert window.isVisible()  # still open until the checkpoint is saved
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)
    assert not window.session.is_running()
    from pathlib import Path

    assert (Path(done.args[0].model_dir) / "checkpoints").is_dir()


def test_settings_remembered(window, qtbot, tiny_model_dir):
    with qtbot.waitSignal(window.session.modelLoaded, timeout=20000):
        window.open_model(str(tiny_model_dir))
    window.resize(1111, 777)
    window.close()
    from core.paths import AppPaths
    from gui.settings import AppSettings, settings_path

    assert settings_path().parent == AppPaths.default().config and settings_path().is_file()
    s = AppSettings()
    assert s.last_model == str(tiny_model_dir)
    assert s.geometry() is not None
