"""What each ``attnscope-cli`` sub-command does; parsing lives in ``core.cli``."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from core.cancel import CancelToken
from core.config import ModelConfig, TokenizerConfig, TrainConfig, preset
from core.corpus import read_text_lines
from core.errors import ConfigError, CoreError, CorpusError
from core.events import Event, ProgressEvent, Translation, ValidationEvent, to_json_dict

# ---- helpers -------------------------------------------------------------------------------

def print_json(obj: Any, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    out.flush()


def _stdin_lines() -> Iterator[str]:
    """stdin's lines decoded as UTF-8 whatever the locale; a bad byte names the line, like files."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:                       # a replaced, already-decoded text stream
        for line in sys.stdin:
            yield line.rstrip("\n").removesuffix("\r")
        return
    for n, raw in enumerate(stream, 1):
        raw = raw.rstrip(b"\n").removesuffix(b"\r")
        if n == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CorpusError("<stdin>", n, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
                                            "send UTF-8 text", byte=exc.start + 1) from None


def attention_table(t: Translation) -> str:
    """The matrix as aligned text: one row per target token, one column per source token."""
    cols = t.source_tokens
    width = max(5, *(len(c) for c in cols)) if cols else 5
    row_label = max(6, *(len(r) for r in t.target_tokens)) if t.target_tokens else 6
    lines = [" " * row_label + " " + " ".join(c.rjust(width) for c in cols) + "   p(token)  entropy"]
    entropy = t.entropy
    for r, tok in enumerate(t.target_tokens):
        cells = " ".join(f"{w:.2f}".rjust(width) for w in t.attention[r])
        lines.append(f"{tok.rjust(row_label)} {cells}   {t.token_probs[r]:8.3f}  {entropy[r]:7.2f}")
    lines.append("coverage".rjust(row_label) + " " + " ".join(f"{c:.2f}".rjust(width) for c in t.coverage))
    return "\n".join(lines)


def _spec(tsv: str | None, src: str | None, tgt: str | None, what: str):
    from core.corpus import CorpusSpec

    if tsv and (src or tgt):
        raise ConfigError(f"give either --{what}-tsv or --{what}-src/--{what}-tgt, not both")
    if tsv:
        return CorpusSpec(tsv_path=tsv)
    if src or tgt:
        if not (src and tgt):
            raise ConfigError(f"--{what}-src and --{what}-tgt go together: give both files")
        return CorpusSpec(src_path=src, tgt_path=tgt)
    return None


# ---- train ---------------------------------------------------------------------------------

class _TextProgress:
    """Human-readable progress lines on stdout: one every few seconds, not every event."""

    def __init__(self, every_s: float = 5.0) -> None:
        self.every_s = every_s
        self.last = -1e9

    def __call__(self, event: Event) -> None:
        kind = event.type
        if kind == "reading":
            if event.total_bytes and (event.bytes_read == event.total_bytes or
                                      time.monotonic() - self.last >= self.every_s):
                self.last = time.monotonic()
                print(f"reading corpus: {100 * event.bytes_read / event.total_bytes:5.1f}%", flush=True)
            return
        if kind == "notice":
            print(f"note: {event.message}", flush=True)
            return
        if kind == "report":
            self.last = -1e9
            print(event.report.get("summary", ""))
            dev = event.report.get("dev", {})
            if "summary" in dev:
                print("dev: " + dev["summary"])
            elif "held_out" in dev:
                print(f"dev: {dev['held_out']:,} pairs held out for validation")
        elif isinstance(event, ProgressEvent):
            if event.elapsed_s - self.last >= self.every_s:
                self.last = event.elapsed_s
                print(f"step {event.step:>6} | epoch {event.epoch + 1:>3} | loss {event.smoothed_loss:6.3f} | "
                      f"{event.tokens_per_second:8,.0f} tok/s | {_hms(event.elapsed_s)} elapsed | "
                      f"ETA {_hms(event.eta_s)} | {100 * event.fraction:5.1f}%", flush=True)
        elif isinstance(event, ValidationEvent):
            best = " (best)" if event.is_best else ""
            print(f"validation @ step {event.step}: loss {event.loss:.3f}, BLEU {event.bleu:.2f}, "
                  f"chrF {event.chrf:.2f}{best}", flush=True)
            for s in event.samples:
                print(f"  source:    {s['source']}\n  reference: {s['reference']}\n  output:    {s['hypothesis']}")
        elif kind == "done":
            bleu = "n/a" if event.best_bleu is None else f"{event.best_bleu:.2f}"
            print(f"done ({event.status}) after {event.step} steps, {_hms(event.elapsed_s)}; "
                  f"best dev BLEU {bleu}; model folder: {event.model_dir}", flush=True)


