"""Attention heads of a Transformer translation: choosing one, describing each, ranking them.

Why this module exists: a Transformer hypothesis carries ``cross_attention`` of shape
(layers, heads, T, S), but every view (heatmap, lines, statistics, timeline, what-if) shows one
(T, S) matrix. A :class:`HeadChoice` names which matrix — one head, the mean over one layer's
heads, or the mean over all — and :func:`with_choice` makes the ``Translation`` a view shows, so
the views (and a later words/subwords merge) need not know about heads. A GRU translation has no
``cross_attention`` and passes through unchanged.

Layers and heads are numbered from 0, here, on screen ("layer 1, head 3") and in the CLI's
``--layer``/``--head``, so a head found in the app is the same number on the command line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.events import Translation
from core.inspection.alignment import (
    AerCounts,
    GoldAlignment,
    aer_counts,
    hard_alignment,
)
from core.inspection.word_merge import WordTranslation, to_words

ENCODER, DECODER = "encoder", "decoder"
View = Callable[[Translation], Translation]  # how a front end shows a translation (e.g. words)
BOS = "<s>"


@dataclass(frozen=True)
class HeadChoice:
    """Which (T, S) matrix to show: ``layer`` None means every layer (then ``head`` must be None:
    the mean over all heads of all layers); ``head`` None means the mean over the layer's heads."""

    layer: int | None = None
    head: int | None = None

    def __post_init__(self) -> None:
        if self.layer is None and self.head is not None:
            raise ValueError("a head needs its layer")

    @property
    def label(self) -> str:
        """How the app names it (0-based, like the CLI): "layer 1, head 3", "layer 1, mean over
        heads"."""
        if self.layer is None:
            return "mean over all layers and heads"
        if self.head is None:
            return f"layer {self.layer}, mean over heads"
        return f"layer {self.layer}, head {self.head}"

    @property
    def short(self) -> str:
        """Compact form for tables and thumbnails: "L1 H3", "L1 mean", "all"."""
        if self.layer is None:
            return "all"
        return f"L{self.layer} " + ("mean" if self.head is None else f"H{self.head}")


def default_choice(n_layers: int) -> HeadChoice:
    """What ``Translation.attention`` holds for a Transformer: the last layer, mean over heads."""
    return HeadChoice(max(0, n_layers - 1), None)


def has_heads(tr: Translation | None) -> bool:
    """True for a Transformer hypothesis that carries its per-head cross-attention."""
    cross = getattr(tr, "cross_attention", None)
    return cross is not None and np.asarray(cross).ndim == 4


def choose(stack: np.ndarray, choice: HeadChoice) -> np.ndarray:
    """The matrix ``choice`` names from a (layers, heads, R, C) stack, as float32 (R, C).

    Means of rows that each sum to 1 still sum to 1, and an exact 0 (padding, a masked future
    position) stays exactly 0 in every mean.
    """
    a = np.asarray(stack, dtype=np.float32)
    if a.ndim != 4:
        raise ValueError(f"expected (layers, heads, rows, columns), got shape {a.shape}")
    n_layers, n_heads = a.shape[:2]
    if choice.layer is None:
        return a.mean(axis=(0, 1), dtype=np.float64).astype(np.float32)
    if not 0 <= choice.layer < n_layers:
        raise ValueError(f"layer {choice.layer} does not exist: layers are 0-{n_layers - 1}")
    if choice.head is None:
        return a[choice.layer].mean(axis=0, dtype=np.float64).astype(np.float32)
    if not 0 <= choice.head < n_heads:
        raise ValueError(f"head {choice.head} does not exist: heads are 0-{n_heads - 1}")
    return a[choice.layer, choice.head].copy()


def fits(choice: HeadChoice, tr: Translation) -> bool:
    """True when ``tr`` has the layer and head ``choice`` names."""
    if not has_heads(tr):
        return False
    n_layers, n_heads = np.asarray(tr.cross_attention).shape[:2]
    return (choice.layer is None or choice.layer < n_layers) and (
        choice.head is None or choice.head < n_heads
    )


def with_choice(tr: Translation, choice: HeadChoice | None) -> Translation:
    """``tr`` with ``attention`` replaced by the chosen head's matrix; unchanged for a GRU
    translation, when ``choice`` is None, or for the default choice (``attention`` already is
    the last layer's mean, as the model computed it). A translation merged into words is chosen
    in its pieces and merged again, so its pieces (shown on hover) are the chosen head's too."""
    if choice is None or not has_heads(tr):
        return tr
    if isinstance(tr, WordTranslation):
        return to_words(with_choice(tr.pieces, choice))
    if choice == default_choice(np.asarray(tr.cross_attention).shape[0]):
        return tr
    return dataclasses.replace(tr, attention=choose(tr.cross_attention, choice))


def all_choices(n_layers: int, n_heads: int) -> list[HeadChoice]:
    """Every head, then each layer's mean, then the mean over all: the rows of a ranking."""
    heads = [HeadChoice(layer, head) for layer in range(n_layers) for head in range(n_heads)]
    return heads + [HeadChoice(layer, None) for layer in range(n_layers)] + [HeadChoice()]


def row_entropy(matrix: np.ndarray) -> np.ndarray:
    """(R,) entropy of each row in nats: 0 = the row looks at one column only."""
    a = np.asarray(matrix, dtype=np.float64)
    return -(a * np.log(np.clip(a, 1e-12, 1.0))).sum(axis=1)


@dataclass(frozen=True)
class HeadSummary:
    """What one head does on this sentence: how spread out it is and where it looks most."""

    choice: HeadChoice
    entropy: float  # mean row entropy (nats)
    top_source: int  # the source column with the most attention in total
    top_token: str
    top_share: float  # that column's share of all the head's attention (0..1)


