"""Which weights of a model folder to translate with: its best weights or one kept checkpoint.

Why this module exists: comparing two models (or a model with an earlier checkpoint of itself)
needs a name for "these weights", a list of what a folder offers, and a way to build a
``Translator`` from a checkpoint without resuming training. Listing reads only JSON and file
names (no torch), so the app may call it on its GUI thread; loading imports torch and belongs on
the worker thread.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import CheckpointError
from core.storage.manifest import MANIFEST_NAME, read_manifest
from core.storage.model_folder import CHECKPOINTS, WEIGHTS, read_history, read_meta, read_vocabs

if TYPE_CHECKING:
    from core.decoding.translator import Translator

BEST_LABEL = "best weights"


@dataclass(frozen=True)
class ModelSource:
    """One set of weights: ``step=None`` is the folder's best weights (``weights.pt``)."""

    label: str = field(compare=False)
    model_dir: str
    step: int | None = None
    bleu: float | None = field(default=None, compare=False)  # dev BLEU at that step, if known

    @classmethod
    def best(cls, model_dir: str | Path) -> ModelSource:
        return cls(BEST_LABEL, str(model_dir), None)

    @classmethod
    def checkpoint(cls, model_dir: str | Path, step: int, bleu: float | None = None) -> ModelSource:
        return cls(f"step {step}", str(model_dir), step, bleu)

    @property
    def is_best(self) -> bool:
        return self.step is None


def _manifest_entries(folder: Path) -> list[dict[str, Any]]:
    """The checkpoints ``manifest.json`` lists (rebuilt from the file names when it is missing or
    damaged) whose files exist, oldest first; a manifest from a newer Attnscope is refused."""
    manifest, _ = read_manifest(folder)
    entries = [e for e in manifest["checkpoints"] if (folder / e["file"]).is_file()]
    return sorted(entries, key=lambda e: e["step"])


def _validation_bleu(folder: Path) -> dict[int, float]:
    """Dev BLEU of each validated step from history.jsonl (the manifest records only the best
    BLEU so far, which would make every later checkpoint look as good as the best)."""
    out: dict[int, float] = {}
    for rec in read_history(folder):
        step, bleu = rec.get("step"), rec.get("bleu")
        if (
            rec.get("type") == "validation"
            and isinstance(step, int)
            and isinstance(bleu, (int, float))
            and not isinstance(bleu, bool)
        ):
            out[step] = float(bleu)  # a later record (a resumed run) wins
    return out


def list_sources(model_dir: str | Path) -> list[ModelSource]:
    """The folder's best weights (when it has them), then each kept checkpoint, oldest first."""
    folder = Path(model_dir)
    meta = read_meta(folder)  # a clear CheckpointError for a folder that is no model
    out: list[ModelSource] = []
    if (folder / WEIGHTS).is_file():
        best = meta.metrics.get("best_bleu")
        best = (
            float(best) if isinstance(best, (int, float)) and not isinstance(best, bool) else None
        )
        out.append(ModelSource(BEST_LABEL, str(folder), None, best))
    ckpt_dir = folder / CHECKPOINTS
    if ckpt_dir.is_dir():
        bleu = _validation_bleu(folder)
        out += [
            ModelSource.checkpoint(folder, e["step"], bleu.get(e["step"]))
            for e in _manifest_entries(ckpt_dir)
        ]
    return out


def describe(source: ModelSource) -> str:
    """``name (label)`` for messages, read from model.json when it can be."""
    try:
        name = read_meta(source.model_dir).name
    except CheckpointError:
        name = Path(source.model_dir).name
    return f"{name} ({source.label})"


# ------------------------------------------------------------------ loading (imports torch)


def _checkpoint_file(source: ModelSource) -> tuple[Path, str | None]:
    folder = Path(source.model_dir) / CHECKPOINTS
    for e in _manifest_entries(folder) if folder.is_dir() else []:
        if e["step"] == source.step:
            return folder / e["file"], e["sha256"]
    raise CheckpointError(
        f"{source.model_dir} has no checkpoint for step {source.step} "
        f"(it may have been replaced by a newer one); choose another"
    )


def _model_parts(state: dict, folder: Path, path: Path):
    """The checkpoint's own settings and vocabularies (the weights belong to them), else the
    folder's: a checkpoint written before the vocabulary files still loads."""
    from core.config import ModelConfig, TokenizerConfig
    from core.data.vocab import Vocab
    from core.errors import ConfigError

    meta = read_meta(folder)
    try:
        vocabs = state.get("vocabs")
        if isinstance(vocabs, dict) and "src" in vocabs and "tgt" in vocabs:
            src_vocab, tgt_vocab = Vocab(vocabs["src"]), Vocab(vocabs["tgt"])
        else:
            src_vocab, tgt_vocab = read_vocabs(folder)
        model_cfg = (
            ModelConfig.from_dict(state["model_config"])
            if isinstance(state.get("model_config"), dict)
            else meta.model
        )
        tok_cfg = (
            TokenizerConfig.from_dict(state["tokenizer_config"])
            if isinstance(state.get("tokenizer_config"), dict)
            else meta.tokenizer
        )
    except (CheckpointError, ConfigError, TypeError) as exc:
        raise CheckpointError(f"{path} is damaged: {exc}") from exc
    meta = dataclasses.replace(meta, model=model_cfg, tokenizer=tok_cfg)
    return meta, src_vocab, tgt_vocab


