"""Benchmark: seconds per sentence of each attribution method on a 20-token sentence.

The ``base`` preset's shape (bi-GRU 256, Bahdanau decoder), freshly initialised with a fixed seed
(timing depends on the shapes, not on what the weights learnt), vocabularies of 8,000 / 6,500,
a 20-token source and a 20-token target (each with its ``</s>``), on the CPU. Each method warms up
once, then ``--repeats`` runs; the median is reported. Integrated gradients is timed at the
default (nodes doubled from 64 until completeness error < 5 %: the steps used are reported) and
at fixed step counts.

With ``--captum`` (Captum importable, e.g. ``PYTHONPATH=/path/to/captum``: it is not a project
dependency) the same integrated gradients is also run with Captum's LayerIntegratedGradients on
the encoder's embedding layer, one call per target token as its API asks, and the largest
difference between the two results is printed.

    .venv/bin/python bench/attribution.py --threads 1

Prints a table and one JSON line (also written to --json-out).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import emit_json, loadavg, machine, print_table


def _timed(fn, repeats: int) -> tuple[float, object]:
    out = fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def _captum_ig(model, src_ids: list[int], tgt_ids: list[int], steps: int):
    """Captum's layer IG on the source embeddings, one call per target token; → (T, S)."""
    import torch
    from captum.attr import LayerIntegratedGradients

    from core.data.vocab import BOS_ID, EOS_ID, PAD_ID

    src = torch.tensor([src_ids])
    tgt_in = torch.tensor([[BOS_ID, *tgt_ids[:-1]]])
    tgt_out = torch.tensor([tgt_ids])
    base = torch.tensor([[i if i == EOS_ID else PAD_ID for i in src_ids]])

    def forward(ids):
        n = ids.size(0)
        logits, _ = model(ids, torch.full((n,), len(src_ids)), tgt_in.expand(n, -1))
        logp = torch.log_softmax(logits.float(), -1)
        return logp.gather(-1, tgt_out.expand(n, -1).unsqueeze(-1)).squeeze(-1)  # (n, T)

    lig = LayerIntegratedGradients(forward, model.encoder.embed)
    rows = []
    with torch.backends.cudnn.flags(enabled=False):
        for t in range(len(tgt_ids)):
            a = lig.attribute(
                src,
                baselines=base,
                target=t,
                n_steps=steps,
                method="gausslegendre",
                internal_batch_size=256,
            )
            rows.append(a.sum(-1)[0].detach())
    return torch.stack(rows).numpy()


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=20, help="source and target length with </s>")
    ap.add_argument("--ig-steps", default="64,128", help="fixed IG step counts to time as well")
    ap.add_argument("--captum", action="store_true", help="also time Captum's IG (see above)")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args()

    import numpy as np
    import torch

    from core import device
    from core.config import preset
    from core.data.vocab import EOS_ID
    from core.inspection.attribution import attribute_ids
    from core.model.seq2seq import Seq2Seq

    device.set_threads(args.threads)
    torch.manual_seed(0)
    model = Seq2Seq(preset("base").model, 8000, 6500).eval()
    n = args.tokens - 1
    src_ids = [*torch.randint(4, 8000, (n,)).tolist(), EOS_ID]
    tgt_ids = [*torch.randint(4, 6500, (n,)).tolist(), EOS_ID]
    load0 = loadavg()
    rows, results = [], {}
    runs = [("saliency", None), ("grad-x-input", None), ("integrated-gradients", None)]
    runs += [("integrated-gradients", int(k)) for k in args.ig_steps.split(",") if k]
    for method, steps in runs:
        sec, out = _timed(
            lambda m=method, k=steps: attribute_ids(model, src_ids, tgt_ids, m, k), args.repeats
        )
        _, _, error, used = out
        name = method if steps is None else f"{method} ({steps} steps)"
        if method == "integrated-gradients" and steps is None:
            name = f"{method} (default: {used} steps)"
        rows.append([name, f"{sec:.3f}", "" if error is None else f"{error:.2%}"])
        results[name] = {"seconds": sec, "completeness_error": error, "steps": used}
    if args.captum:
        steps = int(args.ig_steps.split(",")[0])
        ours = attribute_ids(model, src_ids, tgt_ids, "integrated-gradients", steps)[0]
        sec, theirs = _timed(lambda: _captum_ig(model, src_ids, tgt_ids, steps), args.repeats)
        diff = float(np.abs(theirs - ours).max() / np.abs(ours).max())
        name = f"Captum LayerIntegratedGradients ({steps} steps)"
        rows.append([name, f"{sec:.3f}", f"max |diff| {diff:.1e} of max |IG|"])
        results[name] = {"seconds": sec, "relative_max_difference": diff}
    print_table(
        f"Attribution, one {args.tokens}-token sentence (base shape, CPU, "
        f"{args.threads} thread(s)), seconds per sentence",
        ["method", "s/sentence", "completeness error / note"],
        rows,
    )
    emit_json(
        {
            "bench": "attribution",
            "threads": args.threads,
            "tokens": args.tokens,
            "results": results,
            "loadavg_before": load0,
            "loadavg_after": loadavg(),
            "machine": machine(),
        },
        args.json_out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
