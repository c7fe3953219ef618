"""Subword pieces grouped back into words, and their attention merged, so a subword model's
attention reads in the words the user typed.

Why these rules: sentencepiece marks the start of a word with "▁" (U+2581); every other piece
continues the word before it. Byte-fallback pieces (``<0xE2>``) continue the current word and are
UTF-8 bytes of its text. Specials (``</s>``, ``<unk>``…) are words of their own. A piece of
punctuation only ("." "," "▁(") is a word of its own too, and so is what follows it: trained on
raw text, sentencepiece glues punctuation to the word before ("▁Kaffee" "."), but a reader (and
a gold alignment, tokenized as Moses tokenizes) counts "Kaffee" and "." apart.

Merging keeps the meaning of a row: a source word receives what its pieces received (the sum of
their columns), and a target word attends as its pieces did on average (the mean of their rows),
so every row still sums to 1. A target word's probability is the product of its pieces'
probabilities (the chain rule: the model's probability of producing exactly those pieces).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.events import Translation

WORD_START = "\u2581"
SPECIAL_TOKENS = frozenset({"<unk>", "<pad>", "<s>", "</s>"})
_BYTE = re.compile(r"<0x([0-9A-Fa-f]{2})>")

Span = tuple[int, int]  # [start, end) piece indices


def uses_subwords(meta) -> bool:
    """Whether a model (its ``ModelMeta``) reads and writes sentencepiece pieces; folders made
    before subwords existed have no ``tokenization`` and are word-level."""
    return getattr(getattr(meta, "tokenizer", None), "tokenization", "words") == "subwords"


def in_pieces(tr: Translation) -> bool:
    """Whether ``tr`` came from a subword model, for a view that has only the translation (the
    Train tab's probe): sentencepiece starts the first piece of every sentence with "▁" (its
    dummy prefix) and Moses words never carry it."""
    return isinstance(tr, WordTranslation) or any(
        t.startswith(WORD_START) for t in tr.source_tokens
    )


def is_byte_piece(piece: str) -> bool:
    return _BYTE.fullmatch(piece) is not None


def word_text(pieces: Sequence[str]) -> str:
    """The text of one word's pieces: "▁" dropped, byte pieces decoded together as UTF-8
    (an incomplete byte sequence shows as U+FFFD rather than failing)."""
    out: list[str] = []
    pending = bytearray()
    for piece in pieces:
        m = _BYTE.fullmatch(piece)
        if m is not None:
            pending.append(int(m.group(1), 16))
            continue
        if pending:
            out.append(pending.decode("utf-8", errors="replace"))
            pending.clear()
        out.append(piece.replace(WORD_START, " "))
    if pending:
        out.append(pending.decode("utf-8", errors="replace"))
    return "".join(out).strip()


@dataclass(frozen=True)
class WordGroups:
    """Which pieces make each word: ``spans[w]`` is the [start, end) of word ``w``'s pieces."""

    pieces: tuple[str, ...]
    words: tuple[str, ...]
    spans: tuple[Span, ...]

    def __len__(self) -> int:
        return len(self.words)

    def pieces_of(self, word: int) -> list[str]:
        start, end = self.spans[word]
        return list(self.pieces[start:end])

    def word_of(self, piece: int) -> int:
        """The index of the word that piece ``piece`` belongs to."""
        for w, (start, end) in enumerate(self.spans):
            if start <= piece < end:
                return w
        raise IndexError(f"piece {piece} is outside the {len(self.pieces)} pieces")

    def indicator(self) -> np.ndarray:
        """(pieces, words) 0/1 matrix: column ``w`` marks the pieces of word ``w``."""
        m = np.zeros((len(self.pieces), len(self.words)), dtype=np.float64)
        for w, (start, end) in enumerate(self.spans):
            m[start:end, w] = 1.0
        return m


def is_punctuation(piece: str) -> bool:
    """A piece made of punctuation only ("▁" aside): ".", ",", "▁(", "?!"."""
    text = piece.replace(WORD_START, "")
    return bool(text) and all(unicodedata.category(c).startswith("P") for c in text)


def begins_word(piece: str, before: str | None) -> bool:
    """Whether ``piece`` starts a word when ``before`` is the piece before it (None: the first
    piece); the rule of the module docstring, shared with the beam tree in words."""
    if before is None or before in SPECIAL_TOKENS or piece in SPECIAL_TOKENS:
        return True
    return piece.startswith(WORD_START) or is_punctuation(piece) or is_punctuation(before)


def group_pieces(pieces: Sequence[str]) -> WordGroups:
    """Group sentencepiece pieces into words (see the module docstring for the rules)."""
    spans: list[list[int]] = []
    for i, piece in enumerate(pieces):
        if begins_word(piece, pieces[i - 1] if i else None):
            spans.append([i, i + 1])
        else:
            spans[-1][1] = i + 1
    words = tuple(word_text(pieces[s:e]) or str(pieces[s]) for s, e in spans)
    return WordGroups(tuple(pieces), words, tuple((s, e) for s, e in spans))


def merge_attention(attention: np.ndarray, source: WordGroups, target: WordGroups) -> np.ndarray:
    """(target words, source words): columns summed over source pieces, rows averaged over
    target pieces."""
    a = np.asarray(attention, dtype=np.float64)
    if a.shape != (len(target.pieces), len(source.pieces)):
        raise ValueError(
            f"attention shape {a.shape} does not match {len(target.pieces)} target x "
            f"{len(source.pieces)} source pieces"
        )
    rows = target.indicator()
    rows /= np.maximum(rows.sum(axis=0, keepdims=True), 1.0)
    return (rows.T @ a @ source.indicator()).astype(np.float32)


