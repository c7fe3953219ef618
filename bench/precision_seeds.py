"""Does training in bfloat16 (what ``--precision auto`` chooses on a CPU where it is faster) cost
BLEU? The same run in fp32 and in bf16, for several seeds, the same number of updates each.

Fixed updates, not a time budget, so a busy machine changes the wall time but not the scores;
the order of the two formats alternates between seeds. Scores are beam-5 BLEU/chrF on the test
set with the run's best checkpoint (by dev BLEU), as every run picks it.

    nice -n 5 .venv/bin/python bench/precision_seeds.py --steps 1000 --seeds 1,2,3

Prints per seed and format: updates, best dev BLEU, test BLEU/chrF; then mean ± standard
deviation per format, and one JSON line with everything.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from common import DEFAULT_CORPUS, loadavg
from fixed_updates import corpus_files, report, train_and_score

from core.config import TokenizerConfig, preset

FORMATS = ("fp32", "bf16")


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--src", default="de")
    ap.add_argument("--tgt", default="en")
    ap.add_argument("--steps", type=int, default=1000, help="updates per run")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--preset", default="small")
    ap.add_argument("--valid-every", type=int, default=250)
    ap.add_argument("--dev-limit", type=int, default=500)
    ap.add_argument("--json-out", type=Path, default=None)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="attnscope-precision-"))
    files = corpus_files(args.corpus, args.src, args.tgt, work, dev_limit=args.dev_limit)
    load_start = loadavg()
    p = preset(args.preset)
    rows = []
    for i, seed in enumerate(int(s) for s in args.seeds.split(",")):
        for fmt in FORMATS if i % 2 == 0 else FORMATS[::-1]:
            cfg = p.train.replace(
                epochs=0,
                max_steps=args.steps,
                precision=fmt,
                num_threads=1,
                seed=seed,
                valid_every=args.valid_every,
            )
            tok_cfg = TokenizerConfig(args.src, args.tgt)
            label = {"precision": fmt, "seed": seed}
            rows.append(train_and_score(files, f"{fmt}-{seed}", p.model, tok_cfg, cfg, label))
    title = f"fp32 against bf16: {args.steps} updates, {args.preset}, {args.src}→{args.tgt}, beam 5"
    report("precision_seeds", title, "precision", rows, args, load_start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
