"""core.resources finds the shipped data (icons, corpora, demo model) without Qt; the icon files are
sound."""

from __future__ import annotations

import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from core import resources as R

ROOT = Path(__file__).resolve().parents[2]


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_resource_root_is_the_resources_package():
    root = R.resource_path()
    assert root == ROOT / "resources"
    assert (root / "__init__.py").is_file()


def test_resource_path_refuses_escapes():
    assert R.resource_path("icons", "attnscope.svg") == R.resource_path("icons/attnscope.svg")
    for bad in ("..", "../pyproject.toml", "/etc/passwd", "", "icons\\x"):
        with pytest.raises(ValueError):
            R.resource_path(bad)


def test_icon_path_picks_the_smallest_png_that_is_large_enough():
    assert R.icon_path() == R.resource_path("icons", "attnscope.svg")
    assert R.icon_path(16).name == "attnscope-16.png"
    assert R.icon_path(20).name == "attnscope-32.png"
    assert R.icon_path(256).name == "attnscope-256.png"
    assert R.icon_path(4096).name == "attnscope-512.png"
    with pytest.raises(ValueError):
        R.icon_path(0)


@pytest.mark.parametrize("size", R.ICON_SIZES)
def test_png_icons_exist_with_their_size(size):
    path = R.icon_path(size)
    assert png_size(path.read_bytes()) == (size, size)


def test_svg_icon_is_square_xml():
    root = ET.parse(R.icon_path()).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 256 256"


def test_ico_holds_png_entries_up_to_256():
    data = R.resource_path("icons", "attnscope.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1) and count >= 5
    sizes = []
    for i in range(count):
        w, h, _, _, planes, bpp, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        size = w or 256
        assert w == h and bpp == 32 and planes == 1
        assert png_size(data[offset : offset + length]) == (size, size)
        sizes.append(size)
    assert {16, 32, 48, 256} <= set(sizes)


def test_icns_entries_are_pngs_of_the_right_size():
    data = R.resource_path("icons", "attnscope.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    expected = {"icp4": 16, "icp5": 32, "ic07": 128, "ic08": 256, "ic09": 512, "ic10": 1024}
    seen, pos = {}, 8
    while pos < len(data):
        ostype, length = (
            data[pos : pos + 4].decode(),
            struct.unpack(">I", data[pos + 4 : pos + 8])[0],
        )
        seen[ostype] = png_size(data[pos + 8 : pos + length])[0]
        pos += length
    assert pos == len(data)
    assert expected.items() <= seen.items()


def test_sample_corpus_validates_the_pair():
    with pytest.raises(ValueError):
        R.sample_corpus("../../etc/passwd")
    with pytest.raises(FileNotFoundError, match="no sample corpus for xx-yy"):
        R.sample_corpus("xx-yy")


def test_shipped_sample_corpus_is_tab_separated():
    assert "en-de" in R.sample_corpora(), "resources/corpora/en-de.tsv is not shipped"
    path = R.sample_corpus("en-de")
    with path.open(encoding="utf-8") as f:
        lines = [next(f) for _ in range(20)]
    assert all(line.count("\t") == 1 for line in lines)


def test_demo_model_dir_needs_model_json(tmp_path, monkeypatch):
    monkeypatch.setattr(R, "_root", lambda: tmp_path)
    assert R.demo_model_dir() is None
    folder = tmp_path / "models" / R.DEMO_MODEL
    folder.mkdir(parents=True)
    assert R.demo_model_dir() is None
    (folder / "model.json").write_text("{}")
    assert R.demo_model_dir() == folder
    (tmp_path / "corpora").mkdir()
    (tmp_path / "corpora" / "en-fr.tsv").write_text("a\tb\n")
    (tmp_path / "corpora" / "notes.tsv").write_text("")
    assert R.sample_corpora() == ["en-fr"]
    assert R.sample_corpus("en-fr") == tmp_path / "corpora" / "en-fr.tsv"


def test_frozen_bundle_falls_back_to_meipass(tmp_path, monkeypatch):
    """When importlib.resources gives no folder, a PyInstaller bundle's _MEIPASS/resources is
    used."""
    (tmp_path / "resources" / "icons").mkdir(parents=True)
    monkeypatch.setattr(
        R.importlib.resources,
        "files",
        lambda name: (_ for _ in ()).throw(ModuleNotFoundError(name)),
    )
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert R.resource_path("icons") == tmp_path / "resources" / "icons"
    monkeypatch.delattr(sys, "_MEIPASS")
    with pytest.raises(FileNotFoundError):
        R.resource_path()


def test_core_resources_does_not_import_qt():
    code = (
        "import sys, core.resources as r; r.icon_path(); r.demo_model_dir(); "
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'torch'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
