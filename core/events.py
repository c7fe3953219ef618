"""Plain records that cross from the engine to its front ends (CLI, GUI threads, JSON lines).

Only Python scalars, strings, lists and numpy arrays live here: never tensors or modules, so a
record can be handed to another thread or serialised with ``to_json()``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Translation:
    """One hypothesis with everything needed to show and check its attention.

    ``attention`` has shape (len(target_tokens), len(source_tokens)): rows are target tokens
    including the final ``</s>``, columns are source tokens including the final ``</s>``; each
    row sums to 1. ``token_probs[i]`` is the model's probability of ``target_tokens[i]``.

    Transformer models have many attentions. ``cross_attention`` (layers, heads, T, S) holds the
    encoder-decoder attention of every decoder layer and head, as computed for this very
    hypothesis; ``attention`` (what views show by default) is then the mean over the heads of the
    LAST layer. GRU models have one attention: ``cross_attention`` is None. On request
    (``Translator.inspect(..., self_attention=True)``) a Transformer's hypothesis also carries
    ``encoder_self_attention`` (encoder layers, heads, S, S) and ``decoder_self_attention``
    (layers, heads, T, T; no weight on later positions). Every row of all of them sums to 1.
    """

    source_tokens: list[str]
    target_tokens: list[str]
    token_probs: np.ndarray  # (T,) float32
    attention: np.ndarray  # (T, S) float32
    score: float  # sum of log-probabilities (length-normalised for beams)
    text: str  # detokenized output, without </s>
    cross_attention: np.ndarray | None = None  # (layers, heads, T, S) Transformers only
    encoder_self_attention: np.ndarray | None = None  # (enc layers, heads, S, S) on request
    decoder_self_attention: np.ndarray | None = None  # (layers, heads, T, T) on request

    def head_attention(self, layer: int | None = None, head: int | None = None) -> np.ndarray:
        """(T, S) attention of one decoder layer (default: the last) and one head, or (head
        None) that layer's mean over heads. A GRU model has one attention: layer and head must
        be None or 0."""
        if self.cross_attention is None:
            if layer not in (None, 0) or head not in (None, 0):
                raise ValueError("this model has one attention: no layers or heads to choose")
            return self.attention
        layers, heads = self.cross_attention.shape[:2]
        layer = layers - 1 if layer is None else layer
        if not 0 <= layer < layers:
            raise ValueError(f"layer {layer} does not exist: the model has layers 0-{layers - 1}")
        if head is None:
            return self.cross_attention[layer].mean(axis=0).astype(np.float32)
        if not 0 <= head < heads:
            raise ValueError(f"head {head} does not exist: the model has heads 0-{heads - 1}")
        return self.cross_attention[layer, head]

    @property
    def entropy(self) -> np.ndarray:
        """(T,) attention entropy of each target token in nats: 0 = looks at one word only."""
        a = np.clip(self.attention.astype(np.float64), 1e-12, 1.0)
        return (-(self.attention * np.log(a)).sum(axis=1)).astype(np.float32)

    @property
    def coverage(self) -> np.ndarray:
        """(S,) total attention each source token received over the whole output (column sums)."""
        return self.attention.sum(axis=0).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_tokens": list(self.source_tokens),
            "target_tokens": list(self.target_tokens),
            "weights": _plain(self.attention),
            "token_probs": _plain(self.token_probs),
            "score": float(self.score),
            "text": self.text,
            "entropy": _plain(self.entropy),
            "coverage": _plain(self.coverage),
            **{
                name: _plain(getattr(self, name))
                for name in (
                    "cross_attention",
                    "encoder_self_attention",
                    "decoder_self_attention",
                )
                if getattr(self, name) is not None
            },
        }


@dataclass(frozen=True)
class ReportEvent:
    """The corpus validation report, sent once before training starts."""

    report: dict[str, Any]
    type: str = "report"


@dataclass(frozen=True)
class NoticeEvent:
    """Something the user should know that did not stop the run, e.g. a damaged checkpoint that
    a resume skipped ("... is damaged; resumed from ckpt-00000500.pt instead")."""

    message: str
    type: str = "notice"


@dataclass(frozen=True)
class ReadingEvent:
    """Progress while the corpus is read, validated and tokenized (before the first step)."""

    bytes_read: int
    total_bytes: int
    type: str = "reading"


@dataclass(frozen=True)
class ProgressEvent:
    """Throttled training progress (about ten a second at most)."""

    step: int
    epoch: int
    loss: float  # mean token cross-entropy of the last batch (nats)
    smoothed_loss: float
    learning_rate: float
    tokens_per_second: float  # target tokens per second since the last event
    elapsed_s: float
    eta_s: float | None  # None while unknown
    fraction: float  # 0..1 of the step/time budget
    type: str = "progress"


@dataclass(frozen=True)
class ValidationEvent:
    """Scores on the dev set, with a few sample translations and the probe's attention."""

    step: int
    epoch: int
    loss: float
    bleu: float
    chrf: float
    is_best: bool
    samples: list[dict[str, str]] = field(default_factory=list)  # source/reference/hypothesis
    probe: Translation | None = None
    bleu_signature: str = ""
    type: str = "validation"


