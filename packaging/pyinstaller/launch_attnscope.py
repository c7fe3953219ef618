"""Entry point of the frozen app: ``attnscope [MODEL_FOLDER]`` starts the desktop app.

``attnscope --self-test`` checks the bundle without a display: it imports core, torch, PySide6
and the GUI modules, finds the bundled resources, renders the SVG icon, trains a tiny model for a
few updates and translates with it; it prints one line per check and exits 0 when all pass.
"""

import multiprocessing
import sys


def _self_test() -> int:
    import os
    import tempfile
    import time

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if sys.stdout is None:                                # windowed build: nowhere to print
        sys.stdout = sys.stderr = open(os.devnull, "w")
    start = time.perf_counter()
    failures = 0

    def check(name, fn):
        nonlocal failures
        try:
            detail = fn()
            print(f"ok   {name}: {detail}", flush=True)
        except BaseException as exc:  # noqa: BLE001 -- report everything, keep going
            failures += 1
            print(f"FAIL {name}: {type(exc).__name__}: {exc}", flush=True)

    def versions():
        import PySide6
        import torch

        import core
        return (f"attnscope {core.__version__}, torch {torch.__version__}, "
                f"PySide6 {PySide6.__version__}, python {sys.version.split()[0]}, "
                f"frozen={getattr(sys, 'frozen', False)}")

    def torch_ops():
        import torch
        gru = torch.nn.GRU(8, 16, batch_first=True, bidirectional=True)
        out, _ = gru(torch.randn(2, 5, 8))
        out.sum().backward()
        torch.optim.Adam(gru.parameters()).step()
        return f"GRU forward/backward/Adam ok, output {tuple(out.shape)}"

    def resources():
        from core.resources import demo_model_dir, icon_path, resource_path, sample_corpora
        missing = [p for p in (icon_path(), icon_path(256)) if not p.is_file()]
        if missing:
            raise FileNotFoundError(missing)
        return (f"{resource_path()}; corpora {sample_corpora() or 'none'}; "
                f"demo model {demo_model_dir() or 'none'}")

    def qt_icon():
        from PySide6.QtGui import QIcon
        from PySide6.QtWidgets import QApplication

        from core.resources import icon_path
        app = QApplication.instance() or QApplication([sys.argv[0]])  # noqa: F841
        pixmap = QIcon(str(icon_path())).pixmap(64, 64)
        if pixmap.isNull():
            raise RuntimeError("the SVG icon did not render (qsvg plugin missing?)")
        return f"platform {QApplication.platformName()}, SVG icon {pixmap.width()}x{pixmap.height()}"

    def gui_modules():
        import gui.app  # noqa: F401
        import gui.main_window  # noqa: F401
        import pyqtgraph
        return f"gui.app, gui.main_window, pyqtgraph {pyqtgraph.__version__}"

    def tiny_training():
        import contextlib
        import io

        from core.cli import main as cli_main
        with tempfile.TemporaryDirectory(prefix="attnscope-selftest-") as tmp:
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                status = cli_main(["demo", "--steps", "20", "--out", os.path.join(tmp, "m")])
            if status != 0:
                raise RuntimeError(f"demo exited {status}: {buf.getvalue()[-500:]}")
        arrow = [line for line in buf.getvalue().splitlines() if line.startswith("→")]
        return f"trained 20 updates and translated ({arrow[0] if arrow else 'no output'})"

    for name, fn in [("versions", versions), ("torch", torch_ops), ("resources", resources),
                     ("qt", qt_icon), ("gui", gui_modules), ("train+translate", tiny_training)]:
        check(name, fn)
    print(f"self-test {'passed' if not failures else f'FAILED ({failures})'} "
          f"in {time.perf_counter() - start:.1f} s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    multiprocessing.freeze_support()
    if "--self-test" in sys.argv[1:]:
        raise SystemExit(_self_test())
    from gui.app import main

    raise SystemExit(main())
