"""Render the inspection views of the app with real models to docs/screenshots/inspect-*.png.

The walk-through in docs/inspect.md uses these. Translate & inspect (heatmap, beam tree, your
translation, what-if, alignment lines, statistics) and the dev set browser run on the shipped demo
model; the timeline and the comparison need a model with a training history, so the script first
trains the "small" preset on the sample English–German corpus for ``--train-seconds`` (one thread,
a validation every 100 updates) into a temporary folder. Runs offscreen; no display needed.

    python packaging/inspect_screenshots.py [--out docs/screenshots] [--train-seconds 150]
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

SENTENCE = "I know that the woman drinks coffee."
REFERENCE = "Ich weiß, dass die Frau Kaffee trinkt."


def train_history_model(folder: Path, seconds: float) -> Path:
    """A small model with several validations (probe timeline) and checkpoints."""
    from core.config import TokenizerConfig, preset
    from core.data.corpus import CorpusSpec
    from core.resources import sample_corpus
    from core.training.run import train

    p = preset("small")
    cfg = p.train.replace(
        epochs=0, time_budget_s=seconds, valid_every=100, num_threads=1, keep_last=3
    )
    done = train(
        CorpusSpec(tsv_path=str(sample_corpus("en-de"))),
        folder,
        p.model,
        TokenizerConfig("en", "de"),
        cfg,
        name="Small English→German (2.5 min)",
    )
    print(f"trained {folder}: {done.status}, step {done.step}, best BLEU {done.best_bleu}")
    return folder


def shoot_inspector(app, win, out: Path) -> None:
    """Translate & inspect on the demo model: heatmap, beam tree, your translation, alignment
    lines and what-if (inspect-*.png)."""
    from core.inspection.word_merge import to_words
    from core.inspection.word_tree import words_inspection

    tp = win.translate_panel
    win.tabs.setCurrentWidget(tp)
    tp.beam_spin.setValue(4)
    tp.nbest_spin.setValue(4)
    got: list = []
    win.session.inspected.connect(got.append)
    tp.inspect_pair(SENTENCE, REFERENCE)
    _wait(app, lambda: bool(got), 60)
    _pause(app, 0.5)
    ins = got[-1]

    def shot(tab: str, name: str) -> None:
        for i in range(tp.inspector_tabs.count()):
            if tp.inspector_tabs.tabText(i).replace("&&", "&") == tab:
                tp.inspector_tabs.setCurrentIndex(i)
        _pause(app, 0.4)
        win.grab().save(str(out / name))

    # the views show words (the demo is a subword model; Words is the default mode)
    best = to_words(ins.hypotheses[0])
    # the verb's place: the last word before the closing punctuation and </s>
    last = len(best.target_tokens) - (3 if best.target_tokens[-2] == "." else 2)
    tp.heatmap.select(last, None)
    shot("Heatmap & statistics", "inspect-heatmap.png")
    words = words_inspection(ins)
    verb = next(
        (
            n
            for n in words.tree.nodes
            if words.node_tokens[n.id] == "trinkt" and words.node_tokens[n.parent] == "Kaffee"
        ),
        None,
    )
    shot("Beam tree", "inspect-beam-tree.png")  # shown first: the view sizes itself to the tab
    if verb is not None:
        tp.tree_view.select_node(verb.id)
    shot("Beam tree", "inspect-beam-tree.png")
    shot("Your translation", "inspect-your-translation.png")
    # a hand-made gold alignment in words (I know that the woman drinks coffee . → Ich weiß ,
    # dass die Frau Kaffeet .): "Kaffeet" to "coffee", and possibly to "drinks"; the comma
    # possibly to "that"
    tp.alignment_view.gold_edit.setText("0-0 1-1 2?2 2-3 3-4 4-5 6-6 5?6 7-7")
    shot("Alignment lines", "inspect-alignment.png")

    column = best.source_tokens.index("drinks")
    tp.what_if_view.original_heatmap.select(last, column)
    tp.what_if_view.redecode_button.click()
    what_if = win.session.latest_job("what-if")
    _wait(app, lambda: what_if.status == "done", 60)
    shot("What if…", "inspect-what-if.png")


def shoot_dev_set(app, win, out: Path) -> None:
    """The dev set browser on the demo model, worst sentences first (inspect-dev-set.png)."""
    dev = win.dev_panel
    win.tabs.setCurrentWidget(dev)
    _wait(app, lambda: bool(dev.pairs), 30)
    dev.translate_dev_set()
    dev_job = win.session.latest_job("dev")
    _wait(app, lambda: dev_job.status == "done", 120)
    _pause(app, 0.5)  # the panel sorts by chrF, weakest first, when results arrive
    win.grab().save(str(out / "inspect-dev-set.png"))


def shoot_history(app, win, small: Path, out: Path) -> None:
    """The model with a training history: its timeline, and its comparison with the demo model
    (inspect-timeline.png, inspect-compare.png)."""
    from core.resources import demo_model_dir

    win.open_model(str(small))
    _wait(
        app,
        lambda: (
            win.session.model_info is not None
            and Path(win.session.model_info.path) == small
            and win.session.state == "idle"
        ),
        60,
    )
    tl = win.timeline_panel
    win.tabs.setCurrentWidget(tl)
    _wait(app, lambda: len(tl.series) > 1, 30)
    tl.select(0, len(tl.series) - 1, 0)
    _pause(app, 0.5)
    win.grab().save(str(out / "inspect-timeline.png"))

    cp = win.compare_panel
    win.tabs.setCurrentWidget(cp)
    _pause(app, 0.3)
    cp.picker_a.set_model(str(small))
    cp.picker_b.set_model(str(demo_model_dir()))
    compared: list = []
    cp.compared.connect(compared.append)
    cp.compare_text("The old baker goes to the beach.")
    _wait(app, lambda: bool(compared), 60)
    _pause(app, 0.5)
    win.grab().save(str(out / "inspect-compare.png"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--train-seconds", type=float, default=150.0)
    parser.add_argument(
        "--history-model",
        help="use this model folder (with probes.jsonl) for the "
        "timeline and the comparison instead of training one",
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="attnscope-inspect-shots-"))
    os.environ["ATTNSCOPE_HOME"] = str(home)
    small = (
        Path(args.history_model)
        if args.history_model
        else train_history_model(home / "models" / "small-en-de", args.train_seconds)
    )

    from core.resources import demo_model_dir
    from gui.app import create_window, ensure_app

    app = ensure_app()
    win = create_window(str(demo_model_dir()), first_run=False)
    win.resize(1440, 900)
    win.show()
    _wait(app, lambda: win.session.model_info is not None and win.session.state == "idle", 60)
    shoot_inspector(app, win, out)
    shoot_dev_set(app, win, out)
    shoot_history(app, win, small, out)

    win.close()
    _wait(app, lambda: not win.session.is_running(), 10)
    for p in sorted(out.glob("inspect-*.png")):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
