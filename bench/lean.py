"""Memory levers of training: what each saves in memory and what it costs in speed.

Eleven levers, each measured old against new:

- ``--lever width``: GRU training batches round their source width up to a multiple
  (``Seq2Seq.SOURCE_WIDTH_MULTIPLE``). oneDNN (behind bf16 matmuls on the CPU) keeps a compiled
  primitive per tensor shape, and a run meets a new shape with every (source width, target length)
  of its batches; the encoder packs its input, so the padding costs it no recurrent steps, and
  attention masks it. Variants: ``1`` (exact widths) and ``8``.
- ``--lever loss``: the loss over the vocabulary, ``whole`` (the logits, log-softmax and their
  gradients of every position of the batch at once: ``core.model.loss.token_loss``) against
  ``chunked`` (``projected_loss``: real target positions only, a chunk of rows at a time, rows
  rounded to a multiple of 64).
- ``--lever energies``: the attention of a GRU step as before commit ce4d700 (``kept``: the
  Luong decoder's batched additive scores keep ``tanh(q + keys)`` of every step for the backward
  pass, and each Bahdanau step's context casts the encoder states to bf16 anew under autocast)
  against now (``recomputed``: ``core.model.additive`` computes the Luong tanh again in the
  backward pass, and a Bahdanau step's context is taken in the encoder states' dtype).
- ``--lever recurrence``: the GRU recurrences of training stepped through with autograd
  (``stepwise``: ``nn.GRU`` on the packed batch, ``Decoder.step`` per target word) against
  ``fused`` (``core.model.recurrence``: each one autograd operation with its own backward pass;
  the ``energies`` lever then concerns the Luong decoder only).
- ``--lever optimizer``: ``torch`` (``torch.optim.Adam(fused=True)`` and ``ReduceLROnPlateau``, as
  before; building them imports ``torch._dynamo`` and sympy) against ``own``
  (``core.training.adam.Adam`` with the same fused kernel, and the plateau schedule written out).
- ``--lever heap``: glibc's malloc as it comes (``as-is``: the threshold from which it maps a
  buffer on its own rises with every mapped buffer freed, up to 32 MiB, so a step's per-batch
  tensors soon come from the heap, which fragments) against ``fixed`` (what training does now:
  the threshold fixed at ``core.device.HEAP_MAP_BYTES``, 8 MiB) and two ways to keep the heap
  small that training does not use: ``mapped`` (fixed at 256 KiB: ``mallopt``, as
  ``MALLOC_MMAP_THRESHOLD_=262144`` would) and ``trimmed`` (``malloc_trim(0)``, glibc's free
  memory given back, every ``TRIM_EVERY`` updates, the threshold as it comes). ``rss`` mode only,
  glibc only.
- ``--lever sizes``: the fused recurrences' whole-sequence buffers at their exact sizes
  (``exact``: a different size at every batch, and glibc's heap keeps the holes they leave)
  against ``classes`` (rounded up to four sizes per doubling:
  ``core.model.recurrence.SIZE_CLASSES``).
- ``--lever caches``: the entries of ideep's kernel cache (PyTorch's matmul parameters and
  their oneDNN primitive, in front of oneDNN's own primitive cache of
  ``core.device.KERNEL_CACHE_ENTRIES``), ``64`` as before against ``16``
  (``core.device.IDEEP_CACHE_ENTRIES``): a bf16 kernel costs ~2 MB kept alive by either cache.
  ``rss`` mode only: the bound is read when oneDNN first runs, so each variant needs a fresh
  process.
- ``--lever native``: the compiled CPU kernels (``core.native``) ``off`` (``ATTNSCOPE_NATIVE=0``:
  the PyTorch code) against ``on``. ``rss`` mode only (``bench/native.py`` times them).
- ``--lever blocks``: products over many rows ``whole`` (as before: one product per layer and
  batch, the loss's last chunk of any size) against ``cut`` into 512, 256, 128 and 64 rows
  (``core.model.row_blocks``): fewer shapes for oneDNN to prepare kernels for.
- ``--lever stop``: the encoder's GRU layers step through the batch's whole (rounded-up) source
  width (``width``, as before) against stopping after its longest sentence (``longest``:
  ``core.model.recurrence.STOP_AT_LONGEST``); the tensors keep their rounded shapes either way.

Three ways to run it:

- ``rss``: one fresh process per variant trains ``--steps`` updates of the real trainer (a fixed
  count, so the load does not change which shapes are met) and reports its peak resident memory
  and its total tokens/s; the variants run one after the other, alternating over ``--rounds``.
- ``one --variant V [--trace]``: one run of one variant in this process (``--trace`` prints
  the resident memory ten times a run, and the largest since the last line).
- ``speed``: one process times the same training batches with both variants, alternating batch
  by batch on one model, and reports the median step time of each (load-robust: both variants
  share the machine's conditions).

    .venv/bin/python bench/lean.py rss --lever width --steps 500 --decoder luong --precision bf16
    .venv/bin/python bench/lean.py speed --lever loss --steps 300 --threads 2 --decoder bahdanau

Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from common import DEFAULT_CORPUS, emit_json, loadavg, machine, print_table
from fixed_updates import corpus_files

import core.device as device_module
import core.model.recurrence as recurrence_module
import core.model.row_blocks as row_blocks
import core.model.seq2seq as seq2seq_module
import core.training.run as run_module
import core.training.schedule as schedule_module
from core.config import TokenizerConfig, preset
from core.model.additive import additive_scores, kept_additive_scores
from core.model.loss import token_loss
from core.model.seq2seq import Seq2Seq
from core.model.transformer import Transformer

VARIANTS = {
    "width": ("1", str(Seq2Seq.SOURCE_WIDTH_MULTIPLE)),
    "loss": ("whole", "chunked"),
    "energies": ("kept", "recomputed"),
    "optimizer": ("torch", "own"),
    "recurrence": ("stepwise", "fused"),
    "heap": ("as-is", "fixed", "mapped", "trimmed"),
    "sizes": ("exact", "classes"),
    "caches": ("64", "16"),
    "native": ("off", "on"),
    "blocks": ("whole", "cut"),
    "stop": ("width", "longest"),
}
CHUNKED_LOSS = {cls: cls.loss for cls in (Seq2Seq, Transformer)}
TRIM_EVERY = 100  # --lever heap, variant trimmed: updates between malloc_trim calls


def _autocast_context(weights, values):
    """One step's context as before: under autocast, the encoder states cast (and kept) anew."""
    return torch.bmm(weights.to(values.dtype).unsqueeze(1), values).squeeze(1)


