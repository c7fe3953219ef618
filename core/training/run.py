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

import torch

from core import __version__, native
from core import device as _device
from core.cancel import CancelToken
from core.config import ModelConfig, TokenizerConfig, TrainConfig
from core.data.corpus import CorpusSpec
from core.data.mapped_pairs import MappedPairs
from core.data.tokenizer import tokenizers_for
from core.errors import Cancelled, CheckpointError, CoreError
from core.evaluation.dev_set import write_dev_set
from core.events import (
    CheckpointEvent,
    DoneEvent,
    Event,
    NoticeEvent,
    ReportEvent,
)
from core.model.build import build_model
from core.paths import AppPaths
from core.storage.checkpoints import CheckpointStore
from core.storage.model_folder import (
    CHECKPOINTS,
    ModelMeta,
    write_meta,
)
from core.training.distributed import World, flatten_rnns
from core.training.loop import run_loop
from core.training.precision import PrecisionCache, check_precision, choose_precision
from core.training.precision_probe import step_shape, time_run_formats
from core.training.probe_recorder import ProbeRecorder, dev_probes, user_probes
from core.training.restart import begin_new, begin_resumed, continue_epoch, start_or_resume
from core.training.rng_state import rng_state, seed_everything, set_rng_state
from core.training.run_data import read_run_data
from core.training.schedule import make_optimizer, make_schedule
from core.training.tokenizer_setup import RunTokenizers
from core.training.tokenizer_setup import setup as setup_tokenizers
from core.training.watch import watched_run

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
        world: World | None = None,
    ) -> None:
        self.world = world or World()
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
        self.cache_dir = AppPaths.default().cache  # where the precision verdicts are kept
        self.toks: RunTokenizers | None = None
        if not tok_cfg.subwords:  # a subword run checks its probes once its model is trained
            self.setup_tokenizers(resume=False)

    # ---- data ----------------------------------------------------------------------------
    def setup_tokenizers(self, resume: bool) -> None:
        """The run's tokenizers (for subwords: trained on the corpus, or read back on resume)
        and its settled vocabulary size; a probe sentence that cannot be translated is refused
        now, not at the first validation."""

        def make() -> RunTokenizers:
            return setup_tokenizers(
                self.spec,
                self.tok_cfg,
                self.cfg,
                self.out,
                resume,
                self.emit,
                self.cancel,
                torch.get_num_threads(),
            )

        if self.world.active and self.tok_cfg.subwords:
            # rank 0 trains (or reads) the subword models; every rank tokenizes with those bytes
            def trained_on_main() -> tuple[Any, int]:
                toks = make()
                return toks.subword_models, toks.vocab_size

            protos, size = self.world.from_main(trained_on_main)
            self.toks = RunTokenizers(*tokenizers_for(self.tok_cfg, protos), size, protos)
        else:
            self.toks = make()
        self.src_tok, self.tgt_tok = self.toks.src, self.toks.tgt
        if self.cfg.vocab_size != self.toks.vocab_size:
            self.cfg = self.cfg.replace(vocab_size=self.toks.vocab_size)
        self.user_probes = user_probes(self.cfg.probe_sentences(), self.src_tok.tokenize)

    def read_data(self, resume: bool = False) -> None:
        """The tokenized corpus (mapped from the corpus cache, or read once into it) and the dev
        set (see ``core.training.run_data``). Nothing here holds a Python object per pair."""
        if self.toks is None:
            self.setup_tokenizers(resume)
        data = read_run_data(
            self.spec,
            self.dev_spec,
            self.toks,
            self.tok_cfg,
            self.cfg,
            self.emit,
            self.cancel,
            self.world,
            torch.get_num_threads(),
        )
        self.store, self.fingerprint = data.store, data.fingerprint
        self.train_rows, self.dev_rows, self.dev_pairs = (
            data.train_rows,
            data.dev_rows,
            data.dev_pairs,
        )
        self.report = data.report  # sent by emit_report, once the device and precision are known

    def build_vocabs(self) -> None:
        counts = self.store.vocab_counts_except(self.dev_rows)
        # one embedding for both sides (share_embeddings) needs one joint vocabulary
        joint = self.model_cfg.share_embeddings
        self.src_vocab, self.tgt_vocab = self.toks.vocabs(counts, self.cfg, joint=joint)

    def encode_data(self) -> None:
        """Training pairs drawn from the store when batched (mapped to the vocabularies then)."""
        self.examples = MappedPairs(self.store, self.src_vocab, self.tgt_vocab, self.train_rows)
        self.lengths = self.examples.lengths()  # (n, 2) int32, for length bucketing
        self.dev_examples = [
            (self.src_vocab.encode(s), self.tgt_vocab.encode(t)) for s, t in self.dev_pairs
        ]
        self.dev_refs = [self.tgt_tok.detokenize(t) for _, t in self.dev_pairs]
        self.batches_per_epoch = math.ceil(
            len(self.examples) / (self.cfg.batch_size * self.world.world_size)
        )
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
        # Adam with the schedule of the model family (GRU: plateau; Transformer: warm-up)
        self.optimizer = make_optimizer(self.model, self.model_cfg, self.cfg.learning_rate)
        self.scheduler = make_schedule(self.optimizer, self.model_cfg, self.cfg)
        self.step_loss = self.model.loss
        self.src_multiple = getattr(self.model, "SOURCE_WIDTH_MULTIPLE", 1)  # batch source widths
        # every rank trains in the format rank 0 chose (ranks timing on their own could differ)
        self.precision = self.world.from_main(
            lambda: choose_precision(
                self.cfg.precision,
                device,
                lambda: time_run_formats(self),
                PrecisionCache(self.cache_dir),
                step_shape(self),
            )
        )
        self.amp_dtype = self.precision.amp_dtype
        fp16 = self.precision.precision == "fp16"
        self.scaler = torch.amp.GradScaler(device.type) if fp16 else None

    def emit_report(self) -> None:
        """The corpus report, with the device and the number format the run trains in."""
        line = f"training on {self.device.type} in {self.precision.describe()}"
        report = {**self.report, "device": str(self.device), "precision": self.precision.to_dict()}
        if self.device.type == "cpu":  # whether the step runs the compiled kernels (core.native)
            compiled = native.available()
            report["kernels"] = {"compiled": compiled, "why_not": native.unavailable_reason()}
            line += (
                ", compiled kernels"
                if compiled
                else f", no compiled kernels ({native.unavailable_reason()})"
            )
        report["summary"] = f"{report.get('summary', '')}\n{line}".strip()
        self.emit(ReportEvent(report))

    def distribute(self) -> None:
        """Wrap the model for DistributedDataParallel (several ranks) once its weights are final
        (fresh or restored); each rank then draws its own dropout masks, from the seed, its rank
        and the step, so a resumed run with the same ranks draws the same ones again."""
        world = self.world
        if not world.active:
            return
        torch.manual_seed(self.cfg.seed + 7919 * world.rank + 104729 * self.state.step)
        self.step_loss = world.wrap(self.model)

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
            **({"scaler": self.scaler.state_dict()} if self.scaler is not None else {}),
            "state": {
                **self.state.__dict__,
                "extra": {**self.state.extra, "world_size": self.world.world_size},
            },
            "rng": rng_state(),
            "model_config": self.model_cfg.to_dict(),
            "tokenizer_config": self.tok_cfg.to_dict(),
            "train_config": self.cfg.to_dict(),
            "fingerprint": self.fingerprint,
            "vocabs": {"src": list(self.src_vocab.itos), "tgt": list(self.tgt_vocab.itos)},
            "subword_models": self.subword_models_state(),
            "versions": {
                "checkpoint_format": 1,
                "attnscope": __version__,
                "torch": str(torch.__version__),
            },
        }

    def subword_models_state(self) -> dict[str, bytes] | None:
        """The sentencepiece models (protobuf bytes) a checkpoint carries with its vocabularies."""
        protos = self.toks.subword_models if self.toks is not None else None
        return None if protos is None else {"src": protos[0], "tgt": protos[1]}

    def restore(self, ckpt: dict[str, Any]) -> None:
        self.check_compatible(ckpt)
        self.model.load_state_dict(ckpt["model"])
        self.optimizer.load_state_dict(ckpt["optimizer"])
        self.scheduler.load_state_dict(ckpt["scheduler"])
        if self.scaler is not None and "scaler" in ckpt:
            self.scaler.load_state_dict(ckpt["scaler"])
        self.state = _State(**ckpt["state"])
        set_rng_state(ckpt["rng"])
        flatten_rnns(self.model)
        note = continue_epoch(self.state, int(self.state.extra.get("world_size", 1)), self)
        if note:
            log.warning(note)
            self.emit(NoticeEvent(note))

    def check_compatible(self, ckpt: dict[str, Any]) -> None:
        diffs = []
        # through from_dict, so a checkpoint written before a field existed reads with its default
        # (an old GRU checkpoint has no "arch": it is a GRU)
        for label, saved, now in (
            ("model", _with_defaults(ckpt["model_config"]), self.model_cfg.to_dict()),
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
    def autocast(self) -> torch.autocast:
        dtype = self.amp_dtype or torch.bfloat16
        return torch.autocast(self.device.type, dtype=dtype, enabled=self.amp_dtype is not None)

    def train_step(self, batch, total_tokens: int | None = None) -> float:
        """One update on ``batch``; with several ranks, ``total_tokens`` is the step's target
        tokens over all of them. Returns the step's loss per target token (over all ranks)."""
        self.model.train()
        batch = batch.to(self.device)
        with self.autocast():
            loss, nll = self.step_loss(
                batch.src, batch.src_len, batch.tgt_in, batch.tgt_out, self.cfg.label_smoothing
            )
        ranks = self.world.world_size
        if ranks > 1 and total_tokens:
            # DDP averages the ranks' gradients; weighting each rank's per-token mean by its
            # share of the step's tokens makes that average the gradient of the mean over all
            # the step's tokens: the update one process makes on the whole global batch
            loss = loss * (batch.n_tokens * ranks / total_tokens)
        self.optimizer.zero_grad(set_to_none=True)
        self.scheduler.before_update(self.state.step + 1)
        if self.scaler is None:
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.clip_norm)
            self.optimizer.step()
        else:  # fp16: scale the loss so small gradients survive, unscale before clipping
            self.scaler.scale(loss).backward()
            self.scaler.unscale_(self.optimizer)
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.clip_norm)
            self.scaler.step(self.optimizer)
            self.scaler.update()
        if ranks > 1:
            value = self.world.sum(float(nll)) / max(1, total_tokens or batch.n_tokens)
        else:
            value = float(nll) / batch.n_tokens
        if not math.isfinite(value):
            raise CoreError(
                f"training diverged at step {self.state.step} (the loss became {value}); "
                "try a lower learning rate"
            )
        return value

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


