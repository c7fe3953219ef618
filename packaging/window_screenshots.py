"""Screenshots of the Train and Translate tabs from a real window on a real X screen.

Run it under Xvfb (the xcb platform, not offscreen), once per screen size; the window fills the
screen as a maximised window would. It starts as a first run does (empty library, demo model,
welcome banner), translates an 11-word sentence with the demo model, then trains a tiny model on
the bundled sample corpus and shows the finished run. Each picture is the whole X screen
(ImageMagick's ``import -window root``), reduced to 256 colours to keep the PNG small.

    xvfb-run -a -s '-screen 0 1366x768x24' .venv/bin/python packaging/window_screenshots.py
    xvfb-run -a -s '-screen 0 2732x1536x24' env QT_SCALE_FACTOR=2 \\
        .venv/bin/python packaging/window_screenshots.py --tag 2732x1536-scale2
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SENTENCE = "I know that the woman drinks coffee in the garden today."  # 11 words


def wait_for(app, predicate, timeout_s: float) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        app.processEvents()
        if predicate():
            return True
        time.sleep(0.02)
    return False


def shoot(app, path: Path) -> None:
    """Let the window settle, then capture the whole X screen."""
    wait_for(app, lambda: False, 0.8)
    subprocess.run(["import", "-window", "root", "-colors", "256", f"PNG8:{path}"], check=True)
    print(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--tag", default="", help="file name suffix (default: the screen size)")
    parser.add_argument("--train-seconds", type=float, default=15.0)
    args = parser.parse_args(argv)
    if not os.environ.get("DISPLAY"):
        parser.error("no X display: run it under xvfb-run")
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ.setdefault("ATTNSCOPE_HOME", tempfile.mkdtemp(prefix="attnscope-window-"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from gui.app import create_window, ensure_app

    app = ensure_app()
    screen = app.primaryScreen()
    size = screen.size() * screen.devicePixelRatio()
    tag = args.tag or f"{size.width()}x{size.height()}"
    win = create_window()  # a first run: demo model, welcome banner
    win.setGeometry(screen.availableGeometry())
    win.show()
    wait_for(app, lambda: win.session.model_info is not None and win.session.state == "idle", 90)

    tp = win.translate_panel
    got = []
    win.session.translated.connect(got.append)
    win.tabs.setCurrentWidget(tp)
    tp.translate_text(SENTENCE)
    wait_for(app, lambda: bool(got), 60)
    tp.heatmap.select(5, None)
    shoot(app, out / f"translate-{tag}.png")

    panel = win.train_panel
    win.train_on_sample()  # what "Train on the sample corpus" does
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("tiny"))
    panel.epochs_spin.setValue(0)
    panel.budget_spin.setValue(args.train_seconds / 60)
    panel.name_edit.setText("sample en-de (tiny)")
    done = []
    win.session.trainFinished.connect(done.append)
    panel.start_training()
    wait_for(app, lambda: bool(done), args.train_seconds + 120)
    wait_for(app, lambda: win.session.state == "idle", 60)
    shoot(app, out / f"train-{tag}.png")

    win.auto_confirm = True
    win.close()
    wait_for(app, lambda: not win.session.is_running(), 10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
