"""Words against subwords: train each for the same wall-clock budget, side by side, and compare.

For each language pair, every variant (by default ``words`` and ``subwords``) runs at the same
time as its own ``bench/train.py`` process with one thread each, so a busy machine slows them
alike; pairs run one after the other. Prints, per pair and variant: beam-5 BLEU/chrF on the test
set, ``<unk>`` in the beam-5 output, target tokens/s and target *words*/s (tokens/s divided by the
model's target tokens per whitespace word: a subword model needs more steps per word), and the
vocabulary sizes; then one JSON line with everything.

    nice -n 5 .venv/bin/python bench/subwords.py --budget 600                # the issue's runs
    .venv/bin/python bench/subwords.py --pairs de-en --budget 150 --preset small \\
        --variant separate="--tokenization subwords" \\
        --variant joint="--tokenization subwords --joint-vocab"              # a quick A/B
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import DEFAULT_CORPUS, ROOT, emit_json, loadavg, machine, print_table

DEFAULT_VARIANTS = ("words=--tokenization words", "subwords=--tokenization subwords")


def run_pair(args: argparse.Namespace, pair: str, work: Path) -> dict[str, dict]:
    """Start every variant of ``pair`` at once and wait for all of them."""
    src, tgt = pair.split("-")
    procs = {}
    for variant in args.variant or DEFAULT_VARIANTS:
        name, _, extra = variant.partition("=")
        out = work / f"{pair}.{name}.json"
        cmd = [
            sys.executable,
            str(ROOT / "bench" / "train.py"),
            "--corpus", str(args.corpus),
            "--src", src,
            "--tgt", tgt,
            "--test", args.test,
            "--budget", str(args.budget),
            "--preset", args.preset,
            "--precision", args.precision,
            "--threads", "1",
            "--valid-every", str(args.valid_every),
            "--json-out", str(out),
            *shlex.split(extra),
        ]  # fmt: skip
        log = open(work / f"{pair}.{name}.log", "w", encoding="utf-8")  # noqa: SIM115
        procs[name] = (subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT), out, log)
        print(f"{pair} {name}: {shlex.join(cmd)}", file=sys.stderr, flush=True)
    results = {}
    for name, (proc, out, log) in procs.items():
        proc.wait()
        log.close()
        if proc.returncode != 0 or not out.is_file():
            tail = (work / f"{pair}.{name}.log").read_text(encoding="utf-8")[-2000:]
            sys.exit(f"bench/subwords.py: {pair} {name} failed:\n{tail}")
        results[name] = json.loads(out.read_text(encoding="utf-8"))
    return results


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--pairs", default="de-en,en-de")
    ap.add_argument("--test", default="test_2016_flickr", help="the test split's file stem")
    ap.add_argument("--budget", type=float, default=600.0)
    ap.add_argument("--preset", default="base")
    ap.add_argument("--precision", default="bf16", choices=["fp32", "bf16"])
    ap.add_argument("--valid-every", type=int, default=500)
    ap.add_argument(
        "--variant",
        action="append",
        metavar="NAME=ARGS",
        help="a run of bench/train.py with these extra arguments (repeat; default: "
        + "; ".join(DEFAULT_VARIANTS)
        + ")",
    )
    ap.add_argument("--work", type=Path, default=None, help="keep logs and JSON here")
    ap.add_argument("--json-out", type=Path, default=None)
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="attnscope-subwords-"))
    work.mkdir(parents=True, exist_ok=True)
    result: dict = {"machine": machine(), "budget_s": args.budget, "preset": args.preset}
    for pair in args.pairs.split(","):
        t0, load0 = time.monotonic(), loadavg()
        runs = run_pair(args, pair, work)
        result[pair] = {
            "runs": runs,
            "wall_s": round(time.monotonic() - t0),
            "loadavg": [load0, loadavg()],
        }
        rows = [
            (
                name,
                r["bleu_b5"],
                r["chrf_b5"],
                r["unk_b5"],
                r["tokens_per_s_median"],
                r["tokens_per_target_word"],
                r.get("target_words_per_s"),
                r["updates"],
                "/".join(str(v) for v in r["vocab_sizes"]),
            )
            for name, r in runs.items()
        ]
        print_table(
            f"{pair}: {args.budget:.0f} s each, side by side, 1 thread each "
            f"(load {load0} → {loadavg()})",
            ["variant", "BLEU b5", "chrF b5", "<unk>", "tok/s", "tok/word", "words/s",
             "updates", "vocab src/tgt"],
            rows,
        )  # fmt: skip
    emit_json(result, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
