"""packaging/linux: the .desktop entry is valid and install.sh puts it and the icons where XDG
looks."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / "attnscope.desktop"
INSTALL = LINUX / "install.sh"
SIZES = (16, 32, 48, 64, 128, 256, 512)

pytestmark = pytest.mark.skipif(os.name == "nt", reason="Linux desktop integration")


def entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def run_install(data_home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(data_home.parent / "home"),
        "XDG_DATA_HOME": str(data_home),
        **env,
    }
    return subprocess.run(
        ["sh", str(INSTALL), *args],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )


def test_desktop_entry_keys():
    e = entry(DESKTOP)
    assert e["Type"] == "Application"
    assert e["Name"] == "Attnscope"
    assert e["GenericName"] == "Translation model trainer"
    assert e["Exec"] == "attnscope %f"
    assert e["Icon"] == "attnscope"
    assert e["Terminal"] == "false"
    assert e["StartupWMClass"] == "attnscope"  # matches setDesktopFileName("attnscope")
    assert e["Categories"].split(";")[:-1] == ["Education", "Languages", "Science", "Qt"]
    assert e["Keywords"].endswith(";") and "translation" in e["Keywords"].split(";")
    assert e["Comment"]


def test_desktop_file_validate():
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate not installed (apt-get install desktop-file-utils)")
    result = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error:" not in result.stdout


def test_install_and_uninstall_into_xdg_data_home(tmp_path):
    data = tmp_path / "my data"  # a space in the path on purpose
    out = run_install(data).stdout
    assert "installed" in out
    installed = data / "applications" / "attnscope.desktop"
    assert entry(installed)["Icon"] == "attnscope"
    for size in SIZES:
        png = data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "attnscope.png"
        assert (
            png.read_bytes()
            == (ROOT / "resources" / "icons" / f"attnscope-{size}.png").read_bytes()
        )
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "attnscope.svg").is_file()

    run_install(data, "--uninstall")
    assert not installed.exists()
    assert not list((data / "icons").rglob("attnscope.*"))


def test_install_with_prefix_and_explicit_launcher(tmp_path):
    prefix = tmp_path / "usr local"
    run_install(tmp_path / "unused", "--exec", "/opt/Attn Scope/attnscope", PREFIX=str(prefix))
    installed = prefix / "share" / "applications" / "attnscope.desktop"
    e = entry(installed)
    assert e["Exec"] == '"/opt/Attn Scope/attnscope" %f'
    assert e["TryExec"] == "/opt/Attn Scope/attnscope"
    assert not (tmp_path / "unused").exists()
    tool = shutil.which("desktop-file-validate")
    if tool:
        result = subprocess.run([tool, str(installed)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout


def test_install_rejects_unknown_options(tmp_path):
    with pytest.raises(subprocess.CalledProcessError) as err:
        run_install(tmp_path / "d", "--frobnicate")
    assert err.value.returncode == 2