def _hms(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def _train_configs(args: argparse.Namespace, base: tuple[ModelConfig, TokenizerConfig, TrainConfig]
                   ) -> tuple[ModelConfig, TokenizerConfig, TrainConfig]:
    model, tok, train = base
    model_changes = {k: v for k, v in {
        "emb_size": args.emb_size, "hidden_size": args.hidden_size, "enc_layers": args.enc_layers,
        "dec_layers": args.dec_layers, "attention": args.attention, "dropout": args.dropout,
        "decoder": args.decoder,
    }.items() if v is not None}
    if args.unidirectional:
        model_changes["bidirectional"] = False
    tok_changes = {k: v for k, v in {"src_lang": args.src_lang, "tgt_lang": args.tgt_lang}.items() if v}
    if args.lowercase:
        tok_changes["lowercase"] = True
    train_changes = {k: v for k, v in {
        "time_budget_s": args.time_budget, "epochs": args.epochs, "max_steps": args.max_steps,
        "device": args.device, "precision": args.precision, "num_threads": args.threads,
        "seed": args.seed, "batch_size": args.batch_size, "learning_rate": args.lr,
        "valid_every": args.valid_every, "patience": args.patience,
        "probe": "\n".join(args.probe) if args.probe else None,
        "max_len": args.max_len,
    }.items() if v is not None}
    if args.time_budget is not None and args.epochs is None:
        train_changes["epochs"] = 0      # a budget alone means: train until the budget ends
    model = dataclasses.replace(model, **model_changes)
    tok = dataclasses.replace(tok, **tok_changes)
    train = dataclasses.replace(train, **train_changes)
    for c in (model, tok, train):
        c.validate()
    return model, tok, train


def cmd_train(args: argparse.Namespace) -> int:
    from core.corpus import CorpusSpec
    from core.model_folder import read_meta
    from core.train import train

    if args.json_progress:
        def on_event(e: Event) -> None:
            print_json(to_json_dict(e))
    else:
        on_event = _TextProgress()
    token, previous = CancelToken(), None
    if threading.current_thread() is threading.main_thread():
        def on_sigint(signum, frame):       # 1st Ctrl-C: finish the step, save, stop; 2nd: now
            if token.cancelled:
                raise KeyboardInterrupt
            token.cancel()
            print("attnscope-cli train: stopping after this step and saving a checkpoint "
                  "(Ctrl-C again to stop at once)", file=sys.stderr, flush=True)
        previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        if args.resume:
            meta = read_meta(args.resume)
            spec = CorpusSpec(**meta.corpus["spec"])
            dev = meta.corpus.get("dev_spec")
            dev_spec = CorpusSpec(**dev) if dev else None
            extra, args.time_budget = args.time_budget, None   # on resume: *more* time, from now
            model, tok, cfg = _train_configs(args, (meta.model, meta.tokenizer,
                                                    meta.train_for_resume(extra)))
            done = train(spec, args.resume, model, tok, cfg, dev_spec=dev_spec, on_event=on_event,
                         cancel=token, resume=True, name=meta.name)
        else:
            spec = _spec(args.train_tsv, args.train_src, args.train_tgt, "train")
            if spec is None:
                raise ConfigError("no training data: give --train-tsv FILE, or --train-src FILE and --train-tgt FILE")
            if not args.out:
                raise ConfigError("give --out DIR: the new model folder to create")
            if not (args.src_lang and args.tgt_lang):
                raise ConfigError("give --src-lang and --tgt-lang (language codes such as en and de)")
            dev_spec = _spec(args.dev_tsv, args.dev_src, args.dev_tgt, "dev")
            p = preset(args.preset)
            model, tok, cfg = _train_configs(args, (p.model, TokenizerConfig(), p.train))
            done = train(spec, args.out, model, tok, cfg, dev_spec=dev_spec, on_event=on_event,
                         cancel=token, name=args.name)
    except CoreError as exc:
        if args.json_progress:
            print_json({"type": "error", "message": str(exc)})
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return 0 if done.status != "cancelled" else 130


# ---- translate / attention / evaluate ---------------------------------------------------------

def cmd_translate(args: argparse.Namespace) -> int:
    from core.translator import Translator

    tr = Translator.load(args.model, args.device, args.precision)
    if args.input:
        lines = [text for _, text in read_text_lines(args.input)]
        out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115 (closed below; stdout is not)
        def progress(done: int, total: int) -> None:
            print(f"\rtranslated {done:,}/{total:,}", end="", file=sys.stderr, flush=True)
        try:
            if args.nbest > 1:
                for text in lines:
                    out.write("\t".join(t.text for t in tr.translate(text, args.beam, args.nbest)) + "\n")
            else:
                for t in tr.translate_batch(lines, beam=args.beam, progress=progress if args.output else None):
                    out.write(t.text + "\n")
        finally:
            if args.output:
                out.close()
                print(file=sys.stderr)
        return 0
    for line in _stdin_lines():
        hyps = tr.translate(line, args.beam, args.nbest)
        print("\t".join(h.text for h in hyps), flush=True)
    return 0


def cmd_attention(args: argparse.Namespace) -> int:
    from core.translator import Translator

    if args.tree and (not args.json or args.beam < 2 or args.reference is not None):
        raise ConfigError("--tree prints the beam's search tree as JSON: it needs --json and "
                          "--beam 2 or more, and does not combine with --reference")
    tr = Translator.load(args.model, args.device)
    tree = None
    if args.reference is not None:
        if args.prefix or args.nbest > 1:
            raise ConfigError("--reference scores one given translation; it does not combine "
                              "with --prefix or --nbest")
        hyps = [tr.score(args.sentence, args.reference)]
    else:
        if args.nbest > max(1, args.beam):
            raise ConfigError(f"--nbest {args.nbest} needs a beam at least that wide (--beam {args.nbest})")
        inspection = tr.inspect(args.sentence, args.beam, args.nbest, prefix=args.prefix,
                                tree=args.tree)
        hyps, tree = inspection.hypotheses, tree_json(inspection) if args.tree else None
    if args.csv:
        write_attention_csv(hyps[0], Path(args.csv))
    if args.json:
        dicts = [attention_json(h) for h in hyps]
        result = dicts if args.nbest > 1 else dicts[0]
        print_json({"hypotheses": dicts, "tree": tree} if tree is not None else result)
        return 0
    for i, t in enumerate(hyps):
        if len(hyps) > 1:
            print(f"#{i + 1}  score {t.score:.3f}")
        print(t.text)
        print()
        print(attention_table(t))
        print()
    return 0


def attention_json(t: Translation) -> dict[str, Any]:
    """``Translation.to_dict()`` plus each target token's peak weight and the argmax alignment
    as a Pharaoh string (added here, not in the record, so the record stays minimal)."""
    from core.alignment import hard_alignment, to_pharaoh

    data = t.to_dict()
    data["peak"] = [float(x) for x in t.attention.max(axis=1)] if t.attention.shape[1] else []
    data["alignment"] = to_pharaoh(hard_alignment(t.attention, t.source_tokens, t.target_tokens))
    return data


def tree_json(inspection) -> list[dict[str, Any]]:
    """The beam tree's nodes as plain JSON objects (the root first)."""
    tree, words = inspection.tree, inspection.node_tokens
    if tree is None or words is None:
        return []
    return [{"id": n.id, "parent": n.parent, "step": n.step, "token": words[n.id],
             "prob": n.prob, "logp": n.logp, "status": n.status, "rank": n.rank,
             "score": n.score, "weights": [float(w) for w in n.attention]} for n in tree.nodes]


def _nonempty_lines(path: str) -> list[tuple[int, str]]:
    """Every line of ``path``; a blank one is refused (a pair cannot be aligned without text)."""
    lines = list(read_text_lines(path))
    for n, text in lines:
        if not text.strip():
            raise CorpusError(path, n, "empty line; every line needs a sentence, and the source "
                                       "and target files must be line-aligned")
    return lines


def cmd_align(args: argparse.Namespace) -> int:
    from core.alignment import (
        check_bounds,
        corpus_aer_counts,
        hard_alignment,
        read_gold,
        to_pharaoh,
        word_count,
    )
    from core.checkpoint import atomic_write_text
    from core.translator import Translator

    if bool(args.model) == bool(args.model_option):
        raise ConfigError("give the model folder once: attnscope-cli align MODEL (or --model DIR)")
    if args.threshold is not None and args.method != "threshold":
        raise ConfigError("--threshold applies to --method threshold only")
    threshold = 0.3 if args.threshold is None else args.threshold
    if not 0.0 < threshold <= 1.0:
        raise ConfigError(f"--threshold must be above 0 and at most 1, not {threshold}")
    srcs, tgts = _nonempty_lines(args.source), _nonempty_lines(args.target)
    if len(srcs) != len(tgts):
        raise CorpusError(args.source, None, f"has {len(srcs):,} lines but {args.target} has "
                                             f"{len(tgts):,}; source and target must be line-aligned")
    gold = read_gold(args.gold) if args.gold else None
    if gold is not None and len(gold) != len(srcs):
        raise CorpusError(args.gold, None, f"has {len(gold):,} lines but {args.source} has "
                                           f"{len(srcs):,}; give one gold line per sentence pair")
    tr = Translator.load(args.model or args.model_option, args.device)
    predicted, lines = [], []
    for (n, source), (_, target) in zip(srcs, tgts):
        t = tr.score(source, target)
        links = hard_alignment(t.attention, t.source_tokens, t.target_tokens, args.method, threshold)
        if gold is not None:
            check_bounds(gold[n - 1], word_count(t.source_tokens), word_count(t.target_tokens),
                         args.gold, n)
        predicted.append(links)
        lines.append(to_pharaoh(links))
        if args.out:
            print(f"\raligned {n:,}/{len(srcs):,}", end="", file=sys.stderr, flush=True)
        else:
            print(lines[-1], flush=True)
    if args.out:
        print(file=sys.stderr)
        atomic_write_text(args.out, "".join(line + "\n" for line in lines))
    if gold is not None:
        c = corpus_aer_counts(predicted, gold)
        print(f"AER {c.aer:.4f}  (precision {c.precision:.4f}, recall {c.recall:.4f}; "
              f"{len(lines):,} sentence pairs, {c.a:,} predicted links, {c.s:,} sure gold links)",
              file=sys.stdout if args.out else sys.stderr, flush=True)
    return 0


def write_attention_csv(t: Translation, path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["target \\ source", *t.source_tokens])
        for tok, row in zip(t.target_tokens, t.attention):
            w.writerow([tok, *(f"{x:.6f}" for x in row)])


def cmd_evaluate(args: argparse.Namespace) -> int:
    from core.metrics import score
    from core.translator import Translator

    srcs = [t for _, t in read_text_lines(args.src)]
    refs = [t for _, t in read_text_lines(args.ref)]
    if len(srcs) != len(refs):
        raise CorpusError(args.src, None, f"has {len(srcs):,} lines but {args.ref} has {len(refs):,}; "
                                          "source and reference must be line-aligned")
    tr = Translator.load(args.model, args.device)
    hyps = [t.text for t in tr.translate_batch(srcs, beam=args.beam)]
    s = score(hyps, refs)
    if args.json:
        print_json({"bleu": s.bleu, "chrf": s.chrf, "bleu_signature": s.bleu_signature,
                    "chrf_signature": s.chrf_signature, "sentences": s.n, "beam": args.beam})
    else:
        print(f"BLEU {s.bleu:.2f}  ({s.bleu_signature})")
        print(f"chrF {s.chrf:.2f}  ({s.chrf_signature})")
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from core.library import list_models
    from core.paths import AppPaths

    root = AppPaths.default().models
    models = list_models(root)
    if args.json:
        print_json([dataclasses.asdict(m) for m in models])
        return 0
    if not models:
        print(f"no models yet in {root}")
    for m in models:
        bleu = "" if m.bleu is None else f"BLEU {m.bleu:.1f}"
        print(f"{m.name:30} {m.src_lang}→{m.tgt_lang}  {m.pairs:>8,} pairs  {bleu:10} {m.path}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from core.corpus import CorpusSpec
    from core.demo_task import write_demo_corpus
    from core.train import train
    from core.translator import Translator

    folder = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="attnscope-demo-"))
    data = folder.parent / (folder.name + "-data") if args.out else folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    tsv, probe = write_demo_corpus(data / "demo.tsv")
    p = preset("tiny")
    print(f"Training a tiny model ({args.steps} updates) on a generated task: "
          "numbers in words → digits in reverse order (so the attention runs backwards).")
    done = train(CorpusSpec(tsv_path=str(tsv)), folder / "model", p.model,
                 TokenizerConfig("en", "en"), p.train.replace(time_budget_s=args.time_budget, max_steps=args.steps, epochs=0,
                                 valid_every=200, probe=probe),
                 on_event=_TextProgress(every_s=2.0))
    t = Translator.load(done.model_dir).translate(probe)[0]
    print(f"\n{probe}\n→ {t.text}\n")
    print(attention_table(t))
    print(f"\nModel folder: {done.model_dir}")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from core import doctor
    return doctor.main()


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "train": cmd_train, "translate": cmd_translate, "attention": cmd_attention,
    "align": cmd_align, "evaluate": cmd_evaluate, "models": cmd_models, "demo": cmd_demo,
    "doctor": cmd_doctor,
}
