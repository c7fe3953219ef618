"""Products over many rows cut into a few fixed row counts.

oneDNN prepares (JIT-compiles) a kernel for every shape of product it meets and keeps a bounded
number of them (``core.device.KERNEL_CACHE_ENTRIES``). A training run's batches differ in their
number of target tokens and source positions, so a layer applied to all of a batch's rows at once
meets a new shape at nearly every batch: on a Xeon with AMX, 216 shapes in 300 updates, each
prepared again ~20 times as the cache evicted it, 10 % of the run's time (``docs/benchmarks.md``,
"Fewer product shapes, and the search's kernels"). Cut into blocks of ``BLOCK_ROWS`` rows and
a tail of halves of it (256, 128, 64), the same products have a handful of shapes; the sums are
the same, a row at a time.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

BLOCK_ROWS = 512
#: the smallest piece a tail is cut into; what is left below it is one last piece
SMALLEST_ROWS = 64
#: False: as before (``bench/lean.py --lever blocks`` compares): layers over all rows at once,
#: the loss in blocks of ``BLOCK_ROWS`` and one tail of any size
CUT = True


def row_sizes(rows: int) -> list[int]:
    """``rows`` as blocks of ``BLOCK_ROWS``, then the rest as halves, quarters, … of a block
    down to ``SMALLEST_ROWS`` (largest first), and whatever remains below that."""
    sizes = [BLOCK_ROWS] * (rows // BLOCK_ROWS)
    tail = rows % BLOCK_ROWS
    size = BLOCK_ROWS // 2 if CUT else 0
    while tail and size >= SMALLEST_ROWS:
        if tail >= size:
            sizes.append(size)
            tail -= size
        size //= 2
    if tail:
        sizes.append(tail)
    return sizes


def in_row_blocks(layer: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """``layer(x)`` for a layer that maps each row on its own (a linear layer, with autograd and
    autocast as usual): on the CPU over more than ``BLOCK_ROWS`` rows, one call per piece of
    ``row_sizes``. x (..., K) → (..., N)."""
    rows = x.numel() // max(1, x.size(-1))
    if x.device.type != "cpu" or rows <= BLOCK_ROWS or not CUT:
        return layer(x)
    parts = [layer(part) for part in x.reshape(rows, x.size(-1)).split(row_sizes(rows))]
    return torch.cat(parts).view(*x.shape[:-1], parts[0].size(-1))
