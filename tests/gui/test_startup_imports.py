"""The window must appear before torch has loaded (about a second): building the main window may
not import torch. The worker thread imports it after the window shows."""

from __future__ import annotations

import subprocess
import sys


def test_building_the_window_does_not_import_torch():
    code = (
        "import os, sys; os.environ.setdefault('QT_QPA_PLATFORM', 'offscreen')\n"
        "from gui.app import ensure_app\n"
        "import gui.main_window, gui.session\n"
        "gui.session.Session.request_devices = lambda self: None  # the worker's own import\n"
        "ensure_app()\n"
        "w = gui.main_window.MainWindow()\n"
        "heavy = [m for m in ('torch', 'sacrebleu', 'core.inspection.attribution',\n"
        "                      'captum', 'matplotlib') if m in sys.modules]\n"
        "w.session.shutdown()\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr
