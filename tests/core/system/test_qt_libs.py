"""What Qt's platform plugins need: ldd parsing (real captured outputs), soname → Debian package,
and set-up's install-or-say-how loop."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.system import qt_libs
from core.system.qt_libs import LddReport, packages_for, parse_ldd

DATA = Path(__file__).parent / "ldd_outputs"
THREE = ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1")


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_parse_ldd_missing_three_from_the_xcb_plugin():
    report = parse_ldd(read("libqxcb-missing-three.txt"))
    assert report.missing == THREE  # each listed twice by ldd, reported once
    assert report.found["libxcb.so.1"] == "/lib/x86_64-linux-gnu/libxcb.so.1"
    assert report.found["libQt6XcbQpa.so.6"].endswith("lib/libQt6XcbQpa.so.6")
    assert not set(THREE) & set(report.found)
    assert "linux-vdso.so.1" not in report.found and report.error == ""


def test_parse_ldd_all_found():
    report = parse_ldd(read("libqxcb-ok.txt"))
    assert report.missing == ()
    assert set(THREE) <= set(report.found)
    assert report.found["libxcb-cursor.so.0"] == "/lib/x86_64-linux-gnu/libxcb-cursor.so.0"
    assert len(report.found) == 57  # 59 lines less the vdso and the loader


def test_parse_ldd_wayland_and_not_dynamic():
    assert parse_ldd(read("libqwayland-missing-cursor.txt")).missing == ("libwayland-cursor.so.0",)
    bad = parse_ldd(read("not-dynamic.txt"))
    assert bad.missing == () and bad.found == {} and "not a dynamic executable" in bad.error


def test_the_missing_three_map_to_their_debian_packages():
    missing = parse_ldd(read("libQt6XcbQpa-missing-three.txt")).missing
    assert packages_for(missing) == (["libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1"], [])


def test_unknown_sonames_are_named_and_packages_not_repeated():
    packages, unknown = packages_for(
        ["libglib-2.0.so.0", "libgthread-2.0.so.0", "libfoo-unheard.so.7", "libfoo-unheard.so.7"]
    )
    assert packages == ["libglib2.0-0"]
    assert unknown == ["libfoo-unheard.so.7"]


def test_install_hint_root_user_and_other_distributions():
    assert (
        qt_libs.install_hint(THREE, root=True, has_apt=True)
        == "apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1"
    )
    assert (
        qt_libs.install_hint(THREE, root=False, has_apt=True)
        == "sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1"
    )
    other = qt_libs.install_hint(["libxcb-cursor.so.0"], root=False, has_apt=False)
    assert "libxcb-cursor.so.0" in other and "apt-get" not in other.split("(")[0]
    both = qt_libs.install_hint(["libxcb-cursor.so.0", "libnew.so.1"], root=False, has_apt=True)
    assert both.startswith("sudo apt-get install -y libxcb-cursor0; ")
    assert "libnew.so.1" in both.split("; ")[1]


@pytest.mark.skipif(
    shutil.which("dpkg") is None or not sys.platform.startswith("linux"),
    reason="needs a Debian-family system to ask dpkg who ships each library",
)
def test_table_agrees_with_dpkg_for_every_library_installed_here():
    patterns = [f"*/{soname}" for soname in qt_libs.SONAME_PACKAGES]
    proc = subprocess.run(["dpkg", "-S", *patterns], capture_output=True, text=True, check=False)
    owners: dict[str, set[str]] = {}
    for line in proc.stdout.splitlines():  # "libxcb1:amd64: /usr/lib/.../libxcb.so.1"
        packages, _, path = line.rpartition(": ")
        for package in packages.split(", "):
            owners.setdefault(Path(path).name, set()).add(package.split(":")[0])
    checked = 0
    for soname, package in qt_libs.SONAME_PACKAGES.items():
        if soname in owners:
            assert package in owners[soname], (
                f"{soname}: table says {package}, dpkg says {owners[soname]}"
            )
            checked += 1
    assert checked >= 30, f"only {checked} libraries installed to compare with"


def fake_pyside(root: Path, *, wayland: bool = True) -> Path:
    """A PySide6 folder with the files the check looks for (contents do not matter to a fake
    ldd)."""
    pyside = root / "PySide6"
    files = [
        "QtWidgets.abi3.so",
        "Qt/plugins/platforms/libqxcb.so",
        "Qt/plugins/platforms/libqoffscreen.so",
        "Qt/lib/libQt6XcbQpa.so.6",
    ]
    if wayland:
        files += ["Qt/plugins/platforms/libqwayland.so", "Qt/lib/libQt6WaylandClient.so.6"]
    for f in files:
        (pyside / f).parent.mkdir(parents=True, exist_ok=True)
        (pyside / f).write_bytes(b"")
    return pyside


class FakeSystem:
    """ldd answers from captured outputs; apt-get "installs" by making the libraries found."""

    def __init__(self, missing: set[str], hidden_deps: dict[str, set[str]] | None = None):
        self.missing = set(missing)
        self.hidden = hidden_deps or {}  # a lib whose own deps ldd sees once it exists
        self.installed: list[list[str]] = []
        self.by_package = {p: s for s, p in qt_libs.SONAME_PACKAGES.items()}

    def ldd(self, path: Path) -> LddReport:
        ok = parse_ldd(read("libqxcb-ok.txt"))
        unseen = {d for lib, deps in self.hidden.items() if lib in self.missing for d in deps}
        missing = tuple(s for s in ok.found if s in self.missing and s not in unseen)
        return LddReport(
            found={s: p for s, p in ok.found.items() if s not in self.missing}, missing=missing
        )

    def apt(self, packages) -> bool:
        self.installed.append(list(packages))
        self.missing -= {self.by_package[p] for p in packages}
        return True


def test_platform_files_follow_what_pyside_ships(tmp_path):
    pyside = fake_pyside(tmp_path, wayland=False)
    names = [p.name for p in qt_libs.platform_files("xcb", pyside)]
    assert names == ["QtWidgets.abi3.so", "libqxcb.so", "libQt6XcbQpa.so.6"]
    assert [p.name for p in qt_libs.platform_files("offscreen", pyside)] == [
        "QtWidgets.abi3.so",
        "libqoffscreen.so",
    ]
    assert qt_libs.platform_files("wayland", pyside) == []  # plugin absent: skipped


def test_ensure_installs_as_root_and_rechecks_for_deeper_dependencies(tmp_path):
    pyside = fake_pyside(tmp_path)
    # libxcb-util is only seen missing once libxcb-icccm (which needs it) is installed
    system = FakeSystem(
        {*THREE, "libxcb-util.so.1"}, hidden_deps={"libxcb-icccm.so.4": {"libxcb-util.so.1"}}
    )
    said: list[str] = []
    status = qt_libs.ensure(
        ["xcb", "wayland", "offscreen"],
        install=True,
        root=True,
        has_apt=True,
        pyside=pyside,
        ldd=system.ldd,
        apt=system.apt,
        say=said.append,
    )
    assert status == 0
    assert system.installed == [
        ["libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1"],
        ["libxcb-util1"],
    ]
    assert not system.missing
    assert (
        said[-1] == "Qt's platform plugins (xcb, wayland, offscreen) find all their system "
        "libraries"
    )


def test_ensure_without_root_prints_the_one_sudo_line_and_installs_nothing(tmp_path):
    pyside = fake_pyside(tmp_path)
    system = FakeSystem(set(THREE))
    said: list[str] = []
    status = qt_libs.ensure(
        ["xcb", "offscreen"],
        install=True,
        root=False,
        has_apt=True,
        pyside=pyside,
        ldd=system.ldd,
        apt=system.apt,
        say=said.append,
    )
    assert status == 1 and system.installed == []
    assert said[-1] == (
        "to fix it, run: sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1"
    )
    assert any(
        line.startswith("Qt's xcb plugin cannot find: libxcb-cursor.so.0 (libxcb-cursor0)")
        for line in said
    )


def test_ensure_stops_when_apt_fails(tmp_path):
    pyside = fake_pyside(tmp_path)
    system = FakeSystem(set(THREE))
    said: list[str] = []
    status = qt_libs.ensure(
        ["xcb"],
        install=True,
        root=True,
        has_apt=True,
        pyside=pyside,
        ldd=system.ldd,
        apt=lambda pkgs: False,
        say=said.append,
    )
    assert status == 1
    assert "apt-get could not install them" in said
    assert said[-1].endswith("apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1")


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("ldd") is None,
    reason="asks ldd about the installed PySide6",
)
def test_the_installed_pyside_plugins_find_their_libraries():
    """What set-up guarantees on this machine: the desktop plugin and the one tests use load."""
    pyside = qt_libs.pyside_dir()
    assert pyside is not None and (pyside / "Qt").is_dir()
    for name in ("xcb", "offscreen"):
        check = qt_libs.check_plugin(name, pyside)
        assert check.present, name
        assert check.loadable, f"{name}: missing {check.missing} {check.error}"
