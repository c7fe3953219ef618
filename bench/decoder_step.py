"""Benchmark: one training step of the two decoders side by side, in one process.

Bahdanau (attention before the GRU, its context fed in: the GRU runs step by step) against Luong
(attention after the GRU: one GRU call over the whole target, one batched attention), on the same
synthetic batch of realistic shape (Multi30K-like: 64 sentences, 14 source and 15 target tokens,
vocabularies of 8,000 / 6,500), ``base`` preset, fp32 and bf16 autocast. Each configuration warms
up, then times ``--steps`` steps (loss, backward, Adam) and reports the median; the ratio is taken
within the run, so machine drift cancels.

    .venv/bin/python bench/decoder_step.py --threads 2 --steps 15

Prints a table and one JSON line (also written to --json-out).
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import (
    emit_json,
    loadavg,
    machine,
    one_step_parser,
    print_table,
    synthetic_batch,
    training_step,
)


def main() -> int:
    ap = one_step_parser(__doc__, 15)
    args = ap.parse_args()

    import torch

    from core import device
    from core.config import preset
    from core.model.seq2seq import Seq2Seq

    device.set_threads(args.threads)
    b, s, t, v_src, v_tgt = args.batch, args.src_len, args.tgt_len, 8000, 6500
    batch = synthetic_batch(args, v_src, v_tgt)
    load0 = loadavg()
    results: dict[str, dict] = {}
    for decoder in ("bahdanau", "luong"):
        for precision in ("fp32", "bf16"):
            model = Seq2Seq(
                dataclasses.replace(preset("base").model, decoder=decoder), v_src, v_tgt
            )
            opt = torch.optim.Adam(model.parameters())
            step = training_step(model, opt, batch, precision, clip=None)

            for _ in range(3):
                step()
            times = []
            for _ in range(args.steps):
                t0 = time.perf_counter()
                step()
                times.append(time.perf_counter() - t0)
            med = statistics.median(times)
            results[f"{decoder}-{precision}"] = {
                "ms_per_step": round(med * 1000, 1),
                "tokens_per_s": round(b * t / med),
            }
    rows = [[k, v["ms_per_step"], v["tokens_per_s"]] for k, v in results.items()]
    ratios = {
        p: round(results[f"bahdanau-{p}"]["ms_per_step"] / results[f"luong-{p}"]["ms_per_step"], 2)
        for p in ("fp32", "bf16")
    }
    print_table(
        f"one training step, B={b}, S={s}, T={t}, {args.threads} threads "
        f"(load {load0} -> {loadavg()})",
        ["decoder-precision", "ms/step", "target tokens/s"],
        rows,
    )
    print(f"  Bahdanau / Luong step time: fp32 {ratios['fp32']}x, bf16 {ratios['bf16']}x")
    emit_json(
        {
            "bench": "decoder_step",
            "machine": machine(),
            "threads": args.threads,
            "shape": [b, s, t],
            "results": results,
            "bahdanau_over_luong": ratios,
        },
        args.json_out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
