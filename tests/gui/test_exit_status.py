"""The real app in a subprocess, closed by its automation hook: exit status 0, no "QThread:
Destroyed" and no traceback on stderr — also when closed while it trains (the checkpoint is saved).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = "import sys; from gui.app import main; sys.exit(main())"  # what the attnscope script runs


def _run_app(home: Path, timeout: float, **env_vars: str) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        ATTNSCOPE_HOME=str(home),
        PYTHONPATH=str(ROOT),
        **env_vars,
    )
    return subprocess.run(
        [sys.executable, "-c", LAUNCH],
        cwd=home.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _assert_clean(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-3000:])
    assert "QThread: Destroyed" not in proc.stderr, proc.stderr[-3000:]
    assert "QProcess: Destroyed" not in proc.stderr, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]


def _log(home: Path) -> str:
    return (home / "logs" / "attnscope.log").read_text(encoding="utf-8")


def test_app_closes_with_status_zero(tmp_path):
    home = tmp_path / "home"
    proc = _run_app(home, 180, ATTNSCOPE_AUTOCLOSE_MS="1500")
    _assert_clean(proc)
    log = _log(home)
    assert "main window visible" in log and "event loop ended with status 0" in log
    assert "Traceback" not in log and " ERROR " not in log


def test_app_closed_while_training_saves_and_exits_zero(tmp_path):
    home = tmp_path / "home"
    proc = _run_app(home, 300, ATTNSCOPE_AUTOTRAIN="tiny", ATTNSCOPE_AUTOCLOSE_MS="500")
    _assert_clean(proc)
    folders = [p.parent for p in (home / "models").glob("*/model.json")]
    assert len(folders) == 1, folders
    model = folders[0]
    checkpoints = model / "checkpoints"
    assert checkpoints.is_dir() and any(checkpoints.glob("*.pt")), list(checkpoints.iterdir())
    meta = json.loads((model / "model.json").read_text(encoding="utf-8"))
    assert meta["status"] == "cancelled" and meta["metrics"]["steps"] >= 1
    assert (model / "weights.pt").is_file()
    log = _log(home)
    assert "automation: first progress" in log and "event loop ended with status 0" in log
