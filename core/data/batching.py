"""Length-bucketed batches: sentences of similar length share a batch, so little is padding.

Batches (not sentences) are shuffled each epoch, from a seeded generator, so a run is reproducible
and a resumed run sees the same order.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import Tensor

from core.data.vocab import BOS_ID, PAD_ID

if TYPE_CHECKING:
    from core.data.pair_store import EncodedPairs

Example = tuple[list[int], list[int]]  # (source ids ending in </s>, target ids ending in </s>)


@dataclass
class Batch:
    src: Tensor  # (B, S) long, padded with <pad>
    src_len: Tensor  # (B,) long
    tgt_in: Tensor  # (B, T) long: <s> y_1 … y_{T-1}
    tgt_out: Tensor  # (B, T) long: y_1 … y_{T-1} </s>
    n_tokens: int  # real target tokens (the loss is averaged over these)
    indices: list[int]  # positions of these examples in the dataset

    def to(self, device: torch.device) -> Batch:
        if self.src.device == device:
            return self
        return Batch(
            self.src.to(device),
            self.src_len,
            self.tgt_in.to(device),
            self.tgt_out.to(device),
            self.n_tokens,
            self.indices,
        )


def bucket_order(lengths: Sequence[tuple[int, int]], batch_size: int, seed: int) -> list[list[int]]:
    """Group example indices into batches of similar (source, target) length, batches shuffled.

    A random tie-breaker before sorting keeps batches different from epoch to epoch.
    """
    return list(batch_order(lengths, batch_size, seed))


def batch_order(lengths: Sequence[tuple[int, int]] | np.ndarray, batch_size: int, seed: int):
    """``bucket_order`` for millions of pairs: the same batches in the same order, kept as one
    index array (no Python list per batch or int per pair); batch ``k`` is ``order[k]``.

    Why exactly the same: a run resumed mid-epoch must see the batches it would have seen, also
    when it was started before this function existed. So the tie-breakers are the very numbers
    ``random.Random(seed).random()`` gives (numpy's MT19937 started from that generator's state)
    and the batches are shuffled by that generator afterwards.
    """
    table = np.asarray(lengths)
    if table.dtype.kind not in "iu":
        table = np.asarray(lengths, dtype=np.int64)
    table = table.reshape(-1, 2)
    n = len(table)
    rng = random.Random(seed)
    keyed = np.argsort(_python_randoms(rng, n))  # then a stable sort by lengths: ties stay so
    wide = int(table[:, 1].max(initial=0)) + 1
    key = table[keyed, 0].astype(np.int64) * wide + table[keyed, 1]
    narrow = np.uint16 if key.max(initial=0) < 2**16 else np.int64  # uint16 sorts by radix
    keyed = keyed[np.argsort(key.astype(narrow), kind="stable")]
    del key
    perm = list(range(-(-n // batch_size)))
    rng.shuffle(perm)
    index_type = np.int32 if n < 2**31 else np.int64
    return BatchOrder(keyed.astype(index_type), batch_size, np.array(perm, dtype=np.int64))


def _python_randoms(rng: random.Random, n: int) -> np.ndarray:
    """``[rng.random() for _ in range(n)]`` as an array, computed by numpy; ``rng`` advances as
    if Python had drawn them (both use MT19937 and the same 53-bit double)."""
    version, internal, gauss = rng.getstate()
    state = np.random.RandomState()
    state.set_state(("MT19937", np.array(internal[:-1], dtype=np.uint32), internal[-1]))
    values = state.random_sample(n)
    _, keys, pos, _, _ = state.get_state()
    rng.setstate((version, (*(int(k) for k in keys), int(pos)), gauss))
    return values


class BatchOrder(Sequence):
    """Batches of indices into a sorted index array: ``order[k]`` is batch ``k`` as a list.

    ``shard(rank, n_ranks)`` is one rank's part of the same order: the contiguous share
    ``b[rank * len(b) // n_ranks : (rank + 1) * len(b) // n_ranks]`` of every batch ``b``, batches
    too small to give each rank an example left out; still no list per batch until asked for.
    """

    def __init__(
        self, keyed: np.ndarray, batch_size: int, perm: np.ndarray, share: tuple[int, int] = (0, 1)
    ) -> None:
        self.keyed, self.batch_size, self.perm, self.share = keyed, batch_size, perm, share

    def __len__(self) -> int:
        return len(self.perm)

    def __getitem__(self, k):  # type: ignore[override]
        if isinstance(k, slice):
            return BatchOrder(self.keyed, self.batch_size, self.perm[k], self.share)
        start = int(self.perm[k]) * self.batch_size
        size = min(self.batch_size, len(self.keyed) - start)
        rank, n_ranks = self.share
        lo, hi = start + rank * size // n_ranks, start + (rank + 1) * size // n_ranks
        return self.keyed[lo:hi].tolist()

    def shard(self, rank: int, n_ranks: int) -> BatchOrder:
        if not 0 <= rank < n_ranks:
            raise ValueError(f"rank {rank} is not one of {n_ranks} ranks")
        sizes = np.minimum(self.batch_size, len(self.keyed) - self.perm * self.batch_size)
        return BatchOrder(self.keyed, self.batch_size, self.perm[sizes >= n_ranks], (rank, n_ranks))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    def __repr__(self) -> str:
        return f"BatchOrder({len(self)} batches of up to {self.batch_size})"


def sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Batches for decoding: sorted by source length, in that order (callers restore the order)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def pad(
    seqs: Sequence[Sequence[int]], prefix: list[int] | None = None, multiple: int = 1
) -> Tensor:
    """Right-padded (len(seqs), longest) id matrix, each row optionally starting with ``prefix``;
    the width rounded up to a ``multiple``."""
    prefix = prefix or []
    width = max(len(s) for s in seqs) + len(prefix)
    width = -(-width // multiple) * multiple
    out = np.full((len(seqs), width), PAD_ID, dtype=np.int64)
    if prefix:
        out[:, : len(prefix)] = prefix
    for row, s in enumerate(seqs):
        out[row, len(prefix) : len(prefix) + len(s)] = s
    return torch.from_numpy(out)


def collate(
    examples: EncodedPairs | Sequence[Example], indices: list[int], src_multiple: int = 1
) -> Batch:
    """Padded tensors for the examples at ``indices`` (teacher forcing: tgt_in is tgt_out
    shifted). ``src_multiple`` rounds the source width up (see ``Seq2Seq.SOURCE_WIDTH_MULTIPLE``:
    fewer distinct shapes, smaller per-shape kernel caches)."""
    pairs = [examples[i] for i in indices]
    srcs = [p[0] for p in pairs]
    tgts = [p[1] for p in pairs]
    src = pad(srcs, multiple=src_multiple)
    src_len = torch.tensor([len(s) for s in srcs], dtype=torch.long)
    tgt_out = pad(tgts)
    tgt_in = pad([t[:-1] for t in tgts], prefix=[BOS_ID])
    n_tokens = int(sum(len(t) for t in tgts))
    return Batch(src, src_len, tgt_in, tgt_out, n_tokens, list(indices))
