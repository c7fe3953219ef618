"""File → Attach to a training…: the Train tab follows a run of ``attnscope-cli train`` in another
process from its model folder (same step, same curves), read-only, and its Stop writes the stop
request the run honours with a checkpoint. Also: what a stalled run and a wrong folder look like.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.events import ProgressEvent, ReportEvent, ValidationEvent, to_json_dict
from core.storage.model_folder import read_history
from core.training.event_log import EventLog
from core.training.stop_request import STOP_FILE
from tests.toy import write_reverse_corpus

ROOT = Path(__file__).resolve().parents[2]


def start_cli_run(tmp_path: Path) -> tuple[subprocess.Popen, Path, Path]:
    """A tiny model training in its own process until it is told to stop."""
    src, tgt = write_reverse_corpus(tmp_path, 800, seed=5)
    out = tmp_path / "remote-model"
    stdout = tmp_path / "progress.jsonl"
    cmd = [
        sys.executable, "-m", "core", "train",
        "--train-src", str(src), "--train-tgt", str(tgt),
        "--src-lang", "en", "--tgt-lang", "en", "--out", str(out),
        "--preset", "tiny", "--epochs", "0", "--max-steps", "1000000",
        "--valid-every", "40", "--patience", "1000", "--threads", "1", "--json-progress",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(stdout, "wb") as f:
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    return proc, out, stdout


def test_the_train_tab_follows_a_cli_run_and_stops_it(window, qtbot, tmp_path):
    proc, out, stdout = start_cli_run(tmp_path)
    try:
        panel = window.train_panel
        qtbot.waitUntil(lambda: (out / "events.jsonl").is_file(), timeout=60000)
        assert window.attach_training(str(out))
        assert window.tabs.currentWidget() is panel
        assert panel.attached.bar.isVisible()
        assert not panel.form_scroll.isVisible() and not panel.start_button.isEnabled()
        assert not panel.pause_button.isEnabled() and panel.stop_button.isEnabled()
        # live: validations keep coming in while attached
        qtbot.waitUntil(lambda: len(read_history(out)) >= 2, timeout=90000)
        qtbot.waitUntil(lambda: panel.samples_table.rowCount() > 0, timeout=30000)
        assert "Probe attention at step" in panel.probe_label.text()
        assert panel.attached.bar.state_label.text() == "live"

        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
        assert (out / STOP_FILE).exists() or proc.poll() is not None
        assert proc.wait(timeout=60) == 130  # cancelled: stopped and saved
        assert not (out / STOP_FILE).exists()
        qtbot.waitUntil(lambda: panel.attached.ended, timeout=10000)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()

    events = [json.loads(line) for line in stdout.read_text(encoding="utf-8").splitlines()]
    done = events[-1]
    assert done["type"] == "done" and done["status"] == "cancelled"
    assert (out / "checkpoints").is_dir() and any((out / "checkpoints").glob("*.pt"))
    assert json.loads((out / "model.json").read_text(encoding="utf-8"))["status"] == "cancelled"
    assert "stopped; checkpoint saved" in panel.status_label.text()
    assert f"after {done['step']} steps" in panel.status_label.text()
    assert panel.attached.bar.state_label.text() == "the run has ended"
    assert not panel.stop_button.isEnabled()
    # the same curves as the run printed
    panel.loss_plot.refresh()
    steps = [e["step"] for e in events if e["type"] == "progress"]
    x, y = panel.loss_plot.curve_data("train")
    assert x.tolist() == steps
    assert np.allclose(y, [e["loss"] for e in events if e["type"] == "progress"])
    vals = [e for e in events if e["type"] == "validation"]
    bx, by = panel.loss_plot.curve_data("bleu")
    assert bx.tolist() == [v["step"] for v in vals]
    assert np.allclose(by, [v["bleu"] for v in vals])
    # the Timeline tab replays the followed run's probes
    qtbot.waitUntil(
        lambda: [s.step for s in window.timeline_panel.timeline.snapshots] == bx.tolist(),
        timeout=10000,
    )
    # the ways on work from here: the folder seen from this machine
    assert panel.last_trained == str(out)
    settings = panel.attached.settings_view.toPlainText()  # the run's, in the form's place
    assert "status: cancelled" in settings and "valid_every: 40" in settings
    qtbot.mouseClick(panel.attached.bar.detach_button, Qt.MouseButton.LeftButton)
    assert panel.status_label.text() == f"Detached from {out}."  # it ended: nothing goes on
    assert not panel.attached.bar.isVisible() and panel.form_scroll.isVisible()
    assert not panel.attached.settings_view.isVisible()
    assert panel.start_button.isEnabled()


def _write_stalled_run(folder: Path, age_s: float) -> None:
    folder.mkdir()
    log = EventLog(folder)
    log.write(to_json_dict(ReportEvent({"summary": "Read 10 pairs; kept all 10."})))
    for step in range(1, 51):
        log.write(to_json_dict(ProgressEvent(step, 0, 3.0, 3.0, 1e-3, 500.0, step, 60.0, 0.4)))
    log.write(to_json_dict(ValidationEvent(50, 0, 2.5, 12.5, 30.0, True, [])))
    log.close()
    then = time.time() - age_s
    os.utime(folder / "events.jsonl", (then, then))


def test_a_run_without_news_is_said_to_have_stalled_and_since_when(window, qtbot, tmp_path):
    panel = window.train_panel
    panel.attached.stall_s = 2.0
    folder = tmp_path / "silent"
    _write_stalled_run(folder, age_s=600)
    assert window.attach_training(str(folder))
    state = panel.attached.bar.state_label
    qtbot.waitUntil(lambda: "no news since" in state.text(), timeout=10000)
    assert "10:0" in state.text() and "ago" in state.text()  # ten minutes ago
    assert "step 50" in panel.status_label.text() and "ETA" in panel.progress_bar.format()
    # news again: live
    with open(folder / "events.jsonl", "a", encoding="utf-8") as f:
        event = ProgressEvent(51, 0, 3.0, 3.0, 1e-3, 500.0, 51, 59.0, 0.41)
        f.write(json.dumps(to_json_dict(event)) + "\n")
    qtbot.waitUntil(lambda: "step 51" in panel.status_label.text(), timeout=10000)
    qtbot.waitUntil(lambda: state.text() == "live", timeout=10000)
    appended = os.stat(folder / "events.jsonl").st_mtime
    # and silent again for longer than the (short) stall time: said at the next tick after it
    qtbot.waitUntil(lambda: "no news since" in state.text(), timeout=15000)
    assert time.time() - appended >= panel.attached.stall_s
    panel.attached.detach()
    assert panel.status_label.text() == f"Detached from {folder}; the run goes on there."


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ({}, "is not a training: it holds no events.jsonl"),
        ({"model.json": "{}"}, "trained by an earlier version"),
    ],
)
def test_attaching_to_a_folder_that_is_not_a_training_says_so(window, tmp_path, files, says):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    shown = []
    window.errors.report_exception = lambda title, exc: shown.append((title, str(exc)))
    assert not window.attach_training(str(tmp_path))
    assert shown and shown[0][0] == "Cannot attach to the training" and says in shown[0][1]
    assert not window.train_panel.attached.bar.isVisible()
    assert window.train_panel.start_button.isEnabled()
