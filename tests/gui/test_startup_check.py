"""When Qt cannot start, the launcher says why (stderr, log, desktop notifier) and exits 3 —
before any QApplication exists, instead of Qt's SIGABRT."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gui import startup_check
from tests.core.system.test_doctor import check_all_ok, run_offscreen

ROOT = Path(__file__).resolve().parents[2]

LAUNCH = r"""
import json, sys
from core.system import qt_platform
from gui import app

def failing_check():
    return qt_platform.Verdict(
        None, lib_problems=["the xcb plugin cannot find libxcb-cursor.so.0, libxcb-icccm.so.4"],
        missing=["libxcb-cursor.so.0", "libxcb-icccm.so.4"],
        lib_fix="sudo apt-get install -y libxcb-cursor0 libxcb-icccm4")

status = app.main(["attnscope"], platform_check=failing_check)
print(json.dumps({"status": status, "qt_gui_loaded": any(
    m in sys.modules for m in ("PySide6.QtWidgets", "PySide6.QtGui"))}))
"""


def fake_notifier(folder: Path, name: str = "notify-send") -> Path:
    """A stand-in notifier on PATH that records the arguments it was started with."""
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / "shown.txt"
    script = folder / name
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n')
    script.chmod(0o755)
    return record


def launch_env(tmp_path: Path, bin_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")
    }
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["ATTNSCOPE_HOME"] = str(tmp_path / "home")
    return env


def wait_for(path: Path, seconds: float = 10.0) -> str:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} was never written")


@pytest.mark.skipif(sys.platform == "win32", reason="the fake notifier is a shell script")
def test_a_missing_library_gives_message_log_notifier_and_status_3(tmp_path):
    record = fake_notifier(tmp_path / "bin")
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCH],
        cwd=ROOT,
        env=launch_env(tmp_path, tmp_path / "bin"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"status": 3, "qt_gui_loaded": False}
    log_file = tmp_path / "home" / "logs" / "attnscope.log"
    for text in (proc.stderr, log_file.read_text(encoding="utf-8")):
        assert "Attnscope cannot start: the xcb plugin cannot find libxcb-cursor.so.0" in text
        assert "To fix it: sudo apt-get install -y libxcb-cursor0 libxcb-icccm4" in text
    assert f"(also written to {log_file})" in proc.stderr
    shown = wait_for(record)  # stderr is a pipe here: treated as a desktop launch
    assert "Attnscope cannot start" in shown and "libxcb-cursor0 libxcb-icccm4" in shown


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 only")
def test_without_a_display_the_real_launcher_exits_3_instead_of_aborting(tmp_path):
    record = fake_notifier(tmp_path / "bin")
    proc = subprocess.run(
        [sys.executable, "-m", "gui.app"],
        cwd=ROOT,
        env=launch_env(tmp_path, tmp_path / "bin"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == startup_check.EXIT_QT_CANNOT_START, proc.stderr
    assert "DISPLAY is not set" in proc.stderr and "desktop session" in proc.stderr
    assert "DISPLAY is not set" in wait_for(record)


def test_app_doctor_is_all_ok_and_creates_no_qapplication(tmp_path):
    script = (
        "import sys; from gui import app; status = app.main(['attnscope', '--doctor']); "
        "assert 'PySide6.QtWidgets' not in sys.modules and 'PySide6.QtGui' not in "
        "sys.modules, 'Qt GUI modules were loaded'; sys.exit(status)"
    )
    proc = run_offscreen(["-c", script], tmp_path)
    check_all_ok(proc, tmp_path / "home")


def test_the_first_notifier_that_exists_is_used():
    have = {"zenity": "/usr/bin/zenity", "xmessage": "/usr/bin/xmessage"}
    cmd = startup_check.notifier_command("text", have.get)
    assert cmd[:2] == ["/usr/bin/zenity", "--error"] and "--text=text" in cmd
    cmd = startup_check.notifier_command("text", {"xmessage": "/x/xmessage"}.get)
    assert cmd[0] == "/x/xmessage" and cmd[-1].endswith("text")
    assert startup_check.notifier_command("text", {}.get) is None
    mac = startup_check.notifier_command('say "hi"', {"osascript": "/usr/bin/osascript"}.get)
    script = 'display alert "Attnscope cannot start" message "say \\"hi\\"" as critical'
    assert mac == ["/usr/bin/osascript", "-e", script]


def test_a_terminal_launch_shows_no_desktop_dialog(capsys):
    started: list[list[str]] = []
    failure = startup_check.StartupFailure("no display", "start it from a desktop session")
    told = startup_check.tell(
        failure,
        None,
        desktop=False,
        which=lambda n: f"/usr/bin/{n}",
        popen=lambda cmd, **kw: started.append(cmd),
    )
    assert told == ["stderr"] and started == []
    assert "Attnscope cannot start: no display" in capsys.readouterr().err
    told = startup_check.tell(
        failure,
        None,
        desktop=True,
        which=lambda n: f"/usr/bin/{n}",
        popen=lambda cmd, **kw: started.append(cmd),
    )
    assert told == ["stderr", "notify-send"] and started[0][0] == "/usr/bin/notify-send"


def test_a_passing_check_or_a_broken_check_does_not_stop_the_app():
    from core.system import qt_platform

    assert startup_check.platform_failure(lambda: qt_platform.Verdict("xcb")) is None

    def broken() -> qt_platform.Verdict:
        raise RuntimeError("ldd exploded")

    assert startup_check.platform_failure(broken) is None


def test_the_check_before_the_window_does_not_load_torch(tmp_path):
    """The window shows in about a second because torch loads later; the check must not load it."""
    script = (
        "import sys; from gui import startup_check; "
        "assert startup_check.platform_failure() is None; print('torch' in sys.modules)"
    )
    proc = run_offscreen(["-c", script], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