def _with_defaults(saved: dict[str, Any]) -> dict[str, Any]:
    """A saved model config with the fields it predates filled in (as model.json reads)."""
    try:
        return ModelConfig.from_dict(saved).to_dict()
    except CoreError:
        return saved  # unreadable: the comparison names the differences


@watched_run
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
    world: World | None = None,
) -> DoneEvent:
    """Train a model into ``out_dir`` (a model folder) and return how the run ended.

    Raises a ``CoreError`` subclass for anything the user must fix (bad corpus, bad settings,
    incompatible resume). Cancelling through ``cancel`` saves a checkpoint and returns normally.
    With a ``world`` of several ranks (torchrun), this is one rank's part: rank 0 alone writes
    the folder and reports events; the vocabularies and any checkpoint come from rank 0.
    """
    for c in (model_cfg, tok_cfg, train_cfg):
        c.validate()
    spec.validate()
    world = world or World()
    cancel = cancel or CancelToken()
    emit = (on_event if world.is_main else None) or (lambda e: None)
    out = Path(out_dir)
    _device.set_threads(train_cfg.num_threads, leave_one=leave_one_core)
    _device.bound_kernel_caches()
    _device.bound_heap()
    device = world.device if world.active else _device.resolve(train_cfg.device)
    _device.shape_stable_attention(device)
    check_precision(train_cfg.precision, device)
    seed_everything(train_cfg.seed)
    run = TrainingRun(spec, out, model_cfg, tok_cfg, train_cfg, dev_spec, emit, cancel, name, world)
    asked_resume = resume
    resume = world.from_main(lambda: start_or_resume(out, asked_resume, world.active))
    run.read_data(resume)  # ranks whose corpus differs from rank 0's are refused there
    store = (
        CheckpointStore(out / CHECKPOINTS, keep_last=train_cfg.keep_last) if world.is_main else None
    )
    if resume:
        begin_resumed(run, store, device)
    else:
        begin_new(run, device)
    run.distribute()
    return run_loop(run, store)


__all__ = ["train", "Cancelled"]
