"""Run every benchmark, compare with the peer toolkit, check the targets, print one table.

For each pair (``--pairs``, default de-en,en-de): ``bench/train.py`` trains the standard config for
``--budget`` seconds and scores it (with ``--cli-translate``); with ``--peer PATH/run.sh`` the peer
toolkit (JoeyNMT, same data and config) is trained right after it on the same pair, so the two
alternate (ours de-en, peer de-en, ours en-de, peer en-de) and share the machine's conditions.
Then, per pair, ``bench/decode.py`` (latency and batched throughput of the trained model, 1 and 2
threads), ``bench/decode_limits.py`` (with a peer run: ours under the peer's maximum output length,
the output counted on both sides) and ``bench/floor.py`` (FLOPs and matmul floor, with the
achieved tokens/s); once, ``bench/app.py`` (window start-up and GUI stalls while training).

Targets checked (PASS / MISS, with the numbers):
  training tokens/s >= 4x peer          defaults against defaults; totals: all target tokens /
                                        training time without validation (the peer: harmonic
                                        mean of its logged 50-update windows, which exclude
                                        validation)
  fp32 tokens/s >= 2.5x peer            implementation against implementation: our run in fp32
                                        (the main run, or an --extra-archs ...:fp32 one) against
                                        the peer, which trains in fp32
  BLEU after the budget >= peer's + 2   test_2016_flickr, beam 5 (greedy shown too); with
                                        --seeds, the means over the seeds (sd shown beside)
  batched translation >= 3x faster      1,000 test sentences, greedy and beam 5, model loaded
                                        (ours: Translator.translate_batch in train.py; the peer:
                                        the "Generation took" time JoeyNMT logs); the end-to-end
                                        ratio (process start, load, translate: `python -m core
                                        translate` vs run.sh's `joeynmt translate`) is shown too,
                                        and decode_limits.py's: ours under the peer's maximum
                                        output length, output words/s on both sides
  20-token latency                      greedy p50 <= 15 ms, beam 5 p50 <= 40 ms (decode.py's rows
                                        with 20-token sentences and output forced to 20 + </s>,
                                        best thread count)
  window visible <= 1.5 s               app.py start-up, median of the runs
  GUI stall <= 50 ms                    app.py, longest gap of a 10 ms timer while training

Writes the combined result to bench/results/latest.json (``--quick``: latest-quick.json, so a
smoke run never replaces real numbers; ``--json-out`` to choose). Prints one JSON line at the end.

    .venv/bin/python bench/run_all.py --budget 600 --pairs de-en,en-de \\
        --peer ../shared/bench/joeynmt/run.sh
    .venv/bin/python bench/run_all.py --quick            # smoke test: 30 s budget, small samples

Seeds: ``--seeds 1,2,3`` trains ours and the peer once per seed (alternating per seed); the tables
show the means, and standard deviations beside BLEU, chrF and tokens/s. The peer's runner fixes
``random_seed`` in its config template, so for another seed it runs from a copy of the runner's
folder in the work folder with only that line changed (its corpus path resolved to the original).
Further runs (``--extra-archs``), decoding and the floor use the first seed only. ``--report`` takes
several result files and pools their seeds per pair (e.g. two runs of the same command on different
seeds).

Start-up is in neither side's budget: ours counts from its first update, while run.sh's
``timeout`` counts from the peer's process start, so the peer gets its start-up (imports, data,
vocabularies, model) on top of the budget: what its previous run in this invocation took, before
any 4.0 s (``PEER_STARTUP_FIRST_S``). Each peer run records ``budget_given_s``, the ``startup_s``
measured from its log (to its first epoch) and ``budget_after_startup_s``; the table shows both
sides' start-up beside each other.

A run refuses to start when the 1-minute load is above 0.5 (another job would be timed too) unless
``--force``; the load is sampled every 15 s throughout and saved with the results (``load_watch``).

Transformers: ``--arch transformer`` trains our Transformer and compares it with the peer's
(``PEER_ARCH`` for run.sh follows ``--peer-arch``, by default the same family); ``--extra-archs
gru`` also trains our GRU in the same alternation (ours, peer, our GRU per pair) and prints our
two models side by side. ``--threads N`` (default: every core) is ours and, as OMP_NUM_THREADS,
the peer's: both sides always train with the same number of threads.

    .venv/bin/python bench/run_all.py --budget 600 --pairs de-en --arch transformer \\
        --tokenization words --extra-archs transformer:subwords,gru:words --threads 2 \\
        --skip decode,floor,app --peer ../shared/bench/joeynmt/run.sh
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402
from common import DEFAULT_CORPUS, loadavg, machine, print_table  # noqa: E402

PRECISIONS = ("auto", "fp32", "bf16")
BUSY_LOAD = 0.5  # 1-minute load above which a run is refused without --force

PEER_TEST_SENTENCES = 1000  # run.sh always translates all of test_2016_flickr
# run.sh's wall-clock budget includes JoeyNMT's start-up (imports, data, vocabularies, model),
# while ours starts counting at the first update; so the peer is given its start-up on top of
# the budget: the start-up its previous run of this invocation measured, and before any, this
# (JoeyNMT's measured 4.0-4.3 s on a 2-core Xeon, 2026-12-05). Each run records what it got.
PEER_STARTUP_FIRST_S = 4.0
JOEY_FIRST_EPOCH = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) - INFO - joeynmt\.training - EPOCH 1\s*$", re.M
)
TARGETS = {
    "train_speedup": 4.0,
    "fp32_speedup": 2.5,
    "bleu_margin": 2.0,
    "translate_speedup": 3.0,
    "greedy_p50_ms": 15.0,
    "beam_p50_ms": 40.0,
    "window_s": 1.5,
    "stall_ms": 50.0,
}


def run_step(
    name: str,
    cmd: list[str],
    log_dir: Path,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
) -> dict | None:
    """Run one benchmark, echo its output, return the JSON object of its last JSON line.
    ``env``: extra environment variables for it."""
    shown = " ".join(f"{k}={v}" for k, v in (env or {}).items())
    print(f"\n=== {name}: {shown + ' ' if shown else ''}{' '.join(cmd)}", flush=True)
    log = log_dir / f"{name.replace(' ', '_')}.log"
    t0 = time.monotonic()
    last = None
    with open(log, "w", encoding="utf-8") as f:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=str(HERE.parent),
            env={**os.environ, **(env or {})},
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            f.write(line)
            s = line.strip()
            if s.startswith("{") and s.endswith("}"):
                try:
                    last = json.loads(s)
                    continue  # the JSON line is in the combined result; keep output short
                except json.JSONDecodeError:
                    pass
            print("  | " + line.rstrip(), flush=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
    secs = time.monotonic() - t0
    if proc.returncode != 0 or last is None:
        print(f"=== {name}: FAILED (exit {proc.returncode}); log: {log}", flush=True)
        return (
            {"error": f"exit status {proc.returncode}", "log": str(log)}
            if last is None
            else {**last, "error": f"exit status {proc.returncode}"}
        )
    print(f"=== {name}: done in {secs:.0f} s", flush=True)
    return last


def peer_generation_seconds(out: Path) -> dict:
    """JoeyNMT logs "Generation took N[sec]" when it translates: its in-process time, model loading
    and start-up excluded, the counterpart of our in-process translate_s_b*."""
    found = {}
    for beam in (1, 5):
        try:
            text = (out / f"translate.b{beam}.err").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        m = re.findall(r"Generation took\s+([\d.]+)\s*\[sec\]", text)
        if m:
            found[f"generation_s_b{beam}"] = round(sum(float(x) for x in m), 2)
    return found


def peer_total_rate(out: Path) -> dict:
    """The peer's tokens/s over its whole training, as ours is counted (all target tokens ÷
    training time without validation). JoeyNMT logs the rate of each 50-update window with
    validation time taken out; the windows carry about equal tokens, so their harmonic mean is
    the total rate (a window's time is its tokens ÷ its rate)."""
    try:
        log = (out / "model" / "train.log").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    rates = [float(x) for x in re.findall(r"Tokens per Sec:\s+([\d.]+)", log)]
    rates = [r for r in rates if r > 0]
    if not rates:
        return {}
    return {"tokens_per_s_total": round(len(rates) / sum(1 / r for r in rates))}


def peer_startup_seconds(out: Path, wall_s: float | None) -> dict:
    """Seconds from the start of the peer's timed training process to its first epoch. JoeyNMT
    logs local wall-clock times; the start is when run.sh started its clock: ``time.txt``'s
    modification time (``/usr/bin/time`` writes it as the process ends, just before run.sh
    stops its clock) less the wall time run.sh measured."""
    try:
        text = (out / "model" / "train.log").read_text(encoding="utf-8", errors="replace")
        ended = (out / "time.txt").stat().st_mtime
    except OSError:
        return {}
    m = JOEY_FIRST_EPOCH.search(text)
    if m is None or not wall_s:
        return {}
    first = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
    return {"startup_s": round(first - (ended - wall_s), 1)}


def peer_tokens_per_word(out: Path, corpus: Path, tgt: str, n: int = 5000) -> dict:
    """The peer's target tokens (Moses tokens and ``</s>``, what its tokens/s counts) per
    whitespace-separated word of the raw target text, from the first ``n`` training lines: the
    same divisor ``train.py`` uses for our pieces, so both rates become raw target words/s."""
    try:
        tokenized = (out / "data" / f"train.{tgt}").read_text(encoding="utf-8").splitlines()[:n]
    except OSError:
        return {}
    raw = common.read_lines(corpus, "train", tgt)[:n]
    pairs = [(t, r) for t, r in zip(tokenized, raw) if r.strip()]
    words = sum(len(r.split()) for _, r in pairs)
    tokens = sum(len(t.split()) + 1 for t, _ in pairs)
    return {"tokens_per_target_word": round(tokens / words, 4)} if words else {}


def words_per_s(result: dict) -> float | None:
    """Raw target words/s from the total tokens/s (both sides: see ``peer_tokens_per_word``)."""
    tps, per_word = result.get("tokens_per_s_total"), result.get("tokens_per_target_word")
    return round(tps / per_word) if tps and per_word else None


SD_KEYS = ("bleu_b1", "bleu_b5", "chrf_b5", "tokens_per_s_total", "tokens_per_s_median")


def peer_runner(peer: Path, seed: int, work: Path) -> Path:
    """The peer's run.sh for ``seed``: the shared one when its config templates already use that
    seed, else a copy of its folder under ``work`` with only the ``random_seed:`` line changed
    (the shared files are not ours to edit). run.sh finds the corpus at ``../../corpora`` from its
    own folder, so the copy gets a link there to the original corpora."""
    folder = peer.resolve().parent
    templates = sorted(folder.glob("*.yaml.in"))
    pattern = re.compile(r"^random_seed:\s*\S+\s*$", re.M)
    if all(re.search(rf"^random_seed:\s*{seed}\s*$", t.read_text(), re.M) for t in templates):
        return peer
    root = work / f"peer-runner-seed{seed}"
    copy = root / "bench" / folder.name
    if root.exists():
        shutil.rmtree(root)
    copy.mkdir(parents=True)
    for f in folder.iterdir():  # contents only: the shared folder's read-only modes stay behind
        if f.is_file():
            shutil.copyfile(f, copy / f.name)
    (copy / peer.name).chmod(0o755)
    for t in copy.glob("*.yaml.in"):
        text = t.read_text(encoding="utf-8")
        if not pattern.search(text):
            sys.exit(f"run_all.py: {t.name} of the peer has no 'random_seed:' line to set")
        t.write_text(pattern.sub(f"random_seed: {seed}", text), encoding="utf-8")
    (root / "corpora").symlink_to((folder.parent.parent / "corpora").resolve())
    return copy / peer.name


def aggregate(runs: list[dict | None]) -> dict | None:
    """One side's result over its seeds: the mean of each number, and the standard deviation
    (n - 1) of the scores and rates beside them as ``KEY_sd``. A single run is returned as it
    is; failed runs are left out (and counted)."""
    good = [r for r in runs if r and "error" not in r]
    if len(runs) == 1 or not good:
        return runs[0] if len(runs) == 1 else {"error": "every seed failed"}
    out: dict = {"seeds": len(good), "failed_seeds": len(runs) - len(good)}
    for key in good[0]:
        values = [r.get(key) for r in good]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            out[key] = round(statistics.fmean(values), 2)
            if key in SD_KEYS and len(values) > 1:
                out[f"{key}_sd"] = round(statistics.stdev(values), 2)
        elif key in ("checkpoint", "trained_in", "precision_line"):
            out[key] = sorted({str(v) for v in values})
    return out


def pool_seeds(entry: dict) -> None:
    """``entry['ours']`` and ``entry['peer']`` from ``entry['by_seed']``."""
    seeds = entry.get("by_seed") or {}
    for side in ("ours", "peer"):
        runs = [s.get(side) for s in seeds.values() if side in s]
        if runs:
            entry[side] = aggregate(runs)


def merge_results(paths: list[Path]) -> dict:
    """Several saved results as one: each pair's seeds pooled (a result saved without seeds counts
    as its run's first seed), the first file's other parts kept, a later file's decode/floor/app
    used where the first has none."""
    merged: dict | None = None
    for path in paths:
        res = json.loads(path.read_text(encoding="utf-8"))
        if merged is None:
            merged = {**res, "pairs": {}, "merged_from": []}
        merged["merged_from"].append(str(path))
        first_seed = str(res.get("args", {}).get("seeds", "1")).split(",")[0].strip()
        for pair, e in res["pairs"].items():
            seeds = e.get("by_seed") or {
                first_seed: {k: e[k] for k in ("ours", "peer") if e.get(k)}
            }
            target = merged["pairs"].setdefault(
                pair, {k: v for k, v in e.items() if k != "by_seed"}
            )
            pooled = target.setdefault("by_seed", {})
            for seed, runs in seeds.items():
                if seed in pooled:
                    sys.exit(f"run_all.py: --report: seed {seed} of {pair} is in two files")
                pooled[seed] = runs
            for key in ("decode", "floor"):
                if key in e and key not in target:
                    target[key] = e[key]
        if "app" in res and "app" not in merged:
            merged["app"] = res["app"]
    assert merged is not None
    for e in merged["pairs"].values():
        pool_seeds(e)
    return merged


def ratio(a, b, digits: int = 2):
    numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))
    return round(a / b, digits) if numbers and b != 0 else None


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("PASS" if ok else "MISS")


