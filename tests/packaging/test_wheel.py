"""The wheel carries the resources and entry points, and works when installed into a fresh venv.

Builds with ``pip wheel --no-build-isolation`` (setuptools >= 70.1 has bdist_wheel built in; no
network), installs with ``--no-deps`` into a venv in tmp_path whose .pth file borrows the
dependencies (torch, PySide6...) from the project's environment, and runs everything with
cwd=tmp_path so that ``core``/``gui`` come from the installed wheel, not from the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from core import __version__

ROOT = Path(__file__).resolve().parents[2]
WHEEL_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "core", "gui", "resources")

pytestmark = pytest.mark.slow


def _run(cmd: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=kwargs.pop("timeout", 120),
        **kwargs,
    )
    assert result.returncode == 0, f"{cmd} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(wheel, venv dir, its python, its bin folder) — the wheel built from a copy of the tree."""
    import setuptools  # in the test extras: a missing builder fails here, it never skips

    major, minor = (int(x) for x in setuptools.__version__.split(".")[:2])
    assert (major, minor) >= (70, 1), (
        f"setuptools {setuptools.__version__} cannot build the wheel without the 'wheel' package; "
        "re-run bash .ci/setup (the test extras ask for setuptools>=70.1)"
    )

    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"  # a copy: the build writes build/ and *.egg-info into it
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in WHEEL_SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        elif path.is_file():
            shutil.copy2(path, src / name)
    # bytecode a checkout may hold next to the data files; it must not end up in the wheel
    (src / "resources" / "__pycache__").mkdir(exist_ok=True)
    (src / "resources" / "__pycache__" / "stray.cpython-311.pyc").write_bytes(b"")
    out = base / "dist"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            out,
            src,
        ],
        cwd=base,
    )
    wheel = next(out.glob("attnscope-*.whl"))

    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    fresh_site = Path(
        _run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=base
        ).stdout.strip()
    )
    # dependencies come from the project's environment, appended after the fresh site-packages
    (fresh_site / "_attnscope_test_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            wheel,
        ],
        cwd=base,
    )
    return wheel, env_dir, python, bindir


def test_wheel_contains_packages_and_resources(installed):
    wheel = installed[0]
    assert wheel.name.startswith(f"attnscope-{__version__}-py3-none-any")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "core/__init__.py",
        "core/cli/__init__.py",
        "core/cli/parser.py",
        "core/resources.py",
        "core/native/kernels.c",
        "gui/__init__.py",
        "gui/app.py",
        "resources/__init__.py",
        "resources/icons/attnscope.svg",
        "resources/icons/attnscope-256.png",
        "resources/icons/attnscope.ico",
    }
    for path in (ROOT / "resources").rglob("*"):  # whatever the tree ships
        if path.is_file() and "__pycache__" not in path.parts:
            expected.add(path.relative_to(ROOT).as_posix())
    assert expected <= names, sorted(expected - names)
    assert not [n for n in names if n.startswith(("tests/", "packaging/", "bench/"))]
    entry_points = (
        zipfile.ZipFile(wheel).read(f"attnscope-{__version__}.dist-info/entry_points.txt").decode()
    )
    assert "attnscope = gui.app:main" in entry_points
    assert "attnscope-cli = core.cli:main" in entry_points


def test_wheel_leaves_out_bytecode(installed):
    names = zipfile.ZipFile(installed[0]).namelist()
    stray = [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not stray


def test_installed_package_is_used_not_the_checkout(installed, tmp_path):
    _, env_dir, python, _ = installed
    code = (
        "import core, gui.app, core.resources as r; "
        "print(core.__file__); print(gui.app.__file__); print(r.icon_path(256)); "
        "print(r.resource_path('corpora'))"
    )
    lines = _run([python, "-c", code], cwd=tmp_path).stdout.splitlines()
    for line in lines:
        assert Path(line).resolve().is_relative_to(env_dir.resolve()), line
    assert Path(lines[2]).is_file()


def test_entry_point_scripts(installed, tmp_path):
    _, _, _, bindir = installed
    suffix = ".exe" if os.name == "nt" else ""
    assert (bindir / f"attnscope{suffix}").is_file()
    cli = bindir / f"attnscope-cli{suffix}"
    assert cli.is_file()
    assert _run([cli, "--version"], cwd=tmp_path).stdout.strip() == f"attnscope {__version__}"


def test_installed_gui_imports(installed, tmp_path):
    python = installed[2]
    code = (
        "from gui.app import ensure_app; from gui.main_window import MainWindow; "
        "app = ensure_app(['attnscope']); print(app.desktopFileName())"
    )
    assert _run([python, "-c", code], cwd=tmp_path).stdout.strip() == "attnscope"


def test_installed_cli_translates_with_the_demo_model(installed, tmp_path):
    _, env_dir, python, bindir = installed
    demo = _run(
        [python, "-c", "from core.resources import demo_model_dir; print(demo_model_dir())"],
        cwd=tmp_path,
    ).stdout.strip()
    assert demo != "None", "the wheel ships no demo model (resources/models/demo-en-de/model.json)"
    assert Path(demo).resolve().is_relative_to(env_dir.resolve())
    cli = bindir / ("attnscope-cli.exe" if os.name == "nt" else "attnscope-cli")
    out = _run(
        [cli, "translate", "--model", demo, "--device", "cpu"],
        cwd=tmp_path,
        input="The cat sleeps.\nI like green tea.\n",
    ).stdout
    lines = out.splitlines()
    assert len(lines) == 2 and all(line.strip() for line in lines), out
