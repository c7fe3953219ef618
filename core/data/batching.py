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
    rng = random.Random(seed)
    keyed = sorted(range(len(lengths)), key=lambda i: (lengths[i][0], lengths[i][1], rng.random()))
    batches = [keyed[i : i + batch_size] for i in range(0, len(keyed), batch_size)]
    rng.shuffle(batches)
    return batches


def sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Batches for decoding: sorted by source length, in that order (callers restore the order)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def pad(seqs: Sequence[Sequence[int]], prefix: list[int] | None = None) -> Tensor:
    """Right-padded (len(seqs), longest) id matrix, each row optionally starting with ``prefix``."""
    prefix = prefix or []
    width = max(len(s) for s in seqs) + len(prefix)
    out = np.full((len(seqs), width), PAD_ID, dtype=np.int64)
    if prefix:
        out[:, : len(prefix)] = prefix
    for row, s in enumerate(seqs):
        out[row, len(prefix) : len(prefix) + len(s)] = s
    return torch.from_numpy(out)


def collate(examples: EncodedPairs | Sequence[Example], indices: list[int]) -> Batch:
    """Padded tensors for the examples at ``indices`` (teacher forcing: tgt_in is tgt_out
    shifted)."""
    pairs = [examples[i] for i in indices]
    srcs = [p[0] for p in pairs]
    tgts = [p[1] for p in pairs]
    src = pad(srcs)
    src_len = torch.tensor([len(s) for s in srcs], dtype=torch.long)
    tgt_out = pad(tgts)
    tgt_in = pad([t[:-1] for t in tgts], prefix=[BOS_ID])
    n_tokens = int(sum(len(t) for t in tgts))
    return Batch(src, src_len, tgt_in, tgt_out, n_tokens, list(indices))
