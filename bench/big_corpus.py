"""Big-corpus benchmark: generate a synthetic parallel corpus, train on it, report time and memory.

    .venv/bin/python bench/big_corpus.py                 # 200 MB (two files together)
    .venv/bin/python bench/big_corpus.py --mb 20         # a quicker look
    nice -n 10 .venv/bin/python bench/big_corpus.py      # on a shared machine
    .venv/bin/python bench/big_corpus.py --mb 50 --tokenization both   # subwords vs words

It writes ``train.src``/``train.tgt`` (random words from a synthetic lexicon of a few thousand
words, 5-30 words a sentence; the target is the source mapped word for word and reversed) into a
temporary folder, then runs ``python -m core train ... --preset tiny --json-progress`` as a
subprocess and watches it: when reading progress events arrive, when the corpus report (reading
and validation done) arrives, when training starts and ends, and the trainer's resident memory
(sampled from /proc, and its peak from ``getrusage(RUSAGE_CHILDREN)``). It prints a summary and, as
its last line, one JSON object with every number.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CONSONANTS = "bcdfghjklmnprstvwz"
VOWELS = "aeiou"


def lexicon(size: int, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """``size`` distinct pseudo-words per language (1-4 syllables), a 1:1 word mapping between
    them."""

    def words(upper: bool) -> list[str]:
        out: set[str] = set()
        while len(out) < size:
            n = int(rng.integers(1, 5))
            w = "".join(
                CONSONANTS[int(rng.integers(len(CONSONANTS)))]
                + VOWELS[int(rng.integers(len(VOWELS)))]
                for _ in range(n)
            )
            out.add(w.upper() if upper else w)
        return sorted(out)

    return words(False), words(True)


def generate(
    folder: Path,
    total_bytes: int,
    seed: int,
    vocab: int = 4000,
    min_len: int = 5,
    max_len: int = 30,
) -> dict:
    """Write train.src and train.tgt until together they hold ``total_bytes``; return counts."""
    rng = np.random.default_rng(seed)
    src_words, tgt_words = lexicon(vocab, rng)
    src_arr, tgt_arr = np.array(src_words, dtype=object), np.array(tgt_words, dtype=object)
    written = lines = tokens = 0
    batch = 20_000
    with (
        open(folder / "train.src", "w", encoding="utf-8", newline="\n") as fs,
        open(folder / "train.tgt", "w", encoding="utf-8", newline="\n") as ft,
    ):
        while written < total_bytes:
            lengths = rng.integers(min_len, max_len + 1, size=batch)
            ids = rng.integers(0, vocab, size=int(lengths.sum()))
            ends = np.cumsum(lengths)
            starts = ends - lengths
            src_lines, tgt_lines = [], []
            for a, b in zip(starts.tolist(), ends.tolist()):
                chunk = ids[a:b]
                src_lines.append(" ".join(src_arr[chunk]))
                tgt_lines.append(" ".join(tgt_arr[chunk[::-1]]))
            s = "\n".join(src_lines) + "\n"
            t = "\n".join(tgt_lines) + "\n"
            if written + len(s) + len(t) > total_bytes:  # trim the last batch to size
                keep, size = 0, written
                for sl, tl in zip(src_lines, tgt_lines):
                    if size + len(sl) + len(tl) + 2 > total_bytes and keep:
                        break
                    size += len(sl) + len(tl) + 2
                    keep += 1
                s = "\n".join(src_lines[:keep]) + "\n"
                t = "\n".join(tgt_lines[:keep]) + "\n"
                lengths = lengths[:keep]
            fs.write(s)
            ft.write(t)
            written += len(s) + len(t)
            lines += len(lengths)
            tokens += int(lengths.sum())
            if len(lengths) < batch:
                break
    return {
        "lines": lines,
        "tokens_per_side": tokens,
        "bytes": written,
        "src_bytes": (folder / "train.src").stat().st_size,
        "tgt_bytes": (folder / "train.tgt").stat().st_size,
    }


class RssSampler(threading.Thread):
    """Samples a process's VmRSS from /proc every ``interval`` seconds (Linux; silent elsewhere)."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, float]] = []  # (monotonic time, MB)
        self.stop = threading.Event()

    def run(self) -> None:
        path = f"/proc/{self.pid}/status"
        while not self.stop.is_set():
            try:
                with open(path, encoding="ascii") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            self.samples.append((time.monotonic(), int(line.split()[1]) / 1024))
                            break
            except OSError:
                return
            self.stop.wait(self.interval)

    def peak_between(self, t0: float, t1: float) -> float | None:
        values = [mb for t, mb in self.samples if t0 <= t <= t1]
        return round(max(values), 1) if values else None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (Linux): on a busy machine this says
    more about the work than the wall clock."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)
    except (OSError, ValueError, IndexError):
        return None


