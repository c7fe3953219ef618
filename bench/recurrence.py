"""Benchmark: the Bahdanau decoder's recurrence as one operation (``core.model.recurrence``)
against stepping through ``Decoder.step`` with autograd, in one process.

The base GRU (Bahdanau decoder) training step (loss, backward, clipping, Adam) on Multi30K-like
synthetic batches, fp32 and bf16 autocast, the two paths alternating on the same model, weights
and batch (``Decoder.fused_recurrence`` switched), so that machine drift cancels. A second,
longer batch shape shows how the gain grows with the target length.

    .venv/bin/python bench/recurrence.py --threads 2 --rounds 5 --steps 6

Prints a table (medians, and new ÷ old ratios: below 1 is faster) and one JSON line.
"""

from __future__ import annotations

import argparse
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
    ap = one_step_parser(__doc__, 6, "timed training steps per round")
    ap.add_argument("--rounds", type=int, default=5, help="old/new alternations")
    ap.add_argument("--precisions", default="fp32,bf16")
    ap.add_argument(
        "--long", type=int, default=30, help="source and target length of the second shape"
    )
    args = ap.parse_args()

    import torch

    from core import device
    from core.config import preset
    from core.model.build import build_model
    from core.model.seq2seq import Decoder
    from core.training.schedule import make_optimizer

    device.set_threads(args.threads)
    load0 = loadavg()
    cfg = preset("base").model
    shapes = {
        f"{args.batch}×{args.src_len}→{args.tgt_len}": args,
        f"{args.batch}×{args.long}→{args.long}": argparse.Namespace(
            **{**vars(args), "src_len": args.long, "tgt_len": args.long}
        ),
    }
    results: dict[str, dict] = {}
    rows = []
    for label, shape in shapes.items():
        batch = synthetic_batch(shape)
        tokens = shape.batch * shape.tgt_len
        for precision in args.precisions.split(","):
            torch.manual_seed(0)
            model = build_model(cfg, 8000, 6500).train()
            step = training_step(model, make_optimizer(model, cfg, 1e-4), batch, precision)
            times: dict[bool, list[float]] = {False: [], True: []}
            for _ in range(args.rounds):
                for fused in (False, True):
                    Decoder.fused_recurrence = fused
                    step()  # one untimed step after each switch
                    t0 = time.perf_counter()
                    for _ in range(args.steps):
                        step()
                    times[fused].append((time.perf_counter() - t0) / args.steps * 1000)
            old, new = statistics.median(times[False]), statistics.median(times[True])
            results[f"{label}:{precision}"] = {
                "stepwise_ms": round(old, 1),
                "fused_ms": round(new, 1),
                "stepwise_tok_s": round(tokens / old * 1000),
                "fused_tok_s": round(tokens / new * 1000),
            }
            rows.append([label, precision, f"{old:.1f}", f"{new:.1f}", f"{new / old:.3f}"])
    Decoder.fused_recurrence = True
    print_table(
        "base GRU training step, Bahdanau decoder (median ms per step)",
        ["batch", "precision", "step by step", "one operation", "new ÷ old"],
        rows,
    )
    emit_json(
        {
            "bench": "recurrence",
            "machine": machine(),
            "threads": args.threads,
            "load": [load0, loadavg()],
            "results": results,
        },
        args.json_out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
