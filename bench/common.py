"""Small helpers shared by the benchmark scripts: corpus files, machine state, tables, percentiles.

Nothing here imports torch, so the scripts that only launch other processes (``run_all.py``,
``app.py``) start quickly.
"""

from __future__ import annotations

import datetime
import gzip
import json
import os
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "multi30k"


def read_lines(corpus: Path, split: str, lang: str) -> list[str]:
    """``{corpus}/{split}.{lang}`` or ``.gz``, as a list of lines without their newlines."""
    plain = Path(corpus) / f"{split}.{lang}"
    if plain.is_file():
        return plain.read_text(encoding="utf-8").splitlines()
    gz = Path(corpus) / f"{split}.{lang}.gz"
    if gz.is_file():
        with gzip.open(gz, "rt", encoding="utf-8") as f:
            return f.read().splitlines()
    sys.exit(f"{Path(sys.argv[0]).name}: neither {plain} nor {gz} exists")


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


class LoadWatch:
    """Samples the 1-minute load while a benchmark runs, so a result says how quiet it was."""

    def __init__(self, every_s: float = 15.0) -> None:
        self.samples: list[tuple[float, float]] = []  # (seconds since start, 1-minute load)
        self._every = every_s
        self._start = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            now = loadavg()
            if now:
                self.samples.append((round(time.monotonic() - self._start, 1), now[0]))
            if self._stop.wait(self._every):
                return

    def stop(self) -> dict[str, Any]:
        self._stop.set()
        self._thread.join(timeout=5)
        loads = [load for _, load in self.samples]
        return {
            "every_s": self._every,
            "max": max(loads, default=None),
            "mean": round(sum(loads) / len(loads), 2) if loads else None,
            "samples": self.samples,
        }


def rss_mb(pid: int) -> float | None:
    """Resident memory of process ``pid`` in MB, from /proc (None where there is no /proc or
    the process has gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, their children, …), from /proc's parent links."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])  # the name may hold spaces and ")"
        parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        out.extend(kids)
        todo.extend(kids)
    return out


def refuse_if_busy(limit: float, force: bool, what: str) -> None:
    """Numbers taken on a busy machine mislead; say so before spending an hour on them."""
    now = loadavg()
    if now and now[0] > limit and not force:
        sys.exit(
            f"{what}: the 1-minute load is {now[0]:.2f} (above {limit}): something else is "
            "running, so the timings would not be this program's. Wait for a quiet machine, "
            "or pass --force to run anyway (the load is recorded with the results)."
        )


def machine() -> dict[str, Any]:
    """What the numbers were measured on: enough to tell a quiet run from a busy one."""
    info: dict[str, Any] = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "loadavg": loadavg(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        info["torch"] = torch.__version__
    return info


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None for no values."""
    if not values:
        return None
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    pos = (len(s) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def summary_ms(samples_s: Sequence[float]) -> dict[str, Any]:
    """p50 / p95 / mean / max in milliseconds of a list of durations in seconds."""
    ms = [x * 1000 for x in samples_s]
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
        "max_ms": round(max(ms), 2),
    }


def fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def print_table(
    title: str, header: Sequence[str], rows: Iterable[Sequence[Any]], file=None
) -> None:
    """A plain aligned text table."""
    file = file or sys.stdout
    rows = [[fmt(c) for c in r] for r in rows]
    header = list(header)
    widths = [
        max(len(str(h)), *(len(r[i]) for r in rows)) if rows else len(str(h))
        for i, h in enumerate(header)
    ]
    print(f"\n{title}", file=file)
    print(
        "  "
        + "  ".join(
            str(h).ljust(w) if i == 0 else str(h).rjust(w)
            for i, (h, w) in enumerate(zip(header, widths))
        ),
        file=file,
    )
    print("  " + "  ".join("-" * w for w in widths), file=file)
    for r in rows:
        print(
            "  "
            + "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))
            ),
            file=file,
        )


def emit_json(result: dict[str, Any], path: Path | None) -> None:
    """The one JSON line on stdout (last line), and the same in ``path`` when given."""
    line = json.dumps(result)
    print(line, flush=True)
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(line + "\n", encoding="utf-8")


