"""The PyInstaller spec, launchers and build script are sound; the launcher's --self-test passes.

A built bundle is checked only when asked to: ATTNSCOPE_TEST_BUNDLE=dist/attnscope (a stale
bundle must not fail an unrelated change).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYI = ROOT / "packaging" / "pyinstaller"


@pytest.mark.parametrize(
    "path",
    [
        PYI / "attnscope.spec",
        PYI / "launch_attnscope.py",
        PYI / "launch_attnscope_cli.py",
        PYI / "bundle_selftest.py",
        ROOT / "packaging" / "make_icons.py",
    ],
)
def test_python_files_compile(path):
    compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_spec_is_onedir_and_excludes_what_the_app_does_not_use():
    spec = (PYI / "attnscope.spec").read_text(encoding="utf-8")
    assert "COLLECT(" in spec and "exclude_binaries=True" in spec  # onedir
    for name in (
        "tkinter",
        "QtWebEngineCore",
        "Qt3DCore",
        "QtMultimedia",
        "QtQuick",
        "QtQml",
        "QtDesigner",
        "QtPdf",
        "QtCharts",
        "QtDataVisualization",
        "torch.utils.tensorboard",
    ):
        assert f'"{name}"' in spec, name
    # pyqtgraph imports these; excluding them would break the heatmap and plots
    for name in ("QtOpenGL", "QtOpenGLWidgets", "QtSvg", "QtTest"):
        assert f'"{name}"' not in spec, name
    assert "attnscope.ico" in spec and "attnscope.icns" in spec and "BUNDLE(" in spec


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_shell_scripts_parse():
    for script in (
        ROOT / "packaging" / "build_bundle.sh",
        ROOT / "packaging" / "linux" / "install.sh",
    ):
        subprocess.run(["bash", "-n", str(script)], check=True)


def _env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ATTNSCOPE_THREADS="1")
    env["PYTHONPATH"] = str(ROOT)  # the launcher runs as a script, outside the package
    return env


@pytest.mark.slow
def test_launcher_self_test_from_source(tmp_path):
    result = subprocess.run(
        [sys.executable, str(PYI / "launch_attnscope.py"), "--self-test"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test passed" in result.stdout
    assert "FAIL" not in result.stdout


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("ATTNSCOPE_TEST_BUNDLE"),
    reason="set ATTNSCOPE_TEST_BUNDLE=dist/attnscope to check a built bundle",
)
def test_built_bundle(tmp_path):
    bundle = (ROOT / os.environ["ATTNSCOPE_TEST_BUNDLE"]).resolve()
    exe = ".exe" if os.name == "nt" else ""
    env = {k: v for k, v in _env().items() if k != "PYTHONPATH"}
    version = subprocess.run(
        [str(bundle / f"attnscope-cli{exe}"), "--version"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    from core import __version__

    assert version.stdout.strip() == f"attnscope {__version__}"
    # attnscope-cli: a console program on every OS, so the output is visible on Windows too
    result = subprocess.run(
        [str(bundle / f"attnscope-cli{exe}"), "--self-test"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "frozen=True" in result.stdout and "self-test passed" in result.stdout
