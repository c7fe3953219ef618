"""The engine imports without the GUI: every module under ``core`` (all subpackages, found by
walking the package, so a new module is checked the day it is added) loads without PySide6,
pyqtgraph or ``gui``; and ``attnscope-cli``'s entry point is where pyproject.toml says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUI_PACKAGES = ("PySide6", "shiboken6", "pyqtgraph", "gui")

SCRIPT = r"""
import importlib, json, pkgutil, sys
import core
names = ["core"] + sorted(m.name for m in pkgutil.walk_packages(core.__path__, "core.")
                          if not m.name.endswith(".__main__"))
for name in names:
    importlib.import_module(name)
print(json.dumps({"imported": names, "modules": sorted(sys.modules)}))
"""


def test_every_core_module_imports_without_gui_modules():
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    expected = {
        "core.training.run",
        "core.training.child_process",
        "core.decoding.translator",
        "core.storage.checkpoints",
        "core.data.corpus",
        "core.cli",
        "core.cli.commands",
    }
    assert expected <= set(result["imported"]), sorted(expected - set(result["imported"]))
    leaked = [
        m for m in result["modules"] if any(m == p or m.startswith(p + ".") for p in GUI_PACKAGES)
    ]
    assert not leaked, f"importing the engine pulled in GUI modules: {leaked}"


def test_the_cli_entry_point_is_core_cli_main():
    """pyproject.toml names ``core.cli:main``; ``python -m core`` runs the same function."""
    from core.cli import main
    from core.cli.parser import main as parser_main

    assert main is parser_main
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'attnscope-cli = "core.cli:main"' in text