@dataclass(frozen=True)
class CheckpointEvent:
    step: int
    path: str
    kind: str  # "last" or "best"
    type: str = "checkpoint"


@dataclass(frozen=True)
class DoneEvent:
    status: str  # "finished", "early_stopped", "time_budget", "cancelled"
    step: int
    epoch: int
    best_bleu: float | None
    model_dir: str
    elapsed_s: float
    # this session's updates (a resumed run counts from its resume): every target token trained
    # on, and the seconds spent validating (and saving), so throughput is a total, not a median
    target_tokens: int = 0
    validation_s: float = 0.0
    type: str = "done"


@dataclass(frozen=True)
class ErrorEvent:
    message: str
    type: str = "error"


Event = (
    NoticeEvent
    | ReadingEvent
    | ReportEvent
    | ProgressEvent
    | ValidationEvent
    | CheckpointEvent
    | DoneEvent
    | ErrorEvent
)
EventCallback = Callable[[Event], None]


def to_json_dict(event: Event) -> dict[str, Any]:
    """A JSON-ready dict of any event; ``type`` comes first for easy reading of the stream."""
    data = _plain(event)
    if isinstance(event, ValidationEvent) and event.probe is not None:
        data["probe"] = event.probe.to_dict()
    return {"type": data.pop("type"), **data}


def event_from_json(data: dict[str, Any]) -> Event:
    """Rebuild an event from its ``to_json_dict`` form (numpy float32 arrays for attention and
    probabilities): how the app reads the training child's stdout."""
    kind = data.get("type")
    fields = {k: v for k, v in data.items() if k != "type"}
    if kind == "validation":
        probe = fields.pop("probe", None)
        if probe is not None:
            probe = Translation(
                source_tokens=list(probe["source_tokens"]),
                target_tokens=list(probe["target_tokens"]),
                token_probs=np.asarray(probe["token_probs"], dtype=np.float32),
                attention=np.asarray(probe["weights"], dtype=np.float32).reshape(
                    len(probe["target_tokens"]), len(probe["source_tokens"])
                ),
                score=float(probe["score"]),
                text=probe["text"],
            )
        return ValidationEvent(probe=probe, **fields)
    if kind == "error":
        return ErrorEvent(message=str(fields.get("message", "")))
    for cls in _EVENT_TYPES:
        if cls.type == kind:
            return cls(**fields)
    raise ValueError(f"unknown event type {kind!r}")


_EVENT_TYPES: tuple[type, ...] = (
    NoticeEvent,
    ReadingEvent,
    ReportEvent,
    ProgressEvent,
    CheckpointEvent,
    DoneEvent,
)
