"""Length-bucketed batches: sentences of similar length share a batch, so little is padding.

Batches (not sentences) are shuffled each epoch, from a seeded generator, so a run is reproducible
and a resumed run sees the same order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

import torch
from torch import Tensor

from core.vocab import BOS_ID, PAD_ID

Example = tuple[list[int], list[int]]   # (source ids ending in </s>, target ids ending in </s>)


@dataclass
class Batch:
    src: Tensor          # (B, S) long, padded with <pad>
    src_len: Tensor      # (B,) long
    tgt_in: Tensor       # (B, T) long: <s> y_1 … y_{T-1}
    tgt_out: Tensor      # (B, T) long: y_1 … y_{T-1} </s>
    n_tokens: int        # real target tokens (the loss is averaged over these)
    indices: list[int]   # positions of these examples in the dataset

    def to(self, device: torch.device) -> "Batch":
        if self.src.device == device:
            return self
        return Batch(self.src.to(device), self.src_len, self.tgt_in.to(device),
                     self.tgt_out.to(device), self.n_tokens, self.indices)


def bucket_order(lengths: Sequence[tuple[int, int]], batch_size: int, seed: int) -> list[list[int]]:
    """Group example indices into batches of similar (source, target) length, batches shuffled.

    A random tie-breaker before sorting keeps batches different from epoch to epoch.
    """
    rng = random.Random(seed)
    keyed = sorted(range(len(lengths)), key=lambda i: (lengths[i][0], lengths[i][1], rng.random()))
    batches = [keyed[i:i + batch_size] for i in range(0, len(keyed), batch_size)]
    rng.shuffle(batches)
    return batches


def sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Batches for decoding: sorted by source length, in that order (callers restore the order)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def pad(seqs: list[list[int]], prefix: list[int] | None = None) -> Tensor:
    prefix = prefix or []
    width = max(len(s) for s in seqs) + len(prefix)
    out = torch.full((len(seqs), width), PAD_ID, dtype=torch.long)
    for row, s in enumerate(seqs):
        full = prefix + s
        out[row, :len(full)] = torch.tensor(full, dtype=torch.long)
    return out


def collate(examples: Sequence[Example], indices: list[int]) -> Batch:
    srcs = [examples[i][0] for i in indices]
    tgts = [examples[i][1] for i in indices]
    src = pad(srcs)
    src_len = torch.tensor([len(s) for s in srcs], dtype=torch.long)
    tgt_out = pad(tgts)
    tgt_in = pad([t[:-1] for t in tgts], prefix=[BOS_ID])
    if tgt_in.size(1) < tgt_out.size(1):   # every target ends in </s>, so widths match; keep safe
        tgt_in = torch.nn.functional.pad(tgt_in, (0, tgt_out.size(1) - tgt_in.size(1)), value=PAD_ID)
    n_tokens = sum(len(t) for t in tgts)
    return Batch(src, src_len, tgt_in, tgt_out, n_tokens, list(indices))
