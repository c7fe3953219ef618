"""Benchmark: train a model for a fixed wall-clock budget, then score it on a test set.

Prints a table and one JSON line: steady-state target tokens/s, seconds to the first update,
the validation curve, BLEU/chrF (greedy and beam 5) on the test set, translation times and peak
RSS. Example (German→English on Multi30K, 10 minutes, the standard config):

    .venv/bin/python bench/train.py --corpus ../shared/corpora/multi30k --src de --tgt en \\
        --train train --dev val --test test_2016_flickr --budget 600

``--arch transformer`` trains the Transformer preset of the same name instead of the GRU
(``--preset base``: 3 + 3 layers, d_model 256, 4 heads, ff 1024, as the peer's Transformer).

Corpus files are ``{corpus}/{split}.{lang}`` or ``.gz``. ``--dev-limit`` / ``--test-limit`` keep
only the first N dev / test sentences (smoke runs). ``--cli-translate`` also times the command-line
translator end to end (``python -m core translate --input ... --output ...``: interpreter start,
imports, model load and translation of the test set), the counterpart of the peer toolkit's
``joeynmt translate`` timing, which includes the same start-up costs.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

T_START = time.monotonic()
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.config import TokenizerConfig, preset  # noqa: E402
from core.data.corpus import CorpusSpec  # noqa: E402
from core.decoding.translator import Translator  # noqa: E402
from core.evaluation.metrics import score  # noqa: E402
from core.events import ProgressEvent, ReportEvent, ValidationEvent  # noqa: E402
from core.training.run import train  # noqa: E402


def plain_file(corpus: Path, split: str, lang: str, work: Path, limit: int = 0) -> Path:
    """The corpus file as plain text (decompressed into ``work`` when it is gzipped); with
    ``limit``, only its first ``limit`` lines (written into ``work``)."""
    plain = corpus / f"{split}.{lang}"
    if limit:
        opener, source = (
            (open, plain) if plain.is_file() else (gzip.open, corpus / f"{split}.{lang}.gz")
        )
        out = work / f"{split}.{lang}"
        with opener(source, "rb") as f:
            lines = f.read().splitlines()[:limit]
        out.write_bytes(b"\n".join(lines) + b"\n")
        return out
    if plain.is_file():
        return plain
    gz = corpus / f"{split}.{lang}.gz"
    if not gz.is_file():
        sys.exit(f"bench/train.py: neither {plain} nor {gz} exists")
    out = work / f"{split}.{lang}"
    with gzip.open(gz, "rb") as f, open(out, "wb") as g:
        shutil.copyfileobj(f, g)
    return out


def tokens_per_word(tr: Translator, path: Path, n: int = 5000) -> float:
    """Target tokens the model trains on (``</s>`` included, as in tokens/s) per whitespace-
    separated word of the raw target text: turns tokens/s into target words/s, which compares
    word and subword models."""
    lines = [t for t in path.read_text(encoding="utf-8").splitlines()[:n] if t.strip()]
    tokens = sum(len(tr.tgt_tok.tokenize(t)) + 1 for t in lines)
    words = sum(len(t.split()) for t in lines)
    return round(tokens / max(1, words), 4)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--src", required=True)
    ap.add_argument("--tgt", required=True)
    ap.add_argument("--train", default="train")
    ap.add_argument("--dev", default="val")
    ap.add_argument("--test", default="test_2016_flickr")
    ap.add_argument("--budget", type=float, default=600.0, help="training wall-clock seconds")
    ap.add_argument("--preset", default="base")
    ap.add_argument(
        "--arch",
        default="gru",
        choices=["gru", "transformer"],
        help="model family (the preset is taken from its table)",
    )
    ap.add_argument(
        "--precision",
        default="fp32",
        choices=["auto", "fp32", "bf16"],
        help="training precision (autocast; auto: what the app and the CLI default to, measured "
        "per machine); the format trained in is also used for the test-set translation",
    )
    ap.add_argument(
        "--decoder",
        default="bahdanau",
        choices=["bahdanau", "luong"],
        help="bahdanau (attention fed into the RNN) or luong (attention after it)",
    )
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--tokenization", default="subwords", choices=["subwords", "words"])
    ap.add_argument("--vocab-size", type=int, default=None, help="default: automatic")
    ap.add_argument("--subword-type", default="unigram", choices=["unigram", "bpe"])
    ap.add_argument("--joint-vocab", action="store_true", help="one subword model for both sides")
    ap.add_argument("--pretokenize", default="none", choices=["none", "moses"])
    ap.add_argument("--valid-every", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None, help="keep the model here")
    ap.add_argument("--json-out", type=Path, default=None, help="also write the JSON result here")
    ap.add_argument(
        "--dev-limit", type=int, default=0, help="use only the first N dev pairs (0: all)"
    )
    ap.add_argument(
        "--test-limit", type=int, default=0, help="translate only the first N test sentences"
    )
    ap.add_argument(
        "--cli-translate",
        action="store_true",
        help="also time `python -m core translate` end to end on the test set (greedy, beam 5)",
    )
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="attnscope-bench-"))
    limits = {args.train: 0, args.dev: args.dev_limit, args.test: args.test_limit}
    files = {
        (s, lang): plain_file(args.corpus, s, lang, work, limits[s])
        for s in (args.train, args.dev, args.test)
        for lang in (args.src, args.tgt)
    }
    load_start = os.getloadavg()
    p = preset(args.preset, args.arch)
    model_cfg = dataclasses.replace(p.model, decoder=args.decoder)
    cfg = p.train.replace(
        time_budget_s=args.budget,
        epochs=0,
        precision=args.precision,
        num_threads=args.threads,
        valid_every=args.valid_every,
        seed=args.seed,
        vocab_size=args.vocab_size,
    )
    tok_cfg = TokenizerConfig(
        args.src,
        args.tgt,
        tokenization=args.tokenization,
        subword_type=args.subword_type,
        joint_vocab=args.joint_vocab,
        pretokenize=args.pretokenize,
    )
    out = args.out or work / "model"
    progress: list[ProgressEvent] = []
    validations: list[ValidationEvent] = []
    chosen: dict = {}  # the report's precision: what the run trained in, and why
    first_step_s: list[float] = []

    def on_event(e) -> None:
        if isinstance(e, ProgressEvent):
            if not first_step_s:
                first_step_s.append(time.monotonic() - T_START)
            progress.append(e)
        elif isinstance(e, ReportEvent) and "precision" in e.report:
            chosen.update(e.report["precision"])
        elif isinstance(e, ValidationEvent):
            validations.append(e)
            print(
                f"  validation @ {e.step}: loss {e.loss:.3f} BLEU {e.bleu:.2f} chrF {e.chrf:.2f}",
                file=sys.stderr,
                flush=True,
            )

    t0 = time.monotonic()
    done = train(
        CorpusSpec(str(files[args.train, args.src]), str(files[args.train, args.tgt])),
        out,
        model_cfg,
        tok_cfg,
        cfg,
        dev_spec=CorpusSpec(str(files[args.dev, args.src]), str(files[args.dev, args.tgt])),
        on_event=on_event,
    )
    train_wall = time.monotonic() - t0
    # the training run's own peak, before the test set is translated (whose batches and bf16
    # weight copy add their own)
    train_peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    steady = [e.tokens_per_second for e in progress if e.elapsed_s >= 0.1 * args.budget]
    tps = statistics.median(steady) if steady else None

    trained_in = chosen.get("precision", args.precision)
    tr = Translator.load(out, cfg.device, "bf16" if trained_in == "bf16" else "fp32")
    srcs = files[args.test, args.src].read_text(encoding="utf-8").splitlines()
    refs = files[args.test, args.tgt].read_text(encoding="utf-8").splitlines()
    result = {
        "pair": f"{args.src}-{args.tgt}",
        "tokenization": args.tokenization,
        "vocab_sizes": [len(tr.src_vocab), len(tr.tgt_vocab)],
        "tokens_per_target_word": tokens_per_word(tr, files[args.train, args.tgt]),
        "preset": args.preset,
        "arch": args.arch,
        "precision": args.precision,
        "trained_in": trained_in,
        "precision_line": chosen.get("line"),
        "decoder": args.decoder,
        "budget_s": args.budget,
        "train_wall_s": round(train_wall, 1),
        "updates": done.step,
        "epochs": round(done.step / max(1, progress[-1].step) * progress[-1].epoch, 2)
        if progress
        else 0,
        "tokens_per_s_median": round(tps) if tps else None,
        # the headline: every target token of every update ÷ training time without validation
        "target_tokens": done.target_tokens,
        "validation_s": done.validation_s,
        "tokens_per_s_total": round(done.target_tokens / (done.elapsed_s - done.validation_s))
        if done.elapsed_s > done.validation_s
        else None,
        "first_step_s": round(first_step_s[0], 2) if first_step_s else None,
        "valid_curve": [[v.step, round(v.loss, 3), round(v.bleu, 2)] for v in validations],
        "best_dev_bleu": round(done.best_bleu or 0.0, 2),
    }
    for beam in (1, 5):
        t1 = time.monotonic()
        hyps = [t.text for t in tr.translate_batch(srcs, beam=beam)]
        result[f"translate_s_b{beam}"] = round(time.monotonic() - t1, 2)
        s = score(hyps, refs)
        result[f"bleu_b{beam}"] = round(s.bleu, 2)
        result[f"unk_b{beam}"] = sum(h.count("<unk>") for h in hyps)
        result[f"unk_sentences_b{beam}"] = sum("<unk>" in h for h in hyps)
        result[f"chrf_b{beam}"] = round(s.chrf, 2)
        result["bleu_signature"] = s.bleu_signature
    if tps and result["tokens_per_target_word"]:
        result["target_words_per_s"] = round(tps / result["tokens_per_target_word"])
    result["peak_rss_train_mb"] = train_peak_mb
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["test_sentences"] = len(srcs)
    result["threads"] = args.threads
    if args.cli_translate:
        root = Path(__file__).resolve().parents[1]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
        for beam in (1, 5):
            hyp = work / f"cli.b{beam}.txt"
            t1 = time.monotonic()
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "core",
                    "translate",
                    "--model",
                    str(out),
                    "--input",
                    str(files[args.test, args.src]),
                    "--output",
                    str(hyp),
                    "--beam",
                    str(beam),
                ],
                env=env,
                cwd=str(root),
                capture_output=True,
                text=True,
            )
            result[f"translate_cli_s_b{beam}"] = (
                round(time.monotonic() - t1, 2) if proc.returncode == 0 else None
            )
            if proc.returncode != 0:
                print(
                    f"bench/train.py: the CLI translate failed:\n{proc.stderr[-1500:]}",
                    file=sys.stderr,
                )
    result["loadavg_start"] = [round(x, 2) for x in load_start]
    result["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]

    rows = [
        ("target tokens/s (total ÷ training time)", result["tokens_per_s_total"]),
        ("target tokens/s (median, steady)", result["tokens_per_s_median"]),
        ("seconds to first update", result["first_step_s"]),
        ("updates in budget", result["updates"]),
        ("best dev BLEU", result["best_dev_bleu"]),
        ("test BLEU greedy / beam 5", f"{result['bleu_b1']} / {result['bleu_b5']}"),
        ("test chrF greedy / beam 5", f"{result['chrf_b1']} / {result['chrf_b5']}"),
        ("<unk> in the beam-5 test output", result["unk_b5"]),
        (
            "target tokens per word / target words/s",
            f"{result['tokens_per_target_word']} / {result.get('target_words_per_s')}",
        ),
        (
            f"translate {len(srcs):,} sents greedy / beam 5 (s)",
            f"{result['translate_s_b1']} / {result['translate_s_b5']}",
        ),
        *(
            [
                (
                    "  same, CLI end to end incl. start-up (s)",
                    f"{result['translate_cli_s_b1']} / {result['translate_cli_s_b5']}",
                )
            ]
            if args.cli_translate
            else []
        ),
        (
            "peak RSS: training / whole run (MB)",
            f"{result['peak_rss_train_mb']} / {result['peak_rss_mb']}",
        ),
        ("load average start / end", f"{result['loadavg_start']} / {result['loadavg_end']}"),
    ]
    print(
        f"\n{result['pair']}  arch={args.arch}  preset={args.preset}  "
        f"precision={args.precision} ({trained_in})  budget={args.budget:.0f}s"
    )
    for name, value in rows:
        print(f"  {name:44} {value}")
    print(
        "  validation curve (step, loss, BLEU): "
        + ", ".join(str(tuple(v)) for v in result["valid_curve"])
    )
    line = json.dumps(result)
    print(line)
    if args.json_out:
        args.json_out.write_text(line + "\n")
    if not args.out:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
