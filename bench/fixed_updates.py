"""Runs that train for a fixed number of updates and are then scored, for benches whose answer is
a score (does X cost or gain BLEU after the same updates?), not a speed. A busy machine changes
their wall time but not their scores, so they stay meaningful on a shared machine.

Used by ``precision_seeds.py`` (and by the subword-sampling bench until the option was removed):
the corpus files, one run (train, then beam-5 BLEU/chrF on the test set with the run's best
checkpoint), and the report (a table, mean ± standard deviation per variant, one JSON line).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

from common import emit_json, loadavg, machine, print_table, read_lines

SCORES = ("test_bleu_b5", "test_chrf_b5", "best_dev_bleu")


def write(lines: list[str], path: Path) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def corpus_files(
    corpus: Path, src: str, tgt: str, work: Path, train_limit: int = 0, dev_limit: int = 500
) -> dict[str, Path]:
    """train/dev/test files of both languages in ``work`` (the first ``train_limit`` training
    pairs when given, the first ``dev_limit`` dev pairs, the whole test set)."""
    files: dict[str, Path] = {"work": work}
    for side, lang in (("src", src), ("tgt", tgt)):
        train = read_lines(corpus, "train", lang)
        files[f"train_{side}"] = write(train[:train_limit] if train_limit else train,
                                       work / f"train.{lang}")  # fmt: skip
        files[f"dev_{side}"] = write(
            read_lines(corpus, "val", lang)[:dev_limit], work / f"dev.{lang}"
        )
        files[f"test_{side}"] = write(
            read_lines(corpus, "test_2016_flickr", lang), work / f"test.{lang}"
        )
    return files


def train_and_score(
    files: dict[str, Path], name: str, model_cfg, tok_cfg, cfg, label: dict[str, Any]
) -> dict[str, Any]:
    """Train into ``files["work"] / name``, score the best checkpoint; the row starts with
    ``label`` (which variant, which seed)."""
    from core.data.corpus import CorpusSpec
    from core.decoding.translator import Translator
    from core.evaluation.metrics import score
    from core.training.run import train

    out = files["work"] / name
    t0 = time.monotonic()
    done = train(
        CorpusSpec(str(files["train_src"]), str(files["train_tgt"])),
        out,
        model_cfg,
        tok_cfg,
        cfg,
        dev_spec=CorpusSpec(str(files["dev_src"]), str(files["dev_tgt"])),
    )
    wall = time.monotonic() - t0
    tr = Translator.load(out, "cpu")
    sources = files["test_src"].read_text(encoding="utf-8").splitlines()
    refs = files["test_tgt"].read_text(encoding="utf-8").splitlines()
    s = score([t.text for t in tr.translate_batch(sources, beam=5)], refs)
    row = {
        **label,
        "updates": done.step,
        "best_dev_bleu": round(done.best_bleu or 0.0, 2),
        "test_bleu_b5": round(s.bleu, 2),
        "test_chrf_b5": round(s.chrf, 2),
        "train_wall_s": round(wall, 1),
        "load": loadavg()[0],
    }
    print(row, file=sys.stderr, flush=True)
    return row


def mean_sd(values: list[float]) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.2f} ± {sd:.2f}"


def report(
    bench: str, title: str, key: str, rows: list[dict], args, load_start: list[float]
) -> None:
    """The table of ``rows``, mean ± sd of each score per ``row[key]``, and the JSON line."""
    variants = list(dict.fromkeys(r[key] for r in rows))
    summary = {
        v: {s: mean_sd([r[s] for r in rows if r[key] == v]) for s in SCORES} for v in variants
    }
    print_table(
        title,
        [key, "seed", "updates", "dev BLEU", "test BLEU b5", "test chrF b5", "wall s"],
        [
            [r[key], r["seed"], r["updates"], r["best_dev_bleu"], r["test_bleu_b5"],
             r["test_chrf_b5"], r["train_wall_s"]]
            for r in rows
        ],
    )  # fmt: skip
    for v, s in summary.items():
        print(f"{v}: test BLEU {s['test_bleu_b5']}, chrF {s['test_chrf_b5']} (mean ± sd)")
    emit_json(
        {
            "bench": bench,
            "args": {k: str(v) for k, v in vars(args).items()},
            "rows": rows,
            "summary": summary,
            "load_start": load_start,
            "load_end": loadavg(),
            "machine": machine(),
        },
        args.json_out,
    )
