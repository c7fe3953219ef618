"""``attnscope-cli train`` (new run or ``--resume``) and ``attnscope-cli demo``: training from the
command line."""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.cancel import CancelToken
from core.cli.heads import transformer_changes
from core.cli.output import attention_table, print_json
from core.config import ModelConfig, TokenizerConfig, TrainConfig, preset
from core.errors import ConfigError, CoreError
from core.events import Event, ProgressEvent, ValidationEvent, to_json_dict

if TYPE_CHECKING:
    from core.training.distributed import World


def corpus_spec_from_args(
    tsv: str | None,
    src: str | None,
    tgt: str | None,
    what: str,
    tmx: str | None = None,
    langs: tuple[str | None, str | None] = (None, None),
):
    """The corpus named by --{what}-src/-tgt, -tsv or -tmx (None when none is given); a TMX file
    is read in the languages ``langs`` (--src-lang, --tgt-lang)."""
    from core.data.corpus import CorpusSpec

    forms = [f"--{what}-{k}" for k, v in (("tsv", tsv), ("tmx", tmx)) if v]
    if src or tgt:
        forms.insert(0, f"--{what}-src/--{what}-tgt")
    if len(forms) > 1:
        raise ConfigError(f"give one of {' or '.join(forms)}, not several")
    if tsv:
        return CorpusSpec(tsv_path=tsv)
    if tmx:
        return CorpusSpec(tmx_path=tmx, tmx_src_lang=langs[0], tmx_tgt_lang=langs[1])
    if src or tgt:
        if not (src and tgt):
            raise ConfigError(f"--{what}-src and --{what}-tgt go together: give both files")
        return CorpusSpec(src_path=src, tgt_path=tgt)
    return None


class TextProgress:
    """Human-readable progress lines on stdout: one every few seconds, not every event."""

    def __init__(self, every_s: float = 5.0) -> None:
        self.every_s = every_s
        self.last = -1e9

    def __call__(self, event: Event) -> None:
        kind = event.type
        if kind == "reading":
            if event.total_bytes and (
                event.bytes_read == event.total_bytes
                or time.monotonic() - self.last >= self.every_s
            ):
                self.last = time.monotonic()
                print(
                    f"reading corpus: {100 * event.bytes_read / event.total_bytes:5.1f}%",
                    flush=True,
                )
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
                print(
                    f"step {event.step:>6} | epoch {event.epoch + 1:>3} | "
                    f"loss {event.smoothed_loss:6.3f} | "
                    f"{event.tokens_per_second:8,.0f} tok/s | {_hms(event.elapsed_s)} elapsed | "
                    f"ETA {_hms(event.eta_s)} | {100 * event.fraction:5.1f}%",
                    flush=True,
                )
        elif isinstance(event, ValidationEvent):
            best = " (best)" if event.is_best else ""
            print(
                f"validation @ step {event.step}: loss {event.loss:.3f}, BLEU {event.bleu:.2f}, "
                f"chrF {event.chrf:.2f}{best}",
                flush=True,
            )
            for s in event.samples:
                print(
                    f"  source:    {s['source']}\n  reference: {s['reference']}\n"
                    f"  output:    {s['hypothesis']}"
                )
        elif kind == "done":
            bleu = "n/a" if event.best_bleu is None else f"{event.best_bleu:.2f}"
            print(
                f"done ({event.status}) after {event.step} steps, {_hms(event.elapsed_s)}; "
                f"best dev BLEU {bleu}; model folder: {event.model_dir}",
                flush=True,
            )


