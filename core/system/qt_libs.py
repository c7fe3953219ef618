"""Which system libraries Qt's platform plugins need here, asked of the installed PySide6 itself.

PySide6's wheels bundle Qt but not the X11/Wayland client libraries its platform plugins link
against, and that list changes between Qt releases (6.5 added ``libxcb-cursor0``). Importing
``PySide6.QtWidgets`` does not load a platform plugin, so it cannot tell; ``ldd`` on the plugin
(``libqxcb.so``) and on the library behind it (``libQt6XcbQpa``) can, and stays true whatever
PySide6 ships next. This module does that without importing Qt (``core`` never does, and a
broken Qt must not take the check down with it), and maps every missing soname to the Debian
package that ships it from a small table — ``dpkg -S``/``apt-file`` are not on a fresh machine.

``python -m core.system.qt_libs`` is what ``.ci/setup`` runs; see ``main``.
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# soname -> the Debian/Ubuntu package that ships it (checked against ``dpkg -S`` on Debian 12 by
# tests/core/test_qt_libs.py). Everything Qt 6's xcb, wayland and offscreen plugins and the
# QtWidgets binding link against from the system; the rest of their dependencies are in glibc.
SONAME_PACKAGES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libXext.so.6": "libxext6",
    "libXrender.so.1": "libxrender1",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libGLdispatch.so.0": "libglvnd0",
    "libdrm.so.2": "libdrm2",
    "libgbm.so.1": "libgbm1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libpng16.so.16": "libpng16-16",
    "libexpat.so.1": "libexpat1",
    "libz.so.1": "zlib1g",
    "libzstd.so.1": "libzstd1",
    "libbrotlidec.so.1": "libbrotli1",
    "libbrotlicommon.so.1": "libbrotli1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libpcre2-8.so.0": "libpcre2-8-0",
    "libbsd.so.0": "libbsd0",
    "libmd.so.0": "libmd0",
    "libsystemd.so.0": "libsystemd0",
}

# per platform plugin: the files whose dependencies decide whether it loads, relative to
# PySide6/Qt. Every plugin also needs what the QtWidgets binding needs (BINDING_GLOB).
PLATFORM_FILES: dict[str, tuple[str, ...]] = {
    "xcb": ("plugins/platforms/libqxcb.so", "lib/libQt6XcbQpa.so*"),
    "wayland": ("plugins/platforms/libqwayland*.so", "lib/libQt6WaylandClient.so*"),
}
BINDING_GLOB = "QtWidgets*.so"  # relative to the PySide6 package folder
SETUP_PLATFORMS = ("xcb", "wayland", "offscreen")  # what .ci/setup makes loadable


@dataclass(frozen=True)
class LddReport:
    """One ``ldd`` run: the libraries it resolved, those it could not find, or why it failed."""

    found: dict[str, str] = field(default_factory=dict)  # soname -> path
    missing: tuple[str, ...] = ()  # sonames, first seen first
    error: str = ""


def parse_ldd(text: str) -> LddReport:
    """Read ``ldd``'s output (glibc format): ``soname => path (addr)`` / ``soname => not found``."""
    found: dict[str, str] = {}
    missing: list[str] = []
    errors: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if "=>" in line:
            name, _, target = (part.strip() for part in line.partition("=>"))
            if target.startswith("not found"):
                if name not in missing:
                    missing.append(name)
            else:
                found[name] = target.split(" (")[0].strip()
        elif "not a dynamic executable" in line or line.startswith("ldd:"):
            errors.append(line)
        # else: the vdso or the dynamic loader itself ("/lib64/ld-linux-x86-64.so.2 (0x...)")
    return LddReport(found=found, missing=tuple(missing), error="; ".join(errors))


