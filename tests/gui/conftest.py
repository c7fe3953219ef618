"""GUI fixtures: a toy corpus, one tiny real model trained once per session, and the main window.

The model is trained with core.training.run (preset "tiny", a few seconds) so the heatmap tests
check the real decoder's attention, not a fake.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import gui  # noqa: F401  (applies the PySide6 refcount workaround before any Qt object exists)


def _write_corpus(folder: Path, n: int = 200) -> dict[str, Path]:
    from core.data.demo_corpus import write_demo_corpus

    folder.mkdir(parents=True, exist_ok=True)
    tsv, probe = write_demo_corpus(folder / "demo.tsv", n=n)
    src_lines, tgt_lines = [], []
    for line in tsv.read_text(encoding="utf-8").splitlines():
        s, t = line.split("\t")
        src_lines.append(s)
        tgt_lines.append(t)
    (folder / "demo.en").write_text("\n".join(src_lines) + "\n", encoding="utf-8")
    (folder / "demo.xx").write_text("\n".join(tgt_lines) + "\n", encoding="utf-8")
    return {"tsv": tsv, "src": folder / "demo.en", "tgt": folder / "demo.xx", "probe": probe}


@pytest.fixture(scope="session")
def toy_corpus(tmp_path_factory) -> dict:
    return _write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, toy_corpus) -> Path:
    """A real tiny model folder (trained once, ~5 s). Copy it before changing it. A fixed number
    of updates, not a time budget: a loaded machine must get the same model as a quiet one."""
    from core.config import TokenizerConfig, preset
    from core.data.corpus import CorpusSpec
    from core.training.run import train

    p = preset("tiny")
    cfg = p.train.replace(
        epochs=0, max_steps=200, valid_every=25, dev_fraction=0.1, probe=toy_corpus["probe"]
    )
    out = tmp_path_factory.mktemp("models") / "tiny-demo"
    train(
        CorpusSpec(tsv_path=str(toy_corpus["tsv"])),
        out,
        p.model,
        TokenizerConfig("en", "xx", tokenization="words"),
        cfg,
        name="tiny demo",
    )
    return out


@pytest.fixture
def library_model(tiny_model_dir) -> Path:
    """A copy of the tiny model inside this test's private library."""
    from core.paths import AppPaths

    root = AppPaths.default().models
    root.mkdir(parents=True, exist_ok=True)
    dest = root / "tiny-demo"
    shutil.copytree(tiny_model_dir, dest, ignore=shutil.ignore_patterns("checkpoints"))
    return dest


def _close_window(qtbot, win) -> None:
    if win.session.training:
        win.session.stop()
        qtbot.waitUntil(lambda: not win.session.training, timeout=30000)
    win.session.cancel_file()
    win.errors.close_all()
    win.close()
    win.session.shutdown()
    assert not win.session.is_running()
    win.deleteLater()


@pytest.fixture
def make_window(qtbot, monkeypatch):
    """Build real main windows (``first_run=True`` is what the app does at start); each one is
    closed at teardown, with any training stopped and the worker thread joined."""
    from gui.app import create_window

    made = []

    def make(model_path=None, first_run: bool = False):
        win = create_window(model_path, first_run=first_run)
        monkeypatch.setattr(win, "confirm_stop_training", lambda: True)
        monkeypatch.setattr(win, "confirm_stop_file_translation", lambda: True)
        # not qtbot.addWidget: pytest-qt would delete the window before this fixture's teardown
        # (on a failure, while the trainer still runs); _close_window stops and joins first
        win.show()
        qtbot.waitExposed(win)
        made.append(win)
        return win

    yield make
    for win in made:
        _close_window(qtbot, win)


@pytest.fixture
def window(make_window):
    """The real main window without the first-run behaviour (no demo model, no welcome)."""
    return make_window()


@pytest.fixture(autouse=True)
def _no_dialog_left_open():
    """A dialog a test leaves open stays modal over every later test's window and swallows its
    mouse events; close any that remain."""
    yield
    from PySide6.QtWidgets import QApplication, QDialog

    app = QApplication.instance()
    if app is None:
        return
    for widget in app.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.close()


@pytest.fixture
def session(qtbot):
    """A real Session (its worker thread) without a window; stopped and joined at teardown."""
    from gui.session import Session

    s = Session()
    yield s
    s.shutdown()
    assert not s.is_running()


@pytest.fixture
def shown_panel(qtbot, session):
    """Build a panel class ``(session, errors, settings)`` around the ``session``, shown at a
    size."""

    def make(panel_cls, size: tuple[int, int] = (1100, 700)):
        from gui.error_dialog import ErrorReporter
        from gui.settings import AppSettings

        p = panel_cls(session, ErrorReporter(), AppSettings())
        qtbot.addWidget(p)
        p.resize(*size)
        p.show()
        qtbot.waitExposed(p)
        return p

    return make
