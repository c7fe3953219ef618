"""``attnscope --self-test`` / ``attnscope-cli --self-test``: check a bundle without a display.

Imports core, torch, PySide6 and the GUI modules, finds the bundled resources, renders the SVG icon
through Qt's plugin, trains a tiny model for a few updates and translates with it, and translates
with the bundled demo model when there is one. Prints one line per check and returns 0 when all
pass. Runs from a source checkout too
(``PYTHONPATH=. python packaging/pyinstaller/launch_attnscope.py --self-test``), which is how
tests/packaging/test_bundle.py keeps it working between bundle builds.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable


def _versions() -> str:
    import PySide6
    import torch

    import core

    return (
        f"attnscope {core.__version__}, torch {torch.__version__}, PySide6 {PySide6.__version__}, "
        f"python {sys.version.split()[0]}, frozen={getattr(sys, 'frozen', False)}"
    )


def _torch_ops() -> str:
    import torch

    gru = torch.nn.GRU(8, 16, batch_first=True, bidirectional=True)
    out, _ = gru(torch.randn(2, 5, 8))
    out.sum().backward()
    torch.optim.Adam(gru.parameters()).step()
    return f"GRU forward/backward/Adam ok, output {tuple(out.shape)}"


def _resources() -> str:
    from core.resources import demo_model_dir, icon_path, resource_path, sample_corpora

    missing = [p for p in (icon_path(), icon_path(256)) if not p.is_file()]
    if missing:
        raise FileNotFoundError(missing)
    return (
        f"{resource_path()}; corpora {sample_corpora() or 'none'}; "
        f"demo model {demo_model_dir() or 'none'}"
    )


def _qt_icon() -> str:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from core.resources import icon_path

    app = QApplication.instance() or QApplication([sys.argv[0]])  # noqa: F841 (kept alive)
    pixmap = QIcon(str(icon_path())).pixmap(64, 64)
    if pixmap.isNull():
        raise RuntimeError("the SVG icon did not render (Qt's svg plugins missing?)")
    return f"platform {QApplication.platformName()}, SVG icon {pixmap.width()}x{pixmap.height()}"


def _gui_modules() -> str:
    import pyqtgraph

    import gui.app
    import gui.main_window  # noqa: F401

    return f"gui.app, gui.main_window, pyqtgraph {pyqtgraph.__version__}"


def _train_and_translate(steps: int = 20) -> str:
    from core.cli import main as cli_main

    with tempfile.TemporaryDirectory(prefix="attnscope-selftest-") as tmp:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            status = cli_main(["demo", "--steps", str(steps), "--out", os.path.join(tmp, "m")])
        if status != 0:
            raise RuntimeError(f"demo exited {status}: {buf.getvalue()[-500:]}")
    arrow = [line for line in buf.getvalue().splitlines() if line.startswith("→")]
    return f"trained {steps} updates and translated ({arrow[0] if arrow else 'no output'})"


def _demo_model() -> str:
    from core.decoding.translator import Translator
    from core.resources import demo_model_dir

    folder = demo_model_dir()
    if folder is None:
        return "not shipped (skipped)"
    text = "The cat sleeps in the garden."
    return f"{text!r} → {Translator.load(folder, device='cpu').translate(text)[0].text!r}"


CHECKS: list[tuple[str, Callable[[], str]]] = [
    ("versions", _versions),
    ("torch", _torch_ops),
    ("resources", _resources),
    ("qt", _qt_icon),
    ("gui", _gui_modules),
    ("train+translate", _train_and_translate),
    ("demo model", _demo_model),
]


def run() -> int:
    """Run every check, print one line each, return the exit status (0: all passed)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if sys.stdout is None:  # a windowed program: nowhere to print
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - open for the process
    start = time.perf_counter()
    failures = 0
    for name, check in CHECKS:
        try:
            print(f"ok   {name}: {check()}", flush=True)
        except BaseException as exc:  # noqa: BLE001 -- report every failure, keep going
            failures += 1
            print(f"FAIL {name}: {type(exc).__name__}: {exc}", flush=True)
    verdict = "passed" if not failures else f"FAILED ({failures} of {len(CHECKS)})"
    print(f"self-test {verdict} in {time.perf_counter() - start:.1f} s", flush=True)
    return 1 if failures else 0
