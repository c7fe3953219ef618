"""The About dialog's licence list names every library the app depends on at run time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gui.app_info import LICENCES

tomllib = pytest.importorskip("tomllib")

ROOT = Path(__file__).resolve().parents[2]
# the distribution's name on PyPI → the name the licence list uses
SHOWN_AS = {"torch": "PyTorch", "numpy": "NumPy", "PySide6-Essentials": "PySide6 / Qt"}


def runtime_dependencies() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [re.split(r"[<>=!~; \[]", spec, maxsplit=1)[0] for spec in project["dependencies"]]


def test_every_runtime_dependency_has_a_licence_line() -> None:
    shown = {name for name, _ in LICENCES}
    deps = runtime_dependencies()
    assert "sentencepiece" in deps and "defusedxml" in deps  # the parse reads the real list
    missing = [d for d in deps if SHOWN_AS.get(d, d) not in shown]
    assert missing == []


def test_licence_lines_are_filled_in() -> None:
    for name, licence in LICENCES:
        assert name.strip() and licence.strip()
