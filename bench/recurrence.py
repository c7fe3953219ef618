"""Benchmark: the GRU recurrences as single operations (``core.model.recurrence``) against
stepping through ``nn.GRU`` and ``Decoder.step`` with autograd, and the operations and the loss
against their code at an earlier git revision, in one process, old and new alternating so that
machine drift cancels.

- The base GRU (Bahdanau decoder) training step (loss, backward, clipping, Adam) on
  Multi30K-like synthetic batches, fp32 and bf16 autocast, the two paths on the same model,
  weights and batch (``core.model.seq2seq.FUSED_RECURRENCE`` switched). A second, longer
  batch shape shows how the gain grows with the lengths.
- With ``--against REV``, a third variant of the step: the fused path as
  ``core/model/recurrence.py``, ``core/model/loss.py`` and ``core/model/dropout.py`` had it at
  that revision (the other two variants use the current loss and dropout); and the loss alone
  (``core.model.loss.projected_loss``, forward and backward, 960 rows of a 6,500 vocabulary)
  as ``core/model/loss.py`` had it there against now.
- ``--decoder luong`` times the Luong decoder, whose encoder and target GRU run through
  ``gru_layer``.

    .venv/bin/python bench/recurrence.py --threads 2 --rounds 5 --steps 6
    .venv/bin/python bench/recurrence.py --threads 2 --rounds 4 --steps 4 --against 50c0cd1

Prints tables (medians, and new ÷ old ratios: below 1 is faster) and one JSON line.
"""

from __future__ import annotations

import argparse
import sys
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


def time_loss(args, results: dict) -> None:
    """The loss alone, ``core.model.loss`` as at ``--against`` and now, alternating."""
    import torch

    from core.model import loss

    torch.manual_seed(0)
    rows = torch.randn(args.batch * args.tgt_len, 256, requires_grad=True)
    weight = (torch.randn(6500, 256) * 0.05).requires_grad_()
    targets = torch.randint(4, 6500, (rows.size(0),))
    modules = {f"loss@{args.against}": module_at(args.against, "core/model/loss.py"), "now": loss}
    table = []
    for precision in args.precisions.split(","):
        current = [loss]

        def once(precision: str = precision, current: list = current) -> None:
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
                value, _ = current[0].projected_loss(rows, weight, targets, 0.1)
            value.backward()

        use = {name: lambda m=m, c=current: c.__setitem__(0, m) for name, m in modules.items()}
        medians = alternate(use, once, args.rounds, args.steps)
        old, new = medians[f"loss@{args.against}"], medians["now"]
        results[f"loss:{precision}"] = {"against_ms": round(old, 2), "now_ms": round(new, 2)}
        table.append([precision, str(rows.size(0)), f"{old:.1f}", f"{new:.1f}", f"{new / old:.3f}"])
    print_table(
        "the loss alone, forward + backward (median ms)",
        ["precision", "rows", f"at {args.against}", "now", "new ÷ old"],
        table,
    )


def main() -> int:
    ap = one_step_parser(__doc__, 6, "timed training steps per round")
    ap.add_argument("--rounds", type=int, default=5, help="old/new alternations")
    ap.add_argument("--precisions", default="fp32,bf16")
    ap.add_argument(
        "--long", type=int, default=30, help="source and target length of the second shape"
    )
    ap.add_argument("--decoder", default="bahdanau", choices=["bahdanau", "luong"])
    ap.add_argument(
        "--against",
        metavar="REV",
        help="also alternate with core/model/recurrence.py as it was at this git revision, and "
        "time the loss alone with core/model/loss.py as it was there",
    )
    ap.add_argument("--no-loss", action="store_true", help="skip the loss table (of --against)")
    args = ap.parse_args()

    import dataclasses

    import torch

    from core import device
    from core.config import preset
    from core.model import seq2seq
    from core.model.build import build_model
    from core.training.schedule import make_optimizer

    device.set_threads(args.threads)
    load0 = loadavg()
    cfg = dataclasses.replace(preset("base").model, decoder=args.decoder)
    shapes = {
        f"{args.batch}×{args.src_len}→{args.tgt_len}": args,
        f"{args.batch}×{args.long}→{args.long}": argparse.Namespace(
            **{**vars(args), "src_len": args.long, "tgt_len": args.long}
        ),
    }
    from core.model import dropout as dropout_now
    from core.model import loss as loss_now
    from core.model import recurrence as recurrence_now

    now = (recurrence_now, loss_now, dropout_now)
    model_now: list = [None]  # the model being timed (its dropout modules are swapped)

    def use(fused: bool, modules: tuple) -> None:
        recurrence, loss, dropout = modules
        seq2seq.FUSED_RECURRENCE = fused
        seq2seq.bahdanau_recurrence, seq2seq.gru_layer = (
            recurrence.bahdanau_recurrence,
            recurrence.gru_layer,
        )
        seq2seq.projected_loss, seq2seq.dropout = loss.projected_loss, dropout.dropout
        swap_dropout(model_now[0], dropout.Dropout, dropout_kinds)

    variants = {"stepwise": lambda: use(False, now)}
    dropout_kinds: tuple = (dropout_now.Dropout,)
    if args.against:
        old = tuple(
            module_at(args.against, f"core/model/{name}.py")
            for name in ("recurrence", "loss", "dropout")
        )
        dropout_kinds += (old[2].Dropout,)
        variants[f"fused@{args.against}"] = lambda: use(True, old)
    variants["fused"] = lambda: use(True, now)
    results: dict[str, dict] = {}
    rows = []
    for label, shape in shapes.items():
        batch = synthetic_batch(shape)
        tokens = shape.batch * shape.tgt_len
        for precision in args.precisions.split(","):
            torch.manual_seed(0)
            model = model_now[0] = build_model(cfg, 8000, 6500).train()
            step = training_step(model, make_optimizer(model, cfg, 1e-4), batch, precision)
            medians = alternate(variants, step, args.rounds, args.steps)
            results[f"{label}:{precision}"] = {
                **{f"{name}_ms": round(ms, 1) for name, ms in medians.items()},
                **{f"{name}_tok_s": round(tokens / ms * 1000) for name, ms in medians.items()},
            }
            new = medians["fused"]
            rows.append(
                [label, precision, *(f"{ms:.1f}" for ms in medians.values())]
                + [f"{new / medians[name]:.3f}" for name in list(medians)[:-1]]
            )
    use(True, now)
    names = list(variants)
    print_table(
        f"base GRU training step, {args.decoder} decoder (median ms per step)",
        ["batch", "precision", *names, *(f"fused ÷ {name}" for name in names[:-1])],
        rows,
    )
    if args.against and not args.no_loss:
        time_loss(args, results)
    emit_json(
        {
            "bench": "recurrence",
            "machine": machine(),
            "threads": args.threads,
            "decoder": args.decoder,
            "against": args.against,
            "load": [load0, loadavg()],
            "results": results,
        },
        args.json_out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
