"""A model is a self-contained folder; translating needs nothing outside it.

    model.json         format version, configs, corpus description and fingerprint, metrics
    subwords.src.model, subwords.tgt.model   sentencepiece models (protobuf) of a subword model
    vocab.src.json     source vocabulary (a JSON list, specials first) vocab.tgt.json     target
    vocabulary weights.pt         the best weights: tensors only, loaded with weights_only=True
    history.jsonl      validation results and progress summaries, one JSON object per line
    probes.jsonl       the probe sentences' attention at every validation
    (core.inspection.probe_timeline) dev.tsv            the dev pairs, source TAB reference
    (core.evaluation.dev_set), for the dev browser checkpoints/       resumable training state (see
    core.storage.checkpoints.CheckpointStore) events.jsonl       every event of the run, for
    the app to follow it (core.training.event_log; rotated to events.1.jsonl) STOP
    a stop request for the run (core.training.stop_request)

Every file is written atomically, so a crash leaves either the old file or the new one.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core import __version__
from core.config import ModelConfig, TokenizerConfig, TrainConfig
from core.data.vocab import Vocab
from core.errors import CheckpointError, ConfigError
from core.storage.atomic_io import atomic_write_bytes, atomic_write_json, atomic_write_text
from core.storage.manifest import checkpoint_files

if TYPE_CHECKING:  # torch (1-3 s to import) only where weights are read or written: the app's
    import torch  # model list reads model.json on the GUI thread and must not pay for it

    from core.model.seq2seq import Seq2Seq


def shape_mismatch(
    found_state: dict, wanted_state: dict, found_in: str, wanted_in: str
) -> str | None:
    """How a file's tensors differ from the shapes the settings imply (None when they match);
    checked before allocating, so a crafted size cannot allocate gigabytes first."""
    import torch

    wanted = {k: tuple(v.shape) for k, v in wanted_state.items()}
    found = {k: tuple(v.shape) for k, v in found_state.items() if isinstance(v, torch.Tensor)}
    if wanted == found:
        return None
    bad = sorted(set(wanted) ^ set(found)) or [k for k in wanted if wanted[k] != found[k]]
    k = bad[0]
    return (
        f"{k} is {found.get(k, 'missing')} in {found_in} but {wanted.get(k, 'absent')} in "
        f"{wanted_in}" + (f" (and {len(bad) - 1} more)" if len(bad) > 1 else "")
    )


FORMAT_VERSION = 2  # 2: subword models (tokenizer.tokenization, subwords.*.model); 1 is read
MODEL_JSON = "model.json"
WEIGHTS = "weights.pt"
SRC_VOCAB = "vocab.src.json"
TGT_VOCAB = "vocab.tgt.json"
SRC_SUBWORDS = "subwords.src.model"  # sentencepiece protobuf (a subword model only)
TGT_SUBWORDS = "subwords.tgt.model"
HISTORY = "history.jsonl"
CHECKPOINTS = "checkpoints"


@dataclass
class ModelMeta:
    """Everything in model.json."""

    name: str
    model: ModelConfig
    tokenizer: TokenizerConfig
    train: TrainConfig
    corpus: dict[str, Any] = field(default_factory=dict)  # description, fingerprint, pair counts
    metrics: dict[str, Any] = field(default_factory=dict)  # best_bleu, best_chrf, best_step, …
    params: int = 0
    status: str = "training"  # training, finished, cancelled, …
    created: str = field(
        default_factory=lambda: _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    )
    app_version: str = __version__
    format_version: int = FORMAT_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "app_version": self.app_version,
            "name": self.name,
            "created": self.created,
            "status": self.status,
            "model": self.model.to_dict(),
            "tokenizer": self.tokenizer.to_dict(),
            "train": self.train.to_dict(),
            "corpus": self.corpus,
            "metrics": self.metrics,
            "params": self.params,
        }

    def train_for_resume(self, extra_time_s: float | None = None) -> TrainConfig:
        """The training settings to continue this run with.

        A time budget counts the whole run, so continuing a run that used up its budget means
        granting more: ``extra_time_s`` seconds from now (by default its old budget again).
        """
        cfg = self.train
        spent = float(self.metrics.get("train_time_s") or 0.0)
        if extra_time_s is not None:
            return cfg.replace(time_budget_s=spent + extra_time_s)
        if self.status == "time_budget" and cfg.time_budget_s:
            return cfg.replace(time_budget_s=spent + cfg.time_budget_s)
        return cfg

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: Path) -> ModelMeta:
        try:
            version = int(data.get("format_version", 0))
            if version > FORMAT_VERSION:
                raise CheckpointError(
                    f"{where} was written by a newer Attnscope (format {version}); "
                    "update Attnscope to open it"
                )
            return cls(
                name=str(data["name"]),
                model=ModelConfig.from_dict(data["model"]),
                tokenizer=TokenizerConfig.from_dict(data["tokenizer"]),
                train=TrainConfig.from_dict(data.get("train", {})),
                corpus=dict(data.get("corpus", {})),
                metrics=dict(data.get("metrics", {})),
                params=int(data.get("params", 0)),
                status=str(data.get("status", "")),
                created=str(data.get("created", "")),
                app_version=str(data.get("app_version", "")),
                format_version=version,
            )
        except (KeyError, TypeError, ValueError, ConfigError) as exc:
            raise CheckpointError(
                f"{where} is not a valid Attnscope model description: {exc}"
            ) from exc


def write_meta(folder: Path, meta: ModelMeta) -> None:
    atomic_write_json(folder / MODEL_JSON, meta.to_dict())


def read_meta(folder: str | Path) -> ModelMeta:
    folder = Path(folder)
    path = folder / MODEL_JSON
    if not folder.is_dir():
        raise CheckpointError(
            f"{folder} is not a model folder (it does not exist or is not a folder)"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CheckpointError(f"{folder} is not a model folder: it has no {MODEL_JSON}") from None
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise CheckpointError(f"{path} does not hold a JSON object")
    return ModelMeta.from_dict(data, path)


def has_checkpoint(folder: str | Path) -> bool:
    """Whether the model folder holds resumable training state, without importing torch (the app
    asks this on its GUI thread whenever a model is selected)."""
    return bool(checkpoint_files(Path(folder) / CHECKPOINTS))


def write_vocabs(folder: Path, src: Vocab, tgt: Vocab) -> None:
    atomic_write_text(folder / SRC_VOCAB, src.to_json())
    atomic_write_text(folder / TGT_VOCAB, tgt.to_json())


def read_vocabs(folder: Path) -> tuple[Vocab, Vocab]:
    for name in (SRC_VOCAB, TGT_VOCAB):
        if not (folder / name).is_file():
            raise CheckpointError(f"{folder} is incomplete: {name} is missing")
    return Vocab.load(folder / SRC_VOCAB), Vocab.load(folder / TGT_VOCAB)


def write_subword_models(folder: Path, protos: tuple[bytes, bytes]) -> None:
    """The source and target sentencepiece models (the same bytes twice for a joint one)."""
    atomic_write_bytes(folder / SRC_SUBWORDS, protos[0])
    atomic_write_bytes(folder / TGT_SUBWORDS, protos[1])


def read_subword_models(folder: Path) -> tuple[bytes, bytes]:
    out = []
    for name in (SRC_SUBWORDS, TGT_SUBWORDS):
        try:
            out.append((Path(folder) / name).read_bytes())
        except FileNotFoundError:
            raise CheckpointError(
                f"{folder} is incomplete: {name} (its subword model) is missing"
            ) from None
        except OSError as exc:
            raise CheckpointError(f"cannot read {Path(folder) / name}: {exc}") from exc
    return out[0], out[1]


def read_tokenizers(folder: str | Path, meta: ModelMeta | None = None) -> tuple[Any, Any]:
    """The (source, target) tokenizers of a model folder: Moses words for a word model (every
    format-1 folder), its sentencepiece models for a subword one."""
    from core.data.tokenizer import tokenizers_for

    folder = Path(folder)
    meta = meta or read_meta(folder)
    protos = read_subword_models(folder) if meta.tokenizer.subwords else None
    try:
        return tokenizers_for(meta.tokenizer, protos)
    except CheckpointError as exc:
        raise CheckpointError(f"{folder}: {exc}") from None


def write_weights(folder: Path, model: Seq2Seq) -> None:
    from core.storage.torch_io import atomic_torch_save

    state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
    atomic_torch_save(state, folder / WEIGHTS)


def append_history(folder: Path, record: dict[str, Any]) -> None:
    """History is advisory (curves when a model is reopened); a line lost in a crash is harmless."""
    with open(folder / HISTORY, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


def read_history(folder: str | Path) -> list[dict[str, Any]]:
    path = Path(folder) / HISTORY
    out: list[dict[str, Any]] = []
    if not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue  # a torn last line after a crash
    return out


def read_model(
    folder: str | Path, device: torch.device | str = "cpu"
) -> tuple[Seq2Seq, Vocab, Vocab, ModelMeta]:
    """Rebuild the model from its folder. Never unpickles anything but tensors."""
    from core.model.build import build_model
    from core.model.skeleton import build_skeleton
    from core.storage.torch_io import safe_torch_load

    folder = Path(folder)
    meta = read_meta(folder)
    src_vocab, tgt_vocab = read_vocabs(folder)
    if not (folder / WEIGHTS).is_file():
        raise CheckpointError(
            f"{folder} has no trained weights yet ({WEIGHTS} is missing): "
            "training has not reached its first validation"
        )
    state = safe_torch_load(folder / WEIGHTS)
    if not isinstance(state, dict):
        raise CheckpointError(f"{folder / WEIGHTS} does not hold model weights")
    # compare the shapes model.json implies with the file before allocating anything: a crafted
    # (or mistyped) size would otherwise allocate gigabytes before load_state_dict objects
    skeleton = build_skeleton(meta.model, len(src_vocab), len(tgt_vocab))
    mismatch = shape_mismatch(state, skeleton.state_dict(), WEIGHTS, MODEL_JSON)
    if mismatch:
        raise CheckpointError(f"{folder / WEIGHTS} does not match {MODEL_JSON}: {mismatch}")
    model = build_model(meta.model, len(src_vocab), len(tgt_vocab))
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        raise CheckpointError(
            f"{folder / WEIGHTS} does not match {MODEL_JSON}: {str(exc).splitlines()[0]}"
        ) from exc
    model.to(device).eval()
    return model, src_vocab, tgt_vocab, meta
