"""Run a snippet in a fresh interpreter (from the repository root) and report which of the named
modules it imported: what a process pays for is only visible in one that starts clean."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_after(code: str, modules: Iterable[str], timeout: float = 300) -> list[str]:
    """Which of ``modules`` are in ``sys.modules`` once ``code`` has run (sorted); the snippet
    must succeed."""
    names = sorted(modules)
    probe = f"\nimport json, sys\nprint(json.dumps([m for m in {names!r} if m in sys.modules]))\n"
    out = subprocess.run(
        [sys.executable, "-c", code + probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])
