"""Render the inspector's heatmap of a subword model in both modes of the Subwords | Words switch
to docs/screenshots/inspect-words.png and inspect-subwords.png, hovering a cell whose words are
made of several pieces (so the hover line shows the pieces and their own weights). Runs
offscreen; no display needed.

    python packaging/words_screenshots.py [--model DIR] [--sentence TEXT] [--out docs/screenshots]

The model defaults to the shipped demo model, which must be a subword model.
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

SENTENCE = "Nobody knows whether the police officer works on Saturday."  # Niemand = ▁N ie m and


def _split_cell(words) -> tuple[int, int]:
    """A (target word, source word) cell where both are made of several pieces if there is one,
    else the target word with the most pieces and the source word it attends to most."""
    t_sizes = [e - s for s, e in words.target_groups.spans]
    s_sizes = [e - s for s, e in words.source_groups.spans]
    row = max(range(len(t_sizes)), key=lambda i: (t_sizes[i] > 1, -i if t_sizes[i] > 1 else 0))
    cols = [j for j, n in enumerate(s_sizes) if n > 1 and words.source_tokens[j] != "</s>"]
    if cols:
        return row, max(cols, key=lambda j: float(words.attention[row, j]))
    return row, int(words.attention[row, :-1].argmax())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=None, help="a subword model folder (default: demo)")
    parser.add_argument("--sentence", default=SENTENCE)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ["ATTNSCOPE_HOME"] = tempfile.mkdtemp(prefix="attnscope-words-shot-")

    from core.inspection.word_merge import to_words
    from core.resources import demo_model_dir
    from gui.app import create_window, ensure_app

    app = ensure_app()
    win = create_window(args.model or str(demo_model_dir()), first_run=False)
    win.resize(1440, 860)
    win.show()
    _wait(app, lambda: win.session.model_info is not None and win.session.state == "idle", 60)
    if not win.session.words_mode.available:
        print(f"{args.model or 'the demo model'} is not a subword model", file=sys.stderr)
        return 1
    tp = win.translate_panel
    win.tabs.setCurrentWidget(tp)
    got: list = []
    win.session.inspected.connect(got.append)
    tp.translate_text(args.sentence)
    _wait(app, lambda: bool(got), 60)
    inspector = tp.inspector
    inspector.setCurrentIndex(0)
    best = got[-1].hypotheses[0]
    words = to_words(best)
    row, col = _split_cell(words)
    pieces_row = words.target_groups.spans[row][0]
    first, last = words.source_groups.spans[col]
    piece_row = best.attention[pieces_row, first:last]
    pieces_col = first + int(piece_row.argmax())  # the piece the hovered word's first piece reads
    shots = (
        (inspector.words_switch.words_button, row, col, "inspect-words.png"),
        (inspector.words_switch.subwords_button, pieces_row, pieces_col, "inspect-subwords.png"),
    )
    for button, r, c, name in shots:
        button.click()
        _pause(app, 0.5)
        inspector.heatmap.select(r, c)
        _pause(app, 0.3)
        win.grab().save(str(out / name))
        print(out / name, "—", inspector.heatmap.hover_text.replace("\n", " | "))
    win.close()
    win.session.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
