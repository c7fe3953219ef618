"""Benchmark: the search (beam, or greedy with ``--beam 1``) as at ``--against REV`` against now,
translating a test set in one process, the two alternating so that machine drift falls on both.

A search's batch shrinks as its sentences finish, and every batch size is a new shape of
each of a step's products, for which oneDNN prepares (JIT-compiles) a kernel. A training process
bounds oneDNN's cache to ``core.device.KERNEL_CACHE_ENTRIES`` (bench/train.py's test-set
translation runs there, as the app's validations do); ``--unbounded`` leaves oneDNN's default
(1,024 entries: a process that only translates, as the CLI's).

    .venv/bin/python bench/search_batches.py --model DIR --corpus ../shared/corpora/multi30k \
        --src de --against 0687c93 --rounds 6 --threads 2

Prints each variant's seconds per round, the medians, the ratio now ÷ then (below 1 is faster),
whether the translations are identical, and one JSON line.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import emit_json, loadavg, machine, module_at, print_table, read_lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, required=True, help="a model folder")
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--src", required=True, help="source language of the model")
    ap.add_argument("--split", default="test_2016_flickr")
    ap.add_argument("--against", required=True, help="git revision of core/decoding/search.py")
    ap.add_argument("--beam", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--precision", default="bf16", choices=("fp32", "bf16"))
    ap.add_argument("--limit", type=int, default=0, help="only the first N sentences")
    ap.add_argument("--unbounded", action="store_true", help="leave oneDNN's cache unbounded")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args()

    from core import device

    if not args.unbounded:  # before oneDNN first runs, as core.training.run does
        device.bound_kernel_caches()
    import torch

    import core.decoding.search as now
    import core.decoding.translator as translator

    torch.set_num_threads(args.threads)
    then = module_at(args.against, "core/decoding/search.py")
    texts = read_lines(args.corpus, args.split, args.src)
    texts = texts[: args.limit] if args.limit else texts
    tr = translator.Translator.load(args.model, "cpu", args.precision)
    tr.translate_batch(texts, beam=1)  # the encoder's and greedy's kernels, before timing
    variants = {f"at {args.against}": then, "now": now}
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    outputs: dict[str, list[str]] = {}
    load_before = loadavg()
    names = list(variants)
    for r in range(args.rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            translator.beam_search, translator.greedy = (
                variants[name].beam_search,
                variants[name].greedy,
            )
            t0 = time.perf_counter()
            outputs[name] = [t.text for t in tr.translate_batch(texts, beam=args.beam)]
            seconds[name].append(time.perf_counter() - t0)
    translator.beam_search, translator.greedy = now.beam_search, now.greedy
    medians = {name: statistics.median(s) for name, s in seconds.items()}
    old, new = medians[names[0]], medians["now"]
    identical = outputs[names[0]] == outputs["now"]
    print_table(
        f"{len(texts)} sentences, beam {args.beam}, {args.precision}, {args.threads} threads, "
        f"oneDNN cache {'unbounded' if args.unbounded else device.KERNEL_CACHE_ENTRIES}",
        ["variant", "seconds per round", "median s"],
        [[n, " ".join(f"{x:.3f}" for x in seconds[n]), medians[n]] for n in names],
    )
    print(f"  now ÷ at {args.against}: {new / old:.3f}; translations identical: {identical}")
    emit_json(
        {
            "bench": "search_batches",
            "machine": machine(),
            "args": {k: str(v) for k, v in vars(args).items()},
            "sentences": len(texts),
            "seconds": {n: [round(x, 4) for x in s] for n, s in seconds.items()},
            "median_s": {n: round(m, 4) for n, m in medians.items()},
            "ratio_now_over_then": round(new / old, 4),
            "identical": identical,
            "loadavg_before": load_before,
            "loadavg_after": loadavg(),
        },
        args.json_out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