def summarize(shown: Translation, choice: HeadChoice) -> HeadSummary:
    """The summary of ``shown.attention`` (one head's matrix, possibly merged into words)."""
    m = np.asarray(shown.attention, dtype=np.float64)
    coverage = m.sum(axis=0)
    top = int(coverage.argmax()) if coverage.size else 0
    total = float(coverage.sum())
    return HeadSummary(
        choice,
        float(row_entropy(m).mean()) if m.size else 0.0,
        top,
        shown.source_tokens[top] if top < len(shown.source_tokens) else "?",
        float(coverage[top]) / total if total > 0 else 0.0,
    )


def head_summaries(tr: Translation, view: View | None = None) -> list[HeadSummary]:
    """One summary per (layer, head), layer by layer, of what ``view`` makes of each head's
    matrix (e.g. merged into words; as it is by default); empty for a GRU translation."""
    if not has_heads(tr):
        return []
    n_layers, n_heads = np.asarray(tr.cross_attention).shape[:2]
    out = []
    for layer in range(n_layers):
        for head in range(n_heads):
            choice = HeadChoice(layer, head)
            shown = with_choice(tr, choice)
            out.append(summarize(view(shown) if view else shown, choice))
    return out


@dataclass(frozen=True)
class HeadAer:
    """One row of the ranking: a head (or a mean) and its AER counts against the gold."""

    choice: HeadChoice
    counts: AerCounts

    @property
    def aer(self) -> float:
        return self.counts.aer


def head_aer_counts(
    tr: Translation,
    gold: GoldAlignment,
    method: str = "argmax",
    threshold: float = 0.3,
    view: View | None = None,
) -> dict[HeadChoice, AerCounts]:
    """AER counts of the hard links read off every head, every layer mean and the mean over all
    (the same reading as the alignment view and ``align``), each matrix first passed through
    ``view`` when given (e.g. merged into words, for a gold alignment between words)."""
    n_layers, n_heads = np.asarray(tr.cross_attention).shape[:2]
    out = {}
    for choice in all_choices(n_layers, n_heads):
        shown = with_choice(tr, choice)
        shown = view(shown) if view else shown
        links = hard_alignment(
            shown.attention, shown.source_tokens, shown.target_tokens, method, threshold
        )
        out[choice] = aer_counts(links, gold.sure, gold.possible)
    return out


def corpus_head_aer_counts(
    translations: Sequence[Translation],
    gold: Sequence[GoldAlignment],
    method: str = "argmax",
    threshold: float = 0.3,
) -> dict[HeadChoice, AerCounts]:
    """Counts summed over sentences per head: the corpus AER of each head weighs every link
    equally, like ``corpus_aer``."""
    if len(translations) != len(gold):
        raise ValueError(f"{len(translations)} translations but {len(gold)} gold alignments")
    total: dict[HeadChoice, AerCounts] = {}
    for tr, g in zip(translations, gold):
        add_head_counts(total, tr, g, method, threshold)
    return total


def add_head_counts(
    total: dict[HeadChoice, AerCounts],
    tr: Translation,
    gold: GoldAlignment,
    method: str = "argmax",
    threshold: float = 0.3,
) -> None:
    """Add one sentence's per-head counts to ``total`` (a corpus ranking, one pair at a time)."""
    for choice, counts in head_aer_counts(tr, gold, method, threshold).items():
        total[choice] = total.get(choice, AerCounts()) + counts


def ranking_lines(rows: Sequence[HeadAer]) -> list[str]:
    """The ranking as an aligned text table, best first (the CLI's ``align --rank-heads``)."""
    out = [f"{'rank':>4}  {'head':<32} {'AER':>6} {'precision':>9} {'recall':>6}"]
    for i, r in enumerate(rows, 1):
        c = r.counts
        out.append(
            f"{i:>4}  {r.choice.label:<32} {r.aer:>6.4f} {c.precision:>9.4f} {c.recall:>6.4f}"
        )
    return out


def rank_heads(counts: dict[HeadChoice, AerCounts]) -> list[HeadAer]:
    """Lowest AER first; ties keep single heads before means, then layer and head order."""

    def key(row: HeadAer) -> tuple:
        c = row.choice
        kind = 2 if c.layer is None else (1 if c.head is None else 0)
        return (round(row.aer, 12), kind, c.layer or 0, c.head or 0)

    return sorted((HeadAer(c, n) for c, n in counts.items()), key=key)


def self_attention_view(
    tr: Translation, side: str, choice: HeadChoice
) -> tuple[np.ndarray, list[str], list[str]] | None:
    """(matrix, row tokens, column tokens) of the encoder's or decoder's self-attention, or None
    when the hypothesis does not carry it.

    Encoder: rows and columns are the source tokens. Decoder: row ``t`` is the step that
    produced ``target_tokens[t]``; column ``t`` is the decoder's input at that position —
    ``<s>`` and then the tokens produced before — so a step sees only columns up to its own.
    """
    if side == ENCODER:
        stack, rows = getattr(tr, "encoder_self_attention", None), list(tr.source_tokens)
        cols = rows
    elif side == DECODER:
        stack, rows = getattr(tr, "decoder_self_attention", None), list(tr.target_tokens)
        cols = [BOS, *rows[:-1]]
    else:
        raise ValueError(f"side must be {ENCODER!r} or {DECODER!r}, not {side!r}")
    if stack is None:
        return None
    return choose(stack, choice), rows, cols


def upper_triangle_max(matrix: np.ndarray) -> float:
    """Largest weight above the diagonal: exactly 0 for a correctly masked decoder."""
    a = np.asarray(matrix)
    return float(np.triu(a, k=1).max()) if a.size else 0.0
