"""Render every screen of the app with real content to docs/screenshots/*.png.

Starts as a first run does (empty library: the shipped demo model opens and the welcome panel
shows), translates the suggested sentence (welcome.png) and opens Help → About (about.png). Then
trains a tiny real model on the generated demo corpus (number words → reversed digits) and
drives the window: the corpus preview, the live training dashboard, translation with a 25-token
sentence and its heatmap, and the model library. Runs offscreen; no display needed.

    python packaging/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def wait_for(app, predicate, timeout_s: float) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        app.processEvents()
        if predicate():
            return True
        time.sleep(0.02)
    return False


def pause(app, seconds: float) -> None:
    wait_for(app, lambda: False, seconds)


def write_corpora(home: Path) -> tuple[Path, str]:
    """The demo corpus (number words → reversed digits) as two line-aligned files, as a user
    would pick them; returns their folder and the probe sentence."""
    from core.data.demo_corpus import write_demo_corpus

    corpus_dir = home / "corpus"
    corpus_dir.mkdir()
    tsv, probe = write_demo_corpus(corpus_dir / "numbers.tsv", n=3000)
    src_lines, tgt_lines = zip(
        *(line.split("\t") for line in tsv.read_text(encoding="utf-8").splitlines())
    )
    (corpus_dir / "numbers.en").write_text("\n".join(src_lines) + "\n", encoding="utf-8")
    (corpus_dir / "numbers.digits").write_text("\n".join(tgt_lines) + "\n", encoding="utf-8")
    return corpus_dir, probe


def shoot_first_run(app, win, out: Path) -> None:
    """welcome.png (the suggested sentence translated by the demo model) and about.png."""
    wait_for(app, lambda: win.session.model_info is not None and win.session.state == "idle", 60)
    got = []
    win.session.translated.connect(got.append)
    win.welcome.translate_button.click()
    wait_for(app, lambda: bool(got), 60)
    pause(app, 0.5)
    win.grab().save(str(out / "welcome.png"))

    about = win.show_about()
    pause(app, 0.5)
    about.grab().save(str(out / "about.png"))
    about.close()
    win.welcome.setVisible(False)
    pause(app, 0.3)


def shoot_training(
    app, win, corpus_dir: Path, probe: str, train_seconds: float, out: Path
) -> str | None:
    """train-preview.png and train-dashboard.png; returns the trained model's folder (None if
    training did not finish in time)."""
    panel = win.train_panel
    panel.set_files([str(corpus_dir / "numbers.en"), str(corpus_dir / "numbers.digits")])
    panel.src_lang.setText("en")
    panel.tgt_lang.setText("digits")
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("tiny"))
    panel.hidden_spin.setValue(128)
    panel.epochs_spin.setValue(0)
    panel.budget_spin.setValue(train_seconds / 60)
    panel.valid_spin.setValue(60)
    panel.probe_edit.setPlainText(probe)
    panel.name_edit.setText("number words → digits")
    win.tabs.setCurrentWidget(panel)
    panel.request_preview()
    wait_for(app, lambda: panel.preview_table.rowCount() > 0, 60)
    pause(app, 0.3)
    win.grab().save(str(out / "train-preview.png"))

    panel.start_training()
    done = []
    win.session.trainFinished.connect(done.append)
    wait_for(app, lambda: bool(done), train_seconds + 240)  # subword set-up is slow on a busy CPU
    wait_for(app, lambda: not win.session.training, 120)
    pause(app, 0.5)
    win.tabs.setCurrentWidget(panel)
    panel.right_tabs.setCurrentIndex(1)
    pause(app, 0.3)
    win.grab().save(str(out / "train-dashboard.png"))
    return done[0].model_dir if done else None


def shoot_translation(app, win, model_dir: str, out: Path) -> None:
    """translate-heatmap.png and heatmap-25-tokens.png: a 25-token sentence, beam 4."""
    from core.data.demo_corpus import WORDS

    loaded = []
    win.session.modelLoaded.connect(loaded.append)
    win.open_model(model_dir)
    wait_for(app, lambda: bool(loaded), 60)
    tp = win.translate_panel
    digits = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4]
    sentence = " ".join(WORDS[d] for d in digits)  # 24 words + </s> = 25 tokens
    tp.beam_spin.setValue(4)
    tp.nbest_spin.setValue(4)
    tp.source_edit.setPlainText(sentence)
    got = []
    win.session.translated.connect(got.append)
    tp.translate_now()
    wait_for(app, lambda: bool(got), 60)
    pause(app, 0.5)
    tp.heatmap.select(5, None)
    pause(app, 0.3)
    win.grab().save(str(out / "translate-heatmap.png"))
    tp.heatmap.export_png(out / "heatmap-25-tokens.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--train-seconds", type=float, default=25.0)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="attnscope-shots-"))
    os.environ["ATTNSCOPE_HOME"] = str(home)
    corpus_dir, probe = write_corpora(home)

    from gui.app import create_window, ensure_app

    app = ensure_app()
    win = create_window()  # a first run: the demo model opens, the welcome shows
    win.resize(1440, 900)
    win.show()
    shoot_first_run(app, win, out)
    model_dir = shoot_training(app, win, corpus_dir, probe, args.train_seconds, out)
    if model_dir:
        shoot_translation(app, win, model_dir, out)

    win.tabs.setCurrentWidget(win.library_panel)
    win.library_panel.refresh()
    pause(app, 0.3)
    win.grab().save(str(out / "models.png"))
    win.close()
    wait_for(app, lambda: not win.session.is_running(), 10)
    for p in sorted(out.glob("*.png")):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
