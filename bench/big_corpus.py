"""Big-corpus benchmark: generate a synthetic parallel corpus, train on it, report time and memory.

    .venv/bin/python bench/big_corpus.py                 # 200 MB (two files together)
    .venv/bin/python bench/big_corpus.py --mb 20         # a quicker look
    nice -n 10 .venv/bin/python bench/big_corpus.py      # on a shared machine
    .venv/bin/python bench/big_corpus.py --mb 50 --tokenization both   # subwords vs words
    .venv/bin/python bench/big_corpus.py --mb 2000 --max-steps 1000 --valid-every 1000 --again \\
        --tokenization words --tokenizer split --threads 1   # the 2 GB memory run
    .venv/bin/python bench/big_corpus.py --mb 100 --again --compare-code /tmp/main-src  # A/B

It writes ``train.src``/``train.tgt`` (random words from a synthetic lexicon of a few thousand
words, 5-30 words a sentence; the target is the source mapped word for word and reversed) into a
temporary folder, then runs ``python -m core train ... --preset tiny --json-progress`` as a
subprocess and watches it: when reading progress events arrive, when the corpus report (reading
and validation done) arrives, when training starts and ends, and the trainer's resident memory
(sampled from /proc: VmRSS, VmHWM and RssFile, the pages of memory-mapped files; and its peak from
``getrusage(RUSAGE_CHILDREN)``), and the reading throughput: corpus MB over the seconds from the
trainer's start to its corpus report. ``--again`` trains a second time (the corpus now comes from
the corpus cache); ``--compare-code`` trains with another source tree too, on the same corpus. The
corpus cache lives in the work folder (``ATTNSCOPE_HOME``). It prints a summary and, as its last
line, one JSON object with every number.
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


def existing(folder: Path) -> dict:
    """The counts ``generate`` returns, for a corpus generated earlier (tokens not counted)."""
    sizes = [(folder / n).stat().st_size for n in ("train.src", "train.tgt")]
    lines = 0
    with open(folder / "train.src", "rb") as f:
        while chunk := f.read(1 << 24):
            lines += chunk.count(b"\n")
    return {
        "lines": lines,
        "tokens_per_side": None,
        "bytes": sum(sizes),
        "src_bytes": sizes[0],
        "tgt_bytes": sizes[1],
    }


class RssSampler(threading.Thread):
    """Samples a process's VmRSS from /proc every ``interval`` seconds (Linux; silent elsewhere)."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, float]] = []  # (monotonic time, MB)
        self.hwm_mb = 0.0  # the kernel's own peak (VmHWM), last seen
        self.file_mb = 0.0  # largest RssFile seen: pages of mapped files counted as resident
        self.stop = threading.Event()

    def run(self) -> None:
        path = f"/proc/{self.pid}/status"
        while not self.stop.is_set():
            try:
                with open(path, encoding="ascii") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            self.samples.append((time.monotonic(), int(line.split()[1]) / 1024))
                        elif line.startswith("VmHWM:"):
                            self.hwm_mb = max(self.hwm_mb, int(line.split()[1]) / 1024)
                        elif line.startswith("RssFile:"):
                            self.file_mb = max(self.file_mb, int(line.split()[1]) / 1024)
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
    folder: Path,
    max_steps: int,
    valid_every: int,
    echo: bool,
    tokenization: str = "subwords",
    code: Path = REPO,
    out: Path | None = None,
    tokenizer: str = "moses",
    threads: int | None = None,
) -> dict:
    """One training run through the CLI of the source tree ``code``, watched (see the module
    doc); the corpus cache lives in ``folder``/home, so runs in one call share it."""
    out = out or folder / f"model-{tokenization}"
    shutil.rmtree(out, ignore_errors=True)  # left by an earlier --keep run in this workdir
    launcher = ["-m", "core"]
    if tokenizer == "split":
        launcher = [str(code / "bench" / "split_tokenizer_train.py")]
    cmd = [
        sys.executable,
        *launcher,
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
        *(["--threads", str(threads)] if threads else []),
    ]
    env = {
        **os.environ,
        "PYTHONPATH": str(code) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "ATTNSCOPE_HOME": str(folder / "home"),
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t_start = time.monotonic()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=code
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
    exit_code = proc.wait()
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
    corpus_mb = sum((folder / n).stat().st_size for n in ("train.src", "train.tgt")) / 1e6
    return {
        "tokenization": tokenization,
        "code": str(code),
        "cache_reused": (report.get("cache") or {}).get("reused"),
        # first reading event to the corpus report (hashing, reading, tokenizing, dev split)
        "reading_mb_per_s": round(corpus_mb / reading_s, 2) if reading_s else None,
        "reading_cpu_s": round(cpu_at_report - cpu_at_first_read, 2)
        if cpu_at_report is not None and cpu_at_first_read is not None
        else None,
        # process start to corpus ready (imports, hashing, reading, tokenizing, dev split)
        "to_corpus_ready_s": round(t_report - t_start, 2) if t_report else None,
        "read_mb_per_s": round(corpus_mb / (t_report - t_start), 2) if t_report else None,
        "loadavg_after": _loadavg(),
        "peak_rss_hwm_mb": round(sampler.hwm_mb, 1),
        "peak_rss_file_mb": round(sampler.file_mb, 1),
        "train_exit": exit_code,
        "error": error
        or (stderr.strip().splitlines()[-1] if exit_code and stderr.strip() else None),
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
        help="how the trainer tokenizes (both: subwords, then words, on the same corpus; "
        "--again and --compare-code use the last of them)",
    )
    p.add_argument(
        "--again",
        action="store_true",
        help="train a second time on the same corpus (it comes from the corpus cache)",
    )
    p.add_argument(
        "--compare-code",
        metavar="DIR",
        help="then train once more with the source tree in DIR (say, `git archive main`), on "
        "the same corpus: an A/B of reading throughput and memory in one call",
    )
    p.add_argument(
        "--tokenizer",
        choices=["moses", "split"],
        default="moses",
        help="split: whitespace tokens (bench/split_tokenizer_train.py), the same as Moses gives "
        "on this synthetic text, ~20x faster; for corpus sizes where Moses takes too long",
    )
    p.add_argument(
        "--reuse",
        action="store_true",
        help="use the corpus already in --workdir (from an earlier --keep run) if there is one",
    )
    p.add_argument(
        "--threads",
        type=int,
        help="the trainer's --threads; 1 on a shared machine (two OpenMP threads wait for each "
        "other's busy core)",
    )
    args = p.parse_args(argv)
    echo = not args.json_only

    base = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="attnscope-big-"))
    folder = base / "big-corpus"
    folder.mkdir(parents=True, exist_ok=True)
    steps, valid = args.max_steps, min(args.valid_every, args.max_steps)
    extra: dict = {}
    try:
        extra["loadavg_before"] = _loadavg()
        t0 = time.monotonic()
        if args.reuse and (folder / "train.src").is_file() and (folder / "train.tgt").is_file():
            counts = existing(folder)
        else:
            counts = generate(folder, int(args.mb * 1_000_000), args.seed)
        gen_s = time.monotonic() - t0
        if echo:
            print(
                f"corpus of {counts['bytes'] / 1e6:.1f} MB ({counts['lines']:,} pairs, "
                f"{counts['tokens_per_side'] or '?'} tokens a side) ready in {gen_s:.1f} s",
                flush=True,
            )
        if args.tokenizer == "split" and args.tokenization != "words":
            p.error("--tokenizer split replaces Moses: use it with --tokenization words")
        kinds = ["subwords", "words"] if args.tokenization == "both" else [args.tokenization]
        # this tree first: RUSAGE_CHILDREN's peak (peak_rss_mb) is then this run's own
        tok = {"tokenizer": args.tokenizer, "threads": args.threads}
        results = []
        for kind in kinds:
            if echo:
                print(f"{kind}: load average {os.getloadavg()}", flush=True)
            results.append(train(folder, steps, valid, echo, kind, **tok))
            _print_run(f"this tree, {kind}", results[-1], steps, echo)
        kind = kinds[-1]
        if args.again:
            again = folder / f"model-{kind}-again"
            extra["again"] = train(folder, steps, valid, echo, kind, out=again, **tok)
            _print_run(f"this tree, {kind}, again (corpus cache)", extra["again"], steps, echo)
        if args.compare_code:
            code = Path(args.compare_code).resolve()
            extra["compare"] = train(
                folder, steps, valid, echo, kind, code=code, out=folder / "model-b", **tok
            )
            _print_run(f"code in {code}, {kind}", extra["compare"], steps, echo)
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
        "tokenizer": args.tokenizer,
        **results[0],
        "runs": results,
        **extra,
    }
    print(json.dumps(summary), flush=True)
    runs = [*results, *(v for v in extra.values() if isinstance(v, dict))]
    return 0 if all(r["train_exit"] == 0 for r in runs) else 1