FP32_CONTEXT = seq2seq_module._weighted_sum
SIZE_CLASSES = recurrence_module.SIZE_CLASSES


def _seq2seq_whole_loss(self, src, src_len, tgt_in, tgt_out, label_smoothing=0.0):
    return token_loss(self(src, src_len, tgt_in)[0], tgt_out, label_smoothing)


def _transformer_whole_loss(self, src, src_len, tgt_in, tgt_out, label_smoothing=0.0):
    return token_loss(self.train_logits(src, tgt_in), tgt_out, label_smoothing)


class _TorchPlateau:
    """The GRU schedule as before: torch's own ReduceLROnPlateau."""

    def __init__(self, optimizer, cfg) -> None:
        self.inner = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode="min", factor=cfg.lr_decay, patience=cfg.lr_patience, min_lr=cfg.min_lr
        )

    def before_update(self, step: int) -> None:
        pass

    def after_validation(self, loss: float) -> None:
        self.inner.step(loss)

    def state_dict(self) -> dict:
        return self.inner.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.inner.load_state_dict(state)


def _torch_optimizer(model, model_cfg, lr: float):
    betas = (0.9, 0.98) if model_cfg.arch == "transformer" else (0.9, 0.999)
    return torch.optim.Adam(model.parameters(), lr=lr, betas=betas, fused=True)


def _torch_schedule(optimizer, model_cfg, cfg):
    if model_cfg.arch == "transformer":
        return schedule_module.InverseSqrtSchedule(optimizer, cfg)
    return _TorchPlateau(optimizer, cfg)


def _use(lever: str, variant: str) -> int:
    """Put ``variant`` of ``lever`` in place; returns the source width multiple to collate with."""
    old_optim = lever == "optimizer" and variant == "torch"
    run_module.make_optimizer = _torch_optimizer if old_optim else schedule_module.make_optimizer
    run_module.make_schedule = _torch_schedule if old_optim else schedule_module.make_schedule
    whole = lever == "loss" and variant == "whole"
    Seq2Seq.loss = _seq2seq_whole_loss if whole else CHUNKED_LOSS[Seq2Seq]
    Transformer.loss = _transformer_whole_loss if whole else CHUNKED_LOSS[Transformer]
    kept = lever == "energies" and variant == "kept"
    seq2seq_module.additive_scores = kept_additive_scores if kept else additive_scores
    seq2seq_module._weighted_sum = _autocast_context if kept else FP32_CONTEXT
    seq2seq_module.FUSED_RECURRENCE = not (lever == "recurrence" and variant == "stepwise")
    exact = (lever, variant) == ("sizes", "exact")
    recurrence_module.SIZE_CLASSES = None if exact else SIZE_CLASSES
    row_blocks.CUT = (lever, variant) != ("blocks", "whole")
    recurrence_module.STOP_AT_LONGEST = (lever, variant) != ("stop", "width")
    multiple = int(variant) if lever == "width" else Seq2Seq.SOURCE_WIDTH_MULTIPLE
    Seq2Seq.SOURCE_WIDTH_MULTIPLE = multiple
    return multiple


