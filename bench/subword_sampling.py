"""Subword regularisation: does sampling segmentations while training help a small corpus?

Sentencepiece can sample a segmentation of a sentence instead of giving its best one (Kudo 2018,
``enable_sampling``); trained on many segmentations of the same text, a model may generalise
better from little data. Every variant trains the real trainer for ``--epochs`` epochs of the
first ``--pairs`` training pairs (the same number of updates):

- ``plain``: the best segmentation every epoch (the default);
- ``sampled@α``: ``--subword-sampling α`` (``TrainConfig.subword_sampling``): each epoch in a new
  sampled segmentation (``nbest_size=-1``; smaller α is closer to uniform, more fragmented).

Only the training pairs are sampled: the dev set, probes and the test translations use the best
segmentation. Fixed updates, not a time budget, so a busy machine changes the wall time but not
the scores; the order of the variants rotates between seeds.

    nice -n 5 .venv/bin/python bench/subword_sampling.py --pairs 5000 --epochs 12 --seeds 1,2,3

(The figures in docs/benchmarks.md were taken before the trainer had the option, by this bench
at commit 6f5c184: the 5,000 pairs copied 12 times into one epoch, each copy sampled once.)

Prints per seed and variant: beam-5 BLEU/chrF on the test set and updates; then means and
standard deviations, and one JSON line with everything.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import DEFAULT_CORPUS, emit_json, loadavg, machine, print_table, read_lines

from core.config import TokenizerConfig, preset
from core.data.corpus import CorpusSpec
from core.decoding.translator import Translator
from core.evaluation.metrics import score
from core.training.run import train


def write(lines: list[str], path: Path) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def run_one(
    args: argparse.Namespace, files: dict[str, Path], variant: str, alpha: float, seed: int
) -> dict:
    p = preset(args.preset)
    cfg = p.train.replace(
        epochs=args.epochs,
        precision="fp32",
        num_threads=1,
        seed=seed,
        valid_every=args.valid_every,
        subword_sampling=alpha,
    )
    tok_cfg = TokenizerConfig(args.src, args.tgt, tokenization="subwords")
    spec = CorpusSpec(str(files["train_src"]), str(files["train_tgt"]))
    dev = CorpusSpec(str(files["dev_src"]), str(files["dev_tgt"]))
    out = files["work"] / f"{variant}-{seed}"
    t0 = time.monotonic()
    done = train(spec, out, p.model, tok_cfg, cfg, dev_spec=dev)
    wall = time.monotonic() - t0
    tr = Translator.load(out, "cpu")
    sources = files["test_src"].read_text(encoding="utf-8").splitlines()
    refs = files["test_tgt"].read_text(encoding="utf-8").splitlines()
    hyps = [t.text for t in tr.translate_batch(sources, beam=5)]
    s = score(hyps, refs)
    row = {
        "variant": variant,
        "seed": seed,
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


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--src", default="de")
    ap.add_argument("--tgt", default="en")
    ap.add_argument("--pairs", type=int, default=5000, help="the small corpus: first N pairs")
    ap.add_argument("--epochs", type=int, default=12, help="epochs of the small corpus")
    ap.add_argument("--alpha", default="0.2,0.5", help="sampling smoothness values (Kudo 2018)")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--preset", default="small")
    ap.add_argument("--valid-every", type=int, default=250)
    ap.add_argument("--dev-limit", type=int, default=500)
    ap.add_argument("--json-out", type=Path, default=None)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="attnscope-sampling-"))
    files: dict[str, Path] = {"work": work}
    for side, lang in (("src", args.src), ("tgt", args.tgt)):
        train = read_lines(args.corpus, "train", lang)[: args.pairs]
        files[f"train_{side}"] = write(train, work / f"train.{lang}")
        dev = read_lines(args.corpus, "val", lang)[: args.dev_limit]
        files[f"dev_{side}"] = write(dev, work / f"dev.{lang}")
        test = read_lines(args.corpus, "test_2016_flickr", lang)
        files[f"test_{side}"] = write(test, work / f"test.{lang}")

    load_start = loadavg()
    variants = {"plain": 0.0} | {f"sampled@{a}": float(a) for a in args.alpha.split(",")}
    rows = []
    for i, seed in enumerate(int(s) for s in args.seeds.split(",")):
        names = list(variants)
        for variant in names[i % len(names) :] + names[: i % len(names)]:  # rotate the order
            rows.append(run_one(args, files, variant, variants[variant], seed))
    summary = {}
    for variant in variants:
        mine = [r for r in rows if r["variant"] == variant]
        summary[variant] = {
            "test_bleu_b5": mean_sd([r["test_bleu_b5"] for r in mine]),
            "test_chrf_b5": mean_sd([r["test_chrf_b5"] for r in mine]),
        }
    print_table(
        f"Subword sampling: first {args.pairs} pairs, {args.epochs} epochs, {args.preset}, beam 5",
        ["variant", "seed", "updates", "dev BLEU", "test BLEU b5", "test chrF b5", "wall s"],
        [
            [r["variant"], r["seed"], r["updates"], r["best_dev_bleu"], r["test_bleu_b5"],
             r["test_chrf_b5"], r["train_wall_s"]]
            for r in rows
        ],
    )  # fmt: skip
    for variant, s in summary.items():
        print(f"{variant}: BLEU {s['test_bleu_b5']}, chrF {s['test_chrf_b5']} (mean ± sd)")
    emit_json(
        {
            "bench": "subword_sampling",
            "args": {k: str(v) for k, v in vars(args).items()},
            "rows": rows,
            "summary": summary,
            "load_start": load_start,
            "load_end": loadavg(),
            "machine": machine(),
        },
        args.json_out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