def _loadavg() -> str | None:
    try:
        return Path("/proc/loadavg").read_text(encoding="ascii").strip()
    except OSError:
        return None


def _print_run(label: str, result: dict, steps: int, echo: bool) -> None:
    if not echo:
        return
    print(f"-- {label}: trainer exit {result['train_exit']}", end="")
    print(f": {result['error']}" if result["error"] else "")
    print(
        f"start-up (imports) {result['startup_s']} s; reading + validation "
        f"{result['reading_validation_s']} s ({result['reading_mb_per_s']} MB/s, "
        f"{result['reading_cpu_s']} CPU s); to first step {result['to_first_step_s']} s; "
        f"{steps} steps {result['training_s']} s; total {result['total_s']} s"
    )
    print(
        f"corpus ready after {result['to_corpus_ready_s']} s: {result['read_mb_per_s']} MB/s "
        f"(start to corpus report; cache reused: {result['cache_reused']}; load after the run "
        f"{result['loadavg_after']})"
    )
    print(
        f"reading progress events: {result['reading_events']} "
        f"({result['reading_events_during_reading']} while reading)"
    )
    print(
        f"peak RSS {result['peak_rss_hwm_mb']} MB (VmHWM; while reading "
        f"{result['peak_rss_reading_mb']} MB, afterwards {result['peak_rss_after_reading_mb']} "
        f"MB; mapped-file pages at most {result['peak_rss_file_mb']} MB)",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
