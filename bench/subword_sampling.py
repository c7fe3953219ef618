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
import sys
import tempfile
from pathlib import Path

from common import DEFAULT_CORPUS, loadavg
from fixed_updates import corpus_files, report, train_and_score

from core.config import TokenizerConfig, preset


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
    files = corpus_files(args.corpus, args.src, args.tgt, work, args.pairs, args.dev_limit)
    load_start = loadavg()
    p = preset(args.preset)
    tok_cfg = TokenizerConfig(args.src, args.tgt, tokenization="subwords")
    variants = {"plain": 0.0} | {f"sampled@{a}": float(a) for a in args.alpha.split(",")}
    rows = []
    for i, seed in enumerate(int(s) for s in args.seeds.split(",")):
        names = list(variants)
        for variant in names[i % len(names) :] + names[: i % len(names)]:  # rotate the order
            cfg = p.train.replace(
                epochs=args.epochs,
                precision="fp32",
                num_threads=1,
                seed=seed,
                valid_every=args.valid_every,
                subword_sampling=variants[variant],
            )
            label = {"variant": variant, "seed": seed}
            rows.append(train_and_score(files, f"{variant}-{seed}", p.model, tok_cfg, cfg, label))
    title = (
        f"Subword sampling: first {args.pairs} pairs, {args.epochs} epochs, {args.preset}, beam 5"
    )
    report("subword_sampling", title, "variant", rows, args, load_start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
