"""Would Qt start here, and on which platform plugin? Answered before any ``QApplication`` exists.

Qt aborts the process (SIGABRT) when no platform plugin loads or the display cannot be reached,
so the launcher and ``--doctor`` ask first: which plugins Qt would try (``QT_QPA_PLATFORM``, the
session type), whether each finds its libraries (``core.system.qt_libs``) and whether its display
answers. No Qt import here: the answer must come even when Qt itself is what is broken.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.system import qt_libs

NO_DISPLAY_PLATFORMS = (
    "offscreen",
    "minimal",
    "minimalegl",
    "vnc",
    "eglfs",
    "linuxfb",
    "vkkhrdisplay",
)


def candidates(env: Mapping[str, str], system: str = sys.platform) -> list[str]:
    """The platform plugins Qt tries, in order (Qt falls through a ``;``-separated list)."""
    forced = env.get("QT_QPA_PLATFORM", "").strip()
    if forced:
        return [p.split(":", 1)[0].strip() for p in forced.split(";") if p.strip()]
    if not system.startswith("linux"):
        return ["native"]
    session = env.get("XDG_SESSION_TYPE", "").lower()
    wayland = session == "wayland" or (
        not session and env.get("WAYLAND_DISPLAY") and not env.get("DISPLAY")
    )
    return ["wayland", "xcb"] if wayland else ["xcb"]


def _connect(address: str | tuple[str, int], family: int, timeout: float) -> bool:
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        try:
            s.connect(address)
        except OSError:
            return False
    return True


def x_display(env: Mapping[str, str], timeout: float = 1.0) -> tuple[bool, str]:
    """Whether the X server named by ``DISPLAY`` accepts a connection, and what was tried."""
    value = env.get("DISPLAY", "")
    if not value:
        return False, "DISPLAY is not set (no X display)"
    host, _, rest = value.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit():
        return True, f"DISPLAY={value} (not checked: unusual form)"
    if host in ("", "unix") or host.startswith("/"):
        path = f"/tmp/.X11-unix/X{number}"
        if host.startswith("/"):  # e.g. XQuartz's launchd socket
            path = f"{host}:{rest}"
        family = getattr(socket, "AF_UNIX", None)
        if family is None:
            return True, f"DISPLAY={value}"
        if _connect("\0" + path, family, timeout) or _connect(path, family, timeout):
            return True, f"DISPLAY={value}"
        return False, f"DISPLAY={value}, but no X server answers at {path}"
    if _connect((host, 6000 + int(number)), socket.AF_INET, timeout):
        return True, f"DISPLAY={value}"
    return False, f"DISPLAY={value}, but no X server answers on {host}:{6000 + int(number)}"


def wayland_display(env: Mapping[str, str]) -> tuple[bool, str]:
    """Whether the Wayland socket named by ``WAYLAND_DISPLAY`` exists."""
    name = env.get("WAYLAND_DISPLAY", "")
    if not name:
        return False, "WAYLAND_DISPLAY is not set"
    path = Path(name) if name.startswith("/") else Path(env.get("XDG_RUNTIME_DIR", "")) / name
    if path.exists():
        return True, f"WAYLAND_DISPLAY={name}"
    return False, f"WAYLAND_DISPLAY={name}, but {path} does not exist"


def display_for(platform: str, env: Mapping[str, str]) -> tuple[bool, str]:
    """Whether ``platform`` has the display it needs (``offscreen`` and friends need none)."""
    if platform == "xcb":
        return x_display(env)
    if platform == "wayland":
        return wayland_display(env)
    if platform == "native":
        return True, "the system's own window server"
    return True, f"none needed: QT_QPA_PLATFORM={platform} draws off-screen (CI, tests)"


@dataclass(frozen=True)
class Verdict:
    """Which platform would load, or why none would and how to fix it."""

    platform: str | None  # None: Qt would abort
    found: str = ""  # what the chosen plugin's check found
    lib_problems: list[str] = field(default_factory=list)  # plugins lacking libraries
    display_problems: list[str] = field(default_factory=list)  # plugins without a display
    missing: list[str] = field(default_factory=list)  # sonames, over all candidates
    lib_fix: str = ""
    display: str = ""  # what the chosen platform's display check said
    others: list[str] = field(default_factory=list)  # plugins not tried, with their state

    DISPLAY_FIX = (
        "start it from a desktop session (or over ssh -X); QT_QPA_PLATFORM=offscreen "
        "runs without a display but shows no window"
    )

    @property
    def ok(self) -> bool:
        return self.platform is not None

    @property
    def problems(self) -> list[str]:
        return [*self.lib_problems, *self.display_problems]

    @property
    def fix(self) -> str:
        """The library fix first: without its libraries a plugin fails before needing a display."""
        if self.ok:
            return ""
        return self.lib_fix or (self.DISPLAY_FIX if self.display_problems else "")

    def reason(self) -> str:
        return "Qt cannot start: " + "; ".join(self.problems or ["no platform plugin loads"])


def verdict(
    env: Mapping[str, str] | None = None,
    *,
    system: str = sys.platform,
    pyside: Path | None = None,
    ldd: Callable[[Path], qt_libs.LddReport] = qt_libs.run_ldd,
    root: bool | None = None,
    has_apt: bool | None = None,
    detail: bool = False,
) -> Verdict:
    """Walk Qt's candidates as Qt would: the first whose libraries load and display answers.

    ``detail`` also checks the desktop plugins Qt was not asked for (``--doctor`` shows them;
    the launcher skips the extra ``ldd`` runs).
    """
    env = os.environ if env is None else env
    order = candidates(env, system)
    if order == ["native"]:
        return Verdict(
            "native",
            found="Qt brings its own libraries on this system",
            display="the system's own window server",
        )
    frozen = bool(getattr(sys, "frozen", False))  # a bundle: Qt's files may sit elsewhere
    pyside = pyside or qt_libs.pyside_dir()
    if pyside is None and not frozen:
        return Verdict(
            None,
            lib_problems=["PySide6 is not installed in this Python"],
            lib_fix="bash .ci/setup (or: pip install -e .)",
        )
    lib_problems: list[str] = []
    display_problems: list[str] = []
    missing: list[str] = []
    for name in order:
        libs = qt_libs.check_plugin(name, pyside, ldd) if pyside else qt_libs.PluginLibs(name, ())
        if not libs.present and not frozen:
            lib_problems.append(f"PySide6 has no '{name}' platform plugin")
            continue
        if libs.missing:
            missing.extend(s for s in libs.missing if s not in missing)
            lib_problems.append(f"the {name} plugin cannot find " + ", ".join(libs.missing))
            continue
        ok, said = display_for(name, env)
        if not ok:
            display_problems.append(f"the {name} plugin has no display: {said}")
            continue
        found = "all its libraries found" if libs.present else "its files were not checked"
        return Verdict(
            name,
            found=found + (f" ({libs.error})" if libs.error else ""),
            lib_problems=lib_problems,
            display_problems=display_problems,
            missing=missing,
            display=said,
            others=_others(order, pyside, ldd) if detail and pyside else [],
        )
    lib_fix = qt_libs.install_hint(missing, root=root, has_apt=has_apt) if missing else ""
    return Verdict(
        None,
        lib_problems=lib_problems,
        display_problems=display_problems,
        missing=missing,
        lib_fix=lib_fix,
    )


def _others(order: list[str], pyside: Path, ldd: Callable[[Path], qt_libs.LddReport]) -> list[str]:
    """The desktop plugins Qt was not asked for, with what they lack (for --doctor's detail)."""
    out = []
    for name in ("xcb", "wayland"):
        if name in order:
            continue
        libs = qt_libs.check_plugin(name, pyside, ldd)
        if libs.present:
            out.append(
                f"{name}: "
                + (
                    "all libraries found"
                    if not libs.missing
                    else "lacks "
                    + ", ".join(libs.missing)
                    + " ("
                    + qt_libs.install_hint(libs.missing)
                    + ")"
                )
            )
    return out
