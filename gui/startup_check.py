"""Before the ``QApplication``: can Qt start here? When it cannot, say why instead of aborting.

Qt answers a platform plugin that will not load, or a display it cannot reach, with SIGABRT —
and a launch from the desktop has no terminal, so the user sees nothing at all. The launcher
asks ``core.system.qt_platform`` first (no Qt import here) and, on a failure, prints the reason
and the fix to stderr, writes them to the log, shows them with whatever the desktop offers and exits
with ``EXIT_QT_CANNOT_START``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.system import qt_platform

EXIT_QT_CANNOT_START = 3
NOTIFIERS = ("notify-send", "zenity", "kdialog", "xmessage", "osascript")  # first that exists
TITLE = "Attnscope cannot start"


@dataclass(frozen=True)
class StartupFailure:
    reason: str
    fix: str

    def message(self, log_file: Path | None = None) -> str:
        lines = [f"{TITLE}: {self.reason}"]
        if self.fix:
            lines.append(f"To fix it: {self.fix}")
        lines.append("Check everything with: attnscope --doctor")
        if log_file is not None:
            lines.append(f"(also written to {log_file})")
        return "\n".join(lines)


def platform_failure(
    check: Callable[[], qt_platform.Verdict] | None = None,
) -> StartupFailure | None:
    """None when Qt would find a platform plugin and its display, else what stops it."""
    try:
        v = (check or qt_platform.verdict)()
    except Exception as exc:  # noqa: BLE001 — a failed check must not stop a working Qt
        import logging

        logging.getLogger("attnscope").warning("the platform check failed: %s", exc)
        return None
    if v.ok:
        return None
    return StartupFailure(v.reason().removeprefix("Qt cannot start: "), v.fix)


def launched_from_desktop(stream=None) -> bool:
    """No terminal on stderr: a menu entry, a file manager or a double-click started us."""
    stream = sys.stderr if stream is None else stream
    try:
        return stream is None or not stream.isatty()
    except (AttributeError, ValueError, OSError):
        return True


def notifier_command(
    text: str, which: Callable[[str], str | None] = shutil.which
) -> list[str] | None:
    """The command that shows ``text`` with the first desktop notifier that exists."""
    for name in NOTIFIERS:
        exe = which(name)
        if exe is None:
            continue
        if name == "notify-send":
            return [exe, "--app-name=Attnscope", "--urgency=critical", TITLE, text]
        if name == "zenity":
            return [exe, "--error", "--no-markup", f"--title={TITLE}", f"--text={text}"]
        if name == "kdialog":
            return [exe, "--title", TITLE, "--error", text]
        if name == "xmessage":
            return [exe, "-center", f"{TITLE}\n\n{text}"]
        quoted = text.replace("\\", "\\\\").replace('"', '\\"')  # macOS
        return [exe, "-e", f'display alert "{TITLE}" message "{quoted}" as critical']
    return None


def show_on_desktop(
    text: str,
    which: Callable[[str], str | None] = shutil.which,
    popen: Callable[..., object] = subprocess.Popen,
) -> str | None:
    """Start the notifier without waiting for it (a dialog blocks until closed); its name."""
    cmd = notifier_command(text, which)
    if cmd is None:
        return _windows_message_box(text)
    try:
        popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        return None
    return Path(cmd[0]).name


def _windows_message_box(text: str) -> str | None:
    """Windows has none of the notifier commands; its message box needs no extra program."""
    if sys.platform != "win32":
        return None
    import ctypes

    ctypes.windll.user32.MessageBoxW(None, text, TITLE, 0x10)  # MB_ICONERROR; waits for OK
    return "MessageBox"


def tell(
    failure: StartupFailure,
    log_file: Path | None,
    *,
    desktop: bool | None = None,
    which: Callable[[str], str | None] = shutil.which,
    popen: Callable[..., object] = subprocess.Popen,
) -> list[str]:
    """Print to stderr, and on a desktop launch also show it; where it went (for tests)."""
    text = failure.message(log_file)
    told: list[str] = []
    if sys.stderr is not None:
        try:
            sys.stderr.write(text + "\n")
            sys.stderr.flush()
            told.append("stderr")
        except (OSError, ValueError):
            pass
    if launched_from_desktop() if desktop is None else desktop:
        shown = show_on_desktop(failure.message(), which, popen)
        if shown:
            told.append(shown)
    return told


def import_failure(exc: BaseException) -> StartupFailure:
    """PySide6 itself fails to load (a library the ``ldd`` check could not see)."""
    return StartupFailure(
        f"PySide6 cannot be loaded: {exc}",
        "bash .ci/setup (it installs what Qt needs), then attnscope --doctor",
    )