def train(
    folder: Path, max_steps: int, valid_every: int, echo: bool, tokenization: str = "subwords"
) -> dict:
    out = folder / f"model-{tokenization}"
    cmd = [
        sys.executable,
        "-m",
        "core",
        "train",
        "--train-src",
        str(folder / "train.src"),
        "--train-tgt",
        str(folder / "train.tgt"),
        "--src-lang",
        "en",
        "--tgt-lang",
        "en",
        "--out",
        str(out),
        "--preset",
        "tiny",
        "--max-steps",
        str(max_steps),
        "--valid-every",
        str(valid_every),
        "--device",
        "cpu",
        "--json-progress",
        "--tokenization",
        tokenization,
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t_start = time.monotonic()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO
    )
    sampler = RssSampler(proc.pid)
    sampler.start()
    reading: list[tuple[float, int, int]] = []
    times: dict[str, float] = {}
    cpu_at_report = cpu_at_first_read = None
    report: dict = {}
    error = None
    assert proc.stdout is not None
    for line in proc.stdout:
        now = time.monotonic()
        try:
            event = json.loads(line)
        except ValueError:
            continue
        kind = event.get("type")
        if kind == "reading":
            if not reading:
                cpu_at_first_read = cpu_seconds(proc.pid)
            reading.append((now, event["bytes_read"], event["total_bytes"]))
            if echo and len(reading) % 20 == 1:
                print(
                    f"  reading {100 * event['bytes_read'] / max(1, event['total_bytes']):5.1f}%"
                    f" at {now - t_start:6.1f} s",
                    flush=True,
                )
        elif kind == "report":
            times["report"] = now
            cpu_at_report = cpu_seconds(proc.pid)
            report = event["report"]
        elif kind == "progress":
            times.setdefault("first_step", now)
        elif kind == "done":
            times["done"] = now
        elif kind == "error":
            error = event.get("message")
    stderr = proc.stderr.read() if proc.stderr else ""
    code = proc.wait()
    t_end = time.monotonic()
    sampler.stop.set()
    sampler.join(timeout=1)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss is in KiB on Linux, bytes on macOS; it is the largest of all waited-for children
    scale = 1 / 1024 if sys.platform != "darwin" else 1 / (1024 * 1024)
    peak_rss = round(max(after, before) * scale, 1)
    first_read = reading[0][0] if reading else None
    during = [r for r in reading if 0 < r[1] < r[2]]
    t_report = times.get("report")
    reading_s = round(t_report - first_read, 2) if t_report and first_read else None
    total_mb = reading[-1][2] / 1e6 if reading else 0.0
    return {
        "tokenization": tokenization,
        "reading_mb_per_s": round(total_mb / reading_s, 2) if reading_s else None,
        "reading_cpu_s": round(cpu_at_report - cpu_at_first_read, 2)
        if cpu_at_report is not None and cpu_at_first_read is not None
        else None,
        "train_exit": code,
        "error": error or (stderr.strip().splitlines()[-1] if code and stderr.strip() else None),
        "startup_s": round(first_read - t_start, 2) if first_read else None,
        "reading_validation_s": round(t_report - first_read, 2)
        if t_report and first_read
        else None,
        "to_first_step_s": round(times["first_step"] - t_start, 2)
        if "first_step" in times
        else None,
        "training_s": round(times["done"] - times["first_step"], 2)
        if "done" in times and "first_step" in times
        else None,
        "total_s": round(t_end - t_start, 2),
        "reading_events": len(reading),
        "reading_events_during_reading": len(during),
        "peak_rss_mb": peak_rss,
        "peak_rss_reading_mb": sampler.peak_between(t_start, t_report or t_end),
        "peak_rss_after_reading_mb": sampler.peak_between(t_report, t_end) if t_report else None,
        "pairs_read": report.get("pairs_read"),
        "pairs_kept": report.get("pairs_kept"),
        "dropped": report.get("dropped"),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mb", type=float, default=200.0, help="corpus size, both files together (MB)")
    p.add_argument("--max-steps", type=int, default=50)
    p.add_argument("--valid-every", type=int, default=50)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--workdir",
        help="folder for the corpus and model (default: a temporary one, deleted afterwards)",
    )
    p.add_argument("--keep", action="store_true", help="keep the generated files")
    p.add_argument("--json-only", action="store_true", help="print only the JSON line")
    p.add_argument(
        "--tokenization",
        choices=["subwords", "words", "both"],
        default="subwords",
        help="how the trainer tokenizes (both: subwords, then words, on the same corpus)",
    )
    args = p.parse_args(argv)
    echo = not args.json_only

    base = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="attnscope-big-"))
    folder = base / "big-corpus"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.monotonic()
        counts = generate(folder, int(args.mb * 1_000_000), args.seed)
        gen_s = time.monotonic() - t0
        if echo:
            print(
                f"generated {counts['bytes'] / 1e6:.1f} MB ({counts['lines']:,} pairs, "
                f"{counts['tokens_per_side']:,} tokens a side) in {gen_s:.1f} s",
                flush=True,
            )
        kinds = ["subwords", "words"] if args.tokenization == "both" else [args.tokenization]
        results = []
        for kind in kinds:
            if echo:
                print(f"{kind}: load average {os.getloadavg()}", flush=True)
            results.append(
                train(folder, args.max_steps, min(args.valid_every, args.max_steps), echo, kind)
            )
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
            if not args.workdir:
                shutil.rmtree(base, ignore_errors=True)
    summary = {
        "corpus_mb": round(counts["bytes"] / 1e6, 1),
        "pairs": counts["lines"],
        "tokens_per_side": counts["tokens_per_side"],
        "generation_s": round(gen_s, 2),
        "max_steps": args.max_steps,
        **results[0],
        "runs": results,
    }
    if echo:
        for result in results:
            print_result(result, args.max_steps)
    print(json.dumps(summary), flush=True)
    return 0 if all(r["train_exit"] == 0 for r in results) else 1


def print_result(result: dict, max_steps: int) -> None:
    print(
        f"{result['tokenization']}: trainer exit {result['train_exit']}"
        + (f": {result['error']}" if result["error"] else "")
    )
    print(
        f"  start-up (imports) {result['startup_s']} s; reading + validation "
        f"{result['reading_validation_s']} s ({result['reading_mb_per_s']} MB/s, "
        f"{result['reading_cpu_s']} CPU s); to first step "
        f"{result['to_first_step_s']} s; {max_steps} steps {result['training_s']} s; "
        f"total {result['total_s']} s"
    )
    print(
        f"  reading progress events: {result['reading_events']} "
        f"({result['reading_events_during_reading']} while reading)"
    )
    print(
        f"  peak RSS {result['peak_rss_mb']} MB (while reading {result['peak_rss_reading_mb']} "
        f"MB, afterwards {result['peak_rss_after_reading_mb']} MB)"
    )


if __name__ == "__main__":
    sys.exit(main())
