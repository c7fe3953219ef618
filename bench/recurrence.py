"""Benchmark: the GRU recurrences as single operations (``core.model.recurrence``) against
stepping through ``nn.GRU`` and ``Decoder.step`` with autograd, and the loss's chunk through
``torch.softmax`` against two passes of ``exp``, each in one process, old and new alternating
so that machine drift cancels.

- The base GRU (Bahdanau decoder) training step (loss, backward, clipping, Adam) on
  Multi30K-like synthetic batches, fp32 and bf16 autocast, the two paths on the same model,
  weights and batch (``Decoder.fused_recurrence`` switched). A second, longer batch shape shows
  how the gain grows with the lengths.
- The loss alone (``core.model.loss.projected_loss``, forward and backward, 960 rows of a 6,500
  vocabulary) with its chunk computed as now (``torch.softmax``) or as before
  (``torch.logsumexp``, then ``exp`` again for the softmax: ``_chunk_two_exps`` below).

    .venv/bin/python bench/recurrence.py --threads 2 --rounds 5 --steps 6

Prints tables (medians, and new ÷ old ratios: below 1 is faster) and one JSON line.
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


def _chunk_two_exps(z, target, keep, smoothing: float):
    """The loss chunk before the one-exp change: ``torch.logsumexp``, then the softmax's own
    ``exp`` (the reference the loss table compares with)."""
    import torch

    lse = torch.logsumexp(z, dim=-1)
    nll = lse - z.gather(1, target.unsqueeze(1)).squeeze(1)
    per = nll if smoothing == 0 else (1 - smoothing) * nll + smoothing * (lse - z.mean(-1))
    g = z.sub_(lse.unsqueeze(1)).exp_()
    g.scatter_add_(1, target.unsqueeze(1), torch.full_like(nll, smoothing - 1).unsqueeze(1))
    if smoothing:
        g.sub_(smoothing / z.size(1))
    return (per * keep).sum(), (nll * keep).sum(), g.mul_(keep.unsqueeze(1))


def time_loss(args, results: dict) -> None:
    """The loss alone, its chunk as now and as before, alternating."""
    import torch

    from core.model import loss

    torch.manual_seed(0)
    rows = torch.randn(args.batch * args.tgt_len, 256, requires_grad=True)
    weight = (torch.randn(6500, 256) * 0.05).requires_grad_()
    targets = torch.randint(4, 6500, (rows.size(0),))
    chunks = {"two exps (before)": _chunk_two_exps, "softmax (now)": loss._chunk}
    table = []
    for precision in args.precisions.split(","):

        def once(precision: str = precision) -> None:
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
                value, _ = loss.projected_loss(rows, weight, targets, 0.1)
            value.backward()

        times: dict[str, list[float]] = {k: [] for k in chunks}
        for _ in range(args.rounds):
            for name, chunk in chunks.items():
                loss._chunk = chunk
                once()
                t0 = time.perf_counter()
                for _ in range(args.steps):
                    once()
                times[name].append((time.perf_counter() - t0) / args.steps * 1000)
        loss._chunk = chunks["softmax (now)"]
        old, new = (statistics.median(times[k]) for k in chunks)
        results[f"loss:{precision}"] = {"two_exps_ms": round(old, 2), "now_ms": round(new, 2)}
        table.append([precision, str(rows.size(0)), f"{old:.1f}", f"{new:.1f}", f"{new / old:.3f}"])
    print_table(
        "the loss alone, forward + backward (median ms)",
        ["precision", "rows", "two exps (before)", "softmax (now)", "new ÷ old"],
        table,
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
    time_loss(args, results)
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