def compare(combined: dict) -> tuple[list, list]:
    """Rows of the ours-vs-peer table and the target verdicts, from the combined result."""
    rows, targets = [], []

    def target(name: str, pair: str, value, limit, ok, note: str = "") -> None:
        targets.append(
            {
                "target": name,
                "pair": pair,
                "value": value,
                "limit": limit,
                "result": verdict(ok),
                "note": note,
            }
        )

    for pair, e in combined["pairs"].items():
        ours, peer, dec = e.get("ours") or {}, e.get("peer") or {}, e.get("decode") or {}
        has_peer = bool(peer) and "error" not in peer
        for label, key in (
            ("train tokens/s (total)", "tokens_per_s_total"),
            ("train tokens/s (median of windows)", "tokens_per_s_median"),
            ("updates", "updates"),
            ("BLEU greedy", "bleu_b1"),
            ("BLEU beam 5", "bleu_b5"),
            ("chrF beam 5", "chrf_b5"),
            ("translate s greedy (in-process)", "translate_s_b1"),
            ("translate s beam 5 (in-process)", "translate_s_b5"),
            ("translate s greedy (end to end)", "translate_cli_s_b1"),
            ("translate s beam 5 (end to end)", "translate_cli_s_b5"),
            ("peak RSS MB", "peak_rss_mb"),
            ("start-up to the first update s", "first_step_s"),
        ):
            # ours in-process <-> the peer's logged generation time; end to end <-> run.sh's timing
            pkey = {
                "translate_cli_s_b1": "translate_s_b1",
                "translate_cli_s_b5": "translate_s_b5",
                "translate_s_b1": "generation_s_b1",
                "translate_s_b5": "generation_s_b5",
                "first_step_s": "startup_s",  # neither side's counts against its budget
            }.get(key, key)
            pv = peer.get(pkey) if has_peer else None
            rows.append([label, pair, ours.get(key), pv, ratio(ours.get(key), pv)])
            if f"{key}_sd" in ours or f"{pkey}_sd" in peer:
                n = f"{ours.get('seeds', 1)} / {peer.get('seeds', 1)} seeds"
                rows.append(
                    [
                        f"  sd over seeds ({n})",
                        pair,
                        ours.get(f"{key}_sd"),
                        peer.get(f"{pkey}_sd"),
                        None,
                    ]
                )
            if key == "tokens_per_s_median":  # one unit for both: words of the raw text
                words = words_per_s(ours), words_per_s(peer) if has_peer else None
                rows.append(
                    ["train raw target words/s (total)", pair, words[0], words[1], ratio(*words)]
                )
        # totals where both sides have them (results saved before totals: the medians)
        tps_key = "tokens_per_s_total" if peer.get("tokens_per_s_total") else "tokens_per_s_median"
        tps_ratio = ratio(ours.get(tps_key), peer.get(tps_key)) if has_peer else None
        target(
            f"training tokens/s >= {TARGETS['train_speedup']:g}x peer (defaults)",
            pair,
            tps_ratio,
            TARGETS["train_speedup"],
            None if tps_ratio is None else tps_ratio >= TARGETS["train_speedup"],
            "no peer run"
            if not has_peer
            else (
                f"ours in {ours.get('trained_in')}"
                if tps_ratio is not None
                else "the peer logged no tokens/s (too few updates)"
            ),
        )
        # implementation against implementation: whichever of our runs trained in fp32
        fp32 = [
            (k, r)
            for k, r in [("main run", ours)]
            + [(k, e[k]) for k in sorted(e) if k.startswith("ours_")]
            if isinstance(r, dict) and r.get("trained_in") in ("fp32", ["fp32"])
        ]
        f_ratio = ratio(fp32[0][1].get(tps_key), peer.get(tps_key)) if fp32 and has_peer else None
        target(
            f"fp32 training tokens/s >= {TARGETS['fp32_speedup']:g}x peer",
            pair,
            f_ratio,
            TARGETS["fp32_speedup"],
            None if f_ratio is None else f_ratio >= TARGETS["fp32_speedup"],
            f"ours: {fp32[0][0]}"
            if fp32
            else "no fp32 run of ours (--extra-archs gru:subwords:fp32)",
        )
        ob, pb = ours.get("bleu_b5"), peer.get("bleu_b5") if has_peer else None
        sd = (
            f" (sd {ours.get('bleu_b5_sd')} vs {peer.get('bleu_b5_sd')})"
            if "bleu_b5_sd" in ours
            else ""
        )
        target(
            f"BLEU (beam 5) after budget >= peer + {TARGETS['bleu_margin']:g}",
            pair,
            f"{ob} vs {pb}{sd}",
            None,
            None if ob is None or pb is None else ob >= pb + TARGETS["bleu_margin"],
            (f"means of {ours.get('seeds', 1)} / {peer.get('seeds', 1)} seeds")
            if has_peer
            else "no peer run",
        )
        for beam in (1, 5):
            # in-process times (model loaded) when the peer logged its generation time, else end to
            # end
            if has_peer and peer.get(f"generation_s_b{beam}") and ours.get(f"translate_s_b{beam}"):
                speed = ratio(peer[f"generation_s_b{beam}"], ours[f"translate_s_b{beam}"])
                e2e = ratio(peer.get(f"translate_s_b{beam}"), ours.get(f"translate_cli_s_b{beam}"))
                note = f"in-process (model loaded); end to end {e2e}x"
            else:
                speed = (
                    ratio(peer.get(f"translate_s_b{beam}"), ours.get(f"translate_cli_s_b{beam}"))
                    if has_peer
                    else None
                )
                note = "end to end (start-up, load, translate)" if has_peer else "no peer run"
            same = (e.get("limits") or {}).get(f"beam{beam}") or {}
            if same.get("peer_s_over_ours_s_same_limit"):  # bench/decode_limits.py
                note += (
                    f"; with the peer's output limit {same['peer_s_over_ours_s_same_limit']}x, "
                    f"output words/s {same.get('ours_words_per_s_over_peer')}x"
                )
            n_ours = ours.get("test_sentences")
            if has_peer and n_ours is not None and n_ours != PEER_TEST_SENTENCES:
                note = (
                    f"ours translated {n_ours} sentences, the peer "
                    f"{PEER_TEST_SENTENCES:,}: not comparable"
                )
                speed = None
            target(
                f"batched translation {'greedy' if beam == 1 else 'beam 5'} >= "
                f"{TARGETS['translate_speedup']:g}x faster",
                pair,
                speed,
                TARGETS["translate_speedup"],
                None if speed is None else speed >= TARGETS["translate_speedup"],
                note,
            )
        best = dec.get("best", {})
        for key, lim, label in (
            ("forced_greedy", TARGETS["greedy_p50_ms"], "20-token latency greedy p50 ms"),
            ("forced_beam", TARGETS["beam_p50_ms"], "20-token latency beam 5 p50 ms"),
        ):
            v = best.get(key, {}).get("p50_ms")
            thr = best.get(key, {}).get("threads")
            target(
                f"{label} <= {lim:g}",
                pair,
                v,
                lim,
                None if v is None else v <= lim,
                f"best at {thr} thread(s)" if thr else "no decode result",
            )
        fl = e.get("floor") or {}
        for n, d in (fl.get("by_threads") or {}).items():
            f32 = d.get("fp32", {})
            rows.append(
                [
                    f"floor tok/s fp32 ({n} thr; shaped / uniform)",
                    pair,
                    f"{f32.get('floor_tokens_per_s_shaped')} / "
                    f"{f32.get('floor_tokens_per_s_uniform')}",
                    None,
                    None,
                ]
            )

    app = combined.get("app") or {}
    st = (app.get("startup") or {}).get("median_s")
    target(
        f"window visible <= {TARGETS['window_s']:g} s",
        "-",
        st,
        TARGETS["window_s"],
        None if st is None else st <= TARGETS["window_s"],
    )
    stall = (app.get("stall") or {}).get("whole_training_window") or {}
    sv = stall.get("max_gap_ms")
    target(
        f"GUI stall while training <= {TARGETS['stall_ms']:g} ms",
        "-",
        sv,
        TARGETS["stall_ms"],
        None if sv is None else sv <= TARGETS["stall_ms"],
        f"GUI-thread CPU in that gap {stall.get('max_gap_gui_cpu_ms')} ms"
        if sv is not None
        else "",
    )

    return rows, targets


