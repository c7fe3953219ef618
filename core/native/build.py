"""Compiles ``kernels.c`` for this machine on first use and loads it, or says why not.

The library is built with the system's C compiler (``cc``, or ``$CC``) for the CPU it runs on
(``-march=native``) and cached in the user's cache folder under a name made from the source,
the compiler and the CPU's features, so a home folder shared between machines never loads a
library built for another CPU, and an edited source is rebuilt. It links OpenMP by its usual
name (``libgomp.so.1``), so it shares the runtime PyTorch has already loaded and runs on the
same threads. Linux only; anywhere else, or without a compiler, the callers use their PyTorch
code.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SOURCE = Path(__file__).with_name("kernels.c")
#: the kernels' interface version; the library must report the same
VERSION = 7
#: -march=native: this CPU's vector instructions; on x86-64, 512-bit vectors where it has them
#: (the attention's sigmoids ran 1.4× faster on a Xeon with them than with GCC's default 256)
FLAGS = ("-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", "-std=c11") + (
    ("-mprefer-vector-width=512",) if platform.machine() in ("x86_64", "AMD64") else ()
)


class BuildError(RuntimeError):
    """Why the kernels cannot be used here, in words for a report."""


def _compiler() -> str:
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        raise BuildError("no C compiler found (cc, gcc or $CC)")
    return cc


def _cpu_features() -> str:
    """The CPU's model and feature flags: -march=native code runs only where these match."""
    try:
        text = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return platform.processor()
    keep = [
        line
        for line in text.splitlines()
        if line.startswith(("flags", "model name", "vendor_id", "Features", "CPU part"))
    ]
    return "\n".join(sorted(set(keep)))


def _compiler_version(cc: str) -> str:
    try:
        done = subprocess.run(
            [cc, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise BuildError(f"the C compiler {cc} does not run: {exc}") from exc
    return done.stdout.splitlines()[0] if done.stdout else cc


def library_path(cache: Path, cc: str) -> Path:
    """Where the library for this source, compiler and CPU lives in ``cache``."""
    key = hashlib.sha256()
    try:
        source = SOURCE.read_bytes()
    except OSError as exc:
        raise BuildError(f"the kernels' source {SOURCE} cannot be read: {exc}") from exc
    for part in (source, _compiler_version(cc).encode(), _cpu_features().encode()):
        key.update(part)
        key.update(b"\0")
    key.update(" ".join(FLAGS).encode())
    return cache / "kernels" / f"attnscope-kernels-{key.hexdigest()[:20]}.so"


def build(cache: Path) -> Path:
    """The compiled library's path, compiling it first if this machine has no copy yet.
    Concurrent processes (the workers of a distributed run) each compile to a temporary file
    and rename it into place, so none loads a half-written library."""
    if not sys.platform.startswith("linux"):
        raise BuildError(f"the compiled kernels are built on Linux only (this is {sys.platform})")
    cc = _compiler()
    path = library_path(cache, cc)
    if path.exists():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix=".so", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise BuildError(f"cannot write the compiled kernels to {path.parent}: {exc}") from exc
    try:
        done = subprocess.run(
            [cc, *FLAGS, "-o", tmp, str(SOURCE), "-lm"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise BuildError(f"compiling {SOURCE.name} with {cc} failed: {last}")
        os.replace(tmp, path)
    except (OSError, subprocess.SubprocessError) as exc:
        raise BuildError(f"compiling {SOURCE.name} with {cc} failed: {exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def load(cache: Path) -> ctypes.CDLL:
    """The kernels, built if needed and loaded, their version checked."""
    path = build(cache)
    try:
        lib = ctypes.CDLL(str(path))
    except OSError as exc:
        raise BuildError(f"loading {path} failed: {exc}") from exc
    found = lib.attnscope_kernels_version()
    if found != VERSION:
        raise BuildError(f"{path} has kernels version {found}, expected {VERSION}")
    return lib
