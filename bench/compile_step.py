"""Benchmark: does ``torch.compile`` make the default training step faster? (issue 17's lever)

The default GRU model spends its training step in the Bahdanau decoder's many small per-step
operations (``bench/floor.py``: the step reaches a fraction of its matmul floor). This times one
training step (loss, backward, Adam) of the ``base`` preset on a synthetic Multi30K-shaped batch
in one process, eager against compiled, in alternating rounds so machine drift cancels:

- ``--what step``: ``torch.compile`` of the decoder's one-step function (called once per target
  position; one graph, reused at every step while the shapes stay the same);
- ``--what loss``: of the whole loss (encoder, the unrolled decoder loop, readout and loss: one
  graph per batch shape).

Prints the compile time (the first compiled step), the median ms per step of each, their ratio,
and the process's peak RSS before and after compiling (the compiler stack itself costs memory; the
compiled side's own model and optimizer state are printed beside it).

    .venv/bin/python bench/compile_step.py --threads 2 --what step --precision bf16
"""

from __future__ import annotations

import dataclasses
import resource
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


def peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> int:
    ap = one_step_parser(__doc__, 10, "timed steps per round")
    ap.add_argument("--what", choices=["step", "loss"], default="step")
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="bf16")
    ap.add_argument("--decoder", choices=["bahdanau", "luong"], default="bahdanau")
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    args = ap.parse_args()

    import torch

    from core import device
    from core.config import preset
    from core.model.seq2seq import Seq2Seq
    from core.training.adam import Adam

    device.set_threads(args.threads)
    b, s, t, v_src, v_tgt = args.batch, args.src_len, args.tgt_len, 8000, 6500
    batch = synthetic_batch(args, v_src, v_tgt)
    cfg = dataclasses.replace(preset("base").model, decoder=args.decoder)
    load0 = loadavg()

    def make() -> tuple:
        torch.manual_seed(1)
        model = Seq2Seq(cfg, v_src, v_tgt)
        return model, Adam(model.parameters(), lr=1e-3)

    def runner(model, opt, loss_fn):
        return training_step(model, opt, batch, args.precision, clip=None, loss_fn=loss_fn)

    eager_model, eager_opt = make()
    eager = runner(eager_model, eager_opt, eager_model.loss)
    for _ in range(3):
        eager()
    rss_eager = peak_mb()

    comp_model, comp_opt = make()
    if args.what == "step":
        comp_model.decoder.step = torch.compile(comp_model.decoder.step, dynamic=False)
        compiled = runner(comp_model, comp_opt, comp_model.loss)
    else:
        compiled = runner(comp_model, comp_opt, torch.compile(comp_model.loss, dynamic=False))
    t0 = time.perf_counter()
    compiled()
    compile_s = time.perf_counter() - t0
    for _ in range(2):
        compiled()

    times: dict[str, list[float]] = {"eager": [], "compiled": []}
    for _ in range(args.rounds):
        for name, fn in (("eager", eager), ("compiled", compiled)):
            for _ in range(args.steps):
                t1 = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t1)
    med = {k: statistics.median(v) for k, v in times.items()}
    result = {
        "bench": "compile_step",
        "machine": machine(),
        "what": args.what,
        "precision": args.precision,
        "decoder": args.decoder,
        "threads": args.threads,
        "shape": [b, s, t],
        "compile_s": round(compile_s, 1),
        "ms_per_step": {k: round(v * 1000, 2) for k, v in med.items()},
        "tokens_per_s": {k: round(b * t / v) for k, v in med.items()},
        "eager_over_compiled": round(med["eager"] / med["compiled"], 3),
        "peak_rss_mb_eager": rss_eager,
        "peak_rss_mb_after_compile": peak_mb(),
        # the compiled side is a second model: its weights, gradients and Adam's two moments
        "second_model_mb": round(eager_model.num_parameters() * 4 * 4 / 2**20),
        "load": [load0, loadavg()],
    }
    print_table(
        f"one training step, {args.decoder} {args.precision}, B={b} S={s} T={t}, "
        f"{args.threads} threads, torch.compile of the {args.what} (load {load0} -> {loadavg()})",
        ["", "ms/step (median)", "target tokens/s"],
        [[k, result["ms_per_step"][k], result["tokens_per_s"][k]] for k in ("eager", "compiled")],
    )
    print(
        f"  eager / compiled step time: {result['eager_over_compiled']}x; compiling took "
        f"{result['compile_s']} s; peak RSS {rss_eager} MB before compiling, "
        f"{result['peak_rss_mb_after_compile']} MB after (of which ~{result['second_model_mb']} MB "
        "is the compiled side's own model and optimizer)"
    )
    emit_json(result, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
