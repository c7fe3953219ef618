"""GUI fixtures: a toy corpus, one tiny real model trained once per session, and the main window.

The model is trained with core.train (preset "tiny", a few seconds) so the heatmap tests check
the real decoder's attention, not a fake.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import gui  # noqa: F401  (applies the PySide6 refcount workaround before any Qt object exists)


def _write_corpus(folder: Path, n: int = 200) -> dict[str, Path]:
    from core.demo_task import write_demo_corpus
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
    """A real tiny model folder (trained once, ~5 s). Copy it before changing it."""
    from core.config import TokenizerConfig, preset
    from core.corpus import CorpusSpec
    from core.train import train
    p = preset("tiny")
    cfg = p.train.replace(epochs=0, time_budget_s=3.0, valid_every=25, dev_fraction=0.1,
                          probe=toy_corpus["probe"])
    out = tmp_path_factory.mktemp("models") / "tiny-demo"
    train(CorpusSpec(tsv_path=str(toy_corpus["tsv"])), out, p.model,
          TokenizerConfig("en", "xx"), cfg, name="tiny demo")
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


@pytest.fixture
def window(qtbot, monkeypatch):
    """The real main window; at teardown, any training is stopped and the thread joined."""
    from gui.app import create_window
    win = create_window()
    monkeypatch.setattr(win, "confirm_stop_training", lambda: True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    if win.session.training:
        with qtbot.waitSignal(win.session.trainFinished, timeout=30000, raising=False):
            win.session.stop()
    win.errors.close_all()
    win.close()
    win.session.shutdown()
    assert not win.session.is_running()
