"""Benchmark: how often oneDNN prepares a product kernel during training, and for which shapes.

oneDNN compiles a kernel for every shape of product it meets and keeps a bounded number
(``core.device.KERNEL_CACHE_ENTRIES``); a kernel evicted and met again is compiled again. This
runs ``bench/train.py`` for a short budget with ``ONEDNN_VERBOSE=profile_create`` and counts
the kernels prepared (cache misses) and found (hits), the time spent preparing them, and the
shapes prepared most often. With ``--blocks whole`` the products over many rows run as before
``core.model.row_blocks`` (one product per layer and batch). With ``--valid-every N`` the run
validates on the whole dev set every N updates and the kernels prepared are also counted from
one validation to the next (a validation's products can evict training's).

    .venv/bin/python bench/kernel_shapes.py --budget 40 --threads 2
    .venv/bin/python bench/kernel_shapes.py --budget 40 --threads 2 --blocks whole
    .venv/bin/python bench/kernel_shapes.py --budget 100 --threads 2 --valid-every 300

Prints the counts, the most prepared shapes, and one JSON line.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit_json, loadavg, machine

HERE = Path(__file__).resolve().parent

# bench/train.py run in a process whose row_blocks.CUT was set first (--blocks whole)
_LAUNCH = (
    "import runpy, sys; sys.path.insert(0, {root!r}); import core.model.row_blocks as r; "
    "r.CUT = {cut}; sys.argv = {argv!r}; runpy.run_path({script!r}, run_name='__main__')"
)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--budget", type=float, default=40.0, help="training seconds")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared/corpora/multi30k")
    ap.add_argument("--src", default="de")
    ap.add_argument("--tgt", default="en")
    ap.add_argument("--precision", default="bf16", choices=("fp32", "bf16"))
    ap.add_argument("--blocks", default="cut", choices=("cut", "whole"))
    ap.add_argument("--top", type=int, default=15, help="shapes listed")
    ap.add_argument(
        "--valid-every", type=int, default=0, help="validate every N updates (default: never)"
    )
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="attnscope-shapes-") as work:
        script = str(HERE / "train.py")
        argv = [
            script, "--corpus", str(args.corpus), "--src", args.src, "--tgt", args.tgt,
            "--budget", str(args.budget), "--out", str(Path(work) / "model"),
            "--precision", args.precision, "--threads", str(args.threads), "--seed", "1",
            "--valid-every", str(args.valid_every or 1000000),
            "--dev-limit", "0" if args.valid_every else "10", "--test-limit", "10",
        ]  # fmt: skip
        code = _LAUNCH.format(
            root=str(HERE.parent), cut=args.blocks == "cut", argv=argv, script=script
        )
        env = dict(os.environ, ONEDNN_VERBOSE="profile_create")
        load0 = loadavg()
        done = subprocess.run(  # -u: the validations' lines in order among oneDNN's
            [sys.executable, "-u", "-c", code],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:])
        return done.returncode
    misses: collections.Counter[str] = collections.Counter()
    miss_ms = hit_ms = 0.0
    hits = 0
    segments: list[list] = [["start", 0, 0.0]]  # [until, kernels prepared, ms] per validation
    for line in done.stdout.splitlines():
        if "validation @" in line:
            segments[-1][0] = "validation @ " + line.split("@")[1].split(":")[0].strip()
            segments.append(["end", 0, 0.0])
            continue
        if not line.startswith("onednn_verbose,") or ",create:" not in line:
            continue
        fields = line.split(",")
        ms, shape = float(fields[-1]), fields[-2]
        if "create:cache_miss" in line:
            misses[shape] += 1
            miss_ms += ms
            segments[-1][1] += 1
            segments[-1][2] += ms
        else:
            hits += 1
            hit_ms += ms
    prepared = sum(misses.values())
    print(
        f"{args.budget:.0f} s of {args.precision} training, products {args.blocks}: "
        f"{prepared:,} kernels prepared ({miss_ms / 1000:.2f} s) for {len(misses)} shapes, "
        f"{hits:,} found in the cache ({hit_ms / 1000:.2f} s)"
    )
    for shape, n in misses.most_common(args.top):
        print(f"  {n:5d}  {shape}")
    if args.valid_every:
        print("kernels prepared from one validation to the next (each one's own included):")
        for until, n, ms in segments:
            print(f"  up to {until}: {n:,} ({ms:.0f} ms)")
    emit_json(
        {
            "bench": "kernel_shapes",
            "machine": machine(),
            "budget_s": args.budget,
            "precision": args.precision,
            "blocks": args.blocks,
            "threads": args.threads,
            "prepared": prepared,
            "prepare_s": round(miss_ms / 1000, 3),
            "shapes": len(misses),
            "found": hits,
            "valid_every": args.valid_every,
            "prepared_per_validation": [[u, n, round(ms, 1)] for u, n, ms in segments],
            "load_before": load0,
            "load_after": loadavg(),
        },
        args.json_out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
