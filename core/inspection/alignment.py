"""Word alignments: hard links read off the attention, Pharaoh ``i-j`` text, and the alignment
error rate (AER) against a gold standard.

Why attention can be read as an alignment: each target word's attention row is a distribution
over the source words it was produced from, so its peak (or every weight above a threshold) is a
link. The final ``</s>`` on either side is not a word and never takes part in a link.

Conventions (those of fast_align, GIZA++ and the AER literature): a link ``i-j`` joins source
word ``i`` to target word ``j``, both 0-based indices into the *tokenized* sentences; a gold file
has one line per sentence pair, with sure links ``i-j`` and possible links ``i?j`` or ``ipj``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.data.corpus import read_text_lines
from core.errors import CorpusError

EOS = "</s>"
METHODS = ("argmax", "threshold")

Link = tuple[int, int]  # (source word index, target word index)

_LINK = re.compile(r"(\d+)([-?p])(\d+)")


class AlignmentError(CorpusError):
    """A Pharaoh line cannot be read; names the file, the line and the bad token."""


@dataclass(frozen=True)
class GoldAlignment:
    """One sentence's gold links; ``possible`` includes every sure link (S ⊆ P)."""

    sure: frozenset[Link]
    possible: frozenset[Link]


def word_count(tokens: Sequence[str]) -> int:
    """How many of ``tokens`` are words: all but a final ``</s>``."""
    return len(tokens) - 1 if tokens and tokens[-1] == EOS else len(tokens)


def hard_alignment(
    attention: np.ndarray,
    source_tokens: Sequence[str],
    target_tokens: Sequence[str],
    method: str = "argmax",
    threshold: float = 0.3,
) -> list[Link]:
    """Links ``(source i, target j)`` from a (T, S) attention matrix, sorted.

    ``argmax``: each target word links to the source word it attends to most; the ``</s>``
    column is left out before the maximum is taken, so every target word gets exactly one link
    (when the source has a word). ``threshold``: every (word, word) weight ≥ ``threshold``, so a
    target word may have several links or none.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    n_src, n_tgt = word_count(source_tokens), word_count(target_tokens)
    words = np.asarray(attention, dtype=np.float64)[:n_tgt, :n_src]
    if words.size == 0:
        return []
    if method == "argmax":
        return sorted((int(i), j) for j, i in enumerate(words.argmax(axis=1)))
    targets, sources = np.nonzero(words >= threshold)
    return sorted(zip(sources.tolist(), targets.tolist()))


def to_pharaoh(links: Iterable[Link]) -> str:
    """``"0-0 1-2 2-1"``: the links sorted by source, then target index."""
    return " ".join(f"{i}-{j}" for i, j in sorted(set(links)))


def parse_pharaoh(
    text: str, path: str | Path | None = None, line: int | None = None
) -> GoldAlignment:
    """One Pharaoh line: ``i-j`` sure, ``i?j`` or ``ipj`` possible; an empty line has no links.

    A bad token raises :class:`AlignmentError` naming ``path:line`` and the token.
    """
    sure: set[Link] = set()
    possible: set[Link] = set()
    for token in text.split():
        m = _LINK.fullmatch(token)
        if m is None:
            raise AlignmentError(
                path,
                line,
                f"{token!r} is not an alignment link; write "
                "source-target word indices such as 0-1 (sure) "
                "or 0?1 / 0p1 (possible), separated by spaces",
            )
        link = (int(m.group(1)), int(m.group(3)))
        (sure if m.group(2) == "-" else possible).add(link)
    return GoldAlignment(frozenset(sure), frozenset(possible | sure))


def read_gold(path: str | Path) -> list[GoldAlignment]:
    """A gold alignment file, one Pharaoh line per sentence pair."""
    return [parse_pharaoh(text, path, n) for n, text in read_text_lines(str(path))]


def check_bounds(
    gold: GoldAlignment,
    n_src: int,
    n_tgt: int,
    path: str | Path | None = None,
    line: int | None = None,
) -> None:
    """Refuse links beyond the sentence: the usual sign of a gold file made with another
    tokenization, or of files that are not line-aligned."""
    for i, j in sorted(gold.possible):
        if i >= n_src or j >= n_tgt:
            raise AlignmentError(
                path,
                line,
                f"link {i}-{j} is outside the sentence pair, which "
                f"has {n_src} source and {n_tgt} target words after "
                "tokenization (indices start at 0)",
            )


@dataclass(frozen=True)
class AerCounts:
    """The four counts AER is made of; they add up over sentences."""

    a_and_s: int = 0  # |A ∩ S|
    a_and_p: int = 0  # |A ∩ P|
    a: int = 0  # |A|
    s: int = 0  # |S|

    def __add__(self, other: AerCounts) -> AerCounts:
        return AerCounts(
            self.a_and_s + other.a_and_s,
            self.a_and_p + other.a_and_p,
            self.a + other.a,
            self.s + other.s,
        )

    @property
    def aer(self) -> float:
        """1 − (|A∩S| + |A∩P|) / (|A| + |S|); 0 when there is nothing to align and nothing
        predicted."""
        total = self.a + self.s
        return 0.0 if total == 0 else 1.0 - (self.a_and_s + self.a_and_p) / total

    @property
    def precision(self) -> float:
        """|A∩P| / |A|: predicted links that the gold allows."""
        return self.a_and_p / self.a if self.a else 0.0

    @property
    def recall(self) -> float:
        """|A∩S| / |S|: sure links that were found."""
        return self.a_and_s / self.s if self.s else 0.0


def aer_counts(
    predicted: Iterable[Link], sure: Iterable[Link], possible: Iterable[Link]
) -> AerCounts:
    """The counts for one sentence; ``possible`` is taken together with ``sure`` (S ⊆ P)."""
    a, s = set(predicted), set(sure)
    p = set(possible) | s
    return AerCounts(len(a & s), len(a & p), len(a), len(s))


def aer(predicted: Iterable[Link], sure: Iterable[Link], possible: Iterable[Link]) -> float:
    """Alignment error rate of one sentence (Och & Ney 2003): 0 is perfect, 1 is all wrong."""
    return aer_counts(predicted, sure, possible).aer


def corpus_aer_counts(
    predicted: Sequence[Iterable[Link]], gold: Sequence[GoldAlignment]
) -> AerCounts:
    """Counts summed over sentences: the corpus AER weighs each link equally, not each sentence."""
    if len(predicted) != len(gold):
        raise ValueError(f"{len(predicted)} predicted alignments but {len(gold)} gold ones")
    total = AerCounts()
    for links, g in zip(predicted, gold):
        total = total + aer_counts(links, g.sure, g.possible)
    return total


def corpus_aer(predicted: Sequence[Iterable[Link]], gold: Sequence[GoldAlignment]) -> float:
    """Corpus-level AER from summed counts (not a mean of per-sentence rates)."""
    return corpus_aer_counts(predicted, gold).aer
