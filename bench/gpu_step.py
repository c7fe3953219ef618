"""Benchmark: where a training step's time goes on a CUDA GPU, and which attention kernel to use.

The first GPU run measured the base Transformer at 130 ms per update, three times slower than
the GRU on the same GPU (docs/benchmarks.md, "On a CUDA GPU"). This times the trainer's step
(bf16 autocast, loss, backward, clipping, our Adam) on synthetic Multi30K-like batches in two
shape regimes:

- ``fixed``: one batch shape, over and over (what a one-step benchmark sees);
- ``varied``: a new (batch, source, target) shape at almost every step, as a real run's
  length-bucketed batches are; timed on first sight (``varied-new``) and again once every shape
  has been seen (``varied-seen``).

For the Transformer each regime runs under each of PyTorch's fused attention backends (cuDNN,
FlashAttention, memory-efficient, and the math fallback) and under the default choice, so a
backend that pays per new shape (cuDNN builds an execution graph per shape) shows up as
``varied-new`` far above ``varied-seen``. A torch.profiler table of the slowest operators of
the default Transformer's varied steps follows.

    python3 bench/gpu_step.py --steps 40

Prints tables and one JSON line (also written to --json-out). Needs a CUDA GPU.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import emit_json, print_table, training_step

V_SRC, V_TGT = 8000, 6500


def shapes(n: int, seed: int) -> list[tuple[int, int, int]]:
    """``n`` (batch, source, target) shapes like a bucketed Multi30K run's: lengths 6-40."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        t = rng.randint(6, 40)
        out.append((rng.randint(40, 90), max(4, t + rng.randint(-4, 4)), t))
    return out


def batch(shape: tuple[int, int, int], device):
    import torch

    b, s, t = shape
    g = torch.Generator().manual_seed(b * 10007 + s * 101 + t)
    src = torch.randint(4, V_SRC, (b, s), generator=g)
    tgt_in = torch.randint(4, V_TGT, (b, t), generator=g)
    tgt_out = torch.randint(4, V_TGT, (b, t), generator=g)
    return [x.to(device) for x in (src, torch.full((b,), s), tgt_in, tgt_out)]


def make_step(arch: str, device):
    import torch

    from core.config import preset
    from core.model.build import build_model
    from core.training.schedule import make_optimizer

    cfg = preset("base", arch).model
    torch.manual_seed(0)
    model = build_model(cfg, V_SRC, V_TGT).to(device).train()
    opt = make_optimizer(model, cfg, 1e-4)

    def step(*batch) -> None:  # a new batch (shape) at each call: the update for that batch
        training_step(model, opt, batch, "bf16", device_type=device.type)()

    return step


def sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def timed(step, batches) -> list[float]:
    out = []
    for b in batches:
        sync()
        t0 = time.perf_counter()
        step(*b)
        sync()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def backend_context(name: str):
    import contextlib

    from torch.nn.attention import SDPBackend, sdpa_kernel

    table = {
        "cudnn": SDPBackend.CUDNN_ATTENTION,
        "flash": SDPBackend.FLASH_ATTENTION,
        "efficient": SDPBackend.EFFICIENT_ATTENTION,
        "math": SDPBackend.MATH,
    }
    if name == "default":
        return contextlib.nullcontext()
    if name == "no-cudnn":
        return sdpa_kernel([table["flash"], table["efficient"], table["math"]])
    return sdpa_kernel([table[name], table["math"]])  # math only where the kernel refuses a call


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--steps", type=int, default=40, help="timed steps per regime")
    ap.add_argument("--backends", default="default,cudnn,no-cudnn,efficient,math")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--cpu", action="store_true", help="a dry run of the script on the CPU")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args()

    import torch

    if not torch.cuda.is_available() and not args.cpu:
        print("gpu_step: no CUDA GPU visible", file=sys.stderr)
        return 2
    device = torch.device("cpu" if args.cpu else "cuda")
    name = "CPU" if args.cpu else torch.cuda.get_device_name()
    print(f"{name}, torch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}")
    fixed = [batch((64, 14, 15), device)] * args.steps
    rows, results = [], {}
    runs = [("gru", "default")] + [("transformer", b) for b in args.backends.split(",")]
    for arch, backend in runs:
        step = make_step(arch, device)
        # each run its own shapes, so "new" really is new to this process's caches
        varied = [batch(s, device) for s in shapes(args.steps, seed=len(results) + 1)]
        try:
            with backend_context(backend):
                for _ in range(5):
                    step(*fixed[0])  # warm-up: kernels, allocator
                f = timed(step, fixed)
                new = timed(step, varied)
                seen = timed(step, varied)
        except RuntimeError as e:  # a backend that cannot run these calls at all
            print(f"{arch} {backend}: {str(e).splitlines()[0]}")
            continue
        r = {
            "fixed_ms": statistics.median(f),
            "varied_new_ms": statistics.median(new),
            "varied_new_mean_ms": statistics.fmean(new),
            "varied_seen_ms": statistics.median(seen),
        }
        results[f"{arch}:{backend}"] = {k: round(v, 2) for k, v in r.items()}
        rows.append(
            [arch, backend]
            + [f"{r[k]:.1f}" for k in ("fixed_ms", "varied_new_ms", "varied_new_mean_ms")]
            + [f"{r['varied_seen_ms']:.1f}"]
        )
        del step
        if device.type == "cuda":
            torch.cuda.empty_cache()
    print_table(
        "one training step, bf16 autocast (median ms)",
        ["model", "attention backend", "fixed ms", "varied new ms", "(mean)", "varied seen ms"],
        rows,
    )
    if not args.no_profile:
        from torch.profiler import ProfilerActivity, profile

        step = make_step("transformer", device)
        for _ in range(3):
            step(*fixed[0])
        varied = [batch(s, device) for s in shapes(10, seed=99)]
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            for b in varied:
                step(*b)
            sync()
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15))
        print(prof.key_averages().table(sort_by="self_cuda_time_total", row_limit=12))
    emit_json({"bench": "gpu_step", "steps": args.steps, "results": results}, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
