"""packaging/make_icons.py renders the committed icons from the SVG (so they are up to date)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "resources" / "icons"


@pytest.fixture(scope="module")
def make_icons():
    spec = importlib.util.spec_from_file_location(
        "make_icons", ROOT / "packaging" / "make_icons.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rendered_icons_match_the_committed_ones(make_icons, tmp_path):
    pytest.importorskip("PySide6.QtSvg")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    assert make_icons.main(["--out", str(tmp_path)]) == 0
    from PySide6.QtGui import QImage

    for size in make_icons.PNG_SIZES:
        fresh = QImage(str(tmp_path / f"attnscope-{size}.png"))
        committed = QImage(str(ICONS / f"attnscope-{size}.png"))
        assert (
            (fresh.width(), fresh.height())
            == (size, size)
            == (committed.width(), committed.height())
        )
        # allow for anti-aliasing differences between Qt versions, not for an edited SVG
        step = max(1, size // 32)
        worst = max(
            abs(a - b)
            for y in range(0, size, step)
            for x in range(0, size, step)
            for a, b in zip(fresh.pixelColor(x, y).getRgb(), committed.pixelColor(x, y).getRgb())
        )
        assert worst <= 24, f"{size} px icon differs from the SVG: re-run packaging/make_icons.py"
    assert (tmp_path / "attnscope.ico").read_bytes()[:4] == b"\0\0\1\0"


def test_ico_writer_rejects_oversized_entries(make_icons):
    with pytest.raises(ValueError):
        make_icons.ico_bytes({512: b""})