def print_report(combined: dict, rows: list, targets: list) -> None:
    quick = bool(combined.get("quick"))
    smoke = ", QUICK smoke run" if quick else ""
    print_table(
        f"Attnscope vs peer  (budget {combined.get('budget_s', 0):g} s{smoke}; "
        + (
            f"pooled from {len(combined['merged_from'])} result files: each has its own load)"
            if len(combined.get("merged_from", [])) > 1
            else f"load at end {combined.get('loadavg_end')}, max during "
            f"{combined.get('load_watch', {}).get('max')}; "
            f"{combined.get('machine', {}).get('date')})"
        ),
        ["measure", "pair", "ours", "peer", "ours/peer"],
        rows,
    )
    print_table(
        "Targets"
        + ("  (QUICK smoke run: tiny budget, loaded machine - not a verdict)" if quick else ""),
        ["target", "pair", "measured", "result", "note"],
        [[t["target"], t["pair"], t["value"], t["result"], t["note"]] for t in targets],
    )


def our_train_cmd(
    args: argparse.Namespace,
    src: str,
    tgt: str,
    budget: float,
    model: Path,
    arch: str,
    tokenization: str,
    precision: str,
) -> list[str]:
    """bench/train.py's command line for one of our runs."""
    if model.exists():
        shutil.rmtree(model)
    cmd = [
        sys.executable,
        str(HERE / "train.py"),
        "--corpus",
        str(args.corpus),
        "--src",
        src,
        "--tgt",
        tgt,
        "--budget",
        str(budget),
        "--out",
        str(model),
        "--precision",
        precision,
        "--cli-translate",
        "--decoder",
        args.decoder,
        "--arch",
        arch,
        "--tokenization",
        tokenization,
    ]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    if args.quick:
        cmd += ["--dev-limit", "200", "--test-limit", "200"]
    return cmd


