"""The training run: read the corpus, build vocabularies, train, validate, checkpoint, report.

``train()`` is the one entry point for the CLI, the app's worker thread and tests. It talks to its
caller only through plain events (``core.events``) and a ``CancelToken``; it never touches Qt.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from core import __version__
from core import device as _device
from core.cancel import CancelToken
from core.config import ModelConfig, TokenizerConfig, TrainConfig
from core.data.batching import collate, sorted_batches
from core.data.corpus import CorpusSpec, load_pairs
from core.data.mapped_pairs import MappedPairs
from core.data.rows import split_rows
from core.data.tokenizer import tokenizers_for
from core.data.vocab import Vocab
from core.decoding.search import greedy
from core.errors import Cancelled, CheckpointError, CoreError
from core.evaluation.dev_set import DEV_TSV, write_dev_set
from core.evaluation.metrics import score
from core.events import (
    CheckpointEvent,
    DoneEvent,
    Event,
    NoticeEvent,
    ReadingEvent,
    ReportEvent,
    ValidationEvent,
)
from core.inspection.probe_timeline import append_snapshot, forget_after
from core.model.build import build_model
from core.model.seq2seq import Seq2Seq
from core.storage.atomic_io import clean_stray_temporaries
from core.storage.checkpoints import CheckpointStore
from core.storage.model_folder import (
    CHECKPOINTS,
    ModelMeta,
    append_history,
    read_meta,
    read_vocabs,
    write_meta,
    write_vocabs,
    write_weights,
)
from core.training.corpus_store import read_corpus
from core.training.loop import run_loop
from core.training.probe_recorder import ProbeRecorder, dev_probes, user_probes
from core.training.rng_state import rng_state, seed_everything, set_rng_state

log = logging.getLogger(__name__)
# settings that change the weights' shapes or the data they were trained on: resume refuses if
# any of them differs from the run being resumed
SHAPING_TRAIN_KEYS = ("max_len", "vocab_size", "min_freq", "dev_fraction", "dev_max", "seed")


@dataclass
class _State:
    """Where a run stands; saved in every checkpoint so a resumed run continues exactly."""

    step: int = 0
    epoch: int = 0
    batch_pos: int = 0  # batches of this epoch already trained
    best_bleu: float | None = None
    best_chrf: float | None = None
    best_step: int = 0
    bad_validations: int = 0
    elapsed_s: float = 0.0  # training time of earlier sessions of this run
    smoothed_loss: float | None = None
    last_validated_step: int = -1
    extra: dict[str, Any] = field(default_factory=dict)


def _adam(model: Seq2Seq, lr: float) -> torch.optim.Optimizer:
    """The fused Adam kernel (one pass over all parameters) where this torch build has it."""
    try:
        return torch.optim.Adam(model.parameters(), lr=lr, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(model.parameters(), lr=lr)


class TrainingRun:
    """One training run's data, model, optimiser and state, and what can be done to it: a step,
    a validation, a checkpoint. ``train()`` sets it up; ``core.training.loop`` decides when."""

    def __init__(
        self,
        spec: CorpusSpec,
        out_dir: Path,
        model_cfg: ModelConfig,
        tok_cfg: TokenizerConfig,
        cfg: TrainConfig,
        dev_spec: CorpusSpec | None,
        on_event: Callable[[Event], None],
        cancel: CancelToken,
        name: str | None,
    ) -> None:
        self.spec, self.out, self.model_cfg, self.tok_cfg, self.cfg = (
            spec,
            out_dir,
            model_cfg,
            tok_cfg,
            cfg,
        )
        self.dev_spec, self.emit, self.cancel = dev_spec, on_event, cancel
        self.name = name or out_dir.name
        self.state = _State()
        self.src_tok, self.tgt_tok = tokenizers_for(tok_cfg)
        # a probe sentence that cannot be translated is refused now, not at the first validation
        self.user_probes = user_probes(cfg.probe_sentences(), self.src_tok.tokenize)

    # ---- data ----------------------------------------------------------------------------
    def read_data(self) -> None:
        """The tokenized corpus (from the corpus cache, or read once into it); a dev split held
        out unless dev files are given. Nothing here holds a Python object per pair."""
        cfg = self.cfg

        def progress(done: int, total: int) -> None:
            self.emit(ReadingEvent(done, total))

        read = read_corpus(
            self.spec,
            (self.src_tok, self.tgt_tok),
            self.tok_cfg.to_dict(),
            cfg.max_len,
            progress=progress,
            cancel=self.cancel,
        )
        self.store, report, self.fingerprint = read.store, read.report, read.fingerprint
        report_dict = report.to_dict()
        report_dict["summary"] = report.summary()
        if read.cache["reused"]:
            report_dict["summary"] += "\n(Tokenized earlier: taken from the corpus cache.)"
        report_dict["cache"] = read.cache
        n = len(self.store)
        if self.dev_spec is not None:
            dev_pairs, dev_report = load_pairs(
                self.dev_spec,
                self.src_tok.tokenize,
                self.tgt_tok.tokenize,
                None,
                cancel=self.cancel,
            )
            report_dict["dev"] = {**dev_report.to_dict(), "summary": dev_report.summary()}
            self.train_rows, self.dev_rows = None, np.zeros(0, dtype=np.int64)
        else:
            if n < 2:
                raise CoreError(
                    f"{self.spec.describe()}: only {n} usable pair(s); "
                    "at least 2 are needed to hold one out for validation"
                )
            self.train_rows, self.dev_rows = split_rows(n, cfg.dev_fraction, cfg.dev_max, cfg.seed)
            dev_pairs = [self.store.pair_tokens(int(i)) for i in self.dev_rows]
            report_dict["dev"] = {"held_out": len(dev_pairs)}
        self.emit(ReportEvent(report_dict))
        self.dev_pairs = dev_pairs

    def build_vocabs(self) -> None:
        src_counts, tgt_counts = self.store.vocab_counts_except(self.dev_rows)
        self.src_vocab = Vocab.from_counts(src_counts, self.cfg.vocab_size, self.cfg.min_freq)
        self.tgt_vocab = Vocab.from_counts(tgt_counts, self.cfg.vocab_size, self.cfg.min_freq)

    def encode_data(self) -> None:
        """Training pairs drawn from the store when batched (mapped to the vocabularies then)."""
        self.examples = MappedPairs(self.store, self.src_vocab, self.tgt_vocab, self.train_rows)
        self.lengths = self.examples.lengths()  # (n, 2) int32, for length bucketing
        self.dev_examples = [
            (self.src_vocab.encode(s), self.tgt_vocab.encode(t)) for s, t in self.dev_pairs
        ]
        self.dev_refs = [self.tgt_tok.detokenize(t) for _, t in self.dev_pairs]
        self.batches_per_epoch = math.ceil(len(self.examples) / self.cfg.batch_size)
        probes = self.user_probes or dev_probes(
            self.dev_pairs, self.src_tok.detokenize, self.tgt_tok.detokenize
        )
        self.probes = ProbeRecorder(probes, self.src_vocab, self.tgt_vocab, self.tgt_tok.detokenize)

    def write_dev_set(self) -> None:
        """dev.tsv, so the dev set browser can show these very pairs after training."""
        write_dev_set(
            self.out, [self.src_tok.detokenize(s) for s, _ in self.dev_pairs], self.dev_refs
        )

    # ---- model ---------------------------------------------------------------------------
    def build_model(self, device: torch.device) -> None:
        self.device = device
        self.model = build_model(self.model_cfg, len(self.src_vocab), len(self.tgt_vocab)).to(
            device
        )
        self.optimizer = _adam(self.model, self.cfg.learning_rate)
        self.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
            self.optimizer,
            mode="min",
            factor=self.cfg.lr_decay,
            patience=self.cfg.lr_patience,
            min_lr=self.cfg.min_lr,
        )
        self.autocast = self.cfg.precision == "bf16"

    def meta(self, status: str) -> ModelMeta:
        s = self.state
        return ModelMeta(
            name=self.name,
            model=self.model_cfg,
            tokenizer=self.tok_cfg,
            train=self.cfg,
            corpus={
                "description": self.spec.describe(),
                "spec": self.spec.__dict__,
                "dev_spec": None if self.dev_spec is None else self.dev_spec.__dict__,
                "fingerprint": self.fingerprint,
                "train_pairs": len(self.examples),
                "dev_pairs": len(self.dev_examples),
            },
            metrics={
                "best_bleu": s.best_bleu,
                "best_chrf": s.best_chrf,
                "best_step": s.best_step,
                "steps": s.step,
                "epochs": s.epoch,
                "train_time_s": round(s.elapsed_s, 1),
            },
            params=self.model.num_parameters(),
            status=status,
            created=self.created,
        )

    def checkpoint_state(self) -> dict[str, Any]:
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "state": dict(self.state.__dict__),
            "rng": rng_state(),
            "model_config": self.model_cfg.to_dict(),
            "tokenizer_config": self.tok_cfg.to_dict(),
            "train_config": self.cfg.to_dict(),
            "fingerprint": self.fingerprint,
            "vocabs": {"src": list(self.src_vocab.itos), "tgt": list(self.tgt_vocab.itos)},
            "versions": {
                "checkpoint_format": 1,
                "attnscope": __version__,
                "torch": str(torch.__version__),
            },
        }

    def restore(self, ckpt: dict[str, Any]) -> None:
        self.check_compatible(ckpt)
        self.model.load_state_dict(ckpt["model"])
        self.optimizer.load_state_dict(ckpt["optimizer"])
        self.scheduler.load_state_dict(ckpt["scheduler"])
        self.state = _State(**ckpt["state"])
        set_rng_state(ckpt["rng"])

    def check_compatible(self, ckpt: dict[str, Any]) -> None:
        diffs = []
        for label, saved, now in (
            ("model", ckpt["model_config"], self.model_cfg.to_dict()),
            ("tokenizer", ckpt["tokenizer_config"], self.tok_cfg.to_dict()),
        ):
            diffs += [
                f"{label}.{k}: {saved.get(k)!r} → {now.get(k)!r}"
                for k in now
                if saved.get(k) != now.get(k)
            ]
        saved_train = ckpt["train_config"]
        diffs += [
            f"train.{k}: {saved_train.get(k)!r} → {getattr(self.cfg, k)!r}"
            for k in SHAPING_TRAIN_KEYS
            if saved_train.get(k) != getattr(self.cfg, k)
        ]
        if ckpt["fingerprint"] != self.fingerprint:
            diffs.append("corpus: the training files changed since the run started")
        if diffs:
            raise CheckpointError(
                "cannot resume: these settings differ from the saved run:\n  " + "\n  ".join(diffs)
            )

    # ---- training --------------------------------------------------------------------------
    def train_step(self, batch) -> float:
        self.model.train()
        batch = batch.to(self.device)
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.autocast):
            loss, nll = self.model.loss(
                batch.src, batch.src_len, batch.tgt_in, batch.tgt_out, self.cfg.label_smoothing
            )
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.clip_norm)
        self.optimizer.step()
        value = float(nll) / batch.n_tokens
        if not math.isfinite(value):
            raise CoreError(
                f"training diverged at step {self.state.step} (the loss became {value}); "
                "try a lower learning rate"
            )
        return value

    @torch.inference_mode()
    def dev_loss(self) -> float:
        self.model.eval()
        total, tokens = 0.0, 0
        for idx in sorted_batches([len(s) for s, _ in self.dev_examples], 64):
            b = collate(self.dev_examples, idx).to(self.device)
            with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.autocast):
                _, nll = self.model.loss(b.src, b.src_len, b.tgt_in, b.tgt_out)
            total += float(nll)
            tokens += b.n_tokens
        return total / max(1, tokens)

    def translate_dev(self) -> list[str]:
        hyps: list[str] = [""] * len(self.dev_examples)
        for idx in sorted_batches([len(s) for s, _ in self.dev_examples], 64):
            self.cancel.raise_if_cancelled()
            b = collate(self.dev_examples, idx).to(self.device)
            with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.autocast):
                out = greedy(self.model, b.src, b.src_len)
            for i, h in zip(idx, out):
                hyps[i] = self.tgt_tok.detokenize(self.tgt_vocab.decode(h.ids))
        return hyps

    def validate(self, step_scheduler: bool = True) -> ValidationEvent:
        """Dev loss, BLEU/chrF, samples and the probes' attention (the first one for the live
        view, all of them into probes.jsonl); saves weights.pt when best."""
        s = self.state
        loss = self.dev_loss()
        hyps = self.translate_dev()
        scores = score(hyps, self.dev_refs)
        improved = s.best_bleu is None or scores.bleu > s.best_bleu
        if improved:
            s.best_bleu, s.best_chrf, s.best_step, s.bad_validations = (
                scores.bleu,
                scores.chrf,
                s.step,
                0,
            )
            write_weights(self.out, self.model)
        else:
            s.bad_validations += 1
        if step_scheduler:
            self.scheduler.step(loss)
        s.last_validated_step = s.step
        samples = [
            {
                "source": self.src_tok.detokenize(self.dev_pairs[i][0]),
                "reference": self.dev_refs[i],
                "hypothesis": hyps[i],
            }
            for i in range(min(self.cfg.num_samples, len(hyps)))
        ]
        probe_records, probe = self.probes.record(self.model, self.device)
        event = ValidationEvent(
            step=s.step,
            epoch=s.epoch,
            loss=loss,
            bleu=scores.bleu,
            chrf=scores.chrf,
            is_best=improved,
            samples=samples,
            probe=probe,
            bleu_signature=scores.bleu_signature,
        )
        append_history(
            self.out,
            {
                "type": "validation",
                "step": s.step,
                "epoch": s.epoch,
                "loss": loss,
                "bleu": scores.bleu,
                "chrf": scores.chrf,
                "lr": self.optimizer.param_groups[0]["lr"],
            },
        )
        if probe_records:
            append_snapshot(self.out, s.step, s.epoch, scores.bleu, scores.chrf, probe_records)
        return event

    def save(self, store: CheckpointStore, is_best: bool, status: str = "training") -> None:
        s = self.state
        path = store.save(
            self.checkpoint_state(),
            s.step,
            is_best=is_best,
            metrics={"bleu": s.best_bleu, "step": s.step},
        )
        write_meta(self.out, self.meta(status))
        self.emit(CheckpointEvent(step=s.step, path=str(path), kind="best" if is_best else "last"))


def train(
    spec: CorpusSpec,
    out_dir: str | Path,
    model_cfg: ModelConfig,
    tok_cfg: TokenizerConfig,
    train_cfg: TrainConfig,
    dev_spec: CorpusSpec | None = None,
    on_event: Callable[[Event], None] | None = None,
    cancel: CancelToken | None = None,
    resume: bool = False,
    name: str | None = None,
    leave_one_core: bool = False,
) -> DoneEvent:
    """Train a model into ``out_dir`` (a model folder) and return how the run ended.

    Raises a ``CoreError`` subclass for anything the user must fix (bad corpus, bad settings,
    incompatible resume). Cancelling through ``cancel`` saves a checkpoint and returns normally.
    """
    for c in (model_cfg, tok_cfg, train_cfg):
        c.validate()
    spec.validate()
    cancel = cancel or CancelToken()
    emit = on_event or (lambda e: None)
    out = Path(out_dir)
    _device.set_threads(train_cfg.num_threads, leave_one=leave_one_core)
    device = _device.resolve(train_cfg.device)
    seed_everything(train_cfg.seed)
    run = TrainingRun(spec, out, model_cfg, tok_cfg, train_cfg, dev_spec, emit, cancel, name)
    if resume and not (out / CHECKPOINTS).is_dir():
        raise CheckpointError(f"nothing to resume in {out}: it holds no training checkpoints")
    if not resume and out.exists() and any(out.iterdir()):
        raise CoreError(
            f"{out} already exists and is not empty; choose a new folder, "
            "or resume the run that is in it"
        )
    if resume:
        clean_stray_temporaries(out)  # weights.pt/model.json/vocab writes torn by a crash
    run.read_data()
    store = CheckpointStore(out / CHECKPOINTS, keep_last=train_cfg.keep_last)
    if resume:
        if not store.has_checkpoint():
            raise CheckpointError(f"nothing to resume in {out}: it holds no training checkpoint")
        run.src_vocab, run.tgt_vocab = read_vocabs(out)
        run.created = read_meta(out).created
        run.encode_data()
        run.build_model(device)
        ckpt, note = store.load_last()
        if note:
            log.warning(note)
            emit(NoticeEvent(note))
        run.restore(ckpt)
        dropped = forget_after(out, run.state.step)  # validations after the checkpoint come again
        if dropped:
            log.info(
                "probe timeline: dropped %d snapshot(s) after step %d", dropped, run.state.step
            )
        if not (out / DEV_TSV).is_file():
            run.write_dev_set()  # a run started before dev.tsv existed
    else:
        run.build_vocabs()
        run.encode_data()
        run.build_model(device)
        run.created = ModelMeta(
            name="", model=model_cfg, tokenizer=tok_cfg, train=train_cfg
        ).created
        write_vocabs(out, run.src_vocab, run.tgt_vocab)
        run.write_dev_set()
        write_meta(out, run.meta("training"))
    return run_loop(run, store)


__all__ = ["train", "Cancelled"]