def run_ldd(path: Path) -> LddReport:
    """``ldd path``, parsed; an ``error`` when ``ldd`` is missing or fails."""
    exe = shutil.which("ldd")
    if exe is None:
        return LddReport(error="ldd is not installed")
    try:
        proc = subprocess.run(
            [exe, str(path)], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return LddReport(error=f"ldd failed: {exc}")
    report = parse_ldd(proc.stdout + "\n" + proc.stderr)
    if proc.returncode != 0 and not report.error and not report.missing:
        return LddReport(found=report.found, error=f"ldd exited with status {proc.returncode}")
    return report


def pyside_dir() -> Path | None:
    """The installed PySide6 package folder, found without importing it (None: not installed)."""
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def platform_files(platform: str, pyside: Path) -> list[Path]:
    """The files ``ldd`` must resolve for ``platform``; empty when PySide6 lacks the plugin."""
    qt = pyside / "Qt"
    patterns = PLATFORM_FILES.get(platform, (f"plugins/platforms/libq{platform}.so",))
    plugin = sorted(glob.glob(str(qt / patterns[0])))
    if not plugin:
        return []
    extra = [p for pattern in patterns[1:] for p in sorted(glob.glob(str(qt / pattern)))]
    binding = sorted(glob.glob(str(pyside / BINDING_GLOB)))
    return [Path(p) for p in (*binding[:1], *plugin, *extra)]


@dataclass(frozen=True)
class PluginLibs:
    """Whether one Qt platform plugin finds every library it links against."""

    platform: str
    files: tuple[Path, ...]  # empty: this PySide6 has no such plugin
    missing: tuple[str, ...] = ()  # sonames not found
    error: str = ""  # ldd could not tell

    @property
    def present(self) -> bool:
        return bool(self.files)

    @property
    def loadable(self) -> bool:
        return self.present and not self.missing and not self.error


def check_plugin(
    platform: str, pyside: Path, ldd: Callable[[Path], LddReport] = run_ldd
) -> PluginLibs:
    """Run ``ldd`` over the plugin's files and collect what the loader cannot find."""
    files = platform_files(platform, pyside)
    missing: list[str] = []
    errors: list[str] = []
    for path in files:
        report = ldd(path)
        missing.extend(s for s in report.missing if s not in missing)
        if report.error:
            errors.append(f"{path.name}: {report.error}")
    return PluginLibs(platform, tuple(files), tuple(missing), "; ".join(errors))


def packages_for(sonames: Iterable[str]) -> tuple[list[str], list[str]]:
    """(Debian packages to install, sonames no package is known for), each without repeats."""
    packages: list[str] = []
    unknown: list[str] = []
    for soname in sonames:
        package = SONAME_PACKAGES.get(soname)
        target, item = (packages, package) if package else (unknown, soname)
        if item not in target:
            target.append(item)
    return packages, unknown


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def install_hint(
    sonames: Sequence[str], *, root: bool | None = None, has_apt: bool | None = None
) -> str:
    """The one command (or sentence) that installs ``sonames`` on this system."""
    root = is_root() if root is None else root
    has_apt = shutil.which("apt-get") is not None if has_apt is None else has_apt
    packages, unknown = packages_for(sonames)
    parts: list[str] = []
    if packages and has_apt:
        parts.append(("" if root else "sudo ") + "apt-get install -y " + " ".join(packages))
    elif packages:
        parts.append(
            "install the packages that provide "
            + ", ".join(sonames)
            + " (on Debian/Ubuntu: "
            + " ".join(packages)
            + ")"
        )
    if unknown:
        parts.append(
            "install the package that provides "
            + ", ".join(unknown)
            + (" (apt-file search NAME finds it)" if has_apt else "")
        )
    return "; ".join(parts)


def apt_install(packages: Sequence[str], say: Callable[[str], None] = print) -> bool:
    """``apt-get install`` as root; refreshes the package lists once if the first try fails."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]
    say("installing: " + " ".join(packages))
    if subprocess.run(cmd, env=env, check=False, stdout=subprocess.DEVNULL).returncode == 0:
        return True
    say("refreshing the package lists (apt-get update) and trying again")
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    return subprocess.run(cmd, env=env, check=False, stdout=subprocess.DEVNULL).returncode == 0


def missing_for(
    platforms: Sequence[str], pyside: Path, ldd: Callable[[Path], LddReport] = run_ldd
) -> tuple[list[PluginLibs], list[str]]:
    """Each present plugin's check, and every soname missing across them (first seen first)."""
    checks = [c for c in (check_plugin(p, pyside, ldd) for p in platforms) if c.present]
    missing: list[str] = []
    for check in checks:
        missing.extend(s for s in check.missing if s not in missing)
    return checks, missing


def _describe(checks: Sequence[PluginLibs]) -> list[str]:
    lines = []
    for c in checks:
        if c.missing:
            lines.append(
                f"Qt's {c.platform} plugin cannot find: "
                + ", ".join(f"{s} ({SONAME_PACKAGES.get(s, 'package unknown')})" for s in c.missing)
            )
        elif c.error:
            lines.append(f"Qt's {c.platform} plugin could not be checked: {c.error}")
    return lines


def ensure(
    platforms: Sequence[str],
    *,
    install: bool,
    root: bool,
    has_apt: bool,
    pyside: Path,
    ldd: Callable[[Path], LddReport] = run_ldd,
    apt: Callable[[Sequence[str]], bool] = apt_install,
    say: Callable[[str], None] = print,
) -> int:
    """Check ``platforms``; install what is missing (root + apt-get + ``install``) or say how.

    Re-checks after installing, since a library that was missing may itself need others that
    ``ldd`` could not see yet. Returns 0 when every present plugin loads, else 1.
    """
    for _round in range(3):
        checks, missing = missing_for(platforms, pyside, ldd)
        names = ", ".join(c.platform for c in checks)
        if not missing:
            bad = [c for c in checks if c.error]
            for line in _describe(bad):
                say(line)
            if not bad:
                say(f"Qt's platform plugins ({names}) find all their system libraries")
            return 0
        for line in _describe(checks):
            say(line)
        packages, _unknown = packages_for(missing)
        if not (install and root and has_apt and packages):
            break
        if not apt(packages):
            say("apt-get could not install them")
            break
    say("to fix it, run: " + install_hint(missing, root=root, has_apt=has_apt))
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m core.system.qt_libs [--install] [--dry-run]`` (Linux; elsewhere Qt needs
    nothing)."""
    parser = argparse.ArgumentParser(
        prog="python -m core.system.qt_libs",
        description="Check that Qt's platform plugins (xcb, wayland, offscreen) find every "
        "system library they link against; with --install, install the missing "
        "ones with apt-get when run as root, else print the command that does.",
    )
    parser.add_argument("--install", action="store_true", help="install what is missing (root)")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="only say what is missing and the command that installs it",
    )
    parser.add_argument(
        "--platform",
        action="append",
        choices=SETUP_PLATFORMS,
        help="check only this plugin (repeatable; default: all three)",
    )
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        print("Qt brings its own libraries on this system; nothing to check")
        return 0
    pyside = pyside_dir()
    if pyside is None:
        print("PySide6 is not installed in this Python (run .ci/setup or pip install -e .)")
        return 1
    if shutil.which("ldd") is None:
        print("ldd is not available, so Qt's system libraries cannot be checked")
        return 0
    return ensure(
        args.platform or SETUP_PLATFORMS,
        install=args.install and not args.dry_run,
        root=is_root(),
        has_apt=shutil.which("apt-get") is not None,
        pyside=pyside,
    )


if __name__ == "__main__":
    sys.exit(main())
