"""``attnscope --doctor`` / ``attnscope-cli doctor``: what this machine gives Attnscope, line by
line.

Each check says ok or PROBLEM, what it found and, for a problem, the fix. Exit status 0 when all
is well, 1 otherwise. No Qt import (the Qt check asks ``core.system.qt_platform``), so it runs on a
machine where Qt cannot start — which is when it is needed most.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from core.paths import AppPaths
from core.system import qt_platform

MIN_FREE_BYTES = 1 << 30  # a model folder with checkpoints is tens of MB; leave room
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".pcf", ".pcf.gz", ".pfb", ".otb")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self, width: int = 14) -> str:
        text = f"{'ok' if self.ok else 'PROBLEM':<8} {self.name:<{width}} {self.detail}"
        return text + (f" — fix: {self.fix}" if self.fix and not self.ok else "")


def check_python() -> Check:
    v = sys.version_info
    ok = v >= (3, 10)
    return Check(
        "Python",
        ok,
        f"{platform.python_version()} ({sys.executable})",
        "" if ok else "install Python 3.10 or newer and run .ci/setup with it",
    )


def check_torch() -> list[Check]:
    """torch's version and build, the device ``auto`` would pick and why, bfloat16 on the CPU."""
    try:
        import torch
    except Exception as exc:  # noqa: BLE001 — a broken install can raise anything here
        fix = "bash .ci/setup (or: pip install 'torch>=2.6,<3')"
        return [Check("PyTorch", False, f"cannot import torch: {exc}", fix)]
    if torch.version.cuda:
        build = f"CUDA {torch.version.cuda}"
    elif getattr(torch.version, "hip", None):
        build = f"ROCm {torch.version.hip}"
    else:
        build = "CPU"
    checks = [Check("PyTorch", True, f"{torch.__version__} ({build} build)")]
    checks.append(Check("Device", True, _device_reason(torch, build)))
    checks.append(Check("bfloat16", True, _bf16_detail(torch)))
    return checks


def _device_reason(torch, build: str) -> str:
    if torch.cuda.is_available():
        return f"cuda: {torch.cuda.get_device_name(0)} (a CUDA GPU is visible to PyTorch)"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps: Apple's GPU (Metal) is available"
    cores = os.cpu_count() or 1
    if build == "CPU":
        why = "this is PyTorch's CPU build"
        if shutil.which("nvidia-smi"):
            why += (
                "; an NVIDIA GPU is present: pip install torch --index-url "
                "https://download.pytorch.org/whl/cu126 into .venv to use it"
            )
    else:
        why = f"the {build} build finds no usable GPU (driver missing or too old?)"
    return f"cpu ({cores} cores): {why}"


def _bf16_detail(torch) -> str:
    """Native bfloat16 makes ``--precision bf16`` faster; without it, fp32 is the better choice."""
    flags: set[str] = set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        pass
    native = sorted(flags & {"avx512_bf16", "amx_bf16"})
    if native:
        return (
            "the CPU computes in bfloat16 natively (" + ", ".join(native) + "): --precision "
            "bf16 is faster"
        )
    try:
        supported = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except Exception:  # noqa: BLE001 — a private probe; absent on some builds
        supported = False
    if supported:
        return "bfloat16 is supported by oneDNN on this CPU (AVX-512); --precision bf16 works"
    return "no bfloat16 units on this CPU: --precision bf16 works but is slower; keep fp32"


def check_qt(env: Mapping[str, str], verdict_fn: Callable[..., qt_platform.Verdict]) -> list[Check]:
    """Two lines: the platform plugin Qt would load (or what it lacks), and the display."""
    v = verdict_fn(env, detail=True)
    others = f"; other plugins — {'; '.join(v.others)}" if v.others else ""
    if v.ok:
        skipped = f" (Qt falls back past: {'; '.join(v.problems)})" if v.problems else ""
        qt = Check("Qt platform", True, f"{v.platform} would load — {v.found}{skipped}{others}")
    elif v.lib_problems:
        qt = Check("Qt platform", False, "; ".join(v.lib_problems), v.lib_fix)
    else:
        names = "/".join(qt_platform.candidates(env))
        qt = Check("Qt platform", True, f"{names}: all libraries found (see Display)")
    return [qt, _display_check(env, v)]


