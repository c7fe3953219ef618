"""The engine never pulls in Qt: the CLI and headless servers must work without a display."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUI_PACKAGES = ("PySide6", "shiboken6", "pyqtgraph", "gui")

SCRIPT = r"""
import importlib, importlib.util, json, sys
names = ["core", "core.train", "core.translator", "core.search", "core.model_folder", "core.events",
         "core.checkpoint", "core.corpus"]
if importlib.util.find_spec("core.cli") is not None:
    names.append("core.cli")
for name in names:
    importlib.import_module(name)
print(json.dumps({"imported": names, "modules": sorted(sys.modules)}))
"""


def test_core_imports_no_gui_modules():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "core.train" in result["imported"]
    leaked = [m for m in result["modules"]
              if any(m == p or m.startswith(p + ".") for p in GUI_PACKAGES)]
    assert not leaked, f"importing the engine pulled in GUI modules: {leaked}"


def test_cli_is_checked_when_present():
    spec = importlib.util.find_spec("core.cli")
    if spec is None:
        import pytest
        pytest.skip("core.cli does not exist yet")
    assert spec.origin and spec.origin.endswith("cli.py")
