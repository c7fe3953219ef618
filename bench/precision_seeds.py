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

FORMATS = ("fp32", "bf16")


def write(lines: list[str], path: Path) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def run_one(args: argparse.Namespace, files: dict[str, Path], fmt: str, seed: int) -> dict:
    p = preset(args.preset)
    cfg = p.train.replace(
        epochs=0,
        max_steps=args.steps,
        precision=fmt,
        num_threads=1,
        seed=seed,
        valid_every=args.valid_every,
    )
    out = files["work"] / f"{fmt}-{seed}"
    t0 = time.monotonic()
    done = train(
        CorpusSpec(str(files["train_src"]), str(files["train_tgt"])),
        out,
        p.model,
        TokenizerConfig(args.src, args.tgt),
        cfg,
        dev_spec=CorpusSpec(str(files["dev_src"]), str(files["dev_tgt"])),
    )
    wall = time.monotonic() - t0
    tr = Translator.load(out, "cpu")
    sources = files["test_src"].read_text(encoding="utf-8").splitlines()
    refs = files["test_tgt"].read_text(encoding="utf-8").splitlines()
    s = score([t.text for t in tr.translate_batch(sources, beam=5)], refs)
    row = {
        "precision": fmt,
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
    ap.add_argument("--steps", type=int, default=1000, help="updates per run")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--preset", default="small")
    ap.add_argument("--valid-every", type=int, default=250)
    ap.add_argument("--dev-limit", type=int, default=500)
    ap.add_argument("--json-out", type=Path, default=None)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="attnscope-precision-"))
    files: dict[str, Path] = {"work": work}
    for side, lang in (("src", args.src), ("tgt", args.tgt)):
        files[f"train_{side}"] = write(
            read_lines(args.corpus, "train", lang), work / f"train.{lang}"
        )
        dev = read_lines(args.corpus, "val", lang)[: args.dev_limit]
        files[f"dev_{side}"] = write(dev, work / f"dev.{lang}")
        test = read_lines(args.corpus, "test_2016_flickr", lang)
        files[f"test_{side}"] = write(test, work / f"test.{lang}")

    load_start = loadavg()
    rows = []
    for i, seed in enumerate(int(s) for s in args.seeds.split(",")):
        for fmt in FORMATS if i % 2 == 0 else FORMATS[::-1]:
            rows.append(run_one(args, files, fmt, seed))
    summary = {
        fmt: {
            key: mean_sd([r[key] for r in rows if r["precision"] == fmt])
            for key in ("test_bleu_b5", "test_chrf_b5", "best_dev_bleu")
        }
        for fmt in FORMATS
    }
    print_table(
        f"fp32 against bf16: {args.steps} updates, {args.preset}, {args.src}→{args.tgt}, beam 5",
        ["precision", "seed", "updates", "dev BLEU", "test BLEU b5", "test chrF b5", "wall s"],
        [
            [r["precision"], r["seed"], r["updates"], r["best_dev_bleu"], r["test_bleu_b5"],
             r["test_chrf_b5"], r["train_wall_s"]]
            for r in rows
        ],
    )  # fmt: skip
    for fmt, s in summary.items():
        print(f"{fmt}: test BLEU {s['test_bleu_b5']}, chrF {s['test_chrf_b5']} (mean ± sd)")
    emit_json(
        {
            "bench": "precision_seeds",
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
