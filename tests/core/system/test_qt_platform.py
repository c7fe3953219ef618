"""Which platform plugin Qt would load, and the display it needs — decided without Qt."""

from __future__ import annotations

import os
import socket
import sys

import pytest

from core.system import qt_platform
from core.system.qt_libs import LddReport, parse_ldd
from tests.core.system.test_qt_libs import THREE, fake_pyside, read

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="abstract X sockets are Linux's"
)


def test_candidates_follow_qt_qpa_platform_and_the_session():
    assert qt_platform.candidates({"QT_QPA_PLATFORM": "offscreen"}, "linux") == ["offscreen"]
    assert qt_platform.candidates({"QT_QPA_PLATFORM": "wayland;xcb"}, "linux") == ["wayland", "xcb"]
    assert qt_platform.candidates({"QT_QPA_PLATFORM": "xcb:nograb"}, "linux") == ["xcb"]
    assert qt_platform.candidates({"XDG_SESSION_TYPE": "wayland"}, "linux") == ["wayland", "xcb"]
    assert qt_platform.candidates({"XDG_SESSION_TYPE": "x11", "WAYLAND_DISPLAY": "w"}, "linux") == [
        "xcb"
    ]
    assert qt_platform.candidates({"WAYLAND_DISPLAY": "wayland-0"}, "linux") == ["wayland", "xcb"]
    assert qt_platform.candidates({"DISPLAY": ":0"}, "linux") == ["xcb"]
    assert qt_platform.candidates({}, "darwin") == ["native"]
    assert qt_platform.candidates({}, "win32") == ["native"]


@linux_only
def test_x_display_answers_only_when_a_server_listens():
    number = 900 + os.getpid() % 90
    env = {"DISPLAY": f":{number}"}
    ok, said = qt_platform.x_display(env, timeout=0.5)
    assert not ok and f"/tmp/.X11-unix/X{number}" in said
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(f"\0/tmp/.X11-unix/X{number}")  # abstract: leaves no file behind
        server.listen(1)
        assert qt_platform.x_display(env, timeout=0.5) == (True, f"DISPLAY=:{number}")
        assert qt_platform.x_display({"DISPLAY": f"unix:{number}.0"}, timeout=0.5)[0]
    assert qt_platform.x_display({}) == (False, "DISPLAY is not set (no X display)")


def test_wayland_display_is_its_socket(tmp_path):
    env = {"WAYLAND_DISPLAY": "wayland-7", "XDG_RUNTIME_DIR": str(tmp_path)}
    assert not qt_platform.wayland_display(env)[0]
    (tmp_path / "wayland-7").write_bytes(b"")
    assert qt_platform.wayland_display(env) == (True, "WAYLAND_DISPLAY=wayland-7")


def ldd_from(outputs: dict[str, str]):
    """A fake ldd: each file's captured output, chosen by the file's name."""

    def ldd(path):
        for prefix, name in outputs.items():
            if path.name.startswith(prefix):
                return parse_ldd(read(name))
        return LddReport(found={"libc.so.6": "/lib/x86_64-linux-gnu/libc.so.6"})

    return ldd


MISSING_THREE = ldd_from(
    {
        "libqxcb": "libqxcb-missing-three.txt",
        "libQt6XcbQpa": "libQt6XcbQpa-missing-three.txt",
        "libqwayland": "libqwayland-missing-cursor.txt",
    }
)
ALL_FOUND_BUT_WAYLAND = ldd_from(
    {"libqxcb": "libqxcb-ok.txt", "libqwayland": "libqwayland-missing-cursor.txt"}
)


def test_xcb_without_its_three_libraries_cannot_start(tmp_path):
    v = qt_platform.verdict(
        {"DISPLAY": ":0"},
        system="linux",
        pyside=fake_pyside(tmp_path),
        ldd=MISSING_THREE,
        root=False,
        has_apt=True,
    )
    assert not v.ok and v.platform is None
    assert v.missing == list(THREE)
    assert v.reason() == (
        "Qt cannot start: the xcb plugin cannot find libxcb-cursor.so.0, "
        "libxcb-icccm.so.4, libxcb-keysyms.so.1"
    )
    assert v.fix == "sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1"


def test_offscreen_loads_without_a_display_even_when_xcb_could_not(tmp_path):
    v = qt_platform.verdict(
        {"QT_QPA_PLATFORM": "offscreen"},
        system="linux",
        pyside=fake_pyside(tmp_path),
        ldd=MISSING_THREE,
        detail=True,
    )
    assert v.ok and v.platform == "offscreen" and v.fix == ""
    assert "off-screen" in v.display
    assert v.others[0].startswith("xcb: lacks libxcb-cursor.so.0, libxcb-icccm.so.4")


@linux_only
def test_a_wayland_session_falls_back_to_xcb_when_wayland_lacks_a_library(tmp_path):
    number = 900 + os.getpid() % 90
    env = {
        "XDG_SESSION_TYPE": "wayland",
        "WAYLAND_DISPLAY": "wayland-0",
        "XDG_RUNTIME_DIR": str(tmp_path),
        "DISPLAY": f":{number}",
    }
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(f"\0/tmp/.X11-unix/X{number}")
        server.listen(1)
        v = qt_platform.verdict(
            env, system="linux", pyside=fake_pyside(tmp_path / "p"), ldd=ALL_FOUND_BUT_WAYLAND
        )
    assert v.ok and v.platform == "xcb"
    assert v.lib_problems == ["the wayland plugin cannot find libwayland-cursor.so.0"]


def test_no_display_is_a_problem_with_its_own_fix(tmp_path):
    v = qt_platform.verdict(
        {}, system="linux", pyside=fake_pyside(tmp_path), ldd=ALL_FOUND_BUT_WAYLAND
    )
    assert not v.ok and v.missing == [] and v.lib_problems == []
    assert v.display_problems == [
        "the xcb plugin has no display: DISPLAY is not set (no X display)"
    ]
    assert "desktop session" in v.fix


def test_other_systems_need_no_check():
    v = qt_platform.verdict({}, system="darwin")
    assert v.ok and v.platform == "native"


def test_a_bundle_whose_qt_files_are_elsewhere_is_not_refused(tmp_path, monkeypatch):
    """Only what is known to be missing stops the launch; unknown layouts go on to Qt."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    v = qt_platform.verdict(
        {"QT_QPA_PLATFORM": "offscreen"},
        system="linux",
        pyside=tmp_path / "no-such-PySide6",
        ldd=MISSING_THREE,
    )
    assert v.ok and v.platform == "offscreen" and v.found == "its files were not checked"
    monkeypatch.setattr(sys, "frozen", False)
    v = qt_platform.verdict(
        {"QT_QPA_PLATFORM": "offscreen"},
        system="linux",
        pyside=tmp_path / "no-such-PySide6",
        ldd=MISSING_THREE,
    )
    assert not v.ok and v.lib_problems == ["PySide6 has no 'offscreen' platform plugin"]
