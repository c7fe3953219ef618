"""Dev set browser, driven like a user: open a model (its dev.tsv appears), translate the dev set,
sort by chrF, filter, double-click or press Enter to open a sentence in the inspector."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sacrebleu
from PySide6.QtCore import Qt

from core.decoding.translator import Translator
from core.evaluation.dev_set import DEV_TSV, read_dev_set
from gui.panels.dev_table import COL_CHRF, COL_INDEX, COL_SOURCE, COL_TRANSLATION
from tests.gui.stubs import wait_for_job

EVAL, READ = "dev", "dev-read"


@pytest.fixture
def panel(shown_panel):
    from gui.panels.dev_panel import DevSetPanel

    return shown_panel(DevSetPanel, (1100, 700))


def _open(qtbot, session, folder: Path) -> None:
    wait_for_job(qtbot, session, READ, lambda: session.load_model(str(folder)))


def _translate(qtbot, session, panel) -> None:
    wait_for_job(
        qtbot,
        session,
        EVAL,
        lambda: qtbot.mouseClick(panel.translate_button, Qt.MouseButton.LeftButton),
    )


def _column(panel, col: int) -> list[str]:
    proxy = panel.proxy
    return [proxy.index(r, col).data() for r in range(proxy.rowCount())]


def _click_header(qtbot, panel, col: int) -> None:
    header = panel.table.horizontalHeader()
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    from PySide6.QtCore import QPoint

    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
    )


def _graded_dev_file(model_dir: Path, folder: Path) -> tuple[Path, list[tuple[str, str]]]:
    """The model's dev pairs with references spoilt by degrees (the tiny model translates its
    toy task perfectly), so sentence chrF runs from 100 down to single digits."""
    pairs = []
    for i, (src, ref) in enumerate(read_dev_set(model_dir / DEV_TSV)):
        words = ref.split()
        keep = len(words) - i % (len(words) + 1)
        pairs.append((src, " ".join(words[:keep] + ["zq"] * (len(words) - keep)) or "zq"))
    path = folder / "graded.tsv"
    path.write_text("".join(f"{s}\t{r}\n" for s, r in pairs), encoding="utf-8")
    return path, pairs


def test_translate_sort_and_open_in_the_inspector(qtbot, session, panel, tiny_model_dir, tmp_path):
    _open(qtbot, session, tiny_model_dir)
    assert panel.proxy.rowCount() == len(read_dev_set(tiny_model_dir / DEV_TSV)) > 5
    path, dev = _graded_dev_file(tiny_model_dir, tmp_path)
    wait_for_job(qtbot, session, READ, lambda: panel.load_file(str(path)))
    assert _column(panel, COL_SOURCE) == [s for s, _ in dev]
    assert f"{len(dev):,} sentence pairs" in panel.status_label.text()
    assert panel.translate_button.isEnabled()

    _translate(qtbot, session, panel)
    # every row is the model's own translation, scored with sacrebleu's sentence chrF
    direct = Translator.load(tiny_model_dir, "cpu")
    rows = sorted(panel.model.rows, key=lambda r: r.index)
    assert [(r.source, r.reference) for r in rows] == dev
    for r in rows:
        assert r.translation == direct.translate(r.source)[0].text
        assert r.chrf == pytest.approx(sacrebleu.sentence_chrf(r.translation, [r.reference]).score)
    hyps, refs = [r.translation for r in rows], [r.reference for r in rows]
    corpus = sacrebleu.corpus_chrf(hyps, [refs]).score
    assert f"Corpus chrF {corpus:.1f}" in panel.summary_label.text()
    assert not panel.cancel_button.isEnabled() and panel.translate_button.isEnabled()

    # the weakest first after a translation; a click on "#" restores the order, on chrF sorts
    chrfs = [float(v) for v in _column(panel, COL_CHRF)]
    assert chrfs == sorted(chrfs)
    assert chrfs[0] < 10 and chrfs[-1] == 100.0  # numeric order: "9.5" < "10.0" < "100.0"
    _click_header(qtbot, panel, COL_INDEX)
    assert [int(v) for v in _column(panel, COL_INDEX)] == list(range(1, len(dev) + 1))
    _click_header(qtbot, panel, COL_CHRF)
    _click_header(qtbot, panel, COL_CHRF)  # twice: now descending, numerically
    chrfs = [float(v) for v in _column(panel, COL_CHRF)]
    assert chrfs == sorted(chrfs, reverse=True) and chrfs[0] > chrfs[-1]
    assert panel.table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder

    # double-click the second row shown: the inspector gets its source and reference
    index = panel.proxy.index(1, COL_TRANSLATION)
    want = next(r for r in rows if r.source == panel.proxy.index(1, COL_SOURCE).data())
    rect = panel.table.visualRect(index)
    with qtbot.waitSignal(panel.openInInspector, timeout=2000) as blocker:
        # QTest's double-click lacks the first press a real one has: click, then double-click
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [want.source, want.reference]

    # Enter opens the current row as well
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.proxy.index(0, COL_SOURCE))
    first = panel.proxy.index(0, COL_SOURCE).data()
    with qtbot.waitSignal(panel.openInInspector, timeout=2000) as blocker:
        qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert blocker.args[0] == first


def test_filter_keeps_matching_rows(qtbot, session, panel, tiny_model_dir):
    dev = read_dev_set(tiny_model_dir / DEV_TSV)
    _open(qtbot, session, tiny_model_dir)
    word = dev[0][0].split()[0]
    qtbot.keyClicks(panel.filter_edit, word.upper())  # case-insensitive
    shown = _column(panel, COL_SOURCE)
    expected = [s for s, r in dev if word.casefold() in (s + "\t" + r).casefold()]
    assert shown == expected and 0 < len(shown) <= len(dev)
    panel.filter_edit.clear()
    assert panel.proxy.rowCount() == len(dev)


def test_another_dev_file_and_cancel(qtbot, session, panel, tiny_model_dir, toy_corpus, tmp_path):
    _open(qtbot, session, tiny_model_dir)
    big = tmp_path / "big.tsv"
    lines = toy_corpus["tsv"].read_text(encoding="utf-8").splitlines()
    big.write_text("\n".join(lines * 40) + "\n", encoding="utf-8")  # 8000 pairs
    wait_for_job(qtbot, session, READ, lambda: panel.load_file(str(big)))
    assert panel.proxy.rowCount() == 8000 and "big.tsv" in panel.status_label.text()

    def translate_then_cancel():
        qtbot.mouseClick(panel.translate_button, Qt.MouseButton.LeftButton)
        assert panel.cancel_button.isEnabled()
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)

    wait_for_job(qtbot, session, EVAL, translate_then_cancel, status="cancelled")
    assert panel.progress_bar.format() == "cancelled"
    assert panel.translate_button.isEnabled() and not panel.cancel_button.isEnabled()
    assert all(r.translation is None for r in panel.model.rows)  # nothing half-filled


def test_a_model_without_dev_tsv_says_how_to_pick_a_file(
    qtbot, session, panel, tiny_model_dir, tmp_path
):
    old = tmp_path / "old-model"
    shutil.copytree(tiny_model_dir, old, ignore=shutil.ignore_patterns("checkpoints", DEV_TSV))
    with qtbot.waitSignal(session.modelLoaded, timeout=60000):
        session.load_model(str(old))
    text = panel.status_label.text()
    assert "no saved dev set" in text and "Open another dev file" in text
    assert panel.proxy.rowCount() == 0 and not panel.translate_button.isEnabled()


def test_a_bad_dev_file_names_file_and_line(qtbot, session, panel, tiny_model_dir, tmp_path):
    _open(qtbot, session, tiny_model_dir)
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\nno tab on this line\n", encoding="utf-8")
    with qtbot.waitSignal(
        session.failed, timeout=30000, check_params_cb=lambda f: f.operation == READ
    ) as failed:
        panel.load_file(str(bad))
    assert failed.args[0].title == "Cannot read the dev file"
    assert f"{bad}:2: no TAB" in panel.status_label.text()
