"""Benchmark: our CPU dropout (``core.model.dropout``) against ``nn.Dropout``, in one process.

Two parts, each alternating old and new so that machine drift cancels:

- one dropout, forward and backward, on the tensor shapes a base model drops (embeddings,
  one decoder step, all target positions);
- the whole training step (loss, backward, clipping, Adam) of the base GRU and the base
  Transformer on a Multi30K-like synthetic batch, fp32 and bf16 autocast, with the model's
  dropout modules swapped between the two implementations (same weights, same batch).

    .venv/bin/python bench/dropout.py --threads 2 --rounds 5 --steps 8
    .venv/bin/python bench/dropout.py --threads 2 --rounds 5 --steps 8 --against c589c3f

``--against REV`` adds ours as ``core/model/dropout.py`` had it at that git revision.

Prints tables (medians, and new ÷ old ratios: below 1 is faster) and one JSON line.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import (
    alternate,
    emit_json,
    loadavg,
    machine,
    module_at,
    one_step_parser,
    print_table,
    swap_dropout,
    synthetic_batch,
    training_step,
)


def per_call_us(f, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        f()
    return (time.perf_counter() - t0) / n * 1e6


def main() -> int:
    ap = one_step_parser(__doc__, 8, "timed training steps per round")
    ap.add_argument("--rounds", type=int, default=5, help="old/new alternations")
    ap.add_argument("--archs", default="gru,transformer")
    ap.add_argument("--precisions", default="fp32,bf16")
    ap.add_argument(
        "--against", metavar="REV", help="also time our dropout as it was at this git revision"
    )
    args = ap.parse_args()

    import torch
    import torch.nn as nn

    from core import device
    from core.config import preset
    from core.model.build import build_model
    from core.model.dropout import Dropout
    from core.training.schedule import make_optimizer

    device.set_threads(args.threads)
    load0 = loadavg()
    impls = {"nn.Dropout": nn.Dropout}
    if args.against:
        impls[f"ours@{args.against}"] = module_at(args.against, "core/model/dropout.py").Dropout
    impls["ours"] = Dropout  # last: the ratios are ours ÷ each of the others
    kinds = tuple(impls.values())
    others = list(impls)[:-1]
    results: dict[str, dict] = {}

    rows = []
    b, s, t = args.batch, args.src_len, args.tgt_len
    for label, shape in (
        ("embeddings (B, S, 256)", (b, s, 256)),
        ("one decoder step (B, 512)", (b, 512)),
        ("all target positions (B·T, 512)", (b * t, 512)),
    ):
        x = torch.randn(shape, requires_grad=True)
        g = torch.randn(shape)
        times: dict[str, list[float]] = {k: [] for k in impls}
        for _ in range(args.rounds):
            for name, cls in impls.items():
                m = cls(0.3).train()
                times[name].append(per_call_us(lambda m=m, x=x, g=g: m(x).backward(g), 50))
        med = {k: statistics.median(v) for k, v in times.items()}
        results[f"op:{label}"] = {f"{k}_us": round(v, 1) for k, v in med.items()}
        rows.append(
            [label, *(f"{v:.0f}" for v in med.values())]
            + [f"{med['ours'] / med[k]:.2f}" for k in others]
        )
    print_table(
        "one dropout, forward + backward (median µs)",
        ["tensor", *impls, *(f"ours ÷ {k}" for k in others)],
        rows,
    )

    batch = synthetic_batch(args)
    rows = []
    for arch in args.archs.split(","):
        cfg = preset("base", arch).model
        for precision in args.precisions.split(","):
            torch.manual_seed(0)
            model = build_model(cfg, 8000, 6500).train()
            step = training_step(model, make_optimizer(model, cfg, 1e-4), batch, precision)

            use = {
                name: lambda c=cls, m=model: swap_dropout(m, c, kinds)
                for name, cls in impls.items()
            }
            med = alternate(use, step, args.rounds, args.steps)
            results[f"step:{arch}:{precision}"] = {f"{k}_ms": round(v, 1) for k, v in med.items()}
            rows.append(
                [arch, precision, *(f"{v:.1f}" for v in med.values())]
                + [f"{med['ours'] / med[k]:.3f}" for k in others]
            )
    print_table(
        "base training step (median ms per step)",
        ["model", "precision", *impls, *(f"ours ÷ {k}" for k in others)],
        rows,
    )
    emit_json(
        {
            "bench": "dropout",
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