def merge_probs(token_probs: np.ndarray, target: WordGroups) -> np.ndarray:
    """(target words,): the product of each word's pieces' probabilities."""
    p = np.asarray(token_probs, dtype=np.float64)
    return np.array([p[s:e].prod() for s, e in target.spans], dtype=np.float32)


@dataclass(frozen=True, kw_only=True)
class WordTranslation(Translation):
    """A ``Translation`` in words (every view that takes a Translation can show it), keeping the
    piece-level one and the grouping, so hover can say what each word is made of. Its own fields
    are keyword-only: ``Translation`` ends in optional fields (a Transformer's heads), and a
    field added there later must not shift these."""

    pieces: Translation
    source_groups: WordGroups
    target_groups: WordGroups

    def cell_detail(self, row: int, col: int) -> str:
        """The pieces behind cell (target word ``row``, source word ``col``) and their own
        weights: each source piece's share of the cell (they add up to it) and, for a target
        word of several pieces, each piece's weight on the source word (the cell is their
        mean)."""
        ts, te = self.target_groups.spans[row]
        ss, se = self.source_groups.spans[col]
        block = np.asarray(self.pieces.attention, dtype=np.float64)[ts:te, ss:se]
        src = self.source_groups.pieces[ss:se]
        tgt = self.target_groups.pieces[ts:te]
        parts = [f"{p} {w:.3f}" for p, w in zip(src, block.mean(axis=0))]
        text = "source pieces: " + " + ".join(parts)
        if len(tgt) > 1:
            rows = ", ".join(f"{p} {w:.3f}" for p, w in zip(tgt, block.sum(axis=1)))
            text += f"; target pieces: {rows} (mean)"
        probs = self.pieces.token_probs
        if len(tgt) > 1 and len(probs) >= te:
            text += "; p = " + " × ".join(f"{float(probs[i]):.3f}" for i in range(ts, te))
        return text


def to_words(tr: Translation) -> WordTranslation:
    """``tr`` (pieces) in words; a ``WordTranslation`` is returned as it is.

    A Transformer's per-head matrices are merged too (each layer and head by the same rule), so
    choosing a head of the word view equals merging that head's piece view (merging is linear:
    the mean over heads and the merge commute). Views that show one chosen head apply it to the
    pieces first (``core.inspection.heads.choose``), then merge."""
    if isinstance(tr, WordTranslation):
        return tr
    source, target = group_pieces(tr.source_tokens), group_pieces(tr.target_tokens)
    attention = np.asarray(tr.attention)
    if attention.size == 0:
        merged = np.zeros((len(target), len(source)), dtype=np.float32)
    else:
        merged = merge_attention(attention, source, target)
    probs = np.asarray(tr.token_probs)
    word_probs = merge_probs(probs, target) if len(probs) == len(target.pieces) else probs
    return WordTranslation(
        source_tokens=list(source.words),
        target_tokens=list(target.words),
        token_probs=word_probs,
        attention=merged,
        score=tr.score,
        text=tr.text,
        cross_attention=_merge_heads(tr.cross_attention, source, target),
        encoder_self_attention=_merge_heads(tr.encoder_self_attention, source, source),
        decoder_self_attention=_merge_heads(tr.decoder_self_attention, target, target),
        pieces=tr,
        source_groups=source,
        target_groups=target,
    )


def _merge_heads(
    heads: np.ndarray | None, columns: WordGroups, rows: WordGroups
) -> np.ndarray | None:
    """(layers, heads, rows, columns) piece matrices merged into words, each one as
    ``merge_attention`` merges (rows averaged, columns summed: rows still sum to 1)."""
    if heads is None:
        return None
    a = np.asarray(heads, dtype=np.float64)
    if a.ndim != 4 or a.shape[2:] != (len(rows.pieces), len(columns.pieces)):
        return None  # not this hypothesis's pieces (should not happen): no per-head word view
    row_mean = rows.indicator()
    row_mean /= np.maximum(row_mean.sum(axis=0, keepdims=True), 1.0)
    return np.einsum("tw,lhts,sv->lhwv", row_mean, a, columns.indicator()).astype(np.float32)


def in_view(tr: Translation | None, words: bool) -> Translation | None:
    """What a view shows: ``tr`` in words when ``words`` is on, else ``tr`` as it is (pieces)."""
    if tr is None:
        return None
    if words:
        return to_words(tr)
    return tr.pieces if isinstance(tr, WordTranslation) else tr


def spread_override(tr: Translation, word_step: int, source_word: int) -> tuple[int, np.ndarray]:
    """What-if on words: the piece step to override (the target word's first piece) and the
    attention to force there — all of it on the source word's pieces, shared in the proportions
    the model gave them at that step (evenly if it gave them nothing)."""
    words = to_words(tr)
    pieces = words.pieces
    step = words.target_groups.spans[word_step][0]
    start, end = words.source_groups.spans[source_word]
    weights = np.zeros(len(pieces.source_tokens), dtype=np.float64)
    row = np.asarray(pieces.attention, dtype=np.float64)
    if step < row.shape[0]:
        weights[start:end] = row[step, start:end]
    total = weights.sum()
    if total <= 0:
        weights[start:end] = 1.0
        total = float(end - start)
    return step, (weights / total).astype(np.float32)
