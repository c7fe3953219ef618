"""Subword regularisation: does sampling segmentations while training help a small corpus?

Sentencepiece can sample a segmentation of a sentence instead of giving its best one (Kudo 2018,
``enable_sampling``); trained on many segmentations of the same text, a model may generalise
better from little data. This bench asks whether it would for our models, before the trainer
offers it. Both variants train with the real trainer on the same ``--copies`` copies of the first
``--pairs`` training pairs, for one pass (the same number of updates, ``copies`` epochs' worth of
the small corpus):

- ``plain``: every copy in the model's best segmentation (what training does today, K epochs);
- ``sampled@α``: every copy in its own sampled segmentation (``nbest_size=-1`` and each of the
  ``--alpha`` values: smaller is closer to uniform, more fragmented), so the model sees K
  segmentations of each sentence. Pairs that sampling makes longer than ``max_len`` are dropped
  as in any run (fewer updates: shown).

Only the training pairs are sampled: the dev set, probes, and the test translations use the
best segmentation, as they would in the app. The trainer's subword models are trained the same
way for both (on the same copies). Fixed updates, not a time budget, so a busy machine changes
the wall time but not the scores; seeds alternate between the variants.

    nice -n 5 .venv/bin/python bench/subword_sampling.py --pairs 5000 --copies 12 --seeds 1,2,3

Prints per seed and variant: beam-5 BLEU/chrF on the test set and updates; then means and
standard deviations, and one JSON line with everything.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from common import DEFAULT_CORPUS, emit_json, loadavg, machine, print_table, read_lines

import core.training.run as run_module
from core.config import TokenizerConfig, preset
from core.data.corpus import CorpusSpec
from core.data.subword import SubwordTokenizer
from core.decoding.translator import Translator
from core.evaluation.metrics import score


@contextlib.contextmanager
def sampled_training_pairs(train_spec: CorpusSpec, alpha: float) -> Iterator[None]:
    """While the trainer reads ``train_spec`` (and only that corpus), sentencepiece samples a
    segmentation for every sentence instead of giving its best one."""
    original_load = run_module.load_pairs
    original_many = SubwordTokenizer.tokenize_many
    original_one = SubwordTokenizer.tokenize
    sampling = {"on": False}

    def tokenize_many(self, texts, threads=1):
        if not sampling["on"]:
            return original_many(self, texts, threads)
        prepared = [self.prepare(t) for t in texts]
        return self._sp.Encode(
            prepared,
            out_type=str,
            enable_sampling=True,
            alpha=alpha,
            nbest_size=-1,
            num_threads=threads,
        )

    def tokenize(self, text):
        if not sampling["on"] or not text:
            return original_one(self, text)
        return tokenize_many(self, [text])[0]

    def load_pairs(spec, *args, **kwargs):
        sampling["on"] = spec is train_spec
        try:
            return original_load(spec, *args, **kwargs)
        finally:
            sampling["on"] = False

    run_module.load_pairs = load_pairs
    SubwordTokenizer.tokenize_many = tokenize_many
    SubwordTokenizer.tokenize = tokenize
    try:
        yield
    finally:
        run_module.load_pairs = original_load
        SubwordTokenizer.tokenize_many = original_many
        SubwordTokenizer.tokenize = original_one


def write_copies(lines: list[str], copies: int, path: Path) -> Path:
    path.write_text("".join(line + "\n" for _ in range(copies) for line in lines), encoding="utf-8")
    return path


def run_one(
    args: argparse.Namespace, files: dict[str, Path], variant: str, alpha: float, seed: int
) -> dict:
    p = preset(args.preset)
    cfg = p.train.replace(
        epochs=1, precision="fp32", num_threads=1, seed=seed, valid_every=args.valid_every
    )
    tok_cfg = TokenizerConfig(args.src, args.tgt, tokenization="subwords")
    spec = CorpusSpec(str(files["train_src"]), str(files["train_tgt"]))
    dev = CorpusSpec(str(files["dev_src"]), str(files["dev_tgt"]))
    out = files["work"] / f"{variant}-{seed}"
    t0 = time.monotonic()
    context = sampled_training_pairs(spec, alpha) if alpha else contextlib.nullcontext()
    with context:
        done = run_module.train(spec, out, p.model, tok_cfg, cfg, dev_spec=dev)
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
    ap.add_argument("--copies", type=int, default=12, help="copies of it trained in one pass")
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
        files[f"train_{side}"] = write_copies(train, args.copies, work / f"train.{lang}")
        dev = read_lines(args.corpus, "val", lang)[: args.dev_limit]
        files[f"dev_{side}"] = write_copies(dev, 1, work / f"dev.{lang}")
        test = read_lines(args.corpus, "test_2016_flickr", lang)
        files[f"test_{side}"] = write_copies(test, 1, work / f"test.{lang}")

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
        f"Subword sampling: first {args.pairs} pairs × {args.copies}, {args.preset}, beam 5",
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
