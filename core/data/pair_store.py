"""Tokenized pairs kept compactly: flat int32 arrays plus offsets, not Python lists of strings.

A corpus of a few hundred megabytes would take many gigabytes as lists of token strings; here a
token costs 4 bytes. Tokens get provisional ids while the corpus streams in; once the vocabulary
is known they are mapped to its ids in one vectorised step.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence

import numpy as np

from core.data.vocab import EOS_ID, UNK_ID, Vocab

_ENCODE_BLOCK = 1 << 20  # output tokens gathered per step in _Side.encode


class _Side:
    """One language's token stream with its own provisional type table."""

    def __init__(self) -> None:
        self.types: dict[str, int] = {}
        self.names: list[str] = []
        self.ids = array("i")
        self.offsets = array("q", [0])

    def add(self, tokens: list[str]) -> None:
        types, names = self.types, self.names
        for tok in tokens:
            i = types.get(tok)
            if i is None:
                i = types[tok] = len(names)
                names.append(tok)
            self.ids.append(i)
        self.offsets.append(len(self.ids))

    def tokens(self, i: int) -> list[str]:
        names = self.names
        return [names[j] for j in self.ids[self.offsets[i] : self.offsets[i + 1]]]

    def counts(self, rows: np.ndarray) -> dict[str, int]:
        """Token frequencies over the sentences ``rows``."""
        ids = np.frombuffer(self.ids, dtype=np.int32)
        offsets = np.frombuffer(self.offsets, dtype=np.int64)
        lengths = np.diff(offsets)
        keep = np.zeros(len(lengths), dtype=bool)
        keep[rows] = True
        counts = np.bincount(ids[np.repeat(keep, lengths)], minlength=len(self.names))
        return {self.names[i]: int(counts[i]) for i in np.flatnonzero(counts)}

    def encode(self, vocab: Vocab, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Final ids (each sentence ending in </s>) and offsets for the sentences ``rows``."""
        lookup = np.array(
            [vocab.stoi.get(n, UNK_ID) for n in self.names] or [UNK_ID], dtype=np.int32
        )
        ids = np.frombuffer(self.ids, dtype=np.int32)
        offsets = np.frombuffer(self.offsets, dtype=np.int64)
        starts, ends = offsets[rows], offsets[rows + 1]
        lengths = ends - starts + 1
        out_offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=out_offsets[1:])
        out = np.full(int(out_offsets[-1]), EOS_ID, dtype=np.int32)
        # gather the tokens of the chosen sentences, a block of sentences at a time: one step for
        # the whole corpus needs ~30 bytes of int64 temporaries per token (≈ 0.4 GB a side for a
        # 200 MB corpus); blocks of ~1M tokens keep that to a few tens of MB
        first = 0
        while first < len(rows):
            last = int(np.searchsorted(out_offsets, out_offsets[first] + _ENCODE_BLOCK, "right"))
            last = min(max(last - 1, first + 1), len(rows))
            block = slice(first, last)
            lens, base = lengths[block], out_offsets[first]
            pos = np.arange(int(out_offsets[last] - base)) - np.repeat(
                out_offsets[block] - base, lens
            )
            src_index = np.repeat(starts[block], lens) + pos
            body = pos < np.repeat(lens - 1, lens)
            out[base : out_offsets[last]][body] = lookup[ids[src_index[body]]]
            first = last
        return out, out_offsets


class PairCollector:
    """Receives tokenized pairs one at a time (as ``core.data.corpus.load_pairs`` streams them)."""

    def __init__(self) -> None:
        self.src, self.tgt = _Side(), _Side()
        self._keys = array("q")

    def __call__(self, src: list[str], tgt: list[str]) -> None:
        self.src.add(src)
        self.tgt.add(tgt)
        # equal pairs get equal keys (64-bit: a false match is ~1e-7 likely in 1e6 pairs)
        self._keys.append(hash((tuple(src), tuple(tgt))))

    def keys(self) -> np.ndarray:
        """One int64 per pair, equal for equal (tokenized) pairs: finds exact duplicates."""
        return np.frombuffer(self._keys, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.src.offsets) - 1

    def pair_tokens(self, i: int) -> tuple[list[str], list[str]]:
        return self.src.tokens(i), self.tgt.tokens(i)

    def vocab_counts(self, rows: np.ndarray) -> tuple[dict[str, int], dict[str, int]]:
        return self.src.counts(rows), self.tgt.counts(rows)

    def encode(self, src_vocab: Vocab, tgt_vocab: Vocab, rows: np.ndarray) -> EncodedPairs:
        s, so = self.src.encode(src_vocab, rows)
        t, to = self.tgt.encode(tgt_vocab, rows)
        return EncodedPairs(s, so, t, to)


class EncodedPairs:
    """Id sequences ready for batching; ``pair(i)`` gives (source ids, target ids), each ending in
    </s>."""

    def __init__(
        self, src: np.ndarray, src_offsets: np.ndarray, tgt: np.ndarray, tgt_offsets: np.ndarray
    ) -> None:
        self.src, self.src_offsets, self.tgt, self.tgt_offsets = src, src_offsets, tgt, tgt_offsets
        self.src_len = np.diff(src_offsets)
        self.tgt_len = np.diff(tgt_offsets)

    @classmethod
    def from_lists(cls, pairs: Sequence[tuple[Sequence[int], Sequence[int]]]) -> EncodedPairs:
        def flat(seqs: Iterable[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
            seqs = list(seqs)
            offsets = np.zeros(len(seqs) + 1, dtype=np.int64)
            np.cumsum([len(x) for x in seqs], out=offsets[1:])
            data = np.fromiter((t for x in seqs for t in x), dtype=np.int32, count=int(offsets[-1]))
            return data, offsets

        s, so = flat(p[0] for p in pairs)
        t, to = flat(p[1] for p in pairs)
        return cls(s, so, t, to)

    def __len__(self) -> int:
        return len(self.src_len)

    def pair(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return (
            self.src[self.src_offsets[i] : self.src_offsets[i + 1]],
            self.tgt[self.tgt_offsets[i] : self.tgt_offsets[i + 1]],
        )

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return self.pair(i)

    def nbytes(self) -> int:
        return self.src.nbytes + self.tgt.nbytes + self.src_offsets.nbytes + self.tgt_offsets.nbytes
