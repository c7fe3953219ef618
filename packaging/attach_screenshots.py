"""Screenshots of the Train tab attached to a run of ``attnscope-cli train`` in another process,
and of its Command line page, from a real window on a real X screen.

It starts the CLI on the bundled en-de sample corpus (tiny preset), attaches the window to the
run's folder (File → Attach to a training…), waits for a few validations, shoots the tab, presses
Stop (the run saves and ends), shoots the ended run, then shows the Command line page.

    xvfb-run -a -s '-screen 0 1366x768x24' .venv/bin/python packaging/attach_screenshots.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from window_screenshots import shoot, wait_for  # noqa: E402  (packaging/window_screenshots.py)


def start_run(folder: Path) -> subprocess.Popen:
    tsv = ROOT / "resources" / "corpora" / "en-de.tsv"
    cmd = [
        sys.executable, "-m", "core", "train", "--train-tsv", str(tsv),
        "--src-lang", "en", "--tgt-lang", "de", "--out", str(folder), "--name", "server run",
        "--preset", "tiny", "--epochs", "0", "--time-budget", "600", "--valid-every", "60",
        "--threads", "1",
    ]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--validations", type=int, default=4)
    args = parser.parse_args(argv)
    if not os.environ.get("DISPLAY"):
        parser.error("no X display: run it under xvfb-run")
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ.setdefault("ATTNSCOPE_HOME", tempfile.mkdtemp(prefix="attnscope-window-"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="attnscope-remote-")) / "en-de-server-run"
    proc = start_run(folder)

    from core.storage.model_folder import read_history
    from gui.app import create_window, ensure_app

    app = ensure_app()
    screen = app.primaryScreen()
    size = screen.size() * screen.devicePixelRatio()
    tag = f"{size.width()}x{size.height()}"
    win = create_window()
    win.setGeometry(screen.availableGeometry())
    win.show()
    try:
        wait_for(app, lambda: (folder / "events.jsonl").is_file(), 120)
        win.attach_training(str(folder))
        panel = win.train_panel
        wait_for(app, lambda: len(read_history(folder)) >= args.validations, 600)
        wait_for(app, lambda: False, 1.5)
        shoot(app, out / f"train-attached-{tag}.png")
        panel.stop_training()
        proc.wait(timeout=120)
        wait_for(app, lambda: panel.attached.ended, 30)
        shoot(app, out / f"train-attached-ended-{tag}.png")
        panel.attached.detach()
        panel.set_files([str(ROOT / "resources" / "corpora" / "en-de.tsv")])
        panel.src_lang.setText("en")
        panel.tgt_lang.setText("de")
        panel.budget_spin.setValue(60)
        panel.name_edit.setText("en-de on the server")
        panel.right_tabs.setCurrentWidget(panel.command_view)
        panel.command_view.torchrun_radio.setChecked(True)
        shoot(app, out / f"train-command-line-{tag}.png")
    finally:
        if proc.poll() is None:
            proc.kill()
        win.auto_confirm = True
        win.close()
        wait_for(app, lambda: not win.session.is_running(), 10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