def _display_check(env: Mapping[str, str], v: qt_platform.Verdict) -> Check:
    """DISPLAY/WAYLAND_DISPLAY; an off-screen platform (CI) needs none, and the line says so."""
    shown = ", ".join(f"{k}={env[k]}" for k in ("DISPLAY", "WAYLAND_DISPLAY") if env.get(k))
    if v.display_problems:
        return Check("Display", False, "; ".join(v.display_problems), v.DISPLAY_FIX)
    if v.ok and v.platform not in ("xcb", "wayland", "native"):
        return Check("Display", True, f"{v.display}; {shown or 'no DISPLAY or WAYLAND_DISPLAY'}")
    if v.ok:
        return Check("Display", True, v.display)
    # no plugin loads for lack of libraries: still say whether a display is there
    ok, said = qt_platform.display_for(qt_platform.candidates(env)[0], env)
    return Check("Display", ok, said, "" if ok else v.DISPLAY_FIX)


def check_fonts(system: str = sys.platform, dirs: list[Path] | None = None) -> Check:
    """Qt on Linux draws text with the system's fonts (fontconfig); with none, text is blank."""
    if not system.startswith("linux"):
        return Check("Fonts", True, "the system's fonts")
    home = Path.home()
    dirs = (
        dirs
        if dirs is not None
        else [
            Path("/usr/share/fonts"),
            Path("/usr/local/share/fonts"),
            home / ".local/share/fonts",
            home / ".fonts",
        ]
    )
    for d in dirs:
        if not d.is_dir():
            continue
        for _root, _sub, files in os.walk(d):
            font = next((f for f in files if f.lower().endswith(FONT_SUFFIXES)), None)
            if font:
                return Check("Fonts", True, f"found in {d} (e.g. {font})")
    return Check(
        "Fonts",
        False,
        "no font files in " + ", ".join(str(d) for d in dirs),
        "sudo apt-get install fonts-dejavu-core",
    )


def check_writable(label: str, folder: Path) -> Check:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check(
            label,
            False,
            f"{folder} is not writable ({exc.strerror or exc})",
            f"make {folder} writable, or set ATTNSCOPE_HOME to a folder that is",
        )
    return Check(label, True, f"{folder} is writable")


def check_disk(folder: Path, minimum: int = MIN_FREE_BYTES) -> Check:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError as exc:
        return Check("Disk space", False, f"cannot read the free space of {probe}: {exc}")
    ok = free >= minimum
    return Check(
        "Disk space",
        ok,
        f"{free / 2**30:.1f} GB free for the model library ({probe})",
        ""
        if ok
        else f"free at least {minimum / 2**30:.0f} GB there, or set "
        "ATTNSCOPE_HOME to a roomier disk",
    )


def run_checks(
    env: Mapping[str, str] | None = None,
    verdict_fn: Callable[..., qt_platform.Verdict] = qt_platform.verdict,
) -> list[Check]:
    env = os.environ if env is None else env
    paths = AppPaths.default()
    return [
        check_python(),
        *check_torch(),
        *check_qt(env, verdict_fn),
        check_fonts(),
        check_writable("Models folder", paths.models),
        check_writable("Config folder", paths.config),
        check_writable("Log folder", paths.logs),
        check_disk(paths.models),
    ]


def report(checks: list[Check]) -> tuple[str, int]:
    """The printed report and the exit status (0: all ok, 1: some problem)."""
    problems = sum(not c.ok for c in checks)
    lines = [c.line() for c in checks]
    lines.append(
        "all ok"
        if not problems
        else f"{problems} problem{'s' if problems > 1 else ''}: see the fix on each line"
    )
    return "\n".join(lines), 0 if not problems else 1


def main(say: Callable[[str], None] = print) -> int:
    text, status = report(run_checks())
    say(text)
    return status
