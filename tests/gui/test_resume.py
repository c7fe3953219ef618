"""Resume training: a stopped run continues from its saved step in the training process, with the
settings and corpus its model.json holds, and finishes; from the Train tab or the Models tab.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from PySide6.QtCore import Qt


def test_stop_then_resume_continues_from_the_saved_step(window, qtbot, toy_corpus):
    panel = window.train_panel
    panel.set_files([str(toy_corpus["tsv"])])
    panel.src_lang.setText("en")
    panel.tgt_lang.setText("xx")
    panel.tokenization_combo.setCurrentIndex(panel.tokenization_combo.findData("words"))
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("tiny"))
    panel.epochs_spin.setValue(0)
    panel.budget_spin.setValue(0.1)  # 6 s of training in all, over both runs
    panel.valid_spin.setValue(100000)  # validates only at the end: no early stop
    panel.name_edit.setText("resumable")
    assert not panel.resume_button.isVisible()

    steps = []
    window.session.trainEvent.connect(
        lambda ev: steps.append(ev.step) if ev.type == "progress" else None
    )
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(steps), timeout=60000)
    with qtbot.waitSignal(window.session.trainFinished, timeout=30000) as stopped:
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    first = stopped.args[0]
    assert first.status == "cancelled" and first.step >= 1
    folder = Path(first.model_dir)
    assert json.loads((folder / "model.json").read_text(encoding="utf-8"))["status"] == "cancelled"
    qtbot.waitUntil(lambda: not window.session.training, timeout=10000)

    # the Models tab offers it too
    lib = window.library_panel
    lib.select_path(str(folder))
    assert lib.resume_button.isEnabled()

    assert panel.resume_button.isVisible() and panel.resume_button.isEnabled()
    steps.clear()
    events = []
    window.session.trainEvent.connect(events.append)
    with qtbot.waitSignal(window.session.trainFinished, timeout=120000) as resumed:
        qtbot.mouseClick(panel.resume_button, Qt.MouseButton.LeftButton)
        assert window.session.training and not panel.resume_button.isVisible()
        assert not panel.start_button.isEnabled()
    done = resumed.args[0]
    assert steps and steps[0] > first.step, (steps[:3], first.step)
    assert steps == sorted(steps)
    assert done.model_dir == first.model_dir and done.status == "time_budget"
    assert done.step > first.step and done.elapsed_s >= 6.0
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    assert meta["status"] == "time_budget" and meta["metrics"]["steps"] == done.step
    assert meta["name"] == "resumable"
    assert any(ev.type == "validation" and ev.step > first.step for ev in events)
    # still one model in the library, now usable: it is the open model (reloaded after the
    # resumed run), and the finish line leads to it
    assert window.library_panel.model_paths() == [str(folder)]
    qtbot.waitUntil(
        lambda: (
            window.session.state == "idle"
            and window.session.model_info is not None
            and window.session.model_info.path == str(folder)
        ),
        timeout=20000,
    )
    qtbot.mouseClick(panel.run_controls.translate_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget() is window.translate_panel


def test_resume_from_the_models_tab_and_its_limits(
    window, qtbot, toy_corpus, tiny_model_dir, tmp_path
):
    """A finished model (no checkpoint needed) cannot be resumed; a run without checkpoints gives
    a message, not a crash; a time-budget run gets more time."""
    from core.training.resume import can_resume, resume_job

    lib = window.library_panel
    # the fixture's run may end on its budget or by early stopping, depending on the machine's
    # speed: work on a copy that ended on its budget
    stopped = tmp_path / "budget-run"
    shutil.copytree(tiny_model_dir, stopped)
    meta = json.loads((stopped / "model.json").read_text(encoding="utf-8"))
    meta["status"] = "time_budget"
    (stopped / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    assert can_resume(stopped, "time_budget")
    job = resume_job(stopped, extra_time_s=30.0)
    assert job.resume and job.out_dir == str(stopped) and job.name == meta["name"]
    assert job.train_cfg.time_budget_s == meta["metrics"]["train_time_s"] + 30.0
    assert job.spec.tsv_path == meta["corpus"]["spec"]["tsv_path"]
    assert job.model_cfg.to_dict() == meta["model"]
    from core.training.job import job_to_json

    assert json.loads(job_to_json(job))["resume"] is True

    assert not can_resume(tiny_model_dir, "finished")
    from core.resources import demo_model_dir

    assert not can_resume(demo_model_dir(), "cancelled")  # no checkpoints shipped
    requested = []
    lib.resumeRequested.connect(requested.append)
    lib.refresh()
    assert not lib.resume_button.isEnabled()  # nothing selected

    # asking to resume a folder without checkpoints: an error dialog, nothing starts
    assert not window.train_panel.resume_model(str(demo_model_dir()))
    qtbot.waitUntil(lambda: bool(window.errors.open_dialogs()), timeout=5000)
    assert "nothing to resume" in window.errors.open_dialogs()[0].text()
    assert not window.session.training
