"""Benchmark: translating a file through a Unix pipe against ``--input/--output``, whole processes.

    .venv/bin/python bench/pipe.py --model /tmp/m-de-en --input test_2016_flickr.de --runs 5
    .venv/bin/python bench/pipe.py ... --baseline-repo /tmp/old-checkout   # also the old pipe

Each round runs ``python -m core translate --model M < INPUT > out`` (stdin is a file: what a
shell's redirection or ``cat f |`` gives) and ``python -m core translate --model M --input INPUT
--output out``, alternating, from the process start to its exit (loading the model included, as a
user waits for it). With ``--baseline-repo`` a third command runs the pipe form from another
checkout (e.g. the commit before stdin was batched). It checks that every form wrote the same
lines, prints the median seconds of each form and the pipe/--input ratio taken round by round,
with the 1-minute load before and after, and ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(cmd: list[str], cwd: Path, stdin_path: Path | None, out_path: Path) -> float:
    start = time.monotonic()
    with open(out_path, "wb") as out:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            r = subprocess.run(
                cmd, cwd=cwd, stdin=stdin, stdout=out, stderr=subprocess.PIPE, timeout=1800
            )
        finally:
            if stdin_path:
                stdin.close()
    took = time.monotonic() - start
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.decode()[-2000:]}")
    return took


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--model", required=True, help="a model folder")
    ap.add_argument("--input", required=True, type=Path, help="sentences, one a line")
    ap.add_argument("--runs", type=int, default=5, help="rounds (default 5)")
    ap.add_argument("--beam", type=int, default=1, help="beam size for both forms (default 1)")
    ap.add_argument("--threads", type=int, default=2, help="OMP_NUM_THREADS for both (default 2)")
    ap.add_argument("--baseline-repo", type=Path, help="also time the pipe form of this checkout")
    args = ap.parse_args()

    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    base = [sys.executable, "-m", "core", "translate", "--model", args.model]
    base += ["--beam", str(args.beam)]
    forms = {
        "pipe": (REPO, True, base),
        "input_output": (REPO, False, base),
    }
    if args.baseline_repo:
        forms["old_pipe"] = (args.baseline_repo, True, base)
    times: dict[str, list[float]] = {name: [] for name in forms}
    outputs: dict[str, bytes] = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            for name, (cwd, piped, cmd) in forms.items():
                out = Path(tmp) / f"{name}.txt"
                if piped:
                    times[name].append(_run(cmd, cwd, args.input, out))
                else:
                    written = Path(tmp) / f"{name}.written"
                    cmd = [*cmd, "--input", str(args.input), "--output", str(written)]
                    times[name].append(_run(cmd, cwd, None, out))
                    out = written
                outputs[name] = out.read_bytes()
    load_after = os.getloadavg()[0]
    same = len(set(outputs.values())) == 1
    lines = outputs["pipe"].count(b"\n")
    ratios = [p / i for p, i in zip(times["pipe"], times["input_output"])]
    result = {
        "sentences": lines,
        "beam": args.beam,
        "threads": args.threads,
        "runs": args.runs,
        "median_s": {name: round(statistics.median(t), 2) for name, t in times.items()},
        "pipe_over_input_median_ratio": round(statistics.median(ratios), 3),
        "identical_output": same,
        "load_1min": [round(load_before, 2), round(load_after, 2)],
    }
    if "old_pipe" in times:
        old = [o / p for o, p in zip(times["old_pipe"], times["pipe"])]
        result["old_pipe_over_pipe_median_ratio"] = round(statistics.median(old), 3)
    for name, t in times.items():
        spread = f"(min {min(t):.2f}, max {max(t):.2f})"
        print(f"{name:>13}: median {statistics.median(t):6.2f} s  {spread}")
    print(f"pipe / --input (round by round, median): {result['pipe_over_input_median_ratio']}")
    print(f"identical output: {same}   load {load_before:.2f} -> {load_after:.2f}")
    print(json.dumps(result))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
