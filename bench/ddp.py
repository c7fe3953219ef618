"""Benchmark: distributed training on this machine, and on paper what gradients cost at 8 GPUs.

``throughput``: the same training two ways, alternating, on the same data in the same order:
  A = one process, 2 threads, batch 2B          (``attnscope-cli train``)
  B = two ranks (torchrun, gloo), 1 thread each, batch B per rank
Each run trains for ``--seconds`` (a time budget); the rate is target tokens per second of
training (the JSON progress events' windows weighted by their length, so the rare validation is
left out), with the load average before and after each run.

    .venv/bin/python bench/ddp.py throughput --corpus ../shared/corpora/multi30k --src de \\
        --tgt en --seconds 120 --rounds 2

``comm``: the base model's parameter count (at the corpus's vocabulary sizes and at the 30,000
cap), the bytes all-reduced per step (fp32 gradients: 4 bytes a parameter) and the time a ring
all-reduce takes among 8 GPUs at typical link speeds: 2·(N−1)/N · bytes / bandwidth.

    .venv/bin/python bench/ddp.py comm --src-vocab 8025 --tgt-vocab 6225
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DEFAULT_CORPUS, ROOT, emit_json, loadavg, machine, read_lines

# effective bus bandwidths (GB/s) a ring all-reduce reaches; what nccl-tests report as "busbw"
# on such links is close to these (the nominal link speed is higher)
LINKS = {
    "NVLink 4 (H100 SXM, 8 GPUs)": 360.0,
    "PCIe 4.0 x16, no NVLink": 20.0,
    "100 Gb/s Ethernet/InfiniBand between nodes": 11.0,
    "10 Gb/s Ethernet between nodes": 1.1,
}


def _corpus_files(corpus: Path, src: str, tgt: str, work: Path, limit: int) -> tuple[Path, Path]:
    """The training split as two plain files (the first ``limit`` pairs when limit > 0)."""
    out = []
    for lang in (src, tgt):
        lines = read_lines(corpus, "train", lang)
        path = work / f"train.{lang}"
        path.write_text("\n".join(lines[:limit] if limit else lines) + "\n", encoding="utf-8")
        out.append(path)
    return out[0], out[1]


def _rate(stdout: str) -> dict[str, float]:
    """Target tokens/s of training (progress windows weighted by length), steps, elapsed."""
    events = [json.loads(x) for x in stdout.splitlines() if x.startswith("{")]
    progress = [e for e in events if e["type"] == "progress"]
    tokens = seconds = 0.0
    for prev, cur in zip(progress, progress[1:]):
        dt = cur["elapsed_s"] - prev["elapsed_s"]
        if dt > 0:
            tokens += cur["tokens_per_second"] * dt
            seconds += dt
    done = next((e for e in events if e["type"] == "done"), {})
    return {
        "tokens_per_s": round(tokens / seconds, 1) if seconds else 0.0,
        "steps": done.get("step", 0),
        "elapsed_s": round(done.get("elapsed_s", 0.0), 1),
    }


def _run(kind: str, files: tuple[Path, Path], args: argparse.Namespace, out: Path) -> dict:
    common = [
        "train",
        "--json-progress",
        f"--train-src={files[0]}",
        f"--train-tgt={files[1]}",
        f"--src-lang={args.src}",
        f"--tgt-lang={args.tgt}",
        f"--preset={args.preset}",
        f"--time-budget={args.seconds}",
        "--valid-every=100000",
        "--device=cpu",
        f"--seed={args.seed}",
        f"--out={out}",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GLOO_SOCKET_IFNAME": "lo"}
    if kind == "1 rank x 2 threads":
        cmd = [
            sys.executable,
            "-m",
            "core",
            *common,
            "--threads=2",
            f"--batch-size={2 * args.batch}",
        ]
        env["OMP_NUM_THREADS"] = "2"
    else:
        cmd = [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc-per-node=2",
            "--standalone",  # one machine: torchrun picks a free port itself
            "-m",
            "core",
            *common,
            "--threads=1",
            f"--batch-size={args.batch}",
        ]
        env["OMP_NUM_THREADS"] = "1"
    load_before = loadavg()
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{kind} failed:\n{proc.stderr[-3000:]}")
    return {
        "kind": kind,
        **_rate(proc.stdout),
        "wall_s": round(time.monotonic() - t0, 1),
        "load_before": load_before,
        "load_after": loadavg(),
    }


def throughput(args: argparse.Namespace) -> None:
    info = machine()
    print(json.dumps({"machine": info}))
    with tempfile.TemporaryDirectory(prefix="attnscope-ddp-bench-") as tmp:
        work = Path(tmp)
        files = _corpus_files(Path(args.corpus), args.src, args.tgt, work, args.limit)
        results = []
        for r in range(args.rounds):
            for kind in ("1 rank x 2 threads", "2 ranks x 1 thread"):
                res = _run(kind, files, args, work / f"m-{r}-{len(results)}")
                results.append(res)
                print(json.dumps(res), flush=True)
    print(f"\n{'run':<22} {'tok/s':>9} {'steps':>7} {'train s':>8} {'load before/after':>24}")
    for res in results:
        load = f"{res['load_before'][:1]} / {res['load_after'][:1]}"
        print(
            f"{res['kind']:<22} {res['tokens_per_s']:>9,.0f} {res['steps']:>7} "
            f"{res['elapsed_s']:>8} {load:>24}"
        )
    emit_json({"bench": "ddp-throughput", "machine": info, "runs": results}, args.json_out)


def comm(args: argparse.Namespace) -> None:
    import torch

    from core.config import preset
    from core.model.build import build_model

    cfg = preset("base").model
    rows = []
    for label, sv, tv in (
        ("corpus vocabularies", args.src_vocab, args.tgt_vocab),
        ("30,000-word cap", 30000, 30000),
    ):
        with torch.device("meta"):
            params = build_model(cfg, sv, tv).num_parameters()
        nbytes = params * 4
        ring = 2 * (args.gpus - 1) / args.gpus * nbytes
        rows.append((label, sv, tv, params, nbytes, ring))
    for label, sv, tv, params, nbytes, ring in rows:
        print(
            f"\nbase model, {label} (src {sv:,}, tgt {tv:,}): {params:,} parameters, "
            f"{nbytes / 1e6:.1f} MB of fp32 gradients all-reduced per step; a ring among "
            f"{args.gpus} GPUs sends and receives {ring / 1e6:.1f} MB per GPU"
        )
        for link, gbps in LINKS.items():
            print(f"  {link:<46} {ring / (gbps * 1e9) * 1e3:8.2f} ms per step")
    emit_json(
        {"bench": "ddp-comm", "gpus": args.gpus, "rows": rows, "links_GBps": LINKS}, args.json_out
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="mode", required=True)
    t = sub.add_parser("throughput")
    t.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    t.add_argument("--src", default="de")
    t.add_argument("--tgt", default="en")
    t.add_argument("--preset", default="small")
    t.add_argument("--batch", type=int, default=32, help="per-rank batch B (one process: 2B)")
    t.add_argument("--seconds", type=float, default=120)
    t.add_argument("--rounds", type=int, default=2)
    t.add_argument("--limit", type=int, default=0, help="first N training pairs only")
    t.add_argument("--seed", type=int, default=1)
    c = sub.add_parser("comm")
    c.add_argument("--src-vocab", type=int, default=8025)
    c.add_argument("--tgt-vocab", type=int, default=6225)
    c.add_argument("--gpus", type=int, default=8)
    for sp in (t, c):
        sp.add_argument("--json-out", type=Path, help="also write the JSON result to this file")
    args = p.parse_args()
    throughput(args) if args.mode == "throughput" else comm(args)


if __name__ == "__main__":
    main()