def _hms(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def _train_configs(
    args: argparse.Namespace, base: tuple[ModelConfig, TokenizerConfig, TrainConfig]
) -> tuple[ModelConfig, TokenizerConfig, TrainConfig]:
    model, tok, train = base
    model_changes = {
        k: v
        for k, v in {
            "emb_size": args.emb_size,
            "hidden_size": args.hidden_size,
            "enc_layers": args.enc_layers,
            "dec_layers": args.dec_layers,
            "attention": args.attention,
            "dropout": args.dropout,
            "decoder": args.decoder,
        }.items()
        if v is not None
    }
    if args.unidirectional:
        model_changes["bidirectional"] = False
    tf_model, tf_train = transformer_changes(args)
    if args.arch is not None:
        model_changes["arch"] = args.arch
    if (tf_model or tf_train) and model_changes.get("arch", model.arch) != "transformer":
        raise ConfigError(
            "--d-model, --heads, --ff-size, --positions, --share-embeddings and --warmup "
            "shape a Transformer: add --arch transformer"
        )
    model_changes.update(tf_model)
    tok_changes = {
        k: v
        for k, v in {
            "src_lang": args.src_lang,
            "tgt_lang": args.tgt_lang,
            "tokenization": args.tokenization,
            "subword_type": args.subword_type,
            "joint_vocab": args.joint_vocab,
            "pretokenize": args.pretokenize,
        }.items()
        if v is not None
    }
    if args.lowercase:
        tok_changes["lowercase"] = True
    train_changes = {
        k: v
        for k, v in {
            "time_budget_s": args.time_budget,
            "epochs": args.epochs,
            "max_steps": args.max_steps,
            "device": args.device,
            "precision": args.precision,
            "num_threads": args.threads,
            "seed": args.seed,
            "batch_size": args.batch_size,
            "learning_rate": args.lr,
            "valid_every": args.valid_every,
            "patience": args.patience,
            "probe": "\n".join(args.probe) if args.probe else None,
            "max_len": args.max_len,
            "vocab_size": args.vocab_size,
        }.items()
        if v is not None
    }
    train_changes.update(tf_train)
    if args.time_budget is not None and args.epochs is None:
        train_changes["epochs"] = 0  # a budget alone means: train until the budget ends
    model = dataclasses.replace(model, **model_changes)
    tok = dataclasses.replace(tok, **tok_changes)
    train = dataclasses.replace(train, **train_changes)
    for c in (model, tok, train):
        c.validate()
    return model, tok, train


def cmd_train(args: argparse.Namespace) -> int:
    """``train``, as one process or as one rank of a torchrun launch (which starts the process
    group here, and ends it however the run ends)."""
    from core.training.distributed import init_from_env

    world = init_from_env(args.device or "auto")
    try:
        return _train_command(args, world)
    finally:
        world.destroy()


def _install_stop_signals(
    token: CancelToken, quiet: bool, under_torchrun: bool
) -> dict[int, Any] | None:
    """Ctrl-C: finish the step, save, stop; a second Ctrl-C stops at once. Under torchrun, where
    the launcher passes Ctrl-C and SIGTERM on to every rank (and kills them after a grace period),
    every such signal asks for the same orderly stop, so all ranks save and end together."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def on_signal(signum, frame):
        if token.cancelled:
            if under_torchrun:
                return
            raise KeyboardInterrupt
        token.cancel()
        if not quiet:
            again = "" if under_torchrun else " (Ctrl-C again to stop at once)"
            print(
                f"attnscope-cli train: stopping after this step and saving a checkpoint{again}",
                file=sys.stderr,
                flush=True,
            )

    previous = {signal.SIGINT: signal.signal(signal.SIGINT, on_signal)}
    if under_torchrun:
        previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, on_signal)
    return previous


def _train_command(args: argparse.Namespace, world: World) -> int:
    from core.training.resume import resume_job
    from core.training.run import train

    if args.json_progress:

        def on_event(e: Event) -> None:
            print_json(to_json_dict(e))
    else:
        on_event = TextProgress()
    token = CancelToken()
    previous = _install_stop_signals(token, not world.is_main, world.active)
    try:
        if args.resume:
            extra, args.time_budget = args.time_budget, None  # on resume: *more* time, from now
            job = world.from_main(
                lambda: resume_job(args.resume, extra, extend_any_run=extra is not None)
            )
            model, tok, cfg = _train_configs(args, (job.model_cfg, job.tok_cfg, job.train_cfg))
            done = train(
                job.spec,
                job.out_dir,
                model,
                tok,
                cfg,
                dev_spec=job.dev_spec,
                on_event=on_event,
                cancel=token,
                resume=True,
                name=job.name,
                world=world,
            )
        else:
            langs = (args.src_lang, args.tgt_lang)
            spec = corpus_spec_from_args(
                args.train_tsv, args.train_src, args.train_tgt, "train", args.train_tmx, langs
            )
            if spec is None:
                raise ConfigError(
                    "no training data: give --train-tsv FILE, or --train-tmx FILE, "
                    "or --train-src FILE and --train-tgt FILE"
                )
            if not args.out:
                raise ConfigError("give --out DIR: the new model folder to create")
            if not (args.src_lang and args.tgt_lang):
                raise ConfigError(
                    "give --src-lang and --tgt-lang (language codes such as en and de)"
                )
            dev_spec = corpus_spec_from_args(
                args.dev_tsv, args.dev_src, args.dev_tgt, "dev", args.dev_tmx, langs
            )
            p = preset(args.preset, args.arch or "gru")
            model, tok, cfg = _train_configs(args, (p.model, TokenizerConfig(), p.train))
            done = train(
                spec,
                args.out,
                model,
                tok,
                cfg,
                dev_spec=dev_spec,
                on_event=on_event,
                cancel=token,
                name=args.name,
                world=world,
            )
    except CoreError as exc:
        if args.json_progress:
            print_json({"type": "error", "message": str(exc)})
        raise
    finally:
        for signum, handler in (previous or {}).items():
            signal.signal(signum, handler)
    # under torchrun a stopped run must not count as a failure: the launcher would restart it
    return 0 if done.status != "cancelled" or world.active else 130


def cmd_demo(args: argparse.Namespace) -> int:
    from core.data.corpus import CorpusSpec
    from core.data.demo_corpus import write_demo_corpus
    from core.decoding.translator import Translator
    from core.training.run import train

    folder = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="attnscope-demo-"))
    data = folder.parent / (folder.name + "-data") if args.out else folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    tsv, probe = write_demo_corpus(data / "demo.tsv")
    p = preset("tiny")
    print(
        f"Training a tiny model ({args.steps} updates) on a generated task: "
        "numbers in words → digits in reverse order (so the attention runs backwards)."
    )
    done = train(
        CorpusSpec(tsv_path=str(tsv)),
        folder / "model",
        p.model,
        TokenizerConfig("en", "en"),
        p.train.replace(
            time_budget_s=args.time_budget,
            max_steps=args.steps,
            epochs=0,
            valid_every=200,
            probe=probe,
        ),
        on_event=TextProgress(every_s=2.0),
    )
    t = Translator.load(done.model_dir).translate(probe)[0]
    print(f"\n{probe}\n→ {t.text}\n")
    print(attention_table(t))
    print(f"\nModel folder: {done.model_dir}")
    return 0