def parse_extra(
    spec: str, default_tokenization: str, default_precision: str
) -> list[tuple[str, str, str, str]]:
    """``gru,transformer:subwords,gru:subwords:fp32`` → [(key, arch, tokenization, precision)];
    the key names its result."""
    runs = []
    for item in (a.strip() for a in spec.split(",")):
        if not item:
            continue
        arch, tok, prec, *rest = item.split(":") + ["", ""]
        if (
            arch not in ("gru", "transformer")
            or tok not in ("", "words", "subwords")
            or prec not in ("", *PRECISIONS)
            or any(rest)
        ):
            sys.exit(
                f"run_all.py: --extra-archs: {item!r} is not ARCH[:words|subwords[:PRECISION]]"
            )
        runs.append(
            (item.replace(":", "_"), arch, tok or default_tokenization, prec or default_precision)
        )
    return runs


def compare_archs(combined: dict) -> list:
    """Rows of our main model family against each further one (``--extra-archs``)."""
    rows = []
    for pair, e in combined["pairs"].items():
        ours, peer = e.get("ours") or {}, e.get("peer") or {}
        for arch in combined.get("extra_archs") or []:
            other = e.get(f"ours_{arch}") or {}
            for label, key in (
                ("train tokens/s (total)", "tokens_per_s_total"),
                ("train tokens/s (median of windows)", "tokens_per_s_median"),
                ("updates", "updates"),
                ("BLEU greedy", "bleu_b1"),
                ("BLEU beam 5", "bleu_b5"),
                ("translate s beam 5 (in-process)", "translate_s_b5"),
                ("peak RSS MB", "peak_rss_mb"),
            ):
                pkey = {"translate_s_b5": "generation_s_b5"}.get(key, key)
                rows.append(
                    [
                        label,
                        pair,
                        arch,
                        ours.get(key),
                        other.get(key),
                        ratio(ours.get(key), other.get(key)),
                        peer.get(pkey),
                        ratio(other.get(key), peer.get(pkey)),
                    ]
                )
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--budget",
        type=float,
        default=None,
        help="training seconds per run (default 600; 30 with --quick)",
    )
    ap.add_argument(
        "--pairs", default="de-en,en-de", help="comma-separated SRC-TGT (default %(default)s)"
    )
    ap.add_argument(
        "--peer",
        type=Path,
        default=None,
        help="the peer's run.sh (shared/bench/joeynmt/run.sh); without it, no comparison",
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: 30 s budget, 200 dev/test sentences, small latency samples, "
        "2 start-up runs, 8 s of stall watching",
    )
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="training threads for ours and the peer's OMP_NUM_THREADS (default: every core)",
    )
    ap.add_argument(
        "--precision",
        default="auto",
        choices=PRECISIONS,
        help="training precision of our main run (default auto: the app's and the CLI's default; "
        "fp32 compares implementation with implementation)",
    )
    ap.add_argument(
        "--decoder",
        default="bahdanau",
        choices=["bahdanau", "luong"],
        help="our decoder: bahdanau (the standard config) or luong (attention after the RNN)",
    )
    ap.add_argument(
        "--arch",
        default="gru",
        choices=["gru", "transformer"],
        help="our model family compared with the peer (default gru)",
    )
    ap.add_argument(
        "--peer-arch",
        default=None,
        choices=["gru", "transformer"],
        help="the peer's model family (PEER_ARCH for run.sh; default: the same as --arch)",
    )
    ap.add_argument(
        "--extra-archs",
        default="",
        help="comma-separated further runs of ours per pair, each ARCH[:TOKENIZATION[:PRECISION]] "
        "(e.g. gru,transformer:subwords,gru:subwords:fp32; the defaults are --tokenization and "
        "--precision), each also compared with the peer",
    )
    ap.add_argument(
        "--tokenization",
        default="subwords",
        choices=["subwords", "words"],
        help="our main run's units (default subwords, the app's default; the peer's data is "
        "word-level, so `words` compares like with like)",
    )
    ap.add_argument(
        "--skip", default="", help="comma-separated steps to skip: peer,decode,limits,floor,app"
    )
    ap.add_argument(
        "--work",
        type=Path,
        default=None,
        help="keep models and logs here (default: a temporary folder, removed at the end)",
    )
    ap.add_argument(
        "--seeds",
        default="1",
        help="comma-separated seeds: ours and the peer train once per seed, and the tables show "
        "means (standard deviations beside the scores); default %(default)s",
    )
    ap.add_argument("--json-out", type=Path, default=None)
    ap.add_argument(
        "--force",
        action="store_true",
        help=f"run even when the 1-minute load is above {BUSY_LOAD} at the start",
    )
    ap.add_argument(
        "--report",
        type=Path,
        nargs="+",
        default=None,
        metavar="RESULT_JSON",
        help="run nothing: print the tables of saved results (e.g. bench/results/latest.json); "
        "several files are pooled per pair and seed",
    )
    args = ap.parse_args()
    if args.report:
        combined = merge_results(args.report)
        rows, targets = compare(combined)
        print_report(combined, rows, targets)
        if args.json_out:
            args.json_out.write_text(json.dumps(combined, indent=1) + "\n", encoding="utf-8")
            print(f"\nwrote {args.json_out}")
        return 0

    common.refuse_if_busy(BUSY_LOAD, args.force or args.quick, "run_all.py")
    watch = common.LoadWatch()
    budget = args.budget if args.budget is not None else (30.0 if args.quick else 600.0)
    pairs = [tuple(p.split("-", 1)) for p in args.pairs.split(",") if p.strip()]
    try:
        seeds = [int(x) for x in args.seeds.split(",") if x.strip()]
    except ValueError:
        sys.exit(f"run_all.py: --seeds {args.seeds!r} is not a comma-separated list of integers")
    if not seeds or len(set(seeds)) != len(seeds):
        sys.exit(f"run_all.py: --seeds {args.seeds!r}: give at least one seed, each once")
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if args.peer is not None and not args.peer.is_file():
        sys.exit(f"run_all.py: --peer {args.peer} does not exist")
    work = args.work or Path(tempfile.mkdtemp(prefix="attnscope-run-all-"))
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    py = sys.executable
    t_all = time.monotonic()
    combined: dict = {
        "bench": "run_all",
        "machine": machine(),
        "quick": args.quick,
        "budget_s": budget,
        "pairs": {},
        "args": {k: str(v) for k, v in vars(args).items()},
    }

    # ---- training, alternating ours and the peer (and our other model families) per pair
    extra_runs = parse_extra(args.extra_archs, args.tokenization, args.precision)
    extra_archs = [key for key, *_ in extra_runs]
    peer_env = {"PEER_ARCH": args.peer_arch or args.arch}
    peer_env["OMP_NUM_THREADS"] = str(args.threads)  # the same threads for both sides
    combined["arch"], combined["extra_archs"] = args.arch, extra_archs
    peer_startup = PEER_STARTUP_FIRST_S  # given on top of the budget (see the constant)
    for src, tgt in pairs:
        pair = f"{src}-{tgt}"
        entry: dict = {"by_seed": {}}
        for i, seed in enumerate(seeds):
            runs: dict = {}
            tag = f"{pair}" if len(seeds) == 1 else f"{pair} seed {seed}"
            model = work / (f"ours-{pair}" if i == 0 else f"ours-{pair}-seed{seed}")
            cmd = our_train_cmd(
                args, src, tgt, budget, model, args.arch, args.tokenization, args.precision
            )
            runs["ours"] = run_step(f"train ours {tag}", cmd + ["--seed", str(seed)], logs)
            if i == 0:
                entry["model_dir"] = str(model)
            if args.peer is not None and "peer" not in skip:
                peer_out = work / (f"peer-{pair}" if i == 0 else f"peer-{pair}-seed{seed}")
                if i == 0:
                    entry["peer_dir"] = str(peer_out)  # decode_limits.py reads its translations
                runner = peer_runner(args.peer, seed, work)
                given = round(budget + peer_startup, 1)
                peer = run_step(
                    f"train peer {tag}",
                    ["bash", str(runner), src, tgt, f"{given:g}", str(peer_out)],
                    logs,
                    env=peer_env,
                )
                if peer is not None:
                    peer.update(peer_generation_seconds(peer_out))
                    peer.update(peer_total_rate(peer_out))
                    peer.update(peer_tokens_per_word(peer_out, args.corpus, tgt))
                    peer.update(peer_startup_seconds(peer_out, peer.get("train_wall_s")))
                    peer["budget_given_s"] = given
                    if "startup_s" in peer:
                        peer["budget_after_startup_s"] = round(given - peer["startup_s"], 1)
                        peer_startup = peer["startup_s"]
                    peer["seed"] = seed
                runs["peer"] = peer
            entry["by_seed"][str(seed)] = runs
            if i > 0:
                continue
            for key, arch, tokenization, precision in extra_runs:
                cmd = our_train_cmd(
                    args,
                    src,
                    tgt,
                    budget,
                    work / f"ours-{key}-{pair}",
                    arch,
                    tokenization,
                    precision,
                )
                cmd.remove("--cli-translate")
                entry[f"ours_{key}"] = run_step(
                    f"train ours {key} {pair}", cmd + ["--seed", str(seed)], logs
                )
        pool_seeds(entry)
        combined["pairs"][pair] = entry

    # ---- per-pair decoding and floor
    for src, tgt in pairs:
        pair = f"{src}-{tgt}"
        entry = combined["pairs"][pair]
        have_model = (Path(entry["model_dir"]) / "weights.pt").is_file()
        if "decode" not in skip and have_model:
            cmd = [
                py,
                str(HERE / "decode.py"),
                "--model",
                entry["model_dir"],
                "--corpus",
                str(args.corpus),
                "--src",
                src,
                "--tgt",
                tgt,
                "--threads",
                "1,2",
            ]
            if args.quick:
                cmd += ["--latency-n", "20", "--fixed-max", "10", "--batch-sents", "200"]
            entry["decode"] = run_step(f"decode {pair}", cmd, logs)
        peer_dir = Path(entry.get("peer_dir") or work / "no-peer-run")
        if "limits" not in skip and have_model and (peer_dir / "hyp.b5.tok").is_file():
            trained_in = (entry.get("ours") or {}).get("trained_in") or "fp32"
            cmd = [py, str(HERE / "decode_limits.py"), "--model", entry["model_dir"]]
            cmd += ["--peer-out", str(peer_dir), "--corpus", str(args.corpus), "--src", src]
            cmd += ["--tgt", tgt, "--threads", str(args.threads or os.cpu_count() or 1)]
            cmd += ["--precision", "bf16" if trained_in == "bf16" else "fp32"]
            if args.quick:
                cmd += ["--rounds", "1"]
            entry["limits"] = run_step(f"decode limits {pair}", cmd, logs)
        if "floor" not in skip and have_model:
            tps = (entry.get("ours") or {}).get("tokens_per_s_median")
            cmd = [py, str(HERE / "floor.py"), "--model", entry["model_dir"]]
            if args.threads:
                cmd += ["--threads", str(args.threads)]
            if tps:
                cmd += ["--achieved", str(tps)]
            if args.quick:
                cmd += ["--min-time", "0.01", "--rounds", "3", "--steps", "3"]
            entry["floor"] = run_step(f"floor {pair}", cmd, logs)

    # ---- the app
    if "app" not in skip:
        cmd = [py, str(HERE / "app.py"), "--corpus", str(args.corpus)]
        if args.quick:
            cmd += [
                "--runs",
                "2",
                "--stall-seconds",
                "8",
                "--train-pairs",
                "1000",
                "--dev-pairs",
                "50",
                "--valid-every",
                "20",
            ]
        combined["app"] = run_step("app", cmd, logs)

    rows, targets = compare(combined)
    combined["targets"] = targets
    combined["loadavg_end"] = loadavg()
    combined["load_watch"] = watch.stop()
    combined["wall_s"] = round(time.monotonic() - t_all, 1)

    print_report(combined, rows, targets)
    arch_rows = compare_archs(combined)
    if arch_rows:
        print_table(
            f"Our {args.arch} vs our other model families (same run, same threads)",
            [
                "measure",
                "pair",
                "other",
                args.arch,
                "other value",
                f"{args.arch}/other",
                "peer",
                "other/peer",
            ],
            arch_rows,
        )

    out = args.json_out or HERE / "results" / ("latest-quick.json" if args.quick else "latest.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(combined, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {out}; logs in {logs}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
        print("(models and logs removed: pass --work DIR to keep them)")
    print(json.dumps({"bench": "run_all", "targets": targets, "result_file": str(out)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
