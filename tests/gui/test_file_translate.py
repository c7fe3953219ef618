"""File → Translate a file…: the output matches translating each line on its own; cancelling,
and closing the window mid-way (asked, stopped cleanly), leave no output file behind.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog


@pytest.fixture
def opened(window, qtbot, tiny_model_dir):
    with qtbot.waitSignal(window.session.modelLoaded, timeout=30000):
        window.open_model(str(tiny_model_dir))
    return window


def _big_input(path: Path, toy_corpus, copies: int) -> Path:
    lines = [ln.split("\t")[0] for ln in toy_corpus["tsv"].read_text(encoding="utf-8").splitlines()]
    path.write_text("\n".join(lines * copies) + "\n", encoding="utf-8")
    return path


def test_translate_a_file_through_the_menu(
    opened, qtbot, toy_corpus, tiny_model_dir, tmp_path, monkeypatch
):
    window = opened
    lines = [
        ln.split("\t")[0] for ln in toy_corpus["tsv"].read_text(encoding="utf-8").splitlines()
    ][:150]
    lines[3] = ""  # an empty line stays an empty line
    lines[7] = "  seven   three  "  # spacing does not matter
    src = tmp_path / "input.txt"
    src.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))  # BOM, CRLF
    out = tmp_path / "sub" / "output.txt"
    out.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(src), ""))
    suggested = []

    def save_as(parent, caption, start, *rest, **kw):
        suggested.append(start)
        return str(out), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    window.translate_panel.beam_spin.setValue(1)
    progress = []
    assert window.translate_file_action.isEnabled()
    with qtbot.waitSignal(window.file_translation.finished, timeout=60000) as finished:
        window.translate_file_action.trigger()
        window.file_translation.job.on_progress(lambda d, t: progress.append((d, t)))
        assert window.file_translation.widget.isVisible()
        assert window.session.state == "translating a file"
    result = finished.args[0]
    assert result.status == "done" and result.lines == result.total == len(lines)
    assert suggested == [str(tmp_path / "input.xx.txt")]  # input name + target language
    assert progress[-1] == (len(lines), len(lines))
    assert not window.file_translation.widget.isVisible()
    qtbot.waitUntil(lambda: window.session.state == "idle", timeout=5000)
    assert str(out) in window.statusBar().currentMessage()

    got = out.read_text(encoding="utf-8").split("\n")
    assert got[-1] == "" and len(got) - 1 == len(lines)
    from core.decoding.translator import Translator

    direct = Translator.load(tiny_model_dir, device="cpu")
    assert got[:-1] == [direct.translate(line)[0].text for line in lines]
    assert got[3] == ""
    assert sorted(p.name for p in out.parent.iterdir()) == ["output.txt"]  # no temporaries


def test_cancel_mid_way_writes_nothing(opened, qtbot, toy_corpus, tmp_path):
    window = opened
    src = _big_input(tmp_path / "big.txt", toy_corpus, copies=150)  # 30,000 lines
    out = tmp_path / "out" / "big.de.txt"
    out.parent.mkdir()
    out.write_text("an older translation\n", encoding="utf-8")
    window.translate_panel.beam_spin.setValue(1)
    progress = []
    assert window.file_translation.start(str(src), str(out))
    window.file_translation.job.on_progress(lambda d, t: progress.append((d, t)))
    qtbot.waitUntil(lambda: any(0 < d < t for d, t in progress), timeout=30000)
    bar = window.findChild(object, "fileTranslationProgress")
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=5000)
    assert bar.maximum() == 30000
    with qtbot.waitSignal(window.file_translation.finished, timeout=30000) as finished:
        qtbot.mouseClick(window.file_translation.cancel_button, Qt.MouseButton.LeftButton)
    result = finished.args[0]
    assert result.status == "cancelled" and 0 < result.lines < result.total == 30000
    assert out.read_text(encoding="utf-8") == "an older translation\n"  # untouched
    assert sorted(p.name for p in out.parent.iterdir()) == ["big.de.txt"]
    assert "cancelled" in window.statusBar().currentMessage()
    assert not window.errors.open_dialogs()
    # the app goes on working
    qtbot.waitUntil(lambda: window.session.state == "idle", timeout=5000)
    with qtbot.waitSignal(window.session.translated, timeout=20000):
        window.translate_panel.translate_text(toy_corpus["probe"])


def test_closing_during_a_file_translation_asks_then_stops_cleanly(
    opened, qtbot, toy_corpus, tmp_path, monkeypatch
):
    window = opened
    work = tmp_path / "work"
    work.mkdir()
    src = _big_input(work / "big.txt", toy_corpus, copies=150)
    out = work / "big.de.txt"
    asked = []
    answer = [False]

    def confirm():
        asked.append(True)
        return answer[0]

    monkeypatch.setattr(window, "confirm_stop_file_translation", confirm)
    progress = []
    assert window.file_translation.start(str(src), str(out), beam=1)
    window.file_translation.job.on_progress(lambda d, t: progress.append((d, t)))
    qtbot.waitUntil(lambda: any(0 < d < t for d, t in progress), timeout=30000)

    window.close()  # "No": nothing changes
    assert asked == [True] and window.isVisible() and window.session.translating_file
    n = len(progress)
    qtbot.waitUntil(lambda: len(progress) > n, timeout=10000)  # it is still translating

    answer[0] = True
    with qtbot.waitSignal(window.file_translation.finished, timeout=30000) as finished:
        window.close()  # "Yes": cancel, then close
        assert window.isVisible()  # not before the worker has stopped
    assert finished.args[0].status == "cancelled"
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)
    assert len(asked) == 2
    assert not window.session.is_running()
    assert not out.exists() and sorted(p.name for p in work.iterdir()) == ["big.txt"]


def test_file_translation_errors_are_dialogs(window, opened, qtbot, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine\n\xff\xfe broken\n")
    with qtbot.waitSignal(window.session.failed, timeout=20000) as failed:
        assert window.file_translation.start(str(bad), str(tmp_path / "o.txt"))
    assert "bad.txt" in failed.args[0].message and "2" in failed.args[0].message
    qtbot.waitUntil(lambda: bool(window.errors.open_dialogs()), timeout=5000)
    assert not window.file_translation.widget.isVisible() and not (tmp_path / "o.txt").exists()
    assert not window.file_translation.start(str(bad), str(bad))  # would overwrite its input
