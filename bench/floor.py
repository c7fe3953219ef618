"""The compute floor of training: FLOPs per target token of one step against this machine's matmul
rate.

Counting rule (matrix products only, 2 FLOPs per multiply-add; element-wise work such as the GRU
gates, tanh, softmax, the loss and Adam is left out, which makes the floor optimistic):

  per source token   encoder bi-GRU   dirs * 2*3H*(E+H)     (input and recurrent products)
                     attention keys   2*K*A                  (U h_j, once per sentence)
  per sentence       bridge           2*K*H
  per target token   query            2*H*A                  (W s_{i-1})
                     scores           2*A*S                  (v . tanh(...), S source positions)
                     context          2*S*K
                     decoder GRUCell  2*3H*(E+K) + 2*3H*H    (fed [embedding; context])
                     readout          2*(H+K+E)*R            (R = H, or E when tied)
                     output layer     2*R*V_tgt

with K = 2H for a bidirectional encoder, A = H. Forward FLOPs per target token = decoder terms +
(S * encoder terms + bridge) / T, with S and T the mean source and target lengths (each counting its
</s>). One training step costs 3 x forward: the backward pass does two products per forward product
(the gradient of the input and of the weight).

The rate: ``torch.mm`` timed at the shapes these products have in training (B sentences of mean
lengths: e.g. the output layer is (B*T x R) @ (R x V) forward, (B*T x V) @ (V x R) and
(V x B*T) @ (B*T x R) backward; the decoder's per-step products have B rows), fp32 and bf16, with
the training thread count. Two floors are printed:

  uniform  = the best rate measured at any of these shapes / FLOPs per token (every FLOP at peak)
  shaped   = B*T / sum over products of (count * measured time at its own shape): small per-step
             products (B = 64 rows) run far below the peak rate, so this is the tighter bound

"model step tok/s" (``--steps``) times the real model's training step (forward, loss, backward,
clip, fused Adam, bf16 under autocast as core/training/run.py does) on a synthetic batch of exactly
those lengths: no padding and no data pipeline, so it sits between the floor and what training
achieves.

Any real implementation also pays for element-wise work, Python overhead per decoder step and
padding, so achieved tokens/s stays below both. ``--achieved`` prints the fraction reached.

    .venv/bin/python bench/floor.py --model /tmp/m-de-en --achieved 3100 .venv/bin/python
    bench/floor.py --vocab-src 8025 --vocab-tgt 6225 --src-len 13.44 --tgt-len 14.02
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit_json, loadavg, machine, parse_threads, print_table, training_step

# Multi30K de-en with this project's Moses tokenization, vocabularies at min_freq 2 (measured on the
# train split; each length counts the final </s>). Used unless --model / --vocab-* / --*-len say
# otherwise; for en-de swap them.
DEFAULTS = {"de": {"vocab": 8025, "len": 13.44}, "en": {"vocab": 6225, "len": 14.02}}


def products(
    E: int, H: int, K: int, A: int, R: int, Vt: int, S: float, T: float, B: int, bidirectional: bool
) -> list[dict]:
    """Every matrix product of one forward pass over a batch: name, (m, k, n), times per batch."""
    dirs = 2 if bidirectional else 1
    s, t = max(1, round(S)), max(1, round(T))
    return [
        # name, m, k, n, count per batch, per-what (for the FLOPs table)
        {"name": "encoder GRU input", "m": B * s, "k": E, "n": 3 * H, "count": dirs, "per": "src"},
        {
            "name": "encoder GRU recurrent",
            "m": B,
            "k": H,
            "n": 3 * H,
            "count": dirs * s,
            "per": "src",
        },
        {"name": "attention keys", "m": B * s, "k": K, "n": A, "count": 1, "per": "src"},
        {"name": "bridge", "m": B, "k": K, "n": H, "count": 1, "per": "sent"},
        {"name": "attention query", "m": B, "k": H, "n": A, "count": t, "per": "tgt"},
        {"name": "attention scores", "m": B * s, "k": A, "n": 1, "count": t, "per": "tgt"},
        {
            "name": "attention context",
            "m": B,
            "k": s,
            "n": K,
            "count": t,
            "per": "tgt",
            "bmm": True,
        },
        {"name": "decoder GRU input", "m": B, "k": E + K, "n": 3 * H, "count": t, "per": "tgt"},
        {"name": "decoder GRU recurrent", "m": B, "k": H, "n": 3 * H, "count": t, "per": "tgt"},
        {"name": "readout", "m": B * t, "k": H + K + E, "n": R, "count": 1, "per": "tgt"},
        {"name": "output layer", "m": B * t, "k": R, "n": Vt, "count": 1, "per": "tgt"},
    ]


def flops_per_target_token(prods: list[dict], B: int, T: float, S: float) -> tuple[float, list]:
    """Forward FLOPs per target token, and the per-product breakdown (scaled to mean lengths)."""
    s, t = max(1, round(S)), max(1, round(T))
    rows, total = [], 0.0
    for p in prods:
        f = 2.0 * p["m"] * p["k"] * p["n"] * p["count"]  # per batch at rounded lengths
        # rescale from rounded lengths to the mean ones, then divide by the batch's target tokens
        scale = (S / s) if p["per"] == "src" else (T / t if p["per"] == "tgt" else 1.0)
        if p["name"] in ("attention scores", "attention context"):
            scale = (S / s) * (T / t)
        per_tok = f * scale / (B * T)
        rows.append((p["name"], per_tok))
        total += per_tok
    return total, rows


def time_mm(m: int, k: int, n: int, dtype, bmm: bool, min_time: float, rounds: int) -> float:
    """Best-of-rounds seconds for one (m x k) @ (k x n) product (bmm: m batches of 1 x k @ k x
    n)."""
    import torch

    if bmm:
        a = torch.randn(m, 1, k).to(dtype)
        b = torch.randn(m, k, n).to(dtype)
        fn = lambda: torch.bmm(a, b)  # noqa: E731
    else:
        a = torch.randn(m, k).to(dtype)
        b = torch.randn(k, n).to(dtype)
        fn = lambda: torch.mm(a, b)  # noqa: E731
    for _ in range(3):
        fn()
    # reps so that one round lasts about min_time
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-7)
    reps = max(1, int(min_time / one))
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        best = min(best, (time.perf_counter() - t0) / reps)
    return best


def time_train_step(cfg: dict, S: float, T: float, B: int, precision: str, steps: int) -> dict:
    """The real model's training step (core.model.seq2seq.Seq2Seq.loss, backward, clip, fused Adam,
    as core/training/run.py does it) on a synthetic batch of B sentences of exactly round(S) /
    round(T)
    tokens: no padding, no data pipeline. Sits between the floor and the achieved figure."""
    import torch

    from core.config import ModelConfig
    from core.model.seq2seq import Seq2Seq

    torch.manual_seed(0)
    mc = ModelConfig(
        emb_size=cfg["E"],
        hidden_size=cfg["H"],
        bidirectional=cfg["bidirectional"],
        attention=cfg["attention"],
        enc_layers=cfg["enc_layers"],
        dec_layers=cfg["dec_layers"],
        tie_embeddings=cfg["tied"],
    )
    model = Seq2Seq(mc, cfg["Vs"], cfg["Vt"])
    model.train()
    try:
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    except (RuntimeError, TypeError, ValueError):
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    s, t = max(1, round(S)), max(1, round(T))
    src = torch.randint(4, cfg["Vs"], (B, s))
    src_len = torch.full((B,), s, dtype=torch.long)
    tgt_in = torch.randint(4, cfg["Vt"], (B, t))
    tgt_out = torch.randint(4, cfg["Vt"], (B, t))

    step = training_step(model, opt, (src, src_len, tgt_in, tgt_out), precision)

    for _ in range(2):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    med = times[len(times) // 2]
    return {
        "step_ms_median": round(med * 1000, 1),
        "step_ms_best": round(times[0] * 1000, 1),
        "tokens_per_s_median": round(B * t / med),
        "tokens_per_s_best": round(B * t / times[0]),
    }


def from_model(folder: Path) -> dict:
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    m = meta["model"]
    vs = len(json.loads((folder / "vocab.src.json").read_text(encoding="utf-8")))
    vt = len(json.loads((folder / "vocab.tgt.json").read_text(encoding="utf-8")))
    tok = meta.get("tokenizer", {})
    return {
        "E": m["emb_size"],
        "H": m["hidden_size"],
        "bidirectional": m["bidirectional"],
        "tied": m.get("tie_embeddings", False),
        "attention": m["attention"],
        "enc_layers": m["enc_layers"],
        "dec_layers": m["dec_layers"],
        "Vs": vs,
        "Vt": vt,
        "src": tok.get("src_lang"),
        "tgt": tok.get("tgt_lang"),
        "batch": meta.get("train", {}).get("batch_size", 64),
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--model", type=Path, help="read sizes and vocabularies from this model folder")
    ap.add_argument("--vocab-src", type=int, help="source vocabulary size (default: Multi30K de)")
    ap.add_argument("--vocab-tgt", type=int, help="target vocabulary size (default: Multi30K en)")
    ap.add_argument("--src-len", type=float, help="mean source length incl. </s>")
    ap.add_argument("--tgt-len", type=float, help="mean target length incl. </s>")
    ap.add_argument("--emb", type=int, default=256)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--batch", type=int, default=64, help="sentences per batch (default 64)")
    ap.add_argument(
        "--threads",
        default=str(os.cpu_count() or 1),
        help="torch threads for the rate, comma-separated for several (default: all "
        "cores, as bench/train.py trains)",
    )
    ap.add_argument("--precisions", default="fp32,bf16", help="comma-separated: fp32, bf16")
    ap.add_argument("--min-time", type=float, default=0.05, help="seconds per timing round")
    ap.add_argument("--rounds", type=int, default=7, help="timing rounds per shape (best is kept)")
    ap.add_argument(
        "--steps",
        type=int,
        default=10,
        help="timed training steps of the real model on a synthetic batch (0: skip)",
    )
    ap.add_argument("--achieved", type=float, help="measured training target tokens/s to compare")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args()

    import torch

    cfg = {
        "E": args.emb,
        "H": args.hidden,
        "bidirectional": True,
        "tied": False,
        "attention": "bahdanau",
        "enc_layers": 1,
        "dec_layers": 1,
        "Vs": DEFAULTS["de"]["vocab"],
        "Vt": DEFAULTS["en"]["vocab"],
        "src": "de",
        "tgt": "en",
        "batch": args.batch,
    }
    if args.model:
        cfg.update(from_model(args.model))
    S = args.src_len or DEFAULTS.get(cfg["src"] or "", DEFAULTS["de"])["len"]
    T = args.tgt_len or DEFAULTS.get(cfg["tgt"] or "", DEFAULTS["en"])["len"]
    if args.vocab_src:
        cfg["Vs"] = args.vocab_src
    if args.vocab_tgt:
        cfg["Vt"] = args.vocab_tgt
    E, H, B = cfg["E"], cfg["H"], args.batch
    K = H * (2 if cfg["bidirectional"] else 1)
    R = E if cfg["tied"] else H
    notes = []
    if cfg["attention"] != "bahdanau" or cfg["enc_layers"] != 1 or cfg["dec_layers"] != 1:
        notes.append("counted as the standard 1-layer Bahdanau model; this model differs")

    prods = products(E, H, K, H, R, cfg["Vt"], S, T, B, cfg["bidirectional"])
    fwd, breakdown = flops_per_target_token(prods, B, T, S)
    train_flops = 3 * fwd
    print_table(
        f"FLOPs per target token (forward; E={E} H={H} K={K} V_tgt={cfg['Vt']} S={S} T={T})",
        ["product", "MFLOP", "share"],
        [[name, f / 1e6, f"{100 * f / fwd:.1f}%"] for name, f in breakdown]
        + [["forward total", fwd / 1e6, "100%"], ["training step (x3)", train_flops / 1e6, ""]],
    )

    dtypes = {"fp32": torch.float32, "bf16": torch.bfloat16}
    result = {
        "bench": "floor",
        "machine": machine(),
        "config": {**cfg, "K": K, "A": H, "R": R, "src_len": S, "tgt_len": T, "batch": B},
        "counting_rule": "matmul FLOPs only, 2 per multiply-add; training = 3 x forward",
        "forward_flops_per_token": round(fwd),
        "train_flops_per_token": round(train_flops),
        "breakdown_mflops": {n: round(f / 1e6, 4) for n, f in breakdown},
        "by_threads": {},
        "notes": notes,
    }
    big = next(p for p in prods if p["name"] == "output layer")
    for n in parse_threads(args.threads):
        torch.set_num_threads(n)
        per_thread: dict = {"loadavg_before": loadavg()}
        for prec in [p.strip() for p in args.precisions.split(",") if p.strip()]:
            dt = dtypes[prec]
            cache: dict = {}

            def t_of(m, k, nn, bmm=False, cache=cache, dt=dt):  # bound now, not later
                key = (m, k, nn, bmm)
                if key not in cache:
                    cache[key] = time_mm(m, k, nn, dt, bmm, args.min_time, args.rounds)
                return cache[key]

            batch_time = 0.0
            shape_rates = {}
            for p in prods:
                m, k, nn, bmm = p["m"], p["k"], p["n"], p.get("bmm", False)
                if bmm:  # backward of a (1 x k) @ (k x n) per row: same work, similar shapes
                    tf = t_of(m, k, nn, True)
                    tt = tf + 2 * tf
                else:
                    tt = t_of(m, k, nn) + t_of(m, nn, k) + t_of(k, m, nn)
                batch_time += p["count"] * tt
                shape_rates[p["name"]] = round(2 * m * k * nn / t_of(m, k, nn, bmm) / 1e9, 1)
            # the rounded-length batch has B*round(T) target tokens
            tokens = B * max(1, round(T))
            shaped_floor = tokens / batch_time
            out_fwd = t_of(big["m"], big["k"], big["n"])
            out_rate = 2 * big["m"] * big["k"] * big["n"] / out_fwd
            peak_rate = max(2 * m * k * nn / t for (m, k, nn, _), t in cache.items())
            uniform_floor = peak_rate / train_flops
            per_thread[prec] = {
                "rate_gflops_output_shape": round(out_rate / 1e9, 1),
                "rate_gflops_best_shape": round(peak_rate / 1e9, 1),
                "rate_gflops_by_product": shape_rates,
                "floor_tokens_per_s_uniform": round(uniform_floor),
                "floor_tokens_per_s_shaped": round(shaped_floor),
                "matmul_ms_per_batch": round(batch_time * 1000, 2),
            }
            if args.steps:
                per_thread[prec]["model_step"] = time_train_step(cfg, S, T, B, prec, args.steps)
        per_thread["loadavg_after"] = loadavg()
        for prec, d in per_thread.items():
            step = d.get("model_step", {}) if isinstance(d, dict) else {}
            if step and step["tokens_per_s_best"] > d["floor_tokens_per_s_shaped"]:
                d["warning"] = (
                    "the real model step ran faster than the shaped floor: the small "
                    "products' timings were disturbed (machine load?); rerun on a quiet machine"
                )
                print(f"\n  WARNING ({prec}, {n} threads): {d['warning']}")
        result["by_threads"][str(n)] = per_thread
        rows = []
        for prec, d in per_thread.items():
            if not isinstance(d, dict):
                continue
            ach = ""
            if args.achieved:
                ach = (
                    f"{100 * args.achieved / d['floor_tokens_per_s_shaped']:.0f}% / "
                    f"{100 * args.achieved / d['floor_tokens_per_s_uniform']:.0f}%"
                )
            ms = d.get("model_step", {})
            rows.append(
                [
                    prec,
                    d["rate_gflops_output_shape"],
                    d["rate_gflops_best_shape"],
                    d["floor_tokens_per_s_uniform"],
                    d["floor_tokens_per_s_shaped"],
                    d["matmul_ms_per_batch"],
                    ms.get("tokens_per_s_median"),
                    ach,
                ]
            )
        print_table(
            f"rate and floor  threads={n}  load {per_thread['loadavg_before']} -> "
            f"{per_thread['loadavg_after']}",
            [
                "precision",
                "GFLOP/s output mm",
                "GFLOP/s best",
                "floor tok/s uniform",
                "floor tok/s shaped",
                "mm ms/batch",
                "model step tok/s",
                "achieved/floor (shaped / uniform)",
            ],
            rows,
        )
        rows = [
            [name]
            + [
                per_thread[p]["rate_gflops_by_product"][name]
                for p in per_thread
                if isinstance(per_thread[p], dict)
            ]
            for name, _ in breakdown
        ]
        print_table(
            f"GFLOP/s of each forward product at its training shape (threads={n})",
            ["product"] + [p for p in per_thread if isinstance(per_thread[p], dict)],
            rows,
        )
    if args.achieved:
        result["achieved_tokens_per_s"] = args.achieved
        print(f"\n  achieved {args.achieved:,.0f} target tokens/s")
    emit_json(result, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
