"""Render the Transformer views of the inspector with a real model to docs/screenshots/:
the head grid (inspect-head-grid.png), the heads ranked by AER against a gold alignment
(inspect-head-aer.png) and the decoder's self-attention (inspect-self-attention.png), each also
at 1366×768 (…-1366x768.png).

The model is the tiny Transformer preset trained for ``--train-seconds`` on the demo corpus
(number words → the digits in reverse order), whose right alignment is known exactly: target
digit j comes from source word n−1−j. That gold line is pasted into the alignment tab, so the
ranking answers "which head aligns?" on a case where the answer can be checked by eye. Runs
offscreen; no display needed.

    python packaging/heads_screenshots.py [--out docs/screenshots] [--train-seconds 60]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from screenshots import pause as _pause  # noqa: E402  (packaging/screenshots.py)
from screenshots import wait_for as _wait  # noqa: E402

SIZES = {"": (1440, 900), "-1366x768": (1366, 768)}


def train_transformer(folder: Path, seconds: float) -> tuple[Path, str]:
    """The tiny Transformer on the demo corpus; returns the folder and the probe sentence."""
    from core.config import TokenizerConfig, preset
    from core.data.corpus import CorpusSpec
    from core.data.demo_corpus import write_demo_corpus
    from core.training.run import train

    folder.parent.mkdir(parents=True, exist_ok=True)
    tsv, probe = write_demo_corpus(folder.parent / "demo.tsv", n=3000)
    p = preset("tiny", arch="transformer")
    cfg = p.train.replace(epochs=0, time_budget_s=seconds, valid_every=200, num_threads=1)
    done = train(
        CorpusSpec(tsv_path=str(tsv)),
        folder,
        p.model,
        TokenizerConfig("en", "xx"),
        cfg,
        name="Tiny Transformer (reversed digits)",
    )
    print(f"trained {folder}: {done.status}, step {done.step}, best BLEU {done.best_bleu}")
    return folder, probe


def reversal_gold(sentence: str) -> str:
    """Pharaoh line of the demo task: source word i is target digit n−1−i."""
    n = len(sentence.split())
    return " ".join(f"{i}-{n - 1 - i}" for i in range(n))


def shoot(app, win, sentence: str, out: Path, suffix: str) -> None:
    tp = win.translate_panel
    win.tabs.setCurrentWidget(tp)
    tp.beam_spin.setValue(4)
    got: list = []
    win.session.inspected.connect(got.append)
    tp.inspect_pair(sentence, "")
    _wait(app, lambda: bool(got), 60)
    _pause(app, 0.5)
    ins = tp.inspector_tabs

    def to_tab(title: str) -> None:
        for i in range(ins.count()):
            if ins.tabText(i).replace("&&", "&") == title:
                ins.setCurrentIndex(i)
        _pause(app, 0.4)

    to_tab("Heads")
    win.grab().save(str(out / f"inspect-head-grid{suffix}.png"))
    to_tab("Alignment lines")
    tp.alignment_view.gold_edit.setText(reversal_gold(sentence))
    _pause(app, 0.3)
    ranking = ins.alignment_panel.ranking
    if ranking.ranking:
        ranking.headClicked.emit(ranking.ranking[0].choice)  # show the best head's lines
    _pause(app, 0.4)
    win.grab().save(str(out / f"inspect-head-aer{suffix}.png"))
    if suffix == "":
        to_tab("Self-attention")
        ins.self_attention.decoder_button.click()
        _pause(app, 0.4)
        win.grab().save(str(out / "inspect-self-attention.png"))
        ins.self_attention.encoder_button.click()
    tp.alignment_view.gold_edit.clear()
    win.session.inspected.disconnect(got.append)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--train-seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="attnscope-heads-shots-"))
    os.environ["ATTNSCOPE_HOME"] = str(home)
    model, probe = train_transformer(home / "models" / "tiny-transformer", args.train_seconds)

    from gui.app import create_window, ensure_app

    app = ensure_app()
    win = create_window(str(model), first_run=False)
    win.show()
    _wait(app, lambda: win.session.model_info is not None and win.session.state == "idle", 60)
    for suffix, size in SIZES.items():
        win.resize(*size)
        _pause(app, 0.3)
        shoot(app, win, probe, out, suffix)
    win.close()
    _wait(app, lambda: not win.session.is_running(), 10)
    for p in sorted(out.glob("inspect-head*.png")) + [out / "inspect-self-attention.png"]:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
