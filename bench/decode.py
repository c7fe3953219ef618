"""Benchmark: translation latency (one sentence at a time) and batched throughput of a model folder.

Latency: ``Translator.translate`` on single sentences of the test set, greedy and beam 5, timed
from the raw string in to the detokenized ``Translation`` out (tokenizing, search, attention and
detokenizing: what the app's Translate tab waits for). Reported as p50/p95 over ``--latency-n``
sentences (the first ones of the test set), and separately over the test sentences that have
exactly ``--fixed-len`` source tokens (20 by default: the product target is "a 20-token sentence:
greedy p50 <= 15 ms, beam 5 p50 <= 40 ms"; Multi30K's German test set has only 7 such sentences,
so by default the val and train splits fill up to 100). Each row gives the mean number of output
tokens: a barely trained model may stop after 2 tokens, and one that never emits </s> runs to the
length limit (1.5 x source + 10). The "forced" rows take the same 20-token sentences and make the
search produce exactly 20 tokens + </s> (see ``ForcedLength``), so a 20-in/20-out latency is
measured whatever the weights: these rows are the ones ``run_all.py`` checks against the target.

Throughput: ``Translator.translate_batch`` over the whole test set (1,000 sentences of
test_2016_flickr), greedy and beam 5, in seconds; the model is loaded before the clock starts.

Every measurement is repeated for each thread count in ``--threads`` (default 1,2): on a 2-core
machine shared with other work, 2 intra-op threads can be slower than 1, because OpenMP's workers
spin waiting for a core. ``os.getloadavg()`` is recorded before and after each block.

    .venv/bin/python bench/decode.py --model /tmp/m-de-en --corpus ../shared/corpora/multi30k \\
        --src de --tgt en --threads 1,2 --precision fp32

Prints one table per thread count, then one JSON line (also written to --json-out).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

T_START = time.monotonic()
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    DEFAULT_CORPUS,
    emit_json,
    loadavg,
    machine,
    parse_threads,
    print_table,
    read_lines,
    summary_ms,
)


def precision_context(precision: str):
    """bf16 is applied when the model is loaded (a bfloat16 copy of the weights, as
    ``attnscope-cli translate --precision bf16`` does), so nothing is needed around the calls."""
    return contextlib.nullcontext()


class ForcedLength:
    """Makes every hypothesis exactly ``n`` tokens long, the last one </s>, whatever the weights.

    It wraps the model instance's ``decoder.logits`` (called once per search step): before step
    n-1, </s> is masked out; at step n-1 everything but </s> is. An untrained model (which stops
    at once or never) then costs what a trained one does on an n-token translation. Only this
    benchmark process's model object is touched.
    """

    def __init__(self, model, n: int) -> None:
        from core.data.vocab import EOS_ID

        self.decoder, self.n, self.eos, self.step = model.decoder, n, EOS_ID, 0
        self.original = model.decoder.logits

    def __enter__(self):
        def logits(features):
            out = self.original(features)
            if self.step < self.n - 1:
                out[..., self.eos] = float("-inf")
            else:
                keep = out[..., self.eos].clone()
                out.fill_(float("-inf"))
                out[..., self.eos] = keep
            self.step += 1
            return out

        self.decoder.logits = logits
        return self

    def reset(self) -> None:
        self.step = 0

    def __exit__(self, *exc) -> None:
        del self.decoder.logits  # back to the class's method


def time_single(tr, sentences: list[str], beam: int, precision: str, force_len: int = 0) -> dict:
    """Per-sentence wall time of Translator.translate (seconds), summarised in ms."""
    times, out_tokens = [], []
    forced = ForcedLength(tr.model, force_len) if force_len else contextlib.nullcontext()
    with precision_context(precision), forced:
        for s in sentences:
            if force_len:
                forced.reset()
            t0 = time.perf_counter()
            res = tr.translate(s, beam=beam)
            times.append(time.perf_counter() - t0)
            out_tokens.append(len(res[0].target_tokens))
    d = summary_ms(times)
    if out_tokens:
        d["mean_out_tokens"] = round(sum(out_tokens) / len(out_tokens), 1)
        d["ms_per_out_token"] = round(1000 * sum(times) / max(1, sum(out_tokens)), 3)
    return d


def time_batch(tr, sentences: list[str], beam: int, precision: str, batch_size: int) -> dict:
    with precision_context(precision):
        t0 = time.perf_counter()
        res = tr.translate_batch(sentences, beam=beam, batch_size=batch_size)
        secs = time.perf_counter() - t0
    tokens = sum(len(r.target_tokens) for r in res)
    return {
        "sentences": len(sentences),
        "seconds": round(secs, 3),
        "sentences_per_s": round(len(sentences) / secs, 1),
        "out_tokens_per_s": round(tokens / secs),
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--model", required=True, type=Path, help="a model folder (model.json, weights.pt)"
    )
    ap.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="folder with {split}.{lang}[.gz] (default: %(default)s)",
    )
    ap.add_argument("--src", required=True, help="source language code of the corpus files")
    ap.add_argument("--tgt", required=True, help="target language code (only recorded)")
    ap.add_argument(
        "--test", default="test_2016_flickr", help="split to translate (default: %(default)s)"
    )
    ap.add_argument(
        "--threads",
        default="1,2",
        help="torch intra-op thread counts to measure, comma-separated (default: %(default)s)",
    )
    ap.add_argument(
        "--precision",
        default="fp32",
        choices=["fp32", "bf16"],
        help="bf16 runs the search under torch.autocast(cpu, bfloat16)",
    )
    ap.add_argument(
        "--latency-n", type=int, default=100, help="sentences for the latency percentiles"
    )
    ap.add_argument(
        "--fixed-len",
        type=int,
        default=20,
        help="also time the test sentences with exactly this many source tokens",
    )
    ap.add_argument("--fixed-max", type=int, default=100, help="at most this many of those")
    ap.add_argument(
        "--fixed-splits",
        default="test_2016_flickr,val,train",
        help="where to find them, in order, until --fixed-max (Multi30K's test set has "
        "only 7 German sentences of 20 tokens; default: %(default)s)",
    )
    ap.add_argument(
        "--no-forced",
        action="store_true",
        help="skip the rows whose output is forced to --fixed-len tokens + </s>",
    )
    ap.add_argument(
        "--min-fixed",
        type=int,
        default=5,
        help="report the fixed-length rows only when at least this many sentences exist",
    )
    ap.add_argument("--beam", type=int, default=5, help="beam size of the beam rows (default 5)")
    ap.add_argument(
        "--batch-sents",
        type=int,
        default=0,
        help="translate only the first N test sentences in the throughput rows (0: all)",
    )
    ap.add_argument("--batch-size", type=int, default=64, help="translate_batch's batch_size")
    ap.add_argument("--no-batch", action="store_true", help="skip the throughput rows")
    ap.add_argument("--no-latency", action="store_true", help="skip the latency rows")
    ap.add_argument("--warmup", type=int, default=3, help="untimed translations before each block")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--json-out", type=Path, default=None, help="also write the JSON line here")
    args = ap.parse_args()
    threads = parse_threads(args.threads)

    import torch

    from core.decoding.translator import Translator

    t_load = time.perf_counter()
    tr = Translator.load(args.model, args.device, args.precision)
    load_s = time.perf_counter() - t_load
    test = [s for s in read_lines(args.corpus, args.test, args.src)]
    lat_set = [s for s in test if s.strip()][: args.latency_n]
    fixed, fixed_from = [], {}
    for split in [x for x in args.fixed_splits.split(",") if x]:
        lines = test if split == args.test else read_lines(args.corpus, split, args.src)
        for s in lines:
            if len(fixed) >= args.fixed_max:
                break
            if len(tr.src_tok.tokenize(s.strip())) == args.fixed_len:
                fixed.append(s)
                fixed_from[split] = fixed_from.get(split, 0) + 1
        if len(fixed) >= args.fixed_max:
            break
    batch_set = test[: args.batch_sents] if args.batch_sents else test
    warm = lat_set[: max(1, args.warmup)]

    result = {
        "bench": "decode",
        "model": str(args.model),
        "pair": f"{args.src}-{args.tgt}",
        "precision": args.precision,
        "device": args.device,
        "machine": machine(),
        "model_load_s": round(load_s, 3),
        "params": tr.model.num_parameters(),
        "src_vocab": len(tr.src_vocab),
        "tgt_vocab": len(tr.tgt_vocab),
        "latency_sentences": len(lat_set),
        "fixed_len": args.fixed_len,
        "fixed_len_sentences": len(fixed),
        "fixed_from": fixed_from,
        "beam": args.beam,
        "by_threads": {},
    }

    for n in threads:
        torch.set_num_threads(n)
        r: dict = {"threads": n, "loadavg_before": loadavg()}
        with precision_context(args.precision):
            for s in warm:
                tr.translate(s, beam=1)
                tr.translate(s, beam=args.beam)
        if not args.no_latency:
            r["latency_greedy"] = time_single(tr, lat_set, 1, args.precision)
            r["latency_beam"] = time_single(tr, lat_set, args.beam, args.precision)
            if len(fixed) >= args.min_fixed:
                r["fixed_greedy"] = time_single(tr, fixed, 1, args.precision)
                r["fixed_beam"] = time_single(tr, fixed, args.beam, args.precision)
                if not args.no_forced:
                    r["forced_greedy"] = time_single(
                        tr, fixed, 1, args.precision, args.fixed_len + 1
                    )
                    r["forced_beam"] = time_single(
                        tr, fixed, args.beam, args.precision, args.fixed_len + 1
                    )
        if not args.no_batch:
            r["batch_greedy"] = time_batch(tr, batch_set, 1, args.precision, args.batch_size)
            r["batch_beam"] = time_batch(tr, batch_set, args.beam, args.precision, args.batch_size)
        r["loadavg_after"] = loadavg()
        result["by_threads"][str(n)] = r

        rows = []
        for key, label in (
            ("latency_greedy", f"single, {len(lat_set)} test sents, greedy"),
            ("latency_beam", f"single, {len(lat_set)} test sents, beam {args.beam}"),
            ("fixed_greedy", f"single, {len(fixed)} x {args.fixed_len}-token, greedy"),
            ("fixed_beam", f"single, {len(fixed)} x {args.fixed_len}-token, beam {args.beam}"),
            ("forced_greedy", f"  same, output forced to {args.fixed_len}+</s>, greedy"),
            ("forced_beam", f"  same, output forced to {args.fixed_len}+</s>, beam {args.beam}"),
        ):
            if key in r:
                d = r[key]
                rows.append(
                    [label, d["p50_ms"], d["p95_ms"], d["mean_out_tokens"], d["ms_per_out_token"]]
                )
        if rows:
            print_table(
                f"latency  {result['pair']}  threads={n}  {args.precision}  "
                f"load {r['loadavg_before']} -> {r['loadavg_after']}",
                ["translate()", "p50 ms", "p95 ms", "out tok", "ms/out tok"],
                rows,
            )
        rows = []
        for key, label in (
            ("batch_greedy", "translate_batch greedy"),
            ("batch_beam", f"translate_batch beam {args.beam}"),
        ):
            if key in r:
                d = r[key]
                rows.append(
                    [
                        label,
                        d["sentences"],
                        d["seconds"],
                        d["sentences_per_s"],
                        d["out_tokens_per_s"],
                    ]
                )
        if rows:
            print_table(
                f"throughput  threads={n}", ["", "sents", "seconds", "sents/s", "out tok/s"], rows
            )

    # the best thread count per measurement, for summaries
    best: dict = {}
    for key, metric in (
        ("latency_greedy", "p50_ms"),
        ("latency_beam", "p50_ms"),
        ("fixed_greedy", "p50_ms"),
        ("fixed_beam", "p50_ms"),
        ("forced_greedy", "p50_ms"),
        ("forced_beam", "p50_ms"),
        ("batch_greedy", "seconds"),
        ("batch_beam", "seconds"),
    ):
        cands = [(r[key][metric], int(n)) for n, r in result["by_threads"].items() if key in r]
        if cands:
            value, n = min(cands)
            best[key] = {metric: value, "threads": n}
    result["best"] = best
    result["if_fixed_missing"] = (
        None
        if len(fixed) >= args.min_fixed
        else f"only {len(fixed)} test sentences have {args.fixed_len} tokens"
    )
    result["wall_s"] = round(time.monotonic() - T_START, 1)
    emit_json(result, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