def _heap_variant(variant: str) -> None:
    """``--lever heap``: put ``variant`` in place in this (fresh) process."""
    import ctypes

    libc = ctypes.CDLL("libc.so.6")
    if variant != "fixed":  # the run's own core.device.bound_heap stays out of the way
        device_module.bound_heap = lambda: False
    if variant == "mapped":
        libc.mallopt(-3, 256 * 1024)  # M_MMAP_THRESHOLD
    elif variant == "trimmed":
        step = run_module.TrainingRun.train_step
        count = [0]

        def trimmed_step(self, *args, **kwargs):
            loss = step(self, *args, **kwargs)
            count[0] += 1
            if count[0] % TRIM_EVERY == 0:
                libc.malloc_trim(0)
            return loss

        run_module.TrainingRun.train_step = trimmed_step


def _config(args: argparse.Namespace):
    p = preset(args.preset)
    model_cfg = dataclasses.replace(p.model, arch=args.arch, decoder=args.decoder)
    cfg = p.train.replace(
        epochs=0,
        max_steps=args.steps,
        precision=args.precision,
        num_threads=args.threads,
        valid_every=args.valid_every,
        seed=1,
    )
    return model_cfg, cfg, TokenizerConfig(args.src, args.tgt)


def one_run(args: argparse.Namespace) -> dict:
    """The child of ``rss``: train once with ``--variant`` and report (never twice in one
    process: the caches of the first run would count against the second)."""
    from core.data.corpus import CorpusSpec
    from core.training.run import train

    _use(args.lever, args.variant)
    if args.lever == "heap":
        _heap_variant(args.variant)
    if args.lever == "caches":  # before oneDNN first runs: core.device.bound_kernel_caches
        os.environ["LRU_CACHE_CAPACITY"] = args.variant
    if args.lever == "native":  # core.native decides on first use
        os.environ["ATTNSCOPE_NATIVE"] = "1" if args.variant == "on" else "0"
    model_cfg, cfg, tok = _config(args)
    files = corpus_files(args.corpus, args.src, args.tgt, Path(args.work), dev_limit=500)
    t0 = time.monotonic()
    done = train(
        CorpusSpec(str(files["train_src"]), str(files["train_tgt"])),
        Path(args.work) / f"model-{args.variant}",
        model_cfg,
        tok,
        cfg,
        dev_spec=CorpusSpec(str(files["dev_src"]), str(files["dev_tgt"])),
        on_event=_RssTrace(args.steps) if args.trace else None,
    )
    training_s = done.elapsed_s - done.validation_s
    return {
        "variant": args.variant,
        "updates": done.step,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "tokens_per_s_total": round(done.target_tokens / training_s) if training_s > 0 else None,
        "best_dev_bleu": round(done.best_bleu or 0.0, 2),
        "wall_s": round(time.monotonic() - t0, 1),
    }


class _RssTrace:
    """``one --trace``: resident memory sampled every 20 ms, printed to stderr ten times a run
    (now, and the largest since the last line): growth and transients told apart."""

    def __init__(self, steps: int) -> None:
        import threading

        self.every, self.last, self.high = max(1, steps // 10), 0, 0
        threading.Thread(target=self._sample, daemon=True).start()

    @staticmethod
    def _now_mb() -> int:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) // 1024
        return 0

    def _sample(self) -> None:
        while True:
            self.high = max(self.high, self._now_mb())
            time.sleep(0.02)

    def __call__(self, event) -> None:
        step = getattr(event, "step", 0)
        if event.type == "progress" and step - self.last >= self.every:
            self.last, high, self.high = step, self.high, 0
            print(f"  step {step}: {self._now_mb()} MB, max since {high} MB", file=sys.stderr)


def rss(args: argparse.Namespace) -> list[dict]:
    rows = []
    for r in range(args.rounds):
        variants = VARIANTS[args.lever]
        for variant in variants if r % 2 == 0 else variants[::-1]:
            work = tempfile.mkdtemp(prefix="attnscope-lean-")
            cmd = [sys.executable, __file__, "one", "--variant", variant, "--work", work]
            cmd += _forwarded(args)
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                sys.exit(f"lean.py: the run failed:\n{proc.stderr[-2000:]}")
            row = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"  round {r + 1}, {variant}: {row}", file=sys.stderr, flush=True)
            rows.append(row)
    return rows


