"""``attnscope-cli doctor`` / ``attnscope --doctor``: one line per check, exit 0 only when all
ok."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from core.system import doctor, qt_platform

ROOT = Path(__file__).resolve().parents[3]
NAMES = [
    "Python",
    "PyTorch",
    "Device",
    "bfloat16",
    "Qt platform",
    "Display",
    "Fonts",
    "Models folder",
    "Config folder",
    "Log folder",
    "Disk space",
]


def offscreen_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")
    }
    env.update(QT_QPA_PLATFORM="offscreen", ATTNSCOPE_HOME=str(tmp_path / "home"))
    return env


def run_offscreen(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    """``python ARGS`` from the repository root, offscreen, with a private ATTNSCOPE_HOME."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=offscreen_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def check_all_ok(proc: subprocess.CompletedProcess, home: Path) -> None:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == "all ok"
    assert [line[9:23].strip() for line in lines[:-1]] == NAMES
    assert all(line.startswith("ok ") for line in lines[:-1])
    display = next(line for line in lines if line[9:].startswith("Display"))
    assert "QT_QPA_PLATFORM=offscreen" in display  # says why no display is fine
    qt = next(line for line in lines if line[9:].startswith("Qt platform"))
    assert "offscreen would load" in qt
    assert f"{home / 'models'} is writable" in proc.stdout


def test_cli_doctor_is_all_ok_on_this_machine(tmp_path):
    proc = run_offscreen(["-m", "core", "doctor"], tmp_path)
    check_all_ok(proc, tmp_path / "home")


def failing_verdict(env, detail=False) -> qt_platform.Verdict:
    return qt_platform.Verdict(
        None,
        lib_problems=["the xcb plugin cannot find libxcb-cursor.so.0"],
        missing=["libxcb-cursor.so.0"],
        lib_fix="sudo apt-get install -y libxcb-cursor0",
    )


def test_a_missing_library_is_a_problem_line_with_its_fix():
    qt, display = doctor.check_qt({"DISPLAY": ":0"}, failing_verdict)
    assert not qt.ok
    assert qt.line() == (
        "PROBLEM  Qt platform    the xcb plugin cannot find libxcb-cursor.so.0 — "
        "fix: sudo apt-get install -y libxcb-cursor0"
    )
    assert display.name == "Display"


def test_report_exit_status_counts_problems():
    good = doctor.Check("Python", True, "3.11")
    bad = doctor.Check("Fonts", False, "none", "sudo apt-get install fonts-dejavu-core")
    assert doctor.report([good]) == ("ok       Python         3.11\nall ok", 0)
    text, status = doctor.report([good, bad, bad])
    assert status == 1 and text.endswith("2 problems: see the fix on each line")
    assert "fix: sudo apt-get install fonts-dejavu-core" in text


def test_fonts_found_or_missing(tmp_path):
    assert not doctor.check_fonts("linux", [tmp_path / "nothing"]).ok
    (tmp_path / "fonts" / "truetype").mkdir(parents=True)
    (tmp_path / "fonts" / "truetype" / "DejaVuSans.ttf").write_bytes(b"\0")
    found = doctor.check_fonts("linux", [tmp_path / "fonts"])
    assert found.ok and "DejaVuSans.ttf" in found.detail


def test_unwritable_folder_and_full_disk_are_problems(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    folder = doctor.check_writable("Models folder", blocker / "models")  # works even as root
    assert not folder.ok and "ATTNSCOPE_HOME" in folder.fix
    assert doctor.check_writable("Log folder", tmp_path / "logs").ok
    disk = doctor.check_disk(tmp_path / "not-yet" / "models", minimum=1 << 62)
    assert not disk.ok and "GB free" in disk.detail and str(tmp_path) in disk.detail
    assert doctor.check_disk(tmp_path, minimum=1).ok


def test_the_checks_never_import_qt(tmp_path):
    """They must work where Qt is what is broken: find_spec and ldd only, no PySide6 import."""
    script = (
        "import json, sys; from core.system import doctor; doctor.run_checks(); print(json.dumps("
        "[m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'gui')]))"
    )
    proc = run_offscreen(["-c", script], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
