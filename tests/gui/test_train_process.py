"""The training child process gets the job as one JSON line: several probe sentences typed into
the Train tab (one per line) must reach it intact, and too many are refused before it starts."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from core.config import TrainConfig
from core.training.job import job_to_json


@pytest.fixture
def train_panel(qtbot):
    from gui.error_dialog import ErrorReporter
    from gui.panels.train_panel import TrainPanel
    from gui.session import Session
    from gui.settings import AppSettings

    session = Session()
    errors = ErrorReporter()
    panel = TrainPanel(session, errors, AppSettings())
    panel.errors = errors
    qtbot.addWidget(panel)
    yield panel
    errors.close_all()  # a dialog left open would stay modal over later tests' windows
    session.shutdown()


def test_probe_sentences_typed_one_per_line_reach_the_child_process(qtbot, train_panel, toy_corpus):
    panel = train_panel
    edit = panel.findChild(object, "probeSentenceEdit")
    assert edit is panel.probe_edit and edit.accessibleName() == "probeSentenceEdit"
    qtbot.keyClicks(edit, "The cat sleeps.")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # a blank line is ignored
    qtbot.keyClicks(edit, "  Ich weiß es nicht, oder?  ")
    panel.set_files([str(toy_corpus["tsv"])])
    job = panel.build_job()
    assert job.train_cfg.probe_sentences() == ["The cat sleeps.", "Ich weiß es nicht, oder?"]
    line = job_to_json(job)
    assert "\n" not in line  # one stdin line, as the protocol says
    cfg = TrainConfig.from_dict(json.loads(line)["train"])  # what the child rebuilds
    assert cfg == job.train_cfg
    assert cfg.probe_sentences() == ["The cat sleeps.", "Ich weiß es nicht, oder?"]


def test_an_empty_probe_box_means_the_dev_sentences(train_panel, toy_corpus):
    train_panel.set_files([str(toy_corpus["tsv"])])
    assert train_panel.build_job().train_cfg.probe is None


def test_too_many_probe_sentences_are_refused_with_a_message(qtbot, train_panel, toy_corpus):
    panel = train_panel
    panel.set_files([str(toy_corpus["tsv"])])
    panel.probe_edit.setPlainText("\n".join(f"sentence {i}" for i in range(9)))
    with qtbot.waitSignal(panel.errors.reported, timeout=2000) as blocker:
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    title, message, _ = blocker.args
    assert title == "Cannot start training" and "9 probe sentences given; at most 8" in message
    assert not panel._session.training