def _checkpoint_tokenizers(state: dict, folder: Path, meta, path: Path):
    """The checkpoint's own sentencepiece models (its vocabularies are made of their pieces),
    else the folder's; a word model's Moses tokenizers."""
    from core.data.tokenizer import tokenizers_for
    from core.errors import CoreError
    from core.storage.model_folder import read_tokenizers

    models = state.get("subword_models")
    if not meta.tokenizer.subwords:
        return tokenizers_for(meta.tokenizer)
    if not isinstance(models, dict):
        return read_tokenizers(folder, meta)
    try:
        return tokenizers_for(meta.tokenizer, (models["src"], models["tgt"]))
    except (CoreError, KeyError, TypeError) as exc:
        raise CheckpointError(f"{path} is damaged: its subword models: {exc}") from exc


def _check_shapes(weights: dict, skeleton_state: dict, path: Path) -> None:
    """Compare shapes before allocating: a crafted size must not allocate gigabytes first."""
    from core.storage.model_folder import shape_mismatch

    mismatch = shape_mismatch(weights, skeleton_state, "the checkpoint", "the settings")
    if mismatch:
        raise CheckpointError(f"{path} does not match its model settings: {mismatch}")


def _load_checkpoint(source: ModelSource, device: str) -> Translator:
    from core import device as _device
    from core.decoding.translator import Translator
    from core.model.build import build_model
    from core.model.skeleton import build_skeleton
    from core.storage.atomic_io import sha256_file
    from core.storage.torch_io import safe_torch_load

    folder = Path(source.model_dir)
    path, sha = _checkpoint_file(source)
    if sha is not None and sha256_file(path) != sha:
        raise CheckpointError(
            f"{path} is damaged: its contents do not match the checksum "
            f"recorded in {MANIFEST_NAME} (a partial copy or a disk error)"
        )
    state = safe_torch_load(path)  # weights_only=True; failures already name the file
    weights = state.get("model") if isinstance(state, dict) else None
    if not isinstance(weights, dict):
        raise CheckpointError(f"{path} is damaged: it holds no model weights")
    meta, src_vocab, tgt_vocab = _model_parts(state, folder, path)
    tokenizers = _checkpoint_tokenizers(state, folder, meta, path)
    skeleton = build_skeleton(meta.model, len(src_vocab), len(tgt_vocab))
    _check_shapes(weights, skeleton.state_dict(), path)
    model = build_model(meta.model, len(src_vocab), len(tgt_vocab))
    try:
        model.load_state_dict(weights)
    except RuntimeError as exc:
        raise CheckpointError(f"{path} does not fit its model: {str(exc).splitlines()[0]}") from exc
    dev = _device.resolve(device)
    model.to(dev).eval()
    return Translator(model, src_vocab, tgt_vocab, meta, dev, folder, tokenizers)


def load_translator(source: ModelSource, device: str = "auto") -> Translator:
    """A Translator for ``source``; only tensors are ever unpickled (weights_only loading)."""
    if source.step is None:
        from core.decoding.translator import Translator

        return Translator.load(source.model_dir, device=device)
    return _load_checkpoint(source, device)


def _stamp(source: ModelSource) -> tuple:
    """What changes when the weights file is rewritten (training resumed, model replaced)."""
    folder = Path(source.model_dir)
    try:
        path = folder / WEIGHTS if source.step is None else _checkpoint_file(source)[0]
        st = path.stat()
        return (str(path), st.st_mtime_ns, st.st_size)
    except (OSError, CheckpointError):
        return ("missing",)


class TranslatorCache:
    """The last few loaded translators, so comparing a new sentence does not reload weights.

    Keys include the weights file's modification time and size, so a model retrained in place
    is reloaded. Not thread-safe: only the app's worker thread (or one script) uses it.
    """

    def __init__(self, capacity: int = 3, device: str = "auto") -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self.device = device
        self._items: OrderedDict[tuple, Translator] = OrderedDict()
        self.loads = 0  # how many times weights were read (tests, logs)

    def _key(self, source: ModelSource) -> tuple:
        return (str(Path(source.model_dir).resolve()), source.step, _stamp(source))

    def get(self, source: ModelSource) -> Translator:
        key = self._key(source)
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        translator = load_translator(source, self.device)
        self.loads += 1
        self._items[key] = translator
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return translator

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()