def parse_threads(text: str) -> list[int]:
    out = [int(x) for x in str(text).split(",") if x.strip()]
    if not out or any(n < 1 for n in out):
        raise ValueError(f"--threads wants positive integers separated by commas, not {text!r}")
    return out


def one_step_parser(doc: str | None, steps: int, steps_help: str = "timed steps"):
    """The options every one-step benchmark takes: ``--threads``, ``--steps``, the synthetic
    batch's shape and ``--json-out``; each script adds its own."""
    import argparse

    ap = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=steps, help=f"{steps_help} (default {steps})")
    add_batch_args(ap)
    ap.add_argument("--json-out", type=Path)
    return ap


def add_batch_args(ap) -> None:
    """The synthetic batch's shape options shared by the one-step benchmarks."""
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--src-len", type=int, default=14)
    ap.add_argument("--tgt-len", type=int, default=15)


def synthetic_batch(args, v_src: int = 8000, v_tgt: int = 6500) -> tuple:
    """(src, src_len, tgt_in, tgt_out) of ``add_batch_args``' shape, Multi30K-like vocabularies,
    seeded, so the one-step benchmarks time the same batch."""
    import torch

    torch.manual_seed(0)
    b, s, t = args.batch, args.src_len, args.tgt_len
    src = torch.randint(4, v_src, (b, s))
    tgt_in, tgt_out = torch.randint(4, v_tgt, (b, t)), torch.randint(4, v_tgt, (b, t))
    return src, torch.full((b,), s), tgt_in, tgt_out


def training_step(
    model,
    opt,
    batch: tuple,
    precision: str,
    clip: float | None = 1.0,
    loss_fn=None,
    device_type: str = "cpu",
):
    """The update the one-step benchmarks time, as a closure over one fixed batch: bf16 autocast
    (``precision == "bf16"``) or fp32, label smoothing 0.1, clipping at ``clip`` (the trainer's
    1.0; None: none), then the optimizer. ``loss_fn`` replaces ``model.loss`` (a compiled one);
    ``device_type`` is where the batch and model live (autocast's device)."""
    import torch

    src, src_len, tgt_in, tgt_out = batch
    loss_fn = loss_fn or model.loss

    def step() -> None:
        with torch.autocast(device_type, dtype=torch.bfloat16, enabled=precision == "bf16"):
            loss, _ = loss_fn(src, src_len, tgt_in, tgt_out, 0.1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()

    return step


def alternate(
    variants: dict[str, Callable[[], None]], step: Callable[[], None], rounds: int, steps: int
) -> dict[str, float]:
    """Old against new in one process: each round puts every variant in place in turn
    (``variants[name]()``), runs ``step`` once untimed (caches and shapes settle after the
    switch), then times ``steps`` more. The rounds alternate the order, so drift falls on both
    alike; returns each variant's median milliseconds per step over the rounds."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            variants[name]()
            step()
            t0 = time.perf_counter()
            for _ in range(steps):
                step()
            times[name].append((time.perf_counter() - t0) / steps * 1000)
    return {name: statistics.median(t) for name, t in times.items()}


def module_at(rev: str, path: str):
    """The module at ``path`` as it was at git revision ``rev``, loaded beside the current one,
    so one process can alternate the two (its own imports come from the current tree)."""
    import importlib.util
    import subprocess
    import tempfile

    root = Path(__file__).resolve().parents[1]
    source = subprocess.run(
        ["git", "-C", str(root), "show", f"{rev}:{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    name = f"{Path(path).stem}_at_{rev}"
    file = Path(tempfile.mkdtemp(prefix="attnscope-rev-")) / f"{name}.py"
    file.write_text(source)
    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it runs
    spec.loader.exec_module(module)
    return module


def swap_dropout(model, cls, kinds: tuple) -> None:
    """Replace every dropout module of ``model`` (any of ``kinds``) by ``cls(p)`` (none has
    parameters)."""
    for parent in model.modules():
        for name, child in list(parent.named_children()):
            if isinstance(child, kinds):
                setattr(parent, name, cls(child.p))