def speed(args: argparse.Namespace) -> list[dict]:
    """Both variants on the same batches, alternating on one model."""
    import torch

    from core import device as _device
    from core.cancel import CancelToken
    from core.data.batching import batch_order, collate
    from core.data.corpus import CorpusSpec
    from core.training.distributed import World
    from core.training.restart import begin_new
    from core.training.run import TrainingRun

    model_cfg, cfg, tok = _config(args)
    work = Path(tempfile.mkdtemp(prefix="attnscope-lean-"))
    files = corpus_files(args.corpus, args.src, args.tgt, work, dev_limit=500)
    _device.set_threads(args.threads)
    spec = CorpusSpec(str(files["train_src"]), str(files["train_tgt"]))
    dev = CorpusSpec(str(files["dev_src"]), str(files["dev_tgt"]))
    run = TrainingRun(
        spec, work / "model", model_cfg, tok, cfg, dev, lambda e: None, CancelToken(), "", World()
    )
    (work / "model").mkdir()
    run.read_data(False)
    begin_new(run, torch.device("cpu"))
    order = batch_order(run.lengths, cfg.batch_size, 1)
    variants = VARIANTS[args.lever]
    times: dict[str, list[float]] = {v: [] for v in variants}
    for k in range(min(args.steps, len(order))):
        for variant in variants if k % 2 == 0 else variants[::-1]:
            multiple = _use(args.lever, variant)
            batch = collate(run.examples, order[k], multiple).to(run.device)
            t0 = time.perf_counter()
            run.train_step(batch)
            times[variant].append(time.perf_counter() - t0)
    warm = args.steps // 10  # the first steps build every cache: not the steady state
    return [
        {
            "variant": m,
            "steps": len(t) - warm,
            "median_step_ms": round(1000 * statistics.median(t[warm:]), 2),
            "total_s": round(sum(t[warm:]), 2),
        }
        for m, t in times.items()
    ]


def _forwarded(args: argparse.Namespace) -> list[str]:
    out = []
    names = ("lever", "corpus", "src", "tgt", "steps", "preset", "arch", "decoder", "precision")
    for name in (*names, "threads"):
        out += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    return out + ["--valid-every", str(args.valid_every)]


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "mode",
        choices=["rss", "speed", "one"],
        help="`one`: a single run (what rss starts per variant)",
    )
    ap.add_argument("--lever", default="width", choices=sorted(VARIANTS))
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--src", default="de")
    ap.add_argument("--tgt", default="en")
    ap.add_argument("--steps", type=int, default=500, help="updates per run (speed: per variant)")
    ap.add_argument("--preset", default="base")
    ap.add_argument("--arch", default="gru", choices=["gru", "transformer"])
    ap.add_argument("--decoder", default="bahdanau", choices=["bahdanau", "luong"])
    ap.add_argument("--precision", default="bf16", choices=["fp32", "bf16"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--valid-every", type=int, default=250)
    ap.add_argument("--rounds", type=int, default=1, help="rss: rounds of both variants")
    ap.add_argument("--variant", default=None, help="one: which variant of the lever")
    ap.add_argument("--trace", action="store_true", help="one: print resident memory as it goes")
    ap.add_argument("--work", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--json-out", type=Path, default=None)
    args = ap.parse_args()
    if args.mode == "one":
        if args.variant not in VARIANTS[args.lever]:
            ap.error(f"--variant must be one of {', '.join(VARIANTS[args.lever])}")
        print(json.dumps(one_run(args)))
        return 0
    if args.mode == "speed" and args.lever in ("heap", "caches", "native"):
        ap.error(f"--lever {args.lever} is measured with rss: each variant needs a fresh process")
    load_start = loadavg()
    rows = rss(args) if args.mode == "rss" else speed(args)
    keys = list(rows[0])
    title = (
        f"{args.lever}: {' against '.join(VARIANTS[args.lever])}, {args.mode}, {args.preset} "
        f"{args.arch} {args.decoder} {args.precision}, {args.steps} updates, "
        f"{args.threads} thread(s)"
    )
    print_table(title, keys, [[r[k] for k in keys] for r in rows])
    result = {
        "bench": "lean",
        "mode": args.mode,
        "machine": machine(),
        "args": {k: str(v) for k, v in vars(args).items()},
        "rows": rows,
        "loadavg_start": load_start,
        "loadavg_end": loadavg(),
    }
    emit_json(result, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
