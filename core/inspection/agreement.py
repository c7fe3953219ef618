"""How far attention and attribution agree, per target token, per sentence, per corpus.

Attention says where the model looked; attribution says which source tokens the output's
probability depended on. Two plain measures per target token (one row of each matrix):

- Spearman rank correlation between the attention row and the attribution row (ranks with ties
  averaged, then Pearson on the ranks). Undefined (``None``) when either row is constant, e.g. a
  one-token source.
- "same top source word": whether both rows have their largest value at the same source token.

A sentence's agreement is the mean of its defined correlations and the share of its target
tokens with the same top word; a corpus pools every target token of every sentence, so a long
sentence counts as much as its tokens. numpy only: no torch, no Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TokenAgreement:
    rank_correlation: float | None  # Spearman's rho, -1..1; None when a row is constant
    same_top: bool  # argmax of attention == argmax of attribution
    attention_top: int  # the source index attention puts most weight on
    attribution_top: int  # the source index attribution puts most weight on


@dataclass(frozen=True)
class SentenceAgreement:
    tokens: list[TokenAgreement]  # one per target token (heatmap row)

    @property
    def mean_rank_correlation(self) -> float | None:
        rhos = [t.rank_correlation for t in self.tokens if t.rank_correlation is not None]
        return float(np.mean(rhos)) if rhos else None

    @property
    def top_match_rate(self) -> float | None:
        if not self.tokens:
            return None
        return sum(t.same_top for t in self.tokens) / len(self.tokens)

    def to_dict(self) -> dict:
        return {
            "mean_rank_correlation": self.mean_rank_correlation,
            "top_match_rate": self.top_match_rate,
            "per_token": [
                {
                    "rank_correlation": t.rank_correlation,
                    "same_top": t.same_top,
                    "attention_top": t.attention_top,
                    "attribution_top": t.attribution_top,
                }
                for t in self.tokens
            ],
        }


def ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties get the mean of the ranks they span (as Spearman's rho needs)."""
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="stable")
    sorted_vals = values[order]
    out = np.empty(len(values), dtype=np.float64)
    start = 0
    while start < len(values):
        end = start
        while end + 1 < len(values) and sorted_vals[end + 1] == sorted_vals[start]:
            end += 1
        out[order[start : end + 1]] = (start + end) / 2 + 1
        start = end + 1
    return out


def spearman(a: np.ndarray, b: np.ndarray) -> float | None:
    """Spearman's rank correlation of two equal-length vectors; None if either is constant."""
    ra, rb = ranks(a), ranks(b)
    ra -= ra.mean()
    rb -= rb.mean()
    denom = float(np.sqrt((ra * ra).sum() * (rb * rb).sum()))
    if denom == 0.0:
        return None
    return float((ra * rb).sum() / denom)


def token_agreement(attention_row: np.ndarray, attribution_row: np.ndarray) -> TokenAgreement:
    att_top, attr_top = int(np.argmax(attention_row)), int(np.argmax(attribution_row))
    return TokenAgreement(
        spearman(attention_row, attribution_row), att_top == attr_top, att_top, attr_top
    )


def sentence_agreement(attention: np.ndarray, attribution: np.ndarray) -> SentenceAgreement:
    """attention, attribution: (T, S) matrices of the same shape → one record per row."""
    attention, attribution = np.asarray(attention), np.asarray(attribution)
    if attention.shape != attribution.shape:
        raise ValueError(
            f"attention {attention.shape} and attribution {attribution.shape} "
            "must have the same shape"
        )
    return SentenceAgreement([token_agreement(a, b) for a, b in zip(attention, attribution)])


@dataclass(frozen=True)
class CorpusAgreement:
    sentences: int
    tokens: int
    mean_rank_correlation: float | None  # over every target token with a defined rho
    top_match_rate: float | None  # over every target token

    def to_dict(self) -> dict:
        return {
            "sentences": self.sentences,
            "tokens": self.tokens,
            "mean_rank_correlation": self.mean_rank_correlation,
            "top_match_rate": self.top_match_rate,
        }


def corpus_agreement(sentences: Sequence[SentenceAgreement]) -> CorpusAgreement:
    """Pool every target token of every sentence (token-weighted, not a mean of means)."""
    tokens = [t for s in sentences for t in s.tokens]
    rhos = [t.rank_correlation for t in tokens if t.rank_correlation is not None]
    return CorpusAgreement(
        len(sentences),
        len(tokens),
        float(np.mean(rhos)) if rhos else None,
        sum(t.same_top for t in tokens) / len(tokens) if tokens else None,
    )
